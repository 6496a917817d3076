/* exec.c - notification by running a program (no shell).
 *
 * Settings:
 *   program     absolute path of the program; required
 *   arg         one argument, may repeat, passed in order as argv[1..]; never
 *               seen by a shell, so event text cannot become a command
 *   timeout_ms  time limit for the program (default 10000, and never past
 *               the host's deadline for the attempt); at the limit the
 *               attempt is RETRY
 *
 * The program runs in a process group of its own, killed whole when the
 * attempt ends, however it ends: a background job it started does not
 * outlive the attempt.
 *
 * The program gets the incident JSON on stdin and a small, fixed environment:
 * PATH, LANG=C.UTF-8, FL_KEY, FL_CHANNEL, FL_TO, FL_TO_NAME, FL_SUBJECT,
 * FL_BODY (when under 64 KiB) and FL_FIELD_<NAME> per message field, NAME
 * upper-cased with every byte outside [A-Z0-9_] made '_' (the first of two
 * fields that clean to one name wins). Nothing else of the daemon's
 * environment leaks through, and no descriptor but 0, 1 and 2.
 *
 * Outcome (sysexits.h): exit 0 OK, 75 (EX_TEMPFAIL) RETRY, any other exit
 * PERMANENT (127: the program could not be run). Killed by a signal it did not
 * get from us (OOM killer, a crash): RETRY, as for a crashed plugin. The first
 * line of its stderr becomes the reason. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/lib/buf.h"
#include "engine/notify/notify_util.h"
#include "plugins/fl_plugin.h"

#define EXEC_MAX_ARGS 32
#define EXEC_ENV_BODY_MAX (64 * 1024)
#define EXEC_ENV_NAME_MAX 64
#define EXEC_REASON_MAX 200
#define EX_TEMPFAIL_STATUS 75

struct exec_plugin {
	const struct fl_host_api *host;
	char *argv[EXEC_MAX_ARGS + 2]; /* program, args, NULL */
	uint32_t timeout_ms;
};

static void exec_free(struct exec_plugin *x)
{
	if (!x)
		return;
	for (size_t i = 0; x->argv[i]; i++)
		free(x->argv[i]);
	free(x);
}

static int exec_init(void **state, const struct fl_kv *settings, size_t n,
                     const struct fl_host_api *host, char *err, size_t err_len)
{
	const char *program = fl_kv_get(settings, n, "program");
	struct exec_plugin *x;
	size_t argc = 1;

	if (!program || program[0] != '/') {
		snprintf(err, err_len, "exec: 'program' must be an absolute path");
		return -EINVAL;
	}
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->host = host;
	if (fl_kv_get_u32(settings, n, "timeout_ms", 10000, 10, 600000, &x->timeout_ms) < 0) {
		snprintf(err, err_len, "exec: timeout_ms must be 10..600000");
		exec_free(x);
		return -EINVAL;
	}
	x->argv[0] = strdup(program);
	if (!x->argv[0]) {
		exec_free(x);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(settings[i].key, "arg") != 0)
			continue;
		if (argc >= EXEC_MAX_ARGS + 1) {
			snprintf(err, err_len, "exec: more than %d arg settings", EXEC_MAX_ARGS);
			exec_free(x);
			return -EINVAL;
		}
		x->argv[argc] = strdup(settings[i].value);
		if (!x->argv[argc]) {
			exec_free(x);
			return -ENOMEM;
		}
		argc++;
	}
	*state = x;
	return 0;
}

/* FL_FIELD_ + the key upper-cased, [A-Z0-9_] only, at most EXEC_ENV_NAME_MAX. */
static void env_name(char *dst, size_t size, const char *key)
{
	size_t n = (size_t)snprintf(dst, size, "FL_FIELD_");

	for (const char *k = key; *k && n + 1 < size && n < 9 + EXEC_ENV_NAME_MAX; k++) {
		char c = *k;

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			c = '_';
		dst[n++] = c;
	}
	dst[n] = '\0';
}

