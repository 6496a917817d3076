/* cmd_replay.c - `faultline replay`: a plan over recorded syslog lines.
 *
 * Compiles the plan, then feeds every line of each FILE (stdin when none) to
 * the engine in event time (several FILEs merged by it; a line may also be a
 * `faultline listen` record, trap or syslog) and writes the action stream as JSON Lines on
 * stdout. The summary (lines, matched, absorbed, incidents opened and
 * cleared, late, evicted) goes to stderr at the end. RFC 3164 times carry no
 * zone and no year: the zone is the plan's `timezone` unless --tz says
 * otherwise, and --year pins the year for a reproducible replay. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/correlate/actions.h"
#include "engine/decode/event.h"
#include "engine/decode/mib.h"
#include "engine/decode/snmp.h"
#include "engine/lib/buf.h"
#include "engine/lib/compiler.h"
#include "engine/cli/cli.h"
#include "engine/cli/opts.h"
#include "engine/cli/store_cli.h"
#include "engine/pipeline/announce.h"
#include "engine/notify/deliver.h"
#include "engine/lib/heap.h"
#include "engine/lib/limits.h"
#include "engine/lib/lines.h"
#include "engine/pipeline/replay.h"
#include "engine/pipeline/sink_store.h"
#include "engine/store/store.h"
#include "engine/lib/tz.h"
#include "grammar/diag.h"
#include "grammar/plan.h"

#define OUT_MAX (64u << 20)
#define OUT_FLUSH (64u << 10)

struct replay_args {
	const char *plan, *data, *tz, *db;
	struct fl_replay_opts opts;
	char **files;
	int n_files;
	bool quiet, deliver, explain, timing;
	struct fl_deliver_config delivery; /* --route and its settings, for the delivery */
	bool has_delivery_option;
};

/* An option of `faultline outbox`, for the delivery's config. */
static int forward(void *ctx, const struct fl_opt *opt, const char *val, char *err,
		   size_t err_len)
{
	struct replay_args *a = ctx;

	a->has_delivery_option = true;
	return fl_cli_delivery_option(&a->delivery, opt, val, err, err_len);
}

static int usage(FILE *out)
{
	fprintf(out,
		"usage: faultline replay -c PLAN [--data DIR] [--tz ZONE] [--year N]\n"
		"                        [--late MS] [--max-keys-per-rule N] [--max-keys N]\n"
		"                        [--db PATH [--deliver --route CHANNEL=PLUGIN ...\n"
		"                         [--set CHANNEL.KEY=VALUE ...] [--plugin-dir DIR]]]\n"
		"                        [--quiet] [--explain] [--timing] [FILE...]\n"
		"\n"
		"Runs PLAN over recorded syslog lines (stdin when no FILE) in event time and\n"
		"writes the action stream as JSON Lines; a summary goes to stderr.\n"
		"A line is a syslog line or a record of `faultline listen` (syslog or trap,\n"
		"replayed at the time it was received). Several FILEs are merged by event\n"
		"time; each file's lines keep their order.\n"
		"Times without a zone are read in --tz, by default the plan's timezone; RFC\n"
		"3164 times in --year, by default the year nearest to now (give it: a\n"
		"recording must replay the same next year). An event may be --late by %d ms\n"
		"by default; keys are capped at %u per rule and %u in total.\n"
		"--db also writes the tickets, steps taken and notifications to the ticket\n"
		"store at PATH in event time, and queues the maintenance announcements due\n"
		"over that time; nothing is delivered unless --deliver (or `faultline\n"
		"outbox` later). --deliver then delivers what is due once, in event time\n"
		"from the recording's last event: a message whose time to live ran out\n"
		"before it is expired, the rest are sent.\n"
		"--explain says on stderr, line by line, which rules matched or why not,\n"
		"each key, and what became of it (docs/explain.md).\n"
		"--timing says on stderr how long the start (the plan compiled, the\n"
		"engine built) and the events took, wall clock and CPU.\n",
		FL_CORR_LATE_MS_DEFAULT, FL_CORR_KEYS_PER_RULE_DEFAULT, FL_CORR_KEYS_TOTAL_DEFAULT);
	return 2;
}

