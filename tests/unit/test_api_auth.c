#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/api/api_auth.h"
#include "engine/api/api_route.h"

/* "secret1" hashed once with `faultline passwd`: a fixed hash, so the test
 * does not depend on the salt drawn. */
#define HASH "$6$POZTTMpBqWteiVs3$KMnCBleLgOKUNfmi4F8ScNzBRwgtyh6NlLUndNxD4JFlpJolnkuMi0UyqpLAkWctGdES.rJTvO/iXXgcjIUJ.0"
/* base64 of "op1:secret1", "op1:secret2", "nobody:secret1", "view1:secret1" */
#define OP1_RIGHT "Basic b3AxOnNlY3JldDE="
#define OP1_WRONG "Basic b3AxOnNlY3JldDI="
#define NOBODY "Basic bm9ib2R5OnNlY3JldDE="
#define VIEW1 "Basic dmlldzE6c2VjcmV0MQ=="

static struct fl_api_users *users_of(const char *text)
{
	struct fl_api_users *u = NULL;
	char err[256] = "";

	cr_assert_eq(fl_api_users_parse(&u, "users", text, strlen(text), err, sizeof(err)), 0,
		     "%s", err);
	return u;
}

Test(api_auth, lets_in_a_user_with_the_right_password_in_the_user_role)
{
	struct fl_api_users *u = users_of("# duty room\nop1:operator:" HASH "\r\n"
					  "view1:viewer:" HASH "\n");
	char user[FL_API_USER_MAX + 1];
	enum fl_api_role role;

	cr_expect_eq(fl_api_users_check(u, OP1_RIGHT, user, &role), 0);
	cr_expect_str_eq(user, "op1");
	cr_expect_eq(role, FL_ROLE_OPERATOR);
	cr_expect_eq(fl_api_users_check(u, VIEW1, user, &role), 0);
	cr_expect_eq(role, FL_ROLE_VIEWER);
	fl_api_users_free(u);
}

Test(api_auth, refuses_a_wrong_password_and_an_unknown_user_alike)
{
	struct fl_api_users *u = users_of("op1:operator:" HASH "\n");
	char user[FL_API_USER_MAX + 1] = "untouched";
	enum fl_api_role role = FL_ROLE_NONE;

	cr_expect_eq(fl_api_users_check(u, OP1_WRONG, user, &role), -EACCES);
	cr_expect_eq(fl_api_users_check(u, NOBODY, user, &role), -EACCES);
	cr_expect_str_eq(user, "untouched", "nothing written on a refusal");
	cr_expect_eq(role, FL_ROLE_NONE);
	fl_api_users_free(u);
}

Test(api_auth, refuses_other_schemes_and_bad_base64)
{
	struct fl_api_users *u = users_of("op1:operator:" HASH "\n");
	char user[FL_API_USER_MAX + 1];
	enum fl_api_role role;

	cr_expect_eq(fl_api_users_check(u, NULL, user, &role), -EINVAL);
	cr_expect_eq(fl_api_users_check(u, "Bearer abc", user, &role), -EINVAL);
	cr_expect_eq(fl_api_users_check(u, "Basic b3AxOn*ZWNyZXQx", user, &role), -EINVAL);
	cr_expect_eq(fl_api_users_check(u, "Basic bm9jb2xvbg==", user, &role), -EINVAL,
		     "no colon between user and password");
	fl_api_users_free(u);
}

