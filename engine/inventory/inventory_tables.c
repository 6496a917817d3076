/* inventory_tables.c - the inventory's tables, one row function each:
 * sites, rings, devices, chains, spans, circuits, contacts and maintenance
 * windows. A row's fields are checked (inventory_check.c), its references
 * resolved against the tables loaded before it, and its record filed in the
 * arena and the indexes; the whole-table checks run after their table. */
#include "engine/inventory/inventory.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "engine/inventory/inventory_int.h"
#include "engine/lib/limits.h"

/* Records that need a position for a whole-table check carry it here. */
struct ring_rec {
	struct fl_inv_ring pub;
	size_t nodes_col;
};

struct chain_rec {
	struct fl_inv_chain pub;
	size_t devices_col, parent_col;
};

/* ---- arena helpers ------------------------------------------------------- */

static const char *str(struct inv_loader *L, const struct inv_cell *c)
{
	return inv_arena_strdup(&L->inv->arena, c->s);
}

static const void **ptrs(struct inv_loader *L, size_t n)
{
	return inv_arena_alloc(&L->inv->arena, (n ? n : 1) * sizeof(void *));
}

/* Inserts a record under its id; a taken id is reported as a duplicate with
 * the line of the first. Returns 1 inserted, 0 duplicate, -ENOMEM. */
static int add_unique(struct inv_loader *L, struct inv_index *ix, const struct inv_cell *c,
                      const char *id, const void *rec, const char *what,
                      size_t (*line_of)(const void *))
{
	const void *old;

	if (inv_index_put(ix, fl_str_make(id, c->s.len), FL_STR_LIT(""), rec, &old) < 0)
		return -ENOMEM;
	if (!old)
		return 1;
	inv_report(L, c->line, c->col,
	           "duplicate %s '%s' (first at line %zu); %s ids must be unique", what, id,
	           line_of(old), what);
	return 0;
}

