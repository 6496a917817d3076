#include "engine/cli/opts.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "engine/lib/utf8.h"
#include "engine/store/store_time.h"

#define HELP_COLUMN 24 /* where an option's help text starts */
#define MAX_SUGGEST_NAMES 64

static const char *const unit_text[] = {
	[FL_OPT_COUNT] = "a number",
	[FL_OPT_MS] = "a number of milliseconds",
	[FL_OPT_BYTES] = "a size in bytes",
	[FL_OPT_YEAR] = "a year",
};

__attribute__((format(printf, 3, 4))) static int fail(const struct fl_opts_cmd *cmd,
						      struct fl_opts_result *res, const char *fmt,
						      ...)
{
	va_list ap;
	int n = snprintf(res->err, sizeof(res->err), "faultline %s: ", cmd->name);

	if (n < 0 || (size_t)n >= sizeof(res->err))
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(res->err + n, sizeof(res->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int fl_opts_uint(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!text[0])
		return -EINVAL;
	for (const char *p = text; *p; p++) {
		uint64_t d = (uint64_t)(*p - '0');

		if (*p < '0' || *p > '9' || d > max || v > (max - d) / 10)
			return -EINVAL; /* checked against max, so no overflow either */
		v = v * 10 + d;
	}
	if (v < min)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Stores v (already within the row's max) in an integer of dest_bytes. */
static void store_uint(const struct fl_opt *o, uint64_t v)
{
	switch (o->dest_bytes) {
	case 1: {
		uint8_t x = (uint8_t)v;
		memcpy(o->dest, &x, 1);
		break;
	}
	case 2: {
		uint16_t x = (uint16_t)v;
		memcpy(o->dest, &x, 2);
		break;
	}
	case 4: {
		uint32_t x = (uint32_t)v;
		memcpy(o->dest, &x, 4);
		break;
	}
	default:
		memcpy(o->dest, &v, 8);
		break;
	}
}

static const struct fl_opt *find(const struct fl_opts_cmd *cmd, const char *name)
{
	for (size_t i = 0; i < cmd->n_opts; i++)
		if (strcmp(cmd->opts[i].name, name) == 0)
			return &cmd->opts[i];
	return NULL;
}

static int unknown(const struct fl_opts_cmd *cmd, struct fl_opts_result *res, const char *arg)
{
	const char *names[MAX_SUGGEST_NAMES + 1];
	size_t n = 0;
	const char *hint;

	names[n++] = "--help";
	for (size_t i = 0; i < cmd->n_opts && n <= MAX_SUGGEST_NAMES; i++)
		names[n++] = cmd->opts[i].name;
	hint = fl_utf8_suggest(arg, names, n);
	if (hint)
		return fail(cmd, res, "unknown option '%s'; did you mean '%s'?", arg, hint);
	return fail(cmd, res, "unknown option '%s'", arg);
}

static int bad_number(const struct fl_opts_cmd *cmd, const struct fl_opt *o, const char *val,
		      struct fl_opts_result *res)
{
	return fail(cmd, res, "%s %s: not %s (%llu..%llu)", o->name, val, unit_text[o->unit],
		    (unsigned long long)o->min, (unsigned long long)o->max);
}

/* One option and its value (NULL for a flag). */
static int take(const struct fl_opts_cmd *cmd, const struct fl_opt *o, const char *val,
		void *ctx, struct fl_opts_result *res)
{
	char why[FL_OPTS_ERR_BYTES] = "";
	uint64_t v;
	int rc;

	switch (o->kind) {
	case FL_OPT_FLAG:
		*(bool *)o->dest = true;
		return 0;
	case FL_OPT_STRING:
		*(const char **)o->dest = val;
		return 0;
	case FL_OPT_UINT:
		if (fl_opts_uint(val, o->min, o->max, &v) < 0)
			return bad_number(cmd, o, val, res);
		store_uint(o, v);
		return 0;
	case FL_OPT_TIME:
		if (fl_time_parse(val, (int64_t *)o->dest) < 0)
			return fail(cmd, res,
				    "%s %s: not a time (YYYY-MM-DD[THH:MM[:SS]], Z or +HH:MM)",
				    o->name, val);
		return 0;
	case FL_OPT_LIST:
		if (o->max > 0 && fl_opts_uint(val, o->min, o->max, &v) < 0)
			return bad_number(cmd, o, val, res);
		rc = o->each(ctx, o, val, why, sizeof(why));
		if (rc >= 0)
			return 0;
		if (rc == -ENOMEM)
			fail(cmd, res, "out of memory");
		else if (why[0])
			fail(cmd, res, "%s", why);
		else
			fail(cmd, res, "bad value for %s: '%s'", o->name, val);
		return rc;
	}
	return fail(cmd, res, "%s: no such kind of option", o->name); /* never */
}

/* Has listen address option o (at argv[at]) been given before? */
static int given_twice(const struct fl_opts_cmd *cmd, int argc, char **argv, int at,
		       const struct fl_opt *o, struct fl_opts_result *res)
{
	bool options_over = false;

	for (int i = 1; i < at; i++) {
		const struct fl_opt *x;

		if (options_over || argv[i][0] != '-' || argv[i][1] == '\0') {
			options_over |= cmd->is_posix;
			continue;
		}
		if (strcmp(argv[i], "--") == 0)
			break;
		x = find(cmd, argv[i]);
		if (x && x->kind != FL_OPT_FLAG)
			i++;
		if (x == o)
			return fail(cmd, res,
				    "%s given twice ('%s', then '%s'): an input listens on one "
				    "address ('[::]:PORT' takes IPv4 senders too)",
				    o->name, i < argc ? argv[i] : "", argv[at + 1]);
	}
	return 0;
}

int fl_opts_parse(const struct fl_opts_cmd *cmd, int argc, char **argv, void *ctx,
		  struct fl_opts_result *res)
{
	bool options_over = false;
	int rc;

	res->err[0] = '\0';
	res->words = argv + 1;
	res->n_words = 0;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const struct fl_opt *o;

		if (options_over || arg[0] != '-' || arg[1] == '\0') { /* "-" is stdin */
			if (res->n_words >= cmd->max_words)
				return fail(cmd, res, "unexpected argument '%s'", arg);
			/* slot 1 + n_words was read already: options keep no slot */
			argv[1 + res->n_words++] = argv[i];
			options_over |= cmd->is_posix;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			options_over = true;
			continue;
		}
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
			return FL_OPTS_HELP;
		o = find(cmd, arg);
		if (!o)
			return unknown(cmd, res, arg);
		if (o->kind != FL_OPT_FLAG && i + 1 >= argc)
			return fail(cmd, res, "%s needs a value", arg);
		if (o->is_listen_addr && (rc = given_twice(cmd, argc, argv, i, o, res)) < 0)
			return rc;
		rc = take(cmd, o, o->kind == FL_OPT_FLAG ? NULL : argv[++i], ctx, res);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int fl_opts_take(const struct fl_opts_cmd *cmd, const char *name, const char *value, void *ctx,
		 struct fl_opts_result *res)
{
	const struct fl_opt *o = find(cmd, name);

	res->err[0] = '\0';
	if (!o) {
		fail(cmd, res, "no option %s", name);
		return -ENOENT;
	}
	if (o->kind != FL_OPT_FLAG && !value)
		return fail(cmd, res, "%s needs a value", name);
	return take(cmd, o, o->kind == FL_OPT_FLAG ? NULL : value, ctx, res);
}

bool fl_opts_given(const struct fl_opts_cmd *cmd, int argc, char *const *argv, const char *name,
		   const char *prefix, const char **value)
{
	bool options_over = false, found = false;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = "";
		const struct fl_opt *o;

		if (options_over || arg[0] != '-' || arg[1] == '\0') {
			options_over |= cmd->is_posix;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			options_over = true;
			continue;
		}
		o = find(cmd, arg);
		if (o && o->kind != FL_OPT_FLAG) {
			if (i + 1 >= argc)
				break; /* "needs a value": fl_opts_parse() says so */
			val = argv[++i];
		}
		if (strcmp(arg, name) != 0 || (prefix && strncmp(val, prefix, strlen(prefix)) != 0))
			continue;
		found = true;
		if (value)
			*value = val;
	}
	return found;
}

int fl_opts_say(const struct fl_opts_cmd *cmd, int argc, char **argv, void *ctx,
		struct fl_opts_result *res)
{
	int rc = fl_opts_parse(cmd, argc, argv, ctx, res);

	if (rc == FL_OPTS_HELP)
		fl_opts_usage(cmd, stdout);
	else if (rc < 0)
		fprintf(stderr, "%s\n", res->err);
	return rc;
}

bool fl_opts_accept(const struct fl_opts_cmd *cmd, int argc, char **argv, void *ctx,
		    struct fl_opts_result *res, int *status)
{
	int rc = fl_opts_say(cmd, argc, argv, ctx, res);

	if (rc == 0)
		return true;
	if (rc < 0)
		fl_opts_usage(cmd, stderr);
	*status = rc == FL_OPTS_HELP ? 0 : 2;
	return false;
}

static void usage_line(FILE *out, const char *name, const char *arg, const char *help)
{
	int n = fprintf(out, "  %s%s%s", name, arg ? " " : "", arg ? arg : "");

	if (n < 0)
		return;
	if (n >= HELP_COLUMN)
		fprintf(out, "\n%*s", HELP_COLUMN, "");
	else
		fprintf(out, "%*s", HELP_COLUMN - n, "");
	fprintf(out, "%s\n", help ? help : "");
}

void fl_opts_usage(const struct fl_opts_cmd *cmd, FILE *out)
{
	if (cmd->usage)
		cmd->usage(out);
	fprintf(out, "\noptions:\n");
	for (size_t i = 0; i < cmd->n_opts; i++) {
		const struct fl_opt *o = &cmd->opts[i];

		if (o->kind == FL_OPT_UINT || (o->kind == FL_OPT_LIST && o->max > 0)) {
			char help[256];

			snprintf(help, sizeof(help), "%s (%llu..%llu)", o->help ? o->help : "",
				 (unsigned long long)o->min, (unsigned long long)o->max);
			usage_line(out, o->name, o->arg, help);
		} else {
			usage_line(out, o->name, o->arg, o->help);
		}
	}
	usage_line(out, "-h, --help", NULL, "print this help and exit");
}
