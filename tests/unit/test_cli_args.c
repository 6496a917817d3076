/* fl_cli_args(): the option table the store's commands share. */
#include <criterion/criterion.h>
#include <errno.h>

#include "engine/lib/compiler.h"
#include "engine/cli/store_cli.h"

struct got {
	const char *db, *by, *verb, *id;
	bool json;
};

static int parse(struct got *g, int argc, char **argv)
{
	const struct fl_cli_opt opts[] = {
		{"--db", &g->db, NULL}, {"--by", &g->by, NULL}, {"--json", NULL, &g->json}};

	return fl_cli_args("tickets", argc, argv, opts, FL_ARRAY_LEN(opts), &g->verb, &g->id);
}

Test(cli_args, takes_options_anywhere_and_the_verb_and_id_in_order)
{
	char *argv[] = {"tickets", "ack", "--db", "x.db", "INC-1", "--json", "--by", "li"};
	struct got g = {0};

	cr_assert_eq(parse(&g, 8, argv), 0);
	cr_expect_str_eq(g.verb, "ack");
	cr_expect_str_eq(g.id, "INC-1");
	cr_expect_str_eq(g.db, "x.db");
	cr_expect_str_eq(g.by, "li");
	cr_expect(g.json);
}

Test(cli_args, refuses_an_unknown_option_a_missing_value_and_a_third_word)
{
	char *unknown[] = {"tickets", "--bogus"};
	char *missing[] = {"tickets", "list", "--db"};
	char *third[] = {"tickets", "ack", "INC-1", "more"};
	struct got g = {0};

	cr_expect_eq(parse(&g, 2, unknown), -EINVAL);
	g = (struct got){0};
	cr_expect_eq(parse(&g, 3, missing), -EINVAL);
	g = (struct got){0};
	cr_expect_eq(parse(&g, 4, third), -EINVAL);
}

Test(cli_args, stops_at_help)
{
	char *argv[] = {"tickets", "--help", "--bogus"};
	struct got g = {0};

	cr_expect_eq(parse(&g, 3, argv), 1);
}
