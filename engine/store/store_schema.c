/* store_schema.c - the store's schema, its migrations, and opening and
 * closing a database (store.h). */
#include "engine/store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/lib/limits.h"
#include "engine/store/store_int.h"

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
	/* 4: the places of a ticket (an incident over several spans and sites);
	 * a ticket of an older engine keeps the one place its row names */
	"CREATE TABLE places(ticket TEXT NOT NULL REFERENCES tickets(id), kind TEXT NOT NULL,"
	" place TEXT NOT NULL, joined_ns INTEGER NOT NULL, evidence TEXT,"
	" PRIMARY KEY(ticket, kind, place)) WITHOUT ROWID;"
	"INSERT INTO places SELECT id, 'span', span, opened_ns, 'from the ticket'"
	" FROM tickets WHERE span IS NOT NULL;"
	"INSERT INTO places SELECT id, 'site', site, opened_ns, 'from the ticket'"
	" FROM tickets WHERE span IS NULL AND device IS NULL AND site IS NOT NULL;",
	/* 5: the store at its caps. A ticket's running clocks by the ticket's
	 * key: asked per ticket, clocks_due (state, deadline) made the planner
	 * walk every running clock of every ticket, so listing or resuming
	 * 20,000 open tickets took 20 s. The tickets not archived, in the order
	 * they are listed, without a walk over the archived ones or a sort.
	 * IF NOT EXISTS: a file taken back to an older version by hand keeps
	 * the index it has. */
	"CREATE INDEX IF NOT EXISTS clocks_ticket ON clocks(ticket, state, deadline_ns);"
	"CREATE INDEX IF NOT EXISTS tickets_live ON tickets(opened_ns, id)"
	" WHERE state <> 'archived';",
	/* 6: ticket numbers from one sequence in the file. Ids made from the
	 * second an engine started collided when two engines on one store
	 * started in the same second, and the second engine's fault joined
	 * the first one's ticket. The number is drawn in the transaction that
	 * inserts the ticket; tickets.seq keeps it, unique, so `tickets ack
	 * 123` finds it by index. Tickets of older engines keep their ids and
	 * no number. */
	"CREATE TABLE ticket_seq(last INTEGER NOT NULL);"
	"INSERT INTO ticket_seq VALUES(0);"
	"ALTER TABLE tickets ADD COLUMN seq INTEGER;"
	"CREATE UNIQUE INDEX tickets_seq ON tickets(seq);",
	/* 7: dispatch directives (调度指挥令) relayed level by level: the order,
	 * each branch it reaches with its acknowledgement deadline, its
	 * acknowledgement and its report upward. The outbox rows and the
	 * history of a directive hang off a record in tickets (rule
	 * 'directive', archived), as announcements do. IF NOT EXISTS: a file
	 * taken back to an older version by hand keeps its tables. */
	"CREATE TABLE IF NOT EXISTS directives(id TEXT PRIMARY KEY REFERENCES tickets(id),"
	" issuer TEXT NOT NULL, text TEXT NOT NULL, scope TEXT NOT NULL, level TEXT,"
	" ask TEXT NOT NULL, report_by_ns INTEGER, issued_ns INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS directives_issued ON directives(issued_ns);"
	"CREATE TABLE IF NOT EXISTS directive_branches(directive TEXT NOT NULL REFERENCES directives(id),"
	" branch TEXT NOT NULL, level TEXT NOT NULL, parent TEXT, sent_ns INTEGER NOT NULL,"
	" deadline_ns INTEGER NOT NULL, acked_ns INTEGER, acked_by TEXT, ack_note TEXT,"
	" reported_ns INTEGER, reported_by TEXT, report TEXT,"
	" late_steps INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY(directive, branch)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS directive_branches_late ON directive_branches(acked_ns, deadline_ns);",
	/* 8: the lead of an active/standby pair on one PostgreSQL store: the
	 * fencing number (epoch) the engine that took the lead drew, who it
	 * is, since when, and how many write transactions it has fenced. One
	 * row; a SQLite file has it too and never leads (store_lead.c). */
	"CREATE TABLE IF NOT EXISTS store_lead(epoch INTEGER NOT NULL, holder TEXT,"
	" since_ns INTEGER NOT NULL, writes INTEGER NOT NULL);"
	"INSERT INTO store_lead SELECT 0, NULL, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM store_lead);",
	/* 9: customers' consent before a maintenance window (consent.h): each
	 * customer the window affects, its word (missing, asked, given,
	 * refused), who recorded it and when; gone with its window. */
	"CREATE TABLE IF NOT EXISTS consent(maint INTEGER NOT NULL"
	" REFERENCES maintenance(id) ON DELETE CASCADE, customer TEXT NOT NULL,"
	" state TEXT NOT NULL, by TEXT, at_ns INTEGER, note TEXT,"
	" PRIMARY KEY(maint, customer)) WITHOUT ROWID;",
	/* 10: the plan's periodic duties (store_duty.c): each occurrence made,
	 * per branch, with its ticket (rule 'duty') and deadline. The unique
	 * (duty, branch, due) index keeps one ticket per occurrence when two
	 * engines on one store, or two ticks of one instant, make it at once. */
	"CREATE TABLE IF NOT EXISTS duty_runs(ticket TEXT PRIMARY KEY REFERENCES tickets(id),"
	" duty TEXT NOT NULL, branch TEXT NOT NULL, level TEXT NOT NULL, due_k INTEGER NOT NULL,"
	" due_ns INTEGER NOT NULL, deadline_ns INTEGER NOT NULL,"
	" passed_over INTEGER NOT NULL DEFAULT 0, made_ns INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX IF NOT EXISTS duty_runs_due ON duty_runs(duty, branch, due_ns);"
	"CREATE INDEX IF NOT EXISTS duty_runs_made ON duty_runs(due_ns);",
};
_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == FL_STORE_SCHEMA_VERSION,
               "one migration per schema version");

