/* plantest.c - see plantest.h.
 *
 * Each test runs on a fresh engine with an event clock: its events at their
 * `at` times after a base (the time of its first syslog line, so maintenance
 * windows and year-bound data apply; lines without a year are read in the
 * test's year, from the plan: see struct fl_prog_test), then the clock runs a
 * day past the last event so holds, ladders and quiet periods play out. The
 * expectations are checked against the action stream the engine wrote. A
 * test that names its data runs on a shallow copy of the program holding
 * the test's inventory instead of the plan's: rules, regexes and ladders are
 * shared, only the network differs. */
#include "engine/pipeline/plantest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/correlate/actions.h"
#include "engine/correlate/correlate.h"
#include "engine/correlate/match.h"
#include "engine/decode/event.h"
#include "engine/decode/message.h"
#include "engine/decode/snmp.h"
#include "engine/lib/clock.h"
#include "grammar/program.h"

#define DRAIN_NS (INT64_C(24) * 3600 * FL_NS_PER_SEC)
#define FALLBACK_BASE_NS (INT64_C(1798761600) * FL_NS_PER_SEC) /* 2027-01-01 */

struct rec {
	enum fl_action_type type;
	uint64_t id;
	const char *rule;
	uint32_t level;
	char title[256];
	bool is_planned;
	int64_t at_ns;
	uint64_t absorbed;
	const char *role, *scope, *channel;
	bool is_restored; /* notify from a `step cleared` line */
};

struct test_run {
	const struct fl_program *prog;
	struct rec *recs;
	size_t n, cap;
	bool oom;
};

static void on_action(const struct fl_action *a, void *ctx)
{
	struct test_run *t = ctx;
	struct rec *r;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct rec *n = realloc(t->recs, cap * sizeof(*n));

		if (!n) {
			t->oom = true;
			return;
		}
		t->recs = n;
		t->cap = cap;
	}
	r = &t->recs[t->n++];
	memset(r, 0, sizeof(*r));
	r->type = a->type;
	r->id = a->incident->id;
	r->rule = a->incident->source_name;
	r->level = a->incident->level;
	snprintf(r->title, sizeof(r->title), "%s", a->incident->title);
	r->is_planned = a->incident->is_planned;
	r->at_ns = a->at_ns;
	r->absorbed = a->incident->absorbed;
	r->role = a->role;
	r->scope = a->scope;
	r->channel = a->channel;
	r->is_restored = a->reason && strcmp(a->reason, FL_NOTIFY_RESTORED) == 0;
}

static bool is_incident(const struct rec *r)
{
	return r->type == FL_ACTION_OPEN || r->type == FL_ACTION_UPDATE ||
	       r->type == FL_ACTION_ESCALATE;
}

static const char *source_name(const struct fl_program *p, const struct fl_prog_expect *x)
{
	if (x->source == FL_PROG_NONE)
		return NULL;
	return x->source_is_correlation ? p->correlations[x->source].name.p
					: p->rules[x->source].name.p;
}

static bool same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static bool check(const struct test_run *t, const struct fl_prog_expect *x, int64_t base_ns)
{
	const struct fl_program *p = t->prog;
	const char *src = source_name(p, x);
	uint64_t absorbed = 0;

	switch (x->kind) {
	case FL_EXPECT_INCIDENT:
	case FL_EXPECT_PLANNED:
		for (size_t i = 0; i < t->n; i++) {
			const struct rec *r = &t->recs[i];

			if (!is_incident(r) || !same(r->rule, src))
				continue;
			if (x->kind == FL_EXPECT_PLANNED) {
				if (r->is_planned)
					return true;
				continue;
			}
			if ((x->level == FL_PROG_NONE || x->level == r->level) &&
			    (!x->title.p || strcmp(x->title.p, r->title) == 0))
				return true;
		}
		return false;
	case FL_EXPECT_NO_INCIDENT:
		for (size_t i = 0; i < t->n; i++)
			if (is_incident(&t->recs[i]) && (!src || same(t->recs[i].rule, src)))
				return false;
		return true;
	case FL_EXPECT_ABSORBED:
		/* the last count each incident reported, summed */
		for (size_t i = 0; i < t->n; i++) {
			bool later = false;

			if (src && !same(t->recs[i].rule, src))
				continue;
			for (size_t j = i + 1; j < t->n && !later; j++)
				later = t->recs[j].id == t->recs[i].id;
			if (!later)
				absorbed += t->recs[i].absorbed;
		}
		return (int64_t)absorbed == x->count;
	case FL_EXPECT_NOTIFY:
		for (size_t i = 0; i < t->n; i++) {
			const struct rec *r = &t->recs[i];

			if (r->type == FL_ACTION_NOTIFY && (!x->is_restored || r->is_restored) &&
			    same(r->role, p->roles[x->role].p) &&
			    same(r->channel, p->channels[x->channel].p) &&
			    (!x->has_scope || same(r->scope, (const char *[]){
#define X(name, text) text,
								 FL_SCOPES(X)
#undef X
							     }[x->scope])))
				return true;
		}
		return false;
	case FL_EXPECT_CLEARED:
		for (size_t i = 0; i < t->n; i++) {
			const struct rec *r = &t->recs[i];

			if (r->type == FL_ACTION_CLEAR && (!src || same(r->rule, src)) &&
			    (x->at_ms < 0 ||
			     r->at_ns / FL_NS_PER_MS == base_ns / FL_NS_PER_MS + x->at_ms))
				return true;
		}
		return false;
	}
	return false;
}

