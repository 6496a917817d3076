/* input_udp.c - UDP syslog and the datagram side of traps: batched reads
 * with recvmmsg(), kernel drop counts from SO_RXQ_OVFL, one message per
 * datagram. Runs on the loop thread. */
#define _GNU_SOURCE /* recvmmsg, SO_RXQ_OVFL */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/input/inputs_int.h"

/* Batches read per readiness event, so a flood on one socket still lets the
 * loop serve TCP connections in between. */
#define UDP_BATCHES_PER_WAKE 16

int fl_input_udp_setup(struct fl_inputs *in, enum fl_input_kind kind)
{
	int fd = in->watch[kind].fd, one = 1, size = FL_UDP_RCVBUF_BYTES;

	/* SO_RCVBUFFORCE passes rmem_max when privileged; else take what is given. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
#ifdef SO_RXQ_OVFL
	(void)setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
#else
	(void)one;
#endif
	return 0;
}

/* SO_RXQ_OVFL carries the socket's running total of dropped datagrams. */
static void note_kernel_drops(struct fl_inputs *in, enum fl_input_kind kind, struct msghdr *mh)
{
#ifdef SO_RXQ_OVFL
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		uint32_t total;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SO_RXQ_OVFL ||
		    c->cmsg_len < CMSG_LEN(sizeof(total)))
			continue;
		memcpy(&total, CMSG_DATA(c), sizeof(total));
		if (total != in->rxq_ovfl[kind]) {
			FL_STAT_ADD(in, kind, kernel_drops, (uint32_t)(total - in->rxq_ovfl[kind]));
			in->rxq_ovfl[kind] = total;
		}
	}
#else
	(void)in, (void)kind, (void)mh;
#endif
}

static void handle_datagram(struct fl_inputs *in, enum fl_input_kind kind,
			    const struct sockaddr *peer, socklen_t peer_len, int64_t now_ns,
			    const char *p, size_t len)
{
	if (!fl_cidr_list_allows(&in->cfg.allow[kind], peer, peer_len)) {
		FL_STAT_ADD(in, kind, dropped_allowlist, 1);
		return;
	}
	if (kind == FL_INPUT_TRAP) {
		fl_input_trap_handle(in, in->watch[kind].fd, peer, peer_len, now_ns, p, len);
		return;
	}
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\0'))
		len--;
	(void)fl_inputs_push(in, kind, FL_TRANSPORT_UDP, peer, peer_len, now_ns, p, len, 0);
}

void fl_input_udp_read(struct fl_inputs *in, enum fl_input_kind kind)
{
	struct mmsghdr msgs[FL_UDP_BATCH];
	struct iovec iov[FL_UDP_BATCH];
	struct sockaddr_storage from[FL_UDP_BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(uint32_t))];
		struct cmsghdr align;
	} ctrl[FL_UDP_BATCH];
	const size_t slot = FL_UDP_MAX_DATAGRAM + 1;

	for (int round = 0; round < UDP_BATCHES_PER_WAKE; round++) {
		int n;

		for (size_t i = 0; i < FL_UDP_BATCH; i++) {
			iov[i].iov_base = in->dgram_mem + i * slot;
			iov[i].iov_len = slot;
			memset(&msgs[i], 0, sizeof(msgs[i]));
			msgs[i].msg_hdr.msg_name = &from[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_control = ctrl[i].buf;
			msgs[i].msg_hdr.msg_controllen = sizeof(ctrl[i].buf);
		}
		n = recvmmsg(in->watch[kind].fd, msgs, FL_UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				fprintf(stderr, "faultline: %s: recvmmsg: %s\n", fl_input_name(kind),
					strerror(errno));
			return;
		}
		int64_t now_ns = fl_inputs_now_ns();

		for (int i = 0; i < n; i++) {
			note_kernel_drops(in, kind, &msgs[i].msg_hdr);
			handle_datagram(in, kind, (const struct sockaddr *)&from[i],
					msgs[i].msg_hdr.msg_namelen, now_ns,
					in->dgram_mem + (size_t)i * slot, msgs[i].msg_len);
		}
		if (n < FL_UDP_BATCH)
			return;
	}
}
