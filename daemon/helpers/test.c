/* test.pass / test.fail (runtime.md §8.1). */
#include "config.h"

#include "vm_internal.h"

static duk_ret_t mark(duk_context *ctx, const char *helper, const char *key) {
  if (!duk_is_object(ctx, 0) || duk_is_function(ctx, 0))
    return duk_type_error(ctx, "%s: obj must be an object", helper);
  duk_push_true(ctx);
  duk_put_prop_string(ctx, 0, key);
  duk_dup(ctx, 0);
  return 1;
}

static duk_ret_t test_pass(duk_context *ctx) {
  return mark(ctx, "test.pass", "passed");
}
static duk_ret_t test_fail(duk_context *ctx) {
  return mark(ctx, "test.fail", "failed");
}

void helper_test_install(duk_context *ctx) {
  static const duk_function_list_entry fns[] = {
      {"pass", test_pass, 1}, {"fail", test_fail, 1}, {NULL, NULL, 0}};
  duk_push_object(ctx);
  duk_put_function_list(ctx, -1, fns);
  duk_put_global_string(ctx, "test");
}
