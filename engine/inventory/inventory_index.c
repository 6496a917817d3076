/* inventory_index.c - the inventory's arena, hash indexes, derived lists and
 * name lookups. See inventory.h for the contract, inventory_int.h for the
 * layout. */
#include "engine/inventory/inventory_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ---------------------------------------------------------------- */

#define ARENA_CHUNK_BYTES (64u * 1024)

struct inv_chunk {
	struct inv_chunk *next;
	size_t used, cap;
	alignas(max_align_t) unsigned char data[];
};

void *inv_arena_alloc(struct inv_arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);
	struct inv_chunk *c = a->head;
	size_t need;

	if (size > SIZE_MAX / 2)
		return NULL;
	need = (size + align - 1) & ~(align - 1);
	if (need == 0)
		need = align;
	if (!c || c->cap - c->used < need) {
		size_t cap = need > ARENA_CHUNK_BYTES ? need : ARENA_CHUNK_BYTES;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = a->head;
		a->head = c;
		a->bytes += sizeof(*c) + cap;
	}
	void *p = c->data + c->used;
	c->used += need;
	memset(p, 0, size);
	return p;
}

char *inv_arena_strdup(struct inv_arena *a, struct fl_str s)
{
	char *p = inv_arena_alloc(a, s.len + 1);

	if (!p)
		return NULL;
	if (s.len)
		memcpy(p, s.p, s.len);
	p[s.len] = '\0';
	return p;
}

void inv_arena_free(struct inv_arena *a)
{
	struct inv_chunk *c = a->head;

	while (c) {
		struct inv_chunk *next = c->next;

		free(c);
		c = next;
	}
	a->head = NULL;
	a->bytes = 0;
}

/* ---- hash index ----------------------------------------------------------- */

/* FNV-1a over k1, a separator no id holds, then k2. Good enough for a few
 * thousand short ASCII names; the table is rebuilt only at load. */
static uint64_t key_hash(struct fl_str k1, struct fl_str k2)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (size_t i = 0; i < k1.len; i++)
		h = (h ^ (unsigned char)k1.p[i]) * 0x100000001b3u;
	h = (h ^ 0xffu) * 0x100000001b3u;
	for (size_t i = 0; i < k2.len; i++)
		h = (h ^ (unsigned char)k2.p[i]) * 0x100000001b3u;
	/* FNV's low bits mix poorly on ids that differ only in their tail
	 * ("...-S01", "...-S02"); the table indexes by low bits, so finish
	 * with MurmurHash3's fmix64. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53u;
	h ^= h >> 33;
	return h;
}

static bool slot_matches(const struct inv_slot *s, uint64_t h, struct fl_str k1, struct fl_str k2)
{
	return s->hash == h && s->len1 == k1.len && s->len2 == k2.len &&
	       (k1.len == 0 || memcmp(s->k1, k1.p, k1.len) == 0) &&
	       (k2.len == 0 || memcmp(s->k2, k2.p, k2.len) == 0);
}

static int index_grow(struct inv_index *ix)
{
	size_t cap = ix->cap ? ix->cap * 2 : 64;
	struct inv_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < ix->cap; i++) {
		const struct inv_slot *s = &ix->slots[i];
		size_t j;

		if (!s->value)
			continue;
		for (j = (size_t)s->hash & (cap - 1); slots[j].value; j = (j + 1) & (cap - 1))
			;
		slots[j] = *s;
	}
	free(ix->slots);
	ix->slots = slots;
	ix->cap = cap;
	return 0;
}

int inv_index_put(struct inv_index *ix, struct fl_str k1, struct fl_str k2, const void *value,
                  const void **existing)
{
	uint64_t h = key_hash(k1, k2);
	size_t j;

	if ((ix->n + 1) * 2 > ix->cap && index_grow(ix) < 0)
		return -ENOMEM;
	for (j = (size_t)h & (ix->cap - 1); ix->slots[j].value; j = (j + 1) & (ix->cap - 1)) {
		if (slot_matches(&ix->slots[j], h, k1, k2)) {
			*existing = ix->slots[j].value;
			return 0;
		}
	}
	ix->slots[j] = (struct inv_slot){k1.p, k2.p, k1.len, k2.len, h, value};
	ix->n++;
	*existing = NULL;
	return 0;
}

/* The slot holding (k1, k2), or NULL. */
static struct inv_slot *slot_of(const struct inv_index *ix, struct fl_str k1, struct fl_str k2)
{
	uint64_t h;

