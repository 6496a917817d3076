#include "engine/notify/outbox.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/lib/limits.h"
#include "engine/notify/plugin.h"
#include "engine/store/store.h"

#define NS_PER_MS 1000000LL

struct route {
	char *channel;
	struct fl_plugin *plugin;
	uint32_t timeout_ms;
};

struct fl_outbox {
	struct fl_store *store; /* borrowed */
	struct route routes[FL_OUTBOX_MAX_ROUTES];
	size_t n_routes;
	struct fl_outbox_policy policy;
	struct fl_outbox_stats stats;
	fl_outbox_gave_up_fn *gave_up_fn;
	void *gave_up_ctx;
};

static void policy_defaults(struct fl_outbox_policy *p, const struct fl_outbox_policy *in)
{
	*p = in ? *in : (struct fl_outbox_policy){0};
	if (p->backoff_ms <= 0)
		p->backoff_ms = FL_OUTBOX_BACKOFF_MS_DEFAULT;
	if (p->backoff_max_ms <= 0)
		p->backoff_max_ms = FL_OUTBOX_BACKOFF_MAX_MS_DEFAULT;
	if (p->backoff_max_ms < p->backoff_ms)
		p->backoff_max_ms = p->backoff_ms;
}

int fl_outbox_create(struct fl_outbox **out, struct fl_store *store,
                     const struct fl_outbox_route *routes, size_t n_routes,
                     const struct fl_outbox_policy *policy)
{
	struct fl_outbox *ob;

	if (!store || n_routes > FL_OUTBOX_MAX_ROUTES || (n_routes && !routes))
		return -EINVAL;
	for (size_t i = 0; i < n_routes; i++) {
		if (!routes[i].channel || !routes[i].channel[0] || !routes[i].plugin)
			return -EINVAL;
		for (size_t k = 0; k < i; k++)
			if (strcmp(routes[i].channel, routes[k].channel) == 0)
				return -EINVAL;
	}
	ob = calloc(1, sizeof(*ob));
	if (!ob)
		return -ENOMEM;
	ob->store = store;
	policy_defaults(&ob->policy, policy);
	for (size_t i = 0; i < n_routes; i++) {
		ob->routes[i].channel = strdup(routes[i].channel);
		if (!ob->routes[i].channel) {
			fl_outbox_destroy(ob);
			return -ENOMEM;
		}
		ob->routes[i].plugin = routes[i].plugin;
		ob->routes[i].timeout_ms = routes[i].timeout_ms;
		ob->n_routes++;
	}
	*out = ob;
	return 0;
}

void fl_outbox_destroy(struct fl_outbox *ob)
{
	if (!ob)
		return;
	for (size_t i = 0; i < ob->n_routes; i++) {
		free(ob->routes[i].channel);
		ob->routes[i].channel = NULL;
	}
	free(ob);
}

void fl_outbox_on_gave_up(struct fl_outbox *ob, fl_outbox_gave_up_fn *fn, void *ctx)
{
	ob->gave_up_fn = fn;
	ob->gave_up_ctx = ctx;
}

int fl_outbox_recover(struct fl_outbox *ob, int64_t now_ns, uint32_t *n)
{
	uint32_t count = 0;
	int rc = fl_store_outbox_recover(ob->store, now_ns, &count);

	if (rc < 0) {
		ob->stats.store_errors++;
		return rc;
	}
	ob->stats.recovered += count;
	if (n)
		*n = count;
	return 0;
}

/* splitmix64 over FNV-1a of the key: a well-mixed, reproducible draw. */
static uint64_t jitter_hash(uint64_t seed, const char *key, uint32_t attempts)
{
	uint64_t h = 0xcbf29ce484222325u ^ seed;

	for (const unsigned char *p = (const unsigned char *)key; p && *p; p++)
		h = (h ^ *p) * 0x100000001b3u;
	h ^= attempts;
	h += 0x9e3779b97f4a7c15u;
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9u;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebu;
	return h ^ (h >> 31);
}

int64_t fl_outbox_backoff_ms(const struct fl_outbox_policy *policy, const char *key,
                             uint32_t attempts)
{
	struct fl_outbox_policy p;
	int64_t d;

	policy_defaults(&p, policy);
	d = p.backoff_ms;
	for (uint32_t i = 1; i < attempts && d < p.backoff_max_ms; i++)
		d *= 2; /* stops at the cap: no overflow for any attempt count */
	if (d > p.backoff_max_ms)
		d = p.backoff_max_ms;
	d = d / 2 + (int64_t)(jitter_hash(p.seed, key, attempts) % (uint64_t)(d - d / 2 + 1));
	return d > 0 ? d : 1; /* never due again in the same pass */
}

static const struct route *route_for(const struct fl_outbox *ob, const char *channel)
{
	for (size_t i = 0; i < ob->n_routes; i++)
		if (strcmp(ob->routes[i].channel, channel) == 0)
			return &ob->routes[i];
	return NULL;
}

/* Records the outcome; tells the engine when the message was given up. */
static int finish(struct fl_outbox *ob, const struct fl_outbox_row *r, enum fl_outbox_state next,
                  const char *result, const char *reason, int64_t retry_ns, int64_t now_ns)
{
	int rc = fl_store_outbox_finish(ob->store, r->id, next, result, reason, retry_ns, now_ns);

	if (rc == 0 && ob->gave_up_fn && (next == FL_OUTBOX_FAILED || next == FL_OUTBOX_EXPIRED)) {
		struct fl_outbox_gave_up g = {
			.ticket = r->ticket,
			.key = r->key,
			.channel = r->channel,
			.address = r->address,
			.state = fl_outbox_state_name(next),
			.reason = reason ? reason : "",
			.attempts = r->attempts,
		};

		ob->gave_up_fn(ob->gave_up_ctx, &g);
	}
	return rc;
}

