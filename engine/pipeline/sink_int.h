/* sink_int.h - what the parts of the store sink share. Records are made and
 * freed where the engine's types are known (sink_rec.c: fl_sink_rec_from(),
 * fl_sink_rec_free() in sink_store.h), held and driven by sink_store.c (the
 * queue, the thread, retries) and written by sink_write.c. The dependencies
 * are one way: sink_store.c uses the writer and records, the writer uses
 * records, records use neither. */
#ifndef FL_SINK_INT_H
#define FL_SINK_INT_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/lib/limits.h"
#include "engine/pipeline/sink_store.h"
#include "engine/store/store.h"
#include "grammar/program.h"

struct fl_keytab;
struct fl_tz;
struct fl_inventory;

/* The action kinds the writer knows (FL_ACTION_KINDS, in the same order). */
enum fl_sink_kind { SINK_OPEN, SINK_UPDATE, SINK_ABSORB, SINK_CLEAR, SINK_ESCALATE,
		    SINK_NOTIFY, SINK_SUPPRESS };

struct fl_sink_rec {
	int type; /* enum fl_sink_kind */
	int64_t at_ns, first_ns;
	int64_t ladder_from_ns; /* fl_incident.ladder_from_ns */
	uint64_t incident, count, absorbed;
	uint32_t level, step;
	int loc_class;
	bool is_planned, fell_back;
	bool is_fed_again; /* the engine's at start, from its journal (fl_sink_push_fed_again) */
	char *title, *rule, *key, *device, *site, *span, *ring, *county, *city;
	char *circuits, *customers, *channel, *role, *reason;
	char *ticket; /* the incident continues this ticket (resumed); may be NULL */
	char *window; /* the maintenance window that made it planned; may be NULL */
	char **to;
	size_t n_to;
	/* open, update, escalate of a correlation: every place it covers */
	struct fl_sink_place {
		const char *kind, *evidence; /* static texts */
		char *id;
		int64_t joined_ns;
	} *places;
	size_t n_places;
	size_t n_places_now; /* every action: how many places the incident has */
};

struct sink_step {
	uint32_t step;
	bool skip; /* taken before: nothing of it is sent again */
};

/* What the writer remembers of an incident, keyed by its id. */
struct sink_incident {
	uint64_t incident;
	bool cleared;
	bool is_planned; /* as the store has it: its clocks paused for the window */
	char ticket[FL_STORE_ID_MAX + 1];
	uint64_t absorbed; /* what the store has */
	size_t n_places;   /* the incident's places the store has */
	char rule[64];	   /* the rule or correlation the store has it under */
	int64_t ladder_from_ns; /* the ladder start the store has noted */
	struct sink_step steps[FL_SINK_STEPS_MAX];
	size_t n_steps;
	uint64_t undo_seq; /* the transaction that saved it for undo last */
};

/* An incident as the writer knew it before the open transaction changed it:
 * put back when the transaction is lost, so writing its records again does
 * what it did the first time. */
struct sink_undo {
	uint64_t incident;
	bool existed; /* false: the transaction made it; undo forgets it */
	struct sink_incident before;
};

/* The sink: its writer's state belongs to the thread that writes (the
 * caller of fl_sink_write(), or the store thread once started); the queue
 * and st are under mu. */
struct fl_sink {
	const struct fl_program *prog;
	struct fl_store *store;
	bool owns_store;
	const char *prefix;
	bool in_tx;
	struct fl_keytab *inc; /* struct sink_incident by incident id */
	/* Records not yet committed, oldest first, owned by the writer: the
	 * first in_batch are in the open transaction; after a failed commit
	 * all of them wait for the retry at retry_at_ms. */
	struct fl_sink_rec **held;
	size_t held_ring, held_head, held_len, in_batch; /* held_ring: its slots */
	struct sink_undo *undo; /* FL_SINK_BATCH_MAX: one per record at most */
	size_t n_undo;
	uint64_t batch_seq;
	struct fl_sink_stats batch_start; /* wst when the transaction began */
	bool is_failing;  /* records held until retry_at_ms */
	bool in_episode;  /* a failure not yet followed by a commit */
	int last_rc;	  /* the error of the last failure */
	int64_t retry_at_ms, backoff_ms, episode_start_ms, drain_ms;
	uint64_t episode_retries;
	FILE *log;
	int64_t log_window_ms;
	unsigned log_lines;
	uint64_t log_suppressed;
	/* thread */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool started, stopping;
	struct fl_sink_rec **q;
	size_t q_max, q_head, q_len;
	struct fl_sink_stats st;  /* under mu */
	uint64_t copy_failed;	  /* under mu: actions no record could be made of */
	struct fl_sink_stats wst; /* the writer's own */
	fl_sink_committed_fn *on_notices;
	void *on_notices_ctx;
	uint64_t notices_committed; /* wst.notices at the last commit */
	int64_t clocks_checked_ns; /* clocks past their deadline at this time are
				    * marked: 0 after a lost batch (look again) */
	int64_t directive_tick_ms, directive_next_ms; /* 0: no ticks; monotonic */
	int64_t duty_next_ms; /* the next look for duties due; monotonic */
	struct fl_tz *tz; /* the plan's zone, for the times of messages; NULL: UTC */
};

/* The writer (sink_write.c). write_one writes r inside the open
 * transaction, begun if none is, and returns 0 or the store's error (the
 * caller then rolls the transaction back and calls undo_all, which puts
 * back the writer's memory and counts as they were when it began).
 * forget_incident: the incident
 * table's eviction hook (its ctx is the sink). */
int sink_write_one(struct fl_sink *s, const struct fl_sink_rec *r);
void sink_undo_all(struct fl_sink *s);
void sink_forget_incident(const void *key, size_t key_len, void *val, void *ctx);

/* The join (sink_join.c): an incident about to open a ticket takes the open
 * ticket a person opened from a call for its fault. 1: joined, e->ticket
 * set; 0: none covers it; or the store's error. */
int sink_join_hand(struct fl_sink *s, struct sink_incident *e, const struct fl_sink_rec *r);

/* Messages (sink_message.c). pick: the plan's template for a notice of
 * that kind, step (its scope), role and channel (program.h, struct
 * fl_prog_message), or NULL (the built-in text). render: text with its
 * ${field}s filled in for one person (address: a customer contact's reads
 * only that customer's circuits), cut on a character to fit cap; returns
 * the length. */
struct sink_message_ctx {
	const struct fl_sink_rec *rec;
	const char *ticket, *level, *address;
	const struct fl_inventory *inv; /* may be NULL */
	const struct fl_tz *tz;		/* may be NULL: UTC */
};
const struct fl_prog_message *sink_message_pick(const struct fl_program *p, uint32_t step,
						const char *role, const char *channel,
						enum fl_message_when when);
size_t sink_message_render(const struct sink_message_ctx *x, const char *text, char *out,
			   size_t cap);

#endif /* FL_SINK_INT_H */
