/* syslog.c - syslog decoder entry point, PRI, calendar and JSON; see syslog.h. */
#include "engine/decode/syslog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/json.h"
#include "engine/decode/syslog_int.h"

static const char *const verdict_texts[] = {
#define X(name, text) text,
	FL_SYSLOG_VERDICTS(X)
#undef X
};

static const char *const verdict_names[] = {
#define X(name, text) #name,
	FL_SYSLOG_VERDICTS(X)
#undef X
};

static unsigned two_digits(const char *p)
{
	return (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
}

/* RFC 5424 §6.2.3 / RFC 3339 §5.6:
 * FULL-DATE "T" FULL-TIME, FULL-TIME = HH:MM:SS [.1*6DIGIT] ("Z" / ("+"/"-") HH:MM).
 * "T" and "Z" upper case only (§6.2.3 item 1); leap second 60 refused (item 5). */
enum fl_syslog_verdict fl_rfc3339_parse(const char *p, size_t len, size_t *i, unsigned max_frac,
					int64_t *utc_ns, int32_t *off_s)
{
	const char *t = p + *i;
	size_t n = len - *i, k = 19;
	unsigned mon, day, hh, mm, ss, nfrac = 0;
	int64_t year, secs, frac_ns = 0;
	int32_t off;

	if (n < 20)
		return FL_SYSLOG_BAD_TIMESTAMP;
	for (size_t j = 0; j < 19; j++) {
		static const char shape[] = "dddd-dd-ddTdd:dd:dd";
		bool ok = shape[j] == 'd' ? fl_is_digit(t[j]) : t[j] == shape[j];

		if (!ok)
			return FL_SYSLOG_BAD_TIMESTAMP;
	}
	year = (int64_t)two_digits(t) * 100 + two_digits(t + 2);
	mon = two_digits(t + 5);
	day = two_digits(t + 8);
	hh = two_digits(t + 11);
	mm = two_digits(t + 14);
	ss = two_digits(t + 17);
	if (t[k] == '.') {
		k++;
		while (k < n && fl_is_digit(t[k])) {
			if (nfrac < 9)
				frac_ns = frac_ns * 10 + (t[k] - '0');
			nfrac++;
			k++;
		}
		if (nfrac == 0)
			return FL_SYSLOG_BAD_TIMESTAMP;
		if (nfrac > max_frac)
			return FL_SYSLOG_BAD_FRACTION;
		for (unsigned z = nfrac; z < 9; z++)
			frac_ns *= 10;
	}
	if (k >= n)
		return FL_SYSLOG_BAD_OFFSET;
	if (t[k] == 'Z') {
		off = 0;
		k++;
	} else if (t[k] == '+' || t[k] == '-') {
		unsigned oh, om;
		/* "-0700" without the colon: only in an RFC 3164 header (max_frac 9),
		 * where relays write it; RFC 5424 requires the colon */
		size_t colon = n - k > 3 && t[k + 3] == ':' ? 1 : 0;

		if (n - k < 5 + colon || (!colon && max_frac <= 6) || !fl_is_digit(t[k + 1]) ||
		    !fl_is_digit(t[k + 2]) || !fl_is_digit(t[k + 3 + colon]) ||
		    !fl_is_digit(t[k + 4 + colon]))
			return FL_SYSLOG_BAD_OFFSET;
		oh = two_digits(t + k + 1);
		om = two_digits(t + k + 3 + colon);
		if (oh > 23 || om > 59)
			return FL_SYSLOG_BAD_OFFSET;
		off = (int32_t)(oh * 3600 + om * 60);
		if (t[k] == '-')
			off = -off;
		k += 5 + colon;
	} else {
		return FL_SYSLOG_BAD_OFFSET;
	}
	if (ss == 60)
		return FL_SYSLOG_LEAP_SECOND;
	if (year < FL_SYSLOG_YEAR_MIN || year > FL_SYSLOG_YEAR_MAX || mon < 1 || mon > 12 ||
	    day < 1 || day > fl_days_in_month(year, mon) || hh > 23 || mm > 59 || ss > 59)
		return FL_SYSLOG_BAD_DATE;
	secs = fl_days_from_civil(year, mon, day) * 86400 + hh * 3600 + mm * 60 + ss - off;
	*utc_ns = secs * FL_NS_PER_S + frac_ns;
	*off_s = off;
	*i += k;
	return FL_SYSLOG_OK;
}

const char *fl_syslog_verdict_text(enum fl_syslog_verdict v)
{
	if ((unsigned)v >= FL_SYSLOG__COUNT)
		return "unknown verdict";
	return verdict_texts[v];
}

const char *fl_syslog_verdict_name(enum fl_syslog_verdict v)
{
	if ((unsigned)v >= FL_SYSLOG__COUNT)
		return "UNKNOWN";
	return verdict_names[v];
}

/* RFC 5424 §6.2.1: "<" PRIVAL ">", PRIVAL 1*3DIGIT in 0..191. */
static enum fl_syslog_verdict parse_pri(const char *p, size_t len, size_t *i, int *pri)
{
	size_t k = 1, lim = len < 5 ? len : 5; /* at most "<" and 4 digits: 4 is too many */
	int v = 0;

	while (k < lim && fl_is_digit(p[k]))
		v = v * 10 + (p[k++] - '0');
	if (k == 1 || k > 4 || k >= len || p[k] != '>' || v > 191)
		return FL_SYSLOG_BAD_PRI;
	if (p[1] == '0' && k > 2)
		return FL_SYSLOG_PRI_LEADING_ZERO;
	*pri = v;
	*i = k + 1;
	return FL_SYSLOG_OK;
}

static void reset_fields(struct fl_syslog *s)
{
	s->version = 0;
	s->timestamp = FL_STR_NONE;
	s->hostname = FL_STR_NONE;
	s->app_name = FL_STR_NONE;
	s->procid = FL_STR_NONE;
	s->msgid = FL_STR_NONE;
	s->msg = FL_STR_NONE;
	s->has_bom = false;
	s->no_timestamp = false;
	s->n_sd = 0;
	s->n_params = 0;
	s->sd_dropped = 0;
}

/* The shape of a line that did not decode: its PRI if that was readable, the
 * whole line as msg, no time. */
static enum fl_syslog_verdict fail(struct fl_event *ev, const char *p, size_t len,
				   enum fl_syslog_verdict v)
{
	reset_fields(&ev->syslog);
	ev->syslog.msg = fl_str_make(p, len);
	ev->has_time = false;
	ev->time_ns = ev->received_ns;
	ev->utc_offset_s = 0;
	ev->error = (int)v;
	ev->error_reason = fl_syslog_verdict_text(v);
	return v;
}

/* "1 " then a timestamp or NILVALUE: the RFC 5424 VERSION. Cisco's "123: "
 * sequence numbers end in a colon, so they never look like one. */
static bool looks_like_version(const char *p, size_t len, size_t i, size_t *end)
{
	size_t k = i;

	while (k < len && k - i < 3 && fl_is_digit(p[k]))
		k++;
	if (k == i || k - i > 2 || p[i] == '0' || k + 1 >= len || p[k] != ' ')
		return false;
	if (!fl_is_digit(p[k + 1]) && p[k + 1] != '-')
		return false;
	*end = k;
	return true;
}

enum fl_syslog_verdict fl_syslog_decode(struct fl_event *ev, const char *p, size_t len,
					const struct fl_syslog_opts *opts)
{
	struct fl_syslog *s = &ev->syslog;
	enum fl_syslog_verdict v;
	size_t i = 0, k = 0, vend;
	int pri = -1;
	static const struct fl_syslog_opts no_opts; /* read-only: received at 0, UTC */

	if (!opts)
		opts = &no_opts;
	ev->kind = FL_EVENT_SYSLOG;
	ev->received_ns = opts->received_ns;
	ev->has_time = false;
	ev->time_ns = opts->received_ns;
	ev->utc_offset_s = 0;
	ev->raw = fl_str_make(p, len > FL_EVENT_RAW_MAX ? FL_EVENT_RAW_MAX : len);
	ev->raw_truncated = len > FL_EVENT_RAW_MAX;
	ev->error = 0;
	ev->error_reason = NULL;
	s->pri = -1;
	s->facility = 0;
	s->severity = 0;
	reset_fields(s);

	while (k < len && p[k] == ' ')
		k++;
	if (k == len)
		return fail(ev, p, len, FL_SYSLOG_EMPTY);
	if (p[0] == '<') {
		v = parse_pri(p, len, &i, &pri);
		if (v != FL_SYSLOG_OK)
			return fail(ev, p, len, v);
		s->pri = (int16_t)pri;
		s->facility = (uint8_t)(pri >> 3);
		s->severity = (uint8_t)(pri & 7);
		if (i == len)
			return fail(ev, p, len, FL_SYSLOG_TRUNCATED);
	}
	if (i > 0 && looks_like_version(p, len, i, &vend)) {
		/* a VERSION other than 1 is decoded as version 1 and kept, as
		 * rsyslog does: the header has not changed since */
		s->version = (uint8_t)(vend - i == 1 ? p[i] - '0' : (p[i] - '0') * 10 + (p[i + 1] - '0'));
		v = fl_syslog_decode_5424(ev, p, len, vend + 1);
	} else {
		v = fl_syslog_decode_3164(ev, p, len, i, opts);
	}
	if (v != FL_SYSLOG_OK)
		return fail(ev, p, len, v);
	return FL_SYSLOG_OK;
}

/* --- JSON ------------------------------------------------------------------ */

/* Digits of fractional seconds as written, so the normalized timestamp keeps
 * the precision the sender had. p[0] is skipped: ".Mar" marks a clock. */
static unsigned frac_digits(struct fl_str ts)
{
	for (size_t k = 1; k + 1 < ts.len; k++) {
		if (ts.p[k] == '.' && fl_is_digit(ts.p[k + 1])) {
			unsigned n = 0;

			for (k++; k < ts.len && fl_is_digit(ts.p[k]); k++)
				n++;
			return n > 9 ? 9 : n;
		}
	}
	return 0;
}

static void json_timestamp(struct fl_json *j, const struct fl_event *ev)
{
	int64_t local_s, days, y, sod, frac;
	unsigned m, d, nfrac;
	char out[64], *o = out;
	int32_t off = ev->utc_offset_s;

	if (!ev->has_time) {
		fl_json_null(j);
		return;
	}
	local_s = ev->time_ns / FL_NS_PER_S;
	frac = ev->time_ns % FL_NS_PER_S;
	if (frac < 0) {
		frac += FL_NS_PER_S;
		local_s--;
	}
	local_s += off;
	days = local_s / 86400;
	sod = local_s % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	fl_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		fl_json_null(j);
		return;
	}
	o += snprintf(o, 32, "%04d-%02u-%02uT%02d:%02d:%02d", (int)y, m, d, (int)(sod / 3600),
		      (int)(sod / 60 % 60), (int)(sod % 60));
	nfrac = frac_digits(ev->syslog.timestamp);
	if (nfrac) {
		int64_t f = frac;

		for (unsigned z = nfrac; z < 9; z++)
			f /= 10;
		o += snprintf(o, 16, ".%0*lld", (int)nfrac, (long long)f);
	}
	if (off == 0) {
		*o++ = 'Z';
	} else {
		int32_t a = off < 0 ? -off : off;

		o += snprintf(o, 16, "%c%02d:%02d", off < 0 ? '-' : '+', (int)(a / 3600),
			      (int)(a / 60 % 60));
	}
	fl_json_str(j, out, (size_t)(o - out));
}

