/* correlate_int.h - what the correlation engine's files share; not for
 * callers, who have correlate.h.
 *
 * Every timer of the engine is embedded as the first member of a struct whose
 * next member is its kind (struct tbase): the wheel hands back the timer and
 * the kind says whose it is. A rule's key state has one timer armed at the
 * earliest of its deadlines (absence, quiet period, raise grace); an incident
 * has one for its next ladder step; a span one for its hold or window; a
 * group one for its window.
 *
 * Raise grace: a raising rule whose alarms some correlation may absorb (or a
 * group may collect) waits that correlation's within + hold before opening,
 * so the consequences that arrive seconds before their cause are absorbed
 * by it instead of becoming tickets of their own. Its tally runs meanwhile.
 *
 * The files, by what they own:
 *   correlate.c               lifecycle, feed and timers, flush, queries
 *   correlate_incident.c      incidents: table, history, scope, maintenance,
 *                             absorption
 *   correlate_escalate.c      ladders, contacts, open and clear
 *   correlate_template.c      templates and `set` fields
 *   correlate_keys.c          keyed rule state and the events of one rule
 *   correlate_rule_actions.c  update, clear, emit and run
 *   correlate_locate.c        root cause: span, site and group correlations
 *   correlate_resume.c        incidents handed back after a restart
 * Same thread and ownership rules as correlate.h: one engine, one thread. */
#ifndef FL_CORRELATE_INT_H
#define FL_CORRELATE_INT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "engine/correlate/correlate.h"
#include "engine/correlate/match.h"
#include "engine/decode/event.h"
#include "engine/inventory/inventory.h"
#include "engine/lib/clock.h"
#include "engine/lib/keytab.h"
#include "engine/lib/limits.h"
#include "engine/lib/timerwheel.h"

#define FL_CORR_NEVER INT64_MAX /* no deadline */
#define FL_CORR_CLOCKS 3 /* respond, on-site, repair: FL_WHEN_RESPOND.. */
#define FL_CORR_TO_MAX FL_INVENTORY_MAX_HITS

enum tkind { T_KEY = 1, T_INCIDENT, T_SPAN, T_GROUP };

struct tbase {
	struct fl_timer t;
	uint8_t kind;
};

struct incident;

/* State of one key of one rule (a keytab slot). */
struct key_state {
	struct tbase tb;
	uint32_t rule;
	bool absent_fired, is_new;
	uint32_t n_times;
	struct incident *inc; /* open or pending incident this key raised */
	const struct fl_inv_device *dev;
	int64_t first_ns, last_ns;
	int64_t absent_due, quiet_due;
	uint64_t count;
	uint64_t absorbed_into; /* incident id, announced once */
	uint64_t state_hash;
	/* pair window (`clear where ... within`): the fault that opened it and
	 * the first instant past it (pair_due 0: none open); pair_timed_out: it
	 * ran out with the fault standing, until the fault's late clear */
	int64_t pair_from_ns, pair_due;
	bool pair_timed_out;
	/* threshold/flap: the times of the last n_times events (at most the
	 * rule's N) as a ring; the rule's table sizes each slot for its N. After
	 * them, for a rule with `on timeout` actions, the key and each action's
	 * text as rendered when the fault opened the window (fl_corr_pair_texts) */
	int64_t times[];
};

/* A step of an incident's ladder, and when it is due. */
struct ladder_step {
	int64_t due;
	uint32_t step; /* into prog->steps */
};

/* The parts of an incident few incidents use, allocated when one first needs
 * them (fl_corr_rare()). Storms open tens of thousands of rule incidents,
 * each in heap the kernel zeroes on first touch: without these parts an
 * incident takes 2,150 bytes rather than 2,800. */
struct incident_rare {
	char gkey[FL_CORR_KEY_MAX]; /* pending rule incident: its group key */
	/* ${span}: its spans joined by "+", and the duct that made them one */
	char span_text[192];
	char window_name[48]; /* a window of window_fn: its name */
	/* resumed after a restart: the store's ticket and the steps it took */
	char ticket[FL_STORE_ID_MAX + 1];
	uint32_t taken[FL_LADDER_STEPS_MAX];
	size_t n_taken;
};

