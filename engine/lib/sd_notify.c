/* sd_notify.c - see sd_notify.h. */
#include "engine/lib/sd_notify.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* The largest WATCHDOG_USEC taken: a year, so the arithmetic in ns cannot
 * overflow; systemd's own cap is far below. */
#define WATCHDOG_USEC_MAX (365ull * 24 * 3600 * 1000000)

static uint64_t parse_decimal(const char *s)
{
	uint64_t v = 0;

	if (!s || !s[0])
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > WATCHDOG_USEC_MAX)
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	return v;
}

int fl_sd_notify_open(struct fl_sd_notify *n, const char *socket_env,
		      const char *watchdog_usec_env, const char *watchdog_pid_env, pid_t self)
{
	size_t len;
	uint64_t usec, pid;

	memset(n, 0, sizeof(*n));
	n->fd = -1;
	if (!socket_env || !socket_env[0])
		return 0;
	len = strlen(socket_env);
	if ((socket_env[0] != '/' && socket_env[0] != '@') || len >= sizeof(n->path))
		return -EINVAL;
	memcpy(n->path, socket_env, len);
	n->path_len = len;
	if (n->path[0] == '@')
		n->path[0] = '\0'; /* Linux abstract namespace */
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (n->fd < 0)
		return -errno;
	usec = parse_decimal(watchdog_usec_env);
	pid = parse_decimal(watchdog_pid_env);
	if (usec > 0 && (!watchdog_pid_env || pid == (uint64_t)self))
		n->watchdog_interval_ns = (int64_t)(usec * 1000 / 2);
	return 0;
}

void fl_sd_notify_close(struct fl_sd_notify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

int fl_sd_notify_send(struct fl_sd_notify *n, const char *state)
{
	struct sockaddr_un sa;
	socklen_t sa_len;

	if (n->fd < 0)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, n->path, n->path_len);
	/* an abstract name is exactly path_len bytes; a path ends at its NUL */
	sa_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n->path_len +
			     (n->path[0] ? 1 : 0));
	if (sendto(n->fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, sa_len) < 0)
		return -errno;
	return 0;
}

bool fl_sd_notify_watchdog(struct fl_sd_notify *n, int64_t now_ns)
{
	if (n->fd < 0 || n->watchdog_interval_ns == 0 || now_ns < n->next_watchdog_ns)
		return false;
	n->next_watchdog_ns = now_ns + n->watchdog_interval_ns;
	return fl_sd_notify_send(n, "WATCHDOG=1") == 0;
}

bool fl_sd_notify_is_on(const struct fl_sd_notify *n)
{
	return n->fd >= 0;
}
