/* hello: an example wirehook plugin, built out of tree against the
 * installed SDK (see README.md).
 *
 * It registers two functions for scripts:
 *   hello.greet(name, punctuation?)  -> "<greeting>, <name><punctuation>"
 *   hello.sum(values)                -> the sum of an array of numbers
 * and reads one configuration key, `greeting`, from [plugin.hello].
 *
 * Everything the plugin needs from the daemon comes through the wh_api
 * table given to init; it links against nothing but jansson. */
#include <wirehook/plugin.h>

#include <jansson.h>
#include <stdio.h>

/* Both are valid from init until fini returns. */
static const wh_api *api;
static const char *greeting;

/* hello.greet(name:s, punctuation:S).  argv[0] is a string (the host
 * throws for a missing name), argv[1] a string or null. */
static int greet(wh_call *call, json_t *const *argv, size_t argc,
                 json_t **result) {
  (void)argc;
  const char *name = json_string_value(argv[0]);
  const char *punct =
      json_is_string(argv[1]) ? json_string_value(argv[1]) : "!";
  /* json_sprintf needs jansson 2.11; the host requires 2.13. */
  *result = json_sprintf("%s, %s%s", greeting, name, punct);
  if (!*result)
    return api->throw_error(call, "out of memory");
  return WH_OK;
}

/* hello.sum(values:j): argv[0] is any JSON value (the host converted it
 * by JSON rules), so the plugin checks its type itself. */
static int sum(wh_call *call, json_t *const *argv, size_t argc,
               json_t **result) {
  (void)argc;
  size_t i;
  json_t *v;
  double total = 0;
  if (!json_is_array(argv[0]))
    return api->throw_type(call, "values must be an array of numbers");
  json_array_foreach(argv[0], i, v) {
    if (!json_is_number(v))
      return api->throw_type(call, "values[%zu] is not a number", i);
    total += json_number_value(v);
  }
  *result = json_real(total); /* a new reference, stolen by the host */
  return WH_OK;
}

/* Static: the host keeps pointers to these strings. */
static const wh_fn_spec functions[] = {
    {"hello.greet", "name:s punctuation:S", greet, NULL,
     "returns \"<greeting>, <name><punctuation>\" (punctuation defaults to !)"},
    {"hello.sum", "values:j", sum, NULL,
     "returns the sum of an array of numbers"},
};

static const wh_config_key config_keys[] = {
    {"greeting", "Hello", "first word of hello.greet's answer"},
    {NULL, NULL, NULL},
};

static int init(wh_plugin *plugin, const wh_api *host) {
  api = host;
  greeting = api->config(plugin, "greeting"); /* never NULL: has a default */
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++)
    if (api->register_fn(plugin, &functions[i]) < 0)
      return -1; /* the host has logged why */
  api->log(plugin, WH_LOG_INFO, "ready, greeting \"%s\"", greeting);
  return 0;
}

static void fini(wh_plugin *plugin) {
  (void)plugin;
  api = NULL;
  greeting = NULL;
}

/* The one symbol the daemon looks for. */
WH_EXPORT const wh_plugin_info wirehook_plugin_info = {
    .abi_major = WH_ABI_MAJOR,
    .abi_minor = WH_ABI_MINOR,
    .name = "hello",
    .version = "1.0.0",
    .description = "example plugin from the wirehook SDK",
    .config_keys = config_keys,
    .init = init,
    .fini = fini,
};
