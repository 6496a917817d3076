/* The metrics of `faultline run`: the exposition format checked by a parser
 * of its own, the counters carried into it, the health verdicts, the JSON
 * stats line, and the endpoint answering over real HTTP on loopback. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine/lib/buf.h"
#include "engine/pipeline/metrics.h"
#include "engine/store/store.h"

#define MAX_FAMILIES 256
#define MAX_SAMPLES 2048
#define NS 1000000000LL

/* ---- an exposition-format checker (text format 0.0.4) ----------------------- */

struct expo {
	char family[MAX_FAMILIES][128], type[MAX_FAMILIES][16];
	bool has_help[MAX_FAMILIES];
	size_t n_families;
	char *samples[MAX_SAMPLES]; /* "name{labels}" */
	double values[MAX_SAMPLES];
	size_t n_samples;
};

static bool is_name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

static size_t name_len(const char *p)
{
	size_t n = 0;

	while (is_name_char(p[n], n == 0))
		n++;
	return n;
}

static int family_index(const struct expo *e, const char *name, size_t len)
{
	for (size_t i = 0; i < e->n_families; i++)
		if (strlen(e->family[i]) == len && strncmp(e->family[i], name, len) == 0)
			return (int)i;
	return -1;
}

/* The family a sample belongs to: its name, or a summary's without _sum or
 * _count. */
static int sample_family(const struct expo *e, const char *name, size_t len)
{
	int f = family_index(e, name, len);

	if (f < 0 && len > 4 && strncmp(name + len - 4, "_sum", 4) == 0)
		f = family_index(e, name, len - 4);
	if (f < 0 && len > 6 && strncmp(name + len - 6, "_count", 6) == 0)
		f = family_index(e, name, len - 6);
	return f;
}

/* Labels: {name="value",...} with \\, \" and \n the only escapes. Returns
 * the length consumed, or 0 when malformed. */
static size_t labels_len(const char *p, const char *line)
{
	size_t i = 1;

	cr_assert_eq(p[0], '{');
	while (p[i] != '}') {
		size_t n = name_len(p + i);

		cr_assert(n > 0, "label name expected: %s", line);
		i += n;
		cr_assert(p[i] == '=' && p[i + 1] == '"', "label =\" expected: %s", line);
		i += 2;
		while (p[i] != '"') {
			cr_assert(p[i] != '\0' && p[i] != '\n', "unterminated label: %s", line);
			if (p[i] == '\\') {
				cr_assert(p[i + 1] == '\\' || p[i + 1] == '"' || p[i + 1] == 'n',
					  "bad escape: %s", line);
				i++;
			}
			i++;
		}
		i++;
		if (p[i] == ',')
			i++;
		else
			cr_assert_eq(p[i], '}', "',' or '}' expected: %s", line);
	}
	return i + 1;
}

static void parse_comment(struct expo *e, const char *line)
{
	bool is_help = strncmp(line, "# HELP ", 7) == 0;
	const char *name = line + 7;
	size_t n = name_len(name);
	int f;

	cr_assert(is_help || strncmp(line, "# TYPE ", 7) == 0, "unknown comment: %s", line);
	cr_assert(n > 0 && name[n] == ' ', "name then a space: %s", line);
	f = family_index(e, name, n);
	if (is_help) {
		cr_assert(f < 0, "a second HELP, or HELP after TYPE: %s", line);
		cr_assert(e->n_families < MAX_FAMILIES);
		f = (int)e->n_families++;
		snprintf(e->family[f], sizeof(e->family[f]), "%.*s", (int)n, name);
		e->has_help[f] = name[n + 1] != '\0';
		return;
	}
	cr_assert(f >= 0 && f == (int)e->n_families - 1, "TYPE right after its HELP: %s", line);
	cr_assert(e->type[f][0] == '\0', "a second TYPE: %s", line);
	snprintf(e->type[f], sizeof(e->type[f]), "%s", name + n + 1);
	cr_assert(strcmp(e->type[f], "counter") == 0 || strcmp(e->type[f], "gauge") == 0 ||
			  strcmp(e->type[f], "summary") == 0,
		  "type: %s", line);
	/* conventions: counters end in _total, nothing else does */
	cr_assert_eq(strcmp(e->type[f], "counter") == 0,
		     n > 6 && strncmp(name + n - 6, "_total", 6) == 0, "_total: %s", line);
	cr_assert(strncmp(name, "faultline_", 10) == 0, "prefix: %s", line);
}

