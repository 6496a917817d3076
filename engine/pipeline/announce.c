/* announce.c - planned maintenance announced to the customers it affects. */
#include "engine/pipeline/announce.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/inventory/inventory.h"
#include "engine/lib/limits.h"
#include "engine/store/store.h"
#include "engine/store/store_time.h"
#include "engine/lib/tz.h"

#define NS_PER_S INT64_C(1000000000)
#define WEEK_NS (7 * 86400 * NS_PER_S)

struct held_window {
	struct fl_announce_window w; /* strings point into text */
	char *text;		     /* id, target, reason and told, NUL-separated */
	const char **told;
};

struct fl_announcer {
	const struct fl_program *prog;
	const struct fl_tz *tz;
	struct held_window *v;
	size_t n, cap;
	struct fl_announce_stats st;
	struct fl_store *store; /* fl_announcer_attach(); NULL: none */
	int64_t consent_checked_ns; /* windows started after this are checked for consent */
	/* what one announcement's strings are built in */
	const struct fl_inv_circuit *circuits[FL_ANNOUNCE_CIRCUITS_MAX];
	size_t n_circuits;
	char circuit_text[1024], key[256], record[FL_STORE_ID_MAX + 1];
	char subject[512], body[2048];
};

int fl_announcer_create(struct fl_announcer **out, const struct fl_program *prog,
			const struct fl_tz *tz)
{
	struct fl_announcer *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	a->prog = prog;
	a->tz = tz;
	*out = a;
	return 0;
}

static void held_free(struct held_window *h)
{
	free(h->text);
	free(h->told);
	h->text = NULL;
	h->told = NULL;
}

void fl_announcer_reset(struct fl_announcer *a)
{
	for (size_t i = 0; i < a->n; i++)
		held_free(&a->v[i]);
	a->n = 0;
	a->st.windows = 0;
}

void fl_announcer_destroy(struct fl_announcer *a)
{
	if (!a)
		return;
	fl_announcer_reset(a);
	fl_store_close(a->store);
	free(a->v);
	free(a);
}

/* Copies s to *p and moves *p past its NUL. */
static const char *put(char **p, const char *s)
{
	char *at = *p;
	size_t n = strlen(s) + 1;

	memcpy(at, s, n);
	*p += n;
	return at;
}

int fl_announcer_add(struct fl_announcer *a, const struct fl_announce_window *w)
{
	struct held_window *h;
	size_t bytes;
	char *p;

	if (!w->id || !w->id[0] || !w->target || !w->target[0] || w->end_ns <= w->start_ns)
		return -EINVAL;
	if (a->n == FL_ANNOUNCE_WINDOWS_MAX) {
		a->st.windows_dropped++;
		return -ENOBUFS;
	}
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		struct held_window *v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	bytes = strlen(w->id) + strlen(w->target) + (w->reason ? strlen(w->reason) : 0) + 3;
	for (size_t i = 0; i < w->n_told; i++)
		bytes += strlen(w->told[i]) + 1;
	h = &a->v[a->n];
	memset(h, 0, sizeof(*h));
	h->text = malloc(bytes);
	h->told = w->n_told ? calloc(w->n_told, sizeof(*h->told)) : NULL;
	if (!h->text || (w->n_told && !h->told)) {
		held_free(h);
		return -ENOMEM;
	}
	h->w = *w;
	p = h->text;
	h->w.id = put(&p, w->id);
	h->w.target = put(&p, w->target);
	h->w.reason = put(&p, w->reason ? w->reason : "");
	for (size_t i = 0; i < w->n_told; i++)
		h->told[i] = put(&p, w->told[i]);
	h->w.told = h->told;
	a->n++;
	a->st.windows = a->n;
	return 0;
}

static enum fl_window_scope inv_scope(enum fl_inv_scope s)
{
	return s == FL_INV_SCOPE_SPAN ? FL_WSCOPE_SPAN
	       : s == FL_INV_SCOPE_SITE ? FL_WSCOPE_SITE
					: FL_WSCOPE_DEVICE;
}

