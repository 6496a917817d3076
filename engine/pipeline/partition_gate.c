/* partition_gate.c - a partitioned engine's ingress and egress decisions. */
#include "engine/pipeline/partition_gate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "engine/correlate/correlate.h"
#include "engine/decode/event.h"
#include "engine/decode/snmp.h"
#include "engine/inventory/inventory.h"
#include "engine/inventory/partition.h"

struct fl_partition_gate {
	const struct fl_inventory *inv; /* the plan's, borrowed */
	struct fl_partition_map *map;
	size_t part;
	struct fl_partition_gate_stats stats;
};

static void print_map_error(void *ctx, const char *file, size_t line, size_t col,
			    const char *msg)
{
	FILE *diag = ctx;

	if (col)
		fprintf(diag, "%s:%zu:%zu: error: %s\n", file, line, col, msg);
	else if (line)
		fprintf(diag, "%s:%zu: error: %s\n", file, line, msg);
	else
		fprintf(diag, "%s: error: %s\n", file, msg);
}

static void say_unknown(const struct fl_partition_map *m, const char *name, FILE *diag)
{
	fprintf(diag, "faultline run: unknown partition '%s'; the data has:", name);
	for (size_t i = 0; i < fl_partition_count(m); i++)
		fprintf(diag, "%s %s", i ? "," : "", fl_partition_name(m, i));
	fputc('\n', diag);
}

int fl_partition_gate_create(struct fl_partition_gate **out, const struct fl_inventory *inv,
			     const char *data_dir, const char *name, FILE *diag)
{
	struct fl_partition_gate *g;
	int rc;

	if (!inv || !data_dir) {
		/* the map is DIR/partitions.csv or DIR's cities: DIR must be named */
		fprintf(diag, "faultline run: --partition needs the network's data (--data DIR)\n");
		return -ENOENT;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->inv = inv;
	rc = fl_partition_map_load(&g->map, inv, data_dir, print_map_error, diag);
	if (rc < 0) {
		free(g);
		return rc == -ENOMEM ? rc : -EINVAL;
	}
	g->part = fl_partition_find(g->map, fl_str_make(name, strlen(name)));
	if (g->part == FL_PARTITION_NONE) {
		say_unknown(g->map, name, diag);
		fl_partition_gate_destroy(g);
		return -EINVAL;
	}
	*out = g;
	return 0;
}

void fl_partition_gate_destroy(struct fl_partition_gate *g)
{
	if (!g)
		return;
	fl_partition_map_free(g->map);
	free(g);
}

/* The device an event is about: a syslog line by its HOSTNAME (a relay
 * keeps it; the peer is then the relay), else by the sender's address; a
 * trap by the agent it names (fl_snmp_trap_agent), else the sender's. NULL
 * when none is known. */
static const struct fl_inv_device *event_device(const struct fl_partition_gate *g,
						const struct fl_event *ev)
{
	const struct fl_inv_device *d = NULL;
	const void *peer = &ev->peer;
	uint8_t agent[4];

	if (ev->kind == FL_EVENT_SYSLOG && ev->syslog.hostname.p)
		d = fl_inventory_device_named(g->inv, ev->syslog.hostname);
	if (!d && ev->kind == FL_EVENT_TRAP && fl_snmp_trap_agent(&ev->trap, agent))
		d = fl_inventory_device_by_addr(g->inv, AF_INET, agent);
	if (d || !ev->has_peer)
		return d;
	if (ev->peer.ss_family == AF_INET)
		return fl_inventory_device_by_addr(g->inv, AF_INET,
						   &((const struct sockaddr_in *)peer)->sin_addr);
	if (ev->peer.ss_family == AF_INET6)
		return fl_inventory_device_by_addr(g->inv, AF_INET6,
						   &((const struct sockaddr_in6 *)peer)->sin6_addr);
	return NULL;
}

bool fl_partition_gate_takes_event(struct fl_partition_gate *g, const struct fl_event *ev)
{
	const struct fl_inv_device *d = event_device(g, ev);

	if (!d) {
		g->stats.events_unknown++;
		return true;
	}
	if (fl_partition_of_device(g->map, d) == g->part) {
		g->stats.events_own++;
		return true;
	}
	if (fl_partition_sees_device(g->map, g->part, d)) {
		g->stats.events_border++;
		return true;
	}
	g->stats.events_foreign++;
	return false;
}

/* The partition a location belongs to: span owner, else site, else device;
 * FL_PARTITION_NONE when nothing is known. */
static size_t place_partition(const struct fl_partition_gate *g, const struct fl_inv_span *span,
			      const struct fl_inv_site *site, const struct fl_inv_device *dev)
{
	if (span)
		return fl_partition_of_span(g->map, span);
	if (site)
		return fl_partition_of_site(g->map, site);
	return fl_partition_of_device(g->map, dev);
}

bool fl_partition_gate_keeps_incident(struct fl_partition_gate *g, const struct fl_incident *inc)
{
	size_t p;

	if (!inc)
		return true;
	p = place_partition(g, inc->n_spans ? inc->spans[0] : NULL, inc->site, inc->device);
	if (p == FL_PARTITION_NONE || p == g->part)
		return true;
	g->stats.actions_foreign++;
	return false;
}

static const void *by_name(const char *name, const void *(*find)(const struct fl_inventory *,
								  struct fl_str),
			   const struct fl_inventory *inv)
{
	return name && *name ? find(inv, fl_str_make(name, strlen(name))) : NULL;
}

static const void *find_span(const struct fl_inventory *inv, struct fl_str s)
{
	return fl_inventory_span(inv, s);
}

static const void *find_site(const struct fl_inventory *inv, struct fl_str s)
{
	return fl_inventory_site(inv, s);
}

static const void *find_device(const struct fl_inventory *inv, struct fl_str s)
{
	return fl_inventory_device(inv, s);
}

bool fl_partition_gate_keeps_resumed(struct fl_partition_gate *g,
				     const struct fl_resumed_incident *ri)
{
	size_t p = place_partition(g, by_name(ri->span, find_span, g->inv),
				   by_name(ri->site, find_site, g->inv),
				   by_name(ri->device, find_device, g->inv));

	if (p == FL_PARTITION_NONE || p == g->part)
		return true;
	g->stats.resumes_foreign++;
	return false;
}

const char *fl_partition_gate_name(const struct fl_partition_gate *g)
{
	return fl_partition_name(g->map, g->part);
}

void fl_partition_gate_stats(const struct fl_partition_gate *g,
			     struct fl_partition_gate_stats *out)
{
	*out = g->stats;
}

void fl_partition_gate_summary(const struct fl_partition_gate *g, FILE *f, const char *prefix)
{
	const struct fl_partition_gate_stats *s = &g->stats;

	fprintf(f,
		"%spartition %s: %llu events of its devices, %llu of the far ends of its "
		"backbone spans, %llu of no known device, %llu of other partitions dropped; "
		"%llu actions of incidents located elsewhere dropped; %llu store tickets of "
		"other partitions left to them\n",
		prefix, fl_partition_gate_name(g), (unsigned long long)s->events_own,
		(unsigned long long)s->events_border, (unsigned long long)s->events_unknown,
		(unsigned long long)s->events_foreign, (unsigned long long)s->actions_foreign,
		(unsigned long long)s->resumes_foreign);
}
