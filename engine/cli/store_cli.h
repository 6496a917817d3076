/* store_cli.h - what the store's commands (tickets, maintenance, report,
 * outbox) share: opening the database named by --db with a message a duty
 * operator can act on, the wall clock, and aligned tables for people.
 * Any thread; nothing here keeps state. */
#ifndef FL_STORE_CLI_H
#define FL_STORE_CLI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/cli/opts.h"
#include "engine/lib/compiler.h"
#include "engine/lib/limits.h"
#include "engine/notify/deliver.h"

struct fl_store;

/* Opens path (NULL: FL_STORE_DEFAULT_PATH). On failure prints
 * "faultline CMD: cannot open PATH: why" to stderr and returns NULL. */
struct fl_store *fl_cli_store_open(const char *cmd, const char *path);
/* The same for the commands that read or change what is in a store
 * (tickets, report, maintenance): unless may_create (their --create), a
 * file that is not there is refused with "faultline CMD: no store at PATH
 * ..." rather than made into an empty one that shows no tickets. */
struct fl_store *fl_cli_store_open_existing(const char *cmd, const char *path, bool may_create);

/* CLOCK_REALTIME in ns since the epoch. */
int64_t fl_cli_now_ns(void);

/* Prints s (NULL prints "-") padded with spaces to width columns, as
 * fl_utf8_width() counts them. */
void fl_cli_cell(FILE *out, const char *s, size_t width);

/* A duration for people: "45s", "12m", "2h05m", "3d04h". Negative values
 * print as their absolute value. */
void fl_cli_duration(char *buf, size_t len, int64_t ns);

/* The options of `faultline outbox` that `run` and `replay` take too, as rows
 * of their option tables; fn is the command's LIST callback, which hands the
 * value to fl_cli_delivery_option() with the command's delivery config. */
#define FL_CLI_DELIVERY_ROWS(fn)                                                            \
	FL_OPT_LIST_ROW("--plugin-dir", fn, "DIR", "as `faultline outbox`"),                  \
	FL_OPT_LIST_ROW("--route", fn, "CHANNEL=PLUGIN", "as `faultline outbox`"),            \
	FL_OPT_LIST_ROW("--set", fn, "CHANNEL.KEY=VALUE", "as `faultline outbox`"),           \
	FL_OPT_LIST_UINT_ROW("--timeout-ms", fn, 1, FL_PLUGIN_TIMEOUT_MS_MAX, FL_OPT_MS, "N", \
			     "as `faultline outbox`"),                                         \
	FL_OPT_LIST_UINT_ROW("--backoff-ms", fn, 1, FL_DELIVER_BACKOFF_MS_MAX, FL_OPT_MS, "N", \
			     "as `faultline outbox`"),                                         \
	FL_OPT_LIST_UINT_ROW("--backoff-max-ms", fn, 1, FL_DELIVER_BACKOFF_MS_MAX, FL_OPT_MS,  \
			     "N", "as `faultline outbox`"),                                    \
	FL_OPT_LIST_UINT_ROW("--poll-ms", fn, 1, FL_DELIVER_POLL_MS_MAX, FL_OPT_MS, "N",       \
			     "as `faultline outbox`")

/* One of those options into d: 0, or fl_deliver_config_option()'s error
 * with err saying why when the parser's own message would not (a --set
 * before its --route). */
int fl_cli_delivery_option(struct fl_deliver_config *d, const struct fl_opt *opt, const char *val,
			   char *err, size_t err_len);

#endif /* FL_STORE_CLI_H */
