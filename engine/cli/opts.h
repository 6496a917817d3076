/* opts.h - the command line of every faultline command, from one table.
 *
 * A command declares its options as a table of struct fl_opt (name, kind of
 * value, where it goes, help text) and hands argv to fl_opts_parse(). Every
 * command so gets the same behaviour: -h and --help, options anywhere among
 * the words (or before them, for commands that take file names), "--" ending
 * the options, an unknown option answered with the nearest known one, and
 * every number checked against its range and named with its unit.
 *
 * The parser never prints and never exits: it returns a value and leaves a
 * one-line message in the result; fl_opts_accept() turns that into the
 * command's usage and exit status, and only main() ends the process.
 * Strings stored are argv's own, borrowed for the life of argv. Any thread;
 * no state beyond the caller's. */
#ifndef FL_OPTS_H
#define FL_OPTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/lib/compiler.h"

#define FL_OPTS_ERR_BYTES 512
#define FL_OPTS_HELP 1 /* fl_opts_parse(): -h or --help was given */

enum fl_opt_kind {
	FL_OPT_FLAG,   /* no value; sets a bool */
	FL_OPT_STRING, /* one value, a const char *; given twice, the last wins */
	FL_OPT_LIST,   /* repeatable; each value goes to .each in command-line order */
	FL_OPT_UINT,   /* decimal digits in [min, max], stored in an integer field */
	FL_OPT_TIME,   /* YYYY-MM-DD[THH:MM[:SS]] with Z or +HH:MM, as int64_t ns */
};

/* What a number counts: named in its error message. */
enum fl_opt_unit {
	FL_OPT_COUNT, /* "not a number (1..1000000)" */
	FL_OPT_MS,    /* "not a number of milliseconds (0..3600000)" */
	FL_OPT_BYTES, /* "not a size in bytes (16..16777216)" */
	FL_OPT_YEAR,  /* "not a year (1900..2200)" */
};

/* A repeatable option's value, opt its row: 0, or a negative errno with a
 * message in err (without the "faultline CMD: " prefix; left empty: a
 * generic "bad value for OPT: 'VALUE'"). */
struct fl_opt;
typedef int (*fl_opt_each_fn)(void *ctx, const struct fl_opt *opt, const char *value, char *err,
			      size_t err_len);

struct fl_opt {
	const char *name; /* "--late", "-c" */
	enum fl_opt_kind kind;
	/* FLAG: bool *; STRING: const char **; TIME: int64_t *; UINT: an
	 * integer of dest_bytes (1, 2, 4 or 8) bytes, signed or not, that
	 * holds max; LIST: unused (the value goes to each) */
	void *dest;
	size_t dest_bytes;
	uint64_t min, max; /* UINT; LIST when max > 0: each value checked so first */
	enum fl_opt_unit unit;
	fl_opt_each_fn each; /* LIST */
	const char *arg;     /* the value in the help: "MS", "PATH" */
	const char *help;    /* one line */
	/* STRING: an address to listen on, given once on a command line. A
	 * second is refused, where other options take the last: "--udp
	 * 0.0.0.0:514 --udp [::]:514" asks for two sockets, and one input
	 * has one. */
	bool is_listen_addr;
};

/* Table rows. The pointer types are checked: a flag must point at a bool. */
#define FL_OPT_FLAG_ROW(nm, ptr, hlp)                                                    \
	{.name = (nm), .kind = FL_OPT_FLAG, .dest = (void *)(1 ? (ptr) : (bool *)0), .help = (hlp)}
#define FL_OPT_STRING_ROW(nm, ptr, argname, hlp)                                         \
	{.name = (nm), .kind = FL_OPT_STRING, .dest = (void *)(1 ? (ptr) : (const char **)0), \
	 .arg = (argname), .help = (hlp)}
#define FL_OPT_LISTEN_ROW(nm, ptr, hlp)                                                  \
	{.name = (nm), .kind = FL_OPT_STRING, .dest = (void *)(1 ? (ptr) : (const char **)0), \
	 .arg = "ADDR", .help = (hlp), .is_listen_addr = true}
#define FL_OPT_LIST_ROW(nm, fn, argname, hlp)                                            \
	{.name = (nm), .kind = FL_OPT_LIST, .each = (fn), .arg = (argname), .help = (hlp)}
