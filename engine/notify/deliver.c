/* deliver.c - the outbox delivery worker; see deliver.h. */
#include "engine/notify/deliver.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/lib/limits.h"
#include "engine/notify/notify_util.h"
#include "engine/store/store.h"
#include "engine/store/store_time.h"

#define NS_PER_MS 1000000LL

/* ---- building a config ------------------------------------------------------ */

static int add_route(struct fl_deliver_config *c, const char *channel, size_t channel_len,
		     const char *plugin)
{
	struct fl_deliver_route *r;

	if (c->n_routes >= FL_OUTBOX_MAX_ROUTES)
		return -EINVAL;
	r = &c->routes[c->n_routes];
	memset(r, 0, sizeof(*r));
	r->channel = strndup(channel, channel_len);
	r->plugin = strdup(plugin);
	r->settings = calloc(FL_PLUGIN_MAX_SETTINGS, sizeof(*r->settings));
	c->n_routes++; /* counted at once: fl_deliver_config_free() frees a part-made one */
	if (!r->channel || !r->plugin || !r->settings)
		return -ENOMEM;
	return 0;
}

static int add_setting(struct fl_deliver_route *r, const char *key, size_t key_len,
		       const char *value)
{
	struct fl_kv *kv;
	char *k, *v;

	if (r->n_settings >= FL_PLUGIN_MAX_SETTINGS)
		return -EINVAL;
	k = strndup(key, key_len);
	v = strdup(value);
	if (!k || !v) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	kv = &r->settings[r->n_settings++];
	kv->key = k;
	kv->value = v;
	return 0;
}

int fl_deliver_config_route(struct fl_deliver_config *c, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1])
		return -EINVAL;
	return add_route(c, arg, (size_t)(eq - arg), eq + 1);
}

int fl_deliver_config_set(struct fl_deliver_config *c, const char *arg)
{
	const char *dot = strchr(arg, '.'), *eq = strchr(arg, '=');
	size_t n;

	if (!dot || !eq || dot > eq || dot == arg || eq == dot + 1)
		return -EINVAL;
	n = (size_t)(dot - arg);
	for (size_t i = 0; i < c->n_routes; i++) {
		struct fl_deliver_route *r = &c->routes[i];

		if (strlen(r->channel) == n && memcmp(r->channel, arg, n) == 0)
			return add_setting(r, dot + 1, (size_t)(eq - dot - 1), eq + 1);
	}
	return -ENOENT;
}

static int parse_u32(const char *v, uint32_t min, uint32_t max, uint32_t *out)
{
	struct fl_kv kv = {"v", v};

	return fl_kv_get_u32(&kv, 1, "v", 0, min, max, out);
}

bool fl_deliver_is_option(const char *opt)
{
	static const char *const opts[] = {"--plugin-dir", "--route",	       "--set",
					   "--timeout-ms", "--backoff-ms",     "--backoff-max-ms",
					   "--poll-ms",	   "--at"};

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strcmp(opt, opts[i]) == 0)
			return true;
	return false;
}

int fl_deliver_config_option(struct fl_deliver_config *c, const char *opt, const char *val)
{
	uint32_t u = 0;
	int rc;

	if (strcmp(opt, "--plugin-dir") == 0) {
		c->plugin_dir = val;
		return 0;
	}
	if (strcmp(opt, "--route") == 0)
		return fl_deliver_config_route(c, val);
	if (strcmp(opt, "--set") == 0)
		return fl_deliver_config_set(c, val);
	if (strcmp(opt, "--timeout-ms") == 0)
		return parse_u32(val, 1, FL_PLUGIN_TIMEOUT_MS_MAX, &c->timeout_ms);
	if (strcmp(opt, "--poll-ms") == 0)
		return parse_u32(val, 1, FL_DELIVER_POLL_MS_MAX, &c->poll_ms);
	if (strcmp(opt, "--at") == 0)
		return fl_time_parse(val, &c->at_ns);
	if (strcmp(opt, "--backoff-ms") == 0) {
		rc = parse_u32(val, 1, FL_DELIVER_BACKOFF_MS_MAX, &u);
		c->policy.backoff_ms = u;
		return rc;
	}
	if (strcmp(opt, "--backoff-max-ms") == 0) {
		rc = parse_u32(val, 1, FL_DELIVER_BACKOFF_MS_MAX, &u);
		c->policy.backoff_max_ms = u;
		return rc;
	}
	return -EINVAL;
}

