/* store_query.c - the store's read side: the `tickets list` walk, a
 * ticket's history, the period report and the maintenance windows. The
 * ticket documents themselves are store_doc.c's. */
#include "engine/store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/json.h"
#include "engine/lib/limits.h"
#include "engine/store/consent.h"
#include "engine/store/store_duty.h"
#include "engine/store/store_int.h"
#include "engine/store/store_time.h"

static const char *const window_scopes[] = {"device", "site", "ring", "span", "city"};
static const char *const recur_names[] = {
#define X(name, text) text,
	FL_MAINT_RECURS(X)
#undef X
};

/* --- tickets ---------------------------------------------------------------- */
int fl_store_history_each(struct fl_store *s, const char *id, fl_store_history_fn *fn,
                          void *ctx)
{
	struct store_stmt *st;
	int rc;

	rc = store_prepare(s, "SELECT at_ns, what, by, note FROM history WHERE ticket = ?1"
	                        " ORDER BY id", &st);
	if (rc != SQLITE_OK)
		return store_rc(s, rc);
	store_bind_text(st, 1, id);
	while ((rc = sst_step(st)) == SQLITE_ROW) {
		struct fl_history_row h = {
			.at_ns = sst_col_int64(st, 0),
			.what = store_col_text(st, 1),
			.by = store_col_text(st, 2),
			.note = store_col_text(st, 3),
		};

		rc = fn(ctx, &h);
		if (rc != 0) {
			sst_finalize(st);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_finalize(st);
	return rc;
}

int fl_store_open_ticket_for_fault(struct fl_store *s, const struct fl_store_fault *f, char *id,
				   size_t size)
{
	struct store_stmt *st;
	int rc;

	/* the two halves use tickets_fault and tickets_placed; "open" is a
	 * state before restored, and no clear */
	rc = store_prepare(s, "SELECT id, opened_ns FROM tickets WHERE rule = ?1 AND key = ?2"
		" AND state IN ('open', 'acknowledged', 'dispatched', 'onsite')"
		" AND coalesce(cleared_ns, 0) = 0"
		" UNION ALL "
		"SELECT id, opened_ns FROM tickets WHERE (rule IS NULL OR key IS NULL) AND level = ?3"
		" AND (span = ?4 OR (?4 IS NULL AND span IS NULL AND (device = ?5 OR"
		" (?5 IS NULL AND device IS NULL AND site = ?6))))"
		" AND state IN ('open', 'acknowledged', 'dispatched', 'onsite')"
		" AND coalesce(cleared_ns, 0) = 0"
		" ORDER BY 2 DESC, 1 DESC LIMIT 1", &st);
	if (rc != SQLITE_OK)
		return store_rc(s, rc);
	store_bind_text(st, 1, f->rule);
	store_bind_text(st, 2, f->key);
	store_bind_text(st, 3, f->level);
	store_bind_text(st, 4, f->span);
	store_bind_text(st, 5, f->device);
	store_bind_text(st, 6, f->site);
	rc = sst_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(id, size, "%s", store_col_text(st, 0));
		rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	}
	sst_finalize(st);
	return rc;
}

int fl_store_ticket_for_fault_at(struct fl_store *s, const char *rule, const char *key,
				 int64_t from_ns, int64_t to_ns, char *id, size_t size)
{
	/* by tickets_fault (rule, key): the few tickets of one fault */
	struct store_stmt *st =
		store_stmt(s, "SELECT id FROM tickets WHERE rule = ?1 AND key = ?2"
			      " AND opened_ns BETWEEN ?3 AND ?4 ORDER BY opened_ns, id LIMIT 1");
	int rc;

	if (!rule || !key)
		return -EINVAL;
	if (!st)
		return -EIO;
	store_bind_text(st, 1, rule);
	store_bind_text(st, 2, key);
	sst_bind_int64(st, 3, from_ns);
	sst_bind_int64(st, 4, to_ns);
	rc = sst_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(id, size, "%s", store_col_text(st, 0));
		rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	}
	sst_reset(st);
	return rc;
}

_Static_assert(FL_STORE_REF_SHOWN + 1 == 6, "the prefix query's LIMIT");

