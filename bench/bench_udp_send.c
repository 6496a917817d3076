/* bench_udp_send - sends numbered syslog datagrams at a fixed rate.
 *
 *   bench_udp_send ADDR:PORT RATE SECONDS [SIZE]
 *
 * Messages are RFC 5424 lines, SIZE bytes (default 120, at least 100).
 * RATE 0 sends as fast as the socket takes them. Batches go out with
 * sendmmsg(); the sender sleeps whenever it is ahead of RATE. Prints one
 * line: "sent N in S s = R msg/s". Each message carries "seq=N" so a
 * receiver can check for loss. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine/lib/net.h"

#define BATCH 64
#define MSG_MAX 2048

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static char bufs[BATCH][MSG_MAX];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct fl_net_addr dst;
	const char *why;
	double rate, seconds, start, elapsed;
	size_t size = 120;
	unsigned long long sent = 0;
	int fd;

	if (argc < 4 || fl_net_parse(&dst, argv[1], &why) < 0) {
		fprintf(stderr, "usage: bench_udp_send ADDR:PORT RATE SECONDS [SIZE]\n");
		return 2;
	}
	rate = atof(argv[2]);
	seconds = atof(argv[3]);
	if (argc > 4)
		size = (size_t)atol(argv[4]);
	if (size < 100 || size >= MSG_MAX) {
		fprintf(stderr, "bench_udp_send: SIZE must be 100..%d\n", MSG_MAX - 1);
		return 2;
	}
	fd = socket(dst.ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&dst.ss, dst.len) < 0) {
		perror("bench_udp_send: socket");
		return 1;
	}
	start = now_s();
	while ((elapsed = now_s() - start) < seconds) {
		int n;

		if (rate > 0 && (double)sent >= rate * elapsed) {
			struct timespec pause = {0, 50000}; /* 50 us */

			nanosleep(&pause, NULL);
			continue;
		}
		for (int i = 0; i < BATCH; i++) {
			int len = snprintf(bufs[i], MSG_MAX,
					   "<134>1 2026-11-25T10:00:00.123456+08:00 HC-YZ-RT01 "
					   "bench - - - seq=%llu ",
					   sent + (unsigned long long)i + 1);

			memset(bufs[i] + len, 'p', size - (size_t)len);
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = size;
			memset(&msgs[i], 0, sizeof(msgs[i]));
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		n = sendmmsg(fd, msgs, BATCH, 0);
		if (n < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED)
				continue;
			perror("bench_udp_send: sendmmsg");
			return 1;
		}
		sent += (unsigned long long)n;
	}
	elapsed = now_s() - start;
	printf("sent %llu in %.2f s = %.0f msg/s\n", sent, elapsed, (double)sent / elapsed);
	close(fd);
	return 0;
}
