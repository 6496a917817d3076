/* directive.c - who a dispatch directive reaches, who hears of a late
 * branch, where a report goes (directive.h). The store records; this file
 * reads the plan's relay block and contact table and writes the notices. */
#include "engine/pipeline/directive.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/inventory/inventory.h"
#include "engine/lib/buf.h"
#include "engine/lib/errmsg.h"
#include "engine/lib/json.h"
#include "engine/lib/notice_key.h"
#include "engine/lib/str.h"
#include "engine/store/store_time.h"

#define TEXT_BYTES (FL_DIRECTIVE_TEXT_MAX + 1)
#define BODY_MAX (64u << 10)

/* The order as the store holds it, for the texts of later notices. */
struct order_info {
	char issuer[256], level[64], ask[16];
	char text[TEXT_BYTES];
};

/* What one step tells: the same subject, body and document to everyone. */
struct telling {
	struct fl_store *s;
	const struct fl_program *prog;
	const char *id, *step, *branch; /* branch: whose step it is, in the key */
	const char *subject, *body, *json;
	int64_t now_ns;
	size_t notices;
};

static const struct fl_prog_relay *relay_line(const struct fl_program *prog,
                                              enum fl_relay_kind kind)
{
	for (size_t i = 0; i < prog->n_relays; i++)
		if (prog->relays[i].kind == kind)
			return &prog->relays[i];
	return NULL;
}

/* The line's roles as a contact-role mask; a role the contact table has no
 * column for (customer_contact, a role of another plan) is an error. */
static int relay_mask(const struct fl_program *prog, const struct fl_prog_relay *r,
                      unsigned *mask, char *err, size_t err_len)
{
	*mask = 0;
	for (uint32_t k = 0; k < r->n_roles; k++) {
		uint32_t role = prog->relay_roles[r->first_role + k];
		enum fl_inv_contact_role cr;

		if (role == FL_PROG_NONE || role >= prog->n_roles)
			return -EINVAL;
		if (fl_inventory_role_find(prog->inventory, prog->roles[role], &cr) < 0 ||
		    cr == FL_INV_CONTACT_CUSTOMER_CONTACT)
			return fl_errmsg(err, err_len, -EINVAL,
			            "relay role '%s' is no branch's role in the contact table",
			            prog->roles[role].p);
		*mask |= 1u << cr;
	}
	return *mask ? 0 : -EINVAL;
}

/* dir:<id>:<step>:<branch>:<role>:<channel>:<address>, every byte a key may
 * not hold ("Bai'sha", a space in an address) made '_', cut at the cap. */
static void notice_key(char key[FL_NOTICE_KEY_MAX + 1], const struct telling *t, const char *role,
                       const char *channel, const char *address)
{
	snprintf(key, FL_NOTICE_KEY_MAX + 1, "dir:%s:%s:%s:%s:%s:%s", t->id, t->step, t->branch,
	         role, channel, address);
	for (char *p = key; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		          (ch >= '0' && ch <= '9') || strchr("._:@-", ch);

		if (!ok)
			*p = '_';
	}
}

/* Queues r's notices to the contacts of `where` at `level`: each person
 * holding one of r's roles there (or one level up when nobody does), on each
 * of r's channels with an address. *reached: somebody was found. */
static int tell(struct telling *t, const struct fl_prog_relay *r, enum fl_inv_level level,
                const char *where, bool *reached, char *err, size_t err_len)
{
	struct fl_inv_contacts hits;
	unsigned mask;
	int rc;

	if ((rc = relay_mask(t->prog, r, &mask, err, err_len)) < 0)
		return rc;
	rc = fl_inventory_contacts(t->prog->inventory, mask, level,
	                           fl_str_make(where, strlen(where)), &hits);
	if (rc < 0)
		return fl_errmsg(err, err_len, rc, "no branch '%s' in the contact table", where);
	*reached = hits.nhits > 0;
	for (size_t h = 0; h < hits.nhits; h++) {
		const struct fl_inv_contact *c = hits.hits[h].contact;
		const char *role = c->role_name;

		for (uint32_t k = 0; k < r->n_channels; k++) {
			uint32_t chi = t->prog->step_channels[r->first_channel + k];
			const char *ch = chi < t->prog->n_channels ? t->prog->channels[chi].p : NULL;
			const char *address;
			char key[FL_NOTICE_KEY_MAX + 1];

			if (!ch)
				continue;
			address = strcmp(ch, "email") == 0 ? c->email : c->mobile;
			if (!address || !address[0])
				continue; /* no e-mail for this person: the SMS reaches them */
			notice_key(key, t, role, ch, address);
			const struct fl_notice n = {
			    .key = key, .channel = ch, .role = role, .person = c->name,
			    .address = address, .subject = t->subject, .body = t->body,
			    .incident_json = t->json,
			};
			rc = fl_store_notify_enqueue(t->s, t->id, &n, t->now_ns);
			if (rc == -EEXIST)
				continue; /* told already: a repeated step */
			if (rc < 0)
				return fl_errmsg(err, err_len, rc, "cannot queue a notice: %s",
				            fl_store_errmsg(t->s));
			t->notices++;
		}
	}
	return 0;
}

