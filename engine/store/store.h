/* store.h - the durable ticket store: tickets, clocks, history, escalation
 * steps taken, maintenance windows and the notification outbox, in SQLite
 * or in PostgreSQL (a postgresql:// URL where a path goes; store_int.h).
 *
 * One struct fl_store is one connection to one database file (WAL, a busy
 * timeout, foreign keys on) or one PostgreSQL session. It is owned by one
 * thread: the engine's store thread, or a command. Two processes may open
 * the same store (the engine and `faultline tickets`); their writes run one
 * after another (SQLite's write lock, PostgreSQL's writer lock) and a writer
 * waits at most FL_STORE_BUSY_TIMEOUT_MS before getting -EBUSY.
 *
 * Transactions. Every operation is atomic on its own. To make several
 * operations one unit (a ticket change and the notifications it causes, or a
 * storm batched for speed) wrap them in fl_store_begin() / fl_store_commit().
 * If any operation inside fails, the whole transaction is rolled back at once;
 * every later operation returns -ECANCELED and fl_store_commit() returns the
 * first error. So a notification is in the outbox if and only if the ticket
 * change that caused it is in the store.
 *
 * Time is passed in (now_ns, nanoseconds since the epoch): the engine has a
 * live clock and an event-time clock for replay, and tests have their own.
 * Clock budgets are milliseconds like the compiled plan's levels.
 *
 * Errors: 0 or a negative errno. -ENOENT (no such ticket, window or row),
 * -EEXIST (ticket id or idempotency key already present, step already taken),
 * -EPERM (a lifecycle transition the current state does not allow; see
 * fl_store_transition()), -EINVAL (bad argument), -EBUSY (database locked past
 * the busy timeout), -ENOSPC (the disk or the database is full), -EIO (any
 * other SQLite failure; fl_store_errmsg() tells which), -ECANCELED (inside a failed transaction), -ENOMEM. Out-parameters are
 * written only on success. */
#ifndef FL_STORE_H
#define FL_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/buf.h"
#include "engine/lib/compiler.h"

struct fl_store;

/* The schema version this code writes; older files are migrated on open,
 * newer ones refused (-EPROTO). docs/store.md lists the versions. */
#define FL_STORE_SCHEMA_VERSION 10
#define FL_STORE_DEFAULT_PATH "var/faultline.db"

/* Ticket lifecycle (../shared/emergency-plan.md). Order is progress. */
#define FL_TICKET_STATES(X) \
	X(OPEN, "open") X(ACKNOWLEDGED, "acknowledged") X(DISPATCHED, "dispatched") \
	X(ONSITE, "on site") X(RESTORED, "service restored") X(RESOLVED, "resolved") \
	X(ARCHIVED, "archived")
enum fl_ticket_state {
#define X(name, text) FL_TICKET_##name,
	FL_TICKET_STATES(X)
#undef X
	FL_TICKET__COUNT
};

/* What a person (or the engine) does to a ticket; each leads to one state. */
#define FL_TRANSITIONS(X) \
	X(ACK, "ack", ACKNOWLEDGED) X(DISPATCH, "dispatch", DISPATCHED) \
	X(ONSITE, "onsite", ONSITE) X(RESTORE, "restore", RESTORED) \
	X(RESOLVE, "resolve", RESOLVED) X(CLOSE, "close", ARCHIVED)
enum fl_transition {
#define X(name, text, to) FL_TR_##name,
	FL_TRANSITIONS(X)
#undef X
	FL_TR__COUNT
};

/* The clocks of a ticket. ack meets RESPOND, onsite meets ONSITE, restore meets
 * REPAIR. */
#define FL_TICKET_CLOCKS(X) X(RESPOND, "respond") X(ONSITE, "onsite") X(REPAIR, "repair")
enum fl_ticket_clock {
#define X(name, text) FL_TICKET_CLOCK_##name,
	FL_TICKET_CLOCKS(X)
#undef X
	FL_TICKET_CLOCK__COUNT
};

/* A clock's state: RUNNING until its transition (MET or MISSED), PAUSED while
 * paused, STOPPED when the ticket moved past it without it (restored before
 * anyone went on site: nobody needs to). NONE: the level sets no such clock. */
#define FL_CLOCK_STATES(X) \
	X(NONE, "none") X(RUNNING, "running") X(PAUSED, "paused") X(MET, "met") \
	X(MISSED, "missed") X(STOPPED, "stopped")
enum fl_clock_state {
#define X(name, text) FL_CLOCK_ST_##name,
	FL_CLOCK_STATES(X)
#undef X
};

/* Where an incident is. Every member may be NULL (unknown). */
struct fl_ticket_location {
	const char *device, *site, *span, *ring, *county, *city;
	const char *loc_class; /* "city", "county", "township": selects the on-site clock */
};

/* A new incident, as the engine opens it. Strings are borrowed for the call.
 * Clocks in ms: respond from raised_ns (the plan's "respond" is the duty
 * operator's time, which starts when the ticket is raised, not when the
 * first alarm came), on-site and repair from opened_ns (the fault); a clock
 * < 0 is not set (FL_CLOCK_ST_NONE): the caller picks onsite_ms for the
 * location class from the level. */
