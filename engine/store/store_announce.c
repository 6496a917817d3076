/* store_announce.c - the store side of maintenance announcements: the
 * record of a window occurrence and its outbox rows (store.h). */
#include "engine/store/store.h"

#include <errno.h>
#include <string.h>

#include "engine/lib/limits.h"
#include "engine/lib/notice_key.h"
#include "engine/store/store_int.h"

static int key_queued(struct fl_store *s, const char *key, bool *is_queued)
{
	struct store_stmt *st = store_stmt(s, "SELECT 1 FROM outbox WHERE key = ?1");
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, key);
	rc = sst_step(st);
	*is_queued = rc == SQLITE_ROW;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_reset(st);
	return rc;
}

/* INSERT OR IGNORE: the first announcement of an occurrence makes it, the
 * others (customers, channels, later checks) find it. */
static int record_make(struct fl_store *s, const struct fl_announce_record *r, int64_t now_ns)
{
	static const char *const scopes[] = {"device", "site", "span", "ring", "city"};
	const char *loc[5] = {0};
	struct store_stmt *st;
	int rc;

	for (size_t i = 0; i < 5; i++)
		if (r->scope && strcmp(r->scope, scopes[i]) == 0)
			loc[i] = r->target;
	st = store_stmt(s, "INSERT OR IGNORE INTO tickets(id, rule, key, level, title, state,"
	                   " device, site, span, ring, city, circuits, customers, planned,"
	                   " alarms, opened_ns, updated_ns, closed_ns)"
	                   " VALUES(?1, 'announce', ?2, 'maintenance', ?3, 'archived', ?4, ?5,"
	                   " ?6, ?7, ?8, ?9, ?10, 1, 0, ?11, ?12, ?12)");
	if (!st)
		return -EIO;
	store_bind_text(st, 1, r->id);
	store_bind_text(st, 2, r->target);
	store_bind_text(st, 3, r->title);
	for (int i = 0; i < 5; i++)
		store_bind_text(st, 4 + i, loc[i]);
	store_bind_text(st, 9, r->circuits);
	store_bind_text(st, 10, r->customers);
	sst_bind_int64(st, 11, r->start_ns);
	sst_bind_int64(st, 12, now_ns);
	rc = sst_step(st);
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_reset(st);
	return rc;
}

int fl_store_announce_enqueue(struct fl_store *s, const struct fl_announce_record *r,
                              const struct fl_notice *n, int64_t now_ns)
{
	bool is_queued = false, own_txn = false;
	int rc;

	if (!r || !r->id || !r->id[0] || strlen(r->id) > FL_STORE_ID_MAX || !n->key ||
	    !fl_notice_key_valid(n->key))
		return -EINVAL;
	rc = key_queued(s, n->key, &is_queued);
	if (rc < 0)
		return rc;
	if (is_queued)
		return -EEXIST;
	if (!s->in_txn) {
		rc = fl_store_begin(s);
		if (rc < 0)
			return rc;
		own_txn = true;
	}
	rc = record_make(s, r, now_ns);
	if (rc == 0)
		rc = fl_store_notify_enqueue(s, r->id, n, now_ns);
	if (own_txn) {
		if (rc < 0) {
			fl_store_rollback(s);
			return rc;
		}
		return fl_store_commit(s);
	}
	if (rc < 0 && !s->txn_err) {
		/* inside the caller's transaction: poison it like every write does */
		s->txn_err = rc;
		store_exec_quiet(s, "ROLLBACK");
	}
	return rc;
}
