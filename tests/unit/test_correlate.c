/* The correlation engine: each operator of the language, its edges, and
 * the topology reasoning over the sample network. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/inventory/inventory.h"
#include "engine_fixture.h"

Test(correlate, tallies_repeats_within_dedup_into_one_incident)
{
	struct fx *f = fx_open(NULL);

	for (int i = 0; i < 5; i++)
		fx_at(f, i * 10, "HOST-A", "STORM 1");
	fl_engine_flush(f->e);
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, "storm"), 1);
	cr_expect_eq(fx_last(f, fx_find(f, FL_ACTION_OPEN, "storm")->id)->count, 5);
	fx_close(f);
}

Test(correlate, clears_a_dedup_alarm_after_its_quiet_window_and_raises_again)
{
	struct fx *f = fx_open(NULL);

	fx_at(f, 0, "HOST-A", "STORM 1");
	fx_at(f, 200, "HOST-A", "STORM 1");
	cr_expect_eq(fx_count(f, FL_ACTION_CLEAR, "storm"), 1);
	cr_expect_eq(fx_find(f, FL_ACTION_CLEAR, "storm")->at_s, 60);
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, "storm"), 2);
	fx_close(f);
}

Test(correlate, raises_a_threshold_only_when_n_events_fall_within_the_window)
{
	struct fx *f = fx_open(NULL);

	fx_at(f, 0, "HOST-A", "BURST on p1");
	fx_at(f, 50, "HOST-A", "BURST on p1");
	fx_at(f, 100, "HOST-A", "BURST on p1"); /* three, but over 100 s */
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, "burst"), 0);
	fx_at(f, 110, "HOST-A", "BURST on p1"); /* 50, 100, 110: three within 60 s */
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, "burst"), 1);
	cr_expect_eq(fx_find(f, FL_ACTION_OPEN, "burst")->count, 3);
	fx_close(f);
}

Test(correlate, counts_only_changes_of_state_toward_a_flap)
{
	struct fx *f = fx_open(NULL);

	fx_at(f, 0, "HOST-A", "port ge1 is down");
	fx_at(f, 1, "HOST-A", "port ge1 is down"); /* same state: not a change */
	fx_at(f, 2, "HOST-A", "port ge1 is up");
	fx_at(f, 3, "HOST-A", "port ge1 is down");
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, "flap"), 0);
	fx_at(f, 4, "HOST-A", "port ge1 is up");
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, "flap"), 1);
	fx_run_to(f, 1000);
	cr_expect_eq(fx_count(f, FL_ACTION_CLEAR, "flap"), 1, "quiet for the flap window");
	fx_close(f);
}

Test(correlate, ignores_a_clear_that_comes_before_its_fault)
{
	struct fx *f = fx_open(NULL);

	fx_at(f, 0, "HC-JCJ-RT02", "PAIR_CLEAR p1");
	cr_expect_eq(f->n, 0);
	fx_at(f, 5, "HC-JCJ-RT02", "PAIR_FAULT p1");
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, "pair"), 1);
	fx_at(f, 9, "HC-JCJ-RT02", "PAIR_CLEAR p1");
	cr_expect_eq(fx_count(f, FL_ACTION_CLEAR, "pair"), 1);
	cr_expect_eq(fx_find(f, FL_ACTION_CLEAR, "pair")->at_s, 9);
	fx_close(f);
}

Test(correlate, clears_a_pair_only_on_the_same_key)
{
	struct fx *f = fx_open(NULL);

	fx_at(f, 0, "HC-JCJ-RT02", "PAIR_FAULT p1");
	fx_at(f, 1, "HC-JCJ-RT02", "PAIR_CLEAR p2");
	fx_at(f, 2, "HC-JCJ-RT01", "PAIR_CLEAR p1");
	cr_expect_eq(fx_count(f, FL_ACTION_CLEAR, "pair"), 0);
	fx_close(f);
}

/* A device behind two relays: one writes its name as devices.csv does, the
 * other as DNS answered, or its address. The key's host is the device found,
 * so its fault and clear pair; hosts the inventory does not know key as
 * written, each its own. */
