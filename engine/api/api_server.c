/* api_server.c - the HTTP side of api.h: connections, bodies, who is asking,
 * the route and the answer. The handlers are in api_routes.c.
 *
 * libmicrohttpd calls on_request() on its one thread: first with the
 * headers only, then with each piece of the body, then once more with none.
 * The body is kept in a buffer capped at FL_API_BODY_MAX; a declared length
 * over it is answered 413 before a byte of it is read, a chunked body that
 * grows over it closes the connection. */
#include "engine/api/api.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/api/api_int.h"
#include "engine/lib/json.h"
#include "engine/store/store.h"
#include "grammar/program.h"

#define TYPE_JSON "application/json; charset=utf-8"
#define TYPE_HTML "text/html; charset=utf-8"
#define STORE_BUSY_MS 2000

/* What one request has gathered between the calls. */
struct conn_req {
	struct fl_buf body;
	bool is_answered; /* refused at the headers: the rest is not read */
};

static int64_t real_now_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

unsigned api_error(struct fl_buf *out, unsigned status, const char *fmt, ...)
{
	char msg[512];
	struct fl_json j;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fl_buf_reset(out);
	fl_json_init(&j, out);
	fl_json_obj_begin(&j);
	fl_json_key(&j, "error");
	fl_json_cstr(&j, msg);
	fl_json_obj_end(&j);
	return status;
}

const char *api_query(const struct api_req *r, const char *name)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);

	return v && v[0] ? v : NULL;
}

struct fl_store *api_store(struct api_req *r, struct fl_buf *out, unsigned *status)
{
	struct fl_api *a = r->api;
	char err[256] = "";

	if (a->store)
		return a->store;
	if (fl_store_open_existing(&a->store, a->db, err, sizeof(err)) < 0) {
		a->store = NULL;
		*status = api_error(out, MHD_HTTP_SERVICE_UNAVAILABLE, "store: %s",
				    err[0] ? err : "cannot open");
		return NULL;
	}
	fl_store_busy_timeout(a->store, STORE_BUSY_MS);
	return a->store;
}

int api_body_str(const struct api_req *r, const char *key, char *out, size_t cap)
{
	long i;

	if (cap)
		out[0] = '\0'; /* "" for an absent member: callers read it either way */
	if (!r->has_json)
		return 0;
	i = fl_jsonr_member(&r->json, 0, key);
	if (i < 0 || r->json.toks[i].type == FL_JSONR_NULL)
		return 0;
	return fl_jsonr_string(&r->json, (size_t)i, out, cap) < 0 ? -EINVAL : 1;
}

static enum MHD_Result send_answer(struct MHD_Connection *c, unsigned status, const char *type,
				   const char *body, size_t len, const char *allow,
				   bool wants_login)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result rc;
	bool ok;

	if (!resp)
		return MHD_NO;
	ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type) == MHD_YES &&
	     MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store") == MHD_YES &&
	     MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff") == MHD_YES &&
	     MHD_add_response_header(resp, "Content-Security-Policy",
				     "default-src 'self'; style-src 'self' 'unsafe-inline'; "
				     "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'") ==
		     MHD_YES;
	if (ok && allow)
		ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow) == MHD_YES;
	if (ok && wants_login)
		ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					     "Basic realm=\"faultline\", charset=\"UTF-8\"") ==
		     MHD_YES;
	rc = ok ? MHD_queue_response(c, status, resp) : MHD_NO;
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result send_page(struct fl_api *a, struct MHD_Connection *c, unsigned status)
{
	if (a->page.overflowed) {
		a->count.pages_too_big++;
		status = api_error(&a->page, MHD_HTTP_INTERNAL_SERVER_ERROR,
				   "the answer is larger than %u bytes", FL_API_PAGE_MAX);
	}
	return send_answer(c, status, TYPE_JSON, a->page.p, a->page.len, NULL, false);
}

