/* store_int.h - what the store's files share: the connection, the
 * statement cache, the helpers around SQLite, transactions, and the pieces
 * of the write and read sides that more than one file uses. Not for other
 * modules.
 *
 * Who uses whom (one way, no cycles):
 *   store_db.c      the statement layer over the two backends below
 *   store_sqlite.c  the SQLite backend (a file)
 *   store_pg.c      the PostgreSQL backend (libpq), with store_pg_sql.c: the
 *                   few words of SQLite's dialect PostgreSQL spells otherwise
 *   store.c         names, tokens, statement cache, transactions
 *   store_schema.c  migrations, open and close
 *   store_ticket.c  tickets, clocks, history (the write side)
 *   store_doc.c     the ticket document; reads clocks through store_ticket.c
 *   store_outbox.c  the outbox; queues store_doc.c's document with a change
 *   store_query.c   the read side: lists, report, maintenance windows
 *   store_announce.c announcement records and their outbox rows
 *   store_lead.c    the lead of an active/standby pair and its fence
 *   store_directive.c dispatch directives, their branches and records */
#ifndef FL_STORE_INT_H
#define FL_STORE_INT_H
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/store/store.h"

struct fl_json;

#define NS_PER_MS 1000000LL
#define NS_PER_S 1000000000LL

#define STORE_STMT_CACHE 48
#define STORE_ERR_MAX 256

/* --- the backend layer ------------------------------------------------------
 * The store's SQL is written once, in SQLite's dialect with numbered
 * parameters (?1, ?2, ...), and runs on either backend through these few
 * calls. Result codes are SQLite's (SQLITE_OK, SQLITE_ROW, SQLITE_DONE,
 * SQLITE_CONSTRAINT_UNIQUE, SQLITE_BUSY, SQLITE_FULL, ...) on both: the
 * PostgreSQL backend maps its SQLSTATEs onto them, so every caller maps one
 * vocabulary to errno (store_rc()). A failing call leaves its message in
 * s->err. A statement belongs to its store and its thread. */
struct store_stmt;

struct store_db_ops {
	const char *name; /* "sqlite", "postgresql" */
	/* what a transaction that only takes row locks begins with: the outbox's
	 * claims need no lock on the whole store where rows can be locked */
	const char *begin_rows_sql;
	int (*prepare)(struct fl_store *s, const char *sql, struct store_stmt **out);
	int (*exec)(struct fl_store *s, const char *sql); /* statements without parameters */
	int64_t (*changes)(struct fl_store *s);           /* rows the last write changed */
	bool (*in_txn)(struct fl_store *s);
	int (*table_exists)(struct fl_store *s, const char *table, bool *out);
	void (*busy_timeout)(struct fl_store *s, int timeout_ms);
	void (*close)(struct fl_store *s);

	void (*finalize)(struct store_stmt *st);
	void (*reset)(struct store_stmt *st); /* to run again; keeps bindings */
	void (*clear)(struct store_stmt *st); /* every parameter back to NULL */
	void (*bind_int64)(struct store_stmt *st, int i, int64_t v);
	void (*bind_text)(struct store_stmt *st, int i, const char *v); /* copied; NULL: NULL */
	void (*bind_null)(struct store_stmt *st, int i); /* of the type its place gives it */
	int (*step)(struct store_stmt *st);
	bool (*col_is_null)(struct store_stmt *st, int i);
	int64_t (*col_int64)(struct store_stmt *st, int i);
	double (*col_double)(struct store_stmt *st, int i);
	const char *(*col_text)(struct store_stmt *st, int i); /* until the next step */
};

/* The PostgreSQL backend's writer lock: a transaction-level advisory lock
 * that BEGIN IMMEDIATE takes there ("flst", keyed with the schema's name:
 * stores in two schemas of one database do not wait on each other), so
 * writes to one store run one after the other, as on SQLite, and every
 * read-then-write in the store's code stays as correct as it is there. */
#define STORE_PG_WRITER_LOCK "1718383476"
/* The store's SQL as PostgreSQL needs it (store_pg_sql.c); malloc'd, NULL
 * when out of memory. n_params: the highest ?N. */
char *store_pg_sql(const char *sql, int *n_params);

/* Every backend's statement starts with this. */
struct store_stmt {
	const struct store_db_ops *ops;
	struct fl_store *s;
};

extern const struct store_db_ops store_sqlite_ops;
extern const struct store_db_ops store_pg_ops;

/* Open a connection into s (s->ops and its connection set); SQLite result
 * code, message in s->err. */
int store_sqlite_connect(struct fl_store *s, const char *path, bool may_create);
int store_pg_connect(struct fl_store *s, const char *url);

