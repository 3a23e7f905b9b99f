/* Shared by the control-socket commands (cli_control*.c): option parsing,
 * one request and its answer, and the formatting of what comes back. */
#ifndef WH_CLI_CONTROL_INTERNAL_H
#define WH_CLI_CONTROL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* Options a command accepts besides -c, -S and -h. */
enum {
  OPT_JSON = 1,
  OPT_NO_FOLLOW = 2,
  OPT_LIMIT = 4,
  OPT_SINCE = 8,
};

typedef struct ctl_opts {
  const char *name;  /* "query", "scripts reload": for messages */
  const char *usage; /* printed for -h and after usage errors */
  const char *config;
  const char *socket;
  bool json, no_follow;
  const char *limit, *since; /* raw; the command checks them */
  char **args;               /* positional arguments after the command */
  int n_args;
} ctl_opts;

/* Limits (cli_control_set_limits). */
extern unsigned ctl_timeout_ms, ctl_retry_ms;
extern size_t ctl_max_line;

/* ctl_timeout_ms as text: "30 s", or "400 ms" below a second. */
const char *ctl_timeout_text(void);

int ctl_usage_error(const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parses argv (argv[0] the command; `skip` more words, e.g. "reload",
 * are not options).  Returns -1 to go on, else the exit code. */
int ctl_parse(int argc, char **argv, int skip, unsigned accepted, ctl_opts *o);

/* The socket path: -S, else [control] socket of the configuration.
 * Returns -1 with *path set (free it), else the exit code. */
int ctl_socket_path(const ctl_opts *o, char **path);

/* Called for each "event" line before the final one; returns 0 to go on
 * or an exit code to stop. */
typedef int (*ctl_event_fn)(const json_t *line, void *udata);

/* Connects, sends req and reads up to the final line, waiting at most
 * ctl_timeout_ms for each line.  Returns -1 with *answer set (ok true),
 * else the exit code after printing the error ("wirehook NAME: ..." for
 * the daemon's own errors). */
int ctl_request(const ctl_opts *o, const json_t *req, ctl_event_fn on_event,
                void *udata, json_t **answer);

/* Prints a JSON value as one compact line on stdout. */
void ctl_print_json(const json_t *j);

/* ---- formatting (cli_control_fmt.c) ---- */

/* "90s", "5m", "2h", "7d", "1h30m", "500ms"; a bare number is seconds. */
int fmt_parse_duration(const char *s, uint64_t *ms);
/* Local time "2026-11-26 23:49:16" (".123" added with_ms). */
void fmt_local_time(char *out, size_t cap, int64_t ms, bool with_ms);
/* "512 B", "1.5 KiB", "3.2 GiB" */
void fmt_bytes(char *out, size_t cap, uint64_t n);
/* "1d 2h 3m", "2h 3m", "3m 4s", "4s" */
void fmt_uptime(char *out, size_t cap, uint64_t seconds);
/* Terminal columns a UTF-8 string takes (one per code point). */
size_t fmt_width(const char *s);
/* A copy where bytes a terminal would act on (control characters, C1
 * codes) are written as \xNN, so daemon text cannot move the cursor or
 * change colours.  keep_lines leaves tabs and newlines alone (console
 * lines); a table cell must not have them.  NULL when out of memory. */
char *fmt_clean(const char *s, bool keep_lines);
/* The same for n bytes that may hold NULs (written as \x00). */
char *fmt_clean_n(const char *s, size_t n, bool keep_lines);
/* A copy cut to `width` columns, ending with "…" when cut. */
char *fmt_cut(const char *s, size_t width);
/* True when colours may be written to fd: a terminal, NO_COLOR unset. */
bool fmt_color(int fd);
/* Columns of the terminal on stdout; 0 when stdout is not one. */
size_t fmt_term_width(void);

/* ---- JSON getters that accept anything the daemon sends ---- */

/* The value at a dotted path ("request.method"), or NULL. */
const json_t *jget(const json_t *o, const char *path);
/* The string at path, or dflt when missing or not a string. */
const char *jstr(const json_t *o, const char *path, const char *dflt);
/* The number at path as an unsigned count (0 when missing or negative). */
uint64_t juint(const json_t *o, const char *path);
/* The same for a value. */
uint64_t juint_of(const json_t *v);
/* True when the value at path is JSON true. */
bool jtrue(const json_t *o, const char *path);

/* ---- tables (cli_control_table.c) ---- */

#define TABLE_MAX_COLS 12

typedef struct table_cell {
  char *text;        /* cleaned */
  const char *color; /* escape sequence or NULL */
} table_cell;

typedef struct table {
  size_t n_cols, n_rows, cap;
  table_cell *cells;
  bool right[TABLE_MAX_COLS]; /* right-aligned columns */
  int shrink;                 /* column cut to fit the width, or -1 */
  size_t indent;              /* spaces before each line */
} table;

void table_init(table *t, size_t n_cols);
/* Adds a row of n_cols strings (NULL prints as ""). 0 or -1. */
int table_add(table *t, const char *const *cells);
/* Colours one cell of the last row (when the output takes colours). */
void table_color(table *t, size_t col, const char *color);
/* Prints aligned columns separated by two spaces.  With max_width > 0
 * the shrink column is cut so lines fit, if that alone can do it. */
void table_print(const table *t, FILE *f, size_t max_width, bool color);
void table_free(table *t);

#endif