void fl_deliver_config_free(struct fl_deliver_config *c)
{
	for (size_t i = 0; i < c->n_routes; i++) {
		struct fl_deliver_route *r = &c->routes[i];

		for (size_t k = 0; k < r->n_settings; k++) {
			free((char *)r->settings[k].key); /* strndup()ed by add_setting() */
			free((char *)r->settings[k].value);
		}
		free(r->settings);
		free(r->channel);
		free(r->plugin);
		memset(r, 0, sizeof(*r));
	}
	c->n_routes = 0;
}

/* ---- the worker ------------------------------------------------------------- */

/* A lane's pause after a store error doubles from MIN to MAX while the error
 * lasts; with once, a store failing for LANE_ONCE_GIVE_UP_MS ends the run
 * (status 1) rather than hang a command. Leases that ran out are looked for
 * every LANE_STALE_CHECK_MS. */
#define LANE_STORE_BACKOFF_MS_MIN 100
#define LANE_STORE_BACKOFF_MS_MAX 5000
#define LANE_ONCE_GIVE_UP_MS 60000
#define LANE_STALE_CHECK_MS 1000

/* What one run of the worker shares with its lanes: read-only while they run,
 * but for the stop flag. */
struct worker {
	const struct fl_deliver_config *c;
	atomic_int *stop;	 /* the caller's; NULL: runs until once ends it */
	atomic_int halt;	 /* set by the worker when a lane cannot start */
	int64_t started_mono_ns; /* CLOCK_MONOTONIC when the worker started */
	const char *channels[FL_OUTBOX_MAX_ROUTES]; /* every routed channel */
};

/* One channel's lane: its thread, store connection, outbox and plugin. The
 * lane of channel NULL takes the rows no route takes (they fail as
 * "no plugin"). The coordinator fills it before the thread starts and reads
 * status and stats after the join. */
struct lane {
	struct worker *w;
	const char *channel;	     /* borrowed from the config; NULL: no route's */
	struct fl_plugin *plugin;    /* borrowed; NULL for the lane of no route */
	struct fl_outbox_bell *bell; /* owned; rung by the coordinator */
	pthread_t thread;
	bool is_started;
	int status;
	struct fl_outbox_stats stats;
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The worker's clock (see deliver.h). */
static int64_t worker_now(const struct worker *w)
{
	if (w->c->at_ns <= 0)
		return wall_ns();
	return w->c->at_ns + (mono_ns() - w->started_mono_ns);
}

static bool is_stopped(struct worker *w)
{
	return atomic_load(&w->halt) || (w->stop && atomic_load(w->stop));
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * NS_PER_MS};

	nanosleep(&ts, NULL);
}

static const char *lane_name(const struct lane *l)
{
	return l->channel ? l->channel : "(no route)";
}

/* Logs a store error of the lane with the row and SQLite's words, and sets
 * the pause before the next try. Returns false when once has waited long
 * enough for the store. */
static bool lane_store_failed(struct lane *l, struct fl_store *s, struct fl_outbox *ob, int rc,
			      int64_t *backoff_ms, int64_t *failing_since_ns)
{
	struct fl_outbox_error e;

	fl_outbox_last_error(ob, &e);
	if (*failing_since_ns == 0)
		*failing_since_ns = mono_ns();
	*backoff_ms = *backoff_ms ? *backoff_ms * 2 : LANE_STORE_BACKOFF_MS_MIN;
	if (*backoff_ms > LANE_STORE_BACKOFF_MS_MAX)
		*backoff_ms = LANE_STORE_BACKOFF_MS_MAX;
	fprintf(stderr, "faultline outbox: %s: store: cannot %s%s%s%s%s: %s (%s); again in %lld ms\n",
		lane_name(l), e.step, e.ticket[0] ? " of ticket " : "", e.ticket,
		e.key[0] ? " key " : "", e.key, fl_store_errmsg(s), strerror(-rc),
		(long long)*backoff_ms);
	if (l->w->c->once && mono_ns() - *failing_since_ns > LANE_ONCE_GIVE_UP_MS * NS_PER_MS) {
		fprintf(stderr, "faultline outbox: %s: store failing for %d s; giving up\n",
			lane_name(l), LANE_ONCE_GIVE_UP_MS / 1000);
		return false;
	}
	return true;
}

/* Puts back the lane's rows whose lease ran out, at most every
 * LANE_STALE_CHECK_MS. Returns 0 or the store's error. */
