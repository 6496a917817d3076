/* Maintenance announcements: which customers a window touches, the lead
 * time, recurring windows, the idempotency key and the store's once-only
 * queue. The plan runs over the sample network in $FL_SHARED/data. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/pipeline/announce.h"
#include "engine/lib/notice_key.h"
#include "engine/notify/plugin.h"
#include "engine/store/consent.h"
#include "engine/store/store.h"
#include "engine/store/store_time.h"
#include "engine/lib/tz.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

static const char an_plan[] =
	"plan t;\n"
	"timezone \"Asia/Shanghai\";\n"
	"data sites \"sites.csv\";\n"
	"data devices \"devices.csv\";\n"
	"data rings \"rings.csv\";\n"
	"data spans \"spans.csv\";\n"
	"data chains \"chains.csv\";\n"
	"data circuits \"circuits.csv\";\n"
	"data contacts \"contacts.csv\";\n"
	"data maintenance \"maintenance.csv\";\n"
	"roles customer_contact;\n"
	"announce maintenance {\n"
	"    before 72h notify customer_contact at customer via sms, email;\n"
	"    before 12h notify customer_contact at customer via sms;\n"
	"}\n";

#define AN_MAX 512

struct got {
	size_t n;
	char customer[AN_MAX][64], key[AN_MAX][160], channel[AN_MAX][16], body[4096];
	int64_t start_ns[AN_MAX];
};

struct an_fx {
	struct fl_diags *d;
	struct fl_plan *plan;
	struct fl_tz *tz;
	struct fl_announcer *a;
	struct got got;
};

static struct an_fx *an_open(void)
{
	const char *shared = getenv("FL_SHARED") ? getenv("FL_SHARED") : "/work/shared";
	struct fl_plan_options opt = {0};
	char data[4096];
	struct an_fx *f = calloc(1, sizeof(*f));

	cr_assert_not_null(f);
	snprintf(data, sizeof(data), "%s/data", shared);
	opt.data_dir = data;
	cr_assert_eq(fl_diags_create(&f->d), 0);
	cr_assert_eq(fl_plan_compile_text(&f->plan, "announce.plan", an_plan, sizeof(an_plan) - 1,
					  &opt, f->d),
		     0, "the plan compiles");
	cr_assert_eq(fl_tz_load(&f->tz, "+08:00"), 0);
	cr_assert_eq(fl_announcer_create(&f->a, fl_plan_program(f->plan), f->tz), 0);
	return f;
}

static void an_close(struct an_fx *f)
{
	fl_announcer_destroy(f->a);
	fl_tz_free(f->tz);
	fl_plan_destroy(f->plan);
	fl_diags_destroy(f->d);
	free(f);
}

static int collect(void *ctx, const struct fl_announcement *an)
{
	struct got *g = ctx;

	cr_assert_lt(g->n, AN_MAX);
	snprintf(g->customer[g->n], sizeof(g->customer[0]), "%s", an->customer);
	snprintf(g->key[g->n], sizeof(g->key[0]), "%s", an->key);
	snprintf(g->channel[g->n], sizeof(g->channel[0]), "%s", an->channel);
	snprintf(g->body, sizeof(g->body), "%s", an->body);
	g->start_ns[g->n] = an->start_ns;
	g->n++;
	return 0;
}

static int64_t t(const char *iso)
{
	int64_t ns;

	cr_assert_eq(fl_time_parse(iso, &ns), 0, "%s", iso);
	return ns;
}

static bool has_customer(const struct got *g, const char *customer)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->customer[i], customer) == 0)
			return true;
	return false;
}

/* One window of scope/target, 2026-12-10 02:00-04:00 +08:00, asked a day
 * before. */
static void due_for(struct an_fx *f, enum fl_window_scope scope, const char *target)
{
	struct fl_announce_window w = {.id = "W1", .scope = scope, .target = target,
				       .reason = "割接", .start_ns = t("2026-12-10T02:00+08:00"),
				       .end_ns = t("2026-12-10T04:00+08:00")};

	fl_announcer_reset(f->a);
	memset(&f->got, 0, sizeof(f->got));
	cr_assert_eq(fl_announcer_add(f->a, &w), 0);
	cr_assert_eq(fl_announcer_due(f->a, t("2026-12-09T02:00+08:00"), collect, &f->got), 0);
}

