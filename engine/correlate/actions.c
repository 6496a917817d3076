/* actions.c - one action of the stream as a JSON line. */
#include "engine/correlate/actions.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/lib/buf.h"
#include "engine/lib/civil.h"
#include "engine/correlate/correlate.h"
#include "engine/inventory/inventory.h"
#include "engine/lib/digits.h"
#include "engine/lib/json.h"

/* An instant as the parts its text is made of. */
struct when {
	int64_t day;	 /* days since 1970-01-01 */
	unsigned sod, ms; /* second of that day, millisecond of that second */
};

/* Milliseconds truncate towards zero, and a time before 1970 with some
 * counts them back from the second before, as it always has. */
static struct when split_ns(int64_t at_ns)
{
	int64_t s = at_ns / 1000000000, ms = (at_ns % 1000000000) / 1000000, sod;
	struct when w;

	if (at_ns < 0 && ms != 0) {
		s--;
		ms += 1000;
	}
	w.day = s / 86400;
	sod = s % 86400;
	if (sod < 0) {
		sod += 86400;
		w.day--;
	}
	w.sod = (unsigned)sod;
	w.ms = (unsigned)ms;
	return w;
}

/* "2026-11-25T" into out[0..11); false, writing nothing, for a year
 * outside 0..9999. */
static bool put_date(char *out, int64_t day)
{
	int64_t y;
	unsigned m, d;

	fl_civil_from_days(day, &y, &m, &d);
	if (y < 0 || y > 9999)
		return false;
	fl_digits2(out, (unsigned)(y / 100));
	fl_digits2(out + 2, (unsigned)(y % 100));
	out[4] = '-';
	fl_digits2(out + 5, m);
	out[7] = '-';
	fl_digits2(out + 8, d);
	out[10] = 'T';
	return true;
}

/* "02:02:17.343Z" and the NUL into out[11..25). */
static void put_clock(char *out, unsigned sod, unsigned ms)
{
	fl_digits2(out + 11, sod / 3600);
	out[13] = ':';
	fl_digits2(out + 14, sod / 60 % 60);
	out[16] = ':';
	fl_digits2(out + 17, sod % 60);
	out[19] = '.';
	out[20] = (char)('0' + ms / 100);
	fl_digits2(out + 21, ms % 100);
	out[23] = 'Z';
	out[24] = '\0';
}

/* RFC 3339 UTC with milliseconds. Written by hand: every action and every
 * history row carries a time, and snprintf() with gmtime_r() was a fifth of
 * a replay's instructions (callgrind on a 1,000-rule plan). Days to civil
 * date by fl_civil_from_days(). */
void fl_actions_time(char *out, size_t size, int64_t at_ns)
{
	struct when w = split_ns(at_ns);

	if (size < 25 || !put_date(out, w.day)) {
		snprintf(out, size, "?");
		return;
	}
	put_clock(out, w.sod, w.ms);
}

/* The times of one line, each formatted once. An action's time, its
 * incident's first and last, its history's and its places' are mostly the
 * same few instants, or instants of the same day: an exact match is reused
 * as it is; for another instant of a day already written, the date is
 * copied and only the clock written. Lives on fl_actions_json()'s stack: no
 * state outlives the line. */
#define STAMP_SLOTS 4

struct stamps {
	unsigned used, next; /* slots filled; the one to overwrite when all are */
	struct {
		int64_t ns, day;
		size_t len; /* 24, or 1 for "?" (a year outside 0..9999) */
		char text[25];
	} slot[STAMP_SLOTS];
};

