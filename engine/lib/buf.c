#include "engine/lib/buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fl_buf_init(struct fl_buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
	b->overflowed = false;
}

void fl_buf_free(struct fl_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
	b->alloc = 0;
	b->overflowed = false;
}

void fl_buf_reset(struct fl_buf *b)
{
	b->len = 0;
	b->overflowed = false;
	if (b->p)
		b->p[0] = '\0';
}

/* Makes room for n more bytes plus the NUL, doubling up to the cap. */
static int buf_reserve(struct fl_buf *b, size_t n)
{
	size_t need, alloc;
	char *p;

	if (__builtin_add_overflow(b->len, n, &need) || need > b->max) {
		b->overflowed = true;
		return -EMSGSIZE;
	}
	if (need + 1 <= b->alloc)
		return 0;
	alloc = b->alloc ? b->alloc : 64;
	while (alloc < need + 1)
		alloc = alloc > b->max / 2 ? b->max + 1 : alloc * 2;
	p = realloc(b->p, alloc);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->alloc = alloc;
	return 0;
}

int fl_buf_add(struct fl_buf *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);

	if (rc < 0)
		return rc;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int fl_buf_addc(struct fl_buf *b, char c)
{
	return fl_buf_add(b, &c, 1);
}

int fl_buf_adds(struct fl_buf *b, const char *s)
{
	return fl_buf_add(b, s, strlen(s));
}

int fl_buf_printf(struct fl_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	rc = buf_reserve(b, (size_t)n);
	if (rc < 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}
