/* cidr.h - source-network allowlists (IPv4 and IPv6 CIDR prefixes).
 *
 * An input keeps one struct fl_cidr_list; a datagram or connection whose
 * source is in none of its prefixes is dropped and counted by the input
 * (counter: <input>.dropped_allowlist). An empty list allows every source.
 * An IPv4 peer seen through an IPv6 socket (::ffff:a.b.c.d) is matched as the
 * IPv4 address it is. Lists are filled before the inputs start and are then
 * read-only, so any thread may call fl_cidr_list_allows(). Nothing allocates. */
#ifndef FL_CIDR_H
#define FL_CIDR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "engine/lib/compiler.h"
#include "engine/lib/limits.h"

struct fl_cidr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network bytes, host bits cleared; 4 used for AF_INET */
	uint8_t prefix_bits;	/* 0..32 or 0..128 */
};

struct fl_cidr_list {
	size_t n;
	struct fl_cidr items[FL_CIDR_LIST_MAX];
};

/* Parses "10.0.0.0/8", "2001:db8::/32" or a bare address (a /32 or /128).
 * Host bits set below the prefix are cleared ("10.1.2.3/8" is 10.0.0.0/8).
 * Returns 0 or -EINVAL; *out is written only on success. */
int fl_cidr_parse(struct fl_cidr *out, const char *text) FL_MUST_CHECK;

/* Appends a parsed prefix. Returns 0, -EINVAL (bad text) or -ENOSPC (list full,
 * FL_CIDR_LIST_MAX prefixes). */
int fl_cidr_list_add(struct fl_cidr_list *l, const char *text) FL_MUST_CHECK;

/* Is the address (its port is ignored) inside the prefix? */
bool fl_cidr_contains(const struct fl_cidr *c, const struct sockaddr *sa, socklen_t len);

/* Does the list let this source in? true for an empty list. */
bool fl_cidr_list_allows(const struct fl_cidr_list *l, const struct sockaddr *sa, socklen_t len);

#endif /* FL_CIDR_H */
