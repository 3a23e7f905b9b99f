/* The commands that talk to a running daemon over the control socket
 * (doc/control.md): console, query, jobs, status and scripts reload.
 * Each takes argv with argv[0] the command name, prints its answer and
 * returns EXIT_OK, EXIT_RUNTIME (cannot connect, daemon error) or
 * EXIT_USAGE (cli.h). */
#ifndef WH_CLI_CONTROL_H
#define WH_CLI_CONTROL_H

#include <stddef.h>

int cmd_console(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_jobs(int argc, char **argv);
int cmd_status(int argc, char **argv);
/* `wirehook scripts reload ...`: argv[0] is "scripts", argv[1] "reload". */
int cmd_scripts_reload(int argc, char **argv);

extern const char usage_console[];
extern const char usage_query[];
extern const char usage_jobs[];
extern const char usage_status[];
extern const char usage_scripts_reload[];

/* For the tests: how long a request waits for each answer line (default
 * 30000 ms), how long the console waits between reconnects (default
 * 1000 ms), and the longest answer line (default 64 MiB).  0 keeps the
 * current value. */
void cli_control_set_limits(unsigned timeout_ms, unsigned retry_ms,
                            size_t max_line);

#endif