int fl_announcer_add_plan(struct fl_announcer *a)
{
	const struct fl_program *p = a->prog;
	const struct fl_inv_window *iw;
	int rc;

	for (size_t i = 0; i < p->n_windows; i++) {
		const struct fl_prog_window *pw = &p->windows[i];
		struct fl_announce_window w = {.id = pw->name.p, .scope = pw->scope,
					       .target = pw->target.p, .reason = pw->reason.p,
					       .start_ns = pw->start_ns, .end_ns = pw->end_ns};

		rc = fl_announcer_add(a, &w);
		if (rc < 0 && rc != -EINVAL)
			return rc;
	}
	if (!p->inventory)
		return 0;
	for (size_t i = 0; (iw = fl_inventory_window_at(p->inventory, i)) != NULL; i++) {
		struct fl_announce_window w = {.id = iw->id, .scope = inv_scope(iw->scope),
					       .target = iw->target, .reason = iw->reason,
					       .start_ns = iw->start_ns, .end_ns = iw->end_ns,
					       .told = iw->customers_notified,
					       .n_told = iw->ncustomers_notified};

		rc = fl_announcer_add(a, &w);
		if (rc < 0 && rc != -EINVAL)
			return rc;
	}
	return 0;
}

struct store_walk {
	struct fl_announcer *a;
	int rc;
};

static int add_store_window(void *ctx, const struct fl_maint_view *v)
{
	struct store_walk *sw = ctx;
	static const char *const scopes[] = {
#define X(name, text) text,
		FL_WINDOW_SCOPES(X)
#undef X
	};
	struct fl_announce_window w = {.target = v->w.target, .reason = v->w.reason,
				       .start_ns = v->w.from_ns, .end_ns = v->w.to_ns,
				       .recur = v->w.recur == FL_MAINT_WEEKLY	 ? FL_ANNOUNCE_WEEKLY
						: v->w.recur == FL_MAINT_MONTHLY ? FL_ANNOUNCE_MONTHLY
										 : FL_ANNOUNCE_ONCE};
	char id[32];
	size_t k;

	for (k = 0; k < FL_ARRAY_LEN(scopes); k++)
		if (v->w.scope && strcmp(v->w.scope, scopes[k]) == 0)
			break;
	if (k == FL_ARRAY_LEN(scopes))
		return 0; /* the store validates scopes: not reached */
	w.scope = (enum fl_window_scope)k;
	snprintf(id, sizeof(id), "store-%lld", (long long)v->w.id);
	w.id = id;
	sw->rc = fl_announcer_add(sw->a, &w);
	return sw->rc == -ENOMEM ? sw->rc : 0;
}

int fl_announcer_add_store(struct fl_announcer *a, struct fl_store *s, int64_t now_ns)
{
	struct store_walk sw = {.a = a};
	int rc = fl_store_maint_each(s, now_ns, add_store_window, &sw);

	return rc < 0 ? rc : 0;
}

/* ---- which circuits a window touches --------------------------------------- */

static void take(struct fl_announcer *a, const struct fl_inv_circuit *const *cs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool seen = false;

		for (size_t j = 0; j < a->n_circuits && !seen; j++)
			seen = a->circuits[j] == cs[i];
		if (seen)
			continue;
		if (a->n_circuits == FL_ANNOUNCE_CIRCUITS_MAX) {
			a->st.circuits_dropped++;
			continue;
		}
		a->circuits[a->n_circuits++] = cs[i];
	}
}

static void take_device(struct fl_announcer *a, const struct fl_inv_device *d)
{
	for (size_t i = 0; i < d->nspans; i++)
		take(a, d->spans[i]->circuits, d->spans[i]->ncircuits);
}

static void take_site(struct fl_announcer *a, const struct fl_inv_site *site)
{
	take(a, site->circuits, site->ncircuits);
	for (size_t i = 0; i < site->ndevices; i++)
		take_device(a, site->devices[i]);
}