static void parse_sample(struct expo *e, const char *line)
{
	size_t n = name_len(line), len = n;
	int f = sample_family(e, line, n);
	char *end;

	cr_assert(n > 0, "sample name: %s", line);
	cr_assert(f >= 0 && f == (int)e->n_families - 1,
		  "sample outside its family's block, or before its TYPE: %s", line);
	cr_assert(e->type[f][0], "TYPE before samples: %s", line);
	if (line[len] == '{')
		len += labels_len(line + len, line);
	cr_assert_eq(line[len], ' ', "one space before the value: %s", line);
	cr_assert(e->n_samples < MAX_SAMPLES);
	for (size_t i = 0; i < e->n_samples; i++)
		cr_assert(strncmp(e->samples[i], line, len) != 0 || e->samples[i][len] != '\0',
			  "a sample twice: %s", line);
	e->samples[e->n_samples] = strndup(line, len);
	e->values[e->n_samples] = strtod(line + len + 1, &end);
	cr_assert(end != line + len + 1 && *end == '\0', "value: %s", line);
	e->n_samples++;
}

static void expo_parse(struct expo *e, const char *text)
{
	char *copy = strdup(text), *save = NULL;

	memset(e, 0, sizeof(*e));
	cr_assert(text[0] && text[strlen(text) - 1] == '\n', "ends with a line feed");
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (line[0] == '#')
			parse_comment(e, line);
		else
			parse_sample(e, line);
	for (size_t f = 0; f < e->n_families; f++)
		cr_expect(e->has_help[f] && e->type[f][0], "HELP and TYPE: %s", e->family[f]);
	free(copy);
}

static void expo_free(struct expo *e)
{
	for (size_t i = 0; i < e->n_samples; i++)
		free(e->samples[i]);
}

/* The value of sample "name{labels}", or -1 when absent. */
static double expo_value(const struct expo *e, const char *sample)
{
	for (size_t i = 0; i < e->n_samples; i++)
		if (strcmp(e->samples[i], sample) == 0)
			return e->values[i];
	return -1;
}

/* ---- snapshots ------------------------------------------------------------ */

static const struct fl_metrics_source test_sources[] = {
	{.name = "los_huawei", .opened = 2, .absorbed = 5},
	{.name = "say \"hi\" \\ to\nall", .notified = 1},
	{.name = "fibre_cut", .is_correlation = true, .opened = 1, .cleared = 1, .notified = 4},
};

static void full_snapshot(struct fl_run_stats *st, struct fl_metrics_outbox *ob)
{
	memset(st, 0, sizeof(*st));
	for (int k = 0; k < FL_INPUT__COUNT; k++) {
		st->has_input[k] = true;
		st->input[k].received = 10u + (unsigned)k;
		st->input[k].queue_full = 1;
	}
	st->verdicts[FL_INPUT_UDP][FL_SYSLOG_OK] = 9;
	st->verdicts[FL_INPUT_UDP][FL_SYSLOG_BAD_PRI] = 1;
	st->traps_decoded = 13;
	st->messages = 46;
	st->undecoded = 1;
	st->engine.matched = 40;
	st->engine.opened = 3;
	st->engine.live_keys = 7;
	st->has_timer = true;
	st->timer_in_ns = -NS / 2; /* due half a second ago, not yet run */
	st->has_store = true;
	st->sink.opened = 3;
	st->sink.commits = 4;
	st->sink.commit_ns_sum = 3 * NS + 250000000;
	st->sink.queue_depth = 2;
	st->sources = test_sources;
	st->n_sources = 3;
	st->taken_ns = 100 * NS;
	memset(ob, 0, sizeof(*ob));
	ob->is_read = true;
	ob->rows[FL_OUTBOX_PENDING] = 2;
	ob->rows[FL_OUTBOX_FAILED] = 1;
	ob->oldest_due_ns = 1000 * NS;
}