/* ref as the number alone: 1..18 digits (leading zeros allowed), else 0. */
static int64_t ref_number(const char *ref)
{
	int64_t n = 0;
	size_t i = 0;

	for (; ref[i] >= '0' && ref[i] <= '9'; i++) {
		if (i == 18)
			return 0;
		n = n * 10 + (ref[i] - '0');
	}
	return ref[i] || i == 0 ? 0 : n;
}

/* Rows of st (one column, the id): the first into id, up to
 * FL_STORE_REF_SHOWN into others; the count, at most FL_STORE_REF_SHOWN + 1
 * (the statement's LIMIT), or the error. */
static int ref_rows(struct fl_store *s, struct store_stmt *st, char *id, size_t size, char *others,
		    size_t others_len)
{
	size_t used = 0;
	int n = 0, rc;

	if (others_len)
		others[0] = '\0';
	while ((rc = sst_step(st)) == SQLITE_ROW) {
		const char *row = store_col_text(st, 0);

		if (n == 0)
			snprintf(id, size, "%s", row ? row : "");
		if (n < FL_STORE_REF_SHOWN && used < others_len) {
			int w = snprintf(others + used, others_len - used, "%s%s", n ? ", " : "",
					 row ? row : "");

			used += w > 0 ? (size_t)w : 0;
		}
		n++;
	}
	rc = rc == SQLITE_DONE ? n : store_rc(s, rc);
	sst_reset(st);
	return rc;
}

int fl_store_ticket_find(struct fl_store *s, const char *ref, char *id, size_t size, char *others,
			 size_t others_len)
{
	char first[FL_STORE_ID_MAX + 1], upper[FL_STORE_ID_MAX + 1];
	int64_t number;
	struct store_stmt *st;
	size_t len;
	int n;

	if (!ref || !ref[0] || (len = strlen(ref)) > FL_STORE_ID_MAX || size == 0)
		return -EINVAL;
	st = store_stmt(s, "SELECT id FROM tickets WHERE id = ?1");
	if (!st)
		return -EIO;
	store_bind_text(st, 1, ref);
	n = ref_rows(s, st, first, sizeof(first), others, others_len);
	number = ref_number(ref);
	if (n == 0 && number > 0) { /* by tickets_seq */
		st = store_stmt(s, "SELECT id FROM tickets WHERE seq = ?1");
		if (!st)
			return -EIO;
		sst_bind_int64(st, 1, number);
		n = ref_rows(s, st, first, sizeof(first), others, others_len);
	}
	if (n == 0) {
		/* the start of ids: a range of the primary key, [ref, ref with
		 * its last byte one higher), not a walk over every ticket */
		memcpy(upper, ref, len + 1);
		upper[len - 1] = (char)(unsigned char)((unsigned char)upper[len - 1] + 1);
		st = store_stmt(s, "SELECT id FROM tickets WHERE id >= ?1 AND (?2 IS NULL OR id < ?2)"
				   " AND substr(id, 1, length(?1)) = ?1 ORDER BY id LIMIT 6");
		if (!st)
			return -EIO;
		store_bind_text(st, 1, ref);
		/* a last byte of 0xff has no byte above it: no upper bound */
		store_bind_text(st, 2, (unsigned char)ref[len - 1] == 0xff ? NULL : upper);
		n = ref_rows(s, st, first, sizeof(first), others, others_len);
	}
	if (n == 1)
		snprintf(id, size, "%s", first);
	return n;
}

/* One line of the list per ticket. The clock and outbox columns are
 * subqueries by the ticket's key (clocks_ticket, outbox_ticket): per ticket
 * they read its own three clocks and its rows, whatever the store holds. */
#define SUMMARY_SQL(where) \
	"SELECT t.id, t.state, t.level, t.title, t.device, t.site, t.span, t.ring, t.county," \
	" t.city, t.planned, t.unprotected, t.opened_ns," \
	" (SELECT clock FROM clocks c WHERE c.ticket = t.id" \
	"  AND c.state = 'running' ORDER BY c.deadline_ns LIMIT 1)," \
	" (SELECT min(deadline_ns) FROM clocks c WHERE c.ticket = t.id" \
	"  AND c.state = 'running')," \
	" (SELECT group_concat(coalesce(o.role || ' ', '') || coalesce(o.person, o.address)" \
	"  || ' (' || o.channel || ', ' || o.state || ')', '; ') FROM outbox o" \
	"  WHERE o.ticket = t.id)," \
	" t.rule, t.key, coalesce(t.cleared_ns, 0) FROM tickets t " where

