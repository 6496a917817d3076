/* correlate.h - the compiled plan running on events: keyed rule state,
 * correlations, located incidents, escalation, and the action stream.
 *
 * A struct fl_engine owns everything a shard needs to run one program: the
 * matcher (match.h), one keyed state table per rule (keytab.h, capped, the
 * least recently used key evicted and counted), a timer wheel for windows,
 * holds and ladder steps (timerwheel.h), the topology state of spans and
 * sites, and the incidents. One thread owns an engine; nothing in it is
 * locked and nothing is global, so several engines live in one process
 * (tests, `faultline test`, a plan being checked beside the running one).
 *
 * Time: the engine reads a struct fl_clock. With an event clock (replay,
 * tests) time is the events' own time: fl_engine_feed() moves it forward,
 * so the same input gives the same actions byte for byte. An event more than
 * late_ms behind the newest one is counted as late and dropped; one within
 * the tolerance is processed with its own time (timers do not run backwards).
 *
 * Output: every change of an incident is an action (struct fl_action) passed
 * to the caller's callback at once, in order. The incident it points to is
 * borrowed for the call.
 *
 * Failures: a full state table evicts (counted), a full incident table
 * refuses the raise (counted); nothing a plan or an event does aborts. */
#ifndef FL_CORRELATE_H
#define FL_CORRELATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"
#include "engine/lib/limits.h"
#include "grammar/program.h"

struct fl_match;

struct fl_clock;
struct fl_event;
struct fl_engine;
struct fl_inv_device;
struct fl_inv_site;
struct fl_inv_span;

#define FL_ACTION_KINDS(X) \
	X(OPEN, "open") X(UPDATE, "update") X(ABSORB, "absorb") X(CLEAR, "clear") \
	X(ESCALATE, "escalate") X(NOTIFY, "notify") X(SUPPRESS, "suppress")
enum fl_action_type {
#define X(name, text) FL_ACTION_##name,
	FL_ACTION_KINDS(X)
#undef X
	FL_ACTION__COUNT
};
const char *fl_action_name(enum fl_action_type t);

enum fl_incident_state { FL_INCIDENT_OPEN, FL_INCIDENT_CLEARED, FL_INCIDENT_MERGED };

#define FL_INCIDENT_MAX_SPANS 8
#define FL_INCIDENT_MAX_PLACES 8 /* places kept; later ones counted as places_dropped */
#define FL_INCIDENT_MAX_FIELDS 4 /* `set` fields kept; later ones are dropped */

/* A place an incident covers: a span cut or a site down. An incident over a
 * shared duct, a ring cut twice or a dead site with its facing spans has
 * several, each with when it joined and how it was told. */
enum fl_place_kind { FL_PLACE_SPAN, FL_PLACE_SITE };

struct fl_incident_place {
	enum fl_place_kind kind;
	const struct fl_inv_span *span; /* FL_PLACE_SPAN */
	const struct fl_inv_site *site; /* FL_PLACE_SITE */
	int64_t joined_ns;
	const char *evidence; /* static text */
};

struct fl_incident_history {
	int64_t at_ns;
	enum fl_action_type what;
	uint32_t rule; /* the rule whose event changed it (FL_PROG_NONE: a timer) */
};

/* A field an incident's `set` actions wrote. */
struct fl_incident_field {
	const char *name; /* the plan's */
	char value[128];
};

/* An incident, read-only for callers. Strings are the engine's or the
 * inventory's; they live as long as the incident. */
