/* store.c - the store's common ground: the names and database tokens of
 * its enums, the statement cache over the backend layer, and transactions.
 * Every other store_*.c file builds on these (store_int.h). */
#include "engine/store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/store/store_int.h"

/* --- names and tokens ------------------------------------------------------ */
static const char *const state_names[] = {
#define X(name, text) text,
	FL_TICKET_STATES(X)
#undef X
};
static const char *const state_tokens[] = {"open",     "acknowledged", "dispatched", "onsite",
                                           "restored", "resolved",     "archived"};
static const char *const transition_names[] = {
#define X(name, text, to) text,
	FL_TRANSITIONS(X)
#undef X
};
static const char *const clock_names[] = {
#define X(name, text) text,
	FL_TICKET_CLOCKS(X)
#undef X
};
static const char *const clock_state_names[] = {
#define X(name, text) text,
	FL_CLOCK_STATES(X)
#undef X
};
static const char *const outbox_names[] = {
#define X(name, text) text,
	FL_OUTBOX_STATES(X)
#undef X
};

const char *fl_ticket_state_name(enum fl_ticket_state st)
{
	return (unsigned)st < FL_TICKET__COUNT ? state_names[st] : "?";
}

const char *fl_transition_name(enum fl_transition tr)
{
	return (unsigned)tr < FL_TR__COUNT ? transition_names[tr] : "?";
}

const char *fl_ticket_clock_name(enum fl_ticket_clock c)
{
	return (unsigned)c < FL_TICKET_CLOCK__COUNT ? clock_names[c] : "?";
}

const char *fl_clock_state_name(enum fl_clock_state st)
{
	return (unsigned)st <= FL_CLOCK_ST_STOPPED ? clock_state_names[st] : "?";
}

const char *fl_outbox_state_name(enum fl_outbox_state st)
{
	return (unsigned)st <= FL_OUTBOX_EXPIRED ? outbox_names[st] : "?";
}

int fl_transition_parse(const char *name, enum fl_transition *out)
{
	for (unsigned i = 0; i < FL_TR__COUNT; i++)
		if (strcmp(name, transition_names[i]) == 0) {
			*out = (enum fl_transition)i;
			return 0;
		}
	return -EINVAL;
}

const char *store_state_token(enum fl_ticket_state st)
{
	return (unsigned)st < FL_TICKET__COUNT ? state_tokens[st] : "open";
}

int store_state_from_token(const char *tok, enum fl_ticket_state *out)
{
	for (unsigned i = 0; tok && i < FL_TICKET__COUNT; i++)
		if (strcmp(tok, state_tokens[i]) == 0) {
			*out = (enum fl_ticket_state)i;
			return 0;
		}
	return -EIO;
}

const char *store_clock_token(enum fl_ticket_clock c)
{
	return fl_ticket_clock_name(c);
}

const char *store_clock_state_token(enum fl_clock_state st)
{
	return fl_clock_state_name(st);
}

enum fl_clock_state store_clock_state_from_token(const char *tok)
{
	for (unsigned i = 0; tok && i <= FL_CLOCK_ST_STOPPED; i++)
		if (strcmp(tok, clock_state_names[i]) == 0)
			return (enum fl_clock_state)i;
	return FL_CLOCK_ST_NONE;
}

const char *store_outbox_token(enum fl_outbox_state st)
{
	return fl_outbox_state_name(st);
}

/* --- statements ----------------------------------------------------------- */
int store_rc(struct fl_store *s, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	default:
		break;
	}
	if (!s->err[0])
		snprintf(s->err, sizeof(s->err), "%s", sqlite3_errstr(rc));
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY
		               ? -EEXIST
		               : -EINVAL;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_FULL: /* the disk, or the file's max_page_count */
		return -ENOSPC;
	default:
		return -EIO;
	}
}

int store_prepare(struct fl_store *s, const char *sql, struct store_stmt **out)
{
	return s->ops->prepare(s, sql, out);
}

struct store_stmt *store_stmt(struct fl_store *s, const char *sql)
{
	size_t free_slot = STORE_STMT_CACHE;
	struct store_stmt *st;
	int rc;

	for (size_t i = 0; i < STORE_STMT_CACHE; i++) {
		if (s->cache[i].sql == sql) {
			sst_reset(s->cache[i].st);
			s->ops->clear(s->cache[i].st);
			return s->cache[i].st;
		}
		if (!s->cache[i].sql && free_slot == STORE_STMT_CACHE)
			free_slot = i;
	}
	rc = s->ops->prepare(s, sql, &st);
	if (rc != SQLITE_OK) {
		store_rc(s, rc);
		return NULL;
	}
	if (FL_NEVER(free_slot == STORE_STMT_CACHE)) { /* more statements than slots */
		sst_finalize(s->cache[0].st);
		free_slot = 0;
	}
	s->cache[free_slot].sql = sql;
	s->cache[free_slot].st = st;
	return st;
}

