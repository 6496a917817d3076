/* store_ticket.c - the store's tickets: opening and updating incidents,
 * the lifecycle transitions and the clocks they meet, pauses for
 * maintenance windows, escalation steps, and the history every change
 * writes (store.h). */
#include "engine/store/store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/lib/limits.h"
#include "engine/store/store_duty.h"
#include "engine/store/store_int.h"

/* --- the lifecycle ---------------------------------------------------------- */
static const enum fl_ticket_state transition_to[] = {
#define X(name, text, to) FL_TICKET_##to,
	FL_TRANSITIONS(X)
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

bool fl_store_transition_allowed(enum fl_transition tr, enum fl_ticket_state from)
{
	if ((unsigned)tr >= FL_TR__COUNT || (unsigned)from >= FL_TICKET__COUNT)
		return false;
	return (transition_from[tr] >> from) & 1u;
}

/* --- operations ------------------------------------------------------------ */
/* store_int.h. Inside the caller's transaction: it does not enter one. */
int store_history_add(struct fl_store *s, const char *id, int64_t at_ns, const char *what,
                      const char *by, const char *note)
{
	struct store_stmt *st = store_stmt(s, "INSERT INTO history(ticket, at_ns, what, by, note)"
	                                 " VALUES(?1, ?2, ?3, ?4, ?5)");

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	sst_bind_int64(st, 2, at_ns);
	store_bind_text(st, 3, what);
	store_bind_text(st, 4, by);
	store_bind_text(st, 5, note);
	return store_step_done(s, st);
}

static int clock_insert(struct fl_store *s, const char *id, enum fl_ticket_clock c, int64_t budget_ms,
                        int64_t from_ns)
{
	struct store_stmt *st;

	if (budget_ms < 0)
		return 0;
	/* a clock the ticket has already is left as it is (clocks_follow) */
	st = store_stmt(s, "INSERT INTO clocks(ticket, clock, state, budget_ms, deadline_ns)"
	                   " VALUES(?1, ?2, 'running', ?3, ?4) ON CONFLICT DO NOTHING");
	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, store_clock_token(c));
	sst_bind_int64(st, 3, budget_ms);
	sst_bind_int64(st, 4, from_ns + budget_ms * NS_PER_MS);
	return store_step_done(s, st);
}

/* seq: the number the store's sequence gave the ticket, in its own column
 * (`tickets ack 123` finds it by index; the unique index refuses a number
 * twice); 0 for a ticket named by its caller. */
static int ticket_insert(struct fl_store *s, const struct fl_ticket_new *t, int64_t seq)
{
	struct store_stmt *st = store_stmt(
		s, "INSERT INTO tickets(id, rule, key, level, title, state, device, site, span,"
		   " ring, county, city, loc_class, circuits, customers, planned, unprotected,"
		   " opened_ns, updated_ns, seq) VALUES(?1, ?2, ?3, ?4, ?5, 'open', ?6, ?7, ?8,"
		   " ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17, ?18)");

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
	sst_bind_int64(st, 15, t->is_planned);
	sst_bind_int64(st, 16, t->is_unprotected);
	sst_bind_int64(st, 17, t->opened_ns);
	if (seq > 0)
		sst_bind_int64(st, 18, seq);
	else
		sst_bind_null(st, 18);
	return store_step_done(s, st);
}

/* The ticket's row, clocks and "opened" history, inside the caller's
 * transaction. -EEXIST: the id or the number is taken (the statement alone
 * is undone, the transaction goes on). */
static int incident_insert(struct fl_store *s, const struct fl_ticket_new *t, int64_t seq)
{
	/* respond is the duty operator's time: it starts when the ticket is
	 * raised (after a correlation's hold, say), never before the fault */
	int64_t raised_ns = t->raised_ns > t->opened_ns ? t->raised_ns : t->opened_ns;
	int rc = ticket_insert(s, t, seq);

	if (rc == 0)
		rc = clock_insert(s, t->id, FL_TICKET_CLOCK_RESPOND, t->respond_ms, raised_ns);
	if (rc == 0)
		rc = clock_insert(s, t->id, FL_TICKET_CLOCK_ONSITE, t->onsite_ms, t->opened_ns);
	if (rc == 0)
		rc = clock_insert(s, t->id, FL_TICKET_CLOCK_REPAIR, t->repair_ms, t->opened_ns);
	if (rc == 0)
		rc = store_history_add(s, t->id, t->opened_ns,
		                       t->is_planned ? "opened (planned)" : "opened", "faultline",
		                       t->title);
	return rc;
}

