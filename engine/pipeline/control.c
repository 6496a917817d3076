/* control.c - see control.h. */
#include "engine/pipeline/control.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "engine/lib/buf.h"

#define NS_PER_MS 1000000LL

/* Shared by the control thread and the engine's thread, under mu. A
 * request is numbered; the engine's answer carries the number it took, so
 * an answer that comes after its client gave up is never sent to the next. */
struct fl_control {
	char *path;
	int listen_fd;
	int stop_pipe[2]; /* the control thread polls [0]; close writes [1] */
	pthread_t thread;
	bool has_thread;
	pthread_mutex_t mu;
	pthread_cond_t answered;
	uint64_t req_seq, taken_seq, answer_seq;
	enum fl_control_cmd req;
	bool is_waiting, answer_ok;
	char *answer; /* malloc'd */
	size_t answer_len;
	struct fl_control_stats st;
};

static const char *const cmd_names[] = {"reload", "stats", "status"};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void set_io_timeouts(int fd, int ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (suseconds_t)(ms % 1000) * 1000};

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Everything of buf, or false (peer gone, or too slow: SO_SNDTIMEO).
 * MSG_NOSIGNAL: a client that hung up must not end the daemon by SIGPIPE. */
static bool send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* The request line, without its newline, into line (FL_CONTROL_LINE_MAX).
 * Returns its length, -EMSGSIZE (no newline within the cap), -ETIMEDOUT or
 * -EPIPE. The whole line must come within FL_CONTROL_IO_MS, however it is
 * split: a client sending a byte a second is cut off like a silent one. */
static int read_line(int fd, char *line)
{
	int64_t deadline = mono_ns() + FL_CONTROL_IO_MS * NS_PER_MS;
	size_t len = 0;

	while (len < FL_CONTROL_LINE_MAX) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t left_ms = (deadline - mono_ns()) / NS_PER_MS;
		ssize_t r;

		if (left_ms <= 0 || poll(&pfd, 1, (int)left_ms) == 0)
			return -ETIMEDOUT;
		r = recv(fd, line + len, FL_CONTROL_LINE_MAX - len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? -ETIMEDOUT : -EPIPE;
		for (size_t i = len; i < len + (size_t)r; i++)
			if (line[i] == '\n') {
				line[i] = '\0';
				if (i > 0 && line[i - 1] == '\r')
					line[i - 1] = '\0';
				return (int)strlen(line);
			}
		len += (size_t)r;
	}
	return -EMSGSIZE;
}

/* Hands cmd to the engine's thread and waits for its answer, at most
 * FL_CONTROL_ANSWER_MS or until close. Returns true with the answer moved
 * to *body (the caller frees it). */
static bool ask_engine(struct fl_control *c, enum fl_control_cmd cmd, bool *is_ok, char **body,
		       size_t *len)
{
	struct timespec until;
	uint64_t seq;
	bool got = false;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += FL_CONTROL_ANSWER_MS / 1000;
	pthread_mutex_lock(&c->mu);
	seq = ++c->req_seq;
	c->req = cmd;
	c->is_waiting = true;
	c->st.requests++;
	while (c->answer_seq != seq && rc != ETIMEDOUT && c->has_thread)
		rc = pthread_cond_timedwait(&c->answered, &c->mu, &until);
	if (c->answer_seq == seq) {
		got = true;
		*is_ok = c->answer_ok;
		*body = c->answer;
		*len = c->answer_len;
		c->answer = NULL;
	} else {
		c->is_waiting = false; /* not taken: withdrawn; taken: answered to nobody */
		c->st.timed_out++;
	}
	pthread_mutex_unlock(&c->mu);
	return got;
}

