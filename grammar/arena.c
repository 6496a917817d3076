#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, madvise */
#include "grammar/arena.h"

#include <errno.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Sanitizers track malloc'd blocks only: map nothing behind their back. */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_MAPS 0
#else
#define ARENA_MAPS 1
#endif

struct chunk {
	struct chunk *next;
	size_t used, size; /* size: bytes of mem */
	size_t mapped;	   /* bytes mapped for the whole chunk; 0: from malloc */
	alignas(max_align_t) unsigned char mem[];
};

/* The cleanup list lives in blocks of its own, filled from the end: a plan
 * of 40,000 regexes defers 80,000 objects, and one malloc each costs more
 * than the release. */
#define CLEANUPS_PER_BLOCK 255

struct cleanup {
	fl_arena_release_fn fn;
	void *obj;
};

struct cleanup_block {
	struct cleanup_block *next;
	size_t n;
	struct cleanup c[CLEANUPS_PER_BLOCK];
};

struct fl_arena {
	struct chunk *head;
	struct cleanup_block *cleanups; /* newest first: released in reverse order */
	size_t bytes;
	size_t next_size; /* the next standard chunk's size, header included */
};

int fl_arena_create(struct fl_arena **out)
{
	struct fl_arena *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	a->next_size = FL_ARENA_CHUNK;
	*out = a;
	return 0;
}

/* size bytes, FL_ARENA_HUGE-aligned, advised onto huge pages; NULL when the
 * mapping fails (the caller falls back to malloc). Over-maps by one huge page
 * and trims the ends, since mmap aligns only to the base page. */
static void *map_huge(size_t size)
{
	size_t span = size + FL_ARENA_HUGE, head;
	unsigned char *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				-1, 0);

	if (p == MAP_FAILED)
		return NULL;
	head = (FL_ARENA_HUGE - (uintptr_t)p % FL_ARENA_HUGE) % FL_ARENA_HUGE;
	if (head)
		(void)munmap(p, head);
	if (span - head > size)
		(void)munmap(p + head + size, span - head - size);
	/* advice only: without THP the chunk is ordinary memory */
	(void)madvise(p + head, size, MADV_HUGEPAGE);
	return p + head;
}

/* A chunk of size bytes, header included. */
static struct chunk *chunk_new(size_t size)
{
	struct chunk *c = NULL;
	size_t mapped = 0;

	if (ARENA_MAPS && size >= FL_ARENA_HUGE) {
		mapped = (size + FL_ARENA_HUGE - 1) & ~(size_t)(FL_ARENA_HUGE - 1);
		if (mapped < size || !(c = map_huge(mapped)))
			mapped = 0;
		else
			size = mapped;
	}
	if (!c)
		c = malloc(size);
	if (!c)
		return NULL;
	c->size = size - sizeof(*c);
	c->used = 0;
	c->mapped = mapped;
	return c;
}

static void chunk_free(struct chunk *c)
{
	if (c->mapped)
		(void)munmap(c, c->mapped);
	else
		free(c);
}

void fl_arena_destroy(struct fl_arena *a)
{
	if (!a)
		return;
	while (a->cleanups) {
		struct cleanup_block *b = a->cleanups;

		while (b->n > 0) {
			b->n--;
			b->c[b->n].fn(b->c[b->n].obj);
		}
		a->cleanups = b->next;
		free(b);
	}
	while (a->head) {
		struct chunk *c = a->head;

		a->head = c->next;
		chunk_free(c);
	}
	free(a);
}

/* Adds a chunk with room for need bytes and returns it. A large request
 * gets a chunk of its own, behind the current one, so it does not waste
 * the rest of a fresh standard chunk; standard chunks double in size. */
static struct chunk *arena_grow(struct fl_arena *a, size_t need)
{
	bool is_own = need > a->next_size / 4;
	size_t size = a->next_size; /* a power of two: a mapped one fills its huge pages */
	struct chunk *c;

	if (is_own && __builtin_add_overflow(need, sizeof(*c), &size))
		return NULL;
	c = chunk_new(size);
	if (!c)
		return NULL;
	a->bytes += c->mapped ? c->mapped : size;
	if (a->head && is_own) {
		c->next = a->head->next; /* keep the current chunk for small ones */
		a->head->next = c;
		return c;
	}
	c->next = a->head;
	a->head = c;
	if (!is_own && a->next_size < FL_ARENA_CHUNK_MAX)
		a->next_size *= 2;
	return c;
}

/* need bytes (a multiple of any alignment asked) at the start of a new chunk. */
static void *take_fresh(struct fl_arena *a, size_t need)
{
	struct chunk *c = arena_grow(a, need);

	if (!c)
		return NULL;
	c->used = need;
	return c->mem;
}

/* n bytes at the next multiple of align (a power of two, at most that of
 * max_align_t) in the current chunk, or in a new one. Inline: it runs once
 * per token of a plan. */
static inline void *arena_take(struct fl_arena *a, size_t n, size_t align)
{
	struct chunk *c = a->head;
	size_t need, at;

	if (__builtin_add_overflow(n ? n : 1, align - 1, &need))
		return NULL;
	need &= ~(align - 1);
	if (c) {
		at = (c->used + align - 1) & ~(align - 1);
		if (at <= c->size && c->size - at >= need) {
			c->used = at + need;
			return c->mem + at;
		}
	}
	return take_fresh(a, need);
}

/* Not zeroed: strdup and the scanner's items overwrite every byte at once,
 * and a large plan has a million tokens. */
void *fl_arena_alloc_raw(struct fl_arena *a, size_t n)
{
	return arena_take(a, n, alignof(max_align_t));
}

void *fl_arena_alloc_packed(struct fl_arena *a, size_t n)
{
	return arena_take(a, n, FL_ARENA_PACKED_ALIGN);
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
	s = arena_take(a, n + 1, 1); /* text needs no alignment */
	if (!s)
		return NULL;
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

int fl_arena_defer(struct fl_arena *a, fl_arena_release_fn fn, void *obj)
{
	struct cleanup_block *b = a->cleanups;

	if (!b || b->n == CLEANUPS_PER_BLOCK) {
		b = malloc(sizeof(*b));
		if (!b)
			return -ENOMEM;
		b->n = 0;
		b->next = a->cleanups;
		a->cleanups = b;
	}
	b->c[b->n++] = (struct cleanup){fn, obj};
	return 0;
}

size_t fl_arena_bytes(const struct fl_arena *a)
{
	return a->bytes;
}
