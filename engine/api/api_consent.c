/* api_consent.c - POST /api/maintenance/ID/consent: an operator records a
 * customer's word on a maintenance window (engine/store/consent.h), as
 * `faultline maintenance consent` does. The customer must be one the window
 * affects, recorded when it was added with its plan. */
#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/api/api_int.h"
#include "engine/lib/json.h"
#include "engine/store/consent.h"
#include "engine/store/store.h"

#define CUSTOMER_MAX 256
#define NOTE_MAX 1024

static unsigned consent_answer(struct fl_store *s, long long id, const char *customer,
                               enum fl_consent_state st, const char *by, struct fl_buf *out)
{
	const char *names[] = {"customers", "asked", "given", "refused", "missing"};
	struct fl_consent_counts c;
	struct fl_json j;
	int rc = fl_consent_counts(s, id, &c);
	const uint32_t values[] = {c.customers, c.asked, c.given, c.refused, c.missing};

	if (rc < 0)
		return api_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s", strerror(-rc));
	fl_buf_reset(out);
	fl_json_init(&j, out);
	fl_json_obj_begin(&j);
	fl_json_key(&j, "window");
	fl_json_int(&j, id);
	fl_json_key(&j, "customer");
	fl_json_cstr(&j, customer);
	fl_json_key(&j, "state");
	fl_json_cstr(&j, fl_consent_state_name(st));
	fl_json_key(&j, "by");
	fl_json_cstr(&j, by);
	fl_json_key(&j, "consent");
	fl_json_obj_begin(&j);
	for (size_t i = 0; i < 5; i++) {
		fl_json_key(&j, names[i]);
		fl_json_uint(&j, values[i]);
	}
	fl_json_obj_end(&j);
	fl_json_obj_end(&j);
	return fl_json_failed(&j) ? api_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, "answer too big")
	                          : MHD_HTTP_OK;
}

unsigned api_maint_consent(struct api_req *r, struct fl_buf *out)
{
	char customer[CUSTOMER_MAX + 1] = "", state[16] = "", note[NOTE_MAX + 1] = "";
	enum fl_consent_state st;
	struct fl_store *s;
	unsigned status;
	char *end;
	long long id = strtoll(r->args[0], &end, 10);
	int rc;

	if (*end || id <= 0)
		return api_error(out, MHD_HTTP_BAD_REQUEST, "a window's id is a number");
	if (api_body_str(r, "customer", customer, sizeof(customer)) < 0 ||
	    api_body_str(r, "state", state, sizeof(state)) < 0 ||
	    api_body_str(r, "note", note, sizeof(note)) < 0 || !customer[0] ||
	    fl_consent_state_parse(state, &st) < 0 || st == FL_CONSENT_MISSING)
		return api_error(out, MHD_HTTP_BAD_REQUEST,
		                 "give {\"customer\", \"state\": asked|given|refused, \"note\"}");
	if (!(s = api_store(r, out, &status)))
		return status;
	rc = fl_consent_record(s, id, customer, st, r->user, note, r->now_ns);
	if (rc == -ENOENT)
		return api_error(out, MHD_HTTP_NOT_FOUND,
		                 "window %lld does not affect a customer '%s' (or there is no such"
		                 " window)", id, customer);
	if (rc < 0)
		return api_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s (%s)",
		                 strerror(-rc), fl_store_errmsg(s));
	fprintf(stderr, "http: %s recorded %s %s on window %lld\n", r->user, customer, state, id);
	return consent_answer(s, id, customer, st, r->user, out);
}