static void serve_one(struct fl_control *c, int fd)
{
	char line[FL_CONTROL_LINE_MAX + 1];
	const char *refusal = NULL;
	char *body = NULL;
	size_t len = 0;
	bool is_ok = false;
	int n = read_line(fd, line);

	if (n == -ETIMEDOUT || n == -EPIPE) {
		pthread_mutex_lock(&c->mu);
		c->st.timed_out += n == -ETIMEDOUT;
		pthread_mutex_unlock(&c->mu);
		return;
	}
	refusal = n < 0 ? "error request line too long\n" : NULL;
	for (size_t k = 0; !refusal && k < sizeof(cmd_names) / sizeof(cmd_names[0]); k++)
		if (strcmp(line, cmd_names[k]) == 0) {
			if (!ask_engine(c, (enum fl_control_cmd)k, &is_ok, &body, &len))
				refusal = "error the engine did not answer in time\n";
			break;
		}
	if (!refusal && !body)
		refusal = "error unknown command; try reload, stats or status\n";
	if (refusal) {
		pthread_mutex_lock(&c->mu);
		c->st.refused += n < 0 || !body;
		pthread_mutex_unlock(&c->mu);
		(void)send_all(fd, refusal, strlen(refusal));
		free(body);
		return;
	}
	if (send_all(fd, is_ok ? "ok\n" : "error\n", is_ok ? 3 : 6))
		(void)send_all(fd, body, len);
	free(body);
}

static void *control_thread(void *arg)
{
	struct fl_control *c = arg;

	for (;;) {
		struct pollfd pfd[2] = {{.fd = c->listen_fd, .events = POLLIN},
					{.fd = c->stop_pipe[0], .events = POLLIN}};
		int fd;

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		fd = accept(c->listen_fd, NULL, NULL);
		if (fd < 0)
			continue;
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
		set_io_timeouts(fd, FL_CONTROL_IO_MS);
		serve_one(c, fd);
		close(fd);
	}
	return NULL;
}

/* A socket file already at path: refused while a daemon answers on it,
 * removed when nobody does (a run that was killed left it). */
static int clear_stale(const struct sockaddr_un *sa, char *err, size_t err_len)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct stat sb;

	if (lstat(sa->sun_path, &sb) < 0)
		return 0;
	if (!S_ISSOCK(sb.st_mode)) {
		snprintf(err, err_len, "control socket %s: a file that is not a socket is there",
			 sa->sun_path);
		if (fd >= 0)
			close(fd);
		return -EEXIST;
	}
	if (fd >= 0 && connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0) {
		close(fd);
		snprintf(err, err_len, "control socket %s: another faultline answers there",
			 sa->sun_path);
		return -EADDRINUSE;
	}
	if (fd >= 0)
		close(fd);
	return unlink(sa->sun_path) < 0 ? -errno : 0;
}

static int bind_socket(struct fl_control *c, const char *path, char *err, size_t err_len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old_mask;
	int rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, err_len, "control socket %s: path longer than %zu bytes", path,
			 sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((rc = clear_stale(&sa, err, err_len)) < 0)
		return rc;
	c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->listen_fd < 0)
		return -errno;
	/* 0600 from the start: no moment when another user could connect */
	old_mask = umask(0177);
	rc = bind(c->listen_fd, (const struct sockaddr *)&sa, sizeof(sa));
	umask(old_mask);
	if (rc < 0 || listen(c->listen_fd, 16) < 0) {
		rc = -errno;
		snprintf(err, err_len, "control socket %s: %s", path, strerror(-rc));
		return rc;
	}
	return 0;
}

int fl_control_open(struct fl_control **out, const char *path, char *err, size_t err_len)
{
	struct fl_control *c = calloc(1, sizeof(*c));
	pthread_condattr_t ca;
	int rc;

	if (!c)
		return -ENOMEM;
	c->listen_fd = c->stop_pipe[0] = c->stop_pipe[1] = -1;
	pthread_mutex_init(&c->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->answered, &ca);
	pthread_condattr_destroy(&ca);
	snprintf(err, err_len, "control socket %s: out of memory", path);
	if (!(c->path = strdup(path))) {
		rc = -ENOMEM;
		goto out_free;
	}
	if ((rc = bind_socket(c, path, err, err_len)) < 0)
		goto out_free;
	if (pipe(c->stop_pipe) < 0) {
		rc = -errno;
		goto out_free;
	}
	c->has_thread = true;
	if ((rc = -pthread_create(&c->thread, NULL, control_thread, c)) < 0) {
		c->has_thread = false;
		snprintf(err, err_len, "control socket %s: cannot start its thread", path);
		goto out_free;
	}
	*out = c;
	return 0;

out_free:
	fl_control_close(c);
	return rc;
}

