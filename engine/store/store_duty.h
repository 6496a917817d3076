/* store_duty.h - the occurrences of the plan's periodic duties
 * (store_duty.c; docs/store.md, "duty_runs"): each one made, per branch,
 * with its ticket of its own kind (id "DUTY-YYYY-NNNNNN", rule "duty",
 * no clocks, a deadline), and what the duties list and the report read.
 *
 * When a duty falls due is the caller's (engine/lib/duecal.h); the store
 * keeps one ticket per (duty, branch, due instant): a unique index, so two
 * engines on one store or two ticks of one instant make it once. A duty
 * ticket is resolved from any open state (fl_store_transition()), as the
 * work it asks for needs no acknowledgement or restoration.
 *
 * The store's thread, as every store call. Strings are borrowed for the
 * call. */
#ifndef FL_STORE_DUTY_H
#define FL_STORE_DUTY_H
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

struct fl_store;

#define FL_DUTY_RULE "duty"     /* tickets.rule of a duty ticket */
#define FL_DUTY_ID_PREFIX "DUTY"

struct fl_duty_occurrence {
	const char *duty;   /* the plan's duty name */
	const char *branch; /* "region", a city or a county */
	const char *level;  /* the branch's level: "region", "city", "county" */
	const char *city, *county; /* the branch's, for the ticket's place; may be NULL */
	const char *title;  /* the duty's text */
	int64_t due_k;      /* the occurrence's index on the duty's calendar */
	int64_t due_ns, deadline_ns;
	int64_t passed_over; /* occurrences skipped before it (catch-up after a stop) */
};

/* Makes the occurrence's ticket (opened at due_ns, history "due: TEXT")
 * and its duty_runs row, in the caller's transaction or one of its own;
 * its id goes to id[size] (size > FL_STORE_ID_MAX). Returns 0 when made;
 * -EEXIST when the occurrence has its ticket already (nothing written; in
 * the caller's transaction, that transaction is rolled back); -EINVAL for
 * a missing field; a store error. */
FL_MUST_CHECK int fl_store_duty_open(struct fl_store *s, const struct fl_duty_occurrence *o,
                                     int64_t now_ns, char *id, size_t size);

/* The latest occurrence made of duty at branch: 0 and *due_k, or -ENOENT. */
FL_MUST_CHECK int fl_store_duty_last(struct fl_store *s, const char *duty, const char *branch,
                                     int64_t *due_k);

/* The latest occurrence of duty per branch, branches in name order. A
 * non-zero return of fn stops the walk and is returned. */
struct fl_duty_run_view {
	const char *branch, *ticket, *state; /* state: the ticket's, as stored */
	int64_t due_ns, deadline_ns, resolved_ns, passed_over;
};
typedef int fl_store_duty_run_fn(void *ctx, const struct fl_duty_run_view *r);
FL_MUST_CHECK int fl_store_duty_runs_each(struct fl_store *s, const char *duty,
                                          fl_store_duty_run_fn *fn, void *ctx);

/* Per duty, the occurrences due in [from_ns, to_ns): done (resolved by the
 * deadline), done late, open, overdue (open past the deadline at as_of_ns),
 * and the occurrences passed over before them. Duties in name order. */
struct fl_duty_report_row {
	const char *duty;
	int64_t due, done, late, open, overdue, passed_over;
};
typedef int fl_store_duty_report_fn(void *ctx, const struct fl_duty_report_row *r);
FL_MUST_CHECK int fl_store_duty_report_each(struct fl_store *s, int64_t from_ns, int64_t to_ns,
                                            int64_t as_of_ns, fl_store_duty_report_fn *fn,
                                            void *ctx);

#endif /* FL_STORE_DUTY_H */