	if (ix->cap == 0 || (!k1.p && k1.len))
		return NULL;
	h = key_hash(k1, k2);
	for (size_t j = (size_t)h & (ix->cap - 1); ix->slots[j].value; j = (j + 1) & (ix->cap - 1))
		if (slot_matches(&ix->slots[j], h, k1, k2))
			return &ix->slots[j];
	return NULL;
}

const void *inv_index_get(const struct inv_index *ix, struct fl_str k1, struct fl_str k2)
{
	const struct inv_slot *s = slot_of(ix, k1, k2);

	return s ? s->value : NULL;
}

void inv_index_free(struct inv_index *ix)
{
	free(ix->slots);
	ix->slots = NULL;
	ix->cap = ix->n = 0;
}

int inv_vec_push(struct inv_vec *v, void *item)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void **items = realloc(v->items, cap * sizeof(*items));

		if (!items)
			return -ENOMEM;
		v->items = items;
		v->cap = cap;
	}
	v->items[v->n++] = item;
	return 0;
}

void inv_vec_free(struct inv_vec *v)
{
	free(v->items);
	v->items = NULL;
	v->n = v->cap = 0;
}

/* ---- derived lists -------------------------------------------------------- */

/* An array of n pointers from the arena (n may be 0: a valid empty array). */
static const void **ptr_array(struct inv_arena *a, size_t n)
{
	return inv_arena_alloc(a, (n ? n : 1) * sizeof(void *));
}

#define ALLOC_LIST(inv, field, count)                                                              \
	do {                                                                                       \
		(field) = (void *)ptr_array(&(inv)->arena, (count));                               \
		if (!(field))                                                                      \
			return -ENOMEM;                                                            \
	} while (0)

/* Devices per site, sites per area. Counts first, then fills (n reused). */
static int link_sites(struct fl_inventory *inv)
{
	for (size_t i = 0; i < inv->devices.n; i++) {
		struct fl_inv_site *s =
		    (void *)((struct fl_inv_device *)inv->devices.items[i])->site;

		if (s)
			s->ndevices++;
	}
	for (size_t i = 0; i < inv->sites.n; i++) {
		struct fl_inv_site *s = inv->sites.items[i];

		ALLOC_LIST(inv, s->devices, s->ndevices);
		s->ndevices = 0;
		if (s->county)
			((struct fl_inv_area *)s->county)->nsites++;
		if (s->city)
			((struct fl_inv_area *)s->city)->nsites++;
	}
	for (size_t i = 0; i < inv->areas.n; i++) {
		struct fl_inv_area *a = inv->areas.items[i];

		ALLOC_LIST(inv, a->sites, a->nsites);
		a->nsites = 0;
	}
	for (size_t i = 0; i < inv->devices.n; i++) {
		struct fl_inv_device *d = inv->devices.items[i];
		struct fl_inv_site *s = (void *)d->site;

		if (s)
			((const struct fl_inv_device **)s->devices)[s->ndevices++] = d;
	}
	for (size_t i = 0; i < inv->sites.n; i++) {
		struct fl_inv_site *s = inv->sites.items[i];
		struct fl_inv_area *areas[2] = {(void *)s->county, (void *)s->city};

		for (size_t k = 0; k < 2; k++)
			if (areas[k])
				((const struct fl_inv_site **)areas[k]->sites)[areas[k]->nsites++] =
				    s;
	}
	return 0;
}

