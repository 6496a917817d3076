/* api_map.c - the network map (api_map.h) and the inventory's resources:
 * GET /api/map, which gathers the cut spans of the open incidents from the
 * store, and GET /api/inventory/targets, the names a maintenance window may
 * name. */
#include "engine/api/api_map.h"

#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/api/api_int.h"
#include "engine/inventory/inventory.h"
#include "engine/lib/json.h"
#include "engine/store/store.h"

enum span_state { SPAN_OK, SPAN_UNPROTECTED, SPAN_CUT };
static const char *const span_state_names[] = {"ok", "unprotected", "cut"};

/* What one call works on: per-span states, the cut spans, and the devices
 * (sorted by address, so a device finds its slot without an index field)
 * with whether each lost its path. */
struct map_work {
	const struct fl_inventory *inv;
	struct fl_inventory_counts n;
	uint8_t *span_state;
	const struct fl_inv_span **cuts;
	size_t ncuts;
	const struct fl_inv_device **devices;
	bool *isolated;
	const struct fl_inv_device **ring_isolated; /* scratch for fl_inventory_ring_state() */
};

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (const void *const *)a, y = (uintptr_t) * (const void *const *)b;

	return x < y ? -1 : x > y;
}

static void work_free(struct map_work *w)
{
	free(w->span_state);
	free(w->cuts);
	free(w->devices);
	free(w->isolated);
	free(w->ring_isolated);
}

static int work_alloc(struct map_work *w, const struct fl_inventory *inv)
{
	size_t most_nodes = 1;

	w->inv = inv;
	fl_inventory_counts(inv, &w->n);
	for (size_t i = 0; i < w->n.rings; i++)
		if (fl_inventory_ring_at(inv, i)->nodes > most_nodes)
			most_nodes = fl_inventory_ring_at(inv, i)->nodes;
	w->span_state = calloc(w->n.spans + 1, 1);
	w->cuts = calloc(w->n.spans + 1, sizeof(*w->cuts));
	w->devices = calloc(w->n.devices + 1, sizeof(*w->devices));
	w->isolated = calloc(w->n.devices + 1, sizeof(*w->isolated));
	w->ring_isolated = calloc(most_nodes, sizeof(*w->ring_isolated));
	if (!w->span_state || !w->cuts || !w->devices || !w->isolated || !w->ring_isolated)
		return -ENOMEM;
	for (size_t i = 0; i < w->n.devices; i++)
		w->devices[i] = fl_inventory_device_at(inv, i);
	qsort(w->devices, w->n.devices, sizeof(*w->devices), cmp_ptr);
	return 0;
}

static void mark_isolated(struct map_work *w, const struct fl_inv_device *d)
{
	const struct fl_inv_device **at =
		bsearch(&d, w->devices, w->n.devices, sizeof(*w->devices), cmp_ptr);

	if (at)
		w->isolated[at - w->devices] = true;
}

static bool is_isolated(const struct map_work *w, const struct fl_inv_device *d)
{
	const struct fl_inv_device **at =
		bsearch(&d, w->devices, w->n.devices, sizeof(*w->devices), cmp_ptr);

	return at && w->isolated[at - w->devices];
}

/* A ring cut twice or more: the devices between the cuts, and every chain
 * hanging off them, lose their path. */
static void ring_isolation(struct map_work *w, const struct fl_inv_ring *ring)
{
	size_t n = 0;

	if (fl_inventory_ring_state(w->inv, ring, w->cuts, w->ncuts, w->ring_isolated, ring->nodes,
				    &n) != FL_INV_RING_BROKEN)
		return;
	for (size_t i = 0; i < n && i < ring->nodes; i++) {
		const struct fl_inv_device *d = w->ring_isolated[i];

		mark_isolated(w, d);
		for (size_t k = 0; k < d->nbehind; k++)
			mark_isolated(w, d->behind[k]);
	}
}

/* Marks the states: cut spans, the rest of their rings unprotected, and the
 * devices that lost their path. */
