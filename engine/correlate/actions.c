/* actions.c - one action of the stream as a JSON line. */
#include "engine/correlate/actions.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "engine/lib/buf.h"
#include "engine/lib/civil.h"
#include "engine/correlate/correlate.h"
#include "engine/inventory/inventory.h"
#include "engine/lib/json.h"

static void put_digits(char *p, int64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* RFC 3339 UTC with milliseconds. Written by hand: every action and every
 * history row carries a time, and snprintf() with gmtime_r() was a fifth of
 * a replay's instructions (callgrind on a 1,000-rule plan). Days to civil
 * date by fl_civil_from_days(). */
void fl_actions_time(char *out, size_t size, int64_t at_ns)
{
	int64_t s = at_ns / 1000000000, ms = (at_ns % 1000000000) / 1000000;
	int64_t days, sod, y;
	unsigned m, d;

	if (at_ns < 0 && ms != 0) {
		s--;
		ms += 1000;
	}
	days = s / 86400;
	sod = s % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	fl_civil_from_days(days, &y, &m, &d);
	if (size < 25 || y < 0 || y > 9999) {
		snprintf(out, size, "?");
		return;
	}
	put_digits(out, y, 4);
	out[4] = '-';
	put_digits(out + 5, m, 2);
	out[7] = '-';
	put_digits(out + 8, d, 2);
	out[10] = 'T';
	put_digits(out + 11, sod / 3600, 2);
	out[13] = ':';
	put_digits(out + 14, sod / 60 % 60, 2);
	out[16] = ':';
	put_digits(out + 17, sod % 60, 2);
	out[19] = '.';
	put_digits(out + 20, ms, 3);
	out[23] = 'Z';
	out[24] = '\0';
}

static void kv(struct fl_json *j, const char *k, const char *v)
{
	if (!v)
		return;
	fl_json_key(j, k);
	fl_json_cstr(j, v);
}

/* Every place the incident covers, in the order they joined. */
static void places(struct fl_json *j, const struct fl_incident *inc)
{
	char when[40];

	if (!inc->n_places)
		return;
	fl_json_key(j, "places");
	fl_json_arr_begin(j);
	for (size_t i = 0; i < inc->n_places; i++) {
		const struct fl_incident_place *pl = &inc->places[i];

		fl_json_obj_begin(j);
		kv(j, "kind", pl->kind == FL_PLACE_SPAN ? "span" : "site");
		kv(j, "id", pl->kind == FL_PLACE_SPAN ? pl->span->id : pl->site->id);
		fl_actions_time(when, sizeof(when), pl->joined_ns);
		kv(j, "joined", when);
		kv(j, "evidence", pl->evidence);
		fl_json_obj_end(j);
	}
	fl_json_arr_end(j);
}

static void location(struct fl_json *j, const struct fl_incident *inc)
{
	static const char *const classes[] = {"city", "county", "township"};
	const struct fl_inv_site *site = inc->site;

	fl_json_key(j, "location");
	fl_json_obj_begin(j);
	kv(j, "device", inc->device ? inc->device->id : NULL);
	kv(j, "site", site ? site->id : NULL);
	kv(j, "site_name", site ? site->name : NULL);
	kv(j, "span", inc->span_name);
	if (inc->n_spans > 1) {
		fl_json_key(j, "spans");
		fl_json_arr_begin(j);
		for (size_t i = 0; i < inc->n_spans; i++)
			fl_json_cstr(j, inc->spans[i]->id);
		fl_json_arr_end(j);
	}
	kv(j, "ring", inc->n_spans && inc->spans[0]->ring ? inc->spans[0]->ring->id
			  : inc->device && inc->device->ring ? inc->device->ring->id
							     : NULL);
	kv(j, "county", site && site->county ? site->county->name : NULL);
	kv(j, "city", site && site->city ? site->city->name : NULL);
	if (inc->loc_class >= 0 && inc->loc_class < 3)
		kv(j, "class", classes[inc->loc_class]);
	else
		kv(j, "class",
		   site && (unsigned)site->site_class < 3 ? classes[site->site_class] : NULL);
	places(j, inc);
	fl_json_obj_end(j);
}

/* The incident's history: every action that changed it, with the rule
 * whose event did (absent for timers). */
static void history(struct fl_json *j, const struct fl_program *prog,
		    const struct fl_incident *inc)
{
	char when[40];

	fl_json_key(j, "history");
	fl_json_arr_begin(j);
	for (size_t i = 0; i < inc->n_history; i++) {
		const struct fl_incident_history *h = &inc->history[i];

		fl_json_obj_begin(j);
		fl_actions_time(when, sizeof(when), h->at_ns);
		kv(j, "time", when);
		kv(j, "action", fl_action_name(h->what));
		if (h->rule < prog->n_rules)
			kv(j, "by", prog->rules[h->rule].name.p);
		fl_json_obj_end(j);
	}
	fl_json_arr_end(j);
	if (inc->history_dropped) {
		fl_json_key(j, "history_dropped");
		fl_json_uint(j, inc->history_dropped);
	}
}

int fl_actions_json(struct fl_buf *out, const struct fl_program *prog, const struct fl_action *a)
{
	const struct fl_incident *inc = a->incident;
	struct fl_json j;
	char when[40];

	fl_json_init(&j, out);
	fl_json_obj_begin(&j);
	fl_actions_time(when, sizeof(when), a->at_ns);
	kv(&j, "time", when);
	kv(&j, "action", fl_action_name(a->type));
	fl_json_key(&j, "incident");
	if (a->type == FL_ACTION_SUPPRESS && inc->id == 0)
		fl_json_null(&j);
	else
		fl_json_uint(&j, inc->id);
	kv(&j, "rule", inc->source_name);
	kv(&j, "level", inc->level < prog->n_levels ? prog->levels[inc->level].name.p : NULL);
	kv(&j, "title", inc->title);
	location(&j, inc);
	fl_json_key(&j, "count");
	fl_json_uint(&j, inc->count);
	fl_json_key(&j, "absorbed");
	fl_json_uint(&j, inc->absorbed);
	/* first and last are often the action's own time, already written */
	if (inc->first_ns != a->at_ns)
		fl_actions_time(when, sizeof(when), inc->first_ns);
	kv(&j, "first", when);
	if (inc->last_ns != inc->first_ns)
		fl_actions_time(when, sizeof(when), inc->last_ns);
	kv(&j, "last", when);
	kv(&j, "state", inc->state == FL_INCIDENT_OPEN ? "open" : "cleared");
	if (inc->key[0] && inc->is_correlation)
		kv(&j, "key", inc->key);
	kv(&j, "evidence", inc->evidence);
	if (a->type == FL_ACTION_OPEN || inc->is_planned) {
		fl_json_key(&j, "planned");
		fl_json_bool(&j, inc->is_planned);
		kv(&j, "window", inc->window);
	}
	if (inc->n_fields) {
		fl_json_key(&j, "fields");
		fl_json_obj_begin(&j);
		for (size_t i = 0; i < inc->n_fields; i++)
			kv(&j, inc->fields[i].name, inc->fields[i].value);
		fl_json_obj_end(&j);
	}
	if (a->type == FL_ACTION_CLEAR) {
		fl_json_key(&j, "duration_ms");
		fl_json_int(&j, (inc->cleared_ns - inc->first_ns) / 1000000);
		history(&j, prog, inc);
	}
	if (a->type == FL_ACTION_ABSORB) {
		kv(&j, "absorbed_rule", a->rule);
		kv(&j, "absorbed_key", a->key);
	}
	if (a->type == FL_ACTION_NOTIFY) {
		kv(&j, "channel", a->channel);
		kv(&j, "role", a->role);
		kv(&j, "scope", a->scope);
		fl_json_key(&j, "to");
		fl_json_arr_begin(&j);
		for (size_t i = 0; i < a->n_to; i++)
			fl_json_cstr(&j, a->to[i]);
		fl_json_arr_end(&j);
		fl_json_key(&j, "fell_back");
		fl_json_bool(&j, a->fell_back);
		kv(&j, "text", a->text);
	}
	kv(&j, "reason", a->reason);
	fl_json_obj_end(&j);
	if (fl_json_failed(&j) || fl_buf_addc(out, '\n') < 0)
		return -EMSGSIZE;
	return 0;
}

/* Appends ", N what" at *len when n is not 0. */
static void summary_add(char *out, size_t size, int *len, uint64_t n, const char *what)
{
	int k;

	if (n == 0 || *len < 0 || (size_t)*len >= size)
		return;
	k = snprintf(out + *len, size - (size_t)*len, ", %llu %s", (unsigned long long)n, what);
	if (k > 0)
		*len += k;
}

void fl_actions_summary(char *out, size_t size, const struct fl_engine_stats *st)
{
	int len = snprintf(out, size,
		 "%llu matched, %llu absorbed, %llu incidents opened, %llu cleared, "
		 "%llu updated, %llu suppressed, %llu notifications, %llu runs, "
		 "%llu runs without incident, %llu emitted, %llu emitted too deep, "
		 "%llu emits dropped, %llu late, %llu evicted, %llu keys refused, "
		 "%llu keys too long, %llu incidents refused, %llu timers refused, "
		 "%llu regex limits, %zu keys live, %zu incidents open",
		 (unsigned long long)st->matched, (unsigned long long)st->absorbed,
		 (unsigned long long)st->opened, (unsigned long long)st->cleared,
		 (unsigned long long)st->updated, (unsigned long long)st->suppressed,
		 (unsigned long long)st->notified, (unsigned long long)st->runs,
		 (unsigned long long)st->runs_without_incident, (unsigned long long)st->emitted,
		 (unsigned long long)st->emit_too_deep, (unsigned long long)st->emit_dropped,
		 (unsigned long long)st->late, (unsigned long long)st->evicted,
		 (unsigned long long)st->keys_refused, (unsigned long long)st->key_too_long,
		 (unsigned long long)st->incidents_refused, (unsigned long long)st->timers_refused,
		 (unsigned long long)st->regex_limit, st->live_keys, st->open_incidents);

	/* The caps' counters only once hit, so the line of a run that hit none
	 * is the line it always was (scripts/same-actions.sh compares it). */
	summary_add(out, size, &len, st->ladder_steps_dropped, "ladder steps dropped");
	summary_add(out, size, &len, st->resume_steps_dropped, "resumed steps dropped");
	summary_add(out, size, &len, st->scope_sites_dropped, "scope sites dropped");
	summary_add(out, size, &len, st->places_dropped, "places dropped");
}
