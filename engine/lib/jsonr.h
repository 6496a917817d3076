/* jsonr.h - a bounded JSON reader for request bodies (RFC 8259).
 *
 * fl_jsonr_parse() checks a whole document and cuts it into tokens in an
 * array the caller gives (no allocation): an object, array, string, number,
 * true, false or null each take one token, holding its byte range and the
 * index just past its subtree, so a lookup skips a member's value in one step.
 * A document is refused whole when it is not JSON, nests deeper than
 * FL_JSONR_MAX_DEPTH, needs more tokens than given, or holds a string that is
 * not valid UTF-8 once unescaped: the peer sent it, so nothing in it is
 * trusted. Any thread; the reader keeps no state of its own. */
#ifndef FL_JSONR_H
#define FL_JSONR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

#define FL_JSONR_MAX_DEPTH 16

enum fl_jsonr_type {
	FL_JSONR_OBJECT,
	FL_JSONR_ARRAY,
	FL_JSONR_STRING,
	FL_JSONR_NUMBER,
	FL_JSONR_TRUE,
	FL_JSONR_FALSE,
	FL_JSONR_NULL,
};

/* One value. start/end: its bytes in the source (a string's without the
 * quotes, still escaped); next: the index of the token after its subtree;
 * n_children: members of an object (each a key token then a value's subtree)
 * or items of an array. */
struct fl_jsonr_tok {
	enum fl_jsonr_type type;
	uint32_t start, end, next, n_children;
};

struct fl_jsonr {
	const char *src;
	size_t len;
	struct fl_jsonr_tok *toks; /* borrowed */
	size_t n, cap;
};

/* Parses src[len] (at most UINT32_MAX bytes) into toks[cap]; the first token
 * is the document's value. Returns 0, -EINVAL (not JSON, or trailing bytes),
 * -E2BIG (more than cap tokens), -ELOOP (nested too deep), -EILSEQ (a string
 * not valid UTF-8, or holding U+0000: readers hand strings on as C strings).
 * r is set up on success only. */
FL_MUST_CHECK int fl_jsonr_parse(struct fl_jsonr *r, const char *src, size_t len,
				 struct fl_jsonr_tok *toks, size_t cap);

/* The value of member key in the object at index obj, or -1 (no such member,
 * or obj not an object). The last of duplicate members wins. */
long fl_jsonr_member(const struct fl_jsonr *r, size_t obj, const char *key);

/* Copies the string token at index i unescaped and NUL-terminated into
 * out[cap]. Returns its length, -EINVAL (not a string), -ENOSPC (longer than
 * cap - 1). */
FL_MUST_CHECK long fl_jsonr_string(const struct fl_jsonr *r, size_t i, char *out, size_t cap);

/* The integer at index i (a number without fraction or exponent, in range):
 * 0 or -EINVAL. */
FL_MUST_CHECK int fl_jsonr_int(const struct fl_jsonr *r, size_t i, int64_t *out);

#endif /* FL_JSONR_H */