/* Calls fn for each row of st (bound); 0, fn's non-zero return, or the error. */
static int summaries_each(struct fl_store *s, struct store_stmt *st, fl_store_ticket_fn *fn,
                          void *ctx, bool *any)
{
	int rc;

	while ((rc = sst_step(st)) == SQLITE_ROW) {
		struct fl_ticket_summary t = {
			.id = store_col_text(st, 0),
			.level = store_col_text(st, 2),
			.title = store_col_text(st, 3),
			.device = store_col_text(st, 4),
			.site = store_col_text(st, 5),
			.span = store_col_text(st, 6),
			.ring = store_col_text(st, 7),
			.county = store_col_text(st, 8),
			.city = store_col_text(st, 9),
			.is_planned = sst_col_int(st, 10) != 0,
			.is_unprotected = sst_col_int(st, 11) != 0,
			.opened_ns = sst_col_int64(st, 12),
			.next_deadline_ns = INT64_MAX,
			.told = store_col_text(st, 15),
			.rule = store_col_text(st, 16),
			.key = store_col_text(st, 17),
			.cleared_ns = sst_col_int64(st, 18),
		};
		const char *clock = store_col_text(st, 13);

		*any = true;
		(void)store_state_from_token(store_col_text(st, 1), &t.state);
		if (clock) {
			for (unsigned c = 0; c < FL_TICKET_CLOCK__COUNT; c++)
				if (strcmp(clock, fl_ticket_clock_name((enum fl_ticket_clock)c)) == 0)
					t.next_clock = (enum fl_ticket_clock)c;
			t.next_deadline_ns = sst_col_int64(st, 14);
		}
		rc = fn(ctx, &t);
		if (rc != 0)
			return rc;
	}
	return rc == SQLITE_DONE ? 0 : store_rc(s, rc);
}

/* Not archived: tickets_live holds them in the list's order (no sort, no
 * walk over years of archived tickets); all of them: tickets_opened. */
int fl_store_tickets_each(struct fl_store *s, bool include_archived, fl_store_ticket_fn *fn,
                          void *ctx)
{
	struct store_stmt *st;
	bool any = false;
	int rc;

	rc = store_prepare(s, include_archived
	                                ? SUMMARY_SQL("ORDER BY t.opened_ns, t.id")
	                                : SUMMARY_SQL("WHERE t.state <> 'archived'"
	                                              " ORDER BY t.opened_ns, t.id"), &st);
	if (rc != SQLITE_OK)
		return store_rc(s, rc);
	rc = summaries_each(s, st, fn, ctx, &any);
	sst_finalize(st);
	return rc;
}

int fl_store_ticket_summary(struct fl_store *s, const char *id, fl_store_ticket_fn *fn,
                            void *ctx)
{
	struct store_stmt *st;
	bool any = false;
	int rc;

	rc = store_prepare(s, SUMMARY_SQL("WHERE t.id = ?1"), &st);
	if (rc != SQLITE_OK)
		return store_rc(s, rc);
	store_bind_text(st, 1, id);
	rc = summaries_each(s, st, fn, ctx, &any);
	sst_finalize(st);
	return rc == 0 && !any ? -ENOENT : rc;
}

/* --- the report -------------------------------------------------------------- */
int fl_store_recorded_until(struct fl_store *s, int64_t *out_ns)
{
	struct store_stmt *st;
	int rc;

	rc = store_prepare(s, "SELECT max(coalesce((SELECT max(updated_ns) FROM tickets), 0),"
	                        " coalesce((SELECT max(at_ns) FROM history), 0))", &st);
	if (rc != SQLITE_OK)
		return store_rc(s, rc);
	rc = sst_step(st);
	if (rc == SQLITE_ROW) {
		*out_ns = sst_col_int64(st, 0);
		rc = SQLITE_DONE;
	}
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_finalize(st);
	return rc;
}

