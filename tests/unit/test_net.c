#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/lib/net.h"

static const struct parse_row {
	const char *text;
	int rc;
	const char *formatted; /* fl_net_format of the result */
} parse_rows[] = {
	{"127.0.0.1:5514", 0, "127.0.0.1:5514"},
	{"0.0.0.0:0", 0, "0.0.0.0:0"},
	{"[::1]:5514", 0, "[::1]:5514"},
	{"[::]:65535", 0, "[::]:65535"},
	{"[2001:db8::1]:162", 0, "[2001:db8::1]:162"},
	{"127.0.0.1", -EINVAL, NULL},
	{"127.0.0.1:", -EINVAL, NULL},
	{"127.0.0.1:65536", -EINVAL, NULL},
	{"127.0.0.1:123456", -EINVAL, NULL},
	{"127.0.0.1:5x", -EINVAL, NULL},
	{":5514", -EINVAL, NULL},
	{"::1:5514", -EINVAL, NULL},
	{"[::1]5514", -EINVAL, NULL},
	{"[::1:5514", -EINVAL, NULL},
	{"[127.0.0.1]:5514", -EINVAL, NULL},
	{"localhost:5514", -EINVAL, NULL},
	{"300.0.0.1:5514", -EINVAL, NULL},
};

Test(net, parses_and_formats_ipv4_and_ipv6_addresses)
{
	for (size_t i = 0; i < sizeof(parse_rows) / sizeof(parse_rows[0]); i++) {
		const struct parse_row *row = &parse_rows[i];
		struct fl_net_addr a;
		const char *why = NULL;
		char text[FL_NET_ADDR_TEXT_MAX];
		int rc = fl_net_parse(&a, row->text, &why);

		cr_expect_eq(rc, row->rc, "row %s", row->text);
		if (rc != 0) {
			cr_expect_not_null(why, "row %s gives a reason", row->text);
			continue;
		}
		fl_net_format((struct sockaddr *)&a.ss, a.len, text, sizeof(text));
		cr_expect_str_eq(text, row->formatted, "row %s", row->text);
	}
}

Test(net, reports_the_port_the_kernel_picked_for_port_zero)
{
	struct fl_net_addr a, bound;
	const char *why;
	int fd;

	cr_assert_eq(fl_net_parse(&a, "127.0.0.1:0", &why), 0);
	fd = fl_net_listen(&a, SOCK_DGRAM);
	cr_assert_geq(fd, 0);
	cr_assert_eq(fl_net_local(fd, &bound), 0);
	cr_expect_neq(((struct sockaddr_in *)&bound.ss)->sin_port, 0);
	close(fd);
}

Test(net, refuses_a_tcp_port_already_listening)
{
	struct fl_net_addr a, bound;
	const char *why;
	int fd, fd2;

	cr_assert_eq(fl_net_parse(&a, "127.0.0.1:0", &why), 0);
	fd = fl_net_listen(&a, SOCK_STREAM);
	cr_assert_geq(fd, 0);
	cr_assert_eq(fl_net_local(fd, &bound), 0);
	fd2 = fl_net_listen(&bound, SOCK_STREAM);
	cr_expect_eq(fd2, -EADDRINUSE);
	if (fd2 >= 0)
		close(fd2);
	close(fd);
}

/* "[::]" takes an IPv4 sender, whose address arrives IPv4-mapped;
 * fl_net_unmap() gives back the IPv4 address and port. An IPv6 address, and
 * one that only looks mapped in another family, are left alone. */
Test(net, takes_ipv4_senders_on_the_unspecified_ipv6_address)
{
	struct fl_net_addr any, bound, to;
	struct sockaddr_storage from;
	socklen_t from_len = sizeof(from);
	struct sockaddr_in *in;
	const char *why;
	char text[FL_NET_ADDR_TEXT_MAX];
	int fd, out;
	ssize_t n = -1;

	cr_assert_eq(fl_net_parse(&any, "[::]:0", &why), 0);
	fd = fl_net_listen(&any, SOCK_DGRAM);
	cr_assert_geq(fd, 0, "bind [::]:0: %s", strerror(-fd));
	cr_assert_eq(fl_net_local(fd, &bound), 0);
	snprintf(text, sizeof(text), "127.0.0.1:%d",
		 ntohs(((struct sockaddr_in6 *)&bound.ss)->sin6_port));
	cr_assert_eq(fl_net_parse(&to, text, &why), 0);
	out = socket(AF_INET, SOCK_DGRAM, 0);
	cr_assert_geq(out, 0);
	cr_assert_eq(sendto(out, "x", 1, 0, (struct sockaddr *)&to.ss, to.len), 1);
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	if (poll(&pfd, 1, 10000) == 1) /* bounded, generous for a loaded machine */
		n = recvfrom(fd, text, sizeof(text), 0, (struct sockaddr *)&from, &from_len);
	cr_assert_eq(n, 1, "nothing from 127.0.0.1 on [::]");
	cr_assert_eq(from.ss_family, AF_INET6);
	fl_net_unmap(&from, &from_len);
	cr_assert_eq(from.ss_family, AF_INET);
	cr_assert_eq(from_len, sizeof(struct sockaddr_in));
	in = (struct sockaddr_in *)&from;
	cr_expect_eq(ntohl(in->sin_addr.s_addr), 0x7f000001u);
	fl_net_format((struct sockaddr *)&from, from_len, text, sizeof(text));
	cr_expect_eq(strncmp(text, "127.0.0.1:", 10), 0, "%s", text);
	close(out);
	close(fd);

	cr_assert_eq(fl_net_parse(&to, "[2001:db8::ffff:a00:1]:514", &why), 0);
	from_len = to.len;
	memcpy(&from, &to.ss, sizeof(from));
	fl_net_unmap(&from, &from_len);
	cr_expect_eq(from.ss_family, AF_INET6, "not mapped: stays IPv6");
	cr_expect_eq(from_len, to.len);
	cr_assert_eq(fl_net_parse(&to, "10.1.2.3:514", &why), 0);
	from_len = to.len;
	memcpy(&from, &to.ss, sizeof(from));
	fl_net_unmap(&from, &from_len);
	cr_expect_eq(from.ss_family, AF_INET);
	cr_expect_eq(from_len, to.len);
}

/* Any other IPv6 address is IPv6-only: "[::1]" beside "127.0.0.1" on the
 * same port, each bound. */
Test(net, binds_a_specific_ipv6_address_beside_ipv4_on_one_port)
{
	struct fl_net_addr v4, bound, v6;
	const char *why;
	char text[FL_NET_ADDR_TEXT_MAX];
	int fd4, fd6;

	cr_assert_eq(fl_net_parse(&v4, "127.0.0.1:0", &why), 0);
	fd4 = fl_net_listen(&v4, SOCK_DGRAM);
	cr_assert_geq(fd4, 0);
	cr_assert_eq(fl_net_local(fd4, &bound), 0);
	snprintf(text, sizeof(text), "[::1]:%d", ntohs(((struct sockaddr_in *)&bound.ss)->sin_port));
	cr_assert_eq(fl_net_parse(&v6, text, &why), 0);
	fd6 = fl_net_listen(&v6, SOCK_DGRAM);
	cr_expect_geq(fd6, 0, "%s: %s", text, strerror(-fd6));
	if (fd6 >= 0)
		close(fd6);
	close(fd4);
}
