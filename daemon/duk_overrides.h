/* wirehook: compiled into duk_config.h at its __OVERRIDE_DEFINES__ hook.
 * The execution-timeout check lets the daemon interrupt a runaway hook
 * (Debian's libduktape is built without it). */
#define DUK_USE_INTERRUPT_COUNTER
#undef DUK_USE_EXEC_TIMEOUT_CHECK
extern int wh_duk_exec_timeout_check(void *udata);
#define DUK_USE_EXEC_TIMEOUT_CHECK(udata) wh_duk_exec_timeout_check((udata))
