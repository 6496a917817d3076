/* inventory.c - loading and checking the inventory tables.
 *
 * Tables load in reference order (sites, rings, devices, chains, spans,
 * circuits, contacts, maintenance), so every reference points backwards and is
 * resolved as its row is read. A row with a bad field is reported and still
 * kept when its id is good, so later tables do not report a cascade of unknown
 * names for one typo. Structural checks that need a whole table (every ring
 * position held, every ring and chain span present) run when it is complete.
 * Only a load without errors builds the derived lists (inv_link()). */
#include "engine/inventory/inventory.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/lib/csv.h"
#include "engine/inventory/inventory_int.h"
#include "engine/lib/limits.h"
#include "engine/lib/utf8.h"

enum table {
	T_SITES,
	T_RINGS,
	T_DEVICES,
	T_CHAINS,
	T_SPANS,
	T_CIRCUITS,
	T_CONTACTS,
	T_MAINT,
	T__N
};

struct cell {
	struct fl_str s; /* "" when the column is absent */
	size_t line, col;
	bool quoted;
};

struct column {
	const char *name;
	bool required;
};

/* Records that need a position for a whole-table check carry it here. */
struct ring_rec {
	struct fl_inv_ring pub;
	size_t nodes_col;
};

struct chain_rec {
	struct fl_inv_chain pub;
	size_t devices_col;
};

struct loader {
	struct fl_inventory *inv;
	fl_inventory_error_fn on_error;
	void *ctx;
	const char *paths[T__N];
	const struct fl_str *texts; /* fl_inventory_load_texts(): tables in memory */
	const char *file;
	bool have[T__N]; /* table given and its header read */
	size_t nerrors;
	int rc_file;                   /* -ENOENT or -EFBIG seen */
	struct inv_index customers;    /* circuits.customer -> circuit */
	struct inv_index people;       /* contacts.name -> contact */
	struct inv_index contact_keys; /* (branch, role + mobile) -> contact */
};

typedef int (*row_fn)(struct loader *L, const struct cell *c, size_t line);

static const char *const table_names[T__N] = {
    "sites.csv", "rings.csv",    "devices.csv",  "chains.csv",
    "spans.csv", "circuits.csv", "contacts.csv", "maintenance.csv",
};

FL_PRINTF(4, 5)
static void report(struct loader *L, size_t line, size_t col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	L->nerrors++;
	if (L->nerrors > FL_INVENTORY_MAX_ERRORS || !L->on_error)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	L->on_error(L->ctx, L->file, line, col, msg);
}

/* The table a message should point the reader to: its path as given. */
static const char *tname(const struct loader *L, enum table t)
{
	return L->paths[t] ? L->paths[t] : table_names[t];
}

/* ---- field checks (each reports and returns false on a bad field) -------- */

/* Column of byte `off` of a cell's value: its start, the opening quote, and
 * the code points before it. */
static size_t col_of(const struct cell *c, size_t off)
{
	size_t col = c->col + (c->quoted ? 1 : 0);

	for (size_t i = 0; i < off && i < c->s.len; i++)
		if (((unsigned char)c->s.p[i] & 0xC0) != 0x80)
			col++;
	return col;
}

static bool need(struct loader *L, const struct cell *c, const char *what)
{
	if (c->s.len)
		return true;
	report(L, c->line, c->col, "empty %s; every row needs one", what);
	return false;
}

static bool check_id(struct loader *L, const struct cell *c, const char *what)
{
	if (!need(L, c, what))
		return false;
	for (size_t i = 0; i < c->s.len; i++) {
		unsigned char ch = (unsigned char)c->s.p[i];

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.')
			continue;
		report(L, c->line, col_of(c, i),
		       "%s '%.*s' holds a character other than A-Z, a-z, 0-9, '-', '_' or '.'; ids "
		       "are ASCII",
		       what, (int)c->s.len, c->s.p);
		return false;
	}
	return true;
}

/* "did you mean": a known name one or two edits from s (one for names of up
 * to four characters, so 'A-X' does not suggest every short id); the closest
 * wins, ties go to the smaller name so the message is stable. */
static bool closer(struct fl_str s, struct fl_str cand, size_t *best_d, struct fl_str *best)
{
	size_t max = s.len <= 4 ? 1 : 2;
	size_t d = fl_utf8_distance(s.p, s.len, cand.p, cand.len, max);
	int cmp;

	if (d == SIZE_MAX || d == 0 || d > *best_d)
		return false;
	if (d == *best_d) {
		cmp = memcmp(cand.p, best->p, cand.len < best->len ? cand.len : best->len);
		if (cmp > 0 || (cmp == 0 && cand.len >= best->len))
			return false;
	}
	*best_d = d;
	*best = cand;
	return true;
}

static struct fl_str suggest_key(const struct inv_index *ix, struct fl_str s)
{
	struct fl_str best = FL_STR_NONE;
	size_t best_d = SIZE_MAX;

	for (size_t i = 0; i < ix->cap; i++)
		if (ix->slots[i].value && ix->slots[i].len2 == 0)
			closer(s, fl_str_make(ix->slots[i].k1, ix->slots[i].len1), &best_d, &best);
	return best;
}

static struct fl_str suggest_name(const char *const *names, size_t n, struct fl_str s)
{
	struct fl_str best = FL_STR_NONE;
	size_t best_d = SIZE_MAX;

	for (size_t i = 0; i < n; i++)
		closer(s, fl_str_make(names[i], strlen(names[i])), &best_d, &best);
	return best;
}

static bool parse_enum(struct loader *L, const struct cell *c, const char *what,
                       const char *const *names, size_t n, int *out)
{
	char list[256];
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		if (fl_str_eq_cstr(c->s, names[i])) {
			*out = (int)i;
			return true;
		}
	}
	list[0] = '\0';
	for (size_t i = 0; i < n && used < sizeof(list); i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", names[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
	struct fl_str hint = suggest_name(names, n, c->s);

	if (hint.p)
		report(L, c->line, c->col,
		       "unknown %s '%.*s'; did you mean '%.*s'? (expected one of: %s)", what,
		       (int)c->s.len, c->s.p, (int)hint.len, hint.p, list);
	else
		report(L, c->line, c->col, "unknown %s '%.*s'; expected one of: %s", what,
		       (int)c->s.len, c->s.p, list);
	return false;
}

static bool parse_uint(struct loader *L, const struct cell *c, const char *what, size_t min,
                       size_t max, size_t *out)
{
	size_t v = 0;

	if (c->s.len == 0 || c->s.len > 9)
		goto bad;
	for (size_t i = 0; i < c->s.len; i++) {
		if (c->s.p[i] < '0' || c->s.p[i] > '9')
			goto bad;
		v = v * 10 + (size_t)(c->s.p[i] - '0');
	}
	if (v < min || v > max)
		goto bad;
	*out = v;
	return true;
bad:
	report(L, c->line, c->col, "%s '%.*s' is not a whole number in %zu..%zu", what,
	       (int)c->s.len, c->s.p, min, max);
	return false;
}

/* Decimal: -?digits[.digits], then the range. */
static bool parse_decimal(struct loader *L, const struct cell *c, const char *what, double min,
                          double max, double *out)
{
	char buf[32];
	size_t i = 0, digits = 0;
	double v;

	if (c->s.len == 0 || c->s.len >= sizeof(buf))
		goto bad;
	if (c->s.p[0] == '-')
		i++;
	for (; i < c->s.len && c->s.p[i] >= '0' && c->s.p[i] <= '9'; i++)
		digits++;
	if (i < c->s.len && c->s.p[i] == '.') {
		size_t frac = 0;

		for (i++; i < c->s.len && c->s.p[i] >= '0' && c->s.p[i] <= '9'; i++)
			frac++;
		if (frac == 0)
			goto bad;
	}
	if (digits == 0 || i != c->s.len)
		goto bad;
	memcpy(buf, c->s.p, c->s.len);
	buf[c->s.len] = '\0';
	v = strtod(buf, NULL);
	if (v < min || v > max)
		goto bad;
	*out = v;
	return true;
bad:
	report(L, c->line, c->col, "%s '%.*s' is not a decimal number in %g..%g (write 12.5)", what,
	       (int)c->s.len, c->s.p, min, max);
	return false;
}