static void view_of(struct fl_metrics_view *v, const struct fl_run_stats *st,
		    const struct fl_metrics_outbox *ob)
{
	memset(v, 0, sizeof(*v));
	v->run = st;
	v->outbox = ob;
	v->mono_ns = 101 * NS;
	v->wall_ns = 1010 * NS;
	v->outbox_stuck_ns = 300 * NS;
	v->stale_ns = 30 * NS;
}

static void render(struct expo *e, const struct fl_metrics_view *v)
{
	struct fl_buf b;

	fl_buf_init(&b, FL_METRICS_BODY_MAX);
	cr_assert_eq(fl_metrics_render(&b, v), 0);
	expo_parse(e, b.p);
	fl_buf_free(&b);
}

/* ---- the exposition ----------------------------------------------------- */

Test(metrics, renders_every_family_in_the_exposition_format_with_help_and_type)
{
	struct fl_run_stats st;
	struct fl_metrics_outbox ob;
	struct fl_metrics_view v;
	struct expo e;

	full_snapshot(&st, &ob);
	view_of(&v, &st, &ob);
	render(&e, &v);
	cr_expect_gt(e.n_families, 70, "families: %zu", e.n_families);
	cr_expect_gt(e.n_samples, 150, "samples: %zu", e.n_samples);
	expo_free(&e);
}

Test(metrics, carries_the_counters_of_the_summary_into_their_samples)
{
	static const struct {
		const char *sample;
		double value;
	} rows[] = {
		{"faultline_input_received_total{input=\"udp\"}", 10},
		{"faultline_input_received_total{input=\"trap\"}", 13},
		{"faultline_input_dropped_total{input=\"tcp\",cause=\"queue_full\"}", 1},
		{"faultline_syslog_decoded_total{input=\"udp\"}", 9},
		{"faultline_syslog_decode_errors_total{input=\"udp\",verdict=\"BAD_PRI\"}", 1},
		{"faultline_syslog_decode_errors_total{input=\"tcp\",verdict=\"BAD_PRI\"}", 0},
		{"faultline_traps_decoded_total", 13},
		{"faultline_messages_total", 46},
		{"faultline_messages_undecoded_total", 1},
		{"faultline_events_matched_total", 40},
		{"faultline_incidents_opened_total", 3},
		{"faultline_keys_live", 7},
		{"faultline_timer_next_due_seconds", -0.5},
		{"faultline_rule_incidents_opened_total{rule=\"los_huawei\",kind=\"rule\"}", 2},
		{"faultline_rule_alarms_absorbed_total{rule=\"los_huawei\",kind=\"rule\"}", 5},
		{"faultline_rule_notifications_total{rule=\"fibre_cut\",kind=\"correlation\"}", 4},
		{"faultline_store_tickets_opened_total", 3},
		{"faultline_store_queue_depth", 2},
		{"faultline_store_commit_seconds_sum", 3.25},
		{"faultline_store_commit_seconds_count", 4},
		{"faultline_outbox_notifications{state=\"pending\"}", 2},
		{"faultline_outbox_notifications{state=\"failed\"}", 1},
		{"faultline_outbox_oldest_due_age_seconds", 10},
		{"faultline_stats_age_seconds", 1},
	};
	struct fl_run_stats st;
	struct fl_metrics_outbox ob;
	struct fl_metrics_view v;
	struct expo e;

	full_snapshot(&st, &ob);
	view_of(&v, &st, &ob);
	render(&e, &v);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		cr_expect_eq(expo_value(&e, rows[i].sample), rows[i].value, "%s is %g, not %g",
			     rows[i].sample, expo_value(&e, rows[i].sample), rows[i].value);
	expo_free(&e);
}

