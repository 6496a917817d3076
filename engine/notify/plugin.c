#include "engine/notify/plugin.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/lib/buf.h"
#include "engine/lib/limits.h"
#include "engine/lib/notice_key.h"

/* Worker -> host records on the result pipe: type, code, length (LE), text. */
#define REC_LOG 'L'
#define REC_RESULT 'R'
#define REC_HDR 4

struct fl_plugin {
	char name[FL_PLUGIN_NAME_MAX + 1];
	void *so;
	const struct fl_plugin_api *api;
	struct fl_kv *settings; /* owned copies */
	size_t n_settings;
	fl_plugin_log_fn *log_fn;
	void *log_ctx;
	struct fl_plugin_stats stats;
};

/* State of one worker: only ever exists inside the forked child. */
struct worker {
	int fd;
	unsigned log_lines;
};

FL_PRINTF(3, 4) static void set_err(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (!err || err_len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > FL_PLUGIN_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

static void free_settings(struct fl_plugin *pl)
{
	for (size_t i = 0; i < pl->n_settings; i++) {
		free((char *)pl->settings[i].key); /* our own strdup()s, never the caller's */
		free((char *)pl->settings[i].value);
	}
	free(pl->settings);
	pl->settings = NULL;
	pl->n_settings = 0;
}

static int copy_settings(struct fl_plugin *pl, const struct fl_kv *settings, size_t n)
{
	if (n == 0)
		return 0;
	pl->settings = calloc(n, sizeof(*pl->settings));
	if (!pl->settings)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		pl->settings[i].key = strdup(settings[i].key ? settings[i].key : "");
		pl->settings[i].value = strdup(settings[i].value ? settings[i].value : "");
		pl->n_settings = i + 1;
		if (!pl->settings[i].key || !pl->settings[i].value)
			return -ENOMEM;
	}
	return 0;
}

/* Checks the exported table: ABI, size, the three methods. */
static int check_api(const struct fl_plugin_api *api, const char *path, char *err, size_t err_len)
{
	if (api->abi_major != FL_PLUGIN_ABI_MAJOR) {
		set_err(err, err_len, "%s: plugin ABI %u, this faultline speaks ABI %u", path,
		        api->abi_major, FL_PLUGIN_ABI_MAJOR);
		return -ENOEXEC;
	}
	if (api->size < FL_PLUGIN_API_V1_SIZE) {
		set_err(err, err_len, "%s: plugin table is %u bytes, ABI %u needs at least %zu",
		        path, api->size, FL_PLUGIN_ABI_MAJOR, (size_t)FL_PLUGIN_API_V1_SIZE);
		return -ENOEXEC;
	}
	if (!api->init || !api->send || !api->shutdown) {
		set_err(err, err_len, "%s: plugin table lacks init, send or shutdown", path);
		return -ENOEXEC;
	}
	return 0;
}

int fl_plugin_load(struct fl_plugin **out, const char *dir, const char *name,
                   const struct fl_kv *settings, size_t n_settings, char *err, size_t err_len)
{
	const struct fl_plugin_api *api;
	struct fl_plugin *pl;
	char path[4096];
	struct stat st;
	void *so;
	int rc;

	if (!name || !name_valid(name)) {
		set_err(err, err_len, "invalid plugin name '%s' (letters, digits, _ and - only)",
		        name ? name : "");
		return -EINVAL;
	}
	if (n_settings > FL_PLUGIN_MAX_SETTINGS) {
		set_err(err, err_len, "plugin %s: %zu settings, at most %d", name, n_settings,
		        FL_PLUGIN_MAX_SETTINGS);
		return -EINVAL;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.so", dir ? dir : ".", name) >=
	    sizeof(path)) {
		set_err(err, err_len, "plugin directory path too long");
		return -EINVAL;
	}
	if (stat(path, &st) != 0) {
		rc = -errno;
		set_err(err, err_len, "no plugin '%s': %s: %s", name, path, strerror(errno));
		return rc == -ENOENT ? -ENOENT : -ENOEXEC;
	}
	so = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!so) {
		set_err(err, err_len, "cannot load plugin: %s", dlerror());
		return -ENOEXEC;
	}
	api = dlsym(so, FL_PLUGIN_ENTRY_SYMBOL);
	if (!api) {
		set_err(err, err_len, "%s does not export %s", path, FL_PLUGIN_ENTRY_SYMBOL);
		rc = -ENOEXEC;
		goto out_close;
	}
	rc = check_api(api, path, err, err_len);
	if (rc < 0)
		goto out_close;
	pl = calloc(1, sizeof(*pl));
	if (!pl) {
		rc = -ENOMEM;
		goto out_close;
	}
	memcpy(pl->name, name, strlen(name) + 1);
	pl->so = so;
	pl->api = api;
	rc = copy_settings(pl, settings, n_settings);
	if (rc < 0) {
		set_err(err, err_len, "plugin %s: out of memory", name);
		goto out_free;
	}
	*out = pl;
	return 0;

out_free:
	free_settings(pl);
	free(pl);
out_close:
	dlclose(so);
	return rc;
}

