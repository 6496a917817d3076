#define _DEFAULT_SOURCE /* sbrk, madvise */
#include "engine/lib/heap.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/lib/limits.h"

#define HUGE_PAGE ((uintptr_t)2 << 20)

/* Process state by nature: there is one heap. Written only from the main
 * thread, which owns the heap's growth (other threads malloc from arenas of
 * their own). */
static struct {
	bool on;
	uintptr_t advised_to; /* the heap below this has been advised */
} heap;

static uintptr_t brk_now(void)
{
	void *p = sbrk(0);

	return p == (void *)-1 ? 0 : (uintptr_t)p;
}

/* Advises [from, to) rounded in to whole huge pages. */
static bool advise(uintptr_t from, uintptr_t to)
{
	uintptr_t lo = (from + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1), hi = to & ~(HUGE_PAGE - 1);

	return hi <= lo || madvise((void *)lo, hi - lo, MADV_HUGEPAGE) == 0;
}

bool fl_heap_hugepages(void)
{
	uintptr_t start, end;
	void *first;

	/* address space, not memory: a page is taken when it is touched */
	(void)mallopt(M_TOP_PAD, FL_HEAP_START_STEP);
	(void)mallopt(M_TRIM_THRESHOLD, 2 * FL_HEAP_START_STEP);
	(void)mallopt(M_MMAP_THRESHOLD, FL_HEAP_MMAP_THRESHOLD);
	/* a block in the heap marks where it starts; growing the heap past
	 * it now puts the step ahead of the engine's allocations */
	first = malloc(HUGE_PAGE);
	start = (uintptr_t)first;
	end = brk_now();
	free(first);
	if (!first || end <= start)
		return false;
	heap.on = advise(start, end);
	heap.advised_to = end;
	return heap.on;
}

void fl_heap_started(void)
{
	/* also when the kernel refused the advice: the start's step is no
	 * size to keep free memory to */
	(void)mallopt(M_TOP_PAD, FL_HEAP_STEP);
	(void)mallopt(M_TRIM_THRESHOLD, 2 * FL_HEAP_STEP);
	fl_heap_follow();
}

void fl_heap_follow(void)
{
	uintptr_t end;

	if (!heap.on)
		return;
	end = brk_now();
	if (end <= heap.advised_to)
		return;
	/* the huge page that straddles the old end was advised with it or
	 * not at all: start from that page */
	(void)advise(heap.advised_to & ~(HUGE_PAGE - 1), end);
	heap.advised_to = end;
}
