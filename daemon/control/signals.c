/* SIGINT, SIGTERM and SIGHUP, read by the control thread from a
 * signalfd (every thread blocks them, so none is interrupted). */
#include "config.h"

#include "control/control_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "log.h"

int signals_open(char *err, size_t errcap) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0)
    snprintf(err, errcap, "control: signalfd: %s", strerror(errno));
  return fd;
}

static void on_signal(control *c, int signo) {
  if (signo == SIGHUP) {
    dispatch_reload(c, "SIGHUP");
    return;
  }
  if (c->stop)
    *c->stop = signo;
  if (c->wake)
    c->wake(c->wake_udata);
}

void signals_read(control *c) {
  struct signalfd_siginfo si;
  while (read(c->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
    on_signal(c, (int)si.ssi_signo);
}
