/* The `elastic` plugin: vendor.elastic (vendors.md §5). */
#ifndef ELASTIC_H
#define ELASTIC_H

#include "vendor_http.h"

extern const wh_api *elastic_api;
extern wh_plugin *elastic_self;
extern vh_options elastic_opts;

/* --- endpoint.c --- */
/* The base URL (no trailing '/') from url, else from a Cloud ID.
 * Returns 0 or WH_ERR_THROWN (TypeError for a missing endpoint or a bad
 * Cloud ID). */
int elastic_base(vh_call *c, const char *url, const char *cloud_id,
                 vh_buf *out);
/* Decodes a Cloud ID into "https://<es_uuid>.<host>[:port]".  Returns 0
 * or -1 (bad base64, fewer than two parts, unusable characters). */
int elastic_cloud_base(const char *cloud_id, vh_buf *out);

/* --- auth.c --- */
/* Appends the Authorization header the arguments call for (ApiKey, then
 * Bearer service token, then Basic), and registers every credential as
 * a secret.  Empty strings count as not given.  Returns 0 or
 * WH_ERR_THROWN. */
int elastic_auth(vh_call *c, const char *username, const char *password,
                 const char *api_key, const char *service_token,
                 struct curl_slist **headers);

/* --- pin.c --- */
typedef struct elastic_pin {
  unsigned char sha256[32];
  const char *refusal; /* set when a handshake was refused */
} elastic_pin;

/* Parses 64 hex digits, any case, colons anywhere.  Returns 0 or -1. */
int elastic_pin_parse(const char *text, elastic_pin *pin);
/* The SSL context callback that replaces CA and host name checks by the
 * pin (data: the elastic_pin). */
CURLcode elastic_pin_ssl_ctx(CURL *curl, void *ssl_ctx, void *data);
/* True when libcurl's TLS library is OpenSSL, which the callback needs. */
bool elastic_pin_supported(void);

/* --- index.c --- */
int elastic_index_fn(wh_call *call, json_t *const *argv, size_t argc,
                     json_t **result);

#endif
