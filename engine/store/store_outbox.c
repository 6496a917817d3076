/* store_outbox.c - the store's notification outbox: rows queued with the
 * ticket change that causes them, claimed and finished by the delivery
 * thread, recovered after a kill (store.h). */
#include "engine/store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/limits.h"
#include "engine/lib/notice_key.h"
#include "engine/store/store_int.h"

/* --- queueing --------------------------------------------------------------- */
/* The default incident document of a notification: the ticket as `tickets
 * show --json` prints it, without history. */
static int notice_json(struct fl_store *s, const char *id, int64_t now_ns, struct fl_buf *out)
{
	return fl_store_ticket_json(s, id, false, now_ns, out);
}

int fl_store_notify_enqueue(struct fl_store *s, const char *id, const struct fl_notice *n,
                            int64_t now_ns)
{
	struct fl_buf doc;
	struct store_stmt *st;
	char what[160];
	int64_t ttl_ms;
	int rc;

	if (!n->key || !fl_notice_key_valid(n->key) || !n->channel || !n->channel[0] ||
	    !n->address || !n->address[0])
		return -EINVAL;
	ttl_ms = n->ttl_ms > 0 ? n->ttl_ms : FL_OUTBOX_TTL_MS_DEFAULT;
	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	fl_buf_init(&doc, FL_STORE_JSON_MAX);
	if (!n->incident_json) {
		rc = notice_json(s, id, now_ns, &doc);
		if (rc < 0)
			goto out;
	}
	/* a key already queued is no error of the transaction: inside a batch
	 * a failed statement would roll back everything the batch holds (the
	 * ticket's open with it), so the duplicate is found by the row count */
	st = store_stmt(s, "INSERT INTO outbox(ticket, key, channel, role, person, address,"
	                   " subject, body, incident_json, state, created_ns, due_ns, expires_ns)"
	                   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?10, ?11)"
	                   " ON CONFLICT(key) DO NOTHING");
	if (!st) {
		rc = -EIO;
		goto out;
	}
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, n->key);
	store_bind_text(st, 3, n->channel);
	store_bind_text(st, 4, n->role);
	store_bind_text(st, 5, n->person);
	store_bind_text(st, 6, n->address);
	store_bind_text(st, 7, n->subject);
	store_bind_text(st, 8, n->body);
	store_bind_text(st, 9, n->incident_json ? n->incident_json : doc.p);
	sst_bind_int64(st, 10, now_ns);
	sst_bind_int64(st, 11, now_ns + ttl_ms * NS_PER_MS);
	rc = store_step_done(s, st);
	if (rc == -EINVAL) /* foreign key: no such ticket */
		rc = -ENOENT;
	if (rc == 0 && store_changes(s) == 0) {
		fl_buf_free(&doc);
		rc = store_txn_leave(s, 0);
		return rc < 0 ? rc : -EEXIST;
	}
	snprintf(what, sizeof(what), "notified %s %s by %s", n->role ? n->role : "",
	         n->person ? n->person : n->address, n->channel);
	if (rc == 0)
		rc = store_history_add(s, id, now_ns, what, "faultline", n->key);
out:
	fl_buf_free(&doc);
	return store_txn_leave(s, rc);
}

/* --- the outbox --------------------------------------------------------------- */
void fl_store_outbox_row_free(struct fl_outbox_row *r)
{
	if (!r)
		return;
	free(r->ticket);
	free(r->key);
	free(r->channel);
	free(r->person);
	free(r->address);
	free(r->subject);
	free(r->body);
	free(r->incident_json);
	free(r);
}

static char *dup_col(struct store_stmt *st, int i, bool *failed)
{
	const char *v = store_col_text(st, i);
	char *d = strdup(v ? v : "");

	if (!d)
		*failed = true;
	return d;
}

/* The rows of a lane: ?2 its channel, or with ?2 NULL every channel but
 * ?3..?34. Unused slots hold '', a channel no row has (enqueue refuses it):
 * a NULL there would make NOT IN unknown for every row. */
#define LANE_WHERE                                                                    \
	" AND (channel = ?2 OR (?2 IS NULL AND channel NOT IN (?3, ?4, ?5, ?6, ?7, ?8,"  \
	" ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24," \
	" ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34)))"
#define LANE_FIRST_OTHER 3
_Static_assert(FL_OUTBOX_MAX_ROUTES == 32, "LANE_WHERE has a slot per route");

