/* inventory_cmd.c - `faultline inventory`: check the inventory tables and
 * answer a contact query from the command line.
 *
 * Operators edit the CSV tables by hand; this command tells them, before a
 * reload, every mistake at file:line:col with the line quoted and a caret under
 * the cell (gcc's shape, so editors jump to it),
 * or prints the table counts as one JSON object. With --contacts it resolves
 * roles for a location as the engine would, one JSON line per person. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cli/cli.h"
#include "engine/cli/opts.h"
#include "engine/inventory/inventory.h"
#include "engine/inventory/partition.h"
#include "engine/lib/json.h"
#include "engine/lib/utf8.h"

#define PATH_BYTES 4096

static const char *const usage_text =
    "usage: faultline inventory --data DIR [--contacts ROLE[,ROLE...] --at LOCATION\n"
    "                           [--level region|city|county|township]]\n"
    "Loads DIR/{sites,devices,rings,spans,chains,circuits,contacts,maintenance}.csv and\n"
    "reports every error as FILE:LINE:COL; prints the table counts as JSON on success.\n"
    "DIR/partitions.csv, when there, is checked too (docs/partitions.md).\n"
    "--contacts resolves roles at LOCATION (a device, site, county, city or 'region'),\n"
    "falling back one level up where a branch lacks the role.\n";

static void inventory_usage(FILE *out)
{
	fputs(usage_text, out);
}

/* Files already shown in a diagnostic, read again to quote the bad line. They
 * are read after the load, so a file edited in between shows its new text;
 * acceptable for a command a person runs on files they are editing. */
#define SHOWN_FILES 8

struct shown {
	size_t nerrors;
	size_t nfiles;
	struct {
		char *path, *text;
		size_t len;
	} files[SHOWN_FILES];
};

static const char *file_text(struct shown *sh, const char *path, size_t *len)
{
	FILE *f;
	long n;
	size_t i;

	for (i = 0; i < sh->nfiles; i++)
		if (strcmp(sh->files[i].path, path) == 0)
			goto found;
	if (sh->nfiles == SHOWN_FILES || !(f = fopen(path, "rb")))
		return NULL;
	i = sh->nfiles;
	sh->files[i].path = strdup(path);
	sh->files[i].text = NULL;
	if (sh->files[i].path && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (sh->files[i].text = malloc((size_t)n + 1)))
		sh->files[i].len = fread(sh->files[i].text, 1, (size_t)n, f);
	fclose(f);
	if (!sh->files[i].text) {
		free(sh->files[i].path);
		return NULL;
	}
	sh->nfiles++;
found:
	*len = sh->files[i].len;
	return sh->files[i].text;
}

/* Prints line `line` of the file and a caret under column `col` (code points),
 * with `~` along the rest of the cell up to the next comma: gcc's shape. */
static void quote_line(const char *text, size_t len, size_t line, size_t col)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t off = 0, end, l = 1, c = 1, used;

	/* Lines end as the CSV reader ends them: CRLF, LF or a lone CR. */
	while (l < line && off < len) {
		if (p[off] == '\r' && off + 1 < len && p[off + 1] == '\n')
			off++;
		if (p[off] == '\n' || p[off] == '\r')
			l++;
		off++;
	}
	if (l < line || off >= len)
		return;
	for (end = off; end < len && p[end] != '\n' && p[end] != '\r'; end++)
		;
	fprintf(stderr, "%5zu | %.*s\n      | ", line, (int)(end - off), text + off);
	for (size_t i = off; i < end; i += used, c++) {
		uint32_t cp;
		int w;

		if ((p[i] & 0xC0) == 0x80) { /* stray continuation byte: the CSV */
			used = 1;            /* reader gives it no column */
			c--;
			continue;
		}
		used = fl_utf8_next(text + i, end - i, &cp);
		w = fl_utf8_cp_width(cp);
		if (c < col) {
			fputs(cp == '\t' ? "\t" : w == 2 ? "  " : w == 1 ? " " : "", stderr);
			continue;
		}
		if (c > col && cp == ',')
			break;
		if (c == col || w > 0)
			fputs(c == col ? "^" : "~", stderr);
		if (w == 2)
			fputc('~', stderr);
	}
	if (c <= col)
		fputc('^', stderr); /* the error is at the end of the line */
	fputc('\n', stderr);
}

