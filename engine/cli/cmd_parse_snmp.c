/* cmd_parse_snmp.c - `faultline parse --snmp FILE...`: each file holds one raw
 * SNMP datagram (as captured off the wire); prints one JSON object per file,
 * one per line, in argument order.
 *
 * A datagram that decodes prints the trap's fields (snmp.h). One that does not
 * prints {"file": NAME, "error": TEXT, "verdict": NAME} and the run ends with
 * status 1. A file that cannot be read (or is larger than a UDP datagram)
 * gets a one-line message on stderr naming it, prints nothing on stdout, and
 * also makes the status 1; the other files are still decoded. Status 2 is a
 * usage error.
 *
 * --write-response: for each FILE that decodes to an InformRequest, also
 * write the Response datagram faultline would send back (RFC 3416 §4.2.7)
 * to FILE.response; a test harness can then answer a real snmpinform.
 *
 * --snmp-user SPEC / --snmp-users FILE: SNMPv3 users (as `listen`); the files
 * are then decoded in order with one table of engine times, as the trap
 * input would decode them arriving in that order. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/lib/buf.h"
#include "engine/lib/compiler.h"
#include "engine/cli/cli.h"
#include "engine/cli/opts.h"
#include "engine/decode/event.h"
#include "engine/decode/message.h"
#include "engine/lib/json.h"
#include "engine/lib/limits.h"
#include "engine/decode/snmp.h"
#include "engine/decode/usm.h"
#include "engine/cli/inputs_cli.h"

#define JSON_MAX (1024 * 1024)	/* a 64 KiB datagram renders well below this */

static void usage(FILE *out)
{
	fprintf(out, "usage: faultline parse --snmp [--write-response] [--snmp-user SPEC ...]\n"
		     "                              [--snmp-users FILE ...] FILE...\n"
		     "  Decodes each FILE as one raw SNMP datagram (v1 trap, v2c trap or\n"
		     "  inform) and prints one JSON object per file. Exit status: 0 all\n"
		     "  decoded, 1 some file unreadable or not a valid trap, 2 usage.\n"
		     "  --write-response  write each inform's Response to FILE.response\n"
		     "  --snmp-user SPEC  an SNMPv3 user: [-e ENGINEID] NAME [AUTH PASS [PRIV [PASS]]]\n"
		     "  --snmp-users FILE SNMPv3 users as snmptrapd.conf createUser lines\n");
}

/* Reads the whole file into buf[0..cap); returns its size, or -errno, or
 * -EMSGSIZE when it holds more than cap bytes. */
static long read_datagram(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;
	long rc;

	if (!f)
		return -errno;
	n = fread(buf, 1, cap, f);
	if (ferror(f))
		rc = -EIO;
	else if (n == cap && fgetc(f) != EOF)
		rc = -EMSGSIZE;
	else
		rc = (long)n;
	fclose(f);
	return rc;
}

/* Writes the Response to an inform read from path to path.response. */
static int write_response(const char *path, const struct fl_event *ev)
{
	uint8_t response[FL_UDP_MAX_DATAGRAM];
	char out_path[4096];
	size_t len;
	FILE *f;
	int rc = fl_snmp_encode_response(ev, response, sizeof(response), &len);

	if (rc < 0) {
		fprintf(stderr, "faultline parse --snmp: %s: Response does not fit a datagram\n",
			path);
		return 1;
	}
	if (snprintf(out_path, sizeof(out_path), "%s.response", path) >= (int)sizeof(out_path)) {
		fprintf(stderr, "faultline parse --snmp: %s: path too long\n", path);
		return 1;
	}
	f = fopen(out_path, "wb");
	if (!f || fwrite(response, 1, len, f) != len || fclose(f) != 0) {
		if (f)
			fclose(f);
		fprintf(stderr, "faultline parse --snmp: %s: cannot write\n", out_path);
		return 1;
	}
	return 0;
}

/* Decodes one file and prints its line; 0 on a decoded trap, 1 otherwise. */
/* Decodes the datagram as the trap input would: v3 too when there are users. */
static enum fl_snmp_verdict decode(struct fl_event *ev, uint8_t *datagram, size_t len,
				   struct fl_usm *usm)
{
	struct timespec now;

	if (!usm)
		return (enum fl_snmp_verdict)fl_message_decode(
			ev,
			&(const struct fl_received){.transport = FL_TRANSPORT_SNMP,
						    .p = (const char *)datagram,
						    .len = len},
			NULL);
	memset(ev, 0, sizeof(*ev));
	ev->transport = FL_TRANSPORT_SNMP;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return fl_snmp_decode_usm(ev, datagram, len, usm, (int64_t)now.tv_sec);
}