struct fl_ticket_new {
	const char *id;    /* unique, 1..64 bytes; open_numbered makes its own */
	const char *rule;  /* the rule or correlation that raised it */
	const char *key;   /* the correlation key (span, device, ...) */
	const char *level; /* the plan's level name ("urgent") */
	const char *title;
	struct fl_ticket_location loc;
	const char *circuits;  /* affected circuit ids, ';'-separated, may be NULL */
	const char *customers; /* affected customers, ';'-separated, may be NULL */
	bool is_planned;       /* inside a maintenance window: recorded, pages nobody */
	bool is_unprotected;   /* a ring running on its other way round */
	int64_t respond_ms, onsite_ms, repair_ms;
	int64_t opened_ns; /* the fault: its first alarm; on-site and repair run from it */
	int64_t raised_ns; /* the ticket raised: respond runs from it; 0: opened_ns */
};

/* One notification for the outbox. Strings are borrowed for the call. */
struct fl_notice {
	const char *key;     /* idempotency key, fl_notice_key_valid(); unique in the store */
	const char *channel; /* the plan's channel: the outbox maps it to a plugin */
	const char *role;    /* the role paged ("duty operator"), may be NULL */
	const char *person;  /* display name, may be NULL */
	const char *address; /* phone, e-mail address, URL */
	const char *subject, *body;
	const char *incident_json; /* NULL: the store writes the ticket's own document */
	int64_t ttl_ms;            /* give up after this; <= 0: FL_OUTBOX_TTL_MS_DEFAULT */
};

/* One clock as stored. Times in ns since the epoch, 0 when not reached. */
struct fl_clock_info {
	enum fl_clock_state state;
	int64_t budget_ms;
	int64_t deadline_ns; /* moves later by every pause */
	int64_t met_ns;      /* when the transition came (MET or MISSED) */
	int64_t paused_ms;   /* total time spent paused, closed pauses only */
	uint32_t pauses;
};

/* A due clock for the engine's escalation timer. Strings valid during the
 * callback only. */
struct fl_due_clock {
	const char *ticket, *level;
	enum fl_ticket_clock clock;
	enum fl_ticket_state state;
	int64_t deadline_ns;
};

/* Maintenance windows. Scope names match the plan's (FL_WINDOW_SCOPES). */
#define FL_MAINT_RECURS(X) X(NONE, "none") X(WEEKLY, "weekly") X(MONTHLY, "monthly")
enum fl_maint_recur {
#define X(name, text) FL_MAINT_##name,
	FL_MAINT_RECURS(X)
#undef X
};

struct fl_maint_window {
	int64_t id; /* assigned by fl_store_maint_add() */
	const char *scope, *target; /* "device" | "site" | "ring" | "span" | "city" */
	int64_t from_ns, to_ns;     /* the first occurrence; to exclusive */
	enum fl_maint_recur recur;
	const char *reason, *by;
};

/* Where a target is, for fl_store_maint_active(): any member may be NULL. */
struct fl_maint_query {
	const char *device, *site, *ring, *span, *city;
};

struct fl_outbox_row;

/* Defaults for notifications (engine/lib/limits.h has the caps). */
#define FL_OUTBOX_TTL_MS_DEFAULT (24LL * 3600 * 1000)

/* Lifecycle. Opens (creating if needed) the database at path, sets WAL and
 * the busy timeout and migrates the schema to FL_STORE_SCHEMA_VERSION in one
 * transaction. A new file is created 0600 whatever the umask (its WAL and
 * SHM get the same mode); an existing one loses any bits for others. A file
 * already at the current version is opened without the write lock, so it
 * opens while another process holds it. Returns 0, -EPROTO (written by a
 * newer faultline), -EIO (not a database, unreadable, migration failed; err
 * holds why), -EBUSY (a migration found the file locked), -ENOMEM, or the
 * errno of creating the file. fl_store_close() accepts NULL and rolls back
 * an open transaction.
 *
 * A path that is a URL, postgresql://... or postgres://... (libpq's
 * connection URI), opens the same store in a PostgreSQL database instead:
 * the same schema, migrations, documents and errors (docs/store.md). The
 * database must exist; the schema is made in it (current_schema()). */
FL_MUST_CHECK int fl_store_open(struct fl_store **out, const char *path, char *err,
                                size_t err_len);
/* The same for a file that must be there already (the commands that read
 * or change tickets: a mistyped path must not make an empty store that
 * shows "no tickets"): -ENOENT, err "PATH: no such file", when there is
 * none; nothing is created. */
FL_MUST_CHECK int fl_store_open_existing(struct fl_store **out, const char *path, char *err,
                                         size_t err_len);
void fl_store_close(struct fl_store *s);
/* How long a write waits for another process's lock before -EBUSY
 * (FL_STORE_BUSY_TIMEOUT_MS from open). */
void fl_store_busy_timeout(struct fl_store *s, int timeout_ms);

/* The last SQLite message, for logs; never NULL. */
const char *fl_store_errmsg(const struct fl_store *s);
/* The lead of an active/standby pair (PostgreSQL only). Two engines get
 * the same input and correlate it; only the one that leads writes. The
 * lead is a session advisory lock on this connection: it is held until
 * the connection closes or the server loses it (the holder was killed, its
 * host or network went), and then the next fl_store_lead_try() of another
 * engine gets it. Taking it draws a new fencing number (epoch) in
 * store_lead; a store fenced with it (fl_store_fence()) checks, in every
 * write transaction under the writer lock, that the epoch is still the
 * current one, and counts the write against it: an engine that lost the
 * lead without knowing it gets -ESTALE and writes nothing.
 *
 * fl_store_lead_try(): 0 with *epoch (this connection leads now, or
 * already did), -EAGAIN (another session leads), -ENOTSUP (a SQLite
 * store: one engine per file, no pair), or an error. */
