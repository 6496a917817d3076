/* store_doc.c - the ticket document: one ticket as JSON, with its clocks,
 * notifications and (on request) history, as `tickets show --json` and
 * `tickets list --json` print it and as a notification carries it when its
 * sender gives no document of its own. Written by the write side
 * (store_outbox.c) and the read side alike, so it lives apart from both. */
#include "engine/store/store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/json.h"
#include "engine/store/store_int.h"
#include "engine/store/store_time.h"

/* --- JSON pieces ------------------------------------------------------------ */
void store_json_time(struct fl_json *j, int64_t ns)
{
	char iso[FL_TIME_ISO_LEN];

	if (ns == 0) {
		fl_json_null(j);
		return;
	}
	fl_time_format(ns, iso);
	fl_json_cstr(j, iso);
}

/* A ';'-separated list as a JSON array of strings. */
static void json_list(struct fl_json *j, const char *list)
{
	fl_json_arr_begin(j);
	while (list && *list) {
		const char *end = strchr(list, ';');
		size_t n = end ? (size_t)(end - list) : strlen(list);

		if (n > 0)
			fl_json_str(j, list, n);
		list = end ? end + 1 : NULL;
	}
	fl_json_arr_end(j);
}

/* --- ticket documents ----------------------------------------------------- */
#define TICKET_COLS \
	"id, state, level, title, rule, key, device, site, span, ring, county, city, loc_class," \
	" circuits, customers, planned, unprotected, alarms, opened_ns, updated_ns, cleared_ns," \
	" acked_ns, dispatched_ns, onsite_ns, restored_ns, resolved_ns, closed_ns"

/* The clocks object of a ticket document from its three clocks. */
static void clocks_json(struct fl_json *j, const struct fl_clock_info ci[FL_TICKET_CLOCK__COUNT])
{
	fl_json_obj_begin(j);
	for (unsigned c = 0; c < FL_TICKET_CLOCK__COUNT; c++) {
		const struct fl_clock_info *k = &ci[c];

		fl_json_key(j, fl_ticket_clock_name((enum fl_ticket_clock)c));
		if (k->state == FL_CLOCK_ST_NONE) {
			fl_json_null(j);
			continue;
		}
		fl_json_obj_begin(j);
		fl_json_key(j, "deadline");
		store_json_time(j, k->deadline_ns);
		fl_json_key(j, "deadline_ns");
		fl_json_int(j, k->deadline_ns);
		fl_json_key(j, "state");
		fl_json_cstr(j, fl_clock_state_name(k->state));
		fl_json_key(j, "met");
		if (k->state == FL_CLOCK_ST_MET || k->state == FL_CLOCK_ST_MISSED)
			fl_json_bool(j, k->state == FL_CLOCK_ST_MET);
		else
			fl_json_null(j);
		fl_json_key(j, "paused");
		fl_json_bool(j, k->state == FL_CLOCK_ST_PAUSED);
		fl_json_key(j, "paused_ms");
		fl_json_int(j, k->paused_ms);
		fl_json_key(j, "pauses");
		fl_json_uint(j, k->pauses);
		fl_json_obj_end(j);
	}
	fl_json_obj_end(j);
}

/* One notification of a ticket document from a row whose columns from col
 * are: role, person, channel, address, created_ns, state, attempts, done_ns,
 * last_error, key. */
#define NOTE_COLS "role, person, channel, address, created_ns, state, attempts, done_ns," \
		  " last_error, key"

static void note_json(struct fl_json *j, struct store_stmt *st, int col)
{
	fl_json_obj_begin(j);
	fl_json_key(j, "role");
	fl_json_cstr(j, store_col_text(st, col));
	fl_json_key(j, "person");
	fl_json_cstr(j, store_col_text(st, col + 1));
	fl_json_key(j, "channel");
	fl_json_cstr(j, store_col_text(st, col + 2));
	fl_json_key(j, "address");
	fl_json_cstr(j, store_col_text(st, col + 3));
	fl_json_key(j, "time");
	store_json_time(j, sst_col_int64(st, col + 4));
	fl_json_key(j, "delivery");
	fl_json_cstr(j, store_col_text(st, col + 5));
	fl_json_key(j, "attempts");
	fl_json_int(j, sst_col_int64(st, col + 6));
	fl_json_key(j, "delivered");
	store_json_time(j, sst_col_int64(st, col + 7));
	fl_json_key(j, "error");
	fl_json_cstr(j, store_col_text(st, col + 8));
	fl_json_key(j, "key");
	fl_json_cstr(j, store_col_text(st, col + 9));
	fl_json_obj_end(j);
}

