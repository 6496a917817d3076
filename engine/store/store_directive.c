/* store_directive.c - dispatch directives: the order, the branches it
 * reached, their acknowledgements, reports and late steps, and the yearly
 * record (store.h). Who is told is decided above (engine/pipeline); the
 * notices are queued with fl_store_notify_enqueue() under the directive's
 * record, a row of tickets that no list, clock or report of tickets reads. */
#include "engine/store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/lib/limits.h"
#include "engine/store/store_int.h"
#include "engine/store/store_time.h"

static const char *const ask_texts[] = {
#define X(name, text) text,
	FL_DIRECTIVE_ASKS(X)
#undef X
};

const char *fl_directive_ask_name(enum fl_directive_ask a)
{
	return (size_t)a < FL_ARRAY_LEN(ask_texts) ? ask_texts[a] : "?";
}

int fl_directive_ask_parse(const char *text, enum fl_directive_ask *out)
{
	for (size_t i = 0; text && i < FL_ARRAY_LEN(ask_texts); i++) {
		if (strcmp(text, ask_texts[i]) == 0) {
			*out = (enum fl_directive_ask)i;
			return 0;
		}
	}
	return -EINVAL;
}

static bool filled(const char *s)
{
	return s && s[0];
}

/* The next id of the day the directive is issued: "DIR-20261205-3". Read
 * inside the write transaction, so two issuers cannot take the same. */
static int next_id(struct fl_store *s, int64_t issued_ns, char *id, size_t id_len)
{
	char iso[FL_TIME_ISO_LEN], day[9];
	struct store_stmt *st;
	int64_t n = 0;
	int rc;

	fl_time_format(issued_ns, iso);
	memcpy(day, iso, 4);
	memcpy(day + 4, iso + 5, 2);
	memcpy(day + 6, iso + 8, 2);
	day[8] = '\0';
	st = store_stmt(s, "SELECT coalesce(max(CAST(substr(id, 14) AS INTEGER)), 0)"
	                   " FROM directives WHERE id LIKE 'DIR-' || ?1 || '-%'");
	if (!st)
		return -EIO;
	store_bind_text(st, 1, day);
	rc = sst_step(st);
	if (rc == SQLITE_ROW)
		n = sst_col_int64(st, 0);
	rc = rc == SQLITE_ROW ? 0 : store_rc(s, rc);
	sst_reset(st);
	if (rc < 0)
		return rc;
	if ((size_t)snprintf(id, id_len, "DIR-%s-%lld", day, (long long)n + 1) >= id_len)
		return -EINVAL;
	return 0;
}

/* The record in tickets: archived and planned from the start, so the ticket
 * list, the clocks, a restarted engine and the monthly report never take it
 * for a fault. Its title is the order's first line as far as it goes. */
static int record_make(struct fl_store *s, const char *id, const struct fl_directive_new *d)
{
	char title[256];
	size_t n = strcspn(d->text, "\n");
	struct store_stmt *st;

	if (n >= sizeof(title))
		n = sizeof(title) - 1;
	while (n > 0 && ((unsigned char)d->text[n] & 0xC0) == 0x80)
		n--; /* never cut a UTF-8 character in two */
	memcpy(title, d->text, n);
	title[n] = '\0';
	st = store_stmt(s, "INSERT INTO tickets(id, rule, key, level, title, state, planned,"
	                   " alarms, opened_ns, updated_ns, closed_ns)"
	                   " VALUES(?1, 'directive', ?1, 'directive', ?2, 'archived', 1, 0,"
	                   " ?3, ?3, ?3)");
	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, title);
	sst_bind_int64(st, 3, d->issued_ns);
	return store_step_done(s, st);
}

