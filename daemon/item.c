#include "config.h"

#include "item.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "resolve.h"

/* protocol objects, copied from Kubeshark's dissectors (item-model §2). */
static json_t *protocol_json(item_proto p, bool tcp) {
  if (p == ITEM_DNS)
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:[], s:s, s:i}", "name",
        "dns", "version", "0", "abbr", "DNS", "longName", "Domain Name System",
        "macro", "dns", "backgroundColor", "#606060", "foregroundColor",
        "#ffffff", "fontSize", 12, "referenceLink",
        "https://www.iana.org/assignments/dns-parameters/dns-parameters.xhtml",
        "ports", "layer4", tcp ? "tcp" : "udp", "priority", 4);
  bool v10 = p == ITEM_HTTP10;
  return json_pack(
      "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:[s,s,s], s:s, s:i}",
      "name", "http", "version", v10 ? "1.0" : "1.1", "abbr", "HTTP",
      "longName",
      v10 ? "Hypertext Transfer Protocol -- HTTP/1.0"
          : "Hypertext Transfer Protocol -- HTTP/1.1",
      "macro", "http", "backgroundColor", "#326de6", "foregroundColor",
      "#ffffff", "fontSize", 12, "referenceLink",
      v10 ? "https://datatracker.ietf.org/doc/html/rfc1945"
          : "https://datatracker.ietf.org/doc/html/rfc2616",
      "ports", "80", "443", "8080", "layer4", "tcp", "priority", 0);
}

static json_t *endpoint_json(const item_ctx *ctx, const wh_addr *a,
                             uint16_t port, time_t t) {
  char ip[64], p[8];
  const char *name = "", *ns = "";
  addr_to_text(a, ip, sizeof(ip));
  snprintf(p, sizeof(p), "%u", port);
  if (ctx->names)
    resolver_lookup(ctx->names, a, t, &name, &ns);
  return json_pack("{s:s, s:s, s:s, s:s}", "ip", ip, "port", p, "name", name,
                   "namespace", ns);
}

void item_time_text(const struct timespec *ts, char *buf, size_t cap) {
  struct tm tm;
  time_t s = ts->tv_sec;
  gmtime_r(&s, &tm);
  size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
  if (ts->tv_nsec) {
    char frac[16];
    snprintf(frac, sizeof(frac), ".%09ld", ts->tv_nsec);
    size_t len = strlen(frac);
    while (len > 1 && frac[len - 1] == '0') /* RFC3339Nano drops zeros */
      frac[--len] = '\0';
    snprintf(buf + n, cap - n, "%sZ", frac);
  } else {
    snprintf(buf + n, cap - n, "Z");
  }
}

static bool is_own(const item_ctx *ctx, const wh_addr *a) {
  for (size_t i = 0; i < ctx->n_own; i++)
    if (addr_equal(&ctx->own[i], a))
      return true;
  return false;
}

static int64_t elapsed_ms(const item_parts *p) {
  if (!p->resp_ts.tv_sec && !p->resp_ts.tv_nsec)
    return 0;
  int64_t ns = (int64_t)(p->resp_ts.tv_sec - p->req_ts.tv_sec) * 1000000000 +
               (p->resp_ts.tv_nsec - p->req_ts.tv_nsec);
  return ns <= 0 ? 0 : (ns + 500000) / 1000000;
}

json_t *item_build(const item_ctx *ctx, item_parts *p) {
  char stream[40], id[160], when[48];
  snprintf(stream, sizeof(stream), "%012llu%s.pcap",
           (unsigned long long)p->stream,
           p->proto == ITEM_DNS && !p->tcp ? "_udp" : "");
  snprintf(id, sizeof(id), "%s/%s-%llu", ctx->worker, stream,
           (unsigned long long)p->index);
  item_time_text(&p->req_ts, when, sizeof(when));
  time_t t = p->req_ts.tv_sec;
  json_t *dst = endpoint_json(ctx, p->server, p->server_port, t);
  json_t *item = json_object();
  json_object_set_new(item, "id", json_string(id));
  json_object_set_new(item, "index", json_integer((json_int_t)p->index));
  json_object_set_new(item, "stream", json_string(stream));
  json_object_set_new(item, "worker", json_string(ctx->worker));
  json_object_set_new(
      item, "node",
      json_pack("{s:s, s:s}", "name", ctx->node_name, "ip", ctx->node_ip));
  json_object_set_new(item, "protocol", protocol_json(p->proto, p->tcp));
  json_object_set_new(item, "tls", json_false());
  json_object_set_new(item, "src",
                      endpoint_json(ctx, p->client, p->client_port, t));
  json_object_set_new(item, "dst", dst);
  json_object_set(item, "namespace", json_object_get(dst, "namespace"));
  json_object_set_new(item, "outgoing", json_boolean(is_own(ctx, p->client)));
  json_object_set_new(item, "timestamp",
                      json_integer((json_int_t)p->req_ts.tv_sec * 1000 +
                                   p->req_ts.tv_nsec / 1000000));
  json_object_set_new(item, "startTime", json_string(when));
  json_object_set_new(item, "request", p->request ? p->request : json_object());
  json_object_set_new(item, "response",
                      p->response ? p->response : json_object());
  p->request = p->response = NULL;
  json_object_set_new(item, "requestSize",
                      json_integer((json_int_t)p->request_size));
  json_object_set_new(item, "responseSize",
                      json_integer((json_int_t)p->response_size));
  json_object_set_new(item, "elapsedTime", json_integer(elapsed_ms(p)));
  json_object_set_new(item, "passed", json_false());
  json_object_set_new(item, "failed", json_false());
  if (p->error_type)
    json_object_set_new(item, "error",
                        json_pack("{s:s, s:s}", "type", p->error_type, "msg",
                                  p->error_msg ? p->error_msg : ""));
  return item;
}