int fl_store_incident_open(struct fl_store *s, const struct fl_ticket_new *t)
{
	int rc;

	if (!t->id || !t->id[0] || strlen(t->id) > FL_STORE_ID_MAX || !t->level || !t->level[0])
		return -EINVAL;
	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	return store_txn_leave(s, incident_insert(s, t, 0));
}

/* The next number of the store's sequence (ticket_seq, migration 6): inside
 * the transaction that inserts the ticket, so a lost transaction gives its
 * number back and two engines, whose write transactions SQLite runs one
 * after the other, never draw the same one. */
static int seq_next(struct fl_store *s, int64_t *out)
{
	struct store_stmt *st = store_stmt(s, "UPDATE ticket_seq SET last = last + 1 RETURNING last");
	int rc;

	if (!st)
		return -EIO;
	rc = sst_step(st);
	if (rc != SQLITE_ROW) {
		sst_reset(st);
		if (rc != SQLITE_DONE)
			return store_rc(s, rc);
		snprintf(s->err, sizeof(s->err), "the ticket sequence has no row");
		return -EIO;
	}
	*out = sst_col_int64(st, 0);
	sst_reset(st);
	return 0;
}

/* After a number was found taken: the sequence moves past every number a
 * ticket holds, so a sequence set back (a file restored from an older
 * copy, a hand edit) costs one refusal, not one per ticket. */
static int seq_skip_taken(struct fl_store *s)
{
	struct store_stmt *st = store_stmt(s, "UPDATE ticket_seq SET last = max(last,"
	                                 " coalesce((SELECT max(seq) FROM tickets), 0))");

	return st ? store_step_done(s, st) : -EIO;
}

int fl_store_incident_open_numbered(struct fl_store *s, const struct fl_ticket_new *t,
                                    const char *prefix, char *id, size_t size, uint32_t *taken)
{
	char made[FL_STORE_ID_MAX + 1];
	struct fl_ticket_new nt = *t;
	time_t secs = (time_t)(t->opened_ns / NS_PER_S);
	struct tm tm;
	int rc;

	if (!prefix || !prefix[0] || strlen(prefix) > FL_STORE_ID_PREFIX_MAX || !t->level ||
	    !t->level[0] || size <= FL_STORE_ID_MAX || !gmtime_r(&secs, &tm))
		return -EINVAL;
	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	for (unsigned try = 0;; try++) {
		int64_t seq = 0;

		rc = seq_next(s, &seq);
		if (rc < 0)
			break;
		snprintf(made, sizeof(made), "%s-%04d-%06lld", prefix, tm.tm_year + 1900,
		         (long long)seq);
		nt.id = made;
		rc = incident_insert(s, &nt, seq);
		if (rc != -EEXIST)
			break;
		/* the id is another ticket's: never join it, take the next */
		if (taken)
			(*taken)++;
		if (try + 1 >= FL_STORE_ID_TRIES)
			break;
		rc = seq_skip_taken(s);
		if (rc < 0)
			break;
	}
	rc = store_txn_leave(s, rc);
	if (rc == 0)
		snprintf(id, size, "%s", made);
	return rc;
}

