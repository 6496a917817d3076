/* sink_int.h - what the two halves of the store sink share: records (made
 * where the engine's types are known, sink_rec.c) and the writer (where the
 * store's are, sink_store.c). */
#ifndef FL_SINK_INT_H
#define FL_SINK_INT_H
#include <stdbool.h>
#include <stdint.h>

#include "engine/pipeline/sink_store.h"

/* The action kinds the writer knows (FL_ACTION_KINDS, in the same order). */
enum fl_sink_kind { SINK_OPEN, SINK_UPDATE, SINK_ABSORB, SINK_CLEAR, SINK_ESCALATE,
		    SINK_NOTIFY, SINK_SUPPRESS };

struct fl_sink_rec {
	int type; /* enum fl_sink_kind */
	int64_t at_ns, first_ns;
	uint64_t incident, count, absorbed;
	uint32_t level, step;
	int loc_class;
	bool is_planned, fell_back;
	char *title, *rule, *key, *device, *site, *span, *ring, *county, *city;
	char *circuits, *customers, *channel, *role, *reason;
	char *ticket; /* the incident continues this ticket (resumed); may be NULL */
	char *window; /* the maintenance window that made it planned; may be NULL */
	char **to;
	size_t n_to;
};

/* The writer: writes one record now (the caller's thread), or queues it
 * for the store thread (takes it; -ENOBUFS when full, the record freed). */
int fl_sink__write(struct fl_sink *s, const struct fl_sink_rec *r);
int fl_sink__enqueue(struct fl_sink *s, struct fl_sink_rec *r);
/* Counts a record that could not be made (out of memory). */
void fl_sink__lost(struct fl_sink *s);
const struct fl_program *fl_sink__program(const struct fl_sink *s);

#endif /* FL_SINK_INT_H */
