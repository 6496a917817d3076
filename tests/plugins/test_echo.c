/* test_echo.c - a plugin for the host's tests: it does what the subject says.
 *
 * "ok", "retry", "permanent" return that result; "crash" dereferences NULL;
 * "hang" spins forever; "exit" calls exit(3); "log" logs 100 lines, then OK;
 * "shutdown-hang" returns OK and hangs in shutdown. Setting fail_init=1 makes
 * init reject its settings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>

#include "plugins/fl_plugin.h"

struct echo {
	const struct fl_host_api *host;
	int hang_in_shutdown;
};

static int echo_init(void **state, const struct fl_kv *settings, size_t n,
                     const struct fl_host_api *host, char *err, size_t err_len)
{
	struct echo *e;

	for (size_t i = 0; i < n; i++)
		if (strcmp(settings[i].key, "fail_init") == 0 &&
		    strcmp(settings[i].value, "1") == 0) {
			snprintf(err, err_len, "fail_init is set");
			return -EINVAL;
		}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->host = host;
	*state = e;
	return 0;
}

static enum fl_send_result echo_send(void *state, const struct fl_message *msg, char *err,
                                     size_t err_len)
{
	struct echo *e = state;
	if (strcmp(msg->subject, "ok") == 0)
		return FL_SEND_OK;
	if (strcmp(msg->subject, "retry") == 0) {
		snprintf(err, err_len, "asked to retry");
		return FL_SEND_RETRY;
	}
	if (strcmp(msg->subject, "crash") == 0) {
		/* A real segfault, not a null load: UBSan would report that first. */
		raise(SIGSEGV);
		return FL_SEND_PERMANENT;
	}
	if (strcmp(msg->subject, "hang") == 0)
		for (;;)
			;
	if (strcmp(msg->subject, "exit") == 0)
		exit(3);
	if (strcmp(msg->subject, "log") == 0) {
		for (int i = 0; i < 100; i++)
			e->host->log(e->host->ctx, FL_PLUGIN_LOG_INFO, msg->body);
		return FL_SEND_OK;
	}
	if (strcmp(msg->subject, "shutdown-hang") == 0) {
		e->hang_in_shutdown = 1;
		return FL_SEND_OK;
	}
	snprintf(err, err_len, "unknown subject '%s'", msg->subject);
	return FL_SEND_PERMANENT;
}

static void echo_shutdown(void *state)
{
	struct echo *e = state;

	while (e->hang_in_shutdown)
		;
	free(e);
}

FL_PLUGIN_EXPORT const struct fl_plugin_api fl_plugin_entry = {
    .abi_major = FL_PLUGIN_ABI_MAJOR,
    .size = sizeof(struct fl_plugin_api),
    .name = "test_echo",
    .version = "1",
    .init = echo_init,
    .send = echo_send,
    .shutdown = echo_shutdown,
};
