#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/notify/plugin.h"

/* The test plugins are built next to this binary: build/tests/plugins/. */
static const char *test_plugin_dir(void)
{
	static char dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 32);
	char *slash;

	cr_assert(n > 0);
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	cr_assert(slash);
	strcpy(slash, "/../plugins");
	return dir;
}

static struct fl_message message(const char *subject)
{
	struct fl_message m = {
	    .size = sizeof(struct fl_message),
	    .idempotency_key = "inc-1:step-2",
	    .channel = "test",
	    .to = {.name = "duty", .address = "138-0000-2112"},
	    .subject = subject,
	    .body = "a log line",
	    .incident_json = "{}",
	    .incident_json_len = 2,
	};
	return m;
}

static struct fl_plugin *load_echo(const struct fl_kv *settings, size_t n)
{
	struct fl_plugin *pl = NULL;
	char err[256] = "";

	cr_assert_eq(
	    fl_plugin_load(&pl, test_plugin_dir(), "test_echo", settings, n, err, sizeof(err)), 0,
	    "%s", err);
	return pl;
}

Test(plugin_host, reports_a_missing_plugin_as_enoent_with_its_path)
{
	struct fl_plugin *pl = NULL;
	char err[256] = "";

	cr_expect_eq(fl_plugin_load(&pl, test_plugin_dir(), "nosuch", NULL, 0, err, sizeof(err)),
	             -ENOENT);
	cr_expect_null(pl);
	cr_expect(strstr(err, "nosuch.so") != NULL, "%s", err);
}

Test(plugin_host, refuses_a_name_that_could_be_a_path)
{
	struct fl_plugin *pl = NULL;
	char err[256] = "";

	cr_expect_eq(fl_plugin_load(&pl, test_plugin_dir(), "../plugins/test_echo", NULL, 0, err,
	                            sizeof(err)),
	             -EINVAL);
	cr_expect_null(pl);
}

Test(plugin_host, refuses_a_plugin_built_for_another_abi)
{
	struct fl_plugin *pl = NULL;
	char err[256] = "";

	cr_expect_eq(
	    fl_plugin_load(&pl, test_plugin_dir(), "test_badabi", NULL, 0, err, sizeof(err)),
	    -ENOEXEC);
	cr_expect(strstr(err, "ABI 2") != NULL, "%s", err);
}

Test(plugin_host, refuses_a_table_shorter_than_abi_1)
{
	struct fl_plugin *pl = NULL;
	char err[256] = "";

	cr_expect_eq(
	    fl_plugin_load(&pl, test_plugin_dir(), "test_short", NULL, 0, err, sizeof(err)),
	    -ENOEXEC);
	cr_expect(strstr(err, "bytes") != NULL, "%s", err);
}

Test(plugin_host, refuses_a_shared_object_without_the_entry_symbol)
{
	struct fl_plugin *pl = NULL;
	char err[256] = "";

	cr_expect_eq(
	    fl_plugin_load(&pl, test_plugin_dir(), "test_noentry", NULL, 0, err, sizeof(err)),
	    -ENOEXEC);
	cr_expect(strstr(err, "fl_plugin_entry") != NULL, "%s", err);
}

Test(plugin_host, passes_the_plugins_three_outcomes_through)
{
	struct fl_plugin *pl = load_echo(NULL, 0);
	struct fl_message m;
	char err[256];

	m = message("ok");
	cr_expect_eq(fl_plugin_send(pl, &m, 5000, err, sizeof(err)), FL_SEND_OK);
	m = message("retry");
	cr_expect_eq(fl_plugin_send(pl, &m, 5000, err, sizeof(err)), FL_SEND_RETRY);
	cr_expect_str_eq(err, "asked to retry");
	m = message("bogus");
	cr_expect_eq(fl_plugin_send(pl, &m, 5000, err, sizeof(err)), FL_SEND_PERMANENT);
	cr_expect(strstr(err, "bogus") != NULL, "%s", err);
	fl_plugin_unload(pl);
}

Test(plugin_host, survives_a_plugin_that_segfaults_and_calls_it_retryable, .timeout = 30)
{
	struct fl_plugin *pl = load_echo(NULL, 0);
	struct fl_message m = message("crash");
	struct fl_plugin_stats st;
	char err[256];

	cr_expect_eq(fl_plugin_send(pl, &m, 10000, err, sizeof(err)), FL_SEND_RETRY);
	cr_expect(strstr(err, "crashed") != NULL, "%s", err);
	fl_plugin_stats(pl, &st);
	cr_expect_eq(st.crashed, 1);
	/* The instance is still usable after the crash. */
	m = message("ok");
	cr_expect_eq(fl_plugin_send(pl, &m, 5000, err, sizeof(err)), FL_SEND_OK);
	fl_plugin_unload(pl);
}

