/* duty_tick.c - the plan's duties made into tickets and reminders at each
 * tick (duty_tick.h). When is duecal's, who the contact table's, what was
 * made the store's. */
#include "engine/pipeline/duty_tick.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/inventory/inventory.h"
#include "engine/lib/duecal.h"
#include "engine/lib/errmsg.h"
#include "engine/lib/limits.h"
#include "engine/lib/notice_key.h"
#include "engine/lib/str.h"
#include "engine/pipeline/sink_int.h"
#include "engine/store/store.h"
#include "engine/store/store_duty.h"
#include "engine/store/store_time.h"
#include "grammar/program.h"

#define TEXT_MAX 1024

/* One branch a duty reaches: "region", or a city or county of the network. */
struct branch {
	const char *name, *city, *county;
};

/* The branches at a level: the region, or every city or county that has a
 * device, in the devices table's order. *out is malloc'd (free it), *n set. */
static int branches_at(const struct fl_inventory *inv, enum fl_inv_level level,
                       struct branch **out, size_t *n)
{
	const struct fl_inv_device *d;
	struct branch *b = calloc(1, sizeof(*b));
	size_t nb = 0, cap = 1;

	if (!b)
		return -ENOMEM;
	if (level == FL_INV_LEVEL_REGION) {
		b[0].name = "region";
		*out = b;
		*n = 1;
		return 0;
	}
	for (size_t i = 0; (d = fl_inventory_device_at(inv, i)); i++) {
		const struct fl_inv_area *a = level == FL_INV_LEVEL_CITY ? d->site->city
		                                                         : d->site->county;
		bool seen = false;

		for (size_t k = 0; a && k < nb && !seen; k++)
			seen = strcmp(b[k].name, a->name) == 0;
		if (!a || seen)
			continue;
		if (nb == cap) {
			struct branch *g = realloc(b, 2 * cap * sizeof(*b));

			if (!g) {
				free(b);
				return -ENOMEM;
			}
			b = g;
			cap *= 2;
		}
		b[nb++] = (struct branch){a->name, d->site->city ? d->site->city->name : NULL,
		                          level == FL_INV_LEVEL_COUNTY ? a->name : NULL};
	}
	*out = b;
	*n = nb;
	return 0;
}

/* duty:<ticket>:<role>:<channel>:<address>, bytes a key may not hold made
 * '_', cut at the cap. */
static void notice_key(char key[FL_NOTICE_KEY_MAX + 1], const char *ticket, const char *role,
                       const char *channel, const char *address)
{
	snprintf(key, FL_NOTICE_KEY_MAX + 1, "duty:%s:%s:%s:%s", ticket, role, channel, address);
	for (char *p = key; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		          (ch >= '0' && ch <= '9') || strchr("._:@-", ch);

		if (!ok)
			*p = '_';
	}
}

/* What one occurrence at one branch writes and tells. */
struct occurrence {
	struct fl_store *s;
	const struct fl_program *prog;
	const struct fl_prog_duty *d;
	const struct fl_tz *tz; /* the plan's zone, for the times of templates */
	const struct branch *b;
	struct fl_duty_occurrence o;
	char duty[256], title[TEXT_MAX], ticket[FL_STORE_ID_MAX + 1];
	int64_t now_ns;
	uint32_t notices;
};

/* The words of one reminder: the plan's `template ... when due` for the
 * role and channel when it has one (${ticket}, ${title}, ${city},
 * ${county}, ${since}: when it fell due, ${at}: now), else the built-in
 * text with the branch, when it fell due and when it is to be done by. */