struct fl_store_lead {
	int64_t epoch;     /* 0: never led */
	char holder[128];  /* as the leader named itself */
	int64_t since_ns;
	int64_t writes;    /* write transactions fenced by this epoch */
	bool is_held;      /* a session holds the lead now (false on SQLite) */
};
FL_MUST_CHECK int fl_store_lead_try(struct fl_store *s, const char *holder, int64_t now_ns,
                                    int64_t *epoch);
int fl_store_lead_get(struct fl_store *s, struct fl_store_lead *out);
/* From now on every write transaction of s checks epoch (0: no fence). */
void fl_store_fence(struct fl_store *s, int64_t epoch);

/* Whether path names a PostgreSQL database (postgresql:// or postgres://)
 * rather than a SQLite file. */
bool fl_store_is_url(const char *path);
/* "sqlite" or "postgresql". */
const char *fl_store_backend(const struct fl_store *s);
/* The schema version found in the file before it was migrated on open. */
int fl_store_version_at_open(const struct fl_store *s);

/* Transactions (see the top of this file). begin: 0, -EBUSY, -EIO, -EINVAL
 * when one is already open. commit: 0 or the first error of the transaction
 * (then everything inside is rolled back). rollback: always ends it. */
FL_MUST_CHECK int fl_store_begin(struct fl_store *s);
FL_MUST_CHECK int fl_store_commit(struct fl_store *s);
void fl_store_rollback(struct fl_store *s);

/* Operations, incidents: what the correlation engine calls.
 *
 * open: a new ticket in state OPEN with its clocks started at t->opened_ns and
 * an "opened" history row. -EEXIST if the id exists, -EINVAL without id or
 * level. */
FL_MUST_CHECK int fl_store_incident_open(struct fl_store *s, const struct fl_ticket_new *t);

/* open_numbered: the same, the ticket numbered by the store's sequence in
 * the transaction that inserts it: unique in the file across engines and
 * restarts, given back when the transaction is lost. Its id is
 * "PREFIX-YYYY-NNNNNN" (YYYY: the UTC year of t->opened_ns, for the reader:
 * the number alone is unique; six digits at least), written to id[size];
 * t->id is not used. An id already taken (a ticket written otherwise, a
 * sequence set back) is refused, never joined: *taken (may be NULL) counts
 * each such refusal, and the next number is tried, at most
 * FL_STORE_ID_TRIES times in all, then -EEXIST. -EINVAL: no level, a
 * prefix empty or over FL_STORE_ID_PREFIX_MAX bytes, size at most
 * FL_STORE_ID_MAX. */
FL_MUST_CHECK int fl_store_incident_open_numbered(struct fl_store *s,
                                                  const struct fl_ticket_new *t,
                                                  const char *prefix, char *id, size_t size,
                                                  uint32_t *taken);

/* update: the incident changed (new level, title or unprotected ring: any
 * argument NULL / negative keeps the old value). Its clocks stay as they
 * are: clocks_follow moves them. Adds history "updated". */
FL_MUST_CHECK int fl_store_incident_update(struct fl_store *s, const char *id, const char *level,
                                           const char *title, int is_unprotected,
                                           const char *note, int64_t now_ns);

/* clocks_follow: the ticket's level changed at at_ns to one whose clocks
 * have these budgets (ms; negative: the level has no such clock). As the
 * engine's ladder does, each running clock ends at the earlier of its
 * deadline and at_ns plus its new budget (a paused one: its pause's start
 * plus the budget, moved on by the pause as ever), so a raise never takes
 * time a clock had promised nor makes one missed before it; a clock met,
 * missed or stopped stays so, and one the ticket did not have starts at
 * at_ns. Returns 0, -EIO. */
FL_MUST_CHECK int fl_store_incident_clocks_follow(struct fl_store *s, const char *id,
                                                  int64_t respond_ms, int64_t onsite_ms,
                                                  int64_t repair_ms, int64_t at_ns);

/* The places of a ticket (store_place.c): each span cut ("span") and site
 * down ("site") its incident covers, with when it joined and how it was
 * told (evidence, may be NULL). place_add returns 0 when added (with a
 * history row), 1 when the ticket had it already, -EINVAL for a kind other
 * than "span" or "site" or an empty id. places_each calls fn in the order
 * they joined; strings are borrowed for the call; a non-zero return stops
 * the walk and is returned. */
struct fl_ticket_place {
	const char *kind, *id, *evidence;
	int64_t joined_ns;
};
FL_MUST_CHECK int fl_store_place_add(struct fl_store *s, const char *ticket,
                                     const struct fl_ticket_place *p);
typedef int fl_store_place_fn(void *ctx, const struct fl_ticket_place *p);
FL_MUST_CHECK int fl_store_places_each(struct fl_store *s, const char *ticket,
                                       fl_store_place_fn *fn, void *ctx);
/* reassign: the fault of the ticket is now another rule's or correlation's
 * (a power alarm that became a site down): rule and key (NULL: kept)
 * change, with a history row. -ENOENT: no such ticket. */
FL_MUST_CHECK int fl_store_incident_reassign(struct fl_store *s, const char *id,
                                             const char *rule, const char *key,
                                             int64_t now_ns);

/* absorb: n more alarms folded into the ticket; sample (may be NULL) is one
 * of them, kept in the history as an example. Counts are summed, not one row
 * per alarm: a storm of 10 000 alarms is one counter, not 10 000 rows. */
FL_MUST_CHECK int fl_store_incident_absorb(struct fl_store *s, const char *id, uint32_t n,
                                           const char *sample, int64_t now_ns);

