/* timerwheel.c - hierarchical timer wheel, cascading (Varghese & Lauck, and
 * the classic Linux timer_list wheel), with occupancy bitmaps to skip empty
 * stretches of time.
 *
 * Level L has 64 slots of 64^L ms each. A timer due in delta ms (from the
 * wheel's current tick) goes to the lowest level whose span 64^(L+1) exceeds
 * delta, in slot (expires >> 6L) & 63. When time reaches the start of that
 * slot's block, the slot is cascaded: each timer is placed again relative to
 * the new tick and lands on a finer level. Level 0 slots hold timers of one
 * exact deadline, so firing a level 0 slot fires one deadline; its timers are
 * sorted by arming sequence first, since cascades append out of arming order.
 *
 * Timers due at or before the current tick live on the `due` list, kept in
 * (deadline, sequence) order; advance() drains it before and after each tick. */
#include "engine/lib/timerwheel.h"

#include <errno.h>
#include <stdlib.h>

#include "engine/lib/limits.h"

#define LEVELS 7
#define SLOT_BITS 6
#define SLOTS (1u << SLOT_BITS)
#define SLOT_MASK (SLOTS - 1)
#define HORIZON_MS ((UINT64_C(1) << (LEVELS * SLOT_BITS)) - 1)
#define WHERE_NONE 0xffffu
#define WHERE_DUE 0xfffeu

struct fl_timerwheel {
	uint64_t now;	  /* current tick: every timer due by it has been fired */
	uint64_t next_seq;
	size_t max_timers;
	bool in_advance;
	uint64_t occupied[LEVELS]; /* bit i: slot i of that level is not empty */
	struct fl_timer_link slot[LEVELS][SLOTS];
	struct fl_timer_link due;
	struct fl_timerwheel_stats stats;
};

static void list_init(struct fl_timer_link *head)
{
	head->next = head->prev = head;
}

static bool list_empty(const struct fl_timer_link *head)
{
	return head->next == head;
}

static void link_before(struct fl_timer_link *pos, struct fl_timer_link *l)
{
	l->prev = pos->prev;
	l->next = pos;
	pos->prev->next = l;
	pos->prev = l;
}

static void link_remove(struct fl_timer_link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
	l->next = l->prev = NULL;
}

/* Moves every link of src to the empty list dst. */
static void list_move_all(struct fl_timer_link *dst, struct fl_timer_link *src)
{
	if (list_empty(src)) {
		list_init(dst);
		return;
	}
	dst->next = src->next;
	dst->prev = src->prev;
	dst->next->prev = dst;
	dst->prev->next = dst;
	list_init(src);
}

static struct fl_timer *timer_of(struct fl_timer_link *l)
{
	return (struct fl_timer *)(void *)l; /* link is the first member */
}

static uint64_t rotr64(uint64_t x, unsigned n)
{
	n &= 63;
	return n ? (x >> n) | (x << (64 - n)) : x;
}

/* Inserts t into the due list, which stays in (deadline, sequence) order.
 * Walks from the tail: the newest timer with the latest deadline is the
 * common case and costs one comparison. */
static void due_insert(struct fl_timerwheel *tw, struct fl_timer *t)
{
	struct fl_timer_link *pos = &tw->due;

	while (pos->prev != &tw->due) {
		const struct fl_timer *p = timer_of(pos->prev);

		if (p->expires_ms < t->expires_ms ||
		    (p->expires_ms == t->expires_ms && p->seq < t->seq))
			break;
		pos = pos->prev;
	}
	link_before(pos, &t->link);
	t->where = WHERE_DUE;
}

/* Puts t in the slot its deadline maps to, relative to tw->now. expires must
 * be >= now (cascades and add() guarantee it). */
static void place(struct fl_timerwheel *tw, struct fl_timer *t)
{
	uint64_t expires = (uint64_t)t->expires_ms;
	uint64_t delta = expires - tw->now;
	unsigned level = 0, idx;

	if (delta > HORIZON_MS) {
		/* Beyond the top level's reach: park it where the top level ends;
		 * when that slot cascades, place() sees the real deadline again. */
		expires = tw->now + HORIZON_MS;
		level = LEVELS - 1;
	} else {
		while (delta >> (SLOT_BITS * (level + 1)))
			level++;
	}
	idx = (unsigned)(expires >> (SLOT_BITS * level)) & SLOT_MASK;
	link_before(&tw->slot[level][idx], &t->link);
	tw->occupied[level] |= UINT64_C(1) << idx;
	t->where = (uint16_t)(level * SLOTS + idx);
}

static void unlink_timer(struct fl_timerwheel *tw, struct fl_timer *t)
{
	unsigned where = t->where;

	link_remove(&t->link);
	t->where = WHERE_NONE;
	if (where != WHERE_DUE) {
		unsigned level = where / SLOTS, idx = where % SLOTS;

		if (list_empty(&tw->slot[level][idx]))
			tw->occupied[level] &= ~(UINT64_C(1) << idx);
	}
}

