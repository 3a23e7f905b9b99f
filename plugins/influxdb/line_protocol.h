/* InfluxDB line protocol for vendor.influxdb (vendors.md §4): one point
 * from a measurement, a data object (flattened into fields) and tags. */
#ifndef INFLUX_LINE_PROTOCOL_H
#define INFLUX_LINE_PROTOCOL_H

#include "vendor_http.h"

typedef enum lp_status {
  LP_OK = 0,
  LP_NO_FIELDS, /* data holds no usable field value */
  LP_NO_MEMORY,
} lp_status;

/* Appends "<measurement>[,<tag>=<v>…] <field>=<v>[,…] <ns>\n" to out.
 * data is an object; tags an object or NULL.  Tags and fields are sorted
 * by key (byte order).  LF, CR and TAB become spaces.  Outside string
 * field values a backslash that ends a name or value, or stands before
 * ',', '=', ' ' or '"', becomes a space too: InfluxDB's parser reads it
 * as an escape and line protocol has no way to carry it. */
lp_status lp_point(vh_buf *out, const char *measurement, size_t mlen,
                   const json_t *data, const json_t *tags, long long ns);

#endif