/* Spans per device and per srlg, chains per device. */
static int link_devices(struct fl_inventory *inv)
{
	for (size_t i = 0; i < inv->spans.n; i++) {
		struct fl_inv_span *sp = inv->spans.items[i];

		((struct fl_inv_device *)sp->a)->nspans++;
		if (sp->b != sp->a)
			((struct fl_inv_device *)sp->b)->nspans++;
		for (size_t k = 0; k < sp->nsrlgs; k++)
			((struct fl_inv_srlg *)sp->srlgs[k])->nspans++;
	}
	for (size_t i = 0; i < inv->chains.n; i++) {
		const struct fl_inv_chain *ch = inv->chains.items[i];

		((struct fl_inv_device *)ch->parent_device)->nchains++;
	}
	for (size_t i = 0; i < inv->devices.n; i++) {
		struct fl_inv_device *d = inv->devices.items[i];

		ALLOC_LIST(inv, d->spans, d->nspans);
		ALLOC_LIST(inv, d->chains, d->nchains);
		d->nspans = d->nchains = 0;
	}
	for (size_t i = 0; i < inv->srlgs.n; i++) {
		struct fl_inv_srlg *g = inv->srlgs.items[i];

		ALLOC_LIST(inv, g->spans, g->nspans);
		g->nspans = 0;
	}
	for (size_t i = 0; i < inv->spans.n; i++) {
		struct fl_inv_span *sp = inv->spans.items[i];
		struct fl_inv_device *a = (void *)sp->a, *b = (void *)sp->b;

		((const struct fl_inv_span **)a->spans)[a->nspans++] = sp;
		if (b != a)
			((const struct fl_inv_span **)b->spans)[b->nspans++] = sp;
		for (size_t k = 0; k < sp->nsrlgs; k++) {
			struct fl_inv_srlg *g = (void *)sp->srlgs[k];

			((const struct fl_inv_span **)g->spans)[g->nspans++] = sp;
		}
	}
	for (size_t i = 0; i < inv->chains.n; i++) {
		const struct fl_inv_chain *ch = inv->chains.items[i];
		struct fl_inv_device *p = (void *)ch->parent_device;

		((const struct fl_inv_chain **)p->chains)[p->nchains++] = ch;
	}
	return 0;
}

/* Ring neighbours: the loader checked that ring->devices and ring->spans are
 * complete, so east/west are set for every ring device. */
static void link_rings(struct fl_inventory *inv)
{
	for (size_t i = 0; i < inv->rings.n; i++) {
		const struct fl_inv_ring *r = inv->rings.items[i];

		for (size_t k = 0; k < r->nodes; k++) {
			struct fl_inv_device *d = (void *)r->devices[k];

			d->east = r->devices[(k + 1) % r->nodes];
			d->west = r->devices[(k + r->nodes - 1) % r->nodes];
			d->east_span = r->spans[k];
			d->west_span = r->spans[(k + r->nodes - 1) % r->nodes];
		}
	}
}

