/* api_route.h - the API's routes as data: which method and path pattern
 * leads to which handler, and the least role it needs. Pure matching, no
 * HTTP: the server (api_server.c) looks a request up here, checks the role,
 * then calls the handler. */
#ifndef FL_API_ROUTE_H
#define FL_API_ROUTE_H
#include <stddef.h>

#include "engine/api/api_auth.h"

#define FL_API_ROUTE_ARGS 2
#define FL_API_ARG_MAX 64

/* A pattern is a path whose segments may be '*': any one non-empty segment
 * (at most FL_API_ARG_MAX bytes, percent-decoded by the server before),
 * captured into args in order. */
struct fl_api_route {
	const char *method, *pattern;
	enum fl_api_role role; /* the least role that may call it */
	int handler;           /* the handler's index, the caller's enum */
};

/* The route for method and path in table[n]: its index, with the captures in
 * args. -ENOENT: no pattern matches the path; -EPERM: one does, for other
 * methods (then allow gets them, ", "-joined, for an Allow header). */
long fl_api_route_find(const struct fl_api_route *table, size_t n, const char *method,
		       const char *path, char args[FL_API_ROUTE_ARGS][FL_API_ARG_MAX + 1],
		       char *allow, size_t allow_len);

#endif /* FL_API_ROUTE_H */
