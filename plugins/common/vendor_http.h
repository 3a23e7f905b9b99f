/* The HTTP layer shared by the curl-based plugins (webhook, slack,
 * influxdb, elastic): options, one request with timeouts and retries,
 * the one error style, and the small text tools those plugins need.
 *
 * A static convenience library linked into each plugin; it is not part
 * of the core and talks to the host only through the wh_api table it is
 * given.  Everything runs on the script thread, one call at a time.
 *
 * Secrets: the layer never logs a URL path, a query, a header or a body.
 * Each call registers its secret argument values (vh_secret); every
 * error message is scrubbed of them and of their base64 forms before
 * it is thrown. */
#ifndef VENDOR_HTTP_H
#define VENDOR_HTTP_H

#include <wirehook/plugin.h>

#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* buf.c: a growable byte buffer, always NUL-terminated once used.     */

typedef struct vh_buf {
  char *p;
  size_t len, cap;
  bool failed; /* an allocation failed; the content is incomplete */
} vh_buf;

void vh_buf_add(vh_buf *b, const void *s, size_t n);
void vh_buf_str(vh_buf *b, const char *s);
void vh_buf_printf(vh_buf *b, const char *fmt, ...) WH_PRINTF(2, 3);
/* The content ("" when nothing was added); owned by b. */
const char *vh_buf_cstr(const vh_buf *b);
void vh_buf_free(vh_buf *b);

/* ------------------------------------------------------------------ */
/* options.c: the [plugin.NAME] keys every curl-based plugin takes.    */

typedef struct vh_options {
  long connect_timeout_ms; /* connect_timeout_ms, default 10000 */
  long
      timeout_ms; /* timeout_ms, default 30000: one request, retries included */
  const char *ca_file; /* ca_file, or NULL for the system's CAs */
  size_t max_response; /* max_response, default 8 MiB */
} vh_options;

/* Entries for a plugin's wh_config_key array (before its own keys). */
#define VH_CONFIG_KEYS                                                         \
  {"connect_timeout_ms", "10000",                                              \
   "time limit to connect, per HTTP request (ms)"},                            \
      {"timeout_ms", "30000",                                                  \
       "time limit of one HTTP request, retries included (ms)"},               \
      {"ca_file", NULL, "PEM file of trusted CAs (default: the system's)"}, {  \
    "max_response", "8M", "largest answer accepted (bytes; K, M suffixes)"     \
  }

/* Reads and checks the keys of [plugin.<name>]; logs one line naming the
 * bad key and returns -1 when a value is wrong.  Strings stay owned by
 * the host. */
int vh_options_load(const wh_api *api, const wh_plugin *plugin,
                    const char *name, vh_options *opt);

/* transfer.c: curl_global_init for a plugin's init (-1 after logging),
 * and its counterpart for fini. */
int vh_global_init(const wh_api *api, const wh_plugin *plugin);
void vh_global_cleanup(void);

/* options.c: the init of a vendor plugin: its [plugin.<name>] options
 * into *opt, curl, and its n functions.  On failure (-1) nothing is left
 * set up: the host calls no fini after a failed init. */
int vh_plugin_init(const wh_api *api, wh_plugin *plugin, const char *name,
                   vh_options *opt, const wh_fn_spec *fns, size_t n);
/* Its fini, for a plugin with nothing else to release. */
void vh_plugin_fini(wh_plugin *plugin);

/* ------------------------------------------------------------------ */
/* call.c: one helper call and its secrets.                           */

typedef struct vh_call {
  const wh_api *api;
  const wh_plugin *plugin;
  wh_call *call;
  const vh_options *opt;
  char **secrets; /* owned copies, longest first */
  size_t n_secrets, cap_secrets;
  bool secrets_lost; /* one could not be stored: errors quote nothing */
} vh_call;

void vh_call_init(vh_call *c, const wh_api *api, const wh_plugin *plugin,
                  wh_call *call, const vh_options *opt);
/* Registers a secret (and its base64 form): it never appears in an error
 * message.  Values shorter than 3 bytes are not worth scrubbing. */
void vh_secret(vh_call *c, const char *s, size_t n);
void vh_call_done(vh_call *c);

/* The helper's name ("vendor.slack"), for messages. */
const char *vh_name(const vh_call *c);

/* throw_type / throw_error with the message scrubbed of the secrets.
 * Return WH_ERR_THROWN. */
int vh_type_error(vh_call *c, const char *fmt, ...) WH_PRINTF(2, 3);
int vh_error(vh_call *c, const char *fmt, ...) WH_PRINTF(2, 3);

/* Replaces every registered secret in text by "***"; returns a new
 * string (NULL when memory runs out). */
char *vh_scrub(const vh_call *c, const char *text);

/* ------------------------------------------------------------------ */
/* request.c / transfer.c: one HTTP request.                           */

