/* An incident whose level changes after it opened: its clocks take the new
 * level's budgets counted from the change where they end earlier (a raise
 * never makes a clock missed in the past, nor gives it more time), a new
 * ladder starts at the change, and no step already taken fires again. */
#include "plan_fixture.h"

/* Each step has a channel of its own, so a page tells which step sent it:
 * e_* the emergency ladder's, r_* the routine one's. */
static const char rl_plan[] =
	"plan t;\n"
	"timezone \"UTC\";\n"
	"plugin e_first;\nplugin e_crew;\nplugin e_after;\nplugin e_respond;\n"
	"plugin e_repair;\nplugin e_worse;\nplugin r_first;\nplugin r_respond;\n"
	"plugin r_repair;\n"
	"roles duty_room, repair_team, leader_in_charge, chief_engineer;\n"
	"level urgent { respond at once within 4m; repair 2h; ladder emergency; }\n"
	"level severe { respond at once within 10m; repair 2h; ladder emergency; }\n"
	"level general { respond 30m; repair 3h; ladder routine; }\n"
	"ladder emergency {\n"
	"    step after 0s notify duty_room via e_first;\n"
	"    step after 0s notify repair_team via e_crew;\n"
	"    step after 5m unacked notify leader_in_charge via e_after;\n"
	"    step respond unacked notify leader_in_charge via e_respond;\n"
	"    step repair unrestored notify chief_engineer via e_repair;\n"
	"    step worsened notify duty_room via e_worse;\n"
	"}\n"
	"ladder routine {\n"
	"    step after 0s notify duty_room via r_first;\n"
	"    step respond unacked notify duty_room via r_respond;\n"
	"    step repair unrestored notify duty_room via r_repair;\n"
	"}\n"
	"rule warm {\n"
	"    match syslog;\n"
	"    where msg ~ /WARM (?<b>\\S+)/;\n"
	"    key host, b;\n"
	"    dedup 1h;\n"
	"    raise level general title \"warm ${b}\";\n"
	"    update level urgent title \"hot ${b}\";\n"
	"}\n"
	"rule sev {\n"
	"    match syslog;\n"
	"    where msg ~ /SEV (?<b>\\S+)/;\n"
	"    key host, b;\n"
	"    dedup 1h;\n"
	"    raise level severe title \"sev ${b}\";\n"
	"    update level urgent;\n"
	"}\n"
	"rule calm {\n"
	"    match syslog;\n"
	"    where msg ~ /CALM (?<b>\\S+)/;\n"
	"    key host, b;\n"
	"    dedup 1h;\n"
	"    raise level urgent title \"calm ${b}\";\n"
	"    update level general;\n"
	"}\n";

static struct ax *rl_open(void)
{
	return ax_open_plan("relevel.plan", rl_plan, sizeof(rl_plan) - 1);
}

static void rl_run_to(struct ax *x, int64_t at_s)
{
	fl_engine_advance(x->e, AX_BASE_NS + at_s * FL_NS_PER_SEC);
}

/* The pages sent through channel, and the time of the first (-1: none). */
static size_t rl_pages(const struct ax *x, const char *channel, int64_t *first_s)
{
	size_t n = 0;

	*first_s = -1;
	for (size_t i = 0; i < x->n; i++)
		if (x->recs[i].type == FL_ACTION_NOTIFY &&
		    strcmp(x->recs[i].channel, channel) == 0) {
			if (!n)
				*first_s = x->recs[i].at_s;
			n++;
		}
	return n;
}

Test(correlate_relevel, a_raise_to_another_ladder_starts_it_at_the_raise)
{
	struct ax *x = rl_open();
	int64_t at;

	ax_at(x, 0, "H", "WARM b1");
	cr_assert_eq(rl_pages(x, "r_first", &at), 1, "the routine ladder pages at the opening");
	ax_at(x, 600, "H", "WARM b1"); /* the update: general -> urgent */
	cr_expect_eq(ax_find(x, FL_ACTION_UPDATE, "warm")->level, 0, "urgent now");
	cr_expect_eq(rl_pages(x, "e_first", &at), 1, "the emergency ladder's first page, once");
	cr_expect_eq(at, 600, "at the raise, not back at the opening");
	cr_expect_eq(rl_pages(x, "e_crew", &at), 1);
	cr_expect_eq(at, 600);
	cr_expect_eq(rl_pages(x, "r_first", &at), 1, "the routine ladder does not page again");
	cr_expect_eq(rl_pages(x, "e_worse", &at), 0, "a raise is not a worsening");
	rl_run_to(x, 4 * 3600);
	cr_expect_eq(rl_pages(x, "e_after", &at), 1);
	cr_expect_eq(at, 600 + 300, "`after 5m` of the new ladder counts from the raise");
	cr_expect_eq(rl_pages(x, "e_respond", &at), 1);
	cr_expect_eq(at, 600 + 240, "urgent's 4 min from the raise, before general's 30 min");
	cr_expect_eq(rl_pages(x, "r_respond", &at), 0, "the routine ladder is gone");
	cr_expect_eq(rl_pages(x, "e_repair", &at), 1);
	cr_expect_eq(at, 600 + 7200,
		     "urgent's 2 h from the raise: earlier than general's 3 h from the fault, "
		     "and not missed before the raise made it due");
	cr_expect_eq(rl_pages(x, "r_repair", &at), 0);
	ax_close(x);
}

