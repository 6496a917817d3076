/* api_auth.h - who is asking: the users file of the HTTP API, HTTP basic
 * credentials checked against it, and the roles that decide what each may do.
 *
 * The users file holds one user a line, "name:role:hash" ('#' starts a
 * comment), where role is viewer, operator or admin and hash a crypt(3)
 * hash: "$6$..." (SHA-512) or "$y$..." (yescrypt), as `faultline passwd`,
 * `mkpasswd -m sha-512` or `openssl passwd -6` print it. Passwords are never
 * kept in the clear. The table is loaded once and read-only after: any
 * thread may check credentials against it. */
#ifndef FL_API_AUTH_H
#define FL_API_AUTH_H
#include <stdbool.h>
#include <stddef.h>

#include "engine/lib/compiler.h"

/* In rank order: a role may do what every role before it may. */
#define FL_API_ROLES(X) X(NONE, "none") X(VIEWER, "viewer") X(OPERATOR, "operator") X(ADMIN, "admin")
enum fl_api_role {
#define X(name, text) FL_ROLE_##name,
	FL_API_ROLES(X)
#undef X
};

#define FL_API_USER_MAX 64 /* bytes of a user name */

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

/* A new SHA-512 crypt(3) hash of password with a random salt into
 * out[out_len]: 0, -EIO (no randomness or crypt failed), -ENOSPC. */
FL_MUST_CHECK int fl_api_hash_password(const char *password, char *out, size_t out_len);

const char *fl_api_role_name(enum fl_api_role r);
/* "viewer" -> FL_ROLE_VIEWER; -EINVAL for anything else (and for "none"). */
FL_MUST_CHECK int fl_api_role_parse(const char *name, enum fl_api_role *out);

#endif /* FL_API_AUTH_H */
