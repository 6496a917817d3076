/* deliver.h - the outbox worker (outbox.h) on a thread of its own, for
 * `faultline run`: the same routing, plugins and retry policy as
 * `faultline outbox run`, on its own connection to the store, so a slow
 * receiver never holds up ingest or the store thread. */
#ifndef FL_DELIVER_H
#define FL_DELIVER_H

#include <stdint.h>

#include "engine/lib/compiler.h"

struct fl_deliver;
struct fl_outbox_bell;

/* argv: the options `faultline outbox` takes before its command (--route,
 * --set, --plugin-dir, --timeout-ms, --backoff-ms, --backoff-max-ms,
 * --poll-ms), borrowed
 * for the call. Returns 0, -EINVAL (bad options, reported on stderr), -ENOMEM
 * or -EAGAIN. A plugin that does not load ends the thread at once (reported;
 * fl_deliver_stop() returns 1). */
FL_MUST_CHECK int fl_deliver_start(struct fl_deliver **out, const char *db, int argc,
				   char **argv);
/* The same, with a bell (outbox.h, borrowed: it must outlive the worker)
 * that the worker waits on when idle instead of sleeping its poll interval:
 * ringing it after a commit that added rows gets them delivered at once. */
FL_MUST_CHECK int fl_deliver_start_bell(struct fl_deliver **out, const char *db, int argc,
					char **argv, struct fl_outbox_bell *bell);
/* The same, with the worker's clock reading at_ns at start and running on
 * at the wall clock's pace (`outbox run --at`); at_ns <= 0: the wall clock.
 * `replay --deliver` delivers in the recording's event time with it. */
FL_MUST_CHECK int fl_deliver_start_at(struct fl_deliver **out, const char *db, int argc,
				      char **argv, struct fl_outbox_bell *bell, int64_t at_ns);
/* Ends the worker after its current message; returns its exit status (0, 1). */
int fl_deliver_stop(struct fl_deliver *d);
/* Waits until a worker started with --once among its options has delivered
 * everything due and ended by itself; returns its exit status (0, 1). */
int fl_deliver_wait(struct fl_deliver *d);

#endif /* FL_DELIVER_H */
