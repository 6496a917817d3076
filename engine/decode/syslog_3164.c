/* syslog_3164.c - RFC 3164 as devices send it: everything after the PRI.
 *
 * The shapes handled, each seen on this network:
 *   <189>Nov 25 10:00:00 HOST tag[pid]: text              RFC 3164 §4.1
 *   <189>Nov  5 10:00:00 ... / Nov 5 10:00:00 ...          one-digit day, two or one space
 *   <187>Nov 25 2026 10:00:00+08:00 HOST %%01MOD/4/NAME(l)[12]:text   Huawei VRP
 *   <189>123: HOST: Nov 25 10:00:12.345 CST: %LINK-3-UPDOWN: text    Cisco IOS
 *   <189>123: Nov 25 10:00:12.345 CST: %LINK-...           IOS without hostname
 *   <189>123: *Mar  1 00:01:02.123: %SYS-...               IOS without NTP ('*' or '.')
 *   <189>123: HOST RP/0/RSP0/CPU0:Nov 25 10:00:12.345 CST: proc[1]: ...  IOS-XR
 *   <189>Nov 25 10:00:00 HOST : text                       NX-OS (empty tag)
 *   <13>2026-11-25T10:00:00+08:00 HOST tag: text          RFC 3339 time, no VERSION
 *   Nov 25 10:00:00 HOST text                              no PRI, no tag
 */
#include <string.h>

#include "engine/decode/syslog_int.h"
#include "engine/lib/tz.h"

/* Zone abbreviations accepted after an RFC 3164 time. Abbreviations are
 * ambiguous world-wide; these are the meanings on this network (Cisco devices
 * in China are configured "clock timezone CST 8"). */
static const struct {
	char name[4];
	int32_t off_s;
} zone_abbrevs[] = {
	{"UTC", 0},	    {"GMT", 0},		{"CST", 8 * 3600}, {"CCT", 8 * 3600},
	{"HKT", 8 * 3600}, {"SGT", 8 * 3600}, {"JST", 9 * 3600}, {"KST", 9 * 3600},
};

struct bsd_time {
	struct fl_str text; /* as written, with a leading '*'/'.', without a trailing ':' */
	int64_t year; /* 0: not written */
	unsigned mon, day, hh, mm, ss;
	int64_t frac_ns;
	bool has_off, unsynced;
	int32_t off_s;
};

enum match { MATCH, NO_MATCH, MATCH_BAD_DATE, MATCH_TRUNCATED };

/* The classes of a byte the header scans ask about, one load a byte where
 * they compared each byte with up to nine characters:
 * HOST [A-Za-z0-9._:-] (is_host()), TAG printable US-ASCII but ':' '[' ']'
 * (tag()). Bytes not listed (controls, SP, DEL, 8-bit) are in neither. */
enum { BYTE_HOST = 1, BYTE_TAG = 2 };