/* at_ns as RFC 3339 text, *len bytes; valid until STAMP_SLOTS more calls. */
static const char *stamp(struct stamps *st, int64_t at_ns, size_t *len)
{
	struct when w;
	unsigned i, k = st->next;
	char *text;

	for (i = 0; i < st->used; i++)
		if (st->slot[i].ns == at_ns) {
			*len = st->slot[i].len;
			return st->slot[i].text;
		}
	w = split_ns(at_ns);
	if (st->used < STAMP_SLOTS)
		k = st->used++;
	else
		st->next = (st->next + 1) % STAMP_SLOTS;
	for (i = 0; i < st->used; i++)
		if (i != k && st->slot[i].day == w.day && st->slot[i].len == 24)
			break;
	text = st->slot[k].text;
	st->slot[k].ns = at_ns;
	st->slot[k].day = w.day;
	st->slot[k].len = 24;
	if (i < st->used) {
		memcpy(text, st->slot[i].text, 11);
	} else if (!put_date(text, w.day)) {
		memcpy(text, "?", 2);
		st->slot[k].len = 1;
	}
	if (st->slot[k].len == 24)
		put_clock(text, w.sod, w.ms);
	*len = st->slot[k].len;
	return text;
}

/* The member "lit": time, from the line's stamps. */
#define KV_TIME(j, lit, st, at_ns)                                        \
	do {                                                              \
		size_t kv_len_;                                           \
		const char *kv_text_ = stamp((st), (at_ns), &kv_len_);    \
		FL_JSON_KEY(j, lit);                                      \
		fl_json_str(j, kv_text_, kv_len_);                        \
	} while (0)

/* A member whose key is a literal (FL_JSON_KEY: copied, not escaped), left
 * out when v is NULL. Every key of the stream but a field's name is one. */
#define KV(j, lit, v)                         \
	do {                                  \
		const char *kv_v_ = (v);      \
		if (kv_v_) {                  \
			FL_JSON_KEY(j, lit);  \
			fl_json_cstr(j, kv_v_); \
		}                             \
	} while (0)

/* A member whose key comes from the plan (a field's name): escaped. */
static void kv(struct fl_json *j, const char *k, const char *v)
{
	if (!v)
		return;
	fl_json_key(j, k);
	fl_json_cstr(j, v);
}

/* Every place the incident covers, in the order they joined. */
static void places(struct fl_json *j, struct stamps *st, const struct fl_incident *inc)
{
	if (!inc->n_places)
		return;
	FL_JSON_KEY(j, "places");
	fl_json_arr_begin(j);
	for (size_t i = 0; i < inc->n_places; i++) {
		const struct fl_incident_place *pl = &inc->places[i];

		fl_json_obj_begin(j);
		KV(j, "kind", pl->kind == FL_PLACE_SPAN ? "span" : "site");
		KV(j, "id", pl->kind == FL_PLACE_SPAN ? pl->span->id : pl->site->id);
		KV_TIME(j, "joined", st, pl->joined_ns);
		KV(j, "evidence", pl->evidence);
		fl_json_obj_end(j);
	}
	fl_json_arr_end(j);
}

static void location(struct fl_json *j, struct stamps *st, const struct fl_incident *inc)
{
	static const char *const classes[] = {"city", "county", "township"};
	const struct fl_inv_site *site = inc->site;

	FL_JSON_KEY(j, "location");
	fl_json_obj_begin(j);
	KV(j, "device", inc->device ? inc->device->id : NULL);
	KV(j, "site", site ? site->id : NULL);
	KV(j, "site_name", site ? site->name : NULL);
	KV(j, "span", inc->span_name);
	if (inc->n_spans > 1) {
		FL_JSON_KEY(j, "spans");
		fl_json_arr_begin(j);
		for (size_t i = 0; i < inc->n_spans; i++)
			fl_json_cstr(j, inc->spans[i]->id);
		fl_json_arr_end(j);
	}
	KV(j, "ring", inc->n_spans && inc->spans[0]->ring ? inc->spans[0]->ring->id
			  : inc->device && inc->device->ring ? inc->device->ring->id
							     : NULL);
	KV(j, "county", site && site->county ? site->county->name : NULL);
	KV(j, "city", site && site->city ? site->city->name : NULL);
	if (inc->loc_class >= 0 && inc->loc_class < 3)
		KV(j, "class", classes[inc->loc_class]);
	else
		KV(j, "class",
		   site && (unsigned)site->site_class < 3 ? classes[site->site_class] : NULL);
	places(j, st, inc);
	fl_json_obj_end(j);
}

