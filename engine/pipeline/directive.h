/* directive.h - dispatch directives (调度指挥令) relayed down the branches as
 * the plan's `relay directives` block says, escalated when a branch is
 * late, and reported back up (docs/directives.md).
 *
 * The store (engine/store/store.h, fl_store_directive_*) keeps the order,
 * the branches it reached and what each did; this module decides who is
 * told: each branch's contacts holding the relay line's roles, found in the
 * plan's contact table with its fallback one level up (a county with no
 * liaison of its own reaches its city's), on each of the line's channels.
 * Every notice goes through fl_store_notify_enqueue() under the directive's
 * record, in the transaction that records the step, with an idempotency key
 *     dir:<id>:<step>:<branch>:<role>:<channel>:<address>
 * (step: r for the relay, l<k> for late line k, p for a report), so the
 * outbox delivers, retries and never loses it, and nobody is told twice.
 * Townships have no branch of their own in the contact table: a county's
 * contacts carry the order to its townships.
 *
 * Ownership and threads: every call borrows the store and the program (its
 * inventory and relay block) for the call; no state is kept between calls,
 * so a command or the engine's store thread may call them. err gets one line
 * for people on failure. */
#ifndef FL_DIRECTIVE_H
#define FL_DIRECTIVE_H
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"
#include "engine/lib/limits.h"
#include "engine/store/store.h"
#include "grammar/program.h"

/* Branches one directive reaches: a network holds 14 cities and 75
 * counties; more is refused (-E2BIG), never cut silently. */
#define FL_DIRECTIVE_BRANCHES_MAX 1024

enum fl_directive_scope {
	FL_DIRECTIVE_TO_ALL,      /* every city, and every county under it */
	FL_DIRECTIVE_TO_CITY,     /* names[0] and its counties */
	FL_DIRECTIVE_TO_COUNTIES, /* the counties named (their cities are above them) */
};

struct fl_directive_order {
	const char *issuer, *text, *level; /* level: the plan's, may be NULL */
	enum fl_directive_ask ask;
	int64_t report_by_ns; /* ask REPORT only */
	enum fl_directive_scope scope;
	const char *const *names;
	size_t n_names;
	int64_t at_ns; /* issued, and each branch's clock starts */
};

struct fl_directive_outcome {
	char id[FL_STORE_ID_MAX + 1];
	size_t branches;   /* reached */
	size_t notices;    /* queued */
	size_t unreached;  /* branches with nobody to tell (contacts missing even at region) */
	size_t escalated;  /* tick: late steps taken */
};

/* Records the order and queues its relay in one transaction: each branch of
 * the scope whose level has a relay line, its deadline at_ns + within.
 * Returns 0 and fills out; -ENOENT (a city or county the inventory does not
 * know), -EINVAL (no relay block, no line for a level the scope needs, no
 * contacts loaded, a relay role that no branch holds), -E2BIG, or the
 * store's error. */
FL_MUST_CHECK int fl_directive_issue(struct fl_store *s, const struct fl_program *prog,
                                     const struct fl_directive_order *o,
                                     struct fl_directive_outcome *out, char *err,
                                     size_t err_len);

/* Takes every late step due at now_ns: for each branch not acknowledged,
 * each `late after D` line whose time (deadline + D) has come and that it
 * has not taken yet, in order, telling the branch's own roles or the level
 * above's (a county's city, a city's region). One transaction per branch;
 * a step is recorded with its notices, so it fires once whoever ticks.
 * out->escalated counts the steps, out->notices the notices. */
FL_MUST_CHECK int fl_directive_tick(struct fl_store *s, const struct fl_program *prog,
                                    int64_t now_ns, struct fl_directive_outcome *out,
                                    char *err, size_t err_len);

/* Records the branch's report and sends it up by the relay's `report`
 * line (none: recorded only) to the level above; a city's report carries
 * the sum of its counties (acknowledged, reported, their reports). */
FL_MUST_CHECK int fl_directive_report(struct fl_store *s, const struct fl_program *prog,
                                      const char *id, const char *branch, const char *by,
                                      const char *text, int64_t now_ns,
                                      struct fl_directive_outcome *out, char *err,
                                      size_t err_len);

/* The order's own members (id, issuer, text, scope, level, ask, issued,
 * report_by, branches, acknowledged, reported) into the JSON object j has
 * open, times as ISO strings or null: `directive --json show` and the API
 * write the same document. */
struct fl_json;
void fl_directive_json_fields(struct fl_json *j, const struct fl_directive_view *d);
/* KEY: an ISO time, or null when ns is 0 (not yet). */
void fl_directive_json_time(struct fl_json *j, const char *key, int64_t ns);

/* A branch acknowledges by answering the SMS that told it (the gateway's
 * mobile-originated path, e.g. Kannel's sms-service): from is the sender's
 * number as the gateway gives it, text what was sent. The sender is every
 * contact of the contact table whose mobile is that number (digits only; a
 * leading +86 / 0086 is the country's); the text starts with an
 * acknowledgement word (ACK, OK, YES, Y, 1, 收到, 确认, 已收到, 收悉, any
 * case) and may name the directive (DIR-...), the rest is kept as the note.
 * The order acknowledged is the sender's one open directive (or the one
 * named); every branch of the sender on it is acknowledged, by the
 * contact's name. out->reply always holds one line to send back, also on
 * refusal: ASCII but for the table's own names, since a gateway may answer
 * in the GSM alphabet (Kannel's exec service does).
 * Returns 0 (acknowledged), -ENOENT (no contact has that number), -EINVAL
 * (the text is no acknowledgement), -ESRCH (nothing open for the sender, or
 * not the directive named), -EEXIST (the sender acknowledged it already),
 * -EAGAIN (several directives are open: the reply lists them), or the
 * store's error. */
#define FL_DIRECTIVE_REPLY_MAX 320
struct fl_directive_reply {
	char id[FL_STORE_ID_MAX + 1];
	char by[128];
	size_t branches; /* acknowledged by this reply */
	char reply[FL_DIRECTIVE_REPLY_MAX];
};
FL_MUST_CHECK int fl_directive_reply(struct fl_store *s, const struct fl_program *prog,
                                     const char *from, const char *text, int64_t now_ns,
                                     struct fl_directive_reply *out);
/* The text as an SMS gateway hands it to a command: URL-encoded (Kannel's
 * %a: '+' a blank, %XX a byte) in the message's coding (Kannel's %c: 0 the
 * GSM alphabet as Latin-1, 1 8-bit data, taken as UTF-8 when it is, 2
 * UCS-2 big-endian, surrogate pairs joined; NULs left out). Writes UTF-8
 * to out (cut on a character, never inside one). Returns its length, or
 * -EINVAL (a coding not known, a broken escape, an odd UCS-2 length). */
FL_MUST_CHECK long fl_directive_reply_text(const char *in, int coding, char *out, size_t cap);

#endif /* FL_DIRECTIVE_H */
