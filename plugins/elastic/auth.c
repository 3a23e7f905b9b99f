/* Elasticsearch credentials (vendors.md §5), first match wins: an API
 * key, a service token, a user name with its password. */
#include "config.h"

#include "elastic.h"

#include <string.h>

static int add(vh_call *c, struct curl_slist **h, vh_buf *value) {
  bool ok = !value->failed && vh_header(h, "Authorization", value->p);
  vh_buf_free(value);
  return ok ? 0 : vh_error(c, "out of memory");
}

int elastic_auth(vh_call *c, const char *username, const char *password,
                 const char *api_key, const char *service_token,
                 struct curl_slist **headers) {
  vh_secret(c, password, strlen(password));
  vh_secret(c, api_key, strlen(api_key));
  vh_secret(c, service_token, strlen(service_token));
  vh_buf v = {0};
  if (*api_key) {
    /* "id:api_key" is the pair Elasticsearch returns; sent encoded. */
    vh_buf_str(&v, "ApiKey ");
    if (strchr(api_key, ':'))
      vh_base64(&v, api_key, strlen(api_key));
    else
      vh_buf_str(&v, api_key);
    return add(c, headers, &v);
  }
  if (*service_token) {
    vh_buf_printf(&v, "Bearer %s", service_token);
    return add(c, headers, &v);
  }
  if (*username) {
    vh_buf pair = {0};
    vh_buf_printf(&pair, "%s:%s", username, password);
    vh_secret(c, vh_buf_cstr(&pair), pair.len);
    vh_buf_str(&v, "Basic ");
    vh_base64(&v, vh_buf_cstr(&pair), pair.len);
    if (pair.failed)
      v.failed = true;
    vh_buf_free(&pair);
    return add(c, headers, &v);
  }
  return 0;
}
