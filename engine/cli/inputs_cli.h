/* inputs_cli.h - what the commands that run the network inputs (`run`,
 * `listen`) share: their signal handling and the line per input that says
 * where it listens. Main thread only. */
#ifndef FL_INPUTS_CLI_H
#define FL_INPUTS_CLI_H
#include <stdbool.h>

struct fl_inputs;

/* SIGINT and SIGTERM (and SIGUSR1 when with_usr1) call on_signal; SIGPIPE is
 * ignored, so a reader that goes away is an error value, not a death. */
void fl_cli_install_signals(void (*on_signal)(int), bool with_usr1);

/* "listening udp 127.0.0.1:40123" on stderr per input, flushed: the tests
 * and operators read the ports chosen for port 0 from it. */
void fl_cli_announce_inputs(const struct fl_inputs *in);

#endif /* FL_INPUTS_CLI_H */
