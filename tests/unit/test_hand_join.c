/* Which ticket opened from a call an alarm joins (engine/pipeline/hand_join.h):
 * the span named beats a device or site at its ends, which beat a circuit
 * riding it; among equals the earliest call; a ticket naming another place
 * is never joined, even with a matching circuit. */
#include <criterion/criterion.h>

#include "engine/pipeline/hand_join.h"

/* A cut on S2 between D-A (site SA) and D-B (site SB); it brings down C1 and C2. */
static const struct fl_hand_fault cut = {
	.span = "S2",
	.devices = {"D-A", "D-A", "D-B"},
	.sites = {"SA", "SA", "SB"},
	.circuits = "C1;C2",
};

static struct fl_hotline_ticket hand(const char *id, const char *span, const char *device,
                                     const char *site, const char *circuits, int64_t at)
{
	return (struct fl_hotline_ticket){.id = id, .span = span, .device = device, .site = site,
	                                  .circuits = circuits, .opened_ns = at};
}

Test(hand_join, names_how_specific_each_match_is)
{
	struct fl_hotline_ticket t;

	t = hand("T1", "S2", NULL, NULL, NULL, 1);
	cr_expect_eq(fl_hand_match(&cut, &t), FL_HAND_SPAN);
	t = hand("T1", NULL, "D-B", NULL, NULL, 1);
	cr_expect_eq(fl_hand_match(&cut, &t), FL_HAND_DEVICE, "a device at the span's far end");
	t = hand("T1", NULL, "D-B", "SB", NULL, 1);
	cr_expect_eq(fl_hand_match(&cut, &t), FL_HAND_DEVICE, "a device with its own site");
	t = hand("T1", NULL, NULL, "SA", NULL, 1);
	cr_expect_eq(fl_hand_match(&cut, &t), FL_HAND_SITE);
	t = hand("T1", NULL, NULL, NULL, "C9;C2", 1);
	cr_expect_eq(fl_hand_match(&cut, &t), FL_HAND_CIRCUIT, "C2 is the second of the alarm's");
	t = hand("T1", "", "", "", "C1", 1);
	cr_expect_eq(fl_hand_match(&cut, &t), FL_HAND_CIRCUIT, "empty strings name nothing");
}

Test(hand_join, never_joins_a_ticket_about_another_place)
{
	struct fl_hotline_ticket t;

	t = hand("T1", "S3", NULL, NULL, NULL, 1);
	cr_expect_eq(fl_hand_match(&cut, &t), FL_HAND_NONE, "another span");
	t = hand("T1", "S3", NULL, NULL, "C1", 1);
	cr_expect_eq(fl_hand_match(&cut, &t), FL_HAND_NONE, "another span, a matching circuit");
	t = hand("T1", NULL, "D-X", NULL, NULL, 1);
	cr_expect_eq(fl_hand_match(&cut, &t), FL_HAND_NONE, "another device");
	t = hand("T1", NULL, NULL, "SX", "C1", 1);
	cr_expect_eq(fl_hand_match(&cut, &t), FL_HAND_NONE, "another site");
	t = hand("T1", NULL, NULL, NULL, "C10;C", 1);
	cr_expect_eq(fl_hand_match(&cut, &t), FL_HAND_NONE, "C10 and C are not C1");
	t = hand("T1", NULL, NULL, NULL, NULL, 1);
	cr_expect_eq(fl_hand_match(&cut, &t), FL_HAND_NONE, "names nothing");
}

Test(hand_join, a_fault_without_a_span_matches_its_device_and_site_only)
{
	const struct fl_hand_fault site_down = {.sites = {"SA"}, .devices = {"D-A"},
	                                        .circuits = "C5"};
	struct fl_hotline_ticket t;

	t = hand("T1", "S2", NULL, NULL, NULL, 1);
	cr_expect_eq(fl_hand_match(&site_down, &t), FL_HAND_NONE);
	t = hand("T1", NULL, NULL, "SA", NULL, 1);
	cr_expect_eq(fl_hand_match(&site_down, &t), FL_HAND_SITE);
	t = hand("T1", NULL, NULL, NULL, "C5", 1);
	cr_expect_eq(fl_hand_match(&site_down, &t), FL_HAND_CIRCUIT);
}

Test(hand_join, the_most_specific_wins_and_among_equals_the_earliest_call)
{
	struct fl_hand_pick p = {0};
	struct fl_hotline_ticket t;

	t = hand("TEL-3", NULL, NULL, NULL, "C1", 30);
	fl_hand_pick_offer(&p, &cut, &t);
	t = hand("TEL-2", NULL, NULL, NULL, "C2", 20);
	fl_hand_pick_offer(&p, &cut, &t);
	cr_expect_str_eq(p.best_id, "TEL-2", "of two customers' tickets, the earlier call");
	t = hand("TEL-9", "S2", NULL, NULL, NULL, 90);
	fl_hand_pick_offer(&p, &cut, &t);
	t = hand("TEL-1", "S7", NULL, NULL, "C1", 10);
	fl_hand_pick_offer(&p, &cut, &t);
	t = hand("TEL-4", NULL, NULL, "SB", NULL, 5);
	fl_hand_pick_offer(&p, &cut, &t);
	cr_expect_str_eq(p.best_id, "TEL-9", "the span named beats an earlier site and circuits");
	cr_expect_eq(p.best, FL_HAND_SPAN);
	t = hand("TEL-95", "S2", NULL, NULL, NULL, 90);
	fl_hand_pick_offer(&p, &cut, &t);
	cr_expect_str_eq(p.best_id, "TEL-9", "the same time: the lower id, as the store orders");
	t = hand("TEL-8", "S2", NULL, NULL, NULL, 90);
	fl_hand_pick_offer(&p, &cut, &t);
	cr_expect_str_eq(p.best_id, "TEL-8", "the same time: the lower id, as the store orders");
}

Test(hand_join, picks_nothing_when_nothing_matches)
{
	struct fl_hand_pick p = {0};
	struct fl_hotline_ticket t = hand("TEL-1", "S7", NULL, NULL, "C1", 10);

	fl_hand_pick_offer(&p, &cut, &t);
	cr_expect_str_eq(p.best_id, "");
	cr_expect_eq(p.best, FL_HAND_NONE);
}
