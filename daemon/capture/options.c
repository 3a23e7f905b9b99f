#include "config.h"

#include "capture/options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"

/* A whole number followed by one of the suffixes, each with its factor. */
static int parse_scaled(const char *s, const char *const *units,
                        const uint64_t *factors, uint64_t *out) {
  if (!s || *s < '0' || *s > '9')
    return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno)
    return -1;
  for (size_t i = 0; units[i]; i++) {
    if (strcmp(end, units[i]) == 0) {
      if (factors[i] && v > UINT64_MAX / factors[i])
        return -1;
      *out = (uint64_t)v * factors[i];
      return 0;
    }
  }
  return -1;
}

int parse_size(const char *s, uint64_t *out) {
  static const char *const units[] = {"",    "K",   "M",   "G", "k",
                                      "KiB", "MiB", "GiB", NULL};
  static const uint64_t f[] = {1,       1 << 10, 1 << 20, 1 << 30,
                               1 << 10, 1 << 10, 1 << 20, 1 << 30};
  return parse_scaled(s, units, f, out);
}

int parse_duration_ms(const char *s, uint64_t *out) {
  static const char *const units[] = {"", "ms", "s", "m", "h", NULL};
  static const uint64_t f[] = {1000, 1, 1000, 60000, 3600000};
  return parse_scaled(s, units, f, out);
}

static int parse_bool_value(const char *s, bool *out) {
  static const char *const yes[] = {"true", "yes", "on", "1"};
  static const char *const no[] = {"false", "no", "off", "0"};
  for (size_t i = 0; i < 4; i++) {
    if (strcmp(s, yes[i]) == 0) {
      *out = true;
      return 0;
    }
    if (strcmp(s, no[i]) == 0) {
      *out = false;
      return 0;
    }
  }
  return -1;
}

enum kind { K_STR, K_BOOL, K_SIZE, K_MS, K_COUNT };

typedef struct key_spec {
  const char *name;
  enum kind kind;
  uint64_t min, max;
  size_t offset, width; /* field in capture_opts */
} key_spec;

#define F(field)                                                               \
  offsetof(capture_opts, field), sizeof(((capture_opts *)0)->field)
static const key_spec keys[] = {
    {"interface", K_STR, 0, 0, F(interface)},
    {"filter", K_STR, 0, 0, F(filter)},
    {"snaplen", K_SIZE, 64, 262144, F(snaplen)},
    {"promiscuous", K_BOOL, 0, 0, F(promiscuous)},
    {"buffer_size", K_SIZE, 65536, 1u << 30, F(buffer_size)},
    {"immediate", K_BOOL, 0, 0, F(immediate)},
    {"max_body", K_SIZE, 0, 64u << 20, F(max_body)},
    {"stats_interval", K_MS, 0, 86400000, F(stats_interval_s)},
    {"queue_size", K_COUNT, 1, 1u << 20, F(queue_size)},
    {"max_flows", K_COUNT, 1, 1u << 24, F(max_flows)},
    {"max_flow_bytes", K_SIZE, 0, 1u << 30, F(max_flow_bytes)},
    {"max_total_bytes", K_SIZE, 0, UINT64_C(1) << 40, F(max_total_bytes)},
    {"flow_timeout", K_MS, 1000, 86400000, F(flow_timeout_ms)},
    {"http_timeout", K_MS, 100, 86400000, F(http_timeout_ms)},
    {"dns_timeout", K_MS, 100, 86400000, F(dns_timeout_ms)},
    {"dns_port", K_COUNT, 1, 65535, F(dns_port)},
    {"fragment_timeout", K_MS, 100, 3600000, F(fragment_timeout_ms)},
    {"max_fragments", K_COUNT, 1, 1u << 20, F(max_fragments)},
};
#undef F

static void defaults(capture_opts *o) {
  memset(o, 0, sizeof(*o));
  o->snaplen = 262144;
  o->buffer_size = 4u << 20;
  o->immediate = true;
  o->max_body = 65536;
  o->stats_interval_s = 10;
  o->queue_size = 4096;
  o->max_flows = 65536;
  o->max_flow_bytes = 4u << 20;
  o->max_total_bytes = 256u << 20;
  o->flow_timeout_ms = 300000;
  o->http_timeout_ms = 30000;
  o->dns_timeout_ms = 5000;
  o->dns_port = 53;
  o->fragment_timeout_ms = 30000;
  o->max_fragments = 1024;
}

static void store(void *field, size_t width, uint64_t v) {
  if (width == 8) {
    uint64_t x = v;
    memcpy(field, &x, 8);
  } else if (width == 4) {
    uint32_t x = (uint32_t)v;
    memcpy(field, &x, 4);
  } else if (width == 2) {
    uint16_t x = (uint16_t)v;
    memcpy(field, &x, 2);
  }
}

static const char *const kind_hint[] = {
    "", "a boolean (true or false)", "a size (e.g. 65536, 64K, 4M)",
    "a duration (e.g. 500ms, 30s, 5m)", "a whole number"};

static int set_key(capture_opts *o, const key_spec *k, const cfg_kv *kv,
                   char *err, size_t errcap) {
  char *field = (char *)o + k->offset;
  uint64_t v = 0;
  int rc = 0;
  switch (k->kind) {
  case K_STR: {
    const char *str = kv->value;
    memcpy(field, &str, sizeof(str));
    return 0;
  }
  case K_BOOL: {
    bool b;
    rc = parse_bool_value(kv->value, &b);
    if (rc == 0)
      memcpy(field, &b, sizeof(b));
    break;
  }
  case K_SIZE:
  case K_COUNT:
    rc = parse_size(kv->value, &v);
    break;
  case K_MS:
    rc = parse_duration_ms(kv->value, &v);
    break;
  }
  if (k->kind == K_BOOL && rc == 0)
    return 0;
  if (rc == 0 && (v < k->min || v > k->max))
    rc = -1;
  if (rc < 0) {
    snprintf(err, errcap,
             "%s:%d: [capture] %s: \"%.60s\" is not %s in %llu..%llu", kv->file,
             kv->line, k->name, kv->value, kind_hint[k->kind],
             (unsigned long long)k->min, (unsigned long long)k->max);
    return -1;
  }
  if (strcmp(k->name, "stats_interval") == 0)
    v /= 1000; /* kept in seconds */
  store(field, k->width, v);
  return 0;
}

int capture_opts_load(capture_opts *o, const wh_config *cfg, char *err,
                      size_t errcap) {
  defaults(o);
  for (size_t i = 0; cfg && i < cfg->capture.n; i++) {
    const cfg_kv *kv = &cfg->capture.items[i];
    for (size_t k = 0; k < sizeof(keys) / sizeof(*keys); k++)
      if (strcmp(keys[k].name, kv->key) == 0 &&
          set_key(o, &keys[k], kv, err, errcap) < 0)
        return -1;
  }
  return 0;
}