/* clear: the alarm that raised the ticket cleared. Records the time and a
 * history row; the lifecycle is left to people (a clear is evidence of
 * restoration, not a confirmation). A ticket cleared already keeps its first
 * clear (a recording or a journal fed again clears it again): 0, nothing
 * written. -ENOENT: no such ticket. */
FL_MUST_CHECK int fl_store_incident_clear(struct fl_store *s, const char *id, const char *note,
                                          int64_t now_ns);

/* note: a free history row for what the engine decided and a person should
 * be able to read later ("no county lead on duty: paged the city lead",
 * "ring RING-GX-1 unprotected"). what: short, required; note may be NULL. */
FL_MUST_CHECK int fl_store_note(struct fl_store *s, const char *id, const char *what,
                                const char *by, const char *note, int64_t now_ns);

/* Operations, people. The lifecycle:
 *   ack      from open
 *   dispatch from acknowledged
 *   onsite   from dispatched
 *   restore  from acknowledged, dispatched or on site (a remote fix needs no
 *            visit; an unacknowledged ticket must be acknowledged first)
 *   resolve  from service restored
 *   close    from resolved (to archived)
 * Anything else is -EPERM, and why is in msg (msg_len > 0): "cannot close
 * INC-1: it is acknowledged; close needs resolved". A transition meets or
 * misses its clock (ack: respond, onsite: on-site, restore: repair) by
 * comparing now_ns to the deadline; a paused clock is resumed first. restore
 * stops the respond and on-site clocks still running. by: who (required,
 * non-empty); note may be NULL. */
FL_MUST_CHECK int fl_store_transition(struct fl_store *s, const char *id, enum fl_transition tr,
                                      const char *by, const char *note, int64_t now_ns,
                                      char *msg, size_t msg_len);

/* Is tr allowed from state? (the table above, for tests and help texts) */
bool fl_store_transition_allowed(enum fl_transition tr, enum fl_ticket_state from);

/* Pause a running clock with a reason (no site access, customer-caused,
 * inside a maintenance window) / resume it: its deadline moves by the time it
 * was paused. -EPERM when not running (pause) or not paused (resume). */
FL_MUST_CHECK int fl_store_clock_pause(struct fl_store *s, const char *id, enum fl_ticket_clock c,
                                       const char *reason, const char *by, int64_t now_ns);
FL_MUST_CHECK int fl_store_clock_resume(struct fl_store *s, const char *id, enum fl_ticket_clock c,
                                        const char *by, int64_t now_ns);

/* The reason a clock is paused for while its ticket is planned work. */
#define FL_STORE_PAUSE_WINDOW "maintenance"

/* The maintenance window a planned ticket opened in has ended and its fault
 * is still there: the ticket stops being planned, every clock last paused
 * with reason FL_STORE_PAUSE_WINDOW resumes (its deadline moves by the time
 * it was paused; one a person paused for a reason of theirs stays paused)
 * and the history says what ("window MW-1 ended"; required).
 * -ENOENT: no such ticket; -EPERM: it is not planned. */
FL_MUST_CHECK int fl_store_incident_unplan(struct fl_store *s, const char *id, const char *what,
                                           int64_t now_ns);

/* A planned ticket whose fault cleared inside its window: its paused clocks
 * stop (STOPPED: nobody had to meet them; each pause is closed and counted)
 * with a history row "clocks stopped" and the note (may be NULL). A ticket
 * without paused clocks is left as it is. */
FL_MUST_CHECK int fl_store_clocks_stop_paused(struct fl_store *s, const char *id,
                                              const char *note, int64_t now_ns);

/* Every clock still running whose deadline is before now_ns becomes MISSED,
 * with a history row "<clock> clock missed" at its deadline: a missed clock
 * is in the store and the report when it happens, not only once a person
 * acts on the ticket (an acknowledgement after it leaves it missed). *n gets
 * how many. The store sink calls it with the time of each action it writes
 * (event time in a replay). Returns 0 or the store's error. */
FL_MUST_CHECK int fl_store_clocks_expire(struct fl_store *s, int64_t now_ns, uint32_t *n);

/* Record that ladder step step_index fired for the ticket. Returns -EEXIST if
 * it already had: call it inside the transaction that enqueues the step's
 * notifications, and a restart can never page twice. */
FL_MUST_CHECK int fl_store_step_taken(struct fl_store *s, const char *id, uint32_t step_index,
                                      int64_t now_ns);

/* Adds a notification to the outbox, due now, with a "notified" history row.
 * Call it inside the transaction of the ticket change that caused it.
 * -EEXIST: the idempotency key is already in the outbox (the caller's retry
 * of the same change); nothing is written, and the caller's transaction goes
 * on unharmed. -EINVAL: bad key, no channel or address. */
FL_MUST_CHECK int fl_store_notify_enqueue(struct fl_store *s, const char *id,
                                          const struct fl_notice *n, int64_t now_ns);

/* A maintenance announcement (engine/pipeline/announce.h) is queued under a record of
 * its window occurrence, since every outbox row belongs to a ticket: a ticket
 * of level "maintenance", planned and archived from the start (so the ticket
 * list, the escalation clocks and a restarted engine never take it for a
 * fault), whose history lists who was told. Strings are borrowed. */
struct fl_announce_record {
	const char *id;	    /* "ANN-<window>-<YYYYMMDDHHMM>", at most FL_STORE_ID_MAX */
	const char *title;  /* what the ticket list would show */
	const char *scope, *target; /* the window's: "span", "HC-JCJ-R01-S01" */
	const char *circuits, *customers;
	int64_t start_ns;   /* the occurrence's start: the record's opened time */
};
/* Creates the record when it is new and enqueues n under it, in one
 * transaction (or the caller's). -EEXIST when n->key is queued already (the
 * announcement was made before; nothing changes); -EINVAL as
 * fl_store_notify_enqueue(), or without r->id. */