#define LINE_OF(type)                                                                              \
	static size_t line_of_##type(const void *p)                                                \
	{                                                                                          \
		return ((const struct fl_inv_##type *)p)->line;                                    \
	}
LINE_OF(site)
LINE_OF(device)
LINE_OF(ring)
LINE_OF(span)
LINE_OF(chain)
LINE_OF(circuit)
LINE_OF(window)

static struct fl_inv_area *area_get(struct inv_loader *L, const struct inv_cell *c,
                                    enum fl_inv_level level, struct fl_inv_area *city)
{
	struct fl_inventory *inv = L->inv;
	struct inv_index *ix = level == FL_INV_LEVEL_CITY ? &inv->by_city : &inv->by_county;
	struct inv_index *other = level == FL_INV_LEVEL_CITY ? &inv->by_county : &inv->by_city;
	struct fl_inv_area *a = (void *)inv_index_get(ix, c->s, FL_STR_LIT(""));
	const void *old;

	if (a)
		return a;
	if (inv_index_get(other, c->s, FL_STR_LIT("")))
		inv_report(
		    L, c->line, c->col,
		    "'%.*s' is both a city and a county; contact branches would be ambiguous",
		    (int)c->s.len, c->s.p);
	a = inv_arena_alloc(&inv->arena, sizeof(*a));
	if (!a || !(a->name = str(L, c)))
		return NULL;
	a->level = level;
	a->city = city;
	if (inv_index_put(ix, fl_str_make(a->name, c->s.len), FL_STR_LIT(""), a, &old) < 0 ||
	    inv_vec_push(&inv->areas, a) < 0)
		return NULL;
	return a;
}

/* Looks a reference up; reports an unknown one when its table was loaded. */
static const void *ref(struct inv_loader *L, const struct inv_cell *c, enum inv_table t,
                       const struct inv_index *ix, const char *what)
{
	const void *p;

	if (!L->have[t] || c->s.len == 0)
		return NULL;
	p = inv_index_get(ix, c->s, FL_STR_LIT(""));
	if (p)
		return p;
	struct fl_str hint = inv_suggest_key(ix, c->s);

	if (hint.p)
		inv_report(L, c->line, c->col, "unknown %s '%.*s': not in %s; did you mean '%.*s'?",
		           what, (int)c->s.len, c->s.p, inv_table_path(L, t), (int)hint.len,
		           hint.p);
	else
		inv_report(L, c->line, c->col,
		           "unknown %s '%.*s': not in %s; add it there or fix the name", what,
		           (int)c->s.len, c->s.p, inv_table_path(L, t));
	return NULL;
}

/* ---- tables --------------------------------------------------------------- */

enum { S_SITE, S_NAME, S_COUNTY, S_CITY, S_CLASS, S_LAT, S_LON, S_POWER, S__N };
static const struct inv_column site_cols[S__N] = {
    {"site", true},  {"site_name", true}, {"county", true}, {"city", true},
    {"class", true}, {"lat", true},       {"lon", true},    {"power", true},
};
static const char *const class_names[] = {"city", "county", "township"};

/* power: its sources joined by '+', in any order and case: the sample's
 * "mains+battery+generator", or "mains+generator", "Battery+Mains",
 * "mains+solar". A generator makes it FL_INV_POWER_GENERATOR, else a
 * battery FL_INV_POWER_BATTERY, else FL_INV_POWER_MAINS. A source of
 * another name is taken as written unless it is a near miss of a known one. */
static bool parse_power(struct inv_loader *L, const struct inv_cell *c, int *out)
{
	static const char *const sources[] = {"mains", "battery", "generator"};
	bool has[3] = {false, false, false}, ok = true;
	size_t start = 0, col = c->col, start_col = c->col; /* columns count code points */

	for (size_t i = 0; i <= c->s.len; i++) {
		struct inv_cell part = *c;
		int k = -1;

		if (i < c->s.len)
			col += ((unsigned char)c->s.p[i] & 0xC0) != 0x80;
		if (i < c->s.len && c->s.p[i] != '+')
			continue;
		part.s = fl_str_make(c->s.p + start, i - start);
		part.col = start_col;
		start_col = col;
		if (!inv_parse_open_enum(L, &part, "power source", sources, 3, &k))
			ok = false;
		else if (k >= 0)
			has[k] = true;
		start = i + 1;
	}
	*out = has[2] ? FL_INV_POWER_GENERATOR : has[1] ? FL_INV_POWER_BATTERY : FL_INV_POWER_MAINS;
	return ok;
}

static int row_site(struct inv_loader *L, const struct inv_cell *c, size_t line)
{
	struct fl_inv_site *s = inv_arena_alloc(&L->inv->arena, sizeof(*s));
	struct fl_inv_area *city = NULL, *county = NULL;
	int v = 0, rc;

	if (!s || !(s->id = str(L, &c[S_SITE])) || !(s->name = str(L, &c[S_NAME])))
		return -ENOMEM;
	s->line = line;
	if (inv_need(L, &c[S_CITY], "city") &&
	    !(city = area_get(L, &c[S_CITY], FL_INV_LEVEL_CITY, NULL)))
		return -ENOMEM;
	if (inv_need(L, &c[S_COUNTY], "county")) {
		county = area_get(L, &c[S_COUNTY], FL_INV_LEVEL_COUNTY, city);
		if (!county)
			return -ENOMEM;
		if (city && county->city != city)
			inv_report(
			    L, c[S_CITY].line, c[S_CITY].col,
			    "county '%s' is in city '%s' on an earlier row, not '%s'; a county "
			    "belongs to one city",
			    county->name, county->city ? county->city->name : "", city->name);
	}
	s->county = county;
	s->city = city;
	if (inv_parse_enum(L, &c[S_CLASS], "class", class_names, 3, &v))
		s->site_class = (enum fl_inv_site_class)v;
	inv_parse_decimal(L, &c[S_LAT], "lat", -90, 90, &s->lat);
	inv_parse_decimal(L, &c[S_LON], "lon", -180, 180, &s->lon);
	if (parse_power(L, &c[S_POWER], &v))
		s->power = (enum fl_inv_power)v;
	if (!inv_check_id(L, &c[S_SITE], "site"))
		return 0;
	rc = add_unique(L, &L->inv->by_site, &c[S_SITE], s->id, s, "site", line_of_site);
	if (rc == 1)
		rc = inv_vec_push(&L->inv->sites, s);
	return rc < 0 ? rc : 0;
}

enum { R_RING, R_NAME, R_LEVEL, R_CITY, R_COUNTY, R_VENDOR, R_NODES, R__N };
static const struct inv_column ring_cols[R__N] = {
    {"ring", true},   {"name", true},   {"level", true}, {"city", true},
    {"county", true}, {"vendor", true}, {"nodes", true},
};
static const char *const ring_level_names[] = {"backbone", "city", "county"};

/* the vendors whose spelling rules may rely on; others are taken as named */
static const char *const vendor_names[] = {"Huawei", "ZTE", "FiberHome", "Cisco"};

static int row_ring(struct inv_loader *L, const struct inv_cell *c, size_t line)
{
	struct ring_rec *rec = inv_arena_alloc(&L->inv->arena, sizeof(*rec));
	struct fl_inv_ring *r = &rec->pub;
	int v = -1, rc;

	if (!rec || !(r->id = str(L, &c[R_RING])) || !(r->name = str(L, &c[R_NAME])) ||
	    !(r->vendor = str(L, &c[R_VENDOR])))
		return -ENOMEM;
	r->line = line;
	rec->nodes_col = c[R_NODES].col;
	if (inv_parse_open_enum(L, &c[R_VENDOR], "vendor", vendor_names, 4, &v) && v >= 0)
		r->vendor = vendor_names[v];
	if (inv_parse_enum(L, &c[R_LEVEL], "ring level", ring_level_names, 3, &v))
		r->level = (enum fl_inv_ring_level)v;
	r->city = ref(L, &c[R_CITY], INV_T_SITES, &L->inv->by_city, "city");
	r->county = ref(L, &c[R_COUNTY], INV_T_SITES, &L->inv->by_county, "county");
	if (v == FL_INV_RING_BACKBONE && (c[R_CITY].s.len || c[R_COUNTY].s.len))
		inv_report(
		    L, line, c[R_CITY].s.len ? c[R_CITY].col : c[R_COUNTY].col,
		    "a backbone ring belongs to no city or county; leave city and county empty");
	if (v == FL_INV_RING_CITY || v == FL_INV_RING_COUNTY)
		inv_need(L, &c[R_CITY], "city (a city or county ring has one)");
	if (v == FL_INV_RING_COUNTY)
		inv_need(L, &c[R_COUNTY], "county (a county ring has one)");
	if (r->county && r->city && r->county->city != r->city)
		inv_report(L, c[R_COUNTY].line, c[R_COUNTY].col,
		           "county '%s' is not in city '%s' but in '%s'", r->county->name,
		           r->city->name, r->county->city ? r->county->city->name : "");
	if (inv_parse_uint(L, &c[R_NODES], "nodes", 3, FL_INVENTORY_MAX_RING_NODES, &r->nodes)) {
		r->devices = (void *)ptrs(L, r->nodes);
		r->spans = (void *)ptrs(L, r->nodes);
		if (!r->devices || !r->spans)
			return -ENOMEM;
	}
	if (!inv_check_id(L, &c[R_RING], "ring"))
		return 0;
	rc = add_unique(L, &L->inv->by_ring, &c[R_RING], r->id, r, "ring", line_of_ring);
	if (rc == 1)
		rc = inv_vec_push(&L->inv->rings, r);
	return rc < 0 ? rc : 0;
}

enum {
	D_DEVICE,
	D_IP,
	D_VENDOR,
	D_MODEL,
	D_ROLE,
	D_SITE,
	D_RING,
	D_POS,
	D_LEVEL,
	D_SITE_NAME,
	D_COUNTY,
	D_CITY,
	D__N
};
static const struct inv_column device_cols[D__N] = {
    {"device", true}, {"mgmt_ip", true},    {"vendor", true},  {"model", true},
    {"role", true},   {"site", true},       {"ring", true},    {"ring_pos", true},
    {"level", true},  {"site_name", false}, {"county", false}, {"city", false},
};
static const char *const role_names[] = {"backbone-otn", "metro-sdh", "olt",
                                         "router",       "switch",    "edfa"};
static const char *const level_names[] = {"region", "city", "county", "township"};

/* The optional site_name/county/city columns repeat the site's: they must agree. */
static void check_repeated(struct inv_loader *L, const struct inv_cell *c, const char *what,
                           const char *expect, const char *site)
{
	if (c->s.p && c->s.len && !fl_str_eq_cstr(c->s, expect))
		inv_report(L, c->line, c->col,
		           "%s '%.*s' differs from site %s's '%s'; make them agree", what,
		           (int)c->s.len, c->s.p, site, expect);
}

static void place_on_ring(struct inv_loader *L, const struct inv_cell *c, struct fl_inv_device *d)
{
	struct fl_inv_ring *r = (void *)d->ring;
	size_t pos;

	if (!r) {
		if (c[D_RING].s.len == 0 && c[D_POS].s.len)
			inv_report(
			    L, c[D_POS].line, c[D_POS].col,
			    "ring_pos '%.*s' given but ring is empty; clear ring_pos or name "
			    "the ring",
			    (int)c[D_POS].s.len, c[D_POS].s.p);
		return;
	}
	if (!r->devices) /* the ring's nodes were bad: already reported */
		return;
	if (!inv_parse_uint(L, &c[D_POS], "ring_pos", 1, r->nodes, &pos))
		return;
	if (r->devices[pos - 1]) {
		inv_report(
		    L, c[D_POS].line, c[D_POS].col,
		    "ring_pos %zu of ring %s is already held by %s (line %zu); each position "
		    "holds one device",
		    pos, r->id, r->devices[pos - 1]->id, r->devices[pos - 1]->line);
		return;
	}
	if (strcmp(r->vendor, d->vendor) != 0)
		inv_report(L, c[D_VENDOR].line, c[D_VENDOR].col,
		           "vendor %s differs from ring %s's vendor %s; a ring has one vendor",
		           d->vendor, r->id, r->vendor);
	((const struct fl_inv_device **)r->devices)[pos - 1] = d;
	d->ring_pos = pos;
}

/* An IPv6 mgmt_ip in its one spelling (RFC 5952: lower case, the longest
 * run of zeros compressed), as rsyslog's $fromhost-ip and the engine's
 * peers write it. NULL: ENOMEM. */
static const char *ipv6_text(struct inv_loader *L, const unsigned char ip[16])
{
	char buf[INET6_ADDRSTRLEN];

	if (!inet_ntop(AF_INET6, ip, buf, sizeof(buf)))
		return NULL;
	return inv_arena_strdup(&L->inv->arena, fl_str_make(buf, strlen(buf)));
}

static int row_device(struct inv_loader *L, const struct inv_cell *c, size_t line)
{
	struct fl_inventory *inv = L->inv;
	struct fl_inv_device *d = inv_arena_alloc(&inv->arena, sizeof(*d));
	const void *old;
	unsigned char ip[16];
	int v = 0, rc;

	if (!d || !(d->id = str(L, &c[D_DEVICE])) || !(d->mgmt_ip = str(L, &c[D_IP])) ||
	    !(d->vendor = str(L, &c[D_VENDOR])) || !(d->model = str(L, &c[D_MODEL])))
		return -ENOMEM;
	d->line = line;
	if (inv_check_ip(L, &c[D_IP], ip)) {
		unsigned char *key = inv_arena_alloc(&inv->arena, sizeof(ip));

		if (!key || (memchr(c[D_IP].s.p, ':', c[D_IP].s.len) && !(d->mgmt_ip = ipv6_text(L, ip))))
			return -ENOMEM;
		memcpy(key, ip, sizeof(ip));
		if (inv_index_put(&inv->by_mgmt_ip, fl_str_make((const char *)key, sizeof(ip)),
		                  FL_STR_LIT(""), d, &old) < 0)
			return -ENOMEM;
		if (old)
			inv_report(
			    L, c[D_IP].line, c[D_IP].col,
			    "mgmt_ip %s is already used by %s (line %zu); addresses must be unique",
			    d->mgmt_ip, ((const struct fl_inv_device *)old)->id,
			    ((const struct fl_inv_device *)old)->line);
	}
	/* vendors and kinds of gear beyond those known are taken as named; a
	 * known one in other case takes its own spelling, for rules' `==` */
	if (inv_parse_open_enum(L, &c[D_VENDOR], "vendor", vendor_names, 4, &v) && v >= 0)
		d->vendor = vendor_names[v];
	if (inv_parse_open_enum(L, &c[D_ROLE], "role", role_names, 6, &v)) {
		d->role = v >= 0 ? (enum fl_inv_device_role)v : FL_INV_ROLE_OTHER;
		if (!(d->role_name = v >= 0 ? role_names[v] : str(L, &c[D_ROLE])))
			return -ENOMEM;
	}
	if (inv_parse_enum(L, &c[D_LEVEL], "level", level_names, 4, &v))
		d->level = (enum fl_inv_level)v;
	if (inv_need(L, &c[D_SITE], "site"))
		d->site = ref(L, &c[D_SITE], INV_T_SITES, &inv->by_site, "site");
	if (d->site) {
		check_repeated(L, &c[D_SITE_NAME], "site_name", d->site->name, d->site->id);
		if (d->site->county)
			check_repeated(L, &c[D_COUNTY], "county", d->site->county->name,
			               d->site->id);
		if (d->site->city)
			check_repeated(L, &c[D_CITY], "city", d->site->city->name, d->site->id);
	}
	d->ring = ref(L, &c[D_RING], INV_T_RINGS, &inv->by_ring, "ring");
	place_on_ring(L, c, d);
	if (!inv_check_id(L, &c[D_DEVICE], "device"))
		return 0;
	rc = add_unique(L, &inv->by_device, &c[D_DEVICE], d->id, d, "device", line_of_device);
	if (rc == 1)
		rc = inv_vec_push(&inv->devices, d);
	return rc < 0 ? rc : 0;
}

/* After devices.csv: every position of every ring must be held. */
void inv_check_ring_positions(struct inv_loader *L)
{
	L->file = inv_table_path(L, INV_T_RINGS);
	for (size_t i = 0; i < L->inv->rings.n; i++) {
		const struct ring_rec *rec = L->inv->rings.items[i];
		const struct fl_inv_ring *r = &rec->pub;

		for (size_t k = 0; r->devices && k < r->nodes; k++)
			if (!r->devices[k])
				inv_report(L, r->line, rec->nodes_col,
				           "ring %s has %zu nodes but no device in %s has ring_pos "
				           "%zu; fix nodes or the devices' ring_pos",
				           r->id, r->nodes, inv_table_path(L, INV_T_DEVICES),
				           k + 1);
	}
}

enum { C_CHAIN, C_RING, C_PARENT, C_DEVICES, C_NAME, C_COUNTY, C_CITY, C__N };
static const struct inv_column chain_cols[C__N] = {
    {"chain", true}, {"parent_ring", true}, {"parent_device", true}, {"devices", true},
    {"name", true},  {"county", false},     {"city", false},
};

static int row_chain(struct inv_loader *L, const struct inv_cell *c, size_t line)
{
	struct fl_inventory *inv = L->inv;
	struct chain_rec *rec = inv_arena_alloc(&inv->arena, sizeof(*rec));
	struct fl_inv_chain *ch = &rec->pub;
	struct inv_cell items[FL_INVENTORY_MAX_LIST];
	size_t n;
	int rc;

	if (!rec || !(ch->id = str(L, &c[C_CHAIN])) || !(ch->name = str(L, &c[C_NAME])))
		return -ENOMEM;
	ch->line = line;
	rec->devices_col = c[C_DEVICES].col;
	ch->parent_ring = ref(L, &c[C_RING], INV_T_RINGS, &inv->by_ring, "ring");
	if (inv_need(L, &c[C_PARENT], "parent_device"))
		ch->parent_device = ref(L, &c[C_PARENT], INV_T_DEVICES, &inv->by_device, "device");
	/* a parent on no ring may be a device of another chain, perhaps of a
	 * later row: inv_check_chain_parents() judges it once all are read */
	rec->parent_col = c[C_PARENT].col;
	if (ch->parent_device && ch->parent_ring && ch->parent_device->ring &&
	    ch->parent_device->ring != ch->parent_ring)
		inv_report(L, c[C_PARENT].line, c[C_PARENT].col,
		           "parent_device %s is not on ring %s; a chain hangs off a device of its "
		           "parent_ring, or of a chain hanging off it",
		           ch->parent_device->id, ch->parent_ring->id);
	ch->county = ref(L, &c[C_COUNTY], INV_T_SITES, &inv->by_county, "county");
	ch->city = ref(L, &c[C_CITY], INV_T_SITES, &inv->by_city, "city");
	if (!inv_need(L, &c[C_DEVICES], "devices list") ||
	    (n = inv_split_list(L, &c[C_DEVICES], "devices", items)) == SIZE_MAX)
		n = 0;
	ch->devices = (void *)ptrs(L, n);
	ch->spans = (void *)ptrs(L, n);
	if (!ch->devices || !ch->spans)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++) {
		struct fl_inv_device *d =
		    (void *)ref(L, &items[k], INV_T_DEVICES, &inv->by_device, "device");

		if (!d)
			continue;
		if (d->ring || d->chain || d == ch->parent_device) {
			inv_report(
			    L, items[k].line, items[k].col,
			    "device %s is already on %s %s; a chain device is on no ring and "
			    "one chain",
			    d->id, d->ring ? "ring" : "chain",
			    d->ring    ? d->ring->id
			    : d->chain ? d->chain->id
			               : ch->id);
			continue;
		}
		d->chain = ch;
		d->chain_pos = ch->ndevices + 1; /* its index, even after a bad item */
		((const struct fl_inv_device **)ch->devices)[ch->ndevices++] = d;
	}
	if (!inv_check_id(L, &c[C_CHAIN], "chain"))
		return 0;
	rc = add_unique(L, &inv->by_chain, &c[C_CHAIN], ch->id, ch, "chain", line_of_chain);
	if (rc == 1)
		rc = inv_vec_push(&inv->chains, ch);
	return rc < 0 ? rc : 0;
}

enum { P_SPAN, P_RING, P_A, P_APORT, P_B, P_BPORT, P_LEN, P_DUCT, P_KIND, P_SRLG, P__N };
static const struct inv_column span_cols[P__N] = {
    {"span", true},   {"ring", true},      {"a_device", true}, {"a_port", true}, {"b_device", true},
    {"b_port", true}, {"length_km", true}, {"duct", true},     {"kind", true},   {"srlg", true},
};
static const char *const kind_names[] = {"ring", "chain"};

static int add_port(struct inv_loader *L, const struct inv_cell *dev, const struct inv_cell *port,
                    const struct fl_inv_device *d, const char *port_id, struct fl_inv_span *sp)
{
	const struct fl_inv_span *old;

	if (inv_index_put(&L->inv->by_port, fl_str_make(d->id, strlen(d->id)),
	                  fl_str_make(port_id, port->s.len), sp, (const void **)&old) < 0)
		return -ENOMEM;
	if (old)
		inv_report(L, port->line, port->col,
		           "port %s of %s already carries span %s (line %zu); one span per port",
		           port_id, d->id, old->id, old->line);
	(void)dev;
	return 0;
}

/* A ring span joins ring_pos k (a, east port) and k + 1 (b, west port). */
static void place_ring_span(struct inv_loader *L, const struct inv_cell *c, struct fl_inv_span *sp)
{
	const struct fl_inv_ring *r = sp->ring;
	const struct fl_inv_device *a = sp->a, *b = sp->b;
	size_t k;

	if (!r || !a || !b || !r->devices)
		return;
	if (a->ring == r && b->ring == r && (a->ring_pos == 0 || b->ring_pos == 0))
		return; /* a bad ring_pos, already reported in devices.csv */
	if (a->ring != r || b->ring != r) {
		const struct inv_cell *bad = a->ring != r ? &c[P_A] : &c[P_B];
		const struct fl_inv_device *d = a->ring != r ? a : b;

		inv_report(L, bad->line, bad->col,
		           "device %s is not on ring %s; a ring span joins two of its devices",
		           d->id, r->id);
		return;
	}
	k = a->ring_pos - 1;
	if (b->ring_pos != (a->ring_pos % r->nodes) + 1) {
		inv_report(
		    L, c[P_B].line, c[P_B].col,
		    "span joins ring_pos %zu and %zu of ring %s; a ring span joins ring_pos k "
		    "and k+1 (the last %zu and 1)",
		    a->ring_pos, b->ring_pos, r->id, r->nodes);
		return;
	}
	if (r->spans[k]) {
		inv_report(
		    L, c[P_SPAN].line, c[P_SPAN].col,
		    "ring_pos %zu and %zu of ring %s are already joined by span %s (line %zu)",
		    a->ring_pos, b->ring_pos, r->id, r->spans[k]->id, r->spans[k]->line);
		return;
	}
	((const struct fl_inv_span **)r->spans)[k] = sp;
}

/* A chain span joins the parent and the first chain device, or two chain
 * devices next to each other; either end may come first. */
static void place_chain_span(struct inv_loader *L, const struct inv_cell *c, struct fl_inv_span *sp)
{
	const struct fl_inv_chain *ch = sp->chain;
	const struct fl_inv_device *a = sp->a, *b = sp->b;
	size_t pa, pb, far;

	if (!ch || !a || !b)
		return;
	pa = a == ch->parent_device ? 0 : a->chain == ch ? a->chain_pos : SIZE_MAX;
	pb = b == ch->parent_device ? 0 : b->chain == ch ? b->chain_pos : SIZE_MAX;
	if (pa == SIZE_MAX || pb == SIZE_MAX) {
		const struct inv_cell *bad = pa == SIZE_MAX ? &c[P_A] : &c[P_B];

		inv_report(
		    L, bad->line, bad->col,
		    "device %.*s is not the parent or a device of chain %s; a chain span joins "
		    "two of them",
		    (int)bad->s.len, bad->s.p, ch->id);
		return;
	}
	far = pa > pb ? pa : pb;
	if ((pa > pb ? pa - pb : pb - pa) != 1) {
		inv_report(
		    L, c[P_B].line, c[P_B].col,
		    "devices %s and %s are not next to each other on chain %s; list the chain's "
		    "spans from the parent outwards",
		    a->id, b->id, ch->id);
		return;
	}
	if (ch->spans[far - 1]) {
		inv_report(L, c[P_SPAN].line, c[P_SPAN].col,
		           "%s and %s are already joined by span %s (line %zu)", a->id, b->id,
		           ch->spans[far - 1]->id, ch->spans[far - 1]->line);
		return;
	}
	((const struct fl_inv_span **)ch->spans)[far - 1] = sp;
}

static int span_srlgs(struct inv_loader *L, const struct inv_cell *c, struct fl_inv_span *sp)
{
	struct inv_cell items[FL_INVENTORY_MAX_LIST];
	size_t n = inv_split_list(L, c, "srlg", items);

	if (n == SIZE_MAX)
		return 0;
	sp->srlgs = (void *)ptrs(L, n);
	if (!sp->srlgs)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++) {
		struct fl_inv_srlg *g =
		    (void *)inv_index_get(&L->inv->by_srlg, items[k].s, FL_STR_LIT(""));
		const void *old;

		if (!g) {
			g = inv_arena_alloc(&L->inv->arena, sizeof(*g));
			if (!g || !(g->id = str(L, &items[k])) ||
			    inv_index_put(&L->inv->by_srlg, fl_str_make(g->id, items[k].s.len),
			                  FL_STR_LIT(""), g, &old) < 0 ||
			    inv_vec_push(&L->inv->srlgs, g) < 0)
				return -ENOMEM;
		}
		for (size_t j = 0; j < sp->nsrlgs; j++)
			if (sp->srlgs[j] == g)
				g = NULL;
		if (!g) {
			inv_report(L, items[k].line, items[k].col, "srlg '%.*s' is listed twice",
			           (int)items[k].s.len, items[k].s.p);
			continue;
		}
		((const struct fl_inv_srlg **)sp->srlgs)[sp->nsrlgs++] = g;
	}
	return 0;
}

