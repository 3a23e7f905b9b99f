/* Name resolution with history.
 *
 * Each address has a short chain of versions {t, name, ns} (name NULL =
 * absent); the table at a key K is, for every address, its newest version
 * with t <= K.  The keys are a ring of distinct seconds, and a change log
 * lists (t, address) for each change after the oldest key, in time order.
 * Dropping the oldest key pops the log records of the next one and prunes
 * the versions they supersede, so memory follows what history is kept:
 * snapshots are never stored, they are rebuilt for the JSON. */
#include "config.h"

#include "resolve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_ENTRIES 65536u
#define DEFAULT_MAX_HISTORY 10000u
#define HOSTS_LINE_MAX 1024
#define NAME_MAX_LEN 255

typedef struct version {
  time_t t;
  char *name; /* NULL: the address is absent from the table */
  char *ns;
} version;

typedef struct ip_ent {
  wh_addr ip;
  version *v; /* oldest first */
  uint32_t nv, capv;
  bool is_static;
  unsigned hosts_gen;           /* the load that last listed it */
  struct ip_ent *hnext;         /* hash chain */
  struct ip_ent *newer, *older; /* LRU of learned entries present now */
  bool in_lru;
} ip_ent;

typedef struct change {
  time_t t;
  ip_ent *e;
} change;

struct resolver {
  uint32_t max_entries, max_history;
  size_t max_log;
  ip_ent **buckets;
  size_t nbuckets, nents;
  size_t npresent; /* addresses in the current table */
  ip_ent *lru_newest, *lru_oldest;
  time_t *keys; /* ring of max_history + 1 */
  size_t khead, nkeys;
  change *log; /* [lhead, lhead + nlog), time order */
  size_t lhead, nlog, caplog;
  unsigned hosts_gen;
  /* Learns and lookups come from the capture thread, the history JSON
   * from the script thread. */
  pthread_mutex_t lock;
};

/* ------------------------------------------------------------------ */
/* Addresses                                                           */

static size_t addr_len(const wh_addr *a) {
  return a->family == 4 ? 4 : 16;
}

static bool same_addr(const wh_addr *a, const wh_addr *b) {
  return a->family == b->family && memcmp(a->bytes, b->bytes, addr_len(a)) == 0;
}

static size_t addr_hash(const resolver *r, const wh_addr *a) {
  uint64_t h = 1469598103934665603ull ^ a->family; /* FNV-1a */
  for (size_t i = 0; i < addr_len(a); i++)
    h = (h ^ a->bytes[i]) * 1099511628211ull;
  return (size_t)h & (r->nbuckets - 1);
}

/* inet_ntop gives RFC 5952 text (lower case, longest zero run). */
static const char *addr_text(const wh_addr *a, char *buf, size_t cap) {
  if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->bytes, buf,
                 (socklen_t)cap))
    snprintf(buf, cap, "?");
  return buf;
}

static bool parse_addr(const char *s, wh_addr *a) {
  memset(a, 0, sizeof *a);
  if (inet_pton(AF_INET, s, a->bytes) == 1)
    a->family = 4;
  else if (inet_pton(AF_INET6, s, a->bytes) == 1)
    a->family = 6;
  return a->family != 0;
}

/* ------------------------------------------------------------------ */
/* The address hash                                                    */

static ip_ent *ent_find(const resolver *r, const wh_addr *a) {
  for (ip_ent *e = r->buckets[addr_hash(r, a)]; e; e = e->hnext)
    if (same_addr(&e->ip, a))
      return e;
  return NULL;
}

static void ent_insert(resolver *r, ip_ent *e) {
  size_t b = addr_hash(r, &e->ip);
  e->hnext = r->buckets[b];
  r->buckets[b] = e;
}

static int grow_buckets(resolver *r) {
  ip_ent **old = r->buckets;
  size_t oldn = r->nbuckets;
  ip_ent **b = calloc(oldn * 2, sizeof *b);
  if (!b)
    return -1;
  r->buckets = b;
  r->nbuckets = oldn * 2;
  for (size_t i = 0; i < oldn; i++) {
    for (ip_ent *e = old[i], *next; e; e = next) {
      next = e->hnext;
      ent_insert(r, e);
    }
  }
  free(old);
  return 0;
}

static ip_ent *ent_get(resolver *r, const wh_addr *a) {
  ip_ent *e = ent_find(r, a);
  if (e)
    return e;
  if (r->nents >= r->nbuckets && grow_buckets(r) < 0)
    return NULL;
  if (!(e = calloc(1, sizeof *e)))
    return NULL;
  e->ip = *a;
  ent_insert(r, e);
  r->nents++;
  return e;
}

