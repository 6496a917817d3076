/* Ticket ids from the store's sequence, finding a ticket by what an operator
 * types, and opening only a store that is there. */
#include <criterion/criterion.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/store/store.h"
#include "tests/unit/store_tmp.h"

#define NS 1000000000LL
#define CUT_NS (1795572000LL * NS)	  /* 2026-11-25T02:00:00Z */
#define NEW_YEAR_EVE_NS (1798759800LL * NS) /* 2026-12-31T23:30:00Z */
#define NEW_YEAR_NS (1798762200LL * NS)	  /* 2027-01-01T00:10:00Z */

static void setup(void)
{
	store_tmp_setup("/tmp/fl-ids-XXXXXX");
}

static void teardown(void)
{
	store_tmp_teardown();
}


static struct fl_ticket_new cut_on(const char *span, int64_t at_ns)
{
	struct fl_ticket_new t = {
		.rule = "fibre_cut",
		.key = span,
		.level = "urgent",
		.title = "光缆中断",
		.loc = {.span = span},
		.respond_ms = 15 * 60 * 1000,
		.onsite_ms = -1,
		.repair_ms = -1,
		.opened_ns = at_ns,
	};
	return t;
}

static int64_t count(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n = -1;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void exec(const char *sql)
{
	sqlite3 *db;

	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

STORE_SUITES(store_ids, setup, teardown);

/* Two engines on one file, their opens interleaved, one of them inside a
 * batch it loses: every ticket its own number, none joined to another. */
Test(store_ids, two_connections_interleaving_opens_never_share_a_number)
{
	struct fl_store *a = open_store(), *b = open_store();
	char ida[4][80], idb[4][80], lost[80];
	struct fl_ticket_new ta = cut_on("SPAN-A", CUT_NS), tb = cut_on("SPAN-B", CUT_NS);
	uint32_t taken = 0;

	for (int i = 0; i < 4; i++) {
		cr_assert_eq(fl_store_incident_open_numbered(a, &ta, "INC", ida[i], sizeof(ida[i]),
							     &taken), 0, "%s", fl_store_errmsg(a));
		cr_assert_eq(fl_store_incident_open_numbered(b, &tb, "INC", idb[i], sizeof(idb[i]),
							     &taken), 0, "%s", fl_store_errmsg(b));
	}
	cr_expect_str_eq(ida[0], "INC-2026-000001");
	cr_expect_str_eq(idb[0], "INC-2026-000002");
	cr_expect_str_eq(idb[3], "INC-2026-000008");
	/* a batch of a: b waits for it, then draws after it */
	cr_assert_eq(fl_store_begin(a), 0);
	cr_assert_eq(fl_store_incident_open_numbered(a, &ta, "INC", ida[0], sizeof(ida[0]), &taken),
		     0);
	fl_store_busy_timeout(b, 10);
	cr_expect_eq(fl_store_incident_open_numbered(b, &tb, "INC", idb[0], sizeof(idb[0]), &taken),
		     -EBUSY);
	cr_assert_eq(fl_store_commit(a), 0);
	cr_assert_eq(fl_store_incident_open_numbered(b, &tb, "INC", idb[0], sizeof(idb[0]), &taken),
		     0);
	cr_expect_str_eq(ida[0], "INC-2026-000009");
	cr_expect_str_eq(idb[0], "INC-2026-000010");
	/* a lost batch gives its number back */
	cr_assert_eq(fl_store_begin(a), 0);
	cr_assert_eq(fl_store_incident_open_numbered(a, &ta, "INC", lost, sizeof(lost), &taken), 0);
	fl_store_rollback(a);
	cr_assert_eq(fl_store_incident_open_numbered(b, &tb, "INC", idb[1], sizeof(idb[1]), &taken),
		     0);
	cr_expect_str_eq(idb[1], lost);
	fl_store_close(a);
	fl_store_close(b);
	cr_expect_eq(taken, 0);
	cr_expect_eq(count("SELECT count(*) FROM tickets"), 11);
	cr_expect_eq(count("SELECT count(DISTINCT seq) FROM tickets"), 11);
	cr_expect_eq(count("SELECT count(*) FROM tickets WHERE span = 'SPAN-B'"), 6);
	cr_expect_eq(count("SELECT max(alarms) FROM tickets"), 1, "no ticket joined another");
}

/* A sequence set back (a file restored from an older copy) or an id a
 * ticket holds already: refused and counted, a new number taken. */
Test(store_ids, refuses_an_id_already_taken_counts_it_and_takes_the_next)
{
	struct fl_store *s = open_store();
	struct fl_ticket_new first = cut_on("SPAN-A", CUT_NS), other = cut_on("SPAN-B", CUT_NS);
	struct fl_ticket_new by_hand = cut_on("SPAN-C", CUT_NS);
	char id[80];
	uint32_t taken = 0;

	cr_assert_eq(fl_store_incident_open_numbered(s, &first, "INC", id, sizeof(id), &taken), 0);
	cr_expect_str_eq(id, "INC-2026-000001");
	exec("UPDATE ticket_seq SET last = 0");
	cr_assert_eq(fl_store_incident_open_numbered(s, &other, "INC", id, sizeof(id), &taken), 0,
		     "%s", fl_store_errmsg(s));
	cr_expect_eq(taken, 1);
	cr_expect_str_eq(id, "INC-2026-000002");
	cr_expect_eq(count("SELECT count(*) FROM tickets WHERE id = 'INC-2026-000001'"
			   " AND span = 'SPAN-A'"), 1, "the first ticket is left as it was");
	/* an id written by its caller, in the number's way */
	by_hand.id = "INC-2026-000003";
	cr_assert_eq(fl_store_incident_open(s, &by_hand), 0);
	cr_assert_eq(fl_store_begin(s), 0);
	cr_assert_eq(fl_store_incident_open_numbered(s, &other, "INC", id, sizeof(id), &taken), 0);
	cr_assert_eq(fl_store_commit(s), 0, "the refusal leaves the batch whole");
	cr_expect_eq(taken, 2);
	cr_expect_str_eq(id, "INC-2026-000004");
	cr_expect_eq(count("SELECT count(*) FROM tickets"), 4);
	cr_expect_eq(count("SELECT count(*) FROM clocks WHERE ticket = 'INC-2026-000003'"), 1);
	fl_store_close(s);
}

STORE_TEST(store_ids, the_year_is_the_faults_in_utc_and_the_number_runs_on)
{
	struct fl_store *s = open_store();
	struct fl_ticket_new eve = cut_on("SPAN-A", NEW_YEAR_EVE_NS);
	struct fl_ticket_new after = cut_on("SPAN-B", NEW_YEAR_NS);
	char id[80];

	cr_assert_eq(fl_store_incident_open_numbered(s, &eve, "INC", id, sizeof(id), NULL), 0);
	cr_expect_str_eq(id, "INC-2026-000001");
	cr_assert_eq(fl_store_incident_open_numbered(s, &after, "INC", id, sizeof(id), NULL), 0);
	cr_expect_str_eq(id, "INC-2027-000002");
	cr_expect_eq(fl_store_incident_open_numbered(s, &after, "", id, sizeof(id), NULL), -EINVAL);
	cr_expect_eq(fl_store_incident_open_numbered(s, &after, "INC", id, 16, NULL), -EINVAL);
	fl_store_close(s);
}

STORE_TEST(store_ids, finds_a_ticket_by_its_id_its_number_or_a_unique_prefix)
{
	struct fl_store *s = open_store();
	struct fl_ticket_new t = cut_on("SPAN-A", CUT_NS);
	char id[80], others[256];

	for (int i = 0; i < 12; i++)
		cr_assert_eq(fl_store_incident_open_numbered(s, &t, "INC", id, sizeof(id), NULL), 0);
	t.id = "INC-20261125-7"; /* an older engine's */
	cr_assert_eq(fl_store_incident_open(s, &t), 0);

	cr_expect_eq(fl_store_ticket_find(s, "INC-2026-000007", id, sizeof(id), others,
					  sizeof(others)), 1);
	cr_expect_str_eq(id, "INC-2026-000007");
	cr_expect_eq(fl_store_ticket_find(s, "12", id, sizeof(id), NULL, 0), 1);
	cr_expect_str_eq(id, "INC-2026-000012");
	cr_expect_eq(fl_store_ticket_find(s, "0003", id, sizeof(id), NULL, 0), 1);
	cr_expect_str_eq(id, "INC-2026-000003");
	cr_expect_eq(fl_store_ticket_find(s, "INC-2026-00001", id, sizeof(id), others,
					  sizeof(others)), 3);
	cr_expect_str_eq(others, "INC-2026-000010, INC-2026-000011, INC-2026-000012");
	cr_expect_eq(fl_store_ticket_find(s, "INC-2026-000011", id, sizeof(id), NULL, 0), 1);
	cr_expect_eq(fl_store_ticket_find(s, "INC-202611", id, sizeof(id), NULL, 0), 1);
	cr_expect_str_eq(id, "INC-20261125-7");
	cr_expect_eq(fl_store_ticket_find(s, "INC", id, sizeof(id), others, sizeof(others)), 6,
		     "counted up to FL_STORE_REF_SHOWN + 1");
	cr_expect_str_eq(others, "INC-2026-000001, INC-2026-000002, INC-2026-000003, "
				 "INC-2026-000004, INC-2026-000005");
	cr_expect_eq(fl_store_ticket_find(s, "13", id, sizeof(id), NULL, 0), 0);
	cr_expect_eq(fl_store_ticket_find(s, "INC-2027", id, sizeof(id), NULL, 0), 0);
	cr_expect_eq(fl_store_ticket_find(s, "", id, sizeof(id), NULL, 0), -EINVAL);
	fl_store_close(s);
}

Test(store_ids, opens_an_existing_store_only_when_told_it_must_exist)
{
	struct fl_store *s = NULL;
	struct stat st;
	char err[256] = "";

	cr_expect_eq(fl_store_open_existing(&s, path, err, sizeof(err)), -ENOENT);
	cr_expect(strstr(err, "no such file"), "%s", err);
	cr_expect_eq(stat(path, &st), -1, "nothing was created");
	s = open_store();
	fl_store_close(s);
	s = NULL;
	cr_expect_eq(fl_store_open_existing(&s, path, err, sizeof(err)), 0, "%s", err);
	fl_store_close(s);
}
