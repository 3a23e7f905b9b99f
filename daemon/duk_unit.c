/* duktape, compiled from the distro's amalgamation (copied to the build
 * tree with the config of daemon/duk_overrides.h), together with the one
 * function that needs duktape's internal structures. */
#include "duktape.c"

#include "duk_unit.h"

void wh_duk_interrupt_soon(duk_context *heap) {
  duk_hthread *thr = (duk_hthread *)heap;
  if (thr && thr->heap && thr->heap->curr_thread)
    thr->heap->curr_thread->interrupt_counter = 0;
}
