/* api_tickets.c - the ticket resources of the API: the list with its
 * filters, one ticket's document, the lifecycle verbs, notes, clock pauses,
 * and a ticket opened by hand for a fault phoned in to the hotline. */
#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/api/api_int.h"
#include "engine/lib/json.h"
#include "engine/store/store.h"
#include "engine/store/store_time.h"

#define TEXT_MAX 1024

/* Query names of the states, in enum order (fl_ticket_state_name() has
 * spaces: "on site"). */
static const char *const state_args[] = {"open",     "acknowledged", "dispatched", "onsite",
					 "restored", "resolved",     "archived"};

struct list_filter {
	int state; /* -1: any */
	const char *level, *city, *county;
	int64_t since_ns;
	bool is_active_only; /* state=active: not yet restored */
	char **ids;
	size_t n;
	bool is_truncated;
};

static bool same(const char *want, const char *have)
{
	return !want || (have && strcmp(want, have) == 0);
}

/* Is t the record a directive or an announcement keeps its history under
 * (store.h), not a fault? */
static bool is_record(const struct fl_ticket_summary *t)
{
	return t->rule && (strcmp(t->rule, "directive") == 0 || strcmp(t->rule, "announce") == 0);
}

static int collect(void *ctx, const struct fl_ticket_summary *t)
{
	struct list_filter *f = ctx;

	if (is_record(t) || (f->state >= 0 && (int)t->state != f->state) ||
	    (f->is_active_only && t->state >= FL_TICKET_RESTORED) || !same(f->level, t->level) ||
	    !same(f->city, t->city) || !same(f->county, t->county) || t->opened_ns < f->since_ns)
		return 0;
	if (f->n == FL_API_LIST_MAX) {
		f->is_truncated = true;
		return 0;
	}
	f->ids[f->n] = strdup(t->id);
	if (!f->ids[f->n])
		return -ENOMEM;
	f->n++;
	return 0;
}

static unsigned filter_parse(struct api_req *r, struct list_filter *f, struct fl_buf *out)
{
	const char *state = api_query(r, "state"), *since = api_query(r, "since");

	f->state = -1;
	f->level = api_query(r, "level");
	f->city = api_query(r, "city");
	f->county = api_query(r, "county");
	if (state && strcmp(state, "active") == 0)
		f->is_active_only = true;
	for (int i = 0; state && !f->is_active_only && i < FL_TICKET__COUNT; i++)
		if (strcmp(state, state_args[i]) == 0)
			f->state = i;
	if (state && f->state < 0 && !f->is_active_only)
		return api_error(out, MHD_HTTP_BAD_REQUEST,
				 "state is active, open, acknowledged, dispatched, onsite, restored,"
				 " resolved or archived");
	if (since && fl_time_parse(since, &f->since_ns) < 0)
		return api_error(out, MHD_HTTP_BAD_REQUEST,
				 "since is a time such as 2026-11-25T02:00+08:00");
	return 0;
}

/* {"now": ..., "zone": ..., "count": n, "truncated": b, "tickets": [documents]} */
static unsigned list_write(struct api_req *r, struct fl_store *s, struct list_filter *f,
			   struct fl_buf *out)
{
	char now[FL_TIME_ISO_LEN];
	int rc = 0;

	fl_time_format(r->now_ns, now);
	(void)fl_buf_printf(out, "{\"now\":\"%s\",\"now_ns\":%lld,\"count\":%zu,\"truncated\":%s,"
				 "\"tickets\":[",
			    now, (long long)r->now_ns, f->n, f->is_truncated ? "true" : "false");
	for (size_t i = 0; i < f->n && rc == 0; i++) {
		if (i)
			(void)fl_buf_addc(out, ',');
		rc = fl_store_ticket_json(s, f->ids[i], false, r->now_ns, out);
		if (rc == -ENOENT) { /* closed by hand in between: left out */
			rc = 0;
			(void)fl_buf_adds(out, "null");
		}
	}
	(void)fl_buf_adds(out, "]}");
	if (rc < 0)
		return api_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s", strerror(-rc));
	return MHD_HTTP_OK;
}

unsigned api_tickets_list(struct api_req *r, struct fl_buf *out)
{
	struct list_filter f = {0};
	struct fl_store *s;
	unsigned status;
	bool is_all = api_query(r, "all") != NULL;
	int rc;

	if (!(s = api_store(r, out, &status)))
		return status;
	if ((status = filter_parse(r, &f, out)) != 0)
		return status;
	f.ids = calloc(FL_API_LIST_MAX, sizeof(*f.ids));
	if (!f.ids)
		return api_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	rc = fl_store_tickets_each(s, is_all || f.state == FL_TICKET_ARCHIVED, collect, &f);
	status = rc < 0 ? api_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s (%s)",
				    strerror(-rc), fl_store_errmsg(s))
			: list_write(r, s, &f, out);
	for (size_t i = 0; i < f.n; i++)
		free(f.ids[i]);
	free(f.ids);
	return status;
}

/* The ticket ref names (an id, its number, a unique start) into id; 0 or an
 * error answer's status. */
