/* cmd_outbox.c - `faultline outbox`: the delivery worker on its own.
 *
 * The engine runs the same worker (engine/notify/outbox.h) on its outbox thread;
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
#include <pthread.h>
#include <stdatomic.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/cli/cli.h"
#include "engine/cli/opts.h"
#include "engine/notify/deliver.h"
#include "engine/lib/limits.h"
#include "engine/notify/notify_util.h"
#include "engine/notify/outbox.h"
#include "engine/notify/plugin.h"
#include "engine/store/store.h"
#include "engine/cli/store_cli.h"
#include "engine/store/store_time.h"

#define NS_PER_MS 1000000LL
#define POLL_MS 200 /* how often an idle worker looks for rows other processes added */
#define POLL_MS_MAX 3600000

struct outbox_args {
	const char *db, *plugin_dir, *verb;
	bool once;
	uint32_t timeout_ms;
	struct fl_outbox_policy policy;
	struct {
		char *channel, *plugin;
		struct fl_kv settings[FL_PLUGIN_MAX_SETTINGS];
		size_t n_settings;
	} routes[FL_OUTBOX_MAX_ROUTES];
	size_t n_routes;
	atomic_int *stop; /* `run`'s delivery thread: set to end the loop */
	struct fl_outbox_bell *bell; /* `run`'s delivery thread: rung on new rows */
	uint32_t poll_ms;            /* 0: POLL_MS */
	int64_t at_ns;               /* the clock's reading at start; 0: the wall clock */
	int64_t started_mono_ns;     /* CLOCK_MONOTONIC when the worker started */
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

static int add_route(struct outbox_args *a, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1] || a->n_routes >= FL_OUTBOX_MAX_ROUTES)
		return -EINVAL;
	a->routes[a->n_routes].channel = strndup(arg, (size_t)(eq - arg));
	a->routes[a->n_routes].plugin = strdup(eq + 1);
	a->n_routes++;
	if (!a->routes[a->n_routes - 1].channel || !a->routes[a->n_routes - 1].plugin)
		return -ENOMEM;
	return 0;
}

