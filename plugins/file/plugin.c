/* The `file` plugin: registers the file.* helpers (runtime spec §8.2).
 * All of them work beneath the data directory through the host's confined
 * resolver; this file holds only the plugin's identity and registration. */
#include "config.h"

#include "file_plugin.h"

const wh_api *file_api;

static const wh_fn_spec fns[] = {
    {"file.write", "path:s content:b", file_write, NULL,
     "creates or truncates a file and writes content"},
    {"file.append", "path:s content:b", file_append, NULL,
     "creates a file if missing and appends content"},
    {"file.move", "oldPath:s newPath:s", file_move, NULL,
     "renames a file or directory; returns the final path"},
    {"file.copy", "srcPath:s dstPath:s", file_copy, NULL,
     "copies a regular file; returns the final path"},
    {"file.delete", "path:s", file_delete, NULL,
     "removes a path recursively; a missing path is fine"},
    {"file.mkdir", "path:s", file_mkdir, NULL,
     "creates a directory and its parents"},
    {"file.mkdirTemp", "name:S dir:S", file_mkdir_temp, NULL,
     "creates a uniquely named directory; returns its path"},
    {"file.temp", "name:S dir:S extension:S", file_temp, NULL,
     "creates a uniquely named empty file; returns its path"},
    {"file.tar", "dir:s", file_tar, NULL,
     "archives the regular files under dir into wirehook_<s>.tar.gz"},
};

static int init(wh_plugin *plugin, const wh_api *api) {
  file_api = api;
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
    if (api->register_fn(plugin, &fns[i]) < 0)
      return -1; /* the host has logged why */
  return 0;
}

WH_EXPORT const wh_plugin_info wirehook_plugin_info = {
    .abi_major = WH_ABI_MAJOR,
    .abi_minor = WH_ABI_MINOR,
    .name = "file",
    .version = PACKAGE_VERSION,
    .description = "file.* helpers, confined to the data directory",
    .config_keys = NULL,
    .init = init,
    .fini = NULL,
};