struct incident {
	struct tbase tb;
	struct fl_incident pub;
	struct key_state *slot; /* rule incidents: the key that raised it */
	size_t live_pos;	/* its slot in fl_engine.live */
	bool is_pending;
	int64_t pending_due;
	int64_t absorb_until; /* correlation incidents: absorbs until then */
	uint64_t emitted_count, emitted_absorbed;
	uint32_t gcorr; /* pending rule incident: its group (key in rare) */
	/* ladder steps in firing order: owned, as many as its ladder has
	 * (up to FL_LADDER_STEPS_MAX), NULL when it has none */
	struct ladder_step *ladder;
	size_t n_steps, next_step, cap_steps;
	/* sites whose alarms it absorbs */
	const struct fl_inv_site **scope;
	size_t n_scope;
	const struct fl_inv_ring *ring;
	bool site_heard; /* site incident: a device of the site talked again */
	/* site incident: the site went down (silent, or its facing spans lost
	 * signal) at down_ns; until then it is at risk (a power alarm) */
	bool site_is_down;
	int64_t down_ns;
	/* a `run` that came while it was pending: delivered when it opens */
	char *held_run_text; /* malloc'd, NULL when none */
	uint32_t held_run_channel;
	uint32_t held_run_rule;
	/* planned: when the window it opened in ends (0: no end known); once
	 * it has, the time its clocks were paused for the window */
	int64_t window_end_ns, paused_ns;
	/* when it was raised (its open action): the respond clock runs from
	 * then; 0 for one resumed after a restart (then its first alarm) */
	int64_t raised_ns;
	/* its clocks' deadlines (respond, on-site, repair; FL_CORR_NEVER: its
	 * level has none), set when it opens and moved by a change of level
	 * (fl_corr_relevel) */
	int64_t clock_due_ns[FL_CORR_CLOCKS];
	struct incident_rare *rare; /* owned; NULL until fl_corr_rare() */
};

struct span_state {
	struct tbase tb;
	const struct fl_inv_span *span;
	uint32_t corr; /* the SPAN correlation its evidence feeds */
	bool standing[2]; /* LOS at a, b */
	int64_t at_ns[2];
	int64_t cleared_ns; /* the latest clear of either end, as stamped */
	bool hold_armed, window_armed, suppressed;
	struct incident *inc;
};

struct site_state {
	const struct fl_inv_site *site;
	size_t n_silent;
	int64_t silent_from_ns; /* the last silent device's last event */
	int64_t silent_for_ms;	/* and the absence that made it silent */
	int64_t heard_ns;	/* the last event of any device of the site */
	bool power_standing;	/* a site alarm (power) raised and not cleared */
	int64_t power_ns;	/* when it was raised */
	struct incident *inc;
};

struct group_state {
	struct tbase tb;
	uint32_t corr;
	uint64_t count;
	int64_t first_ns;
	const struct fl_inv_device *dev;
	char key[FL_CORR_KEY_MAX];
};

/* A derived event (`emit`) waiting to be fed after the event that made it. */
struct derived {
	int64_t at_ns;
	uint32_t depth; /* 1: emitted by an input event, 2: by a derived one, ... */
	bool has_peer;
	socklen_t peer_len;
	struct sockaddr_storage peer;
	size_t host_len, text_len;
	char host[256];
	char text[FL_CORR_EMIT_TEXT_MAX];
};

struct rule_info {
	bool has_raise, is_span_input;
	bool has_more; /* update, clear, emit or run among its actions */
	uint32_t raise_action;
	/* quiet_ms: a key idle this long forgets its window's times; its
	 * incident clears then only under `clear after quiet` */
	int64_t grace_ms, quiet_ms;
	uint32_t port_capture; /* a capture named "port", FL_PROG_NONE */
	uint32_t *corrs;       /* correlations it feeds (in the engine's links) */
	size_t n_corrs;
	uint32_t *absorbers; /* correlations that absorb it (in links too) */
	size_t n_absorbers;
	uint32_t group_corr; /* first GROUP correlation it feeds, FL_PROG_NONE */
};