static void words(const struct occurrence *oc, const char *role, const char *channel,
                  const char *address, char *subject, size_t subject_cap, char *body,
                  size_t body_cap)
{
	const struct fl_prog_message *m =
	    sink_message_pick(oc->prog, FL_PROG_NONE, role, channel, FL_MSG_DUE);
	char due[FL_TIME_ISO_LEN], deadline[FL_TIME_ISO_LEN];

	snprintf(subject, subject_cap, "%s: %s", oc->ticket, oc->title);
	if (m) {
		struct fl_sink_rec rec = {
		    .at_ns = oc->now_ns, .first_ns = oc->o.due_ns, .title = (char *)oc->title,
		    .city = (char *)oc->b->city, .county = (char *)oc->b->county,
		};
		const struct sink_message_ctx x = {&rec, oc->ticket, FL_DUTY_RULE, address,
		                                   oc->prog->inventory, oc->tz};

		if (m->subject.p)
			(void)sink_message_render(&x, m->subject.p, subject, subject_cap);
		(void)sink_message_render(&x, m->body.p, body, body_cap);
		return;
	}
	fl_time_format(oc->o.due_ns, due);
	fl_time_format(oc->o.deadline_ns, deadline);
	snprintf(body, body_cap, "%s\nbranch: %s\ndue: %s\ndone by: %s\nticket: %s\n", oc->title,
	         oc->b->name, due, deadline, oc->ticket);
}

/* The reminders: each person holding the role at the branch (or above),
 * on each of the duty's channels they have an address for. */
static int remind(struct occurrence *oc, const struct fl_inv_contacts *hits)
{
	const struct fl_program *p = oc->prog;
	char subject[TEXT_MAX + 80], body[2 * TEXT_MAX + 512];

	for (size_t h = 0; h < hits->nhits; h++) {
		const struct fl_inv_contact *c = hits->hits[h].contact;
		const char *role = c->role_name;

		for (uint32_t k = 0; k < oc->d->n_channels; k++) {
			uint32_t chi = p->step_channels[oc->d->first_channel + k];
			const char *ch = chi < p->n_channels ? p->channels[chi].p : NULL;
			const char *address;
			char key[FL_NOTICE_KEY_MAX + 1];
			int rc;

			if (!ch)
				continue;
			address = strcmp(ch, "email") == 0 ? c->email : c->mobile;
			if (!address || !address[0])
				continue; /* no e-mail for this person: another channel reaches them */
			notice_key(key, oc->ticket, role, ch, address);
			words(oc, role, ch, address, subject, sizeof(subject), body, sizeof(body));
			const struct fl_notice n = {
			    .key = key, .channel = ch, .role = role, .person = c->name,
			    .address = address, .subject = subject, .body = body,
			};
			rc = fl_store_notify_enqueue(oc->s, oc->ticket, &n, oc->now_ns);
			if (rc == -EEXIST)
				continue;
			if (rc < 0)
				return rc;
			oc->notices++;
		}
	}
	return 0;
}

/* The ticket and its reminders in one transaction. 0 made, 1 made before
 * (by another engine or tick), or an error. */
static int occurrence_make(struct occurrence *oc, unsigned role_mask)
{
	struct fl_inv_contacts hits;
	int rc = fl_inventory_contacts(oc->prog->inventory, role_mask,
	                               (enum fl_inv_level)oc->d->per_level,
	                               fl_str_make(oc->b->name, strlen(oc->b->name)), &hits);

	if (rc < 0)
		return rc;
	rc = fl_store_begin(oc->s);
	if (rc < 0)
		return rc;
	rc = fl_store_duty_open(oc->s, &oc->o, oc->now_ns, oc->ticket, sizeof(oc->ticket));
	if (rc == 0)
		rc = remind(oc, &hits);
	if (rc < 0) {
		fl_store_rollback(oc->s);
		return rc == -EEXIST ? 1 : rc;
	}
	return fl_store_commit(oc->s);
}

