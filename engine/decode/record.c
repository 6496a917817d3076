/* record.c - see record.h. */
#include "engine/decode/record.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/decode/message.h"
#include "engine/lib/buf.h"
#include "engine/lib/civil.h"
#include "engine/lib/digits.h"
#include "engine/lib/json.h"
#include "engine/lib/net.h"
#include "engine/lib/str.h"
#include "engine/lib/utf8.h"

#define RECORD_PREFIX "{\"transport\":"
#define MAX_DEPTH 16 /* listen nests three deep; anything deeper is not ours */
#define NS_PER_SEC 1000000000LL

struct reader {
	const char *p, *end;
};

struct record {
	struct fl_str transport, addr, received;
	int64_t port; /* -1: none */
	bool has_raw;
};

static void ws(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static bool eat(struct reader *r, char c)
{
	ws(r);
	if (r->p < r->end && *r->p == c) {
		r->p++;
		return true;
	}
	return false;
}

static bool word(struct reader *r, const char *w)
{
	size_t n = strlen(w);

	ws(r);
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
		return false;
	r->p += n;
	return true;
}

/* A string as written between its quotes (escapes left in): enough for keys
 * and the envelope's values, which listen writes without escapes. */
static bool string_slice(struct reader *r, struct fl_str *out)
{
	const char *start;

	if (!eat(r, '"'))
		return false;
	start = r->p;
	while (r->p < r->end && *r->p != '"') {
		if (*r->p == '\\' && r->p + 1 < r->end)
			r->p++;
		else if ((unsigned char)*r->p < 0x20)
			return false;
		r->p++;
	}
	if (r->p == r->end)
		return false;
	*out = fl_str_make(start, (size_t)(r->p - start));
	r->p++;
	return true;
}

static bool hex4(const char *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		int d = fl_hex_value(p[i]);

		if (d < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return true;
}

static int put_utf8(struct fl_buf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return fl_buf_add(b, u, n);
}

/* One escape after the backslash at s[0]; returns the bytes it used, or 0. */
static size_t unescape_one(const char *s, size_t left, struct fl_buf *out, int *rc)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *k = left >= 2 ? strchr(from, s[1]) : NULL;
	uint32_t cp, lo;

	if (k && s[1]) {
		*rc = fl_buf_addc(out, to[k - from]);
		return 2;
	}
	if (left < 6 || s[1] != 'u' || !hex4(s + 2, &cp))
		return 0;
	if (cp >= 0xd800 && cp < 0xdc00) { /* a surrogate pair: both halves */
		if (left < 12 || s[6] != '\\' || s[7] != 'u' || !hex4(s + 8, &lo) || lo < 0xdc00 ||
		    lo > 0xdfff)
			return 0;
		*rc = put_utf8(out, 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00));
		return 12;
	}
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return 0;
	*rc = put_utf8(out, cp);
	return 6;
}

/* The JSON string s (between its quotes) unescaped into out. */
static int unescape(struct fl_str s, struct fl_buf *out)
{
	size_t i = 0;

	while (i < s.len) {
		size_t run = i, used;
		int rc = 0;

		while (run < s.len && s.p[run] != '\\')
			run++;
		if (fl_buf_add(out, s.p + i, run - i) < 0)
			return -EMSGSIZE;
		i = run;
		if (i == s.len)
			break;
		used = unescape_one(s.p + i, s.len - i, out, &rc);
		if (used == 0)
			return -EINVAL;
		if (rc < 0)
			return -EMSGSIZE;
		i += used;
	}
	return 0;
}