/* --- lifecycle ------------------------------------------------------------ */
static int schema_version(struct fl_store *s, int *out)
{
	struct store_stmt *st;
	bool exists = false;
	int rc, v = 0;

	rc = s->ops->table_exists(s, "schema_version", &exists);
	if (rc != SQLITE_OK)
		return store_rc(s, rc);
	if (!exists) {
		*out = 0;
		return 0;
	}
	rc = store_prepare(s, "SELECT coalesce(max(version), 0) FROM schema_version", &st);
	if (rc != SQLITE_OK)
		return store_rc(s, rc);
	rc = sst_step(st);
	if (rc == SQLITE_ROW)
		v = sst_col_int(st, 0);
	sst_finalize(st);
	if (rc != SQLITE_ROW)
		return store_rc(s, rc);
	*out = v;
	return 0;
}

/* A file at the current version is only read: opening it needs no write
 * lock, so `tickets list` and a restarting engine open the store while a
 * backup or an operator's sqlite3 shell holds the lock. Anything older is
 * migrated under the write lock, the version read again inside it (another
 * process may have migrated meanwhile). */
static int migrate(struct fl_store *s, int64_t now_ns)
{
	int rc, v = 0;

	rc = schema_version(s, &v);
	if (rc < 0)
		return rc;
	if (v < FL_STORE_SCHEMA_VERSION) {
		rc = store_exec(s, "BEGIN IMMEDIATE");
		if (rc < 0)
			return rc;
		rc = schema_version(s, &v);
		if (rc < 0)
			goto out_rollback;
	}
	s->version_at_open = v;
	if (v > FL_STORE_SCHEMA_VERSION) {
		snprintf(s->err, sizeof(s->err), "schema version %d is newer than this faultline (%d)",
		         v, FL_STORE_SCHEMA_VERSION);
		rc = -EPROTO;
		goto out_rollback;
	}
	if (v == FL_STORE_SCHEMA_VERSION && s->ops->in_txn(s))
		return store_exec(s, "COMMIT"); /* migrated by another process meanwhile */
	if (v == FL_STORE_SCHEMA_VERSION)
		return 0;
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
	store_exec_quiet(s, "ROLLBACK");
	return rc;
}

static int64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Takes the bits for others off an existing file of the store (its WAL,
 * its SHM); a file of someone else's, or none, is left as it is. */
static void store_file_private(const char *path, const char *suffix)
{
	char name[4096];
	struct stat st;

	if ((size_t)snprintf(name, sizeof(name), "%s%s", path, suffix) >= sizeof(name))
		return;
	if (lstat(name, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & S_IRWXO) &&
	    st.st_uid == geteuid())
		(void)chmod(name, st.st_mode & (mode_t)~(S_IRWXO | S_IFMT));
}