FL_MUST_CHECK int fl_store_announce_enqueue(struct fl_store *s, const struct fl_announce_record *r,
                                            const struct fl_notice *n, int64_t now_ns);

/* Queries. */

/* The ticket's state. */
FL_MUST_CHECK int fl_store_ticket_state(struct fl_store *s, const char *id,
                                        enum fl_ticket_state *out);
/* One clock of a ticket. */
FL_MUST_CHECK int fl_store_clock_get(struct fl_store *s, const char *id, enum fl_ticket_clock c,
                                     struct fl_clock_info *out);
/* The history entry (what) a ticket gets when its rule's pair window timed
 * out: a restarted engine reads it (fl_store_ticket_noted) and does not time
 * the fault out again. */
#define FL_STORE_PAIR_TIMED_OUT "pair window timed out"
/* The history entry (what) a ticket gets, at that time, when a change of
 * level started another ladder: a restarted engine times that ladder's
 * `after` steps from the latest (fl_store_ticket_noted_at). */
#define FL_STORE_LADDER_STARTED "ladder started"
/* Does the ticket's history hold an entry what? 1 yes, 0 no, or the store's
 * error. noted_at: the same, with the time of the latest such entry in
 * *at_ns (0 when none). */
FL_MUST_CHECK int fl_store_ticket_noted(struct fl_store *s, const char *id, const char *what);
FL_MUST_CHECK int fl_store_ticket_noted_at(struct fl_store *s, const char *id, const char *what,
                                           int64_t *at_ns);
/* The step indices taken for the ticket, ascending: at most max written to
 * steps, the total count to *n (may be larger than max). */
FL_MUST_CHECK int fl_store_steps_taken(struct fl_store *s, const char *id, uint32_t *steps,
                                       size_t max, size_t *n);

/* Calls fn for every running clock whose deadline is <= now_ns, on tickets not
 * yet restored, earliest first: the engine's timer decides which ladder step
 * that fires. A callback returning non-zero stops the walk and is returned.
 * fn may call any other store function (record the step, enqueue its
 * notifications) but not fl_store_due_clocks() itself. */
typedef int fl_store_due_fn(void *ctx, const struct fl_due_clock *due);
FL_MUST_CHECK int fl_store_due_clocks(struct fl_store *s, int64_t now_ns, fl_store_due_fn *fn,
                                      void *ctx);
/* The earliest deadline of any running clock (for the timer), or INT64_MAX. */
int64_t fl_store_next_deadline(struct fl_store *s);

/* One line of `tickets list`: strings valid during the callback only, NULL
 * when unknown. told: who has been told, "role person (channel, state); ...". */
struct fl_ticket_summary {
	const char *id, *level, *title, *device, *site, *span, *ring, *county, *city, *told;
	enum fl_ticket_state state;
	bool is_planned, is_unprotected;
	int64_t opened_ns;
	enum fl_ticket_clock next_clock;    /* the running clock due first */
	int64_t next_deadline_ns;    /* INT64_MAX: no clock running */
	const char *rule, *key;      /* what raised it; NULL in tickets of old engines */
	int64_t cleared_ns;          /* 0: its alarm has not cleared */
};
typedef int fl_store_ticket_fn(void *ctx, const struct fl_ticket_summary *t);
/* Calls fn for each ticket not archived (all when include_archived), oldest
 * first. A callback returning non-zero stops the walk and is returned. */
FL_MUST_CHECK int fl_store_tickets_each(struct fl_store *s, bool include_archived,
                                        fl_store_ticket_fn *fn, void *ctx);
/* The same line for one ticket: fn is called once, or -ENOENT. */
FL_MUST_CHECK int fl_store_ticket_summary(struct fl_store *s, const char *id,
                                          fl_store_ticket_fn *fn, void *ctx);

/* A fault as the store knows it: what raised it (rule and key), and, for
 * tickets of old engines that stored neither, its place and level. */
struct fl_store_fault {
	const char *rule, *key;
	const char *level, *span, *device, *site; /* the place: span, else device, else site */
};
/* The newest ticket still open for the fault (not restored, alarm not
 * cleared): one with the same rule and key, or one without rule or key at
 * the same place (its span; else its device and no span; else its site and
 * neither) and level. Found by index, not by a walk. Writes its id into
 * id[size] and returns 1, or returns 0 when there is none, or an error. */
FL_MUST_CHECK int fl_store_open_ticket_for_fault(struct fl_store *s,
                                                 const struct fl_store_fault *f, char *id,
                                                 size_t size);

/* The ticket of the same fault from its first alarm: the same rule and key,
 * opened from from_ns to to_ns (both included; equal for an exact time), in
 * any state (the same recording replayed into the store again finds the
 * tickets it made, cleared or not); of several, the earliest opened.
 * Another fault, on another span or from another first alarm, is never
 * found. Writes its id into id[size] and returns 1, or 0 when there is
 * none, -EINVAL without rule or key, or the store's error. */
FL_MUST_CHECK int fl_store_ticket_for_fault_at(struct fl_store *s, const char *rule,
                                               const char *key, int64_t from_ns, int64_t to_ns,
                                               char *id, size_t size);