/* Circuits per span and per end site. */
static int link_circuits(struct fl_inventory *inv)
{
	for (size_t i = 0; i < inv->circuits.n; i++) {
		const struct fl_inv_circuit *c = inv->circuits.items[i];

		for (size_t k = 0; k < c->npath; k++) {
			bool seen = false;

			for (size_t j = 0; j < k; j++)
				seen |= c->path[j] == c->path[k];
			if (!seen)
				((struct fl_inv_span *)c->path[k])->ncircuits++;
		}
		((struct fl_inv_site *)c->a_site)->ncircuits++;
		if (c->b_site != c->a_site)
			((struct fl_inv_site *)c->b_site)->ncircuits++;
	}
	for (size_t i = 0; i < inv->spans.n; i++) {
		struct fl_inv_span *sp = inv->spans.items[i];

		ALLOC_LIST(inv, sp->circuits, sp->ncircuits);
		sp->ncircuits = 0;
	}
	for (size_t i = 0; i < inv->sites.n; i++) {
		struct fl_inv_site *s = inv->sites.items[i];

		ALLOC_LIST(inv, s->circuits, s->ncircuits);
		s->ncircuits = 0;
	}
	for (size_t i = 0; i < inv->circuits.n; i++) {
		const struct fl_inv_circuit *c = inv->circuits.items[i];
		struct fl_inv_site *a = (void *)c->a_site, *b = (void *)c->b_site;

		for (size_t k = 0; k < c->npath; k++) {
			struct fl_inv_span *sp = (void *)c->path[k];

			if (sp->ncircuits && sp->circuits[sp->ncircuits - 1] == c)
				continue; /* a path naming a span twice was already counted once */
			((const struct fl_inv_circuit **)sp->circuits)[sp->ncircuits++] = c;
		}
		((const struct fl_inv_circuit **)a->circuits)[a->ncircuits++] = c;
		if (b != a)
			((const struct fl_inv_circuit **)b->circuits)[b->ncircuits++] = c;
	}
	return 0;
}

/* Room for every device and every chain, for walk_behind(). */
struct scratch {
	const struct fl_inv_device **devs;
	const struct fl_inv_chain **chains;
	size_t cap_devs, cap_chains; /* every device, every chain: a forest fits */
};

/* What hangs behind some devices, breadth first: the chains off them, their
 * devices, the chains off those. Chains form a forest no deeper than
 * FL_INVENTORY_MAX_CHAIN_DEPTH (the loader refused any other), so each
 * device and chain is met once and the walk is linear in what it finds.
 * The walk appends to w's arrays, after *nd and *nc, what it finds beyond
 * roots[0..nroots). */
static void walk_behind(const struct fl_inv_device *const *roots, size_t nroots,
			struct scratch *w, size_t *nd, size_t *nc)
{
	size_t next = *nd;

	for (size_t r = 0; r < nroots + (*nd - next); r++) {
		const struct fl_inv_device *x = r < nroots ? roots[r] : w->devs[next + (r - nroots)];

		for (size_t c = 0; c < x->nchains && *nc < w->cap_chains; c++) {
			const struct fl_inv_chain *ch = x->chains[c];

			w->chains[(*nc)++] = ch;
			for (size_t k = 0; k < ch->ndevices && *nd < w->cap_devs; k++)
				w->devs[(*nd)++] = ch->devices[k];
		}
	}
}

/* A copy in the arena of n entries of a scratch array; NULL: ENOMEM. */
static const void **arena_list(struct fl_inventory *inv, const void *const *from, size_t n)
{
	const void **to = (const void **)ptr_array(&inv->arena, n);

	if (to && n)
		memcpy(to, from, n * sizeof(*to));
	return to;
}

/* Each device's behind; each span's downstream: for a chain span the chain
 * devices beyond it and what is behind them, for a ring span what is behind
 * either end. */
