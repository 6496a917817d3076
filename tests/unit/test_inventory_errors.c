/* Broken tables, one mistake at a time: each must be reported at the exact
 * file:line:col with a message saying what to fix, and fail the load. */
#include <criterion/criterion.h>
#include <errno.h>

#include "tests/unit/inventory_fixture.h"

struct bad_case {
	const char *name;
	enum fx_table table;
	const char *content;
	const char *expect; /* every report, in order */
};

static const struct bad_case bad_cases[] = {
    {"missing column", FX_DEVICES,
     "device,mgmt_ip,vendor,model,role,site,ring,level\r\n"
     "A-X-OSN01,10.2.1.2,Huawei,OSN,metro-sdh,A-X,A-R01,county\r\n",
     "devices.csv:1:1: missing column 'ring_pos'; add it to the header row (columns may come in "
     "any order)\n"},
    {"bad enum", FX_SITES,
     "site,site_name,county,city,class,lat,lon,power\r\n"
     "A-X,机房X,Tian'e,Alpha,county,24.1,107.1,mains\r\n"
     "A-Y,机房Y,Tian'e,Alpha,town,24.2,107.2,mains+battery\r\n"
     "A-Z,机房Z,Tian'e,Alpha,township,24.3,107.3,mains+battery\r\n"
     "A-W,机房W,Tian'e,Alpha,township,24.4,107.4,mains\r\n",
     "sites.csv:3:22: unknown class 'town'; expected one of: city, county, township\n"},
    {"a table saved as GBK", FX_SITES,
     "site,site_name,county,city,class,lat,lon,power\r\n"
     "A-X,机房X,Tian'e,Alpha,county,24.1,107.1,mains\r\n"
     "A-Y,\xbb\xfa\xb7\xbfY,Tian'e,Alpha,township,24.2,107.2,mains+battery\r\n"
     "A-Z,机房Z,Tian'e,Alpha,township,24.3,107.3,mains+battery\r\n"
     "A-W,机房W,Tian'e,Alpha,township,24.4,107.4,mains\r\n",
     "sites.csv:3:5: byte 0xBB is not UTF-8: save sites.csv as UTF-8 (a file saved as GBK "
     "converts with: iconv -f GBK -t UTF-8)\n"},
    {"dangling reference", FX_CHAINS,
     "chain,parent_ring,parent_device,devices,name,county,city\r\n"
     "A-C01,A-R01,A-Z-OSN01,A-W-OSN01;A-V-OSN01,支链,Tian'e,Alpha\r\n",
     "chains.csv:2:33: unknown device 'A-V-OSN01': not in devices.csv; did you mean "
     "'A-W-OSN01'?\n"},
    {"duplicate id", FX_SITES,
     "site,site_name,county,city,class,lat,lon,power\r\n"
     "A-X,机房X,Tian'e,Alpha,county,24.1,107.1,mains\r\n"
     "A-Y,机房Y,Tian'e,Alpha,township,24.2,107.2,mains+battery\r\n"
     "A-Z,机房Z,Tian'e,Alpha,township,24.3,107.3,mains+battery\r\n"
     "A-W,机房W,Tian'e,Alpha,township,24.4,107.4,mains\r\n"
     "A-Y,机房Y2,Tian'e,Alpha,township,24.2,107.2,mains\r\n",
     "sites.csv:6:1: duplicate site 'A-Y' (first at line 3); site ids must be unique\n"},
    {"unterminated quote", FX_CONTACTS,
     "level,branch,role,name,mobile,email,office_phone,on_24h,city,branch_name,customer\r\n"
     "region,region,fault_lead,甲,138-0000-0001,a@example.net,0771-5550001,yes,,区公司,\r\n"
     "city,Alpha,duty_room,乙,138-0000-0002,b@example.net,0778-5550002,yes,Alpha,分公司,\r\n"
     "city,Alpha,customer_contact,丁,138-0000-0004,d@example.net,0778-5550004,no,Alpha,\"分公司,"
     "政务网\r\n",
     "contacts.csv:4:81: quoted field is not closed before the end of the file; add the closing "
     "'\"'\n"},
    {"field count and stray quote", FX_CIRCUITS,
     "circuit,customer,a_site,b_site,path,priority,bandwidth,protection\r\n"
     "A-GOV-001,政务网,A-X,A-W,A-R01-S03;A-C01-S01,urgent,GE,none,extra\r\n"
     "A-GOV-002,政务\"网,A-X,A-Y,A-R01-S01,severe,GE,sncp\r\n"
     "A-GOV-003,政务网,A-X,A-Y,A-R01-S01,severe,GE,sncp\r\n",
     "circuits.csv:2:58: row has 9 fields but the header has 8; quote fields that hold commas\n"
     "circuits.csv:3:13: quote inside an unquoted field; quote the whole field and double the "
     "inner quote (\"\")\n"},
    {"path spans that do not meet", FX_CIRCUITS,
     "circuit,customer,a_site,b_site,path,priority,bandwidth,protection\r\n"
     "A-GOV-001,政务网,A-X,A-W,A-R01-S01;A-C01-S01,urgent,GE,none\r\n",
     "circuits.csv:2:33: spans A-R01-S01 and A-C01-S01 do not meet at a site; consecutive spans of "
     "a path share a site\n"},
    {"ring span skipping a position", FX_SPANS,
     "span,ring,a_device,a_port,b_device,b_port,length_km,duct,kind,srlg\r\n"
     "A-R01-S01,A-R01,A-X-OSN01,1-8-1,A-Z-OSN01,1-7-1,10.5,yes,ring,\r\n"
     "A-R01-S02,A-R01,A-Y-OSN01,1-8-1,A-Z-OSN01,1-6-1,12.0,no,ring,\r\n"
     "A-R01-S03,A-R01,A-Z-OSN01,1-8-1,A-X-OSN01,1-7-1,8.25,no,ring,\r\n"
     "A-C01-S01,A-C01,A-Z-OSN01,1-11-1,A-W-OSN01,1-7-1,5.0,no,chain,\r\n",
     "spans.csv:2:33: span joins ring_pos 1 and 3 of ring A-R01; a ring span joins ring_pos k and "
     "k+1 (the last 3 and 1)\n"
     "rings.csv:2:1: ring A-R01 has no span joining ring_pos 1 (A-X-OSN01) and 2 (A-Y-OSN01); add "
     "it to spans.csv\n"
     "circuits.csv:3:23: the path ends with span A-R01-S01, which does not end at b_site A-Y\n"},
    {"every bad field of one row", FX_DEVICES,
     "level,device,mgmt_ip,vendor,model,role,site,ring,ring_pos\r\n"
     "county,A-X-OSN01,10.2.1.2,Huawei,OSN,metro-sdh,A-X,A-R01,1\r\n"
     "township,A-Y-OSN01,10.2.1.2,Huawei,OSN,metro-sdh,A-Y,A-R01,2\r\n"
     "township,A-Z-OSN01,10.2.3.256,Huwaei,OSN,rooter,A-Z,A-R01,4\r\n"
     "township,A-W-OSN01,10.2.4.2,Huawei,OSN,metro-sdh,A-W,,1\r\n",
     "devices.csv:3:20: mgmt_ip 10.2.1.2 is already used by A-X-OSN01 (line 2); addresses must be "
     "unique\n"
     "devices.csv:4:20: mgmt_ip '10.2.3.256' is not an address like 10.1.0.11 (IPv4) or "
     "fd00:1::11 (IPv6, with no zone or prefix)\n"
     "devices.csv:4:31: unknown vendor 'Huwaei'; did you mean 'Huawei'? (expected one of: Huawei, "
     "ZTE, FiberHome, Cisco)\n"
     "devices.csv:4:42: unknown role 'rooter'; did you mean 'router'? (expected one of: "
     "backbone-otn, metro-sdh, olt, router, switch, edfa)\n"
     "devices.csv:4:59: ring_pos '4' is not a whole number in 1..3\n"
     "devices.csv:5:55: ring_pos '1' given but ring is empty; clear ring_pos or name the ring\n"
     "rings.csv:2:37: ring A-R01 has 3 nodes but no device in devices.csv has ring_pos 3; fix "
     "nodes or the devices' ring_pos\n"},
    {"addresses of both families", FX_DEVICES,
     "level,device,mgmt_ip,vendor,model,role,site,ring,ring_pos\r\n"
     "county,A-X-OSN01,10.2.1.2,Huawei,OSN,metro-sdh,A-X,A-R01,1\r\n"
     "township,A-Y-OSN01,::FFFF:10.2.1.2,Huawei,OSN,metro-sdh,A-Y,A-R01,2\r\n"
     "township,A-Z-OSN01,fd00:2::3%eth0,Huawei,OSN,metro-sdh,A-Z,A-R01,3\r\n"
     "township,A-W-OSN01,fd00:2:::4,Huawei,OSN,metro-sdh,A-W,,\r\n",
     "devices.csv:3:20: mgmt_ip ::ffff:10.2.1.2 is already used by A-X-OSN01 (line 2); "
     "addresses must be unique\n"
     "devices.csv:4:20: mgmt_ip 'fd00:2::3%eth0' is not an address like 10.1.0.11 (IPv4) or "
     "fd00:1::11 (IPv6, with no zone or prefix)\n"
     "devices.csv:5:20: mgmt_ip 'fd00:2:::4' is not an address like 10.1.0.11 (IPv4) or "
     "fd00:1::11 (IPv6, with no zone or prefix)\n"},
    {"bad times and targets", FX_MAINT,
     "window,start,end,scope,target,reason,announced,approved_by,customers_notified\r\n"
     "MW-1,2026-11-28T04:30:00+08:00,2026-11-28T00:30:00+08:00,span,A-R01-S09,割接,"
     "2026-11-21 09:00,某人,政务网;;\r\n",
     "maintenance.csv:2:32: end is not after start; the end is exclusive\n"
     "maintenance.csv:2:63: unknown span 'A-R01-S09': not in spans.csv; did you mean 'A-R01-S01'?\n"
     "maintenance.csv:2:76: announced '2026-11-21 09:00' is not an ISO 8601 time with offset like "
     "2026-11-28T00:30:00+08:00\n"
     "maintenance.csv:2:93: approved_by '某人' is nobody in contacts.csv\n"
     "maintenance.csv:2:100: empty item in the customers_notified list; separate items with one "
     "';' and no ';' at the end\n"},
};

