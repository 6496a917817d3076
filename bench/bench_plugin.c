/* bench_plugin.c - what isolating a delivery in a forked worker costs.
 *
 * Delivers N messages through the file plugin writing to /dev/null (so the
 * plugin's own work is negligible), three ways: init/send/shutdown called in
 * process (no isolation), through fl_plugin_send() (fork per attempt), and
 * through fl_plugin_send() again after the process has grown by 512 MiB of
 * touched heap, as a long-running engine with big tables would (fork copies
 * page tables, so its cost grows with the parent). Prints microseconds per
 * delivery. Usage: bench_plugin PLUGIN_DIR [N] */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/notify/plugin.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static const struct fl_kv settings[] = {{"path", "/dev/null"}, {"fsync", "never"}};

static struct fl_message message(void)
{
	struct fl_message m = {
	    .size = sizeof(struct fl_message),
	    .idempotency_key = "bench-1",
	    .channel = "file",
	    .to = {.name = "值班室", .address = "138-0000-2112"},
	    .subject = "光缆中断",
	    .body = "南宁-柳州 NN-ADM-01 至 LZ-ADM-03",
	    .incident_json = "{\"incident\":\"INC-1\"}",
	    .incident_json_len = 20,
	};
	return m;
}

static int64_t host_ns(void *ctx)
{
	(void)ctx;
	return 0;
}

static void host_log(void *ctx, enum fl_plugin_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

static double in_process(const char *dir, int n)
{
	struct fl_host_api host = {
	    FL_PLUGIN_ABI_MAJOR, sizeof(host), NULL, host_log, host_ns, host_ns};
	const struct fl_plugin_api *api;
	struct fl_message m = message();
	char path[4096], err[256];
	double t0;
	void *so;

	snprintf(path, sizeof(path), "%s/file.so", dir);
	so = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!so)
		return -1;
	api = dlsym(so, "fl_plugin_entry");
	t0 = now_us();
	for (int i = 0; i < n; i++) {
		void *state;

		if (api->init(&state, settings, 2, &host, err, sizeof(err)) < 0)
			return -1;
		api->send(state, &m, err, sizeof(err));
		api->shutdown(state);
	}
	t0 = (now_us() - t0) / n;
	dlclose(so);
	return t0;
}

static double isolated(struct fl_plugin *pl, int n)
{
	struct fl_message m = message();
	char err[256];
	double t0 = now_us();

	for (int i = 0; i < n; i++)
		if (fl_plugin_send(pl, &m, 5000, err, sizeof(err)) != FL_SEND_OK) {
			fprintf(stderr, "bench_plugin: %s\n", err);
			return -1;
		}
	return (now_us() - t0) / n;
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 2000;
	struct fl_plugin *pl;
	size_t big = (size_t)512 << 20;
	char err[256];
	char *heap;

	if (argc < 2 || n <= 0) {
		fprintf(stderr, "usage: bench_plugin PLUGIN_DIR [N]\n");
		return 2;
	}
	if (fl_plugin_load(&pl, argv[1], "file", settings, 2, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_plugin: %s\n", err);
		return 1;
	}
	printf("plugin deliveries, file plugin to /dev/null, N=%d\n", n);
	printf("  in process (no isolation):        %8.1f us/delivery\n", in_process(argv[1], n));
	printf("  fork per attempt, small parent:   %8.1f us/delivery\n", isolated(pl, n));
	heap = malloc(big);
	if (heap) {
		memset(heap, 1, big);
		printf("  fork per attempt, +512 MiB heap:  %8.1f us/delivery\n",
		       isolated(pl, n / 4));
		free(heap);
	}
	fl_plugin_unload(pl);
	return 0;
}
