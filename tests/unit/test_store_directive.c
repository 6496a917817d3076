/* The store side of dispatch directives: ids, branches, acknowledgements in
 * time and late, reports, late steps taken once, the yearly record, and that
 * a directive's record is no ticket of the monthly report. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/store/store.h"
#include "tests/unit/store_tmp.h"

#define MS 1000000LL
#define MIN (60 * 1000 * MS)
#define T0 1796083200000000000LL /* 2026-12-01T00:00:00Z */

static void setup(void)
{
	store_tmp_setup("/tmp/fl-dir-XXXXXX");
}

static void teardown(void)
{
	store_tmp_teardown();
}

STORE_SUITES(store_directive, setup, teardown);


/* A directive to Mingyang and its county Shuikou: 15 and 30 minutes. */
static void issue(struct fl_store *s, char *id, size_t id_len, int64_t at_ns)
{
	const struct fl_directive_new d = {
	    .issuer = "customer dispatch centre",
	    .text = "保障12月重要通信\nsecond line",
	    .scope = "city Mingyang",
	    .level = "urgent",
	    .ask = FL_DIRECTIVE_ASK_ACK,
	    .issued_ns = at_ns,
	};
	const struct fl_directive_branch city = {"Mingyang", "city", NULL, at_ns + 15 * MIN};
	const struct fl_directive_branch county = {"Shuikou", "county", "Mingyang", at_ns + 30 * MIN};

	cr_assert_eq(fl_store_directive_add(s, &d, id, id_len), 0, "%s", fl_store_errmsg(s));
	cr_assert_eq(fl_store_directive_branch_add(s, id, &city, at_ns), 0);
	cr_assert_eq(fl_store_directive_branch_add(s, id, &county, at_ns), 0);
}

static int count_directive(void *ctx, const struct fl_directive_view *d)
{
	(void)d;
	++*(int *)ctx;
	return 0;
}

STORE_TEST(store_directive, numbers_the_directives_of_a_day_from_one)
{
	struct fl_store *s = open_store();
	char a[80], b[80], c[80];

	issue(s, a, sizeof(a), T0 + 10 * MIN);
	issue(s, b, sizeof(b), T0 + 20 * MIN);
	issue(s, c, sizeof(c), T0 + 24 * 60 * MIN);
	cr_expect_str_eq(a, "DIR-20261201-1");
	cr_expect_str_eq(b, "DIR-20261201-2");
	cr_expect_str_eq(c, "DIR-20261202-1");
	fl_store_close(s);
}

STORE_TEST(store_directive, refuses_a_report_time_without_asking_for_a_report)
{
	struct fl_store *s = open_store();
	const struct fl_directive_new d = {.issuer = "region company", .text = "x", .scope = "all",
	                                   .ask = FL_DIRECTIVE_ASK_ACK, .report_by_ns = T0,
	                                   .issued_ns = T0};
	char id[80];

	cr_expect_eq(fl_store_directive_add(s, &d, id, sizeof(id)), -EINVAL);
	fl_store_close(s);
}

STORE_TEST(store_directive, reaches_a_branch_once)
{
	struct fl_store *s = open_store();
	const struct fl_directive_branch again = {"Shuikou", "county", "Mingyang", T0};
	char id[80];

	issue(s, id, sizeof(id), T0);
	cr_expect_eq(fl_store_directive_branch_add(s, id, &again, T0), -EEXIST);
	cr_expect_eq(fl_store_directive_branch_add(s, "DIR-19990101-1", &again, T0), -ENOENT);
	/* the failed add left no transaction open behind it */
	cr_expect_eq(fl_store_directive_ack(s, id, "Shuikou", "吴春兰", NULL, T0 + MIN), 0);
	fl_store_close(s);
}

struct branches {
	int n;
	char names[4][32];
	int64_t acked[4], reported[4];
};

static int take_branch(void *ctx, const struct fl_directive_branch_view *b)
{
	struct branches *bs = ctx;

	if (bs->n < 4) {
		snprintf(bs->names[bs->n], sizeof(bs->names[0]), "%s", b->branch);
		bs->acked[bs->n] = b->acked_ns;
		bs->reported[bs->n] = b->reported_ns;
	}
	bs->n++;
	return 0;
}

STORE_TEST(store_directive, records_an_acknowledgement_once_and_a_report_as_one)
{
	struct fl_store *s = open_store();
	struct branches bs = {0};
	char id[80];
	int open = 0;

	issue(s, id, sizeof(id), T0);
	cr_expect_eq(fl_store_directive_ack(s, id, "Mingyang", "甘志强", "on it", T0 + MIN), 0);
	cr_expect_eq(fl_store_directive_ack(s, id, "Mingyang", "甘志强", NULL, T0 + 2 * MIN),
	             -EEXIST);
	cr_expect_eq(fl_store_directive_ack(s, id, "Lianhua", "x", NULL, T0), -ENOENT);
	cr_assert_eq(fl_store_directives_each(s, true, count_directive, &open), 0);
	cr_expect_eq(open, 1, "Shuikou has not acknowledged");
	cr_expect_eq(fl_store_directive_report(s, id, "Shuikou", "吴春兰", "all clear", T0 + 3 * MIN),
	             0);
	cr_expect_eq(fl_store_directive_report(s, id, "Shuikou", "吴春兰", "again", T0 + 4 * MIN),
	             -EEXIST);
	cr_assert_eq(fl_store_directive_branches_each(s, id, take_branch, &bs), 0);
	cr_assert_eq(bs.n, 2);
	cr_expect_str_eq(bs.names[0], "Mingyang", "the city first");
	cr_expect_str_eq(bs.names[1], "Shuikou");
	cr_expect_eq(bs.acked[0], T0 + MIN);
	cr_expect_eq(bs.acked[1], T0 + 3 * MIN, "the report acknowledged");
	cr_expect_eq(bs.reported[1], T0 + 3 * MIN);
	open = 0;
	cr_assert_eq(fl_store_directives_each(s, true, count_directive, &open), 0);
	cr_expect_eq(open, 0);
	fl_store_close(s);
}