/* The ticket an operator means by ref, as `tickets` takes it: its id; the
 * number alone ("123", "000123": the ticket the store's sequence numbered
 * 123); or the start of one id ("INC-2026-0001"), each tried in that order.
 * Returns how many tickets ref names: 1 with the id in id[size]; 0 (none);
 * or more, counted up to FL_STORE_REF_SHOWN + 1, with the first
 * FL_STORE_REF_SHOWN of them, ", "-joined, in others[others_len] (may be
 * 0 long). Or -EINVAL (ref empty or over FL_STORE_ID_MAX bytes), or the
 * store's error. Found by index, never by a walk over the tickets. */
#define FL_STORE_REF_SHOWN 5
FL_MUST_CHECK int fl_store_ticket_find(struct fl_store *s, const char *ref, char *id, size_t size,
                                       char *others, size_t others_len);

/* The ticket's history, oldest first; strings valid during the callback. */
struct fl_history_row {
	int64_t at_ns;
	const char *what, *by, *note; /* by, note may be NULL */
};
typedef int fl_store_history_fn(void *ctx, const struct fl_history_row *h);
FL_MUST_CHECK int fl_store_history_each(struct fl_store *s, const char *id,
                                        fl_store_history_fn *fn, void *ctx);

/* Tickets as JSON (the `tickets --json` documents, docs/store.md): list
 * writes an array of tickets not archived (all of them when include_archived),
 * show writes one ticket with its history. Appends to out. */
FL_MUST_CHECK int fl_store_tickets_json(struct fl_store *s, bool include_archived,
                                        int64_t now_ns, struct fl_buf *out);
FL_MUST_CHECK int fl_store_ticket_json(struct fl_store *s, const char *id, bool with_history,
                                       int64_t now_ns, struct fl_buf *out);

/* Maintenance windows. add: validates scope, target, from < to (a recurring
 * window shorter than its period) and writes w->id (w is the caller's).
 * delete: -ENOENT if none. active: is the target, or one of the places around
 * it given in q, inside a window at t_ns? A window that has ended is never
 * active, so a forgotten window cannot hide faults; `list` drops a one-off
 * window once it has ended. hit (may be NULL) gets the matching window and
 * when its current occurrence ends: the engine pages then for a fault that
 * outlives the window. */
struct fl_maint_hit {
	int64_t window_id;
	int64_t ends_ns;
};
FL_MUST_CHECK int fl_store_maint_add(struct fl_store *s, struct fl_maint_window *w,
                                     int64_t now_ns);
FL_MUST_CHECK int fl_store_maint_delete(struct fl_store *s, int64_t id);
FL_MUST_CHECK int fl_store_maint_active(struct fl_store *s, const struct fl_maint_query *q,
                                        int64_t t_ns, bool *is_active, struct fl_maint_hit *hit);
/* Writes the windows not yet over at now_ns as JSON (an array) to out, each
 * with its customers' consent counts and consent_warning for a notice period
 * of notice_ms (< 0: the default; engine/store/consent.h). */
FL_MUST_CHECK int fl_store_maint_json(struct fl_store *s, int64_t now_ns, int64_t notice_ms,
                                      struct fl_buf *out);

/* One window as `maintenance list` shows it: strings valid during the
 * callback only. next_*: the occurrence running at now_ns, or the next one. */
struct fl_maint_view {
	struct fl_maint_window w;
	int64_t next_from_ns, next_to_ns;
	bool is_active;
	/* its customers' consent (consent.h): affected, asked, given, refused */
	uint32_t consent_customers, consent_asked, consent_given, consent_refused;
};
typedef int fl_store_maint_fn(void *ctx, const struct fl_maint_view *v);
/* Calls fn for each window not over at now_ns, by start. A callback returning
 * non-zero stops the walk and is returned. */
FL_MUST_CHECK int fl_store_maint_each(struct fl_store *s, int64_t now_ns, fl_store_maint_fn *fn,
                                      void *ctx);

/* The latest time the store recorded about its tickets (a change of a
 * ticket, an entry of its history) in *out_ns, 0 when it has none: how far
 * the store's own time went, whether it was filled live or by a replay in
 * event time. Returns 0 or the store's error. */
FL_MUST_CHECK int fl_store_recorded_until(struct fl_store *s, int64_t *out_ns);

/* The report over tickets opened in [from_ns, to_ns): per city and county,
 * tickets by level, mean time to acknowledge and to restore (from the first
 * alarm), clocks met, missed and paused, in all and per clock. A clock still
 * running past its deadline at
 * min(to_ns, as_of_ns) counts as missed: it could no longer be met; a
 * paused clock (its time stands still) only if it was late when paused. as_of_ns
 * is the time the report judges by: `faultline report` passes
 * fl_store_recorded_until(), so a report on a replayed store says what
 * happened in the recording, whatever day it is run. Strings valid during the
 * callback only; a mean is -1 when no ticket got there. */
struct fl_report_row {
	const char *city, *county; /* NULL: unknown */
	const char *levels;        /* "urgent:2 severe:1" */
	int64_t tickets, mean_ack_s, mean_restore_s;
	int64_t clocks_met, clocks_missed, pauses, paused_ms;
	/* the same counts per clock (enum fl_ticket_clock): respond met by an
	 * acknowledgement, on-site by the crew's arrival, repair by restoration */
	int64_t met_by_clock[FL_TICKET_CLOCK__COUNT], missed_by_clock[FL_TICKET_CLOCK__COUNT];
};
typedef int fl_store_report_fn(void *ctx, const struct fl_report_row *r);
/* -EINVAL unless from_ns < to_ns. */
FL_MUST_CHECK int fl_store_report_each(struct fl_store *s, int64_t from_ns, int64_t to_ns,
                                       int64_t as_of_ns, fl_store_report_fn *fn, void *ctx);
