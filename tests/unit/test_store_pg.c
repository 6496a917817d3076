/* What only the PostgreSQL store promises: several delivery workers on one
 * outbox, each with its own connection, never claim one row twice and
 * never wait for each other (FOR UPDATE SKIP LOCKED), and the engine's
 * writes run one at a time as on SQLite. Skipped, saying why, without
 * FL_TEST_PG_URL (store_tmp.h). */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/store/store.h"
#include "tests/unit/store_tmp.h"

#define MS 1000000LL
#define T0 1795572000000000000LL /* 2026-11-25T02:00:00Z */
#define ROWS 60

static void setup(void)
{
	store_tmp_setup("/tmp/fl-pgonly-XXXXXX");
	store_tmp_pg_setup();
}

static void teardown(void)
{
	store_tmp_pg_teardown();
	store_tmp_teardown();
}

TestSuite(store_pg_only, .init = setup, .fini = teardown);

/* One ticket and ROWS pages for it. */
static void fill(struct fl_store *s)
{
	struct fl_ticket_new t = {
		.id = "INC-1", .rule = "fibre_cut", .key = "S1", .level = "urgent",
		.title = "光缆中断", .loc = {.span = "S1"}, .respond_ms = 15 * 60 * 1000,
		.onsite_ms = -1, .repair_ms = -1, .opened_ns = T0,
	};

	cr_assert_eq(fl_store_incident_open(s, &t), 0, "%s", fl_store_errmsg(s));
	for (int i = 0; i < ROWS; i++) {
		char key[32];
		struct fl_notice n = {.key = key, .channel = "sms", .address = "13800002112",
		                      .body = "光缆中断"};

		snprintf(key, sizeof(key), "page-%d", i);
		cr_assert_eq(fl_store_notify_enqueue(s, "INC-1", &n, T0), 0, "%s",
		             fl_store_errmsg(s));
	}
}

Test(store_pg_only, a_row_locked_by_one_worker_is_skipped_by_the_other_not_waited_for,
     .timeout = 60)
{
	struct fl_outbox_row *a = NULL, *b = NULL;
	struct fl_store *sa, *sb;

	store_tmp_pg_or_skip();
	sa = open_store();
	sb = open_store();
	fill(sa);
	/* a holds its claimed row locked: the claim's transaction stays open */
	cr_assert_eq(fl_store_begin(sa), 0);
	cr_assert_eq(fl_store_outbox_claim(sa, T0, &a), 0, "%s", fl_store_errmsg(sa));
	/* b must not wait for it (a lock wait would end in -EBUSY) nor take it */
	fl_store_busy_timeout(sb, 2000);
	cr_assert_eq(fl_store_outbox_claim(sb, T0, &b), 0, "%s", fl_store_errmsg(sb));
	cr_expect_neq(a->id, b->id, "both workers claimed row %lld", (long long)a->id);
	cr_assert_eq(fl_store_commit(sa), 0, "%s", fl_store_errmsg(sa));
	fl_store_outbox_row_free(a);
	fl_store_outbox_row_free(b);
	fl_store_close(sa);
	fl_store_close(sb);
}

struct worker {
	int64_t ids[ROWS];
	size_t n;
	int rc;
};

/* A delivery worker: its own connection, claims until nothing is due. */
static void *claim_all(void *arg)
{
	struct worker *w = arg;
	struct fl_store *s = NULL;
	char err[256];

	w->rc = fl_store_open(&s, path, err, sizeof(err));
	while (w->rc == 0) {
		struct fl_outbox_row *r = NULL;
		int rc = fl_store_outbox_claim(s, T0, &r);

		if (rc == -ENOENT)
			break;
		if (rc < 0 || w->n == ROWS) {
			w->rc = rc < 0 ? rc : -E2BIG;
			break;
		}
		w->ids[w->n++] = r->id;
		rc = fl_store_outbox_finish(s, r->id, FL_OUTBOX_SENT, "sent", NULL, 0, T0);
		fl_store_outbox_row_free(r);
		if (rc < 0)
			w->rc = rc;
	}
	fl_store_close(s);
	return NULL;
}

Test(store_pg_only, three_workers_on_one_outbox_send_every_row_exactly_once, .timeout = 120)
{
	struct worker w[3];
	pthread_t th[3];
	int seen[ROWS + 1] = {0};
	size_t total = 0;
	struct fl_store *s;
	uint64_t c[5];

	store_tmp_pg_or_skip();
	s = open_store();
	fill(s);
	memset(w, 0, sizeof(w));
	for (int i = 0; i < 3; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, claim_all, &w[i]), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 3; i++) {
		cr_expect_eq(w[i].rc, 0, "worker %d: %s", i, strerror(-w[i].rc));
		for (size_t j = 0; j < w[i].n; j++) {
			cr_assert(w[i].ids[j] >= 1 && w[i].ids[j] <= ROWS, "row id %lld",
			          (long long)w[i].ids[j]);
			seen[w[i].ids[j]]++;
		}
		total += w[i].n;
	}
	cr_expect_eq(total, ROWS, "claimed %zu of %d rows", total, ROWS);
	for (int id = 1; id <= ROWS; id++)
		cr_expect_eq(seen[id], 1, "row %d claimed %d times", id, seen[id]);
	cr_assert_eq(fl_store_outbox_counts(s, c), 0);
	cr_expect_eq(c[FL_OUTBOX_SENT], ROWS);
	fl_store_close(s);
}

