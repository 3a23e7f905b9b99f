/* An item as one line of JSON, byte for byte what
 * json_dumps(item, JSON_COMPACT) gives, several times faster: jansson's
 * encoder checks for reference loops with a printf and a hash insert per
 * object and array, which costs more than the encoding itself, and the
 * script thread stores every item. */
#ifndef WH_ITEM_LINE_H
#define WH_ITEM_LINE_H

#include <stddef.h>
#include <stdint.h>

typedef struct json_t json_t;

/* Nesting beyond jansson's parser limit could not be read back; a
 * reference loop ends here too. */
#define ITEM_LINE_DEPTH 2048

/* Appends the object as JSON and a newline at (*buf)[*len], growing the
 * buffer (realloc) as needed.  With stamp >= 0, "timestamp":<stamp> is
 * written as the object's first member.  Returns 0; or, leaving *len as
 * it was, -EINVAL (not an object, a string that is not UTF-8, nesting
 * too deep), -E2BIG (longer than max bytes before the newline), -ENOMEM. */
int item_line_append(char **buf, size_t *len, size_t *cap, const json_t *item,
                     int64_t stamp, size_t max);

#endif
