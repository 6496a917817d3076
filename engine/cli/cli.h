/* cli.h - the faultline subcommands.
 *
 * Each takes the arguments after its own name (argv[0] is the subcommand) and
 * returns the process exit status: 0 success, 1 a failure the command reports
 * (bad input, failed check), 2 a usage error. They write their diagnostics to
 * stderr themselves. */
#ifndef FL_CLI_H
#define FL_CLI_H

int fl_cmd_parse(int argc, char **argv);      /* syslog lines -> JSON Lines */
int fl_cmd_parse_snmp(int argc, char **argv); /* parse --snmp: datagram files -> JSON */
int fl_cmd_listen(int argc, char **argv);     /* live inputs -> JSON Lines, no rules */
int fl_cmd_check(int argc, char **argv);      /* compile a plan, report diagnostics */
int fl_cmd_dump(int argc, char **argv);       /* print the compiled program */
int fl_cmd_inventory(int argc, char **argv);  /* check the inventory tables, query contacts */
int fl_cmd_notify(int argc, char **argv);     /* deliver one message through a plugin */
int fl_cmd_replay(int argc, char **argv);     /* a plan over recorded lines, in event time */
int fl_cmd_test(int argc, char **argv);       /* run a plan's test blocks */
int fl_cmd_run(int argc, char **argv);        /* a plan live on the network inputs */
int fl_cmd_reload(int argc, char **argv);     /* ask a running run to reload its plan */
int fl_cmd_stats(int argc, char **argv);      /* a running run's counters, as JSON */
int fl_cmd_status(int argc, char **argv);     /* a running run's status line */
int fl_cmd_tickets(int argc, char **argv);    /* list, show and move tickets in the store */
int fl_cmd_maintenance(int argc, char **argv); /* announce, list, delete maintenance windows */
int fl_cmd_duties(int argc, char **argv);      /* the plan's periodic duties (cmd_duties.c) */
int fl_cmd_report(int argc, char **argv);     /* per-area summary of a period's tickets */
int fl_cmd_outbox(int argc, char **argv);     /* deliver the store's outbox through plugins */
int fl_cmd_directive(int argc, char **argv);  /* dispatch directives down the branches */
int fl_cmd_store_status(int argc, char **argv); /* status --db: the store, and which engine of a pair leads */

#endif /* FL_CLI_H */
