/* fuzz_snmp.c - fl_snmp_decode() on arbitrary datagrams, and on what it
 * accepts: the JSON writer, OID text both ways and the inform Response must
 * agree with the decoder. A disagreement aborts, so the fuzzer reports it
 * like a crash. State is created and destroyed per input; no I/O. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/buf.h"
#include "engine/decode/event.h"
#include "engine/lib/json.h"
#include "engine/decode/snmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fl_oid_format() then fl_oid_parse() gives the octets back. */
static void check_oid(struct fl_str oid)
{
	char text[FL_OID_TEXT_MAX];
	uint8_t back[FL_SNMP_MAX_OID_ARCS * 10];
	ssize_t n = fl_oid_format(oid, text, sizeof(text));

	if (n < 0)
		abort(); /* the decoder accepted it: it must format */
	n = fl_oid_parse(text, back, sizeof(back));
	if (n < 0 || (size_t)n != oid.len || memcmp(back, oid.p, oid.len) != 0)
		abort();
}

/* The Response, its PDU tag turned back into an inform, decodes to the same
 * varbinds and request-id. */
static void check_response(const struct fl_event *ev)
{
	uint8_t *out = malloc(FL_UDP_MAX_DATAGRAM * 2);
	struct fl_event *back = malloc(sizeof(*back));
	size_t len = 0, at;

	if (!out || !back)
		goto out_free;
	if (fl_snmp_encode_response(ev, out, FL_UDP_MAX_DATAGRAM * 2, &len) != 0)
		abort();
	at = (out[1] < 0x80 ? 2u : 2u + (out[1] & 0x7fu)) + 3;	/* header, version */
	at += (out[at + 1] < 0x80 ? 2u : 2u + (out[at + 1] & 0x7fu)) + ev->trap.community.len;
	if (out[at] != 0xa2)
		abort();
	out[at] = 0xa6;
	memset(back, 0, sizeof(*back));
	if (fl_snmp_decode(back, out, len) != FL_SNMP_OK ||
	    back->trap.request_id != ev->trap.request_id ||
	    back->trap.n_varbinds != ev->trap.n_varbinds)
		abort();
	for (size_t i = 0; i < ev->trap.n_varbinds; i++) {
		const struct fl_varbind *a = &ev->trap.varbinds[i], *b = &back->trap.varbinds[i];

		if (a->type != b->type || a->integer != b->integer ||
		    a->unsigned_value != b->unsigned_value || !fl_str_eq(a->oid, b->oid) ||
		    !fl_str_eq(a->bytes, b->bytes))
			abort();
	}
out_free:
	free(back);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_event *ev = calloc(1, sizeof(*ev));
	struct fl_buf buf;
	struct fl_json j;

	if (!ev)
		return 0;
	if (fl_snmp_decode(ev, data, size) != FL_SNMP_OK) {
		if (ev->error == 0 || !ev->error_reason)
			abort();
		free(ev);
		return 0;
	}
	fl_buf_init(&buf, 4 * 1024 * 1024);
	fl_json_init(&j, &buf);
	fl_json_obj_begin(&j);
	fl_snmp_json_fields(&j, ev);
	fl_json_obj_end(&j);
	if (fl_json_failed(&j))
		abort();
	fl_buf_free(&buf);
	for (size_t i = 0; i < ev->trap.n_varbinds; i++) {
		check_oid(ev->trap.varbinds[i].oid);
		if (ev->trap.varbinds[i].type == FL_VB_OID)
			check_oid(ev->trap.varbinds[i].bytes);
	}
	if (ev->trap.pdu == FL_SNMP_PDU_INFORM)
		check_response(ev);
	{
		uint8_t agent[4];

		/* an agent named is never 0.0.0.0 */
		if (fl_snmp_trap_agent(&ev->trap, agent) &&
		    (agent[0] | agent[1] | agent[2] | agent[3]) == 0)
			abort();
	}
	free(ev);
	return 0;
}