static void version_free(version *v) {
  free(v->name);
  free(v->ns);
}

static void ent_free(resolver *r, ip_ent *e) {
  ip_ent **pp = &r->buckets[addr_hash(r, &e->ip)];
  while (*pp != e)
    pp = &(*pp)->hnext;
  *pp = e->hnext;
  r->nents--;
  for (uint32_t i = 0; i < e->nv; i++)
    version_free(&e->v[i]);
  free(e->v);
  free(e);
}

/* ------------------------------------------------------------------ */
/* Learned-entry LRU                                                   */

static void lru_remove(resolver *r, ip_ent *e) {
  if (!e->in_lru)
    return;
  if (e->newer)
    e->newer->older = e->older;
  else
    r->lru_newest = e->older;
  if (e->older)
    e->older->newer = e->newer;
  else
    r->lru_oldest = e->newer;
  e->newer = e->older = NULL;
  e->in_lru = false;
}

static void lru_touch(resolver *r, ip_ent *e) {
  lru_remove(r, e);
  e->older = r->lru_newest;
  if (r->lru_newest)
    r->lru_newest->newer = e;
  else
    r->lru_oldest = e;
  r->lru_newest = e;
  e->in_lru = true;
}

/* ------------------------------------------------------------------ */
/* Keys and the change log                                             */

static time_t key_at(const resolver *r, size_t i) {
  return r->keys[(r->khead + i) % (r->max_history + 1u)];
}

static void key_push(resolver *r, time_t t) {
  r->keys[(r->khead + r->nkeys) % (r->max_history + 1u)] = t;
  r->nkeys++;
}

static int log_push(resolver *r, time_t t, ip_ent *e) {
  if (r->lhead > 0 && r->lhead >= r->nlog) {
    memmove(r->log, r->log + r->lhead, r->nlog * sizeof *r->log);
    r->lhead = 0;
  }
  if (r->lhead + r->nlog == r->caplog) {
    size_t cap = r->caplog ? r->caplog * 2 : 256;
    change *l = realloc(r->log, cap * sizeof *l);
    if (!l)
      return -1;
    r->log = l;
    r->caplog = cap;
  }
  r->log[r->lhead + r->nlog++] = (change){t, e};
  return 0;
}

/* Drops versions before the one at index keep: they are superseded at
 * the oldest key, so no lookup or snapshot can see them. */
static void versions_drop_before(ip_ent *e, uint32_t keep) {
  for (uint32_t i = 0; i < keep; i++)
    version_free(&e->v[i]);
  memmove(e->v, e->v + keep, (e->nv - keep) * sizeof *e->v);
  e->nv -= keep;
}

/* An address whose only version is "absent" at or before the oldest key
 * is invisible to all kept history. */
static void maybe_free_ent(resolver *r, ip_ent *e) {
  if (e->is_static || e->in_lru)
    return;
  if (e->nv == 0 ||
      (e->nv == 1 && !e->v[0].name && r->nkeys && e->v[0].t <= key_at(r, 0)))
    ent_free(r, e);
}

/* The oldest key's records are popped; the versions they supersede go. */
static void prune_at_oldest(resolver *r) {
  time_t k = key_at(r, 0);
  while (r->nlog > 0 && r->log[r->lhead].t <= k) {
    ip_ent *e = r->log[r->lhead].e;
    r->lhead++;
    r->nlog--;
    uint32_t i = e->nv;
    while (i > 0 && e->v[i - 1].t > k)
      i--;
    if (i > 1)
      versions_drop_before(e, i - 1);
    maybe_free_ent(r, e);
  }
}

static void drop_oldest_key(resolver *r) {
  r->khead = (r->khead + 1) % (r->max_history + 1u);
  r->nkeys--;
  prune_at_oldest(r);
}

static void enforce_caps(resolver *r) {
  while (r->nkeys > 1 && (r->nkeys > r->max_history || r->nlog > r->max_log))
    drop_oldest_key(r);
}

/* ------------------------------------------------------------------ */
/* Changing the table                                                  */

static const version *current(const ip_ent *e) {
  return e->nv ? &e->v[e->nv - 1] : NULL;
}

static bool same_value(const version *v, const char *name, const char *ns) {
  const char *vn = v ? v->name : NULL;
  if (!vn || !name)
    return vn == name;
  return strcmp(vn, name) == 0 && strcmp(v->ns, ns) == 0;
}