static bool same_file(const struct stat *x, const struct stat *y)
{
	return x->st_ino == y->st_ino && x->st_dev == y->st_dev && x->st_size == y->st_size &&
	       x->st_mtim.tv_sec == y->st_mtim.tv_sec && x->st_mtim.tv_nsec == y->st_mtim.tv_nsec;
}

/* The users file again when it has changed since it was read, so a token
 * revoked or added (`faultline token`, which replaces the file) counts from
 * the next request. A file that no longer reads keeps the table in use: a
 * half-edited file must not lock the duty room out. */
static void users_refresh(struct fl_api *a)
{
	struct fl_api_users *fresh = NULL;
	char err[256] = "";
	struct stat st;

	if (!a->users_path || stat(a->users_path, &st) < 0 || same_file(&st, &a->users_stat))
		return;
	a->users_stat = st;
	if (fl_api_users_load(&fresh, a->users_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "http: users file not read again, the old one stays: %s\n", err);
		return;
	}
	fl_api_users_free(a->users);
	a->users = fresh;
	a->count.users_reloads++;
}

/* Who asks: the user of valid credentials (basic, or a bearer token), or
 * nobody (role NONE, or VIEWER where reading needs no login). false:
 * credentials given and wrong, with why. */
static bool who_asks(struct fl_api *a, struct api_req *r, const char **why)
{
	const char *auth = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_AUTHORIZATION);
	int rc;

	r->user[0] = '\0';
	r->role = !a->users || a->anonymous_read ? FL_ROLE_VIEWER : FL_ROLE_NONE;
	*why = "wrong user or password";
	if (!auth)
		return true;
	if (!a->users)
		return false; /* nobody can be checked: changes are refused anyway */
	users_refresh(a);
	if (strncmp(auth, "Bearer ", 7) != 0)
		return fl_api_users_check(a->users, auth, r->user, &r->role) == 0;
	rc = fl_api_users_check_token(a->users, auth, r->now_ns / 1000000000, r->user, &r->role);
	if (rc < 0) {
		a->count.tokens_refused++;
		*why = rc == -EKEYEXPIRED ? "this token has expired" : "wrong or revoked token";
		r->user[0] = '\0';
		r->role = FL_ROLE_NONE;
	}
	return rc == 0;
}

/* A change must come as JSON: a form of another site cannot send that
 * without the browser asking first (CORS), and nothing here says yes. */
static bool is_json_request(struct api_req *r)
{
	const char *type = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_CONTENT_TYPE);

	return type && strncmp(type, "application/json", 16) == 0 &&
	       (type[16] == '\0' || type[16] == ';');
}

static enum MHD_Result refuse_login(struct fl_api *a, struct api_req *r, unsigned status,
				    const char *why)
{
	/* the board asks for the password in its own form: no browser prompt */
	bool is_board = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						    "X-Requested-With") != NULL;

	if (status == MHD_HTTP_UNAUTHORIZED)
		a->count.unauthorized++;
	else
		a->count.forbidden++;
	api_error(&a->page, status, "%s", why);
	return send_answer(r->conn, status, TYPE_JSON, a->page.p, a->page.len, NULL,
			   status == MHD_HTTP_UNAUTHORIZED && !is_board);
}

static enum MHD_Result serve_api(struct fl_api *a, struct api_req *r)
{
	struct fl_jsonr_tok toks[FL_API_JSON_TOKENS];
	char allow[64];
	size_t n_routes;
	const struct fl_api_route *table = api_routes(&n_routes), *route;
	const char *why;
	long i = fl_api_route_find(table, n_routes, r->method, r->path, r->args, allow,
				   sizeof(allow));