Test(plugin_host, kills_a_plugin_that_hangs_at_the_time_limit, .timeout = 30)
{
	struct fl_plugin *pl = load_echo(NULL, 0);
	struct fl_message m = message("hang");
	struct fl_plugin_stats st;
	char err[256];

	cr_expect_eq(fl_plugin_send(pl, &m, 300, err, sizeof(err)), FL_SEND_RETRY);
	cr_expect(strstr(err, "timed out after 300 ms") != NULL, "%s", err);
	fl_plugin_stats(pl, &st);
	cr_expect_eq(st.timed_out, 1);
	fl_plugin_unload(pl);
}

Test(plugin_host, treats_a_plugin_calling_exit_as_a_crash)
{
	struct fl_plugin *pl = load_echo(NULL, 0);
	struct fl_message m = message("exit");
	char err[256];

	cr_expect_eq(fl_plugin_send(pl, &m, 5000, err, sizeof(err)), FL_SEND_RETRY);
	cr_expect(strstr(err, "status 3") != NULL, "%s", err);
	fl_plugin_unload(pl);
}

Test(plugin_host, keeps_a_delivered_result_when_shutdown_hangs, .timeout = 30)
{
	struct fl_plugin *pl = load_echo(NULL, 0);
	struct fl_message m = message("shutdown-hang");
	struct fl_plugin_stats st;
	char err[256];

	cr_expect_eq(fl_plugin_send(pl, &m, 300, err, sizeof(err)), FL_SEND_OK);
	fl_plugin_stats(pl, &st);
	cr_expect_eq(st.ok, 1);
	cr_expect_eq(st.timed_out, 1, "the hung shutdown is still counted");
	fl_plugin_unload(pl);
}

Test(plugin_host, rejects_settings_the_plugin_refuses_as_permanent)
{
	static const struct fl_kv bad[] = {{"fail_init", "1"}};
	struct fl_plugin *pl = load_echo(bad, 1);
	char err[256];

	cr_expect_eq(fl_plugin_check(pl, 5000, err, sizeof(err)), FL_SEND_PERMANENT);
	cr_expect_str_eq(err, "fail_init is set");
	fl_plugin_unload(pl);
}

Test(plugin_host, rejects_a_message_without_a_valid_key_before_forking)
{
	struct fl_plugin *pl = load_echo(NULL, 0);
	struct fl_message m = message("ok");
	struct fl_plugin_stats st;
	char err[256];

	m.idempotency_key = "key with spaces\r\n";
	cr_expect_eq(fl_plugin_send(pl, &m, 5000, err, sizeof(err)), FL_SEND_PERMANENT);
	fl_plugin_stats(pl, &st);
	cr_expect_eq(st.attempts, 0);
	fl_plugin_unload(pl);
}

struct log_count {
	int lines;
};

static void count_log(void *ctx, const char *plugin, enum fl_plugin_log_level level,
                      const char *msg)
{
	struct log_count *c = ctx;

	(void)level;
	cr_expect_str_eq(plugin, "test_echo");
	cr_expect_str_eq(msg, "a log line");
	c->lines++;
}

Test(plugin_host, caps_and_counts_a_plugins_log_lines)
{
	struct fl_plugin *pl = load_echo(NULL, 0);
	struct fl_message m = message("log");
	struct log_count c = {0};
	struct fl_plugin_stats st;
	char err[256];

	fl_plugin_set_log(pl, count_log, &c);
	cr_expect_eq(fl_plugin_send(pl, &m, 5000, err, sizeof(err)), FL_SEND_OK);
	cr_expect_eq(c.lines, 32);
	fl_plugin_stats(pl, &st);
	cr_expect_geq(st.log_dropped, 1);
	fl_plugin_unload(pl);
}

Test(plugin_host, does_not_wait_out_the_limit_when_sigchld_is_ignored, .timeout = 30)
{
	struct fl_plugin *pl = load_echo(NULL, 0);
	struct fl_message m = message("ok");
	struct fl_plugin_stats st;
	char err[256];

	/* An engine (or a library in it) may ignore SIGCHLD: children are then
	 * reaped by the kernel and waitid() reports ECHILD. */
	signal(SIGCHLD, SIG_IGN);
	cr_expect_eq(fl_plugin_send(pl, &m, 2000, err, sizeof(err)), FL_SEND_OK, "%s", err);
	fl_plugin_stats(pl, &st);
	cr_expect_eq(st.timed_out, 0, "the worker's exit went unnoticed until the limit");
	fl_plugin_unload(pl);
}
