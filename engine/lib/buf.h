/* buf.h - a growable byte buffer with a hard cap (curl's dynbuf idea).
 *
 * The buffer owns its bytes (malloc'd); fl_buf_free() releases them. Every
 * append checks the cap first: an append that would pass it appends nothing,
 * returns -EMSGSIZE and sets `overflowed`, so callers may append a whole record
 * and check once at the end. The content is always NUL-terminated for
 * convenience; len does not count the NUL. */
#ifndef FL_BUF_H
#define FL_BUF_H
#include <stdbool.h>
#include <stddef.h>

#include "engine/lib/compiler.h"

struct fl_buf {
	char *p;
	size_t len, alloc, max;
	bool overflowed;
};

/* Lifecycle. max: the largest len the buffer may reach (> 0). No allocation
 * happens until the first append. fl_buf_free() leaves an empty buffer that
 * may be reused with the same max. */
void fl_buf_init(struct fl_buf *b, size_t max);
void fl_buf_free(struct fl_buf *b);

/* Operations. Return 0, -ENOMEM, or -EMSGSIZE (cap hit; nothing appended). */
int fl_buf_add(struct fl_buf *b, const void *p, size_t n);
int fl_buf_addc(struct fl_buf *b, char c);
int fl_buf_adds(struct fl_buf *b, const char *s);
int fl_buf_printf(struct fl_buf *b, const char *fmt, ...) FL_PRINTF(2, 3);
void fl_buf_reset(struct fl_buf *b); /* len = 0, keeps memory, clears overflowed */

#endif /* FL_BUF_H */