struct fl_engine {
	const struct fl_program *prog;
	struct fl_clock *clock;
	struct fl_engine_config cfg;
	struct fl_match *m;
	struct fl_timerwheel *tw;
	struct fl_keytab **keys; /* per rule, created at first use */
	struct fl_keytab *spans, *sites, *groups;
	struct fl_keytab *resumed; /* tickets fl_engine_resume() took, by id; at first use */
	struct rule_info *ri;
	uint32_t *links; /* every rule_info's corrs and absorbers, one block */
	/* not yet freed, by id; a freed one leaves a NULL hole until the next
	 * compaction (at an entry point, never inside a loop over it), so
	 * freeing costs O(1) however many are open */
	struct incident **live;
	size_t n_live, cap_live; /* slots used, holes included */
	size_t n_alive;		 /* incidents in it */
	struct incident **corr; /* the correlation incidents among them: absorbers */
	size_t n_corr, cap_corr;
	uint64_t next_id;
	int64_t now_ns;
	bool have_event;
	uint32_t ev_rule; /* rule whose fields the current templates read */
	/* with no event: the key (as fl_corr_build_key() wrote it) of rule
	 * render_key_rule whose values the templates read (a resumed pair
	 * window's); NULL: none */
	const char *render_key;
	uint32_t render_key_rule;
	struct fl_engine_stats stats;
	size_t total_keys; /* live keys of all rules */
	char keybuf[FL_CORR_KEY_MAX];
	char to_text[FL_CORR_TO_MAX][160];
	/* the places whose branches contacts are asked for: [lo, hi) */
	size_t places_lo, places_hi;
	const char *to[FL_CORR_TO_MAX];
	/* derived events: a FIFO ring, fed once the event that emitted them is done */
	const struct fl_event *cur_ev; /* the event being fed */
	uint32_t depth;		       /* its generation: 0 for the input's */
	struct derived emitq[FL_CORR_EMIT_QUEUE_MAX];
	size_t q_head, q_n;
	struct derived cur_derived;
	struct fl_event derived_ev;
	/* a line that names no host, named by its sender (with_sender_host) */
	struct fl_event sender_ev;
	char sender_host[46]; /* INET6_ADDRSTRLEN */
	char run_text[FL_CORR_EMIT_TEXT_MAX];
};


/* ---- small helpers ---------------------------------------------------------- */

static inline int64_t fl_corr_ns_to_ms(int64_t ns)
{
	return ns / FL_NS_PER_MS;
}

static inline bool fl_corr_in_list(const uint32_t *refs, uint32_t first, uint32_t n, uint32_t x)
{
	for (uint32_t i = first; i < first + n; i++)
		if (refs[i] == x)
			return true;
	return false;
}

/* A C string as a slice; NULL gives FL_STR_NONE. */
static inline struct fl_str fl_corr_cs(const char *s)
{
	return s ? fl_str_make(s, strlen(s)) : FL_STR_NONE;
}

/* The bytes an `on timeout` action's text takes in a key's slot: a title or
 * a derived event's text (rendered when the fault opens the pair window). */
#define FL_CORR_PAIR_TITLE_MAX sizeof(((struct fl_incident *)NULL)->title)
static inline size_t fl_corr_timeout_text_size(const struct fl_prog_action *a)
{
	return a->kind == FL_ACT_RAISE ? FL_CORR_PAIR_TITLE_MAX : FL_CORR_EMIT_TEXT_MAX;
}

/* ---- correlate_incident.c: timers, actions, the incident table ------------- */

/* arm: (re)arms tb at at_ns, rounded up to the wheel's millisecond; a full
 * wheel counts timers_refused. */
void fl_corr_arm(struct fl_engine *e, struct tbase *tb, int64_t at_ns);
void fl_corr_disarm(struct fl_engine *e, struct tbase *tb);
void fl_corr_history(struct incident *inc, int64_t at_ns, enum fl_action_type what,
		     uint32_t rule);
