/* KFL, the filter language (doc/kfl.md): the engine's internal C API,
 * shared by the kfl plugin, its unit test and its fuzz target. */
#ifndef WH_KFL_H
#define WH_KFL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

typedef struct kfl_query kfl_query;

/* Expands macros, parses and compiles `text`.  Returns NULL and writes
 * "line:col: message" into err (errcap bytes) on a syntax error. */
kfl_query *kfl_compile(const char *text, char *err, size_t errcap);
/* Evaluates q against data (borrowed; redact() rewrites it in place).
 * Time helpers use `now` (seconds); kfl_eval_ms takes milliseconds. */
bool kfl_eval(kfl_query *q, json_t *data, time_t now);
bool kfl_eval_ms(kfl_query *q, json_t *data, int64_t now_ms);
/* The argument of the first limit(n) of the query, or -1. */
long kfl_limit(const kfl_query *q);
/* A deep copy of data with every redact() path of q applied (whether or
 * not evaluation would reach it).  New reference. */
json_t *kfl_redact(const kfl_query *q, json_t *data);
/* True when evaluating q can change the record (it uses redact()); other
 * queries only read it, so callers need no copy. */
bool kfl_rewrites(const kfl_query *q);
/* False when `text`, an item as the item store writes it (one JSON line),
 * cannot match q: it lacks a text the query requires.  True otherwise
 * (then evaluate). */
bool kfl_may_match_text(const kfl_query *q, const char *text, size_t len);
void kfl_free(kfl_query *q);

/* Macro expansion on text (§9.1 whole-word rule); malloc'd result. */
char *kfl_macro_expand_text(const char *text);

/* Called when a regex hits its match or depth limit (may be NULL). */
extern void (*kfl_warn_hook)(const char *msg);
/* Name and version of the regex engine, e.g. "PCRE2 10.42". */
const char *kfl_regex_engine(void);

/* Bounded LRU cache of compiled queries keyed by their text.  The
 * returned query is owned by the cache and valid until the next
 * kfl_cache_get or kfl_cache_clear. */
#define KFL_CACHE_SIZE 256
kfl_query *kfl_cache_get(const char *text, char *err, size_t errcap);
void kfl_cache_clear(void);
size_t kfl_cache_count(void);

#endif
