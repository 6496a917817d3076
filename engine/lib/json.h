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
#include <string.h>
#ifdef FL_DEBUG
#include <assert.h>
#endif

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

/* FL_JSON_KEY(j, "name"): a key that is a string literal, for writers of
 * many lines with fixed keys (the action stream). The compiler builds the
 * fragment ,"name": and its length, so the key is copied with a few stores
 * and never scanned for escapes. The literal must need no escaping (ASCII
 * letters, digits, '_', '-', '.'); a key from a plan, a network or a peer
 * goes through fl_json_key_n(), which escapes it. Anything but a literal
 * fails to compile. Same commas, nesting and failure as fl_json_key_n(). */
#define FL_JSON_KEY(j, lit) \
	fl_json_key_frag((j), ",\"" lit "\":", sizeof(",\"" lit "\":") - 1)

/* The rest of this block serves FL_JSON_KEY() and is no interface of its
 * own. fl_json_put_slow() appends what does not fit the buffer's current
 * allocation: fl_buf_add() grows it or, at its cap, fails the writer. */
void fl_json_put_slow(struct fl_json *j, const char *p, size_t n);

static inline __attribute__((always_inline)) void fl_json_put(struct fl_json *j, const char *p,
							     size_t n)
{
	struct fl_buf *b = j->out;

	if (!j->failed && b->alloc > b->len + n && b->len + n <= b->max) {
		memcpy(b->p + b->len, p, n);
		b->len += n;
		b->p[b->len] = '\0';
		return;
	}
	fl_json_put_slow(j, p, n);
}

/* frag: ,"key": (len bytes). The comma only after a sibling; a key right
 * after a key gets none, as with fl_json_key_n(). Both copies have a length
 * the compiler knows once this is inlined into FL_JSON_KEY(). */
static inline __attribute__((always_inline)) void fl_json_key_frag(struct fl_json *j,
								  const char *frag, size_t len)
{
	bool comma = !j->after_key && j->has_items[j->depth];

#ifdef FL_DEBUG
	/* debug and sanitizer builds: a literal that needed escaping is a bug */
	for (size_t i = 2; i + 2 < len; i++)
		assert(frag[i] >= 0x20 && frag[i] < 0x7f && frag[i] != '"' && frag[i] != '\\');
#endif

	if (!j->after_key)
		j->has_items[j->depth] = true;
	j->after_key = true;
	if (comma)
		fl_json_put(j, frag, len);
	else
		fl_json_put(j, frag + 1, len - 1);
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
