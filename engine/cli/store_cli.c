#include "engine/cli/store_cli.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "engine/lib/utf8.h"
#include "engine/store/store.h"

struct fl_store *fl_cli_store_open(const char *cmd, const char *path)
{
	struct fl_store *s = NULL;
	char err[512] = "";

	if (fl_store_open(&s, path ? path : FL_STORE_DEFAULT_PATH, err, sizeof(err)) < 0) {
		fprintf(stderr, "faultline %s: cannot open %s\n", cmd, err);
		return NULL;
	}
	return s;
}

struct fl_store *fl_cli_store_open_existing(const char *cmd, const char *path, bool may_create)
{
	struct fl_store *s = NULL;
	char err[512] = "";
	int rc;

	if (may_create)
		return fl_cli_store_open(cmd, path);
	path = path ? path : FL_STORE_DEFAULT_PATH;
	rc = fl_store_open_existing(&s, path, err, sizeof(err));
	if (rc == -ENOENT) {
		fprintf(stderr,
		        "faultline %s: no store at %s (give --create to make an empty one; "
		        "`run --db` and `replay --db` make it as they fill it)\n",
		        cmd, path);
		return NULL;
	}
	if (rc < 0) {
		fprintf(stderr, "faultline %s: cannot open %s\n", cmd, err);
		return NULL;
	}
	return s;
}

int64_t fl_cli_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void fl_cli_cell(FILE *out, const char *s, size_t width)
{
	size_t w;

	if (!s || !s[0])
		s = "-";
	w = fl_utf8_width(s, strlen(s));
	fputs(s, out);
	for (; w < width; w++)
		fputc(' ', out);
}

void fl_cli_duration(char *buf, size_t len, int64_t ns)
{
	int64_t s = (ns < 0 ? -ns : ns) / 1000000000;

	if (s < 60)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm", (long long)(s / 60));
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600), (long long)(s / 60 % 60));
	else
		snprintf(buf, len, "%lldd%02lldh", (long long)(s / 86400),
		         (long long)(s / 3600 % 24));
}

int fl_cli_delivery_option(struct fl_deliver_config *d, const struct fl_opt *opt, const char *val,
			   char *err, size_t err_len)
{
	int rc = fl_deliver_config_option(d, opt->name, val);

	if (rc == -ENOENT)
		snprintf(err, err_len, "bad value for %s: '%s' (give its --route first)",
			 opt->name, val);
	return rc;
}
