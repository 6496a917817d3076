/* cidr.c - parse and match source-network prefixes (see cidr.h). */
#include "engine/lib/cidr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

/* Longest text accepted: an IPv6 address with an embedded IPv4 tail and /128. */
#define CIDR_TEXT_MAX (INET6_ADDRSTRLEN + 4)

static int parse_prefix_bits(const char *s, unsigned max_bits, uint8_t *out)
{
	unsigned v = 0;
	size_t i;

	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -EINVAL;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 3)
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max_bits)
		return -EINVAL;
	*out = (uint8_t)v;
	return 0;
}

static void clear_host_bits(uint8_t *addr, size_t addr_len, unsigned prefix_bits)
{
	for (size_t i = 0; i < addr_len; i++) {
		unsigned first_bit = (unsigned)i * 8;

		if (first_bit >= prefix_bits)
			addr[i] = 0;
		else if (prefix_bits - first_bit < 8)
			addr[i] &= (uint8_t)(0xffu << (8 - (prefix_bits - first_bit)));
	}
}

int fl_cidr_parse(struct fl_cidr *out, const char *text)
{
	char host[CIDR_TEXT_MAX + 1];
	const char *slash;
	struct fl_cidr c;
	size_t host_len;

	memset(&c, 0, sizeof(c));
	slash = strchr(text, '/');
	host_len = slash ? (size_t)(slash - text) : strlen(text);
	if (host_len == 0 || host_len > CIDR_TEXT_MAX)
		return -EINVAL;
	memcpy(host, text, host_len);
	host[host_len] = '\0';
	if (inet_pton(AF_INET, host, c.addr) == 1) {
		c.family = AF_INET;
		c.prefix_bits = 32;
	} else if (inet_pton(AF_INET6, host, c.addr) == 1) {
		c.family = AF_INET6;
		c.prefix_bits = 128;
	} else {
		return -EINVAL;
	}
	if (slash && parse_prefix_bits(slash + 1, c.prefix_bits, &c.prefix_bits) < 0)
		return -EINVAL;
	clear_host_bits(c.addr, c.family == AF_INET ? 4 : 16, c.prefix_bits);
	*out = c;
	return 0;
}

int fl_cidr_list_add(struct fl_cidr_list *l, const char *text)
{
	struct fl_cidr c;

	if (fl_cidr_parse(&c, text) < 0)
		return -EINVAL;
	if (l->n >= FL_CIDR_LIST_MAX)
		return -ENOSPC;
	l->items[l->n++] = c;
	return 0;
}

/* Extracts the address bytes, unwrapping an IPv4-mapped IPv6 address. */
static int sockaddr_bytes(const struct sockaddr *sa, socklen_t len, uint8_t out[16])
{
	static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		memcpy(out, &in->sin_addr, 4);
		return AF_INET;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

		if (memcmp(in6->sin6_addr.s6_addr, v4_mapped, sizeof(v4_mapped)) == 0) {
			memcpy(out, in6->sin6_addr.s6_addr + 12, 4);
			return AF_INET;
		}
		memcpy(out, in6->sin6_addr.s6_addr, 16);
		return AF_INET6;
	}
	return -1;
}

static bool prefix_matches(const struct fl_cidr *c, const uint8_t *addr)
{
	unsigned full_bytes = c->prefix_bits / 8u, rest_bits = c->prefix_bits % 8u;

	if (memcmp(c->addr, addr, full_bytes) != 0)
		return false;
	if (rest_bits == 0)
		return true;
	return (addr[full_bytes] & (uint8_t)(0xffu << (8 - rest_bits))) == c->addr[full_bytes];
}

bool fl_cidr_contains(const struct fl_cidr *c, const struct sockaddr *sa, socklen_t len)
{
	uint8_t addr[16];

	return sockaddr_bytes(sa, len, addr) == c->family && prefix_matches(c, addr);
}

bool fl_cidr_list_allows(const struct fl_cidr_list *l, const struct sockaddr *sa, socklen_t len)
{
	uint8_t addr[16];
	int family;

	if (l->n == 0)
		return true;
	family = sockaddr_bytes(sa, len, addr);
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].family == family && prefix_matches(&l->items[i], addr))
			return true;
	return false;
}
