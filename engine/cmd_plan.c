/* Placeholder until the plan compiler lands: the commands exist, say so, fail. */
#include <stdio.h>

#include "engine/cli.h"

int fl_cmd_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "faultline check: not built yet\n");
	return 2;
}

int fl_cmd_dump(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "faultline dump: not built yet\n");
	return 2;
}
