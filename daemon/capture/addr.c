/* Address helpers shared by the decoder, the flow table and items. */
#include "config.h"

#include "capture/packet.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

/* glibc's inet_ntop already writes RFC 5952 text (lower case, the
 * longest zero run compressed, no single-group "::"). */
const char *addr_to_text(const wh_addr *a, char *buf, size_t cap) {
  if (!buf || cap == 0)
    return buf;
  buf[0] = '\0';
  if (!a || (a->family != 4 && a->family != 6))
    return buf;
  int af = a->family == 4 ? AF_INET : AF_INET6;
  if (!inet_ntop(af, a->bytes, buf, cap > 1024 ? 1024 : (socklen_t)cap))
    buf[0] = '\0';
  return buf;
}

bool addr_equal(const wh_addr *a, const wh_addr *b) {
  if (a->family != b->family)
    return false;
  size_t n = a->family == 4 ? 4 : a->family == 6 ? 16 : 0;
  return memcmp(a->bytes, b->bytes, n) == 0;
}