int fl_store_incident_update(struct fl_store *s, const char *id, const char *level,
                             const char *title, int is_unprotected, const char *note,
                             int64_t now_ns)
{
	struct store_stmt *st;
	char what[160];
	int rc;

	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE tickets SET level = coalesce(?2, level),"
	                   " title = coalesce(?3, title), unprotected = coalesce(?4, unprotected),"
	                   " updated_ns = ?5 WHERE id = ?1");
	if (!st)
		return store_txn_leave(s, -EIO);
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, level);
	store_bind_text(st, 3, title);
	if (is_unprotected >= 0)
		sst_bind_int64(st, 4, is_unprotected > 0);
	sst_bind_int64(st, 5, now_ns);
	rc = store_update_one(s, st);
	snprintf(what, sizeof(what), "updated%s%s%s", level ? ": level " : "", level ? level : "",
	         is_unprotected > 0 ? ", ring unprotected" : "");
	if (rc == 0)
		rc = store_history_add(s, id, now_ns, what, "faultline", note ? note : title);
	return store_txn_leave(s, rc);
}

static int clock_follow(struct fl_store *s, const char *id, enum fl_ticket_clock c,
                        int64_t budget_ms, int64_t at_ns)
{
	struct store_stmt *st;
	int rc;

	if (budget_ms < 0)
		return 0;
	/* a paused clock counts from its pause's start: the pause moves it on */
	st = store_stmt(
		s, "UPDATE clocks SET budget_ms = ?4, deadline_ns = ?4 * 1000000 +"
		   " CASE WHEN state = 'paused' THEN paused_at_ns ELSE ?3 END"
		   " WHERE ticket = ?1 AND clock = ?2 AND ((state = 'running'"
		   " AND ?3 + ?4 * 1000000 < deadline_ns) OR (state = 'paused'"
		   " AND paused_at_ns + ?4 * 1000000 < deadline_ns))");
	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, store_clock_token(c));
	sst_bind_int64(st, 3, at_ns);
	sst_bind_int64(st, 4, budget_ms);
	rc = store_step_done(s, st);
	return rc < 0 ? rc : clock_insert(s, id, c, budget_ms, at_ns);
}

int fl_store_incident_clocks_follow(struct fl_store *s, const char *id, int64_t respond_ms,
                                    int64_t onsite_ms, int64_t repair_ms, int64_t at_ns)
{
	int rc = store_txn_enter(s);

	if (rc < 0)
		return rc;
	rc = clock_follow(s, id, FL_TICKET_CLOCK_RESPOND, respond_ms, at_ns);
	if (rc == 0)
		rc = clock_follow(s, id, FL_TICKET_CLOCK_ONSITE, onsite_ms, at_ns);
	if (rc == 0)
		rc = clock_follow(s, id, FL_TICKET_CLOCK_REPAIR, repair_ms, at_ns);
	return store_txn_leave(s, rc);
}

int fl_store_incident_absorb(struct fl_store *s, const char *id, uint32_t n, const char *sample,
                             int64_t now_ns)
{
	struct store_stmt *st;
	char what[64];
	int rc;

	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE tickets SET alarms = alarms + ?2, updated_ns = ?3 WHERE id = ?1");
	if (!st)
		return store_txn_leave(s, -EIO);
	store_bind_text(st, 1, id);
	sst_bind_int64(st, 2, n);
	sst_bind_int64(st, 3, now_ns);
	rc = store_update_one(s, st);
	snprintf(what, sizeof(what), "absorbed %u", n);
	if (rc == 0 && sample)
		rc = store_history_add(s, id, now_ns, what, "faultline", sample);
	return store_txn_leave(s, rc);
}

static int ticket_state(struct fl_store *s, const char *id, enum fl_ticket_state *out)
{
	struct store_stmt *st = store_stmt(s, "SELECT state FROM tickets WHERE id = ?1");
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	rc = sst_step(st);
	if (rc == SQLITE_ROW)
		rc = store_state_from_token(store_col_text(st, 0), out);
	else
		rc = rc == SQLITE_DONE ? -ENOENT : store_rc(s, rc);
	sst_reset(st);
	return rc;
}