Test(correlate, keys_a_host_on_the_device_found_however_the_line_writes_its_name)
{
	struct fx *f = fx_open(NULL);

	fx_at(f, 0, "HC-JCJ-RT02", "PAIR_FAULT p1");
	fx_at(f, 1, "hc-jcj-rt02.noc.example.net", "PAIR_FAULT p1");
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, "pair"), 1, "one device, one fault");
	fx_at(f, 2, "10.22.1.12", "PAIR_CLEAR p1");
	cr_expect_eq(fx_count(f, FL_ACTION_CLEAR, "pair"), 1, "cleared by its address");
	cr_expect_str_eq(fx_find(f, FL_ACTION_OPEN, "pair")->title, "pair HC-JCJ-RT02 p1",
			 "the title keeps the name as the line wrote it");
	fx_at(f, 10, "relay-a.example.net", "PAIR_FAULT p9");
	fx_at(f, 11, "relay-b.example.net", "PAIR_FAULT p9");
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, "pair"), 3, "unknown hosts: one key each");
	fx_at(f, 12, "RELAY-A.example.net", "PAIR_CLEAR p9");
	cr_expect_eq(fx_count(f, FL_ACTION_CLEAR, "pair"), 1, "an unknown host keys as written");
	fx_at(f, 13, "relay-a.example.net", "PAIR_CLEAR p9");
	cr_expect_eq(fx_count(f, FL_ACTION_CLEAR, "pair"), 2);
	fx_close(f);
}

/* `key device`: the device found, whatever name the line gives it; a
 * sender the inventory does not know keys on its name as written, not on
 * one empty device shared by every unknown sender. */
Test(correlate, keys_device_on_the_device_found_or_an_unknown_senders_name)
{
	static const char text[] =
	    "plan t;\ntimezone \"UTC\";\nlevel general { respond 30m; }\n" FX_SAMPLE_DATA
	    "rule down { match syslog; lookup device host; where msg ~ /LINK_DOWN (?<p>\\S+)/; "
	    "clear where msg ~ /LINK_UP (?<p>\\S+)/; key device, p; "
	    "raise level general title \"down ${host} ${p}\"; }\n";
	struct fx *f = fx_open_sample(NULL, text);

	fx_at(f, 0, "HC-JCJ-RT02", "LINK_DOWN ge1");
	fx_at(f, 1, "hc-jcj-rt02", "LINK_DOWN ge1");
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, "down"), 1);
	fx_at(f, 2, "relay-a.example.net", "LINK_DOWN ge1");
	fx_at(f, 3, "relay-b.example.net", "LINK_DOWN ge1");
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, "down"), 3, "two unknown senders: two alarms");
	fx_at(f, 4, "relay-b.example.net", "LINK_UP ge1");
	cr_expect_eq(fx_count(f, FL_ACTION_CLEAR, "down"), 1, "relay-b's clears relay-b's alone");
	fx_at(f, 5, "10.22.1.12", "LINK_UP ge1");
	cr_expect_eq(fx_count(f, FL_ACTION_CLEAR, "down"), 2, "the device's, by its address");
	fx_close(f);
}

/* A line with no HOSTNAME, from sender addr (IPv4 text, or IPv6 when it
 * holds a ':'), at at_s. */
static void feed_nameless(struct fx *f, int64_t at_s, const char *addr, const char *msg)
{
	struct fl_syslog_opts so = {.year = 2026, .received_ns = FX_BASE_NS};
	struct sockaddr_in *in = (struct sockaddr_in *)&f->ev.peer;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&f->ev.peer;
	char line[512];
	int n = snprintf(line, sizeof(line), "<131>1 2026-11-20T00:00:00Z - app - - - %s", msg);

	cr_assert_eq(fl_syslog_decode(&f->ev, line, (size_t)n, &so), FL_SYSLOG_OK, "%s", line);
	cr_assert_null(f->ev.syslog.hostname.p, "the line names no host");
	f->ev.time_ns = FX_BASE_NS + at_s * FL_NS_PER_SEC;
	f->ev.has_peer = true;
	if (strchr(addr, ':')) {
		in6->sin6_family = AF_INET6;
		cr_assert_eq(inet_pton(AF_INET6, addr, &in6->sin6_addr), 1);
		f->ev.peer_len = sizeof(*in6);
	} else {
		in->sin_family = AF_INET;
		cr_assert_eq(inet_pton(AF_INET, addr, &in->sin_addr), 1);
		f->ev.peer_len = sizeof(*in);
	}
	cr_assert_eq(fl_engine_feed(f->e, &f->ev), 0);
}