static int take_late(void *ctx, const struct fl_directive_late *l)
{
	struct branches *bs = ctx;

	if (bs->n < 4)
		snprintf(bs->names[bs->n], sizeof(bs->names[0]), "%s:%u", l->branch, l->late_steps);
	bs->n++;
	return 0;
}

STORE_TEST(store_directive, lists_a_late_branch_until_it_acknowledges_and_marks_a_step_once)
{
	struct fl_store *s = open_store();
	struct branches bs = {0};
	char id[80];

	issue(s, id, sizeof(id), T0);
	cr_assert_eq(fl_store_directive_late_each(s, T0 + 15 * MIN - 1, take_late, &bs), 0);
	cr_expect_eq(bs.n, 0, "nobody is late before a deadline");
	cr_assert_eq(fl_store_directive_late_each(s, T0 + 15 * MIN, take_late, &bs), 0);
	cr_assert_eq(bs.n, 1);
	cr_expect_str_eq(bs.names[0], "Mingyang:0");
	cr_expect_eq(fl_store_directive_late_mark(s, id, "Mingyang", 1, "late", NULL, T0 + 16 * MIN),
	             0);
	cr_expect_eq(fl_store_directive_late_mark(s, id, "Mingyang", 1, "late", NULL, T0 + 17 * MIN),
	             -EEXIST, "a late step fires once");
	bs.n = 0;
	cr_assert_eq(fl_store_directive_late_each(s, T0 + 40 * MIN, take_late, &bs), 0);
	cr_assert_eq(bs.n, 2);
	cr_expect_str_eq(bs.names[0], "Mingyang:1");
	cr_expect_str_eq(bs.names[1], "Shuikou:0");
	cr_expect_eq(fl_store_directive_ack(s, id, "Mingyang", "甘志强", NULL, T0 + 41 * MIN), 0);
	bs.n = 0;
	cr_assert_eq(fl_store_directive_late_each(s, T0 + 60 * MIN, take_late, &bs), 0);
	cr_expect_eq(bs.n, 1, "an acknowledged branch is late no more");
	fl_store_close(s);
}

struct year {
	int n;
	struct fl_directive_year_row rows[4];
	char names[4][32];
};

static int take_year(void *ctx, const struct fl_directive_year_row *r)
{
	struct year *y = ctx;

	if (y->n < 4) {
		y->rows[y->n] = *r;
		snprintf(y->names[y->n], sizeof(y->names[0]), "%s", r->branch);
	}
	y->n++;
	return 0;
}

STORE_TEST(store_directive, counts_the_year_per_branch_in_time_late_never_and_reports)
{
	struct fl_store *s = open_store();
	int64_t year_ns = T0 - 334LL * 24 * 60 * MIN; /* 2026-01-01 */
	struct year y = {0};
	char a[80], b[80], c[80];

	issue(s, a, sizeof(a), T0);
	issue(s, b, sizeof(b), T0 + 60 * MIN);
	issue(s, c, sizeof(c), T0 + 120 * MIN); /* still running when judged */
	cr_assert_eq(fl_store_directive_ack(s, a, "Mingyang", "甘", NULL, T0 + MIN), 0);
	cr_assert_eq(fl_store_directive_ack(s, b, "Mingyang", "甘", NULL, T0 + 80 * MIN), 0);
	cr_assert_eq(fl_store_directive_report(s, a, "Shuikou", "吴", "ok", T0 + 5 * MIN), 0);
	cr_assert_eq(fl_store_directive_year_each(s, year_ns, year_ns + 365LL * 24 * 60 * MIN,
	                                          T0 + 125 * MIN, take_year, &y),
	             0);
	cr_assert_eq(y.n, 2);
	cr_expect_str_eq(y.names[0], "Mingyang");
	cr_expect_eq(y.rows[0].received, 3);
	cr_expect_eq(y.rows[0].acked_in_time, 1);
	cr_expect_eq(y.rows[0].acked_late, 1);
	cr_expect_eq(y.rows[0].never, 0);
	cr_expect_eq(y.rows[0].open, 1);
	cr_expect_str_eq(y.names[1], "Shuikou");
	cr_expect_eq(y.rows[1].acked_in_time, 1);
	cr_expect_eq(y.rows[1].never, 1, "b's deadline passed unacknowledged");
	cr_expect_eq(y.rows[1].open, 1);
	cr_expect_eq(y.rows[1].reports, 1);
	fl_store_close(s);
}

static int count_report_row(void *ctx, const struct fl_report_row *r)
{
	(void)r;
	++*(int *)ctx;
	return 0;
}

STORE_TEST(store_directive, keeps_its_record_out_of_the_ticket_report_and_list)
{
	struct fl_store *s = open_store();
	int rows = 0;
	char id[80];

	issue(s, id, sizeof(id), T0);
	cr_assert_eq(fl_store_report_each(s, T0 - MIN, T0 + MIN, T0 + MIN, count_report_row, &rows),
	             0);
	cr_expect_eq(rows, 0, "a directive is not a ticket of the period");
	fl_store_close(s);
}