Test(inventory_errors, reports_each_mistake_where_it_is)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct fx f;

		fx_setup(&f, (int)bc->table, bc->content);
		fx_load(&f);
		cr_expect_eq(f.rc, -EINVAL, "case '%s'", bc->name);
		cr_expect_null(f.inv, "case '%s'", bc->name);
		cr_expect_str_eq(f.errors.p ? f.errors.p : "", bc->expect,
		                 "case '%s' reported:\n%s", bc->name, f.errors.p ? f.errors.p : "");
		fx_teardown(&f);
	}
}

Test(inventory_errors, loads_the_fixture_without_errors)
{
	struct fx f;

	fx_setup(&f, -1, NULL);
	fx_load(&f);
	cr_expect_eq(f.rc, 0);
	cr_expect_str_eq(f.errors.p ? f.errors.p : "", "");
	cr_assert_not_null(f.inv);
	cr_expect_str_eq(fl_inventory_device(f.inv, fl_str_make("A-W-OSN01", 9))->model,
	                 "OptiX OSN 500, compact");
	fx_teardown(&f);
}

Test(inventory_errors, reports_a_missing_file_and_still_checks_the_others)
{
	struct fx f;

	fx_setup(&f, -1, NULL);
	unlink(f.files[FX_RINGS]);
	fx_load(&f);
	cr_expect_eq(f.rc, -ENOENT);
	cr_expect_null(f.inv);
	cr_expect_str_eq(f.errors.p ? f.errors.p : "",
	                 "rings.csv:0:0: cannot read rings.csv: No such file or directory\n");
	fx_teardown(&f);
}

