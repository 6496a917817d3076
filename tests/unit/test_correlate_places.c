/* Incidents over several places, on a small network of its own
 * (tests/unit/data/qinghe: a ZTE city ring, a FiberHome county ring sharing
 * a duct with it at QH-DX, a chain off the town QH-DX-SW, four circuits):
 * a duct cut in either order, a chain cut seen from one end, a site whose
 * power fails as two vendors report it, and a cut that leaves a protected
 * circuit running. */
#include "tests/unit/engine_fixture.h"

static const char places_plan[] =
	"plan q;\n"
	"timezone \"UTC\";\n"
	"data sites \"sites.csv\";\n"
	"data devices \"devices.csv\";\n"
	"data rings \"rings.csv\";\n"
	"data spans \"spans.csv\";\n"
	"data chains \"chains.csv\";\n"
	"data circuits \"circuits.csv\";\n"
	"data contacts \"contacts.csv\";\n"
	"data maintenance \"maintenance.csv\";\n"
	"roles duty_room, customer_contact;\n"
	"level urgent { respond at once within 2m; onsite city 30m; onsite county 1h;\n"
	"               onsite township 1h; repair 2h; ladder page; }\n"
	"level severe { respond at once within 2m; ladder page; }\n"
	"level general { respond 30m; ladder page; }\n"
	"ladder page {\n"
	"    step after 0s notify duty_room at own via sms;\n"
	"    step after 0s notify customer_contact at customer via sms;\n"
	"    step after 0s notify customer_contact at at_risk via sms;\n"
	"    step worsened notify duty_room at city via sms;\n"
	"}\n"
	"rule los {\n"
	"    match syslog;\n"
	"    lookup device host;\n"
	"    where msg ~ /R_LOS raised port=(?<port>\\S+)/;\n"
	"    clear where msg ~ /R_LOS cleared port=(?<port>\\S+)/;\n"
	"    key host, port;\n"
	"}\n"
	"rule cons {\n"
	"    match syslog;\n"
	"    lookup device host;\n"
	"    where msg ~ /\\b(?<alarm>MS_AIS|TU_AIS) raised/;\n"
	"    clear where msg ~ /\\b(?<alarm>MS_AIS|TU_AIS) cleared/;\n"
	"    key host, alarm;\n"
	"    raise level general title \"${alarm} ${host}\";\n"
	"}\n"
	"rule mains {\n"
	"    match syslog;\n"
	"    lookup device host;\n"
	"    where msg ~ /MAINS_FAIL raised/;\n"
	"    clear where msg ~ /MAINS_FAIL cleared/;\n"
	"    key site;\n"
	"    raise level severe title \"mains ${site}\";\n"
	"}\n"
	"rule silent {\n"
	"    match syslog;\n"
	"    lookup device host;\n"
	"    where device exists;\n"
	"    key host;\n"
	"    absent 10m;\n"
	"}\n"
	"correlate cut {\n"
	"    locate span;\n"
	"    from los;\n"
	"    within 60s;\n"
	"    hold 30s;\n"
	"    absorb los, cons for 15m;\n"
	"    raise level urgent title \"cut ${span}\";\n"
	"}\n"
	"correlate site_down {\n"
	"    locate site;\n"
	"    from silent, los, mains;\n"
	"    within 5m;\n"
	"    absorb los, cons, mains for 15m;\n"
	"    raise level urgent title \"site ${site}\";\n"
	"}\n";

static struct fx *open_qinghe(void)
{
	const char *root = getenv("FL_ROOT") ? getenv("FL_ROOT") : ".";
	char data[4096];

	snprintf(data, sizeof(data), "%s/tests/unit/data/qinghe", root);
	return fx_open_with(NULL, places_plan, data);
}

/* The notifications of scope to the people named in `to` (any of them). */
static bool told(const struct fx *f, const char *scope, const char *who, const char *reason)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct fx_rec *r = &f->recs[i];

		if (r->type == FL_ACTION_NOTIFY && strcmp(r->scope, scope) == 0 &&
		    strstr(r->to, who) && (!reason || strcmp(r->reason, reason) == 0))
			return true;
	}
	return false;
}

static void cut_city_span(struct fx *f, int64_t at)
{
	fx_at(f, at, "QH-CORE-SDH01", "alarm R_LOS raised port=1-6-1");
	fx_at(f, at + 1, "QH-DX-SDH01", "alarm R_LOS raised port=1-5-1");
}

