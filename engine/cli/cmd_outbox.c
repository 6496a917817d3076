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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cli/cli.h"
#include "engine/cli/opts.h"
#include "engine/cli/store_cli.h"
#include "engine/lib/compiler.h"
#include "engine/lib/limits.h"
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

static int route_each(void *ctx, const struct fl_opt *opt, const char *val, char *err,
		      size_t err_len)
{
	struct outbox_args *a = ctx;

	(void)opt;
	(void)err, (void)err_len; /* the parser's "bad value for --route" says it */
	return fl_deliver_config_route(&a->deliver, val);
}

static int setting_each(void *ctx, const struct fl_opt *opt, const char *val, char *err,
			size_t err_len)
{
	struct outbox_args *a = ctx;
	int rc = fl_deliver_config_set(&a->deliver, val);

	(void)opt;
	if (rc == -ENOENT)
		snprintf(err, err_len, "bad value for --set: '%s' (give its --route first)", val);
	return rc;
}

/* Returns 0, FL_OPTS_HELP (the usage is on stdout), or a negative errno
 * after printing why (fl_cmd_outbox() adds the usage). */
static int parse_args(struct outbox_args *a, int argc, char **argv)
{
	struct fl_deliver_config *d = &a->deliver;
	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("--db", &d->db, "PATH", "the ticket store"),
		FL_OPT_STRING_ROW("--plugin-dir", &d->plugin_dir, "DIR", "where PLUGIN.so is"),
		FL_OPT_LIST_ROW("--route", route_each, "CHANNEL=PLUGIN", "deliver CHANNEL by PLUGIN"),
		FL_OPT_LIST_ROW("--set", setting_each, "CHANNEL.KEY=VALUE", "a setting of a route"),
		FL_OPT_UINT_ROW("--timeout-ms", &d->timeout_ms, 1, FL_PLUGIN_TIMEOUT_MS_MAX,
				FL_OPT_MS, "N", "time limit of one delivery"),
		FL_OPT_UINT_ROW("--backoff-ms", &d->policy.backoff_ms, 1, FL_DELIVER_BACKOFF_MS_MAX,
				FL_OPT_MS, "N", "first retry after about N"),
		FL_OPT_UINT_ROW("--backoff-max-ms", &d->policy.backoff_max_ms, 1,
				FL_DELIVER_BACKOFF_MS_MAX, FL_OPT_MS, "N", "retries at most N apart"),
		FL_OPT_UINT_ROW("--poll-ms", &d->poll_ms, 1, FL_DELIVER_POLL_MS_MAX, FL_OPT_MS, "N",
				"look for new rows every N"),
		FL_OPT_TIME_ROW("--at", &d->at_ns, "the worker's clock starts at TIME"),
		FL_OPT_FLAG_ROW("--once", &d->once, "run: deliver what is due, then exit"),
	};
	const struct fl_opts_cmd cmd = {"outbox", opts, FL_ARRAY_LEN(opts), 1, false,
					outbox_usage};
	struct fl_opts_result res;
	int rc = fl_opts_say(&cmd, argc, argv, a, &res);

	if (rc != 0)
		return rc;
	a->verb = res.n_words ? res.words[0] : NULL;
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

	status = parse_args(&a, argc, argv);
	if (status != 0) {
		if (status < 0)
			outbox_usage(stderr);
		status = status < 0 ? 2 : 0; /* FL_OPTS_HELP: answered */
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