void fl_corr_emit(struct fl_engine *e, struct fl_action *a);
void fl_corr_emit_simple(struct fl_engine *e, struct incident *inc, enum fl_action_type t,
			 int64_t at_ns, uint32_t rule);
bool fl_corr_absorber_add(struct fl_engine *e, struct incident *inc);
void fl_corr_live_compact(struct fl_engine *e);
/* incident_new: NULL (counted as incidents_refused) when the table is full or
 * out of memory. incident_free: forgets it and every pointer to it. */
struct incident *fl_corr_incident_new(struct fl_engine *e, uint32_t source, bool is_corr,
				      int64_t at_ns);
void fl_corr_incident_free(struct fl_engine *e, struct incident *inc);
/* Frees the incident and what it owns, and nothing else: for the engine's
 * end, when no pointer to it matters any more. */
void fl_corr_incident_release(struct incident *inc);
/* The incident's rare parts, zeroed when first asked for; NULL when out of
 * memory (the caller goes without what it would have kept there). */
struct incident_rare *fl_corr_rare(struct incident *inc);
/* scope_span, scope_site: the sites whose alarms the incident absorbs, at
 * most FL_SCOPE_SITES_MAX (the rest counted as scope_sites_dropped). */
void fl_corr_scope_span(struct fl_engine *e, struct incident *inc, const struct fl_inv_span *sp);
void fl_corr_scope_site(struct fl_engine *e, struct incident *inc,
			const struct fl_inv_site *site);
/* span_class: the on-site class of a span, its more remote end's (township
 * > county > city). place_add: a place the incident covers from now on;
 * false when it had it already or is full (counted as places_dropped). A
 * span place is also kept in pub.spans; the incident's class becomes the
 * most remote of its places'. */
int fl_corr_span_class(const struct fl_inv_span *sp);
bool fl_corr_place_add(struct fl_engine *e, struct incident *inc, const struct fl_inv_span *sp,
		       const struct fl_inv_site *site, int64_t at_ns, const char *evidence);
void fl_corr_check_maintenance(struct fl_engine *e, struct incident *inc, int64_t at_ns);
bool fl_corr_covers(const struct incident *inc, const struct fl_inv_device *dev,
		    const char *gkey, uint32_t gcorr);
struct incident *fl_corr_find_absorber(struct fl_engine *e, uint32_t rule,
				       const struct fl_inv_device *dev, const char *gkey,
				       uint32_t gcorr, int64_t at_ns);
void fl_corr_absorb(struct fl_engine *e, struct incident *into, uint32_t rule,
		    struct key_state *ks, uint64_t n, int64_t at_ns);

/* ---- correlate_escalate.c: ladders, open and clear ------------------------- */

/* schedule_ladder: at most FL_LADDER_STEPS_MAX steps; the timed steps past
 * them are counted as ladder_steps_dropped and never fire. */
void fl_corr_schedule_ladder(struct fl_engine *e, struct incident *inc);
/* clocks_reset: the incident's clocks from its level, each from its start
 * (the opening, the raising, the end of the window it opened in). */
void fl_corr_clocks_reset(const struct fl_engine *e, struct incident *inc);
/* relevel: the incident's level or ladder changed after it opened, from
 * old_level and old_ladder (its own or FL_PROG_NONE): its clocks and its
 * ladder follow (see the definition); nothing when neither changed, or
 * while it is pending (its opening takes the new ones). Called before the
 * change is announced (the action carries when a new ladder started), and
 * fl_corr_run_due_steps() after. true: a new ladder started, whose steps
 * reach every place. */
bool fl_corr_relevel(struct fl_engine *e, struct incident *inc, uint32_t old_level,
		     uint32_t old_ladder, int64_t at_ns);
void fl_corr_window_ended(struct fl_engine *e, struct incident *inc, int64_t end_ns);
void fl_corr_run_due_steps(struct fl_engine *e, struct incident *inc, int64_t now_ns);
void fl_corr_incident_open(struct fl_engine *e, struct incident *inc, int64_t at_ns,
			   uint32_t rule);
void fl_corr_incident_clear(struct fl_engine *e, struct incident *inc, int64_t at_ns,
			    uint32_t rule, int64_t absorb_ms);
