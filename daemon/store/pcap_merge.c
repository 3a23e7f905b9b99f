/* k-way merge of classic pcap files.  Inputs are hostile: every length
 * is checked before it is used, and a record that cannot be right ends
 * its input instead of the merge.  Intermediate passes (more inputs than
 * PCAP_MERGE_FANIN) keep nanoseconds, so the final order is the same as
 * a single pass would give. */
#include "config.h"

#include "store/pcap_merge.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wirehook/plugin.h>

#define MAGIC_US 0xa1b2c3d4u
#define MAGIC_NS 0xa1b23c4du
#define MAGIC_PCAPNG 0x0a0d0d0au
#define NS_PER_S 1000000000ull

typedef struct reader {
  FILE *f;
  char name[256];
  bool swap, ns;
  uint32_t linktype;
  uint64_t offset; /* of the next record, for warnings */
  uint64_t ts;     /* current record: ns since the epoch */
  uint32_t incl, orig;
  uint8_t *buf;
  size_t bufcap;
  bool live; /* holds a current record */
} reader;

typedef struct merge {
  const pcap_merge_io *io;
  long linktype; /* of the first readable input; -1 until then */
  char *err;
  size_t errcap;
} merge;

static void warnf(merge *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void warnf(merge *m, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (m->io->warn)
    m->io->warn(m->io->udata, msg);
}

static uint32_t u32(const uint8_t *p, bool swap) {
  uint32_t v;
  memcpy(&v, p, 4);
  return swap ? __builtin_bswap32(v) : v;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

/* Checks the global header; false (with a warning) skips the input. */
static bool read_header(merge *m, reader *r) {
  uint8_t h[24];
  size_t got = fread(h, 1, sizeof h, r->f);
  uint32_t magic = got >= 4 ? u32(h, false) : 0;
  if (magic == MAGIC_PCAPNG) {
    warnf(m, "%s: pcapng is not supported; skipped", r->name);
    return false;
  }
  r->swap = magic == __builtin_bswap32(MAGIC_US) ||
            magic == __builtin_bswap32(MAGIC_NS);
  uint32_t m0 = r->swap ? __builtin_bswap32(magic) : magic;
  if (got < sizeof h || (m0 != MAGIC_US && m0 != MAGIC_NS)) {
    warnf(m, "%s: not a classic pcap file; skipped", r->name);
    return false;
  }
  r->ns = m0 == MAGIC_NS;
  r->linktype = u32(h + 20, r->swap);
  if (m->linktype < 0)
    m->linktype = r->linktype;
  if (r->linktype != (uint32_t)m->linktype) {
    warnf(m, "%s: link type %u differs from %ld; skipped", r->name, r->linktype,
          m->linktype);
    return false;
  }
  r->offset = sizeof h;
  return true;
}

/* Reads the next non-empty record.  Returns false at the end of the
 * input, after a warning when the end is not clean. */
static bool next_record(merge *m, reader *r) {
  for (;;) {
    uint8_t h[16];
    size_t got = fread(h, 1, sizeof h, r->f);
    if (got == 0 && !ferror(r->f))
      return false;
    if (got < sizeof h) {
      warnf(m, "%s: record at offset %llu is cut short; rest skipped", r->name,
            (unsigned long long)r->offset);
      return false;
    }
    uint32_t incl = u32(h + 8, r->swap);
    if (incl > PCAP_MERGE_SNAPLEN) {
      warnf(m, "%s: corrupt record length %u at offset %llu; rest skipped",
            r->name, incl, (unsigned long long)r->offset);
      return false;
    }
    if (incl > r->bufcap) {
      uint8_t *b = realloc(r->buf, incl);
      if (!b) {
        warnf(m, "%s: out of memory; rest skipped", r->name);
        return false;
      }
      r->buf = b;
      r->bufcap = incl;
    }
    if (incl && fread(r->buf, 1, incl, r->f) != incl) {
      warnf(m, "%s: record at offset %llu is cut short; rest skipped", r->name,
            (unsigned long long)r->offset);
      return false;
    }
    r->offset += sizeof h + incl;
    if (incl == 0)
      continue; /* nothing to merge */
    uint64_t frac = u32(h + 4, r->swap);
    r->ts = (uint64_t)u32(h, r->swap) * NS_PER_S + frac * (r->ns ? 1 : 1000);
    r->incl = incl;
    r->orig = u32(h + 12, r->swap);
    if (r->orig < incl)
      r->orig = incl;
    return true;
  }
}

static void reader_close(reader *r) {
  if (r->f)
    fclose(r->f);
  free(r->buf);
  memset(r, 0, sizeof *r);
}

/* Takes ownership of f.  False when the input is skipped. */
static bool reader_start(merge *m, reader *r, FILE *f, const char *name) {
  memset(r, 0, sizeof *r);
  r->f = f;
  snprintf(r->name, sizeof r->name, "%s", name);
  if (!read_header(m, r)) {
    reader_close(r);
    return false;
  }
  r->live = next_record(m, r);
  return true;
}

/* Opens input i through the caller; false when it is skipped. */
static bool reader_open(merge *m, reader *r, size_t i) {
  const char *name = m->io->name ? m->io->name(m->io->udata, i) : "input";
  int fd = m->io->open(m->io->udata, i);
  FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
  if (!f) {
    int e = fd >= 0 ? errno : -fd;
    if (fd >= 0)
      close(fd);
    warnf(m, "%s: %s; skipped", name,
          fd == WH_ERR_ESCAPE ? "escapes the data directory" : strerror(e));
    return false;
  }
  return reader_start(m, r, f, name);
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

static int write_header(FILE *out, bool ns, uint32_t linktype) {
  uint32_t h[6] = {ns ? MAGIC_NS : MAGIC_US, 2u | 4u << 16, 0, 0,
                   PCAP_MERGE_SNAPLEN,       linktype};
  return fwrite(h, sizeof h, 1, out) == 1 ? 0 : -1;
}

static int write_record(FILE *out, bool ns, const reader *r) {
  uint64_t frac = r->ts % NS_PER_S;
  uint32_t h[4] = {(uint32_t)(r->ts / NS_PER_S),
                   (uint32_t)(ns ? frac : frac / 1000), r->incl, r->orig};
  if (fwrite(h, sizeof h, 1, out) != 1 || fwrite(r->buf, r->incl, 1, out) != 1)
    return -1;
  return 0;
}

/* Writes the records of rs in timestamp order, ties to the lower index:
 * a linear scan, since there are at most PCAP_MERGE_FANIN readers. */
static int merge_readers(merge *m, reader *rs, size_t n, FILE *out, bool ns) {
  for (;;) {
    reader *best = NULL;
    for (size_t i = 0; i < n; i++)
      if (rs[i].live && (!best || rs[i].ts < best->ts))
        best = &rs[i];
    if (!best)
      return 0;
    if (write_record(out, ns, best) < 0) {
      snprintf(m->err, m->errcap, "cannot write the merged file: %s",
               strerror(errno));
      return -1;
    }
    best->live = next_record(m, best);
  }
}

/* ------------------------------------------------------------------ */
/* Passes                                                              */

typedef struct temp_list {
  FILE **f;
  size_t n;
} temp_list;

/* Merges one group of inputs (or of temporary files, when tmp is given)
 * into out.  An intermediate group (final false) with no readable input
 * writes nothing; the final one always writes at least a header. */
static int merge_group(merge *m, size_t first, size_t count, temp_list *tmp,
                       FILE *out, bool final, int default_linktype) {
  reader rs[PCAP_MERGE_FANIN];
  size_t nr = 0;
  for (size_t i = 0; i < count; i++) {
    bool ok = tmp ? reader_start(m, &rs[nr], tmp->f[first + i], "(temporary)")
                  : reader_open(m, &rs[nr], first + i);
    if (tmp)
      tmp->f[first + i] = NULL; /* owned by the reader now */
    if (ok)
      nr++;
  }
  int rc = 0;
  if (nr > 0 || final) {
    long lt = m->linktype >= 0 ? m->linktype : default_linktype;
    rc = write_header(out, !final, (uint32_t)lt);
    if (rc < 0)
      snprintf(m->err, m->errcap, "cannot write the merged file: %s",
               strerror(errno));
    else
      rc = merge_readers(m, rs, nr, out, !final);
  }
  for (size_t i = 0; i < nr; i++)
    reader_close(&rs[i]);
  return rc;
}

static void temps_free(temp_list *t) {
  for (size_t i = 0; i < t->n; i++)
    if (t->f[i])
      fclose(t->f[i]);
  free(t->f);
  t->f = NULL;
  t->n = 0;
}

/* One intermediate pass: groups of FANIN (from inputs, or from the
 * previous pass's temporaries) into new temporaries. */
static int pass(merge *m, size_t n, temp_list *prev, temp_list *next) {
  size_t groups = (n + PCAP_MERGE_FANIN - 1) / PCAP_MERGE_FANIN;
  next->f = calloc(groups, sizeof *next->f);
  if (!next->f) {
    snprintf(m->err, m->errcap, "out of memory");
    return -1;
  }
  for (size_t g = 0; g < groups; g++) {
    size_t first = g * PCAP_MERGE_FANIN;
    size_t count = n - first < PCAP_MERGE_FANIN ? n - first : PCAP_MERGE_FANIN;
    FILE *t = tmpfile();
    if (!t) {
      snprintf(m->err, m->errcap, "cannot create a temporary file: %s",
               strerror(errno));
      return -1;
    }
    int rc = merge_group(m, first, count, prev, t, false, 0);
    if (rc == 0 && fflush(t) != 0) {
      snprintf(m->err, m->errcap, "cannot write a temporary file: %s",
               strerror(errno));
      rc = -1;
    }
    if (rc == 0 && ftell(t) == 0) {
      fclose(t); /* nothing readable in this group */
      continue;
    }
    next->f[next->n++] = t;
    rewind(t);
    if (rc < 0)
      return -1;
  }
  return 0;
}

int pcap_merge(const pcap_merge_io *io, size_t n, FILE *out,
               int default_linktype, char *err, size_t errcap) {
  merge m = {io, -1, err, errcap};
  temp_list cur = {NULL, 0};
  bool from_inputs = true;
  int rc = 0;
  while (rc == 0 && n > PCAP_MERGE_FANIN) {
    temp_list next = {NULL, 0};
    rc = pass(&m, n, from_inputs ? NULL : &cur, &next);
    temps_free(&cur);
    cur = next;
    n = cur.n;
    from_inputs = false;
  }
  if (rc == 0)
    rc = merge_group(&m, 0, n, from_inputs ? NULL : &cur, out, true,
                     default_linktype);
  temps_free(&cur);
  if (rc == 0 && fflush(out) != 0) {
    snprintf(err, errcap, "cannot write the merged file: %s", strerror(errno));
    rc = -1;
  }
  return rc;
}
