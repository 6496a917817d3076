/* errmsg.h - a function's reason for failing, written into the caller's
 * buffer as it returns the error: `return fl_errmsg(err, len, -ENOENT,
 * "no branch '%s'", name);`. */
#ifndef FL_ERRMSG_H
#define FL_ERRMSG_H
#include <stddef.h>

#include "engine/lib/compiler.h"

/* Formats the reason into err[err_len] (nothing when err is NULL or
 * err_len 0) and returns rc. */
int fl_errmsg(char *err, size_t err_len, int rc, const char *fmt, ...) FL_PRINTF(4, 5);

#endif /* FL_ERRMSG_H */