static void replay_usage(FILE *out)
{
	(void)usage(out);
}

/* Returns 0, FL_OPTS_HELP (answered on stdout) or -EINVAL (reported). */
static int parse_args(int argc, char **argv, struct replay_args *a)
{
	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("-c", &a->plan, "PLAN", "the plan"),
		FL_OPT_STRING_ROW("--plan", &a->plan, "PLAN", "the plan"),
		FL_OPT_STRING_ROW("--data", &a->data, "DIR", "the plan's data files"),
		FL_OPT_STRING_ROW("--tz", &a->tz, "ZONE", "zone of times without one"),
		FL_OPT_UINT_ROW("--year", &a->opts.year, 1900, 2200, FL_OPT_YEAR, "N",
				"year of RFC 3164 times"),
		FL_OPT_UINT_ROW("--late", &a->opts.late_ms, 0, 3600000, FL_OPT_MS, "MS",
				"how late an event may be (0: the default)"),
		FL_OPT_UINT_ROW("--max-keys-per-rule", &a->opts.max_keys_per_rule, 0,
				FL_KEYTAB_MAX_KEYS, FL_OPT_COUNT, "N", "live keys per rule (0: default)"),
		FL_OPT_UINT_ROW("--max-keys", &a->opts.max_keys, 0, FL_KEYTAB_MAX_KEYS, FL_OPT_COUNT,
				"N", "live keys in total (0: default)"),
		FL_OPT_STRING_ROW("--db", &a->db, "PATH", "also write the ticket store"),
		FL_OPT_FLAG_ROW("--deliver", &a->deliver, "then deliver what is due, once"),
		FL_CLI_DELIVERY_ROWS(forward),
		FL_OPT_FLAG_ROW("--quiet", &a->quiet, "count actions, do not print them"),
		FL_OPT_FLAG_ROW("--explain", &a->explain,
				"say on stderr why each line did or did not make an incident"),
		FL_OPT_FLAG_ROW("--timing", &a->timing, "say on stderr how long start and events took"),
	};
	const struct fl_opts_cmd cmd = {"replay", opts, FL_ARRAY_LEN(opts), SIZE_MAX, false,
					replay_usage};
	struct fl_opts_result res;
	int rc;

	memset(a, 0, sizeof(*a));
	a->files = calloc((size_t)argc + 1, sizeof(*a->files));
	if (!a->files)
		return -ENOMEM;
	rc = fl_opts_say(&cmd, argc, argv, a, &res);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < res.n_words; i++)
		a->files[a->n_files++] = res.words[i];
	a->delivery.once = a->deliver;
	if ((a->deliver || a->has_delivery_option) && !a->db)
		return -EINVAL;
	return a->plan ? 0 : -EINVAL;
}

static int drain(struct fl_buf *out, bool quiet, bool force)
{
	if (!force && out->len < OUT_FLUSH)
		return 0;
	if (!quiet && out->len && fwrite(out->p, 1, out->len, stdout) != out->len)
		return -EIO;
	fl_buf_reset(out);
	return 0;
}

/* One recording being merged: its reader and the line read ahead. */
struct source {
	const char *name;
	int fd; /* -1 when not opened */
	bool is_stdin;
	struct fl_lines *lines;
	struct fl_replay_item *item;
	bool has_item;
	int64_t prev_ns; /* the time of the line before, for lines with none */
	uint64_t line_no;
};

/* Reads the source's next line into its item; 0 at the end or on a read
 * error (reported, *status set). */
static bool source_next(struct fl_replay *r, struct source *s, int *status)
{
	struct fl_line line;
	int rc = fl_lines_next(s->lines, &line);

	s->has_item = rc > 0;
	if (rc < 0) {
		fprintf(stderr, "faultline replay: %s: %s\n", s->name, strerror(-rc));
		*status = 1;
	}
	if (rc <= 0)
		return false;
	s->line_no = line.number;
	fl_replay_read(r, s->item, line.p, line.len, s->prev_ns);
	return true;
}

