/* store_int.h - what the store's files share: the connection, the
 * statement cache, the helpers around SQLite, transactions, and the pieces
 * of the write and read sides that more than one file uses. Not for other
 * modules.
 *
 * Who uses whom (one way, no cycles):
 *   store.c         names, tokens, SQLite helpers, transactions: uses none
 *   store_schema.c  migrations, open and close
 *   store_ticket.c  tickets, clocks, history (the write side)
 *   store_doc.c     the ticket document; reads clocks through store_ticket.c
 *   store_outbox.c  the outbox; queues store_doc.c's document with a change
 *   store_query.c   the read side: lists, report, maintenance windows
 *   store_announce.c announcement records and their outbox rows
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

struct fl_store {
	sqlite3 *db;
	bool in_txn;   /* inside fl_store_begin() */
	int txn_err;   /* first error inside it; everything was rolled back */
	int version_at_open;
	struct {
		const char *sql; /* a static string: compared by address */
		sqlite3_stmt *st;
	} cache[STORE_STMT_CACHE];
	char err[STORE_ERR_MAX];
};

/* A prepared (cached, reset) statement for the static sql, or NULL (err set). */
sqlite3_stmt *store_stmt(struct fl_store *s, const char *sql);
/* SQLite result code -> negative errno; records the message. */
int store_rc(struct fl_store *s, int rc);
int store_exec(struct fl_store *s, const char *sql);
void store_bind_text(sqlite3_stmt *st, int i, const char *v); /* NULL binds NULL */
/* The column as text, NULL for SQL NULL. */
const char *store_col_text(sqlite3_stmt *st, int i);
/* Runs a statement that returns no rows to the end; 0 or the error. */
int store_step_done(struct fl_store *s, sqlite3_stmt *st);
/* The same for an UPDATE of one row: -ENOENT if it changed none. */
int store_update_one(struct fl_store *s, sqlite3_stmt *st);
/* The single integer the static sql returns, or fallback (no row, NULL,
 * error). */
int64_t store_single_int(struct fl_store *s, const char *sql, int64_t fallback);

/* Every write runs between enter and leave: on its own a transaction of its
 * own, inside fl_store_begin() a part of the caller's. enter returns 0 or
 * the error (-ECANCELED in a failed transaction); leave takes the write's
 * rc and returns it, or the commit's error. */
int store_txn_enter(struct fl_store *s);
int store_txn_leave(struct fl_store *s, int rc);

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
