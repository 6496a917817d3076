/* duecal.h - the calendar of a periodic duty: when its k-th occurrence falls
 * due, on the wall clock of the plan's zone.
 *
 * A schedule is anchored at a local date and a minute of the day, and repeats
 * every n days, weeks or months. Every occurrence is computed from the
 * anchor, never from the one before, so nothing drifts: a monthly duty
 * anchored on 31 January falls on the last day of each shorter month (28 or
 * 29 February, 30 April) and back on the 31st in March. The minute of the
 * day is kept on the local clock across daylight saving: a 09:00 duty is at
 * 09:00 in summer and in winter; a minute that does not exist on the day the
 * clocks go forward is taken with one of the two offsets (tz.h).
 *
 * After a long stop (the engine down for weeks), a tick does not make every
 * occurrence it missed: fl_duecal_catch_up() gives the latest one due, once,
 * and how many were passed over, for the report to count. A duty ticket
 * asks people to do something now; ten stale ones for the same visit would
 * only be closed unread.
 *
 * Pure functions over the caller's values: any thread. */
#ifndef FL_DUECAL_H
#define FL_DUECAL_H
#include <stdbool.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

struct fl_tz;

enum fl_duecal_unit { FL_DUECAL_DAYS, FL_DUECAL_WEEKS, FL_DUECAL_MONTHS };

#define FL_DUECAL_EVERY_MAX 366 /* n of "every n UNIT" */

struct fl_duecal {
	int32_t year, month, day; /* the anchor: the first occurrence's local date */
	int32_t minute;		  /* of the day, 0..1439, local */
	uint32_t every;		  /* 1..FL_DUECAL_EVERY_MAX */
	enum fl_duecal_unit unit;
};

/* Is s a valid schedule (a real date from 1970 to 9999, minute, every)? */
bool fl_duecal_valid(const struct fl_duecal *s);

/* The k-th occurrence (k >= 0; 0 is the anchor) in UTC seconds. */
int64_t fl_duecal_nth(const struct fl_tz *tz, const struct fl_duecal *s, int64_t k);

/* The index of the latest occurrence due at or before t_s, or -1 when the
 * first is still to come. */
int64_t fl_duecal_last_due(const struct fl_tz *tz, const struct fl_duecal *s, int64_t t_s);

/* What a tick at t_s makes when occurrence done_k was the last one made
 * (-1: none yet): returns the index to make now, or -1 when nothing is due,
 * and sets *passed_over to the occurrences skipped between (0 or more). */
int64_t fl_duecal_catch_up(const struct fl_tz *tz, const struct fl_duecal *s, int64_t done_k,
			   int64_t t_s, int64_t *passed_over);

#endif /* FL_DUECAL_H */
