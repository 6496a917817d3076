/* The heap on transparent huge pages: what the kernel says of the mapping. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/heap.h"
#include "engine/lib/limits.h"

/* The VmFlags of the mapping that holds p, from /proc/self/smaps. */
static bool vm_flags_of(const void *p, char *flags, size_t size)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[600];
	bool in = false, found = false;

	cr_assert_not_null(f);
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
		else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			snprintf(flags, size, "%s", line + 8);
			found = true;
		}
	}
	fclose(f);
	return found;
}

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
