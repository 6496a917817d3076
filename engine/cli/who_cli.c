/* who_cli.c - who_cli.h. */
#include "engine/cli/who_cli.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *fl_cli_who(const char *by, char *buf, size_t len)
{
	static const char *const vars[] = {"USER", "LOGNAME"};
	struct passwd pw, *found = NULL;
	char scratch[1024];

	if (by)
		return by[0] ? by : NULL;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (v && v[0])
			return v;
	}
	uid_t uid = geteuid();
	if (uid == 0 || getpwuid_r(uid, &pw, scratch, sizeof(scratch), &found) != 0 || !found ||
	    !found->pw_name[0] || strlen(found->pw_name) >= len)
		return NULL;
	memcpy(buf, found->pw_name, strlen(found->pw_name) + 1);
	return buf;
}