Test(announce, finds_the_customers_whose_circuits_ride_a_span)
{
	struct an_fx *f = an_open();

	due_for(f, FL_WSCOPE_SPAN, "HC-JCJ-R01-S01");
	cr_expect(has_customer(&f->got, "河池市电子政务外网"));
	cr_expect(has_customer(&f->got, "河池市医保数据专网"));
	for (size_t i = 0; i < f->got.n; i++)
		cr_expect(strcmp(f->got.customer[i], "河池市电子政务外网") == 0 ||
				  strcmp(f->got.customer[i], "河池市医保数据专网") == 0,
			  "only the span's customers, got %s", f->got.customer[i]);
	cr_expect(strstr(f->got.body, "HC-JCJ-R01-S01") != NULL, "%s", f->got.body);
	cr_expect(strstr(f->got.body, "2026-12-10 02:00") != NULL, "local time: %s", f->got.body);
	an_close(f);
}

Test(announce, finds_the_customers_of_a_site_a_device_a_ring_and_a_city)
{
	struct an_fx *f = an_open();

	due_for(f, FL_WSCOPE_SITE, "HC-BM");
	cr_expect(has_customer(&f->got, "河池市教育城域网"), "a circuit ending at the site");
	cr_expect(has_customer(&f->got, "河池市电子政务外网"));
	cr_expect(!has_customer(&f->got, "南宁市电子政务外网"));
	due_for(f, FL_WSCOPE_DEVICE, "HC-JCJ-ZWZX-OSN01");
	cr_expect(has_customer(&f->got, "河池市电子政务外网"), "a span of the device");
	cr_expect(!has_customer(&f->got, "南宁市电子政务外网"));
	due_for(f, FL_WSCOPE_RING, "HC-JCJ-R01");
	cr_expect(has_customer(&f->got, "河池市医保数据专网"), "a span of the ring");
	due_for(f, FL_WSCOPE_CITY, "Nanning");
	cr_expect(has_customer(&f->got, "南宁市电子政务外网"));
	cr_expect(!has_customer(&f->got, "河池市电子政务外网"), "another city's customer");
	due_for(f, FL_WSCOPE_SPAN, "NO-SUCH-SPAN");
	cr_expect_eq(f->got.n, 0, "an unknown target touches nobody");
	an_close(f);
}

Test(announce, announces_only_inside_the_lead_time_before_the_start)
{
	struct an_fx *f = an_open();
	struct fl_announce_window w = {.id = "W1", .scope = FL_WSCOPE_SPAN,
				       .target = "HC-JCJ-R01-S01",
				       .start_ns = t("2026-12-10T02:00+08:00"),
				       .end_ns = t("2026-12-10T04:00+08:00")};
	struct got g = {0};

	cr_assert_eq(fl_announcer_add(f->a, &w), 0);
	cr_assert_eq(fl_announcer_due(f->a, t("2026-12-07T01:59+08:00"), collect, &g), 0);
	cr_expect_eq(g.n, 0, "72 h and a minute ahead: not yet");
	cr_assert_eq(fl_announcer_due(f->a, t("2026-12-07T02:00+08:00"), collect, &g), 0);
	cr_expect_gt(g.n, 0, "exactly 72 h ahead: due");
	g.n = 0;
	cr_assert_eq(fl_announcer_due(f->a, t("2026-12-10T01:59+08:00"), collect, &g), 0);
	cr_expect_gt(g.n, 0, "a minute before the start: still due");
	g.n = 0;
	cr_assert_eq(fl_announcer_due(f->a, t("2026-12-10T02:00+08:00"), collect, &g), 0);
	cr_expect_eq(g.n, 0, "started: never announced");
	an_close(f);
}