/* A clock still running past its deadline at the end of the period (or at
 * the time judged by, if earlier) counts as missed: it cannot be met any more.
 * A paused clock's time does not run (its deadline moves on when it resumes):
 * it counts only if it was already late when it was paused. The records that hold maintenance
 * announcements (store_announce.c) and directives (store_directive.c) are not
 * tickets of the period; the tickets of duties (store_duty.c) are counted
 * apart, per duty. */
#define NOT_ANNOUNCE(t) " AND NOT (" t ".rule = 'announce' AND " t ".id LIKE 'ANN-%')" \
	" AND NOT (" t ".rule = 'directive' AND " t ".id LIKE 'DIR-%')" \
	" AND NOT (" t ".rule = 'duty' AND " t ".id LIKE 'DUTY-%')"
#define REPORT_CLOCKS(what) \
	" (SELECT " what " FROM clocks c JOIN tickets u ON u.id = c.ticket" \
	"  WHERE u.city IS t.city AND u.county IS t.county AND u.opened_ns >= ?1" \
	"  AND u.opened_ns < ?2" NOT_ANNOUNCE("u")
#define REPORT_MET " AND c.state = 'met')"
#define REPORT_MISSED \
	" AND (c.state = 'missed' OR (c.state = 'running'" \
	"  AND c.deadline_ns < min(?2, ?3)) OR (c.state = 'paused'" \
	"  AND c.deadline_ns < min(?2, ?3, c.paused_at_ns))))"
/* met and missed of one clock: columns 10 to 15, respond, onsite, repair */
#define REPORT_BY_CLOCK(name) \
	REPORT_CLOCKS("count(*)") " AND c.clock = '" name "'" REPORT_MET "," \
	REPORT_CLOCKS("count(*)") " AND c.clock = '" name "'" REPORT_MISSED
#define REPORT_SQL \
	"SELECT t.city, t.county, count(*)," \
	" avg(CASE WHEN t.acked_ns IS NOT NULL THEN t.acked_ns - t.opened_ns END)," \
	" avg(CASE WHEN t.restored_ns IS NOT NULL THEN t.restored_ns - t.opened_ns END)," \
	REPORT_CLOCKS("count(*)") REPORT_MET "," \
	REPORT_CLOCKS("count(*)") REPORT_MISSED "," \
	REPORT_CLOCKS("coalesce(sum(c.pauses), 0)") ")," \
	REPORT_CLOCKS("coalesce(sum(c.paused_ms), 0)") ")," \
	" (SELECT group_concat(level || ':' || n, ' ') FROM (SELECT level, count(*) AS n" \
	"  FROM tickets u WHERE u.city IS t.city AND u.county IS t.county" \
	"  AND u.opened_ns >= ?1 AND u.opened_ns < ?2" NOT_ANNOUNCE("u") \
	"  GROUP BY level ORDER BY level) AS by_level)," \
	REPORT_BY_CLOCK("respond") "," REPORT_BY_CLOCK("onsite") "," REPORT_BY_CLOCK("repair") \
	" FROM tickets t WHERE t.opened_ns >= ?1 AND t.opened_ns < ?2" NOT_ANNOUNCE("t") \
	" GROUP BY t.city, t.county ORDER BY t.city, t.county"

static int64_t mean_s(struct store_stmt *st, int col)
{
	if (sst_col_is_null(st, col))
		return -1;
	return (int64_t)(sst_col_double(st, col) / 1e9 + 0.5);
}

