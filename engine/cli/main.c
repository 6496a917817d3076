/* main.c - the faultline command line: dispatches to the subcommands of cli.h. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/cli/api_cli.h"
#include "engine/cli/cli.h"
#include "engine/lib/compiler.h"
#include "engine/lib/utf8.h"
#include "engine/lib/version.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"parse", fl_cmd_parse, "decode syslog lines (or --snmp datagrams) to JSON"},
	{"listen", fl_cmd_listen, "run the inputs with no rules, print every event"},
	{"check", fl_cmd_check, "compile a plan and report its diagnostics"},
	{"dump", fl_cmd_dump, "print a plan's compiled program"},
	{"inventory", fl_cmd_inventory, "check the inventory tables, resolve contacts"},
	{"notify", fl_cmd_notify, "deliver one message through a notification plugin"},
	{"replay", fl_cmd_replay, "run a plan over recorded syslog lines in event time"},
	{"test", fl_cmd_test, "run a plan's test blocks"},
	{"run", fl_cmd_run, "run a plan live on the network inputs"},
	{"reload", fl_cmd_reload, "have a running `run` reload its plan and data"},
	{"stats", fl_cmd_stats, "a running `run`'s counters as one JSON line"},
	{"status", fl_cmd_status, "a running `run`'s status line; with --db, the store and which engine of a pair is active"},
	{"tickets", fl_cmd_tickets, "list, show, acknowledge ... close tickets in the store"},
	{"maintenance", fl_cmd_maintenance, "announce, list and delete maintenance windows"},
	{"report", fl_cmd_report, "summarise a period's tickets per city and county"},
	{"outbox", fl_cmd_outbox, "deliver the store's pending notifications"},
	{"directive", fl_cmd_directive, "issue, relay, acknowledge and track dispatch orders"},
	{"serve", fl_cmd_serve, "serve the duty room's HTTP API and board over a store"},
	{"passwd", fl_cmd_passwd, "hash a password for the API's users file"},
	{"token", fl_cmd_token, "add, list and revoke the API's bearer tokens"},
	{"duties", fl_cmd_duties, "list the plan's periodic duties and when they fall due"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: faultline COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < FL_ARRAY_LEN(commands); i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'faultline COMMAND --help' describes each command.\n");
}

static int has_flag(int argc, char **argv, const char *flag)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], flag) == 0)
			return 1;
	return 0;
}

static void unknown_command(const char *name)
{
	const char *names[FL_ARRAY_LEN(commands)];
	const char *hint;

	for (size_t i = 0; i < FL_ARRAY_LEN(commands); i++)
		names[i] = commands[i].name;
	hint = fl_utf8_suggest(name, names, FL_ARRAY_LEN(names));
	if (hint)
		fprintf(stderr, "faultline: unknown command '%s'; did you mean '%s'?\n", name, hint);
	else
		fprintf(stderr, "faultline: unknown command '%s'\n", name);
}

int main(int argc, char **argv)
{
	/* The store, its WAL and shared memory, and notification files hold
	 * names, phone numbers and addresses: whatever faultline creates is
	 * its user's alone (SQLite gives -wal and -shm the database's mode). */
	umask(077);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("faultline %s\n", FL_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "parse") == 0 && has_flag(argc - 1, argv + 1, "--snmp"))
		return fl_cmd_parse_snmp(argc - 1, argv + 1);
	for (size_t i = 0; i < FL_ARRAY_LEN(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	unknown_command(argv[1]);
	usage(stderr);
	return 2;
}
