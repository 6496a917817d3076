/* The control socket of `faultline run`: one line each way, a file mode as
 * the permission, and clients that cannot hold the engine's thread. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "engine/lib/buf.h"
#include "engine/pipeline/control.h"

static char dir[64], sock[96];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/fl-control-XXXXXX");
	cr_assert(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/control", dir);
}

static void teardown(void)
{
	unlink(sock);
	cr_expect_eq(rmdir(dir), 0, "%s left files behind", dir);
}

TestSuite(control, .init = setup, .fini = teardown, .timeout = 30);

struct client {
	const char *cmd;
	struct fl_buf reply;
	int rc;
	char err[256];
};

static void *client_thread(void *arg)
{
	struct client *c = arg;

	fl_buf_init(&c->reply, 1 << 20);
	c->rc = fl_control_request(sock, c->cmd, 10000, &c->reply, c->err, sizeof(c->err));
	return NULL;
}

/* The engine's side: takes one command within 10 s and answers it. */
static bool answer_one(struct fl_control *ctl, enum fl_control_cmd want, const char *body)
{
	enum fl_control_cmd cmd;

	for (int i = 0; i < 1000; i++) {
		struct timespec ts = {0, 10000000};

		if (fl_control_take(ctl, &cmd)) {
			cr_expect_eq(cmd, want);
			fl_control_answer(ctl, true, body, strlen(body));
			return true;
		}
		nanosleep(&ts, NULL);
	}
	return false;
}

static int raw_connect(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	cr_assert(fd >= 0);
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "%s", strerror(errno));
	return fd;
}

/* What the daemon answers a raw client that sent req. */
static void raw_answer(const char *req, size_t len, char *out, size_t out_len)
{
	int fd = raw_connect();
	size_t n = 0;
	ssize_t r;

	cr_assert_eq(send(fd, req, len, MSG_NOSIGNAL), (ssize_t)len);
	while (n + 1 < out_len && (r = recv(fd, out + n, out_len - 1 - n, 0)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(fd);
}

Test(control, answers_a_command_the_engine_takes_with_its_body)
{
	struct fl_control *ctl = NULL;
	struct client c = {.cmd = "stats"};
	pthread_t t;
	char err[256];
	struct stat sb;

	cr_assert_eq(fl_control_open(&ctl, sock, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(stat(sock, &sb), 0);
	cr_expect_eq(sb.st_mode & 0777, 0600, "mode %o: others could reload", sb.st_mode & 0777);
	pthread_create(&t, NULL, client_thread, &c);
	cr_expect(answer_one(ctl, FL_CONTROL_STATS, "{\"stats\":{}}\n"));
	pthread_join(t, NULL);
	cr_expect_eq(c.rc, 1, "%s", c.err);
	cr_expect(c.reply.p && strcmp(c.reply.p, "ok\n{\"stats\":{}}\n") == 0, "%s", c.reply.p);
	fl_buf_free(&c.reply);
	fl_control_close(ctl);
	cr_expect_neq(access(sock, F_OK), 0, "the socket file outlived close");
}

Test(control, refuses_an_unknown_command_and_an_overlong_line_without_the_engine)
{
	struct fl_control *ctl = NULL;
	struct fl_control_stats st;
	enum fl_control_cmd cmd;
	char err[256], got[256], longline[200];

	cr_assert_eq(fl_control_open(&ctl, sock, err, sizeof(err)), 0, "%s", err);
	raw_answer("shutdown\n", 9, got, sizeof(got));
	cr_expect(strncmp(got, "error unknown command", 21) == 0, "%s", got);
	memset(longline, 'a', sizeof(longline));
	raw_answer(longline, sizeof(longline), got, sizeof(got));
	cr_expect(strncmp(got, "error request line too long", 27) == 0, "%s", got);
	cr_expect_not(fl_control_take(ctl, &cmd), "the engine was asked");
	fl_control_stats(ctl, &st);
	cr_expect_eq(st.refused, 2);
	cr_expect_eq(st.requests, 0);
	fl_control_close(ctl);
}

Test(control, cuts_off_a_silent_client_and_serves_the_next)
{
	struct fl_control *ctl = NULL;
	struct fl_control_stats st;
	struct client c = {.cmd = "status"};
	pthread_t t;
	char err[256];
	int silent;

	cr_assert_eq(fl_control_open(&ctl, sock, err, sizeof(err)), 0, "%s", err);
	silent = raw_connect(); /* says nothing and never reads */
	pthread_create(&t, NULL, client_thread, &c);
	cr_expect(answer_one(ctl, FL_CONTROL_STATUS, "running\n"),
		  "the request behind a silent client was never handed over");
	pthread_join(t, NULL);
	cr_expect_eq(c.rc, 1, "%s", c.err);
	fl_control_stats(ctl, &st);
	cr_expect_eq(st.timed_out, 1, "the silent client was not cut off");
	close(silent);
	fl_buf_free(&c.reply);
	fl_control_close(ctl);
}

Test(control, refuses_a_path_another_daemon_answers_on)
{
	struct fl_control *a = NULL, *b = NULL;
	char err[256];

	cr_assert_eq(fl_control_open(&a, sock, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(fl_control_open(&b, sock, err, sizeof(err)), -EADDRINUSE);
	cr_expect(strstr(err, "another faultline answers there"), "%s", err);
	fl_control_close(a);
}
