/* inputs_cli.c - see inputs_cli.h. */
#define _GNU_SOURCE /* setgroups */
#include "engine/cli/inputs_cli.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "engine/decode/usm.h"
#include "engine/input/inputs.h"
#include "engine/lib/net.h"

void fl_cli_install_signals(void (*on_signal)(int), bool with_usr1)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (with_usr1)
		sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

void fl_cli_announce_inputs(const struct fl_inputs *in)
{
	for (int k = 0; k < FL_INPUT__COUNT; k++) {
		struct fl_net_addr addr;
		char text[FL_NET_ADDR_TEXT_MAX];

		if (fl_inputs_local(in, (enum fl_input_kind)k, &addr) < 0)
			continue;
		fl_net_format((const struct sockaddr *)&addr.ss, addr.len, text, sizeof(text));
		fprintf(stderr, "listening %s %s\n", fl_input_name((enum fl_input_kind)k), text);
	}
	fflush(stderr);
}

int fl_cli_fit_conns(struct fl_inputs_config *cfg, size_t headroom, const char *cmd)
{
	char msg[400];
	int rc = fl_inputs_fit_fd_limit(cfg, headroom, msg, sizeof(msg));

	if (msg[0])
		fprintf(stderr, "faultline %s: %s\n", cmd, msg);
	return rc < 0 ? -1 : 0;
}

/* A name from the user or group database, or a number. */
static bool lookup_id(const char *text, bool is_group, unsigned long *id, unsigned long *gid)
{
	char *end;
	unsigned long n;

	if (is_group) {
		const struct group *gr = getgrnam(text);

		if (gr) {
			*id = gr->gr_gid;
			return true;
		}
	} else {
		const struct passwd *pw = getpwnam(text);

		if (pw) {
			*id = pw->pw_uid;
			*gid = pw->pw_gid;
			return true;
		}
	}
	errno = 0;
	n = strtoul(text, &end, 10);
	if (!text[0] || *end || errno || n >= (unsigned long)(uid_t)-1)
		return false;
	*id = n;
	if (!is_group) {
		const struct passwd *pw = getpwuid((uid_t)n);

		*gid = pw ? pw->pw_gid : n;
	}
	return true;
}

int fl_cli_drop_privileges(const char *user, const char *group, char *err, size_t err_cap)
{
	unsigned long uid, gid = 0;
	gid_t only;

	if (!user) {
		if (group)
			snprintf(err, err_cap, "--group needs --user");
		return group ? -1 : 0;
	}
	if (!lookup_id(user, false, &uid, &gid)) {
		snprintf(err, err_cap, "--user %s: no such user", user);
		return -1;
	}
	if (group && !lookup_id(group, true, &gid, NULL)) {
		snprintf(err, err_cap, "--group %s: no such group", group);
		return -1;
	}
	only = (gid_t)gid;
	if (geteuid() != 0 && getuid() == (uid_t)uid && geteuid() == (uid_t)uid &&
	    getgid() == only && getegid() == only)
		return 0; /* already that user and group, and nothing more to give up */
	/* Groups first: once the user is dropped they can no longer be changed. */
	if (setgroups(1, &only) < 0) {
		snprintf(err, err_cap, "cannot drop the supplementary groups: %s", strerror(errno));
		return -1;
	}
	if (setgid(only) < 0) {
		snprintf(err, err_cap, "cannot switch to group %lu: %s", gid, strerror(errno));
		return -1;
	}
	if (setuid((uid_t)uid) < 0) {
		snprintf(err, err_cap, "cannot switch to user %s (%lu): %s", user, uid,
			 strerror(errno));
		return -1;
	}
	/* Checked, not trusted: every id is the new one, and root stays gone. */
	if (getuid() != (uid_t)uid || geteuid() != (uid_t)uid || getgid() != only ||
	    getegid() != only || (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))) {
		snprintf(err, err_cap, "the switch to user %s did not hold", user);
		return -1;
	}
	return 0;
}

int fl_cli_snmp_user(struct fl_usm **usm, const char *val, bool is_file, char *err,
		     size_t err_len)
{
	char why[256];
	int rc;

	if (!*usm && fl_usm_create(usm) < 0) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	rc = is_file ? fl_usm_add_file(*usm, val, why, sizeof(why))
		     : fl_usm_add_user(*usm, val, why, sizeof(why));
	if (rc < 0) /* never echo the value: it holds passwords */
		snprintf(err, err_len, "%s: %s", is_file ? "--snmp-users" : "--snmp-user", why);
	return rc;
}
