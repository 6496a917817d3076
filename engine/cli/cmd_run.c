/* cmd_run.c - `faultline run`: the plan live on the network inputs.
 *
 * The main thread owns everything on the engine path: it drains the inputs'
 * queue, decodes each message, feeds the engine (live clock: the time an
 * event is taken is its time) and, between batches, runs the timers that
 * came due. Actions go to stdout as JSON Lines, flushed after each batch,
 * until the ticket store and the notification plugins consume them.
 * SIGINT/SIGTERM stop the inputs, drain what was queued, flush the final
 * tallies and print one summary line on stderr. SIGUSR1 prints a JSON stats
 * line on stderr (the shape of `faultline listen`'s) and the run goes on;
 * SIGHUP reloads the plan and its data between two events (runner.h
 * fl_runner_reload(): a plan with errors is refused and the old one runs
 * on). With --control the same reload, the stats line and a status line
 * are asked for over a unix socket (pipeline/control.h, `faultline reload`,
 * `faultline stats`). With --metrics the same numbers are served over HTTP
 * (pipeline/metrics.h). A --pair standby takes the same signals while it
 * waits for the lead: SIGINT/SIGTERM end it with its journal closed and a
 * summary line, SIGUSR1 prints the stats line, SIGHUP is refused (said):
 * it has no engine yet, and reads the plan when it takes the lead. */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/cli/cli.h"
#include "engine/cli/config.h"
#include "engine/cli/inputs_cli.h"
#include "engine/cli/opts.h"
#include "engine/cli/run_pair.h"
#include "engine/cli/store_cli.h"
#include "engine/lib/compiler.h"
#include "engine/lib/limits.h"
#include "engine/notify/deliver.h"
#include "engine/lib/heap.h"
#include "engine/input/inputs.h"
#include "engine/lib/net.h"
#include "engine/lib/sd_notify.h"
#include "engine/notify/outbox.h"
#include "engine/pipeline/control.h"
#include "engine/pipeline/journal.h"
#include "engine/store/store.h"
#include "engine/pipeline/metrics.h"
#include "engine/api/api.h"
#include "engine/cli/api_cli.h"
#include "engine/pipeline/runner.h"
#include "engine/decode/message.h"
#include "engine/decode/record.h"
#include "engine/decode/usm.h"
#include "engine/lib/buf.h"

/* What the signal handlers saw: the one piece of file-scope state. A
 * lock-free atomic rather than a sig_atomic_t, so the main thread can clear
 * one signal's bit without losing another's arriving meanwhile (C11 7.14.1.1
 * allows lock-free atomics in a handler). */
static atomic_uint run_signals;
#define SIG_STOP 1u
#define SIG_STATS 2u
#define SIG_RELOAD 4u
#define STATS_LINE_MAX (256u << 10)

#define DRAIN_WAIT_MS 100
/* what the journal keeps: a correlation's window and hold (a fibre cut's
 * 90 s, a site's 5 min) and more */
#define JOURNAL_WINDOW_NS (10 * 60 * 1000000000LL)

struct run_state {
	struct fl_runner *runner;
	struct fl_event *ev;
	struct fl_run_stats stats; /* messages, undecoded and verdicts counted here */
	struct fl_journal *journal; /* NULL: --no-journal, or no --db */
	struct fl_buf scratch;	    /* a journal line's message, unescaped */
	unsigned long long replayed, replay_bad;
	struct fl_runner_config *rcfg; /* the run's: a reload reads the same plan path */
	struct fl_control *control;    /* NULL without --control */
	bool is_reloading;
	struct fl_store *lead; /* --pair: holds the lead until exit */
	struct fl_inputs *in;  /* borrowed: the standby reads them into its journal */
	bool inputs_started;   /* by the standby, before the engine */
	struct fl_metrics *metrics; /* borrowed: a standby publishes its role meanwhile */
	bool stood_by;		    /* --pair: waited behind the other engine's lead */
	struct fl_api *api;	    /* borrowed, NULL without --http: a reload hands it the plan */
};

static void on_signal(int sig)
{
	atomic_fetch_or(&run_signals, sig == SIGUSR1  ? SIG_STATS
				      : sig == SIGHUP ? SIG_RELOAD
						      : SIG_STOP);
}