static int row_span(struct inv_loader *L, const struct inv_cell *c, size_t line)
{
	struct fl_inventory *inv = L->inv;
	struct fl_inv_span *sp = inv_arena_alloc(&inv->arena, sizeof(*sp));
	int kind = -1, rc;

	if (!sp || !(sp->id = str(L, &c[P_SPAN])) || !(sp->a_port = str(L, &c[P_APORT])) ||
	    !(sp->b_port = str(L, &c[P_BPORT])))
		return -ENOMEM;
	sp->line = line;
	if (inv_parse_enum(L, &c[P_KIND], "kind", kind_names, 2, &kind))
		sp->is_chain = kind == 1;
	if (inv_need(L, &c[P_RING], "ring (the ring, or the chain for a chain span)")) {
		if (kind == 0)
			sp->ring = ref(L, &c[P_RING], INV_T_RINGS, &inv->by_ring, "ring");
		else if (kind == 1)
			sp->chain = ref(L, &c[P_RING], INV_T_CHAINS, &inv->by_chain, "chain");
	}
	if (inv_need(L, &c[P_A], "a_device"))
		sp->a = ref(L, &c[P_A], INV_T_DEVICES, &inv->by_device, "device");
	if (inv_need(L, &c[P_B], "b_device"))
		sp->b = ref(L, &c[P_B], INV_T_DEVICES, &inv->by_device, "device");
	if (sp->a && sp->a == sp->b)
		inv_report(L, c[P_B].line, c[P_B].col, "span joins %s to itself", sp->a->id);
	if (inv_check_port(L, &c[P_APORT], "a_port") && sp->a &&
	    add_port(L, &c[P_A], &c[P_APORT], sp->a, sp->a_port, sp) < 0)
		return -ENOMEM;
	if (inv_check_port(L, &c[P_BPORT], "b_port") && sp->b &&
	    add_port(L, &c[P_B], &c[P_BPORT], sp->b, sp->b_port, sp) < 0)
		return -ENOMEM;
	inv_parse_decimal(L, &c[P_LEN], "length_km", 0, 100000, &sp->length_km);
	inv_parse_yesno(L, &c[P_DUCT], "duct", &sp->is_duct);
	if (span_srlgs(L, &c[P_SRLG], sp) < 0)
		return -ENOMEM;
	if (kind == 0)
		place_ring_span(L, c, sp);
	else if (kind == 1)
		place_chain_span(L, c, sp);
	if (!inv_check_id(L, &c[P_SPAN], "span"))
		return 0;
	rc = add_unique(L, &inv->by_span, &c[P_SPAN], sp->id, sp, "span", line_of_span);
	if (rc == 1) {
		rc = inv_vec_push(&inv->spans, sp);
		if (kind == 1)
			inv->chain_spans++;
		else
			inv->ring_spans++;
	}
	return rc < 0 ? rc : 0;
}

