/* lines: the bounded line reader over a file descriptor. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/lib/lines.h"

/* A file holding content[0..len), opened for reading at offset 0. */
static int file_with(const char *content, size_t len)
{
	char path[] = "/tmp/fl-lines-XXXXXX";
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	unlink(path);
	cr_assert_eq(write(fd, content, len), (ssize_t)len);
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

struct want {
	const char *text;
	bool is_cut;
};

static void expect_lines(const char *name, const char *content, size_t len, size_t max_line,
			 const struct want *want, size_t n_want, uint64_t cut, uint64_t skipped)
{
	struct fl_lines *r = NULL;
	struct fl_lines_stats st;
	struct fl_line line;
	int fd = file_with(content, len), rc;
	size_t got = 0;

	cr_assert_eq(fl_lines_create(&r, fd, max_line), 0);
	while ((rc = fl_lines_next(r, &line)) == 1) {
		cr_expect(got < n_want, "%s: extra line '%.*s'", name, (int)line.len, line.p);
		if (got < n_want) {
			cr_expect(line.len == strlen(want[got].text) &&
					  memcmp(line.p, want[got].text, line.len) == 0,
				  "%s: line %zu is '%.*s', want '%s'", name, got + 1, (int)line.len,
				  line.p, want[got].text);
			cr_expect_eq(line.is_cut, want[got].is_cut, "%s: line %zu is_cut", name,
				     got + 1);
			cr_expect_eq(line.number, got + 1, "%s: number", name);
		}
		got++;
	}
	cr_expect_eq(rc, 0, "%s: ended with %d", name, rc);
	cr_expect_eq(got, n_want, "%s: %zu lines, want %zu", name, got, n_want);
	fl_lines_stats(r, &st);
	cr_expect_eq(st.lines, n_want, "%s: stats.lines", name);
	cr_expect_eq(st.cut, cut, "%s: stats.cut %llu", name, (unsigned long long)st.cut);
	cr_expect_eq(st.bytes_skipped, skipped, "%s: stats.bytes_skipped %llu", name,
		     (unsigned long long)st.bytes_skipped);
	fl_lines_destroy(r);
	close(fd);
}

#define LINES(name, content, max, cut, skipped, ...)                                              \
	do {                                                                                      \
		static const struct want w[] = {__VA_ARGS__};                                     \
		expect_lines(name, content, sizeof(content) - 1, max, w, sizeof(w) / sizeof(w[0]), \
			     cut, skipped);                                                       \
	} while (0)

Test(lines, splits_on_lf_and_drops_one_cr_before_it)
{
	LINES("lf", "a\nbb\n", 64, 0, 0, {"a", false}, {"bb", false});
	LINES("crlf", "a\r\nbb\r\n", 64, 0, 0, {"a", false}, {"bb", false});
	LINES("cr_cr_lf", "a\r\r\n", 64, 0, 0, {"a\r", false});
	LINES("bare_cr_stays", "a\rb\n", 64, 0, 0, {"a\rb", false});
	LINES("empty_lines", "\n\nx\n", 64, 0, 0, {"", false}, {"", false}, {"x", false});
}

Test(lines, keeps_nul_bytes_inside_a_line)
{
	struct fl_lines *r = NULL;
	struct fl_line line;
	int fd = file_with("a\0b\n\0\n", 5);

	cr_assert_eq(fl_lines_create(&r, fd, 16), 0);
	cr_assert_eq(fl_lines_next(r, &line), 1);
	cr_expect(line.len == 3 && memcmp(line.p, "a\0b", 3) == 0);
	cr_assert_eq(fl_lines_next(r, &line), 1);
	cr_expect(line.len == 1 && line.p[0] == '\0');
	cr_expect_eq(fl_lines_next(r, &line), 0);
	fl_lines_destroy(r);
	close(fd);
}

Test(lines, delivers_a_last_line_without_lf)
{
	LINES("no_final_lf", "a\nlast", 64, 0, 0, {"a", false}, {"last", false});
}

Test(lines, reads_an_empty_input_as_no_lines)
{
	struct fl_lines *r = NULL;
	struct fl_line line;
	int fd = file_with("", 0);

	cr_assert_eq(fl_lines_create(&r, fd, 16), 0);
	cr_expect_eq(fl_lines_next(r, &line), 0);
	cr_expect_eq(fl_lines_next(r, &line), 0);
	fl_lines_destroy(r);
	close(fd);
}

Test(lines, cuts_an_overlong_line_and_counts_the_skipped_bytes)
{
	LINES("cut_in_buffer", "0123456789abcdef\nok\n", 10, 1, 6, {"0123456789", true},
	      {"ok", false});
	LINES("cut_at_eof", "0123456789abcdef", 10, 1, 6, {"0123456789", true});
	LINES("exactly_max", "0123456789\n", 10, 0, 0, {"0123456789", false});
}

Test(lines, cuts_a_line_longer_than_one_read)
{
	size_t big = 300 * 1024;
	char *content = malloc(big + 8);
	struct fl_lines *r = NULL;
	struct fl_lines_stats st;
	struct fl_line line;
	int fd;

	cr_assert(content);
	memset(content, 'x', big);
	memcpy(content + big, "\nnext\n", 6);
	fd = file_with(content, big + 6);
	cr_assert_eq(fl_lines_create(&r, fd, 1000), 0);
	cr_assert_eq(fl_lines_next(r, &line), 1);
	cr_expect_eq(line.len, 1000);
	cr_expect(line.is_cut);
	cr_expect_eq(line.p[999], 'x');
	cr_assert_eq(fl_lines_next(r, &line), 1);
	cr_expect(line.len == 4 && memcmp(line.p, "next", 4) == 0);
	cr_expect(!line.is_cut);
	cr_expect_eq(line.number, 2);
	cr_expect_eq(fl_lines_next(r, &line), 0);
	fl_lines_stats(r, &st);
	cr_expect_eq(st.cut, 1);
	cr_expect_eq(st.bytes_skipped, big - 1000);
	fl_lines_destroy(r);
	close(fd);
	free(content);
}

Test(lines, keeps_long_lines_whole_across_reads_when_under_the_cap)
{
	size_t n = 200 * 1024, lines = 0;
	char *content = malloc(n);
	struct fl_lines *r = NULL;
	struct fl_line line;
	int fd;

	cr_assert(content);
	/* lines of 99 bytes + LF: several straddle each 64 KiB read */
	for (size_t i = 0; i < n; i++)
		content[i] = (i % 100 == 99) ? '\n' : (char)('a' + i % 26);
	fd = file_with(content, n);
	cr_assert_eq(fl_lines_create(&r, fd, 128), 0);
	while (fl_lines_next(r, &line) == 1) {
		cr_expect_eq(line.len, 99, "line %llu", (unsigned long long)line.number);
		cr_expect_eq(line.p[0], (char)('a' + (lines * 100) % 26));
		lines++;
	}
	cr_expect_eq(lines, n / 100);
	fl_lines_destroy(r);
	close(fd);
	free(content);
}

Test(lines, refuses_a_zero_cap_and_a_bad_descriptor)
{
	struct fl_lines *r = NULL;

	cr_expect_eq(fl_lines_create(&r, 0, 0), -EINVAL);
	cr_expect_eq(fl_lines_create(&r, -1, 10), -EINVAL);
	cr_expect_null(r);
}

Test(lines, returns_the_read_error)
{
	struct fl_lines *r = NULL;
	struct fl_line line;
	int fds[2];

	cr_assert_eq(pipe(fds), 0);
	close(fds[0]);
	/* the write end cannot be read: read() fails with EBADF */
	cr_assert_eq(fl_lines_create(&r, fds[1], 10), 0);
	cr_expect_eq(fl_lines_next(r, &line), -EBADF);
	fl_lines_destroy(r);
	close(fds[1]);
}