static void cut_county_span(struct fx *f, int64_t at)
{
	fx_at(f, at, "QH-DX-SDH02", "[ALARM] R_LOS raised port=1-10-1");
	fx_at(f, at + 1, "QH-DX-LK-SDH01", "[ALARM] R_LOS raised port=1-9-1");
}

/* The duct at QH-DX carries a span of each ring: the county span's alarms
 * first. One incident names both; the city branch, which the county span
 * did not involve, and the customer whose unprotected circuit the city span
 * cuts are told when the city span joins. */
Test(places, a_duct_cut_county_span_first_tells_the_city_when_its_span_joins)
{
	struct fx *f = open_qinghe();
	const struct fx_rec *last;

	cut_county_span(f, 0);
	cut_city_span(f, 2);
	fx_run_to(f, 300);
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, NULL), 1, "one incident for one dig");
	last = fx_last(f, fx_find(f, FL_ACTION_OPEN, "cut")->id);
	cr_assert_not_null(last);
	cr_expect_eq(last->n_places, 2);
	cr_expect_str_eq(last->places, "span QH-DX-R01-S01, span QH-CR01-S01");
	cr_expect_str_eq(last->title, "cut QH-DX-R01-S01+QH-CR01-S01 (DUCT-QH-DX-W)");
	cr_expect(told(f, "own", "东溪值班室", NULL), "the county branch owns both spans' ends");
	cr_expect(told(f, "own", "清河网管值班室", FL_NOTIFY_JOINED),
		  "the city branch is told when its span joins");
	cr_expect(told(f, "customer", "邓志伟", FL_NOTIFY_JOINED),
		  "清河市教育城域网 (unprotected over the city span) is down");
	cr_expect(!told(f, "customer", "唐丽娟", NULL) && told(f, "at_risk", "唐丽娟", NULL),
		  "电子政务外网 runs on protection: at risk, not down");
	fx_close(f);
}

/* The same dig, the city span's alarms first: the same one incident and the
 * same people, in another order. */
Test(places, a_duct_cut_city_span_first_is_the_same_incident)
{
	struct fx *f = open_qinghe();
	const struct fx_rec *last;

	cut_city_span(f, 0);
	cut_county_span(f, 3);
	fx_run_to(f, 300);
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, NULL), 1);
	last = fx_last(f, fx_find(f, FL_ACTION_OPEN, "cut")->id);
	cr_assert_not_null(last);
	cr_expect_str_eq(last->places, "span QH-CR01-S01, span QH-DX-R01-S01");
	cr_expect(told(f, "own", "清河网管值班室", NULL));
	cr_expect(told(f, "own", "东溪值班室", NULL));
	cr_expect(told(f, "customer", "邓志伟", NULL));
	cr_expect_eq(fx_count(f, FL_ACTION_CLEAR, NULL), 0);
	fx_close(f);
}

/* The chain QH-DX-C01 hangs off QH-DX-SW; cut, only the parent side can
 * say so, and the far device falls silent. The cut is located as soon as
 * the far end's window has passed, so the tributary alarm at the county
 * seat finds it open and is absorbed; it clears when the one LOS clears. */
Test(places, a_chain_cut_seen_from_one_end_is_one_located_cut)
{
	struct fx *f = open_qinghe();
	const struct fx_rec *open, *clear;

	fx_at(f, 0, "QH-DX-SW-SDH01", "[ALARM] R_LOS raised port=1-13-1");
	fx_at(f, 4, "QH-DX-SDH02", "[ALARM] TU_AIS raised port=1-3-2");
	fx_run_to(f, 2000);
	fx_at(f, 2000, "QH-DX-SW-SDH01", "[ALARM] R_LOS cleared port=1-13-1");
	fx_run_to(f, 2100);
	open = fx_find(f, FL_ACTION_OPEN, "cut");
	cr_assert_not_null(open);
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, NULL), 1, "the TU_AIS is no incident of its own");
	cr_expect_str_eq(open->places, "span QH-DX-C01-S01");
	cr_expect_str_eq(open->evidence, "one end: the far end does not report");
	cr_expect_leq(open->at_s, 61);
	cr_expect_geq(fx_find(f, FL_ACTION_ABSORB, "cut") ? 1 : 0, 1, "the TU_AIS absorbed");
	cr_expect(told(f, "customer", "邓志伟", NULL), "the unprotected circuit over the chain");
	clear = fx_find(f, FL_ACTION_CLEAR, "cut");
	cr_assert_not_null(clear);
	cr_expect_eq(clear->at_s, 2000);
	fx_close(f);
}