	if (i == -ENOENT) {
		api_error(&a->page, MHD_HTTP_NOT_FOUND, "no such resource: %s", r->path);
		return send_page(a, r->conn, MHD_HTTP_NOT_FOUND);
	}
	if (i < 0) {
		api_error(&a->page, MHD_HTTP_METHOD_NOT_ALLOWED, "%s takes %s", r->path, allow);
		return send_answer(r->conn, MHD_HTTP_METHOD_NOT_ALLOWED, TYPE_JSON, a->page.p,
				   a->page.len, allow, false);
	}
	route = &table[i];
	if (!who_asks(a, r, &why))
		return refuse_login(a, r, MHD_HTTP_UNAUTHORIZED, why);
	if (r->role < route->role && !r->user[0])
		return refuse_login(a, r, MHD_HTTP_UNAUTHORIZED,
				    a->users ? "log in first" : "this server has no users: read only");
	if (r->role < route->role)
		return refuse_login(a, r, MHD_HTTP_FORBIDDEN, "a viewer may only read");
	if (route->role > FL_ROLE_VIEWER && !is_json_request(r)) {
		api_error(&a->page, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
			  "a change is sent as Content-Type: application/json");
		return send_page(a, r->conn, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE);
	}
	if (r->body_len) {
		int rc = fl_jsonr_parse(&r->json, r->body, r->body_len, toks, FL_API_JSON_TOKENS);

		if (rc < 0 || r->json.toks[0].type != FL_JSONR_OBJECT) {
			a->count.bad_json++;
			api_error(&a->page, MHD_HTTP_BAD_REQUEST, "the body is not a JSON object%s",
				  rc == -E2BIG ? " of at most 128 values" : "");
			return send_page(a, r->conn, MHD_HTTP_BAD_REQUEST);
		}
		r->has_json = true;
	}
	fl_buf_reset(&a->page);
	/* the plan a handler reads stays until it returns (fl_api_plan_swap) */
	pthread_mutex_lock(&a->plan_lock);
	unsigned status = api_handler(route->handler)(r, &a->page);
	pthread_mutex_unlock(&a->plan_lock);
	if (route->role > FL_ROLE_VIEWER && status < 300)
		a->count.changes++;
	return send_page(a, r->conn, status);
}

static enum MHD_Result serve(struct fl_api *a, struct MHD_Connection *c, const char *url,
			     const char *method, struct conn_req *cr)
{
	struct api_req r = {.api = a, .conn = c, .method = method, .path = url};

	a->count.requests++;
	r.now_ns = a->clock(a->clock_ctx);
	r.body = cr->body.p ? cr->body.p : "";
	r.body_len = cr->body.len;
	if (strncmp(url, "/api/", 5) == 0)
		return serve_api(a, &r);
	if (strcmp(url, "/") != 0 && strcmp(url, "/index.html") != 0) {
		api_error(&a->page, MHD_HTTP_NOT_FOUND, "no such page: %s (the board is at /)", url);
		return send_page(a, c, MHD_HTTP_NOT_FOUND);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return send_answer(c, MHD_HTTP_METHOD_NOT_ALLOWED, TYPE_JSON, "{}", 2, "GET, HEAD",
				   false);
	return send_answer(c, MHD_HTTP_OK, TYPE_HTML, fl_api_board_html,
			   (size_t)(fl_api_board_html_end - fl_api_board_html), NULL, false);
}

/* The first call: headers only. A declared body over the cap is refused
 * now, before it is read. */
static enum MHD_Result first_call(struct fl_api *a, struct MHD_Connection *c, void **request_ctx)
{
	const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_CONTENT_LENGTH);
	struct conn_req *cr = calloc(1, sizeof(*cr));

	if (!cr)
		return MHD_NO;
	fl_buf_init(&cr->body, FL_API_BODY_MAX);
	*request_ctx = cr;
	if (len && (strlen(len) > 9 || strtoul(len, NULL, 10) > FL_API_BODY_MAX)) {
		a->count.bodies_refused++;
		cr->is_answered = true;
		api_error(&a->page, MHD_HTTP_CONTENT_TOO_LARGE, "a request body is at most %u bytes",
			  FL_API_BODY_MAX);
		return send_page(a, c, MHD_HTTP_CONTENT_TOO_LARGE);
	}
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_len, void **request_ctx)
{
	struct fl_api *a = cls;
	struct conn_req *cr = *request_ctx;

	(void)version;
	if (!cr)
		return first_call(a, c, request_ctx);
	if (*upload_len) {
		size_t n = *upload_len;

		*upload_len = 0;
		if (cr->is_answered)
			return MHD_YES;
		if (fl_buf_add(&cr->body, upload, n) < 0) {
			a->count.bodies_refused++;
			return MHD_NO; /* a chunked body over the cap: the connection closes */
		}
		return MHD_YES;
	}
	if (cr->is_answered)
		return MHD_YES;
	return serve(a, c, url, method, cr); /* fl_buf keeps the body NUL-terminated */
}