static int link_downstream(struct fl_inventory *inv)
{
	struct scratch w = {.cap_devs = inv->devices.n, .cap_chains = inv->chains.n};
	const struct fl_inv_device **devs = w.devs = malloc((inv->devices.n + 1) * sizeof(*devs));
	const struct fl_inv_chain **chains = w.chains = malloc((inv->chains.n + 1) * sizeof(*chains));
	int rc = -ENOMEM;

	if (!devs || !chains)
		goto out;
	for (size_t i = 0; i < inv->devices.n; i++) {
		struct fl_inv_device *d = inv->devices.items[i];
		const struct fl_inv_device *root = d;
		size_t nd = 0, nc = 0;

		walk_behind(&root, 1, &w, &nd, &nc);
		d->nbehind = nd;
		if (!(d->behind = (const void *)arena_list(inv, (const void *const *)devs, nd)))
			goto out;
	}
	for (size_t i = 0; i < inv->spans.n; i++) {
		struct fl_inv_span *sp = inv->spans.items[i];
		size_t nd = 0, nc = 0;

		if (sp->chain) {
			const struct fl_inv_chain *ch = sp->chain;
			/* The far end is the one further out along the chain. */
			const struct fl_inv_device *far =
			    sp->a->chain == ch &&
			            (sp->b->chain != ch || sp->a->chain_pos > sp->b->chain_pos)
			        ? sp->a
			        : sp->b;
			size_t from =
			    far->chain == ch && far->chain_pos ? far->chain_pos - 1 : ch->ndevices;

			chains[nc++] = ch;
			for (size_t k = from; k < ch->ndevices; k++)
				devs[nd++] = ch->devices[k];
			walk_behind(devs, nd, &w, &nd, &nc);
		} else {
			const struct fl_inv_device *ends[2] = {sp->a, sp->b};

			walk_behind(ends, ends[1] == ends[0] ? 1 : 2, &w, &nd, &nc);
		}
		sp->ndownstream = nd;
		sp->ndownstream_chains = nc;
		if (!(sp->downstream = (const void *)arena_list(inv, (const void *const *)devs, nd)) ||
		    !(sp->downstream_chains =
			  (const void *)arena_list(inv, (const void *const *)chains, nc)))
			goto out;
	}
	rc = 0;
out:
	free(devs);
	free(chains);
	return rc;
}

/* Positions in table order, so a query can keep per-record state in an
 * array instead of a hash. */
static void link_indexes(struct fl_inventory *inv)
{
	for (size_t i = 0; i < inv->sites.n; i++)
		((struct fl_inv_site *)inv->sites.items[i])->index = i;
	for (size_t i = 0; i < inv->spans.n; i++)
		((struct fl_inv_span *)inv->spans.items[i])->index = i;
	for (size_t i = 0; i < inv->circuits.n; i++)
		((struct fl_inv_circuit *)inv->circuits.items[i])->index = i;
}

/* The site graph in compressed form: counts per site, prefix sums, fill.
 * A span whose device has no site (sites.csv not given) is left out. */
static int link_adjacency(struct fl_inventory *inv)
{
	size_t nsites = inv->sites.n, total = 0;
	size_t *fill;

	inv->adj_first = inv_arena_alloc(&inv->arena, (nsites + 1) * sizeof(size_t));
	if (!inv->adj_first)
		return -ENOMEM;
	for (size_t i = 0; i < inv->spans.n; i++) {
		const struct fl_inv_span *sp = inv->spans.items[i];

		if (!sp->a->site || !sp->b->site)
			continue;
		inv->adj_first[sp->a->site->index + 1]++;
		inv->adj_first[sp->b->site->index + 1]++;
		total += 2;
	}
	for (size_t i = 0; i < nsites; i++)
		inv->adj_first[i + 1] += inv->adj_first[i];
	inv->adj = inv_arena_alloc(&inv->arena, (total ? total : 1) * sizeof(*inv->adj));
	fill = calloc(nsites ? nsites : 1, sizeof(*fill));
	if (!inv->adj || !fill) {
		free(fill);
		return -ENOMEM;
	}
	for (size_t i = 0; i < inv->spans.n; i++) {
		const struct fl_inv_span *sp = inv->spans.items[i];
		size_t a, b;

		if (!sp->a->site || !sp->b->site)
			continue;
		a = sp->a->site->index;
		b = sp->b->site->index;
		inv->adj[inv->adj_first[a] + fill[a]++] = (struct inv_edge){b, sp};
		inv->adj[inv->adj_first[b] + fill[b]++] = (struct inv_edge){a, sp};
	}
	free(fill);
	return 0;
}

int inv_link(struct fl_inventory *inv)
{
	int rc;

	link_indexes(inv);
	if ((rc = link_sites(inv)) < 0 || (rc = link_devices(inv)) < 0)
		return rc;
	link_rings(inv);
	if ((rc = link_circuits(inv)) < 0 || (rc = link_downstream(inv)) < 0 ||
	    (rc = link_adjacency(inv)) < 0)
		return rc;
	return 0;
}

