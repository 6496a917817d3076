/* The network map of GET /api/map (engine/api/api_map.h) over the small
 * network of inventory_fixture.h: ring A-R01 (A-X, A-Y, A-Z) with chain
 * A-C01 from A-Z to A-W. What a cut does to the spans and sites, names the
 * inventory does not know, sites without coordinates, and no inventory. */
#include <criterion/criterion.h>
#include <string.h>

#include "engine/api/api_map.h"
#include "engine/lib/buf.h"
#include "engine/lib/str.h"
/* only the fixture's tables are used here, not its temp-dir helpers */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "tests/unit/inventory_fixture.h"
#pragma GCC diagnostic pop

static struct fl_str text(const char *s)
{
	return s ? fl_str_make(s, strlen(s)) : FL_STR_NONE;
}

/* The fixture's network, with the sites table replaced when sites is not
 * NULL (and then only sites loaded when sites_only). */
static struct fl_inventory *load(const char *sites, bool sites_only)
{
	struct fl_inventory_texts t = {
		.sites = text(sites ? sites : fx_tables[FX_SITES]),
	};
	struct fl_inventory *inv = NULL;

	if (!sites_only) {
		t.rings = text(fx_tables[FX_RINGS]);
		t.devices = text(fx_tables[FX_DEVICES]);
		t.chains = text(fx_tables[FX_CHAINS]);
		t.spans = text(fx_tables[FX_SPANS]);
	}
	cr_assert_eq(fl_inventory_load_texts(&inv, &t, NULL, NULL), 0);
	return inv;
}

/* The map for cuts, NUL-terminated in out (the caller frees it). */
static void map(struct fl_buf *out, const struct fl_inventory *inv, const char *const *cuts,
		size_t n, bool is_truncated)
{
	fl_buf_init(out, 1 << 20);
	cr_assert_eq(fl_api_map_json(inv, cuts, n, is_truncated, out), 0);
	cr_assert(!out->overflowed);
	cr_assert_eq(fl_buf_addc(out, '\0'), 0);
}

static void expect_span(const struct fl_buf *m, const char *id, const char *state)
{
	char want[128];

	snprintf(want, sizeof(want), "\"id\":\"%s\",", id);
	const char *at = strstr(m->p, want);
	cr_assert_not_null(at, "span %s missing: %s", id, m->p);
	snprintf(want, sizeof(want), "\"state\":\"%s\"}", state);
	const char *end = strchr(at, '}');
	cr_expect(strstr(at, want) && strstr(at, want) < end, "span %s is not %s: %.*s", id, state,
		  (int)(end - at), at);
}

static void expect_site(const struct fl_buf *m, const char *id, const char *state)
{
	char want[128];

	snprintf(want, sizeof(want), "{\"id\":\"%s\",", id);
	const char *at = strstr(m->p, want);
	cr_assert_not_null(at, "site %s missing: %s", id, m->p);
	const char *end = strchr(at, '}');
	snprintf(want, sizeof(want), "\"state\":\"%s\"}", state);
	cr_expect(strstr(at, want) && strstr(at, want) < end, "site %s is not %s: %.*s", id, state,
		  (int)(end - at), at);
}

Test(api_map, draws_every_span_in_service_when_nothing_is_cut)
{
	struct fl_inventory *inv = load(NULL, false);
	struct fl_buf m;

	map(&m, inv, NULL, 0, false);
	cr_expect(strstr(m.p, "\"inventory\":true,\"cuts_truncated\":false,\"unknown_cuts\":[]"), "%s", m.p);
	for (const char *const *s = (const char *const[]){"A-R01-S01", "A-R01-S02", "A-R01-S03",
							    "A-C01-S01", NULL}; *s; s++)
		expect_span(&m, *s, "ok");
	for (const char *const *s = (const char *const[]){"A-X", "A-Y", "A-Z", "A-W", NULL}; *s; s++)
		expect_site(&m, *s, "ok");
	cr_expect(strstr(m.p, "\"lat_e6\":24100000,\"lon_e6\":107100000"), "%s", m.p);
	cr_expect(strstr(m.p, "\"unplaced\":[]"), "%s", m.p);
	fl_buf_free(&m);
	fl_inventory_free(inv);
}

