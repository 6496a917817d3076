/* inventory.c - loading the inventory tables: reading each file, its
 * header and rows, and the order of the tables (the tables themselves are
 * inventory_tables.c's, their field checks inventory_check.c's).
 *
 * Tables load in reference order (sites, rings, devices, chains, spans,
 * circuits, contacts, maintenance), so every reference points backwards and is
 * resolved as its row is read. A row with a bad field is reported and still
 * kept when its id is good, so later tables do not report a cascade of unknown
 * names for one typo. Structural checks that need a whole table (every ring
 * position held, every ring and chain span present) run when it is complete.
 * Only a load without errors builds the derived lists (inv_link()). */
#include "engine/inventory/inventory.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/inventory/inventory_int.h"
#include "engine/lib/csv.h"
#include "engine/lib/limits.h"
#include "engine/lib/utf8.h"

/* ---- reading a table ------------------------------------------------------ */

static int read_file(const char *path, char **out, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EISDIR;
		goto out_close;
	}
	if ((uintmax_t)st.st_size > FL_INVENTORY_MAX_FILE_BYTES) {
		rc = -EFBIG;
		goto out_close;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out_close;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) /* short: the file shrank under us; keep what we have */
			break;
		got += (size_t)r;
	}
	close(fd);
	*out = buf;
	*len = got;
	return 0;
out_close:
	close(fd);
	return rc;
}

static void report_csv(struct inv_loader *L, const struct fl_csv *csv, enum fl_csv_verdict v,
                       size_t nfields)
{
	switch (v) {
	case FL_CSV_UNTERMINATED_QUOTE:
		inv_report(
		    L, csv->err_line, csv->err_col,
		    "quoted field is not closed before the end of the file; add the closing '\"'");
		break;
	case FL_CSV_STRAY_QUOTE:
		inv_report(
		    L, csv->err_line, csv->err_col,
		    "quote inside an unquoted field; quote the whole field and double the inner "
		    "quote (\"\")");
		break;
	case FL_CSV_BAD_AFTER_QUOTE:
		inv_report(L, csv->err_line, csv->err_col,
		           "text after a closing quote; quote the whole field and double the inner "
		           "quote (\"\")");
		break;
	case FL_CSV_FIELD_COUNT:
		inv_report(
		    L, csv->err_line, csv->err_col,
		    "row has %zu fields but the header has %zu; quote fields that hold commas",
		    nfields, csv->expect_fields);
		break;
	case FL_CSV_FIELD_TOO_LONG:
		inv_report(L, csv->err_line, csv->err_col, "field longer than %d bytes",
		           FL_CSV_MAX_FIELD_BYTES);
		break;
	case FL_CSV_TOO_MANY_FIELDS:
		inv_report(L, csv->err_line, csv->err_col, "row has more than %d fields",
		           FL_CSV_MAX_FIELDS);
		break;
	case FL_CSV_TOO_MANY_ROWS:
		inv_report(L, csv->err_line, csv->err_col, "file has more than %u rows",
		           FL_CSV_MAX_ROWS);
		break;
	default:
		inv_report(L, csv->err_line, csv->err_col, "%s", fl_csv_verdict_text(v));
		break;
	}
}

/* An unquoted field without the spaces and tabs around it: `a, b` as a
 * hand-edited table writes it is `a` and `b` (a quoted field keeps every
 * byte it quotes); *skipped the columns dropped before it. */
static struct fl_str trim_field(const struct fl_csv_field *f, size_t *skipped)
{
	*skipped = 0;
	return f->was_quoted ? f->s : inv_trim_blanks(f->s, skipped);
}

/* Maps the header to the table's columns, their names in any case and
 * with spaces around them. Returns false (after reporting) when a required
 * column is missing or named twice. */
static bool map_header(struct inv_loader *L, const struct fl_csv_row *hdr,
                       const struct inv_column *cols, size_t ncols, size_t *map)
{
	bool ok = true;

	for (size_t i = 0; i < ncols; i++)
		map[i] = SIZE_MAX;
	for (size_t f = 0; f < hdr->nfields; f++) {
		size_t skipped;
		struct fl_str name = trim_field(&hdr->fields[f], &skipped);

		for (size_t i = 0; i < ncols; i++) {
			if (!inv_eq_folded(name, cols[i].name))
				continue;
			if (map[i] != SIZE_MAX) {
				inv_report(L, hdr->fields[f].line, hdr->fields[f].col,
				           "column '%s' appears twice in the header; remove one",
				           cols[i].name);
				ok = false;
			}
			map[i] = f;
		}
	}
	for (size_t i = 0; i < ncols; i++) {
		if (map[i] != SIZE_MAX || !cols[i].required)
			continue;
		inv_report(
		    L, hdr->line, 1,
		    "missing column '%s'; add it to the header row (columns may come in any order)",
		    cols[i].name);
		ok = false;
	}
	return ok;
}