static int write_notifications(struct fl_store *s, const char *id, struct fl_json *j)
{
	struct store_stmt *st = store_stmt(s, "SELECT " NOTE_COLS " FROM outbox"
	                                 " WHERE ticket = ?1 ORDER BY id");
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	fl_json_arr_begin(j);
	while ((rc = sst_step(st)) == SQLITE_ROW)
		note_json(j, st, 0);
	fl_json_arr_end(j);
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_reset(st);
	return rc;
}

static int place_json(void *ctx, const struct fl_ticket_place *p)
{
	struct fl_json *j = ctx;

	fl_json_obj_begin(j);
	fl_json_key(j, "kind");
	fl_json_cstr(j, p->kind);
	fl_json_key(j, "id");
	fl_json_cstr(j, p->id);
	fl_json_key(j, "joined");
	store_json_time(j, p->joined_ns);
	fl_json_key(j, "evidence");
	fl_json_cstr(j, p->evidence);
	fl_json_obj_end(j);
	return 0;
}

static int write_places(struct fl_store *s, const char *id, struct fl_json *j)
{
	int rc;

	fl_json_arr_begin(j);
	rc = fl_store_places_each(s, id, place_json, j);
	fl_json_arr_end(j);
	return rc;
}

static int write_history(struct fl_store *s, const char *id, struct fl_json *j)
{
	struct store_stmt *st = store_stmt(s, "SELECT at_ns, what, by, note FROM history"
	                                 " WHERE ticket = ?1 ORDER BY id");
	int rc;

	if (!st)
		return -EIO;
	store_bind_text(st, 1, id);
	fl_json_arr_begin(j);
	while ((rc = sst_step(st)) == SQLITE_ROW) {
		fl_json_obj_begin(j);
		fl_json_key(j, "at");
		store_json_time(j, sst_col_int64(st, 0));
		fl_json_key(j, "what");
		fl_json_cstr(j, store_col_text(st, 1));
		fl_json_key(j, "by");
		fl_json_cstr(j, store_col_text(st, 2));
		fl_json_key(j, "note");
		fl_json_cstr(j, store_col_text(st, 3));
		fl_json_obj_end(j);
	}
	fl_json_arr_end(j);
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_reset(st);
	return rc;
}


/* The columns of one ticket row (TICKET_COLS order): text[] are columns
 * 0..14, num[] columns 15..26 (planned, unprotected, alarms, opened,
 * updated, cleared, acked, dispatched, onsite, restored, resolved, closed). */
struct ticket_row {
	char *text[15];
	int64_t num[12];
};

static void row_free(struct ticket_row *r)
{
	for (size_t i = 0; i < FL_ARRAY_LEN(r->text); i++) {
		free(r->text[i]);
		r->text[i] = NULL;
	}
}

/* Copies the row: the clock and notification queries run while it is written. */
static int row_read(struct store_stmt *st, struct ticket_row *r)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < 15; i++) {
		const char *v = store_col_text(st, i);

		if (v && !(r->text[i] = strdup(v))) {
			row_free(r);
			return -ENOMEM;
		}
	}
	for (int i = 0; i < 12; i++)
		r->num[i] = sst_col_int64(st, 15 + i);
	return 0;
}

/* The ticket's own fields, the object left open for clocks, notifications
 * and history. */
