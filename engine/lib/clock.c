/* clock.c - live and event-time clocks behind one interface. */
#include "engine/lib/clock.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

/* The methods an implementation provides. A table of functions rather than a
 * switch, so a third kind (say a clock that follows another shard) plugs in
 * without touching callers. */
struct clock_ops {
	enum fl_clock_kind kind;
	int64_t (*now_ns)(const struct fl_clock *c);
	int64_t (*mono_ns)(const struct fl_clock *c);
};

struct fl_clock {
	const struct clock_ops *ops;
	int64_t event_ns; /* event clocks: the current time */
	struct fl_clock_stats stats;
};

static int64_t read_system(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * FL_NS_PER_SEC + (int64_t)ts.tv_nsec;
}

static int64_t live_now(const struct fl_clock *c)
{
	(void)c;
	return read_system(CLOCK_REALTIME);
}

static int64_t live_mono(const struct fl_clock *c)
{
	(void)c;
	return read_system(CLOCK_MONOTONIC);
}

static int64_t event_now(const struct fl_clock *c)
{
	return c->event_ns;
}

static const struct clock_ops live_ops = {FL_CLOCK_LIVE, live_now, live_mono};
static const struct clock_ops event_ops = {FL_CLOCK_EVENT, event_now, event_now};

static int clock_new(struct fl_clock **out, const struct clock_ops *ops, int64_t start_ns)
{
	struct fl_clock *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->ops = ops;
	c->event_ns = start_ns;
	*out = c;
	return 0;
}

int fl_clock_create_live(struct fl_clock **out)
{
	return clock_new(out, &live_ops, 0);
}

int fl_clock_create_event(struct fl_clock **out, int64_t start_ns)
{
	if (start_ns < 0)
		return -EINVAL;
	return clock_new(out, &event_ops, start_ns);
}

void fl_clock_destroy(struct fl_clock *c)
{
	free(c);
}

int fl_clock_advance_to(struct fl_clock *c, int64_t at_ns)
{
	if (c->ops->kind != FL_CLOCK_EVENT)
		return -EINVAL;
	if (at_ns < c->event_ns) {
		c->stats.refused_backwards++;
		return -ERANGE;
	}
	if (at_ns > c->event_ns)
		c->stats.advanced++;
	c->event_ns = at_ns;
	return 0;
}

int fl_clock_advance_by(struct fl_clock *c, int64_t delta_ns)
{
	if (c->ops->kind != FL_CLOCK_EVENT || delta_ns < 0 || c->event_ns > INT64_MAX - delta_ns)
		return -EINVAL;
	return fl_clock_advance_to(c, c->event_ns + delta_ns);
}

int64_t fl_clock_now_ns(const struct fl_clock *c)
{
	return c->ops->now_ns(c);
}

int64_t fl_clock_mono_ns(const struct fl_clock *c)
{
	return c->ops->mono_ns(c);
}

enum fl_clock_kind fl_clock_kind(const struct fl_clock *c)
{
	return c->ops->kind;
}

void fl_clock_stats(const struct fl_clock *c, struct fl_clock_stats *out)
{
	*out = c->stats;
}
