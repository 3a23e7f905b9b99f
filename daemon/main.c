#include "config.h"

#include <stdio.h>

#include "cli.h"

int main(int argc, char **argv) {
  /* Console lines of scripts are whole lines; keep them in order with the
   * log on stderr when both go to one terminal or file. */
  setvbuf(stdout, NULL, _IOLBF, 0);
  return cli_main(argc, argv);
}
