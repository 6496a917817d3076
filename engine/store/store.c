#include "engine/store/store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/lib/json.h"
#include "engine/lib/limits.h"
#include "engine/notify/plugin.h"
#include "engine/store/store_int.h"

#define NS_PER_MS 1000000LL

/* --- schema ---------------------------------------------------------------
 * Each migration takes the file from version i to i + 1; they run in order in
 * one transaction on open. Never edit a shipped migration: add one. */
static const char *const migrations[] = {
	/* 1: tickets, clocks, history, escalation steps, the outbox */
	"CREATE TABLE schema_version(version INTEGER NOT NULL, applied_ns INTEGER NOT NULL);"
	"CREATE TABLE tickets(id TEXT PRIMARY KEY, rule TEXT, key TEXT, level TEXT NOT NULL,"
	" title TEXT, state TEXT NOT NULL, device TEXT, site TEXT, span TEXT, ring TEXT,"
	" county TEXT, city TEXT, loc_class TEXT, circuits TEXT, customers TEXT,"
	" planned INTEGER NOT NULL DEFAULT 0, unprotected INTEGER NOT NULL DEFAULT 0,"
	" alarms INTEGER NOT NULL DEFAULT 1, opened_ns INTEGER NOT NULL,"
	" updated_ns INTEGER NOT NULL, cleared_ns INTEGER, acked_ns INTEGER,"
	" dispatched_ns INTEGER, onsite_ns INTEGER, restored_ns INTEGER,"
	" resolved_ns INTEGER, closed_ns INTEGER);"
	"CREATE INDEX tickets_opened ON tickets(opened_ns);"
	"CREATE TABLE clocks(ticket TEXT NOT NULL REFERENCES tickets(id), clock TEXT NOT NULL,"
	" state TEXT NOT NULL, budget_ms INTEGER NOT NULL, deadline_ns INTEGER NOT NULL,"
	" paused_at_ns INTEGER, paused_ms INTEGER NOT NULL DEFAULT 0,"
	" pauses INTEGER NOT NULL DEFAULT 0, met_ns INTEGER,"
	" PRIMARY KEY(ticket, clock)) WITHOUT ROWID;"
	"CREATE INDEX clocks_due ON clocks(state, deadline_ns);"
	"CREATE TABLE history(id INTEGER PRIMARY KEY, ticket TEXT NOT NULL REFERENCES tickets(id),"
	" at_ns INTEGER NOT NULL, what TEXT NOT NULL, by TEXT, note TEXT);"
	"CREATE INDEX history_ticket ON history(ticket, id);"
	"CREATE TABLE steps(ticket TEXT NOT NULL REFERENCES tickets(id), step INTEGER NOT NULL,"
	" at_ns INTEGER NOT NULL, PRIMARY KEY(ticket, step)) WITHOUT ROWID;"
	"CREATE TABLE outbox(id INTEGER PRIMARY KEY, ticket TEXT NOT NULL REFERENCES tickets(id),"
	" key TEXT NOT NULL UNIQUE, channel TEXT NOT NULL, role TEXT, person TEXT,"
	" address TEXT NOT NULL, subject TEXT, body TEXT, incident_json TEXT NOT NULL,"
	" state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	" created_ns INTEGER NOT NULL, due_ns INTEGER NOT NULL, expires_ns INTEGER NOT NULL,"
	" done_ns INTEGER, last_result TEXT, last_error TEXT);"
	"CREATE INDEX outbox_due ON outbox(state, due_ns);"
	"CREATE INDEX outbox_ticket ON outbox(ticket);"
	"CREATE TABLE attempts(id INTEGER PRIMARY KEY, outbox INTEGER NOT NULL"
	" REFERENCES outbox(id), at_ns INTEGER NOT NULL, result TEXT NOT NULL, reason TEXT);",
	/* 2: maintenance windows announced ahead */
	"CREATE TABLE maintenance(id INTEGER PRIMARY KEY, scope TEXT NOT NULL,"
	" target TEXT NOT NULL, from_ns INTEGER NOT NULL, to_ns INTEGER NOT NULL,"
	" recur TEXT NOT NULL DEFAULT 'none', reason TEXT, by TEXT, created_ns INTEGER NOT NULL);"
	"CREATE INDEX maintenance_target ON maintenance(target, scope);",
	/* 3: a new incident finds the open ticket of its fault by index */
	"CREATE INDEX tickets_fault ON tickets(rule, key);"
	"CREATE INDEX tickets_placed ON tickets(level, span, device, site)"
	" WHERE rule IS NULL OR key IS NULL;",
};
_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == FL_STORE_SCHEMA_VERSION,
               "one migration per schema version");

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
static const enum fl_ticket_state transition_to[] = {
#define X(name, text, to) FL_TICKET_##to,
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

/* The lifecycle: from which states each transition is allowed (bit per state). */
#define BIT(st) (1u << FL_TICKET_##st)
static const unsigned transition_from[FL_TR__COUNT] = {
	[FL_TR_ACK] = BIT(OPEN),
	[FL_TR_DISPATCH] = BIT(ACKNOWLEDGED),
	[FL_TR_ONSITE] = BIT(DISPATCHED),
	[FL_TR_RESTORE] = BIT(ACKNOWLEDGED) | BIT(DISPATCHED) | BIT(ONSITE),
	[FL_TR_RESOLVE] = BIT(RESTORED),
	[FL_TR_CLOSE] = BIT(RESOLVED),
};
/* The clock each transition meets, or -1; and the column it stamps. */
static const int transition_clock[FL_TR__COUNT] = {
	[FL_TR_ACK] = FL_TICKET_CLOCK_RESPOND, [FL_TR_DISPATCH] = -1,       [FL_TR_ONSITE] = FL_TICKET_CLOCK_ONSITE,
	[FL_TR_RESTORE] = FL_TICKET_CLOCK_REPAIR, [FL_TR_RESOLVE] = -1,     [FL_TR_CLOSE] = -1,
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

bool fl_store_transition_allowed(enum fl_transition tr, enum fl_ticket_state from)
{
	if ((unsigned)tr >= FL_TR__COUNT || (unsigned)from >= FL_TICKET__COUNT)
		return false;
	return (transition_from[tr] >> from) & 1u;
}

/* --- SQLite helpers ------------------------------------------------------- */
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
	snprintf(s->err, sizeof(s->err), "%s", sqlite3_errmsg(s->db));
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
	default:
		return -EIO;
	}
}