static void ticket_head_json(struct fl_json *j, const struct ticket_row *r, int64_t now_ns)
{
	static const char *const loc_keys[] = {"device", "site", "span", "ring",
	                                       "county", "city", "class"};
	enum fl_ticket_state state = FL_TICKET_OPEN;

	(void)store_state_from_token(r->text[1], &state);
	fl_json_obj_begin(j);
	fl_json_key(j, "id");
	fl_json_cstr(j, r->text[0]);
	fl_json_key(j, "state");
	fl_json_cstr(j, fl_ticket_state_name(state));
	fl_json_key(j, "level");
	fl_json_cstr(j, r->text[2]);
	fl_json_key(j, "title");
	fl_json_cstr(j, r->text[3]);
	fl_json_key(j, "rule");
	fl_json_cstr(j, r->text[4]);
	fl_json_key(j, "key");
	fl_json_cstr(j, r->text[5]);
	fl_json_key(j, "location");
	fl_json_obj_begin(j);
	for (int i = 0; i < 7; i++) {
		fl_json_key(j, loc_keys[i]);
		fl_json_cstr(j, r->text[6 + i]);
	}
	fl_json_obj_end(j);
	fl_json_key(j, "circuits");
	json_list(j, r->text[13]);
	fl_json_key(j, "customers");
	json_list(j, r->text[14]);
	fl_json_key(j, "planned");
	fl_json_bool(j, r->num[0] != 0);
	fl_json_key(j, "unprotected");
	fl_json_bool(j, r->num[1] != 0);
	fl_json_key(j, "alarms");
	fl_json_int(j, r->num[2]);
	fl_json_key(j, "opened");
	store_json_time(j, r->num[3]);
	fl_json_key(j, "age_s");
	fl_json_int(j, now_ns > r->num[3] ? (now_ns - r->num[3]) / NS_PER_S : 0);
	fl_json_key(j, "cleared");
	store_json_time(j, r->num[5]);
	fl_json_key(j, "acknowledged");
	store_json_time(j, r->num[6]);
	fl_json_key(j, "dispatched");
	store_json_time(j, r->num[7]);
	fl_json_key(j, "on_site");
	store_json_time(j, r->num[8]);
	fl_json_key(j, "restored");
	store_json_time(j, r->num[9]);
	fl_json_key(j, "resolved");
	store_json_time(j, r->num[10]);
	fl_json_key(j, "archived");
	store_json_time(j, r->num[11]);
}

int fl_store_ticket_json(struct fl_store *s, const char *id, bool with_history, int64_t now_ns,
                         struct fl_buf *out)
{
	struct fl_clock_info ci[FL_TICKET_CLOCK__COUNT];
	struct ticket_row r;
	struct store_stmt *st;
	struct fl_json j;
	int rc;

	/* Not cached: the clock and notification statements run meanwhile. */
	rc = store_prepare(s, "SELECT " TICKET_COLS " FROM tickets WHERE id = ?1", &st);
	if (rc != SQLITE_OK)
		return store_rc(s, rc);
	store_bind_text(st, 1, id);
	rc = sst_step(st);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? -ENOENT : store_rc(s, rc);
		sst_finalize(st);
		return rc;
	}
	rc = row_read(st, &r);
	sst_finalize(st);
	if (rc < 0)
		return rc;
	for (unsigned c = 0; rc == 0 && c < FL_TICKET_CLOCK__COUNT; c++)
		rc = fl_store_clock_get(s, id, (enum fl_ticket_clock)c, &ci[c]);
	if (rc == 0) {
		fl_json_init(&j, out);
		ticket_head_json(&j, &r, now_ns);
		fl_json_key(&j, "places");
		rc = write_places(s, id, &j);
		fl_json_key(&j, "clocks");
		clocks_json(&j, ci);
		fl_json_key(&j, "notifications");
		if (rc == 0)
			rc = write_notifications(s, id, &j);
		if (rc == 0 && with_history) {
			fl_json_key(&j, "history");
			rc = write_history(s, id, &j);
		}
		fl_json_obj_end(&j);
		if (rc == 0 && fl_json_failed(&j))
			rc = -EMSGSIZE;
	}
	row_free(&r);
	return rc;
}

/* The list runs three queries for any number of tickets: the tickets, then
 * all their clocks and all their notifications, each in the tickets' order
 * (opened, id: unique), merged as the tickets are written. The three share
 * one read snapshot: they are open at the same time. */
#define LIST_WHERE " WHERE ?1 <> 0 OR t.state <> 'archived' ORDER BY t.opened_ns, t.id"
static const char list_tickets_sql[] =
	"SELECT " TICKET_COLS " FROM tickets t" LIST_WHERE;
static const char list_clocks_sql[] =
	"SELECT c.ticket, c.clock, c.state, c.budget_ms, c.deadline_ns, c.met_ns, c.paused_ms,"
	" c.pauses FROM clocks c JOIN tickets t ON t.id = c.ticket" LIST_WHERE;
static const char list_places_sql[] =
	"SELECT p.ticket, p.kind, p.place, p.joined_ns, p.evidence FROM places p"
	" JOIN tickets t ON t.id = p.ticket" LIST_WHERE ", p.joined_ns, p.kind, p.place";
static const char list_notes_sql[] =
	"SELECT o.ticket, o.role, o.person, o.channel, o.address, o.created_ns, o.state,"
	" o.attempts, o.done_ns, o.last_error, o.key FROM outbox o"
	" JOIN tickets t ON t.id = o.ticket" LIST_WHERE ", o.id";