static int source_open(struct source *s, const char *name)
{
	int rc = 0;

	s->fd = -1;
	s->prev_ns = INT64_MIN;
	s->is_stdin = strcmp(name, "-") == 0;
	s->name = s->is_stdin ? "<stdin>" : name;
	if (s->is_stdin)
		s->fd = STDIN_FILENO;
	else if ((s->fd = open(name, O_RDONLY | O_CLOEXEC)) < 0)
		rc = -errno;
	if (s->fd >= 0) {
		rc = fl_lines_create(&s->lines, s->fd, FL_LINE_MAX_DEFAULT);
		if (rc == 0)
			rc = fl_replay_item_create(&s->item);
	}
	if (rc < 0)
		fprintf(stderr, "faultline replay: %s: %s\n", s->name, strerror(-rc));
	return rc;
}

static void source_close(struct source *s)
{
	fl_lines_destroy(s->lines);
	fl_replay_item_destroy(s->item);
	if (s->fd >= 0 && !s->is_stdin)
		close(s->fd);
}

/* The source whose line read ahead is the earliest; the first file wins a
 * tie, so one file alone replays in its own order. NULL when all ended. */
static struct source *earliest(struct source *src, int n)
{
	struct source *best = NULL;

	for (int i = 0; i < n; i++)
		if (src[i].has_item && (!best || fl_replay_item_time(src[i].item) <
							 fl_replay_item_time(best->item)))
			best = &src[i];
	return best;
}

/* --explain: the engine's lines, under the header of the line they explain. */
static void explain_line(void *ctx, const char *text)
{
	(void)ctx;
	fprintf(stderr, "explain:   %s\n", text);
}

/* "explain: FILE:N: <the line>" (control bytes shown as '?'), or for a trap
 * its name, as the matcher sees it. */
static void explain_header(const struct source *s, const char *problem)
{
	const struct fl_event *ev = fl_replay_item_event(s->item);
	char name[FL_OID_TEXT_MAX];

	fprintf(stderr, "explain: %s:%llu: ", s->name, (unsigned long long)s->line_no);
	if (problem) {
		fprintf(stderr, "skipped: %s\n", problem);
		return;
	}
	if (ev->kind == FL_EVENT_TRAP) {
		if (ev->trap.trap_oid.p && fl_mib_format(ev->trap.trap_oid, name, sizeof(name)) > 0)
			fprintf(stderr, "trap %s\n", name);
		else
			fprintf(stderr, "trap (SNMPv1, generic %d specific %d)\n",
				ev->trap.generic_trap, ev->trap.specific_trap);
		return;
	}
	for (size_t i = 0; i < ev->raw.len && i < 200; i++) {
		unsigned char c = (unsigned char)ev->raw.p[i];

		fputc(c < 0x20 || c == 0x7f ? '?' : c, stderr);
	}
	fprintf(stderr, "%s%s\n", ev->raw.len > 200 ? " ..." : "",
		ev->error ? " (not decoded as syslog)" : "");
}

/* Every FILE (stdin for none or "-") merged by event time, a k-way merge
 * over the lines read ahead: lines of one file keep their order, and a file
 * that starts earlier than another is not dropped as late. Returns 0, or 1
 * if one could not be read. */
static int replay_files(struct fl_replay *r, struct fl_buf *out, const struct replay_args *a)
{
	static char *const stdin_only[] = {"-"};
	char *const *names = a->n_files ? a->files : stdin_only;
	int n = a->n_files ? a->n_files : 1, status = 0;
	struct source *src = calloc((size_t)n, sizeof(*src)), *s;

	if (!src)
		return 1;
	for (int i = 0; i < n; i++)
		if (source_open(&src[i], names[i]) < 0)
			status = 1;
		else
			(void)source_next(r, &src[i], &status);
	while ((s = earliest(src, n))) {
		const char *problem = fl_replay_item_problem(s->item);

		fl_heap_follow();
		if (a->explain)
			explain_header(s, problem);
		if (problem && !a->quiet)
			fprintf(stderr, "faultline replay: %s:%llu: skipped: %s\n", s->name,
				(unsigned long long)s->line_no, problem);
		s->prev_ns = fl_replay_item_time(s->item);
		if (fl_replay_feed(r, s->item) < 0 || drain(out, a->quiet, false) < 0) {
			fprintf(stderr, "faultline replay: %s: %s\n", s->name, strerror(EIO));
			status = 1;
			break;
		}
		(void)source_next(r, s, &status);
	}
	for (int i = 0; i < n; i++)
		source_close(&src[i]);
	free(src);
	return status;
}

