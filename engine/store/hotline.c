/* hotline.c - a fault a person reports becomes a ticket (hotline.h). */
#include "engine/store/hotline.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "engine/store/store.h"
#include "engine/store/store_int.h"

#define HOTLINE_KEY_MAX 320
#define HOTLINE_NOTE_MAX 1600

static bool given(const char *s)
{
	return s && s[0];
}

static const char *or_null(const char *s)
{
	return given(s) ? s : NULL;
}

int fl_hotline_class(const char *c)
{
	if (!c)
		return -1;
	return strcmp(c, "city") == 0 ? 0 : strcmp(c, "county") == 0 ? 1
	       : strcmp(c, "township") == 0 ? 2 : -1;
}

/* The correlation key: the most exact thing the caller named, so two calls
 * about one circuit share it. */
static const char *report_subject(const struct fl_hotline_report *r)
{
	return given(r->circuit) ? r->circuit : given(r->customer) ? r->customer
	       : given(r->span) ? r->span : given(r->site) ? r->site : r->device;
}

/* Each site and span the caller named is a place of the ticket, as an
 * alarm's located span is: what joins it later looks there. */
static int report_places(struct fl_store *s, const char *id, const struct fl_hotline_report *r)
{
	const char *kinds[] = {"span", "site"};
	const char *ids[] = {r->span, r->site};
	int rc = 0;

	for (size_t i = 0; i < 2 && rc >= 0; i++) {
		struct fl_ticket_place p = {kinds[i], ids[i], "reported by phone", r->now_ns};

		if (given(ids[i]))
			rc = fl_store_place_add(s, id, &p);
	}
	return rc < 0 ? rc : 0;
}

static int report_write(struct fl_store *s, const struct fl_ticket_new *t,
                        const struct fl_hotline_report *r, char *id, size_t size)
{
	char note[HOTLINE_NOTE_MAX];
	int rc;

	snprintf(note, sizeof(note), "%s%s%s%s", given(r->caller) ? "caller " : "",
	         given(r->caller) ? r->caller : "", given(r->caller) ? ": " : "", r->text);
	rc = fl_store_begin(s);
	if (rc < 0)
		return rc;
	rc = fl_store_incident_open_numbered(s, t, "TEL", id, size, NULL);
	if (rc == 0)
		rc = fl_store_note(s, id, "opened from a call", r->by, note, r->now_ns);
	if (rc == 0)
		rc = report_places(s, id, r);
	if (rc < 0) {
		fl_store_rollback(s);
		return rc;
	}
	return fl_store_commit(s);
}

int fl_hotline_open(struct fl_store *s, const struct fl_hotline_report *r, char *id, size_t size)
{
	char key[HOTLINE_KEY_MAX];
	const char *cls = r->loc_class;
	int ci;

	if (!given(r->level) || !given(r->text) || !given(r->by))
		return -EINVAL;
	if (!given(r->customer) && !given(r->circuit) && !given(r->site) && !given(r->span) &&
	    !given(r->device))
		return -EINVAL;
	if (!given(cls))
		cls = given(r->county) ? "county" : "city";
	if ((ci = fl_hotline_class(cls)) < 0)
		return -EINVAL;
	snprintf(key, sizeof(key), "hotline:%s", report_subject(r));
	struct fl_ticket_new t = {
		.rule = FL_HOTLINE_RULE, .key = key, .level = r->level, .title = r->text,
		.loc = {or_null(r->device), or_null(r->site), or_null(r->span), NULL,
		        or_null(r->county), or_null(r->city), cls},
		.circuits = or_null(r->circuit), .customers = or_null(r->customer),
		.respond_ms = r->clocks.respond_ms, .onsite_ms = r->clocks.onsite_ms[ci],
		.repair_ms = r->clocks.repair_ms, .opened_ns = r->now_ns, .raised_ns = r->now_ns,
	};
	return report_write(s, &t, r, id, size);
}

int fl_hotline_each_open(struct fl_store *s, fl_hotline_ticket_fn *fn, void *ctx)
{
	struct store_stmt *st;
	int rc;

	/* by tickets_fault (rule, key): the hand tickets only */
	rc = store_prepare(s, "SELECT id, span, site, device, circuits, opened_ns FROM tickets"
	                      " WHERE rule = '" FL_HOTLINE_RULE "'"
	                      " AND state IN ('open', 'acknowledged', 'dispatched', 'onsite')"
	                      " AND coalesce(cleared_ns, 0) = 0 ORDER BY opened_ns, id", &st);
	if (rc != SQLITE_OK)
		return store_rc(s, rc);
	while ((rc = sst_step(st)) == SQLITE_ROW) {
		const struct fl_hotline_ticket t = {
			.id = store_col_text(st, 0), .span = store_col_text(st, 1),
			.site = store_col_text(st, 2), .device = store_col_text(st, 3),
			.circuits = store_col_text(st, 4), .opened_ns = sst_col_int64(st, 5),
		};

		if ((rc = fn(ctx, &t)) != 0) {
			sst_finalize(st);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : store_rc(s, rc);
	sst_finalize(st);
	return rc;
}

static const char *alarm_place(const struct fl_hotline_alarm *a)
{
	return given(a->span) ? a->span : given(a->device) ? a->device
	       : given(a->site) ? a->site : "an unknown place";
}

int fl_hotline_join(struct fl_store *s, const char *id, const struct fl_hotline_alarm *a)
{
	char note[HOTLINE_NOTE_MAX];
	struct store_stmt *st;
	int rc;

	if (!id || !a)
		return -EINVAL;
	snprintf(note, sizeof(note), "%s at %s", given(a->title) ? a->title : "an alarm",
	         alarm_place(a));
	rc = store_txn_enter(s);
	if (rc < 0)
		return rc;
	st = store_stmt(s, "UPDATE tickets SET device = coalesce(device, ?2),"
	                   " site = coalesce(site, ?3), span = coalesce(span, ?4),"
	                   " ring = coalesce(ring, ?5), county = coalesce(county, ?6),"
	                   " city = coalesce(city, ?7), updated_ns = ?8 WHERE id = ?1");
	if (!st)
		return store_txn_leave(s, -EIO);
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, or_null(a->device));
	store_bind_text(st, 3, or_null(a->site));
	store_bind_text(st, 4, or_null(a->span));
	store_bind_text(st, 5, or_null(a->ring));
	store_bind_text(st, 6, or_null(a->county));
	store_bind_text(st, 7, or_null(a->city));
	sst_bind_int64(st, 8, a->at_ns);
	rc = store_update_one(s, st);
	if (rc == 0)
		rc = store_history_add(s, id, a->at_ns, "joined by alarm", "faultline", note);
	return store_txn_leave(s, rc);
}