/* The document each notice carries to its plugin (the file plugin writes it
 * as the record's "incident"). */
static void order_json(struct fl_buf *b, const char *id, const struct order_info *o,
                       const char *branch, const char *what, int64_t deadline_ns)
{
	char iso[FL_TIME_ISO_LEN];
	struct fl_json j;

	fl_json_init(&j, b);
	fl_json_obj_begin(&j);
	fl_json_key(&j, "directive");
	fl_json_cstr(&j, id);
	fl_json_key(&j, "what");
	fl_json_cstr(&j, what);
	fl_json_key(&j, "branch");
	fl_json_cstr(&j, branch);
	fl_json_key(&j, "issuer");
	fl_json_cstr(&j, o->issuer);
	fl_json_key(&j, "level");
	fl_json_cstr(&j, o->level[0] ? o->level : NULL);
	fl_json_key(&j, "ask");
	fl_json_cstr(&j, o->ask);
	fl_json_key(&j, "text");
	fl_json_cstr(&j, o->text);
	fl_json_key(&j, "deadline");
	if (deadline_ns) {
		fl_time_format(deadline_ns, iso);
		fl_json_cstr(&j, iso);
	} else {
		fl_json_null(&j);
	}
	fl_json_obj_end(&j);
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static int take_order(void *ctx, const struct fl_directive_view *d)
{
	struct order_info *o = ctx;

	copy(o->issuer, sizeof(o->issuer), d->issuer);
	copy(o->level, sizeof(o->level), d->level);
	copy(o->ask, sizeof(o->ask), fl_directive_ask_name(d->ask));
	copy(o->text, sizeof(o->text), d->text);
	return 0;
}

/* ---- issue ------------------------------------------------------------------ */

struct areas {
	const struct fl_inv_area *v[FL_DIRECTIVE_BRANCHES_MAX];
	size_t n;
	bool is_full;
};

static void area_add(struct areas *a, const struct fl_inv_area *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i] == x)
			return;
	if (a->n == FL_DIRECTIVE_BRANCHES_MAX) {
		a->is_full = true;
		return;
	}
	a->v[a->n++] = x;
}

/* Every city and county of the network: those with sites, and those the
 * contact table names (a branch may keep contacts before it has a site). */
static void network_areas(const struct fl_inventory *inv, struct areas *all)
{
	const struct fl_inv_device *d;
	const struct fl_inv_contact *c;

	for (size_t i = 0; (d = fl_inventory_device_at(inv, i)); i++) {
		if (d->site) {
			area_add(all, d->site->city);
			area_add(all, d->site->county);
		}
	}
	for (size_t i = 0; (c = fl_inventory_contact_at(inv, i)); i++) {
		struct fl_str name = fl_str_make(c->branch, strlen(c->branch));

		if (c->role == FL_INV_CONTACT_CUSTOMER_CONTACT)
			continue;
		if (c->level == FL_INV_LEVEL_CITY)
			area_add(all, fl_inventory_city(inv, name));
		else if (c->level == FL_INV_LEVEL_COUNTY)
			area_add(all, fl_inventory_county(inv, name));
	}
}

/* A city, then each county under it, in the order the network lists them. */
static void city_and_counties(const struct areas *all, const struct fl_inv_area *city,
                              struct areas *out)
{
	area_add(out, city);
	for (size_t i = 0; i < all->n; i++)
		if (all->v[i]->level == FL_INV_LEVEL_COUNTY && all->v[i]->city == city)
			area_add(out, all->v[i]);
}

