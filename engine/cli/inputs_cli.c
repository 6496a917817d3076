/* inputs_cli.c - see inputs_cli.h. */
#include "engine/cli/inputs_cli.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

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
