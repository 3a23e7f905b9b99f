/* One helper call: its secrets, and errors thrown without them. */
#include "config.h"

#include "vendor_http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_SECRET 3

void vh_call_init(vh_call *c, const wh_api *api, const wh_plugin *plugin,
                  wh_call *call, const vh_options *opt) {
  *c = (vh_call){.api = api, .plugin = plugin, .call = call, .opt = opt};
}

const char *vh_name(const vh_call *c) {
  return c->api->call_name(c->call);
}

/* Keeps a copy in order of length, longest first, so that a secret
 * holding another goes whole. */
static void add_one(vh_call *c, const char *s, size_t n) {
  if (n < MIN_SECRET || memchr(s, 0, n))
    return;
  for (size_t i = 0; i < c->n_secrets; i++)
    if (strlen(c->secrets[i]) == n && !memcmp(c->secrets[i], s, n))
      return;
  if (c->n_secrets == c->cap_secrets) {
    size_t cap = c->cap_secrets ? c->cap_secrets * 2 : 8;
    char **list = realloc(c->secrets, cap * sizeof *list);
    if (!list) {
      c->secrets_lost = true;
      return;
    }
    c->secrets = list;
    c->cap_secrets = cap;
  }
  char *copy = strndup(s, n);
  if (!copy) {
    c->secrets_lost = true;
    return;
  }
  size_t i = c->n_secrets++;
  while (i > 0 && strlen(c->secrets[i - 1]) < n) {
    c->secrets[i] = c->secrets[i - 1];
    i--;
  }
  c->secrets[i] = copy;
}

void vh_secret(vh_call *c, const char *s, size_t n) {
  if (!s || n < MIN_SECRET)
    return;
  add_one(c, s, n);
  vh_buf b = {0};
  vh_base64(&b, s, n);
  if (b.failed)
    c->secrets_lost = true;
  else
    add_one(c, b.p, b.len);
  vh_buf_free(&b);
  vh_url_encode(&b, s, n); /* as a server may echo it from a query */
  if (b.failed)
    c->secrets_lost = true;
  else if (b.len != n)
    add_one(c, b.p, b.len);
  vh_buf_free(&b);
}

void vh_call_done(vh_call *c) {
  for (size_t i = 0; i < c->n_secrets; i++)
    free(c->secrets[i]);
  free(c->secrets);
  c->secrets = NULL;
  c->n_secrets = c->cap_secrets = 0;
}

/* One pass: every occurrence of s replaced. */
static bool replace_all(vh_buf *out, const char *text, size_t len,
                        const char *s) {
  size_t n = strlen(s);
  const char *p = text, *end = text + len, *hit;
  while ((hit = memmem(p, (size_t)(end - p), s, n)) != NULL) {
    vh_buf_add(out, p, (size_t)(hit - p));
    vh_buf_add(out, "***", 3);
    p = hit + n;
  }
  vh_buf_add(out, p, (size_t)(end - p));
  return !out->failed;
}

char *vh_scrub(const vh_call *c, const char *text) {
  if (c->secrets_lost) /* a secret could not be kept: quote nothing */
    return strdup("(details withheld)");
  vh_buf cur = {0};
  vh_buf_str(&cur, text);
  for (size_t i = 0; i < c->n_secrets && !cur.failed; i++) {
    if (!memmem(cur.p, cur.len, c->secrets[i], strlen(c->secrets[i])))
      continue;
    vh_buf next = {0};
    bool ok = replace_all(&next, cur.p, cur.len, c->secrets[i]);
    vh_buf_free(&cur);
    cur = next;
    if (!ok)
      break;
  }
  if (cur.failed) {
    vh_buf_free(&cur);
    return NULL;
  }
  return cur.p ? cur.p : strdup("");
}

static int throw_scrubbed(vh_call *c, bool type, const char *fmt, va_list ap) {
  char msg[900];
  int n = vsnprintf(msg, sizeof msg, fmt, ap);
  if (n >= (int)sizeof msg) { /* cut: drop a split UTF-8 sequence */
    size_t end = sizeof msg - 1;
    while (end > 0 && ((unsigned char)msg[end - 1] & 0xC0) == 0x80)
      end--;
    if (end > 0 && (unsigned char)msg[end - 1] >= 0xC0)
      end--;
    msg[end] = '\0';
  }
  char *clean = vh_scrub(c, msg);
  const char *text = clean ? clean : "failed (out of memory)";
  int rc = type ? c->api->throw_type(c->call, "%s", text)
                : c->api->throw_error(c->call, "%s", text);
  free(clean);
  return rc;
}

int vh_type_error(vh_call *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = throw_scrubbed(c, true, fmt, ap);
  va_end(ap);
  return rc;
}

int vh_error(vh_call *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = throw_scrubbed(c, false, fmt, ap);
  va_end(ap);
  return rc;
}