static int read_rows(struct inv_loader *L, struct fl_csv *csv, const struct inv_column *cols,
                     size_t ncols, const size_t *map, inv_row_fn fn)
{
	struct inv_cell cells[FL_CSV_MAX_FIELDS];
	struct fl_csv_row row;
	enum fl_csv_verdict v;

	while ((v = fl_csv_next(csv, &row)) != FL_CSV_END) {
		bool ok = true;

		if (v == FL_CSV_NO_MEMORY)
			return -ENOMEM;
		if (v != FL_CSV_OK) {
			report_csv(L, csv, v, v == FL_CSV_FIELD_COUNT ? row.nfields : 0);
			continue;
		}
		for (size_t i = 0; i < ncols; i++) {
			if (map[i] == SIZE_MAX) {
				cells[i] = (struct inv_cell){FL_STR_LIT(""), row.line, 1, false};
				continue;
			}
			const struct fl_csv_field *f = &row.fields[map[i]];
			size_t skipped;
			struct fl_str text = trim_field(f, &skipped);

			cells[i] = (struct inv_cell){text, f->line, f->col + skipped, f->was_quoted};
			if (f->s.len && memchr(f->s.p, '\0', f->s.len)) {
				inv_report(L, f->line, f->col,
				           "column %s holds a NUL byte; remove it", cols[i].name);
				ok = false;
			}
		}
		if (ok) {
			int rc = fn(L, cells, row.line);

			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* Where text stops being UTF-8: the line, the column (in code points, as
 * the CSV reader counts them, a BOM taking none) and the byte. False when
 * it is all UTF-8. */
static bool first_non_utf8(const char *p, size_t len, size_t *line, size_t *col,
			   unsigned char *byte)
{
	size_t i = len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;

	if (fl_utf8_valid(p, len))
		return false;
	*line = *col = 1;
	while (i < len) {
		size_t n = fl_utf8_seq_len(p + i, len - i);

		if (n == 0) {
			*byte = (unsigned char)p[i];
			return true;
		}
		if (p[i] == '\n') {
			++*line;
			*col = 1;
		} else {
			++*col;
		}
		i += n;
	}
	return false;
}

static int load_table(struct inv_loader *L, enum inv_table t)
{
	const struct inv_column *cols = inv_tables[t].cols;
	size_t ncols = inv_tables[t].ncols;
	size_t map[FL_CSV_MAX_FIELDS];
	struct fl_csv csv;
	struct fl_csv_row hdr;
	enum fl_csv_verdict v;
	char *buf = NULL;
	const char *text;
	size_t len = 0;
	int rc;

	if (!L->paths[t])
		return 0;
	L->file = L->paths[t];
	if (L->texts) {
		text = L->texts[t].p;
		len = L->texts[t].len;
		rc = len > FL_INVENTORY_MAX_FILE_BYTES ? -EFBIG : 0;
	} else {
		rc = read_file(L->paths[t], &buf, &len);
		text = buf;
	}
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		char why[128];

		if (strerror_r(-rc, why, sizeof(why)) != 0)
			snprintf(why, sizeof(why), "error %d", -rc);
		inv_report(L, 0, 0, "cannot read %s: %s", inv_table_names[t],
		           rc == -EFBIG ? "larger than the inventory file cap" : why);
		if (!L->rc_file || rc == -ENOENT)
			L->rc_file = rc == -ENOENT || rc == -EFBIG ? rc : -EINVAL;
		return 0;
	}
	{
		size_t line, col;
		unsigned char byte;

		/* Chinese spreadsheets save GBK by default: say so, rather than
		 * load names that then differ from every other table's */
		if (first_non_utf8(text, len, &line, &col, &byte)) {
			inv_report(L, line, col,
			           "byte 0x%02X is not UTF-8: save %s as UTF-8 (a file saved as "
			           "GBK converts with: iconv -f GBK -t UTF-8)",
			           byte, inv_table_names[t]);
			goto out_free;
		}
	}
	rc = fl_csv_init(&csv, text, len);
	if (rc < 0)
		goto out_free;
	v = fl_csv_next(&csv, &hdr);
	if (v == FL_CSV_END) {
		inv_report(L, 1, 1, "file is empty; it needs a header row naming its columns");
	} else if (v != FL_CSV_OK) {
		report_csv(L, &csv, v, 0);
	} else if (map_header(L, &hdr, cols, ncols, map)) {
		L->have[t] = true;
		rc = read_rows(L, &csv, cols, ncols, map, inv_tables[t].row);
	}
	fl_csv_free(&csv);
out_free:
	free(buf);
	return rc;
}

/* Contacts by (branch, role) and customer contacts by customer. */
static int index_contacts(struct fl_inventory *inv)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < inv->contacts.n; i++) {
			const struct fl_inv_contact *p = inv->contacts.items[i];
			bool is_customer = p->role == FL_INV_CONTACT_CUSTOMER_CONTACT;
			struct inv_index *ix = is_customer ? &inv->by_customer : &inv->by_role;
			const char *role = p->role_name;
			struct fl_str k1 =
			    fl_str_make(is_customer ? p->customer : p->branch,
			                strlen(is_customer ? p->customer : p->branch));
			struct fl_str k2 =
			    is_customer ? FL_STR_LIT("") : fl_str_make(role, strlen(role));
			struct inv_contact_list *list = (void *)inv_index_get(ix, k1, k2);
			const void *old;

			if (!list) {
				list = inv_arena_alloc(&inv->arena, sizeof(*list));
				if (!list || inv_index_put(ix, k1, k2, list, &old) < 0)
					return -ENOMEM;
			}
			if (pass == 0) {
				list->n++;
				continue;
			}
			if (!list->items) {
				list->items =
				    (void *)inv_arena_alloc(&inv->arena, list->n * sizeof(void *));
				if (!list->items)
					return -ENOMEM;
				list->n = 0;
			}
			list->items[list->n++] = p;
		}
	}
	return 0;
}