/* A device that sends straight to faultline with no hostname configured:
 * its line is its sender's, as rsyslog names it, so the device is found
 * by its address and pairs with the lines that do name it. */
Test(correlate, names_a_line_without_a_host_by_its_sender)
{
	struct fx *f = fx_open(NULL);
	const struct fx_rec *r;

	feed_nameless(f, 0, "10.22.1.12", "PAIR_FAULT p1");
	r = fx_find(f, FL_ACTION_OPEN, "pair");
	cr_assert_not_null(r, "HC-JCJ-RT02's fault, by its address");
	cr_expect_str_eq(r->title, "pair 10.22.1.12 p1");
	fx_at(f, 1, "HC-JCJ-RT02", "PAIR_CLEAR p1");
	cr_expect_eq(fx_count(f, FL_ACTION_CLEAR, "pair"), 1, "cleared by a line naming it");
	feed_nameless(f, 2, "::ffff:10.22.1.12", "PAIR_FAULT p2");
	cr_expect_str_eq(fx_last(f, 2)->title, "pair 10.22.1.12 p2", "an IPv4 sender on a v6 socket");
	feed_nameless(f, 3, "fd00::7", "PAIR_FAULT p3");
	cr_expect_str_eq(fx_last(f, 3)->title, "pair fd00::7 p3");
	fx_close(f);
}

Test(correlate, records_a_cut_that_clears_within_the_hold_without_opening_it)
{
	struct fx *f = fx_open(NULL);

	fx_at(f, 0, "HC-YZ-LX-OSN01", "R_LOS raised port=1-8-1");
	fx_at(f, 1, "HC-YZ-SC-OSN01", "R_LOS raised port=1-7-1");
	fx_at(f, 20, "HC-YZ-LX-OSN01", "R_LOS cleared port=1-8-1");
	fx_run_to(f, 100);
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, NULL), 0);
	cr_expect_eq(fx_count(f, FL_ACTION_NOTIFY, NULL), 0);
	cr_expect_eq(fx_count(f, FL_ACTION_SUPPRESS, "cut"), 1);
	fx_close(f);
}

Test(correlate, opens_and_clears_a_cut_whose_clear_comes_after_the_window)
{
	struct fx *f = fx_open(NULL);
	const struct fx_rec *open;

	fx_at(f, 0, "HC-YZ-LX-OSN01", "R_LOS raised port=1-8-1");
	fx_at(f, 1, "HC-YZ-SC-OSN01", "R_LOS raised port=1-7-1");
	fx_at(f, 3000, "HC-YZ-LX-OSN01", "R_LOS cleared port=1-8-1");
	cr_expect_eq(fx_count(f, FL_ACTION_CLEAR, "cut"), 0, "one end still down");
	fx_at(f, 3001, "HC-YZ-SC-OSN01", "R_LOS cleared port=1-7-1");
	open = fx_find(f, FL_ACTION_OPEN, "cut");
	cr_assert_not_null(open);
	cr_expect_eq(open->at_s, 31, "opened when the 30 s hold ran out");
	cr_expect_str_eq(open->span, "HC-YZ-R01-S02");
	cr_expect_str_eq(open->title, "cut HC-YZ-R01-S02");
	cr_expect_eq(fx_find(f, FL_ACTION_CLEAR, "cut")->at_s, 3001);
	fx_close(f);
}

Test(correlate, locates_a_cut_whose_two_ends_report_at_the_same_instant)
{
	struct fx *f = fx_open(NULL);

	fx_at(f, 0, "HC-YZ-SC-OSN01", "R_LOS raised port=1-7-1");
	fx_at(f, 0, "HC-YZ-LX-OSN01", "R_LOS raised port=1-8-1");
	fx_run_to(f, 100);
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, NULL), 1);
	cr_expect_str_eq(fx_find(f, FL_ACTION_OPEN, "cut")->evidence, "both ends");
	fx_close(f);
}