/* After chains.csv: a chain whose parent_device is on no ring hangs off a
 * device of another chain (a spur off a spur), which must itself hang,
 * chain by chain, off parent_ring, at most FL_INVENTORY_MAX_CHAIN_DEPTH
 * chains deep and never off itself. */
void inv_check_chain_parents(struct inv_loader *L)
{
	L->file = inv_table_path(L, INV_T_CHAINS);
	for (size_t i = 0; i < L->inv->chains.n; i++) {
		const struct chain_rec *rec = L->inv->chains.items[i];
		const struct fl_inv_chain *ch = &rec->pub;
		const struct fl_inv_device *p = ch->parent_device;
		size_t depth = 1;

		if (!p || p->ring)
			continue; /* on a ring (checked with its row), or reported */
		while (p && !p->ring && p->chain && p->chain != ch &&
		       depth <= FL_INVENTORY_MAX_CHAIN_DEPTH) {
			p = p->chain->parent_device;
			depth++;
		}
		if (p && p->chain == ch)
			inv_report(L, ch->line, rec->parent_col,
			           "chain %s hangs off itself through parent_device %s; a chain "
			           "hangs off a ring, or off a chain that does",
			           ch->id, ch->parent_device->id);
		else if (depth > FL_INVENTORY_MAX_CHAIN_DEPTH)
			inv_report(L, ch->line, rec->parent_col,
			           "chain %s hangs more than %d chains deep below its ring",
			           ch->id, FL_INVENTORY_MAX_CHAIN_DEPTH);
		else if (!p || !p->ring)
			inv_report(L, ch->line, rec->parent_col,
			           "parent_device %s is on no ring and no chain; a chain hangs off a "
			           "device of its parent_ring, or of a chain hanging off it",
			           ch->parent_device->id);
		else if (ch->parent_ring && p->ring != ch->parent_ring)
			inv_report(L, ch->line, rec->parent_col,
			           "parent_device %s hangs off ring %s, not parent_ring %s",
			           ch->parent_device->id, p->ring->id, ch->parent_ring->id);
	}
}

