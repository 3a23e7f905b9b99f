/* vendor.webhook(method, url, body?, headers?) (vendors.md §1): one
 * request, sent as given, never retried; redirects followed here rather
 * than by libcurl, so that each hop gets the method, body and
 * credentials the spec gives it. */
#include "config.h"

#include "webhook.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_REDIRECTS 10

typedef struct hop {
  const char *method;
  char *url;        /* owned */
  bool body;        /* the body is still sent */
  bool credentials; /* Authorization and Cookie are still sent */
  vh_url origin;    /* of the script's URL */
} hop;

typedef struct args {
  const char *method, *url;
  const json_t *body; /* NULL: none */
  hdr_list headers;
} args;

static bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 ||
         status == 308;
}

/* POST/PUT/PATCH without a body still say Content-Length: 0, as servers
 * expect; other methods send no body at all. */
static bool empty_body_method(const char *m) {
  return !strcasecmp(m, "POST") || !strcasecmp(m, "PUT") ||
         !strcasecmp(m, "PATCH");
}

static int send_hop(vh_call *c, const args *a, const hop *h, vh_response *rs) {
  struct curl_slist *lines;
  if (webhook_header_lines(&a->headers, h->credentials, h->body, &lines) < 0)
    return vh_error(c, "out of memory");
  bool body = h->body && a->body;
  vh_request rq = {.method = h->method,
                   .url = h->url,
                   .headers = lines,
                   .body = body ? json_string_value(a->body) : NULL,
                   .body_len = body ? json_string_length(a->body) : 0,
                   .has_body = body || empty_body_method(h->method),
                   .body_fd = -1};
  int rc = vh_perform(c, &rq, rs);
  curl_slist_free_all(lines);
  return rc;
}

/* Moves h to the redirect target of rs.  Returns 0 or WH_ERR_THROWN. */
static int follow(vh_call *c, hop *h, const vh_response *rs) {
  vh_url from, to;
  vh_url_parse(h->url, &from);
  if (vh_url_parse(rs->location, &to) < 0)
    return vh_error(c, "%s redirected to a URL that is not http(s) (%s)",
                    from.host, h->method);
  vh_secret_url(c, rs->location);
  /* 303, and 301/302 after POST, become GET without the body. */
  if ((rs->status == 303 && strcasecmp(h->method, "HEAD")) ||
      ((rs->status == 301 || rs->status == 302) &&
       !strcasecmp(h->method, "POST"))) {
    h->method = "GET";
    h->body = false;
  }
  if (strcasecmp(to.hostport, h->origin.hostport))
    h->credentials = false; /* never sent to another host */
  char *next = strdup(rs->location);
  if (!next)
    return vh_error(c, "out of memory");
  free(h->url);
  h->url = next;
  return 0;
}

static int request(vh_call *c, const args *a, json_t **result) {
  hop h = {.method = a->method, .body = true, .credentials = true};
  vh_url_parse(a->url, &h.origin);
  h.url = strdup(a->url);
  if (!h.url)
    return vh_error(c, "out of memory");
  int rc = 0;
  for (int redirects = 0;; redirects++) {
    vh_response rs;
    rc = send_hop(c, a, &h, &rs);
    if (rc == 0 && is_redirect(rs.status) && rs.location) {
      rc = redirects == MAX_REDIRECTS
               ? vh_error(c, "more than %d redirects (%s)", MAX_REDIRECTS,
                          h.method)
               : follow(c, &h, &rs);
      vh_response_free(&rs);
      if (rc == 0)
        continue;
      break;
    }
    if (rc == 0) {
      *result = vh_utf8_string(vh_buf_cstr(&rs.body), rs.body.len);
      if (!*result)
        rc = vh_error(c, "out of memory");
    }
    vh_response_free(&rs);
    break;
  }
  free(h.url);
  return rc;
}

static int check_args(vh_call *c, json_t *const *argv, args *a) {
  a->method = json_string_value(argv[0]);
  a->url = json_string_value(argv[1]);
  a->body = json_is_string(argv[2]) ? argv[2] : NULL;
  if (!webhook_is_token(a->method, json_string_length(argv[0])))
    return vh_type_error(c, "method must be an HTTP method name (a token)");
  vh_url u;
  if (strlen(a->url) != json_string_length(argv[1]) ||
      vh_url_parse(a->url, &u) < 0)
    return vh_type_error(c, "url must be an http:// or https:// URL");
  vh_secret_url(c, a->url);
  return webhook_headers(c, argv[3], &a->headers);
}

int webhook_fn(wh_call *call, json_t *const *argv, size_t argc,
               json_t **result) {
  (void)argc;
  vh_call c;
  vh_call_init(&c, webhook_api, webhook_self, call, &webhook_opts);
  args a = {0};
  int rc = check_args(&c, argv, &a);
  if (rc == 0)
    rc = request(&c, &a, result);
  webhook_headers_free(&a.headers);
  vh_call_done(&c);
  return rc;
}
