/* correlate_template.c - templates (titles, `set` fields, `run` and `emit`
 * texts) rendered from the current event, the incident and its place in the
 * inventory. See correlate_int.h. */
#include "engine/correlate/correlate_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- templates ------------------------------------------------------------- */

static const char *site_class_name(enum fl_inv_site_class c)
{
	static const char *const names[] = {"city", "county", "township"};

	return (unsigned)c < 3 ? names[c] : "?";
}

static struct fl_str topo_field(const struct incident *inc, uint32_t index, char *num,
				size_t num_size)
{
	const struct fl_incident *p = &inc->pub;
	const struct fl_inv_span *sp = p->n_spans ? p->spans[0] : NULL;
	const struct fl_inv_site *site = p->site;
	int n;

	switch ((enum fl_topo_field)index) {
	case FL_TF_SPAN:
		return fl_corr_cs(p->n_spans > 1 && inc->rare ? inc->rare->span_text
							     : p->span_name);
	case FL_TF_RING:
		return inc->ring ? fl_corr_cs(inc->ring->id) : FL_STR_NONE;
	case FL_TF_A_DEVICE:
		return sp ? fl_corr_cs(sp->a->id) : FL_STR_NONE;
	case FL_TF_A_PORT:
		return sp ? fl_corr_cs(sp->a_port) : FL_STR_NONE;
	case FL_TF_B_DEVICE:
		return sp ? fl_corr_cs(sp->b->id) : FL_STR_NONE;
	case FL_TF_B_PORT:
		return sp ? fl_corr_cs(sp->b_port) : FL_STR_NONE;
	case FL_TF_SITE:
		return site ? fl_corr_cs(site->id) : FL_STR_NONE;
	case FL_TF_SITE_NAME:
		return site ? fl_corr_cs(site->name) : FL_STR_NONE;
	case FL_TF_COUNTY:
		return site && site->county ? fl_corr_cs(site->county->name) : FL_STR_NONE;
	case FL_TF_CITY:
		return site && site->city ? fl_corr_cs(site->city->name) : FL_STR_NONE;
	case FL_TF_CLASS:
		if (p->loc_class >= 0)
			return fl_corr_cs(site_class_name((enum fl_inv_site_class)p->loc_class));
		return site ? fl_corr_cs(site_class_name(site->site_class)) : FL_STR_NONE;
	case FL_TF_COUNT:
		n = snprintf(num, num_size, "%llu", (unsigned long long)p->count);
		return fl_str_make(num, (size_t)n);
	case FL_TF_ABSORBED:
		n = snprintf(num, num_size, "%llu", (unsigned long long)p->absorbed);
		return fl_str_make(num, (size_t)n);
	case FL_TF_RULE:
		return fl_corr_cs(p->source_name);
	case FL_TF_GROUP:
		return fl_corr_cs(p->key);
	case FL_TF__COUNT:
		break;
	}
	return FL_STR_NONE;
}

/* A field read from the incident's device, for templates rendered when no
 * event is at hand (an absence): host and the inventory fields. */
static struct fl_str device_field(const struct fl_inv_device *d, struct fl_prog_field f)
{
	if (!d)
		return FL_STR_NONE;
	if (f.kind == FL_FIELD_EVENT)
		return f.index == FL_EF_HOST ? fl_corr_cs(d->id) : FL_STR_NONE;
	if (f.kind != FL_FIELD_INVENTORY)
		return FL_STR_NONE;
	switch ((enum fl_inv_field)f.index) {
	case FL_IF_DEVICE:
		return fl_corr_cs(d->id);
	case FL_IF_SITE:
		return fl_corr_cs(d->site->id);
	case FL_IF_SITE_NAME:
		return fl_corr_cs(d->site->name);
	case FL_IF_COUNTY:
		return d->site->county ? fl_corr_cs(d->site->county->name) : FL_STR_NONE;
	case FL_IF_CITY:
		return d->site->city ? fl_corr_cs(d->site->city->name) : FL_STR_NONE;
	case FL_IF_RING:
		return d->ring ? fl_corr_cs(d->ring->id) : FL_STR_NONE;
	case FL_IF_VENDOR:
		return fl_corr_cs(d->vendor);
	case FL_IF_MODEL:
		return fl_corr_cs(d->model);
	case FL_IF_CLASS:
		return fl_corr_cs(site_class_name(d->site->site_class));
	default:
		return FL_STR_NONE;
	}
}