static void print_error(void *ctx, const char *file, size_t line, size_t col, const char *msg)
{
	struct shown *sh = ctx;
	const char *text;
	size_t len;

	sh->nerrors++;
	if (line == 0) {
		fprintf(stderr, "%s: error: %s\n", file, msg);
		return;
	}
	fprintf(stderr, "%s:%zu:%zu: error: %s\n", file, line, col, msg);
	if (col && (text = file_text(sh, file, &len)))
		quote_line(text, len, line, col);
}

static void shown_free(struct shown *sh)
{
	for (size_t i = 0; i < sh->nfiles; i++) {
		free(sh->files[i].path);
		free(sh->files[i].text);
	}
	sh->nfiles = 0;
}

/* The roles of a comma list, as inv knows them (its own roles too). */
static int parse_roles(const struct fl_inventory *inv, const char *list, unsigned *mask)
{
	const char *p = list;

	*mask = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		enum fl_inv_contact_role r;

		if (fl_inventory_role_find(inv, fl_str_make(p, n), &r) < 0) {
			fprintf(stderr, "faultline inventory: --contacts: no role '%.*s' in the contact "
			                "table\n", (int)n, p);
			return -EINVAL;
		}
		*mask |= 1u << r;
		p += n + (p[n] == ',');
	}
	return *mask ? 0 : -EINVAL;
}

static int parse_level(const char *s, enum fl_inv_level *out)
{
	for (int l = FL_INV_LEVEL_REGION; l <= FL_INV_LEVEL_TOWNSHIP; l++) {
		if (strcmp(s, fl_inv_level_name((enum fl_inv_level)l)) == 0) {
			*out = (enum fl_inv_level)l;
			return 0;
		}
	}
	return -EINVAL;
}