Test(metrics, escapes_quotes_backslashes_and_line_feeds_in_rule_names)
{
	struct fl_run_stats st;
	struct fl_metrics_outbox ob;
	struct fl_metrics_view v;
	struct expo e;

	full_snapshot(&st, &ob);
	view_of(&v, &st, &ob);
	render(&e, &v); /* the checker refuses a raw quote or line feed */
	cr_expect_eq(expo_value(&e, "faultline_rule_notifications_total"
				    "{rule=\"say \\\"hi\\\" \\\\ to\\nall\",kind=\"rule\"}"),
		     1);
	expo_free(&e);
}

Test(metrics, leaves_out_the_families_of_inputs_and_a_store_the_run_does_not_have)
{
	struct fl_run_stats st;
	struct fl_metrics_view v;
	struct expo e;

	memset(&st, 0, sizeof(st));
	st.has_input[FL_INPUT_UDP] = true;
	view_of(&v, &st, NULL);
	render(&e, &v);
	cr_expect_geq(expo_value(&e, "faultline_input_received_total{input=\"udp\"}"), 0);
	cr_expect_lt(expo_value(&e, "faultline_input_received_total{input=\"tcp\"}"), 0);
	for (size_t f = 0; f < e.n_families; f++) {
		cr_expect(strncmp(e.family[f], "faultline_tcp_", 14) != 0, "%s", e.family[f]);
		cr_expect(strncmp(e.family[f], "faultline_trap", 14) != 0, "%s", e.family[f]);
		cr_expect(strncmp(e.family[f], "faultline_store_", 16) != 0, "%s", e.family[f]);
		cr_expect(strncmp(e.family[f], "faultline_outbox_", 17) != 0, "%s", e.family[f]);
	}
	expo_free(&e);
}

Test(metrics, says_the_role_in_a_pair_and_nothing_of_a_pair_outside_one)
{
	struct fl_run_stats st;
	struct fl_metrics_view v;
	struct expo e;

	memset(&st, 0, sizeof(st));
	view_of(&v, &st, NULL);
	render(&e, &v);
	cr_expect_lt(expo_value(&e, "faultline_pair_leader{pair=\"noc\"}"), 0, "a lone engine");
	expo_free(&e);

	st.pair = (struct fl_pair_role){.name = "noc", .changed_ns = 99 * NS};
	render(&e, &v);
	cr_expect_eq(expo_value(&e, "faultline_pair_leader{pair=\"noc\"}"), 0);
	cr_expect_eq(expo_value(&e, "faultline_pair_fencing_number{pair=\"noc\"}"), 0);
	cr_expect_eq(expo_value(&e, "faultline_pair_role_seconds{pair=\"noc\"}"), 2);
	expo_free(&e);

	st.pair = (struct fl_pair_role){.name = "n\"oc", .is_leader = true, .epoch = 7,
					.takeovers = 1, .changed_ns = 100 * NS + NS / 2};
	render(&e, &v); /* the checker refuses a raw quote */
	cr_expect_eq(expo_value(&e, "faultline_pair_leader{pair=\"n\\\"oc\"}"), 1);
	cr_expect_eq(expo_value(&e, "faultline_pair_fencing_number{pair=\"n\\\"oc\"}"), 7);
	cr_expect_eq(expo_value(&e, "faultline_pair_takeovers_total{pair=\"n\\\"oc\"}"), 1);
	cr_expect_eq(expo_value(&e, "faultline_pair_role_seconds{pair=\"n\\\"oc\"}"), 0.5);
	expo_free(&e);
}

