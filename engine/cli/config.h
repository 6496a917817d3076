/* config.h - the configuration file of `faultline run` and `faultline listen`.
 *
 * A config file is the command line written down, so a service starts with
 * `faultline run -C /etc/faultline/faultline.conf` and keeps its secrets out
 * of argv. Its syntax is INI-like (docs/config.md, faultline.conf(5)):
 *
 *   # a comment
 *   [inputs]
 *   udp = 0.0.0.0:514
 *   allow = udp=10.0.0.0/8        # a list: one line per value
 *   [route sms]
 *   plugin = sms
 *   password_file = /etc/faultline/secrets/sms-password
 *
 * Each known key stands for one option of the command (udp for --udp, path
 * in [store] for --db); each [route CHANNEL] is --route CHANNEL=PLUGIN with
 * one --set CHANNEL.KEY=VALUE per other key. Any key may instead be given as
 * KEY_file (the value is the first line of that file) or KEY_env (the value
 * of that environment variable): a secret then reaches the plugin without
 * ever being in argv, /proc/PID/cmdline or a diagnostic.
 *
 * The file is read first and the command line overrides it: an option given
 * on the command line replaces the file's value; for the repeatable ones
 * (--allow, --community) the command line's values replace all of the
 * file's; a --route on the command line replaces the file's route of that
 * channel with its settings, and a --set replaces one setting.
 *
 * Every mistake is reported as the plan's are, at file:line:col with the
 * line and a caret (grammar/diag.h), all of them in one run. A config
 * belongs to the command that loaded it and holds the strings the option
 * table borrows: destroy it only when the command is done. Main thread. */
#ifndef FL_CONFIG_H
#define FL_CONFIG_H
#include <stdbool.h>
#include <stddef.h>

#include "engine/cli/opts.h"
#include "engine/lib/compiler.h"
#include "grammar/diag.h"

#define FL_CONFIG_DEFAULT_PATH "/etc/faultline/faultline.conf"
#define FL_CONFIG_MAX_BYTES (1024 * 1024) /* a config file larger is refused */
#define FL_CONFIG_MAX_SECRET_BYTES 4096	  /* a KEY_file larger is refused */
#define FL_CONFIG_MAX_ENTRIES 4096

/* One "key = value" of the file, secrets resolved. Its locations point
 * into the text the diagnostic list holds: valid while that list lives. */
struct fl_config_entry {
	const char *section; /* "inputs", "route", ... */
	const char *arg;     /* "sms" in [route sms]; NULL when the header has none */
	const char *key;     /* "password" for password_file too */
	const char *value;   /* the value, or the secret read for KEY_file/KEY_env */
	bool is_secret;	     /* from KEY_file or KEY_env: never printed */
	struct fl_loc key_loc, value_loc, section_loc;
};

struct fl_config;

/* Lifecycle. parse: reads text (name in the diagnostics), checks every
 * section and key against the table of known ones and reads the secrets.
 * Returns 0 with *out set, -EINVAL after reporting every mistake to d, or
 * -ENOMEM. load: parse() of the file at path; -ENOENT or another negative
 * errno when it cannot be read (reported to d), -EFBIG past
 * FL_CONFIG_MAX_BYTES. destroy: accepts NULL; wipes the secrets. */
FL_MUST_CHECK int fl_config_parse(struct fl_config **out, const char *name, const char *text,
				  size_t len, struct fl_diags *d);
FL_MUST_CHECK int fl_config_load(struct fl_config **out, const char *path, struct fl_diags *d);
void fl_config_destroy(struct fl_config *c);

/* Queries: the entries in the file's order. */
size_t fl_config_count(const struct fl_config *c);
const struct fl_config_entry *fl_config_entry(const struct fl_config *c, size_t i);

/* Operations. apply: hands each entry that cmd takes to cmd's option table
 * (fl_opts_take()) as though it came before argv, leaving out what argv
 * overrides (see above); ctx goes to the table's callbacks. An entry of a
 * key cmd does not read ([plan] for listen) is left alone. Returns 0, or
 * -EINVAL after reporting each refused value to d at its place. */
FL_MUST_CHECK int fl_config_apply(const struct fl_config *c, const struct fl_opts_cmd *cmd,
				  int argc, char **argv, void *ctx, struct fl_diags *d);

/* What run and listen call before fl_opts_accept(): finds -C FILE or
 * --no-config in argv (cmd's table must have the rows of FL_CONFIG_ROWS),
 * loads FILE or else FL_CONFIG_DEFAULT_PATH when it exists, and applies it.
 * Nothing is read at -h/--help. Returns true to go on, with *out the config
 * (NULL when there is none) for the caller to destroy when done; false
 * after printing the diagnostics, with *status 2. */
FL_MUST_CHECK bool fl_config_prepare(struct fl_config **out, const struct fl_opts_cmd *cmd,
				     int argc, char **argv, void *ctx, int *status);

/* The option rows a command that reads the config adds to its table. */
#define FL_CONFIG_ROWS(path_ptr, off_ptr)                                                 \
	FL_OPT_STRING_ROW("-C", (path_ptr), "FILE",                                        \
			  "read this config file (default " FL_CONFIG_DEFAULT_PATH ")"),    \
	FL_OPT_FLAG_ROW("--no-config", (off_ptr), "read no config file")

#endif /* FL_CONFIG_H */