/* After spans.csv: every ring and chain link must have its span. */
void inv_check_span_coverage(struct inv_loader *L)
{
	L->file = inv_table_path(L, INV_T_RINGS);
	for (size_t i = 0; L->have[INV_T_DEVICES] && i < L->inv->rings.n; i++) {
		const struct fl_inv_ring *r = L->inv->rings.items[i];

		for (size_t k = 0; r->devices && k < r->nodes; k++)
			if (!r->spans[k] && r->devices[k] && r->devices[(k + 1) % r->nodes])
				inv_report(L, r->line, 1,
				           "ring %s has no span joining ring_pos %zu (%s) and %zu "
				           "(%s); add it to %s",
				           r->id, k + 1, r->devices[k]->id, (k + 1) % r->nodes + 1,
				           r->devices[(k + 1) % r->nodes]->id,
				           inv_table_path(L, INV_T_SPANS));
	}
	L->file = inv_table_path(L, INV_T_CHAINS);
	for (size_t i = 0; i < L->inv->chains.n; i++) {
		const struct chain_rec *rec = L->inv->chains.items[i];
		const struct fl_inv_chain *ch = &rec->pub;

		for (size_t k = 0; k < ch->ndevices; k++)
			if (!ch->spans[k])
				inv_report(L, ch->line, rec->devices_col,
				           "chain %s has no span reaching %s; add it to %s", ch->id,
				           ch->devices[k]->id, inv_table_path(L, INV_T_SPANS));
	}
}