static int directive_insert(struct fl_store *s, const char *id, const struct fl_directive_new *d)
{
	struct store_stmt *st = store_stmt(s, "INSERT INTO directives(id, issuer, text, scope, level,"
	                                 " ask, report_by_ns, issued_ns)"
	                                 " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, d->issuer);
	store_bind_text(st, 3, d->text);
	store_bind_text(st, 4, d->scope);
	store_bind_text(st, 5, d->level);
	store_bind_text(st, 6, fl_directive_ask_name(d->ask));
	if (d->report_by_ns)
		sst_bind_int64(st, 7, d->report_by_ns);
	else
		sst_bind_null(st, 7);
	sst_bind_int64(st, 8, d->issued_ns);
	return store_step_done(s, st);
}

int fl_store_directive_add(struct fl_store *s, const struct fl_directive_new *d, char *id,
                           size_t id_len)
{
	char new_id[FL_STORE_ID_MAX + 1];
	char note[320];
	int rc;

	if (!d || !filled(d->issuer) || !filled(d->text) || !filled(d->scope) ||
	    strlen(d->text) > FL_DIRECTIVE_TEXT_MAX || (unsigned)d->ask >= FL_DIRECTIVE_ASK__COUNT ||
	    (d->ask == FL_DIRECTIVE_ASK_REPORT) != (d->report_by_ns != 0))
		return -EINVAL;
	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	rc = next_id(s, d->issued_ns, new_id, sizeof(new_id));
	if (rc == 0 && strlen(new_id) >= id_len)
		rc = -EINVAL;
	if (rc == 0)
		rc = record_make(s, new_id, d);
	if (rc == 0)
		rc = directive_insert(s, new_id, d);
	snprintf(note, sizeof(note), "from %s, to %s, %s%s%s", d->issuer, d->scope,
	         d->level ? d->level : "no level", ", asks ", fl_directive_ask_name(d->ask));
	if (rc == 0)
		rc = store_history_add(s, new_id, d->issued_ns, "directive issued", d->issuer, note);
	rc = store_txn_leave(s, rc);
	if (rc == 0)
		memcpy(id, new_id, strlen(new_id) + 1);
	return rc;
}

static int directive_exists(struct fl_store *s, const char *id)
{
	struct store_stmt *st = store_stmt(s, "SELECT 1 FROM directives WHERE id = ?1");
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	rc = sst_step(st);
	rc = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : store_rc(s, rc);
	sst_reset(st);
	return rc;
}

int fl_store_directive_branch_add(struct fl_store *s, const char *id,
                                  const struct fl_directive_branch *b, int64_t now_ns)
{
	char what[160];
	struct store_stmt *st;
	int rc;

	if (!filled(id) || !b || !filled(b->branch) || !filled(b->level))
		return -EINVAL;
	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	rc = directive_exists(s, id);
	st = rc == 0 ? store_stmt(s, "INSERT OR IGNORE INTO directive_branches(directive, branch,"
	                             " level, parent, sent_ns, deadline_ns)"
	                             " VALUES(?1, ?2, ?3, ?4, ?5, ?6)")
	             : NULL;
	if (rc == 0 && !st)
		rc = -EIO;
	if (rc == 0) {
		store_bind_text(st, 1, id);
		store_bind_text(st, 2, b->branch);
		store_bind_text(st, 3, b->level);
		store_bind_text(st, 4, b->parent);
		sst_bind_int64(st, 5, now_ns);
		sst_bind_int64(st, 6, b->deadline_ns);
		rc = store_step_done(s, st);
		if (rc == 0 && store_changes(s) == 0) {
			/* nothing written: a caller's transaction goes on */
			if (!s->in_txn)
				(void)store_txn_leave(s, 0);
			return -EEXIST;
		}
	}
	if (rc == 0) {
		char deadline[FL_TIME_ISO_LEN], note[64];

		fl_time_format(b->deadline_ns, deadline);
		snprintf(what, sizeof(what), "relayed to %s", b->branch);
		snprintf(note, sizeof(note), "acknowledge by %s", deadline);
		rc = store_history_add(s, id, now_ns, what, NULL, note);
	}
	return store_txn_leave(s, rc);
}

/* An UPDATE of one branch's row guarded by `guard` (a column still NULL):
 * -ENOENT when the directive or branch does not exist, -EEXIST when the
 * guard no longer holds. */
static int branch_update(struct fl_store *s, struct store_stmt *st, const char *id, const char *branch)
{
	struct store_stmt *q;
	int rc = store_step_done(s, st);

	if (rc < 0 || store_changes(s) == 1)
		return rc;
	q = store_stmt(s, "SELECT 1 FROM directive_branches WHERE directive = ?1 AND branch = ?2");
	if (!q)
		return -EIO;
	store_bind_text(q, 1, id);
	store_bind_text(q, 2, branch);
	rc = sst_step(q);
	rc = rc == SQLITE_ROW ? -EEXIST : rc == SQLITE_DONE ? -ENOENT : store_rc(s, rc);
	sst_reset(q);
	return rc;
}

static int ack_row(struct fl_store *s, const char *id, const char *branch, const char *by,
                   const char *note, int64_t now_ns)
{
	struct store_stmt *st = store_stmt(s, "UPDATE directive_branches SET acked_ns = ?3,"
	                                 " acked_by = ?4, ack_note = ?5"
	                                 " WHERE directive = ?1 AND branch = ?2"
	                                 " AND acked_ns IS NULL");

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, branch);
	sst_bind_int64(st, 3, now_ns);
	store_bind_text(st, 4, by);
	store_bind_text(st, 5, note);
	return branch_update(s, st, id, branch);
}