/* ---- public queries ------------------------------------------------------- */

void fl_inventory_counts(const struct fl_inventory *inv, struct fl_inventory_counts *out)
{
	memset(out, 0, sizeof(*out));
	out->sites = inv->sites.n;
	out->devices = inv->devices.n;
	out->rings = inv->rings.n;
	out->spans = inv->spans.n;
	out->ring_spans = inv->ring_spans;
	out->chain_spans = inv->chain_spans;
	out->chains = inv->chains.n;
	out->circuits = inv->circuits.n;
	out->contacts = inv->contacts.n;
	out->windows = inv->windows.n;
	out->cities = inv->by_city.n;
	out->counties = inv->by_county.n;
	out->srlgs = inv->srlgs.n;
	out->arena_bytes = inv->arena.bytes;
}

#define LOOKUP(fn, type, index)                                                                    \
	const struct type *fn(const struct fl_inventory *inv, struct fl_str id)                    \
	{                                                                                          \
		return inv_index_get(&inv->index, id, FL_STR_LIT(""));                             \
	}

LOOKUP(fl_inventory_site, fl_inv_site, by_site)
LOOKUP(fl_inventory_device, fl_inv_device, by_device)
LOOKUP(fl_inventory_ring, fl_inv_ring, by_ring)
LOOKUP(fl_inventory_span, fl_inv_span, by_span)
LOOKUP(fl_inventory_chain, fl_inv_chain, by_chain)
LOOKUP(fl_inventory_circuit, fl_inv_circuit, by_circuit)
LOOKUP(fl_inventory_city, fl_inv_area, by_city)
LOOKUP(fl_inventory_county, fl_inv_area, by_county)
LOOKUP(fl_inventory_srlg, fl_inv_srlg, by_srlg)
LOOKUP(fl_inventory_window, fl_inv_window, by_window)

bool inv_ip_key(struct fl_str text, unsigned char key[16])
{
	char buf[INET6_ADDRSTRLEN];
	unsigned char v4[4];

	if (!text.p || text.len == 0 || text.len >= sizeof(buf))
		return false;
	memcpy(buf, text.p, text.len);
	buf[text.len] = '\0';
	if (inet_pton(AF_INET, buf, v4) == 1) {
		memset(key, 0, 10);
		key[10] = key[11] = 0xff;
		memcpy(key + 12, v4, 4);
		return true;
	}
	return inet_pton(AF_INET6, buf, key) == 1;
}

static const struct fl_inv_device *device_by_key(const struct fl_inventory *inv,
                                                 const unsigned char key[16])
{
	return inv_index_get(&inv->by_mgmt_ip, fl_str_make((const char *)key, 16), FL_STR_LIT(""));
}

const struct fl_inv_device *fl_inventory_device_by_ip(const struct fl_inventory *inv,
                                                      struct fl_str ip)
{
	unsigned char key[16];

	return inv_ip_key(ip, key) ? device_by_key(inv, key) : NULL;
}

const struct fl_inv_device *fl_inventory_device_by_addr(const struct fl_inventory *inv, int af,
                                                        const void *addr)
{
	unsigned char key[16] = {[10] = 0xff, [11] = 0xff};

	if (af == AF_INET)
		memcpy(key + 12, addr, 4);
	else if (af == AF_INET6)
		memcpy(key, addr, 16);
	else
		return NULL;
	return device_by_key(inv, key);
}