Test(correlate, absorbs_alarms_behind_a_cut_instead_of_raising_them)
{
	struct fx *f = fx_open(NULL);
	const struct fx_rec *last;

	fx_at(f, 0, "HC-YZ-PN-OSN01", "MS_AIS raised port=1-7-1"); /* chain behind SC */
	fx_at(f, 1, "HC-YZ-LX-OSN01", "R_LOS raised port=1-8-1");
	fx_at(f, 2, "HC-YZ-SC-OSN01", "R_LOS raised port=1-7-1");
	fx_at(f, 40, "HC-YZ-FL-OSN01", "TU_AIS raised port=1-7-1");
	fx_run_to(f, 1000);
	fl_engine_flush(f->e);
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, NULL), 1, "only the cut");
	last = fx_last(f, fx_find(f, FL_ACTION_OPEN, "cut")->id);
	cr_expect_eq(last->absorbed, 2);
	fx_close(f);
}

/* A correlation that names a rule twice takes each of its alarms once:
 * g2 counts the storm as g1 does, not twice over. */
Test(correlate, takes_a_rule_named_twice_by_a_correlation_once)
{
	static const char text[] =
	    "plan t;\ntimezone \"UTC\";\nlevel general { respond 30m; }\n"
	    "rule storm { match syslog; where msg ~ /STORM/; key host; "
	    "raise level general title \"storm ${host}\"; }\n"
	    "correlate g1 { locate group; from storm; group host; within 60s; "
	    "raise level general title \"g1 ${count}\"; }\n"
	    "correlate g2 { locate group; from storm, storm; group host; within 60s; "
	    "absorb storm, storm for 5m; raise level general title \"g2 ${count}\"; }\n";
	struct fx *f = fx_open_sample(NULL, text);

	fx_at(f, 0, "HOST-A", "STORM a");
	fx_at(f, 1, "HOST-A", "STORM b");
	fx_at(f, 2, "HOST-A", "STORM c");
	fx_run_to(f, 300);
	fl_engine_flush(f->e);
	cr_assert_not_null(fx_find(f, FL_ACTION_OPEN, "g1"));
	cr_assert_not_null(fx_find(f, FL_ACTION_OPEN, "g2"));
	cr_expect_eq(fx_last(f, fx_find(f, FL_ACTION_OPEN, "g1")->id)->count, 3);
	cr_expect_eq(fx_last(f, fx_find(f, FL_ACTION_OPEN, "g2")->id)->count, 3,
		     "an alarm fed twice to the correlation that names its rule twice");
	fx_close(f);
}

Test(correlate, keeps_alarms_of_another_ring_out_of_a_cut)
{
	struct fx *f = fx_open(NULL);

	fx_at(f, 1, "HC-YZ-LX-OSN01", "R_LOS raised port=1-8-1");
	fx_at(f, 2, "HC-YZ-SC-OSN01", "R_LOS raised port=1-7-1");
	fx_at(f, 40, "LZ-RA-SD-SDH01", "TU_AIS raised");
	fx_run_to(f, 1000);
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, "cons"), 1);
	fx_close(f);
}

Test(correlate, makes_two_spans_of_one_duct_cut_together_one_incident)
{
	struct fx *f = fx_open(NULL);
	const struct fx_rec *upd;

	fx_at(f, 0, "HC-YZ-OSN02", "R_LOS raised port=1-8-1");
	fx_at(f, 1, "HC-YZ-LX-OSN01", "R_LOS raised port=1-7-1");
	fx_at(f, 2, "HC-YZ-OSN03", "R_LOS raised port=1-8-1");
	fx_at(f, 3, "HC-YZ-SB-OSN01", "R_LOS raised port=1-7-1");
	fx_run_to(f, 200);
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, NULL), 1);
	upd = fx_find(f, FL_ACTION_UPDATE, "cut");
	cr_assert_not_null(upd);
	cr_expect_str_eq(upd->span, "DUCT-HC-YZ-E");
	cr_expect_str_eq(upd->title, "cut HC-YZ-R01-S01+HC-YZ-R02-S01 (DUCT-HC-YZ-E)",
			 "the title names both spans and their duct");
	fx_close(f);
}