/* The tick at which the wheel next has work: a level 0 slot to fire or a
 * coarser slot to cascade. UINT64_MAX when nothing is armed on the wheel. */
static uint64_t next_event_tick(const struct fl_timerwheel *tw)
{
	uint64_t best = UINT64_MAX;

	for (unsigned level = 0; level < LEVELS; level++) {
		unsigned shift = SLOT_BITS * level;
		uint64_t block, rot, tick;
		unsigned start, d;

		if (!tw->occupied[level])
			continue;
		/* Slot s of this level next comes due at the first block after
		 * the current one whose index is s (64 blocks later if s is the
		 * current block's: that one was already cascaded). */
		block = tw->now >> shift;
		start = (unsigned)(block + 1) & SLOT_MASK;
		rot = rotr64(tw->occupied[level], start);
		d = (unsigned)__builtin_ctzll(rot) + 1;
		tick = (block + d) << shift;
		if (tick < best)
			best = tick;
	}
	return best;
}

static void cascade(struct fl_timerwheel *tw, unsigned level, unsigned idx)
{
	struct fl_timer_link moving;

	list_move_all(&moving, &tw->slot[level][idx]);
	tw->occupied[level] &= ~(UINT64_C(1) << idx);
	while (!list_empty(&moving)) {
		struct fl_timer *t = timer_of(moving.next);

		link_remove(&t->link);
		place(tw, t);
		tw->stats.cascaded++;
	}
}

/* Sorts a NULL-terminated singly linked chain (through link.next) by seq:
 * bottom-up merge sort, O(n log n), no allocation. */
static struct fl_timer_link *sort_by_seq(struct fl_timer_link *head)
{
	size_t width = 1;

	for (;;) {
		struct fl_timer_link *out = NULL, **tail = &out, *rest = head;
		size_t merges = 0;

		while (rest) {
			struct fl_timer_link *a = rest, *b = rest;
			size_t na = 0, nb = width;

			merges++;
			while (na < width && b) {
				na++;
				b = b->next;
			}
			while (na > 0 || (nb > 0 && b)) {
				struct fl_timer_link *pick;

				if (na == 0 || (nb > 0 && b && timer_of(b)->seq < timer_of(a)->seq)) {
					pick = b;
					b = b->next;
					nb--;
				} else {
					pick = a;
					a = a->next;
					na--;
				}
				*tail = pick;
				tail = &pick->next;
			}
			rest = b;
		}
		*tail = NULL;
		head = out;
		if (merges <= 1)
			return head;
		width *= 2;
	}
}

/* Moves level 0 slot idx (one deadline) onto the empty due list in arming
 * order. */
static void slot_to_due(struct fl_timerwheel *tw, unsigned idx)
{
	struct fl_timer_link *head = &tw->slot[0][idx], *l, *chain, *prev;
	bool is_sorted = true;

	if (list_empty(head))
		return;
	for (l = head->next; l->next != head; l = l->next)
		if (timer_of(l->next)->seq < timer_of(l)->seq)
			is_sorted = false;
	tw->occupied[0] &= ~(UINT64_C(1) << idx);
	if (is_sorted) {
		list_move_all(&tw->due, head);
	} else {
		head->prev->next = NULL;
		chain = sort_by_seq(head->next);
		list_init(head);
		prev = &tw->due;
		for (l = chain; l; prev = l, l = l->next)
			l->prev = prev;
		prev->next = &tw->due;
		tw->due.prev = prev;
		tw->due.next = chain;
	}
	for (l = tw->due.next; l != &tw->due; l = l->next)
		timer_of(l)->where = WHERE_DUE;
}

static size_t drain_due(struct fl_timerwheel *tw, fl_timer_fn *fn, void *ctx)
{
	size_t fired = 0;

	while (!list_empty(&tw->due)) {
		struct fl_timer *t = timer_of(tw->due.next);

		unlink_timer(tw, t);
		tw->stats.armed--;
		tw->stats.fired++;
		fired++;
		fn(t, ctx);
	}
	return fired;
}

int fl_timerwheel_create(struct fl_timerwheel **out, int64_t start_ms, size_t max_timers)
{
	struct fl_timerwheel *tw;

	if (start_ms < 0 || start_ms > FL_TIMERWHEEL_MAX_MS || max_timers == 0 ||
	    max_timers > FL_TIMERWHEEL_MAX_TIMERS)
		return -EINVAL;
	tw = calloc(1, sizeof(*tw));
	if (!tw)
		return -ENOMEM;
	tw->now = (uint64_t)start_ms;
	tw->max_timers = max_timers;
	for (unsigned level = 0; level < LEVELS; level++)
		for (unsigned idx = 0; idx < SLOTS; idx++)
			list_init(&tw->slot[level][idx]);
	list_init(&tw->due);
	*out = tw;
	return 0;
}

