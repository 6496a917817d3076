/* The run's journal with two writers: the RELP thread appends what it is
 * about to acknowledge while the consumer appends the other inputs' messages
 * and ticks (syncs). No line may be lost, torn or glued to another, or the
 * catch-up would not feed it. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/decode/message.h"
#include "engine/pipeline/journal.h"

#define PER_WRITER 3000
#define NS_PER_S 1000000000LL

static char dir[64];
static char base[96];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/fl-journal-XXXXXX");
	cr_assert(mkdtemp(dir));
	snprintf(base, sizeof(base), "%s/j", dir);
}

static void teardown(void)
{
	char p[128];

	for (int k = 0; k < 2; k++) {
		snprintf(p, sizeof(p), "%s.%d", base, k);
		unlink(p);
	}
	cr_expect_eq(rmdir(dir), 0, "%s left files behind", dir);
}

struct writer {
	struct fl_journal *j;
	int id, failed;
};

static void *write_many(void *arg)
{
	struct writer *w = arg;
	char text[64];

	for (int i = 0; i < PER_WRITER; i++) {
		int n = snprintf(text, sizeof(text), "<13>writer w%d-%d", w->id, i);
		struct fl_received m = {.transport = FL_TRANSPORT_RELP,
					.received_ns = 1764900000LL * NS_PER_S + i,
					.p = text,
					.len = (size_t)n};

		if (fl_journal_append(w->j, &m) != 0)
			w->failed++;
	}
	return NULL;
}

struct seen {
	unsigned char got[2][PER_WRITER];
	long lines, bad;
};

static void on_line(void *ctx, const char *line, size_t len)
{
	struct seen *s = ctx;
	char copy[512];
	const char *at;
	int id, i;

	s->lines++;
	if (len >= sizeof(copy) || line[0] != '{' || line[len - 1] != '}') {
		s->bad++;
		return;
	}
	memcpy(copy, line, len);
	copy[len] = '\0';
	at = strstr(copy, "writer w");
	/* exactly one message a line: a glued line would hold two */
	if (!at || strstr(at + 1, "writer w") || sscanf(at, "writer w%d-%d", &id, &i) != 2 ||
	    id < 0 || id > 1 || i < 0 || i >= PER_WRITER || s->got[id][i]) {
		s->bad++;
		return;
	}
	s->got[id][i] = 1;
}

Test(journal, two_writers_and_a_ticking_owner_keep_every_line_whole, .init = setup,
     .fini = teardown, .timeout = 60)
{
	struct fl_journal *j = NULL;
	struct writer w[2] = {{.id = 0}, {.id = 1}};
	pthread_t t[2];
	struct fl_journal_stats st;
	struct seen *s = calloc(1, sizeof(*s));
	char err[256];
	int64_t now = 1764900000LL * NS_PER_S;
	const struct timespec pause = {0, 100000};

	cr_assert_not_null(s);
	cr_assert_eq(fl_journal_open(&j, base, 600 * NS_PER_S, now, err, sizeof(err)), 0, "%s", err);
	for (int k = 0; k < 2; k++) {
		w[k].j = j;
		cr_assert_eq(pthread_create(&t[k], NULL, write_many, &w[k]), 0);
	}
	/* the owner syncs meanwhile: every tick is past the sync interval */
	for (int k = 0; k < 200; k++) {
		now += (FL_JOURNAL_SYNC_MS + 1) * 1000000LL;
		fl_journal_tick(j, now);
		nanosleep(&pause, NULL);
	}
	for (int k = 0; k < 2; k++)
		pthread_join(t[k], NULL);
	cr_expect_eq(w[0].failed + w[1].failed, 0);
	fl_journal_stats(j, &st);
	cr_expect_eq(st.appended, 2 * PER_WRITER);
	cr_expect_eq(st.append_errors, 0);
	cr_expect_gt(st.syncs, 0, "the owner's ticks synced nothing");

	cr_expect_eq(fl_journal_replay(j, on_line, s), 2 * PER_WRITER);
	cr_expect_eq(s->bad, 0, "%ld lines torn, glued or repeated", s->bad);
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < PER_WRITER; i++)
			cr_expect(s->got[k][i], "w%d-%d was not kept", k, i);
	fl_journal_close(j);
	free(s);
}