sqlite3_stmt *store_stmt(struct fl_store *s, const char *sql)
{
	size_t free_slot = STORE_STMT_CACHE;
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; i < STORE_STMT_CACHE; i++) {
		if (s->cache[i].sql == sql) {
			sqlite3_reset(s->cache[i].st);
			sqlite3_clear_bindings(s->cache[i].st);
			return s->cache[i].st;
		}
		if (!s->cache[i].sql && free_slot == STORE_STMT_CACHE)
			free_slot = i;
	}
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		store_rc(s, rc);
		return NULL;
	}
	if (FL_NEVER(free_slot == STORE_STMT_CACHE)) { /* more statements than slots */
		sqlite3_finalize(s->cache[0].st);
		free_slot = 0;
	}
	s->cache[free_slot].sql = sql;
	s->cache[free_slot].st = st;
	return st;
}

int store_exec(struct fl_store *s, const char *sql)
{
	return store_rc(s, sqlite3_exec(s->db, sql, NULL, NULL, NULL));
}

void store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

const char *store_col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Runs a statement that returns no rows to the end. */
static int step_done(struct fl_store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sqlite3_reset(st);
	return rc;
}

/* --- transactions ----------------------------------------------------------
 * enter/leave bracket every write. Outside fl_store_begin() they are a
 * transaction of their own (BEGIN IMMEDIATE: take the write lock up front, so
 * a busy database fails at the start, never half way). Inside, a failure
 * rolls the whole transaction back and poisons it. */
static int txn_enter(struct fl_store *s)
{
	if (s->in_txn)
		return s->txn_err ? -ECANCELED : 0;
	return store_exec(s, "BEGIN IMMEDIATE");
}

