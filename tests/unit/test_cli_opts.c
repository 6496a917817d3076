/* engine/cli/opts: the option table every command parses with. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "engine/cli/opts.h"
#include "engine/lib/compiler.h"

struct got {
	const char *db, *udp;
	bool json;
	int64_t late_ms;
	size_t max_keys;
	const char *routes[4];
	size_t n_routes;
};

static int add_route(void *ctx, const struct fl_opt *opt, const char *val, char *err,
		     size_t err_len)
{
	struct got *g = ctx;

	(void)opt, (void)err, (void)err_len;
	if (g->n_routes == 4)
		return -EINVAL;
	g->routes[g->n_routes++] = val;
	return 0;
}

static int parse(struct got *g, int argc, char **argv, struct fl_opts_result *res)
{
	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("--db", &g->db, "PATH", "the store"),
		FL_OPT_FLAG_ROW("--json", &g->json, "JSON"),
		FL_OPT_UINT_ROW("--late-ms", &g->late_ms, 0, 3600000, FL_OPT_MS, "MS", "lateness"),
		FL_OPT_UINT_ROW("--max-keys", &g->max_keys, 1, 1000, FL_OPT_COUNT, "N", "keys"),
		FL_OPT_LIST_ROW("--route", add_route, "C=P", "a route"),
		FL_OPT_LISTEN_ROW("--udp", &g->udp, "syslog over UDP"),
	};
	const struct fl_opts_cmd cmd = {"replay", opts, FL_ARRAY_LEN(opts), 2, false, NULL};

	memset(g, 0, sizeof(*g));
	return fl_opts_parse(&cmd, argc, argv, g, res);
}

Test(cli_opts, takes_options_anywhere_and_the_words_in_order)
{
	char *argv[] = {"replay", "ack", "--db", "x.db", "INC-1", "--json", "--late-ms", "250"};
	struct fl_opts_result res;
	struct got g;

	cr_assert_eq(parse(&g, 8, argv, &res), 0, "%s", res.err);
	cr_expect_eq(res.n_words, 2);
	cr_expect_str_eq(res.words[0], "ack");
	cr_expect_str_eq(res.words[1], "INC-1");
	cr_expect_str_eq(g.db, "x.db");
	cr_expect(g.json);
	cr_expect_eq(g.late_ms, 250);
}

Test(cli_opts, names_the_option_the_unit_and_the_range_of_a_bad_number)
{
	char *argv[] = {"replay", "--late-ms", "abc"};
	struct fl_opts_result res;
	struct got g;

	cr_expect_eq(parse(&g, 3, argv, &res), -EINVAL);
	cr_expect_str_eq(res.err,
			 "faultline replay: --late-ms abc: not a number of milliseconds (0..3600000)");
	char *neg[] = {"replay", "--max-keys", "-5"};
	cr_expect_eq(parse(&g, 3, neg, &res), -EINVAL, "a sign is not a digit");
	char *trail[] = {"replay", "--max-keys", "10x"};
	cr_expect_eq(parse(&g, 3, trail, &res), -EINVAL, "trailing junk");
}

Test(cli_opts, refuses_an_out_of_range_number_overflow_included)
{
	char *argv[] = {"replay", "--max-keys", "1001"};
	char *zero[] = {"replay", "--max-keys", "0"};
	char *huge[] = {"replay", "--max-keys", "18446744073709551617"};
	struct fl_opts_result res;
	struct got g;

	cr_expect_eq(parse(&g, 3, argv, &res), -EINVAL);
	cr_expect_str_eq(res.err, "faultline replay: --max-keys 1001: not a number (1..1000)");
	cr_expect_eq(parse(&g, 3, zero, &res), -EINVAL, "below min");
	cr_expect_eq(parse(&g, 3, huge, &res), -EINVAL, "past 2^64");
	cr_expect_eq(g.max_keys, 0, "nothing stored");
}

Test(cli_opts, suggests_the_nearest_option_for_an_unknown_one)
{
	char *argv[] = {"replay", "--max-key", "5"};
	char *far[] = {"replay", "--bogus"};
	struct fl_opts_result res;
	struct got g;

	cr_expect_eq(parse(&g, 3, argv, &res), -EINVAL);
	cr_expect_str_eq(res.err,
			 "faultline replay: unknown option '--max-key'; did you mean '--max-keys'?");
	cr_expect_eq(parse(&g, 2, far, &res), -EINVAL);
	cr_expect_str_eq(res.err, "faultline replay: unknown option '--bogus'");
}

Test(cli_opts, answers_help_at_either_spelling_and_stops_there)
{
	char *longh[] = {"replay", "--db", "x", "--help", "--bogus"};
	char *shorth[] = {"replay", "-h"};
	struct fl_opts_result res;
	struct got g;

	cr_expect_eq(parse(&g, 5, longh, &res), FL_OPTS_HELP);
	cr_expect_eq(parse(&g, 2, shorth, &res), FL_OPTS_HELP);
}

Test(cli_opts, refuses_a_missing_value_and_a_word_too_many)
{
	char *argv[] = {"replay", "list", "--db"};
	char *words[] = {"replay", "a", "b", "c"};
	struct fl_opts_result res;
	struct got g;

	cr_expect_eq(parse(&g, 3, argv, &res), -EINVAL);
	cr_expect_str_eq(res.err, "faultline replay: --db needs a value");
	cr_expect_eq(parse(&g, 4, words, &res), -EINVAL);
	cr_expect_str_eq(res.err, "faultline replay: unexpected argument 'c'");
}

Test(cli_opts, keeps_every_value_of_a_repeated_option_and_the_last_of_a_single_one)
{
	char *argv[] = {"replay", "--route", "sms=sms", "--db", "a", "--route", "email=file",
			"--db", "b"};
	struct fl_opts_result res;
	struct got g;

	cr_assert_eq(parse(&g, 9, argv, &res), 0, "%s", res.err);
	cr_expect_eq(g.n_routes, 2);
	cr_expect_str_eq(g.routes[0], "sms=sms");
	cr_expect_str_eq(g.routes[1], "email=file");
	cr_expect_str_eq(g.db, "b");
}

/* An address to listen on is one socket: a second is refused with both
 * values, not silently the last (an operator asking for IPv4 and IPv6 got
 * one of them); the same after "--" is a word, and once is taken. */
Test(cli_opts, refuses_a_listen_address_given_twice)
{
	char *twice[] = {"replay", "--udp", "0.0.0.0:514", "--json", "--udp", "[::]:514"};
	char *once[] = {"replay", "--udp", "[::]:514", "--", "--udp"};
	struct fl_opts_result res;
	struct got g;

	cr_assert_lt(parse(&g, 6, twice, &res), 0);
	cr_expect(strstr(res.err, "--udp given twice ('0.0.0.0:514', then '[::]:514')") != NULL,
		  "%s", res.err);
	cr_assert_eq(parse(&g, 5, once, &res), 0, "%s", res.err);
	cr_expect_str_eq(g.udp, "[::]:514");
	cr_expect_eq(res.n_words, 1);
}

Test(cli_opts, ends_the_options_at_a_double_dash)
{
	char *argv[] = {"replay", "--", "--json"};
	struct fl_opts_result res;
	struct got g;

	cr_assert_eq(parse(&g, 3, argv, &res), 0, "%s", res.err);
	cr_expect_eq(res.n_words, 1);
	cr_expect_str_eq(res.words[0], "--json");
	cr_expect(!g.json);
}
