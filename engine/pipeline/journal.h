/* journal.h - what `faultline run` accepted and may not have settled yet,
 * on disk.
 *
 * A fibre cut is held in memory for its correlation's window and hold before
 * it becomes a ticket; a crash or a restart inside that time lost it, though
 * the sender had been told the message arrived. The run's consumer thread
 * appends every message it takes (in the capture format of record.h) before
 * the engine sees it; at start, what the journal kept of the last window is
 * fed to the engine again before the inputs listen. What had already become
 * a ticket continues that ticket (the store finds the open ticket of the same
 * fault) and steps already taken are not taken again, so feeding a message
 * twice pages nobody twice.
 *
 * Two segments, PATH.0 and PATH.1, each written for one window: when the
 * current one is a window old the other is emptied and becomes current, so
 * between one and two windows of messages are kept. Lines are written with
 * write(): a crash of the process loses nothing written; fdatasync() at most
 * every FL_JOURNAL_SYNC_MS bounds what a power failure can lose. Files are
 * created 0600.
 *
 * Two threads write: the RELP input appends each message itself before it
 * is acknowledged (inputs.h, fl_inputs_set_keep()), so a message the sender
 * was told arrived is on disk even if the process dies before the consumer
 * takes it; the consumer appends the other inputs' messages, skipping those
 * the RELP thread kept, so no message is written, or fed again, twice.
 * append, tick and stats may be called from any thread (a mutex; fdatasync()
 * runs outside it); open, replay and close by the owner alone, while no
 * other thread appends. A line cut short by a failed write is removed again,
 * so the next line is never lost with it. */
#ifndef FL_JOURNAL_H
#define FL_JOURNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

#define FL_JOURNAL_SYNC_MS 200
#define FL_JOURNAL_LINE_MAX (256 * 1024) /* longer lines are not kept (counted) */

struct fl_journal;
struct fl_received;

struct fl_journal_stats {
	uint64_t appended, append_errors, too_long, syncs, rotations;
};

/* Lifecycle. open: the segments of path (created when missing), the newer
 * of them current. window_ns: how long a message is kept at least. Returns
 * 0, -ENOMEM, or the error of open(2) (err: one sentence). */
FL_MUST_CHECK int fl_journal_open(struct fl_journal **out, const char *path, int64_t window_ns,
				  int64_t now_ns, char *err, size_t err_cap);
void fl_journal_close(struct fl_journal *j);

/* Operations. replay: every kept line, the older segment first, in the order
 * written, to fn; the caller decodes and filters (fl_record_decode()).
 * Returns how many lines, or a negative errno. append: m as one record line;
 * 0, -EMSGSIZE (too long, not kept), or the write error (counted, and said
 * once on stderr until a line is written again). tick: syncs when due, rotates when the current segment is
 * a window old. */
typedef void fl_journal_line_fn(void *ctx, const char *line, size_t len);
FL_MUST_CHECK long fl_journal_replay(struct fl_journal *j, fl_journal_line_fn *fn, void *ctx);
int fl_journal_append(struct fl_journal *j, const struct fl_received *m);
void fl_journal_tick(struct fl_journal *j, int64_t now_ns);

/* Queries. kept: does either segment hold a line (something to replay)? */
void fl_journal_stats(struct fl_journal *j, struct fl_journal_stats *out); /* any thread */
bool fl_journal_kept(const struct fl_journal *j);

#endif /* FL_JOURNAL_H */