/* CHANNEL.KEY=VALUE: a setting of the route for CHANNEL (given before). */
static int add_setting(struct outbox_args *a, const char *arg)
{
	const char *dot = strchr(arg, '.'), *eq = strchr(arg, '=');

	if (!dot || !eq || dot > eq || dot == arg || eq == dot + 1)
		return -EINVAL;
	for (size_t i = 0; i < a->n_routes; i++) {
		size_t n = (size_t)(dot - arg);

		if (strlen(a->routes[i].channel) != n || memcmp(a->routes[i].channel, arg, n) != 0)
			continue;
		if (a->routes[i].n_settings >= FL_PLUGIN_MAX_SETTINGS)
			return -EINVAL;
		struct fl_kv *kv = &a->routes[i].settings[a->routes[i].n_settings++];
		kv->key = strndup(dot + 1, (size_t)(eq - dot - 1));
		kv->value = strdup(eq + 1);
		return kv->key && kv->value ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

static void free_args(struct outbox_args *a)
{
	for (size_t i = 0; i < a->n_routes; i++) {
		free(a->routes[i].channel);
		free(a->routes[i].plugin);
		for (size_t k = 0; k < a->routes[i].n_settings; k++) {
			free((char *)a->routes[i].settings[k].key); /* strndup()ed above */
			free((char *)a->routes[i].settings[k].value);
		}
	}
}

static int route_each(void *ctx, const struct fl_opt *opt, const char *val, char *err, size_t err_len)
{
	(void)opt;
	(void)err, (void)err_len; /* the parser's "bad value for --route" says it */
	return add_route(ctx, val);
}

static int setting_each(void *ctx, const struct fl_opt *opt, const char *val, char *err, size_t err_len)
{
	(void)opt;
	int rc = add_setting(ctx, val);

	if (rc == -ENOENT)
		snprintf(err, err_len, "bad value for --set: '%s' (give its --route first)", val);
	return rc;
}

/* Returns 0, FL_OPTS_HELP (the usage is on stdout), or a negative errno
 * after printing why (fl_cmd_outbox() adds the usage; `run` and `replay`
 * hand over options they took from their own command line). */
static int parse_args(struct outbox_args *a, int argc, char **argv)
{
	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("--db", &a->db, "PATH", "the ticket store"),
		FL_OPT_STRING_ROW("--plugin-dir", &a->plugin_dir, "DIR", "where PLUGIN.so is"),
		FL_OPT_LIST_ROW("--route", route_each, "CHANNEL=PLUGIN", "deliver CHANNEL by PLUGIN"),
		FL_OPT_LIST_ROW("--set", setting_each, "CHANNEL.KEY=VALUE", "a setting of a route"),
		FL_OPT_UINT_ROW("--timeout-ms", &a->timeout_ms, 1, FL_PLUGIN_TIMEOUT_MS_MAX,
				FL_OPT_MS, "N", "time limit of one delivery"),
		FL_OPT_UINT_ROW("--backoff-ms", &a->policy.backoff_ms, 1, 86400000, FL_OPT_MS, "N",
				"first retry after about N"),
		FL_OPT_UINT_ROW("--backoff-max-ms", &a->policy.backoff_max_ms, 1, 86400000,
				FL_OPT_MS, "N", "retries at most N apart"),
		FL_OPT_UINT_ROW("--poll-ms", &a->poll_ms, 1, POLL_MS_MAX, FL_OPT_MS, "N",
				"look for new rows every N"),
		FL_OPT_TIME_ROW("--at", &a->at_ns, "the worker's clock starts at TIME"),
		FL_OPT_FLAG_ROW("--once", &a->once, "run: deliver what is due, then exit"),
	};
	const struct fl_opts_cmd cmd = {"outbox", opts, FL_ARRAY_LEN(opts), 1, false,
					outbox_usage};
	struct fl_opts_result res;
	int rc = fl_opts_parse(&cmd, argc, argv, a, &res);

	if (rc == FL_OPTS_HELP) {
		fl_opts_usage(&cmd, stdout);
		return rc;
	}
	if (rc < 0) {
		fprintf(stderr, "%s\n", res.err);
		return rc;
	}
	a->verb = res.n_words ? res.words[0] : NULL;
	if (!a->verb || (strcmp(a->verb, "run") != 0 && strcmp(a->verb, "status") != 0)) {
		fprintf(stderr, "faultline outbox: which command? (run, status)\n");
		return -EINVAL;
	}
	return 0;
}

/* The plugins/ directory beside the running binary. */
static const char *default_plugin_dir(char *dir, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", dir, size - sizeof("/plugins"));
	char *slash;

	if (n <= 0)
		return "plugins";
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (!slash)
		return "plugins";
	strcpy(slash, "/plugins");
	return dir;
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

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The worker's clock (see the header comment). */
static int64_t worker_now(const struct outbox_args *a)
{
	if (a->at_ns <= 0)
		return fl_cli_now_ns();
	return a->at_ns + (mono_ns() - a->started_mono_ns);
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * NS_PER_MS};

	nanosleep(&ts, NULL);
}

static void print_stats(const struct fl_outbox *ob)
{
	struct fl_outbox_stats st;

	fl_outbox_stats(ob, &st);
	fprintf(stderr,
	        "faultline outbox: attempted %llu, sent %llu, retried %llu, failed %llu, "
	        "expired %llu, recovered %llu\n",
	        (unsigned long long)st.claimed, (unsigned long long)st.sent,
	        (unsigned long long)st.retried, (unsigned long long)st.failed,
	        (unsigned long long)st.expired, (unsigned long long)st.recovered);
}

static int run(struct fl_store *s, struct outbox_args *a)
{
	struct fl_plugin *plugins[FL_OUTBOX_MAX_ROUTES] = {0};
	struct fl_outbox_route routes[FL_OUTBOX_MAX_ROUTES];
	char dir_buf[PATH_MAX], err[FL_PLUGIN_ERR_MAX];
	struct fl_outbox *ob = NULL;
	uint32_t n;
	int rc = 0, status = 1;

	if (!a->plugin_dir)
		a->plugin_dir = default_plugin_dir(dir_buf, sizeof(dir_buf));
	for (size_t i = 0; i < a->n_routes; i++) {
		rc = fl_plugin_load(&plugins[i], a->plugin_dir, a->routes[i].plugin,
		                    a->routes[i].settings, a->routes[i].n_settings, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "faultline outbox: channel %s: %s\n", a->routes[i].channel, err);
			goto out;
		}
		routes[i] = (struct fl_outbox_route){.channel = a->routes[i].channel,
		                                     .plugin = plugins[i],
		                                     .timeout_ms = a->timeout_ms};
	}
	rc = fl_outbox_create(&ob, s, routes, a->n_routes, &a->policy);
	if (rc < 0) {
		fprintf(stderr, "faultline outbox: bad routes (a channel twice?)\n");
		goto out;
	}
	a->started_mono_ns = mono_ns();
	rc = fl_outbox_recover(ob, worker_now(a), &n);
	if (rc < 0)
		goto out_store;
	if (n)
		fprintf(stderr, "faultline outbox: %u interrupted deliveries put back\n", n);
	while (!a->stop || !atomic_load(a->stop)) {
		int64_t now = worker_now(a), next, wait_ms;
		int64_t poll_ms = a->poll_ms ? a->poll_ms : POLL_MS;

		rc = fl_outbox_run_once(ob, now, 0, &n);
		if (rc < 0)
			goto out_store;
		if (n > 0)
			continue;
		next = fl_store_outbox_next_due(s);
		if (a->once && (next == INT64_MAX || next > now + POLL_MS * NS_PER_MS))
			break; /* nothing due in this pass */
		wait_ms = next == INT64_MAX ? poll_ms : (next - now) / NS_PER_MS + 1;
		wait_ms = wait_ms < 1 ? 1 : wait_ms > poll_ms ? poll_ms : wait_ms;
		if (a->bell) /* the store thread rings it when it commits new rows */
			(void)fl_outbox_bell_wait(a->bell, wait_ms);
		else
			sleep_ms(wait_ms);
	}
	status = 0;
	print_stats(ob);
	goto out;
out_store:
	fprintf(stderr, "faultline outbox: store: %s (%s)\n", strerror(-rc), fl_store_errmsg(s));
out:
	fl_outbox_destroy(ob);
	for (size_t i = 0; i < a->n_routes; i++)
		fl_plugin_unload(plugins[i]);
	return status;
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
	s = fl_cli_store_open("outbox", a.db);
	if (!s)
		goto out;
	status = strcmp(a.verb, "status") == 0 ? do_status(s) : run(s, &a);
	fl_store_close(s);
out:
	free_args(&a);
	return status;
}

