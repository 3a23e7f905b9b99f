#include "config.h"

#include "control/mailbox.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

int mailbox_init(mailbox *m, char *err, size_t errcap) {
  memset(m, 0, sizeof(*m));
  m->req = calloc(MAILBOX_MAX, sizeof(ctl_request));
  if (!m->req) {
    snprintf(err, errcap, "control: out of memory");
    return -1;
  }
  m->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (m->efd < 0) {
    snprintf(err, errcap, "control: eventfd: %s", strerror(errno));
    free(m->req);
    return -1;
  }
  pthread_mutex_init(&m->lock, NULL);
  return 0;
}

void mailbox_destroy(mailbox *m) {
  ctl_request r;
  while (mailbox_take(m, &r))
    ctl_request_free(&r);
  ctl_line *l = mailbox_take_lines(m);
  while (l) {
    ctl_line *next = l->next;
    free(l);
    l = next;
  }
  free(m->req);
  close(m->efd);
  pthread_mutex_destroy(&m->lock);
}

int mailbox_post(mailbox *m, ctl_request *r) {
  int rc = -1;
  pthread_mutex_lock(&m->lock);
  if (m->count < MAILBOX_MAX) {
    m->req[(m->head + m->count) % MAILBOX_MAX] = *r;
    m->count++;
    rc = 0;
  }
  pthread_mutex_unlock(&m->lock);
  return rc;
}

bool mailbox_take(mailbox *m, ctl_request *out) {
  bool got = false;
  pthread_mutex_lock(&m->lock);
  if (m->count) {
    *out = m->req[m->head];
    m->head = (m->head + 1) % MAILBOX_MAX;
    m->count--;
    got = true;
  }
  pthread_mutex_unlock(&m->lock);
  return got;
}

void mailbox_put_line(mailbox *m, ctl_line *l) {
  l->next = NULL;
  pthread_mutex_lock(&m->lock);
  if (m->last)
    m->last->next = l;
  else
    m->lines = l;
  m->last = l;
  pthread_mutex_unlock(&m->lock);
  mailbox_wake(m);
}

ctl_line *mailbox_take_lines(mailbox *m) {
  pthread_mutex_lock(&m->lock);
  ctl_line *l = m->lines;
  m->lines = m->last = NULL;
  pthread_mutex_unlock(&m->lock);
  return l;
}

void mailbox_wake(mailbox *m) {
  uint64_t one = 1;
  /* Non-blocking: a full counter already means "awake". */
  ssize_t n = write(m->efd, &one, sizeof(one));
  (void)n;
}

void mailbox_clear_wake(mailbox *m) {
  uint64_t v;
  ssize_t n = read(m->efd, &v, sizeof(v));
  (void)n;
}
