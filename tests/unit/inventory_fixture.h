/* inventory_fixture.h - a tiny, complete network written as CSV files into a
 * temp dir, for tests that break one table at a time. Header-only: included
 * by the inventory unit tests. */
#ifndef FL_TEST_INVENTORY_FIXTURE_H
#define FL_TEST_INVENTORY_FIXTURE_H
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/lib/buf.h"
#include "engine/inventory/inventory.h"
#include "engine/lib/limits.h"

enum fx_table {
	FX_SITES,
	FX_RINGS,
	FX_DEVICES,
	FX_CHAINS,
	FX_SPANS,
	FX_CIRCUITS,
	FX_CONTACTS,
	FX_MAINT,
	FX__N
};

static const char *const fx_names[FX__N] = {"sites", "rings",    "devices",  "chains",
                                            "spans", "circuits", "contacts", "maintenance"};

/* Rows joined with CRLF, as the real tables are written. Ring A-R01 has three
 * devices; chain A-C01 hangs off A-Z-OSN01 and reaches A-W-OSN01. */
static const char *const fx_tables[FX__N] = {
    "site,site_name,county,city,class,lat,lon,power\r\n"
    "A-X,机房X,Tian'e,Alpha,county,24.1,107.1,mains\r\n"
    "A-Y,机房Y,Tian'e,Alpha,township,24.2,107.2,mains+battery\r\n"
    "A-Z,机房Z,Tian'e,Alpha,township,24.3,107.3,mains+battery\r\n"
    "A-W,机房W,Tian'e,Alpha,township,24.4,107.4,mains\r\n",

    "ring,name,level,city,county,vendor,nodes\r\n"
    "A-R01,县环,county,Alpha,Tian'e,Huawei,3\r\n",

    "device,mgmt_ip,vendor,model,role,site,site_name,county,city,ring,ring_pos,level\r\n"
    "A-X-OSN01,10.2.1.2,Huawei,OptiX OSN 3500,metro-sdh,A-X,机房X,Tian'e,Alpha,A-R01,1,county\r\n"
    "A-Y-OSN01,10.2.2.2,Huawei,OptiX OSN 1500,metro-sdh,A-Y,机房Y,Tian'e,Alpha,A-R01,2,township\r\n"
    "A-Z-OSN01,10.2.3.2,Huawei,OptiX OSN 1500,metro-sdh,A-Z,机房Z,Tian'e,Alpha,A-R01,3,township\r\n"
    "A-W-OSN01,10.2.4.2,Huawei,\"OptiX OSN 500, "
    "compact\",metro-sdh,A-W,机房W,Tian'e,Alpha,,,township\r\n",

    "chain,parent_ring,parent_device,devices,name,county,city\r\n"
    "A-C01,A-R01,A-Z-OSN01,A-W-OSN01,支链,Tian'e,Alpha\r\n",

    "span,ring,a_device,a_port,b_device,b_port,length_km,duct,kind,srlg\r\n"
    "A-R01-S01,A-R01,A-X-OSN01,1-8-1,A-Y-OSN01,1-7-1,10.5,yes,ring,DUCT-A-X-N\r\n"
    "A-R01-S02,A-R01,A-Y-OSN01,1-8-1,A-Z-OSN01,1-7-1,12.0,no,ring,\r\n"
    "A-R01-S03,A-R01,A-Z-OSN01,1-8-1,A-X-OSN01,1-7-1,8.25,no,ring,DUCT-A-X-N\r\n"
    "A-C01-S01,A-C01,A-Z-OSN01,1-11-1,A-W-OSN01,1-7-1,5.0,no,chain,\r\n",

    "circuit,customer,a_site,b_site,path,priority,bandwidth,protection\r\n"
    "A-GOV-001,政务网,A-X,A-W,A-R01-S03;A-C01-S01,urgent,GE,none\r\n"
    "A-GOV-002,政务网,A-X,A-Y,A-R01-S01,severe,GE,sncp\r\n",

    "level,branch,role,name,mobile,email,office_phone,on_24h,city,branch_name,customer\r\n"
    "region,region,fault_lead,甲,138-0000-0001,a@example.net,0771-5550001,yes,,区公司,\r\n"
    "city,Alpha,duty_room,乙,138-0000-0002,b@example.net,0778-5550002,yes,Alpha,分公司,\r\n"
    "county,Tian'e,repair_team,丙,138-0000-0003,,0778-5550003,yes,Alpha,县分公司,\r\n"
    "city,Alpha,customer_contact,丁,138-0000-0004,d@example.net,0778-5550004,no,Alpha,分公司,"
    "政务网\r\n",

    "window,start,end,scope,target,reason,announced,approved_by,customers_notified\r\n"
    "MW-1,2026-11-28T00:30:00+08:00,2026-11-28T04:30:00+08:00,span,A-R01-S02,割接,"
    "2026-11-21T09:00:00+08:00,乙,政务网\r\n",
};

struct fx {
	char dir[64];
	char files[FX__N][128];
	struct fl_inventory_paths paths;
	struct fl_buf errors; /* "file:line:col: msg\n", file relative to dir */
	struct fl_inventory *inv;
	int rc;
};

static void fx_on_error(void *ctx, const char *file, size_t line, size_t col, const char *msg)
{
	struct fx *f = ctx;
	size_t n = strlen(f->dir);
	char text[1024];

	if (strncmp(file, f->dir, n) == 0 && file[n] == '/')
		file += n + 1;
	/* Messages name other tables by path: show them relative too. */
	snprintf(text, sizeof(text), "%s", msg);
	for (char *p; (p = strstr(text, f->dir));)
		memmove(p, p + n + 1, strlen(p + n + 1) + 1);
	fl_buf_printf(&f->errors, "%s:%zu:%zu: %s\n", file, line, col, text);
}

static void fx_write(struct fx *f, enum fx_table t, const char *content)
{
	FILE *fp = fopen(f->files[t], "wb");

	cr_assert_not_null(fp, "create %s", f->files[t]);
	cr_assert_eq(fwrite(content, 1, strlen(content), fp), strlen(content));
	cr_assert_eq(fclose(fp), 0);
}

/* Writes every table; `broken` replaces table t's content when not NULL. */
static void fx_setup(struct fx *f, int t, const char *broken)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/fl-inv-XXXXXX");
	cr_assert_not_null(mkdtemp(f->dir));
	for (int i = 0; i < FX__N; i++) {
		snprintf(f->files[i], sizeof(f->files[i]), "%s/%s.csv", f->dir, fx_names[i]);
		fx_write(f, (enum fx_table)i, i == t && broken ? broken : fx_tables[i]);
	}
	f->paths = (struct fl_inventory_paths){
	    .devices = f->files[FX_DEVICES],
	    .sites = f->files[FX_SITES],
	    .rings = f->files[FX_RINGS],
	    .spans = f->files[FX_SPANS],
	    .chains = f->files[FX_CHAINS],
	    .circuits = f->files[FX_CIRCUITS],
	    .contacts = f->files[FX_CONTACTS],
	    .maintenance = f->files[FX_MAINT],
	};
	fl_buf_init(&f->errors, 1 << 16);
	fl_buf_adds(&f->errors, "");
}

static void fx_load(struct fx *f)
{
	f->rc = fl_inventory_load(&f->inv, &f->paths, fx_on_error, f);
}

static void fx_teardown(struct fx *f)
{
	for (int i = 0; i < FX__N; i++)
		unlink(f->files[i]);
	rmdir(f->dir);
	fl_inventory_free(f->inv);
	fl_buf_free(&f->errors);
}

#endif /* FL_TEST_INVENTORY_FIXTURE_H */
