/* consent.h - customers' consent before a maintenance window.
 *
 * The emergency plan does maintenance that may affect users only after their
 * consent. A window's affected customers (those with a circuit over its
 * target, engine/pipeline/announce.h decides which) are recorded with it,
 * each with a consent state: missing (nobody asked yet), asked, given or
 * refused, who recorded it, when, and a note. The latest word of each
 * customer is kept; every change is also a line of the store's log on the
 * caller's side (the CLI and API say who did it).
 *
 * A window warns (consent_warning in its JSON, `maintenance list`, the
 * engine at its start) when it has affected customers, not every one of
 * them has given consent, and it has started or starts within the notice
 * period: the plan's longest `announce maintenance before` lead (the time
 * customers are told ahead), FL_CONSENT_NOTICE_MS_DEFAULT (72 h) without a
 * plan. One consent covers every occurrence of a recurring window.
 *
 * Runs on the caller's store and thread; each call is a transaction of its
 * own or part of the caller's. Errors: 0 or a negative errno (store.h). */
#ifndef FL_CONSENT_H
#define FL_CONSENT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

struct fl_store;

#define FL_CONSENT_NOTICE_MS_DEFAULT (72LL * 3600 * 1000)

#define FL_CONSENT_STATES(X) \
	X(MISSING, "missing") X(ASKED, "asked") X(GIVEN, "given") X(REFUSED, "refused")
enum fl_consent_state {
#define X(name, text) FL_CONSENT_##name,
	FL_CONSENT_STATES(X)
#undef X
	FL_CONSENT__COUNT
};

/* A window's customers by state; customers is their sum. */
struct fl_consent_counts {
	uint32_t customers, asked, given, refused, missing;
};

/* One customer's consent. Strings valid during the callback only. */
struct fl_consent_row {
	const char *customer;
	enum fl_consent_state state;
	const char *by, *note; /* NULL while missing */
	int64_t at_ns;         /* 0 while missing */
};
typedef int fl_consent_fn(void *ctx, const struct fl_consent_row *r);

/* The state's name ("given"); NULL for a bad value. parse: 0 or -EINVAL. */
const char *fl_consent_state_name(enum fl_consent_state st);
FL_MUST_CHECK int fl_consent_state_parse(const char *name, enum fl_consent_state *out);

/* Records the customers window affects, each missing unless known already
 * (a customer's recorded word is kept). Returns 0, -ENOENT (no such window),
 * -EINVAL, or the store's error. */
FL_MUST_CHECK int fl_consent_customers_add(struct fl_store *s, int64_t window,
                                           const char *const *customers, size_t n);

/* Records customer's word on window (state ASKED, GIVEN or REFUSED) by
 * `by` at now_ns with an optional note. Returns 0, -ENOENT (no such window,
 * or the customer is not one it affects), -EINVAL, or the store's error. */
FL_MUST_CHECK int fl_consent_record(struct fl_store *s, int64_t window, const char *customer,
                                    enum fl_consent_state state, const char *by,
                                    const char *note, int64_t now_ns);

/* Calls fn for each customer of window, by name; a non-zero return stops
 * the walk and is returned. */
FL_MUST_CHECK int fl_consent_each(struct fl_store *s, int64_t window, fl_consent_fn *fn,
                                  void *ctx);

/* The counts of window (all zero when it has no customers recorded). */
FL_MUST_CHECK int fl_consent_counts(struct fl_store *s, int64_t window,
                                    struct fl_consent_counts *out);

/* The warning rule above: next_from_ns is the occurrence running or next,
 * is_active whether it runs at now_ns; notice_ms < 0: the default. */
bool fl_consent_warning(const struct fl_consent_counts *c, bool is_active, int64_t next_from_ns,
                        int64_t now_ns, int64_t notice_ms);

#endif /* FL_CONSENT_H */