/* Attempts one claimed row and records the outcome. */
static int deliver(struct fl_outbox *ob, const struct fl_outbox_row *r, int64_t now_ns)
{
	const struct route *rt = route_for(ob, r->channel);
	char err[FL_PLUGIN_ERR_MAX] = "";
	enum fl_outbox_state next;
	enum fl_send_result res;
	int64_t retry_ns = 0;

	if (now_ns >= r->expires_ns) {
		ob->stats.expired++;
		return finish(ob, r, FL_OUTBOX_EXPIRED, "expired", "ttl passed before delivery", 0,
		              now_ns);
	}
	if (!rt) {
		ob->stats.failed++;
		ob->stats.no_route++;
		snprintf(err, sizeof(err), "no plugin for channel '%s'", r->channel);
		return finish(ob, r, FL_OUTBOX_FAILED, "permanent", err, 0, now_ns);
	}
	struct fl_message m = {
		.size = sizeof(struct fl_message),
		.idempotency_key = r->key,
		.channel = r->channel,
		.to = {.name = r->person, .address = r->address},
		.subject = r->subject,
		.body = r->body,
		.incident_json = r->incident_json,
		.incident_json_len = strlen(r->incident_json),
	};
	res = fl_plugin_send(rt->plugin, &m, rt->timeout_ms, err, sizeof(err));
	switch (res) {
	case FL_SEND_OK:
		next = FL_OUTBOX_SENT;
		ob->stats.sent++;
		err[0] = '\0';
		break;
	case FL_SEND_PERMANENT:
		next = FL_OUTBOX_FAILED;
		ob->stats.failed++;
		break;
	default:
		retry_ns = now_ns + fl_outbox_backoff_ms(&ob->policy, r->key, r->attempts) * NS_PER_MS;
		if (retry_ns >= r->expires_ns) {
			next = FL_OUTBOX_EXPIRED;
			ob->stats.expired++;
		} else {
			next = FL_OUTBOX_PENDING;
			ob->stats.retried++;
		}
		break;
	}
	return finish(ob, r, next, fl_send_result_name(res), err[0] ? err : NULL, retry_ns, now_ns);
}

int fl_outbox_run_once(struct fl_outbox *ob, int64_t now_ns, uint32_t max, uint32_t *n_attempted)
{
	uint32_t n = 0;
	int rc = 0;

	if (max == 0 || max > FL_OUTBOX_BATCH_MAX)
		max = FL_OUTBOX_BATCH_MAX;
	while (n < max) {
		struct fl_outbox_row *r = NULL;

		rc = fl_store_outbox_claim(ob->store, now_ns, &r);
		if (rc == -ENOENT) {
			rc = 0;
			break;
		}
		if (rc < 0) {
			ob->stats.store_errors++;
			break;
		}
		ob->stats.claimed++;
		n++;
		rc = deliver(ob, r, now_ns);
		fl_store_outbox_row_free(r);
		if (rc < 0) { /* left "sending": the next recover retries it */
			ob->stats.store_errors++;
			break;
		}
	}
	if (n == max)
		ob->stats.batch_full++;
	if (n_attempted)
		*n_attempted = n;
	return rc;
}

void fl_outbox_stats(const struct fl_outbox *ob, struct fl_outbox_stats *out)
{
	*out = ob->stats;
}

/* ---- the bell ---------------------------------------------------------------- */

struct fl_outbox_bell {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* on CLOCK_MONOTONIC: a clock step never stretches a wait */
	bool is_rung;      /* under mu */
	uint64_t rings;    /* under mu */
};

int fl_outbox_bell_create(struct fl_outbox_bell **out)
{
	struct fl_outbox_bell *b = calloc(1, sizeof(*b));
	pthread_condattr_t ca;
	int rc = -EAGAIN;

	if (!b)
		return -ENOMEM;
	if (pthread_condattr_init(&ca) != 0)
		goto out_free;
	if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&b->cv, &ca) != 0)
		goto out_attr;
	if (pthread_mutex_init(&b->mu, NULL) != 0) {
		pthread_cond_destroy(&b->cv);
		goto out_attr;
	}
	pthread_condattr_destroy(&ca);
	*out = b;
	return 0;

out_attr:
	pthread_condattr_destroy(&ca);
out_free:
	free(b);
	return rc;
}

void fl_outbox_bell_destroy(struct fl_outbox_bell *b)
{
	if (!b)
		return;
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
	free(b);
}

void fl_outbox_bell_ring(struct fl_outbox_bell *b)
{
	pthread_mutex_lock(&b->mu);
	b->is_rung = true;
	b->rings++;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

bool fl_outbox_bell_wait(struct fl_outbox_bell *b, int64_t timeout_ms)
{
	struct timespec until;
	bool was_rung;

	clock_gettime(CLOCK_MONOTONIC, &until);
	if (timeout_ms > 0) {
		until.tv_sec += (time_t)(timeout_ms / 1000);
		until.tv_nsec += (long)(timeout_ms % 1000) * NS_PER_MS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&b->mu);
	/* a loop, not one wait: wake-ups without a ring do happen */
	while (!b->is_rung && timeout_ms > 0 &&
	       pthread_cond_timedwait(&b->cv, &b->mu, &until) != ETIMEDOUT)
		;
	was_rung = b->is_rung;
	b->is_rung = false;
	pthread_mutex_unlock(&b->mu);
	return was_rung;
}

uint64_t fl_outbox_bell_rings(struct fl_outbox_bell *b)
{
	uint64_t n;

	pthread_mutex_lock(&b->mu);
	n = b->rings;
	pthread_mutex_unlock(&b->mu);
	return n;
}
