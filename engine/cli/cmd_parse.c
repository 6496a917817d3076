/* cmd_parse.c - `faultline parse`: syslog lines from files or stdin to JSON Lines.
 *
 * One JSON object per input line, in input order, on stdout: the decoder's
 * fields (fl_syslog_json_fields), plus "line" (1-based number in its input)
 * and "line_cut" when the line was longer than --max-line. Lines that do not
 * decode still give an object, with "error". An unreadable file is reported
 * on stderr in one line; the other files are still read, and the exit status
 * is 1. Cut lines are summed up on stderr at the end. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/lib/buf.h"
#include "engine/lib/compiler.h"
#include "engine/cli/cli.h"
#include "engine/cli/opts.h"
#include "engine/lib/json.h"
#include "engine/lib/limits.h"
#include "engine/lib/lines.h"
#include "engine/decode/message.h"
#include "engine/decode/syslog.h"
#include "engine/lib/tz.h"


struct parse_run {
	struct fl_syslog_opts opts;
	size_t max_line;
	struct fl_buf out;
	uint64_t lines, errors, cut, bytes_skipped;
	uint64_t verdicts[FL_SYSLOG__COUNT];
	struct fl_event ev; /* ~5 KiB: kept here, not on the stack per line */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: faultline parse [--tz ZONE] [--year N] [--max-line BYTES] [--stats]\n"
		"                       [FILE...]\n"
		"\n"
		"Decodes syslog lines (RFC 5424 and RFC 3164) from each FILE, or stdin\n"
		"when none is given or FILE is '-', and prints one JSON object per line.\n"
		"ZONE: UTC, +08:00, Asia/Shanghai, ... (default: the machine's zone).\n"
		"Without --year, an RFC 3164 time is read in the year that puts it nearest\n"
		"the time it is read. Lines longer than --max-line (default %d bytes) are\n"
		"cut and counted; --stats prints on stderr how many lines got each verdict.\n",
		FL_LINE_MAX_DEFAULT);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int emit(struct parse_run *run, const struct fl_line *line)
{
	const struct fl_received m = {.transport = FL_TRANSPORT_FILE,
				     .received_ns = run->opts.received_ns,
				     .p = line->p,
				     .len = line->len};
	const struct fl_message_opts mo = {.tz = run->opts.tz, .year = run->opts.year};
	struct fl_json j;
	int v;

	v = fl_message_decode(&run->ev, &m, &mo);
	run->lines++;
	run->verdicts[v]++;
	if (v != FL_SYSLOG_OK)
		run->errors++;
	fl_buf_reset(&run->out);
	fl_json_init(&j, &run->out);
	fl_json_obj_begin(&j);
	fl_json_key(&j, "line");
	fl_json_uint(&j, line->number);
	if (line->is_cut) {
		fl_json_key(&j, "line_cut");
		fl_json_bool(&j, true);
	}
	fl_syslog_json_fields(&j, &run->ev);
	fl_json_obj_end(&j);
	if (fl_json_failed(&j))
		return -EMSGSIZE;
	if (fl_buf_addc(&run->out, '\n') < 0)
		return -EMSGSIZE;
	if (fwrite(run->out.p, 1, run->out.len, stdout) != run->out.len)
		return -EIO;
	return 0;
}

/* Returns 0, or 1 after reporting an unreadable input on stderr. */
static int parse_fd(struct parse_run *run, int fd, const char *name)
{
	struct fl_lines *lr;
	struct fl_lines_stats st;
	struct fl_line line;
	int rc;

	rc = fl_lines_create(&lr, fd, run->max_line);
	if (rc < 0) {
		fprintf(stderr, "faultline parse: %s: %s\n", name, strerror(-rc));
		return 1;
	}
	while ((rc = fl_lines_next(lr, &line)) > 0) {
		rc = emit(run, &line);
		if (rc < 0)
			break;
	}
	fl_lines_stats(lr, &st);
	run->cut += st.cut;
	run->bytes_skipped += st.bytes_skipped;
	fl_lines_destroy(lr);
	if (rc < 0) {
		fprintf(stderr, "faultline parse: %s: %s\n", name, strerror(-rc));
		return 1;
	}
	return 0;
}

