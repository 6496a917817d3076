/* api_auth.h - who is asking: the users file of the HTTP API, HTTP basic
 * credentials checked against it, and the roles that decide what each may do.
 *
 * The users file holds one user a line, "name:role:hash" ('#' starts a
 * comment), where role is viewer, operator or admin and hash a crypt(3)
 * hash: "$6$..." (SHA-512) or "$y$..." (yescrypt), as `faultline passwd`,
 * `mkpasswd -m sha-512` or `openssl passwd -6` print it. Passwords are never
 * kept in the clear. The table is loaded once and read-only after: any
 * thread may check credentials against it.
 *
 * API tokens live in the same file, one a line:
 *   "@token:ID:USER:EXPIRES:SHA256"
 * ID is 8 hex digits (what `faultline token list` and `revoke` name), USER a
 * user of the file (the token acts with that user's role), EXPIRES "never"
 * or a UTC time "20270630T000000Z" (ISO 8601 basic: no ':' in it), SHA256 the
 * hex SHA-256 of the whole token. The token itself, "flt_ID_SECRET" with 32
 * random bytes in SECRET, is printed once by `token add` and never stored. A
 * first field "@token" cannot be a user's line (no role follows it), so files
 * without tokens read as before. */
#ifndef FL_API_AUTH_H
#define FL_API_AUTH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

/* In rank order: a role may do what every role before it may. */
#define FL_API_ROLES(X) X(NONE, "none") X(VIEWER, "viewer") X(OPERATOR, "operator") X(ADMIN, "admin")
enum fl_api_role {
#define X(name, text) FL_ROLE_##name,
	FL_API_ROLES(X)
#undef X
};

#define FL_API_USER_MAX 64 /* bytes of a user name */
#define FL_API_TOKENS_MAX 1024 /* tokens in a users file */
#define FL_API_TOKEN_ID_LEN 8  /* hex digits of a token's id */
#define FL_API_TOKEN_LEN (4 + FL_API_TOKEN_ID_LEN + 1 + 43) /* "flt_" ID "_" base64url(32) */
#define FL_API_TOKEN_LINE_MAX (7 + FL_API_TOKEN_ID_LEN + 1 + FL_API_USER_MAX + 18 + 64 + 2)

/* A token as `token list` shows it: never the secret nor its hash. */
struct fl_api_token_info {
	char id[FL_API_TOKEN_ID_LEN + 1];
	char user[FL_API_USER_MAX + 1];
	int64_t expires_s; /* 0: never */
};

struct fl_api_users;

/* Loads path. Returns 0, -ENOENT/-EACCES (the file), -EINVAL (a bad line:
 * err says "PATH:LINE: why"), -E2BIG (over FL_API_USERS_MAX users or a line
 * over FL_API_USERS_LINE_MAX bytes), -ENOMEM. A user named twice is a bad
 * line. fl_api_users_free(NULL) does nothing. */
FL_MUST_CHECK int fl_api_users_load(struct fl_api_users **out, const char *path, char *err,
				    size_t err_len);
/* The same from text in memory (tests); name is used in messages. */
FL_MUST_CHECK int fl_api_users_parse(struct fl_api_users **out, const char *name,
				     const char *text, size_t len, char *err, size_t err_len);
void fl_api_users_free(struct fl_api_users *u);

/* Checks an Authorization header value ("Basic base64(user:password)").
 * Returns 0 with the user's name in user[FL_API_USER_MAX + 1] and role in
 * *role, -EACCES (unknown user or wrong password: the two are not told
 * apart, and cost the same), -EINVAL (no header, another scheme, bad
 * base64). */
FL_MUST_CHECK int fl_api_users_check(const struct fl_api_users *u, const char *authorization,
				     char *user, enum fl_api_role *role);

/* Checks an Authorization header value "Bearer TOKEN" at now_s. Returns 0
 * with the token's user and that user's role, -EINVAL (no header, another
 * scheme, not a token's shape), -EACCES (no such token, or a wrong one: a
 * revoked token is simply gone from the file), -EKEYEXPIRED (past its
 * expiry). The compare runs in constant time over the digest. */
FL_MUST_CHECK int fl_api_users_check_token(const struct fl_api_users *u, const char *authorization,
					   int64_t now_s, char *user, enum fl_api_role *role);

/* Queries for `faultline token`. role_of: 0 or -ENOENT. token_at: the i-th
 * token in file order, 0 or -ERANGE. */
FL_MUST_CHECK int fl_api_users_role_of(const struct fl_api_users *u, const char *name,
				       enum fl_api_role *role);
size_t fl_api_users_tokens(const struct fl_api_users *u);
FL_MUST_CHECK int fl_api_users_token_at(const struct fl_api_users *u, size_t i,
					struct fl_api_token_info *out);

/* A new token for user expiring at expires_s (0: never): the token into
 * token[FL_API_TOKEN_LEN + 1], to show once, and its users-file line
 * (without '\n') into line[FL_API_TOKEN_LINE_MAX + 1]. 0, -EIO (no
 * randomness), -EINVAL (user not 1 to 64 bytes or holds ':'). */
FL_MUST_CHECK int fl_api_token_new(const char *user, int64_t expires_s, char *token, char *line);

/* "2027-06-30" (its start, UTC) or "2027-06-30T12:00:00Z" into seconds since
 * the epoch: 0 or -EINVAL. */
FL_MUST_CHECK int fl_api_time_parse(const char *text, int64_t *out_s);
/* out_s as "20270630T120000Z" (the file's form); "never" for 0. */
void fl_api_time_basic(int64_t s, char out[18]);

/* A new SHA-512 crypt(3) hash of password with a random salt into
 * out[out_len]: 0, -EIO (no randomness or crypt failed), -ENOSPC. */
FL_MUST_CHECK int fl_api_hash_password(const char *password, char *out, size_t out_len);

const char *fl_api_role_name(enum fl_api_role r);
/* "viewer" -> FL_ROLE_VIEWER; -EINVAL for anything else (and for "none"). */
FL_MUST_CHECK int fl_api_role_parse(const char *name, enum fl_api_role *out);

#endif /* FL_API_AUTH_H */
