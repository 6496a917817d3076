/* api_routes.c - the route table, and the resources other than tickets:
 * who is asking (status), maintenance windows, the outbox, directives and
 * the report. */
#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/api/api_int.h"
#include "engine/lib/json.h"
#include "engine/pipeline/directive.h"
#include "engine/pipeline/maint_customers.h"
#include "engine/store/store.h"
#include "engine/store/store_list.h"
#include "engine/store/store_time.h"

#define NOTE_MAX 1024

static unsigned api_status(struct api_req *r, struct fl_buf *out);
static unsigned maint_list(struct api_req *r, struct fl_buf *out);
static unsigned maint_add(struct api_req *r, struct fl_buf *out);
static unsigned maint_delete(struct api_req *r, struct fl_buf *out);
static unsigned outbox_list(struct api_req *r, struct fl_buf *out);
static unsigned directives_list(struct api_req *r, struct fl_buf *out);
static unsigned directive_show(struct api_req *r, struct fl_buf *out);
static unsigned directive_ack(struct api_req *r, struct fl_buf *out);
static unsigned report(struct api_req *r, struct fl_buf *out);

/* The handlers by index; the table's handler fields point here. */
static api_handler_fn *const handlers[] = {
	api_status,	  api_tickets_list, api_ticket_show, api_ticket_action, api_ticket_open,
	maint_list,	  maint_add,	    maint_delete,    outbox_list,	directives_list,
	directive_show, directive_ack,    report,	     api_changes,	api_map,
	api_targets,	  api_maint_consent, api_contacts,
};
enum {
	H_STATUS, H_TICKETS, H_TICKET, H_TICKET_ACTION, H_TICKET_OPEN, H_MAINT, H_MAINT_ADD,
	H_MAINT_DELETE, H_OUTBOX, H_DIRECTIVES, H_DIRECTIVE, H_DIRECTIVE_ACK, H_REPORT, H_CHANGES,
	H_MAP, H_TARGETS, H_MAINT_CONSENT, H_CONTACTS,
};

static const struct fl_api_route routes[] = {
	{"GET", "/api/status", FL_ROLE_NONE, H_STATUS},
	{"GET", "/api/tickets", FL_ROLE_VIEWER, H_TICKETS},
	{"POST", "/api/tickets", FL_ROLE_OPERATOR, H_TICKET_OPEN},
	{"GET", "/api/tickets/*", FL_ROLE_VIEWER, H_TICKET},
	{"POST", "/api/tickets/*/*", FL_ROLE_OPERATOR, H_TICKET_ACTION},
	{"GET", "/api/maintenance", FL_ROLE_VIEWER, H_MAINT},
	{"POST", "/api/maintenance", FL_ROLE_ADMIN, H_MAINT_ADD},
	{"DELETE", "/api/maintenance/*", FL_ROLE_ADMIN, H_MAINT_DELETE},
	{"POST", "/api/maintenance/*/consent", FL_ROLE_OPERATOR, H_MAINT_CONSENT},
	{"GET", "/api/outbox", FL_ROLE_VIEWER, H_OUTBOX},
	{"GET", "/api/directives", FL_ROLE_VIEWER, H_DIRECTIVES},
	{"GET", "/api/directives/*", FL_ROLE_VIEWER, H_DIRECTIVE},
	{"POST", "/api/directives/*/ack", FL_ROLE_OPERATOR, H_DIRECTIVE_ACK},
	{"GET", "/api/report", FL_ROLE_VIEWER, H_REPORT},
	{"GET", "/api/changes", FL_ROLE_VIEWER, H_CHANGES},
	{"GET", "/api/map", FL_ROLE_VIEWER, H_MAP},
	{"GET", "/api/inventory/targets", FL_ROLE_VIEWER, H_TARGETS},
	{"GET", "/api/contacts", FL_ROLE_VIEWER, H_CONTACTS},
};

const struct fl_api_route *api_routes(size_t *n)
{
	*n = sizeof(routes) / sizeof(routes[0]);
	return routes;
}

api_handler_fn *api_handler(int index)
{
	return handlers[index];
}

static unsigned store_failed(struct fl_store *s, struct fl_buf *out, int rc)
{
	return api_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s (%s)", strerror(-rc),
			 fl_store_errmsg(s));
}

/* GET /api/status: who is asking and what they may do, the plan's zone and
 * levels (the board's form), the server's time and counters. */
