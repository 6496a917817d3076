/* fuzz_inventory.c - the inventory loader on arbitrary tables.
 *
 * The input is split at form feeds ('\f') into up to eight tables, in load
 * order: sites, rings, devices, chains, spans, circuits, contacts,
 * maintenance; an empty or missing part is a table not given. A load either fails with errors
 * reported at positions inside the input, or succeeds; then every query is
 * run over what was loaded, so the derived lists are walked too. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/inventory/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	size_t errors;
};

static void on_error(void *ctx, const char *file, size_t line, size_t col, const char *msg)
{
	struct seen *s = ctx;

	if (!file || !msg || (line == 0 && col != 0))
		abort();
	s->errors++;
}

static void walk(const struct fl_inventory *inv)
{
	const struct fl_inv_span *sp;
	const struct fl_inv_device *d;
	struct fl_inv_contacts res;
	size_t n = 0;

	for (size_t i = 0; (sp = fl_inventory_span_nth(inv, i)); i++) {
		const struct fl_inv_device *iso[4];

		if (fl_inventory_span_at(inv, fl_str_make(sp->a->id, strlen(sp->a->id)),
		                         fl_str_make(sp->a_port, strlen(sp->a_port))) != sp)
			abort();
		for (size_t k = 0; k < sp->ndownstream; k++)
			n += sp->downstream[k]->ring_pos;
		for (size_t k = 0; k < sp->ncircuits; k++)
			if (fl_inventory_circuit_state(inv, sp->circuits[k], &sp, 1) < 0)
				abort();
		if (sp->ring && fl_inventory_ring_state(inv, sp->ring, &sp, 1, iso, 4, &n) !=
		                    FL_INV_RING_PROTECTED)
			abort();
	}
	for (size_t i = 0; (d = fl_inventory_device_at(inv, i)); i++) {
		if (fl_inventory_contacts(inv, (1u << FL_INV_CONTACT_CUSTOMER_CONTACT) - 1,
		                          FL_INV_LEVEL_TOWNSHIP, fl_str_make(d->id, strlen(d->id)),
		                          &res) == 0 &&
		    res.nhits > FL_INVENTORY_MAX_HITS)
			abort();
		(void)fl_inventory_maintenance(inv, FL_INV_SCOPE_DEVICE,
		                               fl_str_make(d->id, strlen(d->id)), 0);
		/* a loaded device is found by its address and by its exact id */
		if (fl_inventory_device_by_ip(inv, fl_str_make(d->mgmt_ip, strlen(d->mgmt_ip))) != d ||
		    fl_inventory_device_named(inv, fl_str_make(d->id, strlen(d->id))) != d)
			abort();
	}
	(void)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_str parts[8] = {FL_STR_NONE};
	const char *p = (const char *)data, *end = p + size;
	struct fl_inventory *inv = NULL;
	struct seen seen = {0};
	size_t n = 0;
	int rc;

	while (n < 8 && p <= end) {
		const char *ff = memchr(p, '\f', (size_t)(end - p));
		const char *stop = ff ? ff : end;

		/* An empty part is a table not given. */
		parts[n++] = stop > p ? fl_str_make(p, (size_t)(stop - p)) : FL_STR_NONE;
		if (!ff)
			break;
		p = ff + 1;
	}
	struct fl_inventory_texts t = {
	    .sites = parts[0],
	    .rings = parts[1],
	    .devices = parts[2],
	    .chains = parts[3],
	    .spans = parts[4],
	    .circuits = parts[5],
	    .contacts = parts[6],
	    .maintenance = parts[7],
	};
	rc = fl_inventory_load_texts(&inv, &t, on_error, &seen);
	if (rc == 0) {
		if (seen.errors || !inv)
			abort();
		walk(inv);
		fl_inventory_free(inv);
	} else if (rc == -EINVAL && seen.errors == 0) {
		abort(); /* a refused load always says why */
	}
	return 0;
}
