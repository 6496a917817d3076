/* str.h - borrowed byte slices.
 *
 * A struct fl_str points into a buffer somebody else owns (a receive buffer, a
 * file mapping, a plan's arena); it is not NUL-terminated and may hold any byte.
 * p == NULL means "absent" (RFC 5424 NILVALUE, a missing field), which differs
 * from an empty slice (p != NULL, len == 0). Nothing here allocates. */
#ifndef FL_STR_H
#define FL_STR_H
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct fl_str {
	const char *p;
	size_t len;
};

#define FL_STR_NONE ((struct fl_str){NULL, 0})
#define FL_STR_LIT(s) ((struct fl_str){(s), sizeof(s) - 1})

static inline struct fl_str fl_str_make(const char *p, size_t len)
{
	return (struct fl_str){p, len};
}

static inline bool fl_str_present(struct fl_str s)
{
	return s.p != NULL;
}

static inline bool fl_str_eq(struct fl_str a, struct fl_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static inline bool fl_str_eq_cstr(struct fl_str a, const char *s)
{
	size_t n = strlen(s);

	return a.p && a.len == n && memcmp(a.p, s, n) == 0;
}

#endif /* FL_STR_H */
