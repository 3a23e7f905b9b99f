/* vendor.influxdb(url, token, organization, bucket, measurement, data,
 * tags?) (vendors.md §4): one point to the v2 write API. */
#include "config.h"

#include "influxdb.h"

#include <string.h>
#include <time.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* {url}/api/v2/write?org=…&bucket=…&precision=ns, one trailing '/' of
 * url dropped. */
static void write_url(vh_buf *u, const json_t *url, const json_t *org,
                      const json_t *bucket) {
  size_t n = json_string_length(url);
  const char *s = json_string_value(url);
  if (n && s[n - 1] == '/')
    n--;
  vh_buf_add(u, s, n);
  vh_buf_str(u, "/api/v2/write?org=");
  vh_url_encode(u, json_string_value(org), json_string_length(org));
  vh_buf_str(u, "&bucket=");
  vh_url_encode(u, json_string_value(bucket), json_string_length(bucket));
  vh_buf_str(u, "&precision=ns");
}

/* The error text of a failed write: InfluxDB's JSON message, else the
 * body. */
static int fail(vh_call *c, const vh_request *rq, const vh_response *rs) {
  json_t *j = vh_reply_json(rs);
  const char *msg = json_string_value(json_object_get(j, "message"));
  int rc = vh_fail_status(c, rq, rs, msg && *msg ? msg : NULL);
  json_decref(j);
  return rc;
}

static int send_point(vh_call *c, const char *url, const char *token,
                      const vh_buf *line) {
  vh_buf auth = {0};
  vh_buf_printf(&auth, "Token %s", token);
  struct curl_slist *h = NULL;
  int rc = 0;
  if (auth.failed || !vh_header(&h, "Authorization", auth.p) ||
      !vh_header(&h, "Content-Type", "text/plain; charset=utf-8") ||
      !vh_header(&h, "Accept", "application/json"))
    rc = vh_error(c, "out of memory");
  vh_request rq = {.method = "POST",
                   .url = url,
                   .headers = h,
                   .body = line->p,
                   .body_len = line->len,
                   .has_body = true,
                   .body_fd = -1,
                   .retry = true};
  vh_response rs = {0};
  if (rc == 0)
    rc = vh_perform(c, &rq, &rs);
  if (rc == 0 && (rs.status < 200 || rs.status > 299))
    rc = fail(c, &rq, &rs);
  vh_response_free(&rs);
  curl_slist_free_all(h);
  vh_buf_free(&auth);
  return rc;
}

static int check_args(vh_call *c, json_t *const *argv) {
  vh_url u;
  const char *url = json_string_value(argv[0]);
  if (strlen(url) != json_string_length(argv[0]) || vh_url_parse(url, &u) < 0)
    return vh_type_error(c, "url must be an http:// or https:// URL");
  if (json_string_length(argv[4]) == 0)
    return vh_type_error(c, "measurement must not be empty");
  if (!json_is_object(argv[5]))
    return vh_type_error(c, "data must be an object");
  if (!json_is_null(argv[6]) && !json_is_object(argv[6]))
    return vh_type_error(c, "tags must be an object");
  return 0;
}

int influxdb_write_fn(wh_call *call, json_t *const *argv, size_t argc,
                      json_t **result) {
  (void)argc;
  (void)result;
  vh_call c;
  vh_call_init(&c, influxdb_api, influxdb_self, call, &influxdb_opts);
  vh_secret(&c, json_string_value(argv[1]), json_string_length(argv[1]));
  vh_buf line = {0}, url = {0};
  int rc = check_args(&c, argv);
  if (rc == 0) {
    lp_status st =
        lp_point(&line, json_string_value(argv[4]), json_string_length(argv[4]),
                 argv[5], json_is_object(argv[6]) ? argv[6] : NULL, now_ns());
    write_url(&url, argv[0], argv[2], argv[3]);
    if (st == LP_NO_FIELDS)
      rc = vh_error(&c, "no field values");
    else if (st != LP_OK || url.failed)
      rc = vh_error(&c, "out of memory");
  }
  if (rc == 0)
    rc = send_point(&c, url.p, json_string_value(argv[1]), &line);
  if (rc == 0)
    influxdb_api->console(call, 0, "Wrote 1 point to InfluxDB bucket: %s",
                          json_string_value(argv[3]));
  vh_buf_free(&line);
  vh_buf_free(&url);
  vh_call_done(&c);
  return rc;
}
