/* api_route.c - path patterns of api_route.h. */
#include "engine/api/api_route.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* Does path match pattern? Captures its '*' segments into args. */
static bool pattern_match(const char *pattern, const char *path,
			  char args[FL_API_ROUTE_ARGS][FL_API_ARG_MAX + 1])
{
	size_t n_args = 0;

	while (*pattern && *path) {
		const char *pe = strchr(pattern, '/'), *se = strchr(path, '/');
		size_t pl = pe ? (size_t)(pe - pattern) : strlen(pattern);
		size_t sl = se ? (size_t)(se - path) : strlen(path);

		if (pl == 1 && pattern[0] == '*') {
			if (sl == 0 || sl > FL_API_ARG_MAX || n_args == FL_API_ROUTE_ARGS)
				return false;
			memcpy(args[n_args], path, sl);
			args[n_args++][sl] = '\0';
		} else if (pl != sl || memcmp(pattern, path, pl) != 0) {
			return false;
		}
		pattern += pl;
		path += sl;
		if ((*pattern == '/') != (*path == '/'))
			return false;
		if (*pattern == '/') {
			pattern++;
			path++;
		}
	}
	return !*pattern && !*path;
}

long fl_api_route_find(const struct fl_api_route *table, size_t n, const char *method,
		       const char *path, char args[FL_API_ROUTE_ARGS][FL_API_ARG_MAX + 1],
		       char *allow, size_t allow_len)
{
	bool is_path_known = false;
	size_t at = 0;

	if (allow_len)
		allow[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!pattern_match(table[i].pattern, path, args))
			continue;
		if (strcmp(table[i].method, method) == 0)
			return (long)i;
		is_path_known = true;
		size_t ml = strlen(table[i].method);
		if (allow_len && at + ml + 3 < allow_len && !strstr(allow, table[i].method)) {
			if (at) {
				memcpy(allow + at, ", ", 2);
				at += 2;
			}
			memcpy(allow + at, table[i].method, ml + 1);
			at += ml;
		}
	}
	return is_path_known ? -EPERM : -ENOENT;
}
