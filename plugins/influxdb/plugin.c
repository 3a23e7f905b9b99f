/* The `influxdb` plugin: registers vendor.influxdb and reads the HTTP
 * options of [plugin.influxdb]. */
#include "config.h"

#include "influxdb.h"

const wh_api *influxdb_api;
wh_plugin *influxdb_self;
vh_options influxdb_opts;

static const wh_fn_spec fns[] = {
    {"vendor.influxdb",
     "url:s token:s organization:s bucket:s measurement:s data:j tags:J",
     influxdb_write_fn, NULL,
     "writes one point (data flattened into fields) to an InfluxDB v2 bucket"},
};

static const wh_config_key keys[] = {VH_CONFIG_KEYS, {NULL, NULL, NULL}};

static int init(wh_plugin *plugin, const wh_api *api) {
  influxdb_api = api;
  influxdb_self = plugin;
  return vh_plugin_init(api, plugin, "influxdb", &influxdb_opts, fns,
                        sizeof fns / sizeof fns[0]);
}

WH_EXPORT const wh_plugin_info wirehook_plugin_info = {
    .abi_major = WH_ABI_MAJOR,
    .abi_minor = WH_ABI_MINOR,
    .name = "influxdb",
    .version = PACKAGE_VERSION,
    .description = "vendor.influxdb: points to the InfluxDB v2 write API",
    .config_keys = keys,
    .init = init,
    .fini = vh_plugin_fini,
};
