/* engine_fixture.h - a small plan over the sample network, an engine with
 * an event clock, and the actions it wrote, for the engine's unit tests.
 * The plan's data come from $FL_SHARED/data (default /work/shared). */
#ifndef FL_TEST_ENGINE_FIXTURE_H
#define FL_TEST_ENGINE_FIXTURE_H
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/clock.h"
#include "engine/correlate/correlate.h"
#include "engine/decode/event.h"
#include "engine/inventory/inventory.h"
#include "engine/decode/syslog.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

/* 2026-11-20T00:00:00Z: the test's time zero. */
#define FX_BASE_NS (INT64_C(1795132800) * FL_NS_PER_SEC)
#define FX_MAX_RECS 4096

/* The sample network's eight tables, as a plan names them. */
#define FX_SAMPLE_DATA \
	"data sites \"sites.csv\";\n" \
	"data devices \"devices.csv\";\n" \
	"data rings \"rings.csv\";\n" \
	"data spans \"spans.csv\";\n" \
	"data chains \"chains.csv\";\n" \
	"data circuits \"circuits.csv\";\n" \
	"data contacts \"contacts.csv\";\n" \
	"data maintenance \"maintenance.csv\";\n"

static const char fx_plan_text[] =
	"plan t;\n"
	"timezone \"UTC\";\n"
	FX_SAMPLE_DATA
	"roles duty_room;\n"
	"level urgent { respond 0s; repair 2h; ladder page; }\n"
	"level severe { respond 0s; ladder page; }\n"
	"level general { respond 30m; ladder page; }\n"
	"ladder page { step after 0s notify duty_room at own via sms; }\n"
	"maintenance works {\n"
	"    scope device HC-JCJ-RT02;\n"
	"    from \"2026-11-20T01:00:00Z\";\n"
	"    until \"2026-11-20T02:00:00Z\";\n"
	"}\n"
	"rule los {\n"
	"    match syslog;\n"
	"    lookup device host;\n"
	"    where msg ~ /R_LOS raised port=(?<port>\\S+)/;\n"
	"    clear where msg ~ /R_LOS cleared port=(?<port>\\S+)/;\n"
	"    key host, port;\n"
	"    dedup 5m;\n"
	"}\n"
	"rule cons {\n"
	"    match syslog;\n"
	"    lookup device host;\n"
	"    where msg ~ /\\b(?<alarm>MS_AIS|TU_AIS)\\b/;\n"
	"    key host, alarm;\n"
	"    dedup 10m;\n"
	"    clear after quiet 10m;\n"
	"    raise level general title \"${alarm} ${host}\";\n"
	"}\n"
	"rule storm {\n"
	"    match syslog;\n"
	"    where msg ~ /STORM (?<id>\\d+)/;\n"
	"    key id;\n"
	"    dedup 1m;\n"
	"    clear after quiet 1m;\n"
	"    raise level general title \"storm ${id}\";\n"
	"}\n"
	"rule burst {\n"
	"    match syslog;\n"
	"    where msg ~ /BURST on (?<p>\\S+)/;\n"
	"    key host, p;\n"
	"    threshold 3 within 1m;\n"
	"    clear after quiet 1m;\n"
	"    raise level general title \"burst ${p}\";\n"
	"}\n"
	"rule flap {\n"
	"    match syslog;\n"
	"    where msg ~ /port (?<p>\\S+) is (?:up|down)/;\n"
	"    key host, p;\n"
	"    flap 4 within 5m;\n"
	"    clear after quiet 5m;\n"
	"    raise level general title \"flap ${p}\";\n"
	"}\n"
	"rule held {\n"
	"    match syslog;\n"
	"    where msg ~ /HELD (?<id>\\d+)/;\n"
	"    key id;\n"
	"    dedup 1m;\n"
	"    raise level general title \"held ${id}\";\n"
	"}\n"
	"rule pair {\n"
	"    match syslog;\n"
	"    lookup device host;\n"
	"    where msg ~ /PAIR_FAULT (?<p>\\S+)/;\n"
	"    clear where msg ~ /PAIR_CLEAR (?<p>\\S+)/;\n"
	"    key host, p;\n"
	"    raise level general title \"pair ${host} ${p}\";\n"
	"}\n"
	"rule silent {\n"
	"    match syslog;\n"
	"    lookup device host;\n"
	"    where host exists;\n"
	"    key host;\n"
	"    absent 10m;\n"
	"}\n"
	"rule hb {\n"
	"    match syslog;\n"
	"    lookup device host;\n"
	"    where msg ~ /HEARTBEAT/;\n"
	"    key host;\n"
	"    absent 5m;\n"
	"    raise level general title \"silent ${host} ${site}\";\n"
	"}\n"
	"correlate cut {\n"
	"    locate span;\n"
	"    from los;\n"
	"    within 60s;\n"
	"    hold 30s;\n"
	"    absorb los, cons for 15m;\n"
	"    raise level severe title \"cut ${span}\";\n"
	"}\n"
	"correlate site_down {\n"
	"    locate site;\n"
	"    from silent, los;\n"
	"    within 5m;\n"
	"    absorb los, cons for 15m;\n"
	"    raise level urgent title \"site ${site}\";\n"
	"}\n";