/* What happened, for a failure: the incidents seen (notifications left out). */
static void collect_seen(const struct test_run *t, int64_t base_ns,
			 struct fl_plantest_result *res)
{
	res->n_seen = 0;
	for (size_t i = 0; i < t->n && res->n_seen < FL_PLANTEST_SEEN_MAX; i++) {
		const struct rec *r = &t->recs[i];
		struct fl_plantest_seen *s = &res->seen[res->n_seen];

		if (r->type == FL_ACTION_NOTIFY)
			continue;
		s->at_s = (r->at_ns - base_ns) / FL_NS_PER_MS / 1000;
		s->action = fl_action_name(r->type);
		s->id = r->id;
		s->rule = r->rule ? r->rule : "-";
		s->level = r->level < t->prog->n_levels ? t->prog->levels[r->level].name.p : "-";
		snprintf(s->title, sizeof(s->title), "%s", r->title);
		s->absorbed = r->absorbed;
		s->is_planned = r->is_planned;
		res->n_seen++;
	}
}

static void expected_text(const struct fl_program *p, const struct fl_prog_expect *x, char *out,
			  size_t size)
{
	static const char *const kinds[] = {
#define X(name, text) text,
	    FL_EXPECTS(X)
#undef X
	};
	const char *src = source_name(p, x);
	int n = snprintf(out, size, "%s", kinds[x->kind]);

	if (x->kind == FL_EXPECT_ABSORBED)
		n += snprintf(out + n, size - (size_t)n, " %lld", (long long)x->count);
	if (x->kind == FL_EXPECT_NOTIFY)
		n += snprintf(out + n, size - (size_t)n, " %s via %s%s", p->roles[x->role].p,
			      p->channels[x->channel].p, x->is_restored ? " restored" : "");
	if (src && n >= 0 && (size_t)n < size)
		n += snprintf(out + n, size - (size_t)n, " %s", src);
	if (x->level != FL_PROG_NONE && n >= 0 && (size_t)n < size)
		n += snprintf(out + n, size - (size_t)n, " level %s", p->levels[x->level].name.p);
	if (x->title.p && n >= 0 && (size_t)n < size)
		n += snprintf(out + n, size - (size_t)n, " title \"%s\"", x->title.p);
	if (x->at_ms >= 0 && n >= 0 && (size_t)n < size)
		snprintf(out + n, size - (size_t)n, " at %llds", (long long)(x->at_ms / 1000));
}

/* sysUpTime.0 and snmpTrapOID.0 as BER content octets: the header every
 * SNMPv2-Trap starts its varbinds with (RFC 3416 §4.2.6). */
static const char sys_uptime_0[] = {0x2b, 6, 1, 2, 1, 1, 3, 0};
static const char snmp_trap_oid_0[] = {0x2b, 6, 1, 6, 3, 1, 1, 4, 1, 0};

/* The trap's varbinds as a v2c agent sends them: the header, then the
 * test's `with` list. The uptime is the test's time since its start. */
