/* tz.c - fixed offsets and TZif (RFC 8536) zones; see tz.h. */
#include "engine/lib/tz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ZONEINFO_DIR "/usr/share/zoneinfo/"
#define LOCALTIME_PATH "/etc/localtime"
#define ZONE_NAME_MAX 128
#define OFFSET_MAX_S (26 * 3600) /* RFC 8536 §3.2: |utoff| < 25h; a little slack */

struct fl_tz {
	int32_t initial_off; /* before the first transition (time type 0) */
	int32_t final_off; /* after the last one (footer's fixed offset, else the last type) */
	size_t n_trans;
	int64_t *trans_at; /* UTC seconds, ascending */
	int32_t *trans_off; /* offset in force from trans_at[i] */
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

/* Footer "\nSTD offset\n" with no DST part: a POSIX TZ string such as "CST-8"
 * (POSIX offsets are west-positive). Returns false for anything with a rule. */
static bool footer_fixed(const unsigned char *p, size_t n, int32_t *off)
{
	size_t i = 0;
	int sign = -1, hours = 0, minutes = 0;

	if (n < 3 || p[0] != '\n')
		return false;
	i = 1;
	if (i < n && p[i] == '<') {
		while (i < n && p[i] != '>')
			i++;
		i++;
	} else {
		while (i < n && ((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z')))
			i++;
	}
	if (i < n && (p[i] == '+' || p[i] == '-')) {
		sign = p[i] == '-' ? 1 : -1;
		i++;
	}
	if (i >= n || !is_digit((char)p[i]))
		return false;
	while (i < n && is_digit((char)p[i]))
		hours = hours * 10 + (p[i++] - '0');
	if (i < n && p[i] == ':') {
		i++;
		while (i < n && is_digit((char)p[i]))
			minutes = minutes * 10 + (p[i++] - '0');
	}
	if (i >= n || p[i] != '\n' || hours > 24 || minutes > 59)
		return false;
	*off = (int32_t)(sign * (hours * 3600 + minutes * 60));
	return true;
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
	if (version >= 2) {
		int32_t off;

		if (footer_fixed(p + 44 + block, n - 44 - block, &off))
			tz->final_off = off;
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

int fl_tz_load(struct fl_tz **out, const char *spec)
{
	char path[sizeof(ZONEINFO_DIR) + ZONE_NAME_MAX];
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
		memcpy(path, ZONEINFO_DIR, sizeof(ZONEINFO_DIR) - 1);
		memcpy(path + sizeof(ZONEINFO_DIR) - 1, spec, strlen(spec) + 1);
		rc = load_file(tz, path);
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
	if (hi == 0 || utc_s < tz->trans_at[0])
		return tz->initial_off;
	if (utc_s >= tz->trans_at[hi - 1])
		return tz->final_off;
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
	if (tz->n_trans == 0)
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
