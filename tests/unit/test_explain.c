/* test_explain.c - the engine's account of each event (`replay --explain`):
 * a rule's failing condition, the nearest rule when none matched, a key, a
 * threshold window filling, a hold, an absorption, and nothing at all when
 * the hook is off. */
#include "tests/unit/plan_fixture.h"

#include "engine/lib/buf.h"

static const char plan_text[] =
	"plan explain;\n"
	"timezone \"UTC\";\n"
	"roles duty;\n"
	"level minor { respond 30m; ladder page; }\n"
	"ladder page { step after 0s notify duty at own via sms; }\n"
	"rule link_down {\n"
	"    match syslog;\n"
	"    where msg ~ /LINK_DOWN port (?<port>\\S+)/ and severity <= 4;\n"
	"    clear where msg ~ /LINK_UP port (?<port>\\S+)/;\n"
	"    key host, port;\n"
	"    raise level minor title \"link down ${host}:${port}\";\n"
	"}\n"
	"rule crc {\n"
	"    match syslog;\n"
	"    where msg ~ /CRC errors on (?<port>\\S+)/;\n"
	"    key host, port;\n"
	"    threshold 3 within 1m;\n"
	"    clear after quiet 1m;\n"
	"    raise level minor title \"CRC ${host}:${port}\";\n"
	"}\n"
	"correlate card_out {\n"
	"    locate group;\n"
	"    from link_down;\n"
	"    group host;\n"
	"    within 30s;\n"
	"    absorb link_down for 10m;\n"
	"    raise level minor title \"${count} links down on ${group}\";\n"
	"}\n";

static void collect(void *ctx, const char *text)
{
	struct fl_buf *b = ctx;

	cr_assert_eq(fl_buf_printf(b, "%s\n", text), 0);
}

static struct ax *open_explaining(struct fl_buf *out)
{
	struct fl_engine_config c = {.on_action = ax_on_action, .explain = collect,
				     .explain_ctx = out};
	struct fl_plan_options opt = {0};
	struct ax *x = calloc(1, sizeof(*x));

	cr_assert_not_null(x);
	c.ctx = x;
	cr_assert_eq(fl_diags_create(&x->d), 0);
	cr_assert_eq(fl_plan_compile_text(&x->plan, "explain.plan", plan_text,
					  sizeof(plan_text) - 1, &opt, x->d), 0);
	x->prog = fl_plan_program(x->plan);
	cr_assert_eq(fl_clock_create_event(&x->clock, 0), 0);
	cr_assert_eq(fl_engine_create(&x->e, x->prog, x->clock, &c), 0);
	return x;
}

/* What the engine said for one event, then forgotten. */
static const char *said(struct fl_buf *b)
{
	static char text[8192];

	snprintf(text, sizeof(text), "%.*s", (int)b->len, b->p ? b->p : "");
	fl_buf_reset(b);
	return text;
}

#define expect_said(text, want) cr_expect(strstr((text), (want)) != NULL, "wanted '%s' in:\n%s", \
					   (want), (text))

Test(explain, names_the_condition_that_failed_and_the_nearest_rule)
{
	struct fl_buf out;
	struct ax *x;
	const char *t;

	fl_buf_init(&out, 1 << 16);
	x = open_explaining(&out);
	/* the fixture's lines are all severity 3 (<131>): the severity
	 * condition holds, the regex decides */
	ax_at(x, 0, "R1", "session opened for user noc");
	t = said(&out);
	expect_said(t, "no rule matched (nearest rule: link_down, the prefilter");
	ax_at(x, 1, "R1", "LINK_DOWN port  (none)");
	t = said(&out);
	expect_said(t, "rule link_down: no match: failed at event:msg ~ regex #0 "
		       "/LINK_DOWN port (?<port>\\S+)/ after 1 of 2 conditions held");
	expect_said(t, "no rule matched (nearest rule: link_down, failed at event:msg ~");
	ax_close(x);
	fl_buf_free(&out);
}

Test(explain, says_the_key_the_window_the_hold_and_the_absorption)
{
	struct fl_buf out;
	struct ax *x;
	const char *t;

	fl_buf_init(&out, 1 << 16);
	x = open_explaining(&out);
	ax_at(x, 0, "R1", "CRC errors on ge-0/0/3");
	t = said(&out);
	expect_said(t, "rule crc: where holds, key \"R1|ge-0/0/3\"");
	expect_said(t, "threshold window: 3 within 1m needed; not reached (the key has seen 1)");
	ax_at(x, 1, "R1", "LINK_DOWN port ge-0/0/1");
	t = said(&out);
	expect_said(t, "rule link_down: where holds, key \"R1|ge-0/0/1\"");
	expect_said(t, "held: incident #1 raises after 30s unless cleared");
	expect_said(t, "evidence for correlation card_out (locate group, within 30s)");
	ax_at(x, 2, "R1", "LINK_DOWN port ge-0/0/2");
	(void)said(&out);
	ax_at(x, 40, "R1", "LINK_DOWN port ge-0/0/5");
	t = said(&out);
	expect_said(t, "-> (timer) open incident #3 \"2 links down on R1\" (correlation card_out)");
	expect_said(t, "absorbed into incident #3");
	ax_at(x, 41, "R2", "LINK_UP port ge-0/0/9");
	t = said(&out);
	expect_said(t, "rule link_down: clear where holds, key \"R2|ge-0/0/9\"");
	expect_said(t, "a clear with no open incident for its key: nothing to clear");
	ax_close(x);
	fl_buf_free(&out);
}

Test(explain, says_nothing_and_changes_nothing_when_off)
{
	struct fl_buf out;
	struct ax *on, *off;
	static const char *const msgs[] = {"CRC errors on a", "LINK_DOWN port p1", "junk",
					   "LINK_DOWN port p2", "LINK_UP port p1"};

	fl_buf_init(&out, 1 << 16);
	on = open_explaining(&out);
	off = ax_open_plan("explain.plan", plan_text, sizeof(plan_text) - 1);
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		ax_at(on, (int64_t)i * 20, "R1", msgs[i]);
		ax_at(off, (int64_t)i * 20, "R1", msgs[i]);
	}
	cr_expect_gt(out.len, 0);
	cr_assert_eq(on->n, off->n, "the same actions with the hook on and off");
	for (size_t i = 0; i < on->n; i++)
		cr_expect(on->recs[i].type == off->recs[i].type && on->recs[i].id == off->recs[i].id &&
			  strcmp(on->recs[i].title, off->recs[i].title) == 0, "action %zu", i);
	ax_close(on);
	ax_close(off);
	fl_buf_free(&out);
}

Test(explain, says_a_repeat_is_tallied_on_its_open_incident)
{
	struct fl_buf out;
	struct ax *x;
	const char *t;

	fl_buf_init(&out, 1 << 16);
	x = open_explaining(&out);
	ax_at(x, 0, "R1", "CRC errors on ge-0/0/3");
	ax_at(x, 10, "R1", "CRC errors on ge-0/0/3");
	(void)said(&out);
	ax_at(x, 20, "R1", "CRC errors on ge-0/0/3");
	t = said(&out);
	expect_said(t, "-> open incident #1 \"CRC R1:ge-0/0/3\" (rule crc)");
	ax_at(x, 30, "R1", "CRC errors on ge-0/0/3");
	t = said(&out);
	expect_said(t, "tallied on its key's open incident #1 (now 4 events)");
	ax_close(x);
	fl_buf_free(&out);
}
