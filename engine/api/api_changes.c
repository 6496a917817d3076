/* api_changes.c - GET /api/changes?since=N: whether the board must fetch
 * again. The engine writes the store from its own thread or process, so the
 * API cannot be told of a change; it notices one. At most once per
 * FL_API_CHANGES_MIN_MS it reads what the board shows (the tickets not
 * archived, the maintenance windows, the outbox's latest rows) and hashes
 * it (FNV-1a 64); a new hash is a new version. However many boards poll,
 * the store is read at that rate: polling costs a hash lookup, not a query.
 * Polling instead of server-sent events keeps the one HTTP thread free of
 * long-lived answers (every connection slot stays a short request). */
#include <errno.h>
#include <microhttpd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/api/api_int.h"
#include "engine/store/store.h"
#include "engine/store/store_list.h"

#define OUTBOX_ROWS 100 /* the rows the board shows */

static uint64_t fnv1a(uint64_t h, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The hash of what the board shows. Times are rendered at 0, not now: a
 * ticket's age grows every second without anything having changed. */
static int board_hash(struct fl_api *a, int64_t now_ns, uint64_t *out)
{
	struct fl_buf *b = &a->scratch;
	uint64_t h = 0xcbf29ce484222325ULL;
	int rc;

	fl_buf_reset(b);
	rc = fl_store_tickets_json(a->store, false, 0, b);
	if (rc == 0)
		rc = fl_store_maint_json(a->store, now_ns, a->consent_notice_ms,
		                         b); /* changes when one ends, or its consent warns */
	if (rc == 0)
		rc = fl_store_outbox_list_json(a->store, NULL, NULL, OUTBOX_ROWS, b);
	if (rc < 0)
		return rc;
	h = fnv1a(h, b->p ? b->p : "", b->len);
	*out = h ^ (b->overflowed ? 1 : 0);
	return 0;
}

/* GET /api/changes[?since=N]: {"version": V, "changed": V != N}. A board
 * keeps V and asks again; the first version is 1. */
unsigned api_changes(struct api_req *r, struct fl_buf *out)
{
	struct fl_api *a = r->api;
	const char *since_arg = api_query(r, "since");
	unsigned long long since = 0;
	struct fl_store *s;
	unsigned status;
	char *end;

	if (since_arg) {
		errno = 0;
		since = strtoull(since_arg, &end, 10);
		if (*end || errno || since_arg[0] == '-')
			return api_error(out, MHD_HTTP_BAD_REQUEST, "since is a version number");
	}
	if (!(s = api_store(r, out, &status)))
		return status;
	if (a->changes_version == 0 ||
	    r->now_ns - a->changes_checked_ns >= (int64_t)FL_API_CHANGES_MIN_MS * 1000000 ||
	    r->now_ns < a->changes_checked_ns) {
		uint64_t h;
		int rc = board_hash(a, r->now_ns, &h);

		if (rc < 0)
			return api_error(out, MHD_HTTP_INTERNAL_SERVER_ERROR, "store: %s (%s)",
					 strerror(-rc), fl_store_errmsg(s));
		a->count.changes_looks++;
		if (a->changes_version == 0 || h != a->changes_hash)
			a->changes_version++;
		a->changes_hash = h;
		a->changes_checked_ns = r->now_ns;
	}
	(void)fl_buf_printf(out, "{\"version\":%llu,\"changed\":%s}",
			    (unsigned long long)a->changes_version,
			    since == a->changes_version ? "false" : "true");
	return MHD_HTTP_OK;
}
