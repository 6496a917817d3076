/* tz.c - fixed offsets and TZif (RFC 8536) zones; see tz.h. */
#include "engine/lib/tz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/lib/civil.h"

#define ZONEINFO_DIR "/usr/share/zoneinfo"
#define LOCALTIME_PATH "/etc/localtime"
#define ZONE_NAME_MAX 128
#define ZONE_DIR_MAX 1024
#define OFFSET_MAX_S (26 * 3600) /* RFC 8536 §3.2: |utoff| < 25h; a little slack */
#define RULE_TIME_MAX_S (167 * 3600) /* RFC 8536 §3.3.1: transition times to ±167h */
#define DAY_S 86400

/* One end of a POSIX TZ daylight-saving rule: a day of the year and the
 * local time of day the change happens at. */
struct rule_date {
	char form;	/* 'J': Jn, 1..365 without Feb 29; 'D': n, 0..365; 'M': Mm.w.d */
	int n, month, week, wday;
	int32_t time_s; /* local time of day, may be negative or past 24h (v3) */
};

/* The footer's rule (RFC 8536 §3.3): what the zone does after the file's
 * last transition. */
struct posix_rule {
	bool has_dst;
	int32_t std_off, dst_off; /* east-positive, unlike the TZ string */
	struct rule_date start, end;
};

struct fl_tz {
	int32_t initial_off; /* before the first transition (time type 0) */
	int32_t final_off; /* after the last one when there is no DST rule */
	size_t n_trans;
	int64_t *trans_at; /* UTC seconds, ascending */
	int32_t *trans_off; /* offset in force from trans_at[i] */
	bool has_rule; /* rule applies after the last transition */
	struct posix_rule rule;
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "+08:00", "-05:30", "+0800", "+08": the sign, then hours (0..23), then
 * optional minutes (0..59) with or without a colon. */
static int parse_fixed(const char *s, int32_t *off)
{
	int sign, hours, minutes = 0;

	if (s[0] != '+' && s[0] != '-')
		return -EINVAL;
	sign = s[0] == '-' ? -1 : 1;
	if (!is_digit(s[1]) || !is_digit(s[2]))
		return -EINVAL;
	hours = (s[1] - '0') * 10 + (s[2] - '0');
	s += 3;
	if (*s == ':')
		s++;
	if (*s) {
		if (!is_digit(s[0]) || !is_digit(s[1]) || s[2] != '\0')
			return -EINVAL;
		minutes = (s[0] - '0') * 10 + (s[1] - '0');
	}
	if (hours > 23 || minutes > 59)
		return -EINVAL;
	*off = (int32_t)(sign * (hours * 3600 + minutes * 60));
	return 0;
}

/* An IANA name is a relative path of [A-Za-z0-9_+-] components: no "..", no
 * empty component, so it cannot leave the zoneinfo directory. */
static bool zone_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > ZONE_NAME_MAX || s[0] == '/' || s[n - 1] == '/')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '/') {
			if (s[i + 1] == '/')
				return false;
			continue;
		}
		if (c == '.')
			return false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) ||
		      c == '_' || c == '+' || c == '-'))
			return false;
	}
	return true;
}