Test(correlate, raises_a_second_cut_on_a_ring_to_a_ring_outage)
{
	struct fx *f = fx_open(NULL);
	const struct fx_rec *esc;

	fx_at(f, 0, "HC-YZ-LX-OSN01", "R_LOS raised port=1-8-1");
	fx_at(f, 1, "HC-YZ-SC-OSN01", "R_LOS raised port=1-7-1");
	fx_at(f, 600, "HC-YZ-DS-OSN01", "R_LOS raised port=1-8-1");
	fx_at(f, 601, "HC-YZ-HY-OSN01", "R_LOS raised port=1-7-1");
	fx_run_to(f, 1000);
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, NULL), 1);
	esc = fx_find(f, FL_ACTION_ESCALATE, "cut");
	for (size_t i = 0; esc && i < f->n; i++)
		if (f->recs[i].type == FL_ACTION_ESCALATE && f->recs[i].level == 0)
			esc = &f->recs[i];
	cr_assert_not_null(esc);
	cr_expect_eq(esc->level, 0, "the most severe level");
	cr_expect_str_eq(esc->evidence, "ring outage: sites between the cuts isolated");
	fx_close(f);
}

Test(correlate, locates_a_site_from_the_neighbours_facing_it)
{
	struct fx *f = fx_open(NULL);
	const struct fx_rec *open;

	/* S02 ends at SC's west, S03 at its east: both far ends report */
	fx_at(f, 0, "HC-YZ-LX-OSN01", "R_LOS raised port=1-8-1");
	fx_at(f, 1, "HC-YZ-DS-OSN01", "R_LOS raised port=1-7-1");
	fx_run_to(f, 200);
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, "cut"), 0);
	open = fx_find(f, FL_ACTION_OPEN, "site_down");
	cr_assert_not_null(open);
	cr_expect_str_eq(open->site, "HC-YZ-SC");
	fx_close(f);
}

/* A cut seen from one end (the far end cannot tell: it is cut off, or the
 * fibre broke one way) is located once the window for the far end's report
 * has passed, not when the far end's silence is noticed minutes later: its
 * consequences must find it open. */
Test(correlate, locates_a_cut_from_one_end_when_the_far_end_does_not_report)
{
	struct fx *f = fx_open(NULL);
	const struct fx_rec *open;

	fx_at(f, 0, "HC-YZ-SC-OSN01", "keepalive");
	fx_at(f, 5, "HC-YZ-LX-OSN01", "R_LOS raised port=1-8-1"); /* SC's end says nothing */
	fx_run_to(f, 2000);
	open = fx_find(f, FL_ACTION_OPEN, "cut");
	cr_assert_not_null(open);
	cr_expect_str_eq(open->evidence, "one end: the far end does not report");
	cr_expect_leq(open->at_s, 5 + 60 + 1, "opened when the window passed, at %lld",
		      (long long)open->at_s);
	cr_expect_str_eq(open->span, "HC-YZ-R01-S02");
	fx_close(f);
}

Test(correlate, counts_an_event_behind_the_tolerance_as_late)
{
	struct fl_engine_config cfg = {.late_ms = 5000};
	struct fx *f = fx_open(&cfg);
	struct fl_engine_stats st;

	cr_expect_eq(fx_at(f, 100, "HOST-A", "STORM 1"), 0);
	cr_expect_eq(fx_at(f, 97, "HOST-A", "STORM 1"), 0, "3 s late: within tolerance");
	cr_expect_eq(fx_at(f, 80, "HOST-A", "STORM 1"), -ESTALE);
	fl_engine_stats(f->e, &st);
	cr_expect_eq(st.late, 1);
	fx_close(f);
}

Test(correlate, evicts_the_oldest_keys_under_the_cap_and_counts_them)
{
	struct fl_engine_config cfg = {.max_keys_per_rule = 4};
	struct fx *f = fx_open(&cfg);
	struct fl_engine_stats st;
	char msg[32];

	for (int i = 0; i < 10; i++) {
		snprintf(msg, sizeof(msg), "STORM %d", i);
		fx_at(f, i, "HOST-A", msg);
	}
	fl_engine_stats(f->e, &st);
	cr_expect_eq(st.evicted, 6);
	cr_expect_eq(st.live_keys, 4 + 1, "4 storm keys and the host's silence key");
	fx_close(f);
}