static void json_unescaped(struct fl_json *j, struct fl_str value)
{
	char stack[512], *buf = stack;
	ssize_t n;

	if (value.len > sizeof(stack)) {
		buf = malloc(value.len);
		if (!buf) { /* out of memory: the escaped text beats nothing */
			fl_json_fstr(j, value);
			return;
		}
	}
	n = fl_sd_unescape(value, buf, value.len > sizeof(stack) ? value.len : sizeof(stack));
	if (n >= 0)
		fl_json_str(j, buf, (size_t)n);
	else
		fl_json_fstr(j, value);
	if (buf != stack)
		free(buf);
}

/* Params named `name` in every element with id `id`, in wire order. */
static size_t count_params(const struct fl_syslog *s, struct fl_str id, struct fl_str name)
{
	size_t n = 0;

	for (size_t e = 0; e < s->n_sd; e++) {
		if (!fl_str_eq(s->sd[e].id, id))
			continue;
		for (size_t k = 0; k < s->sd[e].n_params; k++)
			n += fl_str_eq(s->params[s->sd[e].first_param + k].name, name);
	}
	return n;
}

/* Has (id, name) already been written, i.e. does it occur before (e0, k0)? */
static bool seen_before(const struct fl_syslog *s, struct fl_str id, struct fl_str name, size_t e0,
			size_t k0)
{
	for (size_t e = 0; e <= e0; e++) {
		if (!fl_str_eq(s->sd[e].id, id))
			continue;
		for (size_t k = 0; k < s->sd[e].n_params && (e < e0 || k < k0); k++)
			if (fl_str_eq(s->params[s->sd[e].first_param + k].name, name))
				return true;
	}
	return false;
}

