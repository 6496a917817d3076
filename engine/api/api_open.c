/* api_open.c - POST /api/tickets: a fault a person reports (a customer on
 * the 7x24 hotline) becomes a ticket with the clocks and history of an
 * alarm's. This file reads and checks the body; engine/store/hotline.h
 * writes the ticket, as it does for `faultline tickets open`. */
#include <errno.h>
#include <microhttpd.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "engine/api/api_int.h"
#include "engine/store/hotline.h"
#include "engine/store/store.h"

#define FIELD_MAX 256
#define TEXT_MAX 1024

/* The body's fields, each "" when absent. */
struct open_form {
	char level[64], text[TEXT_MAX + 1], caller[FIELD_MAX + 1], customer[FIELD_MAX + 1],
		circuit[FIELD_MAX + 1], site[FIELD_MAX + 1], span[FIELD_MAX + 1],
		device[FIELD_MAX + 1], city[FIELD_MAX + 1], county[FIELD_MAX + 1], loc_class[16];
};

struct form_field {
	const char *key;
	size_t offset, size;
};

#define FIELD(name) {#name, offsetof(struct open_form, name), sizeof(((struct open_form *)0)->name)}
static const struct form_field form_fields[] = {
	FIELD(level), FIELD(text),   FIELD(caller), FIELD(customer), FIELD(circuit), FIELD(site),
	FIELD(span),  FIELD(device), FIELD(city),   FIELD(county),
	{"class", offsetof(struct open_form, loc_class), sizeof(((struct open_form *)0)->loc_class)},
};
#undef FIELD

static unsigned form_read(struct api_req *r, struct open_form *f, struct fl_buf *out)
{
	for (size_t i = 0; i < sizeof(form_fields) / sizeof(form_fields[0]); i++) {
		const struct form_field *ff = &form_fields[i];

		if (api_body_str(r, ff->key, (char *)f + ff->offset, ff->size) < 0)
			return api_error(out, MHD_HTTP_BAD_REQUEST,
					 "%s is a string of at most %zu bytes", ff->key,
					 ff->size - 1);
	}
	if (!f->level[0] || !f->text[0])
		return api_error(out, MHD_HTTP_BAD_REQUEST,
				 "a ticket by hand needs \"level\" and \"text\" (what the caller"
				 " reports)");
	if (!f->customer[0] && !f->circuit[0] && !f->site[0] && !f->span[0] && !f->device[0])
		return api_error(out, MHD_HTTP_BAD_REQUEST,
				 "say what is affected: customer, circuit, site, span or device");
	if (!f->loc_class[0])
		snprintf(f->loc_class, sizeof(f->loc_class), "%s", f->county[0] ? "county" : "city");
	return 0;
}

static const struct fl_api_level *level_find(const struct fl_api *a, const char *name)
{
	for (size_t i = 0; i < a->n_levels; i++)
		if (strcmp(a->levels[i].name, name) == 0)
			return &a->levels[i];
	return NULL;
}

/* The plan's clocks for a level, as the hotline module takes them. */
static struct fl_hotline_clocks level_clocks(const struct fl_api_level *lv)
{
	struct fl_hotline_clocks c = {.respond_ms = lv->respond_ms, .repair_ms = lv->repair_ms};

	for (size_t i = 0; i < 3; i++)
		c.onsite_ms[i] = lv->onsite_ms[i];
	return c;
}

unsigned api_ticket_open(struct api_req *r, struct fl_buf *out)
{
	char id[FL_STORE_ID_MAX + 1];
	const struct fl_api_level *lv;
	struct open_form f = {0};
	struct fl_store *s;
	unsigned status;
	int rc;

	if ((status = form_read(r, &f, out)) != 0)
		return status;
	if (!(lv = level_find(r->api, f.level)))
		return api_error(out, MHD_HTTP_BAD_REQUEST, "no level '%s' in the plan%s", f.level,
				 r->api->n_levels ? "" : " (this server was started without one)");
	if (fl_hotline_class(f.loc_class) < 0)
		return api_error(out, MHD_HTTP_BAD_REQUEST, "class is city, county or township");
	if (!(s = api_store(r, out, &status)))
		return status;
	const struct fl_hotline_report rep = {
		.level = f.level, .clocks = level_clocks(lv), .text = f.text, .caller = f.caller,
		.by = r->user, .customer = f.customer, .circuit = f.circuit, .site = f.site,
		.span = f.span, .device = f.device, .city = f.city, .county = f.county,
		.loc_class = f.loc_class, .now_ns = r->now_ns,
	};
	rc = fl_hotline_open(s, &rep, id, sizeof(id));
	if (rc < 0)
		return api_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s (%s)",
				 strerror(-rc), fl_store_errmsg(s));
	fprintf(stderr, "http: %s opened %s\n", r->user, id);
	fl_buf_reset(out);
	rc = fl_store_ticket_json(s, id, true, r->now_ns, out);
	return rc < 0 ? api_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s", strerror(-rc))
		      : MHD_HTTP_CREATED;
}