void fl_timerwheel_destroy(struct fl_timerwheel *tw)
{
	free(tw);
}

void fl_timer_init(struct fl_timer *t)
{
	t->link.next = t->link.prev = NULL;
	t->expires_ms = 0;
	t->seq = 0;
	t->where = WHERE_NONE;
}

int fl_timerwheel_add(struct fl_timerwheel *tw, struct fl_timer *t, int64_t expires_ms)
{
	if (fl_timer_is_armed(t))
		return -EBUSY;
	if (expires_ms < 0 || expires_ms > FL_TIMERWHEEL_MAX_MS)
		return -EINVAL;
	if (tw->stats.armed >= tw->max_timers) {
		tw->stats.refused_full++;
		return -ENOBUFS;
	}
	t->expires_ms = expires_ms;
	t->seq = tw->next_seq++;
	if ((uint64_t)expires_ms <= tw->now)
		due_insert(tw, t);
	else
		place(tw, t);
	tw->stats.added++;
	if (++tw->stats.armed > tw->stats.high_water)
		tw->stats.high_water = tw->stats.armed;
	return 0;
}

bool fl_timerwheel_cancel(struct fl_timerwheel *tw, struct fl_timer *t)
{
	if (!fl_timer_is_armed(t))
		return false;
	unlink_timer(tw, t);
	tw->stats.armed--;
	tw->stats.cancelled++;
	return true;
}

int fl_timerwheel_rearm(struct fl_timerwheel *tw, struct fl_timer *t, int64_t expires_ms)
{
	if (expires_ms < 0 || expires_ms > FL_TIMERWHEEL_MAX_MS)
		return -EINVAL; /* checked first: a refused re-arm leaves t as it was */
	fl_timerwheel_cancel(tw, t);
	return fl_timerwheel_add(tw, t, expires_ms);
}

size_t fl_timerwheel_advance(struct fl_timerwheel *tw, int64_t now_ms, fl_timer_fn *fn,
			     void *ctx)
{
	uint64_t target;
	size_t fired;

	if (FL_NEVER(tw->in_advance))
		return 0; /* a callback called advance(): refuse, do not recurse */
	tw->in_advance = true;
	fired = drain_due(tw, fn, ctx);
	target = now_ms < 0 ? 0 : (uint64_t)now_ms;
	if (target > (uint64_t)FL_TIMERWHEEL_MAX_MS)
		target = (uint64_t)FL_TIMERWHEEL_MAX_MS;
	while (tw->now < target) {
		uint64_t tick = next_event_tick(tw);

		if (tick > target) {
			tw->now = target;
			break;
		}
		tw->now = tick;
		/* Kernel order: at a level L boundary cascade level L's slot,
		 * then go up while the lower index is 0. */
		for (unsigned level = 1; level < LEVELS; level++) {
			unsigned shift = SLOT_BITS * level;

			if (tick & ((UINT64_C(1) << shift) - 1))
				break;
			cascade(tw, level, (unsigned)(tick >> shift) & SLOT_MASK);
		}
		slot_to_due(tw, (unsigned)tick & SLOT_MASK);
		fired += drain_due(tw, fn, ctx);
	}
	tw->in_advance = false;
	return fired;
}

int64_t fl_timerwheel_now(const struct fl_timerwheel *tw)
{
	return (int64_t)tw->now;
}

bool fl_timerwheel_next_expiry(const struct fl_timerwheel *tw, int64_t *out_ms)
{
	int64_t best = INT64_MAX;
	bool found = false;

	if (!list_empty(&tw->due)) {
		*out_ms = timer_of(tw->due.next)->expires_ms;
		return true;
	}
	for (unsigned level = 0; level < LEVELS; level++) {
		uint64_t block = tw->now >> (SLOT_BITS * level);
		unsigned start = (unsigned)(block + 1) & SLOT_MASK, idx;
		const struct fl_timer_link *head, *l;

		if (!tw->occupied[level])
			continue;
		/* The nearest occupied slot holds this level's earliest block. */
		idx = (start + (unsigned)__builtin_ctzll(rotr64(tw->occupied[level], start))) &
		      SLOT_MASK;
		head = &tw->slot[level][idx];
		for (l = head->next; l != head; l = l->next) {
			int64_t e = timer_of((struct fl_timer_link *)(uintptr_t)l)->expires_ms;

			if (e < best)
				best = e;
			found = true;
		}
	}
	if (found)
		*out_ms = best;
	return found;
}

bool fl_timer_is_armed(const struct fl_timer *t)
{
	return t->link.next != NULL;
}

int64_t fl_timer_expires(const struct fl_timer *t)
{
	return t->expires_ms;
}

void fl_timerwheel_stats(const struct fl_timerwheel *tw, struct fl_timerwheel_stats *out)
{
	*out = tw->stats;
}
