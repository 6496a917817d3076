#include "grammar/arena.h"

#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct chunk {
	struct chunk *next;
	size_t used, size;
	alignas(max_align_t) unsigned char mem[];
};

struct cleanup {
	struct cleanup *next;
	fl_arena_release_fn fn;
	void *obj;
};

struct fl_arena {
	struct chunk *head;
	struct cleanup *cleanups; /* newest first: released in reverse order */
	size_t bytes;
};

int fl_arena_create(struct fl_arena **out)
{
	struct fl_arena *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	*out = a;
	return 0;
}

void fl_arena_destroy(struct fl_arena *a)
{
	if (!a)
		return;
	while (a->cleanups) {
		struct cleanup *c = a->cleanups;

		a->cleanups = c->next;
		c->fn(c->obj);
		free(c);
	}
	while (a->head) {
		struct chunk *c = a->head;

		a->head = c->next;
		free(c);
	}
	free(a);
}

/* Not zeroed: strdup and the scanner's items overwrite every byte at once,
 * and a large plan has a million tokens. */
void *fl_arena_alloc_raw(struct fl_arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	struct chunk *c = a->head;
	size_t need, size;
	void *p;

	if (n == 0)
		n = 1;
	if (__builtin_add_overflow(n, align - 1, &need))
		return NULL;
	need &= ~(align - 1);
	if (!c || c->size - c->used < need) {
		/* A large request gets a chunk of its own, so it does not waste the
		 * rest of a fresh standard chunk. */
		size = need > FL_ARENA_CHUNK / 4 ? need : FL_ARENA_CHUNK;
		if (__builtin_add_overflow(size, sizeof(*c), &size))
			return NULL;
		c = malloc(size);
		if (!c)
			return NULL;
		c->size = size - sizeof(*c);
		c->used = 0;
		a->bytes += size;
		if (a->head && need > FL_ARENA_CHUNK / 4) {
			c->next = a->head->next; /* keep the current chunk for small ones */
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = c->mem + c->used;
	c->used += need;
	return p;
}

void *fl_arena_alloc(struct fl_arena *a, size_t n)
{
	void *p = fl_arena_alloc_raw(a, n);

	if (p)
		memset(p, 0, n);
	return p;
}

char *fl_arena_strdup(struct fl_arena *a, const char *p, size_t n)
{
	char *s;

	if (n == SIZE_MAX)
		return NULL;
	s = fl_arena_alloc_raw(a, n + 1);
	if (!s)
		return NULL;
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

int fl_arena_defer(struct fl_arena *a, fl_arena_release_fn fn, void *obj)
{
	struct cleanup *c = malloc(sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->fn = fn;
	c->obj = obj;
	c->next = a->cleanups;
	a->cleanups = c;
	return 0;
}

size_t fl_arena_bytes(const struct fl_arena *a)
{
	return a->bytes;
}