static int txn_leave(struct fl_store *s, int rc)
{
	if (s->in_txn) {
		if (rc < 0 && !s->txn_err) {
			s->txn_err = rc;
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		}
		return rc;
	}
	if (rc == 0) {
		rc = store_exec(s, "COMMIT");
		if (rc == 0)
			return 0;
	}
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int fl_store_begin(struct fl_store *s)
{
	int rc;

	if (s->in_txn)
		return -EINVAL;
	rc = store_exec(s, "BEGIN IMMEDIATE");
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
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

void fl_store_rollback(struct fl_store *s)
{
	if (!s->in_txn)
		return;
	if (!s->txn_err)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_txn = false;
	s->txn_err = 0;
}

/* --- lifecycle ------------------------------------------------------------ */
static int schema_version(struct fl_store *s, int *out)
{
	sqlite3_stmt *st;
	int rc, v = 0;

	rc = sqlite3_prepare_v2(s->db,
	                        "SELECT count(*) FROM sqlite_master WHERE type='table'"
	                        " AND name='schema_version'",
	                        -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_rc(s, rc);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 0) {
		sqlite3_finalize(st);
		*out = 0;
		return 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_rc(s, rc);
	rc = sqlite3_prepare_v2(s->db, "SELECT coalesce(max(version), 0) FROM schema_version", -1,
	                        &st, NULL);
	if (rc != SQLITE_OK)
		return store_rc(s, rc);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_rc(s, rc);
	*out = v;
	return 0;
}

static int migrate(struct fl_store *s, int64_t now_ns)
{
	int rc, v = 0;

	rc = store_exec(s, "BEGIN IMMEDIATE");
	if (rc < 0)
		return rc;
	rc = schema_version(s, &v);
	if (rc < 0)
		goto out_rollback;
	s->version_at_open = v;
	if (v > FL_STORE_SCHEMA_VERSION) {
		snprintf(s->err, sizeof(s->err), "schema version %d is newer than this faultline (%d)",
		         v, FL_STORE_SCHEMA_VERSION);
		rc = -EPROTO;
		goto out_rollback;
	}
	for (; v < FL_STORE_SCHEMA_VERSION; v++) {
		char sql[96];

		rc = store_exec(s, migrations[v]);
		if (rc < 0)
			goto out_rollback;
		snprintf(sql, sizeof(sql), "INSERT INTO schema_version VALUES(%d, %lld)", v + 1,
		         (long long)now_ns);
		rc = store_exec(s, sql);
		if (rc < 0)
			goto out_rollback;
	}
	return store_exec(s, "COMMIT");

out_rollback:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int fl_store_open(struct fl_store **out, const char *path, char *err, size_t err_len)
{
	struct fl_store *s;
	int rc;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		rc = s->db ? store_rc(s, rc) : -ENOMEM;
		goto out_close;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, FL_STORE_BUSY_TIMEOUT_MS);
	/* WAL: readers (tickets list) never block the writer (the engine).
	 * synchronous=NORMAL in WAL keeps every commit atomic and durable
	 * against a process kill; only an OS crash may lose the last commits. */
	rc = store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	                   " PRAGMA foreign_keys=ON;");
	if (rc < 0)
		goto out_close;
	rc = migrate(s, wall_ns());
	if (rc < 0)
		goto out_close;
	*out = s;
	return 0;

out_close:
	if (err && err_len)
		snprintf(err, err_len, "%s: %s", path, s->err[0] ? s->err : "cannot open");
	fl_store_close(s);
	return rc;
}

void fl_store_close(struct fl_store *s)
{
	if (!s)
		return;
	fl_store_rollback(s);
	for (size_t i = 0; i < STORE_STMT_CACHE; i++)
		if (s->cache[i].st)
			sqlite3_finalize(s->cache[i].st);
	sqlite3_close(s->db);
	free(s);
}

const char *fl_store_errmsg(const struct fl_store *s)
{
	return s->err;
}

int fl_store_version_at_open(const struct fl_store *s)
{
	return s->version_at_open;
}

/* --- operations ------------------------------------------------------------ */
static int history_add(struct fl_store *s, const char *id, int64_t at_ns, const char *what,
                       const char *by, const char *note)
{
	sqlite3_stmt *st = store_stmt(s, "INSERT INTO history(ticket, at_ns, what, by, note)"
	                                 " VALUES(?1, ?2, ?3, ?4, ?5)");

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, at_ns);
	store_bind_text(st, 3, what);
	store_bind_text(st, 4, by);
	store_bind_text(st, 5, note);
	return step_done(s, st);
}

static int clock_insert(struct fl_store *s, const char *id, enum fl_ticket_clock c, int64_t budget_ms,
                        int64_t opened_ns)
{
	sqlite3_stmt *st;

	if (budget_ms < 0)
		return 0;
	st = store_stmt(s, "INSERT INTO clocks(ticket, clock, state, budget_ms, deadline_ns)"
	                   " VALUES(?1, ?2, 'running', ?3, ?4)");
	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, store_clock_token(c));
	sqlite3_bind_int64(st, 3, budget_ms);
	sqlite3_bind_int64(st, 4, opened_ns + budget_ms * NS_PER_MS);
	return step_done(s, st);
}

static int ticket_insert(struct fl_store *s, const struct fl_ticket_new *t)
{
	sqlite3_stmt *st = store_stmt(
		s, "INSERT INTO tickets(id, rule, key, level, title, state, device, site, span,"
		   " ring, county, city, loc_class, circuits, customers, planned, unprotected,"
		   " opened_ns, updated_ns) VALUES(?1, ?2, ?3, ?4, ?5, 'open', ?6, ?7, ?8, ?9,"
		   " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17)");

	if (!st)
		return -EIO;
	store_bind_text(st, 1, t->id);
	store_bind_text(st, 2, t->rule);
	store_bind_text(st, 3, t->key);
	store_bind_text(st, 4, t->level);
	store_bind_text(st, 5, t->title);
	store_bind_text(st, 6, t->loc.device);
	store_bind_text(st, 7, t->loc.site);
	store_bind_text(st, 8, t->loc.span);
	store_bind_text(st, 9, t->loc.ring);
	store_bind_text(st, 10, t->loc.county);
	store_bind_text(st, 11, t->loc.city);
	store_bind_text(st, 12, t->loc.loc_class);
	store_bind_text(st, 13, t->circuits);
	store_bind_text(st, 14, t->customers);
	sqlite3_bind_int(st, 15, t->is_planned);
	sqlite3_bind_int(st, 16, t->is_unprotected);
	sqlite3_bind_int64(st, 17, t->opened_ns);
	return step_done(s, st);
}

int fl_store_incident_open(struct fl_store *s, const struct fl_ticket_new *t)
{
	int rc;

	if (!t->id || !t->id[0] || strlen(t->id) > FL_STORE_ID_MAX || !t->level || !t->level[0])
		return -EINVAL;
	rc = txn_enter(s);
	if (rc < 0)
		return rc;
	rc = ticket_insert(s, t);
	if (rc == 0)
		rc = clock_insert(s, t->id, FL_TICKET_CLOCK_RESPOND, t->respond_ms, t->opened_ns);
	if (rc == 0)
		rc = clock_insert(s, t->id, FL_TICKET_CLOCK_ONSITE, t->onsite_ms, t->opened_ns);
	if (rc == 0)
		rc = clock_insert(s, t->id, FL_TICKET_CLOCK_REPAIR, t->repair_ms, t->opened_ns);
	if (rc == 0)
		rc = history_add(s, t->id, t->opened_ns, t->is_planned ? "opened (planned)" : "opened",
		                 "faultline", t->title);
	return txn_leave(s, rc);
}

