/* vendor.slack (an incoming webhook, vendors.md §2) and vendor.slackBot
 * (the Web API with files, §3). */
#include "config.h"

#include "slack.h"

#include <string.h>

static int post_webhook(vh_call *c, const char *url, const vh_buf *body) {
  struct curl_slist *h = NULL;
  if (!vh_header(&h, "Content-Type", "application/json"))
    return vh_error(c, "out of memory");
  vh_request rq = {.method = "POST",
                   .url = url,
                   .headers = h,
                   .body = body->p,
                   .body_len = body->len,
                   .has_body = true,
                   .body_fd = -1,
                   .retry = true};
  int rc = vh_perform_2xx(c, &rq);
  curl_slist_free_all(h);
  return rc;
}

/* The message as JSON text in out; 0 or WH_ERR_THROWN. */
static int message_text(vh_call *c, const char *channel, json_t *const *argv,
                        const json_t *fields, vh_buf *out) {
  json_t *msg = slack_message(channel, json_string_value(argv[2]),
                              json_string_value(argv[0]),
                              json_string_value(argv[1]), fields);
  if (msg)
    vh_json_stringify(out, msg);
  json_decref(msg);
  return msg && !out->failed ? 0 : vh_error(c, "out of memory");
}

/* vendor.slack(webhookUrl, pretext, text, color) */
int slack_webhook_fn(wh_call *call, json_t *const *argv, size_t argc,
                     json_t **result) {
  (void)argc;
  (void)result;
  vh_call c;
  vh_call_init(&c, slack_api, slack_self, call, &slack_opts);
  const char *url = json_string_value(argv[0]);
  vh_url u;
  vh_secret_url(&c, url);
  vh_buf body = {0};
  int rc =
      vh_url_parse(url, &u) < 0
          ? vh_type_error(&c, "webhookUrl must be an http:// or https:// URL")
          : message_text(&c, NULL, argv + 1, NULL, &body);
  if (rc == 0)
    rc = post_webhook(&c, url, &body);
  vh_buf_free(&body);
  vh_call_done(&c);
  return rc;
}

/* Step 2: chat.postMessage; *ts is the message's ts (a new reference). */
static int post_message(vh_call *c, const char *token, const char *channel,
                        json_t *const *argv, const json_t *fields,
                        json_t **ts) {
  vh_buf body = {0};
  int rc = message_text(c, channel, argv, fields, &body);
  json_t *reply = NULL;
  if (rc == 0)
    rc =
        slack_call(c, token, "chat.postMessage",
                   "application/json; charset=utf-8", body.p, body.len, &reply);
  vh_buf_free(&body);
  if (rc)
    return rc;
  json_t *t = json_object_get(reply, "ts");
  const char *where = json_string_value(json_object_get(reply, "channel"));
  if (!json_is_string(t)) {
    json_decref(reply);
    return vh_error(c, "chat.postMessage failed: the answer has no ts");
  }
  slack_api->console(c->call, 0, "Message sent to Slack channel: %s",
                     where ? where : channel);
  *ts = json_incref(t);
  json_decref(reply);
  return 0;
}

/* vendor.slackBot(token, channelID, pretext, text, color, fields?, files?) */
int slack_bot_fn(wh_call *call, json_t *const *argv, size_t argc,
                 json_t **result) {
  (void)argc;
  vh_call c;
  vh_call_init(&c, slack_api, slack_self, call, &slack_opts);
  const char *token = json_string_value(argv[0]);
  const char *channel = json_string_value(argv[1]);
  vh_secret(&c, token, json_string_length(argv[0]));
  slack_files files = {0};
  int rc = 0;
  if (!json_is_null(argv[5]) && !json_is_object(argv[5]))
    rc = vh_type_error(&c, "fields must be an object");
  if (rc == 0)
    rc = slack_files_open(&c, argv[6], &files);
  if (rc == 0)
    rc = slack_files_upload(&c, token, &files);
  json_t *ts = NULL;
  if (rc == 0)
    rc = post_message(&c, token, channel, argv + 2, argv[5], &ts);
  if (rc == 0)
    rc = slack_files_share(&c, token, channel, &files);
  if (rc == 0)
    *result = json_incref(ts);
  json_decref(ts);
  slack_files_close(&files);
  vh_call_done(&c);
  return rc;
}
