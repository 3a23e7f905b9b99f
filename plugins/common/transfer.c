/* One HTTP attempt with libcurl: a fresh handle each time, so that no
 * connection or TLS session is shared between calls (a pinned request
 * must never resume a session another call verified differently). */
#include "config.h"

#include "transfer.h"

#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

typedef struct sink {
  vh_response *rs;
  vh_attempt *a;
  size_t max;
  int fd; /* body source, or -1 */
  curl_off_t off, len;
} sink;

int64_t vh_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t on_body(char *p, size_t size, size_t n, void *udata) {
  sink *s = udata;
  size_t len = size * n;
  s->a->answer_bytes += len;
  if (len > s->max - s->rs->body.len) {
    s->a->too_big = true;
    return 0; /* aborts the transfer */
  }
  vh_buf_add(&s->rs->body, p, len);
  return s->rs->body.failed ? 0 : len;
}

static size_t on_header(char *p, size_t size, size_t n, void *udata) {
  sink *s = udata;
  (void)p;
  s->a->answer_bytes += size * n;
  return size * n;
}

/* The body from a file, read where libcurl asks (it rewinds on retries
 * of its own). */
static size_t on_read(char *p, size_t size, size_t n, void *udata) {
  sink *s = udata;
  curl_off_t want = s->len - s->off;
  if ((curl_off_t)(size * n) < want)
    want = (curl_off_t)(size * n);
  if (want <= 0)
    return 0;
  ssize_t got = pread(s->fd, p, (size_t)want, (off_t)s->off);
  if (got <= 0)
    return CURL_READFUNC_ABORT; /* the file shrank or failed */
  s->off += got;
  return (size_t)got;
}

static int on_seek(void *udata, curl_off_t offset, int origin) {
  sink *s = udata;
  if (origin != SEEK_SET || offset < 0 || offset > s->len)
    return CURL_SEEKFUNC_FAIL;
  s->off = offset;
  return CURL_SEEKFUNC_OK;
}

static bool has_header(const struct curl_slist *l, const char *name) {
  size_t n = strlen(name);
  for (; l; l = l->next)
    if (!strncasecmp(l->data, name, n) &&
        (l->data[n] == ':' || l->data[n] == ';'))
      return true;
  return false;
}

/* The caller's headers, plus "Expect:" (no 100-continue round trip) and,
 * for a body without a type, "Content-Type:" (no form type added). */
static struct curl_slist *headers_for(const vh_request *rq, bool body) {
  struct curl_slist *l = NULL;
  for (const struct curl_slist *h = rq->headers; h; h = h->next)
    if (!vh_header(&l, h->data, NULL))
      goto oom;
  if (!vh_header(&l, "Expect:", NULL))
    goto oom;
  if (body && !has_header(rq->headers, "Content-Type") &&
      !vh_header(&l, "Content-Type:", NULL))
    goto oom;
  return l;
oom:
  curl_slist_free_all(l);
  return NULL;
}

static void set_method(CURL *h, const vh_request *rq, sink *s) {
  bool body = rq->has_body || rq->body_fd >= 0;
  if (!strcmp(rq->method, "HEAD")) {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    return;
  }
  if (!body) {
    if (strcmp(rq->method, "GET"))
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
    return;
  }
  if (rq->body_fd >= 0) {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, s);
    curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, on_seek);
    curl_easy_setopt(h, CURLOPT_SEEKDATA, s);
  } else {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
  }
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
  if (strcmp(rq->method, "POST"))
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);
}

static void set_tls(CURL *h, const vh_call *c, const vh_request *rq) {
  if (c->opt->ca_file)
    curl_easy_setopt(h, CURLOPT_CAINFO, c->opt->ca_file);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, rq->pinned ? 0L : 2L);
  if (rq->ssl_ctx_fn) {
    curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, rq->ssl_ctx_fn);
    curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, rq->ssl_ctx_data);
    curl_easy_setopt(h, CURLOPT_SSL_SESSIONID_CACHE, 0L);
  }
}

