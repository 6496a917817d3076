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

/* What one run of the worker reads; owned by that run. */
struct worker {
	const struct fl_deliver_config *c;
	atomic_int *stop;	 /* NULL: runs until once ends it */
	int64_t started_mono_ns; /* CLOCK_MONOTONIC when the worker started */
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

/* Delivers until stopped, or until nothing is due when once. */
static int deliver_loop(struct fl_store *s, struct fl_outbox *ob, struct worker *w)
{
	const struct fl_deliver_config *c = w->c;
	int64_t poll_ms = c->poll_ms ? c->poll_ms : FL_DELIVER_POLL_MS;
	uint32_t n;
	int rc;

	w->started_mono_ns = mono_ns();
	rc = fl_outbox_recover(ob, worker_now(w), &n);
	if (rc < 0)
		return rc;
	if (n)
		fprintf(stderr, "faultline outbox: %u interrupted deliveries put back\n", n);
	while (!w->stop || !atomic_load(w->stop)) {
		int64_t now = worker_now(w), next, wait_ms;

		rc = fl_outbox_run_once(ob, now, 0, &n);
		if (rc < 0)
			return rc;
		if (n > 0)
			continue;
		next = fl_store_outbox_next_due(s);
		if (c->once && (next == INT64_MAX || next > now + FL_DELIVER_POLL_MS * NS_PER_MS))
			break; /* nothing due in this pass */
		wait_ms = next == INT64_MAX ? poll_ms : (next - now) / NS_PER_MS + 1;
		wait_ms = wait_ms < 1 ? 1 : wait_ms > poll_ms ? poll_ms : wait_ms;
		if (c->bell) /* the store thread rings it when it commits new rows */
			(void)fl_outbox_bell_wait(c->bell, wait_ms);
		else
			sleep_ms(wait_ms);
	}
	return 0;
}

/* Loads the routes' plugins, then delivers; the exit status (0, 1). */
static int worker_run(struct fl_store *s, const struct fl_deliver_config *c, atomic_int *stop)
{
	struct fl_plugin *plugins[FL_OUTBOX_MAX_ROUTES] = {0};
	struct fl_outbox_route routes[FL_OUTBOX_MAX_ROUTES];
	struct worker w = {.c = c, .stop = stop};
	char dir_buf[PATH_MAX], err[FL_PLUGIN_ERR_MAX];
	const char *dir = c->plugin_dir;
	struct fl_outbox *ob = NULL;
	int rc, status = 1;

	if (!dir)
		dir = fl_plugin_default_dir(dir_buf, sizeof(dir_buf));
	for (size_t i = 0; i < c->n_routes; i++) {
		const struct fl_deliver_route *r = &c->routes[i];

		rc = fl_plugin_load(&plugins[i], dir, r->plugin, r->settings, r->n_settings, err,
				    sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "faultline outbox: channel %s: %s\n", r->channel, err);
			goto out;
		}
		routes[i] = (struct fl_outbox_route){
			.channel = r->channel, .plugin = plugins[i], .timeout_ms = c->timeout_ms};
	}
	rc = fl_outbox_create(&ob, s, routes, c->n_routes, &c->policy);
	if (rc < 0) {
		fprintf(stderr, "faultline outbox: bad routes (a channel twice?)\n");
		goto out;
	}
	rc = deliver_loop(s, ob, &w);
	if (rc < 0) {
		fprintf(stderr, "faultline outbox: store: %s (%s)\n", strerror(-rc),
			fl_store_errmsg(s));
		goto out;
	}
	status = 0;
	print_stats(ob);
out:
	fl_outbox_destroy(ob);
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