static int parse_path(struct parse_run *run, const char *path)
{
	int fd, rc;

	if (strcmp(path, "-") == 0)
		return parse_fd(run, STDIN_FILENO, "<stdin>");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "faultline parse: %s: %s\n", path, strerror(errno));
		return 1;
	}
	rc = parse_fd(run, fd, path);
	close(fd);
	return rc;
}

/* "syslog.OK 380" ... one counter per line, then the reader's: the names the
 * daemon's stats output uses. */
static void print_stats(const struct parse_run *run)
{
	fprintf(stderr, "lines %llu\n", (unsigned long long)run->lines);
	for (int v = 0; v < FL_SYSLOG__COUNT; v++)
		if (run->verdicts[v])
			fprintf(stderr, "syslog.%s %llu\n",
				fl_syslog_verdict_name((enum fl_syslog_verdict)v),
				(unsigned long long)run->verdicts[v]);
	fprintf(stderr, "lines.cut %llu\nlines.bytes_skipped %llu\n",
		(unsigned long long)run->cut, (unsigned long long)run->bytes_skipped);
}

int fl_cmd_parse(int argc, char **argv)
{
	struct parse_run *run;
	struct fl_tz *tz = NULL;
	const char *tz_spec = NULL;
	bool tz_given = false, want_stats = false;
	int first_file = argc, status = 0, rc, i;
	long year = 0, max_line = FL_LINE_MAX_DEFAULT;

	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("--tz", &tz_spec, "ZONE", "zone of RFC 3164 times without an offset"),
		FL_OPT_UINT_ROW("--year", &year, 1900, 2200, FL_OPT_YEAR, "N",
				"year of RFC 3164 times without one"),
		FL_OPT_UINT_ROW("--max-line", &max_line, 16, 64u * 1024 * 1024, FL_OPT_BYTES,
				"BYTES", "longer lines are cut and counted"),
		FL_OPT_FLAG_ROW("--stats", &want_stats, "print how many lines got each verdict"),
	};
	const struct fl_opts_cmd cmd = {"parse", opts, FL_ARRAY_LEN(opts), SIZE_MAX, true, usage};
	struct fl_opts_result res;

	if (!fl_opts_accept(&cmd, argc, argv, NULL, &res, &status))
		return status;
	/* the files are now argv[1 .. 1 + n_words) */
	first_file = 1;
	argc = 1 + (int)res.n_words;
	tz_given = tz_spec != NULL;
	rc = fl_tz_load(&tz, tz_spec);
	if (rc < 0) {
		if (tz_given) {
			fprintf(stderr, "faultline parse: --tz %s: %s\n", tz_spec, strerror(-rc));
			return 2;
		}
		tz = NULL; /* no readable /etc/localtime: UTC */
	}
	run = calloc(1, sizeof(*run));
	if (!run) {
		fl_tz_free(tz);
		fprintf(stderr, "faultline parse: %s\n", strerror(ENOMEM));
		return 1;
	}
	run->opts.received_ns = now_ns();
	run->opts.tz = tz;
	run->opts.year = (int)year;
	run->max_line = (size_t)max_line;
	fl_buf_init(&run->out, 6 * (size_t)max_line + 4096);
	if (first_file == argc)
		status |= parse_fd(run, STDIN_FILENO, "<stdin>");
	for (i = first_file; i < argc; i++)
		status |= parse_path(run, argv[i]);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "faultline parse: stdout: %s\n", strerror(errno));
		status = 1;
	}
	if (run->cut)
		fprintf(stderr,
			"faultline parse: %llu line(s) longer than %zu bytes were cut "
			"(%llu bytes skipped)\n",
			(unsigned long long)run->cut, run->max_line,
			(unsigned long long)run->bytes_skipped);
	if (want_stats)
		print_stats(run);
	fl_buf_free(&run->out);
	free(run);
	fl_tz_free(tz);
	return status;
}
