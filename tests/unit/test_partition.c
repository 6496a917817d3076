/* The partition map over riverport (tests/networks/riverport): two cities,
 * one backbone ring between them. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/inventory/partition.h"

static struct fl_inventory *inv;
static char errors[4096];

static struct fl_str S(const char *s)
{
	return fl_str_make(s, strlen(s));
}

static void keep_error(void *ctx, const char *file, size_t line, size_t col, const char *msg)
{
	size_t n = strlen(errors);

	(void)ctx;
	snprintf(errors + n, sizeof(errors) - n, "%s:%zu:%zu: %s\n", file, line, col, msg);
}

static void load_riverport(void)
{
	static const char *const names[8] = {"devices", "sites",    "rings",    "spans",
					     "chains",  "circuits", "contacts", "maintenance"};
	const char *root = getenv("FL_ROOT");
	char files[8][600];
	struct fl_inventory_paths paths;

	for (int i = 0; i < 8; i++)
		snprintf(files[i], sizeof(files[i]), "%s/tests/networks/riverport/%s.csv",
			 root && *root ? root : ".", names[i]);
	paths = (struct fl_inventory_paths){files[0], files[1], files[2], files[3],
					    files[4], files[5], files[6], files[7]};
	cr_assert_eq(fl_inventory_load(&inv, &paths, keep_error, NULL), 0, "riverport loads: %s",
		     errors);
	errors[0] = '\0';
}

static void free_riverport(void)
{
	fl_inventory_free(inv);
	inv = NULL;
}

TestSuite(partition, .init = load_riverport, .fini = free_riverport, .timeout = 30);

static struct fl_partition_map *load_text(const char *text, int want_rc)
{
	struct fl_partition_map *m = NULL;
	struct fl_str t = text ? S(text) : FL_STR_NONE;
	int rc = fl_partition_map_load_text(&m, inv, "partitions.csv", text ? &t : NULL,
					    keep_error, NULL);

	cr_assert_eq(rc, want_rc, "load returned %d: %s", rc, errors);
	return m;
}

static size_t span_owner(const struct fl_partition_map *m, const char *span)
{
	return fl_partition_of_span(m, fl_inventory_span(inv, S(span)));
}

Test(partition, gives_each_city_a_partition_and_a_backbone_span_its_a_end)
{
	struct fl_partition_map *m = load_text(NULL, 0);
	size_t rv = fl_partition_find(m, S("Riverport")), fb = fl_partition_find(m, S("Ferrybridge"));

	cr_assert_eq(fl_partition_count(m), 2);
	cr_assert_neq(rv, FL_PARTITION_NONE);
	cr_assert_neq(fb, FL_PARTITION_NONE);
	cr_expect_eq(fl_partition_find(m, S("Nowhere")), FL_PARTITION_NONE);
	cr_expect_eq(span_owner(m, "FB-CR01-S02"), fb);
	cr_expect_eq(span_owner(m, "BB-R01-S01"), rv, "both ends in Riverport");
	cr_expect_eq(span_owner(m, "BB-R01-S02"), rv, "a end RV-JK-OTN01");
	cr_expect_eq(span_owner(m, "BB-R01-S03"), fb, "a end FB-QT-OTN01");
	fl_partition_map_free(m);
}

Test(partition, shows_the_owner_the_far_end_of_its_backbone_span_only)
{
	struct fl_partition_map *m = load_text(NULL, 0);
	size_t rv = fl_partition_find(m, S("Riverport")), fb = fl_partition_find(m, S("Ferrybridge"));
	const struct fl_inv_device *fbq = fl_inventory_device(inv, S("FB-QT-OTN01"));
	const struct fl_inv_device *fbsdh = fl_inventory_device(inv, S("FB-QT-SDH01"));

	cr_expect(fl_partition_sees_device(m, fb, fbq));
	cr_expect(fl_partition_sees_device(m, rv, fbq), "RV owns BB-R01-S02, FB-QT-OTN01's west");
	cr_expect_not(fl_partition_sees_device(m, rv, fbsdh), "a city ring device of FB");
	fl_partition_map_free(m);
}

Test(partition, takes_span_and_ring_rows_over_the_a_end_rule)
{
	struct fl_partition_map *m = load_text("partition,kind,target\r\n"
					       "west,city,Riverport\r\n"
					       "east,city,Ferrybridge\r\n"
					       "east,ring,BB-R01\r\n"
					       "west,span,BB-R01-S03\r\n",
					       0);
	size_t west = fl_partition_find(m, S("west")), east = fl_partition_find(m, S("east"));

	cr_expect_eq(span_owner(m, "BB-R01-S02"), east, "the ring row");
	cr_expect_eq(span_owner(m, "BB-R01-S03"), west, "the span row wins over the ring's");
	cr_expect_eq(span_owner(m, "BB-R01-S01"), west, "both ends west: the ring row is moot");
	fl_partition_map_free(m);
}

Test(partition, carves_a_site_out_of_its_city)
{
	struct fl_partition_map *m = load_text("partition,kind,target\n"
					       "west,city,Riverport\n"
					       "east,city,Ferrybridge\n"
					       "east,site,RV-NOC\n",
					       0);

	cr_expect_eq(fl_partition_of_site(m, fl_inventory_site(inv, S("RV-NOC"))),
		     fl_partition_find(m, S("east")));
	cr_expect_eq(fl_partition_of_device(m, fl_inventory_device(inv, S("RV-JK-OTN01"))),
		     fl_partition_find(m, S("west")));
	fl_partition_map_free(m);
}

Test(partition, reports_every_mistake_at_its_line_and_column)
{
	load_text("partition,kind,target\n"
		  "west,city,Riverport\n"
		  "east,city,Ferrybrige\n"
		  "east,town,X\n"
		  "west,site,FB-QT\n"
		  "north,site,FB-QT\n"
		  "south,ring,BB-R09\n",
		  -EINVAL);
	cr_expect(strstr(errors, "partitions.csv:3:11: no city 'Ferrybrige'"), "%s", errors);
	cr_expect(strstr(errors, "partitions.csv:4:6: unknown kind 'town'"), "%s", errors);
	cr_expect(strstr(errors, "partitions.csv:6:12: site 'FB-QT' is in two partitions, 'west' "
				 "(line 5) and 'north'"),
		  "%s", errors);
	cr_expect(strstr(errors, "partitions.csv:7:12: no ring 'BB-R09'"), "%s", errors);
	cr_expect(strstr(errors, "partitions.csv:7:1: partition 'south' has no site"),
		  "checked in the same run: %s", errors);
}

Test(partition, refuses_a_partition_with_no_site_and_a_site_in_none)
{
	load_text("partition,kind,target\n"
		  "west,city,Riverport\n"
		  "east,span,BB-R01-S02\n",
		  -EINVAL);
	cr_expect(strstr(errors, "partitions.csv:3:1: partition 'east' has no site"), "%s", errors);
	cr_expect(strstr(errors, "sites.csv:10:1: site 'FB-QT' is in no partition"), "%s", errors);
}
