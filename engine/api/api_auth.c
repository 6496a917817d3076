/* api_auth.c - the users file and basic credentials of api_auth.h. */
#include "engine/api/api_auth.h"

#include <crypt.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "engine/lib/limits.h"

struct api_user {
	char name[FL_API_USER_MAX + 1];
	enum fl_api_role role;
	char *hash;
};

struct fl_api_users {
	struct api_user *rows;
	size_t n;
};

static const char *const role_names[] = {
#define X(name, text) text,
	FL_API_ROLES(X)
#undef X
};

const char *fl_api_role_name(enum fl_api_role r)
{
	return (size_t)r < sizeof(role_names) / sizeof(role_names[0]) ? role_names[r] : "?";
}

int fl_api_role_parse(const char *name, enum fl_api_role *out)
{
	for (size_t r = FL_ROLE_VIEWER; r < sizeof(role_names) / sizeof(role_names[0]); r++)
		if (strcmp(name, role_names[r]) == 0) {
			*out = (enum fl_api_role)r;
			return 0;
		}
	return -EINVAL;
}

void fl_api_users_free(struct fl_api_users *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->n; i++)
		free(u->rows[i].hash);
	free(u->rows);
	free(u);
}

static const struct api_user *user_find(const struct fl_api_users *u, const char *name)
{
	for (size_t i = 0; i < u->n; i++)
		if (strcmp(u->rows[i].name, name) == 0)
			return &u->rows[i];
	return NULL;
}

/* One "name:role:hash" line (its end already cut). Returns 0, or -EINVAL
 * with why. */
static int line_parse(struct fl_api_users *u, char *line, const char **why)
{
	char *role = strchr(line, ':'), *hash;
	struct api_user *row;

	if (!role || !(hash = strchr(role + 1, ':')))
		return *why = "want name:role:hash", -EINVAL;
	*role++ = '\0';
	*hash++ = '\0';
	if (!line[0] || strlen(line) > FL_API_USER_MAX)
		return *why = "a user name is 1 to 64 bytes", -EINVAL;
	if (user_find(u, line))
		return *why = "this user is named twice", -EINVAL;
	row = &u->rows[u->n];
	if (fl_api_role_parse(role, &row->role) < 0)
		return *why = "the role is viewer, operator or admin", -EINVAL;
	if (hash[0] != '$' || strchr(hash, ':'))
		return *why = "the hash is a crypt(3) hash such as $6$...", -EINVAL;
	row->hash = strdup(hash);
	if (!row->hash)
		return -ENOMEM;
	memcpy(row->name, line, strlen(line) + 1);
	u->n++;
	return 0;
}

int fl_api_users_parse(struct fl_api_users **out, const char *name, const char *text, size_t len,
		       char *err, size_t err_len)
{
	struct fl_api_users *u = calloc(1, sizeof(*u));
	char line[FL_API_USERS_LINE_MAX + 1];
	size_t at = 0, lineno = 0;
	int rc = 0;

	if (!u || !(u->rows = calloc(FL_API_USERS_MAX, sizeof(*u->rows)))) {
		free(u);
		return -ENOMEM;
	}
	while (at < len && rc == 0) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t ll = nl ? (size_t)(nl - (text + at)) : len - at;
		const char *why = NULL;

		lineno++;
		if (ll > FL_API_USERS_LINE_MAX) {
			snprintf(err, err_len, "%s:%zu: line longer than %u bytes", name, lineno,
				 FL_API_USERS_LINE_MAX);
			rc = -E2BIG;
			break;
		}
		memcpy(line, text + at, ll);
		line[ll] = '\0';
		at += ll + 1;
		if (ll && line[ll - 1] == '\r')
			line[--ll] = '\0';
		if (!ll || line[0] == '#')
			continue;
		if (u->n == FL_API_USERS_MAX) {
			snprintf(err, err_len, "%s:%zu: more than %u users", name, lineno,
				 FL_API_USERS_MAX);
			rc = -E2BIG;
		} else if ((rc = line_parse(u, line, &why)) == -EINVAL) {
			snprintf(err, err_len, "%s:%zu: %s", name, lineno, why);
		}
	}
	if (rc < 0) {
		fl_api_users_free(u);
		return rc;
	}
	*out = u;
	return 0;
}

