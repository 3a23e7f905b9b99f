/* Name resolution: IP address -> {name, namespace}, with the history
 * pcap.nameResolutionHistory() returns (runtime.md §8.3, item-model.md
 * §3).  Entries come from a static hosts file and from sniffed DNS
 * answers; static entries win over learned ones and are never evicted.
 *
 * History: every second in which the table changed is a key; the table
 * valid at time t is the one of the newest key <= t.  Times never go
 * backwards: a change stamped before the newest key is recorded at it.
 * At most max_history keys are kept (oldest dropped first), and the
 * stored changes are bounded too; lookups before the oldest kept key find
 * nothing.  Calls are serialised by a mutex: learns and lookups come
 * from the capture thread, the history from the script thread. */
#ifndef WH_RESOLVE_H
#define WH_RESOLVE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "capture/packet.h"

typedef struct resolver resolver;

/* 0 takes the default (65536 entries, 10000 history keys).  NULL when out
 * of memory. */
resolver *resolver_new(uint32_t max_entries, uint32_t max_history);
void resolver_free(resolver *r);

/* Loads "ip name [namespace]" lines (# comments, blank lines) as the
 * static entries, valid from `now`; a second load replaces the static
 * entries of the first.  On a bad line nothing changes and err reads
 * "PATH:LINE: what is wrong".  Returns 0 or -1. */
int resolver_load_hosts(resolver *r, const char *path, time_t now, char *err,
                        size_t errcap);

/* A name seen in a DNS answer (namespace ""); the least recently learned
 * entry makes room when the table is full.  No-op for an address with a
 * static entry. */
void resolver_learn(resolver *r, const wh_addr *ip, const char *name,
                    const char *ns, time_t now);

/* The entry valid at time t; false if unknown.  name and ns point into
 * resolver memory valid until the next learn or load. */
bool resolver_lookup(resolver *r, const wh_addr *ip, time_t t,
                     const char **name, const char **ns);

/* {"<unix s>": {"<ip>": {"name", "namespace"}}}: the complete table at
 * each key, keys before `oldest` dropped but the newest always kept; {}
 * when the table never had an entry.  A new reference, NULL when out of
 * memory. */
json_t *resolver_history_json(resolver *r, time_t oldest);

/* Number of history keys kept (for tests and stats). */
size_t resolver_history_keys(resolver *r);

#endif
