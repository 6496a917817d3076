/* net.c - address parsing, formatting and listening sockets (see net.h). */
#include "engine/lib/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int parse_port(const char *s, uint16_t *out)
{
	unsigned long v = 0;
	size_t i;

	if (s[0] == '\0')
		return -EINVAL;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 5)
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

int fl_net_parse(struct fl_net_addr *out, const char *text, const char **why)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port_text, *host_start = text;
	struct fl_net_addr a;
	size_t host_len;
	uint16_t port;

	memset(&a, 0, sizeof(a));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':') {
			*why = "an IPv6 address is written [ADDR]:PORT";
			return -EINVAL;
		}
		host_start = text + 1;
		host_len = (size_t)(close - host_start);
		port_text = close + 2;
	} else {
		const char *colon = strrchr(text, ':');

		if (!colon || strchr(text, ':') != colon) {
			*why = "expected ADDR:PORT (an IPv6 address goes in brackets: [::1]:5514)";
			return -EINVAL;
		}
		host_len = (size_t)(colon - text);
		port_text = colon + 1;
	}
	if (host_len == 0 || host_len >= sizeof(host)) {
		*why = "the address is empty or too long";
		return -EINVAL;
	}
	memcpy(host, host_start, host_len);
	host[host_len] = '\0';
	if (parse_port(port_text, &port) < 0) {
		*why = "the port is not a number 0..65535";
		return -EINVAL;
	}
	if (text[0] == '[') {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)&a.ss;

		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1) {
			*why = "not an IPv6 address";
			return -EINVAL;
		}
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		a.len = sizeof(*in6);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)(void *)&a.ss;

		if (inet_pton(AF_INET, host, &in->sin_addr) != 1) {
			*why = "not an IPv4 address (names are not resolved)";
			return -EINVAL;
		}
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		a.len = sizeof(*in);
	}
	*out = a;
	return 0;
}

int fl_net_listen(const struct fl_net_addr *addr, int type)
{
	int one = 1, fd, rc;

	fd = socket(addr->ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (addr->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)&addr->ss;
		/* set either way: the system's default (bindv6only) is not ours */
		int v6only = !IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0)
			goto out_errno;
	}
	/* TCP only: lets a restarted daemon rebind while old connections sit in
	 * TIME_WAIT. On UDP it would let two daemons share a port silently. */
	if (type == SOCK_STREAM && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto out_errno;
	if (bind(fd, (const struct sockaddr *)&addr->ss, addr->len) < 0)
		goto out_errno;
	if (type == SOCK_STREAM && listen(fd, SOMAXCONN) < 0)
		goto out_errno;
	return fd;

out_errno:
	rc = -errno;
	close(fd);
	return rc;
}

void fl_net_unmap(struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in6 in6;
	struct sockaddr_in in;

	if (ss->ss_family != AF_INET6 || *len < (socklen_t)sizeof(in6))
		return;
	memcpy(&in6, ss, sizeof(in6));
	if (!IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr))
		return;
	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_port = in6.sin6_port;
	memcpy(&in.sin_addr, &in6.sin6_addr.s6_addr[12], sizeof(in.sin_addr));
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, &in, sizeof(in));
	*len = sizeof(in);
}

int fl_net_local(int fd, struct fl_net_addr *out)
{
	struct fl_net_addr a;

	memset(&a, 0, sizeof(a));
	a.len = sizeof(a.ss);
	if (getsockname(fd, (struct sockaddr *)&a.ss, &a.len) < 0)
		return -errno;
	*out = a;
	return 0;
}

int fl_net_host_port(const struct sockaddr *sa, socklen_t len, char *out, size_t cap)
{
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		if (inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)cap))
			return ntohs(in->sin_port);
	} else if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

		if (inet_ntop(AF_INET6, &in6->sin6_addr, out, (socklen_t)cap))
			return ntohs(in6->sin6_port);
	}
	if (cap > 0)
		snprintf(out, cap, "?");
	return -1;
}

void fl_net_format(const struct sockaddr *sa, socklen_t len, char *out, size_t cap)
{
	char host[INET6_ADDRSTRLEN];
	int port = fl_net_host_port(sa, len, host, sizeof(host));

	if (port < 0)
		snprintf(out, cap, "?");
	else if (sa->sa_family == AF_INET6)
		snprintf(out, cap, "[%s]:%d", host, port);
	else
		snprintf(out, cap, "%s:%d", host, port);
}