/* place_joined: the incident grew at at_ns, from pub.places[first] on (none
 * when first == n_places: it worsened in place). Pages what the plan asks:
 * the ladder's `worsened` steps, and the own branch and customers of the
 * new places for the steps taken so far. */
void fl_corr_place_joined(struct fl_engine *e, struct incident *inc, size_t first, int64_t at_ns);
/* A rule incident whose key went quiet (`clear after quiet`): cleared with
 * reason FL_CLEAR_QUIET, and its ladder's `step quiet` lines fire, not its
 * `step cleared` ones: quiet alarms are not word that the service is back. */
void fl_corr_incident_clear_quiet(struct fl_engine *e, struct incident *inc, int64_t at_ns,
				  uint32_t rule);

/* ---- correlate_template.c ------------------------------------------------- */

void fl_corr_render(struct fl_engine *e, const struct incident *inc, uint32_t t, char *out,
		    size_t size);
void fl_corr_apply_sets(struct fl_engine *e, struct incident *inc, uint32_t first, uint32_t n);

/* ---- correlate_keys.c: keyed rule state ------------------------------------ */

void fl_corr_key_rearm(struct fl_engine *e, struct key_state *ks);
struct fl_keytab *fl_corr_rule_table(struct fl_engine *e, uint32_t rule);
bool fl_corr_make_room(struct fl_engine *e, struct fl_keytab *kt);
size_t fl_corr_build_key(struct fl_engine *e, uint32_t rule);
/* A built key as output shows it: the kind octet dropped, separators '|'. */
void fl_corr_key_text(char *out, size_t size, const char *key);
size_t fl_corr_group_key(struct fl_engine *e, uint32_t corr, uint32_t rule, char *out,
			 size_t size);
void fl_corr_pending_done(struct fl_engine *e, struct key_state *ks, int64_t now_ns);
void fl_corr_key_timer(struct fl_engine *e, struct key_state *ks, int64_t now_ns);
void fl_corr_on_fault(struct fl_engine *e, uint32_t rule, struct key_state *ks, int64_t t,
		      bool *raised);
void fl_corr_on_clear(struct fl_engine *e, uint32_t rule, struct key_state *ks, int64_t t);
/* The pair window of a resumed incident's key (ks->inc set): timed out
 * before the restart, or open again from the incident's first fault, its
 * `on timeout` texts rendered from the key (fl_engine_resume). */
void fl_corr_pair_resume(struct fl_engine *e, struct key_state *ks, bool timed_out);

/* ---- correlate_rule_actions.c: update, clear, emit, run --------------------- */

void fl_corr_deliver_run(struct fl_engine *e, struct incident *inc, uint32_t channel,
			 const char *text, int64_t at_ns, uint32_t rule);
void fl_corr_correlation_actions(struct fl_engine *e, struct incident *inc, int64_t at_ns);
void fl_corr_rule_actions(struct fl_engine *e, uint32_t rule, struct key_state *ks, int64_t t,
			  uint64_t prior_id);
/* raise_to: an `on timeout raise` on the key's incident: takes its level and
 * ladder (FL_PROG_NONE: kept) and title (NULL or empty: kept), says so with an
 * update action of the reason given, and runs a new ladder from the opening.
 * emit_text: queues a derived event of that text from host (may be empty). */
void fl_corr_raise_to(struct fl_engine *e, struct incident *inc, const struct fl_prog_action *act,
		      const char *title, const char *reason, int64_t at_ns, uint32_t rule);
void fl_corr_emit_text(struct fl_engine *e, struct fl_str host, const char *text, int64_t at_ns);

/* ---- correlate_locate.c: spans, sites, groups ------------------------------- */

const struct fl_prog_action *fl_corr_raise_action(const struct fl_engine *e, uint32_t first,
						  uint32_t n);
struct span_state *fl_corr_span_state(struct fl_engine *e, const struct fl_inv_span *sp);
struct site_state *fl_corr_site_state(struct fl_engine *e, const struct fl_inv_site *s);
void fl_corr_site_check(struct fl_engine *e, const struct fl_inv_site *site, int64_t at_ns,
			bool silence);