Test(correlate, plans_an_incident_inside_a_maintenance_window_and_pages_nobody)
{
	struct fx *f = fx_open(NULL);

	fx_at(f, 3599, "HC-JCJ-RT02", "PAIR_FAULT before"); /* 00:59:59, window at 01:00 */
	fx_at(f, 3600, "HC-JCJ-RT02", "PAIR_FAULT inside");
	fx_at(f, 7200, "HC-JCJ-RT02", "PAIR_FAULT after"); /* end is exclusive */
	fx_run_to(f, 20000);
	cr_assert_eq(fx_count(f, FL_ACTION_OPEN, "pair"), 3);
	for (size_t i = 0, k = 0; i < f->n; i++) {
		if (f->recs[i].type != FL_ACTION_OPEN)
			continue;
		cr_expect_eq(f->recs[i].is_planned, k == 1, "open %zu", k);
		k++;
	}
	cr_expect_eq(fx_count(f, FL_ACTION_NOTIFY, NULL), 3);
	for (size_t i = 0; i < f->n; i++)
		if (f->recs[i].type == FL_ACTION_NOTIFY && f->recs[i].id == 2)
			cr_expect_eq(f->recs[i].at_s, 7200, "the planned one pages at the window's end");
	fx_close(f);
}

Test(correlate, stops_planning_an_incident_that_outlives_its_window_and_pages_at_its_end)
{
	struct fx *f = fx_open(NULL);
	const struct fx_rec *update, *notify;

	fx_at(f, 7000, "HC-JCJ-RT02", "PAIR_FAULT p");
	fx_at(f, 9000, "HC-JCJ-RT02", "PAIR_FAULT p");
	fx_at(f, 9500, "HC-JCJ-RT02", "PAIR_CLEAR p");
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, "pair"), 1);
	cr_expect(fx_find(f, FL_ACTION_OPEN, "pair")->is_planned);
	update = fx_find(f, FL_ACTION_UPDATE, "pair");
	cr_assert_not_null(update, "the window's end is an update");
	cr_expect_eq(update->at_s, 7200);
	cr_expect_not(update->is_planned);
	cr_expect_str_eq(update->window, "works", "it names the window that ended");
	notify = fx_find(f, FL_ACTION_NOTIFY, "pair");
	cr_assert_not_null(notify);
	cr_expect_eq(notify->at_s, 7200, "paged at the window's end");
	cr_expect_eq(fx_count(f, FL_ACTION_NOTIFY, NULL), 1);
	cr_expect_not(fx_find(f, FL_ACTION_CLEAR, "pair")->is_planned);
	fx_close(f);
}

Test(correlate, pages_nobody_for_an_incident_cleared_inside_its_window)
{
	struct fx *f = fx_open(NULL);

	fx_at(f, 4000, "HC-JCJ-RT02", "PAIR_FAULT p");
	fx_at(f, 5000, "HC-JCJ-RT02", "PAIR_CLEAR p");
	fx_run_to(f, 20000);
	cr_expect(fx_find(f, FL_ACTION_CLEAR, "pair")->is_planned);
	cr_expect_eq(fx_count(f, FL_ACTION_UPDATE, "pair"), 0);
	cr_expect_eq(fx_count(f, FL_ACTION_NOTIFY, NULL), 0);
	fx_close(f);
}

Test(correlate, raises_an_absence_and_clears_it_when_the_key_is_heard_again)
{
	struct fx *f = fx_open(NULL);
	const struct fx_rec *open;

	fx_at(f, 0, "HC-JCJ-RT02", "HEARTBEAT");
	fx_at(f, 100, "HC-JCJ-RT02", "HEARTBEAT");
	fx_run_to(f, 399);
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, "hb"), 0, "not yet 5 min");
	fx_run_to(f, 400);
	open = fx_find(f, FL_ACTION_OPEN, "hb");
	cr_assert_not_null(open);
	cr_expect_str_eq(open->title, "silent HC-JCJ-RT02 HC-JCJ");
	fx_at(f, 500, "HC-JCJ-RT02", "HEARTBEAT");
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, "hb"), 1, "an event does not raise an absence");
	cr_expect_eq(fx_find(f, FL_ACTION_CLEAR, "hb")->at_s, 500);
	fx_close(f);
}

