/* The attachment both Slack helpers send (vendors.md §2, §3). */
#include "config.h"

#include "slack.h"

#include <string.h>

static int field(json_t *list, const char *title, const char *value,
                 size_t len) {
  json_t *f = json_object();
  if (!f || json_object_set_new(f, "title", json_string(title)) ||
      json_object_set_new(f, "value", json_stringn(value, len)) ||
      json_object_set_new(f, "short", json_false()) ||
      json_array_append_new(list, f))
    return -1;
  return 0;
}

/* Fields of the script in key order, values via ToString, then the
 * Timestamp. */
static json_t *fields_of(const json_t *fields) {
  json_t *list = json_array();
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)fields, k, v) {
    vh_buf s = {0};
    vh_js_string(&s, v);
    int rc = s.failed ? -1 : field(list, k, vh_buf_cstr(&s), s.len);
    vh_buf_free(&s);
    if (rc < 0)
      goto fail;
  }
  char now[32];
  vh_rfc3339_now(now);
  if (field(list, "Timestamp", now, strlen(now)) < 0)
    goto fail;
  return list;
fail:
  json_decref(list);
  return NULL;
}

static int set_text(json_t *o, const char *key, const char *value) {
  return *value ? json_object_set_new(o, key, json_string(value)) : 0;
}

/* jansson's *_new setters take their value even when they fail, and
 * refuse a NULL one, so each step below either owns or frees. */
static json_t *attachment(const char *color, const char *pretext,
                          const char *text, const json_t *fields) {
  json_t *att = json_object();
  if (!att || set_text(att, "color", color) ||
      set_text(att, "pretext", pretext) || set_text(att, "text", text) ||
      json_object_set_new(att, "fields", fields_of(fields))) {
    json_decref(att);
    return NULL;
  }
  return att;
}

json_t *slack_message(const char *channel, const char *color,
                      const char *pretext, const char *text,
                      const json_t *fields) {
  json_t *msg = json_object(), *list = json_array();
  if (!msg || !list ||
      (channel && json_object_set_new(msg, "channel", json_string(channel))) ||
      json_array_append_new(list, attachment(color, pretext, text, fields)) ||
      json_object_set_new(msg, "attachments", json_incref(list))) {
    json_decref(list);
    json_decref(msg);
    return NULL;
  }
  json_decref(list);
  return msg;
}