/* Runs an UPDATE on one ticket: -ENOENT if it changed no row. */
static int update_one(struct fl_store *s, sqlite3_stmt *st)
{
	int rc = step_done(s, st);

	if (rc == 0 && sqlite3_changes(s->db) == 0)
		rc = -ENOENT;
	return rc;
}

int fl_store_incident_update(struct fl_store *s, const char *id, const char *level,
                             const char *title, int is_unprotected, const char *note,
                             int64_t now_ns)
{
	sqlite3_stmt *st;
	char what[160];
	int rc;

	rc = txn_enter(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE tickets SET level = coalesce(?2, level),"
	                   " title = coalesce(?3, title), unprotected = coalesce(?4, unprotected),"
	                   " updated_ns = ?5 WHERE id = ?1");
	if (!st)
		return txn_leave(s, -EIO);
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, level);
	store_bind_text(st, 3, title);
	if (is_unprotected >= 0)
		sqlite3_bind_int(st, 4, is_unprotected > 0);
	sqlite3_bind_int64(st, 5, now_ns);
	rc = update_one(s, st);
	snprintf(what, sizeof(what), "updated%s%s%s", level ? ": level " : "", level ? level : "",
	         is_unprotected > 0 ? ", ring unprotected" : "");
	if (rc == 0)
		rc = history_add(s, id, now_ns, what, "faultline", note ? note : title);
	return txn_leave(s, rc);
}

int fl_store_incident_absorb(struct fl_store *s, const char *id, uint32_t n, const char *sample,
                             int64_t now_ns)
{
	sqlite3_stmt *st;
	char what[64];
	int rc;

	rc = txn_enter(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE tickets SET alarms = alarms + ?2, updated_ns = ?3 WHERE id = ?1");
	if (!st)
		return txn_leave(s, -EIO);
	store_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, n);
	sqlite3_bind_int64(st, 3, now_ns);
	rc = update_one(s, st);
	snprintf(what, sizeof(what), "absorbed %u", n);
	if (rc == 0 && sample)
		rc = history_add(s, id, now_ns, what, "faultline", sample);
	return txn_leave(s, rc);
}

int fl_store_incident_clear(struct fl_store *s, const char *id, const char *note, int64_t now_ns)
{
	sqlite3_stmt *st;
	int rc;

	rc = txn_enter(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE tickets SET cleared_ns = ?2, updated_ns = ?2 WHERE id = ?1");
	if (!st)
		return txn_leave(s, -EIO);
	store_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, now_ns);
	rc = update_one(s, st);
	if (rc == 0)
		rc = history_add(s, id, now_ns, "alarm cleared", "faultline", note);
	return txn_leave(s, rc);
}

int fl_store_note(struct fl_store *s, const char *id, const char *what, const char *by,
                  const char *note, int64_t now_ns)
{
	int rc;

	if (!id || !what || !what[0])
		return -EINVAL;
	rc = txn_enter(s);
	if (rc < 0)
		return rc;
	rc = history_add(s, id, now_ns, what, by ? by : "faultline", note);
	if (rc == -EINVAL) /* foreign key: no such ticket */
		rc = -ENOENT;
	return txn_leave(s, rc);
}

static int ticket_state(struct fl_store *s, const char *id, enum fl_ticket_state *out)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT state FROM tickets WHERE id = ?1");
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = store_state_from_token(store_col_text(st, 0), out);
	else
		rc = rc == SQLITE_DONE ? -ENOENT : store_rc(s, rc);
	sqlite3_reset(st);
	return rc;
}

int fl_store_clock_get(struct fl_store *s, const char *id, enum fl_ticket_clock c,
                       struct fl_clock_info *out)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT state, budget_ms, deadline_ns, met_ns, paused_ms,"
	                                 " pauses FROM clocks WHERE ticket = ?1 AND clock = ?2");
	struct fl_clock_info ci = {0};
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, store_clock_token(c));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		ci.state = store_clock_state_from_token(store_col_text(st, 0));
		ci.budget_ms = sqlite3_column_int64(st, 1);
		ci.deadline_ns = sqlite3_column_int64(st, 2);
		ci.met_ns = sqlite3_column_int64(st, 3);
		ci.paused_ms = sqlite3_column_int64(st, 4);
		ci.pauses = (uint32_t)sqlite3_column_int64(st, 5);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		ci.state = FL_CLOCK_ST_NONE; /* the level sets no such clock */
		rc = 0;
	} else {
		rc = store_rc(s, rc);
	}
	sqlite3_reset(st);
	if (rc == 0)
		*out = ci;
	return rc;
}

