/* fl_runner_reload(): a plan swapped in between two events, its state
 * carried over through the store and the messages fed again. The plans are
 * tests/soak/soak.plan (a fibre cut once both ends of a span lose signal,
 * held 1 s here, paged to the duty room at once) written into a temporary
 * directory with its data paths made absolute; each test runs the live
 * clock, so a hold is waited for by polling with a deadline. */
#include <criterion/criterion.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/decode/event.h"
#include "engine/decode/syslog.h"
#include "engine/pipeline/metrics.h"
#include "engine/pipeline/runner.h"
#include "tests/unit/store_tmp.h"

#define NS_PER_MS 1000000LL
#define LOS_A "<130>Nov 25 10:00:00 MY-DP-OSN01 OSN: R_LOS raised port=1-8-1"
#define LOS_B "<130>Nov 25 10:00:00 MY-SK-OSN01 OSN: R_LOS raised port=1-7-1"
#define CLR_A "<133>Nov 25 10:00:04 MY-DP-OSN01 OSN: R_LOS cleared port=1-8-1"
#define CLR_B "<133>Nov 25 10:00:04 MY-SK-OSN01 OSN: R_LOS cleared port=1-7-1"

static char plan[160];
static struct fl_runner_config cfg;
/* what was fed, for the catch-up a journal would do */
static struct {
	const char *line;
	int64_t received_ns;
} fed[16];
static size_t n_fed;

static void nap_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * NS_PER_MS};

	nanosleep(&ts, NULL);
}

static int64_t real_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The soak plan with its data paths absolute, its hold 1 s and, when
 * rename is set, its correlation under another name. */
static void write_plan(const char *corr_name, const char *extra)
{
	const char *root = getenv("FL_ROOT") ? getenv("FL_ROOT") : ".";
	char src[512], line[512];
	FILE *in, *out;

	snprintf(src, sizeof(src), "%s/tests/soak/soak.plan", root);
	cr_assert(in = fopen(src, "r"), "%s", src);
	cr_assert(out = fopen(plan, "w"));
	while (fgets(line, sizeof(line), in)) {
		char *p = strstr(line, "\"../../");

		if (p)
			fprintf(out, "%.*s\"%s/%s", (int)(p - line), line, root, p + 7);
		else if (strstr(line, "hold 2s;"))
			fputs("    hold 1s;\n", out);
		else if (strncmp(line, "correlate fibre_cut {", 21) == 0)
			fprintf(out, "correlate %s {\n", corr_name);
		else
			fputs(line, out);
	}
	fputs(extra, out);
	fclose(in);
	fclose(out);
}

static void feed_at(struct fl_runner *r, const char *line, int64_t received_ns, bool is_catch_up)
{
	struct fl_event *ev = calloc(1, sizeof(*ev));
	struct fl_syslog_opts opts = {.received_ns = received_ns, .tz = fl_runner_tz(r)};

	cr_assert(ev);
	ev->received_ns = received_ns;
	cr_assert_eq(fl_syslog_decode(ev, line, strlen(line), &opts), FL_SYSLOG_OK, "%s", line);
	if (is_catch_up)
		fl_runner_catch_up(r, ev);
	else
		fl_runner_feed(r, ev);
	free(ev);
}

static void feed(struct fl_runner *r, const char *line)
{
	cr_assert(n_fed < sizeof(fed) / sizeof(fed[0]));
	fed[n_fed].line = line;
	fed[n_fed].received_ns = real_now_ns();
	feed_at(r, line, fed[n_fed].received_ns, false);
	n_fed++;
}

/* A reload as `run` does it: the messages taken so far fed again in their
 * own times (the journal's part), then live. Returns fl_runner_reload()'s. */
static int reload(struct fl_runner **r, char *said, size_t said_len)
{
	struct fl_runner_config c = cfg;
	struct fl_runner_reload_report rep;
	FILE *diag = fmemopen(said, said_len, "w");
	int rc;

	cr_assert(diag);
	c.catch_up_from_ns = real_now_ns() - 60000 * NS_PER_MS;
	rc = fl_runner_reload(r, &c, diag, &rep);
	fclose(diag);
	if (rc == -EINVAL)
		return rc;
	for (size_t i = 0; i < n_fed; i++)
		feed_at(*r, fed[i].line, fed[i].received_ns, true);
	cr_assert_eq(fl_runner_catch_up_end(*r), 0);
	return rc;
}

static uint64_t opened(struct fl_runner *r)
{
	struct fl_run_stats st;

	memset(&st, 0, sizeof(st));
	fl_runner_stats(r, &st);
	return st.engine.opened;
}

/* Ticks until the engine has opened n incidents, or 10 s went by. */
static bool ticks_until_opened(struct fl_runner *r, uint64_t n)
{
	int64_t deadline = real_now_ns() + 10000 * NS_PER_MS;

	while (opened(r) < n && real_now_ns() < deadline) {
		cr_assert_eq(fl_runner_tick(r), 0);
		nap_ms(20);
	}
	return opened(r) >= n;
}

static long count(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long n = -1;

	cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sql);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void setup(void)
{
	char out[160];

	store_tmp_setup("/tmp/fl-reload-XXXXXX");
	snprintf(plan, sizeof(plan), "%s/p.plan", dir);
	/* the action stream goes to a file: the tests read the store */
	snprintf(out, sizeof(out), "%s/actions.jsonl", dir);
	cr_assert(freopen(out, "w", stdout));
	memset(&cfg, 0, sizeof(cfg));
	cfg.plan = plan;
	cfg.db = path;
	n_fed = 0;
	write_plan("fibre_cut", "");
}

