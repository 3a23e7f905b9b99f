/* vendor.elastic(url, index, data, username?, password?, cloudID?, apiKey?,
 * serviceToken?, certificateFingerprint?) (vendors.md §5): one document,
 * PUT under an id made here, so that a retry cannot index it twice. */
#include "config.h"

#include "elastic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

typedef struct doc {
  const char *url, *index, *user, *password, *cloud_id, *api_key, *token,
      *fingerprint;
  const json_t *data;
  char id[37];
} doc;

/* A random (version 4) UUID, lower-case hex. */
static int make_id(char out[37]) {
  unsigned char b[16];
  if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
    return -1;
  b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
  b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
  snprintf(out, 37,
           "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x"
           "%02x",
           b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
           b[11], b[12], b[13], b[14], b[15]);
  return 0;
}

static const char *opt(const json_t *v) {
  return json_is_string(v) ? json_string_value(v) : "";
}

static int read_args(vh_call *c, json_t *const *argv, doc *d) {
  *d = (doc){.url = opt(argv[0]),
             .index = opt(argv[1]),
             .data = argv[2],
             .user = opt(argv[3]),
             .password = opt(argv[4]),
             .cloud_id = opt(argv[5]),
             .api_key = opt(argv[6]),
             .token = opt(argv[7]),
             .fingerprint = opt(argv[8])};
  for (int i = 0; i < 9; i++)
    if (json_is_string(argv[i]) &&
        strlen(json_string_value(argv[i])) != json_string_length(argv[i]))
      return vh_type_error(c, "an argument holds a NUL byte");
  if (!*d->index)
    return vh_type_error(c, "index must not be empty");
  if (!json_is_object(d->data))
    return vh_type_error(c, json_is_array(d->data)
                                ? "data must be an object, not an array"
                                : "data must be an object");
  return make_id(d->id) < 0 ? vh_error(c, "no random bytes for an id") : 0;
}

/* {base}/{index}/_doc/{id}?op_type=create */
static void doc_url(vh_buf *u, const vh_buf *base, const doc *d) {
  vh_buf_add(u, base->p, base->len);
  vh_buf_add(u, "/", 1);
  vh_url_encode(u, d->index, strlen(d->index));
  vh_buf_printf(u, "/_doc/%s?op_type=create", d->id);
}

/* "<error.type>: <error.reason>", a string error, or NULL. */
static char *error_text(const vh_response *rs) {
  json_t *j = vh_reply_json(rs), *e = json_object_get(j, "error");
  vh_buf b = {0};
  const char *type = json_string_value(json_object_get(e, "type"));
  const char *reason = json_string_value(json_object_get(e, "reason"));
  if (type || reason)
    vh_buf_printf(&b, "%s%s%s", type ? type : "", type && reason ? ": " : "",
                  reason ? reason : "");
  else if (json_is_string(e))
    vh_buf_str(&b, json_string_value(e));
  json_decref(j);
  return b.failed ? (vh_buf_free(&b), NULL) : b.p;
}

/* The document's _id from a 200/201 answer, else the one sent. */
static json_t *result_id(const vh_response *rs, const doc *d) {
  json_t *j = vh_reply_json(rs);
  const char *id = json_string_value(json_object_get(j, "_id"));
  json_t *r = json_string(id ? id : d->id);
  json_decref(j);
  return r;
}

static int put_doc(vh_call *c, const doc *d, const char *url,
                   struct curl_slist *h, elastic_pin *pin, json_t **result) {
  vh_buf body = {0};
  vh_json_stringify(&body, d->data);
  if (body.failed)
    return vh_error(c, "out of memory");
  vh_request rq = {.method = "PUT",
                   .url = url,
                   .headers = h,
                   .body = body.p,
                   .body_len = body.len,
                   .has_body = true,
                   .body_fd = -1,
                   .retry = true};
  if (pin) {
    rq.ssl_ctx_fn = elastic_pin_ssl_ctx;
    rq.ssl_ctx_data = pin;
    rq.pinned = true;
    rq.tls_refusal = &pin->refusal;
  }
  vh_response rs;
  int rc = vh_perform(c, &rq, &rs);
  /* 409 after a retry: the first attempt did index it. */
  bool ok = rc == 0 && (rs.status == 200 || rs.status == 201 ||
                        (rs.status == 409 && rs.attempts > 1));
  if (ok) {
    *result = rs.status == 409 ? json_string(d->id) : result_id(&rs, d);
    elastic_api->console(c->call, 0,
                         "Indexed document %s into Elasticsearch index: %s",
                         json_string_value(*result), d->index);
  } else if (rc == 0) {
    char *text = error_text(&rs);
    rc = vh_fail_status(c, &rq, &rs, text);
    free(text);
  }
  vh_response_free(&rs);
  vh_buf_free(&body);
  return rc;
}

/* The pin from certificateFingerprint, or NULL when none is given. */
static int read_pin(vh_call *c, const doc *d, const vh_buf *base,
                    elastic_pin *pin, elastic_pin **out) {
  *out = NULL;
  if (!*d->fingerprint)
    return 0;
  if (elastic_pin_parse(d->fingerprint, pin) < 0)
    return vh_type_error(c, "certificateFingerprint must be 64 hex digits "
                            "(SHA-256), colons allowed");
  vh_url u;
  if (vh_url_parse(base->p, &u) < 0 || !u.https)
    return vh_type_error(c, "certificateFingerprint needs an https:// URL");
  if (!elastic_pin_supported())
    return vh_error(c, "certificateFingerprint needs libcurl with OpenSSL");
  *out = pin;
  return 0;
}

int elastic_index_fn(wh_call *call, json_t *const *argv, size_t argc,
                     json_t **result) {
  (void)argc;
  vh_call c;
  vh_call_init(&c, elastic_api, elastic_self, call, &elastic_opts);
  doc d;
  vh_buf base = {0}, url = {0};
  struct curl_slist *h = NULL;
  elastic_pin pin, *pinp = NULL;
  int rc = read_args(&c, argv, &d);
  if (rc == 0)
    rc = elastic_auth(&c, d.user, d.password, d.api_key, d.token, &h);
  if (rc == 0)
    rc = elastic_base(&c, d.url, d.cloud_id, &base);
  if (rc == 0)
    rc = read_pin(&c, &d, &base, &pin, &pinp);
  if (rc == 0) {
    doc_url(&url, &base, &d);
    if (url.failed || !vh_header(&h, "Content-Type", "application/json"))
      rc = vh_error(&c, "out of memory");
  }
  if (rc == 0)
    rc = put_doc(&c, &d, url.p, h, pinp, result);
  curl_slist_free_all(h);
  vh_buf_free(&base);
  vh_buf_free(&url);
  vh_call_done(&c);
  return rc;
}
