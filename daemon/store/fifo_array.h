/* An array used as a FIFO: entries [head, head + n) are in use, taken
 * from the front (head++) and added at the back.  The stores keep their
 * files oldest first this way. */
#ifndef WH_FIFO_ARRAY_H
#define WH_FIFO_ARRAY_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for one more entry at the back of *v (entries of `size`
 * bytes): moves the entries to the front once the unused front is as
 * large as the rest, doubles the array when full.  0 or -ENOMEM. */
static inline int fifo_reserve(void **v, size_t size, size_t *head, size_t n,
                               size_t *cap) {
  if (*head > 0 && *head >= n) { /* mostly drained: compact */
    memmove(*v, (char *)*v + *head * size, n * size);
    *head = 0;
  }
  if (*head + n < *cap)
    return 0;
  size_t ncap = *cap ? *cap * 2 : 64;
  void *p = realloc(*v, ncap * size);
  if (!p)
    return -ENOMEM;
  *v = p;
  *cap = ncap;
  return 0;
}

#endif
