/* The store's duty occurrences (store_duty.h): one ticket per duty, branch
 * and due instant, whoever makes it; the latest per branch; resolve from
 * any open state for a duty's ticket only; the report's counts. On SQLite
 * and, in the _pg twins, PostgreSQL. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/lib/limits.h"
#include "engine/store/store.h"
#include "engine/store/store_duty.h"
#include "tests/unit/store_tmp.h"

#define NS 1000000000LL
#define DAY_NS (86400 * NS)
#define DUE_NS (1799110800LL * NS) /* 2027-01-05T01:00:00Z, 09:00 in Shanghai */
#define NEXT_NS (1801789200LL * NS) /* 2027-02-05T01:00:00Z */

static void setup(void)
{
	store_tmp_setup("/tmp/fl-duty-XXXXXX");
}

static void teardown(void)
{
	store_tmp_teardown();
}

STORE_SUITES(store_duty, setup, teardown);

static struct fl_duty_occurrence visit(const char *branch, int64_t k, int64_t due_ns)
{
	struct fl_duty_occurrence o = {
		.duty = "visit", .branch = branch, .level = "county", .city = "Hilltown",
		.county = branch, .title = "technician visit", .due_k = k, .due_ns = due_ns,
		.deadline_ns = due_ns + 31 * DAY_NS,
	};
	return o;
}

static int count_run(void *ctx, const struct fl_duty_run_view *r)
{
	size_t *n = ctx;

	(void)r;
	(*n)++;
	return 0;
}

static size_t runs(struct fl_store *s, const char *duty)
{
	size_t n = 0;

	cr_assert_eq(fl_store_duty_runs_each(s, duty, count_run, &n), 0, "%s", fl_store_errmsg(s));
	return n;
}

STORE_TEST(store_duty, an_occurrence_is_made_once_with_a_numbered_ticket)
{
	struct fl_store *s = open_store();
	struct fl_duty_occurrence o = visit("Gaoling", 0, DUE_NS);
	char id[FL_STORE_ID_MAX + 1] = "", again[FL_STORE_ID_MAX + 1] = "";
	int64_t k = -1;

	cr_assert_eq(fl_store_duty_last(s, "visit", "Gaoling", &k), -ENOENT);
	cr_assert_eq(fl_store_duty_open(s, &o, DUE_NS + NS, id, sizeof(id)), 0, "%s",
		     fl_store_errmsg(s));
	cr_expect_str_eq(id, "DUTY-2027-000001");
	cr_expect_eq(fl_store_duty_open(s, &o, DUE_NS + 2 * NS, again, sizeof(again)), -EEXIST);
	cr_expect_str_eq(again, "", "an id written for an occurrence not made");
	cr_assert_eq(fl_store_duty_last(s, "visit", "Gaoling", &k), 0);
	cr_expect_eq(k, 0);
	/* another branch, and the next occurrence: tickets of their own */
	o.branch = "Longtan";
	cr_assert_eq(fl_store_duty_open(s, &o, DUE_NS + NS, id, sizeof(id)), 0);
	cr_expect_str_eq(id, "DUTY-2027-000002");
	o = visit("Gaoling", 1, NEXT_NS);
	cr_assert_eq(fl_store_duty_open(s, &o, NEXT_NS, id, sizeof(id)), 0);
	cr_assert_eq(fl_store_duty_last(s, "visit", "Gaoling", &k), 0);
	cr_expect_eq(k, 1);
	cr_expect_eq(runs(s, "visit"), 2, "the latest per branch");
	o.title = "";
	cr_expect_eq(fl_store_duty_open(s, &o, NEXT_NS, id, sizeof(id)), -EINVAL);
	fl_store_close(s);
}

/* Two engines on one store tick the same instant: one ticket; the loser's
 * transaction, its notices with it, is rolled back. */
STORE_TEST(store_duty, two_connections_make_one_ticket)
{
	struct fl_store *a = open_store(), *b = open_store();
	struct fl_duty_occurrence o = visit("Shiling", 0, DUE_NS);
	char ida[FL_STORE_ID_MAX + 1], idb[FL_STORE_ID_MAX + 1];
	int64_t k = -1;

	cr_assert_eq(fl_store_duty_open(a, &o, DUE_NS, ida, sizeof(ida)), 0, "%s",
		     fl_store_errmsg(a));
	cr_assert_eq(fl_store_begin(b), 0);
	cr_expect_eq(fl_store_duty_open(b, &o, DUE_NS, idb, sizeof(idb)), -EEXIST);
	cr_expect_neq(fl_store_commit(b), 0, "the loser's transaction is lost");
	cr_expect_eq(runs(a, "visit"), 1);
	cr_expect_eq(runs(b, "visit"), 1);
	cr_assert_eq(fl_store_duty_last(b, "visit", "Shiling", &k), 0);
	cr_expect_eq(k, 0);
	fl_store_close(a);
	fl_store_close(b);
}