/* Builds "NAME=value" strings, NUL-separated, into env; ptrs points at each. */
static int build_env(struct fl_buf *env, size_t *offsets, size_t *n_env, size_t max,
                     const struct fl_message *m)
{
	const char *fixed[][2] = {
	    {"PATH", "/usr/local/bin:/usr/bin:/bin"},
	    {"LANG", "C.UTF-8"},
	    {"FL_KEY", m->idempotency_key},
	    {"FL_CHANNEL", m->channel},
	    {"FL_TO", m->to.address},
	    {"FL_TO_NAME", m->to.name},
	    {"FL_SUBJECT", m->subject},
	    {"FL_BODY", strlen(m->body) < EXEC_ENV_BODY_MAX ? m->body : NULL},
	};
	int rc = 0;

	*n_env = 0;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]) + m->n_fields && rc == 0; i++) {
		char name[EXEC_ENV_NAME_MAX + 16];
		const char *value;

		if (i < sizeof(fixed) / sizeof(fixed[0])) {
			snprintf(name, sizeof(name), "%s", fixed[i][0]);
			value = fixed[i][1];
		} else {
			env_name(name, sizeof(name),
			         m->fields[i - sizeof(fixed) / sizeof(fixed[0])].key);
			value = m->fields[i - sizeof(fixed) / sizeof(fixed[0])].value;
		}
		if (!value || *n_env >= max)
			continue;
		offsets[(*n_env)++] = env->len;
		rc = fl_buf_printf(env, "%s=%s", name, value);
		if (rc == 0)
			rc = fl_buf_addc(env, '\0');
	}
	return rc;
}

/* In the child, between fork and exec: own process group (so a timeout kills
 * the program and everything it started), die with the worker, stdio set up,
 * every other descriptor closed. */
static void child_exec(struct exec_plugin *x, int in_fd, int err_fd, char **envp)
{
	int devnull = open("/dev/null", O_WRONLY);
	long max_fd = sysconf(_SC_OPEN_MAX);

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in_fd, 0) < 0 || dup2(devnull, 1) < 0 || dup2(err_fd, 2) < 0)
		_exit(127);
	if (max_fd < 0 || max_fd > 65536)
		max_fd = 65536;
	for (int fd = 3; fd < (int)max_fd; fd++)
		close(fd);
	execve(x->argv[0], x->argv, envp);
	dprintf(2, "exec: %s: %s\n", x->argv[0], strerror(errno));
	_exit(127);
}

struct run {
	const char *in;
	size_t in_left;
	char reason[EXEC_REASON_MAX + 1];
	size_t reason_len;
	bool timed_out;
	int status;
};

/* Feeds stdin, collects the start of stderr, and waits for the exit, all
 * against one deadline. */
static void read_reason(int *err_fd, struct run *r)
{
	char chunk[512];
	ssize_t k = read(*err_fd, chunk, sizeof(chunk));

	if (k == 0 || (k < 0 && errno != EINTR && errno != EAGAIN)) {
		close(*err_fd);
		*err_fd = -1;
	}
	for (ssize_t i = 0; i < k && r->reason_len < EXEC_REASON_MAX; i++)
		r->reason[r->reason_len++] = chunk[i];
	r->reason[r->reason_len] = '\0';
}

/* Has the program exited? Asked without reaping it: while it is a zombie its
 * pid, which is also its process group's id, cannot be handed to another
 * process, so end_group() never signals a stranger. */
static bool has_exited(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
		return errno == ECHILD; /* reaped already: nothing left to wait for */
	return si.si_pid == pid;
}

/* Ends the attempt: kills the program's process group, so what it started
 * in the background (`sleep 300 &` in a pager script) dies with it whether
 * it exited, failed or ran out of time, then reaps the program. A job that
 * left the group on purpose (setsid, a daemon) is beyond this. */