int store_exec(struct fl_store *s, const char *sql)
{
	return store_rc(s, s->ops->exec(s, sql));
}

void store_exec_quiet(struct fl_store *s, const char *sql)
{
	char keep[STORE_ERR_MAX];

	memcpy(keep, s->err, sizeof(keep)); /* the first error is the one to tell */
	(void)s->ops->exec(s, sql);
	memcpy(s->err, keep, sizeof(keep));
}

int64_t store_changes(struct fl_store *s)
{
	return s->ops->changes(s);
}

void store_bind_text(struct store_stmt *st, int i, const char *v)
{
	st->ops->bind_text(st, i, v);
}

const char *store_col_text(struct store_stmt *st, int i)
{
	return st->ops->col_text(st, i);
}

/* Runs a statement that returns no rows to the end. */
int store_step_done(struct fl_store *s, struct store_stmt *st)
{
	int rc = sst_step(st);

	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_reset(st);
	return rc;
}

/* Runs an UPDATE on one ticket: -ENOENT if it changed no row. */
int store_update_one(struct fl_store *s, struct store_stmt *st)
{
	int rc = store_step_done(s, st);

	if (rc == 0 && store_changes(s) == 0)
		rc = -ENOENT;
	return rc;
}

/* The single integer a query returns, or fallback (no row, NULL, error). */
int64_t store_single_int(struct fl_store *s, const char *sql, int64_t fallback)
{
	struct store_stmt *st = store_stmt(s, sql);
	int64_t v = fallback;

	if (st && sst_step(st) == SQLITE_ROW && !sst_col_is_null(st, 0))
		v = sst_col_int64(st, 0);
	if (st)
		sst_reset(st);
	return v;
}

/* --- transactions ----------------------------------------------------------
 * enter/leave bracket every write. Outside fl_store_begin() they are a
 * transaction of their own (BEGIN IMMEDIATE: take the write lock up front, so
 * a busy database fails at the start, never half way; on PostgreSQL the
 * backend takes the store's writer lock, store_pg.c). Inside, a failure
 * rolls the whole transaction back and poisons it. */
int store_write_begin(struct fl_store *s)
{
	int rc = store_exec(s, "BEGIN IMMEDIATE");

	if (rc == 0 && s->fence_epoch) {
		rc = store_fence_check(s);
		if (rc < 0)
			store_exec_quiet(s, "ROLLBACK");
	}
	return rc;
}

int store_txn_enter(struct fl_store *s)
{
	if (s->in_txn)
		return s->txn_err ? -ECANCELED : 0;
	return store_write_begin(s);
}

int store_txn_enter_rows(struct fl_store *s)
{
	if (s->in_txn)
		return s->txn_err ? -ECANCELED : 0;
	return store_exec(s, s->ops->begin_rows_sql);
}

int store_txn_leave(struct fl_store *s, int rc)
{
	if (s->in_txn) {
		if (rc < 0 && !s->txn_err) {
			s->txn_err = rc;
			store_exec_quiet(s, "ROLLBACK");
		}
		return rc;
	}
	if (rc == 0) {
		rc = store_exec(s, "COMMIT");
		if (rc == 0)
			return 0;
	}
	store_exec_quiet(s, "ROLLBACK");
	return rc;
}

int fl_store_begin(struct fl_store *s)
{
	int rc;

	if (s->in_txn)
		return -EINVAL;
	rc = store_write_begin(s);
	if (rc < 0)
		return rc;
	s->in_txn = true;
	s->txn_err = 0;
	return 0;
}

int fl_store_commit(struct fl_store *s)
{
	int rc;

	if (!s->in_txn)
		return -EINVAL;
	s->in_txn = false;
	rc = s->txn_err;
	s->txn_err = 0;
	if (rc < 0)
		return rc; /* rolled back when it failed */
	rc = store_exec(s, "COMMIT");
	if (rc < 0)
		store_exec_quiet(s, "ROLLBACK");
	return rc;
}

void fl_store_rollback(struct fl_store *s)
{
	if (!s->in_txn)
		return;
	if (!s->txn_err)
		store_exec_quiet(s, "ROLLBACK");
	s->in_txn = false;
	s->txn_err = 0;
}