int fl_store_report_each(struct fl_store *s, int64_t from_ns, int64_t to_ns, int64_t as_of_ns,
                         fl_store_report_fn *fn, void *ctx)
{
	struct store_stmt *st;
	int rc;

	if (from_ns >= to_ns)
		return -EINVAL;
	rc = store_prepare(s, REPORT_SQL, &st);
	if (rc != SQLITE_OK)
		return store_rc(s, rc);
	sst_bind_int64(st, 1, from_ns);
	sst_bind_int64(st, 2, to_ns);
	sst_bind_int64(st, 3, as_of_ns);
	while ((rc = sst_step(st)) == SQLITE_ROW) {
		struct fl_report_row r = {
			.city = store_col_text(st, 0),
			.county = store_col_text(st, 1),
			.tickets = sst_col_int64(st, 2),
			.mean_ack_s = mean_s(st, 3),
			.mean_restore_s = mean_s(st, 4),
			.clocks_met = sst_col_int64(st, 5),
			.clocks_missed = sst_col_int64(st, 6),
			.pauses = sst_col_int64(st, 7),
			.paused_ms = sst_col_int64(st, 8),
			.levels = store_col_text(st, 9),
		};

		for (int c = 0; c < FL_TICKET_CLOCK__COUNT; c++) {
			r.met_by_clock[c] = sst_col_int64(st, 10 + 2 * c);
			r.missed_by_clock[c] = sst_col_int64(st, 11 + 2 * c);
		}

		rc = fn(ctx, &r);
		if (rc != 0) {
			sst_finalize(st);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_finalize(st);
	return rc;
}

static void json_mean(struct fl_json *j, int64_t v)
{
	if (v < 0)
		fl_json_null(j);
	else
		fl_json_int(j, v);
}

static int report_row_json(void *ctx, const struct fl_report_row *r)
{
	struct fl_json *j = ctx;
	const char *p = r->levels;

	fl_json_obj_begin(j);
	fl_json_key(j, "city");
	fl_json_cstr(j, r->city);
	fl_json_key(j, "county");
	fl_json_cstr(j, r->county);
	fl_json_key(j, "tickets");
	fl_json_int(j, r->tickets);
	fl_json_key(j, "by_level");
	fl_json_obj_begin(j);
	while (p && *p) { /* "name:n name:n": level names hold no space or colon */
		const char *colon = strchr(p, ':'), *end;
		char key[128];

		if (!colon)
			break;
		end = strchr(colon, ' ');
		snprintf(key, sizeof(key), "%.*s", (int)(colon - p), p);
		fl_json_key(j, key);
		fl_json_int(j, strtoll(colon + 1, NULL, 10));
		p = end ? end + 1 : NULL;
	}
	fl_json_obj_end(j);
	fl_json_key(j, "mean_ack_s");
	json_mean(j, r->mean_ack_s);
	fl_json_key(j, "mean_restore_s");
	json_mean(j, r->mean_restore_s);
	fl_json_key(j, "clocks");
	fl_json_obj_begin(j);
	fl_json_key(j, "met");
	fl_json_int(j, r->clocks_met);
	fl_json_key(j, "missed");
	fl_json_int(j, r->clocks_missed);
	fl_json_key(j, "paused");
	fl_json_int(j, r->pauses);
	fl_json_key(j, "paused_ms");
	fl_json_int(j, r->paused_ms);
	fl_json_obj_end(j);
	fl_json_key(j, "by_clock");
	fl_json_obj_begin(j);
	for (int c = 0; c < FL_TICKET_CLOCK__COUNT; c++) {
		fl_json_key(j, fl_ticket_clock_name((enum fl_ticket_clock)c));
		fl_json_obj_begin(j);
		fl_json_key(j, "met");
		fl_json_int(j, r->met_by_clock[c]);
		fl_json_key(j, "missed");
		fl_json_int(j, r->missed_by_clock[c]);
		fl_json_obj_end(j);
	}
	fl_json_obj_end(j);
	fl_json_obj_end(j);
	return 0;
}

/* A duty's line of the report (store_duty.h). */
static int duty_row_json(void *ctx, const struct fl_duty_report_row *r)
{
	struct fl_json *j = ctx;

	fl_json_obj_begin(j);
	fl_json_key(j, "duty");
	fl_json_cstr(j, r->duty);
	fl_json_key(j, "due");
	fl_json_int(j, r->due);
	fl_json_key(j, "done");
	fl_json_int(j, r->done);
	fl_json_key(j, "done_late");
	fl_json_int(j, r->late);
	fl_json_key(j, "open");
	fl_json_int(j, r->open);
	fl_json_key(j, "overdue");
	fl_json_int(j, r->overdue);
	fl_json_key(j, "passed_over");
	fl_json_int(j, r->passed_over);
	fl_json_obj_end(j);
	return 0;
}

int fl_store_report_json(struct fl_store *s, int64_t from_ns, int64_t to_ns, int64_t as_of_ns,
                         struct fl_buf *out)
{
	struct fl_json j;
	int rc;

	fl_json_init(&j, out);
	fl_json_obj_begin(&j);
	fl_json_key(&j, "from");
	store_json_time(&j, from_ns);
	fl_json_key(&j, "to");
	store_json_time(&j, to_ns);
	fl_json_key(&j, "as_of");
	store_json_time(&j, as_of_ns < to_ns ? as_of_ns : to_ns);
	fl_json_key(&j, "areas");
	fl_json_arr_begin(&j);
	rc = fl_store_report_each(s, from_ns, to_ns, as_of_ns, report_row_json, &j);
	fl_json_arr_end(&j);
	fl_json_key(&j, "duties");
	fl_json_arr_begin(&j);
	if (rc == 0)
		rc = fl_store_duty_report_each(s, from_ns, to_ns, as_of_ns, duty_row_json, &j);
	fl_json_arr_end(&j);
	fl_json_obj_end(&j);
	if (rc == 0 && fl_json_failed(&j))
		rc = -EMSGSIZE;
	return rc;
}

/* --- maintenance windows ------------------------------------------------------- */
static int scope_valid(const char *scope)
{
	for (size_t i = 0; i < FL_ARRAY_LEN(window_scopes); i++)
		if (scope && strcmp(scope, window_scopes[i]) == 0)
			return 1;
	return 0;
}

int fl_store_maint_add(struct fl_store *s, struct fl_maint_window *w, int64_t now_ns)
{
	struct store_stmt *st;
	int rc;

	if (!scope_valid(w->scope) || !w->target || !w->target[0] || w->from_ns >= w->to_ns ||
	    (unsigned)w->recur > FL_MAINT_MONTHLY)
		return -EINVAL;
	/* A recurring window longer than its period would never end. */
	if (w->recur == FL_MAINT_WEEKLY && w->to_ns - w->from_ns >= 7 * 86400 * NS_PER_S)
		return -EINVAL;
	if (w->recur == FL_MAINT_MONTHLY && w->to_ns - w->from_ns >= 28 * 86400 * NS_PER_S)
		return -EINVAL;
	st = store_stmt(s, "INSERT INTO maintenance(scope, target, from_ns, to_ns, recur, reason,"
	                   " by, created_ns) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id");
	if (!st)
		return -EIO;
	store_bind_text(st, 1, w->scope);
	store_bind_text(st, 2, w->target);
	sst_bind_int64(st, 3, w->from_ns);
	sst_bind_int64(st, 4, w->to_ns);
	store_bind_text(st, 5, recur_names[w->recur]);
	store_bind_text(st, 6, w->reason);
	store_bind_text(st, 7, w->by);
	sst_bind_int64(st, 8, now_ns);
	rc = sst_step(st);
	if (rc == SQLITE_ROW) /* RETURNING: both backends say the new id the same way */
		w->id = sst_col_int64(st, 0);
	rc = rc == SQLITE_ROW ? 0 : store_rc(s, rc == SQLITE_DONE ? SQLITE_ERROR : rc);
	sst_reset(st);
	return rc;
}

int fl_store_maint_delete(struct fl_store *s, int64_t id)
{
	struct store_stmt *st = store_stmt(s, "DELETE FROM maintenance WHERE id = ?1");
	int rc;

	if (!st)
		return -EIO;
	sst_bind_int64(st, 1, id);
	rc = sst_step(st);
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_reset(st);
	if (rc == 0 && store_changes(s) == 0)
		rc = -ENOENT;
	return rc;
}

/* The occurrence of a window that starts at or before t (its first one when
 * t is earlier): start in *start_ns. */
static int64_t occurrence_start(int64_t from_ns, enum fl_maint_recur recur, int64_t t_ns)
{
	if (recur == FL_MAINT_NONE || t_ns <= from_ns)
		return from_ns;
	if (recur == FL_MAINT_WEEKLY) {
		int64_t week = 7 * 86400 * NS_PER_S;

		return from_ns + (t_ns - from_ns) / week * week;
	}
	/* monthly: estimate the month count, then step to the last start <= t */
	int64_t k = (t_ns - from_ns) / (31 * 86400 * NS_PER_S);
	int64_t start = fl_time_add_months(from_ns, k);

	while (fl_time_add_months(from_ns, k + 1) <= t_ns) {
		k++;
		start = fl_time_add_months(from_ns, k);
	}
	return start;
}

static bool window_covers(int64_t from_ns, int64_t to_ns, enum fl_maint_recur recur, int64_t t)
{
	int64_t start = occurrence_start(from_ns, recur, t);

	return t >= start && t < start + (to_ns - from_ns);
}

static enum fl_maint_recur recur_parse(const char *tok)
{
	for (unsigned i = 0; tok && i < FL_ARRAY_LEN(recur_names); i++)
		if (strcmp(tok, recur_names[i]) == 0)
			return (enum fl_maint_recur)i;
	return FL_MAINT_NONE;
}

int fl_store_maint_active(struct fl_store *s, const struct fl_maint_query *q, int64_t t_ns,
                          bool *is_active, struct fl_maint_hit *hit)
{
	struct store_stmt *st = store_stmt(
		s, "SELECT id, from_ns, to_ns, recur FROM maintenance WHERE from_ns <= ?6 AND"
		   " ((scope = 'device' AND target = ?1) OR (scope = 'site' AND target = ?2)"
		   " OR (scope = 'ring' AND target = ?3) OR (scope = 'span' AND target = ?4)"
		   " OR (scope = 'city' AND target = ?5)) ORDER BY id");
	struct fl_maint_hit h = {0};
	bool found = false;
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, q->device);
	store_bind_text(st, 2, q->site);
	store_bind_text(st, 3, q->ring);
	store_bind_text(st, 4, q->span);
	store_bind_text(st, 5, q->city);
	sst_bind_int64(st, 6, t_ns);
	while (!found && (rc = sst_step(st)) == SQLITE_ROW) {
		int64_t from = sst_col_int64(st, 1), to = sst_col_int64(st, 2);
		enum fl_maint_recur recur = recur_parse(store_col_text(st, 3));

		if (window_covers(from, to, recur, t_ns)) {
			found = true;
			h.window_id = sst_col_int64(st, 0);
			h.ends_ns = occurrence_start(from, recur, t_ns) + (to - from);
		}
	}
	rc = found || rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_reset(st);
	if (rc == 0) {
		*is_active = found;
		if (hit)
			*hit = h;
	}
	return rc;
}

int fl_store_maint_each(struct fl_store *s, int64_t now_ns, fl_store_maint_fn *fn, void *ctx)
{
	struct store_stmt *st;
	int rc;

	rc = store_prepare(s, "SELECT id, scope, target, from_ns, to_ns, recur, reason, by,"
	                        " (SELECT count(*) FROM consent c WHERE c.maint = maintenance.id),"
	                        " (SELECT count(*) FROM consent c WHERE c.maint = maintenance.id"
	                        "  AND c.state = 'asked'),"
	                        " (SELECT count(*) FROM consent c WHERE c.maint = maintenance.id"
	                        "  AND c.state = 'given'),"
	                        " (SELECT count(*) FROM consent c WHERE c.maint = maintenance.id"
	                        "  AND c.state = 'refused')"
	                        " FROM maintenance WHERE recur <> 'none' OR to_ns > ?1"
	                        " ORDER BY from_ns, id", &st);
	if (rc != SQLITE_OK)
		return store_rc(s, rc);
	sst_bind_int64(st, 1, now_ns);
	while ((rc = sst_step(st)) == SQLITE_ROW) {
		struct fl_maint_view v = {
			.w = {.id = sst_col_int64(st, 0),
			      .scope = store_col_text(st, 1),
			      .target = store_col_text(st, 2),
			      .from_ns = sst_col_int64(st, 3),
			      .to_ns = sst_col_int64(st, 4),
			      .recur = recur_parse(store_col_text(st, 5)),
			      .reason = store_col_text(st, 6),
			      .by = store_col_text(st, 7)},
			.consent_customers = (uint32_t)sst_col_int64(st, 8),
			.consent_asked = (uint32_t)sst_col_int64(st, 9),
			.consent_given = (uint32_t)sst_col_int64(st, 10),
			.consent_refused = (uint32_t)sst_col_int64(st, 11),
		};
		int64_t len = v.w.to_ns - v.w.from_ns;

		v.next_from_ns = occurrence_start(v.w.from_ns, v.w.recur, now_ns);
		if (v.next_from_ns + len <= now_ns) /* this one is over: the next occurrence */
			v.next_from_ns = v.w.recur == FL_MAINT_WEEKLY
			                         ? v.next_from_ns + 7 * 86400 * NS_PER_S
			                         : fl_time_add_months(v.next_from_ns, 1);
		v.next_to_ns = v.next_from_ns + len;
		v.is_active = window_covers(v.w.from_ns, v.w.to_ns, v.w.recur, now_ns);
		rc = fn(ctx, &v);
		if (rc != 0) {
			sst_finalize(st);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_finalize(st);
	return rc;
}

struct maint_json_walk {
	struct fl_json *j;
	int64_t now_ns, notice_ms;
};

/* "consent": {customers, asked, given, refused, missing}, "consent_warning". */
static void maint_consent_json(struct fl_json *j, const struct fl_maint_view *v, int64_t now_ns,
                               int64_t notice_ms)
{
	struct fl_consent_counts c = {
		.customers = v->consent_customers, .asked = v->consent_asked,
		.given = v->consent_given, .refused = v->consent_refused,
		.missing = v->consent_customers - v->consent_asked - v->consent_given -
		           v->consent_refused,
	};
	const char *names[] = {"customers", "asked", "given", "refused", "missing"};
	const uint32_t values[] = {c.customers, c.asked, c.given, c.refused, c.missing};

	fl_json_key(j, "consent");
	fl_json_obj_begin(j);
	for (size_t i = 0; i < 5; i++) {
		fl_json_key(j, names[i]);
		fl_json_int(j, values[i]);
	}
	fl_json_obj_end(j);
	fl_json_key(j, "consent_warning");
	fl_json_bool(j, fl_consent_warning(&c, v->is_active, v->next_from_ns, now_ns, notice_ms));
}

static int maint_row_json(void *ctx, const struct fl_maint_view *v)
{
	const struct maint_json_walk *w = ctx;
	struct fl_json *j = w->j;

	fl_json_obj_begin(j);
	fl_json_key(j, "id");
	fl_json_int(j, v->w.id);
	fl_json_key(j, "scope");
	fl_json_cstr(j, v->w.scope);
	fl_json_key(j, "target");
	fl_json_cstr(j, v->w.target);
	fl_json_key(j, "from");
	store_json_time(j, v->w.from_ns);
	fl_json_key(j, "to");
	store_json_time(j, v->w.to_ns);
	fl_json_key(j, "recur");
	fl_json_cstr(j, recur_names[v->w.recur]);
	fl_json_key(j, "next_from");
	store_json_time(j, v->next_from_ns);
	fl_json_key(j, "next_to");
	store_json_time(j, v->next_to_ns);
	fl_json_key(j, "active");
	fl_json_bool(j, v->is_active);
	fl_json_key(j, "reason");
	fl_json_cstr(j, v->w.reason);
	fl_json_key(j, "by");
	fl_json_cstr(j, v->w.by);
	maint_consent_json(j, v, w->now_ns, w->notice_ms);
	fl_json_obj_end(j);
	return 0;
}

int fl_store_maint_json(struct fl_store *s, int64_t now_ns, int64_t notice_ms,
                        struct fl_buf *out)
{
	struct fl_json j;
	struct maint_json_walk w = {&j, now_ns, notice_ms};
	int rc;

	fl_json_init(&j, out);
	fl_json_arr_begin(&j);
	rc = fl_store_maint_each(s, now_ns, maint_row_json, &w);
	fl_json_arr_end(&j);
	if (rc == 0 && fl_json_failed(&j))
		rc = -EMSGSIZE;
	return rc;
}