/* ---- the same worker on a thread of its own, for `faultline run` ---------- */

struct fl_deliver {
	struct outbox_args a;
	char *db;
	atomic_int stop;
	pthread_t thread;
	int status;
};

static void *deliver_main(void *arg)
{
	struct fl_deliver *d = arg;
	struct fl_store *s = fl_cli_store_open("run: outbox", d->db);

	if (!s) {
		d->status = 1;
		return NULL;
	}
	d->status = run(s, &d->a);
	fl_store_close(s);
	return NULL;
}

int fl_deliver_start(struct fl_deliver **out, const char *db, int argc, char **argv)
{
	return fl_deliver_start_bell(out, db, argc, argv, NULL);
}

int fl_deliver_start_bell(struct fl_deliver **out, const char *db, int argc, char **argv,
			  struct fl_outbox_bell *bell)
{
	return fl_deliver_start_at(out, db, argc, argv, bell, 0);
}

int fl_deliver_start_at(struct fl_deliver **out, const char *db, int argc, char **argv,
			struct fl_outbox_bell *bell, int64_t at_ns)
{
	struct fl_deliver *d = calloc(1, sizeof(*d));
	char **v = calloc((size_t)argc + 2, sizeof(*v));
	int rc = -ENOMEM;

	if (!d || !v)
		goto fail;
	v[0] = "outbox";
	for (int i = 0; i < argc; i++)
		v[i + 1] = argv[i];
	v[argc + 1] = "run";
	rc = parse_args(&d->a, argc + 2, v);
	if (rc < 0)
		goto fail;
	d->db = strdup(db);
	if (!d->db) {
		rc = -ENOMEM;
		goto fail;
	}
	atomic_init(&d->stop, 0);
	d->a.stop = &d->stop;
	d->a.bell = bell;
	if (at_ns > 0)
		d->a.at_ns = at_ns;
	if (pthread_create(&d->thread, NULL, deliver_main, d) != 0) {
		rc = -EAGAIN;
		goto fail;
	}
	free(v);
	*out = d;
	return 0;
fail:
	if (d) {
		free_args(&d->a);
		free(d->db);
	}
	free(d);
	free(v);
	return rc;
}

static int deliver_end(struct fl_deliver *d, bool now)
{
	int status;

	if (!d)
		return 0;
	if (now) {
		atomic_store(&d->stop, 1);
		if (d->a.bell) /* ends the wait at once */
			fl_outbox_bell_ring(d->a.bell);
	}
	pthread_join(d->thread, NULL);
	status = d->status;
	free_args(&d->a);
	free(d->db);
	free(d);
	return status;
}

int fl_deliver_stop(struct fl_deliver *d)
{
	return deliver_end(d, true);
}

int fl_deliver_wait(struct fl_deliver *d)
{
	return deliver_end(d, false);
}