static int scope_areas(const struct fl_inventory *inv, const struct fl_directive_order *o,
                       struct areas *out, char *err, size_t err_len)
{
	struct areas *all = calloc(1, sizeof(*all));
	int rc = 0;

	if (!all)
		return -ENOMEM;
	network_areas(inv, all);
	for (size_t i = 0; o->scope == FL_DIRECTIVE_TO_ALL && i < all->n; i++)
		if (all->v[i]->level == FL_INV_LEVEL_CITY)
			city_and_counties(all, all->v[i], out);
	for (size_t i = 0; o->scope != FL_DIRECTIVE_TO_ALL && i < o->n_names && rc == 0; i++) {
		struct fl_str name = fl_str_make(o->names[i], strlen(o->names[i]));
		const struct fl_inv_area *a = o->scope == FL_DIRECTIVE_TO_CITY
		                                  ? fl_inventory_city(inv, name)
		                                  : fl_inventory_county(inv, name);

		if (!a)
			rc = fl_errmsg(err, err_len, -ENOENT, "no %s '%s' in the network",
			          o->scope == FL_DIRECTIVE_TO_CITY ? "city" : "county", o->names[i]);
		else if (o->scope == FL_DIRECTIVE_TO_CITY)
			city_and_counties(all, a, out);
		else
			area_add(out, a);
	}
	if (rc == 0 && (all->is_full || out->is_full))
		rc = fl_errmsg(err, err_len, -E2BIG, "more than %d branches", FL_DIRECTIVE_BRANCHES_MAX);
	free(all);
	return rc;
}

/* The relay text: what, from whom, by when, and how to acknowledge. */
static void relay_texts(char *subject, size_t subject_len, struct fl_buf *body, const char *id,
                        const struct order_info *o, const char *branch, int64_t deadline_ns,
                        int64_t report_by_ns)
{
	char by[FL_TIME_ISO_LEN];

	fl_time_format(deadline_ns, by);
	snprintf(subject, subject_len, "调度指挥令 %s%s%s%s", id, o->level[0] ? " [" : "", o->level,
	         o->level[0] ? "]" : "");
	fl_buf_printf(body, "调度指挥令 %s (dispatch directive), 来自 (from) %s, 致 (to) %s:\n%s\n",
	              id, o->issuer, branch, o->text);
	fl_buf_printf(body, "请于 %s 前确认 (acknowledge by %s): faultline directive ack %s "
	                    "--branch %s --by NAME\n",
	              by, by, id, branch);
	if (report_by_ns) {
		fl_time_format(report_by_ns, by);
		fl_buf_printf(body, "请于 %s 前上报 (report by %s)\n", by, by);
	}
}

/* One branch: recorded with its deadline, its people told. */
static int relay_to(struct telling *t, const struct order_info *o,
                    const struct fl_directive_order *order, const struct fl_inv_area *a,
                    struct fl_directive_outcome *out, char *err, size_t err_len)
{
	bool is_city = a->level == FL_INV_LEVEL_CITY;
	const struct fl_prog_relay *r =
	    relay_line(t->prog, is_city ? FL_RELAY_CITY : FL_RELAY_COUNTY);
	struct fl_directive_branch b = {a->name, is_city ? "city" : "county",
	                                is_city ? NULL : a->city->name, 0};
	char subject[256];
	struct fl_buf body, json;
	bool reached = false;
	int rc;

	if (!r && order->scope == FL_DIRECTIVE_TO_ALL)
		return 0; /* the plan relays to one level only */
	if (!r)
		return fl_errmsg(err, err_len, -EINVAL, "the relay block has no '%s' line", b.level);
	b.deadline_ns = order->at_ns + r->ms * 1000000;
	rc = fl_store_directive_branch_add(t->s, t->id, &b, order->at_ns);
	if (rc == -EEXIST)
		return 0; /* named twice */
	if (rc < 0)
		return fl_errmsg(err, err_len, rc, "cannot record the branch: %s", fl_store_errmsg(t->s));
	fl_buf_init(&body, BODY_MAX);
	fl_buf_init(&json, BODY_MAX);
	relay_texts(subject, sizeof(subject), &body, t->id, o, a->name, b.deadline_ns,
	            order->report_by_ns);
	order_json(&json, t->id, o, a->name, "relay", b.deadline_ns);
	t->subject = subject;
	t->body = body.p;
	t->json = json.p;
	t->branch = a->name;
	rc = tell(t, r, is_city ? FL_INV_LEVEL_CITY : FL_INV_LEVEL_COUNTY, a->name, &reached, err,
	          err_len);
	fl_buf_free(&body);
	fl_buf_free(&json);
	out->branches++;
	out->unreached += !reached;
	return rc;
}