static int version_append(ip_ent *e, time_t t) {
  if (e->nv == e->capv) {
    uint32_t cap = e->capv ? e->capv * 2 : 2;
    version *v = realloc(e->v, cap * sizeof *v);
    if (!v)
      return -1;
    e->v = v;
    e->capv = cap;
  }
  e->v[e->nv++] = (version){t, NULL, NULL};
  return 0;
}

/* Gives e the value (name NULL = absent) from second t on.  Returns 1 if
 * the table changed, 0 if not, -1 when out of memory. */
static int set_value(resolver *r, ip_ent *e, time_t t, const char *name,
                     const char *ns) {
  const version *cur = current(e);
  if (same_value(cur, name, ns))
    return 0;
  bool had = cur && cur->name;
  if (r->nkeys > 0 && t < key_at(r, r->nkeys - 1))
    t = key_at(r, r->nkeys - 1); /* history is never rewritten */
  char *n2 = NULL, *ns2 = NULL;
  if (name && (!(n2 = strdup(name)) || !(ns2 = strdup(ns)))) {
    free(n2);
    return -1;
  }
  /* Several changes in one second share its key and its version. */
  bool same_second = cur && cur->t == t;
  if (!same_second && version_append(e, t) < 0) {
    free(n2);
    free(ns2);
    return -1;
  }
  version *v = &e->v[e->nv - 1];
  version_free(v);
  *v = (version){t, n2, ns2};
  r->npresent = r->npresent - (had ? 1 : 0) + (name ? 1 : 0);
  if (r->nkeys == 0 || key_at(r, r->nkeys - 1) != t)
    key_push(r, t);
  if (key_at(r, 0) == t) { /* the oldest key: no log, older versions go */
    if (e->nv > 1)
      versions_drop_before(e, e->nv - 1);
  } else if (!same_second && log_push(r, t, e) < 0) {
    return -1;
  }
  return 1;
}

/* Frees the least recently learned address for a new one. */
static bool make_room(resolver *r, time_t t) {
  while (r->npresent >= r->max_entries) {
    ip_ent *victim = r->lru_oldest;
    if (!victim)
      return false; /* all static */
    lru_remove(r, victim);
    if (set_value(r, victim, t, NULL, NULL) < 0)
      return false;
    maybe_free_ent(r, victim);
  }
  return true;
}

static void learn_locked(resolver *r, const wh_addr *ip, const char *name,
                         const char *ns, time_t now) {
  ip_ent *e = ent_get(r, ip);
  if (!e || e->is_static)
    return;
  const version *cur = current(e);
  bool present = cur && cur->name;
  if (!present && !make_room(r, now)) {
    maybe_free_ent(r, e);
    return;
  }
  if (set_value(r, e, now, name, ns) >= 0)
    lru_touch(r, e);
  enforce_caps(r);
}

void resolver_learn(resolver *r, const wh_addr *ip, const char *name,
                    const char *ns, time_t now) {
  if (!ip || (ip->family != 4 && ip->family != 6) || !name)
    return;
  pthread_mutex_lock(&r->lock);
  learn_locked(r, ip, name, ns ? ns : "", now);
  pthread_mutex_unlock(&r->lock);
}

static const version *version_at(const ip_ent *e, time_t t);

bool resolver_lookup(resolver *r, const wh_addr *ip, time_t t,
                     const char **name, const char **ns) {
  if (!ip)
    return false;
  pthread_mutex_lock(&r->lock);
  ip_ent *e = ent_find(r, ip);
  const version *v = NULL;
  if (e && r->nkeys > 0 && t >= key_at(r, 0))
    v = version_at(e, t);
  if (v && v->name) {
    *name = v->name;
    *ns = v->ns;
  }
  pthread_mutex_unlock(&r->lock);
  return v && v->name;
}

