/* store_list.h - the outbox as a list for people (the HTTP API's
 * GET /api/outbox): which notification went to whom, through which channel,
 * and how its delivery went. Same connection and errors as store.h. */
#ifndef FL_STORE_LIST_H
#define FL_STORE_LIST_H
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/buf.h"
#include "engine/lib/compiler.h"

struct fl_store;

#define FL_STORE_OUTBOX_LIST_MAX 1000

/* Writes a JSON array of the newest outbox rows, newest first: of ticket
 * only (NULL: every ticket), in state only (a name of FL_OUTBOX_STATES;
 * NULL: any), at most limit (1..FL_STORE_OUTBOX_LIST_MAX) of them. Each row:
 * id, ticket, channel, role, person, address, subject, state, attempts,
 * created, due, done (ISO times, null when not reached), last_result,
 * last_error. Returns 0, -EINVAL (a state that is none, a limit out of
 * range), -EMSGSIZE (out is full), or the store's error. */
FL_MUST_CHECK int fl_store_outbox_list_json(struct fl_store *s, const char *ticket,
					    const char *state, size_t limit, struct fl_buf *out);

#endif /* FL_STORE_LIST_H */
