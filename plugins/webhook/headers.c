/* The `headers` argument of vendor.webhook: names must be tokens, values
 * (ToString) must fit on one line, and the framing headers stay the
 * helper's.  Values of headers that are not plainly descriptive are
 * treated as secrets. */
#include "config.h"

#include "webhook.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool webhook_is_token(const char *s, size_t n) {
  static const char extra[] = "!#$%&'*+-.^_`|~";
  if (n == 0)
    return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    bool alnum = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                 (ch >= '0' && ch <= '9');
    if (!alnum && (!ch || !strchr(extra, ch)))
      return false;
  }
  return true;
}

static bool named(const char *name, const char *const *list) {
  for (; *list; list++)
    if (!strcasecmp(name, *list))
      return true;
  return false;
}

/* Headers whose values say nothing secret; every other value is
 * scrubbed from error messages. */
static const char *const descriptive[] = {
    "Content-Type",     "Accept",
    "Accept-Encoding",  "Accept-Language",
    "User-Agent",       "Cache-Control",
    "Connection",       "Content-Encoding",
    "Content-Language", NULL};
static const char *const credentials[] = {"Authorization", "Cookie",
                                          "Proxy-Authorization", NULL};
static const char *const framing[] = {"Content-Length", "Transfer-Encoding",
                                      NULL};

static int add(vh_call *c, hdr_list *out, const char *name, const json_t *v) {
  vh_buf val = {0}, line = {0};
  vh_js_string(&val, v);
  int rc = 0;
  if (memchr(val.p, '\r', val.len) || memchr(val.p, '\n', val.len) ||
      memchr(val.p, '\0', val.len)) {
    rc = vh_type_error(c, "headers: the value of %s has a line break or NUL",
                       name);
    goto done;
  }
  if (!named(name, descriptive))
    vh_secret(c, val.p, val.len);
  vh_buf_printf(&line, val.len ? "%s: %s" : "%s;", name, val.p);
  hdr *items = realloc(out->items, (out->n + 1) * sizeof *items);
  if (line.failed || val.failed || !items) {
    if (items)
      out->items = items;
    rc = vh_error(c, "out of memory");
    goto done;
  }
  out->items = items;
  out->items[out->n++] =
      (hdr){line.p, named(name, credentials)            ? HDR_CREDENTIAL
                    : !strcasecmp(name, "Content-Type") ? HDR_CONTENT_TYPE
                                                        : HDR_OTHER};
  line.p = NULL;
done:
  vh_buf_free(&val);
  vh_buf_free(&line);
  return rc;
}

int webhook_headers(vh_call *c, const json_t *arg, hdr_list *out) {
  *out = (hdr_list){0};
  if (!arg || json_is_null(arg))
    return 0;
  if (!json_is_object(arg))
    return vh_type_error(c, "headers must be an object");
  const char *name;
  json_t *v;
  json_object_foreach((json_t *)arg, name, v) {
    if (!webhook_is_token(name, strlen(name)))
      return vh_type_error(c, "headers: \"%.60s\" is not a valid header name",
                           name);
    if (named(name, framing))
      return vh_type_error(c, "headers: %s is set by the helper", name);
    int rc = add(c, out, name, v);
    if (rc)
      return rc;
  }
  return 0;
}

int webhook_header_lines(const hdr_list *l, bool credentials_too, bool ctype,
                         struct curl_slist **out) {
  *out = NULL;
  for (size_t i = 0; i < l->n; i++) {
    if ((!credentials_too && l->items[i].kind == HDR_CREDENTIAL) ||
        (!ctype && l->items[i].kind == HDR_CONTENT_TYPE))
      continue;
    if (!vh_header(out, l->items[i].line, NULL)) {
      curl_slist_free_all(*out);
      *out = NULL;
      return -1;
    }
  }
  return 0;
}

void webhook_headers_free(hdr_list *l) {
  for (size_t i = 0; i < l->n; i++)
    free(l->items[i].line);
  free(l->items);
  *l = (hdr_list){0};
}
