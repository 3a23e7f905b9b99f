/* IP fragment reassembly.  Each datagram keeps its fragments as chunks
 * sorted by offset; coverage is computed from them, so fragments may
 * arrive in any order.  Overlaps are allowed only when the overlapping
 * bytes are identical (the first copy wins, as in Linux); a conflicting
 * overlap or a contradictory end drops the whole datagram and leaves a
 * tombstone so its later fragments are dropped too instead of starting
 * a datagram that could never complete. */
#include "config.h"

#include "capture/frag.h"

#include <stdlib.h>
#include <string.h>

#define FRAG_MAX_DGRAM 65535u
/* 64 KiB in 8-byte pieces would be 8192 chunks; real senders use well
 * under 100, and the per-fragment cost is linear in this. */
#define FRAG_MAX_CHUNKS 1024u
#define CHUNK_OVERHEAD 32u /* charged per chunk besides its data */
#define DEF_MAX_DGRAMS 1024u
#define DEF_MAX_BYTES (16u * 1024 * 1024)
#define DEF_TIMEOUT_MS 30000u

/* No implicit padding: keys are hashed and compared as bytes. */
typedef struct frag_key {
  uint32_t id;
  uint8_t family, proto, pad[2];
  uint8_t src[16], dst[16];
} frag_key;

typedef struct chunk {
  uint32_t off, len;
  uint8_t data[];
} chunk;

typedef struct dgram {
  frag_key key;
  struct dgram *hnext;         /* hash chain */
  struct dgram *older, *newer; /* creation order, for the timeout */
  struct timespec born;
  chunk **chunks; /* sorted by off */
  uint32_t nchunks, chunk_cap;
  uint32_t total;   /* payload length, known once the last fragment came */
  uint32_t max_end; /* furthest byte seen */
  uint64_t bytes;   /* charged to the table */
  uint8_t next_hdr; /* IPv6: from the offset-0 fragment */
  bool have_last, dead;
} dgram;

struct frag_table {
  decode_stats *st;
  uint32_t max_dgrams, timeout_ms;
  uint64_t max_bytes;
  dgram **buckets;
  uint32_t nbuckets; /* power of two */
  dgram *oldest, *newest;
  uint32_t count;
  uint64_t bytes;
  uint8_t out[FRAG_MAX_DGRAM];
};

/* ---- table ---- */

frag_table *frag_new(const decode_limits *lim, decode_stats *stats) {
  frag_table *t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  t->st = stats;
  t->max_dgrams =
      lim && lim->max_fragments ? lim->max_fragments : DEF_MAX_DGRAMS;
  t->max_bytes =
      lim && lim->max_fragment_bytes ? lim->max_fragment_bytes : DEF_MAX_BYTES;
  t->timeout_ms = lim && lim->fragment_timeout_ms ? lim->fragment_timeout_ms
                                                  : DEF_TIMEOUT_MS;
  t->nbuckets = 16;
  while (t->nbuckets < t->max_dgrams && t->nbuckets < 65536)
    t->nbuckets <<= 1;
  t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
  if (!t->buckets) {
    free(t);
    return NULL;
  }
  return t;
}

static uint32_t key_hash(const frag_key *k) {
  const uint8_t *p = (const uint8_t *)k;
  uint32_t h = 2166136261u; /* FNV-1a */
  for (size_t i = 0; i < sizeof *k; i++)
    h = (h ^ p[i]) * 16777619u;
  return h;
}

static void key_make(const frag_in *f, frag_key *k) {
  memset(k, 0, sizeof *k);
  k->id = f->id;
  k->family = f->v6 ? 6 : 4;
  k->proto = f->v6 ? 0 : f->proto;
  memcpy(k->src, f->src->bytes, sizeof k->src);
  memcpy(k->dst, f->dst->bytes, sizeof k->dst);
}

static dgram **bucket_of(frag_table *t, const frag_key *k) {
  return &t->buckets[key_hash(k) & (t->nbuckets - 1)];
}

static dgram *find(frag_table *t, const frag_key *k) {
  for (dgram *g = *bucket_of(t, k); g; g = g->hnext)
    if (memcmp(&g->key, k, sizeof *k) == 0)
      return g;
  return NULL;
}

