/* [capture] options, parsed from the raw keys the configuration keeps. */
#ifndef WH_CAPTURE_OPTIONS_H
#define WH_CAPTURE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wh_config wh_config;

typedef struct capture_opts {
  const char *interface;     /* borrowed from the config; NULL: none */
  const char *filter;        /* BPF; NULL: everything */
  uint32_t snaplen;          /* default 262144 */
  bool promiscuous;          /* default false */
  uint32_t buffer_size;      /* kernel buffer, bytes (default 4 MiB) */
  bool immediate;            /* default true */
  size_t max_body;           /* default 65536 */
  uint32_t stats_interval_s; /* default 10; 0: no stats line */
  uint32_t queue_size; /* items between capture and scripts (default 4096) */
  uint32_t max_flows;
  uint32_t max_flow_bytes;
  uint64_t max_total_bytes;
  uint32_t flow_timeout_ms;     /* TCP idle */
  uint32_t http_timeout_ms;     /* default 30000 */
  uint32_t dns_timeout_ms;      /* default 5000 */
  uint16_t dns_port;            /* default 53 */
  uint32_t fragment_timeout_ms; /* default 30000 */
  uint32_t max_fragments;       /* default 1024 */
} capture_opts;

/* Fills o from cfg->capture; returns -1 with a one-line error naming file,
 * line and key for a bad value. */
int capture_opts_load(capture_opts *o, const wh_config *cfg, char *err,
                      size_t errcap);

/* "64K" / "1M" / "2G" / "123" (bytes) */
int parse_size(const char *s, uint64_t *out);
/* "500ms" / "30s" / "5m" / "2h" / "30" (seconds) */
int parse_duration_ms(const char *s, uint64_t *out);

#endif