static int lane_recover_stale(struct lane *l, struct fl_outbox *ob, int64_t *next_check_ns)
{
	uint32_t n = 0;
	int rc;

	if (l->w->c->once || mono_ns() < *next_check_ns)
		return 0; /* once: the start's recovery put back everything */
	rc = fl_outbox_recover_stale(ob, worker_now(l->w), &n);
	if (rc < 0)
		return rc;
	*next_check_ns = mono_ns() + LANE_STALE_CHECK_MS * NS_PER_MS;
	if (n)
		fprintf(stderr, "faultline outbox: %s: %u abandoned deliveries put back\n",
			lane_name(l), n);
	return 0;
}

/* Delivers the lane's rows until stopped, or until nothing is due when
 * once. A store error is logged, waited out and tried again: the lane never
 * dies of one. Returns the lane's status (0, 1). */
static int lane_loop(struct lane *l, struct fl_store *s, struct fl_outbox *ob)
{
	const struct fl_deliver_config *c = l->w->c;
	int64_t poll_ms = c->poll_ms ? c->poll_ms : FL_DELIVER_POLL_MS;
	int64_t backoff_ms = 0, failing_since_ns = 0, next_stale_check_ns = 0;

	while (!is_stopped(l->w)) {
		int64_t now = worker_now(l->w), next, wait_ms;
		uint32_t n = 0;
		int rc = lane_recover_stale(l, ob, &next_stale_check_ns);

		if (rc == 0)
			rc = fl_outbox_run_once(ob, now, 0, &n);
		if (rc < 0) {
			if (!lane_store_failed(l, s, ob, rc, &backoff_ms, &failing_since_ns))
				return 1;
			(void)fl_outbox_bell_wait(l->bell, backoff_ms);
			continue;
		}
		if (failing_since_ns)
			fprintf(stderr, "faultline outbox: %s: store writable again\n", lane_name(l));
		backoff_ms = failing_since_ns = 0;
		if (n > 0)
			continue;
		next = fl_outbox_next_due(ob);
		if (c->once && (next == INT64_MAX || next > now + FL_DELIVER_POLL_MS * NS_PER_MS))
			break; /* nothing due in this pass */
		wait_ms = next == INT64_MAX ? poll_ms
			  : next <= now	    ? 1
					    : (next - now) / NS_PER_MS + 1;
		wait_ms = wait_ms < 1 ? 1 : wait_ms > poll_ms ? poll_ms : wait_ms;
		(void)fl_outbox_bell_wait(l->bell, wait_ms);
	}
	/* stopped holding an outcome: one last try, else the next start's
	 * recovery sends that message again */
	return fl_outbox_flush(ob) == 0 ? 0 : 1;
}

static void *lane_main(void *arg)
{
	struct lane *l = arg;
	const struct fl_deliver_config *c = l->w->c;
	struct fl_outbox_route route = {.channel = l->channel, .plugin = l->plugin,
					.timeout_ms = c->timeout_ms};
	struct fl_outbox_lane sel = {.channel = l->channel};
	struct fl_outbox *ob = NULL;
	struct fl_store *s = NULL;
	char err[512] = "";

	l->status = 1;
	if (!l->channel) {
		sel.others = l->w->channels;
		sel.n_others = c->n_routes;
	}
	if (fl_store_open(&s, c->db ? c->db : FL_STORE_DEFAULT_PATH, err, sizeof(err)) < 0) {
		fprintf(stderr, "faultline outbox: %s: cannot open %s\n", lane_name(l), err);
		return NULL;
	}
	if (fl_outbox_create(&ob, s, &route, l->plugin ? 1 : 0, &c->policy) < 0 ||
	    fl_outbox_set_lane(ob, &sel) < 0) {
		fprintf(stderr, "faultline outbox: %s: cannot set up the lane\n", lane_name(l));
		goto out;
	}
	l->status = lane_loop(l, s, ob);
	fl_outbox_stats(ob, &l->stats);
out:
	fl_outbox_destroy(ob);
	fl_store_close(s);
	return NULL;
}

static void add_stats(struct fl_outbox_stats *sum, const struct fl_outbox_stats *st)
{
	sum->claimed += st->claimed;
	sum->sent += st->sent;
	sum->retried += st->retried;
	sum->failed += st->failed;
	sum->expired += st->expired;
	sum->recovered += st->recovered;
	sum->store_errors += st->store_errors;
	sum->held += st->held;
}

