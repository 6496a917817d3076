/* Placeholder until the inputs lands: the command exists, says so, fails. */
#include <stdio.h>

#include "engine/cli.h"

int fl_cmd_listen(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "faultline listen: not built yet\n");
	return 2;
}
