/* cmd_token.c - `faultline token add|list|revoke`: the API's bearer tokens
 * in the users file (api_auth.h gives the line format).
 *
 * add prints the token once and stores only its SHA-256; list shows ids,
 * users, roles and expiries, never a secret; revoke drops the token's line.
 * The file is replaced whole (a temporary file beside it, fsync, rename), so
 * a running API, which reads the file again when it changes, never sees half
 * an edit, and its mode and owner are kept. */
#include "engine/cli/api_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/api/api_auth.h"
#include "engine/cli/opts.h"
#include "engine/lib/limits.h"

#define DEFAULT_USERS "/etc/faultline/users"
#define FILE_CAP ((size_t)(FL_API_USERS_MAX + FL_API_TOKENS_MAX) * (FL_API_USERS_LINE_MAX + 2))

struct token_args {
	const char *users, *expires;
};

static void token_usage(FILE *out)
{
	fprintf(out,
		"usage: faultline token add USER [--users FILE] [--expires DATE]\n"
		"       faultline token list [--users FILE]\n"
		"       faultline token revoke ID [--users FILE]\n"
		"API tokens for `Authorization: Bearer TOKEN` (docs/api.md). add prints a new\n"
		"token of USER (a user of the file, whose role it carries) once: only its\n"
		"SHA-256 is kept, in a line @token:ID:USER:EXPIRES:HASH of the users file.\n"
		"DATE is 2027-06-30 (its start, UTC) or 2027-06-30T12:00:00Z; without it the\n"
		"token never expires. revoke removes the token's line. A running API reads the\n"
		"file again at its next request. FILE defaults to " DEFAULT_USERS ".\n");
}

