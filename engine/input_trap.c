/* input_trap.c - SNMP traps and informs on the loop thread: community
 * allowlist, Response to InformRequest, undecodable datagrams dropped,
 * counted and logged at most once per source per minute. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/inputs_int.h"

int fl_input_trap_init(struct fl_inputs *in)
{
	in->trap_event = calloc(1, sizeof(*in->trap_event));
	in->trap_response = malloc(FL_UDP_MAX_DATAGRAM);
	return in->trap_event && in->trap_response ? 0 : -ENOMEM;
}

void fl_input_trap_free(struct fl_inputs *in)
{
	free(in->trap_event);
	in->trap_event = NULL;
	free(in->trap_response);
	in->trap_response = NULL;
}

static bool same_source(const struct fl_net_addr *a, const struct sockaddr *sa, socklen_t len)
{
	char x[FL_NET_ADDR_TEXT_MAX], y[FL_NET_ADDR_TEXT_MAX];

	/* Per source address, whatever its port: agents pick a new port per trap. */
	(void)fl_net_host_port((const struct sockaddr *)&a->ss, a->len, x, sizeof(x));
	(void)fl_net_host_port(sa, len, y, sizeof(y));
	return strcmp(x, y) == 0;
}

/* Should a problem from this source be logged now? One line per source per
 * FL_TRAP_LOG_INTERVAL_NS; the table forgets the least recently logged
 * source when full. Suppressed lines are counted. */
static bool trap_log_allowed(struct fl_inputs *in, const struct sockaddr *sa, socklen_t len,
			     int64_t now_ns)
{
	struct trap_log_slot *oldest = &in->trap_log[0];

	for (size_t i = 0; i < FL_TRAP_LOG_SOURCES; i++) {
		struct trap_log_slot *s = &in->trap_log[i];

		if (s->src.len > 0 && same_source(&s->src, sa, len)) {
			if (now_ns - s->last_ns < FL_TRAP_LOG_INTERVAL_NS) {
				FL_STAT_ADD(in, FL_INPUT_TRAP, log_suppressed, 1);
				return false;
			}
			s->last_ns = now_ns;
			return true;
		}
		if (s->last_ns < oldest->last_ns || s->src.len == 0)
			oldest = s;
	}
	if (len <= sizeof(oldest->src.ss)) {
		memcpy(&oldest->src.ss, sa, len);
		oldest->src.len = len;
		oldest->last_ns = now_ns;
	}
	return true;
}

void fl_input_trap_handle(struct fl_inputs *in, int fd, const struct sockaddr *peer,
			  socklen_t peer_len, int64_t received_ns, const char *p, size_t len)
{
	(void)fd;
	if (len == 0) {
		FL_STAT_ADD(in, FL_INPUT_TRAP, undecodable, 1);
		if (trap_log_allowed(in, peer, peer_len, received_ns)) {
			char who[FL_NET_ADDR_TEXT_MAX];

			fl_net_format(peer, peer_len, who, sizeof(who));
			fprintf(stderr, "faultline: trap: dropped an empty datagram from %s\n", who);
		}
		return;
	}
	(void)fl_inputs_push(in, FL_INPUT_TRAP, FL_TRANSPORT_SNMP, peer, peer_len, received_ns, p,
			     len, false);
}