Test(metrics, the_stats_line_says_the_role_in_a_pair)
{
	struct fl_run_stats st;
	struct fl_buf b;

	memset(&st, 0, sizeof(st));
	fl_buf_init(&b, 1u << 16);
	cr_assert_eq(fl_run_stats_json(&b, &st), 0);
	cr_expect_null(strstr(b.p, "\"pair\""), "a lone engine: %s", b.p);
	fl_buf_free(&b);

	st.pair = (struct fl_pair_role){.name = "b", .is_leader = true, .epoch = 2,
					.takeovers = 1};
	fl_buf_init(&b, 1u << 16);
	cr_assert_eq(fl_run_stats_json(&b, &st), 0);
	cr_expect_not_null(strstr(b.p, "\"pair\":{\"name\":\"b\",\"leader\":true,"
					"\"fencing_number\":2,\"takeovers\":1}}}"),
			   "%s", b.p);
	fl_buf_free(&b);
}

/* ---- health --------------------------------------------------------------- */

Test(metrics, healthz_is_healthy_with_a_fresh_snapshot_and_an_outbox_that_moves)
{
	struct fl_run_stats st;
	struct fl_metrics_outbox ob;
	struct fl_metrics_view v;
	char why[200] = "";

	full_snapshot(&st, &ob);
	view_of(&v, &st, &ob);
	cr_expect(fl_metrics_health(&v, why, sizeof(why)), "%s", why);
	v.outbox = NULL; /* no store */
	st.has_store = false;
	cr_expect(fl_metrics_health(&v, why, sizeof(why)), "%s", why);
}

Test(metrics, healthz_fails_while_the_store_commits_fail)
{
	struct fl_run_stats st;
	struct fl_metrics_outbox ob;
	struct fl_metrics_view v;
	char why[200] = "";

	full_snapshot(&st, &ob);
	view_of(&v, &st, &ob);
	st.sink.errors = 5; /* old errors alone are no reason */
	cr_expect(fl_metrics_health(&v, why, sizeof(why)), "%s", why);
	st.sink.commits_failing = 3;
	cr_expect_not(fl_metrics_health(&v, why, sizeof(why)));
	cr_expect_str_eq(why, "store writes failing: the last 3 commits failed");
}

Test(metrics, healthz_fails_once_a_notification_is_due_longer_than_the_bound)
{
	struct fl_run_stats st;
	struct fl_metrics_outbox ob;
	struct fl_metrics_view v;
	char why[200] = "";

	full_snapshot(&st, &ob);
	view_of(&v, &st, &ob);
	ob.oldest_due_ns = v.wall_ns - 300 * NS; /* exactly the bound: still healthy */
	cr_expect(fl_metrics_health(&v, why, sizeof(why)), "%s", why);
	ob.oldest_due_ns = v.wall_ns - 301 * NS;
	cr_expect_not(fl_metrics_health(&v, why, sizeof(why)));
	cr_expect_str_eq(why, "outbox stuck: a notification due 301 s ago is not delivered "
			      "(bound 300 s)");
	ob.oldest_due_ns = v.wall_ns + 3600 * NS; /* a retry waiting for its time */
	cr_expect(fl_metrics_health(&v, why, sizeof(why)), "%s", why);
}

Test(metrics, healthz_fails_when_the_outbox_cannot_be_read)
{
	struct fl_run_stats st;
	struct fl_metrics_outbox ob;
	struct fl_metrics_view v;
	char why[200] = "";

	full_snapshot(&st, &ob);
	view_of(&v, &st, &ob);
	ob.is_read = false;
	snprintf(ob.why, sizeof(ob.why), "database is locked");
	cr_expect_not(fl_metrics_health(&v, why, sizeof(why)));
	cr_expect_str_eq(why, "outbox unreadable: database is locked");
}

