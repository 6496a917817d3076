/* run_pair.c - the standby's wait for the lead (run_pair.h). */
#include "engine/cli/run_pair.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/cli/store_cli.h"
#include "engine/store/store.h"

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int fl_run_pair_lead(struct fl_store **lead, int64_t *epoch, const char *db, const char *name,
                     atomic_uint *stop_flags, unsigned stop_bit, fl_run_pair_wait_fn *wait,
                     void *ctx)
{
	const struct timespec poll = {0, FL_RUN_PAIR_POLL_MS * 1000000L};
	struct fl_store *s = fl_cli_store_open("run", db);
	int64_t waited_from = mono_ms();
	bool said = false;

	if (!s)
		return -1;
	while (!(atomic_load(stop_flags) & stop_bit)) {
		int rc = fl_store_lead_try(s, name, fl_cli_now_ns(), epoch);
		struct fl_store_lead l;

		if (rc == 0) {
			fprintf(stderr, "faultline run: %s leads (fencing number %lld) after %lld ms"
			                " as the standby\n",
			        name, (long long)*epoch, (long long)(mono_ms() - waited_from));
			fflush(stderr);
			*lead = s;
			return 0;
		}
		if (rc != -EAGAIN) {
			fprintf(stderr, "faultline run: cannot take the lead: %s\n",
			        fl_store_errmsg(s));
			break;
		}
		if (!said && fl_store_lead_get(s, &l) == 0) {
			fprintf(stderr, "faultline run: %s is the standby: %s leads (fencing number"
			                " %lld)\n", name, l.holder, (long long)l.epoch);
			fflush(stderr);
			said = true;
		}
		if (wait)
			wait(ctx, FL_RUN_PAIR_POLL_MS);
		else
			nanosleep(&poll, NULL);
	}
	fl_store_close(s);
	return atomic_load(stop_flags) & stop_bit ? 1 : -1;
}
