/* store_lead.c - the lead of an active/standby pair on one PostgreSQL
 * store, and the fence that keeps an engine that lost it from writing
 * (store.h). The lead is a session advisory lock ("lead"), so the server
 * frees it the moment the holder's connection ends, kill -9 included; the
 * fencing number lives in store_lead, drawn under the writer lock. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/store/store_int.h"

/* "lead", keyed with the schema's name as the writer lock is */
#define LEAD_KEY "hashtext(current_schema()), 1818583396"

int fl_store_lead_try(struct fl_store *s, const char *holder, int64_t now_ns, int64_t *epoch)
{
	struct store_stmt *st;
	int64_t drawn = 0;
	int rc;

	if (strcmp(s->ops->name, "postgresql") != 0) {
		snprintf(s->err, sizeof(s->err), "the lead of a pair needs a PostgreSQL store");
		return -ENOTSUP;
	}
	if (s->fence_epoch) { /* a session lock is held once per session */
		*epoch = s->fence_epoch;
		return 0;
	}
	if (store_single_int(s, "SELECT pg_try_advisory_lock(" LEAD_KEY ")", 0) != 1)
		return -EAGAIN;
	rc = store_txn_enter(s);
	if (rc < 0)
		goto out_unlock;
	st = store_stmt(s, "UPDATE store_lead SET epoch = epoch + 1, holder = ?1, since_ns = ?2,"
	                   " writes = 0 RETURNING epoch");
	if (!st) {
		rc = -EIO;
	} else {
		store_bind_text(st, 1, holder);
		sst_bind_int64(st, 2, now_ns);
		rc = sst_step(st);
		if (rc == SQLITE_ROW)
			drawn = sst_col_int64(st, 0);
		rc = rc == SQLITE_ROW ? 0 : store_rc(s, rc == SQLITE_DONE ? SQLITE_ERROR : rc);
		sst_reset(st);
	}
	rc = store_txn_leave(s, rc);
	if (rc < 0)
		goto out_unlock;
	s->fence_epoch = drawn;
	*epoch = drawn;
	return 0;

out_unlock:
	store_exec_quiet(s, "SELECT pg_advisory_unlock(" LEAD_KEY ")");
	return rc;
}

int fl_store_lead_get(struct fl_store *s, struct fl_store_lead *out)
{
	struct store_stmt *st = store_stmt(s, "SELECT epoch, holder, since_ns, writes FROM store_lead");
	struct fl_store_lead l = {0};
	int rc;

	if (!st)
		return -EIO;
	rc = sst_step(st);
	if (rc == SQLITE_ROW) {
		l.epoch = sst_col_int64(st, 0);
		snprintf(l.holder, sizeof(l.holder), "%s",
		         store_col_text(st, 1) ? store_col_text(st, 1) : "");
		l.since_ns = sst_col_int64(st, 2);
		l.writes = sst_col_int64(st, 3);
	}
	rc = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : store_rc(s, rc);
	sst_reset(st);
	/* the two-key advisory lock shows in pg_locks as classid, objid */
	if (rc == 0 && strcmp(s->ops->name, "postgresql") == 0)
		l.is_held = store_single_int(s, "SELECT count(*) FROM pg_locks WHERE"
		                                " locktype = 'advisory' AND granted AND objsubid = 2"
		                                " AND database = (SELECT oid FROM pg_database"
		                                " WHERE datname = current_database())"
		                                " AND classid = hashtext(current_schema())::oid"
		                                " AND objid = 1818583396", 0) > 0;
	if (rc == 0)
		*out = l;
	return rc;
}

void fl_store_fence(struct fl_store *s, int64_t epoch)
{
	s->fence_epoch = epoch;
}

/* Under the writer lock: the write counts against the fencing number, and
 * finds no row when another engine drew a newer one. */
int store_fence_check(struct fl_store *s)
{
	struct store_stmt *st = store_stmt(s, "UPDATE store_lead SET writes = writes + 1"
	                                      " WHERE epoch = ?1");
	int rc;

	if (!st)
		return -EIO;
	sst_bind_int64(st, 1, s->fence_epoch);
	rc = store_update_one(s, st);
	if (rc == -ENOENT) {
		snprintf(s->err, sizeof(s->err),
		         "another engine took the lead (this one's fencing number %lld is stale)",
		         (long long)s->fence_epoch);
		return -ESTALE;
	}
	return rc;
}