/* "all", "city Mingyang", "county Dongpo,Shuikou": the scope as recorded. */
static void scope_text(const struct fl_directive_order *o, char *buf, size_t len)
{
	size_t at;

	if (o->scope == FL_DIRECTIVE_TO_ALL) {
		snprintf(buf, len, "all");
		return;
	}
	at = (size_t)snprintf(buf, len, "%s ", o->scope == FL_DIRECTIVE_TO_CITY ? "city" : "county");
	for (size_t i = 0; i < o->n_names && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? "," : "", o->names[i]);
}

static int issue_checks(const struct fl_program *prog, const struct fl_directive_order *o,
                        char *err, size_t err_len)
{
	if (!prog->inventory)
		return fl_errmsg(err, err_len, -EINVAL, "the plan names no data: no contacts to tell");
	if (!prog->n_relays)
		return fl_errmsg(err, err_len, -EINVAL,
		            "the plan has no 'relay directives' block: it says who is told");
	if (o->scope != FL_DIRECTIVE_TO_ALL && o->n_names == 0)
		return fl_errmsg(err, err_len, -EINVAL, "the scope names no %s",
		            o->scope == FL_DIRECTIVE_TO_CITY ? "city" : "county");
	return 0;
}

int fl_directive_issue(struct fl_store *s, const struct fl_program *prog,
                       const struct fl_directive_order *o, struct fl_directive_outcome *out,
                       char *err, size_t err_len)
{
	struct fl_directive_outcome res = {0};
	struct order_info *info = NULL;
	struct areas *targets = NULL;
	char scope[512];
	int rc;

	if ((rc = issue_checks(prog, o, err, err_len)) < 0)
		return rc;
	targets = calloc(1, sizeof(*targets));
	info = calloc(1, sizeof(*info));
	if (!targets || !info) {
		rc = -ENOMEM;
		goto out_free;
	}
	if ((rc = scope_areas(prog->inventory, o, targets, err, err_len)) < 0)
		goto out_free;
	copy(info->issuer, sizeof(info->issuer), o->issuer);
	copy(info->level, sizeof(info->level), o->level);
	copy(info->ask, sizeof(info->ask), fl_directive_ask_name(o->ask));
	copy(info->text, sizeof(info->text), o->text);
	if ((rc = fl_store_begin(s)) < 0)
		goto out_free;
	scope_text(o, scope, sizeof(scope));
	rc = fl_store_directive_add(s,
	                            &(struct fl_directive_new){.issuer = o->issuer,
	                                                       .text = o->text,
	                                                       .scope = scope,
	                                                       .level = o->level,
	                                                       .ask = o->ask,
	                                                       .report_by_ns = o->report_by_ns,
	                                                       .issued_ns = o->at_ns},
	                            res.id, sizeof(res.id));
	if (rc < 0)
		fl_errmsg(err, err_len, rc, "cannot record the directive: %s", fl_store_errmsg(s));
	struct telling t = {.s = s, .prog = prog, .id = res.id, .step = "r", .now_ns = o->at_ns};

	for (size_t i = 0; rc == 0 && i < targets->n; i++)
		rc = relay_to(&t, info, o, targets->v[i], &res, err, err_len);
	res.notices = t.notices;
	if (rc < 0) {
		fl_store_rollback(s);
		goto out_free;
	}
	if ((rc = fl_store_commit(s)) == 0)
		*out = res;
out_free:
	free(targets);
	free(info);
	return rc;
}

/* ---- late branches ---------------------------------------------------------- */