struct fl_incident {
	uint64_t id;
	uint32_t source; /* rule or correlation index */
	bool is_correlation;
	const char *source_name;
	char key[FL_CORR_KEY_MAX];
	uint32_t level; /* into program levels */
	uint32_t ladder;
	char title[256];
	/* location; NULL when not known */
	const struct fl_inv_device *device;
	const struct fl_inv_site *site;
	const struct fl_inv_span *spans[FL_INCIDENT_MAX_SPANS];
	size_t n_spans;
	const char *span_name; /* the span, or the shared-risk group cut as one */
	/* location class (on-site clock): the site's, but a span on a county ring
	 * is a county fault and one on a city or backbone ring a city fault */
	int loc_class; /* enum fl_inv_site_class; -1 when unknown */
	const char *evidence;  /* how it was located: "both ends", "one end", ... */
	/* every place it covers, in the order they joined (correlations only):
	 * n_places of them, NULL while none. Only some incidents have places
	 * or fields, and tens of thousands may be open: the room for them is
	 * taken when the first comes, not in every incident. */
	struct fl_incident_place *places;
	size_t n_places;
	int64_t first_ns, last_ns, cleared_ns;
	/* a ladder that replaced its first one (a change of level) started
	 * then: its `after` steps count from there; 0: from the opening */
	int64_t ladder_from_ns;
	uint64_t count, absorbed;
	enum fl_incident_state state;
	bool is_planned;
	const char *window; /* the maintenance window that made it planned */
	struct fl_incident_field *fields; /* from `set` actions; NULL while none */
	size_t n_fields;
	/* grows as it is written, up to FL_CORR_HISTORY_MAX entries */
	struct fl_incident_history *history;
	size_t n_history, cap_history;
	uint64_t history_dropped;
	/* the store's ticket it continues after a restart (fl_engine_resume),
	 * NULL for an incident this engine opened */
	const char *ticket;
};

/* One action of the stream. Fields beyond incident are set per kind:
 * notify: role, scope, channel and the contacts reached (to); absorb:
 * rule that was absorbed and its key; suppress: why. A rule's `run` action
 * is a notify with channel (the plugin's), reason "run" and text, no role;
 * a `step cleared` notify has reason FL_NOTIFY_RESTORED. */
struct fl_action {
	enum fl_action_type type;
	int64_t at_ns;
	const struct fl_incident *incident;
	const char *rule; /* absorb: the absorbed rule */
	const char *key;
	const char *role, *scope, *channel, *reason;
	const char *const *to; /* notify: contacts, "name <address>" */
	size_t n_to;
	bool fell_back; /* notify: the role was found above the branch asked */
	const char *text; /* notify from a `run` action: the rendered template */
	uint32_t step;	/* escalate, notify: the ladder step (index into program
			 * steps) that fired; FL_PROG_NONE otherwise */
};

/* The reason of a notify from a `step cleared` line: the incident cleared
 * and the message tells the service is restored. */
#define FL_NOTIFY_RESTORED "restored"
/* The reason of a notify that tells a place that joined an open incident
 * (a second span, a site gone down) to the people of the steps already
 * taken who had not been told. */
#define FL_NOTIFY_JOINED "place joined"
/* The reason of a notify from a `step worsened` line: the incident grew (a
 * second span cut on its ring, a duct's other span, a site at risk gone
 * down). */
#define FL_NOTIFY_WORSENED "worsened"
/* The reason of a clear after the rule's `clear after quiet` time without an
 * alarm, and of the notifies of its `step quiet` lines: nothing says the
 * service is back, only that the alarms stopped. */
#define FL_CLEAR_QUIET "quiet"
/* The reason of an update when a fault comes back `dedup` or more after its
 * key's previous one with its incident still open (no clear came between). */
#define FL_UPDATE_RECURRED "recurred"
/* The reason of an update by `on timeout raise`: the fault's clear did not
 * come within the rule's pair window. */
#define FL_UPDATE_TIMEOUT "timeout"
/* The reason of an update by a rule's `update` action. It and a timeout's
 * may change the incident's level, ladder and title. */
#define FL_UPDATE_ACTION "update"

typedef void fl_action_fn(const struct fl_action *a, void *ctx);

/* Maintenance windows kept outside the plan and its data files (the ticket
 * store's, `faultline maintenance add`), asked after those when an incident
 * opens: is its place inside one at at_ns? Returns true with the window's
 * name (written to name, NUL-terminated, at most name_len bytes) and the end
 * of the occurrence running at at_ns. Called on the engine's thread. */
