/* errmsg.c - see errmsg.h. */
#include "engine/lib/errmsg.h"

#include <stdarg.h>
#include <stdio.h>

int fl_errmsg(char *err, size_t err_len, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && err_len) {
		va_start(ap, fmt);
		vsnprintf(err, err_len, fmt, ap);
		va_end(ap);
	}
	return rc;
}
