/* store_pg.c - the store's PostgreSQL backend, over libpq (store_int.h's
 * backend layer). A statement is its SQL rewritten once (store_pg_sql.c)
 * and sent with its parameters as text on each first step; the whole
 * result comes back at once and the steps walk it. Each distinct text (with
 * the types its parameters were bound as) is prepared once per connection
 * (PQprepare) and run by name after (PQexecPrepared): the server parses
 * and plans it once, not at every step, which was most of a write's time.
 * Prepared statements outlive a rollback, and die with the connection, as
 * the map of them does (pg_close()). Integers are sent as int8, text as text: both are what the store's
 * columns hold, and a typed NULL keeps "?2 IS NULL" meaningful.
 *
 * SQLSTATEs become SQLite's result codes: unique violations
 * SQLITE_CONSTRAINT_UNIQUE (-EEXIST), other integrity violations
 * SQLITE_CONSTRAINT, a lock not had in time or a serialization failure
 * SQLITE_BUSY (-EBUSY), a full disk SQLITE_FULL (-ENOSPC), the rest
 * SQLITE_IOERR (-EIO). */
#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/limits.h"
#include "engine/store/store_int.h"

#define OID_INT8 20
#define OID_TEXT 25

/* The connection's prepared statements, by text and parameter types: an
 * open-addressed table (linear probing, never deleted from). The store has
 * a few hundred statements; past the cap a statement runs unprepared, as
 * it did before, so a store that made texts up could not grow the server's
 * memory without bound. */
#define PG_PREPARED_MAX 512
#define PG_PREPARED_SLOTS (2 * PG_PREPARED_MAX) /* a power of two */

struct pg_prepared_entry {
	uint64_t hash;
	char *key; /* the SQL, '\0', the types' signature; NULL: slot free */
	unsigned id; /* the name: "fl_<id>" */
};

struct pg_prepared {
	struct pg_prepared_entry slot[PG_PREPARED_SLOTS];
	unsigned n;
};

struct pg_stmt {
	struct store_stmt base;
	char *sql;       /* rewritten for PostgreSQL */
	int n_params;
	char **values;   /* n_params, NULL for SQL NULL */
	Oid *types;
	char *sig;       /* n_params: each one's type, 'i' int8, 't' text, 'u' the place's */
	PGresult *res;   /* of the last first step, until reset */
	int row, n_rows; /* the row the last step gave */
};

static struct pg_stmt *pst(struct store_stmt *st)
{
	return (struct pg_stmt *)st;
}

/* The message of a failure, one line, into s->err. */
static void pg_message(struct fl_store *s, const char *msg)
{
	size_t n;

	snprintf(s->err, sizeof(s->err), "%s", msg && msg[0] ? msg : "PostgreSQL failed");
	n = strcspn(s->err, "\n");
	s->err[n] = '\0';
}

static int code_of_state(const char *state)
{
	if (!state)
		return SQLITE_IOERR; /* no server answer: the connection */
	if (strcmp(state, "23505") == 0)
		return SQLITE_CONSTRAINT_UNIQUE;
	if (strncmp(state, "23", 2) == 0)
		return SQLITE_CONSTRAINT;
	if (strcmp(state, "55P03") == 0 || strcmp(state, "40001") == 0 ||
	    strcmp(state, "40P01") == 0 || strcmp(state, "57014") == 0)
		return SQLITE_BUSY; /* lock_timeout, serialization, deadlock, cancel */
	if (strcmp(state, "53100") == 0)
		return SQLITE_FULL;
	if (strcmp(state, "53200") == 0)
		return SQLITE_NOMEM;
	return SQLITE_IOERR;
}

/* A result's outcome as a SQLite code; a command's row count kept. */
static int pg_outcome(struct fl_store *s, PGresult *res)
{
	ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
		const char *n = PQcmdTuples(res);

		s->pg_changes = n && n[0] ? strtoll(n, NULL, 10) : 0;
		return SQLITE_OK;
	}
	pg_message(s, res ? PQresultErrorMessage(res) : PQerrorMessage(s->pg));
	return code_of_state(res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
}

