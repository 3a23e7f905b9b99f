/* The `elastic` plugin: registers vendor.elastic and reads the HTTP
 * options of [plugin.elastic]. */
#include "config.h"

#include "elastic.h"

const wh_api *elastic_api;
wh_plugin *elastic_self;
vh_options elastic_opts;

static const wh_fn_spec fns[] = {
    {"vendor.elastic",
     "url:s index:s data:j username:S password:S cloudID:S apiKey:S "
     "serviceToken:S certificateFingerprint:S",
     elastic_index_fn, NULL,
     "indexes one document into an Elasticsearch index; returns its _id"},
};

static const wh_config_key keys[] = {VH_CONFIG_KEYS, {NULL, NULL, NULL}};

static int init(wh_plugin *plugin, const wh_api *api) {
  elastic_api = api;
  elastic_self = plugin;
  return vh_plugin_init(api, plugin, "elastic", &elastic_opts, fns,
                        sizeof fns / sizeof fns[0]);
}

WH_EXPORT const wh_plugin_info wirehook_plugin_info = {
    .abi_major = WH_ABI_MAJOR,
    .abi_minor = WH_ABI_MINOR,
    .name = "elastic",
    .version = PACKAGE_VERSION,
    .description = "vendor.elastic: documents to Elasticsearch",
    .config_keys = keys,
    .init = init,
    .fini = vh_plugin_fini,
};
