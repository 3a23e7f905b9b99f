/* What the core needs from inside duktape. */
#ifndef WH_DUK_UNIT_H
#define WH_DUK_UNIT_H

#include "duktape.h"

/* Makes the thread that runs now check its time limit at its next
 * bytecode instruction.  duktape checks only every 256K instructions, so a
 * loop around slow native calls (a large join) would otherwise run long
 * past its limit.  Safe to call from the allocator. */
void wh_duk_interrupt_soon(duk_context *heap);

#endif