Test(announce, announces_the_next_occurrence_of_a_weekly_and_a_monthly_window)
{
	struct an_fx *f = an_open();
	struct fl_announce_window weekly = {.id = "W", .scope = FL_WSCOPE_SPAN,
					    .target = "HC-JCJ-R01-S01",
					    .start_ns = t("2026-11-01T02:00Z"),
					    .end_ns = t("2026-11-01T04:00Z"),
					    .recur = FL_ANNOUNCE_WEEKLY};
	struct fl_announce_window monthly = weekly;
	struct got g = {0};

	cr_assert_eq(fl_announcer_add(f->a, &weekly), 0);
	/* Sundays: Nov 1, 8, 15, 22. On Nov 20 the 22nd is 50 h away */
	cr_assert_eq(fl_announcer_due(f->a, t("2026-11-20T00:00Z"), collect, &g), 0);
	cr_assert_gt(g.n, 0);
	cr_expect_eq(g.start_ns[0], t("2026-11-22T02:00Z"));
	g.n = 0;
	cr_assert_eq(fl_announcer_due(f->a, t("2026-11-17T00:00Z"), collect, &g), 0);
	cr_expect_eq(g.n, 0, "the 22nd is 5 days away, the 15th has started");
	fl_announcer_reset(f->a);
	monthly.id = "M";
	monthly.recur = FL_ANNOUNCE_MONTHLY;
	monthly.start_ns = t("2026-01-31T02:00Z");
	monthly.end_ns = t("2026-01-31T04:00Z");
	cr_assert_eq(fl_announcer_add(f->a, &monthly), 0);
	cr_assert_eq(fl_announcer_due(f->a, t("2026-11-28T00:00Z"), collect, &g), 0);
	cr_assert_gt(g.n, 0);
	cr_expect_eq(g.start_ns[0], t("2026-11-30T02:00Z"), "31st clamped to November's 30th");
	an_close(f);
}

Test(announce, gives_each_announcement_the_same_valid_key_every_time)
{
	struct an_fx *f = an_open();
	struct got first = {0};

	due_for(f, FL_WSCOPE_SPAN, "HC-JCJ-R01-S01");
	cr_assert_gt(f->got.n, 1);
	first = f->got;
	due_for(f, FL_WSCOPE_SPAN, "HC-JCJ-R01-S01");
	cr_assert_eq(f->got.n, first.n);
	for (size_t i = 0; i < first.n; i++) {
		cr_expect_str_eq(f->got.key[i], first.key[i]);
		cr_expect(fl_notice_key_valid(first.key[i]), "%s", first.key[i]);
		cr_expect(strncmp(first.key[i], "mw:W1:20261209T1800Z:b259200s:c", 31) == 0, "%s",
			  first.key[i]);
		for (size_t j = 0; j < i; j++)
			cr_expect_str_neq(first.key[i], first.key[j], "keys differ per contact "
								      "and channel");
	}
	an_close(f);
}

Test(announce, skips_the_customers_a_data_file_window_says_were_told)
{
	struct an_fx *f = an_open();
	struct fl_announce_stats st;
	struct got g = {0};

	/* MW-2026-1128-01 (span HC-JCJ-R01-S01) lists both its customers in
	 * customers_notified */
	cr_assert_eq(fl_announcer_add_plan(f->a), 0);
	cr_assert_eq(fl_announcer_due(f->a, t("2026-11-26T00:00+08:00"), collect, &g), 0);
	fl_announcer_stats(f->a, &st);
	cr_expect_eq(st.windows, 3);
	cr_expect_eq(g.n, 0);
	cr_expect_eq(st.told_before, 2);
	an_close(f);
}

