/* Files through Slack's external upload flow (vendors.md §3): every file
 * is opened before anything is sent, then for each one an upload URL is
 * asked for and the bytes are posted there, and after the message the
 * files are shared in the channel. */
#include "config.h"

#include "slack.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail_open(vh_call *c, const char *name, const char *path, int rc) {
  if (rc == WH_ERR_ESCAPE)
    return vh_error(c, "files: %s: path \"%s\" escapes the data directory",
                    name, path);
  return vh_error(c, "files: %s: %s: %s", name, path, strerror(-rc));
}

/* Opens one file; 0 or a negative code (-errno, WH_ERR_ESCAPE). */
static int open_one(const char *path, slack_file *f) {
  int fd = slack_api->path_open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0)
    return fd;
  struct stat st;
  int rc = fstat(fd, &st) < 0 ? -errno : 0;
  if (rc == 0 && !S_ISREG(st.st_mode))
    rc = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
  if (rc < 0) {
    close(fd);
    return rc;
  }
  f->fd = fd;
  f->size = (size_t)st.st_size;
  return 0;
}

int slack_files_open(vh_call *c, const json_t *arg, slack_files *out) {
  *out = (slack_files){0};
  if (!arg || json_is_null(arg))
    return 0;
  if (!json_is_object(arg))
    return vh_type_error(c, "files must be an object (name -> path)");
  out->items = calloc(json_object_size(arg) + 1, sizeof *out->items);
  if (!out->items)
    return vh_error(c, "out of memory");
  const char *name;
  json_t *v;
  json_object_foreach((json_t *)arg, name, v) {
    const char *path = json_string_value(v);
    if (!path || strlen(path) != json_string_length(v))
      return vh_type_error(c, "files: the path of %s must be a string", name);
    if (!*name)
      return vh_type_error(c, "files: a file name is empty");
    slack_file *f = &out->items[out->n];
    *f = (slack_file){.name = name, .fd = -1};
    int rc = open_one(path, f);
    if (rc < 0)
      return fail_open(c, name, path, rc);
    out->n++;
  }
  return 0;
}

void slack_files_close(slack_files *f) {
  for (size_t i = 0; i < f->n; i++) {
    close(f->items[i].fd);
    free(f->items[i].id);
  }
  free(f->items);
  *f = (slack_files){0};
}

/* a. files.getUploadURLExternal: the pre-signed URL (owned) and id. */
static int upload_url(vh_call *c, const char *token, slack_file *f,
                      char **url) {
  vh_buf form = {0};
  vh_buf_str(&form, "filename=");
  vh_url_encode(&form, f->name, strlen(f->name));
  vh_buf_printf(&form, "&length=%zu", f->size);
  if (form.failed)
    return vh_error(c, "out of memory");
  json_t *reply;
  int rc =
      slack_call(c, token, "files.getUploadURLExternal",
                 "application/x-www-form-urlencoded", form.p, form.len, &reply);
  vh_buf_free(&form);
  if (rc)
    return rc;
  const char *u = json_string_value(json_object_get(reply, "upload_url"));
  const char *id = json_string_value(json_object_get(reply, "file_id"));
  vh_url parsed;
  if (u)
    vh_secret_url(c, u); /* pre-signed: never shown */
  if (!u || !id || vh_url_parse(u, &parsed) < 0) {
    json_decref(reply);
    return vh_error(c, "files.getUploadURLExternal failed: the answer has no "
                       "usable upload_url and file_id");
  }
  *url = strdup(u);
  f->id = strdup(id);
  json_decref(reply);
  return *url && f->id ? 0 : vh_error(c, "out of memory");
}

/* b. The bytes, to the pre-signed URL: no Authorization. */
static int upload_bytes(vh_call *c, const char *url, const slack_file *f) {
  struct curl_slist *h = NULL;
  if (!vh_header(&h, "Content-Type", "application/octet-stream"))
    return vh_error(c, "out of memory");
  vh_request rq = {.method = "POST",
                   .url = url,
                   .step = "upload",
                   .headers = h,
                   .body_len = f->size,
                   .body_fd = f->fd,
                   .retry = true};
  int rc = vh_perform_2xx(c, &rq);
  curl_slist_free_all(h);
  return rc;
}

int slack_files_upload(vh_call *c, const char *token, slack_files *f) {
  for (size_t i = 0; i < f->n; i++) {
    char *url = NULL;
    int rc = upload_url(c, token, &f->items[i], &url);
    if (rc == 0)
      rc = upload_bytes(c, url, &f->items[i]);
    free(url);
    if (rc)
      return rc;
  }
  return 0;
}

static json_t *share_body(const char *channel, const slack_files *f) {
  json_t *body = json_object(), *list = json_array();
  if (!body || !list || json_object_set(body, "files", list) ||
      json_object_set_new(body, "channel_id", json_string(channel))) {
    json_decref(list);
    json_decref(body);
    return NULL;
  }
  for (size_t i = 0; i < f->n; i++) {
    json_t *e = json_object();
    if (e && (json_object_set_new(e, "id", json_string(f->items[i].id)) ||
              json_object_set_new(e, "title", json_string(f->items[i].name)))) {
      json_decref(e);
      e = NULL;
    }
    if (json_array_append_new(list, e)) { /* takes e, refuses NULL */
      json_decref(list);
      json_decref(body);
      return NULL;
    }
  }
  json_decref(list);
  return body;
}

int slack_files_share(vh_call *c, const char *token, const char *channel,
                      const slack_files *f) {
  if (f->n == 0)
    return 0;
  json_t *body = share_body(channel, f);
  vh_buf text = {0};
  if (body)
    vh_json_stringify(&text, body);
  json_decref(body);
  if (!body || text.failed) {
    vh_buf_free(&text);
    return vh_error(c, "out of memory");
  }
  json_t *reply;
  int rc =
      slack_call(c, token, "files.completeUploadExternal",
                 "application/json; charset=utf-8", text.p, text.len, &reply);
  vh_buf_free(&text);
  json_decref(reply);
  for (size_t i = 0; rc == 0 && i < f->n; i++)
    slack_api->console(c->call, 0, "Shared file: %s to Slack channel: %s",
                       f->items[i].name, channel);
  return rc;
}
