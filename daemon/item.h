/* Builds items (item-model.md): the top-level fields around the request
 * and response objects the dissectors made. */
#ifndef WH_ITEM_H
#define WH_ITEM_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "capture/packet.h"

typedef struct json_t json_t;
typedef struct resolver resolver;

typedef struct item_ctx {
  const char *node_name, *node_ip, *worker;
  resolver *names;    /* may be NULL */
  const wh_addr *own; /* the capturing host's addresses */
  size_t n_own;
} item_ctx;

typedef enum item_proto { ITEM_HTTP10, ITEM_HTTP11, ITEM_DNS } item_proto;

typedef struct item_parts {
  item_proto proto;
  bool tcp;        /* layer 4 (DNS over TCP) */
  uint64_t stream; /* flow id */
  uint64_t index;  /* ordinal within the stream */
  const wh_addr *client, *server;
  uint16_t client_port, server_port;
  struct timespec req_ts, resp_ts; /* resp_ts zero when unanswered */
  json_t *request, *response;      /* stolen */
  uint64_t request_size, response_size;
  const char *error_type, *error_msg; /* NULL when answered */
} item_parts;

/* Returns a new item; request and response are taken over. */
json_t *item_build(const item_ctx *ctx, item_parts *p);

/* "2023-11-14T22:13:20.123456789Z" (Go RFC3339Nano) into buf (>= 40). */
void item_time_text(const struct timespec *ts, char *buf, size_t cap);

#endif
