/* cmd_outbox.c - `faultline outbox`: the delivery worker on its own.
 *
 * The engine runs the same worker (engine/notify/deliver.h) on its outbox thread;
 * this command runs it against a database by hand, for replayed stores
 * (`replay --db` fills the outbox without delivering) and for the tests that
 * kill a delivering process. Routing comes from flags, one plugin instance
 * per channel:
 *   --route sms=sms --set sms.gateway=http://... --set sms.from=10086
 * maps channel "sms" to DIR/sms.so with settings gateway and from.
 * `run` starts by putting back rows a killed worker left claimed, then
 * delivers until it is killed (SIGTERM or -9 alike: every step is durable);
 * `run --once` delivers what is due now, retries included when their time
 * comes within the pass, and exits. `status` prints the rows per state.
 * The worker's clock is the wall clock, or with `--at TIME` a clock that
 * reads TIME at start and runs on at the wall clock's pace: a store filled
 * by `replay --db` is delivered in its own event time (`replay --deliver`
 * starts it at the recording's last event), so whether a message's time to
 * live has passed depends on the recording, not on the day it is replayed.
 * Exit status: 0, 1 a store or plugin failure, 2 usage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cli/cli.h"
#include "engine/cli/store_cli.h"
#include "engine/notify/deliver.h"
#include "engine/store/store.h"

struct outbox_args {
	const char *verb;
	struct fl_deliver_config deliver; /* --db, --once and the delivery options */
};

static void outbox_usage(FILE *out)
{
	fprintf(out,
	        "usage: faultline outbox [--db PATH] [--plugin-dir DIR] --route CHANNEL=PLUGIN ...\n"
	        "         [--set CHANNEL.KEY=VALUE ...] [--timeout-ms N] [--backoff-ms N]\n"
	        "         [--backoff-max-ms N] [--poll-ms N] [--at TIME] run [--once]\n"
	        "       faultline outbox [--db PATH] status\n"
	        "Delivers the outbox of the store through plugin DIR/PLUGIN.so per channel\n"
	        "(default DIR: plugins/ beside the faultline binary).\n"
	        "--at TIME: the worker's clock reads TIME (YYYY-MM-DDTHH:MM[:SS], Z or +HH:MM)\n"
	        "at start and runs on from there: a replayed store delivered in its event\n"
	        "time, where due times and times to live are judged (default: the wall clock).\n");
}

static int parse_args(struct outbox_args *a, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		int rc = 0;

		if (strcmp(opt, "--help") == 0) {
			outbox_usage(stdout);
			exit(0);
		}
		if (strcmp(opt, "--once") == 0) {
			a->deliver.once = true;
			continue;
		}
		if (opt[0] != '-') {
			if (a->verb) {
				fprintf(stderr, "faultline outbox: unexpected argument '%s'\n", opt);
				return -EINVAL;
			}
			a->verb = opt;
			continue;
		}
		if (!val) {
			fprintf(stderr, "faultline outbox: %s needs a value\n", opt);
			return -EINVAL;
		}
		i++;
		if (strcmp(opt, "--db") == 0)
			a->deliver.db = val;
		else if (fl_deliver_is_option(opt))
			rc = fl_deliver_config_option(&a->deliver, opt, val);
		else {
			fprintf(stderr, "faultline outbox: unknown option %s\n", opt);
			return -EINVAL;
		}
		if (rc < 0) {
			fprintf(stderr, "faultline outbox: bad value for %s: '%s'%s\n", opt, val,
			        rc == -ENOENT ? " (give its --route first)" : "");
			return rc;
		}
	}
	if (!a->verb || (strcmp(a->verb, "run") != 0 && strcmp(a->verb, "status") != 0)) {
		fprintf(stderr, "faultline outbox: which command? (run, status)\n");
		return -EINVAL;
	}
	return 0;
}

static int do_status(struct fl_store *s)
{
	static const char *const names[] = {"pending", "sending", "sent", "failed", "expired"};
	uint64_t c[5];
	int rc = fl_store_outbox_counts(s, c);

	if (rc < 0) {
		fprintf(stderr, "faultline outbox: status: %s\n", strerror(-rc));
		return 1;
	}
	printf("{");
	for (int i = 0; i < 5; i++)
		printf("%s\"%s\":%llu", i ? "," : "", names[i], (unsigned long long)c[i]);
	printf("}\n");
	return 0;
}

int fl_cmd_outbox(int argc, char **argv)
{
	struct outbox_args a = {0};
	struct fl_store *s;
	int status = 2;

	if (parse_args(&a, argc, argv) < 0) {
		outbox_usage(stderr);
		goto out;
	}
	status = 1;
	s = fl_cli_store_open("outbox", a.deliver.db);
	if (!s)
		goto out;
	status = strcmp(a.verb, "status") == 0 ? do_status(s) : fl_deliver_run(s, &a.deliver);
	fl_store_close(s);
out:
	fl_deliver_config_free(&a.deliver);
	return status;
}
