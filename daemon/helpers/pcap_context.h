/* What the pcap.* helpers need from the running pipeline. */
#ifndef WH_PCAP_CONTEXT_H
#define WH_PCAP_CONTEXT_H

#include <pthread.h>
#include <stdint.h>

typedef struct resolver resolver;

/* The name table (guarded by lock, shared with the capture thread) and
 * the PCAP retention age for nameResolutionHistory; NULL when no capture
 * runs. */
void helper_pcap_set_context(resolver *names, pthread_mutex_t *lock,
                             uint64_t max_age_s);

#endif
