/* engine/lib/sd_notify: the service manager's datagrams and the watchdog's pace. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "engine/lib/sd_notify.h"

/* A datagram socket bound at name (a path, or "@..." abstract): the manager. */
static int manager(const char *name)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name));
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	cr_assert_geq(fd, 0);
	memcpy(sa.sun_path, name, strlen(name));
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	else
		len++;
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, len), 0, "bind %s: %s", name,
		     strerror(errno));
	return fd;
}

/* The next datagram, or "" when none is waiting. */
static const char *next(int fd, char *buf, size_t len)
{
	ssize_t n = recv(fd, buf, len - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

Test(sd_notify, sends_each_state_as_one_datagram_to_a_path)
{
	char path[64], buf[64];
	struct fl_sd_notify n;
	int fd;

	snprintf(path, sizeof(path), "/tmp/fl-sd-%d.sock", (int)getpid());
	unlink(path);
	fd = manager(path);
	cr_assert_eq(fl_sd_notify_open(&n, path, NULL, NULL, getpid()), 0);
	cr_expect(fl_sd_notify_is_on(&n));
	cr_expect_eq(fl_sd_notify_send(&n, "READY=1"), 0);
	cr_expect_eq(fl_sd_notify_send(&n, "STOPPING=1"), 0);
	cr_expect_str_eq(next(fd, buf, sizeof(buf)), "READY=1");
	cr_expect_str_eq(next(fd, buf, sizeof(buf)), "STOPPING=1");
	cr_expect_not(fl_sd_notify_watchdog(&n, 0), "no WATCHDOG_USEC: no pings");
	fl_sd_notify_close(&n);
	close(fd);
	unlink(path);
}

Test(sd_notify, reaches_an_abstract_socket)
{
	char name[64], buf[64];
	struct fl_sd_notify n;
	int fd;

	snprintf(name, sizeof(name), "@fl-sd-test-%d", (int)getpid());
	fd = manager(name);
	cr_assert_eq(fl_sd_notify_open(&n, name, NULL, NULL, getpid()), 0);
	cr_expect_eq(fl_sd_notify_send(&n, "READY=1"), 0);
	cr_expect_str_eq(next(fd, buf, sizeof(buf)), "READY=1");
	fl_sd_notify_close(&n);
	close(fd);
}

Test(sd_notify, pings_the_watchdog_at_half_its_interval)
{
	char path[64], buf[64], pid[32];
	struct fl_sd_notify n;
	int fd;

	snprintf(path, sizeof(path), "/tmp/fl-sd-w-%d.sock", (int)getpid());
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	unlink(path);
	fd = manager(path);
	cr_assert_eq(fl_sd_notify_open(&n, path, "2000000", pid, getpid()), 0);
	cr_expect(fl_sd_notify_watchdog(&n, 5000000000));
	cr_expect_str_eq(next(fd, buf, sizeof(buf)), "WATCHDOG=1");
	cr_expect_not(fl_sd_notify_watchdog(&n, 5999999999), "within a second of the last");
	cr_expect_str_eq(next(fd, buf, sizeof(buf)), "");
	cr_expect(fl_sd_notify_watchdog(&n, 6000000000), "a second later: half of 2 s");
	cr_expect_str_eq(next(fd, buf, sizeof(buf)), "WATCHDOG=1");
	fl_sd_notify_close(&n);
	close(fd);
	unlink(path);
}

Test(sd_notify, no_watchdog_for_another_process_and_nothing_without_a_socket)
{
	char path[64];
	struct fl_sd_notify n;
	int fd;

	snprintf(path, sizeof(path), "/tmp/fl-sd-p-%d.sock", (int)getpid());
	unlink(path);
	fd = manager(path);
	cr_assert_eq(fl_sd_notify_open(&n, path, "2000000", "1", getpid()), 0);
	cr_expect_not(fl_sd_notify_watchdog(&n, 5000000000), "WATCHDOG_PID names another");
	fl_sd_notify_close(&n);
	close(fd);
	unlink(path);

	cr_assert_eq(fl_sd_notify_open(&n, NULL, "2000000", NULL, getpid()), 0);
	cr_expect_not(fl_sd_notify_is_on(&n));
	cr_expect_eq(fl_sd_notify_send(&n, "READY=1"), 0);
	cr_expect_not(fl_sd_notify_watchdog(&n, 5000000000));
	cr_expect_eq(fl_sd_notify_open(&n, "relative.sock", NULL, NULL, getpid()), -EINVAL);
	cr_expect_not(fl_sd_notify_is_on(&n));
}
