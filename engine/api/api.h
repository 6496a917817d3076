/* api.h - the duty room's HTTP API and board (docs/api.md), on libmicrohttpd
 * like the metrics endpoint.
 *
 * One struct fl_api is one listening socket and one HTTP thread of its own
 * (libmicrohttpd's internal polling thread): every request is answered on
 * that thread, one at a time, through the API's own store connection,
 * opened by fl_api_create() and used by that thread alone once started. SQLite serialises its writes with the
 * engine's store thread, as it does for `faultline tickets`. The caller's
 * thread only creates, starts and destroys it.
 *
 * Who may do what: without a users file every reader is let in and nothing
 * may be changed (401); with one, a request names its user with HTTP basic
 * credentials, and a viewer reads, an operator also acknowledges, moves,
 * notes and opens tickets and acknowledges directives, an admin also adds and
 * deletes maintenance windows. Reading without a login needs
 * anonymous_read. Every change is recorded with the user's name.
 *
 * Hostile clients: the caps of engine/lib/limits.h (FL_API_*) bound
 * connections, idle time, request bodies and JSON; a refusal is counted. */
#ifndef FL_API_H
#define FL_API_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

struct fl_api;
struct fl_inventory;
struct fl_program;

/* A level of the plan, for tickets opened by hand: its clocks in ms (-1: not
 * set), onsite_ms by location class (city, county, township). */
struct fl_api_level {
	const char *name;
	int64_t respond_ms, onsite_ms[3], repair_ms;
};

typedef int64_t fl_api_clock_fn(void *ctx); /* ns since the epoch */

struct fl_api_config {
	const char *addr;  /* "127.0.0.1:8080", "[::1]:0" */
	const char *db;    /* the store; it must exist */
	const char *users; /* the users file; NULL: read-only, no login */
	bool anonymous_read; /* with users: reading needs no login */
	const char *zone;  /* the plan's time zone, for the board ("Asia/Shanghai") */
	const struct fl_api_level *levels; /* borrowed for the api's life */
	size_t n_levels;
	/* the plan, for the map, the targets and a window's customers; borrowed
	 * until fl_api_plan_swap() names another; may be NULL */
	const struct fl_program *program;
	/* the notice period of a window's consent warning (engine/store/consent.h):
	 * the plan's longest announce lead; 0 is read as the default */
	int64_t consent_notice_ms;
	fl_api_clock_fn *clock; /* NULL: the real time */
	void *clock_ctx;
	/* HTTPS: both PEM files, or neither. Without them only a loopback addr
	 * is served, unless is_plain_ok (--http-insecure: a proxy in front
	 * speaks TLS, or the network is trusted). */
	const char *tls_cert, *tls_key;
	bool is_plain_ok;
};

/* Lifecycle. create: loads the users file, opens the store (which must
 * exist) and binds addr (not started yet). Returns 0, -EINVAL (bad addr,
 * users file; err says why), -ENOENT (no store at db), the store's error,
 * -ENOMEM, -ENOTSUP (TLS asked, libmicrohttpd has none), -EPERM (plain
 * HTTP on an address not loopback, not allowed), or the errno of binding. start: the HTTP thread; 0 or -EIO. destroy: stops the
 * thread, closes the socket and the store; NULL does nothing. */
FL_MUST_CHECK int fl_api_create(struct fl_api **out, const struct fl_api_config *cfg, char *err,
				size_t err_len);
FL_MUST_CHECK int fl_api_start(struct fl_api *a);
void fl_api_destroy(struct fl_api *a);

/* The address bound ("127.0.0.1:43117"), for the "listening http" line. */
void fl_api_local(const struct fl_api *a, char *out, size_t cap);
/* Does it speak HTTPS? ("listening https") */
bool fl_api_is_tls(const struct fl_api *a);

/* A reload's new plan. The old one is used by requests on the HTTP thread:
 * fl_api_plan_hold() waits for the one using it to end and keeps the next
 * ones waiting; fl_api_plan_swap() hands them prog (NULL: none) and lets
 * them go on. The caller frees the old plan only between the two. */
void fl_api_plan_hold(struct fl_api *a);
void fl_api_plan_swap(struct fl_api *a, const struct fl_program *prog);

#endif /* FL_API_H */