static void release_chunks(frag_table *t, dgram *g) {
  for (uint32_t i = 0; i < g->nchunks; i++)
    free(g->chunks[i]);
  free(g->chunks);
  g->chunks = NULL;
  g->nchunks = g->chunk_cap = 0;
  t->bytes -= g->bytes - sizeof *g;
  g->bytes = sizeof *g;
}

static void dgram_free(frag_table *t, dgram *g) {
  dgram **pp = bucket_of(t, &g->key);
  while (*pp != g)
    pp = &(*pp)->hnext;
  *pp = g->hnext;
  if (g->older)
    g->older->newer = g->newer;
  else
    t->oldest = g->newer;
  if (g->newer)
    g->newer->older = g->older;
  else
    t->newest = g->older;
  release_chunks(t, g);
  t->bytes -= sizeof *g;
  t->count--;
  free(g);
}

void frag_free(frag_table *t) {
  if (!t)
    return;
  while (t->oldest)
    dgram_free(t, t->oldest);
  free(t->buckets);
  free(t);
}

/* ---- timeout ---- */

static long clamp_ns(long ns) {
  return ns < 0 ? 0 : ns > 999999999L ? 999999999L : ns;
}

/* Milliseconds from a to b, 0 if b is not later; safe for any input. */
static uint64_t elapsed_ms(const struct timespec *a, const struct timespec *b) {
  long na = clamp_ns(a->tv_nsec), nb = clamp_ns(b->tv_nsec);
  if (b->tv_sec < a->tv_sec || (b->tv_sec == a->tv_sec && nb <= na))
    return 0;
  uint64_t s = (uint64_t)b->tv_sec - (uint64_t)a->tv_sec;
  if (s > UINT32_MAX)
    return UINT64_MAX;
  return (uint64_t)((int64_t)s * 1000 + (nb - na) / 1000000);
}

/* Datagrams are listed in creation order, so the scan stops at the
 * first young one (a capture whose clock steps back only delays). */
void frag_expire(frag_table *t, const struct timespec *now) {
  while (t->oldest && elapsed_ms(&t->oldest->born, now) >= t->timeout_ms) {
    if (!t->oldest->dead)
      t->st->frag_expired++;
    dgram_free(t, t->oldest);
  }
}

static dgram *admit(frag_table *t, const frag_key *k,
                    const struct timespec *ts) {
  if (t->count >= t->max_dgrams || t->bytes + sizeof(dgram) > t->max_bytes)
    frag_expire(t, ts);
  if (t->count >= t->max_dgrams || t->bytes + sizeof(dgram) > t->max_bytes)
    return NULL;
  dgram *g = calloc(1, sizeof *g);
  if (!g)
    return NULL;
  g->key = *k;
  g->born = *ts;
  g->bytes = sizeof *g;
  dgram **b = bucket_of(t, k);
  g->hnext = *b;
  *b = g;
  g->older = t->newest;
  if (t->newest)
    t->newest->newer = g;
  else
    t->oldest = g;
  t->newest = g;
  t->count++;
  t->bytes += sizeof *g;
  return g;
}

/* ---- one datagram ---- */

/* Contradicts what is known of the datagram's end? */
static bool end_conflicts(const dgram *g, const frag_in *f, uint32_t end) {
  if (!f->more)
    return (g->have_last && g->total != end) || g->max_end > end;
  return g->have_last && end > g->total;
}

/* -1: the bytes differ from what is held; 1: every byte is already
 * held (an identical duplicate); 0: brings new bytes. */
static int overlap(const dgram *g, const frag_in *f, uint32_t end) {
  uint32_t pos = f->offset;
  for (uint32_t i = 0; i < g->nchunks; i++) {
    const chunk *c = g->chunks[i];
    uint32_t cend = c->off + c->len;
    if (c->off >= end)
      break;
    if (cend <= f->offset)
      continue;
    uint32_t lo = c->off > f->offset ? c->off : f->offset;
    uint32_t hi = cend < end ? cend : end;
    if (memcmp(c->data + (lo - c->off), f->data + (lo - f->offset), hi - lo))
      return -1;
    if (c->off <= pos && cend > pos)
      pos = cend;
  }
  return pos >= end;
}

