/* Placeholder until the syslog decoder lands: the command exists, says so, fails. */
#include <stdio.h>

#include "engine/cli.h"

int fl_cmd_parse(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "faultline parse: not built yet\n");
	return 2;
}