typedef struct vh_request {
  const char *method; /* sent as given */
  const char *url;    /* http:// or https:// (checked by the caller) */
  const char *step;   /* shown in errors ("chat.postMessage"), or NULL */
  const struct curl_slist *headers; /* borrowed; "Expect:" is added */
  const char *body; /* with has_body: body_len bytes sent as they are */
  size_t body_len;
  bool has_body;
  int body_fd; /* >= 0: the body is body_len bytes read from it (pread) */
  bool retry;  /* retry connection failures, 429 and 502/503/504 */
  /* TLS: called with the OpenSSL SSL_CTX before each handshake. */
  CURLcode (*ssl_ctx_fn)(CURL *curl, void *ssl_ctx, void *data);
  void *ssl_ctx_data;
  bool pinned; /* the ssl_ctx_fn replaces CA and host name checks */
  /* Set by ssl_ctx_fn's callbacks when they refuse a peer: the reason
   * shown instead of libcurl's. */
  const char *const *tls_refusal;
} vh_request;

typedef struct vh_response {
  long status;      /* the final answer's status */
  vh_buf body;      /* at most max_response bytes */
  char *location;   /* a 3xx answer's absolute target, or NULL */
  long retry_after; /* seconds of Retry-After, or -1 */
  unsigned attempts;
} vh_response;

/* Performs the request (retrying when rq->retry allows it, within
 * timeout_ms), logs one debug line per attempt, and fills rs.  Returns 0
 * when an answer of any status arrived, or WH_ERR_THROWN after throwing
 * the transport error (timeout, connection, TLS, oversized answer).
 * rs is to be freed with vh_response_free in both cases. */
int vh_perform(vh_call *c, const vh_request *rq, vh_response *rs);
void vh_response_free(vh_response *rs);

/* Throws "HTTP <status> from <host> (<METHOD>[ <step>][, N attempts]):
 * <detail>", detail being the answer's text when NULL; cut to 300 bytes
 * and scrubbed.  Returns WH_ERR_THROWN. */
int vh_fail_status(vh_call *c, const vh_request *rq, const vh_response *rs,
                   const char *detail);

/* vh_perform for a request whose answer only matters by its status:
 * anything but 2xx throws (vh_fail_status).  0 or WH_ERR_THROWN. */
int vh_perform_2xx(vh_call *c, const vh_request *rq);

/* The answer's body as a JSON value, or NULL when it is not JSON. */
json_t *vh_reply_json(const vh_response *rs);

/* Appends "name: value" to *list ("name;" for an empty value, which is
 * how libcurl sends an empty header), or name as a whole line when value
 * is NULL.  False when memory runs out. */
bool vh_header(struct curl_slist **list, const char *name, const char *value);

/* ------------------------------------------------------------------ */
/* url.c                                                               */

typedef struct vh_url {
  bool https;
  char host[300];     /* host[:port] as written (port only when given) */
  char hostport[300]; /* host:port, the port always */
} vh_url;

/* Parses an http:// or https:// URL.  Returns 0, or -1 for anything else
 * (other schemes, no host, bad syntax). */
int vh_url_parse(const char *url, vh_url *out);
/* Registers the secret parts of a URL with c: path, query, password,
 * and the whole URL. */
void vh_secret_url(vh_call *c, const char *url);
/* Appends s percent-encoded: RFC 3986 unreserved bytes kept, the rest
 * %XX (upper case). */
void vh_url_encode(vh_buf *b, const char *s, size_t n);

/* ------------------------------------------------------------------ */
/* text.c                                                              */

/* A JSON string of s, invalid UTF-8 replaced by U+FFFD (new reference,
 * NULL when memory runs out). */
json_t *vh_utf8_string(const char *s, size_t n);
/* Appends a value as JavaScript's ToString would write it (null as
 * "null", an array as its elements joined by ",", an object as
 * "[object Object]"). */
void vh_js_string(vh_buf *b, const json_t *v);
/* Appends a finite number as JavaScript writes it (shortest round-trip
 * digits; exponent form below 1e-6 and from 1e21). */
void vh_js_number(vh_buf *b, double d);
/* Appends a finite number in plain decimal: shortest round-trip digits,
 * never an exponent ("1e21" is "1000000000000000000000"), no ".0". */
void vh_plain_number(vh_buf *b, double d);
/* Appends v as JSON.stringify writes it (compact, numbers as JS writes
 * them, keys in their order). */
void vh_json_stringify(vh_buf *b, const json_t *v);
/* Copies at most max bytes of text into b, ending on a UTF-8 boundary,
 * control characters as spaces, runs of white space as one, trimmed;
 * "…" marks a cut. */
void vh_excerpt(vh_buf *b, const char *text, size_t len, size_t max);
/* The current time as RFC 3339 UTC to the second. */
void vh_rfc3339_now(char out[32]);

/* ------------------------------------------------------------------ */
/* base64.c (standard alphabet)                                        */

/* Appends the encoding of n bytes, with padding. */
void vh_base64(vh_buf *b, const void *p, size_t n);
/* Decodes; padding optional, no white space.  Returns 0 or -1. */
int vh_base64_decode(const char *s, size_t n, vh_buf *out);

#endif
