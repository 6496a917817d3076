#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "engine/lib/cidr.h"

static socklen_t make_addr(struct sockaddr_storage *ss, const char *text)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(text, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		cr_assert_eq(inet_pton(AF_INET6, text, &in6->sin6_addr), 1, "%s", text);
		return sizeof(*in6);
	}
	struct sockaddr_in *in = (struct sockaddr_in *)ss;

	in->sin_family = AF_INET;
	cr_assert_eq(inet_pton(AF_INET, text, &in->sin_addr), 1, "%s", text);
	return sizeof(*in);
}

static const struct match_row {
	const char *cidr, *addr;
	bool inside;
} match_rows[] = {
	{"10.0.0.0/8", "10.22.2.11", true},
	{"10.0.0.0/8", "11.0.0.1", false},
	{"10.1.2.3/8", "10.200.0.1", true}, /* host bits are cleared */
	{"192.168.1.0/25", "192.168.1.127", true},
	{"192.168.1.0/25", "192.168.1.128", false},
	{"192.168.1.7", "192.168.1.7", true},
	{"192.168.1.7", "192.168.1.8", false},
	{"0.0.0.0/0", "203.0.113.9", true},
	{"0.0.0.0/0", "::1", false}, /* families differ */
	{"127.0.0.0/8", "::ffff:127.0.0.1", true}, /* mapped IPv4 matches as IPv4 */
	{"2001:db8::/32", "2001:db8:1::5", true},
	{"2001:db8::/32", "2001:db9::5", false},
	{"2001:db8::/33", "2001:db8:8000::1", false},
	{"2001:db8::/33", "2001:db8:7fff::1", true},
	{"::1", "::1", true},
	{"::1/128", "::2", false},
	{"::/0", "fe80::1", true},
};

Test(cidr, matches_addresses_inside_and_outside_each_prefix)
{
	for (size_t i = 0; i < sizeof(match_rows) / sizeof(match_rows[0]); i++) {
		const struct match_row *row = &match_rows[i];
		struct sockaddr_storage ss;
		socklen_t len = make_addr(&ss, row->addr);
		struct fl_cidr c;

		cr_assert_eq(fl_cidr_parse(&c, row->cidr), 0, "row %s", row->cidr);
		cr_expect_eq(fl_cidr_contains(&c, (struct sockaddr *)&ss, len), row->inside,
			     "row %s ~ %s", row->cidr, row->addr);
	}
}

Test(cidr, rejects_malformed_prefixes)
{
	static const char *const bad[] = {
		"", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/08", "10.0.0.0/8x", "10.0.0/8",
		"2001:db8::/129", "host.example/24", "10.0.0.0/-1", "1.2.3.4/1000",
		"::1/1x", "[::1]/128",
	};
	struct fl_cidr c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(fl_cidr_parse(&c, bad[i]), -EINVAL, "row '%s'", bad[i]);
}

Test(cidr, an_empty_list_allows_every_source)
{
	struct fl_cidr_list l = {0};
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, "198.51.100.1");

	cr_expect(fl_cidr_list_allows(&l, (struct sockaddr *)&ss, len));
}

Test(cidr, a_list_allows_only_sources_in_one_of_its_prefixes)
{
	struct fl_cidr_list l = {0};
	struct sockaddr_storage ss;
	socklen_t len;

	cr_assert_eq(fl_cidr_list_add(&l, "10.0.0.0/8"), 0);
	cr_assert_eq(fl_cidr_list_add(&l, "::1"), 0);
	len = make_addr(&ss, "10.9.9.9");
	cr_expect(fl_cidr_list_allows(&l, (struct sockaddr *)&ss, len));
	len = make_addr(&ss, "::1");
	cr_expect(fl_cidr_list_allows(&l, (struct sockaddr *)&ss, len));
	len = make_addr(&ss, "127.0.0.1");
	cr_expect_not(fl_cidr_list_allows(&l, (struct sockaddr *)&ss, len));
}

Test(cidr, refuses_a_prefix_beyond_the_list_cap)
{
	static struct fl_cidr_list l;

	for (size_t i = 0; i < FL_CIDR_LIST_MAX; i++)
		cr_assert_eq(fl_cidr_list_add(&l, "10.0.0.0/8"), 0);
	cr_expect_eq(fl_cidr_list_add(&l, "10.0.0.0/8"), -ENOSPC);
	cr_expect_eq(l.n, FL_CIDR_LIST_MAX);
}
