#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
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
