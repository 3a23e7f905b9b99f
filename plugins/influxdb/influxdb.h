/* The `influxdb` plugin: vendor.influxdb (vendors.md §4). */
#ifndef INFLUXDB_H
#define INFLUXDB_H

#include "line_protocol.h"
#include "vendor_http.h"

extern const wh_api *influxdb_api;
extern wh_plugin *influxdb_self;
extern vh_options influxdb_opts;

/* write.c */
int influxdb_write_fn(wh_call *call, json_t *const *argv, size_t argc,
                      json_t **result);

#endif