static void loader_free(struct inv_loader *L)
{
	inv_index_free(&L->customers);
	inv_index_free(&L->people);
	inv_index_free(&L->contact_keys);
}

/* A table may be left out only together with the tables that need it: a
 * device names its site, a span its devices, a chain its ring and devices, a
 * circuit its sites and spans. */
static void check_dependencies(struct inv_loader *L)
{
	static const struct {
		enum inv_table t, needs;
		const char *why;
	} deps[] = {
	    {INV_T_DEVICES, INV_T_SITES, "every device stands at a site"},
	    {INV_T_CHAINS, INV_T_RINGS, "a chain hangs off a ring"},
	    {INV_T_CHAINS, INV_T_DEVICES, "a chain is made of devices"},
	    {INV_T_SPANS, INV_T_DEVICES, "a span joins two devices"},
	    {INV_T_CIRCUITS, INV_T_SITES, "a circuit ends at two sites"},
	    {INV_T_CIRCUITS, INV_T_SPANS, "a circuit rides spans"},
	};

	for (size_t i = 0; i < FL_ARRAY_LEN(deps); i++) {
		if (!L->paths[deps[i].t] || L->paths[deps[i].needs])
			continue;
		L->file = L->paths[deps[i].t];
		inv_report(L, 0, 0, "%s is given without %s, but %s; give both or neither",
		           inv_table_names[deps[i].t], inv_table_names[deps[i].needs], deps[i].why);
	}
}

