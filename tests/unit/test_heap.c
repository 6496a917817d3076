/* The heap on transparent huge pages: what the kernel says of the mapping. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/heap.h"
#include "engine/lib/limits.h"
#include "tests/unit/smaps.h"

/* Blocks below the mmap threshold stay in the heap; a block's header is
 * all malloc writes of it, so the heap grows in address space and takes
 * little memory. */
enum { BLOCK = 16 << 20, MAX_BLOCKS = 64 };

static char *blocks[MAX_BLOCKS];
static int n_blocks;

/* Allocates blocks until the heap holds at least bytes of them; the last. */
static char *grow_to(size_t bytes)
{
	while ((size_t)n_blocks * BLOCK < bytes) {
		cr_assert_lt(n_blocks, MAX_BLOCKS);
		blocks[n_blocks] = malloc(BLOCK);
		cr_assert_not_null(blocks[n_blocks]);
		n_blocks++;
	}
	return blocks[n_blocks - 1];
}

static void free_blocks(void)
{
	while (n_blocks > 0)
		free(blocks[--n_blocks]);
}

Test(heap, advises_huge_pages_for_the_heap_as_it_grows, .fini = free_blocks)
{
	char flags[600];
	char *last;

	if (!fl_heap_hugepages())
		cr_skip_test("no heap to advise: a sanitizer's allocator, or a kernel without "
			     "transparent huge pages");
	/* the start: twice the loop's step, and no call to follow it */
	last = grow_to(2 * (size_t)FL_HEAP_STEP);
	cr_assert(vm_flags_of(last, flags, sizeof(flags)));
	cr_expect(strstr(flags, " hg") != NULL, "a block the start grew to: VmFlags:%s", flags);
	/* (the heap's first bytes, up to a huge page's boundary, are not) */
	cr_assert(vm_flags_of(blocks[0] + BLOCK / 2, flags, sizeof(flags)));
	cr_expect(strstr(flags, " hg") != NULL, "the first block: VmFlags:%s", flags);
	/* the engine's loop: past what the start took, followed */
	fl_heap_started();
	last = grow_to((size_t)FL_HEAP_START_STEP + 2 * (size_t)FL_HEAP_STEP);
	fl_heap_follow();
	cr_assert(vm_flags_of(last, flags, sizeof(flags)));
	cr_expect(strstr(flags, " hg") != NULL, "a block past the start: VmFlags:%s", flags);
}
