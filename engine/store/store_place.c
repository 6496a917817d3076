/* store_place.c - the places of a ticket: every span cut and site down its
 * incident covers, with when each joined and how it was told (store.h), and
 * a ticket taken over by another rule or correlation. */
#include "engine/store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/lib/limits.h"
#include "engine/store/store_int.h"

static bool place_kind_ok(const char *kind)
{
	return kind && (strcmp(kind, "span") == 0 || strcmp(kind, "site") == 0);
}

int fl_store_place_add(struct fl_store *s, const char *ticket, const struct fl_ticket_place *p)
{
	struct store_stmt *st;
	char what[160];
	int rc;

	if (!ticket || !p || !place_kind_ok(p->kind) || !p->id || !p->id[0] ||
	    strlen(p->id) > FL_STORE_ID_MAX * 4)
		return -EINVAL;
	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "INSERT INTO places(ticket, kind, place, joined_ns, evidence)"
	                   " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING");
	if (!st)
		return store_txn_leave(s, -EIO);
	store_bind_text(st, 1, ticket);
	store_bind_text(st, 2, p->kind);
	store_bind_text(st, 3, p->id);
	sst_bind_int64(st, 4, p->joined_ns);
	store_bind_text(st, 5, p->evidence);
	rc = store_step_done(s, st);
	if (rc == 0 && store_changes(s) == 0)
		return store_txn_leave(s, 1); /* known already */
	snprintf(what, sizeof(what), "place: %s %s", p->kind, p->id);
	if (rc == 0)
		rc = store_history_add(s, ticket, p->joined_ns, what, "faultline", p->evidence);
	return store_txn_leave(s, rc);
}

int fl_store_places_each(struct fl_store *s, const char *ticket, fl_store_place_fn *fn, void *ctx)
{
	struct store_stmt *st = store_stmt(s, "SELECT kind, place, joined_ns, evidence FROM places"
	                                 " WHERE ticket = ?1 ORDER BY joined_ns, kind, place");
	int rc, stop = 0;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, ticket);
	while (!stop && (rc = sst_step(st)) == SQLITE_ROW) {
		struct fl_ticket_place p = {.kind = store_col_text(st, 0),
		                            .id = store_col_text(st, 1),
		                            .joined_ns = sst_col_int64(st, 2),
		                            .evidence = store_col_text(st, 3)};

		stop = fn(ctx, &p);
	}
	rc = stop ? stop : rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_reset(st);
	return rc;
}

int fl_store_incident_reassign(struct fl_store *s, const char *id, const char *rule,
                               const char *key, int64_t now_ns)
{
	struct store_stmt *st;
	char what[160];
	int rc;

	if (!id || !rule)
		return -EINVAL;
	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE tickets SET rule = ?2, key = coalesce(?3, key), updated_ns = ?4"
	                   " WHERE id = ?1");
	if (!st)
		return store_txn_leave(s, -EIO);
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, rule);
	store_bind_text(st, 3, key);
	sst_bind_int64(st, 4, now_ns);
	rc = store_update_one(s, st);
	snprintf(what, sizeof(what), "taken over by %s", rule);
	if (rc == 0)
		rc = store_history_add(s, id, now_ns, what, "faultline", key);
	return store_txn_leave(s, rc);
}
