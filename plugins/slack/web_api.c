/* One call of the Slack Web API: the bearer token, retries on 429 and
 * 5xx gateways, and Slack's own error answers ({"ok":false,"error":…}),
 * which come with status 200. */
#include "config.h"

#include "slack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "<method> failed: <error>[ (needed: …; provided: …)]" */
static int fail_ok_false(vh_call *c, const char *method, const json_t *reply) {
  const char *err = json_string_value(json_object_get(reply, "error"));
  const char *needed = json_string_value(json_object_get(reply, "needed"));
  const char *provided = json_string_value(json_object_get(reply, "provided"));
  const char *code = err ? err : "ok is not true";
  vh_buf m = {0};
  vh_excerpt(&m, code, strlen(code), 200);
  if (needed || provided) {
    vh_buf_str(&m, " (");
    if (needed) {
      vh_buf_str(&m, "needed: ");
      vh_excerpt(&m, needed, strlen(needed), 100);
    }
    if (provided) {
      vh_buf_str(&m, needed ? "; provided: " : "provided: ");
      vh_excerpt(&m, provided, strlen(provided), 200);
    }
    vh_buf_str(&m, ")");
  }
  int rc = vh_error(c, "%s failed: %s", method, vh_buf_cstr(&m));
  vh_buf_free(&m);
  return rc;
}

static int fail_rate_limited(vh_call *c, const char *method,
                             const vh_response *rs) {
  char after[48] = "";
  if (rs->retry_after >= 0)
    snprintf(after, sizeof after, " (retry after %ld s)", rs->retry_after);
  char tries[32] = "";
  if (rs->attempts > 1)
    snprintf(tries, sizeof tries, " after %u attempts", rs->attempts);
  return vh_error(c, "%s failed: rate_limited%s%s", method, after, tries);
}

int slack_call(vh_call *c, const char *token, const char *method,
               const char *content_type, const char *body, size_t len,
               json_t **reply) {
  *reply = NULL;
  vh_buf url = {0}, auth = {0};
  vh_buf_printf(&url, "%s%s", slack_api_base, method);
  vh_buf_printf(&auth, "Bearer %s", token);
  struct curl_slist *h = NULL;
  if (url.failed || auth.failed || !vh_header(&h, "Authorization", auth.p) ||
      !vh_header(&h, "Content-Type", content_type)) {
    curl_slist_free_all(h);
    vh_buf_free(&url);
    vh_buf_free(&auth);
    return vh_error(c, "out of memory");
  }
  vh_request rq = {.method = "POST",
                   .url = url.p,
                   .step = method,
                   .headers = h,
                   .body = body,
                   .body_len = len,
                   .has_body = true,
                   .body_fd = -1,
                   .retry = true};
  vh_response rs;
  int rc = vh_perform(c, &rq, &rs);
  if (rc == 0 && rs.status == 429)
    rc = fail_rate_limited(c, method, &rs);
  else if (rc == 0 && (rs.status < 200 || rs.status > 299))
    rc = vh_fail_status(c, &rq, &rs, NULL);
  if (rc == 0) {
    json_t *j = vh_reply_json(&rs);
    if (!json_is_object(j))
      rc = vh_error(c, "%s failed: the answer is not a JSON object", method);
    else if (!json_is_true(json_object_get(j, "ok")))
      rc = fail_ok_false(c, method, j);
    if (rc == 0)
      *reply = json_incref(j);
    json_decref(j);
  }
  vh_response_free(&rs);
  curl_slist_free_all(h);
  vh_buf_free(&url);
  vh_buf_free(&auth);
  return rc;
}