/* Gathers into a->circuits the circuits the window touches. */
static void touched(struct fl_announcer *a, const struct fl_announce_window *w)
{
	const struct fl_inventory *inv = a->prog->inventory;
	struct fl_str t = fl_str_make(w->target, strlen(w->target));
	const struct fl_inv_span *span;
	const struct fl_inv_device *dev;
	const struct fl_inv_site *site;
	const struct fl_inv_ring *ring;
	const struct fl_inv_area *city;

	a->n_circuits = 0;
	switch (w->scope) {
	case FL_WSCOPE_SPAN:
		if ((span = fl_inventory_span(inv, t)))
			take(a, span->circuits, span->ncircuits);
		break;
	case FL_WSCOPE_DEVICE:
		if ((dev = fl_inventory_device(inv, t)))
			take_device(a, dev);
		break;
	case FL_WSCOPE_SITE:
		if ((site = fl_inventory_site(inv, t)))
			take_site(a, site);
		break;
	case FL_WSCOPE_RING:
		if ((ring = fl_inventory_ring(inv, t)))
			for (size_t i = 0; i < ring->nodes; i++)
				take(a, ring->spans[i]->circuits, ring->spans[i]->ncircuits);
		break;
	case FL_WSCOPE_CITY:
		if ((city = fl_inventory_city(inv, t)))
			for (size_t i = 0; i < city->nsites; i++)
				take_site(a, city->sites[i]);
		break;
	}
}

int fl_announcer_customers(struct fl_announcer *a, const struct fl_announce_window *w,
			   fl_announce_customer_fn *fn, void *ctx)
{
	int rc = 0;

	if (!a->prog->inventory || !w->target)
		return 0;
	touched(a, w);
	for (size_t i = 0; rc == 0 && i < a->n_circuits; i++) {
		const char *c = a->circuits[i]->customer;
		bool seen = !c || !c[0];

		for (size_t k = 0; k < i && !seen; k++)
			seen = a->circuits[k]->customer && strcmp(a->circuits[k]->customer, c) == 0;
		if (!seen)
			rc = fn(ctx, c);
	}
	return rc;
}

/* ---- occurrences and text --------------------------------------------------------- */

/* The first occurrence of w starting after now_ns; false when none (a one-off
 * window that has started). */
static bool next_occurrence(const struct fl_announce_window *w, int64_t now_ns, int64_t *start,
			    int64_t *end)
{
	int64_t len = w->end_ns - w->start_ns, s = w->start_ns;

	if (s <= now_ns) {
		if (w->recur == FL_ANNOUNCE_ONCE)
			return false;
		if (w->recur == FL_ANNOUNCE_WEEKLY) {
			s += ((now_ns - s) / WEEK_NS + 1) * WEEK_NS;
		} else {
			/* a month is at least 28 days: start below and step up */
			int64_t k = (now_ns - s) / (31 * 86400 * NS_PER_S);

			for (int guard = 0; guard < 64; guard++, k++) {
				s = fl_time_add_months(w->start_ns, k);
				if (s > now_ns)
					break;
			}
			if (s <= now_ns)
				return false;
		}
	}
	*start = s;
	*end = s + len;
	return true;
}

/* "2026-11-28 00:30" in the plan's zone, and the offset "+08:00". */
static void local_time(const struct fl_announcer *a, int64_t ns, char *out, size_t size)
{
	int64_t s = ns / NS_PER_S;
	int32_t off = fl_tz_offset_at(a->tz, s);
	time_t t = (time_t)(s + off);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, size, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min);
}

static void offset_text(const struct fl_announcer *a, int64_t ns, char *out, size_t size)
{
	int32_t off = fl_tz_offset_at(a->tz, ns / NS_PER_S);
	int32_t m = off < 0 ? -off / 60 : off / 60;

	snprintf(out, size, "UTC%c%02d:%02d", off < 0 ? '-' : '+', (int)(m / 60), (int)(m % 60));
}

/* Key characters (fl_notice_key_valid()); anything else becomes '_'. */
static void key_part(char *out, size_t size, const char *in)
{
	size_t o = 0;

	for (; *in && o + 1 < size; in++) {
		char c = *in;
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  c == '.' || c == '_' || c == '@' || c == '-';

		out[o++] = ok ? c : '_';
	}
	out[o] = '\0';
}