static void set_common(CURL *h, const vh_call *c, const vh_request *rq,
                       long timeout_ms, sink *s, vh_attempt *a) {
  long connect_ms = c->opt->connect_timeout_ms;
  curl_easy_setopt(h, CURLOPT_URL, rq->url);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "wirehook/" PACKAGE_VERSION);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   connect_ms < timeout_ms ? connect_ms : timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s->max);
  curl_easy_setopt(h, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, a->errbuf);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, s);
}

/* Status, redirect target and Retry-After of the answer. */
static void read_answer(CURL *h, vh_response *rs, vh_attempt *a) {
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rs->status);
  curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &a->os_errno);
  curl_easy_getinfo(h, CURLINFO_HTTP_CONNECTCODE, &a->connect_status);
  curl_off_t connect_us = 0, retry = -1;
  curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
  a->connected = connect_us > 0;
  if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry) == CURLE_OK &&
      retry > 0)
    rs->retry_after = retry > 86400 ? 86400 : (long)retry;
  char *loc = NULL;
  if (rs->status >= 300 && rs->status < 400 &&
      curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc)
    rs->location = strdup(loc);
}

static void log_attempt(const vh_call *c, const vh_request *rq, const vh_url *u,
                        const vh_response *rs, const vh_attempt *a) {
  char what[64];
  if (a->code == CURLE_OK && !a->too_big)
    snprintf(what, sizeof what, "%ld", rs->status);
  else
    snprintf(what, sizeof what, "error (%s)",
             a->too_big ? "answer too large" : curl_easy_strerror(a->code));
  c->api->log(c->plugin, WH_LOG_DEBUG, "%s: %s %s://%s -> %s in %ld ms",
              vh_name(c), rq->method, u->https ? "https" : "http", u->host,
              what, a->ms);
}

static void reset_answer(vh_response *rs) {
  vh_buf_free(&rs->body);
  free(rs->location);
  rs->location = NULL;
  rs->status = 0;
  rs->retry_after = -1;
}

int vh_attempt_once(vh_call *c, const vh_request *rq, const vh_url *u,
                    long timeout_ms, vh_response *rs, vh_attempt *a) {
  *a = (vh_attempt){.code = CURLE_OUT_OF_MEMORY};
  reset_answer(rs);
  sink s = {rs,          a, c->opt->max_response,
            rq->body_fd, 0, (curl_off_t)rq->body_len};
  bool body = rq->has_body || rq->body_fd >= 0;
  CURL *h = curl_easy_init();
  struct curl_slist *hdrs = headers_for(rq, body);
  int64_t t0 = vh_now_ms();
  if (h && hdrs) {
    set_common(h, c, rq, timeout_ms, &s, a);
    set_tls(h, c, rq);
    set_method(h, rq, &s);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    a->code = curl_easy_perform(h);
    read_answer(h, rs, a);
  }
  a->ms = (long)(vh_now_ms() - t0);
  if (a->code == CURLE_FILESIZE_EXCEEDED)
    a->too_big = true;
  if (rs->body.failed && !a->too_big)
    a->code = CURLE_OUT_OF_MEMORY;
  log_attempt(c, rq, u, rs, a);
  curl_slist_free_all(hdrs);
  curl_easy_cleanup(h);
  return a->code == CURLE_OK && !a->too_big ? 0 : -1;
}

/* libcurl is set up once per plugin (each has its own copy of this
 * library), on the main thread, in init. */
static int curl_users;

int vh_global_init(const wh_api *api, const wh_plugin *plugin) {
  if (curl_users++ == 0 && curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
    curl_users = 0;
    api->log(plugin, WH_LOG_ERROR, "libcurl could not be initialised");
    return -1;
  }
  return 0;
}

void vh_global_cleanup(void) {
  if (curl_users > 0 && --curl_users == 0)
    curl_global_cleanup();
}
