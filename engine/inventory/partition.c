/* partition.c - the partition map: sites to partitions, spans to owners. */
#include "engine/inventory/partition.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/csv.h"

#define MAP_FILE_MAX_BYTES (16u << 20) /* thousands of rows fit in far less */

enum map_kind { KIND_CITY, KIND_SITE, KIND_RING, KIND_SPAN };

struct fl_partition_map {
	const struct fl_inventory *inv; /* borrowed */
	char *names[FL_PARTITION_MAX];
	size_t *first_line; /* per partition: where it is first named (0: by city) */
	size_t nparts;
	size_t *site_part;   /* per site index */
	size_t *site_line;   /* per site: the partitions.csv line that placed it (0: none) */
	bool *site_by_row;   /* placed by a site row (wins over its city's row) */
	size_t *span_owner;  /* per span index */
	size_t *span_rule;   /* per span: owner from a span (2) or ring (1) row, 0: none */
	size_t nsites, nspans;
};

/* The load's reporting: every error goes out, the load fails at the end. */
struct load {
	struct fl_partition_map *m;
	const char *file;       /* partitions.csv */
	const char *sites_file; /* where a site in no partition is reported */
	fl_inventory_error_fn on_error;
	void *ctx;
	size_t nerrors;
};

__attribute__((format(printf, 5, 0))) static void vreport(struct load *ld, const char *file,
							  size_t line, size_t col, const char *fmt,
							  va_list ap)
{
	char msg[512];

	ld->nerrors++;
	if (!ld->on_error)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	ld->on_error(ld->ctx, file, line, col, msg);
}

__attribute__((format(printf, 4, 5))) static void report(struct load *ld, size_t line, size_t col,
							 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ld, ld->file, line, col, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 4, 5))) static void report_site(struct load *ld, size_t line,
							      size_t col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ld, ld->sites_file, line, col, fmt, ap);
	va_end(ap);
}

static int map_alloc(struct fl_partition_map **out, const struct fl_inventory *inv)
{
	struct fl_inventory_counts c;
	struct fl_partition_map *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	fl_inventory_counts(inv, &c);
	m->inv = inv;
	m->nsites = c.sites;
	m->nspans = c.spans;
	m->first_line = calloc(FL_PARTITION_MAX, sizeof(*m->first_line));
	m->site_part = malloc((c.sites + 1) * sizeof(*m->site_part));
	m->site_line = calloc(c.sites + 1, sizeof(*m->site_line));
	m->site_by_row = calloc(c.sites + 1, sizeof(*m->site_by_row));
	m->span_owner = malloc((c.spans + 1) * sizeof(*m->span_owner));
	m->span_rule = calloc(c.spans + 1, sizeof(*m->span_rule));
	if (!m->first_line || !m->site_part || !m->site_line || !m->site_by_row ||
	    !m->span_owner || !m->span_rule) {
		fl_partition_map_free(m);
		return -ENOMEM;
	}
	for (size_t i = 0; i < c.sites; i++)
		m->site_part[i] = FL_PARTITION_NONE;
	for (size_t i = 0; i < c.spans; i++)
		m->span_owner[i] = FL_PARTITION_NONE;
	*out = m;
	return 0;
}

/* The number of partition `name`, added when new. -ENOBUFS past the cap. */
static int part_intern(struct fl_partition_map *m, struct fl_str name, size_t line, size_t *out)
{
	size_t at = fl_partition_find(m, name);

	if (at != FL_PARTITION_NONE) {
		*out = at;
		return 0;
	}
	if (m->nparts == FL_PARTITION_MAX)
		return -ENOBUFS;
	m->names[m->nparts] = strndup(name.p, name.len);
	if (!m->names[m->nparts])
		return -ENOMEM;
	m->first_line[m->nparts] = line;
	*out = m->nparts++;
	return 0;
}

