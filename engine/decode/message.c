/* message.c - see message.h. */
#include "engine/decode/message.h"

#include <stddef.h>
#include <string.h>

#include "engine/decode/snmp.h"
#include "engine/decode/syslog.h"

static size_t trap_bytes(uint16_t n_varbinds)
{
	size_t n = n_varbinds > FL_EVENT_MAX_VARBINDS ? FL_EVENT_MAX_VARBINDS : n_varbinds;

	return offsetof(struct fl_trap, varbinds) + n * sizeof(struct fl_varbind);
}

/* The trap the input decoded, as fl_snmp_decode() would have left ev. */
static int take_trap(struct fl_event *ev, const struct fl_received *m)
{
	ev->kind = FL_EVENT_TRAP;
	ev->raw = fl_str_make(m->p, m->len < FL_EVENT_RAW_MAX ? m->len : FL_EVENT_RAW_MAX);
	ev->raw_truncated = m->len > FL_EVENT_RAW_MAX;
	ev->has_time = false; /* SNMP carries no wall-clock time, only uptime */
	ev->time_ns = ev->received_ns;
	/* as bytes: a carried trap holds only the varbinds in use */
	memcpy(&ev->trap, m->trap, trap_bytes(m->trap->n_varbinds));
	if (ev->trap.n_varbinds > FL_EVENT_MAX_VARBINDS)
		ev->trap.n_varbinds = FL_EVENT_MAX_VARBINDS;
	return 0;
}

int fl_message_decode(struct fl_event *ev, const struct fl_received *m,
		      const struct fl_message_opts *opts)
{
	static const struct fl_message_opts no_opts; /* read-only: UTC, year inferred */
	struct fl_syslog_opts so;

	if (!opts)
		opts = &no_opts;
	/* The envelope; each decoder resets the part of the event it fills. */
	memset(ev, 0, offsetof(struct fl_event, syslog));
	ev->transport = m->transport;
	ev->received_ns = m->received_ns;
	if (m->peer && m->peer_len <= sizeof(ev->peer)) {
		memcpy(&ev->peer, m->peer, m->peer_len);
		ev->peer_len = m->peer_len;
		ev->has_peer = true;
	}
	if (m->transport == FL_TRANSPORT_SNMP) {
		memset(&ev->trap, 0, sizeof(ev->trap));
		if (m->trap)
			return take_trap(ev, m);
		if (m->is_recorded)
			return (int)fl_snmp_decode_recorded(ev, (const uint8_t *)m->p, m->len);
		return (int)fl_snmp_decode(ev, (const uint8_t *)m->p, m->len);
	}
	so = (struct fl_syslog_opts){
		.received_ns = m->received_ns,
		.tz = opts->tz,
		.year = opts->year,
		.time_cache = opts->time_cache};
	return (int)fl_syslog_decode(ev, m->p, m->len, &so);
}

size_t fl_message_trap_size(const struct fl_trap *t)
{
	return (trap_bytes(t->n_varbinds) + 7u) & ~(size_t)7u;
}

static void move_slice(struct fl_str *s, const char *from, size_t len, const char *to)
{
	/* compared as addresses: a slice of static text stays where it is */
	uintptr_t at = (uintptr_t)s->p, start = (uintptr_t)from;

	if (s->p && at >= start && at - start <= len)
		s->p = to + (at - start);
}

void fl_message_trap_copy(void *dst, const struct fl_trap *t, const char *from, size_t len,
			  const char *to)
{
	struct fl_trap *c = dst;
	uint16_t n = t->n_varbinds > FL_EVENT_MAX_VARBINDS ? FL_EVENT_MAX_VARBINDS : t->n_varbinds;

	memcpy(dst, t, trap_bytes(n));
	move_slice(&c->community, from, len, to);
	move_slice(&c->user, from, len, to);
	move_slice(&c->engine_id, from, len, to);
	move_slice(&c->context_engine_id, from, len, to);
	move_slice(&c->context_name, from, len, to);
	move_slice(&c->enterprise, from, len, to);
	move_slice(&c->trap_oid, from, len, to);
	for (uint16_t i = 0; i < n; i++) {
		move_slice(&c->varbinds[i].oid, from, len, to);
		move_slice(&c->varbinds[i].bytes, from, len, to);
	}
}