/* --timing: the wall clock and the process's CPU clock at one moment. */
struct stopwatch {
	struct timespec wall, cpu;
};

static void stopwatch_read(struct stopwatch *w)
{
	(void)clock_gettime(CLOCK_MONOTONIC, &w->wall);
	(void)clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &w->cpu);
}

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* "replay: timing: ...": the start (plan compiled, engine built) and the
 * events (read, matched, correlated, written), as a benchmark that must
 * not count the start reads them. */
static void print_timing(const struct stopwatch *begin, const struct stopwatch *started,
			 const struct stopwatch *done)
{
	fprintf(stderr,
		"replay: timing: start %.6f s wall, %.6f s cpu; events %.6f s wall, %.6f s cpu\n",
		seconds_between(&begin->wall, &started->wall),
		seconds_between(&begin->cpu, &started->cpu),
		seconds_between(&started->wall, &done->wall),
		seconds_between(&started->cpu, &done->cpu));
}

static void to_sink(const struct fl_action *a, void *ctx)
{
	(void)fl_sink_write(ctx, a);
}

static void summary(const struct fl_replay *r)
{
	struct fl_replay_stats st;
	const struct fl_engine_stats *e = &st.engine;
	char words[1024];

	fl_replay_stats(r, &st);
	fl_actions_summary(words, sizeof(words), e);
	fprintf(stderr, "replay: %llu events read, %llu undecoded, %s\n",
		(unsigned long long)st.lines, (unsigned long long)st.undecoded, words);
	if (st.records)
		fprintf(stderr, "replay: %llu listen records, %llu skipped\n",
			(unsigned long long)st.records, (unsigned long long)st.bad_records);
}

/* The maintenance announcements due over the replay's span of event time,
 * queued in the store as `run` would have queued them. */
static int replay_announce(const struct fl_replay *r, const struct fl_program *prog,
			   const struct fl_tz *tz, const char *db)
{
	struct fl_announce_tally t = {0};
	struct fl_replay_stats st;
	struct fl_announcer *an = NULL;
	char err[256] = "";
	int rc;

	fl_replay_stats(r, &st);
	if (!st.lines)
		return 0;
	rc = fl_announcer_create(&an, prog, tz);
	if (rc == 0)
		rc = fl_announcer_attach(an, db, err, sizeof(err));
	if (rc == 0)
		rc = fl_announce_replay(an, st.first_ns, st.last_ns, &t);
	if (rc < 0)
		fprintf(stderr, "faultline replay: announce: %s\n",
			err[0] ? err : an ? fl_announcer_errmsg(an) : strerror(-rc));
	else
		fprintf(stderr, "replay: announce: %llu maintenance announcements queued\n",
			(unsigned long long)t.queued);
	fl_announcer_destroy(an);
	return rc < 0 ? 1 : 0;
}

/* --db at the end: the last batch committed, the store's summary, and 1 if
 * anything could not be stored or looked up (sink may be NULL: no --db). */
static int store_side_end(struct fl_sink *sink, const struct fl_store_windows *windows,
			  const char *db)
{
	struct fl_sink_stats sst;
	int status = 0;

	if (sink) {
		if (fl_sink_sync(sink) < 0)
			status = 1;
		fl_sink_print_summary(sink, stderr, "");
		fl_sink_stats(sink, &sst);
		if (sst.given_up || sst.held) { /* errors retried until written lose nothing */
			fprintf(stderr, "faultline replay: %s: %s\n", db, fl_sink_errmsg(sink));
			status = 1;
		}
	}
	if (windows->errors) {
		fprintf(stderr, "faultline replay: %s: %llu maintenance window lookups failed\n",
			db, (unsigned long long)windows->errors);
		status = 1;
	}
	return status;
}

/* --deliver: the outbox once, on a clock that starts at the recording's last
 * event. Returns 0, or 1 if the delivery failed. */
