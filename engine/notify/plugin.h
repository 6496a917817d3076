/* plugin.h - the host side of the notification plugin ABI (plugins/fl_plugin.h).
 *
 * A struct fl_plugin is one configured plugin instance: the dlopen()ed object,
 * its checked API table and a private copy of its settings. Loading runs no
 * plugin function (only the object's constructors, which plugins must not
 * have); init, send and shutdown run in a worker process forked for each
 * attempt, in its own process group, under a time limit. The engine therefore
 * survives a plugin that crashes, hangs, leaks or calls exit(): that attempt
 * comes back as FL_SEND_RETRY with a reason, and the counters show it.
 *
 * Why a fork per attempt, not a long-lived worker per instance: a fresh child
 * inherits the message by copy-on-write (no wire format between host and
 * plugin), starts every attempt from a clean state (a plugin that leaked or
 * corrupted memory last time cannot poison this one), and needs no restart
 * logic. It costs one fork+exit per notification, measured in
 * bench/plugin.bench.sh at well under a millisecond, against deliveries that
 * take tens of milliseconds over SMTP or HTTP and are counted per incident,
 * not per event.
 *
 * Threads: one thread owns an instance (the outbox thread); send blocks that
 * thread for at most the time limit. Different instances are independent.
 * Forking a threaded engine copies only the calling thread: the worker runs
 * plugin code only (glibc's malloc is safe across fork), and should a library
 * lock held by another thread at fork time ever block it, the time limit
 * kills the worker and the attempt retries, the engine never waits on it.
 * dlopen() runs a plugin's ELF constructors in the engine itself: plugins
 * must not have any (ours do not), which is why loading is separate from
 * init. */
#ifndef FL_PLUGIN_HOST_H
#define FL_PLUGIN_HOST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"
#include "plugins/fl_plugin.h"

struct fl_plugin;

struct fl_plugin_stats {
	uint64_t attempts;             /* sends and checks started */
	uint64_t ok, retry, permanent; /* by outcome, whatever the cause */
	uint64_t crashed;              /* worker died without a result (signal or exit) */
	uint64_t timed_out;            /* worker killed at the time limit (even after a result) */
	uint64_t log_dropped; /* log lines beyond FL_PLUGIN_MAX_LOG_LINES or the byte cap */
};

/* Receives the plugin's log lines after each attempt, prefixed by nothing:
 * plugin is the instance's name. */
typedef void fl_plugin_log_fn(void *ctx, const char *plugin, enum fl_plugin_log_level level,
                              const char *msg);

/* Lifecycle. Loads DIR/NAME.so (NAME: [A-Za-z0-9_-], at most FL_PLUGIN_NAME_MAX
 * bytes, so a plan cannot name a path) and checks its ABI. Settings are copied.
 * Returns 0, -EINVAL (bad name or too many settings), -ENOENT (no such file),
 * -ENOEXEC (not a loadable plugin, wrong ABI or size) or -ENOMEM; on failure
 * err (err_len > 0) holds one line naming the file and the reason.
 * fl_plugin_unload() accepts NULL. */
FL_MUST_CHECK int fl_plugin_load(struct fl_plugin **out, const char *dir, const char *name,
                                 const struct fl_kv *settings, size_t n_settings, char *err,
                                 size_t err_len);
void fl_plugin_unload(struct fl_plugin *pl);

/* Operations. */
void fl_plugin_set_log(struct fl_plugin *pl, fl_plugin_log_fn *fn, void *ctx);

/* One delivery attempt in a worker, at most timeout_ms (1..FL_PLUGIN_TIMEOUT_MS_MAX,
 * 0 = FL_PLUGIN_TIMEOUT_MS_DEFAULT). A message the host finds malformed (no key,
 * no address) is FL_SEND_PERMANENT without a worker. err gets the reason for
 * anything but FL_SEND_OK. */
enum fl_send_result fl_plugin_send(struct fl_plugin *pl, const struct fl_message *msg,
                                   uint32_t timeout_ms, char *err, size_t err_len);

/* Runs init and shutdown in a worker: are the settings acceptable? Same
 * outcomes as fl_plugin_send (PERMANENT: the plugin rejected its settings). */
enum fl_send_result fl_plugin_check(struct fl_plugin *pl, uint32_t timeout_ms, char *err,
                                    size_t err_len);

/* The plugins/ directory beside the running binary, written into dir;
 * returns dir, or "plugins" (relative) when the binary's path is unknown. */
const char *fl_plugin_default_dir(char *dir, size_t size);

/* Queries. */
const char *fl_plugin_name(const struct fl_plugin *pl);
void fl_plugin_stats(const struct fl_plugin *pl, struct fl_plugin_stats *out);
const char *fl_send_result_name(enum fl_send_result r); /* "ok", "retry", "permanent" */

#endif /* FL_PLUGIN_HOST_H */