static void work_states(struct map_work *w)
{
	for (size_t i = 0; i < w->ncuts; i++) {
		const struct fl_inv_span *sp = w->cuts[i];

		if (sp->chain)
			for (size_t k = 0; k < sp->ndownstream; k++)
				mark_isolated(w, sp->downstream[k]);
		if (!sp->ring)
			continue;
		for (size_t k = 0; k < sp->ring->nodes; k++)
			if (w->span_state[sp->ring->spans[k]->index] == SPAN_OK)
				w->span_state[sp->ring->spans[k]->index] = SPAN_UNPROTECTED;
	}
	for (size_t i = 0; i < w->n.rings; i++)
		ring_isolation(w, fl_inventory_ring_at(w->inv, i));
}

static bool site_isolated(const struct map_work *w, const struct fl_inv_site *s)
{
	if (s->ndevices == 0)
		return false;
	for (size_t i = 0; i < s->ndevices; i++)
		if (!is_isolated(w, s->devices[i]))
			return false;
	return true;
}

static bool site_placed(const struct fl_inv_site *s)
{
	return !(s->lat == 0 && s->lon == 0);
}

static void site_json(struct fl_json *j, const struct map_work *w, const struct fl_inv_site *s)
{
	fl_json_obj_begin(j);
	fl_json_key(j, "id");
	fl_json_cstr(j, s->id);
	fl_json_key(j, "name");
	fl_json_cstr(j, s->name);
	fl_json_key(j, "city");
	fl_json_cstr(j, s->city ? s->city->name : NULL);
	if (site_placed(s)) {
		fl_json_key(j, "lat_e6");
		fl_json_int(j, (int64_t)llround(s->lat * 1e6));
		fl_json_key(j, "lon_e6");
		fl_json_int(j, (int64_t)llround(s->lon * 1e6));
	}
	fl_json_key(j, "state");
	fl_json_cstr(j, site_isolated(w, s) ? "isolated" : "ok");
	fl_json_obj_end(j);
}

static void sites_json(struct fl_json *j, const struct map_work *w, bool placed)
{
	fl_json_arr_begin(j);
	for (size_t i = 0; i < w->n.sites; i++) {
		const struct fl_inv_site *s = fl_inventory_site_at(w->inv, i);

		if (site_placed(s) == placed)
			site_json(j, w, s);
	}
	fl_json_arr_end(j);
}

static void spans_json(struct fl_json *j, const struct map_work *w)
{
	fl_json_arr_begin(j);
	for (size_t i = 0; i < w->n.spans; i++) {
		const struct fl_inv_span *sp = fl_inventory_span_nth(w->inv, i);

		fl_json_obj_begin(j);
		fl_json_key(j, "id");
		fl_json_cstr(j, sp->id);
		fl_json_key(j, "a");
		fl_json_cstr(j, sp->a->site->id);
		fl_json_key(j, "b");
		fl_json_cstr(j, sp->b->site->id);
		fl_json_key(j, "ring");
		fl_json_cstr(j, sp->ring ? sp->ring->id : NULL);
		fl_json_key(j, "state");
		fl_json_cstr(j, span_state_names[w->span_state[sp->index]]);
		fl_json_obj_end(j);
	}
	fl_json_arr_end(j);
}

/* Resolves the names into w->cuts (each span once) and writes the names the
 * inventory does not know as "unknown_cuts". */
static void resolve_cuts(struct fl_json *j, struct map_work *w, const char *const *ids, size_t n)
{
	fl_json_key(j, "unknown_cuts");
	fl_json_arr_begin(j);
	for (size_t i = 0; i < n; i++) {
		const struct fl_inv_span *sp =
			fl_inventory_span(w->inv, fl_str_make(ids[i], strlen(ids[i])));

		if (!sp)
			fl_json_cstr(j, ids[i]);
		else if (w->span_state[sp->index] != SPAN_CUT) {
			w->span_state[sp->index] = SPAN_CUT;
			w->cuts[w->ncuts++] = sp;
		}
	}
	fl_json_arr_end(j);
}

/* No inventory (a plan without data, or `serve` without one): every cut
 * is unknown and there is nothing to draw. */