static unsigned ticket_resolve(struct api_req *r, struct fl_store *s, const char *ref, char *id,
			       size_t size, struct fl_buf *out)
{
	char others[FL_STORE_REF_SHOWN * (FL_STORE_ID_MAX + 2) + 1];
	int n = fl_store_ticket_find(s, ref, id, size, others, sizeof(others));

	(void)r;
	if (n == 1)
		return 0;
	if (n == 0 || n == -EINVAL)
		return api_error(out, MHD_HTTP_NOT_FOUND, "no ticket %s", ref);
	if (n < 0)
		return api_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s", strerror(-n));
	return api_error(out, MHD_HTTP_CONFLICT, "'%s' names %d tickets: %s; give more of the id",
			 ref, n, others);
}

static unsigned ticket_doc(struct api_req *r, struct fl_store *s, const char *id, unsigned status,
			   struct fl_buf *out)
{
	int rc;

	fl_buf_reset(out);
	rc = fl_store_ticket_json(s, id, true, r->now_ns, out);
	if (rc == -ENOENT)
		return api_error(out, MHD_HTTP_NOT_FOUND, "no ticket %s", id);
	if (rc < 0)
		return api_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s", strerror(-rc));
	return status;
}

unsigned api_ticket_show(struct api_req *r, struct fl_buf *out)
{
	char id[FL_STORE_ID_MAX + 1];
	struct fl_store *s;
	unsigned status;

	if (!(s = api_store(r, out, &status)))
		return status;
	if ((status = ticket_resolve(r, s, r->args[0], id, sizeof(id), out)) != 0)
		return status;
	return ticket_doc(r, s, id, MHD_HTTP_OK, out);
}

static int clock_parse(const char *name, enum fl_ticket_clock *out)
{
	for (unsigned c = 0; c < FL_TICKET_CLOCK__COUNT; c++)
		if (strcmp(name, fl_ticket_clock_name((enum fl_ticket_clock)c)) == 0) {
			*out = (enum fl_ticket_clock)c;
			return 0;
		}
	return -EINVAL;
}

/* pause and resume: {"clock": "respond", "note": "no access to the site"} */
static unsigned clock_action(struct api_req *r, struct fl_store *s, const char *id,
			     const char *note, struct fl_buf *out)
{
	bool is_pause = strcmp(r->args[1], "pause") == 0;
	char clock[16];
	enum fl_ticket_clock c;
	int rc;

	if (api_body_str(r, "clock", clock, sizeof(clock)) != 1 || clock_parse(clock, &c) < 0)
		return api_error(out, MHD_HTTP_BAD_REQUEST,
				 "%s needs \"clock\": respond, onsite or repair", r->args[1]);
	if (is_pause && !note[0])
		return api_error(out, MHD_HTTP_BAD_REQUEST, "pause needs a \"note\": the reason");
	rc = is_pause ? fl_store_clock_pause(s, id, c, note, r->user, r->now_ns)
		      : fl_store_clock_resume(s, id, c, r->user, r->now_ns);
	if (rc == -EPERM)
		return api_error(out, MHD_HTTP_CONFLICT, "the %s clock of %s is not %s", clock, id,
				 is_pause ? "running" : "paused");
	if (rc < 0)
		return api_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s", strerror(-rc));
	return ticket_doc(r, s, id, MHD_HTTP_OK, out);
}

/* POST /api/tickets/ID/VERB with {"note": "..."}: a lifecycle verb, a note,
 * or a clock's pause or resume; answers the ticket's document. */
unsigned api_ticket_action(struct api_req *r, struct fl_buf *out)
{
	char id[FL_STORE_ID_MAX + 1], note[TEXT_MAX + 1] = "", msg[256] = "";
	enum fl_transition tr;
	struct fl_store *s;
	unsigned status;
	int rc;

	if (!(s = api_store(r, out, &status)))
		return status;
	if (api_body_str(r, "note", note, sizeof(note)) < 0)
		return api_error(out, MHD_HTTP_BAD_REQUEST, "note is a string of at most %d bytes",
				 TEXT_MAX);
	if ((status = ticket_resolve(r, s, r->args[0], id, sizeof(id), out)) != 0)
		return status;
	if (strcmp(r->args[1], "pause") == 0 || strcmp(r->args[1], "resume") == 0)
		return clock_action(r, s, id, note, out);
	if (strcmp(r->args[1], "note") == 0) {
		if (!note[0])
			return api_error(out, MHD_HTTP_BAD_REQUEST, "a note needs \"note\"");
		rc = fl_store_note(s, id, "note", r->user, note, r->now_ns);
	} else if (fl_transition_parse(r->args[1], &tr) == 0) {
		rc = fl_store_transition(s, id, tr, r->user, note[0] ? note : NULL, r->now_ns, msg,
					 sizeof(msg));
	} else {
		return api_error(out, MHD_HTTP_NOT_FOUND,
				 "no verb %s: ack, dispatch, onsite, restore, resolve, close, note,"
				 " pause, resume",
				 r->args[1]);
	}
	if (rc == -EPERM)
		return api_error(out, MHD_HTTP_CONFLICT, "%s", msg[0] ? msg : "not allowed now");
	if (rc < 0)
		return api_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s (%s)",
				 strerror(-rc), fl_store_errmsg(s));
	fprintf(stderr, "http: %s %s %s\n", r->user, r->args[1], id);
	return ticket_doc(r, s, id, MHD_HTTP_OK, out);
}