void fl_plugin_unload(struct fl_plugin *pl)
{
	if (!pl)
		return;
	free_settings(pl);
	dlclose(pl->so);
	pl->so = NULL;
	free(pl);
}

void fl_plugin_set_log(struct fl_plugin *pl, fl_plugin_log_fn *fn, void *ctx)
{
	pl->log_fn = fn;
	pl->log_ctx = ctx;
}

/* --- the worker (child side) ------------------------------------------------ */

/* Writes one record whole; a short write means the host is gone, and then
 * nothing is left to tell anyone. */
static void worker_put(struct worker *w, char type, int code, const char *text)
{
	char rec[REC_HDR + FL_PLUGIN_ERR_MAX];
	size_t n = strnlen(text, FL_PLUGIN_ERR_MAX - 1);
	size_t off = 0;

	rec[0] = type;
	rec[1] = (char)code;
	rec[2] = (char)(n & 0xff);
	rec[3] = (char)(n >> 8);
	memcpy(rec + REC_HDR, text, n);
	n += REC_HDR;
	while (off < n) {
		ssize_t k = write(w->fd, rec + off, n - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		off += (size_t)k;
	}
}

static void host_log(void *ctx, enum fl_plugin_log_level level, const char *msg)
{
	struct worker *w = ctx;

	if (!msg || w->log_lines >= FL_PLUGIN_MAX_LOG_LINES + 1)
		return; /* one over the cap so the host sees and counts the drop */
	w->log_lines++;
	worker_put(w, REC_LOG, (int)level, msg);
}

static int64_t host_now_ns(void *ctx)
{
	(void)ctx;
	return clock_ns(CLOCK_REALTIME);
}

static int64_t host_monotonic_ns(void *ctx)
{
	(void)ctx;
	return clock_ns(CLOCK_MONOTONIC);
}

/* Runs in the forked child and never returns. */
static void worker_main(const struct fl_plugin *pl, const struct fl_message *msg, int fd)
{
	struct worker w = {.fd = fd, .log_lines = 0};
	struct fl_host_api host = {
	    .abi_major = FL_PLUGIN_ABI_MAJOR,
	    .size = sizeof(struct fl_host_api),
	    .ctx = &w,
	    .log = host_log,
	    .now_ns = host_now_ns,
	    .monotonic_ns = host_monotonic_ns,
	};
	char err[FL_PLUGIN_ERR_MAX] = "";
	enum fl_send_result r = FL_SEND_OK;
	void *state = NULL;
	sigset_t all;
	int rc;

	/* The engine's threads may block signals or ignore SIGCHLD; the worker
	 * starts from defaults, except SIGPIPE: a peer closing a socket is an
	 * error to report, not a death. */
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);

	rc = pl->api->init(&state, pl->settings, pl->n_settings, &host, err, sizeof(err));
	if (rc < 0) {
		if (!err[0])
			snprintf(err, sizeof(err), "init failed: %s", strerror(-rc));
		worker_put(&w, REC_RESULT, rc == -EINVAL ? FL_SEND_PERMANENT : FL_SEND_RETRY, err);
		_exit(0);
	}
	if (msg) {
		r = pl->api->send(state, msg, err, sizeof(err));
		if (r != FL_SEND_OK && r != FL_SEND_RETRY && r != FL_SEND_PERMANENT) {
			snprintf(err, sizeof(err), "plugin returned invalid result %d", (int)r);
			r = FL_SEND_PERMANENT;
		}
		if (r != FL_SEND_OK && !err[0])
			snprintf(err, sizeof(err), "%s without a reason", fl_send_result_name(r));
	}
	/* The result goes out before shutdown: a plugin hanging in shutdown must
	 * not turn a delivered message into a retry (and a duplicate page). */
	worker_put(&w, REC_RESULT, (int)r, r == FL_SEND_OK ? "" : err);
	pl->api->shutdown(state);
	_exit(0);
}

