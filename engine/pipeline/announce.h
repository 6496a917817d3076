/* announce.h - planned maintenance announced to the customers it affects.
 *
 * The emergency plan says maintenance that may affect users is announced in
 * advance. A struct fl_announcer holds the maintenance windows known to it
 * (the plan's `maintenance` blocks, the maintenance data file, the store's
 * `faultline maintenance add` windows) and, asked at an instant, yields the
 * announcements due then: for each window occurrence not yet started whose
 * lead time (the plan's `announce maintenance { before DUR ... }`) has come,
 * each customer with a circuit the window touches, each contact of that
 * customer holding the role, each channel. A window touches the circuits
 * riding its span, the spans of its device, of the devices at its site or of
 * its ring, the circuits ending at its site, and for a city all of that for
 * every site of the city.
 *
 * Every announcement carries an idempotency key,
 *     mw:<window>:<occurrence start, UTC>:b<lead, s>:c<customer hash>:<channel>:<address>
 * that does not change between calls or restarts: the store takes each key
 * once, so a check every minute enqueues each announcement once. Customers
 * listed in a data-file window's customers_notified column were told by
 * hand and are skipped; an occurrence that has started is never announced.
 *
 * Ownership and threads: the announcer borrows the program (and its
 * inventory) and the zone, and copies every window added. One thread owns an
 * announcer; nothing in it is global. Strings handed to the callback live
 * for the call. At most FL_ANNOUNCE_WINDOWS_MAX windows are held (more are
 * counted, announce.windows_dropped) and FL_ANNOUNCE_CIRCUITS_MAX circuits per
 * window are gathered (announce.circuits_dropped). */
#ifndef FL_ANNOUNCE_H
#define FL_ANNOUNCE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"
#include "grammar/program.h"

struct fl_announcer;
struct fl_store;
struct fl_tz;

enum fl_announce_recur { FL_ANNOUNCE_ONCE, FL_ANNOUNCE_WEEKLY, FL_ANNOUNCE_MONTHLY };

/* A window as the announcer reads it, whatever its source. Strings are
 * copied by fl_announcer_add(). */
struct fl_announce_window {
	const char *id; /* "MW-2026-1128-01", a plan window's name, "store-7" */
	enum fl_window_scope scope;
	const char *target;
	const char *reason;	  /* may be NULL */
	int64_t start_ns, end_ns; /* the first occurrence, end exclusive */
	enum fl_announce_recur recur;
	const char *const *told; /* customers told already (customers_notified) */
	size_t n_told;
};

/* One announcement due. Strings live for the callback. */
struct fl_announcement {
	const char *window, *customer, *person, *role, *channel, *address;
	int64_t start_ns, end_ns; /* the occurrence announced */
	int64_t due_ns;		  /* when its lead time began: start_ns - before */
	const char *circuits;	  /* the customer's circuits it touches, "A, B" */
	const char *key;	  /* the idempotency key (fl_notice_key_valid()) */
	const char *record;	  /* the store record the occurrence is kept under */
	const char *subject, *body; /* Chinese, with an English line */
	const struct fl_announce_window *w;
};

/* Returns 0 to go on; anything else stops the walk and is returned. */
typedef int fl_announce_fn(void *ctx, const struct fl_announcement *a);

struct fl_announce_stats {
	uint64_t windows;	    /* held now */
	uint64_t windows_dropped;   /* refused: FL_ANNOUNCE_WINDOWS_MAX */
	uint64_t circuits_dropped;  /* beyond FL_ANNOUNCE_CIRCUITS_MAX in one window */
	uint64_t told_before;	    /* customer skipped: customers_notified names it */
	uint64_t no_contact;	    /* customer without a contact holding the role */
	uint64_t due;		    /* announcements yielded */
	uint64_t consent_missing;   /* store windows started without every customer's
				     * consent (engine/store/consent.h), each warned once */
};

/* Lifecycle. prog and tz (NULL: UTC) are borrowed and must outlive the
 * announcer. Returns 0 or -ENOMEM; *out set only on success. */
