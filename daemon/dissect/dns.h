/* DNS dissector: parses messages (UDP payloads, or TCP messages without
 * their 2-byte length prefix) into the `request` and `response` objects
 * of item-model.md §8, and pairs queries with responses by message id.
 * Name decompression is bounded (no loops, no reads outside the message,
 * names at most 255 bytes). */
#ifndef WH_DNS_H
#define WH_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct json_t json_t;

typedef struct dns_header {
  uint16_t id;
  bool qr; /* response */
  uint8_t opcode, rcode;
  uint16_t qdcount, ancount, nscount, arcount;
} dns_header;

/* Parses the 12-byte header; false if the message is shorter. */
bool dns_parse_header(const uint8_t *msg, size_t len, dns_header *h);
/* True when msg looks like a DNS message (header sane, first question
 * parses). */
bool dns_probe(const uint8_t *msg, size_t len);

/* {opCode, questions:[{name,type,class}]}; NULL if malformed. */
json_t *dns_request_json(const uint8_t *msg, size_t len);
/* {code, answers, authorities, additionals}; NULL if malformed. */
json_t *dns_response_json(const uint8_t *msg, size_t len);

/* Names learned from an answer: for each A/AAAA record, the address and
 * the question name it answers (following CNAME chains back to the
 * name asked).  family is 4 or 6. */
typedef void (*dns_learn_fn)(void *udata, int family, const uint8_t *addr,
                             const char *name);
void dns_learn(const uint8_t *msg, size_t len, dns_learn_fn fn, void *udata);

/* Pairing, per flow. */
typedef struct dns_exchange {
  json_t *request, *response; /* new references; response {} if none */
  int client_dir;
  struct timespec req_ts, resp_ts;
  uint64_t request_size, response_size;
  const char *error_type, *error_msg; /* NULL, "timeout", "pair-not-found" */
} dns_exchange;

typedef void (*dns_emit_fn)(void *udata, dns_exchange *x);

typedef struct dns_stats {
  uint64_t queries, responses, exchanges;
  uint64_t orphan_responses, malformed, pending_dropped;
} dns_stats;

typedef struct dns_conn dns_conn;

/* tcp: messages arrive as a byte stream with 2-byte length prefixes. */
dns_conn *dns_new(bool tcp, uint32_t max_pending, dns_emit_fn emit, void *udata,
                  dns_stats *stats);
void dns_free(dns_conn *c);
/* Calls fn (as dns_learn does) for every response the connection parses,
 * UDP or TCP, before it is paired. */
void dns_set_learn(dns_conn *c, dns_learn_fn fn, void *udata);
/* UDP: one datagram.  TCP: stream bytes (gap as in http1_feed). */
void dns_feed(dns_conn *c, int dir, const uint8_t *data, size_t len, bool gap,
              const struct timespec *ts);
void dns_close(dns_conn *c, const struct timespec *ts);
void dns_expire(dns_conn *c, const struct timespec *now, uint32_t timeout_ms);

#endif