/* --- the host side ----------------------------------------------------------- */

struct attempt {
	bool has_result, timed_out;
	enum fl_send_result result;
	char reason[FL_PLUGIN_ERR_MAX];
	int status; /* waitpid status, valid when !timed_out */
};

/* Reads the worker's records until EOF or the deadline. Returns false at the
 * deadline. Bytes beyond the cap are read and dropped so the worker never
 * blocks on a full pipe. */
static bool read_worker(int fd, struct fl_buf *out, int64_t deadline_ns, uint64_t *dropped)
{
	char chunk[4096];

	for (;;) {
		int64_t left_ms = (deadline_ns - clock_ns(CLOCK_MONOTONIC)) / 1000000;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;
		int k;

		if (left_ms <= 0)
			return false;
		k = poll(&p, 1, left_ms > 1000 ? 1000 : (int)left_ms);
		if (k < 0 && errno != EINTR)
			return false;
		if (k <= 0)
			continue;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return true;
		if (fl_buf_add(out, chunk, (size_t)n) < 0)
			(*dropped)++;
	}
}

/* Waits for the worker to exit until the deadline, without reaping it, so its
 * PID (and process group ID) cannot be reused while we may still signal it. */
static bool wait_exit(pid_t pid, int64_t deadline_ns)
{
	long pause_ns = 20000;

	for (;;) {
		siginfo_t si;
		struct timespec pause;

		errno = 0;
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == pid)
			return true;
		if (errno == ECHILD)
			return true; /* SIGCHLD ignored: the kernel reaped it already */
		if (clock_ns(CLOCK_MONOTONIC) >= deadline_ns)
			return false;
		/* The pipe's EOF comes as the worker exits, so the wait is
		 * usually tens of microseconds: start short, back off to 1 ms
		 * (a fixed 1 ms sleep doubled the cost of an attempt). */
		pause = (struct timespec){0, pause_ns};
		nanosleep(&pause, NULL);
		if (pause_ns < 1000000)
			pause_ns *= 2;
	}
}

static void parse_records(struct fl_plugin *pl, const struct fl_buf *b, struct attempt *a)
{
	unsigned lines = 0;
	size_t off = 0;

	while (b->len - off >= REC_HDR) {
		const unsigned char *h = (const unsigned char *)b->p + off;
		size_t n = (size_t)h[2] | (size_t)h[3] << 8;
		char text[FL_PLUGIN_ERR_MAX];

		if (n >= sizeof(text) || n > b->len - off - REC_HDR)
			break; /* never trust a length: a torn or forged record ends parsing */
		memcpy(text, h + REC_HDR, n);
		text[n] = '\0';
		off += REC_HDR + n;
		if (h[0] == REC_RESULT && h[1] <= FL_SEND_PERMANENT) {
			a->has_result = true;
			a->result = (enum fl_send_result)h[1];
			memcpy(a->reason, text, n + 1);
		} else if (h[0] == REC_LOG) {
			if (++lines > FL_PLUGIN_MAX_LOG_LINES) {
				pl->stats.log_dropped++;
				continue;
			}
			if (pl->log_fn)
				pl->log_fn(pl->log_ctx, pl->name, (enum fl_plugin_log_level)h[1],
				           text);
		}
	}
}

static int run_worker(struct fl_plugin *pl, const struct fl_message *msg, uint32_t timeout_ms,
                      struct attempt *a)
{
	int64_t deadline_ns = clock_ns(CLOCK_MONOTONIC) + (int64_t)timeout_ms * 1000000;
	struct fl_buf out;
	int fds[2];
	bool exited;
	pid_t pid;

	if (pipe(fds) != 0)
		return -errno;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC); /* the exec plugin's children must not hold it */
	pid = fork();
	if (pid < 0) {
		int rc = -errno;

		close(fds[0]);
		close(fds[1]);
		return rc;
	}
	if (pid == 0) {
		setpgid(0, 0);
		close(fds[0]);
		worker_main(pl, msg, fds[1]);
	}
	setpgid(pid, pid); /* both sides, so the group exists before we might kill it */
	close(fds[1]);
	fl_buf_init(&out, FL_PLUGIN_WORKER_OUT_MAX);
	a->timed_out = !read_worker(fds[0], &out, deadline_ns, &pl->stats.log_dropped);
	close(fds[0]);
	exited = !a->timed_out && wait_exit(pid, deadline_ns);
	if (!exited)
		a->timed_out = true;
	/* Whatever the worker left behind in its group goes with it. */
	kill(-pid, SIGKILL);
	a->status = 0;
	while (waitpid(pid, &a->status, 0) < 0 && errno == EINTR)
		;
	parse_records(pl, &out, a);
	fl_buf_free(&out);
	return 0;
}

