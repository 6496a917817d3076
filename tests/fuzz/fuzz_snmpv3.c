/* fuzz_snmpv3.c - fl_snmp_decode_usm() on arbitrary datagrams, with the
 * users of the seed corpus (tests/fuzz/corpus/snmpv3/, captured from
 * net-snmp's snmptrap -v 3 -e 0x8000000001020304 -u noc/ops/anon): SHA and
 * AES, MD5 and DES, SHA-256 without privacy, and no authentication. A
 * message that decodes must write its JSON. Keys are derived once (a
 * megabyte of hashing per password); the engine times learned are forgotten
 * before each input, so every run is deterministic. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/decode/event.h"
#include "engine/decode/snmp.h"
#include "engine/decode/usm.h"
#include "engine/lib/buf.h"
#include "engine/lib/json.h"
#include "engine/lib/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fl_usm *users(void)
{
	static struct fl_usm *usm; /* the target's own, built on the first input */
	static const char *const specs[] = {
		"-e 0x8000000001020304 noc SHA maplesyrup AES maplesyrup2",
		"-e 0x8000000001020305 noc MD5 maplesyrup DES maplesyrup2",
		"ops SHA-256 maplesyrup",
		"anon",
	};
	char err[256];

	if (usm)
		return usm;
	if (fl_usm_create(&usm) < 0)
		abort();
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		if (fl_usm_add_user(usm, specs[i], err, sizeof(err)) < 0)
			abort();
	return usm;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_usm *usm = users();
	struct fl_event *ev;
	uint8_t *copy;
	struct fl_buf buf;
	struct fl_json j;

	if (size > FL_UDP_MAX_DATAGRAM)
		return 0;
	ev = calloc(1, sizeof(*ev));
	copy = malloc(size + 1);
	if (!ev || !copy)
		goto out_free;
	memcpy(copy, data, size);
	fl_usm_forget_engines(usm);
	if (fl_snmp_decode_usm(ev, copy, size, usm, 1000) != FL_SNMP_OK) {
		if (ev->error == 0 || !ev->error_reason)
			abort();
		goto out_free;
	}
	fl_buf_init(&buf, 4 * 1024 * 1024);
	fl_json_init(&j, &buf);
	fl_json_obj_begin(&j);
	fl_snmp_json_fields(&j, ev);
	fl_json_obj_end(&j);
	if (fl_json_failed(&j))
		abort();
	fl_buf_free(&buf);
out_free:
	free(copy);
	free(ev);
	return 0;
}
