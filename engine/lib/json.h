/* json.h - a streaming JSON writer on top of struct fl_buf.
 *
 * The writer tracks nesting so callers never place commas themselves. Strings
 * are written as valid JSON whatever their bytes: control characters are
 * escaped and every byte sequence that is not valid UTF-8 becomes U+FFFD, so
 * hostile input cannot break the framing of a JSON Lines stream. Nesting deeper
 * than FL_JSON_MAX_DEPTH marks the writer failed. Errors are sticky: check
 * fl_json_failed() once after writing a whole value. */
#ifndef FL_JSON_H
#define FL_JSON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/buf.h"
#include "engine/lib/str.h"

#define FL_JSON_MAX_DEPTH 32

struct fl_json {
	struct fl_buf *out; /* borrowed */
	int depth;
	bool failed;
	bool after_key;
	bool has_items[FL_JSON_MAX_DEPTH];
};

void fl_json_init(struct fl_json *j, struct fl_buf *out);

void fl_json_obj_begin(struct fl_json *j);
void fl_json_obj_end(struct fl_json *j);
void fl_json_arr_begin(struct fl_json *j);
void fl_json_arr_end(struct fl_json *j);
void fl_json_key_n(struct fl_json *j, const char *key, size_t len);
/* Inline, so that a key written as a literal has its length folded in. */
static inline void fl_json_key(struct fl_json *j, const char *key)
{
	fl_json_key_n(j, key, __builtin_strlen(key));
}

void fl_json_str(struct fl_json *j, const char *p, size_t len);
void fl_json_cstr(struct fl_json *j, const char *s); /* NULL writes null */
void fl_json_fstr(struct fl_json *j, struct fl_str s); /* absent writes null */
void fl_json_int(struct fl_json *j, int64_t v);
void fl_json_uint(struct fl_json *j, uint64_t v);
void fl_json_bool(struct fl_json *j, bool v);
void fl_json_null(struct fl_json *j);
void fl_json_hex(struct fl_json *j, const void *p, size_t len); /* {"hex": "..."} */

bool fl_json_failed(const struct fl_json *j);

#endif /* FL_JSON_H */
