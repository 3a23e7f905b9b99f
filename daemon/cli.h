/* The command line: `wirehook COMMAND [options]` (git-style). */
#ifndef WH_CLI_H
#define WH_CLI_H

/* Exit codes, documented in wirehook(1). */
enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

int cli_main(int argc, char **argv);

#endif
