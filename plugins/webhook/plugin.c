/* The `webhook` plugin: registers vendor.webhook and reads the HTTP
 * options of [plugin.webhook]. */
#include "config.h"

#include "webhook.h"

const wh_api *webhook_api;
wh_plugin *webhook_self;
vh_options webhook_opts;

static const wh_fn_spec fns[] = {
    {"vendor.webhook", "method:s url:s body:S headers:J", webhook_fn, NULL,
     "sends one HTTP request; returns the answer's body for any status"},
};

static const wh_config_key keys[] = {VH_CONFIG_KEYS, {NULL, NULL, NULL}};

static int init(wh_plugin *plugin, const wh_api *api) {
  webhook_api = api;
  webhook_self = plugin;
  return vh_plugin_init(api, plugin, "webhook", &webhook_opts, fns,
                        sizeof fns / sizeof fns[0]);
}

WH_EXPORT const wh_plugin_info wirehook_plugin_info = {
    .abi_major = WH_ABI_MAJOR,
    .abi_minor = WH_ABI_MINOR,
    .name = "webhook",
    .version = PACKAGE_VERSION,
    .description = "vendor.webhook: HTTP requests to any endpoint",
    .config_keys = keys,
    .init = init,
    .fini = vh_plugin_fini,
};
