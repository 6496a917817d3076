/* sink_rec.c - engine actions copied into records the store sink writes.
 * Records are made and freed here and nowhere else; sink_store.c writes
 * them and this file does not know the writer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/correlate/correlate.h"
#include "engine/inventory/inventory.h"
#include "engine/pipeline/sink_int.h"

/* ---- records -------------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Appends ';'-separated unique values to a growing string. */
static int join_add(char **acc, size_t *len, const char *v)
{
	size_t vl = strlen(v);
	char *p;

	if (*acc) {
		const char *hit = *acc;

		while ((hit = strstr(hit, v))) {
			bool start = hit == *acc || hit[-1] == ';';
			bool end = hit[vl] == '\0' || hit[vl] == ';';

			if (start && end)
				return 0;
			hit += vl;
		}
	}
	p = realloc(*acc, *len + vl + 2);
	if (!p)
		return -ENOMEM;
	if (*len)
		p[(*len)++] = ';';
	memcpy(p + *len, v, vl + 1);
	*len += vl;
	*acc = p;
	return 0;
}

void fl_sink_rec_free(struct fl_sink_rec *r)
{
	if (!r)
		return;
	free(r->title);
	free(r->rule);
	free(r->key);
	free(r->device);
	free(r->site);
	free(r->span);
	free(r->ring);
	free(r->county);
	free(r->city);
	free(r->circuits);
	free(r->customers);
	free(r->channel);
	free(r->role);
	free(r->reason);
	free(r->ticket);
	free(r->window);
	for (size_t i = 0; i < r->n_to; i++)
		free(r->to[i]);
	free(r->to);
	for (size_t i = 0; i < r->n_places; i++)
		free(r->places[i].id);
	free(r->places);
	free(r);
}

struct fl_sink_rec *fl_sink_rec_from(const struct fl_action *a, const struct fl_program *prog)
{
	const struct fl_incident *inc = a->incident;
	struct fl_sink_rec *r = calloc(1, sizeof(*r));
	const struct fl_inv_site *site;
	const char *ring = NULL;
	size_t clen = 0, ulen = 0;
	bool oom = false;

	if (!r)
		return NULL;
	r->type = (int)a->type;
	r->at_ns = a->at_ns;
	r->step = a->step;
	r->fell_back = a->fell_back;
	if (!inc)
		return r;
	site = inc->site;
	r->incident = inc->id;
	r->first_ns = inc->first_ns;
	r->ladder_from_ns = inc->ladder_from_ns;
	r->count = inc->count;
	r->absorbed = inc->absorbed;
	r->level = inc->level;
	r->loc_class = inc->loc_class >= 0 ? inc->loc_class
			: site ? (int)site->site_class : -1;
	r->is_planned = inc->is_planned;
	r->title = strdup(inc->title);
	r->rule = dup_or_null(inc->source_name);
	r->key = inc->key[0] ? strdup(inc->key) : NULL;
	r->device = dup_or_null(inc->device ? inc->device->id : NULL);
	r->site = dup_or_null(site ? site->id : NULL);
	r->span = dup_or_null(inc->span_name);
	if (inc->n_spans && inc->spans[0]->ring)
		ring = inc->spans[0]->ring->id;
	else if (inc->device && inc->device->ring)
		ring = inc->device->ring->id;
	r->ring = dup_or_null(ring);
	r->county = dup_or_null(site && site->county ? site->county->name : NULL);
	r->city = dup_or_null(site && site->city ? site->city->name : NULL);
	r->channel = dup_or_null(a->channel);
	r->role = dup_or_null(a->role);
	r->reason = dup_or_null(a->reason);
	r->ticket = dup_or_null(inc->ticket);
	r->n_places_now = inc->n_places;
	r->window = dup_or_null(inc->window);
	/* a notice's template may name the circuits and customers */
	if (a->type == FL_ACTION_OPEN || (a->type == FL_ACTION_NOTIFY && prog && prog->n_messages)) {
		for (size_t i = 0; i < inc->n_spans && !oom; i++) {
			const struct fl_inv_span *sp = inc->spans[i];

			for (size_t c = 0; c < sp->ncircuits && !oom; c++) {
				const struct fl_inv_circuit *ci = sp->circuits[c];

				oom = join_add(&r->circuits, &clen, ci->id) < 0;
				if (!oom && ci->customer && ci->customer[0])
					oom = join_add(&r->customers, &ulen, ci->customer) < 0;
			}
		}
		/* a site's outage (no span): the circuits ending there */
		for (size_t c = 0; !inc->n_spans && site && c < site->ncircuits && !oom; c++) {
			const struct fl_inv_circuit *ci = site->circuits[c];

			oom = join_add(&r->circuits, &clen, ci->id) < 0;
			if (!oom && ci->customer && ci->customer[0])
				oom = join_add(&r->customers, &ulen, ci->customer) < 0;
		}
	}
	if (inc->n_places && (a->type == FL_ACTION_OPEN || a->type == FL_ACTION_UPDATE ||
			      a->type == FL_ACTION_ESCALATE)) {
		r->places = calloc(inc->n_places, sizeof(*r->places));
		oom |= !r->places;
		for (size_t i = 0; r->places && i < inc->n_places; i++) {
			const struct fl_incident_place *pl = &inc->places[i];

			r->places[i].kind = pl->kind == FL_PLACE_SPAN ? "span" : "site";
			r->places[i].evidence = pl->evidence;
			r->places[i].joined_ns = pl->joined_ns;
			r->places[i].id =
			    strdup(pl->kind == FL_PLACE_SPAN ? pl->span->id : pl->site->id);
			oom |= !r->places[i].id;
			r->n_places++;
		}
	}
	if (a->n_to) {
		r->to = calloc(a->n_to, sizeof(*r->to));
		oom |= !r->to;
		for (size_t i = 0; r->to && i < a->n_to; i++) {
			r->to[i] = strdup(a->to[i]);
			oom |= !r->to[i];
			r->n_to++;
		}
	}
	if (oom || !r->title || (inc->ticket && !r->ticket) || (inc->window && !r->window)) {
		fl_sink_rec_free(r);
		return NULL;
	}
	return r;
}
