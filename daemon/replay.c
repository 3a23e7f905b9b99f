#include "config.h"

#include "replay.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "strbuf.h"
#include "jobs/scheduler.h"
#include "vm.h"

/* An item larger than this is refused rather than buffered. */
#define MAX_LINE (64u * 1024 * 1024)

replay_format replay_detect(const char *path, int *err) {
  unsigned char m[4] = {0};
  FILE *f = fopen(path, "rb");
  *err = 0;
  if (!f) {
    *err = errno;
    return REPLAY_UNKNOWN;
  }
  size_t n = fread(m, 1, sizeof(m), f);
  fclose(f);
  static const unsigned char pcap_magic[][4] = {{0xd4, 0xc3, 0xb2, 0xa1},
                                                {0xa1, 0xb2, 0xc3, 0xd4},
                                                {0x4d, 0x3c, 0xb2, 0xa1},
                                                {0xa1, 0xb2, 0x3c, 0x4d}};
  for (size_t i = 0; n == 4 && i < 4; i++)
    if (memcmp(m, pcap_magic[i], 4) == 0)
      return REPLAY_PCAP;
  if (n == 4 && memcmp(m, "\x0a\x0d\x0d\x0a", 4) == 0)
    return REPLAY_PCAPNG;
  return REPLAY_JSONL;
}

static bool blank(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
      return false;
  return true;
}

static void replay_line(vm *v, const char *path, const char *line, size_t n,
                        FILE *json_out, replay_stats *st) {
  json_error_t jerr;
  json_t *item = json_loadb(line, n, 0, &jerr);
  if (!json_is_object(item)) {
    st->bad_lines++;
    log_error("%s:%llu: %s; each line must be one JSON object (an item)", path,
              (unsigned long long)st->lines,
              item ? "not a JSON object" : jerr.text);
    json_decref(item);
    return;
  }
  st->items++;
  if (json_out) {
    json_dumpf(item, json_out, JSON_COMPACT);
    fputc('\n', json_out);
  }
  vm_item_captured(v, item);
  json_decref(item);
  vm_run_jobs(v, jobs_now_ms(), 0);
}

/* Reads one line into sb, keeping at most MAX_LINE bytes; *too_long is
 * set when more were skipped.  Returns false at end of file. */
static bool read_line(FILE *f, strbuf *sb, bool *too_long) {
  char chunk[65536];
  sb_reset(sb);
  *too_long = false;
  bool any = false;
  while (fgets(chunk, sizeof(chunk), f)) {
    any = true;
    size_t n = strlen(chunk);
    if (!*too_long && sb->len + n <= MAX_LINE)
      sb_append(sb, chunk, n);
    else
      *too_long = true;
    if (n && chunk[n - 1] == '\n')
      break;
  }
  return any;
}

int replay_jsonl(vm *v, const char *path, FILE *json_out, replay_stats *st) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
  if (!f) {
    log_error("%s: %s", path, strerror(errno));
    return -1;
  }
  strbuf line = STRBUF_INIT;
  bool too_long;
  while (read_line(f, &line, &too_long)) {
    st->lines++;
    if (too_long) {
      st->bad_lines++;
      log_error("%s:%llu: line longer than 64 MiB; skipped", path,
                (unsigned long long)st->lines);
    } else if (!blank(line.buf, line.len)) {
      replay_line(v, path, line.buf, line.len, json_out, st);
    }
  }
  int rc = ferror(f) ? -1 : 0;
  if (rc)
    log_error("%s: read error: %s", path, strerror(errno));
  sb_free(&line);
  if (f != stdin)
    fclose(f);
  return rc;
}