static void json_sd_element(struct fl_json *j, const struct fl_syslog *s, size_t e0)
{
	struct fl_str id = s->sd[e0].id;

	fl_json_obj_begin(j);
	for (size_t e = e0; e < s->n_sd; e++) {
		if (!fl_str_eq(s->sd[e].id, id))
			continue;
		for (size_t k = 0; k < s->sd[e].n_params; k++) {
			const struct fl_sd_param *prm = &s->params[s->sd[e].first_param + k];
			char key[FL_SYSLOG_SD_NAME_MAX + 1];

			if (seen_before(s, id, prm->name, e, k))
				continue;
			memcpy(key, prm->name.p, prm->name.len); /* <= 32: checked by the decoder */
			key[prm->name.len] = '\0';
			fl_json_key(j, key);
			if (count_params(s, id, prm->name) == 1) {
				json_unescaped(j, prm->value);
				continue;
			}
			fl_json_arr_begin(j);
			for (size_t e2 = e; e2 < s->n_sd; e2++) {
				if (!fl_str_eq(s->sd[e2].id, id))
					continue;
				for (size_t k2 = e2 == e ? k : 0; k2 < s->sd[e2].n_params; k2++) {
					const struct fl_sd_param *q =
						&s->params[s->sd[e2].first_param + k2];

					if (fl_str_eq(q->name, prm->name))
						json_unescaped(j, q->value);
				}
			}
			fl_json_arr_end(j);
		}
	}
	fl_json_obj_end(j);
}