static unsigned api_status(struct api_req *r, struct fl_buf *out)
{
	const struct fl_api *a = r->api;
	const struct api_counters *c = &a->count;
	char now[FL_TIME_ISO_LEN];
	struct fl_json j;

	fl_time_format(r->now_ns, now);
	fl_json_init(&j, out);
	fl_json_obj_begin(&j);
	fl_json_key(&j, "user");
	fl_json_cstr(&j, r->user[0] ? r->user : NULL);
	fl_json_key(&j, "role");
	fl_json_cstr(&j, fl_api_role_name(r->role));
	fl_json_key(&j, "logins");
	fl_json_bool(&j, a->users != NULL);
	fl_json_key(&j, "zone");
	fl_json_cstr(&j, a->zone);
	fl_json_key(&j, "now");
	fl_json_cstr(&j, now);
	fl_json_key(&j, "now_ns");
	fl_json_int(&j, r->now_ns);
	fl_json_key(&j, "levels");
	fl_json_arr_begin(&j);
	for (size_t i = 0; i < a->n_levels; i++)
		fl_json_cstr(&j, a->levels[i].name);
	fl_json_arr_end(&j);
	fl_json_key(&j, "counters");
	fl_json_obj_begin(&j);
	const struct {
		const char *name;
		uint64_t v;
	} rows[] = {{"requests", c->requests},
		    {"connections_refused", c->connections_refused},
		    {"bodies_refused", c->bodies_refused},
		    {"bad_json", c->bad_json},
		    {"unauthorized", c->unauthorized},
		    {"forbidden", c->forbidden},
		    {"changes", c->changes},
		    {"pages_too_big", c->pages_too_big},
		    {"tokens_refused", c->tokens_refused},
		    {"users_reloads", c->users_reloads},
		    {"changes_looks", c->changes_looks},
		    {"map_cuts_dropped", c->map_cuts_dropped}};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		fl_json_key(&j, rows[i].name);
		fl_json_uint(&j, rows[i].v);
	}
	fl_json_obj_end(&j);
	fl_json_obj_end(&j);
	return MHD_HTTP_OK;
}

/* ---- maintenance windows ------------------------------------------------------ */

static unsigned maint_list(struct api_req *r, struct fl_buf *out)
{
	struct fl_store *s;
	unsigned status;
	int rc;

	if (!(s = api_store(r, out, &status)))
		return status;
	rc = fl_store_maint_json(s, r->now_ns, r->api->consent_notice_ms, out);
	return rc < 0 ? store_failed(s, out, rc) : MHD_HTTP_OK;
}

/* The window of the body: {"scope","target","from","to","recur","reason"}. */
static unsigned maint_read(struct api_req *r, struct fl_maint_window *w, char *buf, size_t part,
			   struct fl_buf *out)
{
	static const char *const keys[] = {"scope", "target", "from", "to", "recur", "reason"};
	char *v[6];

	for (size_t i = 0; i < 6; i++) {
		v[i] = buf + i * part;
		v[i][0] = '\0'; /* an absent member leaves it untouched */
		if (api_body_str(r, keys[i], v[i], part) < 0)
			return api_error(out, MHD_HTTP_BAD_REQUEST, "%s is a string of at most %zu"
				" bytes", keys[i], part - 1);
	}
	if (!v[0][0] || !v[1][0] || !v[2][0] || !v[3][0])
		return api_error(out, MHD_HTTP_BAD_REQUEST,
				 "a window needs scope, target, from and to");
	if (fl_time_parse(v[2], &w->from_ns) < 0 || fl_time_parse(v[3], &w->to_ns) < 0)
		return api_error(out, MHD_HTTP_BAD_REQUEST,
				 "from and to are times such as 2026-11-25T02:00+08:00");
	if (!v[4][0] || strcmp(v[4], "none") == 0)
		w->recur = FL_MAINT_NONE;
	else if (strcmp(v[4], "weekly") == 0)
		w->recur = FL_MAINT_WEEKLY;
	else if (strcmp(v[4], "monthly") == 0)
		w->recur = FL_MAINT_MONTHLY;
	else
		return api_error(out, MHD_HTTP_BAD_REQUEST, "recur is none, weekly or monthly");
	w->scope = v[0];
	w->target = v[1];
	w->reason = v[5][0] ? v[5] : NULL;
	w->by = r->user;
	if (w->to_ns <= r->now_ns)
		return api_error(out, MHD_HTTP_BAD_REQUEST, "the window ends before now");
	return 0;
}