static void trap_varbinds(struct fl_trap *t, const struct fl_program *p,
			  const struct fl_prog_test_event *te)
{
	static const enum fl_varbind_type types[] = {
		[FL_TEST_VB_INTEGER] = FL_VB_INTEGER, [FL_TEST_VB_STRING] = FL_VB_OCTET_STRING,
		[FL_TEST_VB_OID] = FL_VB_OID, [FL_TEST_VB_IP] = FL_VB_IPADDRESS};
	struct fl_varbind *vb = t->varbinds;

	t->has_uptime = true;
	t->uptime = (uint32_t)((uint64_t)te->at_ms / 10); /* TimeTicks: hundredths */
	vb[0] = (struct fl_varbind){.oid = fl_str_make(sys_uptime_0, sizeof(sys_uptime_0)),
				    .type = FL_VB_TIMETICKS, .unsigned_value = t->uptime};
	vb[1] = (struct fl_varbind){.oid = fl_str_make(snmp_trap_oid_0, sizeof(snmp_trap_oid_0)),
				    .type = FL_VB_OID, .bytes = t->trap_oid};
	t->n_varbinds = 2;
	for (uint32_t i = 0; i < te->n_varbinds && t->n_varbinds < FL_EVENT_MAX_VARBINDS; i++) {
		const struct fl_prog_test_varbind *w = &p->test_varbinds[te->first_varbind + i];

		vb = &t->varbinds[t->n_varbinds++];
		*vb = (struct fl_varbind){.oid = w->oid, .type = types[w->type],
					  .integer = w->integer, .bytes = w->bytes};
	}
}

static void make_trap(struct fl_event *ev, const struct fl_program *p,
		      const struct fl_prog_test_event *te, int64_t at_ns)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&ev->peer;
	char addr[64];

	memset(ev, 0, sizeof(*ev));
	ev->kind = FL_EVENT_TRAP;
	ev->transport = FL_TRANSPORT_SNMP;
	ev->time_ns = ev->received_ns = at_ns;
	ev->has_time = true;
	ev->trap.version = 1;
	ev->trap.pdu = FL_SNMP_PDU_TRAP_V2;
	ev->trap.community = te->community.p ? te->community : FL_STR_LIT("public");
	ev->trap.trap_oid = te->trap_oid;
	trap_varbinds(&ev->trap, p, te);
	if (te->is_v1) { /* RFC 1157 §4.1.6: no header varbinds, no snmpTrapOID */
		ev->trap.version = 0;
		ev->trap.pdu = FL_SNMP_PDU_TRAP_V1;
		ev->trap.enterprise = te->trap_oid;
		ev->trap.trap_oid = FL_STR_NONE;
		ev->trap.generic_trap = te->generic_trap;
		ev->trap.specific_trap = te->specific_trap;
		ev->trap.time_stamp = ev->trap.uptime;
		ev->trap.has_uptime = false;
		ev->trap.n_varbinds -= 2;
		memmove(ev->trap.varbinds, ev->trap.varbinds + 2,
			ev->trap.n_varbinds * sizeof(ev->trap.varbinds[0]));
	}
	if (te->peer.p && te->peer.len < sizeof(addr)) {
		memcpy(addr, te->peer.p, te->peer.len);
		addr[te->peer.len] = '\0';
		if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
			sin->sin_family = AF_INET;
			ev->has_peer = true;
			ev->peer_len = sizeof(*sin);
		}
	}
}

/* A test's syslog line, as `replay` would read it from a file. */
static int decode_line(struct fl_event *ev, const struct fl_prog_test_event *te,
		       int64_t received_ns, const struct fl_message_opts *mo)
{
	const struct fl_received m = {.transport = FL_TRANSPORT_FILE,
				     .received_ns = received_ns,
				     .p = te->text.p,
				     .len = te->text.len};

	return fl_message_decode(ev, &m, mo);
}

/* 00:00 UTC on 1 January of year (proleptic Gregorian). */
static int64_t year_start_ns(int year)
{
	int64_t y = year - 1, days = 365 * (y - 1969) + (y / 4 - 492) - (y / 100 - 19) + (y / 400 - 4);

	return days * 86400 * FL_NS_PER_SEC;
}

/* Runs one test into res (its failures, and what happened when any);
 * returns 0 or -ENOMEM. */
static int run_test(const struct fl_program *p, const struct fl_prog_test *test,
		    const struct fl_tz *tz, struct fl_event *ev, struct fl_match *m,
		    struct fl_plantest_result *res)
{
	struct fl_program test_prog;
	struct test_run t = {.prog = p};
	struct fl_engine_config cfg = {
	    .on_action = on_action, .ctx = &t, .late_ms = -1, .match = m};
	struct fl_message_opts mo = {.tz = tz};
	int64_t received_ns;
	struct fl_clock *clock = NULL;
	struct fl_engine *e = NULL;
	struct timespec ts;
	int64_t base_ns = FALLBACK_BASE_NS, last_ns;

