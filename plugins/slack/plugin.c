/* The `slack` plugin: registers vendor.slack and vendor.slackBot and
 * reads [plugin.slack] (the HTTP options and api_base, the Web API's base
 * URL, which tests and private deployments change). */
#include "config.h"

#include "slack.h"

#include <stdlib.h>
#include <string.h>

const wh_api *slack_api;
wh_plugin *slack_self;
vh_options slack_opts;
const char *slack_api_base;

static const wh_fn_spec fns[] = {
    {"vendor.slack", "webhookUrl:s pretext:s text:s color:s", slack_webhook_fn,
     NULL, "posts an attachment to a Slack incoming webhook"},
    {"vendor.slackBot",
     "token:s channelID:s pretext:s text:s color:s fields:J files:J",
     slack_bot_fn, NULL,
     "posts an attachment with fields and files to a channel; returns its ts"},
};

static const wh_config_key keys[] = {
    VH_CONFIG_KEYS,
    {"api_base", "https://slack.com/api/", "base URL of the Slack Web API"},
    {NULL, NULL, NULL}};

/* api_base with a trailing '/', so that method names append. */
static int load_api_base(const wh_api *api, wh_plugin *plugin) {
  const char *base = api->config(plugin, "api_base");
  vh_url u;
  if (!base || vh_url_parse(base, &u) < 0) {
    api->log(plugin, WH_LOG_ERROR,
             "[plugin.slack] api_base: expected an http:// or https:// URL");
    return -1;
  }
  size_t n = strlen(base);
  char *b = malloc(n + 2);
  if (!b)
    return -1;
  memcpy(b, base, n + 1);
  if (n == 0 || b[n - 1] != '/')
    memcpy(b + n, "/", 2);
  slack_api_base = b;
  return 0;
}

static void fini(wh_plugin *plugin) {
  (void)plugin;
  free((char *)slack_api_base);
  slack_api_base = NULL;
  vh_global_cleanup();
}

static int init(wh_plugin *plugin, const wh_api *api) {
  slack_api = api;
  slack_self = plugin;
  if (load_api_base(api, plugin) < 0)
    return -1;
  if (vh_plugin_init(api, plugin, "slack", &slack_opts, fns,
                     sizeof fns / sizeof fns[0]) < 0) {
    free((char *)slack_api_base);
    slack_api_base = NULL;
    return -1;
  }
  return 0;
}

WH_EXPORT const wh_plugin_info wirehook_plugin_info = {
    .abi_major = WH_ABI_MAJOR,
    .abi_minor = WH_ABI_MINOR,
    .name = "slack",
    .version = PACKAGE_VERSION,
    .description = "vendor.slack, vendor.slackBot: Slack webhooks and Web API",
    .config_keys = keys,
    .init = init,
    .fini = fini,
};
