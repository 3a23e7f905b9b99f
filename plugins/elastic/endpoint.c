/* Where a document goes: the url argument, or an Elastic Cloud ID
 * ("label:base64(host$es_uuid[$kb_uuid])"). */
#include "config.h"

#include "elastic.h"

#include <string.h>

/* Characters a host or uuid of a Cloud ID may hold: enough for names,
 * ports and IPv6 literals, nothing that would change the URL's shape. */
static bool plain(const char *s, size_t n) {
  if (n == 0)
    return false;
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
              ch == ':' || ch == '[' || ch == ']';
    if (!ok)
      return false;
  }
  return true;
}

int elastic_cloud_base(const char *cloud_id, vh_buf *out) {
  const char *colon = strrchr(cloud_id, ':');
  const char *enc = colon ? colon + 1 : cloud_id;
  vh_buf dec = {0};
  int rc = -1;
  if (vh_base64_decode(enc, strlen(enc), &dec) < 0 ||
      strlen(vh_buf_cstr(&dec)) != dec.len)
    goto done;
  const char *host = vh_buf_cstr(&dec);
  const char *d1 = strchr(host, '$');
  if (!d1)
    goto done;
  const char *uuid = d1 + 1, *d2 = strchr(uuid, '$');
  size_t hlen = (size_t)(d1 - host);
  size_t ulen = d2 ? (size_t)(d2 - uuid) : strlen(uuid);
  if (!plain(host, hlen) || !plain(uuid, ulen) || memchr(uuid, ':', ulen))
    goto done;
  vh_buf_str(out, "https://");
  vh_buf_add(out, uuid, ulen);
  vh_buf_add(out, ".", 1);
  vh_buf_add(out, host, hlen);
  vh_url u;
  rc = out->failed || vh_url_parse(out->p, &u) < 0 ? -1 : 0;
done:
  vh_buf_free(&dec);
  return rc;
}

int elastic_base(vh_call *c, const char *url, const char *cloud_id,
                 vh_buf *out) {
  if (*url) {
    vh_url u;
    if (vh_url_parse(url, &u) < 0)
      return vh_type_error(c, "url must be an http:// or https:// URL");
    size_t n = strlen(url);
    vh_buf_add(out, url, n && url[n - 1] == '/' ? n - 1 : n);
    return out->failed ? vh_error(c, "out of memory") : 0;
  }
  if (!*cloud_id)
    return vh_type_error(c, "url or cloudID is required");
  if (elastic_cloud_base(cloud_id, out) < 0)
    return vh_type_error(c, "invalid Cloud ID");
  return 0;
}