/* The same as one JSON document (docs/store.md). */
FL_MUST_CHECK int fl_store_report_json(struct fl_store *s, int64_t from_ns, int64_t to_ns,
                                       int64_t as_of_ns, struct fl_buf *out);

/* The outbox side, for engine/notify/outbox.c. A row is claimed (state "sending",
 * attempts + 1) and committed before delivery, so a crash during delivery
 * leaves the claim; fl_store_outbox_recover() puts such rows back to
 * "pending": they are delivered again (at most twice in all, the idempotency
 * key lets receivers tell). */
#define FL_OUTBOX_STATES(X) \
	X(PENDING, "pending") X(SENDING, "sending") X(SENT, "sent") X(FAILED, "failed") \
	X(EXPIRED, "expired")
enum fl_outbox_state {
#define X(name, text) FL_OUTBOX_##name,
	FL_OUTBOX_STATES(X)
#undef X
};

/* A claimed row: owned by the caller, free with fl_store_outbox_row_free(). */
struct fl_outbox_row {
	int64_t id;
	char *ticket, *key, *channel, *person, *address, *subject, *body, *incident_json;
	uint32_t attempts; /* including this one */
	int64_t created_ns, expires_ns;
};
void fl_store_outbox_row_free(struct fl_outbox_row *r);

/* Claims the earliest due pending row (due_ns <= now_ns). Returns 0 and a row,
 * -ENOENT when nothing is due. */
FL_MUST_CHECK int fl_store_outbox_claim(struct fl_store *s, int64_t now_ns,
                                        struct fl_outbox_row **out);
/* A delivery lane's rows (engine/notify/deliver.c runs one lane per
 * channel): channel's, or with channel NULL those of every channel but the
 * n_others (at most FL_OUTBOX_MAX_ROUTES) in others; a NULL lane: every row.
 * claim_lane holds the row "sending" until lease_until_ns (kept in due_ns:
 * a sending row is due nowhere else); recover_stale puts back the lane's
 * rows whose lease ran out, as a lane that died or hung left them. claim is
 * claim_lane(NULL) with a lease only recover() ends. -EINVAL: too many others. */
struct fl_outbox_lane {
	const char *channel;
	const char *const *others;
	size_t n_others;
};
FL_MUST_CHECK int fl_store_outbox_claim_lane(struct fl_store *s, const struct fl_outbox_lane *lane,
                                             int64_t now_ns, int64_t lease_until_ns,
                                             struct fl_outbox_row **out);
FL_MUST_CHECK int fl_store_outbox_recover_stale(struct fl_store *s,
                                                const struct fl_outbox_lane *lane,
                                                int64_t now_ns, uint32_t *n);
/* The earliest due_ns of a pending row of the lane, or INT64_MAX. */
int64_t fl_store_outbox_next_due_lane(struct fl_store *s, const struct fl_outbox_lane *lane);
/* Records the attempt's outcome: state (PENDING to retry at retry_ns, SENT,
 * FAILED, EXPIRED), the result name and reason, in one transaction with the
 * attempt row. */
FL_MUST_CHECK int fl_store_outbox_finish(struct fl_store *s, int64_t row_id,
                                         enum fl_outbox_state state, const char *result,
                                         const char *reason, int64_t retry_ns, int64_t now_ns);
/* Puts every "sending" row back to "pending", due now. Returns the count. */
FL_MUST_CHECK int fl_store_outbox_recover(struct fl_store *s, int64_t now_ns, uint32_t *n);
/* Rows per state, indexed by enum fl_outbox_state. */
FL_MUST_CHECK int fl_store_outbox_counts(struct fl_store *s, uint64_t counts[5]);
/* The earliest due_ns of a pending row, or INT64_MAX. */
int64_t fl_store_outbox_next_due(struct fl_store *s);

const char *fl_ticket_state_name(enum fl_ticket_state st);
const char *fl_transition_name(enum fl_transition tr);
const char *fl_ticket_clock_name(enum fl_ticket_clock c);
const char *fl_clock_state_name(enum fl_clock_state st);
const char *fl_outbox_state_name(enum fl_outbox_state st);
/* Parses a transition's command name ("ack"); -EINVAL if none. */
FL_MUST_CHECK int fl_transition_parse(const char *name, enum fl_transition *out);

/* Dispatch directives (store_directive.c, docs/directives.md): an order
 * (调度指挥令) relayed down the branches, each branch's acknowledgement
 * against its deadline and its report upward. Who is told and through which
 * channel is the caller's (engine/pipeline/directive.h): the store records
 * the order, the branches it reached and what each did, and queues the
 * caller's notices under the directive's record in tickets (id "DIR-...",
 * rule "directive", archived from the start, like an announcement's), whose
 * history is the directive's. Strings are borrowed for the call. */
#define FL_DIRECTIVE_ASKS(X) X(ACK, "ack") X(ACT, "act") X(REPORT, "report")
enum fl_directive_ask {
#define X(name, text) FL_DIRECTIVE_ASK_##name,
	FL_DIRECTIVE_ASKS(X)
#undef X
	FL_DIRECTIVE_ASK__COUNT
};
struct fl_directive_new {
	const char *issuer;  /* "customer dispatch centre", "region company" */
	const char *text;    /* the order as given, 1..FL_DIRECTIVE_TEXT_MAX bytes */
	const char *scope;   /* as given: "all", "city Mingyang", "county Dongpo,Shuikou" */
	const char *level;   /* the plan's level name ("urgent"), may be NULL */
	enum fl_directive_ask ask;
	int64_t report_by_ns; /* ask REPORT: reports due by then; else 0 */
	int64_t issued_ns;
};
/* A branch the directive reaches: a city ("city", parent NULL: the region
 * is above it) or a county ("county", parent its city). */
