#include "config.h"

#include "cli_control_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "strbuf.h"

/* One number and its unit; returns the rest of s, or NULL. */
static const char *duration_part(const char *s, uint64_t *ms) {
  static const struct {
    const char *unit;
    uint64_t factor;
  } units[] = {
      {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}};
  if (*s < '0' || *s > '9')
    return NULL;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno)
    return NULL;
  for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++) {
    size_t n = strlen(units[i].unit);
    if (strncmp(end, units[i].unit, n) != 0)
      continue;
    if (v > UINT64_MAX / units[i].factor)
      return NULL;
    *ms = v * units[i].factor;
    return end + n;
  }
  return NULL;
}

int fmt_parse_duration(const char *s, uint64_t *ms) {
  uint64_t total = 0;
  if (!s || !*s)
    return -1;
  /* A bare number is seconds, as in the configuration. */
  if (strspn(s, "0123456789") == strlen(s)) {
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno || v > UINT64_MAX / 1000)
      return -1;
    *ms = v * 1000;
    return 0;
  }
  while (*s) {
    uint64_t part;
    s = duration_part(s, &part);
    if (!s || part > UINT64_MAX - total)
      return -1;
    total += part;
  }
  *ms = total;
  return 0;
}

void fmt_local_time(char *out, size_t cap, int64_t ms, bool with_ms) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  if (ms < 0 || !localtime_r(&t, &tm) ||
      strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm) == 0) {
    snprintf(out, cap, "?");
    return;
  }
  if (with_ms) {
    size_t n = strlen(out);
    snprintf(out + n, cap - n, ".%03d", (int)(ms % 1000));
  }
}

void fmt_bytes(char *out, size_t cap, uint64_t n) {
  static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (n < 1024) {
    snprintf(out, cap, "%llu B", (unsigned long long)n);
    return;
  }
  double v = (double)n / 1024;
  size_t u = 0;
  while (v >= 1024 && u + 1 < sizeof(units) / sizeof(*units)) {
    v /= 1024;
    u++;
  }
  snprintf(out, cap, "%.1f %s", v, units[u]);
}

void fmt_uptime(char *out, size_t cap, uint64_t s) {
  unsigned long long d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60,
                     sec = s % 60;
  if (d)
    snprintf(out, cap, "%llud %lluh %llum", d, h, m);
  else if (h)
    snprintf(out, cap, "%lluh %llum", h, m);
  else if (m)
    snprintf(out, cap, "%llum %llus", m, sec);
  else
    snprintf(out, cap, "%llus", sec);
}

size_t fmt_width(const char *s) {
  size_t w = 0;
  for (; *s; s++)
    if (((unsigned char)*s & 0xC0) != 0x80)
      w++;
  return w;
}

char *fmt_clean(const char *s, bool keep_lines) {
  return fmt_clean_n(s, strlen(s), keep_lines);
}

char *fmt_clean_n(const char *s, size_t n, bool keep_lines) {
  strbuf sb = STRBUF_INIT;
  const unsigned char *p = (const unsigned char *)s, *end = p + n;
  int rc = sb_puts(&sb, "");
  for (; p < end && rc == 0; p++) {
    if ((*p < 0x20 && !(keep_lines && (*p == '\t' || *p == '\n'))) ||
        *p == 0x7f)
      rc = sb_printf(&sb, "\\x%02x", *p);
    else if (*p == 0xC2 && p + 1 < end && p[1] >= 0x80 && p[1] <= 0x9F)
      rc = sb_printf(&sb, "\\u%04x", *++p); /* C1 codes */
    else
      rc = sb_append(&sb, (const char *)p, 1);
  }
  if (rc < 0) {
    sb_free(&sb);
    return NULL;
  }
  return sb.buf;
}

char *fmt_cut(const char *s, size_t width) {
  if (fmt_width(s) <= width)
    return strdup(s);
  if (width == 0)
    return strdup("");
  const char *p = s;
  for (size_t w = 0; *p; p++) {
    if (((unsigned char)*p & 0xC0) != 0x80 && w++ == width - 1)
      break;
  }
  size_t n = (size_t)(p - s);
  char *out = malloc(n + sizeof("…"));
  if (!out)
    return NULL;
  memcpy(out, s, n);
  memcpy(out + n, "…", sizeof("…"));
  return out;
}

bool fmt_color(int fd) {
  const char *no = getenv("NO_COLOR");
  const char *term = getenv("TERM");
  return isatty(fd) && !(no && *no) && !(term && !strcmp(term, "dumb"));
}

size_t fmt_term_width(void) {
  if (!isatty(STDOUT_FILENO))
    return 0;
  struct winsize ws;
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  return 120;
}

/* ---- JSON getters ---- */

const json_t *jget(const json_t *o, const char *path) {
  char key[128];
  while (o && *path) {
    size_t n = strcspn(path, ".");
    if (!json_is_object(o) || n >= sizeof(key))
      return NULL;
    memcpy(key, path, n);
    key[n] = '\0';
    o = json_object_get(o, key);
    path += n + (path[n] == '.');
  }
  return o;
}

const char *jstr(const json_t *o, const char *path, const char *dflt) {
  const json_t *v = jget(o, path);
  return json_is_string(v) ? json_string_value(v) : dflt;
}

uint64_t juint(const json_t *o, const char *path) {
  return juint_of(jget(o, path));
}

uint64_t juint_of(const json_t *v) {
  if (json_is_integer(v))
    return json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
  if (json_is_real(v) && json_real_value(v) > 0 && json_real_value(v) < 1.8e19)
    return (uint64_t)json_real_value(v);
  return 0;
}

bool jtrue(const json_t *o, const char *path) {
  return json_is_true(jget(o, path));
}