static int empty_map_json(const char *const *ids, size_t n, bool is_truncated,
			  struct fl_buf *out)
{
	struct fl_json j;

	fl_json_init(&j, out);
	fl_json_obj_begin(&j);
	fl_json_key(&j, "inventory");
	fl_json_bool(&j, false);
	fl_json_key(&j, "cuts_truncated");
	fl_json_bool(&j, is_truncated);
	fl_json_key(&j, "unknown_cuts");
	fl_json_arr_begin(&j);
	for (size_t i = 0; i < n; i++)
		fl_json_cstr(&j, ids[i]);
	fl_json_arr_end(&j);
	static const char *const lists[] = {"sites", "unplaced", "spans"};
	for (size_t i = 0; i < 3; i++) {
		fl_json_key(&j, lists[i]);
		fl_json_arr_begin(&j);
		fl_json_arr_end(&j);
	}
	fl_json_obj_end(&j);
	return 0;
}

int fl_api_map_json(const struct fl_inventory *inv, const char *const *cut_ids, size_t ncuts,
		    bool is_truncated, struct fl_buf *out)
{
	struct map_work w = {0};
	struct fl_json j;
	int rc;

	if (!inv)
		return empty_map_json(cut_ids, ncuts, is_truncated, out);
	rc = work_alloc(&w, inv);
	if (rc < 0)
		goto out_free;
	fl_json_init(&j, out);
	fl_json_obj_begin(&j);
	fl_json_key(&j, "inventory");
	fl_json_bool(&j, true);
	fl_json_key(&j, "cuts_truncated");
	fl_json_bool(&j, is_truncated);
	resolve_cuts(&j, &w, cut_ids, ncuts);
	work_states(&w);
	fl_json_key(&j, "sites");
	sites_json(&j, &w, true);
	fl_json_key(&j, "unplaced");
	sites_json(&j, &w, false);
	fl_json_key(&j, "spans");
	spans_json(&j, &w);
	fl_json_obj_end(&j);
out_free:
	work_free(&w);
	return rc;
}

/* ---- GET /api/map ---------------------------------------------------------------- */

#define CUT_ID_MAX 128 /* a span id longer than this is no span of sites.csv */

/* The cut spans of the open incidents: each ticket not yet restored, its
 * span and its places of kind span, at most FL_API_MAP_CUTS_MAX names.
 * dropped counts the cuts left out and the tickets whose places were not
 * read (past FL_API_LIST_MAX open tickets). */
struct cut_list {
	char (*tickets)[FL_API_ARG_MAX + 1];
	size_t ntickets;
	char (*ids)[CUT_ID_MAX];
	const char *ptrs[FL_API_MAP_CUTS_MAX];
	size_t n;
	uint64_t dropped;
};

static void cut_add(struct cut_list *c, const char *id)
{
	if (!id || !id[0] || strlen(id) >= CUT_ID_MAX)
		return;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->ptrs[i], id) == 0)
			return;
	if (c->n == FL_API_MAP_CUTS_MAX) {
		c->dropped++;
		return;
	}
	strcpy(c->ids[c->n], id);
	c->ptrs[c->n] = c->ids[c->n];
	c->n++;
}

static int ticket_seen(void *ctx, const struct fl_ticket_summary *t)
{
	struct cut_list *c = ctx;

	/* restored or later: the fibre carries traffic again, or will not be
	 * repaired under this ticket */
	if (t->state >= FL_TICKET_RESTORED)
		return 0;
	if (c->ntickets == FL_API_LIST_MAX || strlen(t->id) > FL_API_ARG_MAX) {
		c->dropped++; /* its places unread: the map may miss a cut, and says so */
		cut_add(c, t->span);
		return 0;
	}
	strcpy(c->tickets[c->ntickets++], t->id);
	cut_add(c, t->span);
	return 0;
}

static int place_seen(void *ctx, const struct fl_ticket_place *p)
{
	if (strcmp(p->kind, "span") == 0)
		cut_add(ctx, p->id);
	return 0;
}

/* The places are read after the walk over the tickets: a store walk is one
 * statement, and another may not run inside its callback. */
