/* sink_join.c - the store sink's join: an incident about to open a ticket
 * takes the ticket a person opened from a call for the same fault
 * (engine/pipeline/hand_join.h says which), found in the store at that
 * moment, so a ticket phoned in before a restart is found after it.
 *
 * The joined ticket keeps its clocks: they started with the call, the
 * earlier sign of the fault, and an alarm does not buy the duty room more
 * time. Its level stays what the person chose. The incident's ladder runs
 * on that ticket as it would on its own: every step is recorded once per
 * ticket, so a second alarm joining the same ticket pages nobody a step
 * already paged, and the ticket's people get each page once. An incident
 * inside a maintenance window joins too, but does not pause the ticket's
 * clocks: the customer is waiting whatever the window says, and the
 * planned incident pages nobody as it would on its own. */
#include "engine/pipeline/sink_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/inventory/inventory.h"
#include "engine/lib/str.h"
#include "engine/pipeline/hand_join.h"
#include "engine/store/hotline.h"

struct join_walk {
	const struct fl_hand_fault *fault;
	struct fl_hand_pick pick;
};

static int join_offer(void *ctx, const struct fl_hotline_ticket *t)
{
	struct join_walk *w = ctx;

	fl_hand_pick_offer(&w->pick, w->fault, t);
	return 0;
}

/* The fault as the rule reads it: the record's span and place, and the
 * span's two ends from the inventory. */
static void fault_of(const struct fl_sink *s, const struct fl_sink_rec *r,
                     struct fl_hand_fault *f)
{
	const struct fl_inventory *inv = s->prog->inventory;
	const struct fl_inv_span *sp = NULL;

	memset(f, 0, sizeof(*f));
	f->span = r->span;
	f->devices[0] = r->device;
	f->sites[0] = r->site;
	f->circuits = r->circuits;
	if (inv && r->span)
		sp = fl_inventory_span(inv, fl_str_make(r->span, strlen(r->span)));
	if (!sp)
		return;
	f->devices[1] = sp->a ? sp->a->id : NULL;
	f->devices[2] = sp->b ? sp->b->id : NULL;
	f->sites[1] = sp->a && sp->a->site ? sp->a->site->id : NULL;
	f->sites[2] = sp->b && sp->b->site ? sp->b->site->id : NULL;
}

int sink_join_hand(struct fl_sink *s, struct sink_incident *e, const struct fl_sink_rec *r)
{
	struct fl_hand_fault f;
	struct join_walk w = {.fault = &f};
	int rc;

	if (!r->span && !r->device && !r->site && !r->circuits)
		return 0; /* not located: nothing to compare */
	fault_of(s, r, &f);
	rc = fl_hotline_each_open(s->store, join_offer, &w);
	if (rc < 0)
		return rc;
	if (!w.pick.best_id[0])
		return 0;
	const struct fl_hotline_alarm a = {
		.title = r->title, .device = r->device, .site = r->site, .span = r->span,
		.ring = r->ring, .county = r->county, .city = r->city, .at_ns = r->at_ns,
	};
	rc = fl_hotline_join(s->store, w.pick.best_id, &a);
	if (rc < 0)
		return rc;
	snprintf(e->ticket, sizeof(e->ticket), "%s", w.pick.best_id);
	s->wst.joined++;
	if (r->absorbed) {
		rc = fl_store_incident_absorb(s->store, e->ticket, (uint32_t)r->absorbed, NULL,
		                              r->at_ns);
		e->absorbed = r->absorbed;
	}
	return rc < 0 ? rc : 1;
}
