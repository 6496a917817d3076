/* fuzz_users.c - the API's users file (users and bearer tokens) on
 * arbitrary bytes, and a Bearer header made of the same bytes.
 *
 * Checks what api_auth.h promises: parsing always ends, writes *out only on
 * success and names the line of a failure; a parsed table lists its tokens
 * with ids of 8 hex digits whose users exist, and a header from the input
 * never lets in a user the file does not hold. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/api/api_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_tokens(const struct fl_api_users *u)
{
	struct fl_api_token_info t;
	enum fl_api_role role;

	for (size_t i = 0; fl_api_users_token_at(u, i, &t) == 0; i++) {
		if (strlen(t.id) != FL_API_TOKEN_ID_LEN || strspn(t.id, "0123456789abcdef") != 8)
			abort();
		if (fl_api_users_role_of(u, t.user, &role) < 0)
			abort(); /* every token's user is a user of the file */
		if (i >= FL_API_TOKENS_MAX)
			abort();
	}
}

static void check_header(const struct fl_api_users *u, const uint8_t *data, size_t size)
{
	char auth[7 + FL_API_TOKEN_LEN + 1] = "Bearer ", user[FL_API_USER_MAX + 1];
	size_t n = size < FL_API_TOKEN_LEN ? size : FL_API_TOKEN_LEN;
	enum fl_api_role role, known;

	memcpy(auth + 7, data, n);
	auth[7 + n] = '\0';
	if (fl_api_users_check_token(u, auth, 1800000000, user, &role) == 0 &&
	    (fl_api_users_role_of(u, user, &known) < 0 || known != role))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_api_users *u = NULL;
	char err[256] = "";
	int rc = fl_api_users_parse(&u, "users", (const char *)data, size, err, sizeof(err));

	if (rc < 0) {
		if (u || (rc != -ENOMEM && strncmp(err, "users", 5) != 0))
			abort();
		return 0;
	}
	if (!u)
		abort();
	check_tokens(u);
	check_header(u, data, size);
	fl_api_users_free(u);
	return 0;
}