struct fl_directive_branch {
	const char *branch, *level, *parent;
	int64_t deadline_ns; /* its acknowledgement is due by then */
};
#define FL_DIRECTIVE_TEXT_MAX 4096
/* add: a new directive with the id "DIR-<YYYYMMDD, UTC>-<n>" (n counts that
 * day's) written to id[id_len] (FL_STORE_ID_MAX + 1 is enough), and its
 * record. -EINVAL: no issuer, no text or text too long, no scope, report_by
 * without ask REPORT or the other way round. */
FL_MUST_CHECK int fl_store_directive_add(struct fl_store *s, const struct fl_directive_new *d,
                                         char *id, size_t id_len);
/* branch_add: the directive reaches b, sent at now_ns, with a history row.
 * -EEXIST: it reached that branch already; -ENOENT: no such directive. */
FL_MUST_CHECK int fl_store_directive_branch_add(struct fl_store *s, const char *id,
                                                const struct fl_directive_branch *b,
                                                int64_t now_ns);
/* ack: the branch acknowledged at now_ns (in time when at or before its
 * deadline), by whom (required) and a note (may be NULL), with a history
 * row. report: the branch reports what it found (text required), once; it
 * acknowledges too when it had not. Both: -ENOENT (no such directive or
 * branch), -EEXIST (acknowledged, reported already), -EINVAL. */
FL_MUST_CHECK int fl_store_directive_ack(struct fl_store *s, const char *id, const char *branch,
                                         const char *by, const char *note, int64_t now_ns);
FL_MUST_CHECK int fl_store_directive_report(struct fl_store *s, const char *id,
                                            const char *branch, const char *by,
                                            const char *text, int64_t now_ns);
/* late_mark: the branch's late steps up to n (the count taken) are done,
 * with a history row what (required) and note. -ENOENT; -EEXIST when that
 * many were taken already: the step fires once, whoever ticks. */
FL_MUST_CHECK int fl_store_directive_late_mark(struct fl_store *s, const char *id,
                                               const char *branch, uint32_t n,
                                               const char *what, const char *note,
                                               int64_t now_ns);

/* Queries. Strings valid during the callback only; a time not reached is 0. */
struct fl_directive_view {
	const char *id, *issuer, *text, *scope, *level;
	enum fl_directive_ask ask;
	int64_t issued_ns, report_by_ns;
	int64_t branches, acked, reported; /* how many of its branches */
};
struct fl_directive_branch_view {
	const char *branch, *level, *parent;
	int64_t sent_ns, deadline_ns, acked_ns, reported_ns;
	const char *acked_by, *ack_note, *reported_by, *report; /* NULL when not yet */
	uint32_t late_steps;
};
typedef int fl_store_directive_fn(void *ctx, const struct fl_directive_view *d);
typedef int fl_store_directive_branch_fn(void *ctx, const struct fl_directive_branch_view *b);
/* directives_each: oldest first; with open_only those a branch has still
 * to acknowledge (or, for ask REPORT, to report). directive_get: fn once, or
 * -ENOENT. branches_each: the directive's branches, cities first, each city
 * followed by its counties. A callback's non-zero return stops the walk and
 * is returned. */
FL_MUST_CHECK int fl_store_directives_each(struct fl_store *s, bool open_only,
                                           fl_store_directive_fn *fn, void *ctx);
FL_MUST_CHECK int fl_store_directive_get(struct fl_store *s, const char *id,
                                         fl_store_directive_fn *fn, void *ctx);
FL_MUST_CHECK int fl_store_directive_branches_each(struct fl_store *s, const char *id,
                                                   fl_store_directive_branch_fn *fn,
                                                   void *ctx);
/* Every branch not acknowledged whose deadline is <= now_ns, of every
 * directive, by deadline: the caller decides which late steps are due.
 * fn may not write to the store: collect, then write. */
struct fl_directive_late {
	const char *id, *branch, *level, *parent;
	int64_t deadline_ns;
	uint32_t late_steps;
};
typedef int fl_store_directive_late_fn(void *ctx, const struct fl_directive_late *l);
FL_MUST_CHECK int fl_store_directive_late_each(struct fl_store *s, int64_t now_ns,
                                               fl_store_directive_late_fn *fn, void *ctx);
/* The yearly record per branch over directives issued in [from_ns, to_ns):
 * received, acknowledged in time, acknowledged late, never acknowledged (the
 * deadline passed before as_of_ns without one), still open (deadline not
 * reached at as_of_ns), reports sent. Cities first, then counties, by name. */
struct fl_directive_year_row {
	const char *branch, *level, *parent; /* parent: a county's city, NULL for a city */
	int64_t received, acked_in_time, acked_late, never, open, reports;
};
typedef int fl_store_directive_year_fn(void *ctx, const struct fl_directive_year_row *r);
FL_MUST_CHECK int fl_store_directive_year_each(struct fl_store *s, int64_t from_ns,
                                               int64_t to_ns, int64_t as_of_ns,
                                               fl_store_directive_year_fn *fn, void *ctx);
const char *fl_directive_ask_name(enum fl_directive_ask a);
/* Parses "ack", "act", "report"; -EINVAL otherwise. */
FL_MUST_CHECK int fl_directive_ask_parse(const char *text, enum fl_directive_ask *out);

#endif /* FL_STORE_H */
