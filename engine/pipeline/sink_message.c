/* sink_message.c - a notice in the words of the plan's `template`s.
 *
 * The writer (sink_write.c) asks for the template of a notice (its kind,
 * role and channel) and has it filled in for each person: a customer's
 * contact reads the circuits and the name of that customer only, never
 * another customer's; times are the plan's zone, as people read them. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/inventory/inventory.h"
#include "engine/lib/tz.h"
#include "engine/pipeline/sink_int.h"
#include "grammar/program.h"

static bool lists(const uint32_t *ids, uint32_t n, const struct fl_str *names, const char *name)
{
	for (uint32_t k = 0; k < n; k++)
		if (ids[k] != FL_PROG_NONE && strcmp(names[ids[k]].p, name) == 0)
			return true;
	return false;
}

const struct fl_prog_message *sink_message_pick(const struct fl_program *p, uint32_t step,
						const char *role, const char *channel,
						enum fl_message_when when)
{
	const struct fl_prog_step *st = step < p->n_steps ? &p->steps[step] : NULL;
	const struct fl_prog_message *best = NULL;
	int best_rank = -1;

	for (size_t i = 0; i < p->n_messages; i++) {
		const struct fl_prog_message *m = &p->messages[i];
		bool by_role = m->n_roles > 0, by_channel = m->n_channels > 0;
		int rank = (m->has_scope ? 4 : 0) + (by_role ? 2 : 0) + (by_channel ? 1 : 0);

		if (m->when != when || rank <= best_rank)
			continue;
		if (m->has_scope && (!st || st->scope != m->scope))
			continue;
		if (by_role && (!role || !lists(p->message_roles + m->first_role, m->n_roles,
						p->roles, role)))
			continue;
		if (by_channel && (!channel || !lists(p->message_channels + m->first_channel,
						      m->n_channels, p->channels, channel)))
			continue;
		best = m, best_rank = rank;
	}
	return best;
}

/* The customer whose contact the address is, or NULL. */
static const char *customer_of(const struct fl_inventory *inv, const char *address)
{
	const struct fl_inv_contact *c;

	for (size_t i = 0; inv && address && (c = fl_inventory_contact_at(inv, i)); i++)
		if (c->role == FL_INV_CONTACT_CUSTOMER_CONTACT && c->customer && c->customer[0] &&
		    ((c->mobile && strcmp(c->mobile, address) == 0) ||
		     (c->email && strcmp(c->email, address) == 0)))
			return c->customer;
	return NULL;
}

struct out {
	char *p;
	size_t cap, n;
	bool is_cut; /* nothing after a cut: a later short field would read wrong */
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->is_cut)
		return;
	if (n > o->cap - 1 - o->n) { /* cut on a character's first byte */
		o->is_cut = true;
		n = o->cap - 1 - o->n;
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
	o->p[o->n] = '\0';
}

static void put_str(struct out *o, const char *s)
{
	put(o, s && s[0] ? s : "-", strlen(s && s[0] ? s : "-"));
}

/* ';'-joined circuits as "A, B"; only customer's when one is given. */
static void put_circuits(struct out *o, const struct fl_inventory *inv, const char *list,
			 const char *customer)
{
	const char *p = list;
	size_t before = o->n;

	while (p && *p) {
		const char *end = strchr(p, ';');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const struct fl_inv_circuit *ci =
		    customer && inv ? fl_inventory_circuit(inv, (struct fl_str){p, n}) : NULL;

		if (!customer || (ci && ci->customer && strcmp(ci->customer, customer) == 0)) {
			if (o->n > before)
				put(o, ", ", 2);
			put(o, p, n);
		}
		p = end ? end + 1 : NULL;
	}
	if (o->n == before)
		put(o, "-", 1);
}

static void put_time(struct out *o, const struct fl_tz *tz, int64_t ns)
{
	time_t t = (time_t)(ns / 1000000000);
	char buf[32];
	struct tm tm;

	if (!ns) {
		put(o, "-", 1);
		return;
	}
	t += tz ? fl_tz_offset_at(tz, (int64_t)t) : 0;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%m-%d %H:%M", &tm);
	put(o, buf, strlen(buf));
}

static void put_field(struct out *o, const struct sink_message_ctx *x, const char *customer,
		      const char *f, size_t n)
{
	const struct fl_sink_rec *r = x->rec;
	char num[24];

#define IS(name) (n == sizeof(name) - 1 && strncmp(f, name, n) == 0)
	if (IS("ticket"))
		put_str(o, x->ticket);
	else if (IS("level"))
		put_str(o, x->level);
	else if (IS("title"))
		put_str(o, r->title);
	else if (IS("span"))
		put_str(o, r->span);
	else if (IS("site"))
		put_str(o, r->site);
	else if (IS("device"))
		put_str(o, r->device);
	else if (IS("ring"))
		put_str(o, r->ring);
	else if (IS("city"))
		put_str(o, r->city);
	else if (IS("county"))
		put_str(o, r->county);
	else if (IS("circuits"))
		put_circuits(o, x->inv, r->circuits, customer);
	else if (IS("customers"))
		put_str(o, customer ? customer : r->customers);
	else if (IS("count") || IS("absorbed")) {
		snprintf(num, sizeof(num), "%llu",
			 (unsigned long long)(IS("count") ? r->count : r->absorbed));
		put_str(o, num);
	} else if (IS("since"))
		put_time(o, x->tz, r->first_ns);
	else if (IS("at"))
		put_time(o, x->tz, r->at_ns);
#undef IS
}

size_t sink_message_render(const struct sink_message_ctx *x, const char *text, char *out,
			   size_t cap)
{
	struct out o = {out, cap, 0, false};
	const char *s = text, *lit = text;
	/* the person's customer, looked up once: NULL unless a customer's contact */
	const char *customer = strstr(text, "${c") ? customer_of(x->inv, x->address) : NULL;

	if (!cap)
		return 0;
	out[0] = '\0';
	while ((s = strstr(s, "${"))) {
		const char *close = strchr(s + 2, '}');

		if (!close)
			break; /* the compiler refuses it; the rest is text */
		put(&o, lit, (size_t)(s - lit));
		put_field(&o, x, customer, s + 2, (size_t)(close - s - 2));
		s = lit = close + 1;
	}
	put(&o, lit, strlen(lit));
	return o.n;
}