	res->name = test->name.p;
	if (test->inventory) {
		/* data "DIR";: the same program on the test's own network */
		test_prog = *p;
		test_prog.inventory = test->inventory;
		p = &test_prog;
		t.prog = p;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	received_ns = (int64_t)ts.tv_sec * FL_NS_PER_SEC + ts.tv_nsec;
	if (test->year > 0) { /* the plan's year, not today's: tests do not drift */
		mo.year = test->year;
		base_ns = year_start_ns(test->year);
	}
	for (uint32_t i = test->first_event; i < test->first_event + test->n_events; i++) {
		const struct fl_prog_test_event *te = &p->test_events[i];

		if (te->input != FL_RULE_INPUT_SYSLOG)
			continue;
		(void)decode_line(ev, te, received_ns, &mo);
		if (ev->has_time)
			base_ns = ev->time_ns - te->at_ms * FL_NS_PER_MS;
		break;
	}
	if (fl_clock_create_event(&clock, 0) < 0 || fl_engine_create(&e, p, clock, &cfg) < 0) {
		fl_clock_destroy(clock);
		return -ENOMEM;
	}
	last_ns = base_ns;
	for (uint32_t i = test->first_event; i < test->first_event + test->n_events; i++) {
		const struct fl_prog_test_event *te = &p->test_events[i];
		int64_t at_ns = base_ns + te->at_ms * FL_NS_PER_MS;

		if (te->input == FL_RULE_INPUT_SYSLOG) {
			(void)decode_line(ev, te, received_ns, &mo);
			ev->time_ns = at_ns; /* the test's time line is the `at` */
		} else {
			make_trap(ev, p, te, at_ns);
		}
		(void)fl_engine_feed(e, ev);
		last_ns = at_ns;
	}
	fl_engine_advance(e, last_ns + DRAIN_NS);
	fl_engine_flush(e);
	for (uint32_t i = test->first_expect; i < test->first_expect + test->n_expects; i++) {
		const struct fl_prog_expect *x = &p->expects[i];
		struct fl_plantest_failure *f;

		if (check(&t, x, base_ns))
			continue;
		if (!res->failures) {
			res->failures = calloc(test->n_expects, sizeof(*res->failures));
			if (!res->failures) {
				t.oom = true;
				break;
			}
		}
		f = &res->failures[res->n_failures++];
		f->file = x->file.p ? x->file.p : "?";
		f->line = x->line;
		f->column = x->column;
		expected_text(p, x, f->expected, sizeof(f->expected));
	}
	if (res->n_failures)
		collect_seen(&t, base_ns, res);
	fl_engine_destroy(e);
	fl_clock_destroy(clock);
	free(t.recs);
	return t.oom ? -ENOMEM : 0;
}

int fl_plantest_run(const struct fl_program *p, const struct fl_tz *tz,
		    struct fl_plantest_report *out)
{
	struct fl_plantest_report r = {0};
	struct fl_match *m = NULL;
	struct fl_event *ev;
	int rc = 0;

	ev = calloc(1, sizeof(*ev)); /* ~5 KiB, reused by every test */
	r.tests = calloc(p->n_tests ? p->n_tests : 1, sizeof(*r.tests));
	if (!ev || !r.tests) {
		rc = -ENOMEM;
		goto out;
	}
	/* one matcher for every test: its prefilter is built from the rules,
	 * which the tests share, and rebuilding it per test made `faultline
	 * test` cost tests x rules */
	if (p->n_tests && (rc = fl_match_create(&m, p)) < 0)
		goto out;
	for (size_t i = 0; i < p->n_tests; i++) {
		rc = run_test(p, &p->tests[i], tz, ev, m, &r.tests[i]);
		/* a test with its own data pointed the matcher at its copy of
		 * the program, on run_test()'s stack: back to p */
		if (m && fl_match_use_program(m, p) < 0)
			rc = -EINVAL;
		r.n_tests++;
		if (rc < 0)
			goto out;
		if (r.tests[i].n_failures)
			r.failed++;
		else
			r.passed++;
	}
	*out = r;
	r.tests = NULL;
out:
	fl_plantest_report_free(&r);
	fl_match_destroy(m);
	free(ev);
	return rc;
}

void fl_plantest_report_free(struct fl_plantest_report *r)
{
	if (!r->tests)
		return;
	for (size_t i = 0; i < r->n_tests; i++)
		free(r->tests[i].failures);
	free(r->tests);
	r->tests = NULL;
	r->n_tests = 0;
}
