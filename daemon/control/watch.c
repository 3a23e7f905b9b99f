/* [scripting] watch: inotify on the script directories.  Editors write
 * a file in several steps (create, write, rename), so the thread waits
 * for WATCH_QUIET_MS without events before it asks for one reload. */
#include "config.h"

#include "control/control_internal.h"

#include <errno.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "log.h"

#define WATCH_EVENTS                                                           \
  (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE)

int watch_open(char *const *dirs, size_t n) {
  if (n == 0)
    return -1;
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    log_warn("control: cannot watch the script directories (inotify: %s); "
             "reload with SIGHUP or `wirehook scripts reload`",
             strerror(errno));
    return -1;
  }
  for (size_t i = 0; i < n; i++)
    if (inotify_add_watch(fd, dirs[i], WATCH_EVENTS | IN_ONLYDIR) < 0)
      log_warn("control: cannot watch %s: %s; changes there need SIGHUP or "
               "`wirehook scripts reload`",
               dirs[i], strerror(errno));
  return fd;
}

static bool is_script(const struct inotify_event *ev) {
  if (ev->mask & IN_Q_OVERFLOW)
    return true; /* events were lost: one of them may have been a script */
  size_t n = ev->len ? strnlen(ev->name, ev->len) : 0;
  return n > 3 && memcmp(ev->name + n - 3, ".js", 3) == 0 &&
         !(ev->mask & IN_ISDIR);
}

bool watch_read(int ifd) {
  char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
  bool changed = false;
  ssize_t n;
  while ((n = read(ifd, buf, sizeof(buf))) > 0) {
    for (char *p = buf; p + sizeof(struct inotify_event) <= buf + n;) {
      const struct inotify_event *ev = (const struct inotify_event *)p;
      if (p + sizeof(*ev) + ev->len > buf + n)
        break;
      changed |= is_script(ev);
      p += sizeof(*ev) + ev->len;
    }
  }
  return changed;
}
