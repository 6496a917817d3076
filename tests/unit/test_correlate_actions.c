/* The correlation engine's rule actions beyond raise and set: update, clear,
 * emit (derived events, bounded in depth) and run (a plugin's notify). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"
#include "engine/correlate.h"
#include "engine/event.h"
#include "engine/syslog.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

#define AX_BASE_NS (INT64_C(1795132800) * FL_NS_PER_SEC)
#define AX_MAX 256

static const char ax_plan[] =
	"plan t;\n"
	"timezone \"UTC\";\n"
	"roles duty_room;\n"
	"level urgent { respond 0s; }\n"
	"level general { respond 30m; }\n"
	"plugin pager;\n"
	"rule temp {\n"
	"    match syslog;\n"
	"    where msg ~ /TEMP (?<board>\\S+) (?<deg>\\d+)C/;\n"
	"    key host, board;\n"
	"    dedup 10m;\n"
	"    raise level general title \"warm ${board}\";\n"
	"    update level urgent title \"hot ${board} ${deg}C\";\n"
	"}\n"
	"rule cool {\n"
	"    match syslog;\n"
	"    where msg ~ /COOL (?<board>\\S+)/;\n"
	"    key host, board;\n"
	"    dedup 10m;\n"
	"    raise level general title \"cool ${board}\";\n"
	"    clear;\n"
	"}\n"
	"rule src {\n"
	"    match syslog;\n"
	"    where msg ~ /POWER (?<psu>\\S+) lost/;\n"
	"    key host, psu;\n"
	"    emit \"DERIVED psu ${psu} down\";\n"
	"}\n"
	"rule derived {\n"
	"    match syslog;\n"
	"    where msg ~ /DERIVED psu (?<psu>\\S+) down/;\n"
	"    key host, psu;\n"
	"    raise level urgent title \"psu ${psu} on ${host}\";\n"
	"}\n"
	"rule loop {\n"
	"    match syslog;\n"
	"    where msg ~ /LOOP/;\n"
	"    key host;\n"
	"    emit \"LOOP again\";\n"
	"}\n"
	"rule page {\n"
	"    match syslog;\n"
	"    where msg ~ /FAN (?<fan>\\S+) stopped/;\n"
	"    key host, fan;\n"
	"    dedup 10m;\n"
	"    raise level general title \"fan ${fan}\";\n"
	"    run pager \"fan ${fan} stopped on ${host}\";\n"
	"}\n"
	"rule psu {\n"
	"    match syslog;\n"
	"    where msg ~ /PSU (?<psu>\\S+) failed/;\n"
	"    key host, psu;\n"
	"    dedup 10m;\n"
	"    raise level general title \"psu ${psu}\";\n"
	"    run pager \"psu ${psu} failed on ${host}\";\n"
	"}\n"
	"correlate shelf {\n"
	"    locate group;\n"
	"    from psu;\n"
	"    group host;\n"
	"    within 60s;\n"
	"    raise level urgent title \"shelf ${group}\";\n"
	"}\n";

struct ax_rec {
	enum fl_action_type type;
	uint64_t id;
	char rule[64], title[256], channel[32], text[256], reason[32];
	uint32_t level;
	int64_t at_s;
};

struct ax {
	struct fl_diags *d;
	struct fl_plan *plan;
	const struct fl_program *prog;
	struct fl_clock *clock;
	struct fl_engine *e;
	struct fl_event ev;
	struct ax_rec recs[AX_MAX];
	size_t n;
};

static void ax_copy(char *out, size_t size, const char *s)
{
	snprintf(out, size, "%s", s ? s : "");
}

static void ax_on_action(const struct fl_action *a, void *ctx)
{
	struct ax *x = ctx;
	struct ax_rec *r;

	cr_assert_lt(x->n, AX_MAX);
	r = &x->recs[x->n++];
	r->type = a->type;
	r->id = a->incident->id;
	ax_copy(r->rule, sizeof(r->rule), a->incident->source_name);
	ax_copy(r->title, sizeof(r->title), a->incident->title);
	ax_copy(r->channel, sizeof(r->channel), a->channel);
	ax_copy(r->text, sizeof(r->text), a->text);
	ax_copy(r->reason, sizeof(r->reason), a->reason);
	r->level = a->incident->level;
	r->at_s = (a->at_ns - AX_BASE_NS) / FL_NS_PER_SEC;
}

static struct ax *ax_open(void)
{
	struct fl_engine_config c = {.on_action = ax_on_action};
	struct fl_plan_options opt = {0};
	struct ax *x = calloc(1, sizeof(*x));

	cr_assert_not_null(x);
	c.ctx = x;
	cr_assert_eq(fl_diags_create(&x->d), 0);
	cr_assert_eq(fl_plan_compile_text(&x->plan, "actions.plan", ax_plan, sizeof(ax_plan) - 1,
					  &opt, x->d),
		     0, "the plan compiles");
	x->prog = fl_plan_program(x->plan);
	cr_assert_eq(fl_clock_create_event(&x->clock, 0), 0);
	cr_assert_eq(fl_engine_create(&x->e, x->prog, x->clock, &c), 0);
	return x;
}

static void ax_close(struct ax *x)
{
	fl_engine_destroy(x->e);
	fl_clock_destroy(x->clock);
	fl_plan_destroy(x->plan);
	fl_diags_destroy(x->d);
	free(x);
}

static void ax_at(struct ax *x, int64_t at_s, const char *host, const char *msg)
{
	struct fl_syslog_opts so = {.year = 2026};
	char line[512];
	int n = snprintf(line, sizeof(line), "<131>Nov 20 00:00:00 %s app: %s", host, msg);

	so.received_ns = AX_BASE_NS;
	cr_assert_eq(fl_syslog_decode(&x->ev, line, (size_t)n, &so), FL_SYSLOG_OK);
	x->ev.time_ns = AX_BASE_NS + at_s * FL_NS_PER_SEC;
	cr_assert_eq(fl_engine_feed(x->e, &x->ev), 0);
}

static size_t ax_count(const struct ax *x, enum fl_action_type t, const char *rule)
{
	size_t n = 0;

	for (size_t i = 0; i < x->n; i++)
		n += x->recs[i].type == t && strcmp(x->recs[i].rule, rule) == 0;
	return n;
}

static const struct ax_rec *ax_find(const struct ax *x, enum fl_action_type t, const char *rule)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->recs[i].type == t && strcmp(x->recs[i].rule, rule) == 0)
			return &x->recs[i];
	return NULL;
}

static uint32_t ax_level(const struct ax *x, const char *name)
{
	for (uint32_t i = 0; i < x->prog->n_levels; i++)
		if (strcmp(x->prog->levels[i].name.p, name) == 0)
			return i;
	cr_assert_fail("no level %s", name);
	return 0;
}

Test(correlate_actions, updates_the_level_and_title_of_the_incident_its_key_opened)
{
	struct ax *x = ax_open();
	const struct ax_rec *open, *upd;

	ax_at(x, 0, "HOST-A", "TEMP b1 61C");
	cr_assert_eq(ax_count(x, FL_ACTION_UPDATE, "temp"), 0, "the raising event is not updated");
	ax_at(x, 30, "HOST-A", "TEMP b1 78C");
	open = ax_find(x, FL_ACTION_OPEN, "temp");
	upd = ax_find(x, FL_ACTION_UPDATE, "temp");
	cr_assert_not_null(open);
	cr_assert_not_null(upd);
	cr_expect_eq(upd->id, open->id);
	cr_expect_eq(open->level, ax_level(x, "general"));
	cr_expect_eq(upd->level, ax_level(x, "urgent"));
	cr_expect_str_eq(upd->title, "hot b1 78C");
	cr_expect_str_eq(upd->reason, "update");
	cr_expect_eq(upd->at_s, 30);
	ax_at(x, 40, "HOST-B", "TEMP b1 62C");
	cr_expect_eq(ax_count(x, FL_ACTION_UPDATE, "temp"), 1, "another key opens its own");
	cr_expect_eq(ax_count(x, FL_ACTION_OPEN, "temp"), 2);
	ax_close(x);
}

Test(correlate_actions, clears_the_incident_its_key_opened_on_the_next_event)
{
	struct ax *x = ax_open();

	ax_at(x, 0, "HOST-A", "COOL b2");
	cr_expect_eq(ax_count(x, FL_ACTION_OPEN, "cool"), 1);
	cr_expect_eq(ax_count(x, FL_ACTION_CLEAR, "cool"), 0, "not cleared by the event that raised it");
	ax_at(x, 5, "HOST-B", "COOL b2");
	cr_expect_eq(ax_count(x, FL_ACTION_CLEAR, "cool"), 0, "another key clears nothing");
	ax_at(x, 20, "HOST-A", "COOL b2");
	cr_assert_eq(ax_count(x, FL_ACTION_CLEAR, "cool"), 1);
	cr_expect_eq(ax_find(x, FL_ACTION_CLEAR, "cool")->at_s, 20);
	cr_expect_eq(ax_find(x, FL_ACTION_CLEAR, "cool")->id, ax_find(x, FL_ACTION_OPEN, "cool")->id);
	ax_close(x);
}

Test(correlate_actions, feeds_an_emitted_event_back_through_the_rules)
{
	struct ax *x = ax_open();
	struct fl_engine_stats st;
	const struct ax_rec *r;

	ax_at(x, 7, "HOST-P", "POWER psu2 lost");
	r = ax_find(x, FL_ACTION_OPEN, "derived");
	cr_assert_not_null(r, "the derived event raised");
	cr_expect_str_eq(r->title, "psu psu2 on HOST-P");
	cr_expect_eq(r->at_s, 7);
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.emitted, 1);
	cr_expect_eq(st.events, 1, "a derived event is not an input event");
	ax_close(x);
}

Test(correlate_actions, stops_a_derived_event_that_emits_again_past_the_depth_and_counts_it)
{
	struct ax *x = ax_open();
	struct fl_engine_stats st;

	ax_at(x, 0, "HOST-L", "LOOP");
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.emitted, FL_CORR_EMIT_DEPTH_MAX);
	cr_expect_eq(st.emit_too_deep, 1);
	ax_at(x, 1, "HOST-L", "LOOP");
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.emitted, 2 * FL_CORR_EMIT_DEPTH_MAX, "the depth starts again per input event");
	cr_expect_eq(st.emit_too_deep, 2);
	ax_close(x);
}

Test(correlate_actions, runs_a_plugin_as_a_notify_naming_its_channel_and_text)
{
	struct ax *x = ax_open();
	const struct ax_rec *r = NULL;
	struct fl_engine_stats st;

	ax_at(x, 3, "HOST-F", "FAN f1 stopped");
	for (size_t i = 0; i < x->n; i++)
		if (x->recs[i].type == FL_ACTION_NOTIFY && strcmp(x->recs[i].reason, "run") == 0)
			r = &x->recs[i];
	cr_assert_not_null(r);
	cr_expect_str_eq(r->channel, "pager");
	cr_expect_str_eq(r->text, "fan f1 stopped on HOST-F");
	cr_expect_str_eq(r->rule, "page");
	cr_expect_eq(r->at_s, 3);
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.runs, 1);
	ax_close(x);
}

Test(correlate_actions, holds_a_run_of_a_raise_in_its_grace_until_it_opens)
{
	struct ax *x = ax_open();
	const struct ax_rec *r = NULL;
	struct fl_engine_stats st;

	ax_at(x, 5, "HOST-S", "PSU p1 failed");
	cr_expect_eq(ax_count(x, FL_ACTION_NOTIFY, "psu"), 0, "waiting out its grace");
	ax_at(x, 200, "HOST-T", "noise");
	for (size_t i = 0; i < x->n; i++)
		if (x->recs[i].type == FL_ACTION_NOTIFY && strcmp(x->recs[i].rule, "psu") == 0)
			r = &x->recs[i];
	cr_assert_not_null(r, "delivered when the raise opened");
	cr_expect_eq(r->at_s, 65);
	cr_expect_str_eq(r->text, "psu p1 failed on HOST-S", "rendered from the event");
	cr_expect_eq(ax_find(x, FL_ACTION_OPEN, "psu")->at_s, 65);
	fl_engine_stats(x->e, &st);
	cr_expect_eq(st.runs, 1);
	cr_expect_eq(st.runs_without_incident, 0);
	ax_close(x);
}
