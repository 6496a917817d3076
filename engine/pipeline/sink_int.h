/* sink_int.h - the record the two halves of the store sink share. Records
 * are made and freed where the engine's types are known (sink_rec.c:
 * fl_sink_rec_from(), fl_sink_rec_free() in sink_store.h) and written where
 * the store's are (sink_store.c). The dependency is one way: the writer uses
 * records, records never call the writer. */
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
	/* open, update, escalate of a correlation: every place it covers */
	struct fl_sink_place {
		const char *kind, *evidence; /* static texts */
		char *id;
		int64_t joined_ns;
	} *places;
	size_t n_places;
	size_t n_places_now; /* every action: how many places the incident has */
};

#endif /* FL_SINK_INT_H */