static int bind_lane(struct store_stmt *st, const struct fl_outbox_lane *lane)
{
	if (lane && lane->n_others > FL_OUTBOX_MAX_ROUTES)
		return -EINVAL;
	store_bind_text(st, 2, lane ? lane->channel : NULL);
	for (int i = 0; i < FL_OUTBOX_MAX_ROUTES; i++) {
		const char *other = lane && (size_t)i < lane->n_others ? lane->others[i] : "";

		store_bind_text(st, LANE_FIRST_OTHER + i, other ? other : "");
	}
	return 0;
}

static int outbox_read(struct fl_store *s, const struct fl_outbox_lane *lane, int64_t now_ns,
                       struct fl_outbox_row **out)
{
	struct store_stmt *st = store_stmt(
		s, "SELECT id, ticket, key, channel, person, address, subject, body, incident_json,"
		   " attempts, created_ns, expires_ns FROM outbox WHERE state = 'pending'"
		   " AND due_ns <= ?1" LANE_WHERE " ORDER BY due_ns, id LIMIT 1"
		   /* PostgreSQL: two workers never claim one row, and neither
		    * waits for the other's; SQLite drops it (store_sqlite.c) */
		   " FOR UPDATE SKIP LOCKED");
	struct fl_outbox_row *r;
	bool failed = false;
	int rc;

	if (!st)
		return -EIO;
	sst_bind_int64(st, 1, now_ns);
	rc = bind_lane(st, lane);
	if (rc < 0)
		return rc;
	rc = sst_step(st);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? -ENOENT : store_rc(s, rc);
		sst_reset(st);
		return rc;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		sst_reset(st);
		return -ENOMEM;
	}
	r->id = sst_col_int64(st, 0);
	r->ticket = dup_col(st, 1, &failed);
	r->key = dup_col(st, 2, &failed);
	r->channel = dup_col(st, 3, &failed);
	r->person = dup_col(st, 4, &failed);
	r->address = dup_col(st, 5, &failed);
	r->subject = dup_col(st, 6, &failed);
	r->body = dup_col(st, 7, &failed);
	r->incident_json = dup_col(st, 8, &failed);
	r->attempts = (uint32_t)sst_col_int64(st, 9) + 1;
	r->created_ns = sst_col_int64(st, 10);
	r->expires_ns = sst_col_int64(st, 11);
	sst_reset(st);
	if (failed) {
		fl_store_outbox_row_free(r);
		return -ENOMEM;
	}
	*out = r;
	return 0;
}

int fl_store_outbox_claim(struct fl_store *s, int64_t now_ns, struct fl_outbox_row **out)
{
	return fl_store_outbox_claim_lane(s, NULL, now_ns, INT64_MAX, out);
}

