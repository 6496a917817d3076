/* file.c - the archive plugin: appends each message as one JSON Lines record.
 *
 * Settings:
 *   path   file to append to (required; created 0640 if missing)
 *   fsync  "always" (default): fsync before reporting OK, so OK means on disk;
 *          "never": leave it to the kernel (faster, may lose the tail on a crash)
 *
 * Each record is written with one write() on an O_APPEND descriptor, so
 * concurrent writers never interleave inside a line on a local file system.
 * The record holds the idempotency key: a retried message may appear twice
 * (the first write landed but its OK was lost), and readers deduplicate on it.
 * Errors: a missing directory or a read-only file is PERMANENT; a full disk,
 * quota or I/O error is RETRY. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/lib/buf.h"
#include "engine/lib/json.h"
#include "engine/notify/notify_util.h"
#include "plugins/fl_plugin.h"

#define FILE_RECORD_MAX (4 * 1024 * 1024)

struct file_plugin {
	char *path;
	bool fsync_always;
	const struct fl_host_api *host;
};

static int file_init(void **state, const struct fl_kv *settings, size_t n,
                     const struct fl_host_api *host, char *err, size_t err_len)
{
	const char *path = fl_kv_get(settings, n, "path");
	const char *sync = fl_kv_get(settings, n, "fsync");
	struct file_plugin *fp;

	if (!path || path[0] != '/') {
		snprintf(err, err_len, "file: setting 'path' must be an absolute path");
		return -EINVAL;
	}
	if (sync && strcmp(sync, "always") != 0 && strcmp(sync, "never") != 0) {
		snprintf(err, err_len, "file: fsync must be 'always' or 'never', not '%s'", sync);
		return -EINVAL;
	}
	fp = calloc(1, sizeof(*fp));
	if (!fp)
		return -ENOMEM;
	fp->path = strdup(path);
	if (!fp->path) {
		free(fp);
		return -ENOMEM;
	}
	fp->fsync_always = !sync || strcmp(sync, "always") == 0;
	fp->host = host;
	*state = fp;
	return 0;
}

/* The record: the message's own fields, then the incident document as is. */
static int file_record(struct fl_buf *out, const struct fl_message *m, int64_t at_ns)
{
	struct fl_json j;
	size_t mark;
	int rc;

	fl_json_init(&j, out);
	fl_json_obj_begin(&j);
	fl_json_key(&j, "key");
	fl_json_cstr(&j, m->idempotency_key);
	fl_json_key(&j, "at_ns");
	fl_json_int(&j, at_ns);
	fl_json_key(&j, "channel");
	fl_json_cstr(&j, m->channel);
	fl_json_key(&j, "to");
	fl_json_obj_begin(&j);
	fl_json_key(&j, "name");
	fl_json_cstr(&j, m->to.name);
	fl_json_key(&j, "address");
	fl_json_cstr(&j, m->to.address);
	fl_json_obj_end(&j);
	fl_json_key(&j, "subject");
	fl_json_cstr(&j, m->subject);
	fl_json_key(&j, "body");
	fl_json_cstr(&j, m->body);
	fl_json_key(&j, "fields");
	fl_json_obj_begin(&j);
	for (size_t i = 0; i < m->n_fields; i++) {
		fl_json_key(&j, m->fields[i].key);
		fl_json_cstr(&j, m->fields[i].value);
	}
	fl_json_obj_end(&j);
	fl_json_key(&j, "incident");
	if (j.failed) /* fl_json_failed() would also flag the still open object */
		return -EMSGSIZE;
	/* The writer expects a value after the key; the compacted document is
	 * that value, so the object is closed by hand. */
	mark = out->len;
	rc = fl_json_compact(out, m->incident_json, m->incident_json_len);
	if (rc == -EINVAL) {
		out->len = mark; /* drop the partial copy */
		fl_json_cstr(&j, "(invalid JSON)");
		rc = j.failed ? -EMSGSIZE : 0;
	}
	if (rc == 0)
		rc = fl_buf_adds(out, "}\n");
	return rc;
}

static enum fl_send_result errno_result(int e)
{
	switch (e) {
	case ENOSPC:
	case EDQUOT:
	case EIO:
	case EINTR:
	case EAGAIN:
	case EMFILE:
	case ENFILE:
	case ENOMEM:
		return FL_SEND_RETRY;
	default:
		return FL_SEND_PERMANENT;
	}
}

static enum fl_send_result file_send(void *state, const struct fl_message *m, char *err,
                                     size_t err_len)
{
	struct file_plugin *fp = state;
	enum fl_send_result r = FL_SEND_OK;
	struct fl_buf rec;
	ssize_t n;
	int fd;

	fl_buf_init(&rec, FILE_RECORD_MAX);
	if (file_record(&rec, m, fp->host->now_ns(fp->host->ctx)) < 0) {
		snprintf(err, err_len, "file: record longer than %d bytes", FILE_RECORD_MAX);
		fl_buf_free(&rec);
		return FL_SEND_PERMANENT;
	}
	fd = open(fp->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		snprintf(err, err_len, "file: %s: %s", fp->path, strerror(errno));
		r = errno_result(errno);
		goto out_free;
	}
	n = write(fd, rec.p, rec.len);
	if (n < 0 || (size_t)n != rec.len) {
		int e = n < 0 ? errno : ENOSPC;

		snprintf(err, err_len, "file: %s: write: %s", fp->path, strerror(e));
		r = errno_result(e);
		goto out_close;
	}
	if (fp->fsync_always && fsync(fd) != 0) {
		snprintf(err, err_len, "file: %s: fsync: %s", fp->path, strerror(errno));
		r = FL_SEND_RETRY;
	}
out_close:
	if (close(fd) != 0 && r == FL_SEND_OK) {
		snprintf(err, err_len, "file: %s: close: %s", fp->path, strerror(errno));
		r = FL_SEND_RETRY;
	}
out_free:
	fl_buf_free(&rec);
	return r;
}

static void file_shutdown(void *state)
{
	struct file_plugin *fp = state;

	free(fp->path);
	free(fp);
}

FL_PLUGIN_EXPORT const struct fl_plugin_api fl_plugin_entry = {
    .abi_major = FL_PLUGIN_ABI_MAJOR,
    .size = sizeof(struct fl_plugin_api),
    .name = "file",
    .version = "1",
    .init = file_init,
    .send = file_send,
    .shutdown = file_shutdown,
};