struct fx_rec {
	enum fl_action_type type;
	uint64_t id;
	char rule[64], title[256], evidence[96], span[64], site[64], window[64], channel[16];
	uint32_t level;
	uint64_t count, absorbed;
	bool is_planned;
	int64_t at_s;
	/* every place, "kind id" joined by ", "; notify: scope, reason, whom */
	char places[256], scope[16], reason[32], to[768];
	size_t n_places;
};

struct fx {
	struct fl_diags *d;
	struct fl_plan *plan;
	const struct fl_program *prog;
	struct fl_clock *clock;
	struct fl_engine *e;
	struct fl_event ev;
	struct fx_rec recs[FX_MAX_RECS];
	size_t n;
};

static void fx_copy(char *out, size_t size, const char *s)
{
	snprintf(out, size, "%s", s ? s : "");
}

static void fx_on_action(const struct fl_action *a, void *ctx)
{
	struct fx *f = ctx;
	struct fx_rec *r;

	cr_assert_lt(f->n, FX_MAX_RECS);
	r = &f->recs[f->n++];
	r->type = a->type;
	r->id = a->incident->id;
	fx_copy(r->rule, sizeof(r->rule), a->incident->source_name);
	fx_copy(r->title, sizeof(r->title), a->incident->title);
	fx_copy(r->evidence, sizeof(r->evidence), a->incident->evidence);
	fx_copy(r->span, sizeof(r->span), a->incident->span_name);
	fx_copy(r->site, sizeof(r->site), a->incident->site ? a->incident->site->id : NULL);
	fx_copy(r->window, sizeof(r->window), a->incident->window);
	fx_copy(r->channel, sizeof(r->channel), a->channel);
	r->level = a->incident->level;
	r->count = a->incident->count;
	r->absorbed = a->incident->absorbed;
	r->is_planned = a->incident->is_planned;
	r->at_s = (a->at_ns - FX_BASE_NS) / FL_NS_PER_SEC;
	r->n_places = a->incident->n_places;
	for (size_t i = 0, len = 0; i < a->incident->n_places && len < sizeof(r->places); i++) {
		const struct fl_incident_place *pl = &a->incident->places[i];
		int n = snprintf(r->places + len, sizeof(r->places) - len, "%s%s %s", i ? ", " : "",
				 pl->kind == FL_PLACE_SPAN ? "span" : "site",
				 pl->kind == FL_PLACE_SPAN ? pl->span->id : pl->site->id);

		len += n > 0 ? (size_t)n : 0;
	}
	fx_copy(r->scope, sizeof(r->scope), a->scope);
	fx_copy(r->reason, sizeof(r->reason), a->reason);
	for (size_t i = 0, len = 0; i < a->n_to && len < sizeof(r->to); i++) {
		int n = snprintf(r->to + len, sizeof(r->to) - len, "%s%s", i ? "; " : "", a->to[i]);

		len += n > 0 ? (size_t)n : 0;
	}
}

