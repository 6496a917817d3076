/* A fault reported by a person (engine/store/hotline.h), on both backends:
 * the ticket, its clocks for the location class, the call in its history
 * and its places; the open hand tickets an alarm may join, oldest first,
 * and none once restored or cleared; the join's history line and the
 * location fields it fills only where the call left them empty. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "engine/lib/limits.h"
#include "engine/store/hotline.h"
#include "engine/store/store.h"
#include "tests/unit/store_tmp.h"

#define MS 1000000LL
#define T0 1795572000000000000LL /* 2026-11-25T02:00:00Z */

static void setup(void)
{
	store_tmp_setup("/tmp/fl-hotline-XXXXXX");
}

static void teardown(void)
{
	store_tmp_teardown();
}

STORE_SUITES(store_hotline, setup, teardown);

static const struct fl_hotline_clocks urgent = {
	.respond_ms = 5 * 60000, .onsite_ms = {30 * 60000, 60 * 60000, 120 * 60000},
	.repair_ms = 4 * 3600000,
};

static void open_ok(struct fl_store *s, const struct fl_hotline_report *r, char *id)
{
	cr_assert_eq(fl_hotline_open(s, r, id, FL_STORE_ID_MAX + 1), 0, "%s", fl_store_errmsg(s));
}

struct history_find {
	const char *what;
	char note[512], by[64];
	int n;
};

static int history_find(void *ctx, const struct fl_history_row *h)
{
	struct history_find *f = ctx;

	if (strcmp(h->what, f->what) == 0) {
		f->n++;
		snprintf(f->note, sizeof(f->note), "%s", h->note ? h->note : "");
		snprintf(f->by, sizeof(f->by), "%s", h->by ? h->by : "");
	}
	return 0;
}

STORE_TEST(store_hotline, opens_a_ticket_with_the_class_clock_and_the_call)
{
	struct fl_store *s = open_store();
	char id[FL_STORE_ID_MAX + 1];
	struct fl_clock_info ci;
	struct history_find f = {.what = "opened from a call"};
	struct fl_hotline_report r = {
		.level = "urgent", .clocks = urgent, .text = "专网不通", .caller = "张先生",
		.by = "op1", .customer = "河池市电子政务外网", .circuit = "C1;C2",
		.county = "宜州区", .now_ns = T0,
	};

	open_ok(s, &r, id);
	cr_expect_eq(strncmp(id, "TEL-", 4), 0, "%s", id);
	cr_assert_eq(fl_store_clock_get(s, id, FL_TICKET_CLOCK_ONSITE, &ci), 0);
	cr_expect_eq(ci.budget_ms, 60 * 60000, "a county named: the county's on-site clock");
	cr_assert_eq(fl_store_history_each(s, id, history_find, &f), 0);
	cr_expect_eq(f.n, 1);
	cr_expect_str_eq(f.by, "op1");
	cr_expect_str_eq(f.note, "caller 张先生: 专网不通");
	fl_store_close(s);
}

STORE_TEST(store_hotline, refuses_a_report_that_names_nothing_or_a_bad_class)
{
	struct fl_store *s = open_store();
	char id[FL_STORE_ID_MAX + 1];
	struct fl_hotline_report r = {.level = "urgent", .clocks = urgent, .text = "x",
	                              .by = "op1", .now_ns = T0};

	cr_expect_eq(fl_hotline_open(s, &r, id, sizeof(id)), -EINVAL, "nothing affected");
	r.span = "S1";
	r.loc_class = "village";
	cr_expect_eq(fl_hotline_open(s, &r, id, sizeof(id)), -EINVAL, "no such class");
	r.loc_class = NULL;
	r.by = "";
	cr_expect_eq(fl_hotline_open(s, &r, id, sizeof(id)), -EINVAL, "nobody took the call");
	fl_store_close(s);
}

struct open_list {
	char ids[4][FL_STORE_ID_MAX + 1];
	char spans[4][32];
	int n;
};

static int collect(void *ctx, const struct fl_hotline_ticket *t)
{
	struct open_list *l = ctx;

	if (l->n < 4) {
		snprintf(l->ids[l->n], sizeof(l->ids[0]), "%s", t->id);
		snprintf(l->spans[l->n], sizeof(l->spans[0]), "%s", t->span ? t->span : "-");
	}
	l->n++;
	return 0;
}