/* The store holds names, phone numbers and e-mail addresses: a new file is
 * created 0600 whatever the umask, and SQLite creates the WAL and SHM with
 * the mode of the database file. An existing file keeps its owner's and
 * group's bits (0640 shares it with a group) and loses the others'.
 * Without may_create a file that is not there is -ENOENT. Returns 0 or a
 * negative errno, with why in s->err. */
static int store_file_prepare(struct fl_store *s, const char *path, bool may_create)
{
	int fd;

	if (!path[0] || strcmp(path, ":memory:") == 0)
		return 0;
	if (!may_create) {
		struct stat st;

		if (stat(path, &st) == 0 || errno != ENOENT) {
			store_file_private(path, "");
			store_file_private(path, "-wal");
			store_file_private(path, "-shm");
			return 0; /* any other failure is SQLite's to tell */
		}
		snprintf(s->err, sizeof(s->err), "no such file");
		return -ENOENT;
	}
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		int rc = fchmod(fd, 0600) < 0 ? -errno : 0;

		close(fd);
		if (rc < 0)
			snprintf(s->err, sizeof(s->err), "cannot make it private: %s",
			         strerror(-rc));
		return rc;
	}
	if (errno != EEXIST) {
		int rc = -errno;

		snprintf(s->err, sizeof(s->err), "cannot create: %s", strerror(-rc));
		return rc;
	}
	store_file_private(path, "");
	store_file_private(path, "-wal");
	store_file_private(path, "-shm");
	return 0;
}

/* fl_store_open_existing() on PostgreSQL: a database without the store's
 * tables is "not there", as a missing file is, rather than made into an
 * empty store that shows no tickets. */
static int store_pg_require_schema(struct fl_store *s)
{
	bool exists = false;
	int rc = s->ops->table_exists(s, "schema_version", &exists);

	if (rc != SQLITE_OK)
		return store_rc(s, rc);
	if (exists)
		return 0;
	snprintf(s->err, sizeof(s->err), "no store in this database");
	return -ENOENT;
}

/* A URL as messages show it: after its scheme and any user:password@, so a
 * password never reaches a log. */
static const char *url_shown(const char *url)
{
	const char *rest = strstr(url, "://") + 3;
	const char *at = strchr(rest, '@');

	return at ? at + 1 : rest;
}

static int store_open(struct fl_store **out, const char *path, bool may_create, char *err,
                      size_t err_len)
{
	struct fl_store *s;
	int rc;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (fl_store_is_url(path)) {
		rc = store_rc(s, store_pg_connect(s, path));
		if (rc < 0)
			goto out_close;
		rc = may_create ? 0 : store_pg_require_schema(s);
		if (rc < 0)
			goto out_close;
	} else {
		rc = store_file_prepare(s, path, may_create);
		if (rc < 0)
			goto out_close;
		rc = store_sqlite_connect(s, path, may_create);
		if (rc != SQLITE_OK) {
			rc = store_rc(s, rc);
			goto out_close;
		}
	}
	rc = migrate(s, wall_ns());
	if (rc < 0)
		goto out_close;
	*out = s;
	return 0;

out_close:
	if (err && err_len)
		snprintf(err, err_len, "%s%s: %s", fl_store_is_url(path) ? "postgresql://" : "",
		         fl_store_is_url(path) ? url_shown(path) : path,
		         s->err[0] ? s->err : "cannot open");
	fl_store_close(s);
	return rc;
}

int fl_store_open(struct fl_store **out, const char *path, char *err, size_t err_len)
{
	return store_open(out, path, true, err, err_len);
}

int fl_store_open_existing(struct fl_store **out, const char *path, char *err, size_t err_len)
{
	return store_open(out, path, false, err, err_len);
}

void fl_store_close(struct fl_store *s)
{
	if (!s)
		return;
	fl_store_rollback(s);
	for (size_t i = 0; i < STORE_STMT_CACHE; i++)
		if (s->cache[i].st)
			sst_finalize(s->cache[i].st);
	if (s->ops)
		s->ops->close(s);
	free(s);
}

void fl_store_busy_timeout(struct fl_store *s, int timeout_ms)
{
	s->ops->busy_timeout(s, timeout_ms);
}

bool fl_store_is_url(const char *path)
{
	return path && (strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0);
}

const char *fl_store_backend(const struct fl_store *s)
{
	return s->ops->name;
}

const char *fl_store_errmsg(const struct fl_store *s)
{
	return s->err;
}

int fl_store_version_at_open(const struct fl_store *s)
{
	return s->version_at_open;
}
