/* input_trap.c - SNMP traps and informs on the loop thread: community
 * allowlist, SNMPv3 USM (usm.h), Response to InformRequest, undecodable or
 * refused datagrams dropped, counted by reason and logged at most once per
 * source per minute.
 *
 * A v3 datagram is decoded in a copy (trap_copy), because an encrypted
 * scoped PDU is decrypted in place; that copy is what is queued, so the
 * message's raw bytes are the datagram with its scoped PDU in the clear. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine/input/inputs_int.h"
#include "engine/decode/snmp.h"

int fl_input_trap_init(struct fl_inputs *in)
{
	size_t total = 1, at = 0;

	for (size_t i = 0; i < in->cfg.n_communities; i++)
		total += strlen(in->cfg.communities[i]) + 1;
	in->communities = calloc(1, total);
	in->trap_event = calloc(1, sizeof(*in->trap_event));
	in->trap_response = malloc(FL_UDP_MAX_DATAGRAM);
	in->trap_copy = malloc(FL_UDP_MAX_DATAGRAM);
	if (!in->communities || !in->trap_event || !in->trap_response || !in->trap_copy)
		return -ENOMEM;
	for (size_t i = 0; i < in->cfg.n_communities; i++) {
		size_t n = strlen(in->cfg.communities[i]) + 1;

		memcpy(in->communities + at, in->cfg.communities[i], n);
		at += n;
	}
	return 0;
}

void fl_input_trap_free(struct fl_inputs *in)
{
	free(in->communities);
	in->communities = NULL;
	free(in->trap_event);
	in->trap_event = NULL;
	free(in->trap_response);
	in->trap_response = NULL;
	free(in->trap_copy);
	in->trap_copy = NULL;
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

static void log_drop(struct fl_inputs *in, const struct sockaddr *peer, socklen_t peer_len,
		     int64_t now_ns, const char *why)
{
	char who[FL_NET_ADDR_TEXT_MAX];

	if (!trap_log_allowed(in, peer, peer_len, now_ns))
		return;
	fl_net_format(peer, peer_len, who, sizeof(who));
	fprintf(stderr, "faultline: trap: dropped a datagram from %s: %s "
			"(further drops from it are counted, not logged, for a minute)\n",
		who, why);
}

/* RFC 3416 §4.2.7: an InformRequest is answered with a Response carrying the
 * same request-id and varbinds, sent back to where it came from. */
static void answer_inform(struct fl_inputs *in, int fd, const struct sockaddr *peer,
			  socklen_t peer_len, int64_t now_ns)
{
	size_t len = 0;

	if (fl_snmp_encode_response(in->trap_event, in->trap_response, FL_UDP_MAX_DATAGRAM,
				    &len) < 0) {
		log_drop(in, peer, peer_len, now_ns, "cannot encode the Response to its inform");
		return;
	}
	if (sendto(fd, in->trap_response, len, MSG_DONTWAIT, peer, peer_len) < 0) {
		log_drop(in, peer, peer_len, now_ns, "cannot send the Response to its inform");
		return;
	}
	FL_STAT_ADD(in, FL_INPUT_TRAP, informs_answered, 1);
}

/* The counter of a refusal: SNMPv3's by reason, the rest undecodable. */
static void count_refusal(struct fl_inputs *in, enum fl_snmp_verdict v)
{
	switch (v) {
	case FL_SNMP_SNMPV3:
	case FL_SNMP_V3_INFORM:
	case FL_SNMP_BAD_MSG_FLAGS:
	case FL_SNMP_BAD_SECURITY_MODEL:
		FL_STAT_ADD(in, FL_INPUT_TRAP, v3_refused, 1);
		break;
	case FL_SNMP_USM_UNKNOWN_USER:
		FL_STAT_ADD(in, FL_INPUT_TRAP, usm_unknown_user, 1);
		break;
	case FL_SNMP_USM_UNKNOWN_ENGINE_ID:
		FL_STAT_ADD(in, FL_INPUT_TRAP, usm_unknown_engine_id, 1);
		break;
	case FL_SNMP_USM_UNSUPPORTED_LEVEL:
		FL_STAT_ADD(in, FL_INPUT_TRAP, usm_unsupported_level, 1);
		break;
	case FL_SNMP_USM_WRONG_DIGEST:
		FL_STAT_ADD(in, FL_INPUT_TRAP, usm_wrong_digest, 1);
		break;
	case FL_SNMP_USM_NOT_IN_TIME_WINDOW:
		FL_STAT_ADD(in, FL_INPUT_TRAP, usm_not_in_time_window, 1);
		break;
	case FL_SNMP_USM_DECRYPTION_ERROR:
		FL_STAT_ADD(in, FL_INPUT_TRAP, usm_decryption_error, 1);
		break;
	default:
		FL_STAT_ADD(in, FL_INPUT_TRAP, undecodable, 1);
		break;
	}
}

void fl_input_trap_handle(struct fl_inputs *in, int fd, const struct sockaddr *peer,
			  socklen_t peer_len, int64_t received_ns, const char *p, size_t len)
{
	struct fl_event *ev = in->trap_event;
	enum fl_snmp_verdict v;

	memset(ev, 0, sizeof(*ev));
	ev->transport = FL_TRANSPORT_SNMP;
	ev->received_ns = received_ns;
	if (in->cfg.usm && len <= FL_UDP_MAX_DATAGRAM) {
		memcpy(in->trap_copy, p, len);
		p = (const char *)in->trap_copy;
		v = fl_snmp_decode_usm(ev, in->trap_copy, len, in->cfg.usm,
				       received_ns / 1000000000);
	} else {
		v = fl_snmp_decode(ev, (const uint8_t *)p, len);
	}
	if (v != 0) {
		count_refusal(in, v);
		log_drop(in, peer, peer_len, received_ns, fl_snmp_verdict_text(v));
		return;
	}
	if (ev->trap.version != 3 &&
	    !fl_snmp_community_allowed(ev->trap.community, in->communities)) {
		FL_STAT_ADD(in, FL_INPUT_TRAP, bad_community, 1);
		log_drop(in, peer, peer_len, received_ns, "community not allowed (--community)");
		return;
	}
	if (ev->trap.pdu == FL_SNMP_PDU_INFORM)
		answer_inform(in, fd, peer, peer_len, received_ns);
	(void)fl_inputs_push_trap(in, peer, peer_len, received_ns, p, len, &ev->trap);
}
