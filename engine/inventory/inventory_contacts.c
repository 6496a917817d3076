/* inventory_contacts.c - enum names, contact resolution with fallback, and
 * maintenance windows. See inventory.h. */
#include "engine/lib/civil.h"
#include "engine/inventory/inventory_int.h"

#include <errno.h>
#include <string.h>

static const char *const level_texts[] = {"region", "city", "county", "township"};
static const char *const role_texts[] = {"backbone-otn", "metro-sdh", "olt",
                                         "router",       "switch",    "edfa"};
static const char *const contact_texts[FL_INV_CONTACT__COUNT] = {
    "duty_room",        "ops_head",       "fault_lead",       "repair_team",
    "leader_in_charge", "chief_engineer", "customer_contact",
};

const char *fl_inv_level_name(enum fl_inv_level l)
{
	return (size_t)l < FL_ARRAY_LEN(level_texts) ? level_texts[l] : "?";
}

const char *fl_inv_device_role_name(enum fl_inv_device_role r)
{
	return (size_t)r < FL_ARRAY_LEN(role_texts) ? role_texts[r] : "?";
}

const char *fl_inv_contact_role_name(enum fl_inv_contact_role r)
{
	return (size_t)r < FL_ARRAY_LEN(contact_texts) ? contact_texts[r] : "?";
}

size_t fl_inventory_role_count(const struct fl_inventory *inv)
{
	return inv && inv->n_roles ? inv->n_roles : FL_INV_CONTACT__COUNT;
}

const char *fl_inventory_role_name(const struct fl_inventory *inv, unsigned role)
{
	if (role < FL_INV_CONTACT__COUNT)
		return contact_texts[role];
	return inv && role < inv->n_roles ? inv->role_names[role] : "?";
}

int fl_inventory_role_find(const struct fl_inventory *inv, struct fl_str name,
                           enum fl_inv_contact_role *out)
{
	for (size_t r = 0; r < fl_inventory_role_count(inv); r++)
		if (r < FL_INV_CONTACT__COUNT ? fl_str_eq_cstr(name, contact_texts[r])
		                              : inv_eq_folded(name, inv->role_names[r])) {
			*out = (enum fl_inv_contact_role)r;
			return 0;
		}
	return -EINVAL;
}

