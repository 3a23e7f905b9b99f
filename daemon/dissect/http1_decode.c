/* Content-Encoding: gzip, x-gzip and deflate (zlib, or raw deflate as
 * some servers send) are undone in reverse order when every coding is
 * supported.  Output stops at the body limit, so a compression bomb
 * costs at most max_body bytes.  On failure the body is delivered as
 * captured (item-model §7). */
#include "config.h"

#include "dissect/http1_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#define MAX_CODINGS 8

enum coding { C_GZIP, C_DEFLATE };

/* Codings to undo, in the order sent; -1 if one is not supported. */
static int parse_codings(const h1_msg *m, enum coding *out) {
  size_t len;
  char *v = h1_hdr_joined(m, "Content-Encoding", &len);
  if (!v)
    return 0;
  int n = 0;
  for (char *tok = strtok(v, ", \t"); tok; tok = strtok(NULL, ", \t")) {
    if (strcasecmp(tok, "identity") == 0)
      continue;
    if (n == MAX_CODINGS)
      n = -1;
    else if (!strcasecmp(tok, "gzip") || !strcasecmp(tok, "x-gzip"))
      out[n++] = C_GZIP;
    else if (!strcasecmp(tok, "deflate"))
      out[n++] = C_DEFLATE;
    else
      n = -1;
    if (n < 0)
      break;
  }
  free(v);
  return n;
}

typedef struct buf {
  uint8_t *data;
  size_t len, alloc;
} buf;

/* Room for more output, never beyond limit bytes in all. */
static int grow(buf *b, size_t limit) {
  if (b->alloc >= limit)
    return b->len < b->alloc ? 0 : -1;
  size_t want = b->alloc ? b->alloc * 2 : 4096;
  if (want > limit || want < b->alloc)
    want = limit;
  uint8_t *p = realloc(b->data, want ? want : 1);
  if (!p)
    return -1;
  b->data = p;
  b->alloc = want;
  return 0;
}

/* Not a zlib code: the output reached its limit. */
#define AT_LIMIT 100

/* One inflate run over in.  Returns Z_STREAM_END when the stream (or
 * every gzip member) ended, Z_BUF_ERROR when input ran out first,
 * AT_LIMIT, or another zlib error. */
static int run_inflate(z_stream *zs, const uint8_t *in, size_t in_len,
                       int wbits, buf *o, size_t limit) {
  size_t used = 0;
  for (;;) {
    if (o->len == o->alloc && grow(o, limit) < 0)
      return o->alloc >= limit ? AT_LIMIT : Z_MEM_ERROR;
    size_t in_n = in_len - used, out_n = o->alloc - o->len;
    zs->next_in = (Bytef *)(uintptr_t)(in + used);
    zs->avail_in = in_n > UINT_MAX ? UINT_MAX : (uInt)in_n;
    zs->next_out = o->data + o->len;
    zs->avail_out = out_n > UINT_MAX ? UINT_MAX : (uInt)out_n;
    int rc = inflate(zs, Z_NO_FLUSH);
    used += (size_t)(zs->next_in - (in + used));
    o->len = (size_t)(zs->next_out - o->data);
    if (rc == Z_STREAM_END && wbits > 15 && in_len - used >= 2 &&
        in[used] == 0x1f && in[used + 1] == 0x8b) {
      inflateReset(zs); /* another gzip member follows */
      continue;
    }
    if (rc == Z_STREAM_END || rc == Z_DATA_ERROR || rc == Z_NEED_DICT ||
        rc == Z_MEM_ERROR || rc == Z_STREAM_ERROR)
      return rc == Z_NEED_DICT ? Z_DATA_ERROR : rc;
    if (o->len == o->alloc && o->alloc >= limit)
      return AT_LIMIT;
    if (zs->avail_out > 0 && (rc == Z_BUF_ERROR || used == in_len))
      return Z_BUF_ERROR; /* no progress possible: input ran out */
  }
}

static int inflate_with(const uint8_t *in, size_t in_len, int wbits, buf *o,
                        size_t limit) {
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (inflateInit2(&zs, wbits) != Z_OK)
    return Z_MEM_ERROR;
  int rc = run_inflate(&zs, in, in_len, wbits, o, limit);
  inflateEnd(&zs);
  return rc;
}

/* Undoes one coding.  *more: in, the input may have been cut; out, the
 * output is incomplete.  Returns 0 or -1 when the data is not valid. */
static int undo(enum coding k, const uint8_t *in, size_t in_len, size_t cap,
                buf *o, bool *more) {
  /* one byte beyond cap tells "cut" from "exactly cap bytes" */
  size_t limit = cap + 1;
  int rc = inflate_with(in, in_len, k == C_GZIP ? 16 + MAX_WBITS : MAX_WBITS, o,
                        limit);
  if (k == C_DEFLATE && rc == Z_DATA_ERROR && o->len == 0)
    rc = inflate_with(in, in_len, -MAX_WBITS, o, limit);
  if (rc == AT_LIMIT) {
    o->len = cap;
    *more = true;
    return 0;
  }
  if (rc == Z_STREAM_END) {
    *more = false; /* whatever was cut lay after the end of the data */
    return 0;
  }
  if (rc == Z_BUF_ERROR && *more)
    return 0; /* input was cut: keep what decoded */
  return -1;
}

static int decode_all(const h1_msg *m, const enum coding *k, int n,
                      size_t max_body, h1_content *out) {
  buf cur = {NULL, 0, 0};
  const uint8_t *in = m->body;
  size_t in_len = m->body_len;
  bool more = m->body_cut;
  for (int i = n - 1; i >= 0; i--) {
    buf next = {NULL, 0, 0};
    size_t cap = i == 0 ? max_body : m->body_cap;
    if (undo(k[i], in, in_len, cap, &next, &more) < 0) {
      free(next.data);
      free(cur.data);
      return -1;
    }
    free(cur.data);
    cur = next;
    in = cur.data;
    in_len = cur.len;
  }
  out->data = cur.data;
  out->len = cur.len;
  out->truncated = more;
  return 0;
}

static int as_captured(const h1_msg *m, size_t max_body, h1_content *out) {
  size_t n = m->body_len < max_body ? m->body_len : max_body;
  out->data = NULL;
  out->len = n;
  out->truncated = m->body_cut || m->body_size > max_body;
  if (!n)
    return 0;
  out->data = malloc(n);
  if (!out->data)
    return -1;
  memcpy(out->data, m->body, n);
  return 0;
}

int h1_decode_body(const h1_msg *m, size_t max_body, h1_content *out) {
  enum coding k[MAX_CODINGS];
  memset(out, 0, sizeof *out);
  int n = m->body_len ? parse_codings(m, k) : 0;
  if (n > 0 && decode_all(m, k, n, max_body, out) == 0)
    return 0;
  return as_captured(m, max_body, out);
}