size_t resolver_history_keys(resolver *r) {
  pthread_mutex_lock(&r->lock);
  size_t n = r->nkeys;
  pthread_mutex_unlock(&r->lock);
  return n;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                          */

resolver *resolver_new(uint32_t max_entries, uint32_t max_history) {
  resolver *r = calloc(1, sizeof *r);
  if (!r)
    return NULL;
  r->max_entries = max_entries ? max_entries : DEFAULT_MAX_ENTRIES;
  r->max_history = max_history ? max_history : DEFAULT_MAX_HISTORY;
  /* Changes kept beyond the oldest key: enough for every key to change
   * a few entries, bounded whatever the traffic. */
  r->max_log = 4 * (size_t)r->max_entries;
  if (r->max_log < 2 * (size_t)r->max_history)
    r->max_log = 2 * (size_t)r->max_history;
  r->nbuckets = 256;
  r->buckets = calloc(r->nbuckets, sizeof *r->buckets);
  r->keys = calloc((size_t)r->max_history + 1, sizeof *r->keys);
  pthread_mutex_init(&r->lock, NULL);
  if (!r->buckets || !r->keys) {
    resolver_free(r);
    return NULL;
  }
  return r;
}

void resolver_free(resolver *r) {
  if (!r)
    return;
  for (size_t i = 0; r->buckets && i < r->nbuckets; i++) {
    for (ip_ent *e = r->buckets[i], *next; e; e = next) {
      next = e->hnext;
      for (uint32_t j = 0; j < e->nv; j++)
        version_free(&e->v[j]);
      free(e->v);
      free(e);
    }
  }
  free(r->buckets);
  free(r->keys);
  free(r->log);
  pthread_mutex_destroy(&r->lock);
  free(r);
}

/* ------------------------------------------------------------------ */
/* The hosts file                                                      */

typedef struct host_line {
  wh_addr ip;
  char *name, *ns;
  unsigned line;
} host_line;

typedef struct host_list {
  host_line *v;
  size_t n, cap;
} host_list;

static void hosts_free(host_list *h) {
  for (size_t i = 0; i < h->n; i++) {
    free(h->v[i].name);
    free(h->v[i].ns);
  }
  free(h->v);
}

static bool printable(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x21 || *s == 0x7f)
      return false;
  return true;
}

/* Checks one line's fields; returns NULL or what is wrong. */
static const char *parse_fields(char **f, int nf, wh_addr *ip) {
  if (nf < 2)
    return "expected \"ip name [namespace]\"";
  if (nf > 3)
    return "too many fields; expected \"ip name [namespace]\"";
  if (!parse_addr(f[0], ip))
    return "not an IPv4 or IPv6 address";
  for (int i = 1; i < nf; i++)
    if (strlen(f[i]) > NAME_MAX_LEN || !printable(f[i]))
      return i == 1 ? "bad name (at most 255 printable characters)"
                    : "bad namespace (at most 255 printable characters)";
  return NULL;
}

static bool listed_before(const host_list *h, const wh_addr *ip,
                          unsigned *line) {
  for (size_t i = 0; i < h->n; i++) {
    if (same_addr(&h->v[i].ip, ip)) {
      *line = h->v[i].line;
      return true;
    }
  }
  return false;
}

/* Parses one line into h; returns 0, or -1 with err set. */
static int parse_line(host_list *h, char *buf, unsigned line, const char *path,
                      char *err, size_t errcap) {
  char *hash = strchr(buf, '#');
  if (hash)
    *hash = '\0';
  char *f[4], *save = NULL;
  int nf = 0;
  for (char *tok = strtok_r(buf, " \t\r\n", &save); tok && nf < 4;
       tok = strtok_r(NULL, " \t\r\n", &save))
    f[nf++] = tok;
  if (nf == 0)
    return 0;
  wh_addr ip;
  const char *bad = parse_fields(f, nf, &ip);
  unsigned first;
  if (!bad && listed_before(h, &ip, &first)) {
    snprintf(err, errcap, "%s:%u: %s is already listed on line %u", path, line,
             f[0], first);
    return -1;
  }
  if (bad) {
    snprintf(err, errcap, "%s:%u: %s", path, line, bad);
    return -1;
  }
  if (h->n == h->cap) {
    size_t cap = h->cap ? h->cap * 2 : 64;
    host_line *v = realloc(h->v, cap * sizeof *v);
    if (!v)
      goto oom;
    h->v = v;
    h->cap = cap;
  }
  host_line *hl = &h->v[h->n];
  hl->ip = ip;
  hl->line = line;
  hl->name = strdup(f[1]);
  hl->ns = strdup(nf == 3 ? f[2] : "");
  h->n++;
  if (hl->name && hl->ns)
    return 0;
oom:
  snprintf(err, errcap, "%s:%u: out of memory", path, line);
  return -1;
}

static int read_hosts(host_list *h, const char *path, uint32_t max, char *err,
                      size_t errcap) {
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errcap, "%s: %s", path, strerror(errno));
    return -1;
  }
  char buf[HOSTS_LINE_MAX + 2];
  unsigned line = 0;
  int rc = 0;
  while (rc == 0 && fgets(buf, sizeof buf, f)) {
    line++;
    size_t len = strlen(buf);
    if (len > HOSTS_LINE_MAX && buf[len - 1] != '\n') {
      snprintf(err, errcap, "%s:%u: line longer than %d characters", path, line,
               HOSTS_LINE_MAX);
      rc = -1;
    } else if ((rc = parse_line(h, buf, line, path, err, errcap)) == 0 &&
               h->n > max) {
      snprintf(err, errcap, "%s:%u: more than %u entries", path, line, max);
      rc = -1;
    }
  }
  if (rc == 0 && ferror(f)) {
    snprintf(err, errcap, "%s: %s", path, strerror(errno));
    rc = -1;
  }
  fclose(f);
  return rc;
}