/* Turns an attempt into the result and reason the caller sees. */
static enum fl_send_result conclude(struct fl_plugin *pl, const struct attempt *a,
                                    uint32_t timeout_ms, char *err, size_t err_len)
{
	enum fl_send_result r;

	if (a->timed_out)
		pl->stats.timed_out++; /* even with a result: shutdown hung */
	if (a->has_result) {
		r = a->result;
		if (r != FL_SEND_OK)
			set_err(err, err_len, "%s", a->reason);
	} else if (a->timed_out) {
		r = FL_SEND_RETRY;
		set_err(err, err_len, "plugin %s timed out after %u ms; worker killed", pl->name,
		        timeout_ms);
	} else {
		pl->stats.crashed++;
		r = FL_SEND_RETRY;
		if (WIFSIGNALED(a->status))
			set_err(err, err_len, "plugin %s crashed: worker killed by signal %d",
			        pl->name, WTERMSIG(a->status));
		else
			set_err(err, err_len,
			        "plugin %s crashed: worker exited with status %d and no result",
			        pl->name, WIFEXITED(a->status) ? WEXITSTATUS(a->status) : -1);
	}
	if (r == FL_SEND_OK)
		pl->stats.ok++;
	else if (r == FL_SEND_RETRY)
		pl->stats.retry++;
	else
		pl->stats.permanent++;
	return r;
}

static enum fl_send_result attempt(struct fl_plugin *pl, const struct fl_message *msg,
                                   uint32_t timeout_ms, char *err, size_t err_len)
{
	struct attempt a;
	int rc;

	if (timeout_ms == 0)
		timeout_ms = FL_PLUGIN_TIMEOUT_MS_DEFAULT;
	if (timeout_ms > FL_PLUGIN_TIMEOUT_MS_MAX)
		timeout_ms = FL_PLUGIN_TIMEOUT_MS_MAX;
	if (err && err_len)
		err[0] = '\0';
	memset(&a, 0, sizeof(a));
	pl->stats.attempts++;
	rc = run_worker(pl, msg, timeout_ms, &a);
	if (rc < 0) {
		pl->stats.retry++;
		set_err(err, err_len, "plugin %s: cannot start worker: %s", pl->name,
		        strerror(-rc));
		return FL_SEND_RETRY;
	}
	return conclude(pl, &a, timeout_ms, err, err_len);
}

enum fl_send_result fl_plugin_send(struct fl_plugin *pl, const struct fl_message *msg,
                                   uint32_t timeout_ms, char *err, size_t err_len)
{
	if (!msg || msg->size < sizeof(struct fl_message) ||
	    !fl_notice_key_valid(msg->idempotency_key) || !msg->to.address || !msg->to.address[0] ||
	    !msg->to.name || !msg->channel || !msg->subject || !msg->body || !msg->incident_json ||
	    (msg->n_fields && !msg->fields)) {
		pl->stats.permanent++;
		set_err(err, err_len, "malformed message (key, address or text missing)");
		return FL_SEND_PERMANENT;
	}
	return attempt(pl, msg, timeout_ms, err, err_len);
}

enum fl_send_result fl_plugin_check(struct fl_plugin *pl, uint32_t timeout_ms, char *err,
                                    size_t err_len)
{
	return attempt(pl, NULL, timeout_ms, err, err_len);
}

const char *fl_plugin_name(const struct fl_plugin *pl)
{
	return pl->name;
}

void fl_plugin_stats(const struct fl_plugin *pl, struct fl_plugin_stats *out)
{
	*out = pl->stats;
}

const char *fl_send_result_name(enum fl_send_result r)
{
	switch (r) {
	case FL_SEND_OK:
		return "ok";
	case FL_SEND_RETRY:
		return "retry";
	case FL_SEND_PERMANENT:
		return "permanent";
	}
	return "invalid";
}

const char *fl_plugin_default_dir(char *dir, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", dir, size - sizeof("/plugins"));
	char *slash;

	if (n <= 0)
		return "plugins";
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (!slash)
		return "plugins";
	strcpy(slash, "/plugins");
	return dir;
}