static void print_stats(const struct fl_outbox_stats *st)
{
	fprintf(stderr,
		"faultline outbox: attempted %llu, sent %llu, retried %llu, failed %llu, "
		"expired %llu, recovered %llu, store errors %llu\n",
		(unsigned long long)st->claimed, (unsigned long long)st->sent,
		(unsigned long long)st->retried, (unsigned long long)st->failed,
		(unsigned long long)st->expired, (unsigned long long)st->recovered,
		(unsigned long long)st->store_errors);
}

/* Puts back every row a killed worker left "sending", before any lane
 * claims: tried again after a store error like everything else. Returns
 * false when stopped or once gave up first. */
static bool recover_at_start(struct fl_store *s, struct worker *w, struct fl_outbox_stats *sum)
{
	int64_t pause_ms = LANE_STORE_BACKOFF_MS_MIN, since_ns = mono_ns();
	uint32_t n = 0;
	int rc;

	while ((rc = fl_store_outbox_recover(s, worker_now(w), &n)) < 0) {
		fprintf(stderr, "faultline outbox: store: cannot put back interrupted deliveries: %s"
				" (%s); again in %lld ms\n",
			fl_store_errmsg(s), strerror(-rc), (long long)pause_ms);
		if (is_stopped(w) ||
		    (w->c->once && mono_ns() - since_ns > LANE_ONCE_GIVE_UP_MS * NS_PER_MS))
			return false;
		sleep_ms(pause_ms);
		pause_ms = pause_ms * 2 > LANE_STORE_BACKOFF_MS_MAX ? LANE_STORE_BACKOFF_MS_MAX
								    : pause_ms * 2;
	}
	sum->recovered += n;
	if (n)
		fprintf(stderr, "faultline outbox: %u interrupted deliveries put back\n", n);
	return true;
}

/* Starts a lane per route and one for the rows no route takes. Returns
 * false when one could not start (the worker is halted then: the caller
 * joins those that did). */
static bool start_lanes(struct worker *w, struct lane *lanes, struct fl_plugin **plugins)
{
	const struct fl_deliver_config *c = w->c;

	for (size_t i = 0; i <= c->n_routes; i++) {
		struct lane *l = &lanes[i];

		l->w = w;
		l->channel = i < c->n_routes ? c->routes[i].channel : NULL;
		l->plugin = i < c->n_routes ? plugins[i] : NULL;
		if (fl_outbox_bell_create(&l->bell) < 0 ||
		    pthread_create(&l->thread, NULL, lane_main, l) != 0) {
			fprintf(stderr, "faultline outbox: cannot start the lane of %s\n",
				lane_name(l));
			atomic_store(&w->halt, 1);
			return false;
		}
		l->is_started = true;
	}
	return true;
}

/* Passes the engine's bell on to every lane until stopped or every lane
 * ended (once); then joins them. Returns the worst status. */
static int run_lanes(struct worker *w, struct lane *lanes, size_t n, struct fl_outbox_stats *sum)
{
	const struct fl_deliver_config *c = w->c;
	int64_t poll_ms = c->poll_ms ? c->poll_ms : FL_DELIVER_POLL_MS;
	int status = 0;

	while (!c->once && !is_stopped(w)) { /* once: the lanes end by themselves */
		bool is_rung = true; /* without a bell, the lanes poll on their own */

		if (c->bell)
			is_rung = fl_outbox_bell_wait(c->bell, poll_ms);
		else
			sleep_ms(poll_ms);
		for (size_t i = 0; is_rung && c->bell && i < n; i++)
			if (lanes[i].is_started)
				fl_outbox_bell_ring(lanes[i].bell);
	}
	for (size_t i = 0; i < n; i++)
		if (lanes[i].is_started)
			fl_outbox_bell_ring(lanes[i].bell); /* a stop ends their waits at once */
	for (size_t i = 0; i < n; i++) {
		if (lanes[i].is_started) {
			pthread_join(lanes[i].thread, NULL);
			status = lanes[i].status > status ? lanes[i].status : status;
			add_stats(sum, &lanes[i].stats);
		} else {
			status = 1;
		}
	}
	return status;
}

/* Loads the routes' plugins, puts back interrupted deliveries, then runs a
 * lane per channel; the exit status (0, 1). */