static void on_completed(void *cls, struct MHD_Connection *c, void **request_ctx,
			 enum MHD_RequestTerminationCode why)
{
	struct conn_req *cr = *request_ctx;

	(void)cls;
	(void)c;
	(void)why;
	if (!cr)
		return;
	fl_buf_free(&cr->body);
	free(cr);
	*request_ctx = NULL;
}

static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addr_len)
{
	struct fl_api *a = cls;

	(void)addr;
	(void)addr_len;
	if (a->conns_open < FL_API_MAX_CONNS)
		return MHD_YES;
	a->count.connections_refused++;
	return MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode what)
{
	struct fl_api *a = cls;

	(void)c;
	(void)socket_ctx;
	if (what == MHD_CONNECTION_NOTIFY_STARTED)
		a->conns_open++;
	else if (what == MHD_CONNECTION_NOTIFY_CLOSED && a->conns_open > 0)
		a->conns_open--;
}

/* ---- public ------------------------------------------------------------------ */

static int copy_config(struct fl_api *a, const struct fl_api_config *cfg, char *err,
		       size_t err_len)
{
	int rc;

	a->db = strdup(cfg->db);
	a->zone = strdup(cfg->zone ? cfg->zone : "UTC");
	if (!a->db || !a->zone)
		return -ENOMEM;
	a->anonymous_read = cfg->anonymous_read;
	a->levels = cfg->levels;
	a->n_levels = cfg->n_levels;
	a->consent_notice_ms = cfg->consent_notice_ms > 0 ? cfg->consent_notice_ms : -1;
	a->clock = cfg->clock ? cfg->clock : real_now_ns;
	a->clock_ctx = cfg->clock_ctx;
	a->program = cfg->program;
	a->inventory = cfg->program ? cfg->program->inventory : NULL;
	if (!cfg->users)
		return 0;
	a->users_path = strdup(cfg->users);
	if (!a->users_path)
		return -ENOMEM;
	/* stat first: a change between the two is then read again, not lost */
	if (stat(cfg->users, &a->users_stat) < 0)
		memset(&a->users_stat, 0, sizeof(a->users_stat));
	rc = fl_api_users_load(&a->users, cfg->users, err, err_len);
	return rc == -ENOMEM ? rc : rc < 0 ? -EINVAL : 0;
}

