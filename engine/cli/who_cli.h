/* who_cli.h - who is at the keyboard, for the history of a change made
 * from the command line. */
#ifndef FL_WHO_CLI_H
#define FL_WHO_CLI_H
#include <stddef.h>

/* The name a change is recorded under: by (--by) when given, else $USER,
 * else $LOGNAME (both unset under systemd and in many root shells), else
 * the name of the user id the process runs as, unless that is root: "root"
 * names no person, so NULL, and the caller asks for --by. A name is kept
 * in buf[len] when it comes from the user database. */
const char *fl_cli_who(const char *by, char *buf, size_t len);

#endif /* FL_WHO_CLI_H */