static unsigned maint_add(struct api_req *r, struct fl_buf *out)
{
	struct fl_maint_window w = {0};
	char buf[6 * 257];
	struct fl_store *s;
	unsigned status;
	int rc;

	if ((status = maint_read(r, &w, buf, 257, out)) != 0)
		return status;
	if (!(s = api_store(r, out, &status)))
		return status;
	rc = fl_store_maint_add(s, &w, r->now_ns);
	if (rc == -EINVAL)
		return api_error(out, MHD_HTTP_BAD_REQUEST,
				 "the scope is device, site, ring, span or city, from before to,"
				 " and a recurring window shorter than its period");
	if (rc < 0)
		return store_failed(s, out, rc);
	/* the customers whose consent it needs, as `maintenance add -c` records them */
	size_t customers = 0;
	if (r->api->program) {
		rc = fl_maint_customers_record(s, r->api->program, w.id, w.scope, w.target,
					       &customers);
		if (rc < 0)
			return store_failed(s, out, rc);
	}
	fprintf(stderr, "http: %s added maintenance window %lld (%zu customers)\n", r->user,
		(long long)w.id, customers);
	(void)fl_buf_printf(out, "{\"id\":%lld,\"customers\":%zu,\"by\":", (long long)w.id,
			    customers);
	struct fl_json j;
	fl_json_init(&j, out);
	fl_json_cstr(&j, r->user);
	(void)fl_buf_addc(out, '}');
	return MHD_HTTP_CREATED;
}

static unsigned maint_delete(struct api_req *r, struct fl_buf *out)
{
	struct fl_store *s;
	unsigned status;
	char *end;
	long long id = strtoll(r->args[0], &end, 10);
	int rc;

	if (*end || id <= 0)
		return api_error(out, MHD_HTTP_BAD_REQUEST, "a window's id is a number");
	if (!(s = api_store(r, out, &status)))
		return status;
	rc = fl_store_maint_delete(s, id);
	if (rc == -ENOENT)
		return api_error(out, MHD_HTTP_NOT_FOUND, "no window %lld", id);
	if (rc < 0)
		return store_failed(s, out, rc);
	fprintf(stderr, "http: %s deleted maintenance window %lld\n", r->user, id);
	(void)fl_buf_printf(out, "{\"deleted\":%lld}", id);
	return MHD_HTTP_OK;
}

/* ---- the outbox ----------------------------------------------------------------- */

static unsigned outbox_list(struct api_req *r, struct fl_buf *out)
{
	const char *limit_arg = api_query(r, "limit");
	long limit = limit_arg ? strtol(limit_arg, NULL, 10) : 100;
	struct fl_store *s;
	unsigned status;
	int rc;

	if (limit < 1 || limit > FL_STORE_OUTBOX_LIST_MAX)
		return api_error(out, MHD_HTTP_BAD_REQUEST, "limit is 1 to %d",
				 FL_STORE_OUTBOX_LIST_MAX);
	if (!(s = api_store(r, out, &status)))
		return status;
	rc = fl_store_outbox_list_json(s, api_query(r, "ticket"), api_query(r, "state"),
				       (size_t)limit, out);
	if (rc == -EINVAL)
		return api_error(out, MHD_HTTP_BAD_REQUEST,
				 "state is pending, sending, sent, failed or expired");
	return rc < 0 ? store_failed(s, out, rc) : MHD_HTTP_OK;
}

/* ---- directives ------------------------------------------------------------------ */

static int directive_json(void *ctx, const struct fl_directive_view *d)
{
	struct fl_json *j = ctx;

	fl_json_obj_begin(j);
	fl_directive_json_fields(j, d);
	fl_json_obj_end(j);
	return 0;
}

static int branch_json(void *ctx, const struct fl_directive_branch_view *b)
{
	struct fl_json *j = ctx;
	const struct {
		const char *key;
		int64_t ns;
	} times[] = {{"sent", b->sent_ns},
		     {"deadline", b->deadline_ns},
		     {"acknowledged", b->acked_ns},
		     {"reported", b->reported_ns}};

	fl_json_obj_begin(j);
	fl_json_key(j, "branch");
	fl_json_cstr(j, b->branch);
	fl_json_key(j, "level");
	fl_json_cstr(j, b->level);
	fl_json_key(j, "parent");
	fl_json_cstr(j, b->parent);
	for (size_t i = 0; i < 4; i++)
		fl_directive_json_time(j, times[i].key, times[i].ns);
	fl_json_key(j, "acknowledged_by");
	fl_json_cstr(j, b->acked_by);
	fl_json_key(j, "ack_note");
	fl_json_cstr(j, b->ack_note);
	fl_json_key(j, "reported_by");
	fl_json_cstr(j, b->reported_by);
	fl_json_key(j, "report");
	fl_json_cstr(j, b->report);
	fl_json_key(j, "late_steps");
	fl_json_uint(j, b->late_steps);
	fl_json_obj_end(j);
	return 0;
}

