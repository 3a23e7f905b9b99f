/* Certificate fingerprint pinning (vendors.md §5): the handshake succeeds
 * only when a certificate the server presents, the leaf or one of its
 * chain, has the SHA-256 the script gave; CA and host name checks are
 * replaced by that.  OpenSSL only: libcurl hands us its SSL_CTX. */
#include "config.h"

#include "elastic.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <string.h>

static int hex_value(char ch) {
  if (ch >= '0' && ch <= '9')
    return ch - '0';
  ch = (char)(ch | 0x20);
  return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

int elastic_pin_parse(const char *text, elastic_pin *pin) {
  *pin = (elastic_pin){0};
  size_t k = 0;
  for (const char *p = text; *p; p++) {
    if (*p == ':')
      continue;
    int v = hex_value(*p);
    if (v < 0 || k == 64)
      return -1;
    pin->sha256[k / 2] = (unsigned char)(pin->sha256[k / 2] << 4 | v);
    k++;
  }
  return k == 64 ? 0 : -1;
}

static bool matches(X509 *cert, const elastic_pin *pin) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  return cert && X509_digest(cert, EVP_sha256(), md, &n) && n == 32 &&
         CRYPTO_memcmp(md, pin->sha256, 32) == 0;
}

/* Replaces X509_verify_cert for the whole chain the peer sent. */
static int verify(X509_STORE_CTX *ctx, void *data) {
  elastic_pin *pin = data;
  if (matches(X509_STORE_CTX_get0_cert(ctx), pin))
    return 1;
  STACK_OF(X509) *chain = X509_STORE_CTX_get0_untrusted(ctx);
  for (int i = 0; chain && i < sk_X509_num(chain); i++)
    if (matches(sk_X509_value(chain, i), pin))
      return 1;
  pin->refusal = "certificate fingerprint mismatch";
  X509_STORE_CTX_set_error(ctx, X509_V_ERR_CERT_REJECTED);
  return 0;
}

CURLcode elastic_pin_ssl_ctx(CURL *curl, void *ssl_ctx, void *data) {
  (void)curl;
  SSL_CTX_set_cert_verify_callback((SSL_CTX *)ssl_ctx, verify, data);
  return CURLE_OK;
}

bool elastic_pin_supported(void) {
  const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
  return v && v->ssl_version && strstr(v->ssl_version, "OpenSSL");
}
