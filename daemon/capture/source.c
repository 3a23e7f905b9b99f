#include "config.h"

#include "capture/source.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/options.h"

struct cap_source {
  pcap_t *p;
  FILE *file; /* for progress of file captures */
  uint64_t file_size;
  char error[PCAP_ERRBUF_SIZE + 64];
  bool live, failed;
  int fd; /* live: selectable descriptor, polled with a timeout */
};

static int apply_filter(cap_source *s, const char *filter, char *err,
                        size_t errcap) {
  struct bpf_program prog;
  if (!filter || !*filter)
    return 0;
  if (pcap_compile(s->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
    snprintf(err, errcap, "[capture] filter: \"%s\": %s", filter,
             pcap_geterr(s->p));
    return -1;
  }
  int rc = pcap_setfilter(s->p, &prog);
  pcap_freecode(&prog);
  if (rc < 0)
    snprintf(err, errcap, "[capture] filter: %s", pcap_geterr(s->p));
  return rc < 0 ? -1 : 0;
}

cap_source *source_open_file(const char *path, const char *filter, char *err,
                             size_t errcap) {
  char ebuf[PCAP_ERRBUF_SIZE] = "";
  cap_source *s = calloc(1, sizeof(*s));
  if (!s) {
    snprintf(err, errcap, "out of memory");
    return NULL;
  }
  s->file = fopen(path, "rb");
  if (!s->file) {
    snprintf(err, errcap, "%s: %s", path, strerror(errno));
    free(s);
    return NULL;
  }
  struct stat st;
  if (fstat(fileno(s->file), &st) == 0)
    s->file_size = (uint64_t)st.st_size;
  /* Nanoseconds whatever the file holds, so timestamps keep their
   * precision in items and stored PCAPs. */
  s->p = pcap_fopen_offline_with_tstamp_precision(
      s->file, PCAP_TSTAMP_PRECISION_NANO, ebuf);
  if (!s->p) {
    snprintf(err, errcap, "%s: not a capture file libpcap can read (%s)", path,
             ebuf);
    fclose(s->file);
    free(s);
    return NULL;
  }
  if (apply_filter(s, filter, err, errcap) < 0) {
    source_close(s);
    return NULL;
  }
  return s;
}

/* pcap_activate's warnings and errors, as one line. */
static int activate(cap_source *s, const capture_opts *o, char *err,
                    size_t errcap) {
  int rc = pcap_activate(s->p);
  if (rc >= 0)
    return 0;
  const char *why = pcap_geterr(s->p);
  const char *hint =
      rc == PCAP_ERROR_PERM_DENIED      ? "run as root or grant CAP_NET_RAW"
      : rc == PCAP_ERROR_NO_SUCH_DEVICE ? "check the interface name (ip link)"
                                        : "check [capture] interface";
  snprintf(err, errcap, "capture on %s: %s; %s", o->interface,
           why && *why ? why : pcap_statustostr(rc), hint);
  return -1;
}

cap_source *source_open_live(const capture_opts *o, char *err, size_t errcap) {
  char ebuf[PCAP_ERRBUF_SIZE] = "";
  cap_source *s = calloc(1, sizeof(*s));
  if (!s)
    return NULL;
  s->live = true;
  s->p = pcap_create(o->interface, ebuf);
  if (!s->p) {
    snprintf(err, errcap, "capture on %s: %s", o->interface, ebuf);
    free(s);
    return NULL;
  }
  pcap_set_snaplen(s->p, (int)o->snaplen);
  pcap_set_promisc(s->p, o->promiscuous);
  pcap_set_buffer_size(s->p, (int)o->buffer_size);
  pcap_set_immediate_mode(s->p, o->immediate);
  pcap_set_timeout(s->p, 100); /* wake up to notice stop and timers */
  pcap_set_tstamp_precision(s->p, PCAP_TSTAMP_PRECISION_NANO);
  if (activate(s, o, err, errcap) < 0 ||
      apply_filter(s, o->filter, err, errcap) < 0) {
    source_close(s);
    return NULL;
  }
  /* Immediate mode ignores the read timeout, so the capture thread would
   * sleep in the kernel until a packet came and never see a stop request
   * or run its timers: read without blocking and wait in poll instead. */
  if (pcap_setnonblock(s->p, 1, ebuf) < 0 ||
      (s->fd = pcap_get_selectable_fd(s->p)) < 0) {
    snprintf(err, errcap, "capture on %s: cannot poll: %s", o->interface, ebuf);
    source_close(s);
    return NULL;
  }
  return s;
}

void source_close(cap_source *s) {
  if (!s)
    return;
  if (s->p)
    pcap_close(s->p); /* closes s->file too */
  else if (s->file)
    fclose(s->file);
  free(s);
}

int source_linktype(const cap_source *s) {
  return pcap_datalink(s->p);
}

int source_next(cap_source *s, cap_frame *f) {
  struct pcap_pkthdr *h;
  const u_char *data;
  int rc = pcap_next_ex(s->p, &h, &data);
  if (rc == 1) {
    bool nano = pcap_get_tstamp_precision(s->p) == PCAP_TSTAMP_PRECISION_NANO;
    f->ts.tv_sec = h->ts.tv_sec;
    f->ts.tv_nsec = nano ? h->ts.tv_usec : h->ts.tv_usec * 1000L;
    f->data = data;
    f->caplen = h->caplen;
    f->len = h->len;
    return 1;
  }
  if (rc == 0) {
    if (s->live) {
      struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
      poll(&pfd, 1, 100);
    }
    return 0;
  }
  if (rc == PCAP_ERROR_BREAK)
    return s->live ? 0 : -1;
  if (rc == PCAP_ERROR) {
    snprintf(s->error, sizeof(s->error), "%s", pcap_geterr(s->p));
    s->failed = true;
  }
  return -1;
}

void source_interrupt(cap_source *s) {
  pcap_breakloop(s->p);
}

const char *source_error(const cap_source *s) {
  return s->failed ? s->error : NULL;
}

uint64_t source_kernel_drops(cap_source *s) {
  struct pcap_stat st;
  if (!s->live || pcap_stats(s->p, &st) < 0)
    return 0;
  return (uint64_t)st.ps_drop + st.ps_ifdrop;
}

void source_progress(cap_source *s, uint64_t *done, uint64_t *total) {
  long pos = s->file ? ftell(s->file) : -1;
  *done = pos > 0 ? (uint64_t)pos : 0;
  *total = s->file_size;
}