void fl_control_close(struct fl_control *c)
{
	if (!c)
		return;
	if (c->has_thread) {
		pthread_mutex_lock(&c->mu);
		c->has_thread = false; /* a client waiting on the engine gives up */
		pthread_cond_broadcast(&c->answered);
		pthread_mutex_unlock(&c->mu);
		if (write(c->stop_pipe[1], "x", 1) < 0)
			perror("control socket");
		pthread_join(c->thread, NULL);
	}
	if (c->listen_fd >= 0) {
		close(c->listen_fd);
		unlink(c->path);
	}
	for (int k = 0; k < 2; k++)
		if (c->stop_pipe[k] >= 0)
			close(c->stop_pipe[k]);
	pthread_cond_destroy(&c->answered);
	pthread_mutex_destroy(&c->mu);
	free(c->answer);
	free(c->path);
	free(c);
}

bool fl_control_take(struct fl_control *c, enum fl_control_cmd *cmd)
{
	bool has = false;

	pthread_mutex_lock(&c->mu);
	if (c->is_waiting) {
		c->is_waiting = false;
		c->taken_seq = c->req_seq;
		*cmd = c->req;
		has = true;
	}
	pthread_mutex_unlock(&c->mu);
	return has;
}

void fl_control_answer(struct fl_control *c, bool is_ok, const char *body, size_t len)
{
	char *copy;

	if (len > FL_CONTROL_REPLY_MAX)
		len = FL_CONTROL_REPLY_MAX;
	copy = malloc(len ? len : 1);
	if (copy && len)
		memcpy(copy, body, len);
	pthread_mutex_lock(&c->mu);
	free(c->answer);
	c->answer = copy;
	c->answer_len = copy ? len : 0;
	c->answer_ok = is_ok && copy;
	c->answer_seq = c->taken_seq;
	pthread_cond_broadcast(&c->answered);
	pthread_mutex_unlock(&c->mu);
}

void fl_control_stats(struct fl_control *c, struct fl_control_stats *out)
{
	pthread_mutex_lock(&c->mu);
	*out = c->st;
	pthread_mutex_unlock(&c->mu);
}

/* ---- the client ------------------------------------------------------------- */

static int client_connect(const char *path, int timeout_ms, char *err, size_t err_len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, err_len, "%s: path too long for a unix socket", path);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		snprintf(err, err_len, "%s: %s (is `faultline run --control %s` running?)", path,
			 strerror(errno), path);
		close(fd);
		return rc;
	}
	set_io_timeouts(fd, timeout_ms);
	return fd;
}

int fl_control_request(const char *path, const char *cmd, int timeout_ms, struct fl_buf *reply,
		       char *err, size_t err_len)
{
	char chunk[4096];
	size_t head = reply->len;
	int fd = client_connect(path, timeout_ms, err, err_len), rc = 0;

	if (fd < 0)
		return fd;
	if (!send_all(fd, cmd, strlen(cmd)) || !send_all(fd, "\n", 1)) {
		snprintf(err, err_len, "%s: the daemon hung up", path);
		close(fd);
		return -EPIPE;
	}
	for (;;) {
		ssize_t r = recv(fd, chunk, sizeof(chunk), 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
			snprintf(err, err_len, "%s: no answer: %s", path, strerror(-rc));
			break;
		}
		if (r == 0 || fl_buf_add(reply, chunk, (size_t)r) < 0)
			break;
	}
	close(fd);
	if (rc < 0)
		return rc;
	/* the first line is the verdict; the body follows */
	if (reply->len - head >= 3 && memcmp(reply->p + head, "ok\n", 3) == 0)
		rc = 1;
	else if (reply->len - head >= 5 && memcmp(reply->p + head, "error", 5) == 0)
		rc = 0;
	else {
		snprintf(err, err_len, "%s: not an answer of faultline", path);
		return -EPROTO;
	}
	return rc;
}