/* QH-DX-SW loses its mains: its OLT (Huawei) and its ADM (FiberHome) both
 * say so. One incident, severe while on battery; when the site goes dark
 * and its neighbours lose signal facing it, the same incident is a site
 * down, urgent, and the customers of circuits ending at or passing through
 * the site are told. It clears when power is back, the LOS has cleared and
 * the site talks again, not before. */
Test(places, a_site_losing_power_is_one_incident_whoever_reports_it)
{
	struct fx *f = open_qinghe();
	const struct fx_rec *open, *last, *clear;
	uint64_t id;

	fx_at(f, 0, "QH-DX-SW-OLT01", "MAINS_FAIL raised frame=0");
	fx_at(f, 2, "QH-DX-SW-SDH01", "[ALARM] MAINS_FAIL raised port=1-27-1");
	for (int64_t t = 300; t < 1800; t += 300) { /* on battery, still talking */
		fx_at(f, t, "QH-DX-SW-OLT01", "INFO battery 48.1V");
		fx_at(f, t + 1, "QH-DX-SW-SDH01", "PM 15MIN port=1-9-1 LOS_SEC=0");
	}
	fx_run_to(f, 600);
	open = fx_find(f, FL_ACTION_OPEN, NULL);
	cr_assert_not_null(open);
	id = open->id;
	cr_expect_str_eq(open->rule, "site_down");
	cr_expect_eq(open->level, 1, "severe: on battery");
	cr_expect_str_eq(open->title, "mains QH-DX-SW");
	cr_expect(!told(f, "customer", "曾秀英", NULL), "nothing is down yet");
	fx_at(f, 1800, "QH-DX-LK-SDH01", "[ALARM] R_LOS raised port=1-10-1");
	fx_at(f, 1801, "QH-DX-SDH02", "[ALARM] R_LOS raised port=1-9-1");
	fx_run_to(f, 1900);
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, NULL), 1, "still one incident");
	last = fx_last(f, id);
	cr_assert_not_null(last);
	cr_expect_eq(last->level, 0, "urgent: the site is down");
	cr_expect_str_eq(last->title, "site QH-DX-SW");
	cr_expect(told(f, "customer", "曾秀英", NULL), "医保 ends at the dead site");
	cr_expect(told(f, "customer", "邓志伟", NULL), "教育 passes through it to the chain");
	cr_expect(!told(f, "customer", "唐丽娟", NULL), "电子政务 does not touch it");
	fx_at(f, 5000, "QH-DX-SW-OLT01", "MAINS_FAIL cleared frame=0");
	fx_at(f, 5001, "QH-DX-SW-SDH01", "[ALARM] MAINS_FAIL cleared port=1-27-1");
	fx_run_to(f, 5050);
	cr_expect_eq(fx_count(f, FL_ACTION_CLEAR, NULL), 0, "the LOS still stands");
	fx_at(f, 5100, "QH-DX-LK-SDH01", "[ALARM] R_LOS cleared port=1-10-1");
	fx_at(f, 5101, "QH-DX-SDH02", "[ALARM] R_LOS cleared port=1-9-1");
	fx_run_to(f, 5200);
	clear = fx_find(f, FL_ACTION_CLEAR, "site_down");
	cr_assert_not_null(clear);
	cr_expect_eq(clear->at_s, 5101);
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, "cut"), 0, "no cut for the dark site's spans");
	fx_close(f);
}

/* A cut on the county ring between the two towns: the medical circuit to
 * QH-DX-SW rides it but is protected and its ends stay connected the other
 * way round: its customer is at risk, not told it is down. */
Test(places, a_protected_circuit_that_still_runs_is_at_risk_not_down)
{
	struct fx *f = open_qinghe();

	fx_at(f, 0, "QH-DX-LK-SDH01", "[ALARM] R_LOS raised port=1-10-1");
	fx_at(f, 1, "QH-DX-SW-SDH01", "[ALARM] R_LOS raised port=1-9-1");
	fx_run_to(f, 300);
	cr_assert_eq(fx_count(f, FL_ACTION_OPEN, "cut"), 1);
	cr_expect(told(f, "at_risk", "曾秀英", NULL));
	cr_expect(!told(f, "customer", "曾秀英", NULL));
	fx_close(f);
}

