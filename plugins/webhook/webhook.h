/* The `webhook` plugin: vendor.webhook (vendors.md §1). */
#ifndef WEBHOOK_H
#define WEBHOOK_H

#include "vendor_http.h"

/* The host's table, this plugin and its options; set by init. */
extern const wh_api *webhook_api;
extern wh_plugin *webhook_self;
extern vh_options webhook_opts;

/* One header of the script's `headers` argument. */
typedef enum hdr_kind { HDR_OTHER, HDR_CREDENTIAL, HDR_CONTENT_TYPE } hdr_kind;
typedef struct hdr {
  char *line; /* "Name: value" or "Name;" */
  hdr_kind kind;
} hdr;

typedef struct hdr_list {
  hdr *items;
  size_t n;
} hdr_list;

/* --- headers.c --- */
/* Checks the `headers` argument (an object, or null) and collects it;
 * values of headers that may carry secrets are registered with c.
 * Returns 0 or WH_ERR_THROWN. */
int webhook_headers(vh_call *c, const json_t *arg, hdr_list *out);
/* The lines to send, leaving out credentials and/or the content type.
 * Returns 0, or -1 when memory runs out. */
int webhook_header_lines(const hdr_list *l, bool credentials, bool ctype,
                         struct curl_slist **out);
void webhook_headers_free(hdr_list *l);
/* True when s is an HTTP token (RFC 9110 §5.6.2). */
bool webhook_is_token(const char *s, size_t n);

/* --- webhook.c --- */
int webhook_fn(wh_call *call, json_t *const *argv, size_t argc,
               json_t **result);

#endif
