/* metrics.c - the HTTP endpoint of metrics.h on libmicrohttpd.
 *
 * libmicrohttpd runs one thread of its own (MHD_USE_INTERNAL_POLLING_THREAD,
 * no pool), so every callback below runs on that thread and the fields
 * marked "HTTP thread" need no lock. The engine's thread only ever takes mu
 * to copy a snapshot in; the HTTP thread takes it to copy one out. */
#include "engine/pipeline/metrics.h"

#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/lib/buf.h"
#include "engine/lib/limits.h"
#include "engine/lib/net.h"
#include "engine/store/store.h"

#define CONTENT_TYPE_METRICS "text/plain; version=0.0.4; charset=utf-8"
#define CONTENT_TYPE_TEXT "text/plain; charset=utf-8"

/* The rule names and counters of one side (shared or the HTTP thread's). */
struct source_table {
	struct fl_metrics_source *rows;
	char *names; /* every name, NUL-terminated, back to back */
	size_t n, names_len;
};

struct fl_metrics {
	struct MHD_Daemon *daemon;
	int fd; /* the listening socket until the daemon owns it; -1 after */
	struct fl_net_addr local;
	char *db;
	int64_t outbox_stuck_ns, stale_ns;
	/* shared: written by the engine's thread, read by the HTTP thread */
	pthread_mutex_t mu;
	struct fl_run_stats shared;
	struct source_table shared_sources;
	uint64_t generation; /* bumped when the rule names change */
	bool has_shared;
	int64_t published_ns; /* the engine's thread's own: its last publish */
	/* HTTP thread */
	struct fl_run_stats view;
	struct source_table view_sources;
	uint64_t view_generation;
	struct fl_store *store; /* opened at the first read of the outbox */
	struct fl_metrics_outbox outbox;
	int64_t outbox_read_ns; /* monotonic; 0: never */
	struct fl_metrics_http http;
	size_t conns_open;
	struct fl_buf page;
};

static int64_t now_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void source_table_free(struct source_table *t)
{
	free(t->rows);
	t->rows = NULL;
	free(t->names);
	t->names = NULL;
	t->n = t->names_len = 0;
}

/* Makes t a copy of the n rows of src, names included: 0 or -ENOMEM (t is
 * then unchanged). */
static int source_table_copy(struct source_table *t, const struct fl_metrics_source *src, size_t n)
{
	struct fl_metrics_source *rows = calloc(n ? n : 1, sizeof(*rows));
	size_t len = 0, at = 0;
	char *names;

	for (size_t i = 0; i < n; i++)
		len += strlen(src[i].name) + 1;
	names = malloc(len ? len : 1);
	if (!rows || !names) {
		free(rows);
		free(names);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(src[i].name) + 1;

		rows[i] = src[i];
		memcpy(names + at, src[i].name, l);
		rows[i].name = names + at;
		at += l;
	}
	source_table_free(t);
	t->rows = rows;
	t->names = names;
	t->n = n;
	t->names_len = len;
	return 0;
}

/* ---- the HTTP thread -------------------------------------------------------- */

/* Copies the latest snapshot out (names only when they changed). */
static bool take_view(struct fl_metrics *m)
{
	bool has;

	pthread_mutex_lock(&m->mu);
	has = m->has_shared;
	if (has && m->view_generation != m->generation &&
	    source_table_copy(&m->view_sources, m->shared_sources.rows, m->shared_sources.n) == 0)
		m->view_generation = m->generation;
	if (has)
		m->view = m->shared;
	for (size_t i = 0; has && m->view_generation == m->generation && i < m->view_sources.n;
	     i++) {
		const char *name = m->view_sources.rows[i].name;

		m->view_sources.rows[i] = m->shared_sources.rows[i];
		m->view_sources.rows[i].name = name;
	}
	pthread_mutex_unlock(&m->mu);
	m->view.sources = m->view_sources.rows;
	m->view.n_sources = m->view_generation == m->generation ? m->view_sources.n : 0;
	return has;
}

static void outbox_failed(struct fl_metrics *m, const char *why)
{
	m->outbox.is_read = false;
	m->outbox.read_errors++;
	snprintf(m->outbox.why, sizeof(m->outbox.why), "%s", why);
}

/* Counts the outbox on this thread's own connection, at most once per
 * FL_METRICS_OUTBOX_READ_MS however often it is scraped. */
