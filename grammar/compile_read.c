/* compile_read.c - pass 1: read the plan and its includes, parse them into
 * one statement list. Cycles, depth and the number of files are checked. */
#define _XOPEN_SOURCE 700 /* realpath() */
#include "grammar/compile_int.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Reads path whole, at most FL_PLAN_MAX_BYTES. 0, -errno, or -EFBIG. The
 * buffer starts at the file's size and a page more, so a plan is read in one
 * allocation (a 8 MB plan took eleven reallocs and their copies); a file
 * that grows meanwhile still reads whole. */
int read_whole(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, alloc = 0;
	struct stat st;

	if (!f)
		return -errno;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
	    (uintmax_t)st.st_size <= FL_PLAN_MAX_BYTES) {
		alloc = (size_t)st.st_size + 4096;
		buf = malloc(alloc);
		if (!buf)
			alloc = 0;
	}
	for (;;) {
		size_t got;

		if (alloc - n < 4096) {
			char *nb;

			if (alloc > FL_PLAN_MAX_BYTES) {
				free(buf);
				fclose(f);
				return -EFBIG;
			}
			nb = realloc(buf, alloc ? alloc * 2 : 8192);
			if (!nb) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nb;
			alloc = alloc ? alloc * 2 : 8192;
		}
		got = fread(buf + n, 1, alloc - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno ? -errno : -EIO;

		free(buf);
		fclose(f);
		return e;
	}
	fclose(f);
	if (n > FL_PLAN_MAX_BYTES) {
		free(buf);
		return -EFBIG;
	}
	*text = buf; /* the last fread had room left: there is a byte for a NUL */
	*len = n;
	return 0;
}

/* "dir of base" + "/" + rel, unless rel is absolute. Caller frees. */
char *path_join(const char *base_file, const char *rel)
{
	const char *slash = strrchr(base_file, '/');
	size_t dl = slash ? (size_t)(slash - base_file) : 0;
	char *out;

	if (rel[0] == '/' || !slash)
		return strdup(rel);
	out = malloc(dl + strlen(rel) + 2);
	if (out)
		sprintf(out, "%.*s/%s", (int)dl, base_file, rel);
	return out;
}

/* Parses the includes among the statements [first, last] of one file. */
static void expand_includes(struct fl_compile *c, struct fl_ast_stmt *first,
			    struct fl_ast_stmt *last, size_t file, int depth)
{
	for (struct fl_ast_stmt *s = first; s; s = s->next) {
		if (is_word(s->items[0], "include") && !s->block_loc) {
			const struct fl_ast_item *it = at(s, 1);
			char *path, *text = NULL;
			size_t len = 0;
			int rc;

			if (!want_kind(c, s, 1, FL_ITEM_STRING, "a file name in quotes"))
				goto next;
			no_more(c, s, 2);
			if (c->opt->no_files) {
				fl_diag_error(c->d, &it->loc, "includes are not read in this mode");
				goto next;
			}
			if (depth + 1 > FL_PLAN_MAX_INCLUDE_DEPTH) {
				fl_diag_error(c->d, &it->loc, "includes nested deeper than %d",
					      FL_PLAN_MAX_INCLUDE_DEPTH);
				goto next;
			}
			path = path_join(c->file_paths[file], it->text);
			if (!path) {
				c->oom = true;
				return;
			}
			rc = read_whole(path, &text, &len);
			if (rc < 0)
				fl_diag_error(c->d, &it->loc, "cannot read '%s': %s", path,
					      rc == -EFBIG ? "file too large" : strerror(-rc));
			else
				parse_file(c, path, text, len, depth + 1, &it->loc); /* takes text */
			free(path);
		}
next:
		if (s == last)
			break;
	}
}

int parse_file(struct fl_compile *c, const char *path, char *text, size_t len, int depth,
	       const struct fl_loc *from)
{
	char *real = c->opt->no_files ? NULL : realpath(path, NULL);
	const struct fl_src *src;
	struct fl_ast_stmt *before = c->parse.last;
	size_t file = c->n_files;
	char **np, **nr;
	int rc;

	for (size_t i = 0; real && i < c->n_files; i++) {
		if (c->file_real[i] && strcmp(c->file_real[i], real) == 0) {
			fl_diag_error(c->d, from, "include cycle: '%s' is already being read", path);
			free(real);
			free(text);
			return -EINVAL;
		}
	}
	if (c->n_files >= FL_PLAN_MAX_FILES) {
		fl_diag_error(c->d, from, "more than %d plan files", FL_PLAN_MAX_FILES);
		free(real);
		free(text);
		return -EINVAL;
	}
	np = realloc(c->file_paths, (c->n_files + 1) * sizeof(*np));
	if (np)
		c->file_paths = np;
	nr = realloc(c->file_real, (c->n_files + 1) * sizeof(*nr));
	if (nr)
		c->file_real = nr;
	if (!np || !nr || !(c->file_paths[file] = strdup(path))) {
		free(real);
		free(text);
		c->oom = true;
		return -ENOMEM;
	}
	c->file_real[file] = real;
	c->n_files++;
	/* a UTF-8 byte-order mark (Notepad's, many editors' on Windows) is no
	 * text of the plan: columns count from the first character after it */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		memmove(text, text + 3, len - 3);
		len -= 3;
	}
	src = fl_diag_source_take(c->d, path, text, len);
	if (!src) {
		c->oom = true;
		return -ENOMEM;
	}
	rc = fl_parse_source(&c->parse, src, file);
	if (rc == -ENOMEM)
		c->oom = true;
	if (c->parse.last != before)
		expand_includes(c, before ? before->next : c->parse.first, c->parse.last, file,
				depth);
	/* leave the include chain: a file may be included twice side by side
	 * (that is a duplicate-name problem, not a cycle) */
	free(c->file_real[file]);
	c->file_real[file] = NULL;
	return rc;
}