STORE_TEST(store_duty, a_duty_ticket_resolves_from_open_an_incident_does_not)
{
	struct fl_store *s = open_store();
	struct fl_duty_occurrence o = visit("Gaoling", 0, DUE_NS);
	const struct fl_ticket_new inc = {
		.id = "INC-1", .rule = "fibre_cut", .key = "S1", .level = "urgent", .title = "cut",
		.respond_ms = -1, .onsite_ms = -1, .repair_ms = -1, .opened_ns = DUE_NS,
	};
	char id[FL_STORE_ID_MAX + 1], id2[FL_STORE_ID_MAX + 1], msg[256] = "";

	cr_assert_eq(fl_store_incident_open(s, &inc), 0);
	cr_expect_eq(fl_store_transition(s, "INC-1", FL_TR_RESOLVE, "ops", NULL, DUE_NS, msg,
					 sizeof(msg)),
		     -EPERM);
	cr_expect(strstr(msg, "resolve needs service restored"), "%s", msg);
	cr_assert_eq(fl_store_transition(s, "INC-1", FL_TR_ACK, "ops", NULL, DUE_NS, NULL, 0), 0);
	cr_expect_eq(fl_store_transition(s, "INC-1", FL_TR_RESOLVE, "ops", NULL, DUE_NS, NULL, 0),
		     -EPERM, "an incident still cannot skip restore");

	cr_assert_eq(fl_store_duty_open(s, &o, DUE_NS, id, sizeof(id)), 0);
	cr_expect_eq(fl_store_transition(s, id, FL_TR_RESOLVE, "黄秋萍", "visited", DUE_NS + DAY_NS,
					 NULL, 0),
		     0, "%s", fl_store_errmsg(s));
	cr_expect_eq(fl_store_transition(s, id, FL_TR_RESOLVE, "ops", NULL, DUE_NS, NULL, 0), -EPERM,
		     "resolved once");
	o.branch = "Longtan";
	cr_assert_eq(fl_store_duty_open(s, &o, DUE_NS, id2, sizeof(id2)), 0);
	cr_assert_eq(fl_store_transition(s, id2, FL_TR_ACK, "ops", NULL, DUE_NS, NULL, 0), 0);
	cr_expect_eq(fl_store_transition(s, id2, FL_TR_RESOLVE, "ops", NULL, DUE_NS, NULL, 0), 0,
		     "from acknowledged too");
	fl_store_close(s);
}

struct report {
	struct fl_duty_report_row rows[4];
	char names[4][32];
	size_t n;
};

static int keep_row(void *ctx, const struct fl_duty_report_row *r)
{
	struct report *rep = ctx;

	cr_assert_lt(rep->n, 4);
	snprintf(rep->names[rep->n], sizeof(rep->names[0]), "%s", r->duty);
	rep->rows[rep->n++] = *r;
	return 0;
}

/* In January: one done in time, one late, one open past its deadline; the
 * February one open, not yet overdue; a catch-up's passed-over count. */
STORE_TEST(store_duty, the_report_counts_done_late_open_and_overdue)
{
	struct fl_store *s = open_store();
	static const char *const branches[] = {"Gaoling", "Shiling", "Longtan"};
	char id[3][FL_STORE_ID_MAX + 1], feb[FL_STORE_ID_MAX + 1];
	struct fl_duty_occurrence o;
	struct report rep = {0};
	int64_t jan1 = DUE_NS - 4 * DAY_NS, mar1 = jan1 + 59 * DAY_NS;

	for (int i = 0; i < 3; i++) {
		o = visit(branches[i], 0, DUE_NS);
		cr_assert_eq(fl_store_duty_open(s, &o, DUE_NS, id[i], sizeof(id[i])), 0);
	}
	o = visit("Yun'ao", 1, NEXT_NS);
	o.passed_over = 2;
	cr_assert_eq(fl_store_duty_open(s, &o, NEXT_NS, feb, sizeof(feb)), 0);
	cr_assert_eq(fl_store_transition(s, id[0], FL_TR_RESOLVE, "a", NULL, DUE_NS + DAY_NS, NULL, 0),
		     0);
	cr_assert_eq(fl_store_transition(s, id[1], FL_TR_RESOLVE, "b", NULL, DUE_NS + 40 * DAY_NS,
					 NULL, 0),
		     0);
	cr_assert_eq(fl_store_duty_report_each(s, jan1, mar1, DUE_NS + 45 * DAY_NS, keep_row, &rep),
		     0, "%s", fl_store_errmsg(s));
	cr_assert_eq(rep.n, 1);
	cr_expect_str_eq(rep.names[0], "visit");
	cr_expect_eq(rep.rows[0].due, 4);
	cr_expect_eq(rep.rows[0].done, 1);
	cr_expect_eq(rep.rows[0].late, 1);
	cr_expect_eq(rep.rows[0].open, 2);
	cr_expect_eq(rep.rows[0].overdue, 1, "Longtan's, past 5 February; Yun'ao's runs to March");
	cr_expect_eq(rep.rows[0].passed_over, 2);
	rep.n = 0;
	cr_assert_eq(fl_store_duty_report_each(s, jan1, jan1 + 31 * DAY_NS, mar1, keep_row, &rep), 0);
	cr_expect_eq(rep.rows[0].due, 3, "January's only");
	cr_expect_eq(fl_store_duty_report_each(s, mar1, jan1, mar1, keep_row, &rep), -EINVAL);
	fl_store_close(s);
}
