/* The JavaScript heap's allocator: malloc with a running total, so that a
 * script that allocates without end gets "alloc failed" (a RangeError it
 * sees, and the log explains) instead of taking the daemon's memory. */
#include "config.h"

#include <stdlib.h>

#include "duk_unit.h"
#include "vm_internal.h"

/* Native builtins allocate as they work; every so many allocations the
 * allocator looks at the clock, so a loop around slow native calls is
 * interrupted soon after its time is up, not 256K instructions later. */
#define CLOCK_EVERY 64

static void watch_clock(vm *v) {
  if (!v->in_call || v->timed_out || !v->heap || ++v->alloc_ticks % CLOCK_EVERY)
    return;
  if (vm_now_ns() > v->deadline_ns)
    wh_duk_interrupt_soon(v->heap);
}

/* Each block starts with its size; 16 bytes keep malloc's alignment. */
#define HDR 16

void *vm_alloc(void *udata, duk_size_t size) {
  vm *v = udata;
  watch_clock(v);
  if (v->heap_cap && v->heap_used + size > v->heap_cap) {
    v->heap_refused = true;
    return NULL;
  }
  unsigned char *p = malloc(size + HDR);
  if (!p)
    return NULL;
  *(size_t *)p = size;
  v->heap_used += size;
  return p + HDR;
}

void vm_free_block(void *udata, void *ptr) {
  vm *v = udata;
  if (!ptr)
    return;
  unsigned char *p = (unsigned char *)ptr - HDR;
  v->heap_used -= *(size_t *)p;
  free(p);
}

void *vm_realloc(void *udata, void *ptr, duk_size_t size) {
  vm *v = udata;
  if (!ptr)
    return vm_alloc(udata, size);
  if (size == 0) {
    vm_free_block(udata, ptr);
    return NULL;
  }
  watch_clock(v);
  unsigned char *p = (unsigned char *)ptr - HDR;
  size_t old = *(size_t *)p;
  if (v->heap_cap && size > old && v->heap_used + (size - old) > v->heap_cap) {
    v->heap_refused = true;
    return NULL;
  }
  unsigned char *q = realloc(p, size + HDR);
  if (!q)
    return NULL;
  *(size_t *)q = size;
  v->heap_used = v->heap_used - old + size;
  return q + HDR;
}