Test(api_map, marks_the_rest_of_a_cut_ring_unprotected_and_isolates_nobody)
{
	struct fl_inventory *inv = load(NULL, false);
	const char *cuts[] = {"A-R01-S02", "A-R01-S02"}; /* twice: one cut */
	struct fl_buf m;

	map(&m, inv, cuts, 2, false);
	expect_span(&m, "A-R01-S02", "cut");
	expect_span(&m, "A-R01-S01", "unprotected");
	expect_span(&m, "A-R01-S03", "unprotected");
	expect_span(&m, "A-C01-S01", "ok");
	for (const char *const *s = (const char *const[]){"A-X", "A-Y", "A-Z", "A-W", NULL}; *s; s++)
		expect_site(&m, *s, "ok");
	fl_buf_free(&m);
	fl_inventory_free(inv);
}

Test(api_map, isolates_the_site_between_two_cuts_of_a_ring)
{
	struct fl_inventory *inv = load(NULL, false);
	const char *cuts[] = {"A-R01-S01", "A-R01-S02"};
	struct fl_buf m;

	map(&m, inv, cuts, 2, false);
	expect_span(&m, "A-R01-S01", "cut");
	expect_span(&m, "A-R01-S02", "cut");
	expect_span(&m, "A-R01-S03", "unprotected");
	expect_site(&m, "A-Y", "isolated");
	expect_site(&m, "A-X", "ok");
	expect_site(&m, "A-Z", "ok");
	expect_site(&m, "A-W", "ok");
	fl_buf_free(&m);
	fl_inventory_free(inv);
}

Test(api_map, isolates_the_chain_hanging_off_an_isolated_ring_device)
{
	struct fl_inventory *inv = load(NULL, false);
	const char *cuts[] = {"A-R01-S02", "A-R01-S03"};
	struct fl_buf m;

	map(&m, inv, cuts, 2, false);
	expect_site(&m, "A-Z", "isolated");
	expect_site(&m, "A-W", "isolated");
	expect_site(&m, "A-Y", "ok");
	fl_buf_free(&m);
	fl_inventory_free(inv);
}

Test(api_map, isolates_what_lies_behind_a_cut_chain_span)
{
	struct fl_inventory *inv = load(NULL, false);
	const char *cuts[] = {"A-C01-S01"};
	struct fl_buf m;

	map(&m, inv, cuts, 1, false);
	expect_span(&m, "A-C01-S01", "cut");
	expect_span(&m, "A-R01-S01", "ok"); /* a chain has no other way round */
	expect_site(&m, "A-W", "isolated");
	expect_site(&m, "A-Z", "ok");
	fl_buf_free(&m);
	fl_inventory_free(inv);
}

Test(api_map, lists_cuts_the_inventory_does_not_know_and_the_cap_flag)
{
	struct fl_inventory *inv = load(NULL, false);
	const char *cuts[] = {"NO-SUCH-SPAN", "A-R01-S01", "名字\"带引号"};
	struct fl_buf m;

	map(&m, inv, cuts, 3, true);
	cr_expect(strstr(m.p, "\"cuts_truncated\":true,\"unknown_cuts\":[\"NO-SUCH-SPAN\","
			      "\"名字\\\"带引号\"]"), "%s", m.p);
	expect_span(&m, "A-R01-S01", "cut");
	fl_buf_free(&m);
	fl_inventory_free(inv);
}

Test(api_map, lists_a_site_at_zero_zero_apart_and_draws_a_lone_site)
{
	struct fl_inventory *inv =
		load("site,site_name,county,city,class,lat,lon,power\r\n"
		     "A-X,机房X,Tian'e,Alpha,county,24.1,107.1,mains\r\n"
		     "A-0,未测,Tian'e,Alpha,township,0,0,mains\r\n",
		     true);
	struct fl_buf m;

	map(&m, inv, NULL, 0, false);
	cr_expect(strstr(m.p, "\"sites\":[{\"id\":\"A-X\""), "%s", m.p);
	cr_expect(strstr(m.p, "\"unplaced\":[{\"id\":\"A-0\",\"name\":\"未测\",\"city\":\"Alpha\","
			      "\"state\":\"ok\"}]"), "%s", m.p);
	cr_expect(strstr(m.p, "\"spans\":[]"), "%s", m.p);
	fl_buf_free(&m);
	fl_inventory_free(inv);
}

Test(api_map, says_so_without_an_inventory)
{
	const char *cuts[] = {"A-R01-S01"};
	struct fl_buf m;

	map(&m, NULL, cuts, 1, false);
	cr_expect_str_eq(m.p, "{\"inventory\":false,\"cuts_truncated\":false,\"unknown_cuts\":"
			      "[\"A-R01-S01\"],\"sites\":[],\"unplaced\":[],\"spans\":[]}");
	fl_buf_free(&m);
}