static void teardown(void)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/actions.jsonl", dir);
	unlink(p);
	unlink(plan);
	store_tmp_teardown();
}

TestSuite(runner_reload, .init = setup, .fini = teardown, .timeout = 60);

Test(runner_reload, turns_a_cut_held_across_the_swap_into_one_ticket)
{
	struct fl_runner *r = NULL;
	char said[4096] = "";

	cr_assert_eq(fl_runner_create(&r, &cfg), 0);
	feed(r, LOS_A);
	feed(r, LOS_B);
	cr_assert_eq(opened(r), 0, "inside its hold: no incident yet");
	cr_assert_eq(reload(&r, said, sizeof(said)), 0, "%s", said);
	cr_expect(ticks_until_opened(r, 1), "the held cut never opened after the reload");
	fl_runner_destroy(r);
	cr_expect_eq(count("SELECT count(*) FROM tickets"), 1);
	cr_expect_eq(count("SELECT count(*) FROM outbox"), 1, "paged once");
}

Test(runner_reload, keeps_an_open_incident_its_ticket_and_the_steps_it_took)
{
	struct fl_runner *r = NULL;
	char said[4096] = "";

	cr_assert_eq(fl_runner_create(&r, &cfg), 0);
	feed(r, LOS_A);
	feed(r, LOS_B);
	cr_assert(ticks_until_opened(r, 1));
	for (int k = 0; k < 3; k++) /* the same plan, again and again */
		cr_assert_eq(reload(&r, said, sizeof(said)), 0, "%s", said);
	for (int k = 0; k < 5; k++) {
		cr_assert_eq(fl_runner_tick(r), 0);
		nap_ms(20);
	}
	cr_expect_eq(opened(r), 0, "the new engine took the ticket back, it opened none");
	feed(r, CLR_A);
	feed(r, CLR_B);
	cr_assert_eq(fl_runner_tick(r), 0);
	fl_runner_destroy(r);
	cr_expect_eq(count("SELECT count(*) FROM tickets"), 1, "one ticket through three reloads");
	cr_expect_eq(count("SELECT count(*) FROM outbox"), 1, "its page not sent again");
	cr_expect_eq(count("SELECT count(*) FROM tickets WHERE cleared_ns IS NOT NULL"), 1,
		     "the clear after the reloads reached the same ticket");
}

Test(runner_reload, closes_and_records_the_ticket_of_a_correlation_gone_from_the_plan)
{
	struct fl_runner *r = NULL;
	char said[4096] = "";

	cr_assert_eq(fl_runner_create(&r, &cfg), 0);
	feed(r, LOS_A);
	feed(r, LOS_B);
	cr_assert(ticks_until_opened(r, 1));
	write_plan("span_cut", "");
	cr_assert_eq(reload(&r, said, sizeof(said)), 0, "%s", said);
	cr_expect(strstr(said, "correlation 'fibre_cut' is not in the new plan"), "%s", said);
	cr_expect(strstr(said, "closed: 'fibre_cut' left the plan at a reload"), "%s", said);
	fl_runner_destroy(r);
	cr_expect_eq(count("SELECT count(*) FROM tickets WHERE cleared_ns IS NOT NULL"), 1,
		     "the gone correlation's ticket is not left open");
	cr_expect_eq(count("SELECT count(*) FROM history WHERE note LIKE "
			   "'''fibre_cut'' left the plan at a reload%'"),
		     1, "its history says why");
}

Test(runner_reload, refuses_a_plan_with_an_error_and_runs_the_old_one_on)
{
	struct fl_runner *r = NULL, *before;
	char said[4096] = "", where[256];

	cr_assert_eq(fl_runner_create(&r, &cfg), 0);
	feed(r, LOS_A);
	write_plan("fibre_cut", "rule broken { match syslog; where msg ~ /x/; key host\n");
	before = r;
	cr_expect_eq(reload(&r, said, sizeof(said)), -EINVAL);
	cr_expect_eq(r, before, "the old runner is kept");
	snprintf(where, sizeof(where), "%s:", plan);
	cr_expect(strstr(said, where) && strstr(said, ": error"), "no file:line:col: %s", said);
	feed(r, LOS_B); /* the held end and this one: the old engine's cut */
	cr_expect(ticks_until_opened(r, 1), "the old plan stopped working");
	fl_runner_destroy(r);
	cr_expect_eq(count("SELECT count(*) FROM tickets"), 1);
}

/* The journal gives the new engine the cut and its clear again: it decides
 * the same again about times before the swap, and that must not become a
 * second ticket or a second page. */
Test(runner_reload, does_not_open_again_a_cut_opened_and_cleared_before_the_swap)
{
	struct fl_runner *r = NULL;
	char said[4096] = "";

	cr_assert_eq(fl_runner_create(&r, &cfg), 0);
	feed(r, LOS_A);
	feed(r, LOS_B);
	cr_assert(ticks_until_opened(r, 1));
	feed(r, CLR_A);
	feed(r, CLR_B);
	cr_assert_eq(fl_runner_tick(r), 0);
	cr_assert_eq(reload(&r, said, sizeof(said)), 0, "%s", said);
	cr_assert_eq(fl_runner_restated(r) > 0, true, "the catch-up decided nothing again");
	for (int k = 0; k < 5; k++) {
		cr_assert_eq(fl_runner_tick(r), 0);
		nap_ms(20);
	}
	fl_runner_destroy(r);
	cr_expect_eq(count("SELECT count(*) FROM tickets"), 1, "the cut became a second ticket");
	cr_expect_eq(count("SELECT count(*) FROM outbox"), 1, "the duty room was paged again");
}