int inv_index_devices_folded(struct fl_inventory *inv)
{
	const void *ambiguous = &inv->by_device_folded;

	for (size_t i = 0; i < inv->devices.n; i++) {
		const struct fl_inv_device *d = inv->devices.items[i];
		size_t len = strlen(d->id);
		char *folded = inv_arena_strdup(&inv->arena, fl_str_make(d->id, len));
		const void *old;

		if (!folded)
			return -ENOMEM;
		for (size_t k = 0; k < len; k++)
			folded[k] = inv_fold_ascii(folded[k]);
		if (inv_index_put(&inv->by_device_folded, fl_str_make(folded, len), FL_STR_LIT(""),
		                  d, &old) < 0)
			return -ENOMEM;
		if (old) /* two ids alike but for case */
			slot_of(&inv->by_device_folded, fl_str_make(folded, len), FL_STR_LIT(""))
			    ->value = ambiguous;
	}
	return 0;
}

static const struct fl_inv_device *device_folded(const struct fl_inventory *inv,
                                                 struct fl_str name)
{
	char folded[255]; /* a DNS name's most (RFC 1035); no id is longer */
	const void *d;

	if (name.len > sizeof(folded))
		return NULL;
	for (size_t k = 0; k < name.len; k++)
		folded[k] = inv_fold_ascii(name.p[k]);
	d = inv_index_get(&inv->by_device_folded, fl_str_make(folded, name.len), FL_STR_LIT(""));
	return d == (const void *)&inv->by_device_folded ? NULL : d;
}

/* Digits and dots only, or a ':' anywhere: an address (or no name), never
 * an FQDN with a label to try. */
static bool is_address_like(struct fl_str s)
{
	bool is_dotted = true;

	for (size_t i = 0; i < s.len; i++) {
		if (s.p[i] == ':')
			return true;
		if (s.p[i] != '.' && (s.p[i] < '0' || s.p[i] > '9'))
			is_dotted = false;
	}
	return is_dotted;
}

const struct fl_inv_device *fl_inventory_device_named(const struct fl_inventory *inv,
                                                      struct fl_str name)
{
	const struct fl_inv_device *d;
	const char *dot;
	struct fl_str label;

	if (!name.p || name.len == 0)
		return NULL;
	if ((d = fl_inventory_device(inv, name)) || (d = fl_inventory_device_by_ip(inv, name)))
		return d;
	if (is_address_like(name))
		return NULL;
	dot = memchr(name.p, '.', name.len);
	label = fl_str_make(name.p, dot ? (size_t)(dot - name.p) : name.len);
	if (dot && label.len && (d = fl_inventory_device(inv, label)))
		return d;
	if ((d = device_folded(inv, name)))
		return d;
	return dot && label.len ? device_folded(inv, label) : NULL;
}

const struct fl_inv_span *fl_inventory_span_at(const struct fl_inventory *inv, struct fl_str device,
                                               struct fl_str port)
{
	return inv_index_get(&inv->by_port, device, port);
}

const struct fl_inv_device *fl_inventory_device_at(const struct fl_inventory *inv, size_t i)
{
	return i < inv->devices.n ? inv->devices.items[i] : NULL;
}

const struct fl_inv_site *fl_inventory_site_at(const struct fl_inventory *inv, size_t i)
{
	return i < inv->sites.n ? inv->sites.items[i] : NULL;
}

const struct fl_inv_span *fl_inventory_span_nth(const struct fl_inventory *inv, size_t i)
{
	return i < inv->spans.n ? inv->spans.items[i] : NULL;
}

const struct fl_inv_ring *fl_inventory_ring_at(const struct fl_inventory *inv, size_t i)
{
	return i < inv->rings.n ? inv->rings.items[i] : NULL;
}

const struct fl_inv_circuit *fl_inventory_circuit_at(const struct fl_inventory *inv, size_t i)
{
	return i < inv->circuits.n ? inv->circuits.items[i] : NULL;
}

const struct fl_inv_contact *fl_inventory_contact_at(const struct fl_inventory *inv, size_t i)
{
	return i < inv->contacts.n ? inv->contacts.items[i] : NULL;
}

const struct fl_inv_window *fl_inventory_window_at(const struct fl_inventory *inv, size_t i)
{
	return i < inv->windows.n ? inv->windows.items[i] : NULL;
}