/* A second cut on the county ring five minutes after the first isolates
 * QH-DX-LK: the town's own end cannot report, so the second span is seen
 * from one end. One incident over both spans, raised to the most severe
 * level, and the plan's `worsened` step tells the city. */
Test(places, a_second_cut_on_a_ring_worsens_the_same_incident)
{
	struct fx *f = open_qinghe();
	const struct fx_rec *open, *last;

	fx_at(f, 0, "QH-DX-LK-SDH01", "[ALARM] R_LOS raised port=1-10-1");
	fx_at(f, 1, "QH-DX-SW-SDH01", "[ALARM] R_LOS raised port=1-9-1");
	fx_run_to(f, 300);
	cr_expect(!told(f, "city", "清河网管值班室", FL_NOTIFY_WORSENED), "not worse yet");
	fx_at(f, 300, "QH-DX-SDH02", "[ALARM] R_LOS raised port=1-10-1"); /* LK's end is cut off */
	fx_run_to(f, 600);
	open = fx_find(f, FL_ACTION_OPEN, "cut");
	cr_assert_not_null(open);
	cr_expect_eq(fx_count(f, FL_ACTION_OPEN, NULL), 1);
	last = fx_last(f, open->id);
	cr_assert_not_null(last);
	cr_expect_str_eq(last->places, "span QH-DX-R01-S02, span QH-DX-R01-S01");
	cr_expect_eq(last->level, 0);
	cr_expect(told(f, "city", "清河网管值班室", FL_NOTIFY_WORSENED),
		  "the worsening is a step the plan routes");
	cr_expect(told(f, "customer", "唐丽娟", FL_NOTIFY_JOINED),
		  "电子政务 to the isolated town is down now");
	fx_at(f, 4000, "QH-DX-LK-SDH01", "[ALARM] R_LOS cleared port=1-10-1");
	fx_at(f, 4001, "QH-DX-SW-SDH01", "[ALARM] R_LOS cleared port=1-9-1");
	fx_run_to(f, 4100);
	cr_expect_eq(fx_count(f, FL_ACTION_CLEAR, NULL), 0, "the ring is not whole yet");
	fx_at(f, 5000, "QH-DX-SDH02", "[ALARM] R_LOS cleared port=1-10-1");
	fx_run_to(f, 5100);
	cr_expect_eq(fx_count(f, FL_ACTION_CLEAR, "cut"), 1);
	cr_expect_eq(fx_find(f, FL_ACTION_CLEAR, "cut")->at_s, 5000);
	fx_close(f);
}

/* On battery, the site's ADM reports only every 15 min and looks absent
 * after 10; its OLT still talks: the site is not down. When every device of
 * the site has gone quiet, it is. */
Test(places, a_site_on_battery_is_down_only_when_all_of_it_is_silent)
{
	struct fx *f = open_qinghe();
	const struct fx_rec *open, *down = NULL;

	fx_at(f, 0, "QH-DX-SW-OLT01", "MAINS_FAIL raised frame=0");
	fx_at(f, 1, "QH-DX-SW-SDH01", "PM 15MIN port=1-9-1 LOS_SEC=0");
	for (int64_t t = 240; t <= 1440; t += 240)
		fx_at(f, t, "QH-DX-SW-OLT01", "INFO battery report");
	fx_run_to(f, 1500);
	open = fx_find(f, FL_ACTION_OPEN, "site_down");
	cr_assert_not_null(open);
	for (size_t i = 0; i < f->n; i++)
		if (f->recs[i].type == FL_ACTION_ESCALATE && f->recs[i].level == 0)
			down = &f->recs[i];
	cr_expect_null(down, "the ADM's gap is not the site's silence");
	fx_run_to(f, 1440 + 601);
	for (size_t i = 0; i < f->n; i++)
		if (f->recs[i].type == FL_ACTION_ESCALATE && f->recs[i].level == 0)
			down = &f->recs[i];
	cr_assert_not_null(down, "the whole site quiet for its absence: down");
	cr_expect_str_eq(down->evidence, "site at risk, then silent");
	cr_expect_geq(down->at_s, 1440 + 600);
	fx_close(f);
}
