/* Merging classic pcap files by timestamp (pcap.snapshot, runtime.md
 * §8.3).  Inputs may be either byte order, microsecond or nanosecond;
 * the output is classic pcap in host byte order with microsecond
 * timestamps, snaplen 262144, and the link type of the first readable
 * input.  Packets are ordered by timestamp (nanosecond precision), ties
 * in input order.  pcapng, other link types and unreadable inputs are
 * skipped with a warning; zero-length records are dropped; a record
 * whose length is corrupt or cut short ends that input with a warning.
 * At most PCAP_MERGE_FANIN inputs are open at once: more are merged in
 * passes through temporary files. */
#ifndef WH_PCAP_MERGE_H
#define WH_PCAP_MERGE_H

#include <stddef.h>
#include <stdio.h>

#define PCAP_MERGE_FANIN 64
#define PCAP_MERGE_SNAPLEN 262144u

typedef struct pcap_merge_io {
  /* Opens input i; returns an fd (the merge closes it) or a negative
   * code (-errno, or WH_ERR_ESCAPE). */
  int (*open)(void *udata, size_t i);
  /* Name of input i for warnings. */
  const char *(*name)(void *udata, size_t i);
  /* One warning line, e.g. "x.pcap: pcapng is not supported; skipped". */
  void (*warn)(void *udata, const char *msg);
  void *udata;
} pcap_merge_io;

/* Writes the merge of inputs 0..n-1 to out (not closed; flushed).  With
 * no readable input the output is a header with default_linktype.
 * Returns 0, or -1 with err set when writing or a temporary file fails. */
int pcap_merge(const pcap_merge_io *io, size_t n, FILE *out,
               int default_linktype, char *err, size_t errcap);

#endif