static const uint8_t byte_class[256] = {
#define H BYTE_HOST
#define T BYTE_TAG
#define HT (BYTE_HOST | BYTE_TAG)
	['!'] = T, ['"'] = T, ['#'] = T, ['$'] = T, ['%'] = T, ['&'] = T, ['\''] = T,
	['('] = T, [')'] = T, ['*'] = T, ['+'] = T, [','] = T, ['-'] = HT, ['.'] = HT,
	['/'] = T, ['0'] = HT, ['1'] = HT, ['2'] = HT, ['3'] = HT, ['4'] = HT, ['5'] = HT,
	['6'] = HT, ['7'] = HT, ['8'] = HT, ['9'] = HT, [':'] = H, [';'] = T, ['<'] = T,
	['='] = T, ['>'] = T, ['?'] = T, ['@'] = T, ['A'] = HT, ['B'] = HT, ['C'] = HT,
	['D'] = HT, ['E'] = HT, ['F'] = HT, ['G'] = HT, ['H'] = HT, ['I'] = HT, ['J'] = HT,
	['K'] = HT, ['L'] = HT, ['M'] = HT, ['N'] = HT, ['O'] = HT, ['P'] = HT, ['Q'] = HT,
	['R'] = HT, ['S'] = HT, ['T'] = HT, ['U'] = HT, ['V'] = HT, ['W'] = HT, ['X'] = HT,
	['Y'] = HT, ['Z'] = HT, ['\\'] = T, ['^'] = T, ['_'] = HT, ['`'] = T, ['a'] = HT,
	['b'] = HT, ['c'] = HT, ['d'] = HT, ['e'] = HT, ['f'] = HT, ['g'] = HT, ['h'] = HT,
	['i'] = HT, ['j'] = HT, ['k'] = HT, ['l'] = HT, ['m'] = HT, ['n'] = HT, ['o'] = HT,
	['p'] = HT, ['q'] = HT, ['r'] = HT, ['s'] = HT, ['t'] = HT, ['u'] = HT, ['v'] = HT,
	['w'] = HT, ['x'] = HT, ['y'] = HT, ['z'] = HT, ['{'] = T, ['|'] = T, ['}'] = T,
	['~'] = T,
#undef H
#undef T
#undef HT
};