Test(correlate, keeps_all_rules_under_the_total_cap_by_evicting_in_the_rule_that_grows)
{
	struct fl_engine_config cfg = {.max_keys = 3};
	struct fx *f = fx_open(&cfg);
	struct fl_engine_stats st;
	char msg[32];

	for (int i = 0; i < 5; i++) {
		snprintf(msg, sizeof(msg), "STORM %d", i);
		fx_at(f, i, "HOST-A", msg);
	}
	fl_engine_stats(f->e, &st);
	cr_expect_eq(st.live_keys, 3);
	cr_expect_eq(st.evicted, 3, "storm keys 0, 1 and 2 made room");
	cr_expect_eq(st.keys_refused, 0);
	fx_close(f);
}

Test(correlate, refuses_a_new_key_past_the_total_cap_when_its_rule_holds_none)
{
	struct fl_engine_config cfg = {.max_keys = 1};
	struct fx *f = fx_open(&cfg);
	struct fl_engine_stats st;

	fx_at(f, 0, "HOST-A", "STORM 1"); /* storm takes the one key; silent gets none */
	fl_engine_stats(f->e, &st);
	cr_expect_eq(st.live_keys, 1);
	cr_expect_eq(st.keys_refused, 1);
	fx_close(f);
}

/* A key whose episode is over holds nothing: it goes, so the live keys are
 * the open work and a long run does not fill the cap with finished keys.
 * A flap key keeps its last state, so it stays. */
Test(correlate, forgets_a_key_once_its_alarm_has_cleared)
{
	struct fx *f = fx_open(NULL);
	struct fl_engine_stats st;

	fx_at(f, 0, "HOST-A", "STORM 1");
	fx_at(f, 1, "HC-JCJ-RT02", "PAIR_FAULT p1");
	fx_at(f, 2, "HOST-A", "port ge1 is down");
	fl_engine_stats(f->e, &st);
	cr_expect_eq(st.live_keys, 3 + 2, "storm, pair, flap and two hosts' silence keys");
	fx_at(f, 3, "HC-JCJ-RT02", "PAIR_CLEAR p1");
	fl_engine_stats(f->e, &st);
	cr_expect_eq(st.live_keys, 4, "the pair's key went with its clear");
	fx_run_to(f, 200);
	fl_engine_stats(f->e, &st);
	cr_expect_eq(fx_count(f, FL_ACTION_CLEAR, "storm"), 1);
	cr_expect_eq(st.live_keys, 3, "the storm's key went with its quiet window");
	cr_expect_eq(st.evicted, 0);
	fx_at(f, 210, "HC-JCJ-RT02", "PAIR_FAULT p1");
	fx_at(f, 211, "HC-JCJ-RT02", "PAIR_CLEAR p1");
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, "pair"), 2, "a new episode of the key");
	cr_expect_eq(fx_count(f, FL_ACTION_CLEAR, "pair"), 2);
	fx_close(f);
}

Test(correlate, opens_raises_still_in_their_grace_at_the_end_of_input_in_event_time)
{
	struct fx *f = fx_open(NULL);
	const struct fx_rec *a, *b;

	fx_at(f, 0, "HOST-Y", "MS_AIS");
	fx_at(f, 10, "HOST-Z", "TU_AIS");
	fx_at(f, 10, "HOST-X", "MS_AIS");
	cr_assert_eq(fx_count(f, FL_ACTION_OPEN, "cons"), 0, "still waiting for a cause");
	fl_engine_flush(f->e);
	cr_assert_eq(fx_count(f, FL_ACTION_OPEN, "cons"), 3);
	a = fx_find(f, FL_ACTION_OPEN, "cons");
	cr_expect_str_eq(a->title, "MS_AIS HOST-Y");
	cr_expect_eq(a->at_s, 300, "opened when its grace (site_down: 5m) ran out");
	b = a + 1;
	while (b->type != FL_ACTION_OPEN)
		b++;
	cr_expect_str_eq(b->title, "TU_AIS HOST-Z", "same due time: in the order raised");
	cr_expect_eq(b->at_s, 310);
	fx_close(f);
}