Test(correlate_relevel, a_raise_on_the_same_ladder_fires_no_step_again)
{
	struct ax *x = rl_open();
	int64_t at;

	ax_at(x, 0, "H", "SEV b1");
	cr_assert_eq(rl_pages(x, "e_first", &at), 1);
	ax_at(x, 60, "H", "SEV b1"); /* severe -> urgent: both run the emergency ladder */
	cr_expect_eq(ax_find(x, FL_ACTION_UPDATE, "sev")->level, 0);
	rl_run_to(x, 4 * 3600);
	cr_expect_eq(rl_pages(x, "e_first", &at), 1, "taken at the opening: not again");
	cr_expect_eq(rl_pages(x, "e_crew", &at), 1);
	cr_expect_eq(rl_pages(x, "e_after", &at), 1);
	cr_expect_eq(at, 300, "the same ladder runs on from the opening");
	cr_expect_eq(rl_pages(x, "e_respond", &at), 1);
	cr_expect_eq(at, 60 + 240, "urgent's 4 min from the raise, before severe's 10 min");
	cr_expect_eq(rl_pages(x, "e_repair", &at), 1);
	cr_expect_eq(at, 7200, "both levels repair in 2 h from the fault: unchanged");
	ax_close(x);
}

Test(correlate_relevel, a_lower_level_takes_no_time_a_clock_had_promised_away)
{
	struct ax *x = rl_open();
	int64_t at;

	ax_at(x, 0, "H", "CALM b1");
	ax_at(x, 60, "H", "CALM b1"); /* urgent -> general: the routine ladder from now */
	rl_run_to(x, 4 * 3600);
	cr_expect_eq(rl_pages(x, "r_first", &at), 1);
	cr_expect_eq(at, 60);
	cr_expect_eq(rl_pages(x, "r_respond", &at), 1);
	cr_expect_eq(at, 240, "urgent's respond deadline stands (4 min from the raising)");
	cr_expect_eq(rl_pages(x, "r_repair", &at), 1);
	cr_expect_eq(at, 7200, "urgent's 2 h from the fault, not general's 3 h");
	cr_expect_eq(rl_pages(x, "e_respond", &at), 0, "the emergency ladder is gone");
	ax_close(x);
}

Test(correlate_relevel, a_raise_after_a_clock_was_missed_pages_the_new_ladder_for_it_at_once)
{
	struct ax *x = rl_open();
	int64_t at;

	ax_at(x, 0, "H", "WARM b1");
	rl_run_to(x, 1900);
	cr_assert_eq(rl_pages(x, "r_respond", &at), 1, "general's 30 min missed at 1800");
	ax_at(x, 2000, "H", "WARM b1");
	cr_expect_eq(rl_pages(x, "e_respond", &at), 1,
		     "the respond clock is missed and nobody acknowledged: urgent's step for it");
	cr_expect_eq(at, 2000, "at the raise, after the new ladder's first pages");
	cr_expect_eq(rl_pages(x, "e_first", &at), 1);
	cr_expect_eq(at, 2000);
	for (size_t i = 0, first = SIZE_MAX, respond = SIZE_MAX; i < x->n; i++) {
		if (x->recs[i].type != FL_ACTION_NOTIFY)
			continue;
		if (!strcmp(x->recs[i].channel, "e_first"))
			first = i;
		if (!strcmp(x->recs[i].channel, "e_respond"))
			respond = i;
		if (first != SIZE_MAX && respond != SIZE_MAX)
			cr_expect_lt(first, respond, "in ladder order at the same time");
	}
	ax_close(x);
}