static int deliver_in_event_time(const struct fl_replay *r, struct replay_args *a)
{
	struct fl_deliver *dl;
	struct fl_replay_stats st;

	fl_replay_stats(r, &st);
	a->delivery.db = a->db;
	if (st.last_ns > 0)
		a->delivery.at_ns = st.last_ns;
	if (fl_deliver_start(&dl, &a->delivery) < 0 || fl_deliver_wait(dl) != 0)
		return 1;
	return 0;
}

/* err names the store already ("PATH: why") when the store said why */
static void store_open_failed(const char *db, const char *err, int rc)
{
	if (err[0])
		fprintf(stderr, "faultline replay: %s\n", err);
	else
		fprintf(stderr, "faultline replay: %s: %s\n", db, strerror(-rc));
}

int fl_cmd_replay(int argc, char **argv)
{
	struct fl_plan_options popt = {0};
	struct replay_args a;
	struct fl_plan *plan = NULL;
	struct fl_diags *d = NULL;
	struct fl_tz *tz = NULL;
	struct fl_replay *r = NULL;
	struct fl_sink *sink = NULL;
	struct fl_store_windows windows = {0};
	char err[256] = "";
	const struct fl_program *prog;
	struct fl_buf out;
	struct stopwatch begin, started, done;
	int status = 1, rc;

	stopwatch_read(&begin);
	rc = parse_args(argc, argv, &a);
	if (rc != 0) {
		free(a.files);
		fl_deliver_config_free(&a.delivery);
		return rc == FL_OPTS_HELP ? 0 : usage(stderr);
	}
	(void)fl_heap_hugepages();
	fl_buf_init(&out, OUT_MAX);
	popt.data_dir = a.data;
	if (fl_diags_create(&d) < 0)
		goto out;
	rc = fl_plan_compile(&plan, a.plan, &popt, d);
	fl_diag_print(d, stderr);
	if (rc < 0)
		goto out;
	prog = fl_plan_program(plan);
	if (a.tz || prog->timezone.p) {
		const char *zone = a.tz ? a.tz : prog->timezone.p;

		if (fl_tz_load(&tz, zone) < 0) {
			fprintf(stderr, "faultline replay: unknown time zone '%s'\n", zone);
			goto out;
		}
	}
	a.opts.tz = tz;
	if (a.explain)
		a.opts.explain = explain_line;
	if (a.db) {
		rc = fl_sink_open(&sink, prog, a.db, NULL, err, sizeof(err));
		if (rc < 0) {
			store_open_failed(a.db, err, rc);
			goto out;
		}
		a.opts.also = to_sink;
		a.opts.also_ctx = sink;
		/* the store's own windows plan incidents too, as in `run` */
		rc = fl_store_open(&windows.store, a.db, err, sizeof(err));
		if (rc < 0) {
			store_open_failed(a.db, err, rc);
			goto out;
		}
		a.opts.window_fn = fl_store_windows_lookup;
		a.opts.window_ctx = &windows;
	}
	if (fl_replay_create(&r, prog, &a.opts, &out) < 0) {
		fprintf(stderr, "faultline replay: out of memory\n");
		goto out;
	}
	fl_heap_started();
	stopwatch_read(&started);
	status = replay_files(r, &out, &a);
	if (a.explain)
		fprintf(stderr, "explain: end of input: open incidents' final tallies\n");
	if (fl_replay_finish(r) < 0 || drain(&out, a.quiet, true) < 0 || fflush(stdout) != 0)
		status = 1;
	stopwatch_read(&done);
	summary(r);
	if (a.timing)
		print_timing(&begin, &started, &done);
	status |= store_side_end(sink, &windows, a.db);
	fl_sink_destroy(sink);
	sink = NULL;
	if (a.db && prog->n_announces && status == 0)
		status |= replay_announce(r, prog, tz, a.db);
	if (a.deliver && status == 0)
		status = deliver_in_event_time(r, &a);
out:
	fl_sink_destroy(sink);
	fl_replay_destroy(r);
	fl_store_close(windows.store);
	fl_tz_free(tz);
	fl_plan_destroy(plan);
	fl_diags_destroy(d);
	fl_buf_free(&out);
	free(a.files);
	fl_deliver_config_free(&a.delivery);
	return status;
}