Test(api_auth, names_the_line_of_a_bad_users_file)
{
	static const struct {
		const char *text, *err;
	} bad[] = {
	    {"op1:boss:" HASH "\n", "users:1: the role is viewer, operator or admin"},
	    {"\nop1:operator\n", "users:2: want name:role:hash"},
	    {"op1:operator:plain\n", "users:1: the hash is a crypt(3) hash such as $6$..."},
	    {"a:viewer:" HASH "\na:admin:" HASH "\n", "users:2: this user is named twice"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fl_api_users *u = NULL;
		char err[256] = "";

		cr_expect_eq(fl_api_users_parse(&u, "users", bad[i].text, strlen(bad[i].text), err,
						sizeof(err)),
			     -EINVAL, "row %zu", i);
		cr_expect_str_eq(err, bad[i].err, "row %zu", i);
		cr_expect_null(u);
	}
}

Test(api_auth, a_new_hash_verifies_its_password_only, .timeout = 30)
{
	char hash[256], line[400];
	char user[FL_API_USER_MAX + 1];
	enum fl_api_role role;
	struct fl_api_users *u;

	cr_assert_eq(fl_api_hash_password("secret1", hash, sizeof(hash)), 0);
	cr_expect_eq(strncmp(hash, "$6$", 3), 0);
	snprintf(line, sizeof(line), "op1:admin:%s\n", hash);
	u = users_of(line);
	cr_expect_eq(fl_api_users_check(u, OP1_RIGHT, user, &role), 0);
	cr_expect_eq(role, FL_ROLE_ADMIN);
	cr_expect_eq(fl_api_users_check(u, OP1_WRONG, user, &role), -EACCES);
	fl_api_users_free(u);
}

Test(api_auth, roles_rank_viewer_below_operator_below_admin)
{
	enum fl_api_role r;

	cr_expect_lt(FL_ROLE_NONE, FL_ROLE_VIEWER);
	cr_expect_lt(FL_ROLE_VIEWER, FL_ROLE_OPERATOR);
	cr_expect_lt(FL_ROLE_OPERATOR, FL_ROLE_ADMIN);
	cr_expect_eq(fl_api_role_parse("operator", &r), 0);
	cr_expect_eq(r, FL_ROLE_OPERATOR);
	cr_expect_eq(fl_api_role_parse("none", &r), -EINVAL, "nobody is given role none");
}

static const struct fl_api_route routes[] = {
	{"GET", "/api/tickets", FL_ROLE_VIEWER, 0},
	{"POST", "/api/tickets", FL_ROLE_OPERATOR, 1},
	{"GET", "/api/tickets/*", FL_ROLE_VIEWER, 2},
	{"POST", "/api/tickets/*/*", FL_ROLE_OPERATOR, 3},
	{"DELETE", "/api/maintenance/*", FL_ROLE_ADMIN, 4},
};

Test(api_route, finds_the_route_and_its_captures)
{
	char args[FL_API_ROUTE_ARGS][FL_API_ARG_MAX + 1], allow[64];

	cr_expect_eq(fl_api_route_find(routes, 5, "GET", "/api/tickets", args, allow, 64), 0);
	cr_expect_eq(fl_api_route_find(routes, 5, "POST", "/api/tickets", args, allow, 64), 1);
	cr_expect_eq(fl_api_route_find(routes, 5, "GET", "/api/tickets/INC-1", args, allow, 64), 2);
	cr_expect_str_eq(args[0], "INC-1");
	cr_expect_eq(fl_api_route_find(routes, 5, "POST", "/api/tickets/7/ack", args, allow, 64), 3);
	cr_expect_str_eq(args[0], "7");
	cr_expect_str_eq(args[1], "ack");
}

Test(api_route, tells_an_unknown_path_from_a_wrong_method)
{
	char args[FL_API_ROUTE_ARGS][FL_API_ARG_MAX + 1], allow[64];

	cr_expect_eq(fl_api_route_find(routes, 5, "GET", "/api/nothing", args, allow, 64), -ENOENT);
	cr_expect_eq(fl_api_route_find(routes, 5, "GET", "/api/tickets/", args, allow, 64), -ENOENT,
		     "an empty segment is no ticket");
	cr_expect_eq(fl_api_route_find(routes, 5, "GET", "/api/tickets/1/ack/x", args, allow, 64),
		     -ENOENT);
	cr_expect_eq(fl_api_route_find(routes, 5, "PUT", "/api/tickets", args, allow, 64), -EPERM);
	cr_expect_str_eq(allow, "GET, POST");
	cr_expect_eq(fl_api_route_find(routes, 5, "GET", "/api/maintenance/3", args, allow, 64),
		     -EPERM);
	cr_expect_str_eq(allow, "DELETE");
}

Test(api_route, refuses_a_capture_longer_than_its_room)
{
	char args[FL_API_ROUTE_ARGS][FL_API_ARG_MAX + 1], allow[64], path[200];

	memcpy(path, "/api/tickets/", 13);
	memset(path + 13, 'x', FL_API_ARG_MAX + 1);
	path[13 + FL_API_ARG_MAX + 1] = '\0';
	cr_expect_eq(fl_api_route_find(routes, 5, "GET", path, args, allow, 64), -ENOENT);
}

/* ---- bearer tokens --------------------------------------------------------------- */

/* A token made once with fl_api_token_new() and its line: fixed, so the
 * tests do not depend on the random bytes drawn. */
#define TOKEN "flt_0a1b2c3d_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

/* The users file line of TOKEN for user with expiry when. */
static void token_line(char *out, size_t cap, const char *user, const char *when)
{
	/* sha256 of TOKEN, computed by `printf %s TOKEN | sha256sum` */
	snprintf(out, cap, "@token:0a1b2c3d:%s:%s:%s\n", user, when,
		 "fae5299c7800abf0f24d3a1b45a807ad618dd9b4bd313c488941fdc0c6d7d96a");
}

Test(api_token, a_new_token_lets_in_its_user_with_the_user_role)
{
	char token[FL_API_TOKEN_LEN + 1], line[FL_API_TOKEN_LINE_MAX + 1], text[1024];
	char auth[FL_API_TOKEN_LEN + 8], user[FL_API_USER_MAX + 1];
	enum fl_api_role role;
	struct fl_api_users *u;

	cr_assert_eq(fl_api_token_new("view1", 0, token, line), 0);
	cr_expect_eq(strlen(token), FL_API_TOKEN_LEN);
	cr_expect_eq(strncmp(token, "flt_", 4), 0);
	cr_expect_null(strstr(line, token + 13), "the secret is not in the file's line");
	/* the token line may come before its user's */
	snprintf(text, sizeof(text), "%s\nop1:operator:%s\nview1:viewer:%s\n", line, HASH, HASH);
	u = users_of(text);
	cr_expect_eq(fl_api_users_tokens(u), 1);
	snprintf(auth, sizeof(auth), "Bearer %s", token);
	cr_expect_eq(fl_api_users_check_token(u, auth, 1800000000, user, &role), 0);
	cr_expect_str_eq(user, "view1");
	cr_expect_eq(role, FL_ROLE_VIEWER);
	/* a basic login still works beside it */
	cr_expect_eq(fl_api_users_check(u, OP1_RIGHT, user, &role), 0);
	fl_api_users_free(u);
}

Test(api_token, refuses_a_wrong_token_an_expired_one_and_a_revoked_one)
{
	char token[FL_API_TOKEN_LEN + 1], line[FL_API_TOKEN_LINE_MAX + 1], text[1024];
	char auth[FL_API_TOKEN_LEN + 8], user[FL_API_USER_MAX + 1] = "untouched";
	enum fl_api_role role = FL_ROLE_NONE;
	struct fl_api_users *u;
	int64_t expires_s;

	cr_assert_eq(fl_api_time_parse("2027-06-30", &expires_s), 0);
	cr_assert_eq(fl_api_token_new("op1", expires_s, token, line), 0);
	cr_expect_not_null(strstr(line, ":20270630T000000Z:"), "%s", line);
	snprintf(text, sizeof(text), "op1:operator:%s\n%s\n", HASH, line);
	u = users_of(text);
	snprintf(auth, sizeof(auth), "Bearer %s", token);
	cr_expect_eq(fl_api_users_check_token(u, auth, expires_s - 1, user, &role), 0);
	cr_expect_eq(fl_api_users_check_token(u, auth, expires_s, user, &role), -EKEYEXPIRED);
	/* the same id, one character of the secret changed */
	auth[strlen(auth) - 1] = auth[strlen(auth) - 1] == 'A' ? 'B' : 'A';
	cr_expect_eq(fl_api_users_check_token(u, auth, expires_s - 1, user, &role), -EACCES);
	fl_api_users_free(u);
	/* revoked: the line is gone */
	snprintf(auth, sizeof(auth), "Bearer %s", token);
	u = users_of("op1:operator:" HASH "\n");
	strcpy(user, "untouched");
	cr_expect_eq(fl_api_users_check_token(u, auth, expires_s - 1, user, &role), -EACCES);
	cr_expect_str_eq(user, "untouched", "nothing written on a refusal");
	cr_expect_eq(fl_api_users_check_token(u, "Bearer flt_short", 0, user, &role), -EINVAL);
	cr_expect_eq(fl_api_users_check_token(u, OP1_RIGHT, 0, user, &role), -EINVAL);
	fl_api_users_free(u);
}

Test(api_token, names_the_line_of_a_bad_token)
{
	char good[256];
	static const struct {
		const char *text, *err;
	} bad[] = {
	    {"op1:operator:" HASH "\n@token:0a1b2c3d:op1:never\n",
	     "users:2: want @token:ID:USER:EXPIRES:SHA256"},
	    {"@token:0A1B2C3D:op1:never:" "00000000000000000000000000000000"
	     "00000000000000000000000000000000\n", "users:1: a token's id is 8 hex digits"},
	    {"@token:0a1b2c3d:op1:2027-06-30:" "00000000000000000000000000000000"
	     "00000000000000000000000000000000\n",
	     "users:1: the expiry is never or a UTC time 20270630T000000Z"},
	    {"@token:0a1b2c3d:op1:20270231T000000Z:" "00000000000000000000000000000000"
	     "00000000000000000000000000000000\n",
	     "users:1: the expiry is never or a UTC time 20270630T000000Z"},
	    {"@token:0a1b2c3d:op1:never:abc\n", "users:1: the hash is 64 hex digits of SHA-256"},
	    {"@token:0a1b2c3d:ghost:never:" "00000000000000000000000000000000"
	     "00000000000000000000000000000000\n",
	     "users: token 0a1b2c3d is of 'ghost', who is not a user here"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fl_api_users *u = NULL;
		char err[256] = "";

		cr_expect_eq(fl_api_users_parse(&u, "users", bad[i].text, strlen(bad[i].text), err,
						sizeof(err)),
			     -EINVAL, "row %zu", i);
		cr_expect_str_eq(err, bad[i].err, "row %zu", i);
		cr_expect_null(u);
	}
	token_line(good, sizeof(good), "op1", "never");
	strcat(good, "@token:0a1b2c3d:op1:never:" "00000000000000000000000000000000"
		     "00000000000000000000000000000000\n");
	{
		struct fl_api_users *u = NULL;
		char err[256] = "", text[512];

		snprintf(text, sizeof(text), "op1:operator:%s\n%s", HASH, good);
		cr_expect_eq(fl_api_users_parse(&u, "users", text, strlen(text), err, sizeof(err)),
			     -EINVAL);
		cr_expect_str_eq(err, "users:3: this token id is named twice");
	}
}

Test(api_token, lists_tokens_without_secrets)
{
	char line[256], text[512];
	struct fl_api_token_info t;
	struct fl_api_users *u;

	token_line(line, sizeof(line), "op1", "20270630T120000Z");
	snprintf(text, sizeof(text), "op1:operator:%s\n%s", HASH, line);
	u = users_of(text);
	cr_assert_eq(fl_api_users_token_at(u, 0, &t), 0);
	cr_expect_str_eq(t.id, "0a1b2c3d");
	cr_expect_str_eq(t.user, "op1");
	cr_expect_eq(t.expires_s, 1814356800); /* date -d 2027-06-30T12:00:00Z +%s */
	cr_expect_eq(fl_api_users_token_at(u, 1, &t), -ERANGE);
	/* the digest in the line was made by sha256sum, not by this code */
	{
		char user[FL_API_USER_MAX + 1];
		enum fl_api_role role;

		cr_expect_eq(fl_api_users_check_token(u, "Bearer " TOKEN, 1800000000, user, &role),
			     0);
		cr_expect_eq(role, FL_ROLE_OPERATOR);
	}
	fl_api_users_free(u);
}

Test(api_token, reads_and_writes_times_on_the_calendar)
{
	int64_t s;
	char out[18];

	cr_expect_eq(fl_api_time_parse("2028-02-29", &s), 0, "a leap day");
	fl_api_time_basic(s, out);
	cr_expect_str_eq(out, "20280229T000000Z");
	cr_expect_eq(fl_api_time_parse("2027-02-29", &s), -EINVAL, "not a leap year");
	cr_expect_eq(fl_api_time_parse("2100-02-29", &s), -EINVAL, "a century is not leap");
	cr_expect_eq(fl_api_time_parse("2000-02-29T23:59:59Z", &s), 0, "but 2000 was");
	fl_api_time_basic(s, out);
	cr_expect_str_eq(out, "20000229T235959Z");
	cr_expect_eq(fl_api_time_parse("2027-06-30T12:00:00+08:00", &s), -EINVAL, "UTC only");
	cr_expect_eq(fl_api_time_parse("2027-6-30", &s), -EINVAL);
	fl_api_time_basic(0, out);
	cr_expect_str_eq(out, "never");
}