/* "acknowledged by Shuikou (in time)" / "(late by 12m)": the history says
 * what the yearly record counts. */
static int ack_history(struct fl_store *s, const char *id, const char *branch, const char *by,
                       const char *note, int64_t now_ns)
{
	struct store_stmt *st = store_stmt(s, "SELECT deadline_ns FROM directive_branches"
	                                 " WHERE directive = ?1 AND branch = ?2");
	int64_t deadline_ns = 0;
	char what[200];
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, branch);
	rc = sst_step(st);
	if (rc == SQLITE_ROW)
		deadline_ns = sst_col_int64(st, 0);
	rc = rc == SQLITE_ROW ? 0 : store_rc(s, rc);
	sst_reset(st);
	if (rc < 0)
		return rc;
	if (now_ns <= deadline_ns)
		snprintf(what, sizeof(what), "acknowledged by %s (in time)", branch);
	else
		snprintf(what, sizeof(what), "acknowledged by %s (late by %llds)", branch,
		         (long long)((now_ns - deadline_ns) / NS_PER_S));
	return store_history_add(s, id, now_ns, what, by, note);
}

int fl_store_directive_ack(struct fl_store *s, const char *id, const char *branch, const char *by,
                           const char *note, int64_t now_ns)
{
	int rc;

	if (!filled(id) || !filled(branch) || !filled(by))
		return -EINVAL;
	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	rc = ack_row(s, id, branch, by, note, now_ns);
	if (rc == -EEXIST && s->in_txn)
		return rc; /* nothing written: the caller's transaction goes on */
	if (rc == 0)
		rc = ack_history(s, id, branch, by, note, now_ns);
	return store_txn_leave(s, rc);
}

int fl_store_directive_report(struct fl_store *s, const char *id, const char *branch,
                              const char *by, const char *text, int64_t now_ns)
{
	struct store_stmt *st;
	char what[200];
	int rc;

	if (!filled(id) || !filled(branch) || !filled(by) || !filled(text) ||
	    strlen(text) > FL_DIRECTIVE_TEXT_MAX)
		return -EINVAL;
	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	/* a report is an acknowledgement too: whoever reports has the order */
	rc = ack_row(s, id, branch, by, "by its report", now_ns);
	if (rc == 0)
		rc = ack_history(s, id, branch, by, "by its report", now_ns);
	else if (rc == -EEXIST)
		rc = 0;
	st = rc == 0 ? store_stmt(s, "UPDATE directive_branches SET reported_ns = ?3,"
	                             " reported_by = ?4, report = ?5"
	                             " WHERE directive = ?1 AND branch = ?2"
	                             " AND reported_ns IS NULL")
	             : NULL;
	if (rc == 0 && !st)
		rc = -EIO;
	if (rc == 0) {
		store_bind_text(st, 1, id);
		store_bind_text(st, 2, branch);
		sst_bind_int64(st, 3, now_ns);
		store_bind_text(st, 4, by);
		store_bind_text(st, 5, text);
		rc = branch_update(s, st, id, branch);
	}
	if (rc == 0) {
		snprintf(what, sizeof(what), "report from %s", branch);
		rc = store_history_add(s, id, now_ns, what, by, text);
	}
	return store_txn_leave(s, rc);
}

