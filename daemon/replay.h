/* Replays stored items (JSON lines) through the scripts. */
#ifndef WH_REPLAY_H
#define WH_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct vm vm;

typedef struct replay_stats {
  uint64_t lines, items, bad_lines;
} replay_stats;

typedef enum replay_format {
  REPLAY_JSONL,
  REPLAY_PCAP,
  REPLAY_PCAPNG,
  REPLAY_UNKNOWN
} replay_format;

/* Detects the format from the first bytes of the file. */
replay_format replay_detect(const char *path, int *err);

/* Each line one item (item-model.md).  Bad lines are reported with their
 * line number and skipped.  With json_out every item is printed to out as
 * one JSON line.  Returns 0, or -1 if the file cannot be read. */
int replay_jsonl(vm *v, const char *path, FILE *json_out, replay_stats *st);

#endif
