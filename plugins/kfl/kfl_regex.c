/* KFL regex literals (kfl.md §8) on PCRE2: UTF mode, unanchored search,
 * with match and depth limits; hitting a limit is "no match" plus a
 * warning through kfl_warn_hook. */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kfl_int.h"

#define KFL_MATCH_LIMIT 100000
#define KFL_DEPTH_LIMIT 2000

void (*kfl_warn_hook)(const char *msg);

struct kfl_regex {
  pcre2_code *code;
  pcre2_match_context *mctx;
};

const char *kfl_regex_engine(void) {
  static char name[64];
  if (!name[0]) {
    char v[32] = "";
    pcre2_config(PCRE2_CONFIG_VERSION, v);
    snprintf(name, sizeof name, "PCRE2 %s", v);
  }
  return name;
}

kfl_regex *kfl_regex_compile(const char *pat, char *msg, size_t cap) {
  int ec;
  PCRE2_SIZE off;
  uint32_t opts = PCRE2_UTF;
#ifdef PCRE2_MATCH_INVALID_UTF
  opts |= PCRE2_MATCH_INVALID_UTF;
#endif
  pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opts,
                                   &ec, &off, NULL);
  if (!code) {
    PCRE2_UCHAR buf[160];
    pcre2_get_error_message(ec, buf, sizeof buf);
    snprintf(msg, cap, "%s at offset %zu", (const char *)buf, (size_t)off);
    return NULL;
  }
  kfl_regex *re = calloc(1, sizeof *re);
  if (!re || !(re->mctx = pcre2_match_context_create(NULL))) {
    free(re);
    pcre2_code_free(code);
    snprintf(msg, cap, "out of memory");
    return NULL;
  }
  re->code = code;
  pcre2_set_match_limit(re->mctx, KFL_MATCH_LIMIT);
  pcre2_set_depth_limit(re->mctx, KFL_DEPTH_LIMIT);
  return re;
}

int kfl_regex_search(const kfl_regex *re, const char *s, size_t len) {
  pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
  if (!md)
    return 0;
  int rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, md, re->mctx);
  pcre2_match_data_free(md);
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
      rc == PCRE2_ERROR_HEAPLIMIT) {
    if (kfl_warn_hook)
      kfl_warn_hook("regex match limit reached; counted as no match");
    return 0;
  }
  return rc >= 0;
}

void kfl_regex_free(kfl_regex *re) {
  if (!re)
    return;
  pcre2_match_context_free(re->mctx);
  pcre2_code_free(re->code);
  free(re);
}