enum { K_CIRCUIT, K_CUSTOMER, K_A, K_B, K_PATH, K_PRIO, K_BW, K_PROT, K__N };
static const struct inv_column circuit_cols[K__N] = {
    {"circuit", true}, {"customer", true}, {"a_site", true},    {"b_site", true},
    {"path", true},    {"priority", true}, {"bandwidth", true}, {"protection", true},
};
/* the plan's names of the customers' fault levels (紧急, 严重, 一般) too */
static const char *const prio_names[] = {"urgent", "severe", "general", "紧急", "严重", "一般"};
/* even: unprotected; odd: protected on the ring */
static const char *const prot_names[] = {"none", "sncp", "unprotected", "1+1"};

static bool span_at_site(const struct fl_inv_span *sp, const struct fl_inv_site *s)
{
	return sp->a->site == s || sp->b->site == s;
}

static bool spans_meet(const struct fl_inv_span *x, const struct fl_inv_span *y)
{
	return (x->a->site && span_at_site(y, x->a->site)) ||
	       (x->b->site && span_at_site(y, x->b->site));
}

static int circuit_path(struct inv_loader *L, const struct inv_cell *c, struct fl_inv_circuit *k)
{
	struct inv_cell items[FL_INVENTORY_MAX_LIST];
	const struct fl_inv_span **path;
	size_t n;

	if (!inv_need(L, &c[K_PATH], "path") ||
	    (n = inv_split_list(L, &c[K_PATH], "path", items)) == SIZE_MAX)
		n = 0;
	path = (void *)ptrs(L, n);
	if (!path)
		return -ENOMEM;
	k->path = path;
	for (size_t i = 0; i < n; i++) {
		const struct fl_inv_span *sp =
		    ref(L, &items[i], INV_T_SPANS, &L->inv->by_span, "span");

		if (!sp || !sp->a || !sp->b)
			return 0; /* unknown span: reported; the walk below needs every span */
		for (size_t j = 0; j < i; j++)
			if (path[j] == sp) {
				inv_report(L, items[i].line, items[i].col,
				           "span %s appears twice in the path", sp->id);
				return 0;
			}
		if (i == 0 && k->a_site && !span_at_site(sp, k->a_site))
			inv_report(L, items[i].line, items[i].col,
			           "the path starts with span %s, which does not end at a_site %s; "
			           "list the spans from a_site to b_site",
			           sp->id, k->a_site->id);
		/* without sites.csv (unread: reported) no span is at a site */
		if (i > 0 && L->have[INV_T_SITES] && !spans_meet(path[i - 1], sp))
			inv_report(
			    L, items[i].line, items[i].col,
			    "spans %s and %s do not meet at a site; consecutive spans of a path "
			    "share a site",
			    path[i - 1]->id, sp->id);
		if (i + 1 == n && k->b_site && !span_at_site(sp, k->b_site))
			inv_report(L, items[i].line, items[i].col,
			           "the path ends with span %s, which does not end at b_site %s",
			           sp->id, k->b_site->id);
		path[k->npath++] = sp;
	}
	return 0;
}

static int row_circuit(struct inv_loader *L, const struct inv_cell *c, size_t line)
{
	struct fl_inventory *inv = L->inv;
	struct fl_inv_circuit *k = inv_arena_alloc(&inv->arena, sizeof(*k));
	const void *old;
	int v = 0, rc;

	if (!k || !(k->id = str(L, &c[K_CIRCUIT])) || !(k->customer = str(L, &c[K_CUSTOMER])) ||
	    !(k->bandwidth = str(L, &c[K_BW])))
		return -ENOMEM;
	k->line = line;
	if (inv_need(L, &c[K_CUSTOMER], "customer") &&
	    inv_index_put(&L->customers, fl_str_make(k->customer, c[K_CUSTOMER].s.len),
	                  FL_STR_LIT(""), k, &old) < 0)
		return -ENOMEM;
	if (inv_need(L, &c[K_A], "a_site"))
		k->a_site = ref(L, &c[K_A], INV_T_SITES, &inv->by_site, "site");
	if (inv_need(L, &c[K_B], "b_site"))
		k->b_site = ref(L, &c[K_B], INV_T_SITES, &inv->by_site, "site");
	if (circuit_path(L, c, k) < 0)
		return -ENOMEM;
	if (inv_parse_enum(L, &c[K_PRIO], "priority", prio_names, 6, &v))
		k->priority = (enum fl_inv_priority)(v % 3);
	if (inv_parse_enum(L, &c[K_PROT], "protection", prot_names, 4, &v))
		k->is_protected = v % 2 == 1;
	if (!inv_check_id(L, &c[K_CIRCUIT], "circuit"))
		return 0;
	rc = add_unique(L, &inv->by_circuit, &c[K_CIRCUIT], k->id, k, "circuit", line_of_circuit);
	if (rc == 1)
		rc = inv_vec_push(&inv->circuits, k);
	return rc < 0 ? rc : 0;
}