static void place_site(struct load *ld, const struct fl_inv_site *s, size_t part, bool by_row,
		       const struct fl_csv_field *where)
{
	struct fl_partition_map *m = ld->m;
	size_t was = m->site_part[s->index];

	if (was == FL_PARTITION_NONE || (by_row && !m->site_by_row[s->index])) {
		m->site_part[s->index] = part;
		m->site_line[s->index] = where->line;
		m->site_by_row[s->index] = by_row;
		return;
	}
	if (by_row != m->site_by_row[s->index] || was == part)
		return; /* a city row under a site row: the site row wins */
	report(ld, where->line, where->col,
	       "site '%s' is in two partitions, '%s' (line %zu) and '%s': give each site to one",
	       s->id, m->names[was], m->site_line[s->index], m->names[part]);
}

static void place_span(struct load *ld, const struct fl_inv_span *sp, size_t part, size_t rule,
		       const struct fl_csv_field *where)
{
	struct fl_partition_map *m = ld->m;

	if (m->span_rule[sp->index] == rule && m->span_owner[sp->index] != part) {
		report(ld, where->line, where->col,
		       "span '%s' is owned by two partitions, '%s' and '%s': name one owner",
		       sp->id, m->names[m->span_owner[sp->index]], m->names[part]);
		return;
	}
	if (m->span_rule[sp->index] > rule)
		return; /* a span row wins over its ring's row */
	m->span_owner[sp->index] = part;
	m->span_rule[sp->index] = rule;
}

static int parse_kind(struct fl_str s, enum map_kind *out)
{
	static const char *const kinds[] = {"city", "site", "ring", "span"};

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (s.len == strlen(kinds[k]) && memcmp(s.p, kinds[k], s.len) == 0) {
			*out = (enum map_kind)k;
			return 0;
		}
	return -EINVAL;
}

/* One row: partition,kind,target. */
static int map_row(struct load *ld, const struct fl_csv_row *row)
{
	const struct fl_csv_field *f = row->fields;
	const struct fl_inventory *inv = ld->m->inv;
	enum map_kind kind;
	size_t part;
	int rc;

	if (f[0].s.len == 0) {
		report(ld, f[0].line, f[0].col, "empty partition name");
		return 0;
	}
	if (parse_kind(f[1].s, &kind) < 0) {
		report(ld, f[1].line, f[1].col, "unknown kind '%.*s': city, site, ring or span",
		       (int)f[1].s.len, f[1].s.p);
		return 0;
	}
	rc = part_intern(ld->m, f[0].s, row->line, &part);
	if (rc == -ENOBUFS) {
		report(ld, f[0].line, f[0].col, "more than %d partitions", FL_PARTITION_MAX);
		return 0;
	}
	if (rc < 0)
		return rc;
	switch (kind) {
	case KIND_CITY: {
		const struct fl_inv_area *city = fl_inventory_city(inv, f[2].s);

		if (!city)
			report(ld, f[2].line, f[2].col, "no city '%.*s' in sites.csv",
			       (int)f[2].s.len, f[2].s.p);
		for (size_t i = 0; city && i < city->nsites; i++)
			place_site(ld, city->sites[i], part, false, &f[2]);
		break;
	}
	case KIND_SITE: {
		const struct fl_inv_site *s = fl_inventory_site(inv, f[2].s);

		if (!s)
			report(ld, f[2].line, f[2].col, "no site '%.*s' in sites.csv",
			       (int)f[2].s.len, f[2].s.p);
		else
			place_site(ld, s, part, true, &f[2]);
		break;
	}
	case KIND_RING: {
		const struct fl_inv_ring *ring = fl_inventory_ring(inv, f[2].s);

		if (!ring)
			report(ld, f[2].line, f[2].col, "no ring '%.*s' in rings.csv",
			       (int)f[2].s.len, f[2].s.p);
		for (size_t i = 0; ring && i < ring->nodes; i++)
			if (ring->spans[i])
				place_span(ld, ring->spans[i], part, 1, &f[2]);
		break;
	}
	case KIND_SPAN: {
		const struct fl_inv_span *sp = fl_inventory_span(inv, f[2].s);

		if (!sp)
			report(ld, f[2].line, f[2].col, "no span '%.*s' in spans.csv",
			       (int)f[2].s.len, f[2].s.p);
		else
			place_span(ld, sp, part, 2, &f[2]);
		break;
	}
	}
	return 0;
}