int fl_store_outbox_claim_lane(struct fl_store *s, const struct fl_outbox_lane *lane,
                               int64_t now_ns, int64_t lease_until_ns, struct fl_outbox_row **out)
{
	struct fl_outbox_row *r = NULL;
	struct store_stmt *st;
	int rc;

	rc = store_txn_enter_rows(s);
	if (rc < 0)
		return rc;
	rc = outbox_read(s, lane, now_ns, &r);
	if (rc < 0)
		return s->in_txn && rc == -ENOENT ? rc : store_txn_leave(s, rc);
	/* due_ns of a "sending" row is the end of its lease */
	st = store_stmt(s, "UPDATE outbox SET state = 'sending', attempts = attempts + 1,"
	                   " due_ns = ?2 WHERE id = ?1");
	if (!st) {
		rc = -EIO;
	} else {
		sst_bind_int64(st, 1, r->id);
		sst_bind_int64(st, 2, lease_until_ns);
		rc = store_step_done(s, st);
	}
	rc = store_txn_leave(s, rc);
	if (rc < 0) {
		fl_store_outbox_row_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int fl_store_outbox_finish(struct fl_store *s, int64_t row_id, enum fl_outbox_state state,
                           const char *result, const char *reason, int64_t retry_ns,
                           int64_t now_ns)
{
	struct store_stmt *st;
	int rc;

	if (state == FL_OUTBOX_SENDING || (unsigned)state > FL_OUTBOX_EXPIRED || !result)
		return -EINVAL;
	rc = store_txn_enter_rows(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE outbox SET state = ?2, due_ns = ?3, last_result = ?4,"
	                   " last_error = ?5, done_ns = CASE WHEN ?2 = 'pending' THEN NULL"
	                   " ELSE ?6 END WHERE id = ?1");
	if (!st)
		return store_txn_leave(s, -EIO);
	sst_bind_int64(st, 1, row_id);
	store_bind_text(st, 2, store_outbox_token(state));
	sst_bind_int64(st, 3, state == FL_OUTBOX_PENDING ? retry_ns : now_ns);
	store_bind_text(st, 4, result);
	store_bind_text(st, 5, reason);
	sst_bind_int64(st, 6, now_ns);
	rc = store_update_one(s, st);
	if (rc == 0) {
		st = store_stmt(s, "INSERT INTO attempts(outbox, at_ns, result, reason)"
		                   " VALUES(?1, ?2, ?3, ?4)");
		if (!st)
			return store_txn_leave(s, -EIO);
		sst_bind_int64(st, 1, row_id);
		sst_bind_int64(st, 2, now_ns);
		store_bind_text(st, 3, result);
		store_bind_text(st, 4, reason);
		rc = store_step_done(s, st);
	}
	return store_txn_leave(s, rc);
}

int fl_store_outbox_recover(struct fl_store *s, int64_t now_ns, uint32_t *n)
{
	struct store_stmt *st;
	uint32_t changed = 0;
	int rc;

	rc = store_txn_enter_rows(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE outbox SET state = 'pending', due_ns = ?1,"
	                   " last_result = 'interrupted' WHERE state = 'sending'");
	if (!st)
		return store_txn_leave(s, -EIO);
	sst_bind_int64(st, 1, now_ns);
	rc = store_step_done(s, st);
	if (rc == 0)
		changed = (uint32_t)store_changes(s);
	rc = store_txn_leave(s, rc);
	if (rc == 0)
		*n = changed;
	return rc;
}

int fl_store_outbox_recover_stale(struct fl_store *s, const struct fl_outbox_lane *lane,
                                  int64_t now_ns, uint32_t *n)
{
	struct store_stmt *st;
	uint32_t changed = 0;
	int rc;

	rc = store_txn_enter_rows(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE outbox SET state = 'pending', due_ns = ?1,"
	                   " last_result = 'interrupted' WHERE state = 'sending'"
	                   " AND due_ns <= ?1" LANE_WHERE);
	if (!st)
		return store_txn_leave(s, -EIO);
	sst_bind_int64(st, 1, now_ns);
	rc = bind_lane(st, lane);
	if (rc == 0)
		rc = store_step_done(s, st);
	if (rc == 0)
		changed = (uint32_t)store_changes(s);
	rc = store_txn_leave(s, rc);
	if (rc == 0 && n)
		*n = changed;
	return rc;
}

int fl_store_outbox_counts(struct fl_store *s, uint64_t counts[5])
{
	struct store_stmt *st = store_stmt(s, "SELECT state, count(*) FROM outbox GROUP BY state");
	uint64_t c[5] = {0};
	int rc;

	if (!st)
		return -EIO;
	while ((rc = sst_step(st)) == SQLITE_ROW) {
		const char *tok = store_col_text(st, 0);

		for (unsigned i = 0; tok && i <= FL_OUTBOX_EXPIRED; i++)
			if (strcmp(tok, fl_outbox_state_name((enum fl_outbox_state)i)) == 0)
				c[i] = (uint64_t)sst_col_int64(st, 1);
	}
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_reset(st);
	if (rc == 0)
		memcpy(counts, c, sizeof(c));
	return rc;
}

int64_t fl_store_outbox_next_due(struct fl_store *s)
{
	return store_single_int(s, "SELECT min(due_ns) FROM outbox WHERE state = 'pending'", INT64_MAX);
}

int64_t fl_store_outbox_next_due_lane(struct fl_store *s, const struct fl_outbox_lane *lane)
{
	struct store_stmt *st = store_stmt(s, "SELECT min(due_ns) FROM outbox WHERE state = 'pending'"
	                                 " AND 1" LANE_WHERE);
	int64_t next = INT64_MAX;

	if (!st || bind_lane(st, lane) < 0)
		return INT64_MAX;
	if (sst_step(st) == SQLITE_ROW && !sst_col_is_null(st, 0))
		next = sst_col_int64(st, 0);
	sst_reset(st);
	return next;
}
