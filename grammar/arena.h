/* arena.h - bump allocation for a plan's AST, symbols, strings and program.
 *
 * An arena owns a list of chunks; allocations are never freed one by one,
 * fl_arena_destroy() releases them all at once. Chunks grow geometrically,
 * from FL_ARENA_CHUNK to FL_ARENA_CHUNK_MAX, so a small plan stays small and
 * a large one takes few chunks. A chunk of FL_ARENA_HUGE bytes or more is
 * mapped on its own, aligned to a huge page and advised MADV_HUGEPAGE: a
 * plan of 10,000 patterns builds an AST of tens of MB, and on 4 KiB pages
 * its page faults are a large part of the start. Where the kernel gives no
 * transparent huge pages the advice does nothing; sanitizer builds take
 * every chunk from malloc, so the leak checker still sees them.
 *
 * What an arena cannot hold (PCRE2 code, JIT memory) goes on its cleanup
 * list: fl_arena_defer() registers a release function, and
 * fl_arena_destroy() runs them in reverse order before freeing the chunks.
 * Single-threaded: one compiler fills it, then the plan is read-only and
 * any thread may read what it holds. */
#ifndef FL_ARENA_H
#define FL_ARENA_H
#include <stddef.h>

#include "engine/lib/compiler.h"

#define FL_ARENA_CHUNK (64u * 1024)		/* the first chunk */
#define FL_ARENA_CHUNK_MAX (32u * 1024 * 1024)	/* where doubling stops */
#define FL_ARENA_HUGE (2u * 1024 * 1024)	/* a huge page: chunks this big are mapped */
#define FL_ARENA_PACKED_ALIGN 8u

struct fl_arena;
typedef void (*fl_arena_release_fn)(void *obj);

/* Lifecycle. create: 0 or -ENOMEM. destroy: accepts NULL. */
int fl_arena_create(struct fl_arena **out) FL_MUST_CHECK;
void fl_arena_destroy(struct fl_arena *a);

/* Operations. alloc: zeroed, aligned for any type; NULL when out of memory or
 * when n would overflow. strdup copies n bytes and adds a NUL, packed with
 * no alignment (a plan's 350,000 strings would waste 8 bytes each). defer: 0 or
 * -ENOMEM (obj is then NOT released by the arena: the caller still owns it). */
void *fl_arena_alloc(struct fl_arena *a, size_t n);
/* alloc_raw: the same, not zeroed, for a caller that writes every byte.
 * alloc_packed: not zeroed either, and aligned to FL_ARENA_PACKED_ALIGN only,
 * enough for pointers and 64-bit integers: the AST's 700,000 nodes of a
 * large plan would leave 8 bytes each unused on average at 16. */
void *fl_arena_alloc_raw(struct fl_arena *a, size_t n);
void *fl_arena_alloc_packed(struct fl_arena *a, size_t n);
char *fl_arena_strdup(struct fl_arena *a, const char *p, size_t n);
int fl_arena_defer(struct fl_arena *a, fl_arena_release_fn fn, void *obj) FL_MUST_CHECK;

/* Queries: bytes obtained for chunks (from malloc or mapped), for the benchmark. */
size_t fl_arena_bytes(const struct fl_arena *a);

#endif /* FL_ARENA_H */
