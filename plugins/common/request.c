/* A request as the helpers see it: attempts within the time budget,
 * retries with capped exponential backoff and full jitter where the
 * request allows them, and the one error style for what went wrong. */
#include "config.h"

#include "transfer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define MAX_ATTEMPTS 5
#define BACKOFF_BASE_MS 200
#define BACKOFF_CAP_MS 5000
#define MIN_ATTEMPT_MS 50 /* a retry needs at least this much time left */
#define EXCERPT_MAX 300

bool vh_header(struct curl_slist **list, const char *name, const char *value) {
  vh_buf b = {0};
  if (!value)
    vh_buf_str(&b, name);
  else
    vh_buf_printf(&b, *value ? "%s: %s" : "%s;", name, value);
  struct curl_slist *l = b.failed ? NULL : curl_slist_append(*list, b.p);
  vh_buf_free(&b);
  if (!l)
    return false;
  *list = l;
  return true;
}

void vh_response_free(vh_response *rs) {
  vh_buf_free(&rs->body);
  free(rs->location);
  rs->location = NULL;
}

/* ---- retries ---- */

/* Failures that happened before the server answered anything: the
 * request may be sent again. */
static bool retriable(const vh_response *rs, const vh_attempt *a) {
  if (a->too_big)
    return false;
  switch (a->code) {
  case CURLE_OK:
    return rs->status == 429 || rs->status == 502 || rs->status == 503 ||
           rs->status == 504;
  case CURLE_COULDNT_CONNECT:
    return true;
  case CURLE_GOT_NOTHING:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
    return a->answer_bytes == 0 && !a->connect_status;
  default:
    return false;
  }
}

static uint32_t random32(void) {
  uint32_t r = 0;
  if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r)
    r = (uint32_t)vh_now_ms() * 2654435761u;
  return r;
}

/* Full jitter: a random delay up to the capped exponential bound, but
 * never less than the server's Retry-After. */
static long backoff_ms(unsigned attempts, long retry_after) {
  long bound = BACKOFF_BASE_MS;
  for (unsigned i = 1; i < attempts && bound < BACKOFF_CAP_MS; i++)
    bound *= 2;
  if (bound > BACKOFF_CAP_MS)
    bound = BACKOFF_CAP_MS;
  long d = (long)(random32() % (uint32_t)(bound + 1));
  if (retry_after >= 0 && retry_after * 1000 > d)
    d = retry_after * 1000;
  return d;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
    ;
}

/* ---- messages ---- */

/* "(METHOD[ step][, N attempts])" */
static void where(vh_buf *b, const vh_request *rq, const vh_response *rs) {
  vh_buf_printf(b, "(%s%s%s", rq->method, rq->step ? " " : "",
                rq->step ? rq->step : "");
  if (rs->attempts > 1)
    vh_buf_printf(b, ", %u attempts", rs->attempts);
  vh_buf_add(b, ")", 1);
}

static void seconds(vh_buf *b, long ms) {
  vh_buf_printf(b, "%g s", (double)ms / 1000.0);
}

static bool tls_failure(CURLcode code) {
  return code == CURLE_PEER_FAILED_VERIFICATION ||
         code == CURLE_SSL_CONNECT_ERROR || code == CURLE_SSL_CERTPROBLEM ||
         code == CURLE_SSL_CIPHER || code == CURLE_SSL_CACERT_BADFILE ||
         code == CURLE_SSL_ISSUER_ERROR;
}

/* What failed, naming the host (lead), and why (detail, may stay
 * empty): the message is "<lead> (<where>)[: <detail>]". */
