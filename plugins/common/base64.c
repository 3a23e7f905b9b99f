/* Base64, standard alphabet (RFC 4648 §4): Basic and ApiKey credentials,
 * Elastic Cloud IDs, and the encoded forms of secrets to scrub. */
#include "config.h"

#include "vendor_http.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void vh_base64(vh_buf *b, const void *p, size_t n) {
  const unsigned char *s = p;
  size_t i = 0;
  for (; i + 2 < n; i += 3) {
    char q[4] = {alphabet[s[i] >> 2],
                 alphabet[((s[i] & 3) << 4) | (s[i + 1] >> 4)],
                 alphabet[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)],
                 alphabet[s[i + 2] & 63]};
    vh_buf_add(b, q, 4);
  }
  if (i < n) {
    unsigned a = s[i], c = i + 1 < n ? s[i + 1] : 0;
    char q[4] = {alphabet[a >> 2], alphabet[((a & 3) << 4) | (c >> 4)],
                 i + 1 < n ? alphabet[(c & 15) << 2] : '=', '='};
    vh_buf_add(b, q, 4);
  }
  if (!b->p)
    vh_buf_add(b, "", 0);
}

static int value_of(char ch) {
  if (ch >= 'A' && ch <= 'Z')
    return ch - 'A';
  if (ch >= 'a' && ch <= 'z')
    return ch - 'a' + 26;
  if (ch >= '0' && ch <= '9')
    return ch - '0' + 52;
  if (ch == '+')
    return 62;
  if (ch == '/')
    return 63;
  return -1;
}

int vh_base64_decode(const char *s, size_t n, vh_buf *out) {
  while (n > 0 && s[n - 1] == '=')
    n--;
  if (n % 4 == 1)
    return -1;
  unsigned acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    int v = value_of(s[i]);
    if (v < 0)
      return -1;
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      char byte = (char)((acc >> bits) & 0xFF);
      vh_buf_add(out, &byte, 1);
    }
  }
  /* Leftover bits must be zero in a canonical encoding; other decoders
   * ignore them, and so do we. */
  if (!out->p)
    vh_buf_add(out, "", 0);
  return out->failed ? -1 : 0;
}
