/* store_int.h - what store.c and store_query.c share: the connection, the
 * statement cache and the helpers around SQLite. Not for other modules. */
#ifndef FL_STORE_INT_H
#define FL_STORE_INT_H
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/store/store.h"

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

/* Database tokens of the enums (stable: they are the documented schema). */
const char *store_state_token(enum fl_ticket_state st);
int store_state_from_token(const char *tok, enum fl_ticket_state *out);
const char *store_clock_token(enum fl_ticket_clock c);
const char *store_clock_state_token(enum fl_clock_state st);
enum fl_clock_state store_clock_state_from_token(const char *tok);
const char *store_outbox_token(enum fl_outbox_state st);

#endif /* FL_STORE_INT_H */