static int usage(FILE *out)
{
	fprintf(out,
		"usage: faultline run [-C FILE | --no-config] [-c PLAN] [--data DIR] [--udp ADDR]\n"
		"                     [--tcp ADDR] [--relp ADDR] [--tls ADDR --tls-cert FILE\n"
		"                      --tls-key FILE [--tls-ca FILE] [--tls-auth x509|anon]\n"
		"                      [--tls-peers LIST] [--tls-handshake-timeout-ms MS]]\n"
		"                     [--trap ADDR] [--allow [INPUT=]CIDR ...] [--community NAME ...]\n"
		"                     [--snmp-user SPEC ...] [--snmp-users FILE ...]\n"
		"                     [--tz ZONE] [--max-keys-per-rule N] [--max-keys N]\n"
		"                     [--max-conns N] [--max-conns-per-source N]\n"
		"                     [--idle-timeout-ms MS] [--user NAME [--group NAME]]\n"
		"                     [--db PATH [--plugin-dir DIR] [--route CHANNEL=PLUGIN ...]\n"
		"                      [--set CHANNEL.KEY=VALUE ...] [--timeout-ms N]\n"
		"                      [--backoff-ms N] [--backoff-max-ms N] [--poll-ms N]]\n"
		"                     [--metrics ADDR] [--control PATH] [--http ADDR [--users FILE]]\n"
		"\n"
		"Runs PLAN live on the inputs (ADDR is IPv4:PORT or [IPv6]:PORT, [::] taking\n"
		"IPv4 senders too; port 0 picks a free port, announced on\n"
		"stderr as 'listening udp 127.0.0.1:40123') and\n"
		"writes the action stream as JSON Lines; a summary goes to stderr at exit.\n"
		"RFC 3164 times without a zone are read in --tz, by default the plan's zone.\n"
		"With --db the actions also go to the ticket store at PATH (a thread of its\n"
		"own, fed by a bounded queue); with --route the outbox is delivered by a\n"
		"delivery thread as `faultline outbox run` does it, with the same options.\n"
		"With --db and a plan that announces maintenance, the announcements due are\n"
		"queued at start and every minute (`faultline maintenance announce`).\n"
		"--max-conns is lowered at start to what the descriptor limit leaves after\n"
		"the store, its WAL and the plugin workers. With --user the inputs are\n"
		"bound first, then faultline drops to that user and its group (or --group)\n"
		"for good, before it reads the plan or opens the store.\n"
		"--tls takes syslog over TLS (RFC 5425); under --tls-auth x509 a client\n"
		"must show a certificate from --tls-ca, and one of --tls-peers when given\n"
		"(docs/syslog.md).\n"
		"The options may come from a config file (-C FILE, by default\n"
		FL_CONFIG_DEFAULT_PATH " when it exists; faultline.conf(5)); those\n"
		"given on the command line override it.\n"
		"With --metrics, GET /metrics on ADDR serves the counters in the Prometheus\n"
		"text format and GET /healthz answers 200, or 503 with the reason\n"
		"(docs/metrics.md). SIGUSR1 prints the counters as a JSON line on stderr.\n"
		"SIGHUP, or `faultline reload --control PATH` with --control, reads the plan\n"
		"and its data again and swaps them in between two events; a plan with errors\n"
		"is refused and the old one runs on (docs/config.md, Reload).\n"
		"With --http (and --db), the duty room's API and board are served on ADDR,\n"
		"as `faultline serve` serves them (docs/api.md), over HTTPS with\n"
		"--http-tls-cert and --http-tls-key (plain HTTP off loopback: --http-insecure).\n");
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

struct run_args {
	struct fl_runner_config rcfg;
	struct fl_inputs_config icfg;
	struct fl_deliver_config deliver; /* the delivery thread's routes and options */
	bool has_delivery_option;
	struct fl_metrics_config metrics; /* addr NULL: no endpoint */
	struct fl_cli_api_opts api;       /* addr NULL: no API */
	const char *journal; /* NULL: PATH.accepted beside the store */
	const char *pair;    /* --pair NAME: lead or stand by (run_pair.h) */
	bool no_journal;
	const char *user, *group; /* --user, --group: who runs once the inputs are bound */
	const char *control;	  /* --control: the control socket's path; NULL: none */
	struct fl_config *config; /* holds the strings the options borrow from the file */
	const char *config_path;
	bool is_config_off;
};

/* --allow [INPUT=]CIDR */
static int add_allow(void *ctx, const struct fl_opt *opt, const char *arg, char *err,
		     size_t err_len)
{
	struct run_args *a = ctx;
	const char *eq = strchr(arg, '=');
	int only = eq ? input_by_name(arg, (size_t)(eq - arg)) : -1, rc = 0;

	(void)opt;
	if (!eq || only >= 0)
		for (int k = 0; k < FL_INPUT__COUNT && rc == 0; k++)
			if (only < 0 || only == k)
				rc = fl_cidr_list_add(&a->icfg.allow[k], eq ? eq + 1 : arg);
	if ((eq && only < 0) || rc < 0) {
		snprintf(err, err_len, "--allow %s: not [INPUT=]CIDR", arg);
		return -EINVAL;
	}
	return 0;
}

static int add_community(void *ctx, const struct fl_opt *opt, const char *val, char *err,
			 size_t err_len)
{
	struct run_args *a = ctx;

	(void)opt;
	if (a->icfg.n_communities >= FL_SNMP_MAX_COMMUNITIES || !val[0]) {
		snprintf(err, err_len, "--community %s: empty, or more than %d communities", val,
			 FL_SNMP_MAX_COMMUNITIES);
		return -EINVAL;
	}
	a->icfg.communities[a->icfg.n_communities++] = val;
	return 0;
}

/* --snmp-user SPEC and --snmp-users FILE, repeatable. */
static int add_snmp_user(void *ctx, const struct fl_opt *opt, const char *val, char *err,
			 size_t err_len)
{
	struct run_args *a = ctx;

	return fl_cli_snmp_user(&a->icfg.usm, val, strcmp(opt->name, "--snmp-users") == 0, err,
				err_len);
}

/* An option of `faultline outbox`, for the delivery thread's config. */
static int forward(void *ctx, const struct fl_opt *opt, const char *val, char *err,
		   size_t err_len)
{
	struct run_args *a = ctx;

	a->has_delivery_option = true;
	return fl_cli_delivery_option(&a->deliver, opt, val, err, err_len);
}

/* The service manager's socket and watchdog from the environment, which
 * is then cleared: a program a plugin runs must not speak for the daemon. */
static void open_service_manager(struct fl_sd_notify *sd)
{
	int rc = fl_sd_notify_open(sd, getenv("NOTIFY_SOCKET"), getenv("WATCHDOG_USEC"),
				   getenv("WATCHDOG_PID"), getpid());

	if (rc < 0)
		fprintf(stderr, "faultline run: NOTIFY_SOCKET: %s; not telling the service "
				"manager\n", strerror(-rc));
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

static int64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void run_usage(FILE *out)
{
	(void)usage(out);
}

/* Returns 0 to go on, or the exit status: 0 after --help, 2 after a usage
 * error (reported). */
static int parse_args(int argc, char **argv, struct run_args *a)
{
	struct fl_inputs_config *ic = &a->icfg;
	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("-c", &a->rcfg.plan, "PLAN", "the plan"),
		FL_OPT_STRING_ROW("--plan", &a->rcfg.plan, "PLAN", "the plan"),
		FL_OPT_STRING_ROW("--data", &a->rcfg.data_dir, "DIR", "the plan's data files"),
		FL_OPT_STRING_ROW("--partition", &a->rcfg.partition, "NAME",
				  "own that partition of the data only (docs/partitions.md)"),
		FL_OPT_LISTEN_ROW("--udp", &ic->addr[FL_INPUT_UDP], "syslog over UDP"),
		FL_OPT_LISTEN_ROW("--tcp", &ic->addr[FL_INPUT_TCP], "syslog over TCP"),
		FL_OPT_LISTEN_ROW("--relp", &ic->addr[FL_INPUT_RELP], "syslog over RELP"),
		FL_OPT_LISTEN_ROW("--trap", &ic->addr[FL_INPUT_TRAP], "SNMP traps"),
		FL_OPT_LIST_ROW("--allow", add_allow, "[INPUT=]CIDR", "admit a network"),
		FL_OPT_LIST_ROW("--community", add_community, "NAME", "admit an SNMP community"),
		FL_OPT_LIST_ROW("--snmp-user", add_snmp_user, "SPEC", "an SNMPv3 user (createUser)"),
		FL_OPT_LIST_ROW("--snmp-users", add_snmp_user, "FILE", "SNMPv3 users, createUser lines"),
		FL_OPT_STRING_ROW("--tz", &a->rcfg.tz, "ZONE", "zone of times without one"),
		FL_OPT_UINT_ROW("--max-keys-per-rule", &a->rcfg.max_keys_per_rule, 0,
				FL_KEYTAB_MAX_KEYS, FL_OPT_COUNT, "N", "live keys per rule (0: default)"),
		FL_OPT_UINT_ROW("--max-keys", &a->rcfg.max_keys, 0, FL_KEYTAB_MAX_KEYS,
				FL_OPT_COUNT, "N", "live keys in total (0: default)"),
		FL_CLI_CONN_ROWS(ic),
		FL_CLI_TLS_ROWS(ic),
		FL_OPT_STRING_ROW("--user", &a->user, "NAME", "after binding, run as this user"),
		FL_OPT_STRING_ROW("--group", &a->group, "NAME", "and this group"),
		FL_OPT_STRING_ROW("--db", &a->rcfg.db, "PATH",
				  "also write the ticket store (a file, or postgresql://...)"),
		FL_OPT_STRING_ROW("--journal", &a->journal, "PATH",
				  "keep what was taken here (default: the store's PATH.accepted)"),
		FL_OPT_FLAG_ROW("--no-journal", &a->no_journal, "keep no journal"),
		FL_OPT_STRING_ROW("--pair", &a->pair, "NAME",
				  "one of an active/standby pair on a PostgreSQL --db"),
		FL_CLI_DELIVERY_ROWS(forward),
		FL_OPT_STRING_ROW("--metrics", &a->metrics.addr, "ADDR",
				  "serve /metrics and /healthz over HTTP"),
		FL_OPT_STRING_ROW("--control", &a->control, "PATH",
				  "answer reload, stats and status on this unix socket"),
		FL_OPT_STRING_ROW("--http", &a->api.addr, "ADDR", "serve the API and board (docs/api.md)"),
		FL_OPT_STRING_ROW("--users", &a->api.users, "FILE", "the API's users file"),
		FL_OPT_FLAG_ROW("--read-without-login", &a->api.anonymous_read,
				"with --users: the API is read without a login"),
		FL_CLI_API_TLS_ROWS(&a->api),
		FL_CONFIG_ROWS(&a->config_path, &a->is_config_off),
	};
	const struct fl_opts_cmd cmd = {"run", opts, FL_ARRAY_LEN(opts), 0, false, run_usage};
	struct fl_opts_result res;
	bool any = false;
	int status;

	if (!fl_config_prepare(&a->config, &cmd, argc, argv, a, &status))
		return status;
	if (!fl_opts_accept(&cmd, argc, argv, a, &res, &status))
		return status == 0 ? -1 : status;
	for (int k = 0; k < FL_INPUT__COUNT; k++)
		any |= ic->addr[k] != NULL;
	if (!a->rcfg.plan || !any) {
		fprintf(stderr, "faultline run: needs a plan (-c PLAN) and at least one input, on "
				"the command line or in the config file\n");
		return usage(stderr);
	}
	if (a->pair && a->rcfg.partition) {
		/* the pair's lead is one lock for the whole store: of all the
		 * partitions' engines only one would lead */
		fprintf(stderr, "faultline run: --pair and --partition do not go together\n");
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
	int verdict;

	/* kept before the engine sees it: a crash loses nothing taken. RELP
	 * messages the input thread kept before acknowledging them are not
	 * written again, or a restart would feed them twice. */
	if (st->journal && !m->is_kept)
		(void)fl_journal_append(st->journal, &m->msg);
	verdict = fl_message_decode(ev, &m->msg, &opts);
	fl_run_stats_count(&st->stats, m->input, m->msg.transport == FL_TRANSPORT_SNMP, verdict);
	if (verdict != 0 && ev->kind == FL_EVENT_TRAP)
		return; /* a trap that did not decode is no event */
	fl_runner_feed(st->runner, ev);
}

/* The stats line into b (initialised by the caller), newline ended. */
static int stats_line(struct run_state *st, const struct fl_inputs *in, struct fl_buf *b)
{
	fl_run_stats_gather(&st->stats, in, st->runner);
	if (fl_run_stats_json(b, &st->stats) < 0 || fl_buf_addc(b, '\n') < 0)
		return -EMSGSIZE;
	return 0;
}

static void print_stats_line(struct run_state *st, const struct fl_inputs *in)
{
	struct fl_buf b;

	fl_buf_init(&b, STATS_LINE_MAX);
	if (stats_line(st, in, &b) == 0)
		fputs(b.p, stderr);
	else
		fprintf(stderr, "faultline run: the stats line outgrew its buffer\n");
	fflush(stderr);
	fl_buf_free(&b);
}

static int catch_up(struct run_state *st, struct fl_inputs *in);
static bool reload(struct run_state *st, struct fl_buf *said);

/* --pair: the role line of `faultline status`. */
static void pair_status(struct fl_buf *b, const struct fl_pair_role *p)
{
	long long for_s = (monotonic_ns() - p->changed_ns) / 1000000000;

	if (!p->name)
		return;
	if (p->is_leader)
		(void)fl_buf_printf(b, "pair %s: leader (fencing number %lld) for %lld s; %llu "
				       "takeovers\n", p->name, (long long)p->epoch, for_s,
				    (unsigned long long)p->takeovers);
	else
		(void)fl_buf_printf(b, "pair %s: standby for %lld s\n", p->name, for_s);
}

/* One command of the control socket, answered at once. */
static void serve_control(struct run_state *st, const struct fl_inputs *in)
{
	enum fl_control_cmd cmd;
	struct fl_buf b;
	bool is_ok = true;

	if (!st->control || !fl_control_take(st->control, &cmd))
		return;
	fl_buf_init(&b, STATS_LINE_MAX);
	switch (cmd) {
	case FL_CONTROL_RELOAD:
		if (!st->runner) {
			(void)fl_buf_adds(&b, "the standby reads the plan when it takes the lead\n");
			is_ok = false;
			break;
		}
		is_ok = reload(st, &b);
		break;
	case FL_CONTROL_STATS:
		is_ok = stats_line(st, in, &b) == 0;
		break;
	case FL_CONTROL_STATUS:
		(void)fl_buf_printf(&b, "running plan %s; %llu messages; reloads: %llu ok, %llu "
					"failed\n",
				    st->rcfg->plan, (unsigned long long)st->stats.messages,
				    (unsigned long long)st->stats.reloads_ok,
				    (unsigned long long)st->stats.reloads_failed);
		pair_status(&b, &st->stats.pair);
		break;
	}
	fl_control_answer(st->control, is_ok, b.p ? b.p : "", b.len);
	fl_buf_free(&b);
}

/* Between batches: what the signals asked for, and the metrics' snapshot. */
static void between_batches(struct run_state *st, const struct fl_inputs *in,
			    struct fl_metrics *metrics)
{
	unsigned sigs = atomic_fetch_and(&run_signals, ~(SIG_STATS | SIG_RELOAD));

	if (sigs & SIG_STATS)
		print_stats_line(st, in);
	if (sigs & SIG_RELOAD && st->runner)
		(void)reload(st, NULL);
	else if (sigs & SIG_RELOAD && st->stats.pair.name) /* no engine yet to reload */
		fprintf(stderr, "faultline run: reload refused: %s is the standby; it reads the "
				"plan when it takes the lead\n", st->stats.pair.name);
	if (st->runner || st->stats.pair.name)
		serve_control(st, in);
	if ((st->runner || st->stats.pair.name) && metrics && fl_metrics_is_due(metrics)) {
		fl_run_stats_gather(&st->stats, in, st->runner);
		(void)fl_metrics_publish(metrics, &st->stats); /* -ENOMEM: the last one stays */
	}
}

/* Binds the metrics endpoint, announces it like the inputs and starts its
 * thread with a first snapshot. Returns 0 or -1 (reported). */
static int start_metrics(struct fl_metrics **out, struct run_args *a, struct run_state *st,
			 const struct fl_inputs *in)
{
	char err[256], where[FL_NET_ADDR_TEXT_MAX];

	a->metrics.db = a->rcfg.db;
	if (fl_metrics_create(out, &a->metrics, err, sizeof(err)) < 0) {
		fprintf(stderr, "faultline run: %s\n", err);
		return -1;
	}
	fl_run_stats_gather(&st->stats, in, st->runner);
	if (fl_metrics_publish(*out, &st->stats) < 0 || fl_metrics_start(*out) < 0) {
		fprintf(stderr, "faultline run: cannot start the metrics thread\n");
		return -1;
	}
	fl_metrics_local(*out, where, sizeof(where));
	fprintf(stderr, "listening metrics %s\n", where);
	fflush(stderr);
	return 0;
}

/* The HTTP endpoints asked for: the metrics, the API and board. */
static int start_http(struct fl_metrics **metrics, struct fl_cli_api *api, struct run_args *a,
		      struct run_state *st, struct fl_inputs *in)
{
	if (a->metrics.addr && !*metrics && start_metrics(metrics, a, st, in) < 0)
		return -1;
	if (a->api.addr && fl_cli_api_start(api, &a->api, fl_runner_program(st->runner),
					    a->rcfg.db, "run") < 0)
		return -1;
	st->api = api->api;
	return 0;
}

/* SIGHUP would end the run by default; it asks for a reload
 * (between_batches). */
static void install_reload_signal(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
}

/* A journal line from before this start: the message fed again. */
static void on_journal_line(void *ctx, const char *line, size_t len)
{
	struct run_state *st = ctx;
	struct fl_message_opts opts = {.tz = fl_runner_tz(st->runner)};
	const char *why = NULL;
	int v = fl_record_decode(st->ev, line, len, &st->scratch, &opts, &why);

	if (v == -EINVAL || v == -EMSGSIZE || (v != 0 && st->ev->kind == FL_EVENT_TRAP)) {
		st->replay_bad++;
		return;
	}
	st->replayed++;
	fl_runner_catch_up(st->runner, st->ev);
}

/* The journal beside the store (or at --journal). When it kept messages the
 * engine first runs in their times (from two windows back: nothing kept is
 * older), so holds and windows see them as the last run did. A store in
 * PostgreSQL has no file to stand beside: its journal is the default
 * store's (var/faultline.db.accepted), a file of this host, as the
 * messages it keeps are this engine's. */
static int open_journal(struct run_state *st, struct run_args *a)
{
	char err[512], path[4096];

	if (a->no_journal || (!a->journal && !a->rcfg.db))
		return 0;
	snprintf(path, sizeof(path), "%s",
	         a->journal                    ? a->journal
	         : fl_store_is_url(a->rcfg.db) ? FL_STORE_DEFAULT_PATH
	                                       : a->rcfg.db);
	if (!a->journal && strlen(path) + sizeof(".accepted") <= sizeof(path))
		strcat(path, ".accepted");
	if (fl_journal_open(&st->journal, path, JOURNAL_WINDOW_NS, fl_cli_now_ns(), err,
			    sizeof(err)) < 0) {
		fprintf(stderr, "faultline run: %s\n", err);
		return -1;
	}
	fl_buf_init(&st->scratch, FL_JOURNAL_LINE_MAX);
	if (fl_journal_kept(st->journal))
		a->rcfg.catch_up_from_ns = fl_cli_now_ns() - 2 * JOURNAL_WINDOW_NS;
	return 0;
}

/* The RELP thread's way into the journal (inputs.h fl_inputs_keep_fn). */
static int keep_in_journal(void *ctx, const struct fl_received *m)
{
	return fl_journal_append(ctx, m);
}

/* What the last run took and may not have settled is fed to the engine
 * again, in its own times, before anything new; then the engine goes live.
 * From then on (the inputs have not started) a RELP message is acknowledged
 * only once the journal holds it. in: NULL at a reload (set already). */
static int catch_up(struct run_state *st, struct fl_inputs *in)
{
	long n;

	if (!st->journal)
		return 0;
	if (in) /* NULL at a reload: RELP keeps its messages there already */
		fl_inputs_set_keep(in, keep_in_journal, st->journal);
	n = fl_journal_replay(st->journal, on_journal_line, st);
	if (n < 0) {
		fprintf(stderr, "faultline run: journal: %s\n", strerror((int)-n));
		return -1;
	}
	if ((st->replayed || st->replay_bad) && !st->is_reloading) /* a reload says it its way */
		fprintf(stderr, "run: journal: %llu messages taken before this start fed again, "
				"%llu unreadable\n",
			st->replayed, st->replay_bad);
	return fl_runner_catch_up_end(st->runner) < 0 ? -1 : 0;
}

/* What a reload carried, in one line: the operator reads there what the
 * new engine knows and what ended with the old one. */
static void say_reloaded(const struct run_state *st, const struct fl_runner_reload_report *rep,
			 unsigned long long fed, FILE *out)
{
	fprintf(out,
		"faultline run: reload: plan %s swapped in between two events; the old engine "
		"held %zu open incidents and %zu live keys; ",
		st->rcfg->plan, rep->old_open_incidents, rep->old_live_keys);
	if (!st->rcfg->db && !st->journal)
		fprintf(out, "no store and no journal: none of them is carried\n");
	else
		fprintf(out,
			"%s%llu journal messages fed again in their own times; %llu tickets "
			"closed (their rule left the plan)\n",
			st->rcfg->db ? "open tickets taken back from the store by rule and "
				       "correlation name, "
				     : "no store: open incidents are rebuilt from the journal "
				       "under new ids, ",
			fed, (unsigned long long)rep->closed_gone);
}

/* The journal fed again to a runner that a reload left on an event clock.
 * A journal that cannot be read again is said, and the engine goes live
 * without it rather than stay on the journal's clock. */
static void reload_catch_up(struct run_state *st, unsigned long long *fed, FILE *diag)
{
	unsigned long long replayed = st->replayed, bad = st->replay_bad;

	st->replayed = st->replay_bad = 0;
	st->is_reloading = true;
	if (catch_up(st, NULL) < 0) {
		fprintf(diag, "faultline run: reload: the journal was not fed again; the new "
			      "engine goes on without what it kept\n");
		(void)fl_runner_catch_up_end(st->runner);
	}
	st->is_reloading = false;
	*fed = st->replayed;
	st->replayed = replayed;
	st->replay_bad = bad;
}

/* A reload at this event boundary (SIGHUP, the control socket): see
 * fl_runner_reload(). Diagnostics go to stderr and, for a control client,
 * into said. Returns true when the new plan runs; st->runner is NULL after
 * a reload that left no plan running (the run then ends). */
static bool reload(struct run_state *st, struct fl_buf *said)
{
	struct fl_runner_reload_report rep;
	struct fl_runner_config cfg = *st->rcfg;
	unsigned long long fed = 0;
	size_t text_len = 0;
	char *text = NULL;
	FILE *diag = open_memstream(&text, &text_len);
	int rc;

	if (st->journal && fl_journal_kept(st->journal))
		cfg.catch_up_from_ns = fl_cli_now_ns() - 2 * JOURNAL_WINDOW_NS;
	/* the API reads the plan's inventory on its own thread: it waits while
	 * the old plan is replaced and freed */
	if (st->api)
		fl_api_plan_hold(st->api);
	rc = fl_runner_reload(&st->runner, &cfg, diag ? diag : stderr, &rep);
	if (st->api)
		fl_api_plan_swap(st->api, st->runner ? fl_runner_program(st->runner) : NULL);
	if (st->runner && rep.is_started)
		reload_catch_up(st, &fed, diag ? diag : stderr);
	if (rc == 0)
		say_reloaded(st, &rep, fed, diag ? diag : stderr);
	else
		fprintf(diag ? diag : stderr,
			"faultline run: reload of %s refused (%s); %s\n", st->rcfg->plan,
			strerror(-rc), st->runner ? "the old plan runs on" : "no plan runs: ending");
	if (rc == 0)
		st->stats.reloads_ok++;
	else
		st->stats.reloads_failed++;
	if (diag) {
		fclose(diag);
		fwrite(text, 1, text_len, stderr);
		if (said)
			(void)fl_buf_add(said, text, text_len);
		free(text);
	}
	fflush(stderr);
	return rc == 0;
}

/* The journal's line at exit, and the reloads' when there were any. */
static void print_journal_stats(const struct run_state *st)
{
	struct fl_journal_stats js;

	if (st->stats.reloads_ok || st->stats.reloads_failed)
		fprintf(stderr, "run: reloads: %llu ok, %llu failed\n",
			(unsigned long long)st->stats.reloads_ok,
			(unsigned long long)st->stats.reloads_failed);
	if (st->stats.reloads_ok)
		fprintf(stderr, "run: the engine's and the store's counts above are the running "
				"plan's, since its reload; each reload said the old plan's\n");
	if (!st->journal)
		return;
	fl_journal_stats(st->journal, &js);
	fprintf(stderr,
		"run: journal: %llu kept, %llu fed again at start, %llu write errors, "
		"%llu too long, %llu syncs\n",
		(unsigned long long)js.appended, st->replayed,
		(unsigned long long)js.append_errors, (unsigned long long)js.too_long,
		(unsigned long long)js.syncs);
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
		if (k == FL_INPUT_TLS)
			fprintf(stderr,
				"run: tls: %llu sessions, %llu handshakes failed, %llu clients "
				"refused, %llu handshakes timed out\n",
				(unsigned long long)s.connections, (unsigned long long)s.handshake_failed,
				(unsigned long long)s.peer_rejected,
				(unsigned long long)s.handshake_timeout);
		if (k == FL_INPUT_RELP)
			fprintf(stderr,
				"run: relp: %llu refused unkept (the journal could not write them; "
				"the senders resend)\n",
				(unsigned long long)s.refused_unkept);
		if (k != FL_INPUT_TCP && k != FL_INPUT_RELP && k != FL_INPUT_TLS)
			continue;
		fprintf(stderr,
			"run: %s: connections: %llu refused at --max-conns, %llu refused per "
			"source, %llu evicted silent, %llu closed idle (%llu inside a frame)\n",
			fl_input_name((enum fl_input_kind)k), (unsigned long long)s.refused,
			(unsigned long long)s.refused_per_source, (unsigned long long)s.evicted,
			(unsigned long long)s.idle_closed, (unsigned long long)s.stalled_closed);
	}
}

/* Descriptors the connections must leave free: the process and its other
 * sockets, the store with its WAL, the delivery worker and a lane per route. */
static size_t run_fd_headroom(const struct run_args *a)
{
	size_t n = FL_FD_HEADROOM_BASE;

	if (a->rcfg.db)
		n += FL_FD_HEADROOM_STORE;
	if (a->deliver.n_routes)
		n += FL_FD_HEADROOM_DELIVERY + (size_t)FL_FD_HEADROOM_PER_ROUTE * a->deliver.n_routes;
	return n;
}

/* The consumer's loop until SIGINT/SIGTERM: 0, or 1 when stdout failed or
 * a reload left no plan running (said). */
static int serve(struct run_state *st, struct fl_inputs *in, struct fl_metrics *metrics,
		 struct fl_sd_notify *sd)
{
	int rc = 0;

	while (!(atomic_load(&run_signals) & SIG_STOP) && rc == 0) {
		fl_inputs_drain(in, fl_runner_wait_ms(st->runner, DRAIN_WAIT_MS), on_message, st);
		if (fl_runner_tick(st->runner) < 0)
			rc = 1;
		if (st->journal)
			fl_journal_tick(st->journal, fl_cli_now_ns());
		/* from this loop, so a stuck engine stops the pings, not just a dead process */
		fl_sd_notify_watchdog(sd, monotonic_ns());
		between_batches(st, in, metrics);
		if (!st->runner)
			rc = 1;
	}
	return rc;
}

/* The control socket of reload, stats and status, when asked for. */
static int open_control(struct fl_control **control, const struct run_args *a,
			struct run_state *st)
{
	char err[256];

	if (a->control && fl_control_open(control, a->control, err, sizeof(err)) < 0) {
		fprintf(stderr, "faultline run: %s\n", err);
		return -1;
	}
	st->control = *control;
	return 0;
}

/* The standby keeps what arrives, before any engine sees it. */
static void on_standby_message(void *ctx, const struct fl_msg *m)
{
	struct run_state *st = ctx;

	(void)fl_journal_append(st->journal, &m->msg);
}

/* Between two tries for the lead: the standby keeps its input (with a
 * journal; without one the inputs wait unread), and answers for its role on
 * the control socket and /metrics. */
static void standby_wait(void *ctx, int wait_ms)
{
	struct run_state *st = ctx;
	const struct timespec pause = {0, (long)wait_ms * 1000000L};

	st->stood_by = true;
	if (st->journal) {
		fl_inputs_drain(st->in, wait_ms, on_standby_message, st);
		fl_journal_tick(st->journal, fl_cli_now_ns());
	} else {
		nanosleep(&pause, NULL);
	}
	between_batches(st, st->in, st->metrics);
}

/* --pair: wait for the lead. With a journal the standby listens meanwhile
 * and keeps what it takes, fed to its engine once it leads (warm: what the
 * active held in memory is rebuilt from the standby's own copy); without
 * one its inputs stay bound and unread until then. 0 once it leads, 1 when
 * SIGINT/SIGTERM stopped it first, -1 when it cannot stand by (said). */
static int stand_by(struct run_state *st, struct run_args *a)
{
	bool warm = st->journal != NULL;
	int rc;

	if (!fl_store_is_url(a->rcfg.db)) {
		fprintf(stderr, "faultline run: --pair needs a PostgreSQL --db (postgresql://...)\n");
		return -1;
	}
	if (warm) {
		fl_cli_announce_inputs(st->in);
		if (fl_inputs_start(st->in) < 0) {
			fprintf(stderr, "faultline run: cannot start the input threads\n");
			return -1;
		}
		st->inputs_started = true;
	}
	st->stats.pair = (struct fl_pair_role){.name = a->pair, .changed_ns = monotonic_ns()};
	rc = fl_run_pair_lead(&st->lead, &a->rcfg.fence_epoch, a->rcfg.db, a->pair, &run_signals,
			      SIG_STOP, standby_wait, st);
	if (rc != 0)
		return rc;
	st->stats.pair.is_leader = true;
	st->stats.pair.epoch = a->rcfg.fence_epoch;
	st->stats.pair.takeovers += st->stood_by;
	st->stats.pair.changed_ns = monotonic_ns();
	if (warm && fl_journal_kept(st->journal))
		a->rcfg.catch_up_from_ns = fl_cli_now_ns() - 2 * JOURNAL_WINDOW_NS;
	return 0;
}

/* --pair: the signals, the metrics endpoint and the control socket before
 * the engine, so a standby answers for its role while it waits and stops
 * cleanly. 0 or -1 (said); without --pair nothing opens here. */
static int open_for_standby(struct fl_metrics **metrics, struct fl_control **control,
			    struct run_args *a, struct run_state *st)
{
	if (!a->pair)
		return 0;
	fl_cli_install_signals(on_signal, true);
	install_reload_signal();
	if (a->metrics.addr && start_metrics(metrics, a, st, st->in) < 0)
		return -1;
	st->metrics = *metrics;
	return open_control(control, a, st);
}

/* A standby stopped by SIGINT/SIGTERM before it led: what its inputs had
 * queued goes to its journal (closed at exit, kept for its next start),
 * then its lines and one summary line. */
static void stop_standby(struct run_state *st)
{
	struct fl_journal_stats js = {0};

	fl_inputs_stop(st->in);
	if (st->journal)
		fl_inputs_drain(st->in, 0, on_standby_message, st);
	print_input_stats(st->in);
	print_journal_stats(st);
	if (st->journal)
		fl_journal_stats(st->journal, &js);
	fprintf(stderr, "faultline run: %s stopped as the standby after %lld s, never leading; "
			"%llu messages kept in its journal\n",
		st->stats.pair.name,
		(long long)((monotonic_ns() - st->stats.pair.changed_ns) / 1000000000),
		(unsigned long long)js.appended);
	fflush(stderr);
}

/* The journal, the lead (--pair), then the engine and what the journal
 * kept. 0; 1 when a standby was stopped before it led (summed up); -1 to
 * stop on an error (said on stderr). */
static int start_engine(struct run_state *st, struct run_args *a)
{
	int rc;

	if (open_journal(st, a) < 0)
		return -1;
	if (a->pair && (rc = stand_by(st, a)) != 0) {
		if (rc > 0)
			stop_standby(st);
		return rc;
	}
	if (!(st->ev = calloc(1, sizeof(*st->ev))) || fl_runner_create(&st->runner, &a->rcfg) < 0)
		return -1;
	if (catch_up(st, st->in) < 0)
		return -1;
	if (a->pair) { /* the rest of a takeover: plan, resumed tickets, journal fed */
		fprintf(stderr, "faultline run: %s correlates %lld ms after taking the lead\n",
			a->pair, (long long)((monotonic_ns() - st->stats.pair.changed_ns) / 1000000));
		fflush(stderr);
	}
	return 0;
}

/* The delivery thread, when routes were given. 0 or -1 (said). */
static int start_delivery(struct fl_deliver **deliver, struct run_args *a,
			  struct fl_outbox_bell *bell)
{
	a->deliver.db = a->rcfg.db;
	a->deliver.bell = bell;
	if (a->deliver.n_routes && fl_deliver_start(deliver, &a->deliver) < 0) {
		fprintf(stderr, "faultline run: cannot start the delivery thread\n");
		return -1;
	}
	return 0;
}

int fl_cmd_run(int argc, char **argv)
{
	struct run_state st;
	struct run_args a;
	struct fl_inputs *in = NULL;
	struct fl_deliver *deliver = NULL;
	struct fl_metrics *metrics = NULL;
	struct fl_cli_api api = {0};
	struct fl_outbox_bell *bell = NULL;
	struct fl_control *control = NULL;
	struct fl_sd_notify sd;
	char err[256];
	int rc = 1, started = -1;

	(void)fl_heap_hugepages(); /* before any thread starts */
	memset(&st, 0, sizeof(st));
	memset(&a, 0, sizeof(a));
	fl_inputs_config_defaults(&a.icfg);
	rc = parse_args(argc, argv, &a);
	if (rc != 0) {
		fl_usm_destroy(a.icfg.usm);
		fl_deliver_config_free(&a.deliver);
		fl_config_destroy(a.config);
		return rc < 0 ? 0 : rc; /* -1: --help was answered */
	}
	rc = 1;
	open_service_manager(&sd); /* before any thread: it edits the environment */
	if (a.icfg.n_communities == 0)
		a.icfg.communities[a.icfg.n_communities++] = "public";
	/* the store thread rings the delivery thread after each commit that
	 * queued notifications: no poll interval between a page and its send */
	if (a.deliver.n_routes && fl_outbox_bell_create(&bell) < 0)
		goto out;
	a.rcfg.outbox_bell = bell;
	if (fl_cli_fit_conns(&a.icfg, run_fd_headroom(&a), "run") < 0)
		goto out;
	/* Bind first (ports under 1024 need root), then drop, then read the
	 * plan and open the store as the user that runs from now on. */
	if (fl_inputs_create(&in, &a.icfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "faultline run: %s\n", err);
		goto out;
	}
	if (fl_cli_drop_privileges(a.user, a.group, err, sizeof(err)) < 0) {
		fprintf(stderr, "faultline run: %s; refusing to go on\n", err);
		goto out;
	}
	st.in = in;
	st.rcfg = &a.rcfg;
	if (open_for_standby(&metrics, &control, &a, &st) < 0 || (started = start_engine(&st, &a))) {
		rc = started > 0 ? 0 : 1; /* started 1: a standby stopped, never leading */
		goto out;
	}
	fl_heap_started();
	if (start_delivery(&deliver, &a, bell) < 0)
		goto out;
	fl_cli_install_signals(on_signal, true);
	install_reload_signal();
	if (!st.inputs_started)
		fl_cli_announce_inputs(in);
	if (start_http(&metrics, &api, &a, &st, in) < 0)
		goto out;
	if (!control && open_control(&control, &a, &st) < 0)
		goto out;
	if (!st.inputs_started && fl_inputs_start(in) < 0) {
		fprintf(stderr, "faultline run: cannot start the input threads\n");
		goto out;
	}
	(void)fl_sd_notify_send(&sd, "READY=1"); /* every input bound, the store open */
	rc = serve(&st, in, metrics, &sd);
	(void)fl_sd_notify_send(&sd, "STOPPING=1");
	fl_control_close(control); /* its client waiting on this thread is let go */
	control = st.control = NULL;
	fl_inputs_stop(in);
	if (st.runner)
		fl_inputs_drain(in, 0, on_message, &st);
	print_input_stats(in);
	print_journal_stats(&st);
	if (st.runner && fl_runner_finish(st.runner, st.stats.messages, st.stats.undecoded) < 0)
		rc = 1;
out:
	fl_cli_api_stop(&api); /* before the runner whose levels it copied */
	fl_control_close(control);
	fl_metrics_destroy(metrics); /* before the runner its snapshots came from */
	fl_journal_close(st.journal);
	fl_buf_free(&st.scratch);
	if (fl_deliver_stop(deliver) != 0)
		rc = 1;
	fl_outbox_bell_destroy(bell); /* after the two threads that use it */
	fl_inputs_destroy(in);
	fl_usm_destroy(a.icfg.usm); /* after the inputs that used it */
	fl_runner_destroy(st.runner);
	fl_store_close(st.lead); /* the last: the standby takes over from here */
	free(st.ev);
	fl_deliver_config_free(&a.deliver);
	fl_config_destroy(a.config);
	fl_sd_notify_close(&sd);
	return rc;
}
