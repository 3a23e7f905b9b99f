/* One attempt of a request (transfer.c), for the retry loop
 * (request.c).  Internal to the common library. */
#ifndef VH_TRANSFER_H
#define VH_TRANSFER_H

#include "vendor_http.h"

typedef struct vh_attempt {
  CURLcode code;
  long os_errno;       /* of a failed connect, or 0 */
  long connect_status; /* a proxy's answer to CONNECT, or 0 */
  size_t answer_bytes; /* header and body bytes received */
  bool too_big;        /* the answer exceeded max_response */
  bool connected;      /* a connection was made */
  long ms;
  char errbuf[CURL_ERROR_SIZE];
} vh_attempt;

/* Makes one attempt with at most timeout_ms, filling rs (status, body,
 * location, retry_after) and a; logs the debug line.  Returns 0 when an
 * answer arrived, -1 otherwise (a tells why). */
int vh_attempt_once(vh_call *c, const vh_request *rq, const vh_url *u,
                    long timeout_ms, vh_response *rs, vh_attempt *a);

/* Milliseconds of a monotonic clock. */
int64_t vh_now_ms(void);

#endif