/* The incident's history: every action that changed it, with the rule
 * whose event did (absent for timers). */
static void history(struct fl_json *j, const struct fl_program *prog, struct stamps *st,
		    const struct fl_incident *inc)
{
	FL_JSON_KEY(j, "history");
	fl_json_arr_begin(j);
	for (size_t i = 0; i < inc->n_history; i++) {
		const struct fl_incident_history *h = &inc->history[i];

		fl_json_obj_begin(j);
		KV_TIME(j, "time", st, h->at_ns);
		KV(j, "action", fl_action_name(h->what));
		if (h->rule < prog->n_rules)
			KV(j, "by", prog->rules[h->rule].name.p);
		fl_json_obj_end(j);
	}
	fl_json_arr_end(j);
	if (inc->history_dropped) {
		FL_JSON_KEY(j, "history_dropped");
		fl_json_uint(j, inc->history_dropped);
	}
}

int fl_actions_json(struct fl_buf *out, const struct fl_program *prog, const struct fl_action *a)
{
	const struct fl_incident *inc = a->incident;
	struct fl_json j;
	struct stamps st; /* slots unset until used: zeroing them all cost more */

	st.used = st.next = 0;
	fl_json_init(&j, out);
	fl_json_obj_begin(&j);
	KV_TIME(&j, "time", &st, a->at_ns);
	KV(&j, "action", fl_action_name(a->type));
	FL_JSON_KEY(&j, "incident");
	if (a->type == FL_ACTION_SUPPRESS && inc->id == 0)
		fl_json_null(&j);
	else
		fl_json_uint(&j, inc->id);
	KV(&j, "rule", inc->source_name);
	KV(&j, "level", inc->level < prog->n_levels ? prog->levels[inc->level].name.p : NULL);
	KV(&j, "title", inc->title);
	location(&j, &st, inc);
	FL_JSON_KEY(&j, "count");
	fl_json_uint(&j, inc->count);
	FL_JSON_KEY(&j, "absorbed");
	fl_json_uint(&j, inc->absorbed);
	/* first and last are often the action's own time, already formatted */
	KV_TIME(&j, "first", &st, inc->first_ns);
	KV_TIME(&j, "last", &st, inc->last_ns);
	KV(&j, "state", inc->state == FL_INCIDENT_OPEN ? "open" : "cleared");
	if (inc->key[0] && inc->is_correlation)
		KV(&j, "key", inc->key);
	KV(&j, "evidence", inc->evidence);
	if (a->type == FL_ACTION_OPEN || inc->is_planned) {
		FL_JSON_KEY(&j, "planned");
		fl_json_bool(&j, inc->is_planned);
		KV(&j, "window", inc->window);
	}
	if (inc->n_fields) {
		FL_JSON_KEY(&j, "fields");
		fl_json_obj_begin(&j);
		for (size_t i = 0; i < inc->n_fields; i++)
			kv(&j, inc->fields[i].name, inc->fields[i].value);
		fl_json_obj_end(&j);
	}
	if (a->type == FL_ACTION_CLEAR) {
		FL_JSON_KEY(&j, "duration_ms");
		fl_json_int(&j, (inc->cleared_ns - inc->first_ns) / 1000000);
		history(&j, prog, &st, inc);
	}
	if (a->type == FL_ACTION_ABSORB) {
		KV(&j, "absorbed_rule", a->rule);
		KV(&j, "absorbed_key", a->key);
	}
	if (a->type == FL_ACTION_NOTIFY) {
		KV(&j, "channel", a->channel);
		KV(&j, "role", a->role);
		KV(&j, "scope", a->scope);
		FL_JSON_KEY(&j, "to");
		fl_json_arr_begin(&j);
		for (size_t i = 0; i < a->n_to; i++)
			fl_json_cstr(&j, a->to[i]);
		fl_json_arr_end(&j);
		FL_JSON_KEY(&j, "fell_back");
		fl_json_bool(&j, a->fell_back);
		KV(&j, "text", a->text);
	}
	KV(&j, "reason", a->reason);
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