static void print_counts(const struct fl_inventory *inv)
{
	struct fl_inventory_counts n;
	struct fl_buf b;
	struct fl_json j;

	fl_inventory_counts(inv, &n);
	fl_buf_init(&b, 4096);
	fl_json_init(&j, &b);
	fl_json_obj_begin(&j);
#define COUNT(field)                                                                               \
	fl_json_key(&j, #field);                                                                   \
	fl_json_uint(&j, n.field);
	COUNT(sites)
	COUNT(devices)
	COUNT(rings)
	COUNT(spans) COUNT(ring_spans) COUNT(chain_spans) COUNT(chains) COUNT(circuits)
	    COUNT(contacts) COUNT(windows) COUNT(cities) COUNT(counties) COUNT(srlgs)
#undef COUNT
	        fl_json_obj_end(&j);
	if (!fl_json_failed(&j))
		printf("%s\n", b.p);
	fl_buf_free(&b);
}

static int print_contacts(const struct fl_inventory *inv, unsigned mask, enum fl_inv_level level,
                          const char *at)
{
	struct fl_inv_contacts res;
	int rc = fl_inventory_contacts(inv, mask, level, fl_str_make(at, strlen(at)), &res);

	if (rc == -ENOENT) {
		fprintf(stderr,
		        "faultline inventory: '%s' is no device, site, county, city or 'region'\n",
		        at);
		return 1;
	}
	if (rc < 0) {
		fprintf(stderr, "faultline inventory: level %s is below '%s'\n",
		        fl_inv_level_name(level), at);
		return 1;
	}
	for (size_t i = 0; i < res.nhits; i++) {
		const struct fl_inv_contact_hit *h = &res.hits[i];
		struct fl_buf b;
		struct fl_json j;

		fl_buf_init(&b, 4096);
		fl_json_init(&j, &b);
		fl_json_obj_begin(&j);
		fl_json_key(&j, "role");
		fl_json_cstr(&j, fl_inventory_role_name(inv, h->role));
		fl_json_key(&j, "also_roles");
		fl_json_arr_begin(&j);
		for (unsigned r = 0; r < fl_inventory_role_count(inv); r++)
			if (h->also_roles & (1u << r))
				fl_json_cstr(&j, fl_inventory_role_name(inv, r));
		fl_json_arr_end(&j);
		fl_json_key(&j, "name");
		fl_json_cstr(&j, h->contact->name);
		fl_json_key(&j, "mobile");
		fl_json_cstr(&j, h->contact->mobile);
		fl_json_key(&j, "email");
		fl_json_cstr(&j, h->contact->email[0] ? h->contact->email : NULL);
		fl_json_key(&j, "on_24h");
		fl_json_bool(&j, h->contact->is_24h);
		fl_json_key(&j, "branch");
		fl_json_cstr(&j, h->found_branch);
		fl_json_key(&j, "level");
		fl_json_cstr(&j, fl_inv_level_name(h->found_level));
		fl_json_key(&j, "fell_back");
		fl_json_bool(&j, h->fell_back);
		fl_json_obj_end(&j);
		if (!fl_json_failed(&j))
			printf("%s\n", b.p);
		fl_buf_free(&b);
	}
	for (unsigned r = 0; r < fl_inventory_role_count(inv); r++)
		if (res.missing_roles & (1u << r))
			fprintf(stderr,
			        "faultline inventory: nobody holds %s for '%s', even at region\n",
			        fl_inventory_role_name(inv, r), at);
	return 0;
}

int fl_cmd_inventory(int argc, char **argv)
{
	static const char *const tables[] = {"devices", "sites",    "rings",    "spans",
	                                     "chains",  "circuits", "contacts", "maintenance"};
	char files[8][PATH_BYTES];
	const char *dir = NULL, *roles = NULL, *at = NULL;
	enum fl_inv_level level = FL_INV_LEVEL_COUNTY;
	struct fl_inventory *inv = NULL;
	struct shown sh = {0};
	unsigned mask = 0;
	int rc;

	const char *level_name = NULL;
	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("--data", &dir, "DIR", "the inventory tables"),
		FL_OPT_STRING_ROW("--contacts", &roles, "ROLE[,ROLE...]", "resolve these roles"),
		FL_OPT_STRING_ROW("--at", &at, "LOCATION", "for this location"),
		FL_OPT_STRING_ROW("--level", &level_name, "LEVEL",
				  "region, city, county (default) or township"),
	};
	const struct fl_opts_cmd cmd = {"inventory", opts, sizeof(opts) / sizeof(opts[0]), 0,
					false, inventory_usage};
	struct fl_opts_result res;
	int status;

	if (!fl_opts_accept(&cmd, argc, argv, NULL, &res, &status))
		return status;
	if (level_name && parse_level(level_name, &level) < 0) {
		fprintf(stderr, "faultline inventory: --level %s: not region, city, county or "
				"township\n", level_name);
		goto usage;
	}
	if (!dir || (!roles != !at))
		goto usage;
	for (size_t i = 0; i < 8; i++)
		if (snprintf(files[i], PATH_BYTES, "%s/%s.csv", dir, tables[i]) >= PATH_BYTES)
			goto usage;
	struct fl_inventory_paths paths = {files[0], files[1], files[2], files[3],
	                                   files[4], files[5], files[6], files[7]};

	rc = fl_inventory_load(&inv, &paths, print_error, &sh);
	if (rc == 0) {
		/* the partition map is data too: partitions.csv, or by city */
		struct fl_partition_map *map = NULL;

		rc = fl_partition_map_load(&map, inv, dir, print_error, &sh);
		fl_partition_map_free(map);
		if (rc < 0) {
			fl_inventory_free(inv);
			inv = NULL;
		}
	}
	shown_free(&sh);
	if (rc < 0) {
		if (sh.nerrors)
			fprintf(stderr, "faultline inventory: %zu error%s; nothing loaded\n",
			        sh.nerrors, sh.nerrors == 1 ? "" : "s");
		else
			fprintf(stderr, "faultline inventory: cannot load: %s\n", strerror(-rc));
		return 1;
	}
	if (roles && parse_roles(inv, roles, &mask) < 0) {
		fl_inventory_free(inv);
		return 2;
	}
	rc = roles ? print_contacts(inv, mask, level, at) : (print_counts(inv), 0);
	fl_inventory_free(inv);
	return rc;
usage:
	inventory_usage(stderr);
	return 2;
}