/* One duty at one branch: what catch-up says is due, made once. */
static int duty_branch(struct occurrence *oc, const struct fl_tz *tz, unsigned role_mask,
                       fl_duty_made_fn *made, void *ctx, struct fl_duty_tick_stats *stats)
{
	int64_t done_k = -1, passed = 0, k;
	int rc = fl_store_duty_last(oc->s, oc->duty, oc->b->name, &done_k);

	if (rc < 0 && rc != -ENOENT)
		return rc;
	k = fl_duecal_catch_up(tz, &oc->d->cal, rc == 0 ? done_k : -1, oc->now_ns / 1000000000,
	                       &passed);
	if (k < 0)
		return 0;
	oc->o = (struct fl_duty_occurrence){
	    .duty = oc->duty, .branch = oc->b->name,
	    .level = fl_inv_level_name((enum fl_inv_level)oc->d->per_level),
	    .city = oc->b->city, .county = oc->b->county, .title = oc->title, .due_k = k,
	    .due_ns = fl_duecal_nth(tz, &oc->d->cal, k) * 1000000000,
	    .deadline_ns = oc->d->within_ms > 0
	                       ? fl_duecal_nth(tz, &oc->d->cal, k) * 1000000000 +
	                             oc->d->within_ms * 1000000
	                       : fl_duecal_nth(tz, &oc->d->cal, k + 1) * 1000000000,
	    .passed_over = passed,
	};
	oc->notices = 0;
	rc = occurrence_make(oc, role_mask);
	if (rc != 0)
		return rc > 0 ? 0 : rc;
	stats->made++;
	stats->notices += oc->notices;
	stats->unreached += !oc->notices;
	stats->passed_over += passed;
	if (made) {
		const struct fl_duty_made m = {oc->duty, oc->b->name, oc->ticket, oc->o.due_ns,
		                               oc->o.deadline_ns, passed, oc->notices};

		made(ctx, &m);
	}
	return 0;
}

static int duty_tick_one(struct fl_store *s, const struct fl_program *prog,
                         const struct fl_prog_duty *d, const struct fl_tz *tz, int64_t now_ns,
                         fl_duty_made_fn *made, void *ctx, struct fl_duty_tick_stats *stats,
                         char *err, size_t err_len)
{
	struct occurrence oc = {.s = s, .prog = prog, .d = d, .tz = tz, .now_ns = now_ns};
	enum fl_inv_contact_role role;
	struct branch *b = NULL;
	size_t nb = 0;
	int rc;

	snprintf(oc.duty, sizeof(oc.duty), "%.*s", (int)d->name.len, d->name.p);
	snprintf(oc.title, sizeof(oc.title), "%.*s", (int)d->text.len, d->text.p);
	if (d->role >= prog->n_roles ||
	    fl_inventory_role_find(prog->inventory, prog->roles[d->role], &role) < 0)
		return fl_errmsg(err, err_len, -EINVAL, "duty %s: its role is no contact role", oc.duty);
	rc = branches_at(prog->inventory, (enum fl_inv_level)d->per_level, &b, &nb);
	for (size_t i = 0; rc == 0 && i < nb; i++) {
		oc.b = &b[i];
		rc = duty_branch(&oc, tz, 1u << role, made, ctx, stats);
		if (rc < 0)
			fl_errmsg(err, err_len, rc, "duty %s at %s: %s", oc.duty, b[i].name,
			     fl_store_errmsg(s)[0] ? fl_store_errmsg(s) : strerror(-rc));
	}
	free(b);
	return rc;
}

int fl_duty_tick(struct fl_store *s, const struct fl_program *prog, const struct fl_tz *tz,
                 int64_t now_ns, fl_duty_made_fn *made, void *ctx,
                 struct fl_duty_tick_stats *stats, char *err, size_t err_len)
{
	if (!prog->n_duties)
		return 0;
	if (!prog->inventory)
		return fl_errmsg(err, err_len, -EINVAL, "the plan's duties need its contact table (--data)");
	for (size_t i = 0; i < prog->n_duties; i++) {
		int rc = duty_tick_one(s, prog, &prog->duties[i], tz, now_ns, made, ctx, stats, err,
		                       err_len);

		if (rc < 0)
			return rc;
	}
	return 0;
}
