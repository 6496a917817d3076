/* replay.c - recorded lines through the engine in event time. */
#include "engine/pipeline/replay.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "engine/correlate/actions.h"
#include "engine/lib/buf.h"
#include "engine/lib/clock.h"
#include "engine/decode/event.h"
#include "engine/decode/message.h"
#include "engine/decode/record.h"
#include "engine/decode/syslog.h"
#include "engine/lib/limits.h"

struct fl_replay_item {
	int decoded;	     /* the decoder's verdict, or -errno: a record not read */
	bool is_record;
	bool timed;	     /* ev.time_ns is the event's time (else sort_ns is borrowed) */
	int64_t sort_ns;     /* the merge's key */
	const char *problem; /* why a record could not be read */
	struct fl_buf bytes; /* a record's message, unescaped */
	struct fl_event ev;  /* ~5 KiB */
};

struct fl_replay {
	const struct fl_program *prog;
	struct fl_clock *clock;
	struct fl_engine *engine;
	struct fl_buf *sink;
	struct fl_message_opts mopts;
	struct fl_syslog_time_cache time_cache; /* mopts.time_cache: lines repeat their second */
	int64_t received_ns; /* when the replay started: decides RFC 3164 years */
	fl_action_fn *also;
	void *also_ctx;
	int64_t first_ns, last_ns;
	bool started, sink_full;
	uint64_t lines, undecoded, records, bad_records;
	struct fl_replay_item *item; /* for fl_replay_line() */
};

static void on_action(const struct fl_action *a, void *ctx)
{
	struct fl_replay *r = ctx;

	if (fl_actions_json(r->sink, r->prog, a) < 0)
		r->sink_full = true;
	if (r->also)
		r->also(a, r->also_ctx);
}

int fl_replay_create(struct fl_replay **out, const struct fl_program *prog,
		     const struct fl_replay_opts *opts, struct fl_buf *sink)
{
	struct fl_engine_config cfg = {.on_action = on_action};
	struct fl_replay *r;
	struct timespec ts;
	int rc;

	if (!prog || !sink)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->prog = prog;
	r->sink = sink;
	clock_gettime(CLOCK_REALTIME, &ts);
	r->received_ns = (int64_t)ts.tv_sec * FL_NS_PER_SEC + ts.tv_nsec;
	r->mopts.time_cache = &r->time_cache;
	if (opts) {
		r->mopts.tz = opts->tz;
		r->mopts.year = opts->year;
		cfg.late_ms = opts->late_ms;
		cfg.max_keys_per_rule = opts->max_keys_per_rule;
		cfg.max_keys = opts->max_keys;
		r->also = opts->also;
		r->also_ctx = opts->also_ctx;
		cfg.window_fn = opts->window_fn;
		cfg.window_ctx = opts->window_ctx;
		cfg.explain = opts->explain;
		cfg.explain_ctx = opts->explain_ctx;
	}
	cfg.ctx = r;
	rc = fl_replay_item_create(&r->item);
	if (rc < 0)
		goto out_free;
	rc = fl_clock_create_event(&r->clock, 0);
	if (rc < 0)
		goto out_free;
	rc = fl_engine_create(&r->engine, prog, r->clock, &cfg);
	if (rc < 0)
		goto out_clock;
	*out = r;
	return 0;

out_clock:
	fl_clock_destroy(r->clock);
out_free:
	fl_replay_item_destroy(r->item);
	free(r);
	return rc;
}

void fl_replay_destroy(struct fl_replay *r)
{
	if (!r)
		return;
	fl_engine_destroy(r->engine);
	fl_clock_destroy(r->clock);
	fl_replay_item_destroy(r->item);
	free(r);
}

int fl_replay_item_create(struct fl_replay_item **out)
{
	struct fl_replay_item *it = calloc(1, sizeof(*it));

	if (!it)
		return -ENOMEM;
	fl_buf_init(&it->bytes, FL_LINE_MAX_DEFAULT);
	*out = it;
	return 0;
}

void fl_replay_item_destroy(struct fl_replay_item *it)
{
	if (!it)
		return;
	fl_buf_free(&it->bytes);
	free(it);
}

void fl_replay_read(struct fl_replay *r, struct fl_replay_item *it, const char *p, size_t len,
		    int64_t prev_ns)
{
	it->problem = NULL;
	it->is_record = fl_record_is(p, len);
	if (it->is_record) {
		it->decoded = fl_record_decode(&it->ev, p, len, &it->bytes, &r->mopts, &it->problem);
		if (it->decoded >= 0 && it->ev.kind == FL_EVENT_TRAP && it->decoded != 0)
			it->problem = it->ev.error_reason ? it->ev.error_reason : "trap does not decode";
		/* received is when it happened, unless the message says otherwise */
		it->timed = it->decoded >= 0;
	} else {
		const struct fl_received m = {.transport = FL_TRANSPORT_FILE,
					      .received_ns = r->received_ns,
					      .p = p,
					      .len = len};

		it->decoded = fl_message_decode(&it->ev, &m, &r->mopts);
		it->timed = it->ev.has_time;
	}
	it->sort_ns = it->timed ? it->ev.time_ns : prev_ns;
}

int64_t fl_replay_item_time(const struct fl_replay_item *it)
{
	return it->sort_ns;
}

const struct fl_event *fl_replay_item_event(const struct fl_replay_item *it)
{
	return &it->ev;
}

const char *fl_replay_item_problem(const struct fl_replay_item *it)
{
	return it->problem;
}

int fl_replay_feed(struct fl_replay *r, struct fl_replay_item *it)
{
	struct fl_event *ev = &it->ev;

	r->lines++;
	r->records += it->is_record;
	if (it->problem) { /* live, such a trap is dropped at the input */
		r->bad_records++;
		return r->sink_full ? -EMSGSIZE : 0;
	}
	if (it->decoded != 0)
		r->undecoded++;
	/* a line without a usable time happened when the one before it did */
	if (!it->timed)
		ev->time_ns = r->started ? r->last_ns : 0;
	if (!r->started || ev->time_ns > r->last_ns)
		r->last_ns = ev->time_ns;
	if (!r->started)
		r->first_ns = ev->time_ns;
	r->started = true;
	(void)fl_engine_feed(r->engine, ev);
	return r->sink_full ? -EMSGSIZE : 0;
}

int fl_replay_line(struct fl_replay *r, const char *p, size_t len)
{
	fl_replay_read(r, r->item, p, len, INT64_MIN);
	return fl_replay_feed(r, r->item);
}

int fl_replay_finish(struct fl_replay *r)
{
	fl_engine_flush(r->engine);
	return r->sink_full ? -EMSGSIZE : 0;
}

void fl_replay_stats(const struct fl_replay *r, struct fl_replay_stats *out)
{
	out->lines = r->lines;
	out->undecoded = r->undecoded;
	out->records = r->records;
	out->bad_records = r->bad_records;
	out->first_ns = r->first_ns;
	out->last_ns = r->last_ns;
	fl_engine_stats(r->engine, &out->engine);
}