static int cuts_gather(struct fl_store *s, struct cut_list *c)
{
	int rc;

	c->tickets = calloc(FL_API_LIST_MAX, sizeof(*c->tickets));
	c->ids = calloc(FL_API_MAP_CUTS_MAX, sizeof(*c->ids));
	if (!c->tickets || !c->ids)
		return -ENOMEM;
	rc = fl_store_tickets_each(s, false, ticket_seen, c);
	for (size_t i = 0; rc == 0 && i < c->ntickets; i++)
		rc = fl_store_places_each(s, c->tickets[i], place_seen, c);
	return rc;
}

unsigned api_map(struct api_req *r, struct fl_buf *out)
{
	struct cut_list c = {0};
	struct fl_store *s;
	unsigned status;
	int rc;

	if (!(s = api_store(r, out, &status)))
		return status;
	rc = cuts_gather(s, &c);
	if (rc == 0) {
		rc = fl_api_map_json(r->api->inventory, c.ptrs, c.n, c.dropped > 0, out);
	}
	r->api->count.map_cuts_dropped += c.dropped;
	free(c.tickets);
	free(c.ids);
	if (rc == -ENOMEM)
		return api_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	if (rc < 0)
		return api_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s (%s)",
				 strerror(-rc), fl_store_errmsg(s));
	return MHD_HTTP_OK;
}

/* ---- GET /api/inventory/targets?q= ----------------------------------------------- */

struct targets {
	struct fl_json j;
	const char *q;
	size_t n;
	bool is_truncated;
};

/* Adds one name of scope when q is part of it or of its label. */
static void target_offer(struct targets *t, const char *scope, const char *name, const char *label)
{
	if (t->q && !strstr(name, t->q) && !(label && strstr(label, t->q)))
		return;
	if (t->n == FL_API_TARGETS_MAX) {
		t->is_truncated = true;
		return;
	}
	t->n++;
	fl_json_obj_begin(&t->j);
	fl_json_key(&t->j, "scope");
	fl_json_cstr(&t->j, scope);
	fl_json_key(&t->j, "target");
	fl_json_cstr(&t->j, name);
	fl_json_key(&t->j, "label");
	fl_json_cstr(&t->j, label);
	fl_json_obj_end(&t->j);
}

static void targets_walk(struct targets *t, const struct fl_inventory *inv)
{
	const struct fl_inv_site *site;
	const struct fl_inv_ring *ring;
	const struct fl_inv_span *span;
	const struct fl_inv_device *dev;

	for (size_t i = 0; (site = fl_inventory_site_at(inv, i)); i++)
		target_offer(t, "site", site->id, site->name);
	for (size_t i = 0; (ring = fl_inventory_ring_at(inv, i)); i++)
		target_offer(t, "ring", ring->id, ring->name);
	for (size_t i = 0; (span = fl_inventory_span_nth(inv, i)); i++)
		target_offer(t, "span", span->id, NULL);
	for (size_t i = 0; (dev = fl_inventory_device_at(inv, i)); i++)
		target_offer(t, "device", dev->id, dev->site->name);
}

/* The names a maintenance window may take (POST /api/maintenance scopes
 * site, ring, span, device), for the board's form: those containing q, at
 * most FL_API_TARGETS_MAX, sites first. */
unsigned api_targets(struct api_req *r, struct fl_buf *out)
{
	struct targets t = {.q = api_query(r, "q")};

	if (t.q && strlen(t.q) > FL_API_ARG_MAX)
		return api_error(out, MHD_HTTP_BAD_REQUEST, "q is at most %d bytes", FL_API_ARG_MAX);
	fl_json_init(&t.j, out);
	fl_json_obj_begin(&t.j);
	fl_json_key(&t.j, "targets");
	fl_json_arr_begin(&t.j);
	if (r->api->inventory)
		targets_walk(&t, r->api->inventory);
	fl_json_arr_end(&t.j);
	fl_json_key(&t.j, "truncated");
	fl_json_bool(&t.j, t.is_truncated);
	fl_json_obj_end(&t.j);
	return MHD_HTTP_OK;
}