static int parse_one(const char *path, uint8_t *datagram, struct fl_event *ev, struct fl_buf *out,
		     bool is_writing_response, struct fl_usm *usm)
{
	struct fl_json j;
	enum fl_snmp_verdict v;
	long n = read_datagram(path, datagram, FL_UDP_MAX_DATAGRAM);
	char err[128];

	if (n == -EMSGSIZE) {
		fprintf(stderr, "faultline parse --snmp: %s: larger than a UDP datagram (%d bytes)\n",
			path, FL_UDP_MAX_DATAGRAM);
		return 1;
	}
	if (n < 0) {
		fprintf(stderr, "faultline parse --snmp: %s: %s\n", path,
			strerror_r((int)-n, err, sizeof(err)) == 0 ? err : "read error");
		return 1;
	}
	/* a trap as the trap input would have received it, read from a file */
	v = decode(ev, datagram, (size_t)n, usm);

	fl_buf_reset(out);
	fl_json_init(&j, out);
	fl_json_obj_begin(&j);
	if (v == FL_SNMP_OK) {
		fl_snmp_json_fields(&j, ev);
	} else {
		fl_json_key(&j, "file");
		fl_json_cstr(&j, path);
		fl_json_key(&j, "error");
		fl_json_cstr(&j, fl_snmp_verdict_text(v));
		fl_json_key(&j, "verdict");
		fl_json_cstr(&j, fl_snmp_verdict_name(v));
	}
	fl_json_obj_end(&j);
	if (fl_json_failed(&j)) {
		fprintf(stderr, "faultline parse --snmp: %s: JSON output over %d bytes\n", path,
			JSON_MAX);
		return 1;
	}
	fwrite(out->p, 1, out->len, stdout);
	fputc('\n', stdout);
	if (v != FL_SNMP_OK)
		return 1;
	if (is_writing_response && ev->trap.pdu == FL_SNMP_PDU_INFORM)
		return write_response(path, ev);
	return 0;
}

static int add_snmp_user(void *ctx, const struct fl_opt *opt, const char *val, char *err,
			 size_t err_len)
{
	return fl_cli_snmp_user(ctx, val, strcmp(opt->name, "--snmp-users") == 0, err, err_len);
}

int fl_cmd_parse_snmp(int argc, char **argv)
{
	struct fl_usm *usm = NULL;
	struct fl_event *ev;
	uint8_t *datagram;
	struct fl_buf out;
	int status = 0, n_files = 0;
	bool is_writing_response = false;

	bool is_snmp = false; /* main.c sent us here for it; may come after the files */
	const struct fl_opt opts[] = {
		FL_OPT_FLAG_ROW("--snmp", &is_snmp, "decode SNMP datagrams, not syslog lines"),
		FL_OPT_FLAG_ROW("--write-response", &is_writing_response,
				"write each inform's Response to FILE.response"),
		FL_OPT_LIST_ROW("--snmp-user", add_snmp_user, "SPEC", "an SNMPv3 user (createUser)"),
		FL_OPT_LIST_ROW("--snmp-users", add_snmp_user, "FILE", "SNMPv3 users, createUser lines"),
	};
	const struct fl_opts_cmd cmd = {"parse --snmp", opts, FL_ARRAY_LEN(opts), SIZE_MAX, false,
					usage};
	struct fl_opts_result res;

	if (!fl_opts_accept(&cmd, argc, argv, &usm, &res, &status)) {
		fl_usm_destroy(usm);
		return status;
	}
	n_files = (int)res.n_words;
	if (n_files == 0) {
		fl_usm_destroy(usm);
		usage(stderr);
		return 2;
	}
	ev = malloc(sizeof(*ev));
	datagram = malloc(FL_UDP_MAX_DATAGRAM);
	if (!ev || !datagram) {
		fprintf(stderr, "faultline parse --snmp: out of memory\n");
		status = 1;
		goto out_free;
	}
	fl_buf_init(&out, JSON_MAX);
	for (size_t i = 0; i < res.n_words; i++) {
		if (parse_one(res.words[i], datagram, ev, &out, is_writing_response, usm) != 0)
			status = 1;
	}
	fl_buf_free(&out);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "faultline parse --snmp: cannot write output\n");
		status = 1;
	}
out_free:
	free(datagram);
	free(ev);
	fl_usm_destroy(usm);
	return status;
}