int fl_store_incident_clear(struct fl_store *s, const char *id, const char *note, int64_t now_ns)
{
	struct store_stmt *st;
	int rc;

	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE tickets SET cleared_ns = ?2, updated_ns = ?2"
	                   " WHERE id = ?1 AND cleared_ns IS NULL");
	if (!st)
		return store_txn_leave(s, -EIO);
	store_bind_text(st, 1, id);
	sst_bind_int64(st, 2, now_ns);
	rc = store_update_one(s, st);
	if (rc == 0) {
		rc = store_history_add(s, id, now_ns, "alarm cleared", "faultline", note);
	} else if (rc == -ENOENT) {
		enum fl_ticket_state state;

		rc = ticket_state(s, id, &state); /* 0: cleared before, -ENOENT: none */
	}
	return store_txn_leave(s, rc);
}

int fl_store_note(struct fl_store *s, const char *id, const char *what, const char *by,
                  const char *note, int64_t now_ns)
{
	int rc;

	if (!id || !what || !what[0])
		return -EINVAL;
	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	rc = store_history_add(s, id, now_ns, what, by ? by : "faultline", note);
	if (rc == -EINVAL) /* foreign key: no such ticket */
		rc = -ENOENT;
	return store_txn_leave(s, rc);
}

int fl_store_clock_get(struct fl_store *s, const char *id, enum fl_ticket_clock c,
                       struct fl_clock_info *out)
{
	struct store_stmt *st = store_stmt(s, "SELECT state, budget_ms, deadline_ns, met_ns, paused_ms,"
	                                 " pauses FROM clocks WHERE ticket = ?1 AND clock = ?2");
	struct fl_clock_info ci = {0};
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, store_clock_token(c));
	rc = sst_step(st);
	if (rc == SQLITE_ROW) {
		ci.state = store_clock_state_from_token(store_col_text(st, 0));
		ci.budget_ms = sst_col_int64(st, 1);
		ci.deadline_ns = sst_col_int64(st, 2);
		ci.met_ns = sst_col_int64(st, 3);
		ci.paused_ms = sst_col_int64(st, 4);
		ci.pauses = (uint32_t)sst_col_int64(st, 5);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		ci.state = FL_CLOCK_ST_NONE; /* the level sets no such clock */
		rc = 0;
	} else {
		rc = store_rc(s, rc);
	}
	sst_reset(st);
	if (rc == 0)
		*out = ci;
	return rc;
}

/* Ends a pause: the deadline moves by its length. */
static int clock_unpause(struct fl_store *s, const char *id, enum fl_ticket_clock c, int64_t now_ns)
{
	struct store_stmt *st = store_stmt(
		s, "UPDATE clocks SET state = 'running',"
		   " deadline_ns = deadline_ns + (?3 - paused_at_ns),"
		   " paused_ms = paused_ms + (?3 - paused_at_ns) / 1000000, paused_at_ns = NULL"
		   " WHERE ticket = ?1 AND clock = ?2 AND state = 'paused'");

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, store_clock_token(c));
	sst_bind_int64(st, 3, now_ns);
	return store_step_done(s, st);
}

/* The transition's clock: met if now is not past the deadline. */
static int clock_settle(struct fl_store *s, const char *id, enum fl_ticket_clock c, int64_t now_ns)
{
	struct store_stmt *st;
	int rc = clock_unpause(s, id, c, now_ns);

	if (rc < 0)
		return rc;
	/* a clock fl_store_clocks_expire() marked missed stays missed, and
	 * learns when its transition came at last */
	st = store_stmt(s, "UPDATE clocks SET state = CASE WHEN state = 'missed' THEN 'missed'"
	                   " WHEN ?3 <= deadline_ns THEN 'met' ELSE 'missed' END, met_ns = ?3"
	                   " WHERE ticket = ?1 AND clock = ?2 AND (state = 'running'"
	                   " OR (state = 'missed' AND met_ns IS NULL))");
	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, store_clock_token(c));
	sst_bind_int64(st, 3, now_ns);
	return store_step_done(s, st);
}

/* The ticket's clocks already past their deadline at now_ns (running, or
 * paused when already late) are missed, with the history row
 * fl_store_clocks_expire() writes: a restore after the on-site deadline
 * without an arrival leaves the on-site clock missed, not stopped. */