/* A fresh engine on plan_text over the data files of data_dir; cfg may be
 * NULL. */
static struct fx *fx_open_with(const struct fl_engine_config *cfg, const char *plan_text,
			       const char *data_dir)
{
	struct fl_engine_config c = {0};
	struct fl_plan_options opt = {0};
	struct fx *f = calloc(1, sizeof(*f));

	cr_assert_not_null(f);
	opt.data_dir = data_dir;
	cr_assert_eq(fl_diags_create(&f->d), 0);
	cr_assert_eq(fl_plan_compile_text(&f->plan, "fixture.plan", plan_text, strlen(plan_text),
					  &opt, f->d),
		     0, "the fixture plan compiles");
	f->prog = fl_plan_program(f->plan);
	if (cfg)
		c = *cfg;
	c.on_action = fx_on_action;
	c.ctx = f;
	cr_assert_eq(fl_clock_create_event(&f->clock, 0), 0);
	cr_assert_eq(fl_engine_create(&f->e, f->prog, f->clock, &c), 0);
	return f;
}

/* A fresh engine on plan_text over the sample network; cfg may be NULL. */
static inline struct fx *fx_open_sample(const struct fl_engine_config *cfg, const char *plan_text)
{
	const char *shared = getenv("FL_SHARED") ? getenv("FL_SHARED") : "/work/shared";
	char data[4096];

	snprintf(data, sizeof(data), "%s/data", shared);
	return fx_open_with(cfg, plan_text, data);
}

/* A fresh engine on the fixture plan over the sample network; cfg may be
 * NULL. */
static inline struct fx *fx_open(const struct fl_engine_config *cfg)
{
	return fx_open_sample(cfg, fx_plan_text);
}

static void fx_close(struct fx *f)
{
	fl_engine_destroy(f->e);
	fl_clock_destroy(f->clock);
	fl_plan_destroy(f->plan);
	fl_diags_destroy(f->d);
	free(f);
}

/* Feeds "HOST MSG" as a syslog line at at_s seconds after time zero;
 * returns fl_engine_feed()'s result. */
static int fx_at(struct fx *f, int64_t at_s, const char *host, const char *msg)
{
	struct fl_syslog_opts so = {.year = 2026};
	char line[1024];
	int n = snprintf(line, sizeof(line), "<131>Nov 20 00:00:00 %s app: %s", host, msg);

	so.received_ns = FX_BASE_NS;
	cr_assert_eq(fl_syslog_decode(&f->ev, line, (size_t)n, &so), FL_SYSLOG_OK, "%s", line);
	f->ev.time_ns = FX_BASE_NS + at_s * FL_NS_PER_SEC;
	return fl_engine_feed(f->e, &f->ev);
}

static void fx_run_to(struct fx *f, int64_t at_s)
{
	fl_engine_advance(f->e, FX_BASE_NS + at_s * FL_NS_PER_SEC);
}

static size_t fx_count(const struct fx *f, enum fl_action_type t, const char *rule)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += f->recs[i].type == t && (!rule || strcmp(f->recs[i].rule, rule) == 0);
	return n;
}

static const struct fx_rec *fx_find(const struct fx *f, enum fl_action_type t, const char *rule)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->recs[i].type == t && (!rule || strcmp(f->recs[i].rule, rule) == 0))
			return &f->recs[i];
	return NULL;
}

static const struct fx_rec *fx_last(const struct fx *f, uint64_t id)
{
	for (size_t i = f->n; i > 0; i--)
		if (f->recs[i - 1].id == id)
			return &f->recs[i - 1];
	return NULL;
}

#endif /* FL_TEST_ENGINE_FIXTURE_H */