/* FNV-1a: a customer's name is Chinese, the key is ASCII. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static bool was_told(const struct fl_announce_window *w, const char *customer)
{
	for (size_t i = 0; i < w->n_told; i++)
		if (strcmp(w->told[i], customer) == 0)
			return true;
	return false;
}

/* The customer's circuits among those gathered, "A, B", into circuit_text. */
static void customer_circuits(struct fl_announcer *a, const char *customer)
{
	size_t o = 0, size = sizeof(a->circuit_text);

	a->circuit_text[0] = '\0';
	for (size_t i = 0; i < a->n_circuits; i++) {
		int n;

		if (strcmp(a->circuits[i]->customer, customer) != 0)
			continue;
		n = snprintf(a->circuit_text + o, size - o, "%s%s", o ? ", " : "",
			     a->circuits[i]->id);
		if (n < 0 || (size_t)n >= size - o) {
			a->circuit_text[o] = '\0'; /* cut at the last whole id */
			break;
		}
		o += (size_t)n;
	}
}

static void compose(struct fl_announcer *a, const struct fl_announcement *an)
{
	static const char *const scope_text[] = {"设备", "站点", "环网", "光缆段", "城市"};
	static const char *const scope_en[] = {
#define X(name, text) text,
		FL_WINDOW_SCOPES(X)
#undef X
	};
	const struct fl_announce_window *w = an->w;
	char from[64], until[64], zone[16];
	const char *reason = w->reason && w->reason[0] ? w->reason : "计划维护";

	local_time(a, an->start_ns, from, sizeof(from));
	local_time(a, an->end_ns, until, sizeof(until));
	offset_text(a, an->start_ns, zone, sizeof(zone));
	snprintf(a->subject, sizeof(a->subject), "[计划维护通知] %s %s 至 %s", w->id, from, until);
	snprintf(a->body, sizeof(a->body),
		 "%s %s：\n"
		 "我公司定于 %s 至 %s（%s）进行计划维护：%s。\n"
		 "维护窗口 %s，范围：%s %s。\n"
		 "受影响电路：%s。\n"
		 "维护期间上述电路业务可能中断，敬请谅解并提前做好安排。\n"
		 "Planned maintenance %s from %s to %s (%s) on %s %s: the circuits above "
		 "may be interrupted.\n",
		 an->customer, an->person, from, until, zone, reason, w->id, scope_text[w->scope],
		 w->target, an->circuits, w->id, from, until, zone, scope_en[w->scope], w->target);
}

/* The channel's address of a contact: e-mail for email, the mobile else (as
 * the ladder's notify does). */
static const char *address_of(const struct fl_inv_contact *c, const char *channel)
{
	return strcmp(channel, "email") == 0 ? c->email : c->mobile;
}