static inline int sst_step(struct store_stmt *st) { return st->ops->step(st); }
static inline void sst_reset(struct store_stmt *st) { st->ops->reset(st); }
static inline void sst_finalize(struct store_stmt *st)
{
	if (st)
		st->ops->finalize(st);
}
static inline void sst_bind_int64(struct store_stmt *st, int i, int64_t v)
{
	st->ops->bind_int64(st, i, v);
}
static inline void sst_bind_null(struct store_stmt *st, int i) { st->ops->bind_null(st, i); }
static inline bool sst_col_is_null(struct store_stmt *st, int i)
{
	return st->ops->col_is_null(st, i);
}
static inline int64_t sst_col_int64(struct store_stmt *st, int i)
{
	return st->ops->col_int64(st, i);
}
static inline int sst_col_int(struct store_stmt *st, int i)
{
	return (int)st->ops->col_int64(st, i);
}
static inline double sst_col_double(struct store_stmt *st, int i)
{
	return st->ops->col_double(st, i);
}

struct fl_store {
	const struct store_db_ops *ops;
	struct sqlite3 *db;  /* the SQLite backend's connection, or NULL */
	struct pg_conn *pg;  /* the PostgreSQL backend's (libpq's PGconn), or NULL */
	int64_t pg_changes;  /* rows the last PostgreSQL command changed */
	struct pg_prepared *pg_prepared; /* its prepared statements (store_pg.c) */
	int64_t fence_epoch; /* fl_store_fence(): every write checks it; 0 none */
	bool in_txn;   /* inside fl_store_begin() */
	int txn_err;   /* first error inside it; everything was rolled back */
	int version_at_open;
	struct {
		const char *sql; /* a static string: compared by address */
		struct store_stmt *st;
	} cache[STORE_STMT_CACHE];
	char err[STORE_ERR_MAX];
};

/* A prepared (cached, reset) statement for the static sql, or NULL (err set). */
struct store_stmt *store_stmt(struct fl_store *s, const char *sql);
/* An uncached statement (free with sst_finalize()); a SQLite result code. */
int store_prepare(struct fl_store *s, const char *sql, struct store_stmt **out);
/* Result code -> negative errno (the message is already in s->err). */
int store_rc(struct fl_store *s, int rc);
int store_exec(struct fl_store *s, const char *sql);
/* The same where nothing can be done about a failure (a ROLLBACK). */
void store_exec_quiet(struct fl_store *s, const char *sql);
int64_t store_changes(struct fl_store *s);
void store_bind_text(struct store_stmt *st, int i, const char *v); /* NULL binds NULL */
/* The column as text, NULL for SQL NULL. */
const char *store_col_text(struct store_stmt *st, int i);
/* Runs a statement that returns no rows to the end; 0 or the error. */
int store_step_done(struct fl_store *s, struct store_stmt *st);
/* The same for an UPDATE of one row: -ENOENT if it changed none. */
int store_update_one(struct fl_store *s, struct store_stmt *st);
/* The single integer the static sql returns, or fallback (no row, NULL,
 * error). */
int64_t store_single_int(struct fl_store *s, const char *sql, int64_t fallback);

/* Every write runs between enter and leave: on its own a transaction of its
 * own, inside fl_store_begin() a part of the caller's. enter returns 0 or
 * the error (-ECANCELED in a failed transaction); leave takes the write's
 * rc and returns it, or the commit's error. */
int store_txn_enter(struct fl_store *s);
/* The same for a write that locks only the rows it reads (FOR UPDATE SKIP
 * LOCKED): the outbox's, so delivery workers do not wait on the engine's
 * writes or on each other. On SQLite, where a write locks the file,
 * identical to store_txn_enter(). */
int store_txn_enter_rows(struct fl_store *s);
int store_txn_leave(struct fl_store *s, int rc);

/* The writer-lock transaction every write and fl_store_begin() start with:
 * BEGIN IMMEDIATE, then the fence (store_lead.c): -ESTALE, rolled back,
 * when another engine took the lead since s was fenced. */
int store_write_begin(struct fl_store *s);
int store_fence_check(struct fl_store *s);

/* A line of a ticket's history (store_ticket.c); by and note may be NULL. */
int store_history_add(struct fl_store *s, const char *id, int64_t at_ns, const char *what,
                      const char *by, const char *note);

/* A time in a store document: ISO 8601 UTC, or null for 0 (store_doc.c). */
void store_json_time(struct fl_json *j, int64_t ns);

/* Database tokens of the enums (stable: they are the documented schema). */
const char *store_state_token(enum fl_ticket_state st);
int store_state_from_token(const char *tok, enum fl_ticket_state *out);
const char *store_clock_token(enum fl_ticket_clock c);
const char *store_clock_state_token(enum fl_clock_state st);
enum fl_clock_state store_clock_state_from_token(const char *tok);
const char *store_outbox_token(enum fl_outbox_state st);

#endif /* FL_STORE_INT_H */