static int unhex(struct fl_str s, struct fl_buf *out)
{
	if (s.len % 2)
		return -EINVAL;
	for (size_t i = 0; i < s.len; i += 2) {
		int hi = fl_hex_value(s.p[i]), lo = fl_hex_value(s.p[i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (fl_buf_addc(out, (char)(hi << 4 | lo)) < 0)
			return -EMSGSIZE;
	}
	return 0;
}

static bool integer(struct reader *r, int64_t *out)
{
	int64_t v = 0;
	bool neg;

	ws(r);
	neg = r->p < r->end && *r->p == '-';
	if (neg)
		r->p++;
	if (r->p == r->end || *r->p < '0' || *r->p > '9')
		return false;
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		if (v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (*r->p++ - '0');
	}
	*out = neg ? -v : v;
	return true;
}

/* Any JSON value, skipped. */
static bool skip_value(struct reader *r, int depth)
{
	struct fl_str s;
	int64_t n;

	if (depth > MAX_DEPTH)
		return false;
	ws(r);
	if (r->p == r->end)
		return false;
	switch (*r->p) {
	case '"':
		return string_slice(r, &s);
	case '{':
	case '[': {
		char close = *r->p == '{' ? '}' : ']';

		r->p++;
		if (eat(r, close))
			return true;
		do {
			if (close == '}' && (!string_slice(r, &s) || !eat(r, ':')))
				return false;
			if (!skip_value(r, depth + 1))
				return false;
		} while (eat(r, ','));
		return eat(r, close);
	}
	case 't':
		return word(r, "true");
	case 'f':
		return word(r, "false");
	case 'n':
		return word(r, "null");
	default:
		if (!integer(r, &n))
			return false;
		if (r->p < r->end && *r->p == '.') /* a fraction: skip its digits */
			for (r->p++; r->p < r->end && *r->p >= '0' && *r->p <= '9'; r->p++)
				;
		return true;
	}
}

/* "peer": null | {"addr": "...", "port": N | null} */
static bool read_peer(struct reader *r, struct record *rec)
{
	struct fl_str key;

	if (word(r, "null"))
		return true;
	if (!eat(r, '{'))
		return false;
	if (eat(r, '}'))
		return true;
	do {
		if (!string_slice(r, &key) || !eat(r, ':'))
			return false;
		if (fl_str_eq_cstr(key, "addr")) {
			if (!string_slice(r, &rec->addr))
				return false;
		} else if (fl_str_eq_cstr(key, "port") && !word(r, "null")) {
			if (!integer(r, &rec->port) || rec->port < 0 || rec->port > 65535)
				return false;
		} else if (!fl_str_eq_cstr(key, "port") && !skip_value(r, 1)) {
			return false;
		}
	} while (eat(r, ','));
	return eat(r, '}');
}

/* "raw": "text" | {"hex": "..."}, into out. */
static int read_raw(struct reader *r, struct fl_buf *out)
{
	struct fl_str s, key;

	ws(r);
	if (r->p < r->end && *r->p == '"')
		return string_slice(r, &s) ? unescape(s, out) : -EINVAL;
	if (!eat(r, '{') || !string_slice(r, &key) || !fl_str_eq_cstr(key, "hex") || !eat(r, ':') ||
	    !string_slice(r, &s) || !eat(r, '}'))
		return -EINVAL;
	return unhex(s, out);
}

static bool digits(const char *p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return true;
}

/* "2026-12-05T08:10:33.123456Z", as listen writes it (UTC, 0..9 fraction digits). */
static bool parse_received(struct fl_str s, int64_t *ns)
{
	int y, mo, d, h, mi, sec;
	int64_t frac = 0, scale = NS_PER_SEC;
	size_t i = 19;

	if (s.len < 20 || s.p[4] != '-' || s.p[7] != '-' || s.p[10] != 'T' || s.p[13] != ':' ||
	    s.p[16] != ':' || !digits(s.p, 4, &y) || !digits(s.p + 5, 2, &mo) ||
	    !digits(s.p + 8, 2, &d) || !digits(s.p + 11, 2, &h) || !digits(s.p + 14, 2, &mi) ||
	    !digits(s.p + 17, 2, &sec) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60 || y < 1970 || y > 2200) /* nanoseconds fit until 2262 */
		return false;
	if (s.p[i] == '.')
		for (i++; i < s.len && s.p[i] >= '0' && s.p[i] <= '9'; i++)
			if (scale > 1) {
				scale /= 10;
				frac += (s.p[i] - '0') * scale;
			}
	if (i + 1 != s.len || s.p[i] != 'Z')
		return false;
	*ns = ((fl_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec) * NS_PER_SEC) + frac;
	return true;
}

static const struct {
	const char *name;
	enum fl_transport t;
} transport_names[] = {{"file", FL_TRANSPORT_FILE}, {"udp", FL_TRANSPORT_UDP},
		       {"tcp", FL_TRANSPORT_TCP},   {"relp", FL_TRANSPORT_RELP},
		       {"snmp", FL_TRANSPORT_SNMP}, {"tls", FL_TRANSPORT_TLS}};

static bool transport_of(struct fl_str name, enum fl_transport *out)
{
	for (size_t i = 0; i < sizeof(transport_names) / sizeof(transport_names[0]); i++)
		if (fl_str_eq_cstr(name, transport_names[i].name)) {
			*out = transport_names[i].t;
			return true;
		}
	return false;
}

static const char *transport_name(enum fl_transport t)
{
	for (size_t i = 0; i < sizeof(transport_names) / sizeof(transport_names[0]); i++)
		if (transport_names[i].t == t)
			return transport_names[i].name;
	return "?";
}

static void write_time(struct fl_json *j, int64_t ns)
{
	char text[64];
	struct tm tm;
	time_t secs = (time_t)(ns / NS_PER_SEC);
	long micros = (long)(ns % NS_PER_SEC / 1000);

	gmtime_r(&secs, &tm);
	snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
	fl_json_cstr(j, text);
}

void fl_record_write_envelope(struct fl_json *j, const struct fl_received *m)
{
	fl_json_key(j, "transport");
	fl_json_cstr(j, transport_name(m->transport));
	fl_json_key(j, "peer");
	if (m->peer) {
		char host[FL_NET_ADDR_TEXT_MAX];
		int port = fl_net_host_port(m->peer, m->peer_len, host, sizeof(host));

		fl_json_obj_begin(j);
		fl_json_key(j, "addr");
		fl_json_cstr(j, host);
		fl_json_key(j, "port");
		if (m->transport == FL_TRANSPORT_RELP)
			fl_json_null(j); /* librelp tells the address only */
		else
			fl_json_int(j, port);
		fl_json_obj_end(j);
	} else {
		fl_json_null(j);
	}
	fl_json_key(j, "received");
	write_time(j, m->received_ns);
	/* the message as it came: `replay` decodes it again from this */
	fl_json_key(j, "raw");
	if (m->transport != FL_TRANSPORT_SNMP && fl_utf8_valid(m->p, m->len))
		fl_json_str(j, m->p, m->len);
	else
		fl_json_hex(j, m->p, m->len);
}

/* The peer's address text and port as a socket address. */
static socklen_t peer_addr(const struct record *rec, struct sockaddr_storage *ss)
{
	char text[64];
	uint16_t port = rec->port < 0 ? 0 : htons((uint16_t)rec->port);

	if (!rec->addr.p || rec->addr.len >= sizeof(text))
		return 0;
	memcpy(text, rec->addr.p, rec->addr.len);
	text[rec->addr.len] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (strchr(text, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)ss;

		if (inet_pton(AF_INET6, text, &in6->sin6_addr) != 1)
			return 0;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = port;
		return sizeof(*in6);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)(void *)ss;

		if (inet_pton(AF_INET, text, &in->sin_addr) != 1)
			return 0;
		in->sin_family = AF_INET;
		in->sin_port = port;
		return sizeof(*in);
	}
}

bool fl_record_is(const char *p, size_t len)
{
	return len >= sizeof(RECORD_PREFIX) - 1 && memcmp(p, RECORD_PREFIX, sizeof(RECORD_PREFIX) - 1) == 0;
}

/* The members of the record's object: the envelope into rec, raw into scratch. */
static int read_members(struct reader *r, struct record *rec, struct fl_buf *scratch,
			const char **why)
{
	struct fl_str key;
	int rc;

	do {
		if (!string_slice(r, &key) || !eat(r, ':'))
			return *why = "not a JSON object", -EINVAL;
		if (fl_str_eq_cstr(key, "transport") || fl_str_eq_cstr(key, "received")) {
			struct fl_str *v = key.p[0] == 't' ? &rec->transport : &rec->received;

			if (!string_slice(r, v))
				return *why = "transport or received is not a string", -EINVAL;
		} else if (fl_str_eq_cstr(key, "peer")) {
			if (!read_peer(r, rec))
				return *why = "peer is not {\"addr\", \"port\"}", -EINVAL;
		} else if (fl_str_eq_cstr(key, "raw")) {
			rc = read_raw(r, scratch);
			if (rc < 0)
				return *why = rc == -EMSGSIZE ? "raw too long" : "raw is not a string or "
										 "{\"hex\"}",
				       rc;
			rec->has_raw = true;
		} else if (!skip_value(r, 1)) {
			return *why = "not valid JSON", -EINVAL;
		}
	} while (eat(r, ','));
	if (!eat(r, '}'))
		return *why = "not valid JSON", -EINVAL;
	ws(r);
	return r->p == r->end ? 0 : (*why = "bytes after the record", -EINVAL);
}

int fl_record_decode(struct fl_event *ev, const char *p, size_t len, struct fl_buf *scratch,
		     const struct fl_message_opts *opts, const char **why)
{
	struct reader r = {p, p + len};
	struct record rec = {.port = -1};
	struct fl_received m = {0};
	struct sockaddr_storage ss;
	const char *dummy;
	int rc;

	if (!why)
		why = &dummy;
	*why = NULL;
	fl_buf_reset(scratch);
	if (!eat(&r, '{'))
		return *why = "not a JSON object", -EINVAL;
	rc = read_members(&r, &rec, scratch, why);
	if (rc < 0)
		return rc;
	if (!rec.has_raw)
		return *why = "no raw message (recorded by an older listen?)", -EINVAL;
	if (!rec.transport.p || !transport_of(rec.transport, &m.transport))
		return *why = "unknown transport", -EINVAL;
	if (!rec.received.p || !parse_received(rec.received, &m.received_ns))
		return *why = "received is not a UTC time (2026-01-02T03:04:05.000000Z)", -EINVAL;
	m.peer_len = peer_addr(&rec, &ss);
	m.peer = m.peer_len ? (const struct sockaddr *)&ss : NULL;
	m.p = scratch->len ? scratch->p : "";
	m.len = scratch->len;
	m.is_recorded = true;
	return fl_message_decode(ev, &m, opts);
}