/* store_stmt() caches by the SQL's address: the statements are literals. */
#define LATE_CLOCKS " WHERE ticket = ?1 AND ((state = 'running' AND deadline_ns < ?2)" \
                    " OR (state = 'paused' AND deadline_ns < paused_at_ns))"
static int clocks_expire_ticket(struct fl_store *s, const char *id, int64_t now_ns)
{
	struct store_stmt *st = store_stmt(s, "INSERT INTO history(ticket, at_ns, what, by) SELECT"
	                                 " ticket, deadline_ns, clock || ' clock missed', 'faultline'"
	                                 " FROM clocks" LATE_CLOCKS " ORDER BY deadline_ns, clock");
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	sst_bind_int64(st, 2, now_ns);
	rc = store_step_done(s, st);
	if (rc < 0 || store_changes(s) == 0)
		return rc;
	st = store_stmt(s, "UPDATE clocks SET state = 'missed', paused_ms = paused_ms +"
	                   " CASE WHEN state = 'paused' THEN (?2 - paused_at_ns) / 1000000 ELSE 0 END,"
	                   " paused_at_ns = NULL" LATE_CLOCKS);
	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	sst_bind_int64(st, 2, now_ns);
	return store_step_done(s, st);
}

/* restore: the respond and on-site clocks still running no longer matter,
 * unless their deadline has passed already: those are missed. */
static int clocks_stop_rest(struct fl_store *s, const char *id, int64_t now_ns)
{
	int rc = clocks_expire_ticket(s, id, now_ns);
	struct store_stmt *st;

	if (rc < 0)
		return rc;
	st = store_stmt(
		s, "UPDATE clocks SET state = 'stopped', met_ns = ?2,"
		   " paused_ms = paused_ms + CASE WHEN state = 'paused'"
		   " THEN (?2 - paused_at_ns) / 1000000 ELSE 0 END, paused_at_ns = NULL"
		   " WHERE ticket = ?1 AND state IN ('running', 'paused')");

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	sst_bind_int64(st, 2, now_ns);
	return store_step_done(s, st);
}

static void allowed_from_text(enum fl_transition tr, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < FL_TICKET__COUNT; i++) {
		if (!fl_store_transition_allowed(tr, (enum fl_ticket_state)i))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? " or " : "",
		                 fl_ticket_state_name((enum fl_ticket_state)i));
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}

/* The one exception to the lifecycle: a duty's ticket (store_duty.h) asks
 * for work, not a repair, so it is resolved from any open state; an
 * incident's ticket still needs its service restored first. */
static bool duty_resolvable(struct fl_store *s, const char *id, enum fl_transition tr,
                            enum fl_ticket_state from)
{
	struct store_stmt *st;
	bool is_duty;

	if (tr != FL_TR_RESOLVE || from == FL_TICKET_RESOLVED || from == FL_TICKET_ARCHIVED)
		return false;
	if (store_prepare(s, "SELECT rule FROM tickets WHERE id = ?1", &st) != SQLITE_OK)
		return false;
	store_bind_text(st, 1, id);
	is_duty = sst_step(st) == SQLITE_ROW && store_col_text(st, 0) &&
	          strcmp(store_col_text(st, 0), FL_DUTY_RULE) == 0;
	sst_finalize(st);
	return is_duty;
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
	struct store_stmt *st;
	char what[96];
	int rc;

