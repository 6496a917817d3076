/* partition_gate.h - what a partitioned engine takes in and writes out.
 *
 * `faultline run --partition NAME` runs one engine of many on one store:
 * the engine takes the lines of its own devices and of the far ends of the
 * backbone spans it owns (the relay sends those to both partitions, see
 * docs/partitions.md), and it writes tickets, pages and clocks only for the
 * incidents located in its partition. The gate holds those two decisions:
 *  - events: a device of another partition that this one need not see is
 *    counted and dropped before the engine (a relay misrouting, or a device
 *    moved in the data but not yet in the relay's config); an event naming no
 *    known device is taken (the relay's default engine handles them);
 *  - incidents: located on a span, the span's owner decides; else on a site,
 *    the site's partition; else on a device, the device's. An incident with
 *    no location is kept. The same rule is applied to tickets taken back
 *    from the shared store at a start, so an engine never resumes another's.
 *
 * Ownership and threads: the gate owns its partition map and borrows the
 * inventory (the plan's). It belongs to the runner's thread; counters are
 * plain integers read on that thread. */
#ifndef FL_PARTITION_GATE_H
#define FL_PARTITION_GATE_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/lib/compiler.h"

struct fl_event;
struct fl_incident;
struct fl_inventory;
struct fl_partition_gate;
struct fl_resumed_incident;

struct fl_partition_gate_stats {
	uint64_t events_own;      /* events of this partition's devices */
	uint64_t events_border;   /* far ends of the backbone spans it owns */
	uint64_t events_unknown;  /* naming no device of the inventory: taken */
	uint64_t events_foreign;  /* another partition's devices: dropped */
	uint64_t actions_foreign; /* actions of incidents located elsewhere: dropped */
	uint64_t resumes_foreign; /* store tickets located elsewhere: left alone */
};

/* Lifecycle. The map of data_dir over inv (partition.h), and `name` in it.
 * Errors are written to diag: the map's at file:line:col, an unknown name
 * with the names the map has. Returns 0, -EINVAL (reported), -ENOENT (the
 * plan names no data: reported) or -ENOMEM. destroy accepts NULL. */
FL_MUST_CHECK int fl_partition_gate_create(struct fl_partition_gate **out,
					   const struct fl_inventory *inv, const char *data_dir,
					   const char *name, FILE *diag);
void fl_partition_gate_destroy(struct fl_partition_gate *g);

/* Operations. Each counts its verdict. */
bool fl_partition_gate_takes_event(struct fl_partition_gate *g, const struct fl_event *ev);
bool fl_partition_gate_keeps_incident(struct fl_partition_gate *g, const struct fl_incident *inc);
bool fl_partition_gate_keeps_resumed(struct fl_partition_gate *g,
				     const struct fl_resumed_incident *ri);

/* Queries. */
const char *fl_partition_gate_name(const struct fl_partition_gate *g);
void fl_partition_gate_stats(const struct fl_partition_gate *g,
			     struct fl_partition_gate_stats *out);
/* One line of the counters, each line starting with prefix. */
void fl_partition_gate_summary(const struct fl_partition_gate *g, FILE *f, const char *prefix);

#endif /* FL_PARTITION_GATE_H */
