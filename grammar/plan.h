/* plan.h - compile a plan file into a struct fl_plan the engine can run.
 *
 * fl_plan_compile() reads the plan and its includes, parses them (ast.h),
 * checks every name, type and limit, compiles regexes and templates and loads
 * the data files the plan names, and reports every problem it finds to the
 * caller's diagnostic list in one run. The result owns its arena, PCRE2 code
 * and inventory; it is immutable and may be read by any thread. The AST is
 * freed before fl_plan_compile() returns. Two plans may be compiled and live in
 * one process: there is no state outside struct fl_plan and the compile call. */
#ifndef FL_PLAN_H
#define FL_PLAN_H
#include <stdbool.h>
#include <stddef.h>

#include "engine/lib/compiler.h"
#include "grammar/program.h"

struct fl_buf;
struct fl_diags;
struct fl_plan;

struct fl_plan_options {
	/* Replaces the directory of every data file named by the plan (the file
	 * names are kept), so one plan runs against another data set. NULL: paths
	 * are relative to the plan file that names them. */
	const char *data_dir;
	/* Reads nothing but the text given: includes and data files are errors.
	 * The fuzz target uses it to stay deterministic and free of I/O. */
	bool no_files;
};

/* Lifecycle. Compile from a file (path) or from text in memory (name is used
 * in diagnostics and as the base for relative paths). Returns 0 with *out set
 * when there are no errors (warnings are allowed; count them in d), -EINVAL
 * when errors were reported to d, -ENOMEM. fl_plan_destroy() accepts NULL. */
int fl_plan_compile(struct fl_plan **out, const char *path, const struct fl_plan_options *opt,
		    struct fl_diags *d) FL_MUST_CHECK;
int fl_plan_compile_text(struct fl_plan **out, const char *name, const char *text, size_t len,
			 const struct fl_plan_options *opt, struct fl_diags *d) FL_MUST_CHECK;
void fl_plan_destroy(struct fl_plan *plan);

/* fl_plan_compile() that also reports what the data files held (counts may
 * be NULL). */
struct fl_plan_data_counts;
int fl_plan_compile_counted(struct fl_plan **out, const char *path,
			    const struct fl_plan_options *opt, struct fl_diags *d,
			    struct fl_plan_data_counts *counts) FL_MUST_CHECK;

/* Queries. The program is borrowed from the plan. */
const struct fl_program *fl_plan_program(const struct fl_plan *plan);
size_t fl_plan_arena_bytes(const struct fl_plan *plan);

/* Does rule r of p reach the matcher for every syslog message: has its
 * where, or its clear where, neither a regex on msg, host, app or msgid
 * that requires a literal the prefilter can key it on (engine/lib/rxreq.h)
 * nor a condition that keys it on a field (fl_program_cond_keys_field())?
 * *runs_regex (may be NULL): such a side runs a regex on msg then, on every
 * message. False when out of memory. */
bool fl_program_rule_every_event(const struct fl_program *p, uint32_t r, bool *runs_regex);

/* Is condition c a `~` on msg, host, app or msgid: a regex on a text the
 * matcher scans for the literal atoms it requires? */
bool fl_program_cond_scans_text(const struct fl_prog_cond *c);

/* Can condition c of rule r key its side in the matcher's field
 * prefilter: `==` a text or `in` a set, on host, app, msgid or msg, or on
 * a field of the device r looks up by host (`lookup device host`) or by
 * peer (`lookup mgmt_ip peer`); or peer `in` a network or `==` an address?
 * An event without the field fails it.
 * *n_values: 1, or the set's size. */
bool fl_program_cond_keys_field(const struct fl_prog_rule *r, const struct fl_prog_cond *c,
				uint32_t *n_values);

/* Rule r looks its device up by the event's host (0) or peer (1) address,
 * the lookups the field prefilter keys inventory conditions on; -1:
 * neither. */
int fl_program_rule_device_key(const struct fl_prog_rule *r);

/* Writes the program in the readable form of `faultline dump`: 0, -EMSGSIZE. */
int fl_plan_dump(const struct fl_plan *plan, struct fl_buf *out) FL_MUST_CHECK;

/* Condition i of p as `faultline dump` writes it, without its label:
 * "event:msg ~ regex #0 /LOS (?<port>\S+)/". Appends to b. */
void fl_plan_format_cond(struct fl_buf *b, const struct fl_program *p, uint32_t i);

/* "30s", "5m", "1h30m", "250ms": the shortest exact spelling of ms. */
void fl_plan_format_ms(char *out, size_t size, int64_t ms);

#endif /* FL_PLAN_H */