static int read_file(const char *path, unsigned char **out, size_t *out_len)
{
	unsigned char *buf;
	size_t len = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(FL_TZ_FILE_MAX + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		ssize_t got = read(fd, buf + len, FL_TZ_FILE_MAX + 1 - len);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			goto out_free;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (len > FL_TZ_FILE_MAX) {
			rc = -EFBIG;
			goto out_free;
		}
	}
	close(fd);
	*out = buf;
	*out_len = len;
	return 0;

out_free:
	free(buf);
out_close:
	close(fd);
	return rc;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_counts {
	uint32_t isut, isstd, leap, time, type, chr;
};

/* Reads a 44-byte TZif header at p (RFC 8536 §3.1). */
static int tzif_header(const unsigned char *p, size_t n, struct tzif_counts *c, int *version)
{
	if (n < 44 || memcmp(p, "TZif", 4) != 0)
		return -ENOEXEC;
	*version = p[4] == 0 ? 1 : p[4] - '0';
	c->isut = be32(p + 20);
	c->isstd = be32(p + 24);
	c->leap = be32(p + 28);
	c->time = be32(p + 32);
	c->type = be32(p + 36);
	c->chr = be32(p + 40);
	if (c->type == 0 || c->type > 256 || c->chr == 0 || c->time > 1000000 ||
	    c->leap > 100000 || (c->isut != 0 && c->isut != c->type) ||
	    (c->isstd != 0 && c->isstd != c->type))
		return -ENOEXEC;
	return 0;
}

/* Bytes of the data block that follows a header, for time values of tsize bytes. */
static size_t tzif_block_len(const struct tzif_counts *c, size_t tsize)
{
	return c->time * tsize + c->time + c->type * 6 + c->chr + c->leap * (tsize + 4) +
	       c->isstd + c->isut;
}

/* The POSIX TZ string reader: a cursor over the footer's text. */
struct tzstr {
	const unsigned char *p, *end;
};

static bool ts_digit(const struct tzstr *t)
{
	return t->p < t->end && is_digit((char)*t->p);
}

static bool ts_eat(struct tzstr *t, char c)
{
	if (t->p < t->end && *t->p == c) {
		t->p++;
		return true;
	}
	return false;
}

static bool ts_number(struct tzstr *t, int max, int *out)
{
	int v = 0;

	if (!ts_digit(t))
		return false;
	while (ts_digit(t)) {
		v = v * 10 + (*t->p++ - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

/* A zone abbreviation: three or more letters, or <...> quoted. */
static bool ts_name(struct tzstr *t)
{
	const unsigned char *start = t->p;

	if (ts_eat(t, '<')) {
		while (t->p < t->end && *t->p != '>')
			t->p++;
		return ts_eat(t, '>');
	}
	while (t->p < t->end && ((*t->p >= 'A' && *t->p <= 'Z') || (*t->p >= 'a' && *t->p <= 'z')))
		t->p++;
	return t->p - start >= 3;
}

/* [+-]hh[:mm[:ss]], hours up to max_h; the value as written (west-positive
 * for an offset, a time of day for a rule). */
static bool ts_hms(struct tzstr *t, int max_h, int32_t *out)
{
	int sign = 1, h, m = 0, sec = 0;

	if (ts_eat(t, '-'))
		sign = -1;
	else
		(void)ts_eat(t, '+');
	if (!ts_number(t, max_h, &h))
		return false;
	if (ts_eat(t, ':') && (!ts_number(t, 59, &m) || (ts_eat(t, ':') && !ts_number(t, 59, &sec))))
		return false;
	*out = (int32_t)(sign * (h * 3600 + m * 60 + sec));
	return true;
}

/* Jn | n | Mm.w.d, then an optional /time (default 02:00). */
static bool ts_date(struct tzstr *t, struct rule_date *d)
{
	d->time_s = 7200;
	if (ts_eat(t, 'J')) {
		d->form = 'J';
		if (!ts_number(t, 365, &d->n) || d->n < 1)
			return false;
	} else if (ts_eat(t, 'M')) {
		d->form = 'M';
		if (!ts_number(t, 12, &d->month) || d->month < 1 || !ts_eat(t, '.') ||
		    !ts_number(t, 5, &d->week) || d->week < 1 || !ts_eat(t, '.') ||
		    !ts_number(t, 6, &d->wday))
			return false;
	} else {
		d->form = 'D';
		if (!ts_number(t, 365, &d->n))
			return false;
	}
	return !ts_eat(t, '/') || ts_hms(t, RULE_TIME_MAX_S / 3600, &d->time_s);
}

/* Footer "\nTZ\n" (RFC 8536 §3.3): std offset [dst [offset] [,start,end]].
 * An empty footer, or one this reader does not understand, returns false
 * and the zone keeps the last transition's offset. */
static bool footer_rule(const unsigned char *p, size_t n, struct posix_rule *r)
{
	struct tzstr t = {p, p + n};
	int32_t west;

	memset(r, 0, sizeof(*r));
	if (!ts_eat(&t, '\n') || !ts_name(&t) || !ts_hms(&t, 24, &west))
		return false;
	r->std_off = -west;
	if (ts_eat(&t, '\n'))
		return true;
	if (!ts_name(&t))
		return false;
	r->has_dst = true;
	r->dst_off = r->std_off + 3600;
	if (t.p < t.end && *t.p != ',' && *t.p != '\n') {
		if (!ts_hms(&t, 24, &west))
			return false;
		r->dst_off = -west;
	}
	/* no rule: POSIX leaves it to the implementation; tzcode uses the US one */
	if (!ts_eat(&t, ',')) {
		r->start = (struct rule_date){'M', 0, 3, 2, 0, 7200};
		r->end = (struct rule_date){'M', 0, 11, 1, 0, 7200};
		return ts_eat(&t, '\n');
	}
	return ts_date(&t, &r->start) && ts_eat(&t, ',') && ts_date(&t, &r->end) &&
	       ts_eat(&t, '\n');
}

/* The year a day number falls in. */
static int64_t year_of_days(int64_t days)
{
	int64_t y;
	unsigned m, d;

	fl_civil_from_days(days, &y, &m, &d);
	return y;
}

/* The day (since the epoch) a rule date falls on in year y. */
static int64_t rule_day(const struct rule_date *d, int64_t y)
{
	int64_t jan1 = fl_days_from_civil(y, 1, 1), first, day;
	int64_t last;

	if (d->form == 'J')
		return jan1 + d->n - 1 + (fl_is_leap_year(y) && d->n >= 60);
	if (d->form == 'D')
		return jan1 + d->n;
	first = fl_days_from_civil(y, (unsigned)d->month, 1);
	/* 1970-01-01 was a Thursday (4) */
	day = first + ((d->wday - (first + 4) % 7 + 7) % 7) + (int64_t)(d->week - 1) * 7;
	last = fl_days_in_month(y, (unsigned)d->month);
	while (day >= first + last)
		day -= 7;
	return day;
}

static int32_t rule_offset_at(const struct posix_rule *r, int64_t utc_s)
{
	int64_t local = utc_s + r->std_off, y, start, end;

	if (!r->has_dst)
		return r->std_off;
	y = year_of_days(local >= 0 ? local / DAY_S : -((-local + DAY_S - 1) / DAY_S));
	/* start is written in standard time, end in daylight time */
	start = rule_day(&r->start, y) * DAY_S + r->start.time_s - r->std_off;
	end = rule_day(&r->end, y) * DAY_S + r->end.time_s - r->dst_off;
	if (start < end) /* northern hemisphere: DST inside the year */
		return utc_s >= start && utc_s < end ? r->dst_off : r->std_off;
	return utc_s >= end && utc_s < start ? r->std_off : r->dst_off;
}

static int tzif_parse(struct fl_tz *tz, const unsigned char *p, size_t n)
{
	struct tzif_counts c;
	const unsigned char *times, *idx, *types;
	size_t tsize = 4, block;
	int version, rc;

	rc = tzif_header(p, n, &c, &version);
	if (rc < 0)
		return rc;
	block = tzif_block_len(&c, 4);
	if (block > n - 44)
		return -ENOEXEC;
	if (version >= 2) { /* skip the 32-bit block: use the 64-bit one */
		p += 44 + block;
		n -= 44 + block;
		rc = tzif_header(p, n, &c, &version);
		if (rc < 0)
			return rc;
		tsize = 8;
		block = tzif_block_len(&c, 8);
		if (block > n - 44)
			return -ENOEXEC;
	}
	times = p + 44;
	idx = times + c.time * tsize;
	types = idx + c.time;
	tz->trans_at = calloc(c.time + 1, sizeof(*tz->trans_at));
	tz->trans_off = calloc(c.time + 1, sizeof(*tz->trans_off));
	if (!tz->trans_at || !tz->trans_off)
		return -ENOMEM;
	tz->initial_off = (int32_t)be32(types);
	for (size_t i = 0; i < c.time; i++) {
		int64_t at = tsize == 8 ? be64(times + i * 8) : (int32_t)be32(times + i * 4);
		int32_t off;

		if (idx[i] >= c.type)
			return -ENOEXEC;
		off = (int32_t)be32(types + idx[i] * 6);
		if (off > OFFSET_MAX_S || off < -OFFSET_MAX_S || (i > 0 && at <= tz->trans_at[i - 1]))
			return -ENOEXEC;
		tz->trans_at[i] = at;
		tz->trans_off[i] = off;
	}
	if (tz->initial_off > OFFSET_MAX_S || tz->initial_off < -OFFSET_MAX_S)
		return -ENOEXEC;
	tz->n_trans = c.time;
	tz->final_off = c.time ? tz->trans_off[c.time - 1] : tz->initial_off;
	if (version >= 2 && footer_rule(p + 44 + block, n - 44 - block, &tz->rule)) {
		tz->final_off = tz->rule.std_off;
		tz->has_rule = tz->rule.has_dst;
	}
	return 0;
}

static int load_file(struct fl_tz *tz, const char *path)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	int rc;

	rc = read_file(path, &buf, &len);
	if (rc < 0)
		return rc;
	rc = tzif_parse(tz, buf, len);
	free(buf);
	return rc;
}

/* TZDIR when set (as tzcode and glibc honour it), else the system's. */
static int load_named(struct fl_tz *tz, const char *name)
{
	char path[ZONE_DIR_MAX + 1 + ZONE_NAME_MAX + 1];
	const char *dir = getenv("TZDIR");
	int n;

	if (!dir || !*dir)
		dir = ZONEINFO_DIR;
	if (strlen(dir) > ZONE_DIR_MAX)
		return -ENAMETOOLONG;
	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	return load_file(tz, path);
}

int fl_tz_load(struct fl_tz **out, const char *spec)
{
	struct fl_tz *tz;
	int rc = 0;

	tz = calloc(1, sizeof(*tz));
	if (!tz)
		return -ENOMEM;
	if (!spec) {
		rc = load_file(tz, LOCALTIME_PATH);
	} else if (strcmp(spec, "UTC") == 0 || strcmp(spec, "Z") == 0 ||
		   strcmp(spec, "GMT") == 0) {
		tz->initial_off = tz->final_off = 0;
	} else if (spec[0] == '+' || spec[0] == '-') {
		rc = parse_fixed(spec, &tz->initial_off);
		tz->final_off = tz->initial_off;
	} else if (spec[0] == '/') {
		rc = load_file(tz, spec);
	} else if (zone_name_ok(spec)) {
		rc = load_named(tz, spec);
	} else {
		rc = -EINVAL;
	}
	if (rc < 0) {
		fl_tz_free(tz);
		return rc;
	}
	*out = tz;
	return 0;
}

void fl_tz_free(struct fl_tz *tz)
{
	if (!tz)
		return;
	free(tz->trans_at);
	tz->trans_at = NULL;
	free(tz->trans_off);
	tz->trans_off = NULL;
	free(tz);
}

int32_t fl_tz_offset_at(const struct fl_tz *tz, int64_t utc_s)
{
	size_t lo = 0, hi;

	if (!tz)
		return 0;
	hi = tz->n_trans;
	if (hi == 0)
		return tz->has_rule ? rule_offset_at(&tz->rule, utc_s) : tz->initial_off;
	if (utc_s < tz->trans_at[0])
		return tz->initial_off;
	if (utc_s >= tz->trans_at[hi - 1])
		return tz->has_rule ? rule_offset_at(&tz->rule, utc_s) : tz->final_off;
	while (hi - lo > 1) { /* invariant: trans_at[lo] <= utc_s < trans_at[hi] */
		size_t mid = lo + (hi - lo) / 2;

		if (tz->trans_at[mid] <= utc_s)
			lo = mid;
		else
			hi = mid;
	}
	return tz->trans_off[lo];
}

int32_t fl_tz_offset_for_local(const struct fl_tz *tz, int64_t local_s)
{
	int32_t guess, off;

	if (!tz)
		return 0;
	if (tz->n_trans == 0 && !tz->has_rule)
		return tz->initial_off;
	/* local = utc + off(utc): take the offset in force a guessed UTC time, then
	 * refine once. Outside a DST change both agree; inside one this settles on
	 * the offset of the second guess. */
	guess = fl_tz_offset_at(tz, local_s);
	off = fl_tz_offset_at(tz, local_s - guess);
	if (off != guess && fl_tz_offset_at(tz, local_s - off) != off)
		return guess;
	return off;
}
