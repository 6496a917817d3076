/* smaps.h - what the kernel says of a test's own memory: the VmFlags line
 * of the mapping that holds an address, from /proc/self/smaps ("hg": advised
 * onto transparent huge pages). */
#ifndef FL_TEST_SMAPS_H
#define FL_TEST_SMAPS_H
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static inline bool vm_flags_of(const void *p, char *flags, size_t size)
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
#endif /* FL_TEST_SMAPS_H */