static void pg_free_values(struct pg_stmt *st)
{
	for (int i = 0; i < st->n_params; i++) {
		free(st->values[i]);
		st->values[i] = NULL;
		st->types[i] = 0; /* unbound: NULL of the type its place gives it */
	}
}

static void pg_finalize(struct store_stmt *base)
{
	struct pg_stmt *st = pst(base);

	PQclear(st->res);
	pg_free_values(st);
	free(st->values);
	free(st->types);
	free(st->sig);
	free(st->sql);
	free(st);
}

static int pg_prepare(struct fl_store *s, const char *sql, struct store_stmt **out)
{
	struct pg_stmt *st = calloc(1, sizeof(*st));

	if (!st)
		return SQLITE_NOMEM;
	st->base.ops = &store_pg_ops;
	st->base.s = s;
	st->sql = store_pg_sql(sql, &st->n_params);
	st->values = calloc((size_t)st->n_params + 1, sizeof(*st->values));
	st->types = calloc((size_t)st->n_params + 1, sizeof(*st->types));
	st->sig = calloc((size_t)st->n_params + 1, 1);
	if (!st->sql || !st->values || !st->types || !st->sig) {
		pg_finalize(&st->base);
		return SQLITE_NOMEM;
	}
	pg_free_values(st);
	st->row = -1;
	*out = &st->base;
	return SQLITE_OK;
}

static int pg_exec(struct fl_store *s, const char *sql)
{
	int n_params, rc;
	char *text = store_pg_sql(sql, &n_params);
	PGresult *res;

	if (!text)
		return SQLITE_NOMEM;
	res = PQexec(s->pg, text);
	free(text);
	rc = pg_outcome(s, res);
	PQclear(res);
	/* BEGIN IMMEDIATE is BEGIN and the writer lock: when the lock is not
	 * had, no transaction is left behind, as on SQLite */
	if (rc != SQLITE_OK && strncmp(sql, "BEGIN", 5) == 0 &&
	    PQtransactionStatus(s->pg) == PQTRANS_INERROR)
		PQclear(PQexec(s->pg, "ROLLBACK"));
	return rc;
}

static int64_t pg_changes(struct fl_store *s)
{
	return s->pg_changes;
}

static bool pg_in_txn(struct fl_store *s)
{
	return PQtransactionStatus(s->pg) != PQTRANS_IDLE;
}

static int pg_table_exists(struct fl_store *s, const char *table, bool *out)
{
	const char *values[1] = {table};
	PGresult *res;
	int rc;

	res = PQexecParams(s->pg,
	                   "SELECT count(*) FROM information_schema.tables"
	                   " WHERE table_schema = current_schema() AND table_name = $1",
	                   1, NULL, values, NULL, NULL, 0);
	rc = pg_outcome(s, res);
	if (rc == SQLITE_OK)
		*out = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "0") != 0;
	PQclear(res);
	return rc;
}

static void pg_busy_timeout(struct fl_store *s, int timeout_ms)
{
	char sql[64];

	/* lock_timeout bounds waits for row locks and for the writer lock */
	snprintf(sql, sizeof(sql), "SET lock_timeout = %d", timeout_ms);
	PQclear(PQexec(s->pg, sql));
}

static void pg_prepared_free(struct pg_prepared *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < PG_PREPARED_SLOTS; i++)
		free(set->slot[i].key);
	free(set);
}

static void pg_close(struct fl_store *s)
{
	PQfinish(s->pg);
	s->pg = NULL;
	pg_prepared_free(s->pg_prepared); /* the server forgot them with the connection */
	s->pg_prepared = NULL;
}

static void pg_reset(struct store_stmt *base)
{
	struct pg_stmt *st = pst(base);

	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	st->n_rows = 0;
}

static void pg_clear(struct store_stmt *base)
{
	pg_free_values(pst(base));
}