STORE_TEST(store_hotline, lists_the_open_hand_tickets_oldest_first)
{
	struct fl_store *s = open_store();
	char later[FL_STORE_ID_MAX + 1], earlier[FL_STORE_ID_MAX + 1], done[FL_STORE_ID_MAX + 1];
	struct fl_hotline_report r = {.level = "urgent", .clocks = urgent, .text = "x",
	                              .by = "op1", .span = "S1", .now_ns = T0 + 60000 * MS};
	struct fl_ticket_new alarm = {.id = "INC-1", .rule = "fibre_cut", .key = "S1",
	                              .level = "urgent", .title = "cut", .loc = {.span = "S1"},
	                              .respond_ms = -1, .onsite_ms = -1, .repair_ms = -1,
	                              .opened_ns = T0};
	struct open_list l = {0};

	open_ok(s, &r, later);
	r.now_ns = T0;
	r.span = NULL;
	r.site = "SA";
	open_ok(s, &r, earlier);
	open_ok(s, &r, done);
	cr_assert_eq(fl_store_transition(s, done, FL_TR_ACK, "op1", NULL, T0, NULL, 0), 0);
	cr_assert_eq(fl_store_transition(s, done, FL_TR_RESTORE, "op1", NULL, T0, NULL, 0), 0,
	             "%s", fl_store_errmsg(s));
	cr_assert_eq(fl_store_incident_open(s, &alarm), 0, "an alarm's ticket is not a hand one");
	cr_assert_eq(fl_hotline_each_open(s, collect, &l), 0, "%s", fl_store_errmsg(s));
	cr_assert_eq(l.n, 2, "restored and alarm tickets left out: %d", l.n);
	cr_expect_str_eq(l.ids[0], earlier);
	cr_expect_str_eq(l.ids[1], later);
	cr_expect_str_eq(l.spans[1], "S1");
	cr_assert_eq(fl_store_incident_clear(s, earlier, "the alarm cleared", T0 + MS), 0);
	l.n = 0;
	cr_assert_eq(fl_hotline_each_open(s, collect, &l), 0);
	cr_expect_eq(l.n, 1, "a cleared one is no longer joined");
	fl_store_close(s);
}

static int summary_city(void *ctx, const struct fl_ticket_summary *t)
{
	snprintf(ctx, 64, "%s", t->city ? t->city : "-");
	return 0;
}

STORE_TEST(store_hotline, a_join_records_the_alarm_and_fills_only_empty_places)
{
	struct fl_store *s = open_store();
	char id[FL_STORE_ID_MAX + 1];
	struct history_find f = {.what = "joined by alarm"};
	struct fl_hotline_report r = {.level = "urgent", .clocks = urgent, .text = "x",
	                              .by = "op1", .customer = "C", .city = "Hechi",
	                              .now_ns = T0};
	struct fl_hotline_alarm a = {.title = "光缆中断 S2", .span = "S2", .ring = "R1",
	                             .city = "Liuzhou", .county = "Yizhou", .at_ns = T0 + MS};
	struct open_list l = {0};
	char city[64] = "";

	open_ok(s, &r, id);
	cr_assert_eq(fl_hotline_join(s, id, &a), 0, "%s", fl_store_errmsg(s));
	cr_assert_eq(fl_store_history_each(s, id, history_find, &f), 0);
	cr_expect_eq(f.n, 1);
	cr_expect_str_eq(f.by, "faultline");
	cr_expect_str_eq(f.note, "光缆中断 S2 at S2");
	cr_assert_eq(fl_hotline_each_open(s, collect, &l), 0);
	cr_expect_str_eq(l.spans[0], "S2", "the ticket gained the located span");
	cr_assert_eq(fl_store_ticket_summary(s, id, summary_city, city), 0);
	cr_expect_str_eq(city, "Hechi", "the caller's city is kept");
	cr_expect_eq(fl_hotline_join(s, "TEL-NONE", &a), -ENOENT);
	fl_store_close(s);
}