static unsigned directives_list(struct api_req *r, struct fl_buf *out)
{
	struct fl_store *s;
	struct fl_json j;
	unsigned status;
	int rc;

	if (!(s = api_store(r, out, &status)))
		return status;
	fl_json_init(&j, out);
	fl_json_arr_begin(&j);
	rc = fl_store_directives_each(s, api_query(r, "all") == NULL, directive_json, &j);
	fl_json_arr_end(&j);
	return rc < 0 ? store_failed(s, out, rc) : MHD_HTTP_OK;
}

/* The directive and its branches: {"directive": {...}, "branches": [...]}. */
static unsigned directive_doc(struct api_req *r, struct fl_store *s, unsigned ok,
			      struct fl_buf *out)
{
	struct fl_json j;
	int rc;

	fl_buf_reset(out);
	fl_json_init(&j, out);
	fl_json_obj_begin(&j);
	fl_json_key(&j, "directive");
	rc = fl_store_directive_get(s, r->args[0], directive_json, &j);
	if (rc == -ENOENT)
		return api_error(out, MHD_HTTP_NOT_FOUND, "no directive %s", r->args[0]);
	fl_json_key(&j, "branches");
	fl_json_arr_begin(&j);
	if (rc == 0)
		rc = fl_store_directive_branches_each(s, r->args[0], branch_json, &j);
	fl_json_arr_end(&j);
	fl_json_obj_end(&j);
	return rc < 0 ? store_failed(s, out, rc) : ok;
}

static unsigned directive_show(struct api_req *r, struct fl_buf *out)
{
	struct fl_store *s;
	unsigned status;

	if (!(s = api_store(r, out, &status)))
		return status;
	return directive_doc(r, s, MHD_HTTP_OK, out);
}

/* POST /api/directives/ID/ack {"branch": "...", "note": "..."} */
static unsigned directive_ack(struct api_req *r, struct fl_buf *out)
{
	char branch[257] = "", note[NOTE_MAX + 1] = "";
	struct fl_store *s;
	unsigned status;
	int rc;

	if (api_body_str(r, "branch", branch, sizeof(branch)) != 1 || !branch[0] ||
	    api_body_str(r, "note", note, sizeof(note)) < 0)
		return api_error(out, MHD_HTTP_BAD_REQUEST,
				 "an acknowledgement needs \"branch\" (and may have a \"note\")");
	if (!(s = api_store(r, out, &status)))
		return status;
	rc = fl_store_directive_ack(s, r->args[0], branch, r->user, note[0] ? note : NULL,
				    r->now_ns);
	if (rc == -ENOENT)
		return api_error(out, MHD_HTTP_NOT_FOUND, "directive %s did not reach %s",
				 r->args[0], branch);
	if (rc == -EEXIST)
		return api_error(out, MHD_HTTP_CONFLICT, "%s acknowledged %s already", branch,
				 r->args[0]);
	if (rc < 0)
		return store_failed(s, out, rc);
	fprintf(stderr, "http: %s acknowledged %s for %s\n", r->user, r->args[0], branch);
	return directive_doc(r, s, MHD_HTTP_OK, out);
}

/* ---- the report ------------------------------------------------------------------ */

/* GET /api/report?from=...&to=...: the store's report (docs/store.md). */
static unsigned report(struct api_req *r, struct fl_buf *out)
{
	const char *from = api_query(r, "from"), *to = api_query(r, "to");
	int64_t from_ns, to_ns;
	struct fl_store *s;
	unsigned status;
	int rc;

	if (!from || !to || fl_time_parse(from, &from_ns) < 0 || fl_time_parse(to, &to_ns) < 0 ||
	    from_ns >= to_ns)
		return api_error(out, MHD_HTTP_BAD_REQUEST,
				 "the report needs from and to, times such as 2026-11-01, from"
				 " before to");
	if (!(s = api_store(r, out, &status)))
		return status;
	rc = fl_store_report_json(s, from_ns, to_ns, r->now_ns, out);
	return rc < 0 ? store_failed(s, out, rc) : MHD_HTTP_OK;
}
