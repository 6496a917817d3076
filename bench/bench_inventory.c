/* bench_inventory.c - load time of the inventory and lookup rates.
 *
 * usage: bench_inventory DATA_DIR [COPIES]
 * Loads the sample tables of DATA_DIR, then a network COPIES times larger
 * (default 100) generated from them into a temp dir: every id, area and
 * customer gets a per-copy prefix, management addresses a per-copy first
 * octet, and the region's contacts stay single. Prints figures only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/lib/buf.h"
#include "engine/lib/csv.h"
#include "engine/inventory/inventory.h"

#define NTABLES 8

static const char *const tables[NTABLES] = {"devices", "sites",    "rings",    "spans",
                                            "chains",  "circuits", "contacts", "maintenance"};

/* Columns that hold ids, areas or customers (prefixed per copy); `list`
 * columns are `;`-separated. */
struct rewrite {
	const char *table, *column;
	bool is_list;
};

static const struct rewrite rewrites[] = {
    {"sites", "site", false},
    {"sites", "county", false},
    {"sites", "city", false},
    {"devices", "device", false},
    {"devices", "site", false},
    {"devices", "county", false},
    {"devices", "city", false},
    {"devices", "ring", false},
    {"rings", "ring", false},
    {"rings", "city", false},
    {"rings", "county", false},
    {"spans", "span", false},
    {"spans", "ring", false},
    {"spans", "a_device", false},
    {"spans", "b_device", false},
    {"spans", "srlg", true},
    {"chains", "chain", false},
    {"chains", "parent_ring", false},
    {"chains", "parent_device", false},
    {"chains", "devices", true},
    {"chains", "county", false},
    {"chains", "city", false},
    {"circuits", "circuit", false},
    {"circuits", "customer", false},
    {"circuits", "a_site", false},
    {"circuits", "b_site", false},
    {"circuits", "path", true},
    {"contacts", "branch", false},
    {"contacts", "city", false},
    {"contacts", "customer", false},
    {"maintenance", "window", false},
    {"maintenance", "target", false},
    {"maintenance", "customers_notified", true},
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

static bool rewritten(const char *table, struct fl_str column, bool *is_list)
{
	for (size_t i = 0; i < sizeof(rewrites) / sizeof(rewrites[0]); i++) {
		if (strcmp(rewrites[i].table, table) == 0 &&
		    fl_str_eq_cstr(column, rewrites[i].column)) {
			*is_list = rewrites[i].is_list;
			return true;
		}
	}
	return false;
}

static void put_field(struct fl_buf *out, const char *prefix, struct fl_str v, bool is_rewritten,
                      bool is_list, bool is_ip)
{
	bool needs_quote = memchr(v.p, ',', v.len) || memchr(v.p, '"', v.len) ||
	                   memchr(v.p, '\n', v.len) || memchr(v.p, '\r', v.len);
	size_t start = 0;

	if (needs_quote)
		fl_buf_addc(out, '"');
	if (is_ip && v.len > 3 && memcmp(v.p, "10.", 3) == 0) {
		fl_buf_printf(out, "%d.%.*s", 10 + atoi(prefix + 1), (int)(v.len - 3), v.p + 3);
	} else if (!is_rewritten || v.len == 0 || fl_str_eq_cstr(v, "region")) {
		for (size_t i = 0; i < v.len; i++) {
			if (v.p[i] == '"')
				fl_buf_addc(out, '"');
			fl_buf_addc(out, v.p[i]);
		}
	} else {
		for (size_t i = 0; i <= v.len; i++) {
			if (i < v.len && !(is_list && v.p[i] == ';'))
				continue;
			fl_buf_printf(out, "%s%s%.*s", start ? ";" : "", prefix, (int)(i - start),
			              v.p + start);
			start = i + 1;
		}
	}
	if (needs_quote)
		fl_buf_addc(out, '"');
}

/* Writes `copies` renamed copies of one table. Returns 0 or -1. */
static int scale_table(const char *dir, const char *out_dir, const char *table, int copies,
                       size_t *rows_out)
{
	char path[1024];
	size_t len = 0, rows = 0;
	char *in;
	struct fl_buf out;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/%s.csv", dir, table);
	if (!(in = slurp(path, &len)))
		return -1;
	fl_buf_init(&out, (size_t)1 << 30);
	for (int k = 0; k < copies; k++) {
		struct fl_csv csv;
		struct fl_csv_row row;
		bool rw[64] = {false}, list[64] = {false}, ip[64] = {false};
		size_t level_col = SIZE_MAX;
		char prefix[16];

		snprintf(prefix, sizeof(prefix), "K%d-", k);
		if (fl_csv_init(&csv, in, len) < 0 || fl_csv_next(&csv, &row) != FL_CSV_OK)
			goto out;
		for (size_t i = 0; i < row.nfields && i < 64; i++) {
			rw[i] = rewritten(table, row.fields[i].s, &list[i]);
			ip[i] = fl_str_eq_cstr(row.fields[i].s, "mgmt_ip");
			if (fl_str_eq_cstr(row.fields[i].s, "level"))
				level_col = i;
			if (k == 0) {
				put_field(&out, "", row.fields[i].s, false, false, false);
				fl_buf_adds(&out, i + 1 < row.nfields ? "," : "\r\n");
			}
		}
		while (fl_csv_next(&csv, &row) == FL_CSV_OK) {
			if (k > 0 && strcmp(table, "contacts") == 0 && level_col < row.nfields &&
			    fl_str_eq_cstr(row.fields[level_col].s, "region"))
				continue; /* one region, whatever the size */
			for (size_t i = 0; i < row.nfields && i < 64; i++) {
				put_field(&out, prefix, row.fields[i].s, rw[i], list[i], ip[i]);
				fl_buf_adds(&out, i + 1 < row.nfields ? "," : "\r\n");
			}
			rows++;
		}
		fl_csv_free(&csv);
	}
	snprintf(path, sizeof(path), "%s/%s.csv", out_dir, table);
	FILE *f = fopen(path, "wb");

	if (!f || out.overflowed)
		goto out;
	rc = fwrite(out.p, 1, out.len, f) == out.len ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	*rows_out += rows;
out:
	fl_buf_free(&out);
	free(in);
	return rc;
}

static void paths_of(const char *dir, char files[NTABLES][1024], struct fl_inventory_paths *p)
{
	for (int i = 0; i < NTABLES; i++)
		snprintf(files[i], 1024, "%s/%s.csv", dir, tables[i]);
	*p = (struct fl_inventory_paths){files[0], files[1], files[2], files[3],
	                                 files[4], files[5], files[6], files[7]};
}

static void print_error(void *ctx, const char *file, size_t line, size_t col, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s:%zu:%zu: %s\n", file, line, col, msg);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median load time over `runs` loads; keeps the last inventory in *out. */
static int time_load(const char *dir, int runs, struct fl_inventory **out, double *median_s)
{
	char files[NTABLES][1024];
	struct fl_inventory_paths p;
	double t[32];

	paths_of(dir, files, &p);
	if (runs > 32)
		runs = 32;
	for (int r = 0; r < runs; r++) {
		struct fl_inventory *inv = NULL;
		double t0 = now_s();
		int rc = fl_inventory_load(&inv, &p, print_error, NULL);

		t[r] = now_s() - t0;
		if (rc < 0) {
			fprintf(stderr, "load %s: %s\n", dir, strerror(-rc));
			return -1;
		}
		if (r + 1 < runs)
			fl_inventory_free(inv);
		else
			*out = inv;
	}
	qsort(t, (size_t)runs, sizeof(t[0]), cmp_double);
	*median_s = t[runs / 2];
	return 0;
}

static void lookups(const char *label, const struct fl_inventory *inv)
{
	struct fl_inventory_counts n;
	const size_t rounds = 2000000;
	volatile size_t sink = 0;
	double t0, dt;

	fl_inventory_counts(inv, &n);
	t0 = now_s();
	for (size_t i = 0; i < rounds; i++) {
		const struct fl_inv_device *d = fl_inventory_device_at(inv, i % n.devices);

		sink += fl_inventory_device(inv, fl_str_make(d->id, strlen(d->id))) == d;
	}
	dt = now_s() - t0;
	printf("%s device lookups: %.1f M/s\n", label, (double)rounds / dt / 1e6);
	t0 = now_s();
	for (size_t i = 0; i < rounds; i++) {
		const struct fl_inv_span *sp = fl_inventory_span_nth(inv, i % n.spans);

		sink += fl_inventory_span_at(inv, fl_str_make(sp->a->id, strlen(sp->a->id)),
		                             fl_str_make(sp->a_port, strlen(sp->a_port))) == sp;
	}
	dt = now_s() - t0;
	printf("%s span by (device, port): %.1f M/s\n", label, (double)rounds / dt / 1e6);
	t0 = now_s();
	for (size_t i = 0; i < rounds / 10; i++) {
		const struct fl_inv_device *d = fl_inventory_device_at(inv, i % n.devices);
		struct fl_inv_contacts res;
		unsigned mask = 1u << FL_INV_CONTACT_FAULT_LEAD | 1u << FL_INV_CONTACT_REPAIR_TEAM |
		                1u << FL_INV_CONTACT_LEADER_IN_CHARGE;

		if (fl_inventory_contacts(inv, mask, FL_INV_LEVEL_TOWNSHIP,
		                          fl_str_make(d->id, strlen(d->id)), &res) == 0)
			sink += res.nhits;
	}
	dt = now_s() - t0;
	printf("%s contact resolutions (3 roles, from a device): %.2f M/s\n", label,
	       (double)(rounds / 10) / dt / 1e6);
	t0 = now_s();
	for (size_t i = 0; i < rounds; i++) {
		const struct fl_inv_span *sp = fl_inventory_span_nth(inv, i % n.spans);
		const struct fl_inv_span *cuts[2] = {sp, sp->ring ? sp->ring->spans[0] : sp};
		const struct fl_inv_device *iso[16];
		size_t niso = 0;

		if (sp->ring)
			sink +=
			    (size_t)fl_inventory_ring_state(inv, sp->ring, cuts, 2, iso, 16, &niso);
		for (size_t k = 0; k < sp->ncircuits; k++)
			sink += (size_t)fl_inventory_circuit_state(inv, sp->circuits[k], cuts, 2);
	}
	dt = now_s() - t0;
	printf("%s cut evaluations (ring state + every circuit on the span, 2 cuts): %.1f M/s\n",
	       label, (double)rounds / dt / 1e6);
	(void)sink;
}

int main(int argc, char **argv)
{
	const char *data = argc > 1 ? argv[1] : "/work/shared/data";
	int copies = argc > 2 ? atoi(argv[2]) : 100;
	char tmp[] = "/tmp/fl-bench-inv-XXXXXX";
	struct fl_inventory *inv = NULL;
	struct fl_inventory_counts n;
	size_t rows = 0;
	char label[16];
	double med;
	int rc = 1;

	if (copies < 1 || copies > 1000) {
		fprintf(stderr, "usage: bench_inventory DATA_DIR [COPIES 1..1000]\n");
		return 2;
	}
	if (time_load(data, 21, &inv, &med) < 0)
		return 1;
	fl_inventory_counts(inv, &n);
	printf("sample load: %.2f ms median of 21 (%zu devices, %zu spans, %zu contacts)\n",
	       med * 1e3, n.devices, n.spans, n.contacts);
	printf("sample arena: %.2f MiB\n", (double)n.arena_bytes / (1 << 20));
	lookups("sample", inv);
	fl_inventory_free(inv);

	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	for (int i = 0; i < NTABLES; i++)
		if (scale_table(data, tmp, tables[i], copies, &rows) < 0) {
			fprintf(stderr, "cannot generate %s x%d\n", tables[i], copies);
			goto out_rm;
		}
	if (time_load(tmp, 5, &inv, &med) < 0)
		goto out_rm;
	fl_inventory_counts(inv, &n);
	printf("x%d load: %.1f ms median of 5 (%zu rows: %zu devices, %zu spans, %zu contacts)\n",
	       copies, med * 1e3, rows, n.devices, n.spans, n.contacts);
	printf("x%d arena: %.1f MiB\n", copies, (double)n.arena_bytes / (1 << 20));
	snprintf(label, sizeof(label), "x%d", copies);
	lookups(label, inv);
	fl_inventory_free(inv);
	rc = 0;
out_rm:
	for (int i = 0; i < NTABLES; i++) {
		char path[1024];

		snprintf(path, sizeof(path), "%s/%s.csv", tmp, tables[i]);
		unlink(path);
	}
	rmdir(tmp);
	return rc;
}
