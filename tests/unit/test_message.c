#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/decode/event.h"
#include "engine/decode/message.h"
#include "engine/decode/snmp.h"
#include "engine/decode/syslog.h"

/* SNMPv2c Trap, community "public", request-id 1: sysUpTime.0 = 42,
 * snmpTrapOID.0 = coldStart (1.3.6.1.6.3.1.1.5.1). */
static const uint8_t cold_start[] = {
	0x30, 0x40, 0x02, 0x01, 0x01, 0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c',
	0xa7, 0x33, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00,
	0x30, 0x28,
	0x30, 0x0d, 0x06, 0x08, 0x2b, 6, 1, 2, 1, 1, 3, 0, 0x43, 0x01, 0x2a,
	0x30, 0x17, 0x06, 0x0a, 0x2b, 6, 1, 6, 3, 1, 1, 4, 1, 0,
	0x06, 0x09, 0x2b, 6, 1, 6, 3, 1, 1, 5, 1,
};
static const uint8_t cold_start_oid[] = {0x2b, 6, 1, 6, 3, 1, 1, 5, 1};

static struct fl_event *new_event(void)
{
	struct fl_event *ev = calloc(1, sizeof(*ev));

	cr_assert(ev);
	return ev;
}

static struct fl_received line(enum fl_transport transport, const char *text)
{
	return (struct fl_received){.transport = transport,
				   .received_ns = 1764036000LL * 1000000000,
				   .p = text,
				   .len = strlen(text)};
}

Test(message, decodes_an_rfc3164_line_with_its_envelope)
{
	struct fl_event *ev = new_event();
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(514)};
	struct fl_received m = line(FL_TRANSPORT_UDP, "<13>Nov 25 10:00:00 OSN01 app: R_LOS raised");

	m.peer = (const struct sockaddr *)&sin;
	m.peer_len = sizeof(sin);
	cr_expect_eq(fl_message_decode(ev, &m, NULL), 0);
	cr_expect_eq(ev->kind, FL_EVENT_SYSLOG);
	cr_expect_eq(ev->transport, FL_TRANSPORT_UDP);
	cr_expect(ev->has_peer);
	cr_expect_eq(ev->peer_len, sizeof(sin));
	cr_expect_eq(ev->received_ns, m.received_ns);
	cr_expect_eq(ev->syslog.pri, 13);
	cr_expect(fl_str_eq_cstr(ev->syslog.hostname, "OSN01"));
	cr_expect(fl_str_eq_cstr(ev->syslog.msg, "R_LOS raised"));
	free(ev);
}

Test(message, decodes_an_rfc5424_line_in_the_year_given)
{
	struct fl_event *ev = new_event();
	struct fl_received m = line(FL_TRANSPORT_FILE, "<165>1 2026-11-25T10:00:12.345+08:00 OSN01 "
						      "osn 123 ID47 [ex@1 a=\"b\"] light lost");
	struct fl_message_opts opts = {.year = 2030};

	cr_expect_eq(fl_message_decode(ev, &m, &opts), 0);
	cr_expect_eq(ev->syslog.version, 1);
	cr_expect(ev->has_time);
	cr_expect_eq(ev->utc_offset_s, 8 * 3600);
	cr_expect(fl_str_eq_cstr(ev->syslog.msgid, "ID47"));
	cr_expect_eq(ev->syslog.n_sd, 1);
	cr_expect(fl_str_eq_cstr(ev->syslog.msg, "light lost"));
	cr_expect(!ev->has_peer);
	free(ev);
}

Test(message, decodes_a_trap_datagram)
{
	struct fl_event *ev = new_event();
	struct fl_received m = {.transport = FL_TRANSPORT_SNMP,
			       .received_ns = 7,
			       .p = (const char *)cold_start,
			       .len = sizeof(cold_start)};

	cr_assert_eq(fl_message_decode(ev, &m, NULL), 0);
	cr_expect_eq(ev->kind, FL_EVENT_TRAP);
	cr_expect_eq(ev->trap.pdu, FL_SNMP_PDU_TRAP_V2);
	cr_expect(fl_str_eq_cstr(ev->trap.community, "public"));
	cr_expect_eq(ev->trap.n_varbinds, 2);
	cr_expect(ev->trap.has_uptime && ev->trap.uptime == 42);
	cr_expect(fl_str_eq(ev->trap.trap_oid,
			    fl_str_make((const char *)cold_start_oid, sizeof(cold_start_oid))));
	cr_expect(!ev->has_time);
	cr_expect_eq(ev->time_ns, 7);
	free(ev);
}

/* The input thread's decode, carried with a copy of the datagram, gives the
 * event a decode on the consumer would have, its slices in the copy. */