Test(inventory_errors, loads_only_the_tables_given)
{
	struct fx f;
	struct fl_inventory_counts n;

	fx_setup(&f, -1, NULL);
	f.paths =
	    (struct fl_inventory_paths){.sites = f.files[FX_SITES], .devices = f.files[FX_DEVICES]};
	fx_load(&f);
	cr_assert_eq(f.rc, 0, "%s", f.errors.p ? f.errors.p : "");
	fl_inventory_counts(f.inv, &n);
	cr_expect_eq(n.sites, 4);
	cr_expect_eq(n.devices, 4);
	cr_expect_eq(n.spans, 0);
	fx_teardown(&f);
}

Test(inventory_errors, loads_tables_from_memory_and_names_them_by_table)
{
	struct fl_inventory_texts t = {
	    .sites = fl_str_make(fx_tables[FX_SITES], strlen(fx_tables[FX_SITES])),
	    .devices = FL_STR_LIT("device,mgmt_ip\r\nX,10.0.0.1\r\n"),
	};
	struct fl_inventory *got = NULL;
	struct fx f;

	fx_setup(&f, -1, NULL);
	cr_expect_eq(fl_inventory_load_texts(&got, &t, fx_on_error, &f), -EINVAL);
	cr_expect_null(got);
	cr_expect_str_eq(f.errors.p ? f.errors.p : "",
	                 "devices.csv:1:1: missing column 'vendor'; add it to the header row "
	                 "(columns may come in any order)\n"
	                 "devices.csv:1:1: missing column 'model'; add it to the header row "
	                 "(columns may come in any order)\n"
	                 "devices.csv:1:1: missing column 'role'; add it to the header row "
	                 "(columns may come in any order)\n"
	                 "devices.csv:1:1: missing column 'site'; add it to the header row "
	                 "(columns may come in any order)\n"
	                 "devices.csv:1:1: missing column 'ring'; add it to the header row "
	                 "(columns may come in any order)\n"
	                 "devices.csv:1:1: missing column 'ring_pos'; add it to the header row "
	                 "(columns may come in any order)\n"
	                 "devices.csv:1:1: missing column 'level'; add it to the header row "
	                 "(columns may come in any order)\n");
	t.devices = fl_str_make(fx_tables[FX_DEVICES], strlen(fx_tables[FX_DEVICES]));
	cr_assert_eq(fl_inventory_load_texts(&got, &t, NULL, NULL), 0);
	cr_expect_not_null(fl_inventory_device(got, FL_STR_LIT("A-W-OSN01")));
	fl_inventory_free(got);
	fx_teardown(&f);
}