int fl_api_users_load(struct fl_api_users **out, const char *path, char *err, size_t err_len)
{
	size_t cap = (size_t)FL_API_USERS_MAX * (FL_API_USERS_LINE_MAX + 2), len;
	FILE *f = fopen(path, "r");
	char *text;
	int rc;

	if (!f) {
		rc = -errno;
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return rc;
	}
	text = malloc(cap + 1);
	if (!text) {
		fclose(f);
		return -ENOMEM;
	}
	len = fread(text, 1, cap + 1, f);
	fclose(f);
	if (len > cap) {
		snprintf(err, err_len, "%s: larger than %zu bytes", path, cap);
		free(text);
		return -E2BIG;
	}
	rc = fl_api_users_parse(out, path, text, len, err, err_len);
	free(text);
	return rc;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* RFC 4648 §4 with padding, into out[cap] NUL-terminated: its length, or -1. */
static long b64_decode(const char *in, char *out, size_t cap)
{
	size_t n = strlen(in), o = 0;

	if (n % 4 != 0)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];
		size_t pad = 0;

		for (size_t k = 0; k < 4; k++) {
			bool is_pad = in[i + k] == '=' && i + 4 == n && k >= 2;

			v[k] = is_pad ? 0 : b64_value((unsigned char)in[i + k]);
			if (is_pad)
				pad++;
			else if (v[k] < 0 || pad)
				return -1;
		}
		if (o + 3 - pad >= cap)
			return -1;
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
			     (uint32_t)v[3];
		out[o++] = (char)(w >> 16);
		if (pad < 2)
			out[o++] = (char)(w >> 8 & 0xFF);
		if (pad < 1)
			out[o++] = (char)(w & 0xFF);
	}
	out[o] = '\0';
	return (long)o;
}

/* crypt_r into a heap crypt_data (it is 32 KiB: not for a thread's stack);
 * true when password hashes to hash. The compare runs over the whole
 * length, whatever byte first differs. */
static bool hash_matches(const char *password, const char *hash)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *got;
	bool is_same = false;

	if (!cd)
		return false;
	got = crypt_r(password, hash, cd);
	if (got && got[0] != '*' && strlen(got) == strlen(hash)) {
		unsigned char diff = 0;

		for (size_t i = 0; got[i]; i++)
			diff |= (unsigned char)(got[i] ^ hash[i]);
		is_same = diff == 0;
	}
	free(cd);
	return is_same;
}

int fl_api_users_check(const struct fl_api_users *u, const char *authorization, char *user,
		       enum fl_api_role *role)
{
	/* an unknown user costs a hash too, so timing does not tell who exists */
	static const char decoy[] = "$6$faultlinedecoy$";
	char cred[FL_API_USER_MAX + 1 + 256 + 1];
	const struct api_user *row;
	char *colon;

	if (!authorization || strncmp(authorization, "Basic ", 6) != 0)
		return -EINVAL;
	if (strlen(authorization + 6) > (sizeof(cred) / 3) * 4 ||
	    b64_decode(authorization + 6, cred, sizeof(cred)) < 0)
		return -EINVAL;
	colon = strchr(cred, ':');
	if (!colon)
		return -EINVAL;
	*colon = '\0';
	row = strlen(cred) <= FL_API_USER_MAX ? user_find(u, cred) : NULL;
	if (!hash_matches(colon + 1, row ? row->hash : decoy) || !row)
		return -EACCES;
	memcpy(user, row->name, strlen(row->name) + 1);
	*role = row->role;
	return 0;
}

int fl_api_hash_password(const char *password, char *out, size_t out_len)
{
	char rnd[16], setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *h;
	int rc = 0;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd) ||
	    !crypt_gensalt_rn("$6$", 0, rnd, (int)sizeof(rnd), setting, (int)sizeof(setting)))
		return -EIO;
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return -ENOMEM;
	h = crypt_r(password, setting, cd);
	if (!h || h[0] == '*')
		rc = -EIO;
	else if (strlen(h) >= out_len)
		rc = -ENOSPC;
	else
		memcpy(out, h, strlen(h) + 1);
	free(cd);
	return rc;
}