/* Loads the tables L names (paths, or texts in memory) in reference order. */
static int load(struct inv_loader *L_in, struct fl_inventory **out)
{
	struct inv_loader L = *L_in;
	int rc;

	L.inv = calloc(1, sizeof(*L.inv));
	if (!L.inv)
		return -ENOMEM;
	L.inv->n_roles = FL_INV_CONTACT__COUNT;
	check_dependencies(&L);
	if ((rc = load_table(&L, INV_T_SITES)) < 0 || (rc = load_table(&L, INV_T_RINGS)) < 0 ||
	    (rc = load_table(&L, INV_T_DEVICES)) < 0)
		goto out_fail;
	if (L.have[INV_T_RINGS] && L.have[INV_T_DEVICES])
		inv_check_ring_positions(&L);
	if ((rc = inv_index_devices_folded(L.inv)) < 0)
		goto out_fail;
	if ((rc = load_table(&L, INV_T_CHAINS)) < 0)
		goto out_fail;
	if (L.have[INV_T_CHAINS] && L.have[INV_T_RINGS] && L.have[INV_T_DEVICES])
		inv_check_chain_parents(&L);
	if ((rc = load_table(&L, INV_T_SPANS)) < 0)
		goto out_fail;
	if (L.have[INV_T_SPANS])
		inv_check_span_coverage(&L);
	if ((rc = load_table(&L, INV_T_CIRCUITS)) < 0 ||
	    (rc = load_table(&L, INV_T_CONTACTS)) < 0 || (rc = load_table(&L, INV_T_MAINT)) < 0)
		goto out_fail;
	if (L.nerrors) {
		if (L.nerrors > FL_INVENTORY_MAX_ERRORS && L.on_error) {
			char msg[128];

			snprintf(msg, sizeof(msg), "%zu more errors not shown",
			         L.nerrors - FL_INVENTORY_MAX_ERRORS);
			L.on_error(L.ctx, L.file ? L.file : "", 0, 0, msg);
		}
		rc = L.rc_file ? L.rc_file : -EINVAL;
		goto out_fail;
	}
	if ((rc = index_contacts(L.inv)) < 0 || (rc = inv_link(L.inv)) < 0)
		goto out_fail;
	loader_free(&L);
	*out = L.inv;
	return 0;

out_fail:
	loader_free(&L);
	fl_inventory_free(L.inv);
	return rc;
}

int fl_inventory_load(struct fl_inventory **out, const struct fl_inventory_paths *paths,
                      fl_inventory_error_fn on_error, void *ctx)
{
	struct inv_loader L = {.on_error = on_error, .ctx = ctx};

	if (!out || !paths)
		return -EINVAL;
	L.paths[INV_T_SITES] = paths->sites;
	L.paths[INV_T_RINGS] = paths->rings;
	L.paths[INV_T_DEVICES] = paths->devices;
	L.paths[INV_T_CHAINS] = paths->chains;
	L.paths[INV_T_SPANS] = paths->spans;
	L.paths[INV_T_CIRCUITS] = paths->circuits;
	L.paths[INV_T_CONTACTS] = paths->contacts;
	L.paths[INV_T_MAINT] = paths->maintenance;
	return load(&L, out);
}

int fl_inventory_load_texts(struct fl_inventory **out, const struct fl_inventory_texts *texts,
                            fl_inventory_error_fn on_error, void *ctx)
{
	struct inv_loader L = {.on_error = on_error, .ctx = ctx};
	struct fl_str t[INV_T__N];

	if (!out || !texts)
		return -EINVAL;
	t[INV_T_SITES] = texts->sites;
	t[INV_T_RINGS] = texts->rings;
	t[INV_T_DEVICES] = texts->devices;
	t[INV_T_CHAINS] = texts->chains;
	t[INV_T_SPANS] = texts->spans;
	t[INV_T_CIRCUITS] = texts->circuits;
	t[INV_T_CONTACTS] = texts->contacts;
	t[INV_T_MAINT] = texts->maintenance;
	for (size_t i = 0; i < INV_T__N; i++)
		L.paths[i] = t[i].p ? inv_table_names[i] : NULL;
	L.texts = t;
	return load(&L, out);
}

void fl_inventory_free(struct fl_inventory *inv)
{
	if (!inv)
		return;

	struct inv_index *indexes[] = {
	    &inv->by_site,    &inv->by_device,  &inv->by_ring,   &inv->by_span,     &inv->by_chain,
	    &inv->by_circuit, &inv->by_city,    &inv->by_county, &inv->by_srlg,     &inv->by_window,
	    &inv->by_port,    &inv->by_mgmt_ip, &inv->by_role,   &inv->by_customer,
	    &inv->by_device_folded,
	};
	struct inv_vec *vecs[] = {
	    &inv->sites,    &inv->devices,  &inv->rings,   &inv->spans, &inv->chains,
	    &inv->circuits, &inv->contacts, &inv->windows, &inv->areas, &inv->srlgs,
	};

	for (size_t i = 0; i < FL_ARRAY_LEN(indexes); i++)
		inv_index_free(indexes[i]);
	for (size_t i = 0; i < FL_ARRAY_LEN(vecs); i++)
		inv_vec_free(vecs[i]);
	inv_arena_free(&inv->arena);
	free(inv);
}
