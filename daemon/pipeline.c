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
#include "script_loop.h"
#include "control/serve.h"

#define MAX_OWN_ADDRS 64

/* The counters `wirehook status` shows, copied by the capture thread
 * (which alone may read its tables) for the script thread to read. */
typedef struct stats_snap {
  bool valid;
  capture_counters c;
  decode_stats d;
  flow_stats f;
  uint64_t kernel, orphans, pcap_bytes, pcap_files;
} stats_snap;

typedef struct run {
  const pipeline_opts *o;
  cap_source *src;
  capture_side cs;
  queue *q;
  pthread_mutex_t names_lock;
  pthread_mutex_t stats_lock; /* guards snap */
  stats_snap snap;
  resolver *names;
  pcap_store *store;
  wh_addr own[MAX_OWN_ADDRS];
  char worker[128];
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

static json_int_t jint(const json_t *o, const char *key) {
  return json_integer_value(json_object_get(o, key));
}

/* Copies the counters (capture thread). */
static void snap_take(run *r, stats_snap *sn) {
  *sn = (stats_snap){.valid = true,
                     .c = r->cs.c,
                     .d = *decoder_stats(r->cs.dec),
                     .f = *flow_table_stats(r->cs.flows),
                     .kernel = source_kernel_drops(r->src),
                     .orphans = r->cs.http.orphan_responses +
                                r->cs.dns.orphan_responses,
                     .pcap_bytes = pcap_store_total_bytes(r->store),
                     .pcap_files = pcap_store_closed_count(r->store) +
                                   pcap_store_open_writers(r->store)};
}

static void snap_publish(run *r) {
  stats_snap sn;
  snap_take(r, &sn);
  pthread_mutex_lock(&r->stats_lock);
  r->snap = sn;
  pthread_mutex_unlock(&r->stats_lock);
}

/* status.capture and status.storage.pcaps for `wirehook status`. */
static void capture_json(run *r, const stats_snap *sn, json_t *st) {
  const capture_counters *c = &sn->c;
  const decode_stats *d = &sn->d;
  const flow_stats *f = &sn->f;
  json_t *dropped = json_pack(
      "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "items",
      (json_int_t)c->dropped_items, "packets", (json_int_t)c->dropped_packets,
      "kernel", (json_int_t)sn->kernel, "bad",
      (json_int_t)(d->bad_link + d->bad_ip + d->bad_l4), "non_ip",
      (json_int_t)(d->unknown_link + d->other_l4), "fragments",
      (json_int_t)(d->frag_dropped + d->frag_expired), "tcp_gap_bytes",
      (json_int_t)f->gap_bytes, "flow_cap",
      (json_int_t)(f->evicted + f->dropped_flow_cap), "bytes_cap",
      (json_int_t)f->dropped_total_cap, "orphan_responses",
      (json_int_t)sn->orphans);
  json_object_set_new(
      st, "capture",
      json_pack("{s:s, s:I, s:I, s:I, s:{s:I, s:I}, s:o}", "interface",
                r->o->file ? r->o->file : r->o->cap.interface, "packets",
                (json_int_t)c->packets, "bytes", (json_int_t)c->bytes, "items",
                (json_int_t)c->items, "queue", "depth",
                (json_int_t)queue_depth(r->q), "capacity",
                (json_int_t)queue_capacity(r->q), "dropped", dropped));
  json_t *storage = json_object_get(st, "storage");
  if (storage)
    json_object_set_new(storage, "pcaps",
                        json_pack("{s:I, s:I}", "bytes",
                                  (json_int_t)sn->pcap_bytes, "files",
                                  (json_int_t)sn->pcap_files));
}

/* On the script thread: the counters as last published. */
static void capture_status(void *udata, json_t *st) {
  run *r = udata;
  pthread_mutex_lock(&r->stats_lock);
  stats_snap sn = r->snap;
  pthread_mutex_unlock(&r->stats_lock);
  if (sn.valid)
    capture_json(r, &sn, st);
}

/* The stats line: the counters of `wirehook status`, in one line (on the
 * capture thread). */
static void stats_line(run *r) {
  stats_snap sn;
  snap_take(r, &sn);
  json_t *st = json_object();
  capture_json(r, &sn, st);
  const json_t *c = json_object_get(st, "capture");
  const json_t *d = json_object_get(c, "dropped");
  log_info("stats: packets %lld, bytes %lld, items %lld, queue %lld; dropped: "
           "items %lld, packets %lld, kernel %lld, bad %lld, non-ip %lld, "
           "fragments %lld, tcp-gaps %lld bytes, flow-cap %lld, "
           "bytes-cap %lld, orphan-responses %lld",
           (long long)jint(c, "packets"), (long long)jint(c, "bytes"),
           (long long)jint(c, "items"),
           (long long)jint(json_object_get(c, "queue"), "depth"),
           (long long)jint(d, "items"), (long long)jint(d, "packets"),
           (long long)jint(d, "kernel"), (long long)jint(d, "bad"),
           (long long)jint(d, "non_ip"), (long long)jint(d, "fragments"),
           (long long)jint(d, "tcp_gap_bytes"), (long long)jint(d, "flow_cap"),
           (long long)jint(d, "bytes_cap"),
           (long long)jint(d, "orphan_responses"));
  json_decref(st);
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
  unsigned frames = 0;
  snap_publish(r);
  while (!(o->stop && *o->stop) && (rc = source_next(r->src, &f)) >= 0) {
    time_t now = time(NULL);
    if (rc == 1)
      capture_side_frame(&r->cs, &f.ts, f.data, f.caplen, f.len);
    else if (!o->file) {
      struct timespec wall;
      clock_gettime(CLOCK_REALTIME, &wall);
      capture_side_tick(&r->cs, &wall);
    }
    /* status sees counters at most 64 frames or one idle turn old */
    if (rc != 1 || ++frames % 64 == 0)
      snap_publish(r);
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
  snap_publish(r);
  capture_side_finish(&r->cs); /* unanswered requests become items */
  pcap_store_retain(r->store, time(NULL)); /* streams ended at the finish */
  if (o->progress)
    progress(r, started, true);
  queue_close(r->q);
  return NULL;
}

/* The script thread's share of the pipeline. */
static void consume(run *r) {
  const pipeline_opts *o = r->o;
  if (o->serve) {
    o->serve->capture_status = capture_status;
    o->serve->capture_udata = r;
  }
  script_loop l = {.q = r->q,
                   .vm = o->vm,
                   .items = o->items,
                   .json_out = o->json_out,
                   .serve = o->serve};
  script_loop_run(&l);
  if (o->serve)
    o->serve->capture_status = NULL;
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
  r->q = o->q ? o->q : queue_new(o->cap.queue_size);
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
  pthread_mutex_init(&r.stats_lock, NULL);
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
  if (r.q != o->q)
    queue_free(r.q);
  pcap_store_close(r.store);
  resolver_free(r.names);
  source_close(r.src);
  pthread_mutex_destroy(&r.names_lock);
  pthread_mutex_destroy(&r.stats_lock);
  return rc;
}