FL_MUST_CHECK int fl_announcer_create(struct fl_announcer **out, const struct fl_program *prog,
				      const struct fl_tz *tz);
void fl_announcer_destroy(struct fl_announcer *a);

/* Operations. add: one window (copied); 0, -EINVAL (no id or target, end not
 * after start), -ENOBUFS (full, counted), -ENOMEM. add_plan: the plan's own
 * windows and those of its maintenance data file. add_store: the store's
 * windows not over at now_ns (as `faultline maintenance list` shows them),
 * named "store-<id>"; 0 or the store's error. reset: forgets every window. */
FL_MUST_CHECK int fl_announcer_add(struct fl_announcer *a, const struct fl_announce_window *w);
FL_MUST_CHECK int fl_announcer_add_plan(struct fl_announcer *a);
FL_MUST_CHECK int fl_announcer_add_store(struct fl_announcer *a, struct fl_store *s,
					 int64_t now_ns);
void fl_announcer_reset(struct fl_announcer *a);

/* Calls fn for each announcement due at now_ns: the next occurrence of each
 * window starting after now_ns, when now_ns >= start - before. Windows in the
 * order added, customers in circuit order, contacts, then channels. Returns
 * 0 or what fn returned. A plan without `announce maintenance` or without
 * data yields nothing. */
int fl_announcer_due(struct fl_announcer *a, int64_t now_ns, fl_announce_fn *fn, void *ctx);

/* The customers w touches (through the circuits above), each once, in the
 * order of their first circuit: fn(ctx, customer) for each, until it
 * returns non-zero, which is returned. For a window's consent
 * (engine/store/consent.h). */
typedef int fl_announce_customer_fn(void *ctx, const char *customer);
int fl_announcer_customers(struct fl_announcer *a, const struct fl_announce_window *w,
			   fl_announce_customer_fn *fn, void *ctx);

/* Enqueues one announcement into the store's outbox, in a transaction of its
 * own (or the caller's), under the record a->record (a planned, archived
 * ticket of level "maintenance" holding the window's notices and history).
 * Returns 0, -EEXIST (its key is queued already: told before) or the store's
 * error. */
FL_MUST_CHECK int fl_announce_enqueue(struct fl_store *s, const struct fl_announcement *a,
				      int64_t now_ns);

/* What a check queued: new announcements, and those queued before. */
struct fl_announce_tally {
	uint64_t queued, before;
	uint64_t consent_missing; /* windows started since the last check without consent */
};

/* For run and replay, which cannot see store.h beside clock.h: the
 * announcer opens its own connection to the store at db (closed by
 * fl_announcer_destroy()). 0, or fl_store_open()'s error with err set. */
FL_MUST_CHECK int fl_announcer_attach(struct fl_announcer *a, const char *db, char *err,
				      size_t err_len);
/* The check `run` makes at start and every FL_ANNOUNCE_CHECK_MS: gathers the
 * windows of the plan and of the attached store anew and enqueues what is
 * due at now_ns. Returns 0, -EINVAL (no store attached) or the first store
 * error (the check stops there; fl_announcer_errmsg() says why). */
FL_MUST_CHECK int fl_announce_check(struct fl_announcer *a, int64_t now_ns,
				    struct fl_announce_tally *t);
/* The same checks in event time over [from_ns, to_ns] (a replay): the
 * windows are gathered at from_ns, then checked every FL_ANNOUNCE_CHECK_MS
 * (a longer step when the span would need more than FL_ANNOUNCE_REPLAY_CHECKS
 * checks) and at to_ns. */
FL_MUST_CHECK int fl_announce_replay(struct fl_announcer *a, int64_t from_ns, int64_t to_ns,
				     struct fl_announce_tally *t);
const char *fl_announcer_errmsg(const struct fl_announcer *a);

/* Queries. */
void fl_announcer_stats(const struct fl_announcer *a, struct fl_announce_stats *out);

#endif /* FL_ANNOUNCE_H */
