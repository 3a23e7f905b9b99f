#include "config.h"

#include "queue.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct queue {
  pthread_mutex_t lock;
  pthread_cond_t not_empty, not_full;
  event *ring;
  size_t cap, head, count;
  bool closed;
  bool woken; /* queue_wake: the next wait returns at once */
};

queue *queue_new(size_t capacity) {
  queue *q = calloc(1, sizeof(*q));
  if (!q)
    return NULL;
  q->ring = calloc(capacity ? capacity : 1, sizeof(event));
  if (!q->ring) {
    free(q);
    return NULL;
  }
  q->cap = capacity ? capacity : 1;
  pthread_mutex_init(&q->lock, NULL);
  pthread_cond_init(&q->not_empty, NULL);
  pthread_cond_init(&q->not_full, NULL);
  return q;
}

void queue_free(queue *q) {
  if (!q)
    return;
  for (size_t i = 0; i < q->count; i++)
    json_decref(q->ring[(q->head + i) % q->cap].json);
  pthread_mutex_destroy(&q->lock);
  pthread_cond_destroy(&q->not_empty);
  pthread_cond_destroy(&q->not_full);
  free(q->ring);
  free(q);
}

static void put(queue *q, event ev) {
  q->ring[(q->head + q->count) % q->cap] = ev;
  q->count++;
  pthread_cond_signal(&q->not_empty);
}

void queue_push_wait(queue *q, event ev) {
  pthread_mutex_lock(&q->lock);
  while (q->count == q->cap && !q->closed)
    pthread_cond_wait(&q->not_full, &q->lock);
  if (q->closed)
    json_decref(ev.json);
  else
    put(q, ev);
  pthread_mutex_unlock(&q->lock);
}

bool queue_try_push(queue *q, event ev) {
  pthread_mutex_lock(&q->lock);
  bool ok = q->count < q->cap && !q->closed;
  if (ok)
    put(q, ev);
  pthread_mutex_unlock(&q->lock);
  if (!ok)
    json_decref(ev.json);
  return ok;
}

static void deadline(struct timespec *ts, int ms) {
  clock_gettime(CLOCK_REALTIME, ts);
  ts->tv_sec += ms / 1000;
  ts->tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts->tv_nsec >= 1000000000L) {
    ts->tv_sec++;
    ts->tv_nsec -= 1000000000L;
  }
}

bool queue_pop(queue *q, event *ev, int timeout_ms) {
  struct timespec until;
  deadline(&until, timeout_ms);
  pthread_mutex_lock(&q->lock);
  while (q->count == 0 && !q->closed && !q->woken)
    if (pthread_cond_timedwait(&q->not_empty, &q->lock, &until) == ETIMEDOUT)
      break;
  q->woken = false;
  bool got = q->count > 0;
  if (got) {
    *ev = q->ring[q->head];
    q->head = (q->head + 1) % q->cap;
    q->count--;
    pthread_cond_signal(&q->not_full);
  }
  pthread_mutex_unlock(&q->lock);
  return got;
}

void queue_wake(queue *q) {
  pthread_mutex_lock(&q->lock);
  q->woken = true;
  pthread_cond_broadcast(&q->not_empty);
  pthread_mutex_unlock(&q->lock);
}

size_t queue_capacity(const queue *q) {
  return q->cap;
}

void queue_close(queue *q) {
  pthread_mutex_lock(&q->lock);
  q->closed = true;
  pthread_cond_broadcast(&q->not_empty);
  pthread_cond_broadcast(&q->not_full);
  pthread_mutex_unlock(&q->lock);
}

bool queue_closed(queue *q) {
  pthread_mutex_lock(&q->lock);
  bool c = q->closed && q->count == 0;
  pthread_mutex_unlock(&q->lock);
  return c;
}

size_t queue_depth(queue *q) {
  pthread_mutex_lock(&q->lock);
  size_t n = q->count;
  pthread_mutex_unlock(&q->lock);
  return n;
}