/* With no event, field f as e->render_key holds it: the value at the
 * position of the rule's key field f, or FL_STR_NONE. */
static struct fl_str key_field(const struct fl_engine *e, struct fl_prog_field f)
{
	const struct fl_prog_rule *r;
	const char *p;

	if (!e->render_key || e->render_key[0] != 'k')
		return FL_STR_NONE;
	r = &e->prog->rules[e->render_key_rule];
	p = e->render_key + 1;
	for (uint32_t k = r->first_key; k < r->first_key + r->n_keys; k++) {
		const char *end = strchr(p, 0x1f);
		struct fl_prog_field kf = e->prog->key_fields[k];

		if (kf.kind == f.kind && kf.index == f.index)
			return fl_str_make(p, end ? (size_t)(end - p) : strlen(p));
		if (!end)
			break;
		p = end + 1;
	}
	return FL_STR_NONE;
}

/* Renders template t into out (cut at size - 1). Event fields, captures and
 * inventory fields are read from the current event as rule e->ev_rule sees
 * it, and are empty when there is no current event (a timer fired). */
void fl_corr_render(struct fl_engine *e, const struct incident *inc, uint32_t t, char *out,
		    size_t size)
{
	const struct fl_program *prog = e->prog;
	const struct fl_prog_template *tp;
	size_t len = 0;
	char num[32];

	out[0] = '\0';
	if (t == FL_PROG_NONE || t >= prog->n_templates)
		return;
	tp = &prog->templates[t];
	for (uint32_t i = tp->first_part; i < tp->first_part + tp->n_parts; i++) {
		const struct fl_prog_tpart *part = &prog->tparts[i];
		struct fl_str v;

		if (!part->is_field)
			v = part->literal;
		else if (part->field.kind == FL_FIELD_TOPO)
			v = inc ? topo_field(inc, part->field.index, num, sizeof(num))
				: fl_corr_cs(NULL);
		else if (e->have_event && e->ev_rule != FL_PROG_NONE)
			v = fl_match_field(e->m, e->ev_rule, part->field);
		else if (!(v = key_field(e, part->field)).p)
			v = device_field(inc ? inc->pub.device : NULL, part->field);
		if (!v.p)
			continue;
		if (v.len > size - 1 - len)
			v.len = size - 1 - len;
		memcpy(out + len, v.p, v.len);
		len += v.len;
	}
	out[len] = '\0';
}

/* Runs the `set` actions of a rule or correlation on the incident: each
 * field takes its template's value now (a later event sets it again). */
void fl_corr_apply_sets(struct fl_engine *e, struct incident *inc, uint32_t first, uint32_t n)
{
	struct fl_incident *p = &inc->pub;

	for (uint32_t a = first; a < first + n; a++) {
		const struct fl_prog_action *act = &e->prog->actions[a];
		size_t k;

		if (act->kind != FL_ACT_SET || !act->field.p)
			continue;
		for (k = 0; k < p->n_fields && strcmp(p->fields[k].name, act->field.p) != 0; k++)
			;
		if (k == FL_INCIDENT_MAX_FIELDS ||
		    (!p->fields && !(p->fields = calloc(FL_INCIDENT_MAX_FIELDS, sizeof(*p->fields)))))
			continue;
		if (k == p->n_fields)
			p->n_fields++;
		p->fields[k].name = act->field.p;
		fl_corr_render(e, inc, act->value, p->fields[k].value, sizeof(p->fields[k].value));
	}
}