	if ((unsigned)tr >= FL_TR__COUNT || !by || !by[0] || !id)
		return -EINVAL;
	to = transition_to[tr];
	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	rc = ticket_state(s, id, &from);
	if (rc == -ENOENT && msg && msg_len)
		snprintf(msg, msg_len, "no ticket %s", id);
	if (rc == 0 && !fl_store_transition_allowed(tr, from) && !duty_resolvable(s, id, tr, from)) {
		char allowed[128];

		allowed_from_text(tr, allowed, sizeof(allowed));
		if (msg && msg_len)
			snprintf(msg, msg_len, "cannot %s %s: it is %s; %s needs %s",
			         fl_transition_name(tr), id, fl_ticket_state_name(from),
			         fl_transition_name(tr), allowed);
		rc = -EPERM;
	}
	if (rc < 0)
		return store_txn_leave(s, rc);
	st = store_stmt(s, stamp_sql[tr]);
	if (!st)
		return store_txn_leave(s, -EIO);
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, store_state_token(to));
	sst_bind_int64(st, 3, now_ns);
	rc = store_update_one(s, st);
	if (rc == 0 && transition_clock[tr] >= 0)
		rc = clock_settle(s, id, (enum fl_ticket_clock)transition_clock[tr], now_ns);
	if (rc == 0 && tr == FL_TR_RESTORE)
		rc = clocks_stop_rest(s, id, now_ns);
	snprintf(what, sizeof(what), "%s -> %s", fl_ticket_state_name(from),
	         fl_ticket_state_name(to));
	if (rc == 0)
		rc = store_history_add(s, id, now_ns, what, by, note);
	return store_txn_leave(s, rc);
}

int fl_store_clock_pause(struct fl_store *s, const char *id, enum fl_ticket_clock c, const char *reason,
                         const char *by, int64_t now_ns)
{
	struct store_stmt *st;
	char what[64];
	int rc;

	if ((unsigned)c >= FL_TICKET_CLOCK__COUNT || !reason || !reason[0])
		return -EINVAL;
	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	/* a clock paused before it started (the respond clock of a ticket
	 * opened inside a window starts when it is raised) pauses from its
	 * start: deadline - budget is the start moved by the pauses before */
	st = store_stmt(s, "UPDATE clocks SET state = 'paused',"
	                   " paused_at_ns = max(?3, deadline_ns - budget_ms * 1000000),"
	                   " pauses = pauses + 1 WHERE ticket = ?1 AND clock = ?2"
	                   " AND state = 'running'");
	if (!st)
		return store_txn_leave(s, -EIO);
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, store_clock_token(c));
	sst_bind_int64(st, 3, now_ns);
	rc = store_step_done(s, st);
	if (rc == 0 && store_changes(s) == 0)
		rc = -EPERM;
	snprintf(what, sizeof(what), "%s clock paused", fl_ticket_clock_name(c));
	if (rc == 0)
		rc = store_history_add(s, id, now_ns, what, by ? by : "faultline", reason);
	return store_txn_leave(s, rc);
}

int fl_store_clock_resume(struct fl_store *s, const char *id, enum fl_ticket_clock c, const char *by,
                          int64_t now_ns)
{
	char what[64];
	int rc;

	if ((unsigned)c >= FL_TICKET_CLOCK__COUNT)
		return -EINVAL;
	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	rc = clock_unpause(s, id, c, now_ns);
	if (rc == 0 && store_changes(s) == 0)
		rc = -EPERM;
	snprintf(what, sizeof(what), "%s clock resumed", fl_ticket_clock_name(c));
	if (rc == 0)
		rc = store_history_add(s, id, now_ns, what, by ? by : "faultline", NULL);
	return store_txn_leave(s, rc);
}

/* 0 when the ticket is planned, -EPERM when not, -ENOENT when none. */
static int ticket_planned(struct fl_store *s, const char *id)
{
	struct store_stmt *st = store_stmt(s, "SELECT planned FROM tickets WHERE id = ?1");
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	rc = sst_step(st);
	if (rc == SQLITE_ROW)
		rc = sst_col_int(st, 0) ? 0 : -EPERM;
	else
		rc = rc == SQLITE_DONE ? -ENOENT : store_rc(s, rc);
	sst_reset(st);
	return rc;
}

/* Was clock c last paused for a maintenance window? 1 yes, 0 no (paused by
 * a person for a reason of theirs, or never), or the store's error. */
