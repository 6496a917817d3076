/* api_auth.c - the users file and basic credentials of api_auth.h. */
#include "engine/api/api_auth.h"

#include <crypt.h>
#include <errno.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "engine/lib/civil.h"
#include "engine/lib/limits.h"

struct api_user {
	char name[FL_API_USER_MAX + 1];
	enum fl_api_role role;
	char *hash;
};

struct api_token {
	char id[FL_API_TOKEN_ID_LEN + 1];
	char user[FL_API_USER_MAX + 1];
	int64_t expires_s; /* 0: never */
	uint8_t digest[SHA256_DIGEST_SIZE];
};

struct fl_api_users {
	struct api_user *rows;
	size_t n;
	struct api_token *tokens; /* allocated at the first token line */
	size_t n_tokens;
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
	free(u->tokens);
	free(u);
}

static const struct api_user *user_find(const struct fl_api_users *u, const char *name)
{
	for (size_t i = 0; i < u->n; i++)
		if (strcmp(u->rows[i].name, name) == 0)
			return &u->rows[i];
	return NULL;
}

static int hex_value(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* n lowercase hex digits into bytes[n / 2]: true when they all are. */
static bool hex_decode(const char *text, size_t n, uint8_t *bytes)
{
	if (strlen(text) != n)
		return false;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		if (bytes)
			bytes[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static const struct api_token *token_find(const struct fl_api_users *u, const char *id)
{
	for (size_t i = 0; i < u->n_tokens; i++)
		if (strcmp(u->tokens[i].id, id) == 0)
			return &u->tokens[i];
	return NULL;
}

static int expiry_parse(const char *text, int64_t *out_s);

/* "@token:ID:USER:EXPIRES:SHA256" after "@token:" (in fields). Its user is
 * checked once the whole file is read: the user's line may come later. */
static int token_line_parse(struct fl_api_users *u, char *fields, const char **why)
{
	char *f[4];
	struct api_token *t;

	for (int k = 0; k < 4; k++) {
		f[k] = fields;
		fields = strchr(fields, ':');
		if ((k < 3) != (fields != NULL))
			return *why = "want @token:ID:USER:EXPIRES:SHA256", -EINVAL;
		if (fields)
			*fields++ = '\0';
	}
	if (!u->tokens && !(u->tokens = calloc(FL_API_TOKENS_MAX, sizeof(*u->tokens))))
		return -ENOMEM;
	if (u->n_tokens == FL_API_TOKENS_MAX)
		return *why = "more than 1024 tokens", -EINVAL;
	t = &u->tokens[u->n_tokens];
	if (!hex_decode(f[0], FL_API_TOKEN_ID_LEN, NULL))
		return *why = "a token's id is 8 hex digits", -EINVAL;
	if (token_find(u, f[0]))
		return *why = "this token id is named twice", -EINVAL;
	if (!f[1][0] || strlen(f[1]) > FL_API_USER_MAX)
		return *why = "a user name is 1 to 64 bytes", -EINVAL;
	if (expiry_parse(f[2], &t->expires_s) < 0)
		return *why = "the expiry is never or a UTC time 20270630T000000Z", -EINVAL;
	if (!hex_decode(f[3], 2 * SHA256_DIGEST_SIZE, t->digest))
		return *why = "the hash is 64 hex digits of SHA-256", -EINVAL;
	memcpy(t->id, f[0], FL_API_TOKEN_ID_LEN + 1);
	memcpy(t->user, f[1], strlen(f[1]) + 1);
	u->n_tokens++;
	return 0;
}

/* One "name:role:hash" line (its end already cut). Returns 0, or -EINVAL
 * with why. */
static int line_parse(struct fl_api_users *u, char *line, const char **why)
{
	char *role = strchr(line, ':'), *hash;
	struct api_user *row;

	if (strncmp(line, "@token:", 7) == 0)
		return token_line_parse(u, line + 7, why);
	if (u->n == FL_API_USERS_MAX)
		return *why = "more than 1024 users", -E2BIG;

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

/* Every token belongs to a user of the file. */
static int tokens_check_users(const struct fl_api_users *u, const char *name, char *err,
			      size_t err_len)
{
	for (size_t i = 0; i < u->n_tokens; i++)
		if (!user_find(u, u->tokens[i].user)) {
			snprintf(err, err_len, "%s: token %s is of '%s', who is not a user here",
				 name, u->tokens[i].id, u->tokens[i].user);
			return -EINVAL;
		}
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
		rc = line_parse(u, line, &why);
		if (rc == -EINVAL || rc == -E2BIG)
			snprintf(err, err_len, "%s:%zu: %s", name, lineno, why);
	}
	if (rc == 0)
		rc = tokens_check_users(u, name, err, err_len);
	if (rc < 0) {
		fl_api_users_free(u);
		return rc;
	}
	*out = u;
	return 0;
}

int fl_api_users_load(struct fl_api_users **out, const char *path, char *err, size_t err_len)
{
	/* users and tokens, each line at most the line cap */
	size_t cap = (size_t)(FL_API_USERS_MAX + FL_API_TOKENS_MAX) * (FL_API_USERS_LINE_MAX + 2);
	size_t len;
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

/* ---- tokens ------------------------------------------------------------------ */

/* The fields of a date and time, checked: true when it is a real instant. */
static bool civil_to_s(int y, int mo, int d, int h, int mi, int sec, int64_t *out_s)
{
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    (unsigned)d > fl_days_in_month(y, (unsigned)mo) || h > 23 || mi > 59 || sec > 59)
		return false;
	*out_s = fl_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec;
	return true;
}

/* Exactly n digits at *p, advanced past them; -1 otherwise. */
static int digits(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

/* The file's form: "never" or "20270630T120000Z". */
static int expiry_parse(const char *text, int64_t *out_s)
{
	const char *p = text;
	int y, mo, d, h, mi, sec;

	if (strcmp(text, "never") == 0) {
		*out_s = 0;
		return 0;
	}
	y = digits(&p, 4), mo = digits(&p, 2), d = digits(&p, 2);
	if (*p++ != 'T')
		return -EINVAL;
	h = digits(&p, 2), mi = digits(&p, 2), sec = digits(&p, 2);
	if (strcmp(p, "Z") != 0 || y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0)
		return -EINVAL;
	return civil_to_s(y, mo, d, h, mi, sec, out_s) ? 0 : -EINVAL;
}

int fl_api_time_parse(const char *text, int64_t *out_s)
{
	const char *p = text;
	int y, mo, d, h = 0, mi = 0, sec = 0;

	y = digits(&p, 4);
	if (*p++ != '-')
		return -EINVAL;
	mo = digits(&p, 2);
	if (*p++ != '-')
		return -EINVAL;
	d = digits(&p, 2);
	if (*p == 'T') {
		p++;
		h = digits(&p, 2);
		if (*p++ != ':')
			return -EINVAL;
		mi = digits(&p, 2);
		if (*p++ != ':')
			return -EINVAL;
		sec = digits(&p, 2);
		if (strcmp(p, "Z") != 0)
			return -EINVAL;
	} else if (*p) {
		return -EINVAL;
	}
	if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0)
		return -EINVAL;
	return civil_to_s(y, mo, d, h, mi, sec, out_s) ? 0 : -EINVAL;
}

void fl_api_time_basic(int64_t s, char out[18])
{
	int64_t y, sod = s % 86400;
	unsigned m, d;

	if (s <= 0) {
		snprintf(out, 18, "never");
		return;
	}
	fl_civil_from_days(s / 86400, &y, &m, &d);
	/* a year past 9999 does not fit the field: such an expiry is never */
	char text[64];
	int n = snprintf(text, sizeof(text), "%04d%02u%02uT%02d%02d%02dZ", (int)y, m, d,
			 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
	if (n < 0 || n >= 18)
		snprintf(out, 18, "never");
	else
		memcpy(out, text, (size_t)n + 1);
}

static void token_digest(const char *token, uint8_t digest[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, strlen(token), (const uint8_t *)token);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
}

/* "flt_ID_SECRET": the id into id[], or false when it has not that shape. */
static bool token_shape(const char *token, char id[FL_API_TOKEN_ID_LEN + 1])
{
	if (strlen(token) != FL_API_TOKEN_LEN || strncmp(token, "flt_", 4) != 0 ||
	    token[4 + FL_API_TOKEN_ID_LEN] != '_')
		return false;
	memcpy(id, token + 4, FL_API_TOKEN_ID_LEN);
	id[FL_API_TOKEN_ID_LEN] = '\0';
	return hex_decode(id, FL_API_TOKEN_ID_LEN, NULL);
}

int fl_api_users_check_token(const struct fl_api_users *u, const char *authorization,
			     int64_t now_s, char *user, enum fl_api_role *role)
{
	static const uint8_t decoy[SHA256_DIGEST_SIZE];
	uint8_t got[SHA256_DIGEST_SIZE];
	char id[FL_API_TOKEN_ID_LEN + 1];
	const struct api_token *t;
	const struct api_user *row;
	bool is_same;

	if (!authorization || strncmp(authorization, "Bearer ", 7) != 0 ||
	    !token_shape(authorization + 7, id))
		return -EINVAL;
	t = token_find(u, id);
	/* the id is public (token list shows it); the digest is what is secret,
	 * and it is compared in constant time */
	token_digest(authorization + 7, got);
	is_same = memeql_sec(got, t ? t->digest : decoy, SHA256_DIGEST_SIZE) && t;
	if (!is_same || !(row = user_find(u, t->user)))
		return -EACCES;
	if (t->expires_s && now_s >= t->expires_s)
		return -EKEYEXPIRED;
	memcpy(user, row->name, strlen(row->name) + 1);
	*role = row->role;
	return 0;
}

int fl_api_users_role_of(const struct fl_api_users *u, const char *name, enum fl_api_role *role)
{
	const struct api_user *row = user_find(u, name);

	if (!row)
		return -ENOENT;
	*role = row->role;
	return 0;
}

size_t fl_api_users_tokens(const struct fl_api_users *u)
{
	return u->n_tokens;
}

int fl_api_users_token_at(const struct fl_api_users *u, size_t i, struct fl_api_token_info *out)
{
	if (i >= u->n_tokens)
		return -ERANGE;
	memcpy(out->id, u->tokens[i].id, sizeof(out->id));
	memcpy(out->user, u->tokens[i].user, sizeof(out->user));
	out->expires_s = u->tokens[i].expires_s;
	return 0;
}

/* RFC 4648 §5 base64url without padding: 32 bytes make 43 characters. */
static void b64url_32(const uint8_t in[32], char out[44])
{
	static const char abc[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t o = 0;

	for (size_t i = 0; i < 32; i += 3) {
		uint32_t w = (uint32_t)in[i] << 16 | (i + 1 < 32 ? (uint32_t)in[i + 1] << 8 : 0) |
			     (i + 2 < 32 ? in[i + 2] : 0);

		out[o++] = abc[w >> 18 & 63];
		out[o++] = abc[w >> 12 & 63];
		if (i + 1 < 32)
			out[o++] = abc[w >> 6 & 63];
		if (i + 2 < 32)
			out[o++] = abc[w & 63];
	}
	out[o] = '\0';
}

int fl_api_token_new(const char *user, int64_t expires_s, char *token, char *line)
{
	uint8_t rnd[4 + 32], digest[SHA256_DIGEST_SIZE];
	char secret[44], hex[2 * SHA256_DIGEST_SIZE + 1], when[18];

	if (!user[0] || strlen(user) > FL_API_USER_MAX || strchr(user, ':') || strchr(user, '\n'))
		return -EINVAL;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -EIO;
	b64url_32(rnd + 4, secret);
	snprintf(token, FL_API_TOKEN_LEN + 1, "flt_%02x%02x%02x%02x_%s", rnd[0], rnd[1], rnd[2],
		 rnd[3], secret);
	token_digest(token, digest);
	for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	fl_api_time_basic(expires_s, when);
	snprintf(line, FL_API_TOKEN_LINE_MAX + 1, "@token:%.8s:%s:%s:%s", token + 4, user, when,
		 hex);
	memset(rnd, 0, sizeof(rnd)); /* the caller shows the token and forgets it */
	return 0;
}