static void pg_bind(struct pg_stmt *st, int i, char *v, Oid type)
{
	if (i < 1 || i > st->n_params) { /* a parameter the SQL does not name */
		free(v);
		return;
	}
	free(st->values[i - 1]);
	st->values[i - 1] = v;
	st->types[i - 1] = type;
}

static void pg_bind_int64(struct store_stmt *base, int i, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", (long long)v);
	pg_bind(pst(base), i, strdup(num), OID_INT8);
}

static void pg_bind_text(struct store_stmt *base, int i, const char *v)
{
	pg_bind(pst(base), i, v ? strdup(v) : NULL, OID_TEXT);
}

/* Untyped: the server takes the type of the column it goes into (a text
 * NULL cannot go into a bigint column). */
static void pg_bind_null(struct store_stmt *base, int i)
{
	pg_bind(pst(base), i, NULL, 0);
}

static uint64_t fnv1a(uint64_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* The signature of the types st is bound with now. */
static void pg_signature(struct pg_stmt *st)
{
	for (int i = 0; i < st->n_params; i++)
		st->sig[i] = st->types[i] == OID_INT8 ? 'i' : st->types[i] == OID_TEXT ? 't' : 'u';
	st->sig[st->n_params] = '\0';
}

/* The slot of st's text and types in set: the one holding them, or the
 * free one they go into. */
static struct pg_prepared_entry *pg_prepared_slot(struct pg_prepared *set, struct pg_stmt *st,
                                                  uint64_t hash)
{
	size_t sql_len = strlen(st->sql), sig_len = (size_t)st->n_params;
	size_t i = (size_t)hash & (PG_PREPARED_SLOTS - 1);

	for (;;) {
		struct pg_prepared_entry *e = &set->slot[i];

		if (!e->key)
			return e;
		if (e->hash == hash && strcmp(e->key, st->sql) == 0 &&
		    memcmp(e->key + sql_len + 1, st->sig, sig_len + 1) == 0)
			return e;
		i = (i + 1) & (PG_PREPARED_SLOTS - 1); /* never full: n <= slots / 2 */
	}
}

/* Prepares st's text with its types on the server; the entry then names it. */
static int pg_prepare_on_server(struct fl_store *s, struct pg_stmt *st,
                                struct pg_prepared_entry *e, uint64_t hash, unsigned id)
{
	size_t sql_len = strlen(st->sql), sig_len = (size_t)st->n_params;
	char name[24], *key = malloc(sql_len + sig_len + 2);
	PGresult *res;
	int rc;

	if (!key)
		return SQLITE_NOMEM;
	snprintf(name, sizeof(name), "fl_%u", id);
	res = PQprepare(s->pg, name, st->sql, st->n_params, st->types);
	rc = pg_outcome(s, res);
	PQclear(res);
	if (rc != SQLITE_OK) { /* nothing was prepared: the error is the step's */
		free(key);
		return rc;
	}
	memcpy(key, st->sql, sql_len + 1);
	memcpy(key + sql_len + 1, st->sig, sig_len + 1);
	e->key = key;
	e->hash = hash;
	e->id = id;
	return SQLITE_OK;
}

/* Runs st: by the name it was prepared under, prepared now if it was not;
 * unprepared when the connection has as many as it may keep. SQLITE_OK and
 * the result in *out (whose outcome is the step's), or the error preparing
 * it (message in s->err): the error the unprepared run would have had. */
static int pg_run(struct fl_store *s, struct pg_stmt *st, PGresult **out)
{
	const char *const *values = (const char *const *)st->values;
	struct pg_prepared_entry *e = NULL;
	uint64_t hash;
	char name[24];

	if (!s->pg_prepared)
		s->pg_prepared = calloc(1, sizeof(*s->pg_prepared));
	if (s->pg_prepared) {
		pg_signature(st);
		hash = fnv1a(fnv1a(14695981039346656037ULL, st->sql, strlen(st->sql) + 1), st->sig,
		             (size_t)st->n_params);
		e = pg_prepared_slot(s->pg_prepared, st, hash);
		if (!e->key && s->pg_prepared->n < PG_PREPARED_MAX) {
			int rc = pg_prepare_on_server(s, st, e, hash, s->pg_prepared->n);

			if (rc != SQLITE_OK)
				return rc;
			s->pg_prepared->n++;
		}
	}
	if (!e || !e->key) {
		*out = PQexecParams(s->pg, st->sql, st->n_params, st->types, values, NULL, NULL, 0);
		return SQLITE_OK;
	}
	snprintf(name, sizeof(name), "fl_%u", e->id);
	*out = PQexecPrepared(s->pg, name, st->n_params, values, NULL, NULL, 0);
	return SQLITE_OK;
}

static int pg_step(struct store_stmt *base)
{
	struct pg_stmt *st = pst(base);
	struct fl_store *s = base->s;
	int rc;

	if (!st->res) {
		rc = pg_run(s, st, &st->res);
		if (rc != SQLITE_OK)
			return rc;
		rc = pg_outcome(s, st->res);
		if (rc != SQLITE_OK) {
			PQclear(st->res);
			st->res = NULL;
			return rc;
		}
		st->n_rows = PQntuples(st->res);
		st->row = -1;
	}
	if (st->row + 1 >= st->n_rows) {
		st->row = st->n_rows;
		return SQLITE_DONE;
	}
	st->row++;
	return SQLITE_ROW;
}

static bool pg_col_is_null(struct store_stmt *base, int i)
{
	struct pg_stmt *st = pst(base);

	if (!st->res || st->row < 0 || st->row >= st->n_rows || i >= PQnfields(st->res))
		return true;
	return PQgetisnull(st->res, st->row, i);
}

static const char *pg_col_text(struct store_stmt *base, int i)
{
	struct pg_stmt *st = pst(base);

	return pg_col_is_null(base, i) ? NULL : PQgetvalue(st->res, st->row, i);
}

/* Integers as SQLite gives them: NULL is 0, a boolean 1 or 0 (t/f in
 * PostgreSQL's text), a numeric (sum() of bigints) its integer part. */
static int64_t pg_col_int64(struct store_stmt *base, int i)
{
	const char *v = pg_col_text(base, i);

	if (!v)
		return 0;
	if (v[0] == 't' || v[0] == 'f')
		return v[0] == 't';
	return strtoll(v, NULL, 10);
}

static double pg_col_double(struct store_stmt *base, int i)
{
	const char *v = pg_col_text(base, i);

	return v ? strtod(v, NULL) : 0.0;
}

const struct store_db_ops store_pg_ops = {
	.name = "postgresql",
	.begin_rows_sql = "BEGIN",
	.prepare = pg_prepare,
	.exec = pg_exec,
	.changes = pg_changes,
	.in_txn = pg_in_txn,
	.table_exists = pg_table_exists,
	.busy_timeout = pg_busy_timeout,
	.close = pg_close,
	.finalize = pg_finalize,
	.reset = pg_reset,
	.clear = pg_clear,
	.bind_int64 = pg_bind_int64,
	.bind_text = pg_bind_text,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.col_is_null = pg_col_is_null,
	.col_int64 = pg_col_int64,
	.col_double = pg_col_double,
	.col_text = pg_col_text,
};

/* Notices ("relation already exists, skipping") are not the operator's. */
static void pg_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

int store_pg_connect(struct fl_store *s, const char *url)
{
	s->ops = &store_pg_ops;
	s->pg = PQconnectdb(url);
	if (!s->pg)
		return SQLITE_NOMEM;
	if (PQstatus(s->pg) != CONNECTION_OK) {
		pg_message(s, PQerrorMessage(s->pg));
		return SQLITE_CANTOPEN;
	}
	PQsetNoticeProcessor(s->pg, pg_quiet, NULL);
	pg_busy_timeout(s, FL_STORE_BUSY_TIMEOUT_MS);
	/* UTC and ISO: nothing the store reads depends on them, but a person
	 * reading the same rows in psql sees what the engine saw */
	return pg_exec(s, "SET TimeZone = 'UTC'");
}
