/* cmd_notify.c - `faultline notify`: one delivery through one plugin, by hand.
 *
 * Drives the same host code the outbox uses (engine/notify/plugin.c): the plugin is
 * loaded from a directory, the message is delivered in an isolated worker
 * under a time limit, and the outcome becomes the exit status: 0 delivered,
 * 75 (EX_TEMPFAIL) retryable, 1 permanent, 2 usage. One line on stderr says
 * why anything but 0. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/lib/buf.h"
#include "engine/lib/compiler.h"
#include "engine/cli/cli.h"
#include "engine/cli/opts.h"
#include "engine/lib/json.h"
#include "engine/lib/limits.h"
#include "engine/lib/notice_key.h"
#include "engine/notify/notify_util.h"
#include "engine/notify/plugin.h"

#define EXIT_TEMPFAIL 75
#define NOTIFY_JSON_MAX (1024 * 1024) /* --json FILE: an incident document */

struct notify_args {
	const char *plugin_dir, *plugin, *to, *name, *subject, *body, *json_file, *key, *channel;
	uint32_t timeout_ms;
	bool check_only;
	struct fl_kv settings[FL_PLUGIN_MAX_SETTINGS];
	size_t n_settings;
	struct fl_kv fields[FL_PLUGIN_MAX_SETTINGS];
	size_t n_fields;
};

static void notify_usage(FILE *out)
{
	fprintf(out,
	        "usage: faultline notify [--plugin-dir DIR] --plugin NAME [--set KEY=VALUE ...]\n"
	        "         --to ADDRESS [--name NAME] [--subject S] --body TEXT [--json FILE]\n"
	        "         [--key IDEMPOTENCY_KEY] [--field KEY=VALUE ...] [--channel C]\n"
	        "         [--timeout-ms N]\n"
	        "       faultline notify [--plugin-dir DIR] --plugin NAME [--set ...] --check\n"
	        "Delivers one message through plugin NAME (DIR/NAME.so; default DIR: the\n"
	        "plugins/ directory beside the faultline binary). --check only runs the\n"
	        "plugin's init on the settings and reports whether it accepts them.\n"
	        "exit status: 0 delivered, 75 retryable failure, 1 permanent failure, 2 usage\n");
}

/* Splits "KEY=VALUE" into a kv whose strings are new allocations. */
static int add_kv(struct fl_kv *kv, size_t *n, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *key, *value;

	if (!eq || eq == arg || *n >= FL_PLUGIN_MAX_SETTINGS)
		return -EINVAL;
	key = strndup(arg, (size_t)(eq - arg));
	value = strdup(eq + 1);
	if (!key || !value) {
		free(key);
		free(value);
		return -ENOMEM;
	}
	kv[*n].key = key;
	kv[*n].value = value;
	(*n)++;
	return 0;
}

static void free_kvs(struct fl_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)kv[i].key); /* allocated by add_kv() */
		free((char *)kv[i].value);
	}
}

static int add_setting(void *ctx, const struct fl_opt *opt, const char *val, char *err, size_t err_len)
{
	(void)opt;
	struct notify_args *a = ctx;

	(void)err, (void)err_len; /* the parser's "bad value for --set" says it */
	return add_kv(a->settings, &a->n_settings, val);
}

static int add_field(void *ctx, const struct fl_opt *opt, const char *val, char *err, size_t err_len)
{
	(void)opt;
	struct notify_args *a = ctx;

	(void)err, (void)err_len;
	return add_kv(a->fields, &a->n_fields, val);
}

/* Returns 0 to go on, FL_OPTS_HELP (usage printed), or -EINVAL after
 * printing why (the caller prints the usage). */