struct late_row {
	char id[FL_STORE_ID_MAX + 1], branch[128], level[16], parent[128];
	bool has_parent;
	int64_t deadline_ns;
	uint32_t late_steps;
};

struct late_rows {
	struct late_row *v;
	size_t n, cap;
};

static int take_late(void *ctx, const struct fl_directive_late *l)
{
	struct late_rows *rows = ctx;
	struct late_row *r;

	if (rows->n == rows->cap) {
		size_t cap = rows->cap ? rows->cap * 2 : 64;
		struct late_row *v = realloc(rows->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		rows->v = v;
		rows->cap = cap;
	}
	r = &rows->v[rows->n++];
	copy(r->id, sizeof(r->id), l->id);
	copy(r->branch, sizeof(r->branch), l->branch);
	copy(r->level, sizeof(r->level), l->level);
	copy(r->parent, sizeof(r->parent), l->parent);
	r->has_parent = l->parent != NULL;
	r->deadline_ns = l->deadline_ns;
	r->late_steps = l->late_steps;
	return 0;
}

/* "45s", "12m", "2h05m": how late, for people. */
static void duration_text(char *buf, size_t len, int64_t ns)
{
	int64_t sec = ns < 0 ? 0 : ns / 1000000000;

	if (sec < 60)
		snprintf(buf, len, "%llds", (long long)sec);
	else if (sec < 3600)
		snprintf(buf, len, "%lldm", (long long)(sec / 60));
	else
		snprintf(buf, len, "%lldh%02lldm", (long long)(sec / 3600),
		         (long long)(sec % 3600 / 60));
}

/* Whose people a line reaches for branch r: its own, or the level above
 * (a county's city; a city's region). */
static void late_target(const struct late_row *r, bool is_above, enum fl_inv_level *level,
                        const char **where)
{
	bool is_city = strcmp(r->level, "city") == 0;

	if (!is_above) {
		*level = is_city ? FL_INV_LEVEL_CITY : FL_INV_LEVEL_COUNTY;
		*where = r->branch;
	} else if (r->has_parent) {
		*level = FL_INV_LEVEL_CITY;
		*where = r->parent;
	} else {
		*level = FL_INV_LEVEL_REGION;
		*where = "region";
	}
}

/* Late lines k in [r->late_steps, due) for one branch, in one transaction
 * with the mark that they were taken. */
static int late_steps(struct fl_store *s, const struct fl_program *prog, const struct late_row *r,
                      const struct fl_prog_relay *const *lines, uint32_t due, int64_t now_ns,
                      struct fl_directive_outcome *out, char *err, size_t err_len)
{
	struct order_info *o = calloc(1, sizeof(*o));
	char subject[256], step[8], what[200], note[512], late[32];
	struct fl_buf body, json;
	size_t at = 0;
	int rc;

	if (!o)
		return -ENOMEM;
	if ((rc = fl_store_directive_get(s, r->id, take_order, o)) < 0 ||
	    (rc = fl_store_begin(s)) < 0) {
		free(o);
		return rc;
	}
	for (uint32_t k = r->late_steps; k < due; k++) {
		enum fl_inv_level level;
		const char *where;

		late_target(r, lines[k]->is_above, &level, &where);
		at += (size_t)snprintf(note + at, at < sizeof(note) ? sizeof(note) - at : 0,
		                       "%sstep %u: %s", at ? "; " : "", k + 1, where);
		if (at >= sizeof(note))
			at = sizeof(note) - 1;
	}
	snprintf(what, sizeof(what), "%s late: not acknowledged", r->branch);
	rc = fl_store_directive_late_mark(s, r->id, r->branch, due, what, note, now_ns);
	fl_buf_init(&body, BODY_MAX);
	fl_buf_init(&json, BODY_MAX);
	duration_text(late, sizeof(late), now_ns - r->deadline_ns);
	snprintf(subject, sizeof(subject), "逾期未确认 (not acknowledged) %s %s", r->id, r->branch);
	fl_buf_printf(&body, "调度指挥令 %s 逾期未确认: %s 的确认已超时 %s (%s has not acknowledged, "
	                     "%s past its deadline).\n%s\n",
	              r->id, r->branch, late, r->branch, late, o->text);
	order_json(&json, r->id, o, r->branch, "late", r->deadline_ns);
	struct telling t = {.s = s, .prog = prog, .id = r->id, .step = step, .branch = r->branch,
	                    .subject = subject, .body = body.p, .json = json.p, .now_ns = now_ns};
	for (uint32_t k = r->late_steps; rc == 0 && k < due; k++) {
		enum fl_inv_level level;
		const char *where;
		bool reached;

		snprintf(step, sizeof(step), "l%u", k + 1);
		late_target(r, lines[k]->is_above, &level, &where);
		rc = tell(&t, lines[k], level, where, &reached, err, err_len);
	}
	fl_buf_free(&body);
	fl_buf_free(&json);
	free(o);
	if (rc < 0) {
		fl_store_rollback(s);
		return rc == -EEXIST ? 0 : rc; /* taken by another ticker meanwhile */
	}
	if ((rc = fl_store_commit(s)) == 0) {
		out->escalated += due - r->late_steps;
		out->notices += t.notices;
	}
	return rc;
}

int fl_directive_tick(struct fl_store *s, const struct fl_program *prog, int64_t now_ns,
                      struct fl_directive_outcome *out, char *err, size_t err_len)
{
	const struct fl_prog_relay *lines[FL_RELAY_LATE_MAX];
	struct fl_directive_outcome res = {0};
	struct late_rows rows = {0};
	uint32_t n_lines = 0;
	int rc;

	for (size_t i = 0; i < prog->n_relays && n_lines < FL_RELAY_LATE_MAX; i++)
		if (prog->relays[i].kind == FL_RELAY_LATE)
			lines[n_lines++] = &prog->relays[i];
	if (n_lines && !prog->inventory)
		return fl_errmsg(err, err_len, -EINVAL, "the plan names no data: no contacts to tell");
	rc = n_lines ? fl_store_directive_late_each(s, now_ns, take_late, &rows) : 0;
	for (size_t i = 0; rc == 0 && i < rows.n; i++) {
		const struct late_row *r = &rows.v[i];
		uint32_t due = 0;

		while (due < n_lines && r->deadline_ns + lines[due]->ms * 1000000 <= now_ns)
			due++;
		if (due > r->late_steps)
			rc = late_steps(s, prog, r, lines, due, now_ns, &res, err, err_len);
	}
	free(rows.v);
	if (rc == 0)
		*out = res;
	return rc;
}

/* ---- reports ---------------------------------------------------------------- */

/* The reporting branch's row and, for a city, the sum of its counties. */
struct report_ctx {
	const char *branch;
	bool found, has_parent;
	char level[16], parent[128];
	int64_t counties, acked, reported;
	struct fl_buf *sum; /* the counties' reports, one line each */
};

static int take_report_branch(void *ctx, const struct fl_directive_branch_view *b)
{
	struct report_ctx *rc = ctx;

	if (strcmp(b->branch, rc->branch) == 0) {
		rc->found = true;
		copy(rc->level, sizeof(rc->level), b->level);
		copy(rc->parent, sizeof(rc->parent), b->parent);
		rc->has_parent = b->parent != NULL;
	} else if (b->parent && strcmp(b->parent, rc->branch) == 0) {
		rc->counties++;
		rc->acked += b->acked_ns != 0;
		rc->reported += b->reported_ns != 0;
		if (b->report)
			fl_buf_printf(rc->sum, "- %s: %s\n", b->branch, b->report);
	}
	return 0;
}

/* The report notice: the branch's text and, for a city, its counties' sum. */
static void report_texts(char *subject, size_t subject_len, struct fl_buf *body, const char *id,
                         const char *branch, const char *by, const char *text,
                         const struct report_ctx *rc)
{
	snprintf(subject, subject_len, "报告 (report) %s %s", id, branch);
	fl_buf_printf(body, "调度指挥令 %s: %s 的报告 (report of %s, by %s):\n%s\n", id, branch,
	              branch, by, text);
	if (rc->counties == 0)
		return;
	fl_buf_printf(body, "下辖县 (its counties): %lld, 已确认 (acknowledged) %lld, 已报告 "
	                    "(reported) %lld\n",
	              (long long)rc->counties, (long long)rc->acked, (long long)rc->reported);
	fl_buf_adds(body, rc->sum->p ? rc->sum->p : "");
}

static int report_send(struct fl_store *s, const struct fl_program *prog, const char *id,
                       const char *branch, const char *by, const char *text,
                       const struct report_ctx *rc, int64_t now_ns, size_t *notices, char *err,
                       size_t err_len)
{
	const struct fl_prog_relay *r = relay_line(prog, FL_RELAY_REPORT);
	struct order_info *o;
	struct fl_buf body, json;
	char subject[256];
	bool reached;
	int ret;

	if (!r)
		return 0; /* the plan sends reports nowhere: recorded only */
	if (!(o = calloc(1, sizeof(*o))))
		return -ENOMEM;
	if ((ret = fl_store_directive_get(s, id, take_order, o)) < 0) {
		free(o);
		return ret;
	}
	fl_buf_init(&body, BODY_MAX);
	fl_buf_init(&json, BODY_MAX);
	report_texts(subject, sizeof(subject), &body, id, branch, by, text, rc);
	copy(o->text, sizeof(o->text), body.p);
	order_json(&json, id, o, branch, "report", 0);
	struct telling t = {.s = s, .prog = prog, .id = id, .step = "p", .branch = branch,
	                    .subject = subject, .body = body.p, .json = json.p, .now_ns = now_ns};
	ret = tell(&t, r, rc->has_parent ? FL_INV_LEVEL_CITY : FL_INV_LEVEL_REGION,
	           rc->has_parent ? rc->parent : "region", &reached, err, err_len);
	*notices = t.notices;
	fl_buf_free(&body);
	fl_buf_free(&json);
	free(o);
	return ret;
}

int fl_directive_report(struct fl_store *s, const struct fl_program *prog, const char *id,
                        const char *branch, const char *by, const char *text, int64_t now_ns,
                        struct fl_directive_outcome *out, char *err, size_t err_len)
{
	struct fl_directive_outcome res = {0};
	struct fl_buf sum;
	struct report_ctx rc = {.branch = branch, .sum = &sum};
	int ret;

	if (relay_line(prog, FL_RELAY_REPORT) && !prog->inventory)
		return fl_errmsg(err, err_len, -EINVAL, "the plan names no data: no contacts to tell");
	fl_buf_init(&sum, BODY_MAX);
	ret = fl_store_directive_branches_each(s, id, take_report_branch, &rc);
	if (ret == 0 && !rc.found)
		ret = fl_errmsg(err, err_len, -ENOENT, "directive %s did not reach %s", id, branch);
	if (ret == 0)
		ret = fl_store_begin(s);
	if (ret < 0) {
		fl_buf_free(&sum);
		return ret;
	}
	ret = fl_store_directive_report(s, id, branch, by, text, now_ns);
	if (ret == -EEXIST)
		fl_errmsg(err, err_len, ret, "%s has reported on %s already", branch, id);
	if (ret == 0)
		ret = report_send(s, prog, id, branch, by, text, &rc, now_ns, &res.notices, err,
		                  err_len);
	fl_buf_free(&sum);
	if (ret < 0) {
		fl_store_rollback(s);
		return ret;
	}
	if ((ret = fl_store_commit(s)) == 0)
		*out = res;
	return ret;
}

void fl_directive_json_time(struct fl_json *j, const char *key, int64_t ns)
{
	char iso[FL_TIME_ISO_LEN];

	fl_json_key(j, key);
	if (!ns) {
		fl_json_null(j);
		return;
	}
	fl_time_format(ns, iso);
	fl_json_cstr(j, iso);
}

void fl_directive_json_fields(struct fl_json *j, const struct fl_directive_view *d)
{
	const struct {
		const char *key, *val;
	} texts[] = {{"id", d->id},       {"issuer", d->issuer}, {"text", d->text},
		     {"scope", d->scope}, {"level", d->level},
		     {"ask", fl_directive_ask_name(d->ask)}};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		fl_json_key(j, texts[i].key);
		fl_json_cstr(j, texts[i].val);
	}
	fl_directive_json_time(j, "issued", d->issued_ns);
	fl_directive_json_time(j, "report_by", d->report_by_ns);
	fl_json_key(j, "branches");
	fl_json_int(j, d->branches);
	fl_json_key(j, "acknowledged");
	fl_json_int(j, d->acked);
	fl_json_key(j, "reported");
	fl_json_int(j, d->reported);
}
