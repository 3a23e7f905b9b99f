/* The "kfl.filter" service of the kfl plugin, for the core (item query
 * interface).  Obtain it from the host's service registry by name; check
 * `size` against sizeof(kfl_filter_iface) before use. */
#ifndef WIREHOOK_KFL_SERVICE_H
#define WIREHOOK_KFL_SERVICE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define KFL_FILTER_SERVICE "kfl.filter"

typedef struct kfl_filter kfl_filter; /* a compiled query */

typedef struct kfl_filter_iface {
  size_t size; /* sizeof(kfl_filter_iface) of the plugin */
  /* Compiles text (borrowed).  Returns a handle, or NULL with
   * "line:col: message" in err (errcap bytes). */
  kfl_filter *(*compile)(const char *text, char *err, size_t errcap);
  /* Evaluates the handle against item (borrowed, never modified), using
   * the current time.  When redacted_out is not NULL it receives a new
   * reference to a copy of item with the redact() calls that evaluation
   * reached applied, or to item itself when the query has no redact(). */
  bool (*match)(kfl_filter *f, const json_t *item, json_t **redacted_out);
  /* n of the query's limit(n), or -1 when it has none. */
  long (*limit)(const kfl_filter *f);
  void (*free)(kfl_filter *f);
  /* Added in the same release as the item store (check `size`): false
   * when `text`, one JSON line as the item store writes it, cannot match
   * (it lacks a text the query requires), so a scan may skip parsing it;
   * true means "evaluate". */
  bool (*may_match_text)(const kfl_filter *f, const char *text, size_t len);
} kfl_filter_iface;

#endif
