/* The control socket file: its directory, a predecessor's socket (stale:
 * replaced; live: refused), mode 0660 and group, and its removal. */
#include "config.h"

#include "control/control_internal.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int find_group(const char *name, gid_t *gid, char *err, size_t errcap) {
  struct group gr, *found = NULL;
  size_t cap = 1024;
  char *buf = NULL;
  int rc;
  do { /* the entry may list many members */
    cap *= 4;
    char *p = realloc(buf, cap);
    if (!p) {
      rc = ENOMEM;
      break;
    }
    buf = p;
    rc = getgrnam_r(name, &gr, buf, cap, &found);
  } while (rc == ERANGE && cap < (1u << 24));
  if (found)
    *gid = gr.gr_gid;
  free(buf);
  if (found)
    return 0;
  if (rc == 0 || rc == ENOENT)
    snprintf(err, errcap,
             "control: group \"%s\" does not exist; create it or change "
             "[control] group",
             name);
  else
    snprintf(err, errcap, "control: cannot look up group \"%s\": %s", name,
             strerror(rc));
  return -1;
}

/* mkdir -p of the socket's directory; what it makes gets mode 0755. */
static int make_dirs(const char *path, char *err, size_t errcap) {
  char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
  snprintf(dir, sizeof(dir), "%s", path);
  char *slash = strrchr(dir, '/');
  if (!slash || slash == dir)
    return 0;
  *slash = '\0';
  for (char *p = dir + 1;; p++) {
    bool last = *p == '\0';
    if (*p != '/' && !last)
      continue;
    *p = '\0';
    if (mkdir(dir, 0755) == 0)
      chmod(dir, 0755); /* whatever the umask */
    else if (errno != EEXIST) {
      snprintf(err, errcap,
               "control: cannot create %s: %s; set [control] socket to a "
               "path this user may create",
               dir, strerror(errno));
      return -1;
    }
    if (last)
      return 0;
    *p = '/';
  }
}

static int connect_to(const struct sockaddr_un *sa) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  int rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
  int e = errno;
  close(fd);
  errno = e;
  return rc;
}

/* A socket left by a daemon that died is removed; one that answers is
 * another daemon's. */
static int clear_old(const struct sockaddr_un *sa, char *err, size_t errcap) {
  struct stat st;
  if (lstat(sa->sun_path, &st) < 0)
    return errno == ENOENT
               ? 0
               : (snprintf(err, errcap, "control: cannot check %s: %s",
                           sa->sun_path, strerror(errno)),
                  -1);
  if (!S_ISSOCK(st.st_mode)) {
    snprintf(err, errcap,
             "control: %s exists and is not a socket; remove it or set "
             "[control] socket to another path",
             sa->sun_path);
    return -1;
  }
  if (connect_to(sa) == 0 || errno == EAGAIN) {
    snprintf(err, errcap,
             "control: another wirehook answers on %s; stop it first, or set "
             "[control] socket to another path",
             sa->sun_path);
    return -1;
  }
  if (errno != ECONNREFUSED) {
    snprintf(err, errcap, "control: cannot check %s: %s", sa->sun_path,
             strerror(errno));
    return -1;
  }
  if (unlink(sa->sun_path) < 0 && errno != ENOENT) {
    snprintf(err, errcap, "control: cannot remove the stale socket %s: %s",
             sa->sun_path, strerror(errno));
    return -1;
  }
  return 0;
}

/* Mode and group are set before listen(): until then a connect is
 * refused, so nobody gets in through looser permissions. */
static int bind_socket(control *c, const struct sockaddr_un *sa,
                       const char *group, gid_t gid, char *err, size_t errcap) {
  const char *path = sa->sun_path;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  struct stat st;
  if (fd < 0) {
    snprintf(err, errcap, "control: socket: %s", strerror(errno));
    return -1;
  }
  if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
    snprintf(err, errcap,
             "control: cannot bind %s: %s; set [control] socket to a path "
             "this user may create",
             path, strerror(errno));
    close(fd);
    return -1;
  }
  if (chmod(path, 0660) < 0 || (group && chown(path, (uid_t)-1, gid) < 0) ||
      stat(path, &st) < 0 || listen(fd, SOMAXCONN) < 0) {
    snprintf(err, errcap, "control: cannot set up %s%s%s: %s", path,
             group ? " for group " : "", group ? group : "", strerror(errno));
    close(fd);
    unlink(path);
    return -1;
  }
  c->sock_dev = st.st_dev;
  c->sock_ino = st.st_ino;
  c->lfd = fd;
  return 0;
}

int server_open(control *c, const char *path, const char *group, char *err,
                size_t errcap) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  gid_t gid = 0;
  if (strlen(path) >= sizeof(sa.sun_path)) {
    snprintf(err, errcap,
             "control: socket path too long (%zu bytes, at most %zu): %s; "
             "set [control] socket to a shorter one",
             strlen(path), sizeof(sa.sun_path) - 1, path);
    return -1;
  }
  memcpy(sa.sun_path, path, strlen(path) + 1);
  if (group && !*group)
    group = NULL;
  if ((group && find_group(group, &gid, err, errcap) < 0) ||
      make_dirs(path, err, errcap) < 0 || clear_old(&sa, err, errcap) < 0)
    return -1;
  return bind_socket(c, &sa, group, gid, err, errcap);
}

void server_remove(control *c) {
  struct stat st;
  /* Only the file made here: not one a later daemon put in its place. */
  if (lstat(c->path, &st) == 0 && st.st_dev == c->sock_dev &&
      st.st_ino == c->sock_ino)
    unlink(c->path);
}
