/* Start lines and header blocks of HTTP/1.x messages: recognising a
 * request or status line, finding the blank line that ends the headers,
 * and splitting the block into canonical name/value pairs. */
#include "config.h"

#include "dissect/http1_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_METHOD 32

static bool is_tchar(unsigned char ch) {
  if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
      (ch >= '0' && ch <= '9'))
    return true;
  return ch && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

static bool is_ws(char ch) {
  return ch == ' ' || ch == '\t';
}

/* "HTTP/1.0" or "HTTP/1.1" at p: the minor version, else -1. */
static int version_at(const char *p, size_t n) {
  if (n < 8 || memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1'))
    return -1;
  return p[7] - '0';
}

/* Request line: METHOD SP target SP HTTP/1.x, nothing after. */
static int parse_request_line(const char *l, size_t n, h1_msg *m) {
  size_t i = 0;
  while (i < n && i < MAX_METHOD && l[i] >= 'A' && l[i] <= 'Z')
    i++;
  if (i == 0 || i >= n || l[i] != ' ')
    return -1;
  size_t t0 = i + 1, t1 = t0;
  while (t1 < n && (unsigned char)l[t1] > ' ' && l[t1] != 0x7F)
    t1++;
  if (t1 == t0 || t1 >= n || l[t1] != ' ' || n - t1 - 1 != 8)
    return -1;
  int minor = version_at(l + t1 + 1, n - t1 - 1);
  if (minor < 0)
    return -1;
  if (m) {
    m->method = l;
    m->method_len = i;
    m->target = l + t0;
    m->target_len = t1 - t0;
    m->minor = minor;
  }
  return 0;
}

/* Status line: HTTP/1.x SP 3DIGIT [SP reason]. */
static int parse_status_line(const char *l, size_t n, h1_msg *m) {
  int minor = version_at(l, n);
  if (minor < 0 || n < 12 || l[8] != ' ')
    return -1;
  int code = 0;
  for (size_t i = 9; i < 12; i++) {
    if (l[i] < '0' || l[i] > '9')
      return -1;
    code = code * 10 + (l[i] - '0');
  }
  if (code < 100 || (n > 12 && l[12] != ' '))
    return -1;
  if (m) {
    m->minor = minor;
    m->status = code;
    m->reason = n > 13 ? l + 13 : l + n;
    m->reason_len = n > 13 ? n - 13 : 0;
  }
  return 0;
}

static int parse_start_line(const char *l, size_t n, h1_msg *m) {
  if (m)
    return m->is_request ? parse_request_line(l, n, m)
                         : parse_status_line(l, n, m);
  return parse_request_line(l, n, NULL) == 0 ||
                 parse_status_line(l, n, NULL) == 0
             ? 0
             : -1;
}

bool http1_probe(const uint8_t *data, size_t len) {
  if (!data)
    return false;
  const uint8_t *nl = memchr(data, '\n', len);
  size_t n = nl ? (size_t)(nl - data) : len;
  if (n && data[n - 1] == '\r')
    n--;
  return parse_start_line((const char *)data, n, NULL) == 0;
}

size_t h1_header_end(const uint8_t *data, size_t len, size_t *scan) {
  size_t i = *scan >= 2 ? *scan - 2 : 0;
  for (; i < len; i++) {
    if (data[i] != '\n')
      continue;
    if (i + 1 < len && data[i + 1] == '\n')
      return i + 2;
    if (i + 2 < len && data[i + 1] == '\r' && data[i + 2] == '\n')
      return i + 3;
  }
  *scan = len;
  return 0;
}

void h1_canonical_name(char *name, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (!is_tchar((unsigned char)name[i]))
      return; /* Go keeps such names as sent */
  bool upper = true;
  for (size_t i = 0; i < len; i++) {
    char ch = name[i];
    if (upper && ch >= 'a' && ch <= 'z')
      name[i] = (char)(ch - 'a' + 'A');
    else if (!upper && ch >= 'A' && ch <= 'Z')
      name[i] = (char)(ch - 'A' + 'a');
    upper = ch == '-';
  }
}

static void trim(const char **p, size_t *n) {
  while (*n && is_ws(**p)) {
    (*p)++;
    (*n)--;
  }
  while (*n && is_ws((*p)[*n - 1]))
    (*n)--;
}

static int add_header(h1_msg *m, char *line, size_t n) {
  char *colon = memchr(line, ':', n);
  if (!colon || colon == line)
    return 0; /* not a header line: ignored like other tolerant parsers */
  if (m->nhdrs == m->hcap) {
    size_t cap = m->hcap ? m->hcap * 2 : 16;
    h1_hdr *h = realloc(m->hdrs, cap * sizeof *h);
    if (!h)
      return -1;
    m->hdrs = h;
    m->hcap = cap;
  }
  h1_hdr *h = &m->hdrs[m->nhdrs++];
  h->name = line;
  h->name_len = (size_t)(colon - line);
  h1_canonical_name(line, h->name_len);
  h->value = colon + 1;
  h->value_len = n - h->name_len - 1;
  trim(&h->value, &h->value_len);
  return 0;
}

/* A continuation line: appended to the previous value with one space.
 * The value is moved down inside the block, which has room because the
 * line break and indentation sat between the two parts. */
static void fold_into(h1_msg *m, const char *line, size_t n) {
  trim(&line, &n);
  if (!m->nhdrs || !n)
    return;
  h1_hdr *h = &m->hdrs[m->nhdrs - 1];
  char *end = (char *)h->value + h->value_len;
  if (h->value_len) {
    *end++ = ' ';
    h->value_len++;
  } else
    h->value = end;
  memmove(end, line, n);
  h->value_len += n;
}

int h1_parse_block(h1_msg *m, const uint8_t *data, size_t len) {
  m->block = malloc(len + 1);
  if (!m->block)
    return -1;
  memcpy(m->block, data, len);
  m->block[len] = '\0';
  m->headers_size = len;
  char *p = m->block, *end = m->block + len;
  bool first = true;
  while (p < end) {
    char *nl = memchr(p, '\n', (size_t)(end - p));
    char *next = nl ? nl + 1 : end;
    size_t n = (size_t)((nl ? nl : end) - p);
    if (n && p[n - 1] == '\r')
      n--;
    if (first) {
      if (parse_start_line(p, n, m) < 0)
        return -1;
      first = false;
    } else if (n == 0)
      break;
    else if (is_ws(p[0]))
      fold_into(m, p, n);
    else if (add_header(m, p, n) < 0)
      return -1;
    p = next;
  }
  return 0;
}

const h1_hdr *h1_hdr_find(const h1_msg *m, const char *name) {
  size_t n = strlen(name);
  for (size_t i = 0; i < m->nhdrs; i++)
    if (m->hdrs[i].name_len == n && memcmp(m->hdrs[i].name, name, n) == 0)
      return &m->hdrs[i];
  return NULL;
}

char *h1_hdr_joined(const h1_msg *m, const char *name, size_t *len) {
  size_t n = strlen(name), total = 0, count = 0;
  for (size_t i = 0; i < m->nhdrs; i++)
    if (m->hdrs[i].name_len == n && memcmp(m->hdrs[i].name, name, n) == 0) {
      total += m->hdrs[i].value_len + 2;
      count++;
    }
  if (!count)
    return NULL;
  char *out = malloc(total + 1), *o = out;
  if (!out)
    return NULL;
  for (size_t i = 0; i < m->nhdrs; i++) {
    const h1_hdr *h = &m->hdrs[i];
    if (h->name_len != n || memcmp(h->name, name, n) != 0)
      continue;
    if (o != out) {
      memcpy(o, ", ", 2);
      o += 2;
    }
    memcpy(o, h->value, h->value_len);
    o += h->value_len;
  }
  *o = '\0';
  *len = (size_t)(o - out);
  return out;
}

bool h1_token_in(const char *v, size_t len, const char *tok) {
  size_t tl = strlen(tok);
  const char *end = v + len;
  while (v < end) {
    const char *comma = memchr(v, ',', (size_t)(end - v));
    const char *e = comma ? comma : end;
    const char *s = v;
    size_t n = (size_t)(e - s);
    trim(&s, &n);
    if (n == tl && strncasecmp(s, tok, tl) == 0)
      return true;
    v = comma ? comma + 1 : end;
  }
  return false;
}

h1_msg *h1_msg_new(bool is_request, size_t body_cap) {
  h1_msg *m = calloc(1, sizeof *m);
  if (m) {
    m->is_request = is_request;
    m->body_cap = body_cap;
  }
  return m;
}

void h1_msg_free(h1_msg *m) {
  if (!m)
    return;
  free(m->block);
  free(m->hdrs);
  free(m->body);
  free(m);
}
