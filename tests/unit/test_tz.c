/* tz: fixed offsets, TZif files from the system's zoneinfo, and refusals. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/lib/tz.h"

#define JUL_1_2026_UTC 1782864000 /* 2026-07-01T00:00:00Z */
#define JAN_15_2026_UTC 1768435200 /* 2026-01-15T00:00:00Z */

static const struct {
	const char *spec;
	int32_t off_s;
} fixed[] = {
	{"UTC", 0}, {"Z", 0}, {"GMT", 0}, {"+08:00", 28800}, {"-05:30", -19800},
	{"+0800", 28800}, {"+08", 28800}, {"-00:00", 0}, {"+23:59", 86340},
};

Test(tz, loads_fixed_offsets_in_each_spelling)
{
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		struct fl_tz *tz = NULL;

		cr_assert_eq(fl_tz_load(&tz, fixed[i].spec), 0, "spec %s", fixed[i].spec);
		cr_expect_eq(fl_tz_offset_for_local(tz, JUL_1_2026_UTC), fixed[i].off_s, "spec %s",
			     fixed[i].spec);
		cr_expect_eq(fl_tz_offset_at(tz, JAN_15_2026_UTC), fixed[i].off_s, "spec %s",
			     fixed[i].spec);
		fl_tz_free(tz);
	}
}

Test(tz, refuses_bad_specs_and_names_that_leave_zoneinfo)
{
	static const char *bad[] = {"+24:00", "+08:60", "+8",	 "08:00",      "+08:0",
				    "../../etc/passwd", "Asia/../etc", "Asia//Shanghai", "",
				    "Asia/Shang hai", "Asia/"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fl_tz *tz = (struct fl_tz *)0x1;

		cr_expect_eq(fl_tz_load(&tz, bad[i]), -EINVAL, "spec '%s'", bad[i]);
		cr_expect_eq(tz, (struct fl_tz *)0x1, "spec '%s': out written on failure", bad[i]);
	}
}

Test(tz, reads_an_iana_zone_without_dst)
{
	struct fl_tz *tz = NULL;

	cr_assert_eq(fl_tz_load(&tz, "Asia/Shanghai"), 0);
	cr_expect_eq(fl_tz_offset_at(tz, JUL_1_2026_UTC), 28800);
	cr_expect_eq(fl_tz_offset_for_local(tz, JAN_15_2026_UTC), 28800);
	/* China observed DST in 1986..1991: 1988-07-01 was +09:00 */
	cr_expect_eq(fl_tz_offset_at(tz, 583718400), 9 * 3600);
	fl_tz_free(tz);
}

Test(tz, follows_dst_in_an_iana_zone)
{
	struct fl_tz *tz = NULL;

	cr_assert_eq(fl_tz_load(&tz, "America/New_York"), 0);
	cr_expect_eq(fl_tz_offset_at(tz, JUL_1_2026_UTC), -4 * 3600);
	cr_expect_eq(fl_tz_offset_at(tz, JAN_15_2026_UTC), -5 * 3600);
	cr_expect_eq(fl_tz_offset_for_local(tz, JUL_1_2026_UTC + 12 * 3600), -4 * 3600);
	cr_expect_eq(fl_tz_offset_for_local(tz, JAN_15_2026_UTC + 12 * 3600), -5 * 3600);
	/* 2026-03-08 02:30 local does not exist: either neighbour is acceptable */
	{
		int32_t gap = fl_tz_offset_for_local(tz, 1772937000);

		cr_expect(gap == -4 * 3600 || gap == -5 * 3600, "gap gave %d", gap);
	}
	fl_tz_free(tz);
}

Test(tz, loads_the_machine_zone_and_an_absolute_path)
{
	struct fl_tz *tz = NULL;

	cr_expect_eq(fl_tz_load(&tz, NULL), 0);
	fl_tz_free(tz);
	tz = NULL;
	cr_expect_eq(fl_tz_load(&tz, "/usr/share/zoneinfo/Asia/Shanghai"), 0);
	cr_expect_eq(fl_tz_offset_at(tz, JUL_1_2026_UTC), 28800);
	fl_tz_free(tz);
	fl_tz_free(NULL);
}

Test(tz, reports_missing_and_invalid_files)
{
	struct fl_tz *tz = NULL;
	char path[] = "/tmp/fl-tz-XXXXXX";
	unsigned char head[60];
	int fd, src;
	ssize_t n;

	cr_expect_eq(fl_tz_load(&tz, "Nowhere/No_Such_Zone"), -ENOENT);
	cr_expect_eq(fl_tz_load(&tz, "/etc/passwd"), -ENOEXEC);
	/* a TZif file cut after its header */
	src = open("/usr/share/zoneinfo/Asia/Shanghai", O_RDONLY);
	cr_assert(src >= 0);
	n = read(src, head, sizeof(head));
	close(src);
	cr_assert_eq(n, (ssize_t)sizeof(head));
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, head, sizeof(head)), (ssize_t)sizeof(head));
	close(fd);
	cr_expect_eq(fl_tz_load(&tz, path), -ENOEXEC);
	unlink(path);
	cr_expect_null(tz);
}