static void json_sd(struct fl_json *j, const struct fl_syslog *s)
{
	if (s->n_sd == 0) {
		fl_json_null(j);
		return;
	}
	fl_json_obj_begin(j);
	for (size_t e = 0; e < s->n_sd; e++) {
		char key[FL_SYSLOG_SD_NAME_MAX + 1];
		bool dup = false;

		for (size_t e2 = 0; e2 < e && !dup; e2++)
			dup = fl_str_eq(s->sd[e2].id, s->sd[e].id);
		if (dup) /* merged into the first element with this id */
			continue;
		memcpy(key, s->sd[e].id.p, s->sd[e].id.len);
		key[s->sd[e].id.len] = '\0';
		fl_json_key(j, key);
		json_sd_element(j, s, e);
	}
	fl_json_obj_end(j);
}

void fl_syslog_json_fields(struct fl_json *j, const struct fl_event *ev)
{
	const struct fl_syslog *s = &ev->syslog;
	bool has_pri = s->pri >= 0;

	fl_json_key(j, "pri");
	has_pri ? fl_json_int(j, s->pri) : fl_json_null(j);
	fl_json_key(j, "facility");
	has_pri ? fl_json_int(j, s->facility) : fl_json_null(j);
	fl_json_key(j, "severity");
	has_pri ? fl_json_int(j, s->severity) : fl_json_null(j);
	fl_json_key(j, "version");
	s->version ? fl_json_int(j, s->version) : fl_json_null(j);
	fl_json_key(j, "timestamp");
	json_timestamp(j, ev);
	if (!ev->has_time && fl_str_present(s->timestamp)) {
		fl_json_key(j, "clock_unsynced");
		fl_json_bool(j, true);
	}
	if (s->no_timestamp) {
		fl_json_key(j, "no_timestamp");
		fl_json_bool(j, true);
	}
	fl_json_key(j, "hostname");
	fl_json_fstr(j, s->hostname);
	fl_json_key(j, "app_name");
	fl_json_fstr(j, s->app_name);
	fl_json_key(j, "procid");
	fl_json_fstr(j, s->procid);
	fl_json_key(j, "msgid");
	fl_json_fstr(j, s->msgid);
	fl_json_key(j, "structured_data");
	json_sd(j, s);
	if (s->sd_dropped) {
		fl_json_key(j, "sd_dropped");
		fl_json_uint(j, s->sd_dropped);
	}
	fl_json_key(j, "msg");
	fl_json_fstr(j, s->msg);
	if (s->has_bom) {
		fl_json_key(j, "has_bom");
		fl_json_bool(j, true);
	}
	if (ev->raw_truncated) {
		fl_json_key(j, "raw_truncated");
		fl_json_bool(j, true);
	}
	if (ev->error) {
		fl_json_key(j, "error");
		fl_json_cstr(j, ev->error_reason);
	}
}

ssize_t fl_sd_unescape(struct fl_str value, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t k = 0; k < value.len; k++) {
		char c = value.p[k];

		if (c == '\\' && k + 1 < value.len &&
		    (value.p[k + 1] == '"' || value.p[k + 1] == '\\' || value.p[k + 1] == ']'))
			c = value.p[++k];
		if (o == cap)
			return -ENOBUFS;
		out[o++] = c;
	}
	return (ssize_t)o;
}