static bool is_header(const struct fl_csv_row *row)
{
	static const char *const want[] = {"partition", "kind", "target"};

	if (row->nfields != 3)
		return false;
	for (size_t i = 0; i < 3; i++)
		if (row->fields[i].s.len != strlen(want[i]) ||
		    memcmp(row->fields[i].s.p, want[i], row->fields[i].s.len) != 0)
			return false;
	return true;
}

static int read_rows(struct load *ld, const struct fl_str *text)
{
	struct fl_csv csv;
	struct fl_csv_row row;
	enum fl_csv_verdict v;
	bool has_header = false;
	int rc = fl_csv_init(&csv, text->p, text->len);

	if (rc < 0)
		return rc;
	while ((v = fl_csv_next(&csv, &row)) != FL_CSV_END) {
		if (v != FL_CSV_OK) {
			report(ld, csv.err_line, csv.err_col, "%s", fl_csv_verdict_text(v));
			continue;
		}
		if (!has_header) {
			has_header = true;
			if (!is_header(&row))
				report(ld, row.line, 1, "the header must be partition,kind,target");
			continue;
		}
		rc = map_row(ld, &row);
		if (rc < 0)
			break;
	}
	fl_csv_free(&csv);
	if (!has_header && rc == 0)
		report(ld, 1, 1, "empty file: the header partition,kind,target and a row per "
				 "city or site are needed");
	return rc;
}

