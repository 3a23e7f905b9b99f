/* The `slack` plugin: vendor.slack and vendor.slackBot (vendors.md §2,
 * §3). */
#ifndef SLACK_H
#define SLACK_H

#include "vendor_http.h"

extern const wh_api *slack_api;
extern wh_plugin *slack_self;
extern vh_options slack_opts;
extern const char *slack_api_base; /* ends with '/'; owned by the plugin */

/* --- attachment.c --- */
/* The message body {"attachments":[{color, pretext, text, fields}]} with
 * channel first when channel is non-NULL; empty color/pretext/text are
 * left out, fields (an object, or NULL) come in key order with values
 * via ToString, then the Timestamp field.  A new reference, or NULL. */
json_t *slack_message(const char *channel, const char *color,
                      const char *pretext, const char *text,
                      const json_t *fields);

/* --- web_api.c: calls of the Slack Web API --- */
/* POSTs body (of content_type) to {api_base}<method> with the bearer
 * token; on success *reply is the answer object (ok: true).  Throws for
 * transport errors, non-2xx, rate limits and ok: false ("<method>
 * failed: <error>").  Returns 0 or WH_ERR_THROWN. */
int slack_call(vh_call *c, const char *token, const char *method,
               const char *content_type, const char *body, size_t len,
               json_t **reply);

/* --- upload.c: files through getUploadURLExternal and
 * completeUploadExternal --- */
typedef struct slack_file {
  const char *name; /* the key of `files`; borrowed from the argument */
  int fd;
  size_t size;
  char *id; /* the file_id Slack gave */
} slack_file;

typedef struct slack_files {
  slack_file *items;
  size_t n;
} slack_files;

/* Opens every file of the `files` argument (an object name -> path, or
 * null) before anything is sent.  Returns 0 or WH_ERR_THROWN. */
int slack_files_open(vh_call *c, const json_t *arg, slack_files *out);
/* Step 1: an upload URL for each file, then its bytes. */
int slack_files_upload(vh_call *c, const char *token, slack_files *f);
/* Step 3: shares the uploaded files in the channel. */
int slack_files_share(vh_call *c, const char *token, const char *channel,
                      const slack_files *f);
void slack_files_close(slack_files *f);

/* --- helpers.c --- */
int slack_webhook_fn(wh_call *call, json_t *const *argv, size_t argc,
                     json_t **result);
int slack_bot_fn(wh_call *call, json_t *const *argv, size_t argc,
                 json_t **result);

#endif
