/* store_duty.c - the occurrences of the plan's periodic duties and their
 * tickets (store_duty.h). */
#include "engine/store/store_duty.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "engine/lib/limits.h"
#include "engine/store/store.h"
#include "engine/store/store_int.h"

static bool filled(const char *s)
{
	return s && s[0];
}

/* An uncached statement (free with sst_finalize()), or NULL (err set):
 * duties tick once a minute at most, and the cache's slots are the hot
 * paths'. */
static struct store_stmt *prep(struct fl_store *s, const char *sql)
{
	struct store_stmt *st = NULL;
	int rc = store_prepare(s, sql, &st);

	if (rc != SQLITE_OK) {
		store_rc(s, rc);
		return NULL;
	}
	return st;
}

/* The ticket of the occurrence at (duty, branch, due_ns), if made: 0 and
 * its id, or -ENOENT. Read inside the writer's transaction, so nothing is
 * made between the look and the insert; the unique index is the guard
 * all the same. */
static int run_find(struct fl_store *s, const struct fl_duty_occurrence *o, char *id, size_t size)
{
	struct store_stmt *st = prep(s, "SELECT ticket FROM duty_runs"
	                                      " WHERE duty = ?1 AND branch = ?2 AND due_ns = ?3");
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, o->duty);
	store_bind_text(st, 2, o->branch);
	sst_bind_int64(st, 3, o->due_ns);
	rc = sst_step(st);
	if (rc == SQLITE_ROW)
		snprintf(id, size, "%s", store_col_text(st, 0));
	rc = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : store_rc(s, rc);
	sst_finalize(st);
	return rc;
}

static int run_insert(struct fl_store *s, const struct fl_duty_occurrence *o, const char *id,
                      int64_t now_ns)
{
	struct store_stmt *st = prep(
	    s, "INSERT INTO duty_runs(ticket, duty, branch, level, due_k, due_ns, deadline_ns,"
	       " passed_over, made_ns) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, o->duty);
	store_bind_text(st, 3, o->branch);
	store_bind_text(st, 4, o->level);
	sst_bind_int64(st, 5, o->due_k);
	sst_bind_int64(st, 6, o->due_ns);
	sst_bind_int64(st, 7, o->deadline_ns);
	sst_bind_int64(st, 8, o->passed_over);
	sst_bind_int64(st, 9, now_ns);
	rc = store_step_done(s, st);
	sst_finalize(st);
	return rc;
}

/* The ticket, its history and its run, inside a transaction. */
static int duty_write(struct fl_store *s, const struct fl_duty_occurrence *o, int64_t now_ns,
                      char *made, size_t size)
{
	char key[2 * FL_STORE_ID_MAX], note[64];
	const struct fl_ticket_new t = {
	    .rule = FL_DUTY_RULE, .key = key, .level = FL_DUTY_RULE, .title = o->title,
	    .loc = {.city = o->city, .county = o->county},
	    .respond_ms = -1, .onsite_ms = -1, .repair_ms = -1,
	    .opened_ns = o->due_ns, .raised_ns = now_ns,
	};
	int rc;

	rc = run_find(s, o, made, size);
	if (rc != -ENOENT)
		return rc == 0 ? -EEXIST : rc;
	snprintf(key, sizeof(key), "%s:%s", o->duty, o->branch);
	rc = fl_store_incident_open_numbered(s, &t, FL_DUTY_ID_PREFIX, made, size, NULL);
	if (rc == 0)
		rc = run_insert(s, o, made, now_ns);
	if (rc == 0)
		rc = fl_store_note(s, made, "due", "faultline", o->title, now_ns);
	if (rc == 0 && o->passed_over > 0) {
		snprintf(note, sizeof(note), "%lld earlier occurrence%s passed over",
		         (long long)o->passed_over, o->passed_over == 1 ? "" : "s");
		rc = fl_store_note(s, made, "catch-up", "faultline", note, now_ns);
	}
	return rc;
}

int fl_store_duty_open(struct fl_store *s, const struct fl_duty_occurrence *o, int64_t now_ns,
                       char *id, size_t size)
{
	char made[FL_STORE_ID_MAX + 1] = "";
	bool own = !s->in_txn;
	int rc;

	if (!filled(o->duty) || !filled(o->branch) || !filled(o->level) || !filled(o->title) ||
	    o->due_k < 0 || size <= FL_STORE_ID_MAX)
		return -EINVAL;
	if (own && (rc = fl_store_begin(s)) < 0)
		return rc;
	if (!own && s->txn_err)
		return -ECANCELED;
	rc = duty_write(s, o, now_ns, made, sizeof(made));
	if (own) {
		if (rc == 0)
			rc = fl_store_commit(s);
		else
			fl_store_rollback(s);
	} else if (rc < 0) {
		rc = store_txn_leave(s, rc); /* the caller's transaction is lost */
	}
	if (rc == 0)
		snprintf(id, size, "%s", made);
	return rc;
}

int fl_store_duty_last(struct fl_store *s, const char *duty, const char *branch, int64_t *due_k)
{
	struct store_stmt *st = prep(s, "SELECT max(due_k) FROM duty_runs"
	                                      " WHERE duty = ?1 AND branch = ?2");
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, duty);
	store_bind_text(st, 2, branch);
	rc = sst_step(st);
	if (rc == SQLITE_ROW && !sst_col_is_null(st, 0))
		*due_k = sst_col_int64(st, 0);
	rc = rc == SQLITE_ROW ? (sst_col_is_null(st, 0) ? -ENOENT : 0) : store_rc(s, rc);
	sst_finalize(st);
	return rc;
}