#define FL_OPT_LIST_UINT_ROW(nm, fn, lo, hi, u, argname, hlp)                           \
	{.name = (nm), .kind = FL_OPT_LIST, .each = (fn), .min = (lo), .max = (hi), .unit = (u), \
	 .arg = (argname), .help = (hlp)}
#define FL_OPT_UINT_ROW(nm, ptr, lo, hi, u, argname, hlp)                                \
	{.name = (nm), .kind = FL_OPT_UINT, .dest = (void *)(ptr), .dest_bytes = sizeof(*(ptr)), \
	 .min = (lo), .max = (hi), .unit = (u), .arg = (argname), .help = (hlp)}
#define FL_OPT_TIME_ROW(nm, ptr, hlp)                                                    \
	{.name = (nm), .kind = FL_OPT_TIME, .dest = (void *)(1 ? (ptr) : (int64_t *)0),     \
	 .arg = "TIME", .help = (hlp)}

struct fl_opts_cmd {
	const char *name; /* in messages: "faultline NAME: ..." */
	const struct fl_opt *opts;
	size_t n_opts;
	size_t max_words;     /* words (not options) taken; SIZE_MAX: any number */
	bool is_posix;        /* the first word ends the options (file lists) */
	void (*usage)(FILE *out); /* synopsis and prose; the options are listed after */
};

struct fl_opts_result {
	char **words; /* the words, in order: argv[1..], compacted in place */
	size_t n_words;
	char err[FL_OPTS_ERR_BYTES]; /* "faultline CMD: why", when parsing failed */
};

/* Parses argv[1..argc) (argv[0] is the command's name) by cmd's table,
 * storing each value where its row says; ctx goes to the LIST callbacks.
 * Reorders argv: the words end up in argv[1..1 + n_words).
 * Returns 0; FL_OPTS_HELP at -h or --help (nothing after it is looked at);
 * -EINVAL (an unknown option, a missing or bad value, a word too many) or a
 * callback's error, with res->err set. Values stored before an error stay. */
FL_MUST_CHECK int fl_opts_parse(const struct fl_opts_cmd *cmd, int argc, char **argv, void *ctx,
				struct fl_opts_result *res);

/* fl_opts_parse(), answering what it can: at --help the usage on stdout, at
 * an error its line on stderr (the caller adds what it likes). Returns what
 * fl_opts_parse() returned. */
FL_MUST_CHECK int fl_opts_say(const struct fl_opts_cmd *cmd, int argc, char **argv, void *ctx,
			      struct fl_opts_result *res);

/* fl_opts_parse(), then what ends a command early: at --help the usage on
 * stdout and *status 0; at an error its line and the usage on stderr and
 * *status 2. Returns true when the command goes on (*status untouched). */
FL_MUST_CHECK bool fl_opts_accept(const struct fl_opts_cmd *cmd, int argc, char **argv,
				  void *ctx, struct fl_opts_result *res, int *status);

/* Takes one option of cmd's table by name with its value (NULL for a
 * flag), as the command line would: what a config file sets. Returns 0,
 * -ENOENT when the table has no such option, or the value's error (-EINVAL
 * or a callback's), with res->err set. */
FL_MUST_CHECK int fl_opts_take(const struct fl_opts_cmd *cmd, const char *name, const char *value,
			       void *ctx, struct fl_opts_result *res);

/* Whether argv[1..argc) gives option name, read as fl_opts_parse() reads it
 * (a value is never taken for an option; nothing stored, argv untouched).
 * -h and --help are found too. With prefix, only a value that starts with
 * it counts. *value (may be NULL) gets the last value found; a flag's is "". */
bool fl_opts_given(const struct fl_opts_cmd *cmd, int argc, char *const *argv, const char *name,
		   const char *prefix, const char **value);

/* cmd->usage(out), then one line per option of the table and -h/--help. */
void fl_opts_usage(const struct fl_opts_cmd *cmd, FILE *out);

/* Checks decimal text against [min, max]: 0 and *out, or -EINVAL (not
 * digits, or out of range, overflow included). No sign, no spaces. */
FL_MUST_CHECK int fl_opts_uint(const char *text, uint64_t min, uint64_t max, uint64_t *out);

#endif /* FL_OPTS_H */
