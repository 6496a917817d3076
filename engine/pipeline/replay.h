/* replay.h - run a compiled plan over recorded syslog lines in event time.
 *
 * A struct fl_replay owns an event clock, an engine (correlate.h) and the
 * decoder's options; the caller hands it lines one by one and gets the action
 * stream as JSON Lines appended to a buffer it owns (drained as it likes).
 * Same lines in, same bytes out: nothing reads the wall clock except the year
 * of RFC 3164 times when no year is given, which the caller pins with
 * opts.year for a reproducible replay. One thread owns a replay.
 *
 * A line is a syslog line as a device sent it, or a record of `faultline
 * listen` (record.h: syslog or trap, with the time it was received), told
 * apart line by line. A record's event happened when it was received unless
 * the message says otherwise, exactly as in the live run.
 *
 * Merging several recordings: read each file's next line into its own
 * struct fl_replay_item, feed the one with the earliest fl_replay_item_time()
 * and read that file's next line; fl_replay_line() is read-and-feed for one
 * stream. */
#ifndef FL_REPLAY_H
#define FL_REPLAY_H
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"
#include "engine/correlate/correlate.h"

struct fl_buf;
struct fl_program;
struct fl_replay;
struct fl_tz;

struct fl_replay_opts {
	const struct fl_tz *tz; /* zone of times without an offset; NULL: UTC */
	int year;		/* year of RFC 3164 times; 0: the nearest to now */
	int64_t late_ms;	/* engine late tolerance; 0: the default */
	size_t max_keys_per_rule; /* 0: the defaults of limits.h */
	size_t max_keys;
	fl_action_fn *also; /* called with every action after it is written (the
			     * store sink); may be NULL */
	void *also_ctx;
	fl_window_fn *window_fn; /* maintenance windows beyond the plan's (the
				  * store's); may be NULL */
	void *window_ctx;
	fl_explain_fn *explain; /* the engine's account of each event (`--explain`,
				 * correlate.h); NULL: off */
	void *explain_ctx;
};

struct fl_replay_stats {
	uint64_t lines, undecoded;
	uint64_t records;     /* lines that were listen records */
	uint64_t bad_records; /* records that could not be read or whose trap did
			       * not decode: skipped, as live drops such a trap */
	struct fl_engine_stats engine;
	int64_t first_ns, last_ns; /* event time of the first line and the latest */
};

/* Lifecycle. out: where actions are appended (borrowed; must outlive the
 * replay). Returns 0, -EINVAL or -ENOMEM. */
FL_MUST_CHECK int fl_replay_create(struct fl_replay **out, const struct fl_program *prog,
				   const struct fl_replay_opts *opts, struct fl_buf *sink);
void fl_replay_destroy(struct fl_replay *r);

/* One line read ahead: its event and the bytes a record's message was
 * unescaped into. Returns 0 or -ENOMEM. */
struct fl_replay_item;
FL_MUST_CHECK int fl_replay_item_create(struct fl_replay_item **out);
void fl_replay_item_destroy(struct fl_replay_item *it);

/* Operations. line: one syslog line (no LF). finish: flushes the final
 * tallies; call once at the end. A full sink counts nothing and returns
 * -EMSGSIZE from line/finish: drain it between calls. */
int fl_replay_line(struct fl_replay *r, const char *p, size_t len);

/* read: decodes line p (borrowed until the item is fed) into it. prev_ns:
 * the time of the line before it in the same file, the time given to a line
 * that carries none (INT64_MIN for the first). feed: runs the item's event
 * through the engine (a record that could not be read is counted and
 * skipped); the same -EMSGSIZE as line. */
void fl_replay_read(struct fl_replay *r, struct fl_replay_item *it, const char *p, size_t len,
		    int64_t prev_ns);
int fl_replay_feed(struct fl_replay *r, struct fl_replay_item *it);
int64_t fl_replay_item_time(const struct fl_replay_item *it); /* the merge's key */
/* The item's event as read (for a caller that says what it feeds). */
const struct fl_event *fl_replay_item_event(const struct fl_replay_item *it);
/* Why the item's record could not be read, or NULL. */
const char *fl_replay_item_problem(const struct fl_replay_item *it);
int fl_replay_finish(struct fl_replay *r);
void fl_replay_stats(const struct fl_replay *r, struct fl_replay_stats *out);

#endif /* FL_REPLAY_H */
