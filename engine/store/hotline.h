/* hotline.h - a fault a person reports becomes a ticket.
 *
 * The plan's 7x24 hotline: a customer phones in a fault, and it must become
 * a ticket with the same clocks, ladder and history as an alarm's. This is
 * the one place that turns such a report into a ticket, for both `faultline
 * tickets open` and POST /api/tickets: the key, the level's clocks for the
 * location class, the places the caller named, and the history line "opened
 * from a call" by who took it, with the caller and what they report.
 *
 * The callers resolve names (the CLI against the inventory, the API takes
 * them as given) and pick the level from their plan; the module only
 * writes, in one transaction of its own, on the caller's store (one
 * thread). Errors: 0 or a negative errno (store.h); -EINVAL when the report
 * lacks a level, text, who, or anything affected, or names a bad class.
 *
 * An alarm that later locates the same fault joins the ticket rather than
 * open a second one: fl_hotline_each_open() gives the engine the hand
 * tickets still open, engine/pipeline/hand_join.h picks the one the fault
 * covers, fl_hotline_join() records the alarm on it. */
#ifndef FL_HOTLINE_H
#define FL_HOTLINE_H
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

struct fl_store;

/* The rule of every ticket opened from a call: the engine never resumes one
 * as its own incident (no rule of the plan raised it), it finds them when an
 * alarm may join one. */
#define FL_HOTLINE_RULE "hotline"

/* A plan level's clocks in ms (< 0: not set); onsite by location class,
 * in the order of fl_hotline_class(): city, county, township. */
struct fl_hotline_clocks {
	int64_t respond_ms, onsite_ms[3], repair_ms;
};

/* What the caller reports. Strings are borrowed for the call; NULL or ""
 * is absent. At least one of customer, circuit, site, span, device. */
struct fl_hotline_report {
	const char *level;  /* the plan's level name */
	struct fl_hotline_clocks clocks;
	const char *text;   /* what the caller reports: the title */
	const char *caller; /* who phoned ("张先生 0778-2123456"), may be absent */
	const char *by;     /* who took the call: the history's author */
	const char *customer, *circuit; /* ';'-separated lists */
	const char *site, *span, *device, *city, *county;
	const char *loc_class; /* city, county, township; absent: county if a county is named */
	int64_t now_ns;
};

/* The index of a location class in fl_hotline_clocks.onsite_ms: 0 city,
 * 1 county, 2 township, -1 anything else. */
int fl_hotline_class(const char *loc_class);

/* Opens the ticket (id "TEL-YYYY-NNNNNN", written to id[size]) with its
 * history line and a place row for each site and span named, all or
 * nothing. Returns 0, -EINVAL (see above), or the store's error. */
FL_MUST_CHECK int fl_hotline_open(struct fl_store *s, const struct fl_hotline_report *r,
                                  char *id, size_t size);

/* A hand ticket still open, as the engine matches an alarm against it.
 * Strings are the store's, valid during the callback only; NULL when the
 * ticket has none. */
struct fl_hotline_ticket {
	const char *id, *span, *site, *device;
	const char *circuits; /* ';'-separated */
	int64_t opened_ns;
};
typedef int fl_hotline_ticket_fn(void *ctx, const struct fl_hotline_ticket *t);

/* Calls fn for every ticket opened from a call that is still being worked
 * (before service restored, no alarm cleared on it), oldest first; a
 * non-zero return from fn stops the walk and is returned. */
FL_MUST_CHECK int fl_hotline_each_open(struct fl_store *s, fl_hotline_ticket_fn *fn, void *ctx);

/* The alarm that joins a hand ticket: where it located the fault. Strings
 * borrowed for the call; NULL: not known. */
struct fl_hotline_alarm {
	const char *title; /* the alarm's title, for the history */
	const char *device, *site, *span, *ring, *county, *city;
	int64_t at_ns;
};

/* Records the alarm on ticket id: the history line "joined by alarm"
 * ("<title> at <place>"), and the located place in each location field
 * the caller left empty (a ticket opened for a customer gains its span).
 * Returns 0, -ENOENT (no such ticket) or the store's error. */
FL_MUST_CHECK int fl_hotline_join(struct fl_store *s, const char *id,
                                  const struct fl_hotline_alarm *a);

#endif /* FL_HOTLINE_H */