typedef bool fl_window_fn(void *ctx, const struct fl_incident *inc, int64_t at_ns, char *name,
			  size_t name_len, int64_t *ends_ns);

/* Why an event did or did not become part of an incident (`replay
 * --explain`, docs/explain.md): the engine calls it with one line of text
 * (no newline) per step while it handles an event: each candidate rule's
 * verdict, its key, what became of the fault (a window filling, a tally on
 * an open incident, a hold), each action, or the nearest rule when none
 * matched. NULL: off, which costs one pointer test per event. */
typedef void fl_explain_fn(void *ctx, const char *text);

struct fl_engine_config {
	int64_t late_ms;	     /* FL_CORR_LATE_MS_DEFAULT when 0; <0: none allowed */
	size_t max_keys_per_rule;    /* 0: FL_CORR_KEYS_PER_RULE_DEFAULT */
	size_t max_key_bytes_per_rule; /* 0: FL_CORR_KEY_BYTES_PER_RULE */
	size_t max_keys;	     /* 0: FL_CORR_KEYS_TOTAL_DEFAULT */
	bool keep_closed;	     /* keep cleared incidents (tests read them) */
	fl_action_fn *on_action;     /* may be NULL */
	void *ctx;
	fl_window_fn *window_fn;     /* may be NULL: the plan's windows only */
	void *window_ctx;
	fl_explain_fn *explain;	     /* may be NULL (the usual case) */
	void *explain_ctx;
	/* borrowed, may be NULL: a matcher of the program's rules
	 * (fl_match_create) for engines run one after another, which the
	 * engine points at its program (fl_match_use_program: the caller
	 * points it back if that program goes first) and does not destroy;
	 * NULL: the engine makes its own */
	struct fl_match *match;
};

struct fl_engine_stats {
	uint64_t events, matched, absorbed, late, evicted, key_too_long;
	uint64_t opened, cleared, suppressed, notified, incidents_refused, timers_refused;
	uint64_t regex_limit;
	uint64_t regex_pcre2, regex_rxlite; /* regex runs PCRE2 answered, or rxlite (rxlite.h) */
	/* PCRE2 compiles a matcher made of regexes the plan holds for rxlite
	 * alone, and those that failed for want of memory (that regex is then
	 * taken as not matching) */
	uint64_t regex_compiled, regex_uncompiled;
	uint64_t regex_shared; /* regex conditions answered by another rule's run of the same
				* regex on the same text of the event */
	uint64_t keys_refused; /* new keys refused: total cap reached, rule holds none */
	uint64_t updated;		   /* `update` actions applied */
	uint64_t emitted, emit_too_deep, emit_dropped; /* derived events (`emit`) */
	uint64_t runs, runs_without_incident; /* `run` actions: notified, or no open incident */
	uint64_t resumed, resume_refused; /* fl_engine_resume(): rebuilt, or refused */
	/* caps of limits.h: FL_LADDER_STEPS_MAX (steps not scheduled; steps taken
	 * a resumed ticket could not keep), FL_SCOPE_SITES_MAX (sites left out of
	 * an incident's scope) */
	uint64_t ladder_steps_dropped, resume_steps_dropped, scope_sites_dropped;
	uint64_t places_dropped; /* FL_INCIDENT_MAX_PLACES: places an incident could not keep */
	/* pair windows: faults whose clear did not come within the window, and
	 * clears that paired no fault (late, or with no fault before them);
	 * recurred: faults `dedup` or more after their key's previous one,
	 * while its incident stood open */
	uint64_t pair_timeouts, clears_unpaired, recurred;
	size_t live_keys, open_incidents;
};

/* A ticket still open in the store when the engine starts, handed back to it
 * so its ladder runs on (fl_engine_resume). Strings are borrowed for the
 * call; the engine copies what it keeps. */