int fl_api_create(struct fl_api **out, const struct fl_api_config *cfg, char *err, size_t err_len)
{
	struct fl_net_addr addr;
	const char *why = NULL;
	struct fl_api *a;
	int rc;

	if (!cfg->db) {
		snprintf(err, err_len, "--http needs a store (--db)");
		return -EINVAL;
	}
	if (fl_net_parse(&addr, cfg->addr, &why) < 0) {
		snprintf(err, err_len, "--http %s: %s", cfg->addr, why);
		return -EINVAL;
	}
	/* basic credentials and bearer tokens are as good as passwords: off the
	 * machine they travel in TLS, or the operator says who provides it */
	if (!cfg->tls_cert && !cfg->tls_key && !cfg->is_plain_ok && !api_addr_is_loopback(&addr)) {
		snprintf(err, err_len,
			 "--http %s is not a loopback address: serve it with --http-tls-cert and "
			 "--http-tls-key, or say --http-insecure (a TLS proxy in front)",
			 cfg->addr);
		return -EPERM;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->fd = -1;
	pthread_mutex_init(&a->plan_lock, NULL);
	fl_buf_init(&a->page, FL_API_PAGE_MAX);
	fl_buf_init(&a->scratch, FL_API_PAGE_MAX);
	rc = copy_config(a, cfg, err, err_len);
	if (rc == 0)
		rc = api_tls_load(&a->tls, cfg->tls_cert, cfg->tls_key, err, err_len);
	if (rc < 0)
		goto out_free;
	/* opened here, so a mistyped path fails the start, not every request;
	 * handed to the HTTP thread before it starts, and used by it alone */
	rc = fl_store_open_existing(&a->store, a->db, err, err_len);
	if (rc < 0) {
		a->store = NULL;
		goto out_free;
	}
	fl_store_busy_timeout(a->store, STORE_BUSY_MS);
	rc = fl_net_listen(&addr, SOCK_STREAM);
	if (rc >= 0) {
		a->fd = rc;
		rc = fl_net_local(a->fd, &a->local);
	}
	if (rc < 0) {
		char why_sys[128] = "";

		(void)strerror_r(-rc, why_sys, sizeof(why_sys));
		snprintf(err, err_len, "http: cannot listen on %s: %s", cfg->addr, why_sys);
		goto out_free;
	}
	*out = a;
	return 0;

out_free:
	fl_api_destroy(a);
	return rc;
}

int fl_api_start(struct fl_api *a)
{
	unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD;
	/* libmicrohttpd hands the PEM texts to GnuTLS at the start; they are
	 * kept (a->tls) until the daemon stops all the same */
	struct MHD_OptionItem tls_opts[] = {
		{MHD_OPTION_HTTPS_MEM_CERT, 0, a->tls.cert_pem},
		{MHD_OPTION_HTTPS_MEM_KEY, 0, a->tls.key_pem},
		{MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)"NORMAL:-VERS-TLS1.0:-VERS-TLS1.1"},
		{MHD_OPTION_END, 0, NULL},
	};

	if (a->local.ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (a->tls.cert_pem)
		flags |= MHD_USE_TLS;
	/* the daemon owns the socket from here, even when it fails to start */
	a->daemon = MHD_start_daemon(
		flags, 0, on_accept, a, on_request, a, MHD_OPTION_LISTEN_SOCKET, a->fd,
		/* a little over the cap: on_accept refuses, and counts, first */
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)(FL_API_MAX_CONNS + 4),
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)FL_API_MAX_CONNS_PER_IP,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)FL_API_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, a,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, a, MHD_OPTION_ARRAY,
		a->tls.cert_pem ? tls_opts : &tls_opts[3], MHD_OPTION_END);
	a->fd = -1;
	return a->daemon ? 0 : -EIO;
}

void fl_api_destroy(struct fl_api *a)
{
	if (!a)
		return;
	if (a->daemon)
		MHD_stop_daemon(a->daemon); /* joins the HTTP thread, closes the socket */
	if (a->fd >= 0)
		close(a->fd);
	fl_store_close(a->store);
	fl_api_users_free(a->users);
	free(a->users_path);
	api_tls_free(&a->tls);
	fl_buf_free(&a->page);
	fl_buf_free(&a->scratch);
	free(a->db);
	free(a->zone);
	pthread_mutex_destroy(&a->plan_lock);
	free(a);
}

void fl_api_plan_hold(struct fl_api *a)
{
	pthread_mutex_lock(&a->plan_lock);
}

void fl_api_plan_swap(struct fl_api *a, const struct fl_program *prog)
{
	a->program = prog;
	a->inventory = prog ? prog->inventory : NULL;
	pthread_mutex_unlock(&a->plan_lock);
}

void fl_api_local(const struct fl_api *a, char *out, size_t cap)
{
	fl_net_format((const struct sockaddr *)&a->local.ss, a->local.len, out, cap);
}

bool fl_api_is_tls(const struct fl_api *a)
{
	return a->tls.cert_pem != NULL;
}