static void read_outbox(struct fl_metrics *m, int64_t mono_ns)
{
	char err[160] = "";

	if (!m->db || (m->outbox_read_ns &&
		       mono_ns - m->outbox_read_ns < FL_METRICS_OUTBOX_READ_MS * INT64_C(1000000)))
		return;
	m->outbox_read_ns = mono_ns;
	if (!m->store && fl_store_open(&m->store, m->db, err, sizeof(err)) < 0) {
		m->store = NULL;
		outbox_failed(m, err[0] ? err : "cannot open the store");
		return;
	}
	if (fl_store_outbox_counts(m->store, m->outbox.rows) < 0) {
		outbox_failed(m, fl_store_errmsg(m->store));
		return;
	}
	m->outbox.oldest_due_ns = fl_store_outbox_next_due(m->store);
	m->outbox.is_read = true;
	m->outbox.why[0] = '\0';
}

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *type,
			      const char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body,
								 MHD_RESPMEM_MUST_COPY);
	enum MHD_Result rc;

	if (!r)
		return MHD_NO;
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type) == MHD_NO ||
	    (status == MHD_HTTP_METHOD_NOT_ALLOWED &&
	     MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD") == MHD_NO)) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* The view the page is computed from, read now. */
static void view_now(struct fl_metrics *m, struct fl_metrics_view *v)
{
	bool has = take_view(m);

	memset(v, 0, sizeof(*v));
	v->mono_ns = now_ns(CLOCK_MONOTONIC);
	v->wall_ns = now_ns(CLOCK_REALTIME);
	read_outbox(m, v->mono_ns);
	v->run = has ? &m->view : NULL;
	v->outbox = m->db ? &m->outbox : NULL;
	v->http = m->http;
	v->outbox_stuck_ns = m->outbox_stuck_ns;
	v->stale_ns = m->stale_ns;
}

static enum MHD_Result serve_metrics(struct fl_metrics *m, struct MHD_Connection *c)
{
	struct fl_metrics_view v;

	view_now(m, &v);
	fl_buf_reset(&m->page);
	if (fl_metrics_render(&m->page, &v) < 0) {
		m->http.render_failed++;
		return answer(c, MHD_HTTP_INTERNAL_SERVER_ERROR, CONTENT_TYPE_TEXT,
			      "metrics page over its cap\n", 26);
	}
	return answer(c, MHD_HTTP_OK, CONTENT_TYPE_METRICS, m->page.p, m->page.len);
}

static enum MHD_Result serve_health(struct fl_metrics *m, struct MHD_Connection *c)
{
	struct fl_metrics_view v;
	char why[256];
	int len;

	view_now(m, &v);
	if (fl_metrics_health(&v, why, sizeof(why) - 1))
		return answer(c, MHD_HTTP_OK, CONTENT_TYPE_TEXT, "ok\n", 3);
	len = (int)strlen(why);
	why[len++] = '\n';
	return answer(c, MHD_HTTP_SERVICE_UNAVAILABLE, CONTENT_TYPE_TEXT, why, (size_t)len);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_len, void **request_ctx)
{
	struct fl_metrics *m = cls;

	(void)version;
	(void)upload;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return answer(c, MHD_HTTP_METHOD_NOT_ALLOWED, CONTENT_TYPE_TEXT,
			      "only GET and HEAD\n", 18);
	/* the first call sees the headers only; answering then would leave a
	 * body a client sent with its GET unread in the connection */
	if (!*request_ctx) {
		*request_ctx = m; /* any pointer: marks the first call seen */
		return MHD_YES;
	}
	*upload_len = 0;
	if (strcmp(url, "/metrics") == 0)
		return serve_metrics(m, c);
	if (strcmp(url, "/healthz") == 0)
		return serve_health(m, c);
	return answer(c, MHD_HTTP_NOT_FOUND, CONTENT_TYPE_TEXT, "try /metrics or /healthz\n", 25);
}

/* Scrapers beyond the cap are turned away before anything is read. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addr_len)
{
	struct fl_metrics *m = cls;

	(void)addr;
	(void)addr_len;
	if (m->conns_open < FL_METRICS_MAX_CONNS)
		return MHD_YES;
	m->http.connections_refused++;
	return MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode what)
{
	struct fl_metrics *m = cls;

	(void)c;
	(void)socket_ctx;
	if (what == MHD_CONNECTION_NOTIFY_STARTED)
		m->conns_open++;
	else if (what == MHD_CONNECTION_NOTIFY_CLOSED && m->conns_open > 0)
		m->conns_open--;
}

/* ---- public ------------------------------------------------------------------ */

int fl_metrics_create(struct fl_metrics **out, const struct fl_metrics_config *cfg, char *err,
		      size_t err_len)
{
	struct fl_net_addr addr;
	const char *why = NULL;
	struct fl_metrics *m;
	int rc;

	if (fl_net_parse(&addr, cfg->addr, &why) < 0) {
		snprintf(err, err_len, "--metrics %s: %s", cfg->addr, why);
		return -EINVAL;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->fd = -1;
	pthread_mutex_init(&m->mu, NULL);
	fl_buf_init(&m->page, FL_METRICS_BODY_MAX);
	m->outbox.oldest_due_ns = INT64_MAX;
	m->outbox_stuck_ns = (cfg->outbox_stuck_s > 0 ? cfg->outbox_stuck_s
						      : FL_METRICS_OUTBOX_STUCK_S) *
			     INT64_C(1000000000);
	m->stale_ns = (cfg->stale_s > 0 ? cfg->stale_s : FL_METRICS_STALE_S) * INT64_C(1000000000);
	if (cfg->db && !(m->db = strdup(cfg->db))) {
		rc = -ENOMEM;
		goto out_free;
	}
	rc = fl_net_listen(&addr, SOCK_STREAM);
	if (rc >= 0) {
		m->fd = rc;
		rc = fl_net_local(m->fd, &m->local);
	}
	if (rc < 0) {
		char why_sys[128] = "";

		(void)strerror_r(-rc, why_sys, sizeof(why_sys));
		snprintf(err, err_len, "metrics: cannot listen on %s: %s", cfg->addr, why_sys);
		goto out_free;
	}
	*out = m;
	return 0;

out_free:
	fl_metrics_destroy(m);
	return rc;
}

int fl_metrics_start(struct fl_metrics *m)
{
	unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD;

	if (m->local.ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* the daemon owns the socket from here, even when it fails to start */
	m->daemon = MHD_start_daemon(
		flags, 0, on_accept, m, on_request, m, MHD_OPTION_LISTEN_SOCKET, m->fd,
		/* a little over the cap: on_accept refuses, and counts, first */
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)(FL_METRICS_MAX_CONNS + 4),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)FL_METRICS_TIMEOUT_S,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, m, MHD_OPTION_END);
	m->fd = -1;
	return m->daemon ? 0 : -EIO;
}

void fl_metrics_destroy(struct fl_metrics *m)
{
	if (!m)
		return;
	if (m->daemon)
		MHD_stop_daemon(m->daemon); /* joins the HTTP thread, closes the socket */
	if (m->fd >= 0)
		close(m->fd);
	fl_store_close(m->store);
	source_table_free(&m->shared_sources);
	source_table_free(&m->view_sources);
	fl_buf_free(&m->page);
	pthread_mutex_destroy(&m->mu);
	free(m->db);
	free(m);
}

int fl_metrics_publish(struct fl_metrics *m, const struct fl_run_stats *st)
{
	int rc = 0;

	pthread_mutex_lock(&m->mu);
	if (st->n_sources != m->shared_sources.n || !m->has_shared) {
		rc = source_table_copy(&m->shared_sources, st->sources, st->n_sources);
		m->generation += rc == 0;
	} else {
		for (size_t i = 0; i < st->n_sources; i++) {
			const char *name = m->shared_sources.rows[i].name;

			m->shared_sources.rows[i] = st->sources[i];
			m->shared_sources.rows[i].name = name;
		}
	}
	m->published_ns = now_ns(CLOCK_MONOTONIC);
	if (rc == 0) {
		m->shared = *st;
		m->shared.sources = NULL; /* the HTTP thread reads its own copy */
		m->has_shared = true;
	}
	pthread_mutex_unlock(&m->mu);
	return rc;
}

bool fl_metrics_is_due(const struct fl_metrics *m)
{
	int64_t since_ns = now_ns(CLOCK_MONOTONIC) - m->published_ns;

	return since_ns >= FL_METRICS_PUBLISH_MS * INT64_C(1000000);
}

void fl_metrics_local(const struct fl_metrics *m, char *out, size_t cap)
{
	fl_net_format((const struct sockaddr *)&m->local.ss, m->local.len, out, cap);
}