/* Static entries of an earlier load that this one does not list leave
 * the table. */
static void drop_unlisted(resolver *r, time_t now) {
  for (size_t i = 0; i < r->nbuckets; i++) {
    for (ip_ent *e = r->buckets[i], *next; e; e = next) {
      next = e->hnext;
      if (!e->is_static || e->hosts_gen == r->hosts_gen)
        continue;
      e->is_static = false;
      set_value(r, e, now, NULL, NULL);
      maybe_free_ent(r, e);
    }
  }
}

static void apply_hosts(resolver *r, const host_list *h, time_t now) {
  r->hosts_gen++;
  for (size_t i = 0; i < h->n; i++) {
    ip_ent *e = ent_get(r, &h->v[i].ip);
    if (!e)
      continue;
    const version *cur = current(e);
    lru_remove(r, e); /* a learned entry becomes static */
    if (!(cur && cur->name) && !make_room(r, now)) {
      maybe_free_ent(r, e);
      continue;
    }
    e->is_static = true;
    e->hosts_gen = r->hosts_gen;
    set_value(r, e, now, h->v[i].name, h->v[i].ns);
  }
  drop_unlisted(r, now);
  enforce_caps(r);
}

int resolver_load_hosts(resolver *r, const char *path, time_t now, char *err,
                        size_t errcap) {
  host_list h = {NULL, 0, 0};
  int rc = read_hosts(&h, path, r->max_entries, err, errcap);
  if (rc == 0) {
    pthread_mutex_lock(&r->lock);
    apply_hosts(r, &h, now);
    pthread_mutex_unlock(&r->lock);
  }
  hosts_free(&h);
  return rc;
}

/* ------------------------------------------------------------------ */
/* History as JSON                                                     */

/* The version of e valid at t, or NULL. */
static const version *version_at(const ip_ent *e, time_t t) {
  for (uint32_t i = e->nv; i > 0; i--)
    if (e->v[i - 1].t <= t)
      return &e->v[i - 1];
  return NULL;
}

static int table_put(json_t *table, const ip_ent *e, const version *v) {
  char ip[64];
  addr_text(&e->ip, ip, sizeof ip);
  if (!v || !v->name) {
    json_object_del(table, ip); /* absent before is fine */
    return 0;
  }
  return json_object_set_new(
      table, ip, json_pack("{s:s, s:s}", "name", v->name, "namespace", v->ns));
}

static json_t *table_at(const resolver *r, time_t k) {
  json_t *table = json_object();
  for (size_t i = 0; table && i < r->nbuckets; i++)
    for (const ip_ent *e = r->buckets[i]; e; e = e->hnext)
      if (table_put(table, e, version_at(e, k)) < 0) {
        json_decref(table);
        return NULL;
      }
  return table;
}

/* Each key's table is a shallow copy: the {name, namespace} objects are
 * shared between keys, never modified. */
static int emit(json_t *out, time_t k, const json_t *table) {
  char key[32];
  snprintf(key, sizeof key, "%lld", (long long)k);
  return json_object_set_new(out, key, json_copy((json_t *)table));
}

static json_t *history_locked(resolver *r, time_t oldest) {
  json_t *out = json_object();
  if (!out || r->nkeys == 0)
    return out;
  size_t first = 0;
  while (first + 1 < r->nkeys && key_at(r, first) < oldest)
    first++;
  time_t k = key_at(r, first);
  json_t *table = table_at(r, k);
  int rc = table ? emit(out, k, table) : -1;
  size_t li = 0;
  while (li < r->nlog && r->log[r->lhead + li].t <= k)
    li++;
  for (size_t ki = first + 1; rc == 0 && ki < r->nkeys; ki++) {
    k = key_at(r, ki);
    for (; rc == 0 && li < r->nlog && r->log[r->lhead + li].t <= k; li++) {
      const ip_ent *e = r->log[r->lhead + li].e;
      rc = table_put(table, e, version_at(e, k));
    }
    if (rc == 0)
      rc = emit(out, k, table);
  }
  json_decref(table);
  if (rc < 0) {
    json_decref(out);
    return NULL;
  }
  return out;
}

json_t *resolver_history_json(resolver *r, time_t oldest) {
  pthread_mutex_lock(&r->lock);
  json_t *out = history_locked(r, oldest);
  pthread_mutex_unlock(&r->lock);
  return out;
}
