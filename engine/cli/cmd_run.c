/* cmd_run.c - `faultline run`: the plan live on the network inputs.
 *
 * The main thread owns everything on the engine path: it drains the inputs'
 * queue, decodes each message, feeds the engine (live clock: the time an
 * event is taken is its time) and, between batches, runs the timers that
 * came due. Actions go to stdout as JSON Lines, flushed after each batch,
 * until the ticket store and the notification plugins consume them.
 * SIGINT/SIGTERM stop the inputs, drain what was queued, flush the final
 * tallies and print one summary line on stderr. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cli/cli.h"
#include "engine/notify/deliver.h"
#include "engine/lib/heap.h"
#include "engine/input/inputs.h"
#include "engine/lib/net.h"
#include "engine/notify/outbox.h"
#include "engine/pipeline/runner.h"
#include "engine/decode/message.h"

/* What the signal handlers saw: the one piece of file-scope state. */
static volatile sig_atomic_t run_stop;

#define DRAIN_WAIT_MS 100

struct run_state {
	struct fl_runner *runner;
	struct fl_event *ev;
	unsigned long long messages, undecoded;
};

static void on_signal(int sig)
{
	(void)sig;
	run_stop = 1;
}

static int usage(FILE *out)
{
	fprintf(out,
		"usage: faultline run -c PLAN [--data DIR] [--udp ADDR] [--tcp ADDR] [--relp ADDR]\n"
		"                     [--trap ADDR] [--allow [INPUT=]CIDR ...] [--community NAME ...]\n"
		"                     [--tz ZONE] [--max-keys-per-rule N] [--max-keys N]\n"
		"                     [--db PATH [--plugin-dir DIR] [--route CHANNEL=PLUGIN ...]\n"
		"                      [--set CHANNEL.KEY=VALUE ...] [--timeout-ms N]\n"
		"                      [--backoff-ms N] [--backoff-max-ms N] [--poll-ms N]]\n"
		"\n"
		"Runs PLAN live on the inputs (ADDR is IPv4:PORT or [IPv6]:PORT; port 0 picks\n"
		"a free port, announced on stderr as 'listening udp 127.0.0.1:40123') and\n"
		"writes the action stream as JSON Lines; a summary goes to stderr at exit.\n"
		"RFC 3164 times without a zone are read in --tz, by default the plan's zone.\n"
		"With --db the actions also go to the ticket store at PATH (a thread of its\n"
		"own, fed by a bounded queue); with --route the outbox is delivered by a\n"
		"delivery thread as `faultline outbox run` does it, with the same options.\n"
		"With --db and a plan that announces maintenance, the announcements due are\n"
		"queued at start and every minute (`faultline maintenance announce`).\n");
	return out == stdout ? 0 : 2;
}

static int input_by_name(const char *name, size_t len)
{
	for (int k = 0; k < FL_INPUT__COUNT; k++)
		if (strlen(fl_input_name((enum fl_input_kind)k)) == len &&
		    strncmp(fl_input_name((enum fl_input_kind)k), name, len) == 0)
			return k;
	return -1;
}

static int add_allow(struct fl_inputs_config *cfg, const char *arg)
{
	const char *eq = strchr(arg, '=');
	int only = eq ? input_by_name(arg, (size_t)(eq - arg)) : -1, rc = 0;

	if (eq && only < 0)
		return -EINVAL;
	for (int k = 0; k < FL_INPUT__COUNT && rc == 0; k++)
		if (only < 0 || only == k)
			rc = fl_cidr_list_add(&cfg->allow[k], eq ? eq + 1 : arg);
	return rc;
}

struct run_args {
	struct fl_runner_config rcfg;
	struct fl_inputs_config icfg;
	struct fl_deliver_config deliver; /* the delivery thread's routes and options */
	bool has_delivery_option;
};

static bool is_outbox_option(const char *flag)
{
	static const char *const opts[] = {"--plugin-dir", "--route", "--set", "--timeout-ms",
					   "--backoff-ms", "--backoff-max-ms", "--poll-ms"};

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strcmp(flag, opts[i]) == 0)
			return true;
	return false;
}

/* Returns 0, or 2 after reporting a usage error. */
static int parse_args(int argc, char **argv, struct run_args *a)
{
	static const char *const addr_flags[FL_INPUT__COUNT] = {"--udp", "--tcp", "--relp",
								"--trap"};
	bool any = false;

	for (int i = 1; i < argc; i++) {
		const char *flag = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		int k;

		if (!val) {
			fprintf(stderr, "faultline run: %s needs a value\n", flag);
			return 2;
		}
		i++;
		for (k = 0; k < FL_INPUT__COUNT && strcmp(flag, addr_flags[k]) != 0; k++)
			;
		if (k < FL_INPUT__COUNT) {
			a->icfg.addr[k] = val;
			any = true;
		} else if (strcmp(flag, "-c") == 0 || strcmp(flag, "--plan") == 0) {
			a->rcfg.plan = val;
		} else if (strcmp(flag, "--data") == 0) {
			a->rcfg.data_dir = val;
		} else if (strcmp(flag, "--tz") == 0) {
			a->rcfg.tz = val;
		} else if (strcmp(flag, "--allow") == 0) {
			if (add_allow(&a->icfg, val) < 0) {
				fprintf(stderr, "faultline run: --allow %s: not [INPUT=]CIDR\n", val);
				return 2;
			}
		} else if (strcmp(flag, "--community") == 0 &&
			   a->icfg.n_communities < FL_SNMP_MAX_COMMUNITIES && val[0]) {
			a->icfg.communities[a->icfg.n_communities++] = val;
		} else if (strcmp(flag, "--max-keys-per-rule") == 0) {
			a->rcfg.max_keys_per_rule = (size_t)strtoull(val, NULL, 10);
		} else if (strcmp(flag, "--db") == 0) {
			a->rcfg.db = val;
		} else if (is_outbox_option(flag)) {
			int rc = fl_deliver_config_option(&a->deliver, flag, val);

			if (rc < 0) {
				fprintf(stderr, "faultline run: bad value for %s: '%s'%s\n", flag, val,
					rc == -ENOENT ? " (give its --route first)" : "");
				return 2;
			}
			a->has_delivery_option = true;
		} else if (strcmp(flag, "--max-keys") == 0) {
			a->rcfg.max_keys = (size_t)strtoull(val, NULL, 10);
		} else {
			fprintf(stderr, "faultline run: unknown option '%s'\n", flag);
			return usage(stderr);
		}
	}
	if (!a->rcfg.plan || !any) {
		fprintf(stderr, "faultline run: needs -c PLAN and at least one input\n");
		return usage(stderr);
	}
	if (a->has_delivery_option && !a->rcfg.db) {
		fprintf(stderr, "faultline run: --route and its settings need --db\n");
		return usage(stderr);
	}
	return 0;
}