int fl_inv_contact_role_parse(struct fl_str s, enum fl_inv_contact_role *out)
{
	for (size_t i = 0; i < FL_ARRAY_LEN(contact_texts); i++) {
		if (fl_str_eq_cstr(s, contact_texts[i])) {
			*out = (enum fl_inv_contact_role)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* ---- contacts ------------------------------------------------------------- */

static bool same_person(const struct fl_inv_contact *x, const struct fl_inv_contact *y)
{
	if (x->mobile[0] && strcmp(x->mobile, y->mobile) == 0)
		return true;
	return x->email[0] && strcmp(x->email, y->email) == 0;
}

/* Adds a contact unless the same person is already a hit. */
static void add_hit(struct fl_inv_contacts *out, const struct fl_inv_contact *p,
                    enum fl_inv_contact_role role, enum fl_inv_level asked, enum fl_inv_level found,
                    const char *branch)
{
	for (size_t i = 0; i < out->nhits; i++) {
		if (!same_person(out->hits[i].contact, p))
			continue;
		if (out->hits[i].role != role)
			out->hits[i].also_roles |= 1u << role;
		out->duplicates++;
		return;
	}
	if (out->nhits == FL_INVENTORY_MAX_HITS) {
		out->truncated = true;
		return;
	}
	out->hits[out->nhits++] = (struct fl_inv_contact_hit){
	    .contact = p,
	    .role = role,
	    .asked_level = asked,
	    .found_level = found,
	    .found_branch = branch,
	    .fell_back = found != asked,
	};
}

/* Where a location sits: its county and city (either may be NULL). */
struct place {
	const struct fl_inv_area *county, *city;
	bool is_region;
};

static int locate(const struct fl_inventory *inv, struct fl_str location, struct place *pl)
{
	const struct fl_inv_device *d = fl_inventory_device(inv, location);
	const struct fl_inv_site *s = d ? d->site : fl_inventory_site(inv, location);
	const struct fl_inv_area *a;

	memset(pl, 0, sizeof(*pl));
	if (s) {
		pl->county = s->county;
		pl->city = s->city;
		return 0;
	}
	if ((a = fl_inventory_county(inv, location))) {
		pl->county = a;
		pl->city = a->city;
		return 0;
	}
	if ((a = fl_inventory_city(inv, location))) {
		pl->city = a;
		return 0;
	}
	if (fl_str_eq_cstr(location, "region")) {
		pl->is_region = true;
		return 0;
	}
	return -ENOENT;
}

static const struct inv_contact_list *role_list(const struct fl_inventory *inv, const char *branch,
                                                enum fl_inv_contact_role role)
{
	const char *r = fl_inventory_role_name(inv, role);

	return inv_index_get(&inv->by_role, fl_str_make(branch, strlen(branch)),
	                     fl_str_make(r, strlen(r)));
}

int fl_inventory_contacts(const struct fl_inventory *inv, unsigned role_mask,
                          enum fl_inv_level level, struct fl_str location,
                          struct fl_inv_contacts *out)
{
	const size_t n_roles = fl_inventory_role_count(inv);
	const unsigned allowed =
	    ((1u << n_roles) - 1) & ~(1u << FL_INV_CONTACT_CUSTOMER_CONTACT);
	struct fl_inv_contacts res;
	struct place pl;
	enum fl_inv_level start;
	int rc;

	if (role_mask == 0 || (role_mask & ~allowed) || (unsigned)level > FL_INV_LEVEL_TOWNSHIP)
		return -EINVAL;
	if ((rc = locate(inv, location, &pl)) < 0)
		return rc;
	start = level == FL_INV_LEVEL_TOWNSHIP ? FL_INV_LEVEL_COUNTY : level;
	if ((start == FL_INV_LEVEL_COUNTY && !pl.county) ||
	    (start == FL_INV_LEVEL_CITY && !pl.city))
		return -EINVAL;
	memset(&res, 0, sizeof(res));
	for (unsigned role = 0; role < n_roles; role++) {
		bool found = false;

		if (!(role_mask & (1u << role)))
			continue;
		/* Walk up from the starting level: county -> city -> region. */
		for (int lv = (int)start; lv >= (int)FL_INV_LEVEL_REGION && !found; lv--) {
			const char *branch = lv == FL_INV_LEVEL_COUNTY ? pl.county->name
			                     : lv == FL_INV_LEVEL_CITY ? pl.city->name
			                                               : "region";
			const struct inv_contact_list *list;

			if (lv == FL_INV_LEVEL_CITY && !pl.city)
				continue;
			list = role_list(inv, branch, (enum fl_inv_contact_role)role);
			if (!list || list->n == 0)
				continue;
			found = true;
			for (size_t i = 0; i < list->n; i++)
				add_hit(&res, list->items[i], (enum fl_inv_contact_role)role, level,
				        (enum fl_inv_level)lv, branch);
		}
		if (!found)
			res.missing_roles |= 1u << role;
	}
	*out = res;
	return 0;
}

int fl_inventory_customer_contacts(const struct fl_inventory *inv, struct fl_str customer,
                                   struct fl_inv_contacts *out)
{
	const struct inv_contact_list *list =
	    inv_index_get(&inv->by_customer, customer, FL_STR_LIT(""));
	struct fl_inv_contacts res;

	memset(&res, 0, sizeof(res));
	for (size_t i = 0; list && i < list->n; i++)
		add_hit(&res, list->items[i], FL_INV_CONTACT_CUSTOMER_CONTACT,
		        list->items[i]->level, list->items[i]->level, list->items[i]->branch);
	*out = res;
	return 0;
}

/* ---- time and maintenance ------------------------------------------------- */

static bool digits(struct fl_str s, size_t at, size_t n, unsigned *out)
{
	unsigned v = 0;

	if (at + n > s.len)
		return false;
	for (size_t i = at; i < at + n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s.p[i] - '0');
	}
	*out = v;
	return true;
}

int fl_inventory_parse_time(struct fl_str s, int64_t *out_ns)
{
	unsigned y, mo, d, h, mi, sec, oh = 0, om = 0;
	int64_t frac_ns = 0, offset_s = 0, t;
	size_t i = 19;

	if (!s.p || !digits(s, 0, 4, &y) || s.len < 20 || s.p[4] != '-' || !digits(s, 5, 2, &mo) ||
	    s.p[7] != '-' || !digits(s, 8, 2, &d) || s.p[10] != 'T' || !digits(s, 11, 2, &h) ||
	    s.p[13] != ':' || !digits(s, 14, 2, &mi) || s.p[16] != ':' || !digits(s, 17, 2, &sec))
		return -EINVAL;
	/* nanoseconds since 1970 in an int64_t span the years 1678 to 2261 */
	if (y < 1900 || y > 2261 || mo < 1 || mo > 12 || d < 1 ||
	    d > fl_days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59)
		return -EINVAL;
	if (s.p[i] == '.') {
		int64_t scale = 100000000;
		size_t n = 0;

		for (i++; i < s.len && s.p[i] >= '0' && s.p[i] <= '9'; i++, n++)
			if (n < 9) {
				frac_ns += (s.p[i] - '0') * scale;
				scale /= 10;
			}
		if (n == 0)
			return -EINVAL;
	}
	if (i < s.len && s.p[i] == 'Z' && i + 1 == s.len) {
		offset_s = 0;
	} else if (i + 6 == s.len && (s.p[i] == '+' || s.p[i] == '-') && digits(s, i + 1, 2, &oh) &&
	           s.p[i + 3] == ':' && digits(s, i + 4, 2, &om) && oh <= 23 && om <= 59) {
		offset_s = ((int64_t)oh * 3600 + (int64_t)om * 60) * (s.p[i] == '+' ? 1 : -1);
	} else {
		return -EINVAL;
	}
	t = fl_days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + sec -
	    offset_s;
	*out_ns = t * 1000000000 + frac_ns;
	return 0;
}

static bool covers(const struct fl_inv_window *w, enum fl_inv_scope scope, const char *target,
                   int64_t at_ns)
{
	return w->scope == scope && at_ns >= w->start_ns && at_ns < w->end_ns &&
	       strcmp(w->target, target) == 0;
}

const struct fl_inv_window *fl_inventory_maintenance(const struct fl_inventory *inv,
                                                     enum fl_inv_scope scope, struct fl_str target,
                                                     int64_t at_ns)
{
	const char *id = NULL, *site = NULL;

	switch (scope) {
	case FL_INV_SCOPE_SPAN: {
		const struct fl_inv_span *sp = fl_inventory_span(inv, target);

		id = sp ? sp->id : NULL;
		break;
	}
	case FL_INV_SCOPE_SITE: {
		const struct fl_inv_site *s = fl_inventory_site(inv, target);

		id = s ? s->id : NULL;
		break;
	}
	case FL_INV_SCOPE_DEVICE: {
		const struct fl_inv_device *d = fl_inventory_device(inv, target);

		id = d ? d->id : NULL;
		site = d && d->site ? d->site->id : NULL;
		break;
	}
	}
	if (!id)
		return NULL;
	/* Windows are few (a handful a week): a scan beats an index here. */
	for (size_t i = 0; i < inv->windows.n; i++) {
		const struct fl_inv_window *w = inv->windows.items[i];

		if (covers(w, scope, id, at_ns) ||
		    (site && covers(w, FL_INV_SCOPE_SITE, site, at_ns)))
			return w;
	}
	return NULL;
}