static int worker_run(struct fl_store *s, const struct fl_deliver_config *c, atomic_int *stop)
{
	struct fl_plugin *plugins[FL_OUTBOX_MAX_ROUTES] = {0};
	struct lane lanes[FL_OUTBOX_MAX_ROUTES + 1];
	struct worker w = {.c = c, .stop = stop};
	char dir_buf[PATH_MAX], err[FL_PLUGIN_ERR_MAX];
	const char *dir = c->plugin_dir;
	struct fl_outbox_stats sum = {0};
	int status = 1;

	memset(lanes, 0, sizeof(lanes));
	atomic_init(&w.halt, 0);
	if (!dir)
		dir = fl_plugin_default_dir(dir_buf, sizeof(dir_buf));
	for (size_t i = 0; i < c->n_routes; i++) {
		const struct fl_deliver_route *r = &c->routes[i];

		for (size_t k = 0; k < i; k++)
			if (strcmp(r->channel, c->routes[k].channel) == 0) {
				fprintf(stderr, "faultline outbox: channel %s routed twice\n",
					r->channel);
				goto out;
			}
		if (fl_plugin_load(&plugins[i], dir, r->plugin, r->settings, r->n_settings, err,
				   sizeof(err)) < 0) {
			fprintf(stderr, "faultline outbox: channel %s: %s\n", r->channel, err);
			goto out;
		}
		w.channels[i] = r->channel;
	}
	w.started_mono_ns = mono_ns();
	if (!recover_at_start(s, &w, &sum))
		goto out;
	(void)start_lanes(&w, lanes, plugins);
	status = run_lanes(&w, lanes, c->n_routes + 1, &sum);
	if (status == 0)
		print_stats(&sum);
out:
	for (size_t i = 0; i <= c->n_routes; i++)
		fl_outbox_bell_destroy(lanes[i].bell);
	for (size_t i = 0; i < c->n_routes; i++)
		fl_plugin_unload(plugins[i]);
	return status;
}

int fl_deliver_run(struct fl_store *s, const struct fl_deliver_config *c)
{
	return worker_run(s, c, NULL);
}

/* ---- the worker on a thread of its own -------------------------------------- */

struct fl_deliver {
	struct fl_deliver_config c; /* a deep copy: routes owned, db and plugin_dir below */
	char *db, *plugin_dir;
	atomic_int stop;
	pthread_t thread;
	int status;
};

static void *deliver_main(void *arg)
{
	struct fl_deliver *d = arg;
	struct fl_store *s = NULL;
	char err[512] = "";

	if (fl_store_open(&s, d->db, err, sizeof(err)) < 0) {
		fprintf(stderr, "faultline run: outbox: cannot open %s\n", err);
		d->status = 1;
		return NULL;
	}
	d->status = worker_run(s, &d->c, &d->stop);
	fl_store_close(s);
	return NULL;
}

static void deliver_free(struct fl_deliver *d)
{
	fl_deliver_config_free(&d->c);
	free(d->db);
	free(d->plugin_dir);
	free(d);
}

/* d->c = c with every string its own. */
static int copy_config(struct fl_deliver *d, const struct fl_deliver_config *c)
{
	d->c = *c;
	d->c.n_routes = 0;
	d->db = strdup(c->db ? c->db : FL_STORE_DEFAULT_PATH);
	d->plugin_dir = c->plugin_dir ? strdup(c->plugin_dir) : NULL;
	if (!d->db || (c->plugin_dir && !d->plugin_dir))
		return -ENOMEM;
	d->c.db = d->db;
	d->c.plugin_dir = d->plugin_dir;
	for (size_t i = 0; i < c->n_routes; i++) {
		const struct fl_deliver_route *r = &c->routes[i];
		int rc = add_route(&d->c, r->channel, strlen(r->channel), r->plugin);

		for (size_t k = 0; rc == 0 && k < r->n_settings; k++)
			rc = add_setting(&d->c.routes[i], r->settings[k].key,
					 strlen(r->settings[k].key), r->settings[k].value);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int fl_deliver_start(struct fl_deliver **out, const struct fl_deliver_config *c)
{
	struct fl_deliver *d;
	int rc;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	rc = copy_config(d, c);
	if (rc < 0)
		goto out_free;
	atomic_init(&d->stop, 0);
	if (pthread_create(&d->thread, NULL, deliver_main, d) != 0) {
		rc = -EAGAIN;
		goto out_free;
	}
	*out = d;
	return 0;

out_free:
	deliver_free(d);
	return rc;
}

static int deliver_end(struct fl_deliver *d, bool is_now)
{
	int status;

	if (!d)
		return 0;
	if (is_now) {
		atomic_store(&d->stop, 1);
		if (d->c.bell) /* ends the wait at once */
			fl_outbox_bell_ring(d->c.bell);
	}
	pthread_join(d->thread, NULL);
	status = d->status;
	deliver_free(d);
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