static void describe(const vh_call *c, const vh_request *rq, const vh_url *u,
                     const vh_attempt *a, vh_buf *lead, vh_buf *detail) {
  long connect_ms = c->opt->connect_timeout_ms < c->opt->timeout_ms
                        ? c->opt->connect_timeout_ms
                        : c->opt->timeout_ms;
  if (a->too_big) {
    vh_buf_printf(lead, "answer from %s exceeds max_response = %zu bytes",
                  u->host, c->opt->max_response);
  } else if (rq->tls_refusal && *rq->tls_refusal) {
    vh_buf_printf(lead, "%s for %s", *rq->tls_refusal, u->hostport);
  } else if (a->code == CURLE_OPERATION_TIMEDOUT && a->connected) {
    vh_buf_str(lead, "timeout after ");
    seconds(lead, c->opt->timeout_ms);
    vh_buf_printf(lead, " waiting for %s", u->host);
  } else if (a->code == CURLE_OPERATION_TIMEDOUT) {
    vh_buf_printf(lead, "cannot connect to %s: timeout after ", u->hostport);
    seconds(lead, connect_ms);
  } else if (a->code == CURLE_COULDNT_RESOLVE_HOST ||
             a->code == CURLE_COULDNT_RESOLVE_PROXY) {
    vh_buf_printf(lead, "cannot resolve %s%s",
                  a->code == CURLE_COULDNT_RESOLVE_PROXY ? "the proxy for "
                                                         : "",
                  u->host);
  } else if (a->code == CURLE_COULDNT_CONNECT) {
    vh_buf_printf(lead, "cannot connect to %s", u->hostport);
    vh_buf_str(detail, a->os_errno ? strerror((int)a->os_errno)
                                   : curl_easy_strerror(a->code));
  } else if (tls_failure(a->code)) {
    vh_buf_printf(lead, "TLS with %s failed", u->hostport);
    vh_buf_str(detail, *a->errbuf ? a->errbuf : curl_easy_strerror(a->code));
  } else if (a->code == CURLE_GOT_NOTHING) {
    vh_buf_printf(lead, "%s closed the connection without an answer", u->host);
  } else if (a->connect_status >= 300) {
    vh_buf_printf(lead, "the proxy refused to connect to %s: HTTP %ld",
                  u->hostport, a->connect_status);
  } else if (a->answer_bytes > 0 &&
             (a->code == CURLE_PARTIAL_FILE || a->code == CURLE_RECV_ERROR)) {
    vh_buf_printf(lead, "%s closed the connection mid-answer", u->host);
  } else {
    vh_buf_printf(lead, "request to %s failed", u->host);
    vh_buf_str(detail, curl_easy_strerror(a->code));
  }
}

static int fail_transport(vh_call *c, const vh_request *rq, const vh_url *u,
                          const vh_response *rs, const vh_attempt *a) {
  vh_buf lead = {0}, detail = {0}, m = {0};
  describe(c, rq, u, a, &lead, &detail);
  vh_buf_printf(&m, "%s ", vh_buf_cstr(&lead));
  where(&m, rq, rs);
  if (detail.len)
    vh_buf_printf(&m, ": %s", detail.p);
  bool failed = lead.failed || detail.failed || m.failed;
  int rc = vh_error(c, "%s", failed ? "request failed" : vh_buf_cstr(&m));
  vh_buf_free(&lead);
  vh_buf_free(&detail);
  vh_buf_free(&m);
  return rc;
}

int vh_fail_status(vh_call *c, const vh_request *rq, const vh_response *rs,
                   const char *detail) {
  vh_url u;
  if (vh_url_parse(rq->url, &u) < 0)
    snprintf(u.host, sizeof u.host, "?");
  vh_buf m = {0};
  vh_buf_printf(&m, "HTTP %ld from %s ", rs->status, u.host);
  where(&m, rq, rs);
  /* Scrubbed before it is cut, so that no part of a secret survives. */
  char *text = vh_scrub(c, detail ? detail : vh_buf_cstr(&rs->body));
  if (text && *text) {
    vh_buf_add(&m, ": ", 2);
    vh_excerpt(&m, text, strlen(text), EXCERPT_MAX);
  }
  free(text);
  int rc = vh_error(c, "%s", m.failed ? "request failed" : vh_buf_cstr(&m));
  vh_buf_free(&m);
  return rc;
}

int vh_perform(vh_call *c, const vh_request *rq, vh_response *rs) {
  *rs = (vh_response){.retry_after = -1};
  vh_url u;
  if (vh_url_parse(rq->url, &u) < 0)
    return vh_type_error(c, "the URL must start with http:// or https://");
  int64_t deadline = vh_now_ms() + c->opt->timeout_ms;
  vh_attempt a;
  for (;;) {
    long left = (long)(deadline - vh_now_ms());
    vh_attempt_once(c, rq, &u, left > 1 ? left : 1, rs, &a);
    rs->attempts++;
    if (!rq->retry || rs->attempts >= MAX_ATTEMPTS || !retriable(rs, &a))
      break;
    long delay = backoff_ms(rs->attempts, rs->retry_after);
    if (vh_now_ms() + delay + MIN_ATTEMPT_MS > deadline)
      break; /* no time left for another attempt */
    sleep_ms(delay);
  }
  if (a.code == CURLE_OK && !a.too_big)
    return 0;
  return fail_transport(c, rq, &u, rs, &a);
}

json_t *vh_reply_json(const vh_response *rs) {
  if (!rs->body.len)
    return NULL;
  return json_loadb(rs->body.p, rs->body.len, JSON_DECODE_ANY, NULL);
}

int vh_perform_2xx(vh_call *c, const vh_request *rq) {
  vh_response rs;
  int rc = vh_perform(c, rq, &rs);
  if (rc == 0 && (rs.status < 200 || rs.status > 299))
    rc = vh_fail_status(c, rq, &rs, NULL);
  vh_response_free(&rs);
  return rc;
}
