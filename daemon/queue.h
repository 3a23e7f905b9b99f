/* The bounded queue between the capture thread and the script thread. */
#ifndef WH_QUEUE_H
#define WH_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct json_t json_t;

typedef enum event_kind { EV_ITEM, EV_PACKET } event_kind;

typedef struct event {
  event_kind kind;
  json_t *json; /* owned by the queue while queued */
} event;

typedef struct queue queue;

queue *queue_new(size_t capacity);
/* Frees the queue and whatever it still holds. */
void queue_free(queue *q);
/* Waits for room (replay: every item is delivered). */
void queue_push_wait(queue *q, event ev);
/* Live capture never waits: false (and ev.json freed) when full. */
bool queue_try_push(queue *q, event ev);
/* Waits up to timeout_ms for an event; false on timeout or when closed
 * and empty (queue_closed tells which). */
bool queue_pop(queue *q, event *ev, int timeout_ms);
/* Makes a waiting (or the next) queue_pop return at once, so the script
 * thread sees a control request or a stop without waiting for an item.
 * Any thread. */
void queue_wake(queue *q);
size_t queue_capacity(const queue *q);
/* No more pushes; pop drains what is left, then returns false. */
void queue_close(queue *q);
bool queue_closed(queue *q);
size_t queue_depth(queue *q);

#endif
