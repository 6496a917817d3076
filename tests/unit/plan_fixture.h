/* plan_fixture.h - an engine with an event clock over a plan given as text
 * (no data files), and the actions it wrote, for the engine's unit tests.
 * test_correlate.c uses engine_fixture.h instead: its plan needs the sample
 * network. */
#ifndef FL_TEST_PLAN_FIXTURE_H
#define FL_TEST_PLAN_FIXTURE_H
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/clock.h"
#include "engine/correlate/correlate.h"
#include "engine/decode/event.h"
#include "engine/decode/syslog.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

/* 2026-11-20T00:00:00Z: the test's time zero. */
#define AX_BASE_NS (INT64_C(1795132800) * FL_NS_PER_SEC)
#define AX_MAX 256
struct ax_rec {
	enum fl_action_type type;
	uint64_t id;
	char rule[64], title[256], channel[32], text[256], reason[32];
	uint32_t level;
	uint64_t count;
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

static inline void ax_copy(char *out, size_t size, const char *s)
{
	snprintf(out, size, "%s", s ? s : "");
}

static inline void ax_on_action(const struct fl_action *a, void *ctx)
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
	r->count = a->incident->count;
	r->at_s = (a->at_ns - AX_BASE_NS) / FL_NS_PER_SEC;
}

static inline struct ax *ax_open_plan(const char *name, const char *text, size_t len)
{
	struct fl_engine_config c = {.on_action = ax_on_action};
	struct fl_plan_options opt = {0};
	struct ax *x = calloc(1, sizeof(*x));

	cr_assert_not_null(x);
	c.ctx = x;
	cr_assert_eq(fl_diags_create(&x->d), 0);
	cr_assert_eq(fl_plan_compile_text(&x->plan, name, text, len,
					  &opt, x->d),
		     0, "the plan compiles");
	x->prog = fl_plan_program(x->plan);
	cr_assert_eq(fl_clock_create_event(&x->clock, 0), 0);
	cr_assert_eq(fl_engine_create(&x->e, x->prog, x->clock, &c), 0);
	return x;
}

static inline void ax_close(struct ax *x)
{
	fl_engine_destroy(x->e);
	fl_clock_destroy(x->clock);
	fl_plan_destroy(x->plan);
	fl_diags_destroy(x->d);
	free(x);
}

static inline void ax_at(struct ax *x, int64_t at_s, const char *host, const char *msg)
{
	struct fl_syslog_opts so = {.year = 2026};
	char line[512];
	int n = snprintf(line, sizeof(line), "<131>Nov 20 00:00:00 %s app: %s", host, msg);

	so.received_ns = AX_BASE_NS;
	cr_assert_eq(fl_syslog_decode(&x->ev, line, (size_t)n, &so), FL_SYSLOG_OK);
	x->ev.time_ns = AX_BASE_NS + at_s * FL_NS_PER_SEC;
	cr_assert_eq(fl_engine_feed(x->e, &x->ev), 0);
}

static inline size_t ax_count(const struct ax *x, enum fl_action_type t, const char *rule)
{
	size_t n = 0;

	for (size_t i = 0; i < x->n; i++)
		n += x->recs[i].type == t && strcmp(x->recs[i].rule, rule) == 0;
	return n;
}

static inline const struct ax_rec *ax_find(const struct ax *x, enum fl_action_type t, const char *rule)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->recs[i].type == t && strcmp(x->recs[i].rule, rule) == 0)
			return &x->recs[i];
	return NULL;
}

#endif /* FL_TEST_PLAN_FIXTURE_H */
