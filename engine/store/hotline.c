/* hotline.c - a fault a person reports becomes a ticket (hotline.h). */
#include "engine/store/hotline.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "engine/store/store.h"

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
		.rule = "hotline", .key = key, .level = r->level, .title = r->text,
		.loc = {or_null(r->device), or_null(r->site), or_null(r->span), NULL,
		        or_null(r->county), or_null(r->city), cls},
		.circuits = or_null(r->circuit), .customers = or_null(r->customer),
		.respond_ms = r->clocks.respond_ms, .onsite_ms = r->clocks.onsite_ms[ci],
		.repair_ms = r->clocks.repair_ms, .opened_ns = r->now_ns, .raised_ns = r->now_ns,
	};
	return report_write(s, &t, r, id, size);
}