static int paused_for_window(struct fl_store *s, const char *id, enum fl_ticket_clock c)
{
	struct store_stmt *st = store_stmt(s, "SELECT note FROM history WHERE ticket = ?1 AND what = ?2"
	                                 " ORDER BY id DESC LIMIT 1");
	char what[64];
	int rc;

	if (!st)
		return -EIO;
	snprintf(what, sizeof(what), "%s clock paused", fl_ticket_clock_name(c));
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, what);
	rc = sst_step(st);
	if (rc == SQLITE_ROW) {
		const char *note = store_col_text(st, 0);

		rc = note && strcmp(note, FL_STORE_PAUSE_WINDOW) == 0;
	} else {
		rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	}
	sst_reset(st);
	return rc;
}

int fl_store_incident_unplan(struct fl_store *s, const char *id, const char *what,
                             int64_t now_ns)
{
	struct store_stmt *st;
	int rc;

	if (!what || !what[0])
		return -EINVAL;
	/* asked first: a ticket not planned is the caller's mistake, and must
	 * not roll back the caller's transaction */
	rc = ticket_planned(s, id);
	if (rc < 0)
		return rc;
	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE tickets SET planned = 0, updated_ns = ?2 WHERE id = ?1");
	if (!st)
		return store_txn_leave(s, -EIO);
	store_bind_text(st, 1, id);
	sst_bind_int64(st, 2, now_ns);
	rc = store_update_one(s, st);
	if (rc == 0)
		rc = store_history_add(s, id, now_ns, what, "faultline", NULL);
	for (unsigned c = 0; rc == 0 && c < FL_TICKET_CLOCK__COUNT; c++) {
		char resumed[64];

		/* a clock someone paused for a reason of their own (no site
		 * access) stays paused until they resume it */
		rc = paused_for_window(s, id, (enum fl_ticket_clock)c);
		if (rc <= 0)
			continue;
		rc = clock_unpause(s, id, (enum fl_ticket_clock)c, now_ns);
		if (rc < 0 || store_changes(s) == 0)
			continue;
		snprintf(resumed, sizeof(resumed), "%s clock resumed",
		         fl_ticket_clock_name((enum fl_ticket_clock)c));
		rc = store_history_add(s, id, now_ns, resumed, "faultline", "maintenance window ended");
	}
	return store_txn_leave(s, rc);
}

int fl_store_clocks_stop_paused(struct fl_store *s, const char *id, const char *note,
                                int64_t now_ns)
{
	struct store_stmt *st;
	int rc;

	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE clocks SET state = 'stopped',"
	                   " paused_ms = paused_ms + (?2 - paused_at_ns) / 1000000,"
	                   " paused_at_ns = NULL WHERE ticket = ?1 AND state = 'paused'");
	if (!st)
		return store_txn_leave(s, -EIO);
	store_bind_text(st, 1, id);
	sst_bind_int64(st, 2, now_ns);
	rc = store_step_done(s, st);
	if (rc == 0 && store_changes(s) > 0)
		rc = store_history_add(s, id, now_ns, "clocks stopped", "faultline", note);
	return store_txn_leave(s, rc);
}

int fl_store_clocks_expire(struct fl_store *s, int64_t now_ns, uint32_t *n)
{
	struct store_stmt *st;
	int rc;

	*n = 0;
	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	/* the history first: it reads the clocks the update then changes */
	st = store_stmt(s, "INSERT INTO history(ticket, at_ns, what, by)"
	                   " SELECT ticket, deadline_ns, clock || ' clock missed', 'faultline'"
	                   " FROM clocks WHERE state = 'running' AND deadline_ns < ?1"
	                   " ORDER BY deadline_ns, ticket, clock");
	if (!st)
		return store_txn_leave(s, -EIO);
	sst_bind_int64(st, 1, now_ns);
	rc = store_step_done(s, st);
	if (rc == 0 && store_changes(s) > 0) {
		st = store_stmt(s, "UPDATE clocks SET state = 'missed'"
		                   " WHERE state = 'running' AND deadline_ns < ?1");
		if (!st)
			return store_txn_leave(s, -EIO);
		sst_bind_int64(st, 1, now_ns);
		rc = store_step_done(s, st);
		if (rc == 0)
			*n = (uint32_t)store_changes(s);
	}
	return store_txn_leave(s, rc);
}