Test(message, takes_a_trap_carried_from_the_input_thread_without_decoding_again)
{
	struct fl_event *direct = new_event(), *carried = new_event(), *input = new_event();
	struct fl_received m = {.transport = FL_TRANSPORT_SNMP,
			       .received_ns = 7,
			       .p = (const char *)cold_start,
			       .len = sizeof(cold_start)};
	size_t trap_len;
	uint64_t *queue; /* 8-aligned, as the input queue is */
	char *copy;

	cr_assert_eq(fl_snmp_decode(input, cold_start, sizeof(cold_start)), FL_SNMP_OK);
	trap_len = fl_message_trap_size(&input->trap);
	cr_expect_eq(trap_len % 8, 0);
	cr_expect_lt(trap_len, sizeof(input->trap), "only the varbinds in use travel");
	queue = calloc(1, trap_len + sizeof(cold_start) + 8);
	cr_assert(queue);
	copy = (char *)queue + trap_len;
	memcpy(copy, cold_start, sizeof(cold_start));
	fl_message_trap_copy(queue, &input->trap, (const char *)cold_start, sizeof(cold_start),
			     copy);
	memset(input, 0xa5, sizeof(*input)); /* the input's scratch is reused at once */

	cr_assert_eq(fl_message_decode(direct, &m, NULL), 0);
	m.p = copy; /* direct's slices stay in cold_start */
	m.trap = (const struct fl_trap *)(void *)queue;
	cr_assert_eq(fl_message_decode(carried, &m, NULL), 0);
	cr_expect_eq(carried->kind, FL_EVENT_TRAP);
	cr_expect_eq(carried->raw.p, copy);
	cr_expect_eq(carried->raw.len, sizeof(cold_start));
	cr_expect_eq(carried->trap.n_varbinds, direct->trap.n_varbinds);
	cr_expect_eq(carried->trap.uptime, direct->trap.uptime);
	cr_expect_eq(carried->trap.community.p,
		     copy + (direct->trap.community.p - (const char *)cold_start));
	cr_expect(fl_str_eq(carried->trap.trap_oid, direct->trap.trap_oid));
	for (uint16_t i = 0; i < carried->trap.n_varbinds; i++) {
		const struct fl_varbind *c = &carried->trap.varbinds[i];

		cr_expect(c->oid.p >= copy && c->oid.p < copy + sizeof(cold_start), "varbind %u",
			  i);
		cr_expect(fl_str_eq(c->oid, direct->trap.varbinds[i].oid), "varbind %u", i);
		cr_expect_eq(c->type, direct->trap.varbinds[i].type, "varbind %u", i);
	}
	cr_expect_eq(carried->error, 0);
	cr_expect_eq(carried->time_ns, direct->time_ns);
	free(queue);
	free(direct);
	free(carried);
	free(input);
}

Test(message, keeps_garbage_as_an_event_with_its_verdict)
{
	struct fl_event *ev = new_event();
	struct fl_received m = line(FL_TRANSPORT_TCP, "<999>not syslog");

	cr_expect_eq(fl_message_decode(ev, &m, NULL), FL_SYSLOG_BAD_PRI);
	cr_expect_eq(ev->kind, FL_EVENT_SYSLOG);
	cr_expect_eq(ev->error, FL_SYSLOG_BAD_PRI);
	cr_expect(fl_str_eq_cstr(ev->syslog.msg, "<999>not syslog"), "the line stays the message");

	m = line(FL_TRANSPORT_FILE, "");
	cr_expect_eq(fl_message_decode(ev, &m, NULL), FL_SYSLOG_EMPTY);

	m = (struct fl_received){.transport = FL_TRANSPORT_SNMP, .p = "\x30\x03\x02\x01", .len = 4};
	cr_expect_neq(fl_message_decode(ev, &m, NULL), 0);
	cr_expect_eq(ev->kind, FL_EVENT_TRAP);
	cr_expect_neq(ev->error, 0);
	cr_expect(ev->error_reason);
	free(ev);
}

Test(message, keeps_the_first_bytes_of_an_over_long_message_as_raw)
{
	struct fl_event *ev = new_event();
	size_t len = FL_EVENT_RAW_MAX + 1000, head;
	char *text = malloc(len + 1);
	struct fl_received m;

	cr_assert(text);
	head = (size_t)snprintf(text, len, "<13>Nov 25 10:00:00 OSN01 app: ");
	memset(text + head, 'x', len - head);
	text[len] = '\0';
	m = line(FL_TRANSPORT_RELP, text);
	cr_expect_eq(fl_message_decode(ev, &m, NULL), 0);
	cr_expect(ev->raw_truncated);
	cr_expect_eq(ev->raw.len, FL_EVENT_RAW_MAX);
	cr_expect_eq(ev->syslog.msg.len, len - head, "the message itself is whole");
	free(text);
	free(ev);
}

Test(message, clears_the_envelope_of_the_message_before)
{
	struct fl_event *ev = new_event();
	struct sockaddr_in sin = {.sin_family = AF_INET};
	struct fl_received m = line(FL_TRANSPORT_UDP, "<13>Nov 25 10:00:00 OSN01 app: one");

	m.peer = (const struct sockaddr *)&sin;
	m.peer_len = sizeof(sin);
	cr_assert_eq(fl_message_decode(ev, &m, NULL), 0);
	m = line(FL_TRANSPORT_FILE, "<13>Nov 25 10:00:01 OSN01 app: two");
	cr_assert_eq(fl_message_decode(ev, &m, NULL), 0);
	cr_expect(!ev->has_peer);
	cr_expect_eq(ev->peer_len, 0);
	cr_expect_eq(ev->transport, FL_TRANSPORT_FILE);
	free(ev);
}