/* The whole file into a new buffer; NULL with a message printed. */
static char *file_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *text;

	if (!f) {
		fprintf(stderr, "faultline token: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	text = malloc(FILE_CAP + 1);
	if (text)
		*len = fread(text, 1, FILE_CAP + 1, f);
	fclose(f);
	if (text && *len > FILE_CAP) {
		fprintf(stderr, "faultline token: %s: larger than %zu bytes\n", path, FILE_CAP);
		free(text);
		return NULL;
	}
	if (text)
		text[*len] = '\0';
	return text;
}

/* Replaces path with text, keeping its mode and owner. Returns 0 or -1 with
 * a message. */
static int file_replace(const char *path, const char *text, size_t len)
{
	char tmp[4096];
	struct stat st;
	int fd, rc = 0;

	if (stat(path, &st) < 0 ||
	    snprintf(tmp, sizeof(tmp), "%s.token-tmp", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "faultline token: %s: cannot be replaced\n", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777);
	if (fd < 0) {
		fprintf(stderr, "faultline token: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	if (fchown(fd, st.st_uid, st.st_gid) < 0 && geteuid() == 0)
		rc = -1;
	for (size_t at = 0; rc == 0 && at < len;) {
		ssize_t n = write(fd, text + at, len - at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			rc = -1;
		else
			at += (size_t)n;
	}
	if (fsync(fd) < 0)
		rc = -1;
	if (close(fd) < 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -1;
	if (rc < 0) {
		fprintf(stderr, "faultline token: cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
	}
	return rc;
}

/* The file read and parsed: its text in *text, the table in *users. */
static int users_open(const char *path, char **text, size_t *len, struct fl_api_users **users)
{
	char err[512] = "";

	*text = file_read(path, len);
	if (!*text)
		return -1;
	if (fl_api_users_parse(users, path, *text, *len, err, sizeof(err)) < 0) {
		fprintf(stderr, "faultline token: %s\n", err[0] ? err : "out of memory");
		free(*text);
		return -1;
	}
	return 0;
}

static int token_add(const struct token_args *a, const char *user)
{
	char token[FL_API_TOKEN_LEN + 1], line[FL_API_TOKEN_LINE_MAX + 1];
	struct fl_api_users *u;
	enum fl_api_role role;
	int64_t expires_s = 0;
	char *text, *out;
	size_t len;
	int rc = 1;

	if (a->expires && (fl_api_time_parse(a->expires, &expires_s) < 0 ||
			   expires_s <= (int64_t)time(NULL))) {
		fprintf(stderr, "faultline token: --expires %s: a date to come, 2027-06-30 or "
				"2027-06-30T12:00:00Z (UTC)\n", a->expires);
		return 2;
	}
	if (users_open(a->users, &text, &len, &u) < 0)
		return 1;
	if (fl_api_users_role_of(u, user, &role) < 0) {
		fprintf(stderr, "faultline token: %s is not a user of %s\n", user, a->users);
		goto out_free;
	}
	if (fl_api_users_tokens(u) >= FL_API_TOKENS_MAX) {
		fprintf(stderr, "faultline token: %s holds %u tokens already\n", a->users,
			FL_API_TOKENS_MAX);
		goto out_free;
	}
	if (fl_api_token_new(user, expires_s, token, line) < 0) {
		fprintf(stderr, "faultline token: no randomness for a token\n");
		goto out_free;
	}
	out = malloc(len + strlen(line) + 2);
	if (out) {
		memcpy(out, text, len);
		if (len && text[len - 1] != '\n')
			out[len++] = '\n';
		len += (size_t)sprintf(out + len, "%s\n", line);
		if (file_replace(a->users, out, len) == 0) {
			printf("%s\n", token);
			fprintf(stderr, "token %.8s of %s (%s) added; it is shown only now\n",
				token + 4, user, fl_api_role_name(role));
			rc = 0;
		}
		free(out);
	}
	memset(token, 0, sizeof(token));
out_free:
	fl_api_users_free(u);
	free(text);
	return rc;
}

static int token_list(const struct token_args *a)
{
	struct fl_api_token_info t;
	struct fl_api_users *u;
	enum fl_api_role role;
	int64_t now_s = (int64_t)time(NULL);
	char when[18];
	char *text;
	size_t len;

	if (users_open(a->users, &text, &len, &u) < 0)
		return 1;
	printf("%-8s  %-16s  %-8s  %-16s  %s\n", "ID", "USER", "ROLE", "EXPIRES", "STATE");
	for (size_t i = 0; fl_api_users_token_at(u, i, &t) == 0; i++) {
		if (fl_api_users_role_of(u, t.user, &role) < 0)
			role = FL_ROLE_NONE;
		fl_api_time_basic(t.expires_s, when);
		printf("%-8s  %-16s  %-8s  %-16s  %s\n", t.id, t.user, fl_api_role_name(role), when,
		       t.expires_s && now_s >= t.expires_s ? "expired" : "valid");
	}
	fl_api_users_free(u);
	free(text);
	return 0;
}

/* Drops the line "@token:ID:..." from text; true when there was one. */
static bool drop_token_line(char *text, size_t *len, const char *id)
{
	char prefix[8 + FL_API_TOKEN_ID_LEN + 2];
	size_t at = 0, plen;

	plen = (size_t)snprintf(prefix, sizeof(prefix), "@token:%s:", id);
	while (at < *len) {
		char *nl = memchr(text + at, '\n', *len - at);
		size_t end = nl ? (size_t)(nl - text) + 1 : *len;

		if (end - at > plen && memcmp(text + at, prefix, plen) == 0) {
			memmove(text + at, text + end, *len - end);
			*len -= end - at;
			return true;
		}
		at = end;
	}
	return false;
}

static int token_revoke(const struct token_args *a, const char *id)
{
	struct fl_api_users *u;
	char *text;
	size_t len;
	int rc = 1;

	if (strlen(id) != FL_API_TOKEN_ID_LEN || strchr(id, ':')) {
		fprintf(stderr, "faultline token: a token's id is 8 hex digits (token list)\n");
		return 2;
	}
	if (users_open(a->users, &text, &len, &u) < 0)
		return 1;
	if (!drop_token_line(text, &len, id))
		fprintf(stderr, "faultline token: no token %s in %s\n", id, a->users);
	else if (file_replace(a->users, text, len) == 0) {
		fprintf(stderr, "token %s revoked\n", id);
		rc = 0;
	}
	fl_api_users_free(u);
	free(text);
	return rc;
}

int fl_cmd_token(int argc, char **argv)
{
	struct token_args a = {.users = DEFAULT_USERS};
	const struct fl_opt opts[] = {
		FL_OPT_STRING_ROW("--users", &a.users, "FILE", "the users file (" DEFAULT_USERS ")"),
		FL_OPT_STRING_ROW("--expires", &a.expires, "DATE", "add: when the token stops"),
	};
	const struct fl_opts_cmd cmd = {"token", opts, FL_ARRAY_LEN(opts), 2, false, token_usage};
	struct fl_opts_result res;
	const char *verb;
	int status;

	if (!fl_opts_accept(&cmd, argc, argv, &a, &res, &status))
		return status;
	verb = res.n_words ? res.words[0] : "";
	if (strcmp(verb, "add") == 0 && res.n_words == 2)
		return token_add(&a, res.words[1]);
	if (strcmp(verb, "list") == 0 && res.n_words == 1)
		return token_list(&a);
	if (strcmp(verb, "revoke") == 0 && res.n_words == 2)
		return token_revoke(&a, res.words[1]);
	token_usage(stderr);
	return 2;
}
