/* hand_join.c - which ticket opened from a call an alarm joins (hand_join.h). */
#include "engine/pipeline/hand_join.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool given(const char *s)
{
	return s && s[0];
}

static bool in_set(const char *v, const char *const *set, size_t n)
{
	for (size_t i = 0; given(v) && i < n; i++)
		if (given(set[i]) && strcmp(set[i], v) == 0)
			return true;
	return false;
}

/* Is one item of the ';'-separated list a also in the list b? */
static bool lists_meet(const char *a, const char *b)
{
	while (given(a) && given(b)) {
		size_t n = strcspn(a, ";");

		for (const char *p = b; *p;) {
			size_t m = strcspn(p, ";");

			if (m == n && n && memcmp(p, a, n) == 0)
				return true;
			p += m + (p[m] == ';');
		}
		a += n + (a[n] == ';');
	}
	return false;
}

enum fl_hand_match fl_hand_match(const struct fl_hand_fault *f, const struct fl_hotline_ticket *t)
{
	/* each place the caller named must be the fault's: a ticket for
	 * another span does not take this span's alarm for its circuits */
	if (given(t->span) && !(given(f->span) && strcmp(t->span, f->span) == 0))
		return FL_HAND_NONE;
	if (given(t->device) && !in_set(t->device, f->devices, FL_HAND_JOIN_PLACES))
		return FL_HAND_NONE;
	if (given(t->site) && !in_set(t->site, f->sites, FL_HAND_JOIN_PLACES))
		return FL_HAND_NONE;
	if (given(t->span))
		return FL_HAND_SPAN;
	if (given(t->device))
		return FL_HAND_DEVICE;
	if (given(t->site))
		return FL_HAND_SITE;
	return lists_meet(t->circuits, f->circuits) ? FL_HAND_CIRCUIT : FL_HAND_NONE;
}

void fl_hand_pick_offer(struct fl_hand_pick *p, const struct fl_hand_fault *f,
                        const struct fl_hotline_ticket *t)
{
	enum fl_hand_match m = fl_hand_match(f, t);
	bool is_better = m > p->best || (m == p->best && m != FL_HAND_NONE &&
	                                 (t->opened_ns < p->best_opened_ns ||
	                                  (t->opened_ns == p->best_opened_ns &&
	                                   strcmp(t->id, p->best_id) < 0)));

	if (m == FL_HAND_NONE || !is_better || !t->id || strlen(t->id) >= sizeof(p->best_id))
		return;
	snprintf(p->best_id, sizeof(p->best_id), "%s", t->id);
	p->best = m;
	p->best_opened_ns = t->opened_ns;
}