static bool parse_yesno(struct loader *L, const struct cell *c, const char *what, bool *out)
{
	static const char *const yn[] = {"no", "yes"};
	int v = 0;

	if (!parse_enum(L, c, what, yn, 2, &v))
		return false;
	*out = v == 1;
	return true;
}

/* "shelf-slot-port": three groups of 1-5 digits joined by '-'. */
static bool check_port(struct loader *L, const struct cell *c, const char *what)
{
	size_t i = 0;

	for (int group = 0; group < 3; group++) {
		size_t start = i;

		while (i < c->s.len && c->s.p[i] >= '0' && c->s.p[i] <= '9')
			i++;
		if (i == start || i - start > 5)
			goto bad;
		if (group < 2 && (i >= c->s.len || c->s.p[i++] != '-'))
			goto bad;
	}
	if (i == c->s.len)
		return true;
bad:
	report(L, c->line, c->col, "%s '%.*s' is not a port shelf-slot-port like 1-8-1", what,
	       (int)c->s.len, c->s.p);
	return false;
}

static bool check_ipv4(struct loader *L, const struct cell *c)
{
	size_t i = 0;

	for (int octet = 0; octet < 4; octet++) {
		size_t start = i, v = 0;

		while (i < c->s.len && c->s.p[i] >= '0' && c->s.p[i] <= '9' && i - start < 3)
			v = v * 10 + (size_t)(c->s.p[i++] - '0');
		if (i == start || v > 255 || (i - start > 1 && c->s.p[start] == '0'))
			goto bad;
		if (octet < 3 && (i >= c->s.len || c->s.p[i++] != '.'))
			goto bad;
	}
	if (i == c->s.len)
		return true;
bad:
	report(L, c->line, c->col, "mgmt_ip '%.*s' is not a dotted IPv4 address like 10.1.0.11",
	       (int)c->s.len, c->s.p);
	return false;
}

/* Splits a `;`-separated list into item cells. Returns the count, or SIZE_MAX
 * after reporting an empty item or more than FL_INVENTORY_MAX_LIST items. */
static size_t split_list(struct loader *L, const struct cell *c, const char *what,
                         struct cell *items)
{
	size_t n = 0, start = 0;

	if (c->s.len == 0)
		return 0;
	for (size_t i = 0; i <= c->s.len; i++) {
		if (i < c->s.len && c->s.p[i] != ';')
			continue;
		if (i == start) {
			report(L, c->line, col_of(c, i),
			       "empty item in the %s list; separate items with one ';' and no ';' "
			       "at the end",
			       what);
			return SIZE_MAX;
		}
		if (n == FL_INVENTORY_MAX_LIST) {
			report(L, c->line, col_of(c, start), "%s list has more than %d items", what,
			       FL_INVENTORY_MAX_LIST);
			return SIZE_MAX;
		}
		items[n++] = (struct cell){fl_str_make(c->s.p + start, i - start), c->line,
		                           col_of(c, start), false};
		start = i + 1;
	}
	return n;
}

/* ---- arena helpers ------------------------------------------------------- */

static const char *str(struct loader *L, const struct cell *c)
{
	return inv_arena_strdup(&L->inv->arena, c->s);
}

static const void **ptrs(struct loader *L, size_t n)
{
	return inv_arena_alloc(&L->inv->arena, (n ? n : 1) * sizeof(void *));
}

/* Inserts a record under its id; a taken id is reported as a duplicate with
 * the line of the first. Returns 1 inserted, 0 duplicate, -ENOMEM. */
