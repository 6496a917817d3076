/* sd_notify.h - telling the service manager how the daemon is doing.
 *
 * systemd starts a Type=notify service with $NOTIFY_SOCKET, the path of a
 * unix datagram socket ('@' first: an abstract one), and waits for
 * "READY=1" before it counts the service as started; "STOPPING=1" says a
 * stop is under way; with WatchdogSec= it sets $WATCHDOG_USEC and restarts
 * the service when "WATCHDOG=1" does not come that often. Each state is one
 * datagram of text (sd_notify(3)): this is that protocol, without
 * libsystemd. Without $NOTIFY_SOCKET everything here does nothing.
 *
 * The caller reads the environment and passes the values in, so tests need
 * no environment; it should then unset NOTIFY_SOCKET, or a program a plugin
 * runs could speak for the daemon. One owner thread: the one whose liveness
 * the watchdog pings stand for (the main loop's). A send that fails is
 * returned and otherwise ignored: the manager being gone stops no alarm. */
#ifndef FL_SD_NOTIFY_H
#define FL_SD_NOTIFY_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/lib/compiler.h"

struct fl_sd_notify {
	int fd;			       /* -1: no manager to tell */
	char path[108];		       /* sockaddr_un's sun_path; [0] '\0' when abstract */
	size_t path_len;	       /* bytes of path used (abstract names hold no NUL) */
	int64_t watchdog_interval_ns;  /* 0: no watchdog; else half of WATCHDOG_USEC */
	int64_t next_watchdog_ns;      /* when the next ping is due */
};

/* Sets n up from the environment's values (each may be NULL): the socket,
 * WATCHDOG_USEC, and WATCHDOG_PID, which when set must be self for the
 * watchdog to apply to this process. Returns 0 (also with no socket, n then
 * inert), -EINVAL for a socket path too long or not absolute nor abstract,
 * or a socket() error; n is inert on failure too. */
FL_MUST_CHECK int fl_sd_notify_open(struct fl_sd_notify *n, const char *socket_env,
				    const char *watchdog_usec_env, const char *watchdog_pid_env,
				    pid_t self);
void fl_sd_notify_close(struct fl_sd_notify *n); /* accepts an inert or closed n */

/* Sends state ("READY=1", "STOPPING=1", "STATUS=...") as one datagram.
 * 0, or a negative errno from sendto(); 0 when inert. */
int fl_sd_notify_send(struct fl_sd_notify *n, const char *state);

/* Sends "WATCHDOG=1" when the last one is half a watchdog interval old at
 * now_ns (a monotonic clock), so a loop may call it every turn. Returns true
 * when it sent. */
bool fl_sd_notify_watchdog(struct fl_sd_notify *n, int64_t now_ns);

bool fl_sd_notify_is_on(const struct fl_sd_notify *n);

#endif /* FL_SD_NOTIFY_H */
