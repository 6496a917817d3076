/* store_cli.h - what the store's commands (tickets, maintenance, report,
 * outbox) share: opening the database named by --db with a message a duty
 * operator can act on, the wall clock, and aligned tables for people.
 * Any thread; nothing here keeps state. */
#ifndef FL_STORE_CLI_H
#define FL_STORE_CLI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/lib/compiler.h"

struct fl_store;

/* Opens path (NULL: FL_STORE_DEFAULT_PATH). On failure prints
 * "faultline CMD: cannot open PATH: why" to stderr and returns NULL. */
struct fl_store *fl_cli_store_open(const char *cmd, const char *path);

/* CLOCK_REALTIME in ns since the epoch. */
int64_t fl_cli_now_ns(void);

/* Prints s (NULL prints "-") padded with spaces to width columns, as
 * fl_utf8_width() counts them. */
void fl_cli_cell(FILE *out, const char *s, size_t width);

/* A duration for people: "45s", "12m", "2h05m", "3d04h". Negative values
 * print as their absolute value. */
void fl_cli_duration(char *buf, size_t len, int64_t ns);

#endif /* FL_STORE_CLI_H */