static int add_unique(struct loader *L, struct inv_index *ix, const struct cell *c, const char *id,
                      const void *rec, const char *what, size_t (*line_of)(const void *))
{
	const void *old;

	if (inv_index_put(ix, fl_str_make(id, c->s.len), FL_STR_LIT(""), rec, &old) < 0)
		return -ENOMEM;
	if (!old)
		return 1;
	report(L, c->line, c->col, "duplicate %s '%s' (first at line %zu); %s ids must be unique",
	       what, id, line_of(old), what);
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

static struct fl_inv_area *area_get(struct loader *L, const struct cell *c, enum fl_inv_level level,
                                    struct fl_inv_area *city)
{
	struct fl_inventory *inv = L->inv;
	struct inv_index *ix = level == FL_INV_LEVEL_CITY ? &inv->by_city : &inv->by_county;
	struct inv_index *other = level == FL_INV_LEVEL_CITY ? &inv->by_county : &inv->by_city;
	struct fl_inv_area *a = (void *)inv_index_get(ix, c->s, FL_STR_LIT(""));
	const void *old;

	if (a)
		return a;
	if (inv_index_get(other, c->s, FL_STR_LIT("")))
		report(L, c->line, c->col,
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
static const void *ref(struct loader *L, const struct cell *c, enum table t,
                       const struct inv_index *ix, const char *what)
{
	const void *p;

	if (!L->have[t] || c->s.len == 0)
		return NULL;
	p = inv_index_get(ix, c->s, FL_STR_LIT(""));
	if (p)
		return p;
	struct fl_str hint = suggest_key(ix, c->s);

	if (hint.p)
		report(L, c->line, c->col, "unknown %s '%.*s': not in %s; did you mean '%.*s'?",
		       what, (int)c->s.len, c->s.p, tname(L, t), (int)hint.len, hint.p);
	else
		report(L, c->line, c->col,
		       "unknown %s '%.*s': not in %s; add it there or fix the name", what,
		       (int)c->s.len, c->s.p, tname(L, t));
	return NULL;
}

/* ---- tables --------------------------------------------------------------- */

enum { S_SITE, S_NAME, S_COUNTY, S_CITY, S_CLASS, S_LAT, S_LON, S_POWER, S__N };
static const struct column site_cols[S__N] = {
    {"site", true},  {"site_name", true}, {"county", true}, {"city", true},
    {"class", true}, {"lat", true},       {"lon", true},    {"power", true},
};
static const char *const class_names[] = {"city", "county", "township"};
static const char *const power_names[] = {"mains", "mains+battery", "mains+battery+generator"};

static int row_site(struct loader *L, const struct cell *c, size_t line)
{
	struct fl_inv_site *s = inv_arena_alloc(&L->inv->arena, sizeof(*s));
	struct fl_inv_area *city = NULL, *county = NULL;
	int v = 0, rc;

	if (!s || !(s->id = str(L, &c[S_SITE])) || !(s->name = str(L, &c[S_NAME])))
		return -ENOMEM;
	s->line = line;
	if (need(L, &c[S_CITY], "city") &&
	    !(city = area_get(L, &c[S_CITY], FL_INV_LEVEL_CITY, NULL)))
		return -ENOMEM;
	if (need(L, &c[S_COUNTY], "county")) {
		county = area_get(L, &c[S_COUNTY], FL_INV_LEVEL_COUNTY, city);
		if (!county)
			return -ENOMEM;
		if (city && county->city != city)
			report(L, c[S_CITY].line, c[S_CITY].col,
			       "county '%s' is in city '%s' on an earlier row, not '%s'; a county "
			       "belongs to one city",
			       county->name, county->city ? county->city->name : "", city->name);
	}
	s->county = county;
	s->city = city;
	if (parse_enum(L, &c[S_CLASS], "class", class_names, 3, &v))
		s->site_class = (enum fl_inv_site_class)v;
	parse_decimal(L, &c[S_LAT], "lat", -90, 90, &s->lat);
	parse_decimal(L, &c[S_LON], "lon", -180, 180, &s->lon);
	if (parse_enum(L, &c[S_POWER], "power", power_names, 3, &v))
		s->power = (enum fl_inv_power)v;
	if (!check_id(L, &c[S_SITE], "site"))
		return 0;
	rc = add_unique(L, &L->inv->by_site, &c[S_SITE], s->id, s, "site", line_of_site);
	if (rc == 1)
		rc = inv_vec_push(&L->inv->sites, s);
	return rc < 0 ? rc : 0;
}

enum { R_RING, R_NAME, R_LEVEL, R_CITY, R_COUNTY, R_VENDOR, R_NODES, R__N };
static const struct column ring_cols[R__N] = {
    {"ring", true},   {"name", true},   {"level", true}, {"city", true},
    {"county", true}, {"vendor", true}, {"nodes", true},
};
static const char *const ring_level_names[] = {"backbone", "city", "county"};

static int row_ring(struct loader *L, const struct cell *c, size_t line)
{
	struct ring_rec *rec = inv_arena_alloc(&L->inv->arena, sizeof(*rec));
	struct fl_inv_ring *r = &rec->pub;
	int v = -1, rc;

	if (!rec || !(r->id = str(L, &c[R_RING])) || !(r->name = str(L, &c[R_NAME])) ||
	    !(r->vendor = str(L, &c[R_VENDOR])))
		return -ENOMEM;
	r->line = line;
	rec->nodes_col = c[R_NODES].col;
	if (parse_enum(L, &c[R_LEVEL], "ring level", ring_level_names, 3, &v))
		r->level = (enum fl_inv_ring_level)v;
	r->city = ref(L, &c[R_CITY], T_SITES, &L->inv->by_city, "city");
	r->county = ref(L, &c[R_COUNTY], T_SITES, &L->inv->by_county, "county");
	if (v == FL_INV_RING_BACKBONE && (c[R_CITY].s.len || c[R_COUNTY].s.len))
		report(L, line, c[R_CITY].s.len ? c[R_CITY].col : c[R_COUNTY].col,
		       "a backbone ring belongs to no city or county; leave city and county empty");
	if (v == FL_INV_RING_CITY || v == FL_INV_RING_COUNTY)
		need(L, &c[R_CITY], "city (a city or county ring has one)");
	if (v == FL_INV_RING_COUNTY)
		need(L, &c[R_COUNTY], "county (a county ring has one)");
	if (r->county && r->city && r->county->city != r->city)
		report(L, c[R_COUNTY].line, c[R_COUNTY].col,
		       "county '%s' is not in city '%s' but in '%s'", r->county->name,
		       r->city->name, r->county->city ? r->county->city->name : "");
	if (parse_uint(L, &c[R_NODES], "nodes", 3, FL_INVENTORY_MAX_RING_NODES, &r->nodes)) {
		r->devices = (void *)ptrs(L, r->nodes);
		r->spans = (void *)ptrs(L, r->nodes);
		if (!r->devices || !r->spans)
			return -ENOMEM;
	}
	if (!check_id(L, &c[R_RING], "ring"))
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
static const struct column device_cols[D__N] = {
    {"device", true}, {"mgmt_ip", true},    {"vendor", true},  {"model", true},
    {"role", true},   {"site", true},       {"ring", true},    {"ring_pos", true},
    {"level", true},  {"site_name", false}, {"county", false}, {"city", false},
};
static const char *const vendor_names[] = {"Huawei", "ZTE", "FiberHome", "Cisco"};
static const char *const role_names[] = {"backbone-otn", "metro-sdh", "olt",
                                         "router",       "switch",    "edfa"};
static const char *const level_names[] = {"region", "city", "county", "township"};

/* The optional site_name/county/city columns repeat the site's: they must agree. */
static void check_repeated(struct loader *L, const struct cell *c, const char *what,
                           const char *expect, const char *site)
{
	if (c->s.p && c->s.len && !fl_str_eq_cstr(c->s, expect))
		report(L, c->line, c->col, "%s '%.*s' differs from site %s's '%s'; make them agree",
		       what, (int)c->s.len, c->s.p, site, expect);
}

static void place_on_ring(struct loader *L, const struct cell *c, struct fl_inv_device *d)
{
	struct fl_inv_ring *r = (void *)d->ring;
	size_t pos;

	if (!r) {
		if (c[D_RING].s.len == 0 && c[D_POS].s.len)
			report(L, c[D_POS].line, c[D_POS].col,
			       "ring_pos '%.*s' given but ring is empty; clear ring_pos or name "
			       "the ring",
			       (int)c[D_POS].s.len, c[D_POS].s.p);
		return;
	}
	if (!r->devices) /* the ring's nodes were bad: already reported */
		return;
	if (!parse_uint(L, &c[D_POS], "ring_pos", 1, r->nodes, &pos))
		return;
	if (r->devices[pos - 1]) {
		report(L, c[D_POS].line, c[D_POS].col,
		       "ring_pos %zu of ring %s is already held by %s (line %zu); each position "
		       "holds one device",
		       pos, r->id, r->devices[pos - 1]->id, r->devices[pos - 1]->line);
		return;
	}
	if (strcmp(r->vendor, d->vendor) != 0)
		report(L, c[D_VENDOR].line, c[D_VENDOR].col,
		       "vendor %s differs from ring %s's vendor %s; a ring has one vendor",
		       d->vendor, r->id, r->vendor);
	((const struct fl_inv_device **)r->devices)[pos - 1] = d;
	d->ring_pos = pos;
}

static int row_device(struct loader *L, const struct cell *c, size_t line)
{
	struct fl_inventory *inv = L->inv;
	struct fl_inv_device *d = inv_arena_alloc(&inv->arena, sizeof(*d));
	const void *old;
	int v = 0, rc;

	if (!d || !(d->id = str(L, &c[D_DEVICE])) || !(d->mgmt_ip = str(L, &c[D_IP])) ||
	    !(d->vendor = str(L, &c[D_VENDOR])) || !(d->model = str(L, &c[D_MODEL])))
		return -ENOMEM;
	d->line = line;
	if (check_ipv4(L, &c[D_IP])) {
		if (inv_index_put(&inv->by_mgmt_ip, fl_str_make(d->mgmt_ip, c[D_IP].s.len),
		                  FL_STR_LIT(""), d, &old) < 0)
			return -ENOMEM;
		if (old)
			report(
			    L, c[D_IP].line, c[D_IP].col,
			    "mgmt_ip %s is already used by %s (line %zu); addresses must be unique",
			    d->mgmt_ip, ((const struct fl_inv_device *)old)->id,
			    ((const struct fl_inv_device *)old)->line);
	}
	parse_enum(L, &c[D_VENDOR], "vendor", vendor_names, 4, &v);
	if (parse_enum(L, &c[D_ROLE], "role", role_names, 6, &v))
		d->role = (enum fl_inv_device_role)v;
	if (parse_enum(L, &c[D_LEVEL], "level", level_names, 4, &v))
		d->level = (enum fl_inv_level)v;
	if (need(L, &c[D_SITE], "site"))
		d->site = ref(L, &c[D_SITE], T_SITES, &inv->by_site, "site");
	if (d->site) {
		check_repeated(L, &c[D_SITE_NAME], "site_name", d->site->name, d->site->id);
		if (d->site->county)
			check_repeated(L, &c[D_COUNTY], "county", d->site->county->name,
			               d->site->id);
		if (d->site->city)
			check_repeated(L, &c[D_CITY], "city", d->site->city->name, d->site->id);
	}
	d->ring = ref(L, &c[D_RING], T_RINGS, &inv->by_ring, "ring");
	place_on_ring(L, c, d);
	if (!check_id(L, &c[D_DEVICE], "device"))
		return 0;
	rc = add_unique(L, &inv->by_device, &c[D_DEVICE], d->id, d, "device", line_of_device);
	if (rc == 1)
		rc = inv_vec_push(&inv->devices, d);
	return rc < 0 ? rc : 0;
}

/* After devices.csv: every position of every ring must be held. */
static void check_ring_positions(struct loader *L)
{
	L->file = tname(L, T_RINGS);
	for (size_t i = 0; i < L->inv->rings.n; i++) {
		const struct ring_rec *rec = L->inv->rings.items[i];
		const struct fl_inv_ring *r = &rec->pub;

		for (size_t k = 0; r->devices && k < r->nodes; k++)
			if (!r->devices[k])
				report(L, r->line, rec->nodes_col,
				       "ring %s has %zu nodes but no device in %s has ring_pos "
				       "%zu; fix nodes or the devices' ring_pos",
				       r->id, r->nodes, tname(L, T_DEVICES), k + 1);
	}
}

enum { C_CHAIN, C_RING, C_PARENT, C_DEVICES, C_NAME, C_COUNTY, C_CITY, C__N };
static const struct column chain_cols[C__N] = {
    {"chain", true}, {"parent_ring", true}, {"parent_device", true}, {"devices", true},
    {"name", true},  {"county", false},     {"city", false},
};

static int row_chain(struct loader *L, const struct cell *c, size_t line)
{
	struct fl_inventory *inv = L->inv;
	struct chain_rec *rec = inv_arena_alloc(&inv->arena, sizeof(*rec));
	struct fl_inv_chain *ch = &rec->pub;
	struct cell items[FL_INVENTORY_MAX_LIST];
	size_t n;
	int rc;

	if (!rec || !(ch->id = str(L, &c[C_CHAIN])) || !(ch->name = str(L, &c[C_NAME])))
		return -ENOMEM;
	ch->line = line;
	rec->devices_col = c[C_DEVICES].col;
	ch->parent_ring = ref(L, &c[C_RING], T_RINGS, &inv->by_ring, "ring");
	if (need(L, &c[C_PARENT], "parent_device"))
		ch->parent_device = ref(L, &c[C_PARENT], T_DEVICES, &inv->by_device, "device");
	if (ch->parent_device && ch->parent_ring && ch->parent_device->ring != ch->parent_ring)
		report(L, c[C_PARENT].line, c[C_PARENT].col,
		       "parent_device %s is not on ring %s; a chain hangs off a device of its "
		       "parent_ring",
		       ch->parent_device->id, ch->parent_ring->id);
	ch->county = ref(L, &c[C_COUNTY], T_SITES, &inv->by_county, "county");
	ch->city = ref(L, &c[C_CITY], T_SITES, &inv->by_city, "city");
	if (!need(L, &c[C_DEVICES], "devices list") ||
	    (n = split_list(L, &c[C_DEVICES], "devices", items)) == SIZE_MAX)
		n = 0;
	ch->devices = (void *)ptrs(L, n);
	ch->spans = (void *)ptrs(L, n);
	if (!ch->devices || !ch->spans)
		return -ENOMEM;
	for (size_t k = 0; k < n; k++) {
		struct fl_inv_device *d =
		    (void *)ref(L, &items[k], T_DEVICES, &inv->by_device, "device");

		if (!d)
			continue;
		if (d->ring || d->chain || d == ch->parent_device) {
			report(L, items[k].line, items[k].col,
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
	if (!check_id(L, &c[C_CHAIN], "chain"))
		return 0;
	rc = add_unique(L, &inv->by_chain, &c[C_CHAIN], ch->id, ch, "chain", line_of_chain);
	if (rc == 1)
		rc = inv_vec_push(&inv->chains, ch);
	return rc < 0 ? rc : 0;
}

enum { P_SPAN, P_RING, P_A, P_APORT, P_B, P_BPORT, P_LEN, P_DUCT, P_KIND, P_SRLG, P__N };
static const struct column span_cols[P__N] = {
    {"span", true},   {"ring", true},      {"a_device", true}, {"a_port", true}, {"b_device", true},
    {"b_port", true}, {"length_km", true}, {"duct", true},     {"kind", true},   {"srlg", true},
};
static const char *const kind_names[] = {"ring", "chain"};

static int add_port(struct loader *L, const struct cell *dev, const struct cell *port,
                    const struct fl_inv_device *d, const char *port_id, struct fl_inv_span *sp)
{
	const struct fl_inv_span *old;

	if (inv_index_put(&L->inv->by_port, fl_str_make(d->id, strlen(d->id)),
	                  fl_str_make(port_id, port->s.len), sp, (const void **)&old) < 0)
		return -ENOMEM;
	if (old)
		report(L, port->line, port->col,
		       "port %s of %s already carries span %s (line %zu); one span per port",
		       port_id, d->id, old->id, old->line);
	(void)dev;
	return 0;
}

/* A ring span joins ring_pos k (a, east port) and k + 1 (b, west port). */
static void place_ring_span(struct loader *L, const struct cell *c, struct fl_inv_span *sp)
{
	const struct fl_inv_ring *r = sp->ring;
	const struct fl_inv_device *a = sp->a, *b = sp->b;
	size_t k;

	if (!r || !a || !b || !r->devices)
		return;
	if (a->ring == r && b->ring == r && (a->ring_pos == 0 || b->ring_pos == 0))
		return; /* a bad ring_pos, already reported in devices.csv */
	if (a->ring != r || b->ring != r) {
		const struct cell *bad = a->ring != r ? &c[P_A] : &c[P_B];
		const struct fl_inv_device *d = a->ring != r ? a : b;

		report(L, bad->line, bad->col,
		       "device %s is not on ring %s; a ring span joins two of its devices", d->id,
		       r->id);
		return;
	}
	k = a->ring_pos - 1;
	if (b->ring_pos != (a->ring_pos % r->nodes) + 1) {
		report(L, c[P_B].line, c[P_B].col,
		       "span joins ring_pos %zu and %zu of ring %s; a ring span joins ring_pos k "
		       "and k+1 (the last %zu and 1)",
		       a->ring_pos, b->ring_pos, r->id, r->nodes);
		return;
	}
	if (r->spans[k]) {
		report(L, c[P_SPAN].line, c[P_SPAN].col,
		       "ring_pos %zu and %zu of ring %s are already joined by span %s (line %zu)",
		       a->ring_pos, b->ring_pos, r->id, r->spans[k]->id, r->spans[k]->line);
		return;
	}
	((const struct fl_inv_span **)r->spans)[k] = sp;
}

/* A chain span joins the parent and the first chain device, or two chain
 * devices next to each other; either end may come first. */
static void place_chain_span(struct loader *L, const struct cell *c, struct fl_inv_span *sp)
{
	const struct fl_inv_chain *ch = sp->chain;
	const struct fl_inv_device *a = sp->a, *b = sp->b;
	size_t pa, pb, far;

	if (!ch || !a || !b)
		return;
	pa = a == ch->parent_device ? 0 : a->chain == ch ? a->chain_pos : SIZE_MAX;
	pb = b == ch->parent_device ? 0 : b->chain == ch ? b->chain_pos : SIZE_MAX;
	if (pa == SIZE_MAX || pb == SIZE_MAX) {
		const struct cell *bad = pa == SIZE_MAX ? &c[P_A] : &c[P_B];

		report(L, bad->line, bad->col,
		       "device %.*s is not the parent or a device of chain %s; a chain span joins "
		       "two of them",
		       (int)bad->s.len, bad->s.p, ch->id);
		return;
	}
	far = pa > pb ? pa : pb;
	if ((pa > pb ? pa - pb : pb - pa) != 1) {
		report(L, c[P_B].line, c[P_B].col,
		       "devices %s and %s are not next to each other on chain %s; list the chain's "
		       "spans from the parent outwards",
		       a->id, b->id, ch->id);
		return;
	}
	if (ch->spans[far - 1]) {
		report(L, c[P_SPAN].line, c[P_SPAN].col,
		       "%s and %s are already joined by span %s (line %zu)", a->id, b->id,
		       ch->spans[far - 1]->id, ch->spans[far - 1]->line);
		return;
	}
	((const struct fl_inv_span **)ch->spans)[far - 1] = sp;
}

static int span_srlgs(struct loader *L, const struct cell *c, struct fl_inv_span *sp)
{
	struct cell items[FL_INVENTORY_MAX_LIST];
	size_t n = split_list(L, c, "srlg", items);

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
			report(L, items[k].line, items[k].col, "srlg '%.*s' is listed twice",
			       (int)items[k].s.len, items[k].s.p);
			continue;
		}
		((const struct fl_inv_srlg **)sp->srlgs)[sp->nsrlgs++] = g;
	}
	return 0;
}

static int row_span(struct loader *L, const struct cell *c, size_t line)
{
	struct fl_inventory *inv = L->inv;
	struct fl_inv_span *sp = inv_arena_alloc(&inv->arena, sizeof(*sp));
	int kind = -1, rc;

	if (!sp || !(sp->id = str(L, &c[P_SPAN])) || !(sp->a_port = str(L, &c[P_APORT])) ||
	    !(sp->b_port = str(L, &c[P_BPORT])))
		return -ENOMEM;
	sp->line = line;
	if (parse_enum(L, &c[P_KIND], "kind", kind_names, 2, &kind))
		sp->is_chain = kind == 1;
	if (need(L, &c[P_RING], "ring (the ring, or the chain for a chain span)")) {
		if (kind == 0)
			sp->ring = ref(L, &c[P_RING], T_RINGS, &inv->by_ring, "ring");
		else if (kind == 1)
			sp->chain = ref(L, &c[P_RING], T_CHAINS, &inv->by_chain, "chain");
	}
	if (need(L, &c[P_A], "a_device"))
		sp->a = ref(L, &c[P_A], T_DEVICES, &inv->by_device, "device");
	if (need(L, &c[P_B], "b_device"))
		sp->b = ref(L, &c[P_B], T_DEVICES, &inv->by_device, "device");
	if (sp->a && sp->a == sp->b)
		report(L, c[P_B].line, c[P_B].col, "span joins %s to itself", sp->a->id);
	if (check_port(L, &c[P_APORT], "a_port") && sp->a &&
	    add_port(L, &c[P_A], &c[P_APORT], sp->a, sp->a_port, sp) < 0)
		return -ENOMEM;
	if (check_port(L, &c[P_BPORT], "b_port") && sp->b &&
	    add_port(L, &c[P_B], &c[P_BPORT], sp->b, sp->b_port, sp) < 0)
		return -ENOMEM;
	parse_decimal(L, &c[P_LEN], "length_km", 0, 100000, &sp->length_km);
	parse_yesno(L, &c[P_DUCT], "duct", &sp->is_duct);
	if (span_srlgs(L, &c[P_SRLG], sp) < 0)
		return -ENOMEM;
	if (kind == 0)
		place_ring_span(L, c, sp);
	else if (kind == 1)
		place_chain_span(L, c, sp);
	if (!check_id(L, &c[P_SPAN], "span"))
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

/* After spans.csv: every ring and chain link must have its span. */
static void check_span_coverage(struct loader *L)
{
	L->file = tname(L, T_RINGS);
	for (size_t i = 0; L->have[T_DEVICES] && i < L->inv->rings.n; i++) {
		const struct fl_inv_ring *r = L->inv->rings.items[i];

		for (size_t k = 0; r->devices && k < r->nodes; k++)
			if (!r->spans[k] && r->devices[k] && r->devices[(k + 1) % r->nodes])
				report(L, r->line, 1,
				       "ring %s has no span joining ring_pos %zu (%s) and %zu "
				       "(%s); add it to %s",
				       r->id, k + 1, r->devices[k]->id, (k + 1) % r->nodes + 1,
				       r->devices[(k + 1) % r->nodes]->id, tname(L, T_SPANS));
	}
	L->file = tname(L, T_CHAINS);
	for (size_t i = 0; i < L->inv->chains.n; i++) {
		const struct chain_rec *rec = L->inv->chains.items[i];
		const struct fl_inv_chain *ch = &rec->pub;

		for (size_t k = 0; k < ch->ndevices; k++)
			if (!ch->spans[k])
				report(L, ch->line, rec->devices_col,
				       "chain %s has no span reaching %s; add it to %s", ch->id,
				       ch->devices[k]->id, tname(L, T_SPANS));
	}
}

enum { K_CIRCUIT, K_CUSTOMER, K_A, K_B, K_PATH, K_PRIO, K_BW, K_PROT, K__N };
static const struct column circuit_cols[K__N] = {
    {"circuit", true}, {"customer", true}, {"a_site", true},    {"b_site", true},
    {"path", true},    {"priority", true}, {"bandwidth", true}, {"protection", true},
};
static const char *const prio_names[] = {"urgent", "severe", "general"};
static const char *const prot_names[] = {"none", "sncp"};

static bool span_at_site(const struct fl_inv_span *sp, const struct fl_inv_site *s)
{
	return sp->a->site == s || sp->b->site == s;
}

static bool spans_meet(const struct fl_inv_span *x, const struct fl_inv_span *y)
{
	return (x->a->site && span_at_site(y, x->a->site)) ||
	       (x->b->site && span_at_site(y, x->b->site));
}

static int circuit_path(struct loader *L, const struct cell *c, struct fl_inv_circuit *k)
{
	struct cell items[FL_INVENTORY_MAX_LIST];
	const struct fl_inv_span **path;
	size_t n;

	if (!need(L, &c[K_PATH], "path") ||
	    (n = split_list(L, &c[K_PATH], "path", items)) == SIZE_MAX)
		n = 0;
	path = (void *)ptrs(L, n);
	if (!path)
		return -ENOMEM;
	k->path = path;
	for (size_t i = 0; i < n; i++) {
		const struct fl_inv_span *sp = ref(L, &items[i], T_SPANS, &L->inv->by_span, "span");

		if (!sp || !sp->a || !sp->b)
			return 0; /* unknown span: reported; the walk below needs every span */
		for (size_t j = 0; j < i; j++)
			if (path[j] == sp) {
				report(L, items[i].line, items[i].col,
				       "span %s appears twice in the path", sp->id);
				return 0;
			}
		if (i == 0 && k->a_site && !span_at_site(sp, k->a_site))
			report(L, items[i].line, items[i].col,
			       "the path starts with span %s, which does not end at a_site %s; "
			       "list the spans from a_site to b_site",
			       sp->id, k->a_site->id);
		if (i > 0 && !spans_meet(path[i - 1], sp))
			report(L, items[i].line, items[i].col,
			       "spans %s and %s do not meet at a site; consecutive spans of a path "
			       "share a site",
			       path[i - 1]->id, sp->id);
		if (i + 1 == n && k->b_site && !span_at_site(sp, k->b_site))
			report(L, items[i].line, items[i].col,
			       "the path ends with span %s, which does not end at b_site %s",
			       sp->id, k->b_site->id);
		path[k->npath++] = sp;
	}
	return 0;
}

static int row_circuit(struct loader *L, const struct cell *c, size_t line)
{
	struct fl_inventory *inv = L->inv;
	struct fl_inv_circuit *k = inv_arena_alloc(&inv->arena, sizeof(*k));
	const void *old;
	int v = 0, rc;

	if (!k || !(k->id = str(L, &c[K_CIRCUIT])) || !(k->customer = str(L, &c[K_CUSTOMER])) ||
	    !(k->bandwidth = str(L, &c[K_BW])))
		return -ENOMEM;
	k->line = line;
	if (need(L, &c[K_CUSTOMER], "customer") &&
	    inv_index_put(&L->customers, fl_str_make(k->customer, c[K_CUSTOMER].s.len),
	                  FL_STR_LIT(""), k, &old) < 0)
		return -ENOMEM;
	if (need(L, &c[K_A], "a_site"))
		k->a_site = ref(L, &c[K_A], T_SITES, &inv->by_site, "site");
	if (need(L, &c[K_B], "b_site"))
		k->b_site = ref(L, &c[K_B], T_SITES, &inv->by_site, "site");
	if (circuit_path(L, c, k) < 0)
		return -ENOMEM;
	if (parse_enum(L, &c[K_PRIO], "priority", prio_names, 3, &v))
		k->priority = (enum fl_inv_priority)v;
	if (parse_enum(L, &c[K_PROT], "protection", prot_names, 2, &v))
		k->is_protected = v == 1;
	if (!check_id(L, &c[K_CIRCUIT], "circuit"))
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
static const struct column contact_cols[N__N] = {
    {"level", true},  {"branch", true},      {"role", true},         {"name", true},
    {"mobile", true}, {"email", true},       {"office_phone", true}, {"on_24h", true},
    {"city", true},   {"branch_name", true}, {"customer", true},
};

static void contact_branch(struct loader *L, const struct cell *c, struct fl_inv_contact *p,
                           bool level_ok)
{
	const struct fl_inv_area *a = NULL;

	if (!level_ok || !need(L, &c[N_BRANCH], "branch"))
		return;
	if (p->level == FL_INV_LEVEL_REGION) {
		if (!fl_str_eq_cstr(c[N_BRANCH].s, "region"))
			report(L, c[N_BRANCH].line, c[N_BRANCH].col,
			       "branch '%.*s' at level region; the region's branch is written "
			       "'region'",
			       (int)c[N_BRANCH].s.len, c[N_BRANCH].s.p);
		return;
	}
	if (p->level == FL_INV_LEVEL_CITY)
		a = ref(L, &c[N_BRANCH], T_SITES, &L->inv->by_city, "city");
	else
		a = ref(L, &c[N_BRANCH], T_SITES, &L->inv->by_county, "county");
	if (a && c[N_CITY].s.len) {
		const struct fl_inv_area *city = a->city ? a->city : a;

		if (!fl_str_eq_cstr(c[N_CITY].s, city->name))
			report(L, c[N_CITY].line, c[N_CITY].col,
			       "city '%.*s' differs from branch %s's city '%s'",
			       (int)c[N_CITY].s.len, c[N_CITY].s.p, a->name, city->name);
	}
}

static int row_contact(struct loader *L, const struct cell *c, size_t line)
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
	if (parse_enum(L, &c[N_LEVEL], "level", level_names, 3, &v)) {
		p->level = (enum fl_inv_level)v;
		level_ok = true;
	}
	contact_branch(L, c, p, level_ok);
	if (fl_inv_contact_role_parse(c[N_ROLE].s, &p->role) == 0)
		role_ok = true;
	else
		parse_enum(L, &c[N_ROLE], "role",
		           (const char *const[]){"duty_room", "ops_head", "fault_lead",
		                                 "repair_team", "leader_in_charge",
		                                 "chief_engineer", "customer_contact"},
		           7, &v);
	need(L, &c[N_NAME], "name");
	need(L, &c[N_MOBILE], "mobile");
	parse_yesno(L, &c[N_24H], "on_24h", &p->is_24h);
	if (role_ok && p->role == FL_INV_CONTACT_CUSTOMER_CONTACT &&
	    need(L, &c[N_CUSTOMER], "customer (a customer_contact names its customer)") &&
	    L->have[T_CIRCUITS] && !inv_index_get(&L->customers, c[N_CUSTOMER].s, FL_STR_LIT("")))
		report(
		    L, c[N_CUSTOMER].line, c[N_CUSTOMER].col,
		    "customer '%s' has no circuit in %s; fix the name to match circuits.customer",
		    p->customer, tname(L, T_CIRCUITS));
	if (c[N_NAME].s.len && inv_index_put(&L->people, fl_str_make(p->name, c[N_NAME].s.len),
	                                     FL_STR_LIT(""), p, &old) < 0)
		return -ENOMEM;
	if (!role_ok || !level_ok || c[N_MOBILE].s.len == 0)
		return 0;
	/* Two rows with the same branch, role and mobile are one entry twice. */
	snprintf(key, sizeof(key), "%s/%s", fl_inv_contact_role_name(p->role), p->mobile);
	const char *k2 = inv_arena_strdup(&inv->arena, fl_str_make(key, strlen(key)));

	if (!k2 || inv_index_put(&L->contact_keys, fl_str_make(p->branch, c[N_BRANCH].s.len),
	                         fl_str_make(k2, strlen(k2)), p, &old) < 0)
		return -ENOMEM;
	if (old) {
		report(L, c[N_MOBILE].line, c[N_MOBILE].col,
		       "duplicate contact: %s %s with mobile %s is already listed (line %zu)",
		       p->branch, fl_inv_contact_role_name(p->role), p->mobile,
		       ((const struct fl_inv_contact *)old)->line);
		return 0;
	}
	return inv_vec_push(&inv->contacts, p);
}

enum { W_ID, W_START, W_END, W_SCOPE, W_TARGET, W_REASON, W_ANN, W_BY, W_CUST, W__N };
static const struct column window_cols[W__N] = {
    {"window", true},    {"start", true},       {"end", true},
    {"scope", true},     {"target", true},      {"reason", true},
    {"announced", true}, {"approved_by", true}, {"customers_notified", true},
};
static const char *const scope_names[] = {"span", "site", "device"};

static bool parse_time(struct loader *L, const struct cell *c, const char *what, int64_t *out)
{
	if (fl_inventory_parse_time(c->s, out) == 0)
		return true;
	report(L, c->line, c->col,
	       "%s '%.*s' is not an ISO 8601 time with offset like 2026-11-28T00:30:00+08:00", what,
	       (int)c->s.len, c->s.p);
	return false;
}

static void window_target(struct loader *L, const struct cell *c, const struct fl_inv_window *w)
{
	static const enum table tables[] = {T_SPANS, T_SITES, T_DEVICES};
	const struct inv_index *ix[] = {&L->inv->by_span, &L->inv->by_site, &L->inv->by_device};

	if (need(L, &c[W_TARGET], "target"))
		ref(L, &c[W_TARGET], tables[w->scope], ix[w->scope], scope_names[w->scope]);
}

static int row_window(struct loader *L, const struct cell *c, size_t line)
{
	struct fl_inventory *inv = L->inv;
	struct fl_inv_window *w = inv_arena_alloc(&inv->arena, sizeof(*w));
	struct cell items[FL_INVENTORY_MAX_LIST];
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
		report(L, c[W_END].line, c[W_END].col,
		       "end is not after start; the end is exclusive");
	if (parse_enum(L, &c[W_SCOPE], "scope", scope_names, 3, &v)) {
		w->scope = (enum fl_inv_scope)v;
		window_target(L, c, w);
	}
	parse_time(L, &c[W_ANN], "announced", &w->announced_ns);
	if (need(L, &c[W_BY], "approved_by") && L->have[T_CONTACTS] &&
	    !inv_index_get(&L->people, c[W_BY].s, FL_STR_LIT("")))
		report(L, c[W_BY].line, c[W_BY].col, "approved_by '%s' is nobody in %s",
		       w->approved_by, tname(L, T_CONTACTS));
	if ((n = split_list(L, &c[W_CUST], "customers_notified", items)) == SIZE_MAX)
		n = 0;
	names = (void *)ptrs(L, n);
	if (!names)
		return -ENOMEM;
	w->customers_notified = names;
	for (size_t i = 0; i < n; i++) {
		if (L->have[T_CIRCUITS] &&
		    !inv_index_get(&L->customers, items[i].s, FL_STR_LIT("")))
			report(L, items[i].line, items[i].col,
			       "customer '%.*s' has no circuit in %s", (int)items[i].s.len,
			       items[i].s.p, tname(L, T_CIRCUITS));
		if (!(names[w->ncustomers_notified++] = str(L, &items[i])))
			return -ENOMEM;
	}
	if (!check_id(L, &c[W_ID], "window"))
		return 0;
	rc = add_unique(L, &inv->by_window, &c[W_ID], w->id, w, "window", line_of_window);
	if (rc == 1)
		rc = inv_vec_push(&inv->windows, w);
	return rc < 0 ? rc : 0;
}

/* ---- reading a table ------------------------------------------------------ */

static int read_file(const char *path, char **out, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EISDIR;
		goto out_close;
	}
	if ((uintmax_t)st.st_size > FL_INVENTORY_MAX_FILE_BYTES) {
		rc = -EFBIG;
		goto out_close;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out_close;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) /* short: the file shrank under us; keep what we have */
			break;
		got += (size_t)r;
	}
	close(fd);
	*out = buf;
	*len = got;
	return 0;
out_close:
	close(fd);
	return rc;
}

static void report_csv(struct loader *L, const struct fl_csv *csv, enum fl_csv_verdict v,
                       size_t nfields)
{
	switch (v) {
	case FL_CSV_UNTERMINATED_QUOTE:
		report(
		    L, csv->err_line, csv->err_col,
		    "quoted field is not closed before the end of the file; add the closing '\"'");
		break;
	case FL_CSV_STRAY_QUOTE:
		report(L, csv->err_line, csv->err_col,
		       "quote inside an unquoted field; quote the whole field and double the inner "
		       "quote (\"\")");
		break;
	case FL_CSV_BAD_AFTER_QUOTE:
		report(L, csv->err_line, csv->err_col,
		       "text after a closing quote; quote the whole field and double the inner "
		       "quote (\"\")");
		break;
	case FL_CSV_FIELD_COUNT:
		report(L, csv->err_line, csv->err_col,
		       "row has %zu fields but the header has %zu; quote fields that hold commas",
		       nfields, csv->expect_fields);
		break;
	case FL_CSV_FIELD_TOO_LONG:
		report(L, csv->err_line, csv->err_col, "field longer than %d bytes",
		       FL_CSV_MAX_FIELD_BYTES);
		break;
	case FL_CSV_TOO_MANY_FIELDS:
		report(L, csv->err_line, csv->err_col, "row has more than %d fields",
		       FL_CSV_MAX_FIELDS);
		break;
	case FL_CSV_TOO_MANY_ROWS:
		report(L, csv->err_line, csv->err_col, "file has more than %u rows",
		       FL_CSV_MAX_ROWS);
		break;
	default:
		report(L, csv->err_line, csv->err_col, "%s", fl_csv_verdict_text(v));
		break;
	}
}

/* Maps the header to the table's columns. Returns false (after reporting)
 * when a required column is missing or named twice. */
static bool map_header(struct loader *L, const struct fl_csv_row *hdr, const struct column *cols,
                       size_t ncols, size_t *map)
{
	bool ok = true;

	for (size_t i = 0; i < ncols; i++)
		map[i] = SIZE_MAX;
	for (size_t f = 0; f < hdr->nfields; f++) {
		for (size_t i = 0; i < ncols; i++) {
			if (!fl_str_eq_cstr(hdr->fields[f].s, cols[i].name))
				continue;
			if (map[i] != SIZE_MAX) {
				report(L, hdr->fields[f].line, hdr->fields[f].col,
				       "column '%s' appears twice in the header; remove one",
				       cols[i].name);
				ok = false;
			}
			map[i] = f;
		}
	}
	for (size_t i = 0; i < ncols; i++) {
		if (map[i] != SIZE_MAX || !cols[i].required)
			continue;
		report(
		    L, hdr->line, 1,
		    "missing column '%s'; add it to the header row (columns may come in any order)",
		    cols[i].name);
		ok = false;
	}
	return ok;
}

static int read_rows(struct loader *L, struct fl_csv *csv, const struct column *cols, size_t ncols,
                     const size_t *map, row_fn fn)
{
	struct cell cells[FL_CSV_MAX_FIELDS];
	struct fl_csv_row row;
	enum fl_csv_verdict v;

	while ((v = fl_csv_next(csv, &row)) != FL_CSV_END) {
		bool ok = true;

		if (v == FL_CSV_NO_MEMORY)
			return -ENOMEM;
		if (v != FL_CSV_OK) {
			report_csv(L, csv, v, v == FL_CSV_FIELD_COUNT ? row.nfields : 0);
			continue;
		}
		for (size_t i = 0; i < ncols; i++) {
			if (map[i] == SIZE_MAX) {
				cells[i] = (struct cell){FL_STR_LIT(""), row.line, 1, false};
				continue;
			}
			const struct fl_csv_field *f = &row.fields[map[i]];

			cells[i] = (struct cell){f->s, f->line, f->col, f->was_quoted};
			if (f->s.len && memchr(f->s.p, '\0', f->s.len)) {
				report(L, f->line, f->col, "column %s holds a NUL byte; remove it",
				       cols[i].name);
				ok = false;
			}
		}
		if (ok) {
			int rc = fn(L, cells, row.line);

			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

static int load_table(struct loader *L, enum table t, const struct column *cols, size_t ncols,
                      row_fn fn)
{
	size_t map[FL_CSV_MAX_FIELDS];
	struct fl_csv csv;
	struct fl_csv_row hdr;
	enum fl_csv_verdict v;
	char *buf = NULL;
	const char *text;
	size_t len = 0;
	int rc;

	if (!L->paths[t])
		return 0;
	L->file = L->paths[t];
	if (L->texts) {
		text = L->texts[t].p;
		len = L->texts[t].len;
		rc = len > FL_INVENTORY_MAX_FILE_BYTES ? -EFBIG : 0;
	} else {
		rc = read_file(L->paths[t], &buf, &len);
		text = buf;
	}
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		char why[128];

		if (strerror_r(-rc, why, sizeof(why)) != 0)
			snprintf(why, sizeof(why), "error %d", -rc);
		report(L, 0, 0, "cannot read %s: %s", table_names[t],
		       rc == -EFBIG ? "larger than the inventory file cap" : why);
		if (!L->rc_file || rc == -ENOENT)
			L->rc_file = rc == -ENOENT || rc == -EFBIG ? rc : -EINVAL;
		return 0;
	}
	rc = fl_csv_init(&csv, text, len);
	if (rc < 0)
		goto out_free;
	v = fl_csv_next(&csv, &hdr);
	if (v == FL_CSV_END) {
		report(L, 1, 1, "file is empty; it needs a header row naming its columns");
	} else if (v != FL_CSV_OK) {
		report_csv(L, &csv, v, 0);
	} else if (map_header(L, &hdr, cols, ncols, map)) {
		L->have[t] = true;
		rc = read_rows(L, &csv, cols, ncols, map, fn);
	}
	fl_csv_free(&csv);
out_free:
	free(buf);
	return rc;
}

/* Contacts by (branch, role) and customer contacts by customer. */
static int index_contacts(struct fl_inventory *inv)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < inv->contacts.n; i++) {
			const struct fl_inv_contact *p = inv->contacts.items[i];
			bool is_customer = p->role == FL_INV_CONTACT_CUSTOMER_CONTACT;
			struct inv_index *ix = is_customer ? &inv->by_customer : &inv->by_role;
			const char *role = fl_inv_contact_role_name(p->role);
			struct fl_str k1 =
			    fl_str_make(is_customer ? p->customer : p->branch,
			                strlen(is_customer ? p->customer : p->branch));
			struct fl_str k2 =
			    is_customer ? FL_STR_LIT("") : fl_str_make(role, strlen(role));
			struct inv_contact_list *list = (void *)inv_index_get(ix, k1, k2);
			const void *old;

			if (!list) {
				list = inv_arena_alloc(&inv->arena, sizeof(*list));
				if (!list || inv_index_put(ix, k1, k2, list, &old) < 0)
					return -ENOMEM;
			}
			if (pass == 0) {
				list->n++;
				continue;
			}
			if (!list->items) {
				list->items =
				    (void *)inv_arena_alloc(&inv->arena, list->n * sizeof(void *));
				if (!list->items)
					return -ENOMEM;
				list->n = 0;
			}
			list->items[list->n++] = p;
		}
	}
	return 0;
}

static void loader_free(struct loader *L)
{
	inv_index_free(&L->customers);
	inv_index_free(&L->people);
	inv_index_free(&L->contact_keys);
}

/* A table may be left out only together with the tables that need it: a
 * device names its site, a span its devices, a chain its ring and devices, a
 * circuit its sites and spans. */
static void check_dependencies(struct loader *L)
{
	static const struct {
		enum table t, needs;
		const char *why;
	} deps[] = {
	    {T_DEVICES, T_SITES, "every device stands at a site"},
	    {T_CHAINS, T_RINGS, "a chain hangs off a ring"},
	    {T_CHAINS, T_DEVICES, "a chain is made of devices"},
	    {T_SPANS, T_DEVICES, "a span joins two devices"},
	    {T_CIRCUITS, T_SITES, "a circuit ends at two sites"},
	    {T_CIRCUITS, T_SPANS, "a circuit rides spans"},
	};

	for (size_t i = 0; i < FL_ARRAY_LEN(deps); i++) {
		if (!L->paths[deps[i].t] || L->paths[deps[i].needs])
			continue;
		L->file = L->paths[deps[i].t];
		report(L, 0, 0, "%s is given without %s, but %s; give both or neither",
		       table_names[deps[i].t], table_names[deps[i].needs], deps[i].why);
	}
}

/* Loads the tables L names (paths, or texts in memory) in reference order. */
static int load(struct loader *L_in, struct fl_inventory **out)
{
	struct loader L = *L_in;
	int rc;

	L.inv = calloc(1, sizeof(*L.inv));
	if (!L.inv)
		return -ENOMEM;
	check_dependencies(&L);
	if ((rc = load_table(&L, T_SITES, site_cols, S__N, row_site)) < 0 ||
	    (rc = load_table(&L, T_RINGS, ring_cols, R__N, row_ring)) < 0 ||
	    (rc = load_table(&L, T_DEVICES, device_cols, D__N, row_device)) < 0)
		goto out_fail;
	if (L.have[T_RINGS] && L.have[T_DEVICES])
		check_ring_positions(&L);
	if ((rc = load_table(&L, T_CHAINS, chain_cols, C__N, row_chain)) < 0 ||
	    (rc = load_table(&L, T_SPANS, span_cols, P__N, row_span)) < 0)
		goto out_fail;
	if (L.have[T_SPANS])
		check_span_coverage(&L);
	if ((rc = load_table(&L, T_CIRCUITS, circuit_cols, K__N, row_circuit)) < 0 ||
	    (rc = load_table(&L, T_CONTACTS, contact_cols, N__N, row_contact)) < 0 ||
	    (rc = load_table(&L, T_MAINT, window_cols, W__N, row_window)) < 0)
		goto out_fail;
	if (L.nerrors) {
		if (L.nerrors > FL_INVENTORY_MAX_ERRORS && L.on_error) {
			char msg[128];

			snprintf(msg, sizeof(msg), "%zu more errors not shown",
			         L.nerrors - FL_INVENTORY_MAX_ERRORS);
			L.on_error(L.ctx, L.file ? L.file : "", 0, 0, msg);
		}
		rc = L.rc_file ? L.rc_file : -EINVAL;
		goto out_fail;
	}
	if ((rc = index_contacts(L.inv)) < 0 || (rc = inv_link(L.inv)) < 0)
		goto out_fail;
	loader_free(&L);
	*out = L.inv;
	return 0;

out_fail:
	loader_free(&L);
	fl_inventory_free(L.inv);
	return rc;
}

int fl_inventory_load(struct fl_inventory **out, const struct fl_inventory_paths *paths,
                      fl_inventory_error_fn on_error, void *ctx)
{
	struct loader L = {.on_error = on_error, .ctx = ctx};

	if (!out || !paths)
		return -EINVAL;
	L.paths[T_SITES] = paths->sites;
	L.paths[T_RINGS] = paths->rings;
	L.paths[T_DEVICES] = paths->devices;
	L.paths[T_CHAINS] = paths->chains;
	L.paths[T_SPANS] = paths->spans;
	L.paths[T_CIRCUITS] = paths->circuits;
	L.paths[T_CONTACTS] = paths->contacts;
	L.paths[T_MAINT] = paths->maintenance;
	return load(&L, out);
}

int fl_inventory_load_texts(struct fl_inventory **out, const struct fl_inventory_texts *texts,
                            fl_inventory_error_fn on_error, void *ctx)
{
	struct loader L = {.on_error = on_error, .ctx = ctx};
	struct fl_str t[T__N];

	if (!out || !texts)
		return -EINVAL;
	t[T_SITES] = texts->sites;
	t[T_RINGS] = texts->rings;
	t[T_DEVICES] = texts->devices;
	t[T_CHAINS] = texts->chains;
	t[T_SPANS] = texts->spans;
	t[T_CIRCUITS] = texts->circuits;
	t[T_CONTACTS] = texts->contacts;
	t[T_MAINT] = texts->maintenance;
	for (size_t i = 0; i < T__N; i++)
		L.paths[i] = t[i].p ? table_names[i] : NULL;
	L.texts = t;
	return load(&L, out);
}

void fl_inventory_free(struct fl_inventory *inv)
{
	if (!inv)
		return;

	struct inv_index *indexes[] = {
	    &inv->by_site,    &inv->by_device,  &inv->by_ring,   &inv->by_span,     &inv->by_chain,
	    &inv->by_circuit, &inv->by_city,    &inv->by_county, &inv->by_srlg,     &inv->by_window,
	    &inv->by_port,    &inv->by_mgmt_ip, &inv->by_role,   &inv->by_customer,
	};
	struct inv_vec *vecs[] = {
	    &inv->sites,    &inv->devices,  &inv->rings,   &inv->spans, &inv->chains,
	    &inv->circuits, &inv->contacts, &inv->windows, &inv->areas, &inv->srlgs,
	};

	for (size_t i = 0; i < FL_ARRAY_LEN(indexes); i++)
		inv_index_free(indexes[i]);
	for (size_t i = 0; i < FL_ARRAY_LEN(vecs); i++)
		inv_vec_free(vecs[i]);
	inv_arena_free(&inv->arena);
	free(inv);
}