enum {
	N_LEVEL,
	N_BRANCH,
	N_ROLE,
	N_NAME,
	N_MOBILE,
	N_EMAIL,
	N_OFFICE,
	N_24H,
	N_CITY,
	N_BNAME,
	N_CUSTOMER,
	N__N
};
static const struct inv_column contact_cols[N__N] = {
    {"level", true},  {"branch", true},      {"role", true},         {"name", true},
    {"mobile", true}, {"email", true},       {"office_phone", true}, {"on_24h", true},
    {"city", true},   {"branch_name", true}, {"customer", true},
};

static void contact_branch(struct inv_loader *L, const struct inv_cell *c, struct fl_inv_contact *p,
                           bool level_ok)
{
	const struct fl_inv_area *a = NULL;

	if (!level_ok || !inv_need(L, &c[N_BRANCH], "branch"))
		return;
	if (p->level == FL_INV_LEVEL_REGION) {
		if (!fl_str_eq_cstr(c[N_BRANCH].s, "region"))
			inv_report(L, c[N_BRANCH].line, c[N_BRANCH].col,
			           "branch '%.*s' at level region; the region's branch is written "
			           "'region'",
			           (int)c[N_BRANCH].s.len, c[N_BRANCH].s.p);
		return;
	}
	if (p->level == FL_INV_LEVEL_CITY)
		a = ref(L, &c[N_BRANCH], INV_T_SITES, &L->inv->by_city, "city");
	else
		a = ref(L, &c[N_BRANCH], INV_T_SITES, &L->inv->by_county, "county");
	if (a && c[N_CITY].s.len) {
		const struct fl_inv_area *city = a->city ? a->city : a;

		if (!fl_str_eq_cstr(c[N_CITY].s, city->name))
			inv_report(L, c[N_CITY].line, c[N_CITY].col,
			           "city '%.*s' differs from branch %s's city '%s'",
			           (int)c[N_CITY].s.len, c[N_CITY].s.p, a->name, city->name);
	}
}

/* The plan's roles (fl_inv_contact_role order), then the same seven as the
 * emergency plan names them. */
static const char *const contact_role_names[] = {
    "duty_room", "ops_head",	   "fault_lead",     "repair_team",  "leader_in_charge",
    "chief_engineer", "customer_contact", "机房值班", "运维中心负责人", "故障处理负责人",
    "抢修队",	      "分管领导",	  "副总工程师",     "客户联系人"};
_Static_assert(FL_ARRAY_LEN(contact_role_names) == 2 * FL_INV_CONTACT__COUNT,
               "each role by both its names");

/* A role the table names of its own (a NOC manager, a power engineer): the
 * same one each time it is written, in any case. Returns 1, 0 after
 * reporting more than the inventory can hold, or -ENOMEM. */
static int own_role(struct inv_loader *L, const struct inv_cell *c, enum fl_inv_contact_role *out)
{
	struct fl_inventory *inv = L->inv;

	if (fl_inventory_role_find(inv, c->s, out) == 0)
		return 1;
	if (inv->n_roles == FL_INV_MAX_CONTACT_ROLES) {
		inv_report(L, c->line, c->col, "role '%.*s' is one too many: at most %d roles of "
		           "the table's own beside the plan's %d",
		           (int)c->s.len, c->s.p, FL_INV_MAX_CONTACT_ROLES - FL_INV_CONTACT__COUNT,
		           FL_INV_CONTACT__COUNT);
		return 0;
	}
	if (!(inv->role_names[inv->n_roles] = str(L, c)))
		return -ENOMEM;
	*out = (enum fl_inv_contact_role)inv->n_roles++;
	return 1;
}

static int row_contact(struct inv_loader *L, const struct inv_cell *c, size_t line)
{
	struct fl_inventory *inv = L->inv;
	struct fl_inv_contact *p = inv_arena_alloc(&inv->arena, sizeof(*p));
	bool level_ok = false, role_ok = false;
	char key[256];
	const void *old;
	int v = 0;

	if (!p || !(p->branch = str(L, &c[N_BRANCH])) || !(p->name = str(L, &c[N_NAME])) ||
	    !(p->mobile = str(L, &c[N_MOBILE])) || !(p->email = str(L, &c[N_EMAIL])) ||
	    !(p->office_phone = str(L, &c[N_OFFICE])) || !(p->city = str(L, &c[N_CITY])) ||
	    !(p->branch_name = str(L, &c[N_BNAME])) || !(p->customer = str(L, &c[N_CUSTOMER])))
		return -ENOMEM;
	p->line = line;
	if (inv_parse_enum(L, &c[N_LEVEL], "level", level_names, 3, &v)) {
		p->level = (enum fl_inv_level)v;
		level_ok = true;
	}
	contact_branch(L, c, p, level_ok);
	if (inv_parse_open_enum(L, &c[N_ROLE], "role", contact_role_names,
	                        FL_ARRAY_LEN(contact_role_names), &v)) {
		int own = v >= 0 ? 1 : own_role(L, &c[N_ROLE], &p->role);

		if (own < 0)
			return own;
		if (v >= 0)
			p->role = (enum fl_inv_contact_role)(v % FL_INV_CONTACT__COUNT);
		role_ok = own > 0;
		if (role_ok)
			p->role_name = fl_inventory_role_name(inv, p->role);
	}
	inv_need(L, &c[N_NAME], "name");
	inv_need(L, &c[N_MOBILE], "mobile");
	inv_parse_yesno(L, &c[N_24H], "on_24h", &p->is_24h);
	p->on_24h_col = c[N_24H].col;
	if (role_ok && p->role == FL_INV_CONTACT_CUSTOMER_CONTACT &&
	    inv_need(L, &c[N_CUSTOMER], "customer (a customer_contact names its customer)") &&
	    L->have[INV_T_CIRCUITS] &&
	    !inv_index_get(&L->customers, c[N_CUSTOMER].s, FL_STR_LIT("")))
		inv_report(
		    L, c[N_CUSTOMER].line, c[N_CUSTOMER].col,
		    "customer '%s' has no circuit in %s; fix the name to match circuits.customer",
		    p->customer, inv_table_path(L, INV_T_CIRCUITS));
	if (c[N_NAME].s.len && inv_index_put(&L->people, fl_str_make(p->name, c[N_NAME].s.len),
	                                     FL_STR_LIT(""), p, &old) < 0)
		return -ENOMEM;
	if (!role_ok || !level_ok || c[N_MOBILE].s.len == 0)
		return 0;
	/* Two rows with the same branch, role and mobile are one entry twice. */
	snprintf(key, sizeof(key), "%s/%s", p->role_name, p->mobile);
	const char *k2 = inv_arena_strdup(&inv->arena, fl_str_make(key, strlen(key)));

	if (!k2 || inv_index_put(&L->contact_keys, fl_str_make(p->branch, c[N_BRANCH].s.len),
	                         fl_str_make(k2, strlen(k2)), p, &old) < 0)
		return -ENOMEM;
	if (old) {
		inv_report(L, c[N_MOBILE].line, c[N_MOBILE].col,
		           "duplicate contact: %s %s with mobile %s is already listed (line %zu)",
		           p->branch, p->role_name, p->mobile,
		           ((const struct fl_inv_contact *)old)->line);
		return 0;
	}
	return inv_vec_push(&inv->contacts, p);
}

