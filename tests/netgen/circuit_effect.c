/* circuit_effect.c - prints which circuits failed places bring down and
 * which they put on protection, for check_circuits.py to compare with the
 * outcomes netgen writes.
 *
 *   circuit_effect DATA_DIR [span:ID | site:ID]...
 *
 * Output: one JSON object, {"down": [ids], "at_risk": [ids]}, in circuits.csv
 * order. Exit 0, or 2 on a bad argument or a data directory that does not
 * load (its errors on stderr). */
#include <stdio.h>
#include <string.h>

#include "engine/inventory/inventory.h"

#define MAX_PLACES 64

static void on_error(void *ctx, const char *file, size_t line, size_t col, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s:%zu:%zu: %s\n", file, line, col, msg);
}

static void print_ids(const char *name, const struct fl_inv_circuit *const *cs, size_t n)
{
	printf("\"%s\": [", name);
	for (size_t i = 0; i < n; i++)
		printf("%s\"%s\"", i ? ", " : "", cs[i]->id);
	printf("]");
}

int main(int argc, char **argv)
{
	static const char *const names[8] = {"devices", "sites",    "rings",    "spans",
	                                     "chains",  "circuits", "contacts", "maintenance"};
	static char files[8][4096];
	const struct fl_inv_span *spans[MAX_PLACES];
	const struct fl_inv_site *sites[MAX_PLACES];
	struct fl_inv_circuit_effect fx;
	struct fl_inventory *inv;
	size_t nspans = 0, nsites = 0;

	if (argc < 2 || argc - 2 > MAX_PLACES) {
		fprintf(stderr, "usage: circuit_effect DATA_DIR [span:ID | site:ID]...\n");
		return 2;
	}
	for (int i = 0; i < 8; i++)
		snprintf(files[i], sizeof(files[i]), "%s/%s.csv", argv[1], names[i]);
	struct fl_inventory_paths p = {files[0], files[1], files[2], files[3],
	                               files[4], files[5], files[6], files[7]};
	if (fl_inventory_load(&inv, &p, on_error, NULL) < 0)
		return 2;
	for (int i = 2; i < argc; i++) {
		const char *id = strchr(argv[i], ':');
		struct fl_str s = id ? fl_str_make(id + 1, strlen(id + 1)) : FL_STR_NONE;

		if (id && strncmp(argv[i], "span:", 5) == 0 && (spans[nspans] = fl_inventory_span(inv, s)))
			nspans++;
		else if (id && strncmp(argv[i], "site:", 5) == 0 &&
		         (sites[nsites] = fl_inventory_site(inv, s)))
			nsites++;
		else {
			fprintf(stderr, "circuit_effect: unknown place '%s'\n", argv[i]);
			fl_inventory_free(inv);
			return 2;
		}
	}
	if (fl_inventory_circuit_effect(inv, spans, nspans, sites, nsites, &fx) < 0) {
		fl_inventory_free(inv);
		return 2;
	}
	printf("{");
	print_ids("down", fx.down, fx.ndown);
	printf(", ");
	print_ids("at_risk", fx.at_risk, fx.nat_risk);
	printf("}\n");
	fl_inventory_free(inv);
	return 0;
}
