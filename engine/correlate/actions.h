/* actions.h - the action stream as JSON Lines.
 *
 * fl_actions_json() writes one action of the engine (correlate.h) as one JSON
 * object and a newline: time (UTC, RFC 3339 with milliseconds), action,
 * incident, rule, level, title, location {device, site, site_name, span,
 * ring, county, city, class}, count, absorbed, first and state, and per
 * kind: planned and window (open), evidence, channel, role, scope, to and
 * fell_back (notify; text too for a `run`), rule and key of what was absorbed (absorb), reason.
 * Keys always come in the same order, so a replay's output compares byte for
 * byte. The caller owns the buffer; nothing here keeps state. */
#ifndef FL_ACTIONS_H
#define FL_ACTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

struct fl_action;
struct fl_buf;
struct fl_engine_stats;
struct fl_program;

/* Appends the line to out. Returns 0 or -EMSGSIZE (out is full). */
FL_MUST_CHECK int fl_actions_json(struct fl_buf *out, const struct fl_program *prog,
				  const struct fl_action *a);

/* Writes at_ns as "2026-11-25T02:02:17.343Z" into out (at least 32 bytes). */
void fl_actions_time(char *out, size_t size, int64_t at_ns);

/* Writes the engine's counters as the words of a summary line ("12 matched,
 * 3 absorbed, ...", every counter of struct fl_engine_stats, no newline)
 * into out, cut at size - 1. The counters of the caps FL_LADDER_STEPS_MAX
 * and FL_SCOPE_SITES_MAX come last, and only when not 0. replay and run
 * print it after their own. */
void fl_actions_summary(char *out, size_t size, const struct fl_engine_stats *st);

#endif /* FL_ACTIONS_H */
