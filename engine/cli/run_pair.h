/* run_pair.h - `run --pair NAME`: one of two engines that get the same
 * input and share one PostgreSQL store. The standby waits here, its inputs
 * bound (the kernel holds what arrives meanwhile), until it takes the lead
 * (fl_store_lead_try()); then it starts as any engine restarting does: the
 * open tickets and their ladders from the store, its journal fed again.
 * Main thread only. */
#ifndef FL_RUN_PAIR_H
#define FL_RUN_PAIR_H
#include <stdatomic.h>
#include <stdint.h>

struct fl_store;

/* Blocks until this engine leads the store at db, trying every
 * FL_RUN_PAIR_POLL_MS; between tries wait(ctx, FL_RUN_PAIR_POLL_MS) when
 * wait is not NULL (it must return within about that time), else a sleep.
 * Returns 0 with *lead (the connection that holds the
 * lead: close it only at exit, it gives the lead away) and *epoch (the
 * fencing number for the engine's writes); 1 when *stop_flags has stop_bit
 * set meanwhile; -1 when the store cannot be used (said on stderr). */
#define FL_RUN_PAIR_POLL_MS 200
typedef void fl_run_pair_wait_fn(void *ctx, int wait_ms);
int fl_run_pair_lead(struct fl_store **lead, int64_t *epoch, const char *db, const char *name,
                     atomic_uint *stop_flags, unsigned stop_bit, fl_run_pair_wait_fn *wait,
                     void *ctx);

#endif /* FL_RUN_PAIR_H */
