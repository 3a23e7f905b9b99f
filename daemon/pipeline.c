#include "config.h"

#include "pipeline.h"

#include <ifaddrs.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture/source.h"
#include "capture/streams.h"
#include "cfg.h"
#include "datadir.h"
#include "helpers/pcap_context.h"
#include "log.h"
#include "queue.h"
#include "resolve.h"
#include "store/pcap_store.h"
#include "jobs/scheduler.h"
#include "vm.h"

#define MAX_OWN_ADDRS 64

typedef struct run {
  const pipeline_opts *o;
  cap_source *src;
  capture_side cs;
  queue *q;
  pthread_mutex_t names_lock;
  resolver *names;
  pcap_store *store;
  wh_addr own[MAX_OWN_ADDRS];
  char worker[128];
  volatile int capture_done;
  int rc;
} run;

/* The host's addresses: an item whose client is one of them is outgoing,
 * and the first IPv4 one of the interface is the default node IP. */
static size_t own_addresses(wh_addr *out, size_t cap, const char *iface,
                            char *first_ip, size_t ipcap) {
  struct ifaddrs *ifa, *i;
  size_t n = 0;
  if (getifaddrs(&ifa) < 0)
    return 0;
  for (i = ifa; i && n < cap; i = i->ifa_next) {
    if (!i->ifa_addr)
      continue;
    wh_addr a = {0};
    if (i->ifa_addr->sa_family == AF_INET) {
      a.family = 4;
      memcpy(a.bytes, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
      if (iface && strcmp(iface, i->ifa_name) == 0 && !*first_ip)
        addr_to_text(&a, first_ip, ipcap);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      a.family = 6;
      memcpy(a.bytes, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
    } else {
      continue;
    }
    out[n++] = a;
  }
  freeifaddrs(ifa);
  return n;
}

static int open_names(run *r, char *err, size_t errcap) {
  const wh_config *cfg = r->o->cfg;
  r->names = resolver_new(65536, 10000);
  if (!r->names)
    return -1;
  const char *hosts = cfg_list_value(&cfg->resolve, "hosts");
  /* A replay looks names up at packet times, which may be long past:
   * static names hold from the beginning of time. */
  time_t since = r->o->file ? 0 : time(NULL);
  if (hosts && resolver_load_hosts(r->names, hosts, since, err, errcap) < 0)
    return -1;
  const char *learn = cfg_list_value(&cfg->resolve, "learn_dns");
  r->cs.learn_dns = !learn || strcmp(learn, "false") != 0;
  return 0;
}

static int open_store(run *r, char *err, size_t errcap) {
  uint64_t max_size = 0, max_age = 0;
  const char *v = cfg_list_value(&r->o->cfg->storage, "max_size");
  if (v && parse_size(v, &max_size) < 0) {
    snprintf(err, errcap, "[storage] max_size: \"%s\" is not a size", v);
    return -1;
  }
  v = cfg_list_value(&r->o->cfg->storage, "max_age");
  if (v && parse_duration_ms(v, &max_age) < 0) {
    snprintf(err, errcap, "[storage] max_age: \"%s\" is not a duration", v);
    return -1;
  }
  pcap_store_opts so = {.linktype = source_linktype(r->src),
                        .snaplen = r->o->cap.snaplen,
                        .max_open = 256,
                        .max_size = max_size,
                        .max_age_s = max_age / 1000};
  r->store = pcap_store_open(&so, err, errcap);
  helper_pcap_set_context(r->names, &r->names_lock, max_age / 1000);
  return r->store ? 0 : -1;
}

static void stats_line(run *r) {
  const capture_counters *c = &r->cs.c;
  const decode_stats *d = decoder_stats(r->cs.dec);
  const flow_stats *f = flow_table_stats(r->cs.flows);
  log_info("stats: packets %llu, bytes %llu, items %llu, queue %zu; dropped: "
           "items %llu, packets %llu, kernel %llu, bad %llu, non-ip %llu, "
           "fragments %llu, tcp-gaps %llu bytes, flow-cap %llu, "
           "bytes-cap %llu, orphan-responses %llu",
           (unsigned long long)c->packets, (unsigned long long)c->bytes,
           (unsigned long long)c->items, queue_depth(r->q),
           (unsigned long long)c->dropped_items,
           (unsigned long long)c->dropped_packets,
           (unsigned long long)source_kernel_drops(r->src),
           (unsigned long long)(d->bad_link + d->bad_ip + d->bad_l4),
           (unsigned long long)(d->unknown_link + d->other_l4),
           (unsigned long long)(d->frag_dropped + d->frag_expired),
           (unsigned long long)f->gap_bytes,
           (unsigned long long)(f->evicted + f->dropped_flow_cap),
           (unsigned long long)f->dropped_total_cap,
           (unsigned long long)(r->cs.http.orphan_responses +
                                r->cs.dns.orphan_responses));
}

static void progress(run *r, time_t started, bool final) {
  uint64_t done, total;
  source_progress(r->src, &done, &total);
  double secs = (double)(time(NULL) - started);
  double rate = secs > 0 ? (double)r->cs.c.items / secs : 0;
  double pct = total ? 100.0 * (double)done / (double)total : 0;
  long eta = done && secs > 0 && total > done
                 ? (long)(secs * (double)(total - done) / (double)done)
                 : 0;
  fprintf(stderr,
          "\r%5.1f%%  %llu/%llu MB  %llu items  %.0f items/s  ETA %lds ", pct,
          (unsigned long long)(done >> 20), (unsigned long long)(total >> 20),
          (unsigned long long)r->cs.c.items, rate, eta);
  if (final)
    fputc('\n', stderr);
}

static void *capture_thread(void *arg) {
  run *r = arg;
  const pipeline_opts *o = r->o;
  cap_frame f;
  time_t started = time(NULL), last_stats = started, last_retain = started;
  time_t last_bar = 0;
  int rc;
  while (!(o->stop && *o->stop) && (rc = source_next(r->src, &f)) >= 0) {
    time_t now = time(NULL);
    if (rc == 1)
      capture_side_frame(&r->cs, &f.ts, f.data, f.caplen, f.len);
    else if (!o->file) {
      struct timespec wall;
      clock_gettime(CLOCK_REALTIME, &wall);
      capture_side_tick(&r->cs, &wall);
    }
    if (now - last_retain >= 10) {
      pcap_store_retain(r->store, now);
      last_retain = now;
    }
    if (o->cap.stats_interval_s && !o->file &&
        now - last_stats >= (time_t)o->cap.stats_interval_s) {
      stats_line(r);
      last_stats = now;
    }
    if (o->progress && now != last_bar) {
      progress(r, started, false);
      last_bar = now;
    }
  }
  if (source_error(r->src)) {
    log_error("capture: %s", source_error(r->src));
    r->rc = 1;
  }
  if (!o->file)
    stats_line(r);
  capture_side_finish(&r->cs); /* unanswered requests become items */
  if (o->progress)
    progress(r, started, true);
  queue_close(r->q);
  r->capture_done = 1;
  return NULL;
}

/* The script thread: items and packets to the hooks, and due jobs in
 * between (before every event, so a flood of items cannot delay them). */
static void consume(run *r) {
  event ev;
  for (;;) {
    int64_t wait = r->o->vm ? vm_run_jobs(r->o->vm, jobs_now_ms(), 200) : 200;
    if (!queue_pop(r->q, &ev, (int)wait)) {
      if (queue_closed(r->q))
        break;
      continue;
    }
    if (ev.kind == EV_ITEM) {
      if (r->o->json_out) {
        json_dumpf(ev.json, r->o->json_out, JSON_COMPACT);
        fputc('\n', r->o->json_out);
      }
      if (r->o->vm)
        vm_item_captured(r->o->vm, ev.json);
    } else if (r->o->vm) {
      vm_packet_captured(r->o->vm, ev.json);
    }
    json_decref(ev.json);
  }
  if (r->o->json_out)
    fflush(r->o->json_out);
}

static int open_source(run *r, char *err, size_t errcap) {
  const pipeline_opts *o = r->o;
  if (o->file)
    r->src = source_open_file(o->file, o->cap.filter, err, errcap);
  else if (!o->cap.interface)
    snprintf(err, errcap,
             "no interface to capture on; use -i IFACE or "
             "[capture] interface");
  else
    r->src = source_open_live(&o->cap, err, errcap);
  return r->src ? 0 : -1;
}

static void item_identity(run *r) {
  const wh_config *cfg = r->o->cfg;
  static char first_ip[64];
  first_ip[0] = '\0';
  size_t n = own_addresses(r->own, MAX_OWN_ADDRS, r->o->cap.interface, first_ip,
                           sizeof(first_ip));
  const char *ip = cfg->node_ip && *cfg->node_ip ? cfg->node_ip : first_ip;
  if (cfg->node_worker && *cfg->node_worker)
    snprintf(r->worker, sizeof(r->worker), "%s", cfg->node_worker);
  else
    snprintf(r->worker, sizeof(r->worker), "%s:8897", ip);
  r->cs.items = (item_ctx){.node_name = cfg->node_name ? cfg->node_name : "",
                           .node_ip = ip,
                           .worker = r->worker,
                           .names = r->names,
                           .own = r->own,
                           .n_own = n};
}

static int start(run *r) {
  char err[1024] = "";
  const pipeline_opts *o = r->o;
  if (open_source(r, err, sizeof(err)) < 0 ||
      open_names(r, err, sizeof(err)) < 0 ||
      open_store(r, err, sizeof(err)) < 0) {
    log_error("%s", err[0] ? err : "out of memory");
    return 2;
  }
  if (!o->file)
    log_info("capturing on %s%s%s", o->cap.interface,
             o->cap.filter ? " with filter " : "",
             o->cap.filter ? o->cap.filter : "");
  r->q = queue_new(o->cap.queue_size);
  item_identity(r);
  r->cs.opts = &o->cap;
  r->cs.names_lock = &r->names_lock;
  r->cs.q = r->q;
  r->cs.wait = o->file != NULL;
  r->cs.packet_events = o->vm && vm_has_hook(o->vm, VM_HOOK_PACKET_CAPTURED);
  r->cs.store = r->store;
  r->cs.linktype = source_linktype(r->src);
  if (!r->q || capture_side_init(&r->cs) < 0) {
    log_error("out of memory");
    return 1;
  }
  return 0;
}

int pipeline_run(const pipeline_opts *o) {
  run r = {.o = o};
  pthread_mutex_init(&r.names_lock, NULL);
  int rc = start(&r);
  if (rc == 0) {
    pthread_t tid;
    if (pthread_create(&tid, NULL, capture_thread, &r) != 0) {
      log_error("cannot start the capture thread");
      rc = 1;
    } else {
      consume(&r);
      pthread_join(tid, NULL);
      rc = r.rc;
    }
  }
  helper_pcap_set_context(NULL, NULL, 0);
  queue_free(r.q);
  pcap_store_close(r.store);
  resolver_free(r.names);
  source_close(r.src);
  pthread_mutex_destroy(&r.names_lock);
  return rc;
}