/* Removes a test database with its WAL files. */
static void remove_db(const char *path)
{
	char side[80];

	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

struct enqueue_ctx {
	struct fl_store *s;
	int64_t now_ns;
	int want;
	size_t n;
};

static int enqueue(void *ctx, const struct fl_announcement *an)
{
	struct enqueue_ctx *e = ctx;

	cr_expect_eq(fl_announce_enqueue(e->s, an, e->now_ns), e->want, "%s", an->key);
	e->n++;
	return 0;
}

static int count_rows(void *ctx, const struct fl_report_row *r)
{
	(void)r;
	++*(size_t *)ctx;
	return 0;
}

Test(announce, queues_each_announcement_in_the_store_once)
{
	struct an_fx *f = an_open();
	char path[] = "/tmp/fl-announce-XXXXXX";
	struct fl_announce_window w = {.id = "MW-X", .scope = FL_WSCOPE_SPAN,
				       .target = "HC-JCJ-R01-S01", .reason = "迁改",
				       .start_ns = t("2026-12-10T02:00+08:00"),
				       .end_ns = t("2026-12-10T04:00+08:00")};
	struct enqueue_ctx e = {.now_ns = t("2026-12-09T00:00+08:00")};
	enum fl_ticket_state state;
	struct fl_store *s;
	uint64_t counts[5];
	size_t first;
	char err[256];
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(fl_store_open(&s, path, err, sizeof(err)), 0, "%s", err);
	e.s = s;
	cr_assert_eq(fl_announcer_add(f->a, &w), 0);
	cr_assert_eq(fl_announcer_due(f->a, e.now_ns, enqueue, &e), 0);
	first = e.n;
	cr_assert_gt(first, 0);
	cr_assert_eq(fl_store_outbox_counts(s, counts), 0);
	cr_expect_eq(counts[FL_OUTBOX_PENDING], first, "each announcement queued");
	e.want = -EEXIST;
	e.n = 0;
	e.now_ns += 60 * INT64_C(1000000000); /* the next minute's check */
	cr_assert_eq(fl_announcer_due(f->a, e.now_ns, enqueue, &e), 0);
	cr_expect_eq(e.n, first, "the same announcements are due");
	cr_assert_eq(fl_store_outbox_counts(s, counts), 0);
	cr_expect_eq(counts[FL_OUTBOX_PENDING], first, "and none is queued twice");
	cr_assert_eq(fl_store_ticket_state(s, "ANN-MW-X-20261209T1800", &state), 0);
	cr_expect_eq(state, FL_TICKET_ARCHIVED, "the record is no open ticket");
	{
		size_t rows = 0;

		cr_assert_eq(fl_store_report_each(s, t("2026-12-01T00:00Z"), t("2027-01-01T00:00Z"),
						  t("2027-01-01T00:00Z"), count_rows, &rows),
			     0);
		cr_expect_eq(rows, 0, "the monthly report counts no announcement as a ticket");
	}
	fl_store_close(s);
	remove_db(path);
	an_close(f);
}

Test(announce, reads_a_weekly_window_of_the_store_by_its_next_occurrence)
{
	struct an_fx *f = an_open();
	char path[] = "/tmp/fl-announce-XXXXXX";
	struct fl_maint_window mw = {.scope = "ring", .target = "HC-JCJ-R01",
				     .from_ns = t("2026-11-01T02:00Z"),
				     .to_ns = t("2026-11-01T04:00Z"), .recur = FL_MAINT_WEEKLY,
				     .reason = "例行巡检", .by = "e2e"};
	struct fl_announce_stats st;
	struct fl_store *s;
	struct got g = {0};
	char err[256];
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(fl_store_open(&s, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(fl_store_maint_add(s, &mw, t("2026-10-30T00:00Z")), 0);
	cr_assert_eq(fl_announcer_add_store(f->a, s, t("2026-11-20T00:00Z")), 0);
	fl_announcer_stats(f->a, &st);
	cr_expect_eq(st.windows, 1);
	cr_assert_eq(fl_announcer_due(f->a, t("2026-11-20T00:00Z"), collect, &g), 0);
	cr_assert_gt(g.n, 0);
	cr_expect_eq(g.start_ns[0], t("2026-11-22T02:00Z"), "the Sunday after");
	cr_expect(strncmp(g.key[0], "mw:store-1:20261122T0200Z:", 26) == 0, "%s", g.key[0]);
	cr_expect(has_customer(&g, "河池市医保数据专网"), "a circuit on the ring");
	cr_expect(strstr(g.body, "例行巡检") != NULL, "%s", g.body);
	fl_store_close(s);
	remove_db(path);
	an_close(f);
}

Test(announce, keys_two_reminders_on_one_channel_apart)
{
	struct an_fx *f = an_open();
	struct fl_announce_window w = {.id = "W1", .scope = FL_WSCOPE_SPAN,
				       .target = "HC-JCJ-R01-S01", .reason = "割接",
				       .start_ns = t("2026-12-10T02:00+08:00"),
				       .end_ns = t("2026-12-10T04:00+08:00")};
	size_t sms_72h = 0, sms_12h = 0;

	cr_assert_eq(fl_announcer_add(f->a, &w), 0);
	cr_assert_eq(fl_announcer_due(f->a, t("2026-12-09T20:00+08:00"), collect, &f->got), 0);
	for (size_t i = 0; i < f->got.n; i++) {
		if (strcmp(f->got.channel[i], "sms") != 0)
			continue;
		sms_72h += strstr(f->got.key[i], ":b259200s:") != NULL;
		sms_12h += strstr(f->got.key[i], ":b43200s:") != NULL;
		for (size_t j = 0; j < i; j++)
			cr_expect_str_neq(f->got.key[i], f->got.key[j]);
	}
	cr_expect_gt(sms_72h, 0);
	cr_expect_eq(sms_12h, sms_72h, "each contact gets both reminders");
	an_close(f);
}

static int customer_list(void *ctx, const char *customer)
{
	struct got *g = ctx;

	cr_assert_lt(g->n, AN_MAX);
	snprintf(g->customer[g->n++], sizeof(g->customer[0]), "%s", customer);
	return 0;
}

Test(announce, warns_once_when_a_window_starts_without_every_customers_consent)
{
	struct an_fx *f = an_open();
	char path[] = "/tmp/fl-announce-XXXXXX";
	struct fl_maint_window mw = {.scope = "span", .target = "HC-CR03-S04",
				     .from_ns = t("2026-12-10T02:00Z"),
				     .to_ns = t("2026-12-10T04:00Z"), .by = "e2e"};
	struct fl_announce_window w = {.id = "consent", .scope = FL_WSCOPE_SPAN,
				       .target = "HC-CR03-S04", .start_ns = mw.from_ns,
				       .end_ns = mw.to_ns};
	const char *names[AN_MAX];
	struct fl_announce_tally tally = {0};
	struct fl_announce_stats st;
	struct fl_store *s;
	struct got g = {0};
	char err[256];
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_eq(fl_store_open(&s, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(fl_store_maint_add(s, &mw, t("2026-12-01T00:00Z")), 0);
	cr_assert_eq(fl_announcer_customers(f->a, &w, customer_list, &g), 0);
	cr_assert_eq(g.n, 2, "two customers ride the span");
	cr_expect(has_customer(&g, "河池市电子政务外网"));
	for (size_t i = 0; i < g.n; i++)
		names[i] = g.customer[i];
	cr_assert_eq(fl_consent_customers_add(s, mw.id, names, g.n), 0);
	cr_assert_eq(fl_consent_record(s, mw.id, names[0], FL_CONSENT_GIVEN, "op1", NULL,
				       t("2026-12-02T00:00Z")), 0);
	cr_assert_eq(fl_announcer_attach(f->a, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(fl_announce_check(f->a, t("2026-12-10T01:59Z"), &tally), 0);
	cr_expect_eq(tally.consent_missing, 0, "not started yet");
	cr_assert_eq(fl_announce_check(f->a, t("2026-12-10T02:00Z"), &tally), 0);
	cr_expect_eq(tally.consent_missing, 1, "started with one customer not agreed");
	cr_assert_eq(fl_announce_check(f->a, t("2026-12-10T02:01Z"), &tally), 0);
	cr_expect_eq(tally.consent_missing, 1, "warned once, not every minute");
	fl_announcer_stats(f->a, &st);
	cr_expect_eq(st.consent_missing, 1);
	fl_store_close(s);
	an_close(f);
	remove_db(path);
}