/* Yields the announcements of one window occurrence for one announce line. */
static int window_due(struct fl_announcer *a, const struct fl_announce_window *w,
		      const struct fl_prog_announce *pa, int64_t start, int64_t end,
		      fl_announce_fn *fn, void *ctx)
{
	const struct fl_program *p = a->prog;
	enum fl_inv_contact_role role;
	char stamp[FL_TIME_ISO_LEN], compact[16], wid[40], ch[24], ad[64];
	struct fl_announcement an = {.window = w->id, .role = p->roles[pa->role].p,
				     .start_ns = start, .end_ns = end,
				     .due_ns = start - pa->before_ms * 1000000, .w = w};
	int rc;

	if (fl_inventory_role_find(p->inventory, p->roles[pa->role], &role) < 0)
		return 0;
	fl_time_format(start, stamp); /* 2026-11-27T16:30:00Z -> 20261127T1630Z */
	snprintf(compact, sizeof(compact), "%.4s%.2s%.2sT%.2s%.2sZ", stamp, stamp + 5, stamp + 8,
		 stamp + 11, stamp + 14);
	key_part(wid, sizeof(wid), w->id);
	snprintf(a->record, sizeof(a->record), "ANN-%s-%.13s", wid, compact);
	for (size_t i = 0; i < a->n_circuits; i++) {
		const char *customer = a->circuits[i]->customer;
		struct fl_inv_contacts hits;
		bool first = true, any = false;

		for (size_t j = 0; j < i && first; j++)
			first = strcmp(a->circuits[j]->customer, customer) != 0;
		if (!first)
			continue;
		if (was_told(w, customer)) {
			a->st.told_before++;
			continue;
		}
		if (fl_inventory_customer_contacts(p->inventory, fl_str_make(customer,
									      strlen(customer)),
						   &hits) < 0)
			continue;
		customer_circuits(a, customer);
		an.customer = customer;
		an.circuits = a->circuit_text;
		for (size_t h = 0; h < hits.nhits; h++) {
			const struct fl_inv_contact *c = hits.hits[h].contact;

			if (c->role != role)
				continue;
			for (uint32_t k = pa->first_channel; k < pa->first_channel + pa->n_channels;
			     k++) {
				const char *channel = p->channels[p->step_channels[k]].p;
				const char *addr = address_of(c, channel);

				if (!addr[0])
					continue;
				any = true;
				key_part(ch, sizeof(ch), channel);
				key_part(ad, sizeof(ad), addr);
				/* the lead time too: two reminders on one channel are two
				 * messages, not one sent twice */
				snprintf(a->key, sizeof(a->key), "mw:%s:%s:b%llds:c%08x:%s:%s", wid,
					 compact, (long long)(pa->before_ms / 1000),
					 (unsigned)name_hash(customer), ch, ad);
				a->key[128] = '\0'; /* fl_notice_key_valid(): at most 128 bytes */
				an.person = c->name;
				an.channel = channel;
				an.address = addr;
				an.key = a->key;
				an.record = a->record;
				compose(a, &an);
				an.subject = a->subject;
				an.body = a->body;
				a->st.due++;
				rc = fn(ctx, &an);
				if (rc)
					return rc;
			}
		}
		if (!any)
			a->st.no_contact++;
	}
	return 0;
}