static int parse_args(struct notify_args *a, int argc, char **argv)
{
	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("--plugin-dir", &a->plugin_dir, "DIR", "where NAME.so is"),
		FL_OPT_STRING_ROW("--plugin", &a->plugin, "NAME", "the plugin"),
		FL_OPT_LIST_ROW("--set", add_setting, "KEY=VALUE", "a plugin setting"),
		FL_OPT_STRING_ROW("--to", &a->to, "ADDRESS", "the recipient"),
		FL_OPT_STRING_ROW("--name", &a->name, "NAME", "the recipient's name"),
		FL_OPT_STRING_ROW("--subject", &a->subject, "S", "the subject"),
		FL_OPT_STRING_ROW("--body", &a->body, "TEXT", "the message"),
		FL_OPT_STRING_ROW("--json", &a->json_file, "FILE", "an incident document"),
		FL_OPT_STRING_ROW("--key", &a->key, "IDEMPOTENCY_KEY", "the delivery's key"),
		FL_OPT_LIST_ROW("--field", add_field, "KEY=VALUE", "a field of the message"),
		FL_OPT_STRING_ROW("--channel", &a->channel, "C", "the channel (default NAME)"),
		FL_OPT_UINT_ROW("--timeout-ms", &a->timeout_ms, 1, FL_PLUGIN_TIMEOUT_MS_MAX, FL_OPT_MS,
				"N", "time limit of the delivery"),
		FL_OPT_FLAG_ROW("--check", &a->check_only, "only check the settings"),
	};
	const struct fl_opts_cmd cmd = {"notify", opts, FL_ARRAY_LEN(opts), 0, false,
					notify_usage};
	struct fl_opts_result res;
	int rc = fl_opts_say(&cmd, argc, argv, a, &res);

	if (rc != 0)
		return rc;
	if (a->check_only && a->plugin)
		return 0;
	if (!a->plugin || !a->to || !a->body) {
		fprintf(stderr, "faultline notify: --plugin, --to and --body are required\n");
		return -EINVAL;
	}
	return 0;
}

/* A key that stays the same when the same command is run again, so a retry
 * by hand deduplicates like a retry by the outbox: FNV-1a over the content. */
static void default_key(char *key, size_t size, const struct notify_args *a)
{
	const char *parts[] = {a->plugin, a->to, a->subject, a->body};
	uint64_t h = 0xcbf29ce484222325u;

	for (size_t i = 0; i < FL_ARRAY_LEN(parts); i++) {
		for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++)
			h = (h ^ *p) * 0x100000001b3u;
		h = (h ^ 0xff) * 0x100000001b3u; /* separator: "ab","c" != "a","bc" */
	}
	snprintf(key, size, "cli-%016llx", (unsigned long long)h);
}

static int read_json_file(struct fl_buf *out, const char *path)
{
	struct fl_buf raw;
	char chunk[4096];
	size_t n;
	FILE *f;
	int rc = 0;

	f = fopen(path, "rb");
	if (!f)
		return -errno;
	fl_buf_init(&raw, NOTIFY_JSON_MAX);
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = fl_buf_add(&raw, chunk, n);
	if (rc == 0 && ferror(f))
		rc = -EIO;
	fclose(f);
	if (rc == 0)
		rc = fl_json_compact(out, raw.p ? raw.p : "", raw.len);
	fl_buf_free(&raw);
	return rc;
}

/* Without --json the incident document describes the message itself. */
static int default_json(struct fl_buf *out, const struct notify_args *a, const char *key)
{
	struct fl_json j;

	fl_json_init(&j, out);
	fl_json_obj_begin(&j);
	fl_json_key(&j, "key");
	fl_json_cstr(&j, key);
	fl_json_key(&j, "channel");
	fl_json_cstr(&j, a->channel);
	fl_json_key(&j, "to");
	fl_json_obj_begin(&j);
	fl_json_key(&j, "name");
	fl_json_cstr(&j, a->name);
	fl_json_key(&j, "address");
	fl_json_cstr(&j, a->to);
	fl_json_obj_end(&j);
	fl_json_key(&j, "subject");
	fl_json_cstr(&j, a->subject);
	fl_json_key(&j, "body");
	fl_json_cstr(&j, a->body);
	fl_json_key(&j, "fields");
	fl_json_obj_begin(&j);
	for (size_t i = 0; i < a->n_fields; i++) {
		fl_json_key(&j, a->fields[i].key);
		fl_json_cstr(&j, a->fields[i].value);
	}
	fl_json_obj_end(&j);
	fl_json_obj_end(&j);
	return fl_json_failed(&j) ? -EMSGSIZE : 0;
}

static void log_to_stderr(void *ctx, const char *plugin, enum fl_plugin_log_level level,
                          const char *msg)
{
	(void)ctx;
	fprintf(stderr, "faultline notify: plugin %s: %s%s\n", plugin,
	        level <= FL_PLUGIN_LOG_ERR ? "error: " : "", msg);
}

