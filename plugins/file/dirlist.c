/* Reading a directory's names, for the recursive helpers (delete, tar).
 * All names are read before any is acted on, so that removing entries
 * never disturbs the listing and only one fd per level stays open. */
#include "config.h"

#include "file_plugin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int push_name(char ***names, size_t *n, size_t *cap, const char *name) {
  if (*n + 1 >= *cap) {
    size_t ncap = *cap * 2;
    char **grown = realloc(*names, ncap * sizeof *grown);
    if (!grown)
      return -ENOMEM;
    *names = grown;
    *cap = ncap;
  }
  char *copy = strdup(name);
  if (!copy)
    return -ENOMEM;
  (*names)[(*n)++] = copy;
  (*names)[*n] = NULL;
  return 0;
}

static int read_names(DIR *d, char ***names, size_t *n) {
  size_t cap = 16;
  *names = calloc(cap, sizeof **names); /* empty, terminated */
  if (!*names)
    return -ENOMEM;
  for (;;) {
    errno = 0;
    struct dirent *e = readdir(d);
    if (!e)
      return errno ? -errno : 0;
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    int rc = push_name(names, n, &cap, e->d_name);
    if (rc < 0)
      return rc;
  }
}

int file_list_dir(int fd, char ***names) {
  *names = NULL;
  int dup_fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup_fd < 0)
    return -errno;
  DIR *d = fdopendir(dup_fd);
  if (!d) {
    int rc = -errno;
    close(dup_fd);
    return rc;
  }
  size_t n = 0;
  int rc = read_names(d, names, &n);
  closedir(d);
  if (rc < 0) {
    file_free_names(*names);
    *names = NULL;
    return rc;
  }
  qsort(*names, n, sizeof **names, by_name);
  return 0;
}

void file_free_names(char **names) {
  if (!names)
    return;
  for (char **p = names; *p; p++)
    free(*p);
  free(names);
}
