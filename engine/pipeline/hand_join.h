/* hand_join.h - which ticket opened from a call an alarm joins.
 *
 * A customer phones in a fault before (or without) the alarm that locates
 * it; when the engine is about to open a ticket for the located incident,
 * the ticket already opened by hand for that fault takes the alarm instead,
 * so the duty room works one ticket with both histories. The rule, most
 * specific first:
 *
 *   SPAN     the hand ticket names the located span;
 *   DEVICE   it names the alarm's device, or a device at an end of the span;
 *   SITE     it names the alarm's site, or the site of an end of the span;
 *   CIRCUIT  one of its circuits (a customer's: `tickets open` lists them)
 *            is among those the incident brings down, i.e. its path crosses
 *            the located span (for a site's outage: it ends at the site).
 *
 * A hand ticket that names anything else (another span, site or device, a
 * circuit that does not ride the span) is not joined, even if it also
 * names a matching circuit: what the caller said is where the fault is. The
 * most specific match wins; among equals, the ticket opened first (the
 * earliest call); an alarm that matches none opens its own ticket.
 *
 * Pure functions over borrowed strings: no store, no inventory, any thread. */
#ifndef FL_HAND_JOIN_H
#define FL_HAND_JOIN_H
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/limits.h"
#include "engine/store/hotline.h"

#define FL_HAND_JOIN_PLACES 3 /* the alarm's own device or site and the span's two ends */

enum fl_hand_match {
	FL_HAND_NONE = 0,
	FL_HAND_CIRCUIT,
	FL_HAND_SITE,
	FL_HAND_DEVICE,
	FL_HAND_SPAN,
};

/* Where the alarm located the fault. Unused entries are NULL. */
struct fl_hand_fault {
	const char *span;                          /* the located span, or NULL */
	const char *devices[FL_HAND_JOIN_PLACES]; /* the alarm's device, the span's ends */
	const char *sites[FL_HAND_JOIN_PLACES];   /* the alarm's site, the ends' sites */
	const char *circuits;                      /* ';'-separated: the ones it brings down */
};

/* How t covers f (FL_HAND_NONE: it does not). */
enum fl_hand_match fl_hand_match(const struct fl_hand_fault *f, const struct fl_hotline_ticket *t);

/* Feeds candidates one by one and keeps the best: start with a zeroed
 * struct; after the last, best_id is "" when none matched. */
struct fl_hand_pick {
	char best_id[FL_STORE_ID_MAX + 1];
	enum fl_hand_match best;
	int64_t best_opened_ns;
};
void fl_hand_pick_offer(struct fl_hand_pick *p, const struct fl_hand_fault *f,
                        const struct fl_hotline_ticket *t);

#endif /* FL_HAND_JOIN_H */