Test(metrics, healthz_fails_when_the_engine_thread_stops_publishing)
{
	struct fl_run_stats st;
	struct fl_metrics_outbox ob;
	struct fl_metrics_view v;
	char why[200] = "";

	full_snapshot(&st, &ob);
	view_of(&v, &st, &ob);
	v.mono_ns = st.taken_ns + 31 * NS;
	cr_expect_not(fl_metrics_health(&v, why, sizeof(why)));
	cr_expect_str_eq(why, "engine thread silent for 31 s (bound 30 s)");
}

/* ---- gathering and the JSON stats line ------------------------------------- */

Test(metrics, counts_verdicts_per_input_and_traps_apart)
{
	struct fl_run_stats st;

	memset(&st, 0, sizeof(st));
	fl_run_stats_count(&st, FL_INPUT_UDP, false, FL_SYSLOG_OK);
	fl_run_stats_count(&st, FL_INPUT_UDP, false, FL_SYSLOG_BAD_PRI);
	fl_run_stats_count(&st, FL_INPUT_TCP, false, FL_SYSLOG_OK);
	fl_run_stats_count(&st, FL_INPUT_TRAP, true, 0);
	fl_run_stats_count(&st, FL_INPUT_TRAP, true, 3);
	cr_expect_eq(st.messages, 5);
	cr_expect_eq(st.undecoded, 2);
	cr_expect_eq(st.verdicts[FL_INPUT_UDP][FL_SYSLOG_OK], 1);
	cr_expect_eq(st.verdicts[FL_INPUT_UDP][FL_SYSLOG_BAD_PRI], 1);
	cr_expect_eq(st.verdicts[FL_INPUT_TCP][FL_SYSLOG_OK], 1);
	cr_expect_eq(st.traps_decoded, 1);
	cr_expect_eq(st.verdicts[FL_INPUT_TRAP][3], 0, "a trap's verdict is no syslog verdict");
}

Test(metrics, the_stats_line_names_the_input_counters_as_listen_does)
{
	struct fl_run_stats st;
	struct fl_metrics_outbox ob;
	static const char udp[] = "{\"stats\":{\"udp\":{\"received\":10,\"dropped_allowlist\":0,"
				  "\"queue_full\":1,\"kernel_drops\":0,\"decoded\":9,"
				  "\"errors\":{\"BAD_PRI\":1}},";
	struct fl_buf b;

	full_snapshot(&st, &ob);
	fl_buf_init(&b, 1 << 20);
	cr_assert_eq(fl_run_stats_json(&b, &st), 0);
	cr_expect(strncmp(b.p, udp, strlen(udp)) == 0, "%s", b.p);
	cr_expect(strstr(b.p, "\"trap\":{\"received\":13,") != NULL, "%s", b.p);
	cr_expect(strstr(b.p, "\"informs_answered\":0,") != NULL, "%s", b.p);
	cr_expect(strstr(b.p, "\"engine\":{\"messages\":46,\"undecoded\":1,") != NULL, "%s", b.p);
	cr_expect(strstr(b.p, "\"opened\":3,") != NULL, "%s", b.p);
	cr_expect(strstr(b.p, "\"store\":{\"opened\":3,") != NULL, "%s", b.p);
	cr_expect(strstr(b.p, "\"queue_depth\":2,") != NULL, "%s", b.p);
	cr_expect_eq(b.p[b.len - 1], '}');
	fl_buf_free(&b);
}

/* ---- the endpoint ------------------------------------------------------------ */