int fl_store_directive_late_mark(struct fl_store *s, const char *id, const char *branch,
                                 uint32_t n, const char *what, const char *note, int64_t now_ns)
{
	struct store_stmt *st;
	int rc;

	if (!filled(id) || !filled(branch) || !filled(what) || n == 0)
		return -EINVAL;
	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE directive_branches SET late_steps = ?3"
	                   " WHERE directive = ?1 AND branch = ?2 AND late_steps < ?3");
	if (!st)
		return store_txn_leave(s, -EIO);
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, branch);
	sst_bind_int64(st, 3, n);
	rc = branch_update(s, st, id, branch);
	if (rc == -EEXIST && s->in_txn)
		return rc;
	if (rc == 0)
		rc = store_history_add(s, id, now_ns, what, NULL, note);
	return store_txn_leave(s, rc);
}

/* ---- queries ---------------------------------------------------------------- */

static int64_t col_time(struct store_stmt *st, int i)
{
	return sst_col_is_null(st, i) ? 0 : sst_col_int64(st, i);
}

#define DIRECTIVE_SQL(where)                                                              \
	"SELECT d.id, d.issuer, d.text, d.scope, d.level, d.ask, d.issued_ns,"             \
	" d.report_by_ns, (SELECT count(*) FROM directive_branches b WHERE b.directive = d.id)," \
	" (SELECT count(*) FROM directive_branches b WHERE b.directive = d.id"             \
	"  AND b.acked_ns IS NOT NULL),"                                                    \
	" (SELECT count(*) FROM directive_branches b WHERE b.directive = d.id"             \
	"  AND b.reported_ns IS NOT NULL)"                                                  \
	" FROM directives d " where " ORDER BY d.issued_ns, d.id"

