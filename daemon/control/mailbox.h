/* The two queues between the control thread and the others: requests
 * for the script thread (bounded), and answer lines for the control
 * thread, which an eventfd wakes.  Every function locks; any thread. */
#ifndef WH_CONTROL_MAILBOX_H
#define WH_CONTROL_MAILBOX_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/control.h"

#define MAILBOX_MAX 1024u /* requests waiting for the script thread */

/* One serialized line for a client, ending with "\n". */
typedef struct ctl_line {
  struct ctl_line *next;
  uint64_t client;
  bool final; /* carries "ok": the request is answered */
  bool query; /* answers a query (its output cap is the big one) */
  size_t len;
  char text[];
} ctl_line;

typedef struct mailbox {
  pthread_mutex_t lock;
  ctl_request *req; /* ring of MAILBOX_MAX */
  size_t head, count;
  ctl_line *lines, *last;
  int efd; /* eventfd: something for the control thread */
} mailbox;

/* 0, or -1 with a message in err. */
int mailbox_init(mailbox *m, char *err, size_t errcap);
/* Frees whatever is still queued. */
void mailbox_destroy(mailbox *m);

/* Queues r (its contents are taken); -1 when full (r is left as it
 * was). */
int mailbox_post(mailbox *m, ctl_request *r);
bool mailbox_take(mailbox *m, ctl_request *out);

/* Queues a line (taken) and wakes the control thread. */
void mailbox_put_line(mailbox *m, ctl_line *l);
/* Takes every queued line, oldest first. */
ctl_line *mailbox_take_lines(mailbox *m);

/* Makes the eventfd readable / consumes it. */
void mailbox_wake(mailbox *m);
void mailbox_clear_wake(mailbox *m);

#endif