void fl_corr_site_maybe_clear(struct fl_engine *e, const struct fl_inv_site *site,
			      int64_t at_ns);
void fl_corr_span_evidence(struct fl_engine *e, uint32_t rule, const struct fl_inv_device *dev,
			   bool is_clear, int64_t at_ns);
void fl_corr_span_timer(struct fl_engine *e, struct span_state *st, int64_t now_ns);
void fl_corr_group_input(struct fl_engine *e, uint32_t corr, uint32_t rule,
			 const struct fl_inv_device *dev, int64_t at_ns);
void fl_corr_group_timer(struct fl_engine *e, struct group_state *gs, int64_t now_ns);

/* ---- correlate_customers.c: customers of failed places, circuit levels ----- */

#define FL_CORR_CUSTOMERS_MAX 64 /* customers listed per class; more: dropped */

/* Customers of the circuits failed places touch, each named once (strings
 * are the inventory's): down: a circuit of theirs is down; at_risk: theirs
 * run on protection and none is down. dropped counts customers (and
 * circuits past the inventory's lists) left out; down_priorities has bit
 * 1u << priority of every down circuit. */
struct fl_corr_customers {
	const char *down[FL_CORR_CUSTOMERS_MAX];
	const char *at_risk[FL_CORR_CUSTOMERS_MAX];
	size_t ndown, nat_risk, dropped;
	unsigned down_priorities;
};

/* customers: over failed spans and sites (any number; see
 * fl_inventory_circuit_effect()); inv NULL gives none. 0, -EINVAL, -ENOMEM.
 * incident_places: the failed places of an incident, those before
 * e->places_hi: its span places into spans (room for FL_INCIDENT_MAX_PLACES
 * + FL_INCIDENT_MAX_SPANS), its site places (once the site is down, not while
 * on battery) into sites (room for FL_INCIDENT_MAX_PLACES); returns how many
 * sites. incident_customers: customers over those places.
 * circuit_level: the level an incident's down circuits call for (the first
 * level whose `circuits` clause names a down circuit's priority) when it is
 * more severe than the incident's own; FL_PROG_NONE otherwise. Call it when
 * the incident opens and when its places grow. */
FL_MUST_CHECK int fl_corr_customers(const struct fl_inventory *inv,
				    const struct fl_inv_span *const *spans, size_t nspans,
				    const struct fl_inv_site *const *sites, size_t nsites,
				    struct fl_corr_customers *out);
size_t fl_corr_incident_places(const struct fl_engine *e, const struct incident *inc,
			       const struct fl_inv_span **spans, size_t *nspans,
			       const struct fl_inv_site **sites);
FL_MUST_CHECK int fl_corr_incident_customers(const struct fl_engine *e,
					     const struct incident *inc,
					     struct fl_corr_customers *out);
uint32_t fl_corr_circuit_level(const struct fl_engine *e, const struct incident *inc);

/* ---- correlate_explain.c: `replay --explain` (only when cfg.explain) ------- */

/* What a key looked like before its fault, to say afterwards what changed. */
struct fl_corr_explain_mark {
	uint64_t inc_id; /* its open or pending incident, 0 none */
	uint64_t opened, absorbed, suppressed;
};

void fl_corr_explain(struct fl_engine *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fl_corr_explain_miss(struct fl_engine *e, uint32_t rule);
void fl_corr_explain_hit(struct fl_engine *e, uint32_t rule, enum fl_match_result res,
			 size_t klen);
void fl_corr_explain_mark(const struct fl_engine *e, const struct key_state *ks,
			  struct fl_corr_explain_mark *out);
void fl_corr_explain_fault(struct fl_engine *e, uint32_t rule, const struct key_state *ks,
			   const struct fl_corr_explain_mark *before);
void fl_corr_explain_clear(struct fl_engine *e, const struct key_state *ks);
void fl_corr_explain_action(struct fl_engine *e, const struct fl_action *a);
void fl_corr_explain_unmatched(struct fl_engine *e);

#endif /* FL_CORRELATE_INT_H */