/* Ends a pause: the deadline moves by its length. */
static int clock_unpause(struct fl_store *s, const char *id, enum fl_ticket_clock c, int64_t now_ns)
{
	sqlite3_stmt *st = store_stmt(
		s, "UPDATE clocks SET state = 'running',"
		   " deadline_ns = deadline_ns + (?3 - paused_at_ns),"
		   " paused_ms = paused_ms + (?3 - paused_at_ns) / 1000000, paused_at_ns = NULL"
		   " WHERE ticket = ?1 AND clock = ?2 AND state = 'paused'");

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, store_clock_token(c));
	sqlite3_bind_int64(st, 3, now_ns);
	return step_done(s, st);
}

/* The transition's clock: met if now is not past the deadline. */
static int clock_settle(struct fl_store *s, const char *id, enum fl_ticket_clock c, int64_t now_ns)
{
	sqlite3_stmt *st;
	int rc = clock_unpause(s, id, c, now_ns);

	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE clocks SET state = CASE WHEN ?3 <= deadline_ns THEN 'met'"
	                   " ELSE 'missed' END, met_ns = ?3"
	                   " WHERE ticket = ?1 AND clock = ?2 AND state = 'running'");
	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, store_clock_token(c));
	sqlite3_bind_int64(st, 3, now_ns);
	return step_done(s, st);
}

/* restore: the respond and on-site clocks still running no longer matter. */
static int clocks_stop_rest(struct fl_store *s, const char *id, int64_t now_ns)
{
	sqlite3_stmt *st = store_stmt(
		s, "UPDATE clocks SET state = 'stopped', met_ns = ?2,"
		   " paused_ms = paused_ms + CASE WHEN state = 'paused'"
		   " THEN (?2 - paused_at_ns) / 1000000 ELSE 0 END, paused_at_ns = NULL"
		   " WHERE ticket = ?1 AND state IN ('running', 'paused')");

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, now_ns);
	return step_done(s, st);
}

static void allowed_from_text(enum fl_transition tr, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < FL_TICKET__COUNT; i++) {
		if (!fl_store_transition_allowed(tr, (enum fl_ticket_state)i))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? " or " : "",
		                 state_names[i]);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}

static const char *const stamp_sql[FL_TR__COUNT] = {
	[FL_TR_ACK] = "UPDATE tickets SET state = ?2, acked_ns = ?3, updated_ns = ?3 WHERE id = ?1",
	[FL_TR_DISPATCH] = "UPDATE tickets SET state = ?2, dispatched_ns = ?3, updated_ns = ?3"
	                   " WHERE id = ?1",
	[FL_TR_ONSITE] = "UPDATE tickets SET state = ?2, onsite_ns = ?3, updated_ns = ?3"
	                 " WHERE id = ?1",
	[FL_TR_RESTORE] = "UPDATE tickets SET state = ?2, restored_ns = ?3, updated_ns = ?3"
	                  " WHERE id = ?1",
	[FL_TR_RESOLVE] = "UPDATE tickets SET state = ?2, resolved_ns = ?3, updated_ns = ?3"
	                  " WHERE id = ?1",
	[FL_TR_CLOSE] = "UPDATE tickets SET state = ?2, closed_ns = ?3, updated_ns = ?3"
	                " WHERE id = ?1",
};

int fl_store_transition(struct fl_store *s, const char *id, enum fl_transition tr,
                        const char *by, const char *note, int64_t now_ns, char *msg,
                        size_t msg_len)
{
	enum fl_ticket_state from, to;
	sqlite3_stmt *st;
	char what[96];
	int rc;

	if ((unsigned)tr >= FL_TR__COUNT || !by || !by[0] || !id)
		return -EINVAL;
	to = transition_to[tr];
	rc = txn_enter(s);
	if (rc < 0)
		return rc;
	rc = ticket_state(s, id, &from);
	if (rc == -ENOENT && msg && msg_len)
		snprintf(msg, msg_len, "no ticket %s", id);
	if (rc == 0 && !fl_store_transition_allowed(tr, from)) {
		char allowed[128];

		allowed_from_text(tr, allowed, sizeof(allowed));
		if (msg && msg_len)
			snprintf(msg, msg_len, "cannot %s %s: it is %s; %s needs %s",
			         transition_names[tr], id, state_names[from], transition_names[tr],
			         allowed);
		rc = -EPERM;
	}
	if (rc < 0)
		return txn_leave(s, rc);
	st = store_stmt(s, stamp_sql[tr]);
	if (!st)
		return txn_leave(s, -EIO);
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, store_state_token(to));
	sqlite3_bind_int64(st, 3, now_ns);
	rc = update_one(s, st);
	if (rc == 0 && transition_clock[tr] >= 0)
		rc = clock_settle(s, id, (enum fl_ticket_clock)transition_clock[tr], now_ns);
	if (rc == 0 && tr == FL_TR_RESTORE)
		rc = clocks_stop_rest(s, id, now_ns);
	snprintf(what, sizeof(what), "%s -> %s", state_names[from], state_names[to]);
	if (rc == 0)
		rc = history_add(s, id, now_ns, what, by, note);
	return txn_leave(s, rc);
}

