/* journal.c - see journal.h. */
#include "engine/pipeline/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/decode/message.h"
#include "engine/decode/record.h"
#include "engine/lib/buf.h"
#include "engine/lib/json.h"

#define NS_PER_MS 1000000LL

/* mu guards everything below it: the RELP thread appends beside the
 * consumer, which also ticks. fdatasync() runs outside it, so a slow disk
 * delays no acknowledgement by more than one write(). */
struct fl_journal {
	pthread_mutex_t mu;
	char *path[2];
	int fd[2];
	int cur;
	int64_t window_ns, cur_start_ns, synced_ns;
	int64_t mtime_ns[2];
	bool dirty, said_error;
	struct fl_buf line;
	struct fl_journal_stats st;
};

static char *segment_path(const char *path, int k)
{
	size_t n = strlen(path) + 3;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s.%d", path, k);
	return p;
}

int fl_journal_open(struct fl_journal **out, const char *path, int64_t window_ns, int64_t now_ns,
		    char *err, size_t err_cap)
{
	struct fl_journal *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	pthread_mutex_init(&j->mu, NULL);
	j->fd[0] = j->fd[1] = -1;
	j->window_ns = window_ns;
	fl_buf_init(&j->line, FL_JOURNAL_LINE_MAX);
	for (int k = 0; k < 2; k++) {
		struct stat sb;

		if (!(j->path[k] = segment_path(path, k))) {
			fl_journal_close(j);
			return -ENOMEM;
		}
		j->fd[k] = open(j->path[k], O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (j->fd[k] < 0) {
			int rc = -errno;

			snprintf(err, err_cap, "cannot open the journal %s: %s", j->path[k],
				 strerror(errno));
			fl_journal_close(j);
			return rc;
		}
		if (fstat(j->fd[k], &sb) == 0)
			j->mtime_ns[k] = (int64_t)sb.st_mtim.tv_sec * 1000000000LL + sb.st_mtim.tv_nsec;
	}
	/* go on writing the newer one: it holds the last messages taken */
	j->cur = j->mtime_ns[1] > j->mtime_ns[0] ? 1 : 0;
	j->cur_start_ns = j->synced_ns = now_ns;
	*out = j;
	return 0;
}

void fl_journal_close(struct fl_journal *j)
{
	if (!j)
		return;
	for (int k = 0; k < 2; k++) {
		if (j->fd[k] >= 0) {
			if (j->dirty)
				(void)fdatasync(j->fd[k]);
			close(j->fd[k]);
		}
		free(j->path[k]);
	}
	fl_buf_free(&j->line);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

static long replay_file(const char *path, fl_journal_line_fn *fn, void *ctx)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lines = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] != '\n')
			break; /* the last line was cut by a crash: not a message */
		fn(ctx, line, (size_t)n - 1);
		lines++;
	}
	free(line);
	fclose(f);
	return lines;
}

long fl_journal_replay(struct fl_journal *j, fl_journal_line_fn *fn, void *ctx)
{
	int older = !j->cur;
	long a = replay_file(j->path[older], fn, ctx), b;

	if (a < 0)
		return a;
	b = replay_file(j->path[j->cur], fn, ctx);
	return b < 0 ? b : a + b;
}

/* Writes m as one line; caller holds mu. */
static int append_locked(struct fl_journal *j, const struct fl_received *m)
{
	struct fl_json js;
	ssize_t w;

	fl_buf_reset(&j->line);
	fl_json_init(&js, &j->line);
	fl_json_obj_begin(&js);
	fl_record_write_envelope(&js, m);
	fl_json_obj_end(&js);
	if (fl_json_failed(&js) || fl_buf_addc(&j->line, '\n') < 0) {
		j->st.too_long++;
		return -EMSGSIZE;
	}
	w = write(j->fd[j->cur], j->line.p, j->line.len);
	if (w != (ssize_t)j->line.len) {
		int rc = w < 0 ? -errno : -ENOSPC;

		/* a part written would glue the next line to it, and replay would
		 * read neither: cut it off again */
		if (w > 0) {
			off_t end = lseek(j->fd[j->cur], 0, SEEK_END);

			if (end < w || ftruncate(j->fd[j->cur], end - w) < 0)
				j->st.append_errors++;
		}
		j->st.append_errors++;
		if (!j->said_error)
			fprintf(stderr, "faultline: journal %s: cannot write: %s (messages taken "
					"now are not kept across a restart; RELP messages are "
					"refused)\n",
				j->path[j->cur], strerror(-rc));
		j->said_error = true;
		return rc;
	}
	j->said_error = false;
	j->dirty = true;
	j->st.appended++;
	return 0;
}

int fl_journal_append(struct fl_journal *j, const struct fl_received *m)
{
	int rc;

	pthread_mutex_lock(&j->mu);
	rc = append_locked(j, m);
	pthread_mutex_unlock(&j->mu);
	return rc;
}

void fl_journal_tick(struct fl_journal *j, int64_t now_ns)
{
	int sync_fd = -1;

	pthread_mutex_lock(&j->mu);
	if (j->dirty && now_ns - j->synced_ns >= FL_JOURNAL_SYNC_MS * NS_PER_MS) {
		sync_fd = j->fd[j->cur];
		j->dirty = false;
		j->synced_ns = now_ns;
	}
	if (now_ns - j->cur_start_ns >= j->window_ns) {
		/* the other segment's messages are a window older than any now
		 * written: they have settled. Once a window, under the lock: what
		 * the old segment holds must be on disk before the switch. */
		if (j->dirty && fdatasync(j->fd[j->cur]) == 0)
			j->st.syncs++;
		j->dirty = false;
		j->cur = !j->cur;
		if (ftruncate(j->fd[j->cur], 0) < 0)
			j->st.append_errors++;
		j->cur_start_ns = now_ns;
		j->st.rotations++;
	}
	pthread_mutex_unlock(&j->mu);
	/* the descriptors stay open until close: syncing one another thread
	 * appends to meanwhile, or that was just switched from, is harmless */
	if (sync_fd >= 0 && fdatasync(sync_fd) == 0) {
		pthread_mutex_lock(&j->mu);
		j->st.syncs++;
		pthread_mutex_unlock(&j->mu);
	}
}

void fl_journal_stats(struct fl_journal *j, struct fl_journal_stats *out)
{
	pthread_mutex_lock(&j->mu);
	*out = j->st;
	pthread_mutex_unlock(&j->mu);
}

bool fl_journal_kept(const struct fl_journal *j)
{
	struct stat sb;

	for (int k = 0; k < 2; k++)
		if (fstat(j->fd[k], &sb) == 0 && sb.st_size > 0)
			return true;
	return false;
}