struct fl_resumed_incident {
	const char *ticket; /* the store's id, 1..FL_STORE_ID_MAX bytes */
	const char *source; /* the rule or correlation that raised it */
	const char *key;    /* its correlation key, as the engine wrote it */
	const char *level;  /* the level's name */
	const char *title;  /* NULL: the level's name */
	const char *device, *site, *span; /* location names; NULL when unknown */
	int64_t first_ns;		  /* when it opened: the ladder runs from then */
	bool is_planned;		  /* opened inside a maintenance window */
	/* its rule's pair window timed out before the restart (the `on
	 * timeout` actions ran then): a later clear is unpaired, and they do
	 * not run again. false: the window runs on from first_ns */
	bool pair_timed_out;
	const uint32_t *steps_taken;	  /* ladder steps (program step indices) */
	size_t n_steps_taken;		  /* already taken: never fired again */
	/* the ticket's respond, on-site and repair deadlines as its store has
	 * them (a level raised since its opening moved them); 0: none kept,
	 * timed from its level and opening. Not read for a planned ticket:
	 * its clocks run from its window's end */
	int64_t clock_due_ns[3];
	/* its ladder replaced its first one then (0: never), as the store
	 * noted it (FL_STORE_LADDER_STARTED) */
	int64_t ladder_from_ns;
};

/* Lifecycle. The program and the clock are borrowed and must outlive the
 * engine. Returns 0, -EINVAL or -ENOMEM; *out set only on success. */
FL_MUST_CHECK int fl_engine_create(struct fl_engine **out, const struct fl_program *prog,
				   struct fl_clock *clock, const struct fl_engine_config *cfg);
void fl_engine_destroy(struct fl_engine *e);

/* Operations. feed: one decoded event (borrowed for the call); returns 0, or
 * -ESTALE when it was late and dropped. advance: runs the timers due by
 * now_ns (event clocks: moves the clock there). flush: emits an update for
 * each open incident whose tally changed since its last action (end of a
 * replay, so the stream ends with the final counts). */
int fl_engine_feed(struct fl_engine *e, const struct fl_event *ev);
void fl_engine_advance(struct fl_engine *e, int64_t now_ns);
void fl_engine_flush(struct fl_engine *e);
/* set_clock: the engine reads clock from now on (borrowed): a run that
 * caught up on its journal in event time goes live. Time never goes back:
 * the timers due by the new clock's time fire at the next advance. */
void fl_engine_set_clock(struct fl_engine *e, struct fl_clock *clock);

/* resume: rebuilds the live incident of a ticket that outlived the previous
 * engine: its location from the inventory by name, its level and ladder from
 * the plan. The ladder runs from r->first_ns: the steps that came due while
 * no engine ran fire now, once, in ladder order (their actions are emitted
 * before it returns); the steps in r->steps_taken never fire again. Later
 * events of the same rule (or correlation) and key join it instead of
 * raising a new incident, and every action on it carries r->ticket.
 * Returns 0, or (counted as resume_refused, nothing resumed): -EINVAL (no
 * ticket, source or level; a ticket id too long), -ENOENT (the plan has no
 * such rule, correlation or level), -ENXIO (a location name the inventory
 * does not know), -EEXIST (the ticket was resumed already), -ENOBUFS (the
 * incident table is full), -ENOMEM. Call it before the first event. */
int fl_engine_resume(struct fl_engine *e, const struct fl_resumed_incident *r);

/* Queries. next_timer: when the engine's earliest timer (hold, window,
 * grace, ladder step) is due, in *at_ns; false when none is armed. For a
 * live loop choosing how long it may sleep. */
void fl_engine_stats(const struct fl_engine *e, struct fl_engine_stats *out);
const struct fl_program *fl_engine_program(const struct fl_engine *e);
bool fl_engine_next_timer(const struct fl_engine *e, int64_t *at_ns);

#endif /* FL_CORRELATE_H */
