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
 * lacks a level, text, who, or anything affected, or names a bad class. */
#ifndef FL_HOTLINE_H
#define FL_HOTLINE_H
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

struct fl_store;

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

#endif /* FL_HOTLINE_H */