/* GET (or method) path over HTTP/1.0; returns the status, body in out. */
static int http(const struct fl_metrics *m, const char *method, const char *path, char *out,
		size_t cap)
{
	char where[64], req[256], *colon;
	struct sockaddr_in sa = {.sin_family = AF_INET};
	size_t got = 0;
	ssize_t n;
	int fd, status = -1;

	fl_metrics_local(m, where, sizeof(where));
	colon = strrchr(where, ':');
	cr_assert(colon);
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(fd >= 0);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "%s", strerror(errno));
	snprintf(req, sizeof(req), "%s %s HTTP/1.0\r\nHost: test\r\n\r\n", method, path);
	cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while (got + 1 < cap && (n = read(fd, out + got, cap - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(fd);
	sscanf(out, "HTTP/1.%*d %d", &status);
	return status;
}

static int64_t mono_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static const char *body_of(const char *response)
{
	const char *p = strstr(response, "\r\n\r\n");

	return p ? p + 4 : "";
}

Test(metrics, serves_metrics_and_healthz_over_http_from_the_published_snapshot, .timeout = 30)
{
	struct fl_metrics_config cfg = {.addr = "127.0.0.1:0"};
	struct fl_metrics *m = NULL;
	struct fl_run_stats st;
	static char resp[1 << 20];
	char err[256];
	struct expo e;

	memset(&st, 0, sizeof(st));
	st.has_input[FL_INPUT_UDP] = true;
	st.messages = 5;
	st.sources = test_sources;
	st.n_sources = 3;
	st.taken_ns = mono_now_ns(); /* fresh: the endpoint reads its age */
	cr_assert_eq(fl_metrics_create(&m, &cfg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(fl_metrics_publish(m, &st), 0);
	cr_assert_eq(fl_metrics_start(m), 0);

	cr_expect_eq(http(m, "GET", "/metrics", resp, sizeof(resp)), 200, "%s", resp);
	cr_expect(strstr(resp, "Content-Type: text/plain; version=0.0.4") != NULL, "%s", resp);
	expo_parse(&e, body_of(resp));
	cr_expect_eq(expo_value(&e, "faultline_messages_total"), 5);
	cr_expect_eq(expo_value(&e, "faultline_rule_incidents_opened_total"
				    "{rule=\"fibre_cut\",kind=\"correlation\"}"),
		     1);
	expo_free(&e);
	cr_expect_eq(http(m, "GET", "/healthz", resp, sizeof(resp)), 200, "%s", resp);
	cr_expect_str_eq(body_of(resp), "ok\n");

	/* a later snapshot is what the next scrape sees */
	st.messages = 8;
	st.has_store = true;
	st.sink.commits_failing = 1;
	cr_assert_eq(fl_metrics_publish(m, &st), 0);
	cr_expect_eq(http(m, "GET", "/healthz", resp, sizeof(resp)), 503, "%s", resp);
	cr_expect_str_eq(body_of(resp), "store writes failing: the last 1 commits failed\n");
	cr_expect_eq(http(m, "GET", "/metrics", resp, sizeof(resp)), 200, "%s", resp);
	cr_expect(strstr(body_of(resp), "\nfaultline_messages_total 8\n") != NULL);

	cr_expect_eq(http(m, "GET", "/nowhere", resp, sizeof(resp)), 404, "%s", resp);
	cr_expect_eq(http(m, "POST", "/metrics", resp, sizeof(resp)), 405, "%s", resp);
	fl_metrics_destroy(m);
}

Test(metrics, names_the_address_when_it_cannot_listen)
{
	struct fl_metrics_config cfg = {.addr = "127.0.0.1:0"};
	struct fl_metrics *m = NULL, *m2 = NULL;
	char err[256] = "", where[64], *colon;

	cfg.addr = "127.0.0.1";
	cr_expect_eq(fl_metrics_create(&m, &cfg, err, sizeof(err)), -EINVAL);
	cr_expect(strstr(err, "--metrics 127.0.0.1:") == err, "%s", err);
	cfg.addr = "127.0.0.1:0";
	cr_assert_eq(fl_metrics_create(&m, &cfg, err, sizeof(err)), 0, "%s", err);
	fl_metrics_local(m, where, sizeof(where));
	colon = strrchr(where, ':');
	cr_assert(colon && atoi(colon + 1) > 0, "%s", where);
	cfg.addr = where; /* the same port again */
	cr_expect_eq(fl_metrics_create(&m2, &cfg, err, sizeof(err)), -EADDRINUSE);
	cr_expect(strstr(err, where) != NULL, "%s", err);
	fl_metrics_destroy(m);
}