static void on_message(void *ctx, const struct fl_msg *m)
{
	struct run_state *st = ctx;
	struct fl_message_opts opts = {.tz = fl_runner_tz(st->runner)};
	struct fl_event *ev = st->ev;

	st->messages++;
	if (fl_message_decode(ev, &m->msg, &opts) != 0) {
		st->undecoded++;
		if (ev->kind == FL_EVENT_TRAP)
			return; /* a trap that did not decode is no event */
	}
	fl_runner_feed(st->runner, ev);
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static void announce(const struct fl_inputs *in)
{
	for (int k = 0; k < FL_INPUT__COUNT; k++) {
		struct fl_net_addr addr;
		char text[FL_NET_ADDR_TEXT_MAX];

		if (fl_inputs_local(in, (enum fl_input_kind)k, &addr) < 0)
			continue;
		fl_net_format((const struct sockaddr *)&addr.ss, addr.len, text, sizeof(text));
		fprintf(stderr, "listening %s %s\n", fl_input_name((enum fl_input_kind)k), text);
	}
	fflush(stderr);
}

/* One line per input at exit: what was taken and every loss counted. */
static void print_input_stats(const struct fl_inputs *in)
{
	for (int k = 0; k < FL_INPUT__COUNT; k++) {
		struct fl_input_stats s;

		if (!fl_inputs_enabled(in, (enum fl_input_kind)k))
			continue;
		fl_inputs_stats(in, (enum fl_input_kind)k, &s);
		fprintf(stderr,
			"run: %s: %llu received, %llu queue full, %llu kernel drops, %llu outside "
			"the allowlist\n",
			fl_input_name((enum fl_input_kind)k), (unsigned long long)s.received,
			(unsigned long long)s.queue_full, (unsigned long long)s.kernel_drops,
			(unsigned long long)s.dropped_allowlist);
	}
}

int fl_cmd_run(int argc, char **argv)
{
	struct run_state st;
	struct run_args a;
	struct fl_inputs *in = NULL;
	struct fl_deliver *deliver = NULL;
	struct fl_outbox_bell *bell = NULL;
	char err[256];
	int rc = 1;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return usage(stdout);
	(void)fl_heap_hugepages(); /* before any thread starts */
	memset(&st, 0, sizeof(st));
	memset(&a, 0, sizeof(a));
	a.icfg.max_msg = FL_SYSLOG_MAX_MSG_DEFAULT;
	a.icfg.max_conns = FL_TCP_MAX_CONNS_DEFAULT;
	if (parse_args(argc, argv, &a) != 0) {
		fl_deliver_config_free(&a.deliver);
		return 2;
	}
	if (a.icfg.n_communities == 0)
		a.icfg.communities[a.icfg.n_communities++] = "public";
	/* the store thread rings the delivery thread after each commit that
	 * queued notifications: no poll interval between a page and its send */
	if (a.deliver.n_routes && fl_outbox_bell_create(&bell) < 0)
		goto out;
	a.rcfg.outbox_bell = bell;
	if (!(st.ev = calloc(1, sizeof(*st.ev))) || fl_runner_create(&st.runner, &a.rcfg) < 0)
		goto out;
	if (fl_inputs_create(&in, &a.icfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "faultline run: %s\n", err);
		goto out;
	}
	a.deliver.db = a.rcfg.db;
	a.deliver.bell = bell;
	if (a.deliver.n_routes && fl_deliver_start(&deliver, &a.deliver) < 0) {
		fprintf(stderr, "faultline run: cannot start the delivery thread\n");
		goto out;
	}
	install_signals();
	announce(in);
	if (fl_inputs_start(in) < 0) {
		fprintf(stderr, "faultline run: cannot start the input threads\n");
		goto out;
	}
	rc = 0;
	while (!run_stop && rc == 0) {
		fl_inputs_drain(in, fl_runner_wait_ms(st.runner, DRAIN_WAIT_MS), on_message, &st);
		if (fl_runner_tick(st.runner) < 0)
			rc = 1;
	}
	fl_inputs_stop(in);
	fl_inputs_drain(in, 0, on_message, &st);
	print_input_stats(in);
	if (fl_runner_finish(st.runner, st.messages, st.undecoded) < 0)
		rc = 1;
out:
	if (fl_deliver_stop(deliver) != 0)
		rc = 1;
	fl_outbox_bell_destroy(bell); /* after the two threads that use it */
	fl_inputs_destroy(in);
	fl_runner_destroy(st.runner);
	free(st.ev);
	fl_deliver_config_free(&a.deliver);
	return rc;
}