static int store(frag_table *t, dgram *g, const frag_in *f) {
  uint64_t cost = (uint64_t)f->len + CHUNK_OVERHEAD;
  if (g->nchunks >= FRAG_MAX_CHUNKS || t->bytes + cost > t->max_bytes)
    return -1;
  if (g->nchunks == g->chunk_cap) {
    uint32_t n = g->chunk_cap ? g->chunk_cap * 2 : 4;
    chunk **nc = realloc(g->chunks, n * sizeof *nc);
    if (!nc)
      return -1;
    g->chunks = nc;
    g->chunk_cap = n;
  }
  chunk *c = malloc(sizeof *c + f->len);
  if (!c)
    return -1;
  c->off = f->offset;
  c->len = f->len;
  if (f->len)
    memcpy(c->data, f->data, f->len);
  uint32_t i = g->nchunks;
  while (i > 0 && g->chunks[i - 1]->off > c->off) {
    g->chunks[i] = g->chunks[i - 1];
    i--;
  }
  g->chunks[i] = c;
  g->nchunks++;
  g->bytes += cost;
  t->bytes += cost;
  return 0;
}

static bool complete(const dgram *g) {
  if (!g->have_last)
    return false;
  uint32_t pos = 0;
  for (uint32_t i = 0; i < g->nchunks && g->chunks[i]->off <= pos; i++)
    if (g->chunks[i]->off + g->chunks[i]->len > pos)
      pos = g->chunks[i]->off + g->chunks[i]->len;
  return pos >= g->total;
}

/* Overlapping chunks hold identical bytes, so copy order is free. */
static void assemble(frag_table *t, const dgram *g) {
  for (uint32_t i = 0; i < g->nchunks; i++)
    memcpy(t->out + g->chunks[i]->off, g->chunks[i]->data, g->chunks[i]->len);
}

/* ---- entry point ---- */

static int drop(frag_table *t, int why) {
  t->st->frag_dropped++;
  return why;
}

static int kill_dgram(frag_table *t, dgram *g, int why) {
  release_chunks(t, g);
  g->dead = true;
  return drop(t, why);
}

/* Non-final fragments carry whole 8-byte units (RFC 791, RFC 8200), and
 * no datagram may exceed 65535 bytes with its header. */
static bool shape_ok(const frag_in *f, uint32_t *end) {
  if (f->more && (f->len == 0 || f->len % 8))
    return false;
  *end = f->offset + f->len;
  return f->offset <= FRAG_MAX_DGRAM && f->len <= FRAG_MAX_DGRAM &&
         f->hdr_len <= FRAG_MAX_DGRAM && *end + f->hdr_len <= FRAG_MAX_DGRAM;
}

/* Updates the datagram with fragment f, already checked against it. */
static int merge(frag_table *t, dgram *g, const frag_in *f, uint32_t end,
                 bool dup) {
  if (!f->more) {
    g->have_last = true;
    g->total = end;
  }
  if (!dup && store(t, g, f) != 0)
    return kill_dgram(t, g, FRAG_CAP);
  if (end > g->max_end)
    g->max_end = end;
  if (f->offset == 0 && !dup)
    g->next_hdr = f->proto;
  return FRAG_HELD;
}

int frag_add(frag_table *t, const frag_in *f, const struct timespec *ts,
             const uint8_t **out, uint32_t *out_len, uint8_t *proto) {
  uint32_t end;
  frag_key k;
  if (!shape_ok(f, &end))
    return drop(t, FRAG_BAD);
  key_make(f, &k);
  dgram *g = find(t, &k);
  if (!g && !(g = admit(t, &k, ts)))
    return drop(t, FRAG_CAP);
  if (g->dead)
    return drop(t, FRAG_BAD);
  int ov = end_conflicts(g, f, end) ? -1 : overlap(g, f, end);
  if (ov < 0)
    return kill_dgram(t, g, FRAG_BAD);
  if (merge(t, g, f, end, ov == 1) != FRAG_HELD)
    return FRAG_CAP;
  if (!complete(g)) {
    t->st->frag_held++;
    return FRAG_HELD;
  }
  assemble(t, g);
  *out = t->out;
  *out_len = g->total;
  *proto = f->v6 ? g->next_hdr : g->key.proto;
  dgram_free(t, g);
  t->st->frag_done++;
  return FRAG_DONE;
}

uint32_t frag_count(const frag_table *t) {
  return t->count;
}

uint64_t frag_bytes(const frag_table *t) {
  return t->bytes;
}
