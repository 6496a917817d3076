/* syslog_5424.c - RFC 5424 after "<PRI>1 ": header fields, STRUCTURED-DATA, MSG. */
#include <string.h>

#include "engine/decode/syslog_int.h"

/* A header field: NILVALUE or 1*max PRINTUSASCII, then SP (RFC 5424 §6.2).
 * A field the line ends in is TRUNCATED: every header field is followed by
 * more header. */
static enum fl_syslog_verdict field(const char *p, size_t len, size_t *i, size_t max,
				    enum fl_syslog_verdict bad, struct fl_str *out)
{
	size_t k = *i;

	while (k < len && fl_is_print(p[k]))
		k++;
	if (k == len)
		return FL_SYSLOG_TRUNCATED;
	if (p[k] != ' ' || k == *i || k - *i > max)
		return k == *i && p[k] == ' ' ? FL_SYSLOG_BAD_SEPARATOR : bad;
	if (k - *i == 1 && p[*i] == '-')
		*out = FL_STR_NONE;
	else
		*out = fl_str_make(p + *i, k - *i);
	*i = k + 1;
	return FL_SYSLOG_OK;
}

/* SD-NAME = 1*32 PRINTUSASCII except '=', SP, ']', '"' (RFC 5424 §6.3). */
static size_t sd_name(const char *p, size_t len, size_t i)
{
	size_t k = i;

	while (k < len && fl_is_print(p[k]) && p[k] != '=' && p[k] != ']' && p[k] != '"')
		k++;
	return k - i;
}

/* The closing '"' of a PARAM-VALUE starting at p[i]: the first '"' preceded by
 * an even run of backslashes (each backslash takes the next byte with it, so
 * only the parity of the run decides). Returns its index, or len. */
static size_t value_end(const char *p, size_t len, size_t i)
{
	size_t k = i;

	for (;;) {
		const char *q = memchr(p + k, '"', len - k);
		size_t at, bs = 0;

		if (!q)
			return len;
		at = (size_t)(q - p);
		while (at - bs > i && p[at - bs - 1] == '\\')
			bs++;
		if (bs % 2 == 0)
			return at;
		k = at + 1;
	}
}

/* One SD-ELEMENT at p[*i] == '['. Elements and params past the caps are parsed
 * and counted in sd_dropped, not stored. */
static enum fl_syslog_verdict sd_element(struct fl_syslog *s, const char *p, size_t len, size_t *i)
{
	size_t k = *i + 1, n;
	struct fl_sd_element *el = NULL;
	bool first = true;

	n = sd_name(p, len, k);
	if (k + n == len)
		return FL_SYSLOG_SD_UNTERMINATED;
	if (n == 0 || n > FL_SYSLOG_SD_NAME_MAX || (p[k + n] != ' ' && p[k + n] != ']'))
		return FL_SYSLOG_BAD_SD_ID;
	if (s->n_sd < FL_EVENT_MAX_SD_ELEMENTS) {
		el = &s->sd[s->n_sd++];
		el->id = fl_str_make(p + k, n);
		el->first_param = s->n_params;
		el->n_params = 0;
	} else {
		s->sd_dropped++;
	}
	k += n;
	for (;;) {
		struct fl_str name, value;
		size_t end;

		if (k == len)
			return FL_SYSLOG_SD_UNTERMINATED;
		if (p[k] == ']')
			break;
		if (p[k] != ' ')
			return first ? FL_SYSLOG_BAD_SD_ID : FL_SYSLOG_BAD_SD_PARAM;
		first = false;
		k++;
		n = sd_name(p, len, k);
		if (k + n == len)
			return FL_SYSLOG_SD_UNTERMINATED;
		if (n == 0 || n > FL_SYSLOG_SD_NAME_MAX || p[k + n] != '=')
			return FL_SYSLOG_BAD_SD_PARAM;
		name = fl_str_make(p + k, n);
		k += n + 1;
		if (k == len)
			return FL_SYSLOG_SD_UNTERMINATED;
		if (p[k] != '"')
			return FL_SYSLOG_BAD_SD_PARAM;
		k++;
		end = value_end(p, len, k);
		if (end == len)
			return FL_SYSLOG_SD_UNTERMINATED;
		value = fl_str_make(p + k, end - k);
		k = end + 1;
		if (!el)
			continue;
		if (s->n_params < FL_EVENT_MAX_SD_PARAMS) {
			s->params[s->n_params].name = name;
			s->params[s->n_params].value = value;
			s->n_params++;
			el->n_params++;
		} else {
			s->sd_dropped++;
		}
	}
	*i = k + 1;
	return FL_SYSLOG_OK;
}

enum fl_syslog_verdict fl_syslog_decode_5424(struct fl_event *ev, const char *p, size_t len,
					     size_t i)
{
	struct fl_syslog *s = &ev->syslog;
	enum fl_syslog_verdict v;
	size_t start = i;

	if (p[i] == '-') {
		i++;
	} else {
		int64_t utc_ns;
		int32_t off;

		v = fl_rfc3339_parse(p, len, &i, 6, &utc_ns, &off);
		if (v != FL_SYSLOG_OK)
			return v;
		s->timestamp = fl_str_make(p + start, i - start);
		ev->has_time = true;
		ev->time_ns = utc_ns;
		ev->utc_offset_s = off;
	}
	if (i == len)
		return FL_SYSLOG_TRUNCATED;
	if (p[i] != ' ')
		return p[start] == '-' ? FL_SYSLOG_BAD_TIMESTAMP : FL_SYSLOG_BAD_SEPARATOR;
	i++;
	v = field(p, len, &i, FL_SYSLOG_HOSTNAME_MAX, FL_SYSLOG_BAD_HOSTNAME, &s->hostname);
	if (v == FL_SYSLOG_OK)
		v = field(p, len, &i, FL_SYSLOG_APP_NAME_MAX, FL_SYSLOG_BAD_APP_NAME, &s->app_name);
	if (v == FL_SYSLOG_OK)
		v = field(p, len, &i, FL_SYSLOG_PROCID_MAX, FL_SYSLOG_BAD_PROCID, &s->procid);
	if (v == FL_SYSLOG_OK)
		v = field(p, len, &i, FL_SYSLOG_MSGID_MAX, FL_SYSLOG_BAD_MSGID, &s->msgid);
	if (v != FL_SYSLOG_OK)
		return v;
	if (i == len)
		return FL_SYSLOG_TRUNCATED;
	/* RFC 5424 §6.3: STRUCTURED-DATA = NILVALUE / 1*SD-ELEMENT */
	if (p[i] == '-') {
		i++;
	} else if (p[i] == '[') {
		while (i < len && p[i] == '[') {
			v = sd_element(s, p, len, &i);
			if (v != FL_SYSLOG_OK)
				return v;
		}
	} else {
		return FL_SYSLOG_BAD_SD;
	}
	if (i == len)
		return FL_SYSLOG_OK; /* no MSG: msg stays absent */
	if (p[i] != ' ')
		return FL_SYSLOG_BAD_SEPARATOR;
	i++;
	/* §6.4: MSG-UTF8 = BOM UTF-8-STRING; the BOM is not part of the text. */
	if (len - i >= 3 && memcmp(p + i, "\xEF\xBB\xBF", 3) == 0) {
		s->has_bom = true;
		i += 3;
	}
	s->msg = fl_str_make(p + i, len - i);
	return FL_SYSLOG_OK;
}