int fl_store_step_taken(struct fl_store *s, const char *id, uint32_t step_index, int64_t now_ns)
{
	struct store_stmt *st;
	char what[48];
	int rc;

	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "INSERT INTO steps(ticket, step, at_ns) VALUES(?1, ?2, ?3)");
	if (!st)
		return store_txn_leave(s, -EIO);
	store_bind_text(st, 1, id);
	sst_bind_int64(st, 2, step_index);
	sst_bind_int64(st, 3, now_ns);
	rc = store_step_done(s, st);
	if (rc == -EINVAL) /* foreign key: no such ticket */
		rc = -ENOENT;
	snprintf(what, sizeof(what), "escalation step %u", step_index);
	if (rc == 0)
		rc = store_history_add(s, id, now_ns, what, "faultline", NULL);
	return store_txn_leave(s, rc);
}

/* --- queries ---------------------------------------------------------------- */
int fl_store_ticket_state(struct fl_store *s, const char *id, enum fl_ticket_state *out)
{
	return ticket_state(s, id, out);
}

int fl_store_ticket_noted_at(struct fl_store *s, const char *id, const char *what,
                             int64_t *at_ns)
{
	struct store_stmt *st = store_stmt(
		s, "SELECT max(at_ns) FROM history WHERE ticket = ?1 AND what = ?2");
	int rc;

	*at_ns = 0;
	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, what);
	rc = sst_step(st);
	if (rc == SQLITE_ROW && !sst_col_is_null(st, 0))
		*at_ns = sst_col_int64(st, 0);
	rc = rc == SQLITE_ROW ? (*at_ns != 0) : rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_reset(st);
	return rc;
}

int fl_store_ticket_noted(struct fl_store *s, const char *id, const char *what)
{
	int64_t at_ns;

	return fl_store_ticket_noted_at(s, id, what, &at_ns);
}

int fl_store_steps_taken(struct fl_store *s, const char *id, uint32_t *steps, size_t max,
                         size_t *n)
{
	struct store_stmt *st = store_stmt(s, "SELECT step FROM steps WHERE ticket = ?1 ORDER BY step");
	size_t count = 0;
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	while ((rc = sst_step(st)) == SQLITE_ROW) {
		if (count < max)
			steps[count] = (uint32_t)sst_col_int64(st, 0);
		count++;
	}
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_reset(st);
	if (rc == 0)
		*n = count;
	return rc;
}

int fl_store_due_clocks(struct fl_store *s, int64_t now_ns, fl_store_due_fn *fn, void *ctx)
{
	struct store_stmt *st = store_stmt(
		s, "SELECT c.ticket, t.level, c.clock, t.state, c.deadline_ns FROM clocks c"
		   " JOIN tickets t ON t.id = c.ticket WHERE c.state = 'running'"
		   " AND c.deadline_ns <= ?1 AND t.state IN ('open', 'acknowledged',"
		   " 'dispatched', 'onsite') ORDER BY c.deadline_ns");
	int rc;

	if (!st)
		return -EIO;
	sst_bind_int64(st, 1, now_ns);
	while ((rc = sst_step(st)) == SQLITE_ROW) {
		struct fl_due_clock due = {
			.ticket = store_col_text(st, 0),
			.level = store_col_text(st, 1),
			.deadline_ns = sst_col_int64(st, 4),
		};
		const char *clock = store_col_text(st, 2);

		for (unsigned i = 0; i < FL_TICKET_CLOCK__COUNT; i++)
			if (clock && strcmp(clock, fl_ticket_clock_name((enum fl_ticket_clock)i)) == 0)
				due.clock = (enum fl_ticket_clock)i;
		if (store_state_from_token(store_col_text(st, 3), &due.state) < 0)
			continue;
		rc = fn(ctx, &due);
		if (rc != 0) {
			sst_reset(st);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_reset(st);
	return rc;
}

int64_t fl_store_next_deadline(struct fl_store *s)
{
	return store_single_int(s,
	                  "SELECT min(deadline_ns) FROM clocks WHERE state = 'running'",
	                  INT64_MAX);
}
