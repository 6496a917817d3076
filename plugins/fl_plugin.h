/* fl_plugin.h - the notification plugin ABI, version 1.
 *
 * A plugin is a shared object exporting exactly one symbol, fl_plugin_entry: a
 * const struct fl_plugin_api. The host dlopen()s it, checks abi_major and size,
 * and calls init/send/shutdown. Everything else in the object stays hidden
 * (build with -fvisibility=hidden). A plugin reaches the daemon only through
 * the struct fl_host_api handed to init (logging, clocks).
 *
 * Isolation: the host runs init, send and shutdown in a worker process forked
 * for the delivery, under a time limit. A plugin that crashes, hangs or leaks
 * only ends its own worker; the host reports that attempt as FL_SEND_RETRY.
 * A plugin may therefore block in send(), but must honour its own timeouts so
 * it can tell the host *why* an attempt failed before the host gives up.
 *
 * Compatibility (SQLite's sqlite3_io_methods rule): members of every struct
 * here are only ever appended. abi_major changes only when that rule is
 * broken. Each struct carries its own size, so the reader checks that the
 * size covers a member before touching it (FL_PLUGIN_HAS()).
 *
 * Strings: every string the host passes is UTF-8, NUL-terminated and borrowed
 * for the duration of the call; a plugin copies what it keeps. Event text
 * reaches plugins unfiltered: subject, body, names and fields may hold any
 * character, including CR, LF and other controls. Each plugin is responsible
 * for encoding them for its channel (headers, URLs, environment). */
#ifndef FL_PLUGIN_H
#define FL_PLUGIN_H
#include <stddef.h>
#include <stdint.h>

#define FL_PLUGIN_ABI_MAJOR 1u
#define FL_PLUGIN_ENTRY_SYMBOL "fl_plugin_entry"

/* Marks the one symbol a plugin exports. */
#define FL_PLUGIN_EXPORT __attribute__((visibility("default")))

/* Does a struct whose leading `size` member says s->size bytes include member m? */
#define FL_PLUGIN_HAS(s, type, m) ((s)->size >= offsetof(type, m) + sizeof(((type *)0)->m))

/* The outcome of one delivery attempt. The outbox retries FL_SEND_RETRY with
 * backoff and gives up on FL_SEND_PERMANENT at once (and escalates). */
enum fl_send_result {
	FL_SEND_OK = 0,        /* accepted by the next hop (SMTP server, gateway, receiver) */
	FL_SEND_RETRY = 1,     /* may succeed later: server down, timeout, 5xx, 4xx SMTP */
	FL_SEND_PERMANENT = 2, /* will never succeed as is: bad address, rejected, bad settings */
};

/* Log levels for fl_host_api.log, syslog's numbering. */
enum fl_plugin_log_level {
	FL_PLUGIN_LOG_ERR = 3,
	FL_PLUGIN_LOG_WARNING = 4,
	FL_PLUGIN_LOG_INFO = 6,
	FL_PLUGIN_LOG_DEBUG = 7,
};

/* A setting from the plan (`notify sms { gateway "http://..."; }`) or a message
 * field. A key may repeat; order is the plan's order. */
struct fl_kv {
	const char *key;
	const char *value;
};

struct fl_recipient {
	const char *name;    /* display name, may be empty, never NULL */
	const char *address; /* phone number, e-mail address or URL, per channel */
};

/* One notification to deliver. The same idempotency_key is passed on every
 * retry of the same notification: plugins hand it to peers that deduplicate
 * (Message-ID, Idempotency-Key header, the JSON line) so a retry after a lost
 * reply never pages anyone twice downstream. */
struct fl_message {
	uint32_t size;               /* sizeof(struct fl_message) as the host knows it */
	const char *idempotency_key; /* [A-Za-z0-9._:@-], 1..128 bytes, never NULL */
	const char *channel;         /* the plan's channel name: "sms", "email", ... */
	struct fl_recipient to;
	const char *subject;       /* one line of text, may be empty */
	const char *body;          /* UTF-8 text, may hold newlines */
	const char *incident_json; /* the incident as one JSON document, never NULL */
	size_t incident_json_len;
	const struct fl_kv *fields; /* extra key/value data from the plan */
	size_t n_fields;
};

/* What the host offers a plugin. Valid from init until shutdown returns. */
struct fl_host_api {
	uint32_t abi_major;
	uint32_t size; /* sizeof(struct fl_host_api) as the host knows it */
	void *ctx;     /* pass back as the first argument */
	/* One line of text; the host adds the plugin's name and keeps at most
	 * FL_PLUGIN_MAX_LOG_LINES per attempt (engine/lib/limits.h). */
	void (*log)(void *ctx, enum fl_plugin_log_level level, const char *msg);
	int64_t (*now_ns)(void *ctx);       /* CLOCK_REALTIME, ns since the epoch */
	int64_t (*monotonic_ns)(void *ctx); /* CLOCK_MONOTONIC, for deadlines */
	/* Methods above are valid for abi_major 1, size >= FL_HOST_API_V1_SIZE. */
};
#define FL_HOST_API_V1_SIZE (offsetof(struct fl_host_api, monotonic_ns) + sizeof(void *))

/* The plugin's table. err/err_len: a buffer for one line saying why a call
 * failed, always NUL-terminated by the host before the call. */
struct fl_plugin_api {
	uint32_t abi_major; /* FL_PLUGIN_ABI_MAJOR the plugin was built against */
	uint32_t size;      /* sizeof(struct fl_plugin_api) the plugin was built with */
	const char *name;
	const char *version;
	/* Checks and keeps the settings. Returns 0 and sets *state, or a negative
	 * errno: -EINVAL for bad settings (a permanent failure: the plan is
	 * wrong), anything else is treated as retryable. */
	int (*init)(void **state, const struct fl_kv *settings, size_t n_settings,
	            const struct fl_host_api *host, char *err, size_t err_len);
	/* Delivers one message; on failure writes the reason into err. */
	enum fl_send_result (*send)(void *state, const struct fl_message *msg, char *err,
	                            size_t err_len);
	/* Releases state. Called once after a successful init. */
	void (*shutdown)(void *state);
	/* Members above are valid for abi_major 1, size >= FL_PLUGIN_API_V1_SIZE. */
};
#define FL_PLUGIN_API_V1_SIZE (offsetof(struct fl_plugin_api, shutdown) + sizeof(void *))

#endif /* FL_PLUGIN_H */
