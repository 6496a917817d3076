/* api_int.h - what the API's files share: the server's state, one request
 * as the handlers see it, and the handlers. Not for other modules. */
#ifndef FL_API_INT_H
#define FL_API_INT_H
#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>

#include "engine/api/api.h"
#include "engine/api/api_auth.h"
#include "engine/api/api_route.h"
#include "engine/api/api_tls.h"
#include "engine/lib/buf.h"
#include "engine/lib/jsonr.h"
#include "engine/lib/limits.h"
#include "engine/lib/net.h"

struct fl_store;
struct fl_inventory;
struct MHD_Daemon;
struct MHD_Connection;

/* Counters, HTTP thread only (GET /api/status). */
struct api_counters {
	uint64_t requests, connections_refused, bodies_refused, bad_json, unauthorized,
		forbidden, changes, pages_too_big, tokens_refused, users_reloads;
	uint64_t changes_looks;    /* GET /api/changes read the store */
	uint64_t map_cuts_dropped; /* cut places over FL_API_MAP_CUTS_MAX */
};

struct fl_api {
	struct MHD_Daemon *daemon;
	int fd; /* the listening socket until the daemon owns it; -1 after */
	struct fl_net_addr local;
	char *db, *zone;
	struct fl_api_users *users; /* NULL: read-only without login */
	char *users_path;	    /* read again when it changes (a token revoked) */
	struct stat users_stat;
	bool anonymous_read;
	const struct fl_api_level *levels;
	size_t n_levels;
	int64_t consent_notice_ms; /* fl_api_config's */
	fl_api_clock_fn *clock;
	void *clock_ctx;
	struct api_tls tls; /* empty: plain HTTP */
	/* the plan and its inventory, borrowed; NULL: no map, no targets, no
	 * customers for a window. A reload swaps them (fl_api_plan_swap) under
	 * plan_lock, which a request holds while it reads them. */
	pthread_mutex_t plan_lock;
	const struct fl_program *program;
	const struct fl_inventory *inventory;
	/* HTTP thread */
	struct fl_store *store;
	size_t conns_open;
	struct api_counters count;
	struct fl_buf page;
	/* GET /api/changes (api_changes.c) */
	struct fl_buf scratch;
	uint64_t changes_version, changes_hash;
	int64_t changes_checked_ns;
};

/* One request, as a handler gets it. body is NUL-terminated (len bytes);
 * json is parsed when the body is not empty (has_json). */
struct api_req {
	struct fl_api *api;
	struct MHD_Connection *conn;
	const char *method, *path;
	char args[FL_API_ROUTE_ARGS][FL_API_ARG_MAX + 1];
	const char *body;
	size_t body_len;
	struct fl_jsonr json;
	bool has_json;
	char user[FL_API_USER_MAX + 1]; /* "" when nobody logged in */
	enum fl_api_role role;
	int64_t now_ns;
};

/* A handler writes its answer's JSON to out and returns the HTTP status. */
typedef unsigned api_handler_fn(struct api_req *r, struct fl_buf *out);

/* The route table (a static const table: no state) and its handlers
 * (api_routes.c). */
const struct fl_api_route *api_routes(size_t *n);
api_handler_fn *api_handler(int index);

/* {"error": "..."} into out; returns status. */
unsigned api_error(struct fl_buf *out, unsigned status, const char *fmt, ...) FL_PRINTF(3, 4);
/* The query argument name, or NULL. */
const char *api_query(const struct api_req *r, const char *name);
/* The store, opened at the first call; NULL with an error answer written. */
struct fl_store *api_store(struct api_req *r, struct fl_buf *out, unsigned *status);
/* The string member key of the JSON body into out[cap]: 1 found, 0 absent
 * or null (out is then ""), -EINVAL not a string or too long. */
int api_body_str(const struct api_req *r, const char *key, char *out, size_t cap);

/* The handlers, by file. */
unsigned api_tickets_list(struct api_req *r, struct fl_buf *out);  /* api_tickets.c */
unsigned api_ticket_show(struct api_req *r, struct fl_buf *out);
unsigned api_ticket_action(struct api_req *r, struct fl_buf *out);
unsigned api_ticket_open(struct api_req *r, struct fl_buf *out);   /* api_open.c */
unsigned api_changes(struct api_req *r, struct fl_buf *out);       /* api_changes.c */
unsigned api_map(struct api_req *r, struct fl_buf *out);           /* api_map.c */
unsigned api_targets(struct api_req *r, struct fl_buf *out);
unsigned api_contacts(struct api_req *r, struct fl_buf *out);    /* api_contacts.c */
unsigned api_maint_consent(struct api_req *r, struct fl_buf *out); /* api_consent.c */

/* The board page (api_board.c). */
extern const char fl_api_board_html[];
extern const char fl_api_board_html_end[];

#endif /* FL_API_INT_H */