int fl_store_duty_runs_each(struct fl_store *s, const char *duty, fl_store_duty_run_fn *fn,
                            void *ctx)
{
	struct store_stmt *st = prep(
	    s, "SELECT r.branch, r.ticket, t.state, r.due_ns, r.deadline_ns, t.resolved_ns,"
	       " r.passed_over FROM duty_runs r JOIN tickets t ON t.id = r.ticket"
	       " WHERE r.duty = ?1 AND r.due_k = (SELECT max(x.due_k) FROM duty_runs x"
	       " WHERE x.duty = r.duty AND x.branch = r.branch) ORDER BY r.branch");
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, duty);
	while ((rc = sst_step(st)) == SQLITE_ROW) {
		const struct fl_duty_run_view v = {
		    .branch = store_col_text(st, 0), .ticket = store_col_text(st, 1),
		    .state = store_col_text(st, 2), .due_ns = sst_col_int64(st, 3),
		    .deadline_ns = sst_col_int64(st, 4), .resolved_ns = sst_col_int64(st, 5),
		    .passed_over = sst_col_int64(st, 6),
		};
		int stop = fn(ctx, &v);

		if (stop) {
			sst_finalize(st);
			return stop;
		}
	}
	rc = store_rc(s, rc);
	sst_finalize(st);
	return rc;
}

int fl_store_duty_report_each(struct fl_store *s, int64_t from_ns, int64_t to_ns,
                              int64_t as_of_ns, fl_store_duty_report_fn *fn, void *ctx)
{
	struct store_stmt *st;
	int rc;

	if (from_ns >= to_ns)
		return -EINVAL;
	st = prep(
	    s, "SELECT r.duty, count(*),"
	       " sum(CASE WHEN t.resolved_ns <= r.deadline_ns THEN 1 ELSE 0 END),"
	       " sum(CASE WHEN t.resolved_ns > r.deadline_ns THEN 1 ELSE 0 END),"
	       " sum(CASE WHEN t.resolved_ns IS NULL THEN 1 ELSE 0 END),"
	       " sum(CASE WHEN t.resolved_ns IS NULL AND r.deadline_ns <= ?3 THEN 1 ELSE 0 END),"
	       " sum(r.passed_over) FROM duty_runs r JOIN tickets t ON t.id = r.ticket"
	       " WHERE r.due_ns >= ?1 AND r.due_ns < ?2 GROUP BY r.duty ORDER BY r.duty");
	if (!st)
		return -EIO;
	sst_bind_int64(st, 1, from_ns);
	sst_bind_int64(st, 2, to_ns);
	sst_bind_int64(st, 3, as_of_ns);
	while ((rc = sst_step(st)) == SQLITE_ROW) {
		const struct fl_duty_report_row r = {
		    .duty = store_col_text(st, 0), .due = sst_col_int64(st, 1),
		    .done = sst_col_int64(st, 2), .late = sst_col_int64(st, 3),
		    .open = sst_col_int64(st, 4), .overdue = sst_col_int64(st, 5),
		    .passed_over = sst_col_int64(st, 6),
		};
		int stop = fn(ctx, &r);

		if (stop) {
			sst_finalize(st);
			return stop;
		}
	}
	rc = store_rc(s, rc);
	sst_finalize(st);
	return rc;
}