enum { W_ID, W_START, W_END, W_SCOPE, W_TARGET, W_REASON, W_ANN, W_BY, W_CUST, W__N };
static const struct inv_column window_cols[W__N] = {
    {"window", true},    {"start", true},       {"end", true},
    {"scope", true},     {"target", true},      {"reason", true},
    {"announced", true}, {"approved_by", true}, {"customers_notified", true},
};
static const char *const scope_names[] = {"span", "site", "device"};

static bool parse_time(struct inv_loader *L, const struct inv_cell *c, const char *what,
                       int64_t *out)
{
	if (fl_inventory_parse_time(c->s, out) == 0)
		return true;
	inv_report(L, c->line, c->col,
	           "%s '%.*s' is not an ISO 8601 time with offset like 2026-11-28T00:30:00+08:00",
	           what, (int)c->s.len, c->s.p);
	return false;
}

static void window_target(struct inv_loader *L, const struct inv_cell *c,
                          const struct fl_inv_window *w)
{
	static const enum inv_table tables[] = {INV_T_SPANS, INV_T_SITES, INV_T_DEVICES};
	const struct inv_index *ix[] = {&L->inv->by_span, &L->inv->by_site, &L->inv->by_device};

	if (inv_need(L, &c[W_TARGET], "target"))
		ref(L, &c[W_TARGET], tables[w->scope], ix[w->scope], scope_names[w->scope]);
}

static int row_window(struct inv_loader *L, const struct inv_cell *c, size_t line)
{
	struct fl_inventory *inv = L->inv;
	struct fl_inv_window *w = inv_arena_alloc(&inv->arena, sizeof(*w));
	struct inv_cell items[FL_INVENTORY_MAX_LIST];
	const char **names;
	size_t n;
	int v = 0, rc;
	bool times_ok;

	if (!w || !(w->id = str(L, &c[W_ID])) || !(w->target = str(L, &c[W_TARGET])) ||
	    !(w->reason = str(L, &c[W_REASON])) || !(w->approved_by = str(L, &c[W_BY])))
		return -ENOMEM;
	w->line = line;
	times_ok = parse_time(L, &c[W_START], "start", &w->start_ns);
	times_ok &= parse_time(L, &c[W_END], "end", &w->end_ns);
	if (times_ok && w->end_ns <= w->start_ns)
		inv_report(L, c[W_END].line, c[W_END].col,
		           "end is not after start; the end is exclusive");
	if (inv_parse_enum(L, &c[W_SCOPE], "scope", scope_names, 3, &v)) {
		w->scope = (enum fl_inv_scope)v;
		window_target(L, c, w);
	}
	parse_time(L, &c[W_ANN], "announced", &w->announced_ns);
	if (inv_need(L, &c[W_BY], "approved_by") && L->have[INV_T_CONTACTS] &&
	    !inv_index_get(&L->people, c[W_BY].s, FL_STR_LIT("")))
		inv_report(L, c[W_BY].line, c[W_BY].col, "approved_by '%s' is nobody in %s",
		           w->approved_by, inv_table_path(L, INV_T_CONTACTS));
	if ((n = inv_split_list(L, &c[W_CUST], "customers_notified", items)) == SIZE_MAX)
		n = 0;
	names = (void *)ptrs(L, n);
	if (!names)
		return -ENOMEM;
	w->customers_notified = names;
	for (size_t i = 0; i < n; i++) {
		if (L->have[INV_T_CIRCUITS] &&
		    !inv_index_get(&L->customers, items[i].s, FL_STR_LIT("")))
			inv_report(L, items[i].line, items[i].col,
			           "customer '%.*s' has no circuit in %s", (int)items[i].s.len,
			           items[i].s.p, inv_table_path(L, INV_T_CIRCUITS));
		if (!(names[w->ncustomers_notified++] = str(L, &items[i])))
			return -ENOMEM;
	}
	if (!inv_check_id(L, &c[W_ID], "window"))
		return 0;
	rc = add_unique(L, &inv->by_window, &c[W_ID], w->id, w, "window", line_of_window);
	if (rc == 1)
		rc = inv_vec_push(&inv->windows, w);
	return rc < 0 ? rc : 0;
}

/* ---- the table of tables ---------------------------------------------------- */

const struct inv_table_def inv_tables[INV_T__N] = {
    [INV_T_SITES] = {site_cols, S__N, row_site},
    [INV_T_RINGS] = {ring_cols, R__N, row_ring},
    [INV_T_DEVICES] = {device_cols, D__N, row_device},
    [INV_T_CHAINS] = {chain_cols, C__N, row_chain},
    [INV_T_SPANS] = {span_cols, P__N, row_span},
    [INV_T_CIRCUITS] = {circuit_cols, K__N, row_circuit},
    [INV_T_CONTACTS] = {contact_cols, N__N, row_contact},
    [INV_T_MAINT] = {window_cols, W__N, row_window},
};