static int directive_rows(struct fl_store *s, struct store_stmt *st, fl_store_directive_fn *fn,
                          void *ctx, bool *any)
{
	int rc;

	while ((rc = sst_step(st)) == SQLITE_ROW) {
		struct fl_directive_view v = {
		    .id = store_col_text(st, 0),
		    .issuer = store_col_text(st, 1),
		    .text = store_col_text(st, 2),
		    .scope = store_col_text(st, 3),
		    .level = store_col_text(st, 4),
		    .issued_ns = sst_col_int64(st, 6),
		    .report_by_ns = col_time(st, 7),
		    .branches = sst_col_int64(st, 8),
		    .acked = sst_col_int64(st, 9),
		    .reported = sst_col_int64(st, 10),
		};
		int stop;

		if (fl_directive_ask_parse(store_col_text(st, 5), &v.ask) < 0)
			v.ask = FL_DIRECTIVE_ASK_ACK;
		*any = true;
		if ((stop = fn(ctx, &v)) != 0) {
			sst_reset(st);
			return stop;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_reset(st);
	return rc;
}

int fl_store_directives_each(struct fl_store *s, bool open_only, fl_store_directive_fn *fn,
                             void *ctx)
{
	struct store_stmt *st;
	bool any = false;

	st = open_only ? store_stmt(s, DIRECTIVE_SQL(
	                                   "WHERE EXISTS (SELECT 1 FROM directive_branches b"
	                                   " WHERE b.directive = d.id AND (b.acked_ns IS NULL"
	                                   " OR (d.ask = 'report' AND b.reported_ns IS NULL)))"))
	               : store_stmt(s, DIRECTIVE_SQL(""));
	if (!st)
		return -EIO;
	return directive_rows(s, st, fn, ctx, &any);
}

int fl_store_directive_get(struct fl_store *s, const char *id, fl_store_directive_fn *fn,
                           void *ctx)
{
	struct store_stmt *st = store_stmt(s, DIRECTIVE_SQL("WHERE d.id = ?1"));
	bool any = false;
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	rc = directive_rows(s, st, fn, ctx, &any);
	return rc == 0 && !any ? -ENOENT : rc;
}

int fl_store_directive_branches_each(struct fl_store *s, const char *id,
                                     fl_store_directive_branch_fn *fn, void *ctx)
{
	/* a city sorts under its own name, a county under its city's: each
	 * city comes with its counties, as the order went down */
	struct store_stmt *st = store_stmt(
	    s, "SELECT branch, level, parent, sent_ns, deadline_ns, acked_ns, reported_ns,"
	       " acked_by, ack_note, reported_by, report, late_steps FROM directive_branches"
	       " WHERE directive = ?1 ORDER BY coalesce(parent, branch), parent IS NOT NULL,"
	       " branch");
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	while ((rc = sst_step(st)) == SQLITE_ROW) {
		struct fl_directive_branch_view b = {
		    .branch = store_col_text(st, 0),
		    .level = store_col_text(st, 1),
		    .parent = store_col_text(st, 2),
		    .sent_ns = sst_col_int64(st, 3),
		    .deadline_ns = sst_col_int64(st, 4),
		    .acked_ns = col_time(st, 5),
		    .reported_ns = col_time(st, 6),
		    .acked_by = store_col_text(st, 7),
		    .ack_note = store_col_text(st, 8),
		    .reported_by = store_col_text(st, 9),
		    .report = store_col_text(st, 10),
		    .late_steps = (uint32_t)sst_col_int64(st, 11),
		};
		int stop;

		if ((stop = fn(ctx, &b)) != 0) {
			sst_reset(st);
			return stop;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_reset(st);
	return rc;
}

int fl_store_directive_late_each(struct fl_store *s, int64_t now_ns,
                                 fl_store_directive_late_fn *fn, void *ctx)
{
	struct store_stmt *st = store_stmt(s, "SELECT directive, branch, level, parent, deadline_ns,"
	                                 " late_steps FROM directive_branches"
	                                 " WHERE acked_ns IS NULL AND deadline_ns <= ?1"
	                                 " ORDER BY deadline_ns, directive, branch");
	int rc;

	if (!st)
		return -EIO;
	sst_bind_int64(st, 1, now_ns);
	while ((rc = sst_step(st)) == SQLITE_ROW) {
		struct fl_directive_late l = {
		    .id = store_col_text(st, 0),
		    .branch = store_col_text(st, 1),
		    .level = store_col_text(st, 2),
		    .parent = store_col_text(st, 3),
		    .deadline_ns = sst_col_int64(st, 4),
		    .late_steps = (uint32_t)sst_col_int64(st, 5),
		};
		int stop;

		if ((stop = fn(ctx, &l)) != 0) {
			sst_reset(st);
			return stop;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_reset(st);
	return rc;
}

int fl_store_directive_year_each(struct fl_store *s, int64_t from_ns, int64_t to_ns,
                                 int64_t as_of_ns, fl_store_directive_year_fn *fn, void *ctx)
{
	struct store_stmt *st = store_stmt(
	    s, "SELECT b.branch, b.level, count(*),"
	       " sum(CASE WHEN b.acked_ns IS NOT NULL AND b.acked_ns <= b.deadline_ns THEN 1 ELSE 0 END),"
	       " sum(CASE WHEN b.acked_ns IS NOT NULL AND b.acked_ns > b.deadline_ns THEN 1 ELSE 0 END),"
	       " sum(CASE WHEN b.acked_ns IS NULL AND b.deadline_ns < ?3 THEN 1 ELSE 0 END),"
	       " sum(CASE WHEN b.acked_ns IS NULL AND b.deadline_ns >= ?3 THEN 1 ELSE 0 END),"
	       " sum(CASE WHEN b.reported_ns IS NOT NULL THEN 1 ELSE 0 END), max(b.parent)"
	       " FROM directive_branches b JOIN directives d ON d.id = b.directive"
	       " WHERE d.issued_ns >= ?1 AND d.issued_ns < ?2"
	       " GROUP BY b.branch, b.level ORDER BY b.level <> 'city', b.branch");
	int rc;

	if (from_ns >= to_ns)
		return -EINVAL;
	if (!st)
		return -EIO;
	sst_bind_int64(st, 1, from_ns);
	sst_bind_int64(st, 2, to_ns);
	sst_bind_int64(st, 3, as_of_ns);
	while ((rc = sst_step(st)) == SQLITE_ROW) {
		struct fl_directive_year_row r = {
		    .branch = store_col_text(st, 0),
		    .level = store_col_text(st, 1),
		    .received = sst_col_int64(st, 2),
		    .acked_in_time = sst_col_int64(st, 3),
		    .acked_late = sst_col_int64(st, 4),
		    .never = sst_col_int64(st, 5),
		    .open = sst_col_int64(st, 6),
		    .reports = sst_col_int64(st, 7),
		    .parent = store_col_text(st, 8),
		};
		int stop;

		if ((stop = fn(ctx, &r)) != 0) {
			sst_reset(st);
			return stop;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_reset(st);
	return rc;
}
