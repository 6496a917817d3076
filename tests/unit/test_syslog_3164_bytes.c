/* RFC 3164 month names and HOSTNAME bytes, decoded against the rules as the
 * decoder first wrote them (a loop over the twelve names, a compare per
 * allowed byte class), on every byte and on random input: the decoder now
 * packs a month into one number and tests host bytes in a bitmap. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "engine/decode/event.h"
#include "engine/decode/syslog.h"
#include "engine/lib/tz.h"

#define RECEIVED_NS ((int64_t)1795579200 * 1000000000) /* 2026-11-25T12:00:00+08:00 */

static int ref_month(const char *p)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";

	for (int m = 0; m < 12; m++) {
		int k = 0;

		while (k < 3 && (p[k] >= 'A' && p[k] <= 'Z' ? p[k] - 'A' + 'a' : p[k]) ==
				    months[m * 3 + k])
			k++;
		if (k == 3)
			return m + 1;
	}
	return 0;
}

static bool ref_host(const char *p, size_t n)
{
	if (n == 0 || n > FL_SYSLOG_HOSTNAME_MAX || p[n - 1] == ':')
		return false;
	for (size_t k = 0; k < n; k++) {
		char c = p[k];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '_' || c == ':'))
			return false;
	}
	return true;
}

/* xorshift64: a fixed seed, so a failure is reproduced by running again */
static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static struct fl_tz *zone(void)
{
	struct fl_tz *tz = NULL;

	cr_assert_eq(fl_tz_load(&tz, "+08:00"), 0);
	return tz;
}

static void check_month(const char name[3], const struct fl_syslog_opts *opts)
{
	static const char canon[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	static struct fl_event ev, want;
	char line[64], ref_line[64];
	int m = ref_month(name);
	enum fl_syslog_verdict v;
	int n = snprintf(line, sizeof(line), "<13>%.3s 25 10:00:00 h t: x", name);

	v = fl_syslog_decode(&ev, line, (size_t)n, opts);
	cr_expect_eq(v == FL_SYSLOG_OK && ev.has_time, m != 0, "month '%.3s' (reference %d)", name,
		     m);
	if (m == 0 || v != FL_SYSLOG_OK)
		return;
	n = snprintf(ref_line, sizeof(ref_line), "<13>%s 25 10:00:00 h t: x", canon[m - 1]);
	cr_assert_eq(fl_syslog_decode(&want, ref_line, (size_t)n, opts), FL_SYSLOG_OK);
	cr_expect_eq(ev.time_ns, want.time_ns, "month '%.3s' read as another month", name);
}

Test(syslog_3164_bytes, reads_month_names_as_the_reference_does)
{
	static const char alphabet[] = "janfebmaraprmayjunjulaugsepoctnovdecJANFEBMARAPRMAYJUNJULAUG"
				       "SEPOCTNOVDECxyzXYZ0@[`{ ";
	struct fl_tz *tz = zone();
	struct fl_syslog_opts opts = {.received_ns = RECEIVED_NS, .tz = tz, .year = 2026};
	uint64_t seed = 0x9e3779b97f4a7c15u;
	char name[3];

	for (int m = 0; m < 12; m++)
		for (int mask = 0; mask < 8; mask++) { /* every case of every name */
			memcpy(name, "janfebmaraprmayjunjulaugsepoctnovdec" + m * 3, 3);
			for (int k = 0; k < 3; k++)
				if (mask >> k & 1)
					name[k] = (char)(name[k] - 'a' + 'A');
			check_month(name, &opts);
		}
	for (int i = 0; i < 20000; i++) {
		for (int k = 0; k < 3; k++)
			name[k] = alphabet[next(&seed) % (sizeof(alphabet) - 1)];
		check_month(name, &opts);
	}
	fl_tz_free(tz);
}

/* "<13>Nov 25 10:00:00 TOKEN t: x": TOKEN is the HOSTNAME exactly when the
 * reference accepts it. */
static void check_host(const char *tok, size_t n, const struct fl_syslog_opts *opts)
{
	static struct fl_event ev;
	char line[512];
	size_t len = 0;
	bool want = ref_host(tok, n), got;

	memcpy(line, "<13>Nov 25 10:00:00 ", 20);
	len = 20;
	memcpy(line + len, tok, n);
	len += n;
	memcpy(line + len, " t: x", 5);
	len += 5;
	cr_assert_eq(fl_syslog_decode(&ev, line, len, opts), FL_SYSLOG_OK);
	got = fl_str_present(ev.syslog.hostname) && ev.syslog.hostname.len == n &&
	      memcmp(ev.syslog.hostname.p, line + 20, n) == 0;
	cr_expect_eq(got, want, "host '%.*s' (%zu bytes): decoder %d, reference %d", (int)n, tok,
		     n, got, want);
}

Test(syslog_3164_bytes, takes_host_bytes_as_the_reference_does)
{
	struct fl_syslog_opts opts = {.received_ns = RECEIVED_NS, .year = 2026};
	uint64_t seed = 0x2545f4914f6cdd1du;
	char tok[300];

	for (int c = 1; c < 256; c++) { /* every byte, inside and at the end */
		if (c == ' ')
			continue;
		tok[0] = 'h';
		tok[1] = (char)c;
		tok[2] = 's';
		check_host(tok, 3, &opts);
		check_host(tok, 2, &opts);
	}
	for (int i = 0; i < 20000; i++) {
		size_t n = 1 + next(&seed) % (i % 100 == 0 ? 280 : 24);

		for (size_t k = 0; k < n; k++) {
			uint64_t r = next(&seed);

			/* mostly host bytes, so that long accepted names occur */
			tok[k] = (char)(r % 8 ? "ab-.Z9_:"[r >> 8 & 7] : (int)(1 + (r >> 8) % 255));
			if (tok[k] == ' ')
				tok[k] = 'x';
		}
		if (tok[0] == '%')
			tok[0] = 'h';
		check_host(tok, n, &opts);
	}
}