/* Is the cursor's current row (rc: its last step) about ticket id? */
static bool cursor_at(struct store_stmt *st, int rc, const char *id)
{
	const char *t = rc == SQLITE_ROW ? store_col_text(st, 0) : NULL;

	return t && strcmp(t, id) == 0;
}

static int list_prepare(struct fl_store *s, const char *sql, bool include_archived,
                        struct store_stmt **out)
{
	int rc = store_prepare(s, sql, out);

	if (rc != SQLITE_OK)
		return store_rc(s, rc);
	sst_bind_int64(*out, 1, include_archived);
	return 0;
}

int fl_store_tickets_json(struct fl_store *s, bool include_archived, int64_t now_ns,
                          struct fl_buf *out)
{
	struct store_stmt *ts = NULL, *cs = NULL, *ns = NULL, *ps = NULL;
	int trc, crc = SQLITE_DONE, nrc = SQLITE_DONE, prc = SQLITE_DONE, rc;
	struct fl_json j;

	if ((rc = list_prepare(s, list_tickets_sql, include_archived, &ts)) < 0 ||
	    (rc = list_prepare(s, list_clocks_sql, include_archived, &cs)) < 0 ||
	    (rc = list_prepare(s, list_notes_sql, include_archived, &ns)) < 0 ||
	    (rc = list_prepare(s, list_places_sql, include_archived, &ps)) < 0)
		goto out_finalize;
	fl_json_init(&j, out);
	fl_json_arr_begin(&j);
	trc = sst_step(ts);
	if (trc == SQLITE_ROW) {
		crc = sst_step(cs);
		nrc = sst_step(ns);
		prc = sst_step(ps);
	}
	for (; trc == SQLITE_ROW; trc = sst_step(ts)) {
		struct fl_clock_info ci[FL_TICKET_CLOCK__COUNT] = {{0}};
		struct ticket_row r;

		rc = row_read(ts, &r);
		if (rc < 0)
			goto out_finalize;
		for (; cursor_at(cs, crc, r.text[0]); crc = sst_step(cs)) {
			const char *clock = store_col_text(cs, 1);

			for (unsigned c = 0; clock && c < FL_TICKET_CLOCK__COUNT; c++) {
				struct fl_clock_info *k = &ci[c];

				if (strcmp(clock, store_clock_token((enum fl_ticket_clock)c)) != 0)
					continue;
				k->state = store_clock_state_from_token(store_col_text(cs, 2));
				k->budget_ms = sst_col_int64(cs, 3);
				k->deadline_ns = sst_col_int64(cs, 4);
				k->met_ns = sst_col_int64(cs, 5);
				k->paused_ms = sst_col_int64(cs, 6);
				k->pauses = (uint32_t)sst_col_int64(cs, 7);
			}
		}
		ticket_head_json(&j, &r, now_ns);
		fl_json_key(&j, "places");
		fl_json_arr_begin(&j);
		for (; cursor_at(ps, prc, r.text[0]); prc = sst_step(ps)) {
			struct fl_ticket_place p = {.kind = store_col_text(ps, 1),
						    .id = store_col_text(ps, 2),
						    .joined_ns = sst_col_int64(ps, 3),
						    .evidence = store_col_text(ps, 4)};

			place_json(&j, &p);
		}
		fl_json_arr_end(&j);
		fl_json_key(&j, "clocks");
		clocks_json(&j, ci);
		fl_json_key(&j, "notifications");
		fl_json_arr_begin(&j);
		for (; cursor_at(ns, nrc, r.text[0]); nrc = sst_step(ns))
			note_json(&j, ns, 1);
		fl_json_arr_end(&j);
		fl_json_obj_end(&j);
		row_free(&r);
	}
	fl_json_arr_end(&j);
	rc = trc != SQLITE_DONE ? store_rc(s, trc)
	     : crc != SQLITE_DONE && crc != SQLITE_ROW ? store_rc(s, crc)
	     : nrc != SQLITE_DONE && nrc != SQLITE_ROW ? store_rc(s, nrc)
	     : prc != SQLITE_DONE && prc != SQLITE_ROW ? store_rc(s, prc)
	     : fl_json_failed(&j) ? -EMSGSIZE : 0;
out_finalize:
	sst_finalize(ps);
	sst_finalize(ns);
	sst_finalize(cs);
	sst_finalize(ts);
	return rc;
}