int fl_announcer_due(struct fl_announcer *a, int64_t now_ns, fl_announce_fn *fn, void *ctx)
{
	const struct fl_program *p = a->prog;
	int rc;

	if (!p->n_announces || !p->inventory)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct fl_announce_window *w = &a->v[i].w;
		int64_t start, end;
		bool gathered = false;

		if (!next_occurrence(w, now_ns, &start, &end))
			continue;
		for (size_t k = 0; k < p->n_announces; k++) {
			const struct fl_prog_announce *pa = &p->announces[k];

			if (pa->role == FL_PROG_NONE || now_ns < start - pa->before_ms * 1000000)
				continue;
			if (!gathered) {
				touched(a, w);
				gathered = true;
			}
			rc = window_due(a, w, pa, start, end, fn, ctx);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int fl_announce_enqueue(struct fl_store *s, const struct fl_announcement *a, int64_t now_ns)
{
	static const char *const scopes[] = {
#define X(name, text) text,
		FL_WINDOW_SCOPES(X)
#undef X
	};
	char title[512];
	struct fl_announce_record r = {.id = a->record, .title = title,
				       .scope = scopes[a->w->scope], .target = a->w->target,
				       .circuits = a->circuits, .customers = a->customer,
				       .start_ns = a->start_ns};
	struct fl_notice n = {.key = a->key, .channel = a->channel, .role = a->role,
			      .person = a->person, .address = a->address, .subject = a->subject,
			      .body = a->body};

	snprintf(title, sizeof(title), "计划维护 %s %s %s", a->w->id, scopes[a->w->scope],
		 a->w->target);
	/* the notice lives until the window starts: no point after that */
	n.ttl_ms = (a->start_ns - now_ns) / 1000000;
	if (n.ttl_ms <= 0)
		n.ttl_ms = 1;
	return fl_store_announce_enqueue(s, &r, &n, now_ns);
}

struct check_ctx {
	struct fl_store *s;
	int64_t now_ns;
	struct fl_announce_tally *t;
};

static int check_one(void *ctx, const struct fl_announcement *an)
{
	struct check_ctx *c = ctx;
	int rc = fl_announce_enqueue(c->s, an, c->now_ns);

	if (rc == -EEXIST) {
		c->t->before++;
		return 0;
	}
	if (rc == 0)
		c->t->queued++;
	return rc;
}

static int gather(struct fl_announcer *a, struct fl_store *s, int64_t now_ns)
{
	int rc;

	fl_announcer_reset(a);
	rc = fl_announcer_add_plan(a);
	if (rc == 0)
		rc = fl_announcer_add_store(a, s, now_ns);
	return rc;
}

int fl_announcer_attach(struct fl_announcer *a, const char *db, char *err, size_t err_len)
{
	if (a->store)
		return -EINVAL;
	return fl_store_open(&a->store, db, err, err_len);
}

const char *fl_announcer_errmsg(const struct fl_announcer *a)
{
	return a->store ? fl_store_errmsg(a->store) : "no store";
}

struct consent_walk {
	struct fl_announcer *a;
	struct fl_announce_tally *t;
};

/* A store window whose occurrence started since the last check, with
 * customers that have not all given consent: one warning on stderr (the
 * operator who runs the engine sees it) and a count. */
static int consent_one(void *ctx, const struct fl_maint_view *v)
{
	struct consent_walk *w = ctx;

	if (!v->is_active || v->next_from_ns <= w->a->consent_checked_ns ||
	    !v->consent_customers || v->consent_given == v->consent_customers)
		return 0;
	w->a->st.consent_missing++;
	w->t->consent_missing++;
	fprintf(stderr,
		"faultline: maintenance window store-%lld (%s %s) started without the consent of"
		" %u of its %u customers (%u refused)\n",
		(long long)v->w.id, v->w.scope, v->w.target,
		v->consent_customers - v->consent_given, v->consent_customers,
		v->consent_refused);
	return 0;
}

static int consent_check(struct fl_announcer *a, int64_t now_ns, struct fl_announce_tally *t)
{
	struct consent_walk w = {a, t};
	int rc = fl_store_maint_each(a->store, now_ns, consent_one, &w);

	if (rc == 0)
		a->consent_checked_ns = now_ns;
	return rc;
}

int fl_announce_check(struct fl_announcer *a, int64_t now_ns, struct fl_announce_tally *t)
{
	struct check_ctx c = {a->store, now_ns, t};
	int rc;

	if (!a->store)
		return -EINVAL;
	if (!a->prog->n_announces)
		return 0;
	rc = gather(a, a->store, now_ns);
	if (rc == 0)
		rc = fl_announcer_due(a, now_ns, check_one, &c);
	if (rc == 0)
		rc = consent_check(a, now_ns, t);
	return rc;
}

int fl_announce_replay(struct fl_announcer *a, int64_t from_ns, int64_t to_ns,
		       struct fl_announce_tally *t)
{
	int64_t step = FL_ANNOUNCE_CHECK_MS * INT64_C(1000000);
	struct check_ctx c = {a->store, from_ns, t};
	int rc;

	if (!a->store)
		return -EINVAL;
	if (!a->prog->n_announces || to_ns < from_ns)
		return 0;
	if ((to_ns - from_ns) / step > FL_ANNOUNCE_REPLAY_CHECKS)
		step = (to_ns - from_ns) / FL_ANNOUNCE_REPLAY_CHECKS + 1;
	rc = gather(a, a->store, from_ns);
	for (int64_t now = from_ns; rc == 0; now += step) {
		c.now_ns = now < to_ns ? now : to_ns;
		rc = fl_announcer_due(a, c.now_ns, check_one, &c);
		if (now >= to_ns)
			break;
	}
	return rc;
}

void fl_announcer_stats(const struct fl_announcer *a, struct fl_announce_stats *out)
{
	*out = a->st;
}
