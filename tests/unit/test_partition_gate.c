/* The partitioned engine's gate over riverport, partitioned by city:
 * Riverport owns BB-R01-S02 (its a end RV-JK-OTN01), whose far end
 * FB-QT-OTN01 stands in Ferrybridge. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/correlate/correlate.h"
#include "engine/decode/event.h"
#include "engine/inventory/inventory.h"
#include "engine/pipeline/partition_gate.h"

static struct fl_inventory *inv;
static char dir[600];

static struct fl_str S(const char *s)
{
	return fl_str_make(s, strlen(s));
}

static void load_riverport(void)
{
	static const char *const names[8] = {"devices", "sites",    "rings",    "spans",
					     "chains",  "circuits", "contacts", "maintenance"};
	const char *root = getenv("FL_ROOT");
	char files[8][700];
	struct fl_inventory_paths paths;

	snprintf(dir, sizeof(dir), "%s/tests/networks/riverport", root && *root ? root : ".");
	for (int i = 0; i < 8; i++)
		snprintf(files[i], sizeof(files[i]), "%s/%s.csv", dir, names[i]);
	paths = (struct fl_inventory_paths){files[0], files[1], files[2], files[3],
					    files[4], files[5], files[6], files[7]};
	cr_assert_eq(fl_inventory_load(&inv, &paths, NULL, NULL), 0, "riverport loads");
}

static void free_riverport(void)
{
	fl_inventory_free(inv);
	inv = NULL;
}

TestSuite(partition_gate, .init = load_riverport, .fini = free_riverport, .timeout = 30);

static struct fl_partition_gate *gate(const char *name)
{
	struct fl_partition_gate *g = NULL;

	cr_assert_eq(fl_partition_gate_create(&g, inv, dir, name, stderr), 0);
	return g;
}

static bool takes(struct fl_partition_gate *g, const char *host)
{
	struct fl_event ev = {.kind = FL_EVENT_SYSLOG};

	ev.syslog.hostname = S(host);
	return fl_partition_gate_takes_event(g, &ev);
}

Test(partition_gate, takes_its_devices_and_the_far_end_of_its_span_and_drops_the_rest)
{
	struct fl_partition_gate *rv = gate("Riverport"), *fb = gate("Ferrybridge");
	struct fl_partition_gate_stats st;

	cr_expect(takes(rv, "RV-SW-OSN01"));
	cr_expect(takes(rv, "FB-QT-OTN01"), "the far end of BB-R01-S02");
	cr_expect_not(takes(rv, "FB-HA-SDH01"));
	cr_expect(takes(rv, "nms-syslog01"), "no device: taken");
	cr_expect_not(takes(fb, "RV-JK-OTN01"), "Ferrybridge owns no span of RV-JK-OTN01");
	cr_expect(takes(fb, "RV-NOC-OTN01"), "the far end of BB-R01-S03, Ferrybridge's");
	fl_partition_gate_stats(rv, &st);
	cr_expect_eq(st.events_own, 1);
	cr_expect_eq(st.events_border, 1);
	cr_expect_eq(st.events_foreign, 1);
	cr_expect_eq(st.events_unknown, 1);
	fl_partition_gate_destroy(rv);
	fl_partition_gate_destroy(fb);
}

/* A line with no HOSTNAME the inventory knows, from a sender at addr: a
 * v6 socket shows an IPv4 sender as ::ffff:a.b.c.d. */
static bool takes_from(struct fl_partition_gate *g, const char *addr)
{
	struct fl_event ev = {.kind = FL_EVENT_SYSLOG, .has_peer = true};
	struct sockaddr_in *in = (struct sockaddr_in *)&ev.peer;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ev.peer;

	ev.syslog.hostname = S("-");
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
	} else {
		cr_assert_eq(inet_pton(AF_INET6, addr, &in6->sin6_addr), 1, "%s", addr);
		in6->sin6_family = AF_INET6;
	}
	return fl_partition_gate_takes_event(g, &ev);
}