/* With no map file: each city its own partition, in sites.csv order. */
static int by_city(struct load *ld)
{
	struct fl_partition_map *m = ld->m;

	for (size_t i = 0; i < m->nsites; i++) {
		const struct fl_inv_site *s = fl_inventory_site_at(m->inv, i);
		struct fl_str city;
		int rc;

		if (!s || !s->city)
			continue;
		city = (struct fl_str){s->city->name, strlen(s->city->name)};
		rc = part_intern(m, city, 0, &m->site_part[i]);
		if (rc == -ENOBUFS) {
			report_site(ld, s->line, 1, "more than %d cities: write %s",
				    FL_PARTITION_MAX, FL_PARTITION_FILE);
			return 0;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Every site placed, every partition holding one, every span an owner. */
static void settle(struct load *ld)
{
	struct fl_partition_map *m = ld->m;
	size_t nsites_of[FL_PARTITION_MAX] = {0};

	for (size_t i = 0; i < m->nsites; i++) {
		const struct fl_inv_site *s = fl_inventory_site_at(m->inv, i);

		if (m->site_part[i] != FL_PARTITION_NONE)
			nsites_of[m->site_part[i]]++;
		else
			report_site(ld, s ? s->line : 0, 1,
				    "site '%s' is in no partition: add its city or the site to %s",
				    s ? s->id : "?", FL_PARTITION_FILE);
	}
	for (size_t p = 0; p < m->nparts; p++)
		if (!nsites_of[p])
			report(ld, m->first_line[p], 1,
			       "partition '%s' has no site: give it a city or a site", m->names[p]);
	for (size_t i = 0; i < m->nspans; i++) {
		const struct fl_inv_span *sp = fl_inventory_span_nth(m->inv, i);
		size_t a = fl_partition_of_device(m, sp->a);
		size_t b = fl_partition_of_device(m, sp->b);

		if (a == b || m->span_rule[i] == 0)
			m->span_owner[i] = a; /* one partition, or the a end's */
	}
}

static int load_map(struct fl_partition_map **out, const struct fl_inventory *inv,
		    struct load *ld_in, const struct fl_str *text)
{
	struct load ld = *ld_in;
	int rc;

	if (!inv)
		return -EINVAL;
	rc = map_alloc(&ld.m, inv);
	if (rc < 0)
		return rc;
	rc = text ? read_rows(&ld, text) : by_city(&ld);
	if (rc == 0) /* every site and partition checked, even after a bad row */
		settle(&ld);
	if (rc == 0 && ld.nerrors)
		rc = -EINVAL;
	if (rc < 0) {
		fl_partition_map_free(ld.m);
		return rc;
	}
	*out = ld.m;
	return 0;
}

int fl_partition_map_load_text(struct fl_partition_map **out, const struct fl_inventory *inv,
			       const char *file, const struct fl_str *text,
			       fl_inventory_error_fn on_error, void *ctx)
{
	struct load ld = {.file = file, .sites_file = "sites.csv", .on_error = on_error,
			  .ctx = ctx};

	return load_map(out, inv, &ld, text);
}

static int read_whole(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	size_t n;

	if (!f)
		return -errno;
	p = malloc(MAP_FILE_MAX_BYTES + 1);
	if (!p) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(p, 1, MAP_FILE_MAX_BYTES + 1, f);
	if (ferror(f) || n > MAP_FILE_MAX_BYTES) {
		fclose(f);
		free(p);
		return n > MAP_FILE_MAX_BYTES ? -EFBIG : -EIO;
	}
	fclose(f);
	*out = p;
	*len = n;
	return 0;
}

int fl_partition_map_load(struct fl_partition_map **out, const struct fl_inventory *inv,
			  const char *data_dir, fl_inventory_error_fn on_error, void *ctx)
{
	char path[4096], sites[4096];
	struct load ld = {.file = path, .sites_file = sites, .on_error = on_error, .ctx = ctx};
	const char *dir = data_dir ? data_dir : ".";
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (snprintf(path, sizeof(path), "%s/%s", dir, FL_PARTITION_FILE) >= (int)sizeof(path) ||
	    snprintf(sites, sizeof(sites), "%s/sites.csv", dir) >= (int)sizeof(sites))
		return -ENAMETOOLONG;
	rc = read_whole(path, &text, &len);
	if (rc == -ENOENT)
		return load_map(out, inv, &ld, NULL);
	if (rc < 0) {
		if (on_error)
			on_error(ctx, path, 0, 0,
				 rc == -EFBIG ? "file too large" : "cannot read the file");
		return rc == -ENOMEM ? rc : -EIO;
	}
	rc = load_map(out, inv, &ld, &(struct fl_str){text, len});
	free(text);
	return rc;
}

void fl_partition_map_free(struct fl_partition_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nparts; i++)
		free(m->names[i]);
	free(m->first_line);
	free(m->site_part);
	free(m->site_line);
	free(m->site_by_row);
	free(m->span_owner);
	free(m->span_rule);
	free(m);
}

size_t fl_partition_count(const struct fl_partition_map *m)
{
	return m->nparts;
}

const char *fl_partition_name(const struct fl_partition_map *m, size_t part)
{
	return part < m->nparts ? m->names[part] : "?";
}

size_t fl_partition_find(const struct fl_partition_map *m, struct fl_str name)
{
	for (size_t i = 0; i < m->nparts; i++)
		if (strlen(m->names[i]) == name.len && memcmp(m->names[i], name.p, name.len) == 0)
			return i;
	return FL_PARTITION_NONE;
}

size_t fl_partition_of_site(const struct fl_partition_map *m, const struct fl_inv_site *s)
{
	return s && s->index < m->nsites ? m->site_part[s->index] : FL_PARTITION_NONE;
}

size_t fl_partition_of_device(const struct fl_partition_map *m, const struct fl_inv_device *d)
{
	return d ? fl_partition_of_site(m, d->site) : FL_PARTITION_NONE;
}

size_t fl_partition_of_span(const struct fl_partition_map *m, const struct fl_inv_span *sp)
{
	return sp && sp->index < m->nspans ? m->span_owner[sp->index] : FL_PARTITION_NONE;
}

bool fl_partition_sees_device(const struct fl_partition_map *m, size_t part,
			      const struct fl_inv_device *d)
{
	if (!d)
		return false;
	if (fl_partition_of_device(m, d) == part)
		return true;
	for (size_t i = 0; i < d->nspans; i++)
		if (fl_partition_of_span(m, d->spans[i]) == part)
			return true;
	return false;
}
