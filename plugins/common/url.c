/* URLs: which ones a helper accepts, the host label errors and logs
 * show (never a path or query: those are often secrets themselves), and
 * percent-encoding. */
#include "config.h"

#include "vendor_http.h"

#include <stdio.h>
#include <string.h>

static int copy_part(CURLU *u, CURLUPart part, unsigned flags, char *out,
                     size_t cap) {
  char *v = NULL;
  if (curl_url_get(u, part, &v, flags) != CURLUE_OK)
    return -1;
  int rc = snprintf(out, cap, "%s", v) < (int)cap ? 0 : -1;
  curl_free(v);
  return rc;
}

int vh_url_parse(const char *url, vh_url *out) {
  *out = (vh_url){0};
  CURLU *u = curl_url();
  if (!u)
    return -1;
  char scheme[16], host[256], port[16];
  int rc = -1;
  /* Only absolute http(s) URLs: no guessed scheme. */
  if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
      copy_part(u, CURLUPART_SCHEME, 0, scheme, sizeof scheme) < 0 ||
      copy_part(u, CURLUPART_HOST, 0, host, sizeof host) < 0 || !*host)
    goto done;
  if (strcmp(scheme, "http") && strcmp(scheme, "https"))
    goto done;
  out->https = scheme[4] == 's';
  bool explicit_port = copy_part(u, CURLUPART_PORT, 0, port, sizeof port) == 0;
  if (!explicit_port)
    snprintf(port, sizeof port, "%s", out->https ? "443" : "80");
  snprintf(out->host, sizeof out->host, "%s%s%s", host,
           explicit_port ? ":" : "", explicit_port ? port : "");
  snprintf(out->hostport, sizeof out->hostport, "%s:%s", host, port);
  rc = 0;
done:
  curl_url_cleanup(u);
  return rc;
}

void vh_url_encode(vh_buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
        (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' ||
        ch == '~') {
      vh_buf_add(b, &s[i], 1);
    } else {
      char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
      vh_buf_add(b, e, 3);
    }
  }
  if (!b->p) /* "" stays a valid, empty string */
    vh_buf_add(b, "", 0);
}

/* Registers a URL's secret parts: the path and query (webhook and
 * pre-signed URLs are credentials themselves) and any password. */
void vh_secret_url(vh_call *c, const char *url) {
  CURLU *u = curl_url();
  if (!u)
    return;
  if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
    static const CURLUPart parts[] = {CURLUPART_PATH, CURLUPART_QUERY,
                                      CURLUPART_PASSWORD};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
      char *v = NULL;
      if (curl_url_get(u, parts[i], &v, 0) == CURLUE_OK && v && strcmp(v, "/"))
        vh_secret(c, v, strlen(v));
      curl_free(v);
    }
  }
  curl_url_cleanup(u);
  vh_secret(c, url, strlen(url));
}
