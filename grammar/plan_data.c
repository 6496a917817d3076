#include "grammar/plan_data.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/inventory/inventory.h"
#include "engine/lib/limits.h"
#include "grammar/diag.h"

#define MAX_CSV_SOURCES 8

/* Error context: CSV files already registered as diagnostic sources, so each
 * error can show the row and a caret under the cell. */
struct csv_ctx {
	struct fl_diags *d;
	struct {
		char *path;
		const struct fl_src *src;
	} files[MAX_CSV_SOURCES];
	size_t n;
};

static const struct fl_src *csv_source(struct csv_ctx *c, const char *path)
{
	char *text = NULL;
	size_t len = 0, alloc = 0;
	const struct fl_src *src;
	FILE *f;

	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->files[i].path, path) == 0)
			return c->files[i].src;
	if (c->n == MAX_CSV_SOURCES || !(f = fopen(path, "rb")))
		return NULL;
	for (;;) {
		size_t got;

		if (alloc - len < 4096) {
			char *nt = alloc < FL_INVENTORY_MAX_FILE_BYTES ? realloc(text, alloc + 65536) : NULL;

			if (!nt)
				break;
			text = nt;
			alloc += 65536;
		}
		got = fread(text + len, 1, alloc - len, f);
		len += got;
		if (got == 0)
			break;
	}
	fclose(f);
	src = text ? fl_diag_source(c->d, path, text, len) : NULL;
	free(text);
	if (!src)
		return NULL;
	c->files[c->n].path = strdup(path);
	if (!c->files[c->n].path)
		return src;
	c->files[c->n++].src = src;
	return src;
}

/* CSV problems are reported at file:line:col of the CSV itself, with the row
 * and a caret under the cell (up to the next comma). */
static void on_csv_error(void *ctx, const char *file, size_t line, size_t col, const char *msg)
{
	struct csv_ctx *c = ctx;
	const struct fl_src *src = line && col ? csv_source(c, file) : NULL;
	struct fl_loc loc;
	size_t off = 0, l = 1, end;

	if (!src || line > INT32_MAX || col > INT32_MAX) {
		fl_diag_at(c->d, FL_DIAG_ERROR, file, line, col, "%s", msg);
		return;
	}
	while (l < line && off < src->len)
		if (src->text[off++] == '\n')
			l++;
	if (l < line) {
		fl_diag_at(c->d, FL_DIAG_ERROR, file, line, col, "%s", msg);
		return;
	}
	/* the cell's first code point, then on to the comma that ends it */
	loc = fl_loc_columns(src, off, col, 1);
	for (end = loc.end; end < src->len && src->text[end] != '\n' && src->text[end] != ',';)
		end++;
	while (end > loc.end && src->text[end - 1] == '\r')
		end--;
	loc.end = (uint32_t)end;
	fl_diag_error(c->d, &loc, "%s", msg);
}

int fl_plan_data_load(struct fl_inventory **out, const char *const paths[FL_DATA__COUNT],
		      const struct fl_loc *const locs[FL_DATA__COUNT], struct fl_diags *d,
		      struct fl_plan_data_counts *counts)
{
	struct fl_inventory_paths ip = {
		.devices = paths[FL_DATA_DEVICES],
		.sites = paths[FL_DATA_SITES],
		.rings = paths[FL_DATA_RINGS],
		.spans = paths[FL_DATA_SPANS],
		.chains = paths[FL_DATA_CHAINS],
		.circuits = paths[FL_DATA_CIRCUITS],
		.contacts = paths[FL_DATA_CONTACTS],
		.maintenance = paths[FL_DATA_MAINTENANCE],
	};
	struct fl_inventory_counts ic;
	struct fl_inventory *inv = NULL;
	struct csv_ctx ctx = {.d = d};
	int rc = 0;

	memset(counts, 0, sizeof(*counts));
	*out = NULL;
	/* A path that cannot be read is the plan's mistake: say so at the data
	 * statement, where the author will fix it, before the loader runs. */
	for (size_t k = 0; k < FL_DATA__COUNT; k++) {
		if (!paths[k])
			continue;
		if (access(paths[k], R_OK) != 0) {
			fl_diag_error(d, locs[k], "cannot read data file '%s': %s", paths[k],
				      strerror(errno));
			rc = -EINVAL;
			continue;
		}
		counts->files++;
	}
	if (rc < 0)
		return rc;
	rc = fl_inventory_load(&inv, &ip, on_csv_error, &ctx);
	for (size_t i = 0; i < ctx.n; i++)
		free(ctx.files[i].path);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		if (fl_diag_errors(d) == 0)
			fl_diag_error(d, NULL, "data files could not be loaded: %s", strerror(-rc));
		return -EINVAL;
	}
	fl_inventory_counts(inv, &ic);
	counts->devices = ic.devices;
	counts->sites = ic.sites;
	counts->rings = ic.rings;
	counts->spans = ic.spans;
	counts->chains = ic.chains;
	counts->circuits = ic.circuits;
	counts->contacts = ic.contacts;
	counts->windows = ic.windows;
	*out = inv;
	return 0;
}

void fl_plan_data_free(struct fl_inventory *inv)
{
	fl_inventory_free(inv);
}

/* The code-point column where field `field` (0-based) of the CSV row starting
 * at text[off] begins; 0 when the row is shorter. Quoted commas do not count. */
size_t fl_plan_data_require_24h(const struct fl_inventory *inv, const char *contacts_path,
				unsigned role_mask, struct fl_diags *d)
{
	struct csv_ctx ctx = {.d = d};
	const struct fl_src *src = csv_source(&ctx, contacts_path);
	const struct fl_inv_contact *ct;
	size_t n = 0;

	for (size_t i = 0; (ct = fl_inventory_contact_at(inv, i)) != NULL; i++) {
		struct fl_loc loc;
		size_t off = 0, line = 1, col = 0;

		if (!(role_mask & (1u << ct->role)) || ct->is_24h)
			continue;
		n++;
		while (src && line < ct->line && off < src->len)
			if (src->text[off++] == '\n')
				line++;
		if (src && line == ct->line)
			col = ct->on_24h_col; /* wherever the table has the column */
		if (!col || ct->line > INT32_MAX) {
			fl_diag_at(d, FL_DIAG_WARNING, contacts_path, ct->line, 0,
				   "%s of %s (%s) is not answered 24 h; the plan requires it",
				   ct->role_name, ct->branch, ct->name);
			continue;
		}
		loc = fl_loc_columns(src, off, col, 2); /* "no" */
		fl_diag_warning(d, &loc, "%s of %s (%s) is not answered 24 h; the plan requires it",
				ct->role_name, ct->branch, ct->name);
	}
	for (size_t i = 0; i < ctx.n; i++)
		free(ctx.files[i].path);
	return n;
}