Test(inventory_errors, refuses_a_table_without_the_tables_it_needs)
{
	struct fx f;

	fx_setup(&f, -1, NULL);
	f.paths.sites = NULL;
	f.paths.devices = NULL;
	fx_load(&f);
	cr_expect_eq(f.rc, -EINVAL);
	cr_expect_null(f.inv);
	cr_expect_str_eq(f.errors.p ? f.errors.p : "",
	                 "chains.csv:0:0: chains.csv is given without devices.csv, but a chain is "
	                 "made of devices; give both or neither\n"
	                 "spans.csv:0:0: spans.csv is given without devices.csv, but a span joins "
	                 "two devices; give both or neither\n"
	                 "circuits.csv:0:0: circuits.csv is given without sites.csv, but a circuit "
	                 "ends at two sites; give both or neither\n");
	fx_teardown(&f);
}

Test(inventory_errors, accepts_columns_in_any_order_extra_columns_lf_and_a_bom)
{
	static const char sites[] =
	    "\xef\xbb\xbfpower,note,lon,lat,class,city,county,site_name,site\n"
	    "mains,\"old room, no UPS\",107.1,24.1,county,Alpha,Tian'e,机房X,A-X\n"
	    "mains+battery,,107.2,24.2,township,Alpha,Tian'e,机房Y,A-Y\n"
	    "mains+battery,,107.3,24.3,township,Alpha,Tian'e,机房Z,A-Z\n"
	    "mains,,107.4,24.4,township,Alpha,Tian'e,机房W,A-W\n";
	struct fx f;
	const struct fl_inv_site *s;

	fx_setup(&f, FX_SITES, sites);
	fx_load(&f);
	cr_assert_eq(f.rc, 0, "%s", f.errors.p ? f.errors.p : "");
	s = fl_inventory_site(f.inv, FL_STR_LIT("A-X"));
	cr_assert_not_null(s);
	cr_expect_str_eq(s->county->name, "Tian'e");
	cr_expect_eq(s->power, FL_INV_POWER_MAINS);
	cr_expect(s->lat > 24.09 && s->lat < 24.11);
	fx_teardown(&f);
}

Test(inventory_errors, reports_a_column_named_twice)
{
	static const char rings[] = "ring,name,level,city,county,vendor,nodes,level\r\n"
	                            "A-R01,县环,county,Alpha,Tian'e,Huawei,3,county\r\n";
	struct fx f;

	fx_setup(&f, FX_RINGS, rings);
	fx_load(&f);
	cr_expect_eq(f.rc, -EINVAL);
	/* rings.csv is then not loaded: its references are not checked either. */
	cr_expect_str_eq(
	    f.errors.p ? f.errors.p : "",
	    "rings.csv:1:42: column 'level' appears twice in the header; remove one\n");
	fx_teardown(&f);
}

Test(inventory_errors, stops_reporting_at_the_cap_and_counts_the_rest)
{
	struct fl_buf sites;
	struct fx f;
	const char *last;

	fl_buf_init(&sites, 1 << 20);
	fl_buf_adds(&sites, fx_tables[FX_SITES]);
	for (int i = 0; i < FL_INVENTORY_MAX_ERRORS + 50; i++)
		fl_buf_printf(&sites, "B-%d,机房,Tian'e,Alpha,hamlet,24.1,107.1,mains\r\n", i);
	fx_setup(&f, FX_SITES, sites.p);
	fx_load(&f);
	cr_expect_eq(f.rc, -EINVAL);
	size_t lines = 0;

	for (const char *p = f.errors.p; p && *p; p++)
		lines += *p == '\n';
	cr_expect_eq(lines, FL_INVENTORY_MAX_ERRORS + 1);
	last = f.errors.p ? strstr(f.errors.p, ":0:0: ") : NULL;
	cr_assert_not_null(last);
	cr_expect_str_eq(last, ":0:0: 50 more errors not shown\n");
	fl_buf_free(&sites);
	fx_teardown(&f);
}
