/* The heap on transparent huge pages: what the kernel says of the mapping. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/heap.h"
#include "engine/lib/limits.h"
#include "tests/unit/smaps.h"

Test(heap, advises_huge_pages_for_the_heap_as_it_grows)
{
	enum { BLOCK = 1 << 20, BLOCKS = 3 * (FL_HEAP_STEP / BLOCK) };
	char flags[600];
	char **blocks = calloc(BLOCKS, sizeof(*blocks));

	cr_assert_not_null(blocks);
	if (!fl_heap_hugepages())
		cr_skip_test("no heap to advise: a sanitizer's allocator, or a kernel without "
			     "transparent huge pages");
	/* blocks below the mmap threshold, past the first step: the heap grows */
	for (int i = 0; i < BLOCKS; i++) {
		blocks[i] = malloc(BLOCK);
		cr_assert_not_null(blocks[i]);
		memset(blocks[i], 1, BLOCK);
	}
	fl_heap_follow();
	cr_assert(vm_flags_of(blocks[BLOCKS - 1], flags, sizeof(flags)));
	cr_expect(strstr(flags, " hg") != NULL, "the last block: VmFlags:%s", flags);
	cr_assert(vm_flags_of(blocks[10], flags, sizeof(flags)));
	cr_expect(strstr(flags, " hg") != NULL, "a block of the first step: VmFlags:%s", flags);
	for (int i = 0; i < BLOCKS; i++)
		free(blocks[i]);
	free(blocks);
}
