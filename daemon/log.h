/* Daemon log: one line per message on stderr ("wirehook: error: ...").
 * Never pass secrets (env values, tokens) to these functions. */
#ifndef WH_LOG_H
#define WH_LOG_H

#include <stdarg.h>

enum { LOG_DEBUG_ = 0, LOG_INFO_ = 1, LOG_WARN_ = 2, LOG_ERROR_ = 3 };

#if defined(__GNUC__)
#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define LOG_PRINTF(a, b)
#endif

/* Messages below this level are not printed (default LOG_INFO_). */
void log_set_level(int level);
int log_get_level(void);
/* Uses colour when stderr is a terminal, unless NO_COLOR is set. */
void log_msg(int level, const char *fmt, ...) LOG_PRINTF(2, 3);
void log_vmsg(int level, const char *prefix, const char *fmt, va_list ap);

/* A script's console line, whole, on stdout (stderr for errors). */
#include <stdbool.h>
#include <stddef.h>
void log_console_line(bool is_error, const char *line, size_t len);

#define log_debug(...) log_msg(LOG_DEBUG_, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO_, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN_, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR_, __VA_ARGS__)

#endif
