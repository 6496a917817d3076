/* The prefilter keys each rule on its most selective literal, not its longest:
 * a literal that every rule shares would make every rule a candidate for
 * every event. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "engine/event.h"
#include "engine/match.h"
#include "engine/syslog.h"
#include "grammar/diag.h"
#include "grammar/plan.h"
#include "grammar/program.h"

#define N_RULES 50

Test(match_prefilter, keys_each_rule_on_the_literal_fewest_rules_share)
{
	static char text[N_RULES * 160 + 64];
	struct fl_plan_options opt = {.no_files = true};
	struct fl_syslog_opts so = {.year = 2026};
	const char *line = "<131>Nov 25 10:00:00 HOST-1 NE: ALM0007 notice port=1-2-3";
	struct fl_match_stats st;
	static struct fl_event ev;
	const uint32_t *cands;
	struct fl_diags *d;
	struct fl_plan *plan;
	struct fl_match *m;
	size_t len, n;

	/* Every rule's longest literal is the shared " notice port="; only the
	 * alarm name, inside the capture group, tells the rules apart. */
	len = (size_t)snprintf(text, sizeof(text), "plan p;\nlevel general { respond 30m; }\n");
	for (int r = 0; r < N_RULES; r++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"rule r%d { match syslog; where msg ~ "
					"/^(?<alarm>ALM%04d) notice port=(?<port>\\S+)/; "
					"key host, port, alarm; }\n",
					r, r);
	cr_assert_eq(fl_diags_create(&d), 0);
	cr_assert_eq(fl_plan_compile_text(&plan, "p.plan", text, len, &opt, d), 0);
	cr_assert_eq(fl_match_create(&m, fl_plan_program(plan)), 0);

	cr_assert_eq(fl_syslog_decode(&ev, line, strlen(line), &so), FL_SYSLOG_OK);
	n = fl_match_begin(m, &ev, &cands);
	cr_expect_eq(n, 1, "candidates: %zu of %d rules", n, N_RULES);
	cr_expect_eq(n > 0 ? fl_match_rule(m, cands[0]) : FL_MATCH_NONE, FL_MATCH_FAULT);
	fl_match_stats(m, &st);
	cr_expect_eq(st.rules_prefiltered, N_RULES);

	fl_match_destroy(m);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
}
