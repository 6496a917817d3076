/* tz: fixed offsets, TZif files from the system's zoneinfo, and refusals. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