static void end_group(pid_t pid, int *status)
{
	kill(-pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
}

static void supervise(struct exec_plugin *x, pid_t pid, int *in_fd, int *err_fd, struct run *r)
{
	int64_t deadline = x->host->monotonic_ns(x->host->ctx) + (int64_t)x->timeout_ms * 1000000;

	for (;;) {
		struct pollfd p[2] = {{.fd = *in_fd, .events = POLLOUT},
		                      {.fd = *err_fd, .events = POLLIN}};
		int64_t left_ms = (deadline - x->host->monotonic_ns(x->host->ctx)) / 1000000;

		if (has_exited(pid)) {
			if (*err_fd >= 0)
				read_reason(err_fd, r); /* what it wrote just before exiting */
			end_group(pid, &r->status);
			return;
		}
		if (left_ms <= 0) {
			r->timed_out = true;
			end_group(pid, &r->status);
			return;
		}
		if (poll(p, 2, left_ms > 20 ? 20 : (int)left_ms) <= 0)
			continue;
		if (*in_fd >= 0 && (p[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t k = write(*in_fd, r->in, r->in_left);

			if (k > 0) {
				r->in += k;
				r->in_left -= (size_t)k;
			}
			if ((k < 0 && errno != EAGAIN && errno != EINTR) || r->in_left == 0) {
				close(*in_fd); /* EPIPE: the program does not read stdin; fine */
				*in_fd = -1;
			}
		}
		if (*err_fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			read_reason(err_fd, r);
	}
}

static enum fl_send_result outcome(const struct exec_plugin *x, const struct run *r, char *err,
                                   size_t err_len)
{
	char *nl = strchr(r->reason, '\n');
	const char *why = r->reason;

	if (nl)
		*nl = '\0';
	if (r->timed_out) {
		snprintf(err, err_len, "exec: %s: killed after %u ms", x->argv[0], x->timeout_ms);
		return FL_SEND_RETRY;
	}
	if (WIFSIGNALED(r->status)) {
		snprintf(err, err_len, "exec: %s: killed by signal %d", x->argv[0],
		         WTERMSIG(r->status));
		return FL_SEND_RETRY;
	}
	if (WEXITSTATUS(r->status) == 0)
		return FL_SEND_OK;
	snprintf(err, err_len, "exec: %s: exit %d%s%s", x->argv[0], WEXITSTATUS(r->status),
	         why[0] ? ": " : "", why);
	return WEXITSTATUS(r->status) == EX_TEMPFAIL_STATUS ? FL_SEND_RETRY : FL_SEND_PERMANENT;
}

static enum fl_send_result exec_send(void *state, const struct fl_message *m, char *err,
                                     size_t err_len)
{
	struct exec_plugin *x = state;
	size_t offsets[8 + 64], n_env = 0;
	char *envp[8 + 64 + 1];
	struct run r = {.in = m->incident_json, .in_left = m->incident_json_len};
	int in[2], errp[2];
	struct fl_buf env;
	pid_t pid;

	fl_buf_init(&env, 1024 * 1024);
	if (build_env(&env, offsets, &n_env, sizeof(offsets) / sizeof(offsets[0]), m) < 0) {
		fl_buf_free(&env);
		snprintf(err, err_len, "exec: environment too large");
		return FL_SEND_PERMANENT;
	}
	for (size_t i = 0; i < n_env; i++)
		envp[i] = env.p + offsets[i];
	envp[n_env] = NULL;
	if (pipe(in) != 0) {
		fl_buf_free(&env);
		snprintf(err, err_len, "exec: pipe: %s", strerror(errno));
		return FL_SEND_RETRY;
	}
	if (pipe(errp) != 0) {
		close(in[0]);
		close(in[1]);
		fl_buf_free(&env);
		snprintf(err, err_len, "exec: pipe: %s", strerror(errno));
		return FL_SEND_RETRY;
	}
	pid = fork();
	if (pid == 0)
		child_exec(x, in[0], errp[1], envp);
	close(in[0]);
	close(errp[1]);
	if (pid < 0) {
		close(in[1]);
		close(errp[0]);
		fl_buf_free(&env);
		snprintf(err, err_len, "exec: fork: %s", strerror(errno));
		return FL_SEND_RETRY;
	}
	setpgid(pid, pid);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	fcntl(errp[0], F_SETFL, O_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
	supervise(x, pid, &in[1], &errp[0], &r);
	if (in[1] >= 0)
		close(in[1]);
	if (errp[0] >= 0)
		close(errp[0]);
	fl_buf_free(&env);
	return outcome(x, &r, err, err_len);
}

static void exec_shutdown(void *state)
{
	exec_free(state);
}

FL_PLUGIN_EXPORT const struct fl_plugin_api fl_plugin_entry = {
    .abi_major = FL_PLUGIN_ABI_MAJOR,
    .size = sizeof(struct fl_plugin_api),
    .name = "exec",
    .version = "1",
    .init = exec_init,
    .send = exec_send,
    .shutdown = exec_shutdown,
};