int fl_store_clock_pause(struct fl_store *s, const char *id, enum fl_ticket_clock c, const char *reason,
                         const char *by, int64_t now_ns)
{
	sqlite3_stmt *st;
	char what[64];
	int rc;

	if ((unsigned)c >= FL_TICKET_CLOCK__COUNT || !reason || !reason[0])
		return -EINVAL;
	rc = txn_enter(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE clocks SET state = 'paused', paused_at_ns = ?3,"
	                   " pauses = pauses + 1 WHERE ticket = ?1 AND clock = ?2"
	                   " AND state = 'running'");
	if (!st)
		return txn_leave(s, -EIO);
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, store_clock_token(c));
	sqlite3_bind_int64(st, 3, now_ns);
	rc = step_done(s, st);
	if (rc == 0 && sqlite3_changes(s->db) == 0)
		rc = -EPERM;
	snprintf(what, sizeof(what), "%s clock paused", clock_names[c]);
	if (rc == 0)
		rc = history_add(s, id, now_ns, what, by ? by : "faultline", reason);
	return txn_leave(s, rc);
}

int fl_store_clock_resume(struct fl_store *s, const char *id, enum fl_ticket_clock c, const char *by,
                          int64_t now_ns)
{
	char what[64];
	int rc;

	if ((unsigned)c >= FL_TICKET_CLOCK__COUNT)
		return -EINVAL;
	rc = txn_enter(s);
	if (rc < 0)
		return rc;
	rc = clock_unpause(s, id, c, now_ns);
	if (rc == 0 && sqlite3_changes(s->db) == 0)
		rc = -EPERM;
	snprintf(what, sizeof(what), "%s clock resumed", clock_names[c]);
	if (rc == 0)
		rc = history_add(s, id, now_ns, what, by ? by : "faultline", NULL);
	return txn_leave(s, rc);
}

/* 0 when the ticket is planned, -EPERM when not, -ENOENT when none. */
static int ticket_planned(struct fl_store *s, const char *id)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT planned FROM tickets WHERE id = ?1");
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = sqlite3_column_int(st, 0) ? 0 : -EPERM;
	else
		rc = rc == SQLITE_DONE ? -ENOENT : store_rc(s, rc);
	sqlite3_reset(st);
	return rc;
}

/* Was clock c last paused for a maintenance window? 1 yes, 0 no (paused by
 * a person for a reason of theirs, or never), or the store's error. */
static int paused_for_window(struct fl_store *s, const char *id, enum fl_ticket_clock c)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT note FROM history WHERE ticket = ?1 AND what = ?2"
	                                 " ORDER BY id DESC LIMIT 1");
	char what[64];
	int rc;

	if (!st)
		return -EIO;
	snprintf(what, sizeof(what), "%s clock paused", clock_names[c]);
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, what);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *note = sqlite3_column_text(st, 0);

		rc = note && strcmp((const char *)note, FL_STORE_PAUSE_WINDOW) == 0;
	} else {
		rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	}
	sqlite3_reset(st);
	return rc;
}

int fl_store_incident_unplan(struct fl_store *s, const char *id, const char *what,
                             int64_t now_ns)
{
	sqlite3_stmt *st;
	int rc;

	if (!what || !what[0])
		return -EINVAL;
	/* asked first: a ticket not planned is the caller's mistake, and must
	 * not roll back the caller's transaction */
	rc = ticket_planned(s, id);
	if (rc < 0)
		return rc;
	rc = txn_enter(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE tickets SET planned = 0, updated_ns = ?2 WHERE id = ?1");
	if (!st)
		return txn_leave(s, -EIO);
	store_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, now_ns);
	rc = update_one(s, st);
	if (rc == 0)
		rc = history_add(s, id, now_ns, what, "faultline", NULL);
	for (unsigned c = 0; rc == 0 && c < FL_TICKET_CLOCK__COUNT; c++) {
		char resumed[64];

		/* a clock someone paused for a reason of their own (no site
		 * access) stays paused until they resume it */
		rc = paused_for_window(s, id, (enum fl_ticket_clock)c);
		if (rc <= 0)
			continue;
		rc = clock_unpause(s, id, (enum fl_ticket_clock)c, now_ns);
		if (rc < 0 || sqlite3_changes(s->db) == 0)
			continue;
		snprintf(resumed, sizeof(resumed), "%s clock resumed", clock_names[c]);
		rc = history_add(s, id, now_ns, resumed, "faultline", "maintenance window ended");
	}
	return txn_leave(s, rc);
}

int fl_store_clocks_stop_paused(struct fl_store *s, const char *id, const char *note,
                                int64_t now_ns)
{
	sqlite3_stmt *st;
	int rc;

	rc = txn_enter(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE clocks SET state = 'stopped',"
	                   " paused_ms = paused_ms + (?2 - paused_at_ns) / 1000000,"
	                   " paused_at_ns = NULL WHERE ticket = ?1 AND state = 'paused'");
	if (!st)
		return txn_leave(s, -EIO);
	store_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, now_ns);
	rc = step_done(s, st);
	if (rc == 0 && sqlite3_changes(s->db) > 0)
		rc = history_add(s, id, now_ns, "clocks stopped", "faultline", note);
	return txn_leave(s, rc);
}

