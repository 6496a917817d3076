/* api_contacts.c - GET /api/contacts: who the plan can reach, from the
 * plan's contact table, for the duty room deciding whom to call: by branch
 * (a city, a county, "region"), by role, only those on a 24 h phone. The
 * same people the ladders page, in the table's order. */
#include <microhttpd.h>
#include <stdbool.h>
#include <string.h>

#include "engine/api/api_int.h"
#include "engine/inventory/inventory.h"
#include "engine/lib/json.h"

struct contact_query {
	const char *branch, *role;
	enum fl_inv_contact_role role_ix; /* role's, when role is set */
	bool only_24h;
};

static bool contact_wanted(const struct fl_inv_contact *c, const struct contact_query *q)
{
	if (q->branch && strcmp(c->branch, q->branch) != 0 &&
	    !(c->branch_name && strcmp(c->branch_name, q->branch) == 0))
		return false;
	if (q->role && c->role != q->role_ix)
		return false;
	return !q->only_24h || c->is_24h;
}

static void contact_write(struct fl_json *j, const struct fl_inv_contact *c)
{
	const struct {
		const char *key, *value;
	} text[] = {
		{"level", fl_inv_level_name(c->level)},
		{"branch", c->branch},
		{"branch_name", c->branch_name},
		{"role", c->role_name},
		{"name", c->name},
		{"mobile", c->mobile},
		{"email", c->email},
		{"office_phone", c->office_phone},
		{"city", c->city},
		{"customer", c->customer},
	};

	fl_json_obj_begin(j);
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
		fl_json_key(j, text[i].key);
		/* "" in the table (no e-mail, no customer) is absent, not empty */
		fl_json_cstr(j, text[i].value && text[i].value[0] ? text[i].value : NULL);
	}
	fl_json_key(j, "on_24h");
	fl_json_bool(j, c->is_24h);
	fl_json_obj_end(j);
}

unsigned api_contacts(struct api_req *r, struct fl_buf *out)
{
	struct contact_query q = {.branch = api_query(r, "branch"), .role = api_query(r, "role")};
	const char *on24 = api_query(r, "on_24h");
	const struct fl_inv_contact *c;
	struct fl_json j;
	size_t n = 0;
	bool is_truncated = false;

	if ((q.branch && strlen(q.branch) > FL_API_ARG_MAX) ||
	    (q.role && strlen(q.role) > FL_API_ARG_MAX))
		return api_error(out, MHD_HTTP_BAD_REQUEST, "branch and role are at most %d bytes",
				 FL_API_ARG_MAX);
	if (q.role && fl_inventory_role_find(r->api->inventory, fl_str_make(q.role, strlen(q.role)),
					     &q.role_ix) < 0)
		return api_error(out, MHD_HTTP_BAD_REQUEST,
				 "no role '%s' (duty_room, ops_head, fault_lead, repair_team, "
				 "leader_in_charge, chief_engineer, customer_contact, or one the "
				 "contact table names)",
				 q.role);
	if (on24 && strcmp(on24, "true") != 0 && strcmp(on24, "false") != 0)
		return api_error(out, MHD_HTTP_BAD_REQUEST, "on_24h is true or false");
	q.only_24h = on24 && strcmp(on24, "true") == 0;
	fl_json_init(&j, out);
	fl_json_obj_begin(&j);
	fl_json_key(&j, "inventory");
	fl_json_bool(&j, r->api->inventory != NULL);
	fl_json_key(&j, "contacts");
	fl_json_arr_begin(&j);
	for (size_t i = 0; r->api->inventory && (c = fl_inventory_contact_at(r->api->inventory, i));
	     i++) {
		if (!contact_wanted(c, &q))
			continue;
		if (n == FL_API_CONTACTS_MAX) {
			is_truncated = true;
			break;
		}
		contact_write(&j, c);
		n++;
	}
	fl_json_arr_end(&j);
	fl_json_key(&j, "truncated");
	fl_json_bool(&j, is_truncated);
	fl_json_obj_end(&j);
	return MHD_HTTP_OK;
}