Test(partition_gate, places_a_nameless_line_by_its_senders_address_of_either_family)
{
	struct fl_partition_gate *rv = gate("Riverport");
	struct fl_partition_gate_stats st;

	cr_expect(takes_from(rv, "10.71.2.2"), "RV-SW-OSN01");
	cr_expect(takes_from(rv, "::ffff:10.71.2.2"), "RV-SW-OSN01 through a v6 socket");
	cr_expect_not(takes_from(rv, "10.72.2.2"), "FB-HA-SDH01, Ferrybridge's");
	cr_expect_not(takes_from(rv, "::ffff:10.72.2.2"), "FB-HA-SDH01 through a v6 socket");
	cr_expect(takes_from(rv, "fd00::1"), "no device: taken");
	fl_partition_gate_stats(rv, &st);
	cr_expect_eq(st.events_own, 2);
	cr_expect_eq(st.events_foreign, 2);
	cr_expect_eq(st.events_unknown, 1);
	fl_partition_gate_destroy(rv);
}

Test(partition_gate, writes_an_incident_where_its_span_or_site_is)
{
	struct fl_partition_gate *rv = gate("Riverport"), *fb = gate("Ferrybridge");
	struct fl_incident cut = {.n_spans = 1};
	struct fl_incident site = {0}, nowhere = {0};

	cut.spans[0] = fl_inventory_span(inv, S("BB-R01-S02"));
	cut.device = fl_inventory_device(inv, S("FB-QT-OTN01")); /* the span decides */
	site.site = fl_inventory_site(inv, S("FB-HP"));
	cr_expect(fl_partition_gate_keeps_incident(rv, &cut));
	cr_expect_not(fl_partition_gate_keeps_incident(fb, &cut));
	cr_expect(fl_partition_gate_keeps_incident(fb, &site));
	cr_expect_not(fl_partition_gate_keeps_incident(rv, &site));
	cr_expect(fl_partition_gate_keeps_incident(rv, &nowhere));
	cr_expect(fl_partition_gate_keeps_incident(fb, &nowhere));
	fl_partition_gate_destroy(rv);
	fl_partition_gate_destroy(fb);
}

Test(partition_gate, leaves_another_partitions_store_ticket_alone)
{
	struct fl_partition_gate *fb = gate("Ferrybridge");
	struct fl_resumed_incident mine = {.span = "FB-CR01-S02", .device = "FB-HA-SDH01"};
	struct fl_resumed_incident theirs = {.span = "BB-R01-S02", .device = "FB-QT-OTN01"};
	struct fl_partition_gate_stats st;

	cr_expect(fl_partition_gate_keeps_resumed(fb, &mine));
	cr_expect_not(fl_partition_gate_keeps_resumed(fb, &theirs));
	fl_partition_gate_stats(fb, &st);
	cr_expect_eq(st.resumes_foreign, 1);
	fl_partition_gate_destroy(fb);
}

Test(partition_gate, refuses_an_unknown_partition_and_a_run_without_data)
{
	struct fl_partition_gate *g = NULL;
	FILE *diag = tmpfile();
	char said[512] = "";

	cr_assert(diag);
	cr_expect_eq(fl_partition_gate_create(&g, inv, dir, "Rivreport", diag), -EINVAL);
	cr_expect_eq(fl_partition_gate_create(&g, inv, NULL, "Riverport", diag), -ENOENT);
	cr_expect_null(g);
	rewind(diag);
	cr_expect_gt(fread(said, 1, sizeof(said) - 1, diag), 0);
	cr_expect(strstr(said, "unknown partition 'Rivreport'; the data has: Riverport, "
			       "Ferrybridge"), "%s", said);
	cr_expect(strstr(said, "--partition needs the network's data"), "%s", said);
	fclose(diag);
}