int fl_store_step_taken(struct fl_store *s, const char *id, uint32_t step_index, int64_t now_ns)
{
	sqlite3_stmt *st;
	char what[48];
	int rc;

	rc = txn_enter(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "INSERT INTO steps(ticket, step, at_ns) VALUES(?1, ?2, ?3)");
	if (!st)
		return txn_leave(s, -EIO);
	store_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, step_index);
	sqlite3_bind_int64(st, 3, now_ns);
	rc = step_done(s, st);
	if (rc == -EINVAL) /* foreign key: no such ticket */
		rc = -ENOENT;
	snprintf(what, sizeof(what), "escalation step %u", step_index);
	if (rc == 0)
		rc = history_add(s, id, now_ns, what, "faultline", NULL);
	return txn_leave(s, rc);
}

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
	sqlite3_stmt *st;
	char what[160];
	int64_t ttl_ms;
	int rc;

	if (!n->key || !fl_plugin_key_valid(n->key) || !n->channel || !n->channel[0] ||
	    !n->address || !n->address[0])
		return -EINVAL;
	ttl_ms = n->ttl_ms > 0 ? n->ttl_ms : FL_OUTBOX_TTL_MS_DEFAULT;
	rc = txn_enter(s);
	if (rc < 0)
		return rc;
	fl_buf_init(&doc, FL_STORE_JSON_MAX);
	if (!n->incident_json) {
		rc = notice_json(s, id, now_ns, &doc);
		if (rc < 0)
			goto out;
	}
	st = store_stmt(s, "INSERT INTO outbox(ticket, key, channel, role, person, address,"
	                   " subject, body, incident_json, state, created_ns, due_ns, expires_ns)"
	                   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?10, ?11)");
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
	sqlite3_bind_int64(st, 10, now_ns);
	sqlite3_bind_int64(st, 11, now_ns + ttl_ms * NS_PER_MS);
	rc = step_done(s, st);
	if (rc == -EINVAL) /* foreign key: no such ticket */
		rc = -ENOENT;
	snprintf(what, sizeof(what), "notified %s %s by %s", n->role ? n->role : "",
	         n->person ? n->person : n->address, n->channel);
	if (rc == 0)
		rc = history_add(s, id, now_ns, what, "faultline", n->key);
out:
	fl_buf_free(&doc);
	return txn_leave(s, rc);
}

/* --- queries ---------------------------------------------------------------- */
int fl_store_ticket_state(struct fl_store *s, const char *id, enum fl_ticket_state *out)
{
	return ticket_state(s, id, out);
}

int fl_store_steps_taken(struct fl_store *s, const char *id, uint32_t *steps, size_t max,
                         size_t *n)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT step FROM steps WHERE ticket = ?1 ORDER BY step");
	size_t count = 0;
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count < max)
			steps[count] = (uint32_t)sqlite3_column_int64(st, 0);
		count++;
	}
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sqlite3_reset(st);
	if (rc == 0)
		*n = count;
	return rc;
}

int fl_store_due_clocks(struct fl_store *s, int64_t now_ns, fl_store_due_fn *fn, void *ctx)
{
	sqlite3_stmt *st = store_stmt(
		s, "SELECT c.ticket, t.level, c.clock, t.state, c.deadline_ns FROM clocks c"
		   " JOIN tickets t ON t.id = c.ticket WHERE c.state = 'running'"
		   " AND c.deadline_ns <= ?1 AND t.state IN ('open', 'acknowledged',"
		   " 'dispatched', 'onsite') ORDER BY c.deadline_ns");
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, now_ns);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct fl_due_clock due = {
			.ticket = store_col_text(st, 0),
			.level = store_col_text(st, 1),
			.deadline_ns = sqlite3_column_int64(st, 4),
		};
		const char *clock = store_col_text(st, 2);

		for (unsigned i = 0; i < FL_TICKET_CLOCK__COUNT; i++)
			if (clock && strcmp(clock, clock_names[i]) == 0)
				due.clock = (enum fl_ticket_clock)i;
		if (store_state_from_token(store_col_text(st, 3), &due.state) < 0)
			continue;
		rc = fn(ctx, &due);
		if (rc != 0) {
			sqlite3_reset(st);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sqlite3_reset(st);
	return rc;
}

static int64_t single_int(struct fl_store *s, const char *sql, int64_t fallback)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int64_t v = fallback;

	if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	if (st)
		sqlite3_reset(st);
	return v;
}

