/* heap.h - the process heap on transparent huge pages.
 *
 * With thousands of rules, each event touches state spread over tens of MB
 * of heap: the rule's key table and key, its compiled regex and templates,
 * the incident. On 4 KiB pages most of those touches miss the TLB as well as
 * the cache (a 1,000-pattern replay spends a sixth of its time on it). Where
 * the kernel gives transparent huge pages on request (THP "madvise" or
 * "always"), the heap asks for them: malloc keeps large blocks in the heap
 * rather than in mappings of their own and grows it FL_HEAP_STEP at a time,
 * and every part it grows by is advised MADV_HUGEPAGE.
 *
 * A start (the plan compiled, the engine built) writes most of what it
 * allocates right away, before any loop could advise it: it runs with the
 * heap grown FL_HEAP_START_STEP at once, all of it advised up front.
 *
 * Process-wide and for the main thread's heap, which is where the engine
 * runs in `replay` and `run`: call fl_heap_hugepages() once from main before
 * any other thread starts and before the plan is compiled,
 * fl_heap_started() once the engine is built, then fl_heap_follow() now and
 * then on the engine's loop (it costs a comparison when the heap has not
 * grown). Nothing fails: huge pages are a speedup, never a requirement. A
 * sanitizer's allocator keeps its own mappings, so under ASan the calls do
 * nothing useful. */
#ifndef FL_HEAP_H
#define FL_HEAP_H
#include <stdbool.h>

/* Returns whether the kernel took the advice for the heap so far. */
bool fl_heap_hugepages(void);
/* Back to growing FL_HEAP_STEP at a time; what the start left unused
 * above that is given back at a later free. */
void fl_heap_started(void);
void fl_heap_follow(void);

#endif /* FL_HEAP_H */