/* BEGIN IMMEDIATE's twin: a second writer waits for the first, and with a
 * short busy timeout gets -EBUSY, as on SQLite. */
Test(store_pg_only, a_second_writer_waits_for_the_first_and_gives_up_busy, .timeout = 60)
{
	struct fl_store *sa, *sb;

	store_tmp_pg_or_skip();
	sa = open_store();
	sb = open_store();
	cr_assert_eq(fl_store_begin(sa), 0);
	fl_store_busy_timeout(sb, 300);
	cr_expect_eq(fl_store_begin(sb), -EBUSY, "%s", fl_store_errmsg(sb));
	fl_store_rollback(sa);
	cr_expect_eq(fl_store_begin(sb), 0, "%s", fl_store_errmsg(sb));
	fl_store_rollback(sb);
	fl_store_close(sa);
	fl_store_close(sb);
}

/* The lead of a pair: one session at a time; it frees when its holder's
 * connection ends, and the next draws a higher fencing number. */
Test(store_pg_only, one_engine_leads_and_the_next_takes_over_with_a_higher_epoch, .timeout = 60)
{
	struct fl_store *sa, *sb;
	struct fl_store_lead l;
	int64_t ea = 0, eb = 0;

	store_tmp_pg_or_skip();
	sa = open_store();
	sb = open_store();
	cr_assert_eq(fl_store_lead_try(sa, "engine-a", T0, &ea), 0, "%s", fl_store_errmsg(sa));
	cr_expect_eq(fl_store_lead_try(sb, "engine-b", T0, &eb), -EAGAIN);
	cr_assert_eq(fl_store_lead_get(sb, &l), 0);
	cr_expect_eq(l.epoch, ea);
	cr_expect_str_eq(l.holder, "engine-a");
	fl_store_close(sa); /* as kill -9 would: the server frees the lock */
	/* as the standby does: the server ends a's session a moment later */
	for (int i = 0; i < 100 && fl_store_lead_try(sb, "engine-b", T0 + MS, &eb) == -EAGAIN; i++)
		nanosleep(&(struct timespec){0, 100 * 1000000L}, NULL);
	cr_assert_neq(eb, 0, "b never got the lead: %s", fl_store_errmsg(sb));
	cr_expect_gt(eb, ea);
	cr_assert_eq(fl_store_lead_get(sb, &l), 0);
	cr_expect_str_eq(l.holder, "engine-b");
	fl_store_close(sb);
}

/* An engine that lost the lead without knowing it (its own lead session
 * gone, its writing connection still up) writes nothing: -ESTALE. */
Test(store_pg_only, a_store_fenced_with_a_stale_epoch_writes_nothing, .timeout = 60)
{
	struct fl_store *lead_a, *write_a, *lead_b;
	struct fl_store_lead l;
	int64_t ea = 0, eb = 0;

	store_tmp_pg_or_skip();
	lead_a = open_store();
	write_a = open_store();
	cr_assert_eq(fl_store_lead_try(lead_a, "engine-a", T0, &ea), 0);
	fl_store_fence(write_a, ea);
	fill(write_a);
	cr_assert_eq(fl_store_lead_get(write_a, &l), 0);
	cr_expect_geq(l.writes, 1 + ROWS, "%lld writes fenced", (long long)l.writes);
	fl_store_close(lead_a);
	lead_b = open_store();
	for (int i = 0; i < 100 && fl_store_lead_try(lead_b, "engine-b", T0, &eb) == -EAGAIN; i++)
		nanosleep(&(struct timespec){0, 100 * 1000000L}, NULL);
	cr_assert_neq(eb, 0, "b never got the lead: %s", fl_store_errmsg(lead_b));
	cr_expect_eq(fl_store_transition(write_a, "INC-1", FL_TR_ACK, "wang", NULL, T0, NULL, 0),
	             -ESTALE);
	cr_expect(strstr(fl_store_errmsg(write_a), "stale") != NULL, "%s", fl_store_errmsg(write_a));
	cr_expect_eq(fl_store_begin(write_a), -ESTALE);
	fl_store_close(write_a);
	fl_store_close(lead_b);
}

Test(store_pg_only, a_sqlite_store_never_leads)
{
	struct fl_store *s = NULL;
	char file[128], err[256] = "";
	int64_t e = 0;

	snprintf(file, sizeof(file), "%s/t.db", dir);
	cr_assert_eq(fl_store_open(&s, file, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(fl_store_lead_try(s, "engine-a", T0, &e), -ENOTSUP);
	fl_store_close(s);
}