int64_t fl_store_next_deadline(struct fl_store *s)
{
	return single_int(s,
	                  "SELECT min(deadline_ns) FROM clocks WHERE state = 'running'",
	                  INT64_MAX);
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

static char *dup_col(sqlite3_stmt *st, int i, bool *failed)
{
	const char *v = store_col_text(st, i);
	char *d = strdup(v ? v : "");

	if (!d)
		*failed = true;
	return d;
}

static int outbox_read(struct fl_store *s, int64_t now_ns, struct fl_outbox_row **out)
{
	sqlite3_stmt *st = store_stmt(
		s, "SELECT id, ticket, key, channel, person, address, subject, body, incident_json,"
		   " attempts, created_ns, expires_ns FROM outbox WHERE state = 'pending'"
		   " AND due_ns <= ?1 ORDER BY due_ns, id LIMIT 1");
	struct fl_outbox_row *r;
	bool failed = false;
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, now_ns);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? -ENOENT : store_rc(s, rc);
		sqlite3_reset(st);
		return rc;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		sqlite3_reset(st);
		return -ENOMEM;
	}
	r->id = sqlite3_column_int64(st, 0);
	r->ticket = dup_col(st, 1, &failed);
	r->key = dup_col(st, 2, &failed);
	r->channel = dup_col(st, 3, &failed);
	r->person = dup_col(st, 4, &failed);
	r->address = dup_col(st, 5, &failed);
	r->subject = dup_col(st, 6, &failed);
	r->body = dup_col(st, 7, &failed);
	r->incident_json = dup_col(st, 8, &failed);
	r->attempts = (uint32_t)sqlite3_column_int64(st, 9) + 1;
	r->created_ns = sqlite3_column_int64(st, 10);
	r->expires_ns = sqlite3_column_int64(st, 11);
	sqlite3_reset(st);
	if (failed) {
		fl_store_outbox_row_free(r);
		return -ENOMEM;
	}
	*out = r;
	return 0;
}

int fl_store_outbox_claim(struct fl_store *s, int64_t now_ns, struct fl_outbox_row **out)
{
	struct fl_outbox_row *r = NULL;
	sqlite3_stmt *st;
	int rc;

	rc = txn_enter(s);
	if (rc < 0)
		return rc;
	rc = outbox_read(s, now_ns, &r);
	if (rc < 0)
		return s->in_txn && rc == -ENOENT ? rc : txn_leave(s, rc);
	st = store_stmt(s, "UPDATE outbox SET state = 'sending', attempts = attempts + 1"
	                   " WHERE id = ?1");
	if (!st) {
		rc = -EIO;
	} else {
		sqlite3_bind_int64(st, 1, r->id);
		rc = step_done(s, st);
	}
	rc = txn_leave(s, rc);
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
	sqlite3_stmt *st;
	int rc;

	if (state == FL_OUTBOX_SENDING || (unsigned)state > FL_OUTBOX_EXPIRED || !result)
		return -EINVAL;
	rc = txn_enter(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE outbox SET state = ?2, due_ns = ?3, last_result = ?4,"
	                   " last_error = ?5, done_ns = CASE WHEN ?2 = 'pending' THEN NULL"
	                   " ELSE ?6 END WHERE id = ?1");
	if (!st)
		return txn_leave(s, -EIO);
	sqlite3_bind_int64(st, 1, row_id);
	store_bind_text(st, 2, store_outbox_token(state));
	sqlite3_bind_int64(st, 3, state == FL_OUTBOX_PENDING ? retry_ns : now_ns);
	store_bind_text(st, 4, result);
	store_bind_text(st, 5, reason);
	sqlite3_bind_int64(st, 6, now_ns);
	rc = update_one(s, st);
	if (rc == 0) {
		st = store_stmt(s, "INSERT INTO attempts(outbox, at_ns, result, reason)"
		                   " VALUES(?1, ?2, ?3, ?4)");
		if (!st)
			return txn_leave(s, -EIO);
		sqlite3_bind_int64(st, 1, row_id);
		sqlite3_bind_int64(st, 2, now_ns);
		store_bind_text(st, 3, result);
		store_bind_text(st, 4, reason);
		rc = step_done(s, st);
	}
	return txn_leave(s, rc);
}

int fl_store_outbox_recover(struct fl_store *s, int64_t now_ns, uint32_t *n)
{
	sqlite3_stmt *st;
	uint32_t changed = 0;
	int rc;

	rc = txn_enter(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE outbox SET state = 'pending', due_ns = ?1,"
	                   " last_result = 'interrupted' WHERE state = 'sending'");
	if (!st)
		return txn_leave(s, -EIO);
	sqlite3_bind_int64(st, 1, now_ns);
	rc = step_done(s, st);
	if (rc == 0)
		changed = (uint32_t)sqlite3_changes(s->db);
	rc = txn_leave(s, rc);
	if (rc == 0)
		*n = changed;
	return rc;
}

int fl_store_outbox_counts(struct fl_store *s, uint64_t counts[5])
{
	sqlite3_stmt *st = store_stmt(s, "SELECT state, count(*) FROM outbox GROUP BY state");
	uint64_t c[5] = {0};
	int rc;

	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *tok = store_col_text(st, 0);

		for (unsigned i = 0; tok && i <= FL_OUTBOX_EXPIRED; i++)
			if (strcmp(tok, outbox_names[i]) == 0)
				c[i] = (uint64_t)sqlite3_column_int64(st, 1);
	}
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sqlite3_reset(st);
	if (rc == 0)
		memcpy(counts, c, sizeof(c));
	return rc;
}

int64_t fl_store_outbox_next_due(struct fl_store *s)
{
	return single_int(s, "SELECT min(due_ns) FROM outbox WHERE state = 'pending'", INT64_MAX);
}
