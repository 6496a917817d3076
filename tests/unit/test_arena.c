/* The arena: alignment, zeroing, geometric chunks, huge-page chunks and the
 * order of its cleanups. */
#include <criterion/criterion.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "grammar/arena.h"
#include "tests/unit/smaps.h"

static void record(void *obj)
{
	int *slot = obj;
	static int order;

	*slot = ++order;
}

Test(arena, allocations_are_aligned_zeroed_and_distinct)
{
	struct fl_arena *a = NULL;
	unsigned char *prev = NULL;

	cr_assert_eq(fl_arena_create(&a), 0);
	for (size_t n = 0; n < 3000; n++) {
		unsigned char *p = fl_arena_alloc(a, n % 97);

		cr_assert_not_null(p);
		cr_assert_eq((uintptr_t)p % alignof(max_align_t), 0, "allocation %zu misaligned", n);
		for (size_t k = 0; k < n % 97; k++)
			cr_assert_eq(p[k], 0);
		memset(p, 0xab, n % 97);
		cr_assert_neq(p, prev);
		prev = p;
	}
	fl_arena_destroy(a);
}

/* 64 MB in small pieces takes a handful of chunks, not a thousand: the
 * bytes obtained stay within twice what was asked (doubling wastes at most
 * the last chunk). */
Test(arena, chunks_grow_geometrically)
{
	struct fl_arena *a = NULL;
	size_t asked = 0;

	cr_assert_eq(fl_arena_create(&a), 0);
	cr_assert_eq(fl_arena_bytes(a), 0);
	(void)fl_arena_alloc_raw(a, 16);
	cr_assert_leq(fl_arena_bytes(a), FL_ARENA_CHUNK, "a small arena stays small");
	while (asked < (64u << 20)) {
		char *p = fl_arena_alloc_raw(a, 112);

		cr_assert_not_null(p);
		p[0] = p[111] = 1;
		asked += 112;
	}
	cr_assert_leq(fl_arena_bytes(a), 2 * asked + FL_ARENA_CHUNK_MAX, "bytes %zu for %zu asked",
		      fl_arena_bytes(a), asked);
	fl_arena_destroy(a);
}

/* A chunk of a huge page or more is its own mapping, advised onto huge
 * pages (the "hg" VmFlag), and usable to its last byte. */
Test(arena, large_chunks_are_advised_huge_pages)
{
	struct fl_arena *a = NULL;
	char flags[600] = "";
	char *big;

	cr_assert_eq(fl_arena_create(&a), 0);
	big = fl_arena_alloc_raw(a, 3 * FL_ARENA_HUGE);
	cr_assert_not_null(big);
	memset(big, 0x5a, 3 * FL_ARENA_HUGE);
	cr_assert_eq(big[3 * FL_ARENA_HUGE - 1], 0x5a);
	cr_assert(vm_flags_of(big, flags, sizeof(flags)));
#if defined(__SANITIZE_ADDRESS__)
	cr_log_info("sanitizer build: chunks come from malloc, nothing to advise");
#else
	cr_assert(strstr(flags, " hg"), "VmFlags:%s", flags);
#endif
	fl_arena_destroy(a);
}

/* Cleanups run newest first, across the blocks that hold them. */
Test(arena, cleanups_run_in_reverse_order)
{
	enum { N = 1000 };
	static int slots[N];
	struct fl_arena *a = NULL;

	cr_assert_eq(fl_arena_create(&a), 0);
	for (int i = 0; i < N; i++)
		cr_assert_eq(fl_arena_defer(a, record, &slots[i]), 0);
	fl_arena_destroy(a);
	for (int i = 0; i + 1 < N; i++)
		cr_assert_eq(slots[i], slots[i + 1] + 1, "cleanup %d ran at %d, %d at %d", i,
			     slots[i], i + 1, slots[i + 1]);
	cr_assert_eq(slots[N - 1], 1);
}

/* Packed allocations keep 8-byte alignment, strings take no padding, and
 * an allocation for any type after them is aligned again. */
Test(arena, packed_and_string_allocations_mix_with_aligned_ones)
{
	struct fl_arena *a = NULL;

	cr_assert_eq(fl_arena_create(&a), 0);
	/* 13 KB in all: within the first chunk, so "end to end" holds */
	for (size_t n = 1; n < 100; n++) {
		char *s = fl_arena_strdup(a, "abcdefghijklmnopqrstuvwxyz", n % 27);
		char *t = fl_arena_strdup(a, "xy", 2);
		void *packed = fl_arena_alloc_packed(a, n);
		void *any = fl_arena_alloc(a, n);

		cr_assert(s && t && packed && any);
		cr_assert_eq(t, s + n % 27 + 1, "strings are packed end to end");
		cr_assert_eq(strncmp(s, "abcdefghijklmnopqrstuvwxyz", n % 27), 0);
		cr_assert_eq(s[n % 27], '\0');
		cr_assert_eq((uintptr_t)packed % FL_ARENA_PACKED_ALIGN, 0);
		cr_assert_eq((uintptr_t)any % alignof(max_align_t), 0);
		memset(packed, 0xff, n);
	}
	fl_arena_destroy(a);
}
