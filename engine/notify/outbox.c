/* outbox.c - claim, attempt, record, retry and expire; see outbox.h. */
#include "engine/notify/outbox.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/lib/limits.h"
#include "engine/lib/notice_key.h"
#include "engine/notify/plugin.h"
#include "engine/store/store.h"

#define NS_PER_MS 1000000LL

struct route {
	char *channel;
	struct fl_plugin *plugin;
	uint32_t timeout_ms;
};

/* What an attempt came to, before it is recorded. */
struct outcome {
	enum fl_outbox_state next;
	const char *result;		 /* static: fl_send_result_name() or "expired" */
	char reason[FL_PLUGIN_ERR_MAX];	 /* "" for none */
	int64_t retry_ns, at_ns;
};

struct fl_outbox {
	struct fl_store *store; /* borrowed */
	struct route routes[FL_OUTBOX_MAX_ROUTES];
	size_t n_routes;
	struct fl_outbox_policy policy;
	struct fl_outbox_stats stats;
	fl_outbox_gave_up_fn *gave_up_fn;
	void *gave_up_ctx;
	struct fl_outbox_lane lane; /* channel owned (lane_channel), others borrowed */
	char *lane_channel;
	bool has_lane;
	/* An outcome the store refused, with its row (owned): recorded before
	 * anything else is claimed, so a locked database costs a delay, never a
	 * second delivery. */
	struct fl_outbox_row *held_row;
	struct outcome held;
	/* The last store error: which step, and the row it was about */
	const char *error_step;
	char error_ticket[FL_STORE_ID_MAX + 1], error_key[FL_NOTICE_KEY_MAX + 1];
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
	fl_store_outbox_row_free(ob->held_row); /* left "sending": the next start puts it back */
	ob->held_row = NULL;
	free(ob->lane_channel);
	ob->lane_channel = NULL;
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

int fl_outbox_set_lane(struct fl_outbox *ob, const struct fl_outbox_lane *lane)
{
	char *channel = NULL;

	if (!lane || lane->n_others > FL_OUTBOX_MAX_ROUTES || (lane->n_others && !lane->others) ||
	    (lane->channel && !lane->channel[0]))
		return -EINVAL;
	if (lane->channel) {
		channel = strdup(lane->channel);
		if (!channel)
			return -ENOMEM;
	}
	free(ob->lane_channel);
	ob->lane_channel = channel;
	ob->lane = *lane;
	ob->lane.channel = channel;
	ob->has_lane = true;
	return 0;
}

static const struct fl_outbox_lane *lane_of(const struct fl_outbox *ob)
{
	return ob->has_lane ? &ob->lane : NULL;
}

/* Notes a failed store call for fl_outbox_last_error(); r may be NULL. */
static int store_failed(struct fl_outbox *ob, const char *step, const struct fl_outbox_row *r,
                        int rc)
{
	ob->stats.store_errors++;
	ob->error_step = step;
	snprintf(ob->error_ticket, sizeof(ob->error_ticket), "%s", r ? r->ticket : "");
	snprintf(ob->error_key, sizeof(ob->error_key), "%s", r ? r->key : "");
	return rc;
}

int fl_outbox_recover(struct fl_outbox *ob, int64_t now_ns, uint32_t *n)
{
	uint32_t count = 0;
	int rc = fl_store_outbox_recover(ob->store, now_ns, &count);

	if (rc < 0)
		return store_failed(ob, "put back interrupted deliveries", NULL, rc);
	ob->stats.recovered += count;
	if (n)
		*n = count;
	return 0;
}

int fl_outbox_recover_stale(struct fl_outbox *ob, int64_t now_ns, uint32_t *n)
{
	uint32_t count = 0;
	int rc = fl_store_outbox_recover_stale(ob->store, lane_of(ob), now_ns, &count);

	if (rc < 0)
		return store_failed(ob, "put back abandoned deliveries", NULL, rc);
	ob->stats.recovered += count;
	ob->stats.stale_recovered += count;
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
static int record(struct fl_outbox *ob, const struct fl_outbox_row *r, const struct outcome *o)
{
	const char *reason = o->reason[0] ? o->reason : NULL;
	int rc = fl_store_outbox_finish(ob->store, r->id, o->next, o->result, reason, o->retry_ns,
	                                o->at_ns);

	if (rc == 0 && ob->gave_up_fn && (o->next == FL_OUTBOX_FAILED || o->next == FL_OUTBOX_EXPIRED)) {
		struct fl_outbox_gave_up g = {
			.ticket = r->ticket,
			.key = r->key,
			.channel = r->channel,
			.address = r->address,
			.state = fl_outbox_state_name(o->next),
			.reason = reason ? reason : "",
			.attempts = r->attempts,
		};

		ob->gave_up_fn(ob->gave_up_ctx, &g);
	}
	return rc;
}

/* The attempt's deadline, given to the plugin: the route's time limit, 0
 * for the plugin's default. */
static uint32_t route_timeout_ms(const struct route *rt)
{
	uint32_t ms = rt && rt->timeout_ms ? rt->timeout_ms : FL_PLUGIN_TIMEOUT_MS_DEFAULT;

	return ms > FL_PLUGIN_TIMEOUT_MS_MAX ? FL_PLUGIN_TIMEOUT_MS_MAX : ms;
}

/* Attempts one claimed row; o gets what came of it. */
static void attempt(struct fl_outbox *ob, const struct fl_outbox_row *r, int64_t now_ns,
                    struct outcome *o)
{
	const struct route *rt = route_for(ob, r->channel);
	enum fl_send_result res;

	*o = (struct outcome){.at_ns = now_ns};
	if (now_ns >= r->expires_ns) {
		ob->stats.expired++;
		o->next = FL_OUTBOX_EXPIRED;
		o->result = "expired";
		snprintf(o->reason, sizeof(o->reason), "ttl passed before delivery");
		return;
	}
	if (!rt) {
		ob->stats.failed++;
		ob->stats.no_route++;
		o->next = FL_OUTBOX_FAILED;
		o->result = "permanent";
		snprintf(o->reason, sizeof(o->reason), "no plugin for channel '%s'", r->channel);
		return;
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
	res = fl_plugin_send(rt->plugin, &m, route_timeout_ms(rt), o->reason, sizeof(o->reason));
	o->result = fl_send_result_name(res);
	switch (res) {
	case FL_SEND_OK:
		o->next = FL_OUTBOX_SENT;
		ob->stats.sent++;
		o->reason[0] = '\0';
		break;
	case FL_SEND_PERMANENT:
		o->next = FL_OUTBOX_FAILED;
		ob->stats.failed++;
		break;
	default:
		o->retry_ns = now_ns + fl_outbox_backoff_ms(&ob->policy, r->key, r->attempts) * NS_PER_MS;
		if (o->retry_ns >= r->expires_ns) {
			o->next = FL_OUTBOX_EXPIRED;
			ob->stats.expired++;
		} else {
			o->next = FL_OUTBOX_PENDING;
			ob->stats.retried++;
		}
		break;
	}
}

/* How long a claim holds: the longest attempt this outbox may make, and a
 * grace for recording its outcome. Only a lane that died or hung past it
 * loses the row to fl_outbox_recover_stale(). */
static int64_t lease_ms(const struct fl_outbox *ob)
{
	uint32_t longest = 0;

	for (size_t i = 0; i < ob->n_routes; i++) {
		uint32_t ms = route_timeout_ms(&ob->routes[i]);

		longest = ms > longest ? ms : longest;
	}
	return (int64_t)longest + FL_OUTBOX_LEASE_GRACE_MS;
}

/* Records the outcome the store refused last time; 0 when none is held. */
static int record_held(struct fl_outbox *ob)
{
	int rc;

	if (!ob->held_row)
		return 0;
	rc = record(ob, ob->held_row, &ob->held);
	if (rc < 0)
		return store_failed(ob, "record the outcome", ob->held_row, rc);
	fl_store_outbox_row_free(ob->held_row);
	ob->held_row = NULL;
	return 0;
}

int fl_outbox_run_once(struct fl_outbox *ob, int64_t now_ns, uint32_t max, uint32_t *n_attempted)
{
	uint32_t n = 0;
	int rc;

	if (max == 0 || max > FL_OUTBOX_BATCH_MAX)
		max = FL_OUTBOX_BATCH_MAX;
	rc = record_held(ob);
	while (rc == 0 && n < max) {
		struct fl_outbox_row *r = NULL;
		struct outcome o;

		rc = fl_store_outbox_claim_lane(ob->store, lane_of(ob), now_ns,
		                                now_ns + lease_ms(ob) * NS_PER_MS, &r);
		if (rc == -ENOENT) {
			rc = 0;
			break;
		}
		if (rc < 0) {
			store_failed(ob, "claim a due notification", NULL, rc);
			break;
		}
		ob->stats.claimed++;
		n++;
		attempt(ob, r, now_ns, &o);
		rc = record(ob, r, &o);
		if (rc < 0) { /* kept: recorded first thing next time */
			store_failed(ob, "record the outcome", r, rc);
			ob->stats.held++;
			ob->held_row = r;
			ob->held = o;
			break;
		}
		fl_store_outbox_row_free(r);
	}
	if (n == max)
		ob->stats.batch_full++;
	if (n_attempted)
		*n_attempted = n;
	return rc;
}

int fl_outbox_flush(struct fl_outbox *ob)
{
	return record_held(ob);
}

int64_t fl_outbox_next_due(struct fl_outbox *ob)
{
	if (ob->held_row)
		return INT64_MIN; /* due at once: an outcome waits to be recorded */
	return fl_store_outbox_next_due_lane(ob->store, lane_of(ob));
}

void fl_outbox_last_error(const struct fl_outbox *ob, struct fl_outbox_error *out)
{
	*out = (struct fl_outbox_error){
		.step = ob->error_step ? ob->error_step : "",
		.ticket = ob->error_ticket,
		.key = ob->error_key,
	};
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