Test(tz, treats_null_as_utc)
{
	cr_expect_eq(fl_tz_offset_at(NULL, JUL_1_2026_UTC), 0);
	cr_expect_eq(fl_tz_offset_for_local(NULL, JUL_1_2026_UTC), 0);
}

/* Past the last transition of a file the footer's POSIX rule decides. */
#define JUL_1_2045_UTC 2382480000LL
#define JAN_15_2045_UTC 2368051200LL
#define JUL_1_2050_UTC 2540246400LL
#define JAN_15_2050_UTC 2525817600LL
#define MAR_26_2045_0100_UTC 2374102800LL /* last Sunday of March 2045, 01:00Z */

static const struct {
	const char *zone;
	int64_t at;
	int32_t off_s;
} far_future[] = {
	{"Europe/Berlin", JUL_1_2045_UTC, 2 * 3600},
	{"Europe/Berlin", JAN_15_2045_UTC, 1 * 3600},
	{"Europe/Berlin", MAR_26_2045_0100_UTC - 1, 1 * 3600},
	{"Europe/Berlin", MAR_26_2045_0100_UTC, 2 * 3600},
	{"America/New_York", JUL_1_2050_UTC, -4 * 3600},
	{"America/New_York", JAN_15_2050_UTC, -5 * 3600},
	{"Asia/Shanghai", JUL_1_2050_UTC, 8 * 3600},
	{"Asia/Shanghai", JAN_15_2050_UTC, 8 * 3600},
	/* southern hemisphere, half-hour daylight saving */
	{"Australia/Lord_Howe", JAN_15_2050_UTC, 11 * 3600},
	{"Australia/Lord_Howe", JUL_1_2050_UTC, 10 * 3600 + 1800},
};

Test(tz, follows_the_footer_rule_past_the_last_transition)
{
	for (size_t i = 0; i < sizeof(far_future) / sizeof(far_future[0]); i++) {
		struct fl_tz *tz = NULL;

		cr_assert_eq(fl_tz_load(&tz, far_future[i].zone), 0, "%s", far_future[i].zone);
		cr_expect_eq(fl_tz_offset_at(tz, far_future[i].at), far_future[i].off_s,
			     "%s at %lld", far_future[i].zone, (long long)far_future[i].at);
		/* the same instant as a wall-clock time reads back the same offset */
		cr_expect_eq(fl_tz_offset_for_local(tz, far_future[i].at + far_future[i].off_s),
			     far_future[i].off_s, "%s local", far_future[i].zone);
		fl_tz_free(tz);
	}
}

/* A TZif v2 file with no transitions at all, only a footer: the rule is the
 * whole zone (independent of the machine's tzdata). */
static void write_footer_only_zone(const char *path, const char *footer)
{
	unsigned char head[44] = "TZif2";
	unsigned char data[6 + 4] = {0, 0, 0x0e, 0x10, 0, 0, 'C', 'E', 'T', 0};
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	head[39] = 1; /* typecnt */
	head[43] = 4; /* charcnt */
	for (int block = 0; block < 2; block++) {
		cr_assert_eq(fwrite(head, 1, sizeof(head), f), sizeof(head));
		cr_assert_eq(fwrite(data, 1, sizeof(data), f), sizeof(data));
	}
	cr_assert_eq(fwrite(footer, 1, strlen(footer), f), strlen(footer));
	fclose(f);
}

Test(tz, applies_a_footer_rule_without_transitions)
{
	char path[] = "/tmp/fl-tz-rule-XXXXXX";
	struct fl_tz *tz = NULL;
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	close(fd);
	write_footer_only_zone(path, "\nCET-1CEST,M3.5.0,M10.5.0/3\n");
	cr_assert_eq(fl_tz_load(&tz, path), 0);
	cr_expect_eq(fl_tz_offset_at(tz, JUL_1_2026_UTC), 2 * 3600);
	cr_expect_eq(fl_tz_offset_at(tz, JAN_15_2026_UTC), 1 * 3600);
	cr_expect_eq(fl_tz_offset_at(tz, MAR_26_2045_0100_UTC), 2 * 3600);
	cr_expect_eq(fl_tz_offset_for_local(tz, JUL_1_2045_UTC), 2 * 3600);
	fl_tz_free(tz);
	unlink(path);
}

Test(tz, reads_named_zones_from_tzdir)
{
	char dir[] = "/tmp/fl-tzdir-XXXXXX";
	char sub[64], path[96];
	struct fl_tz *tz = NULL;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/Test", dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/Zone", sub);
	write_footer_only_zone(path, "\nCET-1CEST,M3.5.0,M10.5.0/3\n");
	cr_assert_eq(setenv("TZDIR", dir, 1), 0);
	cr_expect_eq(fl_tz_load(&tz, "Test/Zone"), 0);
	cr_expect_eq(fl_tz_offset_at(tz, JUL_1_2026_UTC), 2 * 3600);
	fl_tz_free(tz);
	tz = NULL;
	cr_expect_eq(fl_tz_load(&tz, "Asia/Shanghai"), -ENOENT); /* not under TZDIR */
	unsetenv("TZDIR");
	cr_expect_eq(fl_tz_load(&tz, "Asia/Shanghai"), 0);
	fl_tz_free(tz);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
}