/* --check: does the plugin accept these settings? Same exit statuses. */
static int check(struct notify_args *a)
{
	char dir_buf[PATH_MAX], err[FL_PLUGIN_ERR_MAX] = "";
	struct fl_plugin *pl = NULL;
	enum fl_send_result r;

	if (!a->plugin_dir)
		a->plugin_dir = fl_plugin_default_dir(dir_buf, sizeof(dir_buf));
	if (fl_plugin_load(&pl, a->plugin_dir, a->plugin, a->settings, a->n_settings, err,
	                   sizeof(err)) < 0) {
		fprintf(stderr, "faultline notify: permanent: %s\n", err);
		return 1;
	}
	fl_plugin_set_log(pl, log_to_stderr, NULL);
	r = fl_plugin_check(pl, a->timeout_ms, err, sizeof(err));
	fl_plugin_unload(pl);
	if (r == FL_SEND_OK)
		return 0;
	fprintf(stderr, "faultline notify: %s: %s\n", fl_send_result_name(r), err);
	return r == FL_SEND_RETRY ? EXIT_TEMPFAIL : 1;
}

static int deliver(struct notify_args *a)
{
	char dir_buf[PATH_MAX], key_buf[64], err[FL_PLUGIN_ERR_MAX] = "";
	struct fl_plugin *pl = NULL;
	struct fl_message msg;
	enum fl_send_result r;
	struct fl_buf json;
	int rc;

	if (!a->plugin_dir)
		a->plugin_dir = fl_plugin_default_dir(dir_buf, sizeof(dir_buf));
	if (!a->key) {
		default_key(key_buf, sizeof(key_buf), a);
		a->key = key_buf;
	}
	if (!fl_notice_key_valid(a->key)) {
		fprintf(stderr, "faultline notify: invalid --key (use [A-Za-z0-9._:@-], 1..128)\n");
		return 2;
	}
	fl_buf_init(&json, NOTIFY_JSON_MAX);
	rc = a->json_file ? read_json_file(&json, a->json_file) : default_json(&json, a, a->key);
	if (rc < 0) {
		fprintf(stderr, "faultline notify: %s: %s\n", a->json_file ? a->json_file : "json",
		        rc == -EINVAL ? "not a JSON document" : strerror(-rc));
		fl_buf_free(&json);
		return 2;
	}
	rc = fl_plugin_load(&pl, a->plugin_dir, a->plugin, a->settings, a->n_settings, err,
	                    sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "faultline notify: permanent: %s\n", err);
		fl_buf_free(&json);
		return 1;
	}
	fl_plugin_set_log(pl, log_to_stderr, NULL);
	msg = (struct fl_message){
	    .size = sizeof(struct fl_message),
	    .idempotency_key = a->key,
	    .channel = a->channel,
	    .to = {.name = a->name, .address = a->to},
	    .subject = a->subject,
	    .body = a->body,
	    .incident_json = json.p,
	    .incident_json_len = json.len,
	    .fields = a->fields,
	    .n_fields = a->n_fields,
	};
	r = fl_plugin_send(pl, &msg, a->timeout_ms, err, sizeof(err));
	fl_plugin_unload(pl);
	fl_buf_free(&json);
	if (r == FL_SEND_OK)
		return 0;
	fprintf(stderr, "faultline notify: %s: %s\n", fl_send_result_name(r), err);
	return r == FL_SEND_RETRY ? EXIT_TEMPFAIL : 1;
}

int fl_cmd_notify(int argc, char **argv)
{
	struct notify_args a;
	int status;

	memset(&a, 0, sizeof(a));
	status = parse_args(&a, argc, argv);
	if (status != 0) {
		if (status < 0)
			notify_usage(stderr);
		status = status < 0 ? 2 : 0; /* FL_OPTS_HELP: answered */
		goto out;
	}
	if (!a.name)
		a.name = "";
	if (!a.subject)
		a.subject = "";
	if (!a.channel)
		a.channel = a.plugin;
	status = a.check_only ? check(&a) : deliver(&a);
out:
	free_kvs(a.settings, a.n_settings);
	free_kvs(a.fields, a.n_fields);
	return status;
}
