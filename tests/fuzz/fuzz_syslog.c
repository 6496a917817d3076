/* fuzz_syslog.c - the syslog decoder and its JSON output on arbitrary bytes.
 *
 * Decodes the input as one line, then checks what the decoder promises: every
 * slice in the event lies inside the input, a failed line keeps the whole line
 * as msg, SD indexes stay inside the tables, and the JSON writer never fails
 * on what the decoder produced. The first byte, when there is one, picks the
 * options (forced year, zone), so both year paths are explored. The line
 * decoded with a time cache, primed first by the bytes before its first LF
 * (a line before it) and then by itself, must give the same event. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/buf.h"
#include "engine/decode/event.h"
#include "engine/lib/json.h"
#include "engine/decode/syslog.h"
#include "engine/lib/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_slice(struct fl_str s, const char *p, size_t len)
{
	if (s.p && (s.p < p || s.p > p + len || s.len > (size_t)(p + len - s.p)))
		abort();
}

static void check_event(const struct fl_event *ev, const char *p, size_t len,
			enum fl_syslog_verdict v)
{
	const struct fl_syslog *s = &ev->syslog;

	check_slice(s->timestamp, p, len);
	check_slice(s->hostname, p, len);
	check_slice(s->app_name, p, len);
	check_slice(s->procid, p, len);
	check_slice(s->msgid, p, len);
	check_slice(s->msg, p, len);
	check_slice(ev->raw, p, len);
	if (s->n_sd > FL_EVENT_MAX_SD_ELEMENTS || s->n_params > FL_EVENT_MAX_SD_PARAMS)
		abort();
	for (size_t e = 0; e < s->n_sd; e++) {
		check_slice(s->sd[e].id, p, len);
		if ((size_t)s->sd[e].first_param + s->sd[e].n_params > s->n_params)
			abort();
	}
	for (size_t k = 0; k < s->n_params; k++) {
		char out[256];

		check_slice(s->params[k].name, p, len);
		check_slice(s->params[k].value, p, len);
		if (s->params[k].value.len <= sizeof(out) &&
		    fl_sd_unescape(s->params[k].value, out, sizeof(out)) < 0)
			abort();
	}
	/* an RFC 3164 tag is the app_name, and may be longer than RFC 5424's */
	if (s->hostname.len > FL_SYSLOG_HOSTNAME_MAX ||
	    s->app_name.len > (s->version ? FL_SYSLOG_APP_NAME_MAX : FL_SYSLOG_TAG_MAX) ||
	    s->procid.len > FL_SYSLOG_PROCID_MAX)
		abort();
	if (v != FL_SYSLOG_OK && (s->msg.p != p || s->msg.len != len || ev->has_time || !ev->error))
		abort();
	if (v == FL_SYSLOG_OK && ev->error)
		abort();
}

static bool same_slice(struct fl_str a, struct fl_str b)
{
	return a.p == b.p && a.len == b.len;
}

static bool same_event(const struct fl_event *a, const struct fl_event *b)
{
	const struct fl_syslog *x = &a->syslog, *y = &b->syslog;

	return a->has_time == b->has_time && a->time_ns == b->time_ns &&
	       a->utc_offset_s == b->utc_offset_s && a->error == b->error && x->pri == y->pri &&
	       x->no_timestamp == y->no_timestamp && same_slice(x->timestamp, y->timestamp) &&
	       same_slice(x->hostname, y->hostname) && same_slice(x->app_name, y->app_name) &&
	       same_slice(x->procid, y->procid) && same_slice(x->msgid, y->msgid) &&
	       same_slice(x->msg, y->msg);
}

static void check_cache(const char *line, size_t size, const struct fl_syslog_opts *opts,
			const struct fl_event *want, enum fl_syslog_verdict want_v)
{
	struct fl_syslog_time_cache cache = {0};
	struct fl_syslog_opts co = *opts;
	struct fl_event *ev = calloc(1, sizeof(*ev));
	const char *nl = size ? memchr(line, '\n', size) : NULL;

	if (!ev)
		abort();
	co.time_cache = &cache;
	(void)fl_syslog_decode(ev, line, nl ? (size_t)(nl - line) : size, &co);
	for (int pass = 0; pass < 2; pass++)
		if (fl_syslog_decode(ev, line, size, &co) != want_v || !same_event(ev, want))
			abort();
	free(ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_syslog_opts opts = {.received_ns = INT64_C(1795579200) * 1000000000};
	struct fl_event *ev;
	struct fl_tz *tz = NULL;
	struct fl_buf b;
	struct fl_json j;
	enum fl_syslog_verdict v;
	char *line;

	if (size > 0) {
		uint8_t mode = data[0];

		data++;
		size--;
		if (mode & 1)
			opts.year = 2000 + (mode >> 4);
		if ((mode & 2) && fl_tz_load(&tz, (mode & 4) ? "-05:30" : "+08:00") < 0)
			return 0;
		opts.tz = tz;
	}
	line = malloc(size ? size : 1); /* exact size: ASan sees any read past the end */
	ev = calloc(1, sizeof(*ev));
	if (!line || !ev)
		abort();
	if (size)
		memcpy(line, data, size);
	v = fl_syslog_decode(ev, line, size, &opts);
	if ((unsigned)v >= FL_SYSLOG__COUNT)
		abort();
	check_event(ev, line, size, v);
	check_cache(line, size, &opts, ev, v);
	fl_buf_init(&b, 16 * size + 65536);
	fl_json_init(&j, &b);
	fl_json_obj_begin(&j);
	fl_syslog_json_fields(&j, ev);
	fl_json_obj_end(&j);
	if (fl_json_failed(&j))
		abort();
	fl_buf_free(&b);
	free(ev);
	free(line);
	fl_tz_free(tz);
	return 0;
}
