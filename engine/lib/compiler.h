/* compiler.h - portable attributes used across faultline. */
#ifndef FL_COMPILER_H
#define FL_COMPILER_H

#define FL_MUST_CHECK __attribute__((warn_unused_result))
#define FL_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define FL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* FL_COLD: a slow path kept out of line, so its caller stays small. */
#define FL_COLD __attribute__((noinline, cold))

/* FL_NEVER(x): a "can't happen" guard on the daemon's path (SQLite's NEVER()).
 * Debug and sanitizer builds abort so the bug is found; release builds return
 * the condition and the caller takes its error path and carries on. */
#ifdef FL_DEBUG
#include <assert.h>
#define FL_NEVER(x) ((x) ? (assert(!(x)), 1) : 0)
#else
#define FL_NEVER(x) (x)
#endif

#endif /* FL_COMPILER_H */
