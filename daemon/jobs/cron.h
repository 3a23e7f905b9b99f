/* Cron expressions for jobs.schedule (runtime.md §8.4): parsing and
 * next-fire computation, UTC only. */
#ifndef WH_JOBS_CRON_H
#define WH_JOBS_CRON_H

#include <stddef.h>
#include <stdint.h>

typedef struct cron_expr cron_expr; /* opaque */

/* Parses a cron string: 6 fields (sec min hour dom month dow), 5 fields
 * (seconds = 0), @yearly @annually @monthly @weekly @daily @midnight
 * @hourly, or "@every <Go duration>" (at least 1s; sub-second parts are
 * truncated).  Names JAN-DEC / SUN-SAT are case-insensitive, '?' is '*'
 * in the day fields, weekday 7 is Sunday.  Returns NULL on error with a
 * one-line reason naming the field and the character in err (if err is
 * not NULL and errcap > 0). */
cron_expr *cron_parse(const char *text, char *err, size_t errcap);
void cron_free(cron_expr *c);

/* The first fire time strictly after `after` (unix seconds, UTC), or -1
 * if there is none within 5 years (e.g. Feb 30) or `after` is outside
 * years 1..9999.  For @every the times are anchor + n*d, n >= 1; the
 * anchor defaults to the `after` of the first call (which stores it in
 * c: not thread-safe until an anchor is set). */
int64_t cron_next(const cron_expr *c, int64_t after);
void cron_set_anchor(cron_expr *c, int64_t anchor);

#endif