static bool in_class(char c, unsigned cls)
{
	return byte_class[(unsigned char)c] & cls;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* "Oct", "oct", "OCT": relays and small devices write all three (rsyslog and
 * syslog-ng read month names in any case). */
static int month_index(const char *p)
{
	/* The three letters folded and packed into one number: the switch is a
	 * few compares, where a loop over the twelve names compared up to 36
	 * letters (a tenth of decoding a line, callgrind). */
	uint32_t k = (uint32_t)(unsigned char)lower(p[0]) << 16 |
		     (uint32_t)(unsigned char)lower(p[1]) << 8 | (uint32_t)(unsigned char)lower(p[2]);

#define MON3(a, b, c) ((uint32_t)(a) << 16 | (uint32_t)(b) << 8 | (uint32_t)(c))
	switch (k) {
	case MON3('j', 'a', 'n'): return 1;
	case MON3('f', 'e', 'b'): return 2;
	case MON3('m', 'a', 'r'): return 3;
	case MON3('a', 'p', 'r'): return 4;
	case MON3('m', 'a', 'y'): return 5;
	case MON3('j', 'u', 'n'): return 6;
	case MON3('j', 'u', 'l'): return 7;
	case MON3('a', 'u', 'g'): return 8;
	case MON3('s', 'e', 'p'): return 9;
	case MON3('o', 'c', 't'): return 10;
	case MON3('n', 'o', 'v'): return 11;
	case MON3('d', 'e', 'c'): return 12;
	default: return 0;
	}
#undef MON3
}

static bool four_digits(const char *p)
{
	return fl_is_digit(p[0]) && fl_is_digit(p[1]) && fl_is_digit(p[2]) && fl_is_digit(p[3]);
}

static int64_t year_of(const char *p)
{
	return (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
}

/* A zone after the seconds: "+08:00"/"+0800" attached, or " CST" from the
 * table. Returns the bytes it took (0: none), or -1 for an offset out of range. */
static int zone_suffix(const char *p, size_t n, int32_t *off)
{
	if (n >= 5 && (p[0] == '+' || p[0] == '-') && fl_is_digit(p[1]) && fl_is_digit(p[2])) {
		size_t k = p[3] == ':' ? 4 : 3;
		unsigned oh, om;

		if (n < k + 2 || !fl_is_digit(p[k]) || !fl_is_digit(p[k + 1]))
			return 0;
		oh = (unsigned)(p[1] - '0') * 10 + (unsigned)(p[2] - '0');
		om = (unsigned)(p[k] - '0') * 10 + (unsigned)(p[k + 1] - '0');
		if (oh > 23 || om > 59)
			return -1;
		*off = (int32_t)(oh * 3600 + om * 60) * (p[0] == '-' ? -1 : 1);
		return (int)k + 2;
	}
	if (n >= 4 && p[0] == ' ' && (n == 4 || p[4] == ' ' || p[4] == ':')) {
		for (size_t z = 0; z < sizeof(zone_abbrevs) / sizeof(zone_abbrevs[0]); z++) {
			if (memcmp(p + 1, zone_abbrevs[z].name, 3) == 0) {
				*off = zone_abbrevs[z].off_s;
				return 4;
			}
		}
	}
	return 0;
}

/* ["*"|"."] Mmm (" d"|"dd"|"d") [" yyyy"] " hh:mm:ss" ["." 1*9DIGIT] [zone]
 * at p[*i]. MATCH_TRUNCATED: the line ends inside it. */
static enum match bsd_time(const char *p, size_t len, size_t *i, struct bsd_time *t)
{
	size_t k = *i, start = *i;
	int z;

	t->unsynced = k < len && (p[k] == '*' || p[k] == '.');
	k += t->unsynced;
	t->year = 0;
	/* NX-OS writes the year first: "2026 Nov 25 10:00:00" */
	if (len - k >= 9 && four_digits(p + k) && p[k + 4] == ' ' && month_index(p + k + 5)) {
		t->year = year_of(p + k);
		k += 5;
	}
	if (len - k < 3)
		return NO_MATCH;
	t->mon = (unsigned)month_index(p + k);
	if (!t->mon)
		return NO_MATCH;
	k += 3;
	if (k == len || (k + 1 == len && p[k] == ' '))
		return MATCH_TRUNCATED;
	if (p[k] != ' ')
		return NO_MATCH;
	k++;
	if (p[k] == ' ')
		k++;
	if (k == len)
		return MATCH_TRUNCATED;
	if (!fl_is_digit(p[k]))
		return NO_MATCH;
	t->day = (unsigned)(p[k++] - '0');
	if (k < len && fl_is_digit(p[k]))
		t->day = t->day * 10 + (unsigned)(p[k++] - '0');
	if (k == len)
		return MATCH_TRUNCATED;
	if (p[k] != ' ')
		return NO_MATCH;
	k++;
	if (!t->year && len - k >= 5 && four_digits(p + k) && p[k + 4] == ' ') {
		t->year = year_of(p + k);
		k += 5;
	}
	if (len - k < 8)
		return MATCH_TRUNCATED;
	if (!fl_is_digit(p[k]) || !fl_is_digit(p[k + 1]) || p[k + 2] != ':' ||
	    !fl_is_digit(p[k + 3]) || !fl_is_digit(p[k + 4]) || p[k + 5] != ':' ||
	    !fl_is_digit(p[k + 6]) || !fl_is_digit(p[k + 7]))
		return NO_MATCH;
	t->hh = (unsigned)(p[k] - '0') * 10 + (unsigned)(p[k + 1] - '0');
	t->mm = (unsigned)(p[k + 3] - '0') * 10 + (unsigned)(p[k + 4] - '0');
	t->ss = (unsigned)(p[k + 6] - '0') * 10 + (unsigned)(p[k + 7] - '0');
	k += 8;
	t->frac_ns = 0;
	if (k + 1 < len && p[k] == '.' && fl_is_digit(p[k + 1])) {
		unsigned nfrac = 0;

		for (k++; k < len && fl_is_digit(p[k]); k++, nfrac++)
			if (nfrac < 9)
				t->frac_ns = t->frac_ns * 10 + (p[k] - '0');
		for (; nfrac < 9; nfrac++)
			t->frac_ns *= 10;
	}
	t->has_off = false;
	z = zone_suffix(p + k, len - k, &t->off_s);
	if (z < 0)
		return MATCH_BAD_DATE;
	if (z > 0) {
		t->has_off = true;
		k += (size_t)z;
	}
	if (t->day < 1 || t->day > 31 || t->hh > 23 || t->mm > 59 || t->ss > 59 ||
	    (t->year && (t->year < FL_SYSLOG_YEAR_MIN || t->year > FL_SYSLOG_YEAR_MAX)) ||
	    (t->year && t->day > fl_days_in_month(t->year, t->mon)))
		return MATCH_BAD_DATE;
	t->text = fl_str_make(p + start, k - start);
	*i = k;
	return MATCH;
}

static int64_t local_seconds(int64_t year, const struct bsd_time *t)
{
	return fl_days_from_civil(year, t->mon, t->day) * 86400 + t->hh * 3600 + t->mm * 60 + t->ss;
}

/* UTC seconds of t in `year`: its own offset, else the zone's. */
static int64_t utc_seconds(int64_t year, const struct bsd_time *t, const struct fl_tz *tz,
			   int32_t *off)
{
	int64_t local = local_seconds(year, t);

	*off = t->has_off ? t->off_s : fl_tz_offset_for_local(tz, local);
	return local - *off;
}

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

/* The year of a timestamp written without one: of the received year and its
 * neighbours, the one that puts the time nearest the received time (a
 * "Dec 31 23:59:59" received at 00:00:05 on 1 January is last year's; a clock a
 * little fast on 31 December gives next year's "Jan  1"). Feb 29 only fits leap
 * years. Returns 0 when none fits. */
static int64_t infer_year(const struct bsd_time *t, const struct fl_syslog_opts *o)
{
	int64_t rec_s = o->received_ns / FL_NS_PER_S, y0, best = 0, best_diff = 0;
	unsigned m, d;
	int32_t off;

	fl_civil_from_days((rec_s + fl_tz_offset_at(o->tz, rec_s)) / 86400, &y0, &m, &d);
	if (t->day <= fl_days_in_month(y0, t->mon)) {
		int64_t diff = abs64(utc_seconds(y0, t, o->tz, &off) - rec_s);

		if (diff < 150 * 86400)
			return y0; /* the common case: one zone lookup */
		best = y0;
		best_diff = diff;
	}
	for (int64_t y = y0 - 1; y <= y0 + 1; y += 2) {
		int64_t diff;

		if (t->day > fl_days_in_month(y, t->mon))
			continue;
		diff = abs64(utc_seconds(y, t, o->tz, &off) - rec_s);
		if (!best || diff < best_diff) {
			best = y;
			best_diff = diff;
		}
	}
	return best;
}

static enum fl_syslog_verdict set_time(struct fl_event *ev, const struct bsd_time *t,
				       const struct fl_syslog_opts *o)
{
	int64_t year = t->year ? t->year : o->year, secs;
	int32_t off;

	ev->syslog.timestamp = t->text;
	if (t->unsynced) /* the device's clock is not set: its time means nothing */
		return FL_SYSLOG_OK;
	if (!year)
		year = infer_year(t, o);
	if (!year || year < FL_SYSLOG_YEAR_MIN || year > FL_SYSLOG_YEAR_MAX ||
	    t->day > fl_days_in_month(year, t->mon))
		return FL_SYSLOG_BAD_DATE;
	secs = utc_seconds(year, t, o->tz, &off);
	ev->has_time = true;
	ev->time_ns = secs * FL_NS_PER_S + t->frac_ns;
	ev->utc_offset_s = off;
	return FL_SYSLOG_OK;
}

/* Are a[0..n) and b[0..n) the same, 8 <= n <= 16? Two word compares (the
 * second overlapping the first) where memcmp() is a call. */
static bool same_short(const char *a, const char *b, size_t n)
{
	uint64_t a0, a1, b0, b1;

	memcpy(&a0, a, 8);
	memcpy(&b0, b, 8);
	memcpy(&a1, a + n - 8, 8);
	memcpy(&b1, b + n - 8, 8);
	return a0 == b0 && a1 == b1;
}

/* The key besides the text: what set_time() read from the options. */
static bool same_key(const struct fl_syslog_time_cache *c, const struct fl_syslog_opts *o)
{
	return c->year == o->year && c->tz == o->tz &&
	       c->received_ns == (o->year ? 0 : o->received_ns);
}

/* A plain timestamp at p[*i] whose bytes and options are the cache's takes
 * the cached time. bsd_time() reads past such a text only for a fraction or a
 * zone; neither follows here, so the time is the one a parse would give. */
static bool cached_time(struct fl_event *ev, const char *p, size_t len, size_t *i,
			const struct fl_syslog_opts *o)
{
	const struct fl_syslog_time_cache *c = o->time_cache;
	size_t k;
	int32_t off;

	if (!c || c->len == 0 || len - *i < c->len || !same_key(c, o) ||
	    !same_short(p + *i, c->text, c->len))
		return false;
	k = *i + c->len;
	if ((k + 1 < len && p[k] == '.' && fl_is_digit(p[k + 1])) ||
	    zone_suffix(p + k, len - k, &off) != 0)
		return false;
	ev->syslog.timestamp = fl_str_make(p + *i, c->len);
	ev->has_time = true;
	ev->time_ns = c->time_ns;
	ev->utc_offset_s = c->utc_offset_s;
	*i = k;
	return true;
}

/* Keeps t and the time set_time() gave it when t is plain: "Mmm dd hh:mm:ss"
 * or "Mmm d hh:mm:ss" (14 or 15 bytes; a year, a fraction or a zone makes it
 * longer), on a synchronised clock. */
static void remember_time(const struct fl_event *ev, const struct bsd_time *t,
			  const struct fl_syslog_opts *o)
{
	struct fl_syslog_time_cache *c = o->time_cache;

	if (!c || t->unsynced || t->year || t->has_off || t->text.len < 14 || t->text.len > 15 ||
	    !ev->has_time)
		return;
	memcpy(c->text, t->text.p, t->text.len);
	c->len = (uint8_t)t->text.len;
	c->year = o->year;
	c->tz = o->tz;
	c->received_ns = o->year ? 0 : o->received_ns;
	c->time_ns = ev->time_ns;
	c->utc_offset_s = ev->utc_offset_s;
}

/* A HOSTNAME: a name, FQDN, IPv4 or IPv6 address; 1..255 octets of
 * [A-Za-z0-9._:-], not ending in ':' (that would be a tag). */
static bool is_host(const char *p, size_t n)
{
	if (n == 0 || n > FL_SYSLOG_HOSTNAME_MAX || p[n - 1] == ':')
		return false;
	for (size_t k = 0; k < n; k++)
		if (!in_class(p[k], BYTE_HOST))
			return false;
	return true;
}

/* The end of the token at p[i] (up to SP or the end of the line) when it is a
 * HOSTNAME (is_host()), else i: one scan where finding the SP and then
 * checking the bytes before it took two. */
static size_t host_end(const char *p, size_t len, size_t i)
{
	size_t k = i, lim = len - i > FL_SYSLOG_HOSTNAME_MAX ? i + FL_SYSLOG_HOSTNAME_MAX + 1 : len;

	while (k < lim && in_class(p[k], BYTE_HOST))
		k++;
	/* stopped by a byte other than SP, or past the cap: not a HOSTNAME */
	if (k == i || k - i > FL_SYSLOG_HOSTNAME_MAX || (k < len && p[k] != ' ') || p[k - 1] == ':')
		return i;
	return k;
}

static size_t token_end(const char *p, size_t len, size_t i)
{
	const char *sp = memchr(p + i, ' ', len - i);

	return sp ? (size_t)(sp - p) : len;
}

/* Cisco puts the host before the time: "HOST: Nov 25 ..." (IOS) or
 * "HOST RP/0/RSP0/CPU0:Nov 25 ..." (IOS-XR, the node before the colon). */
static enum match host_then_time(const char *p, size_t len, size_t *i, struct bsd_time *t,
				 struct fl_str *host)
{
	size_t e = token_end(p, len, *i), k, node_end;
	enum match m;

	if (e == len || e == *i)
		return NO_MATCH;
	if (p[e - 1] == ':') {
		if (!is_host(p + *i, e - *i - 1))
			return NO_MATCH;
		k = e + 1;
		m = bsd_time(p, len, &k, t);
		if (m == MATCH) {
			*host = fl_str_make(p + *i, e - *i - 1);
			*i = k;
		}
		return m == NO_MATCH ? NO_MATCH : m;
	}
	if (!is_host(p + *i, e - *i))
		return NO_MATCH;
	node_end = e + 1;
	while (node_end < len && node_end - e < 64 && fl_is_print(p[node_end]) &&
	       p[node_end] != ':')
		node_end++;
	if (node_end >= len || p[node_end] != ':' || node_end == e + 1)
		return NO_MATCH;
	k = node_end + 1;
	m = bsd_time(p, len, &k, t);
	if (m == MATCH) {
		*host = fl_str_make(p + *i, e - *i);
		*i = k;
	}
	return m;
}

/* Huawei VRP "%%01MOD/L/MNEMONIC(l)[seq]:text": app_name MOD, msgid MNEMONIC. */
static bool huawei_tag(struct fl_syslog *s, const char *p, size_t len, size_t *i)
{
	size_t k = *i + 2, mod, mod_end, mn, mn_end;

	while (k < len && fl_is_digit(p[k]))
		k++;
	mod = k;
	while (k < len && k - mod <= FL_SYSLOG_APP_NAME_MAX &&
	       (fl_is_print(p[k]) && p[k] != '/' && p[k] != ':' && p[k] != '['))
		k++;
	mod_end = k;
	if (k == mod || k - mod > FL_SYSLOG_APP_NAME_MAX || k >= len || p[k] != '/')
		return false;
	for (k++; k < len && fl_is_digit(p[k]); k++)
		;
	if (k >= len || p[k] != '/' || !fl_is_digit(p[k - 1]))
		return false;
	mn = ++k;
	while (k < len && k - mn <= FL_SYSLOG_MSGID_MAX && fl_is_print(p[k]) && p[k] != '(' &&
	       p[k] != '[' && p[k] != ':')
		k++;
	mn_end = k;
	if (k == mn || k - mn > FL_SYSLOG_MSGID_MAX || k >= len)
		return false;
	if (p[k] == '(') {
		if (len - k < 3 || p[k + 2] != ')')
			return false;
		k += 3;
	}
	if (k < len && p[k] == '[') {
		for (k++; k < len && fl_is_digit(p[k]); k++)
			;
		if (k >= len || p[k] != ']')
			return false;
		k++;
	}
	if (k >= len || p[k] != ':')
		return false;
	k++;
	if (k < len && p[k] == ' ')
		k++;
	s->app_name = fl_str_make(p + mod, mod_end - mod);
	s->msgid = fl_str_make(p + mn, mn_end - mn);
	*i = k;
	return true;
}

/* RFC 3164 §4.1.3 TAG, then "[pid]" and ':' then SP (or the end of the line).
 * A TAG over 32 characters, one starting with '%' (a Cisco mnemonic) or a word
 * not followed by ':' is not a tag: it stays in msg. */
static void tag(struct fl_syslog *s, const char *p, size_t len, size_t *i)
{
	size_t k = *i, pid = 0, pid_end = 0;
	/* one byte past the longest TAG, so that a longer one is seen */
	size_t tag_lim = len - k > FL_SYSLOG_TAG_MAX ? k + FL_SYSLOG_TAG_MAX + 1 : len;

	if (k < len && p[k] == '%')
		return;
	while (k < tag_lim && in_class(p[k], BYTE_TAG))
		k++;
	if (k == *i || k - *i > FL_SYSLOG_TAG_MAX || k >= len)
		return;
	if (p[k] == '[') {
		const char *close;
		size_t lim = len - k - 1 < FL_SYSLOG_PROCID_MAX + 1 ? len - k - 1
								    : FL_SYSLOG_PROCID_MAX + 1;

		pid = k + 1;
		close = memchr(p + pid, ']', lim);
		if (!close)
			return;
		pid_end = (size_t)(close - p);
		if (pid_end == pid)
			return;
		for (size_t q = pid; q < pid_end; q++)
			if (!fl_is_print(p[q]))
				return;
		if (pid_end + 1 >= len || p[pid_end + 1] != ':')
			return;
		if (pid_end + 2 < len && p[pid_end + 2] != ' ')
			return;
		s->app_name = fl_str_make(p + *i, k - *i);
		s->procid = fl_str_make(p + pid, pid_end - pid);
		*i = pid_end + 2 < len ? pid_end + 3 : len;
		return;
	}
	if (p[k] != ':' || (k + 1 < len && p[k + 1] != ' '))
		return;
	s->app_name = fl_str_make(p + *i, k - *i);
	*i = k + 1 < len ? k + 2 : len;
}

static enum fl_syslog_verdict rfc3339_time(struct fl_event *ev, const char *p, size_t len,
					   size_t *i)
{
	size_t start = *i;
	int64_t utc_ns;
	int32_t off;
	enum fl_syslog_verdict v = fl_rfc3339_parse(p, len, i, 9, &utc_ns, &off);

	if (v != FL_SYSLOG_OK)
		return v;
	ev->syslog.timestamp = fl_str_make(p + start, *i - start);
	ev->has_time = true;
	ev->time_ns = utc_ns;
	ev->utc_offset_s = off;
	return FL_SYSLOG_OK;
}

/* Cisco "service timestamps log uptime": "00:00:46:" (h:mm:ss since boot,
 * hours may run past 24), "1d02h:", "2w3d:", "1y2w:". Time since boot is no
 * time of day: the text is kept, the event takes the received time. Returns
 * the bytes up to the colon, or 0. */
static size_t uptime_stamp(const char *p, size_t len, size_t i)
{
	size_t k = i, d;

	while (k < len && k - i < 6 && fl_is_digit(p[k]))
		k++;
	d = k - i;
	if (d == 0 || k >= len)
		return 0;
	if (p[k] == ':') { /* h:mm:ss[.fff] */
		if (len - k < 7 || !fl_is_digit(p[k + 1]) || !fl_is_digit(p[k + 2]) || p[k + 3] != ':' ||
		    !fl_is_digit(p[k + 4]) || !fl_is_digit(p[k + 5]))
			return 0;
		k += 6;
		if (k + 1 < len && p[k] == '.' && fl_is_digit(p[k + 1]))
			for (k++; k < len && fl_is_digit(p[k]); k++)
				;
	} else if (strchr("ywd", p[k]) && d <= 3) { /* 1d02h, 2w3d, 1y2w */
		k++;
		while (k < len && fl_is_digit(p[k]) && k - i < 8)
			k++;
		if (k >= len || !fl_is_digit(p[k - 1]) || !strchr("wdh", p[k]))
			return 0;
		k++;
	} else {
		return 0;
	}
	return k < len && p[k] == ':' && (k + 1 == len || p[k + 1] == ' ') ? k - i : 0;
}

/* Text a person could read: no control bytes but tab. Binary noise with no
 * timestamp is not a message. */
static bool is_text(const char *p, size_t len)
{
	for (size_t k = 0; k < len; k++)
		if ((unsigned char)p[k] < 0x20 && p[k] != '\t')
			return false;
	return true;
}

/* RFC 3164 §4.3.3: no timestamp, so the receiver's time, and (as rsyslog
 * and syslog-ng read it) no HOSTNAME either: a TAG may start the rest. */
static enum fl_syslog_verdict without_timestamp(struct fl_event *ev, const char *p, size_t len,
						size_t i)
{
	struct fl_syslog *s = &ev->syslog;

	if (!is_text(p + i, len - i))
		return FL_SYSLOG_NO_TIMESTAMP;
	s->no_timestamp = true;
	tag(s, p, len, &i);
	while (i < len && p[i] == ' ')
		i++;
	s->msg = fl_str_make(p + i, len - i);
	return FL_SYSLOG_OK;
}

enum fl_syslog_verdict fl_syslog_decode_3164(struct fl_event *ev, const char *p, size_t len,
					     size_t i, const struct fl_syslog_opts *opts)
{
	struct fl_syslog *s = &ev->syslog;
	struct bsd_time t;
	enum fl_syslog_verdict v;
	enum match m;
	size_t k, body = i, up;

	/* one or two spaces before the time: some relays pad after the PRI */
	while (i < len && i - body < 2 && p[i] == ' ')
		i++;
	/* Cisco "service sequence-numbers": "123: " before the time */
	k = i;
	while (k < len && k - i <= 10 && fl_is_digit(p[k]))
		k++;
	if (k > i && len - k >= 2 && p[k] == ':' && p[k + 1] == ' ' && !uptime_stamp(p, len, i))
		i = k + 2;

	if (cached_time(ev, p, len, &i, opts)) {
		/* a plain stamp starts with a letter: no uptime, no RFC 3339 */
	} else if (i < len && fl_is_digit(p[i]) && (up = uptime_stamp(p, len, i)) > 0) {
		s->timestamp = fl_str_make(p + i, up);
		i += up;
	} else if (len - i >= 5 && fl_is_digit(p[i]) && p[i + 4] == '-') {
		v = rfc3339_time(ev, p, len, &i);
		if (v != FL_SYSLOG_OK)
			return v;
	} else {
		m = bsd_time(p, len, &i, &t);
		if (m == NO_MATCH)
			m = host_then_time(p, len, &i, &t, &s->hostname);
		if (m == NO_MATCH)
			return without_timestamp(ev, p, len, body);
		if (m == MATCH_TRUNCATED)
			return FL_SYSLOG_TRUNCATED;
		if (m == MATCH_BAD_DATE)
			return FL_SYSLOG_BAD_DATE;
		v = set_time(ev, &t, opts);
		if (v != FL_SYSLOG_OK)
			return v;
		remember_time(ev, &t, opts);
	}
	if (i < len && p[i] == ':') /* Cisco: "... CST: %LINK-..." */
		i++;
	if (i == len) {
		s->msg = fl_str_make(p + len, 0);
		return FL_SYSLOG_OK;
	}
	if (p[i] != ' ')
		return FL_SYSLOG_NO_TIMESTAMP;
	while (i < len && p[i] == ' ')
		i++;
	if (i == len) {
		s->msg = fl_str_make(p + len, 0);
		return FL_SYSLOG_OK;
	}
	if (!fl_str_present(s->hostname)) {
		k = host_end(p, len, i); /* never a '%' mnemonic: not a host byte */
		if (k > i) {
			s->hostname = fl_str_make(p + i, k - i);
			i = k < len ? k + 1 : len;
			/* "HOST : text" (NX-OS) and "HOST :text": an empty TAG */
			if (i < len && p[i] == ':') {
				i++;
				if (i < len && p[i] == ' ')
					i++;
			}
		}
	}
	if (len - i >= 2 && p[i] == '%' && p[i + 1] == '%')
		huawei_tag(s, p, len, &i);
	else
		tag(s, p, len, &i);
	s->msg = fl_str_make(p + i, len - i);
	return FL_SYSLOG_OK;
}
