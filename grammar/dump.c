/* dump.c - the readable form of a compiled program (`faultline dump`).
 *
 * One line per object, indices shown as #n so a reader can follow references
 * the way the engine does. Output depends only on the program, never on
 * addresses or the order of hash tables, so golden files stay stable. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "grammar/plan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "engine/decode/mib.h"
#include "engine/decode/snmp.h"
#include "engine/lib/buf.h"
#include "engine/lib/limits.h"
#include "engine/lib/rxreq.h"

void fl_plan_format_ms(char *out, size_t size, int64_t ms)
{
	static const struct {
		int64_t ms;
		const char *unit;
	} units[] = {{86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}, {1, "ms"}};
	size_t used = 0;

	if (ms < 0) {
		snprintf(out, size, "-");
		return;
	}
	if (ms == 0) {
		snprintf(out, size, "0s");
		return;
	}
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]) && ms > 0; i++) {
		int n;

		if (ms < units[i].ms)
			continue;
		n = snprintf(out + used, size - used, "%" PRId64 "%s", ms / units[i].ms,
			     units[i].unit);
		if (n < 0 || (size_t)n >= size - used)
			return;
		used += (size_t)n;
		ms %= units[i].ms;
	}
}

static const char *const field_kind[] = {"event", "capture", "inventory", "topo"};
static const char *const ev_names[] = {
#define X(name, text, type) text,
	FL_EVENT_FIELDS(X)
#undef X
};
static const char *const inv_names[] = {
#define X(name, text) text,
	FL_INV_FIELDS(X)
#undef X
};
static const char *const topo_names[] = {
#define X(name, text) text,
	FL_TOPO_FIELDS(X)
#undef X
};
static const char *const op_names[] = {
#define X(name, text) text,
	FL_OPS(X)
#undef X
};
static const char *const class_names[] = {
#define X(name, text) text,
	FL_LOC_CLASSES(X)
#undef X
};
static const char *const scope_names[] = {
#define X(name, text) text,
	FL_SCOPES(X)
#undef X
};
static const char *const when_names[] = {
#define X(name, text) text,
	FL_STEP_WHENS(X)
#undef X
};
static const char *const cond_names[] = {
#define X(name, text) text,
	FL_STEP_CONDS(X)
#undef X
};
static const char *const wscope_names[] = {
#define X(name, text) text,
	FL_WINDOW_SCOPES(X)
#undef X
};
static const char *const action_names[] = {
#define X(name, text) text,
	FL_ACTIONS(X)
#undef X
};
static const char *const locate_names[] = {
#define X(name, text) text,
	FL_LOCATES(X)
#undef X
};
static const char *const expect_names[] = {
#define X(name, text) text,
	FL_EXPECTS(X)
#undef X
};
static const char *const data_names[] = {
#define X(name, text) text,
	FL_DATA_KINDS(X)
#undef X
};

/* A quoted string with \ " and control characters escaped; UTF-8 kept. */
static void quoted(struct fl_buf *b, struct fl_str s)
{
	fl_buf_addc(b, '"');
	for (size_t i = 0; i < s.len; i++) {
		unsigned char ch = (unsigned char)s.p[i];

		if (ch == '"' || ch == '\\')
			fl_buf_printf(b, "\\%c", ch);
		else if (ch == '\n')
			fl_buf_adds(b, "\\n");
		else if (ch < 0x20 || ch == 0x7f)
			fl_buf_printf(b, "\\x%02x", ch);
		else
			fl_buf_addc(b, (char)ch);
	}
	fl_buf_addc(b, '"');
}

static void ms(struct fl_buf *b, int64_t v)
{
	char t[64];

	fl_plan_format_ms(t, sizeof(t), v);
	fl_buf_adds(b, t);
}

static void field(struct fl_buf *b, const struct fl_program *p, struct fl_prog_field f)
{
	const char *name = "?";

	if (f.index == FL_PROG_NONE) {
		fl_buf_adds(b, "set-field");
		return;
	}
	switch (f.kind) {
	case FL_FIELD_EVENT: name = ev_names[f.index]; break;
	case FL_FIELD_CAPTURE: name = p->captures[f.index].name.p; break;
	case FL_FIELD_INVENTORY: name = inv_names[f.index]; break;
	case FL_FIELD_TOPO: name = topo_names[f.index]; break;
	}
	fl_buf_printf(b, "%s:%s", field_kind[f.kind], name);
}

static void oid(struct fl_buf *b, struct fl_str ber)
{
	unsigned long v = 0;
	bool first = true;

	for (size_t i = 0; i < ber.len; i++) {
		unsigned char c = (unsigned char)ber.p[i];

		v = (v << 7) | (c & 0x7fu);
		if (c & 0x80)
			continue;
		if (first) {
			unsigned long a = v < 40 ? 0 : v < 80 ? 1 : 2;

			fl_buf_printf(b, "%lu.%lu", a, v - a * 40);
			first = false;
		} else {
			fl_buf_printf(b, ".%lu", v);
		}
		v = 0;
	}
}

/* The OID dotted, then its name in the bundled MIB table when it has one:
 * "1.3.6.1.6.3.1.1.5.3 (linkDown)". The engine compares the octets. */
static void oid_named(struct fl_buf *b, struct fl_str ber)
{
	char name[FL_OID_TEXT_MAX];

	oid(b, ber);
	if (fl_mib_format(ber, name, sizeof(name)) > 0 && (name[0] < '0' || name[0] > '9'))
		fl_buf_printf(b, " (%s)", name);
}

static void test_varbinds(struct fl_buf *b, const struct fl_program *p,
			  const struct fl_prog_test_event *e)
{
	for (uint32_t k = 0; k < e->n_varbinds; k++) {
		const struct fl_prog_test_varbind *vb = &p->test_varbinds[e->first_varbind + k];
		const uint8_t *ip = (const uint8_t *)vb->bytes.p;

		fl_buf_adds(b, k ? ", " : " with ");
		oid_named(b, vb->oid);
		fl_buf_adds(b, " = ");
		if (vb->type == FL_TEST_VB_INTEGER)
			fl_buf_printf(b, "%" PRId64, vb->integer);
		else if (vb->type == FL_TEST_VB_STRING)
			quoted(b, vb->bytes);
		else if (vb->type == FL_TEST_VB_IP)
			fl_buf_printf(b, "ip %u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
		else
			oid_named(b, vb->bytes);
	}
}

static void name_or_none(struct fl_buf *b, const struct fl_str *names, uint32_t i)
{
	if (i == FL_PROG_NONE)
		fl_buf_adds(b, "-");
	else
		fl_buf_printf(b, "%s", names[i].p);
}

void fl_plan_format_cond(struct fl_buf *b, const struct fl_program *p, uint32_t i)
{
	const struct fl_prog_cond *c = &p->conds[i];

	field(b, p, c->field);
	if (c->varbind_oid.p) {
		fl_buf_addc(b, '[');
		oid_named(b, c->varbind_oid);
		fl_buf_addc(b, ']');
	}
	fl_buf_printf(b, " %s", op_names[c->op]);
	if (c->op == FL_OP_MATCH || c->op == FL_OP_NOT_MATCH) {
		const struct fl_prog_regex *r = &p->regexes[c->regex];

		fl_buf_printf(b, " regex #%u /%s/", c->regex, r->pattern.p);
	} else if (c->op == FL_OP_IN || c->op == FL_OP_NOT_IN) {
		fl_buf_adds(b, " [");
		for (uint32_t k = 0; k < c->n_values; k++) {
			const uint8_t *net = (const uint8_t *)p->set_values[c->first_value + k].p;
			char a[64];

			if (k)
				fl_buf_adds(b, ", ");
			if (!c->is_addr_set) {
				quoted(b, p->set_values[c->first_value + k]);
				continue;
			}
			inet_ntop(net[FL_PROG_NET_FAMILY] == 4 ? AF_INET : AF_INET6,
				  net + FL_PROG_NET_ADDR, a, sizeof(a));
			fl_buf_printf(b, "%s/%u", a, net[FL_PROG_NET_PREFIX]);
		}
		fl_buf_addc(b, ']');
	} else if (c->op == FL_OP_CIDR || (c->addr.family && c->op == FL_OP_NE)) {
		char a[64];

		inet_ntop(c->addr.family, c->addr.bytes, a, sizeof(a));
		fl_buf_printf(b, " %s/%u", a, c->addr.prefix);
	} else if (c->oid.p) {
		fl_buf_addc(b, ' ');
		oid_named(b, c->oid);
	} else if (c->is_num) {
		fl_buf_printf(b, " %" PRId64, c->num);
	} else if (c->op != FL_OP_EXISTS) {
		fl_buf_addc(b, ' ');
		quoted(b, c->str);
	}
}

/* The literals a regex the prefilter scans for cannot match without
 * (engine/lib/rxreq.h): what `explain`'s "the message holds none of the
 * literals its regexes need" refers to. */
static void requires(struct fl_buf *b, const struct fl_prog_regex *rx)
{
	char small[512], *text = small;
	size_t need;

	if (rx->req->root == FL_RXREQ_NONE) {
		fl_buf_adds(b, "      requires no literal\n");
		return;
	}
	need = fl_rxreq_format(rx->req, small, sizeof(small));
	if (need >= sizeof(small) && (text = malloc(need + 1)))
		(void)fl_rxreq_format(rx->req, text, need + 1);
	fl_buf_printf(b, "      requires %s\n", text ? text : small); /* no memory: cut short */
	if (text != small)
		free(text);
}

static void conds(struct fl_buf *b, const struct fl_program *p, const char *label,
		  uint32_t first, uint32_t n)
{
	for (uint32_t i = first; i < first + n; i++) {
		fl_buf_printf(b, "    %s #%u ", label, i);
		fl_plan_format_cond(b, p, i);
		fl_buf_addc(b, '\n');
		if (fl_program_cond_scans_text(&p->conds[i]) && p->regexes[p->conds[i].regex].req)
			requires(b, &p->regexes[p->conds[i].regex]);
	}
}

static void template(struct fl_buf *b, const struct fl_program *p, uint32_t t)
{
	const struct fl_prog_template *tp = &p->templates[t];

	fl_buf_printf(b, "template #%u ", t);
	quoted(b, tp->text);
	fl_buf_adds(b, " =");
	for (uint32_t i = tp->first_part; i < tp->first_part + tp->n_parts; i++) {
		const struct fl_prog_tpart *pt = &p->tparts[i];

		fl_buf_addc(b, ' ');
		if (pt->is_field) {
			fl_buf_adds(b, "${");
			field(b, p, pt->field);
			fl_buf_adds(b, "}");
		} else {
			quoted(b, pt->literal);
		}
	}
}

static void actions_as(struct fl_buf *b, const struct fl_program *p, uint32_t first, uint32_t n,
		       const char *prefix)
{
	for (uint32_t i = first; i < first + n; i++) {
		const struct fl_prog_action *a = &p->actions[i];

		fl_buf_printf(b, "    %saction #%u %s", prefix, i, action_names[a->kind]);
		if (a->level != FL_PROG_NONE)
			fl_buf_printf(b, " level %s", p->levels[a->level].name.p);
		if (a->ladder != FL_PROG_NONE)
			fl_buf_printf(b, " ladder %s", p->ladders[a->ladder].name.p);
		if (a->field.p)
			fl_buf_printf(b, " field %s", a->field.p);
		if (a->plugin != FL_PROG_NONE)
			fl_buf_printf(b, " plugin %s", p->channels[a->plugin].p);
		if (a->title != FL_PROG_NONE) {
			fl_buf_adds(b, " title ");
			template(b, p, a->title);
		}
		if (a->value != FL_PROG_NONE) {
			fl_buf_adds(b, " value ");
			template(b, p, a->value);
		}
		fl_buf_addc(b, '\n');
	}
}

static void actions(struct fl_buf *b, const struct fl_program *p, uint32_t first, uint32_t n)
{
	actions_as(b, p, first, n, "");
}

static void rule_list(struct fl_buf *b, const struct fl_program *p, uint32_t first, uint32_t n)
{
	for (uint32_t i = first; i < first + n; i++)
		fl_buf_printf(b, "%s%s", i > first ? ", " : "", p->rules[p->rule_refs[i]].name.p);
}

/* How a raising rule's incident clears, so `dump` says what the plan means:
 * nothing clears by time unless the plan says `clear after quiet`. */
static void rule_clears(struct fl_buf *b, const struct fl_program *p,
			const struct fl_prog_rule *r)
{
	bool raises = false;

	for (uint32_t a = r->first_action; a < r->first_action + r->n_actions; a++)
		raises |= p->actions[a].kind == FL_ACT_RAISE;
	if (!raises && !r->clear_quiet_ms)
		return;
	fl_buf_adds(b, "    clears");
	if (r->absent_ms)
		fl_buf_adds(b, " when the device is heard again");
	if (r->n_clear_conds)
		fl_buf_adds(b, " on clear-where");
	if (r->clear_quiet_ms) {
		fl_buf_adds(b, r->n_clear_conds ? " or after quiet " : " after quiet ");
		ms(b, r->clear_quiet_ms);
	}
	if (!r->absent_ms && !r->n_clear_conds && !r->clear_quiet_ms)
		fl_buf_adds(b, " never: open until a person resolves it");
	fl_buf_addc(b, '\n');
}

/* The pair window and what its timeout does; nothing for a rule without
 * one, so the dumps of plans written before it stay as they were. */
static void rule_pair(struct fl_buf *b, const struct fl_program *p, const struct fl_prog_rule *r)
{
	if (!r->pair_ms)
		return;
	fl_buf_adds(b, "    pair within ");
	ms(b, r->pair_ms);
	fl_buf_adds(b, " of the first fault, ends included; a later clear is unpaired\n");
	actions_as(b, p, r->first_timeout_action, r->n_timeout_actions, "on timeout ");
}

/* How many syslog rules the prefilter keys on literals, and how many reach
 * the matcher for every message (of which, how many then run a regex on
 * msg: `faultline check` warns about those). */
static void dump_prefilter(struct fl_buf *b, const struct fl_program *p)
{
	size_t syslog = 0, every = 0, every_regex = 0;

	for (uint32_t r = 0; r < p->n_rules; r++) {
		bool runs_regex = false;

		if (p->rules[r].input != FL_RULE_INPUT_SYSLOG)
			continue;
		syslog++;
		if (fl_program_rule_every_event(p, r, &runs_regex)) {
			every++;
			every_regex += runs_regex;
		}
	}
	fl_buf_printf(b,
		      "prefilter syslog-rules %zu keyed %zu every-event %zu "
		      "(with a msg regex %zu)\n",
		      syslog, syslog - every, every, every_regex);
}

/* The distinct regexes, and how many run on rxlite (PCRE2 compiled only
 * when a shard needs it) or on PCRE2 alone: outside rxlite's subset, each
 * run costs PCRE2's interpreter (docs/language.md, "How a regex runs"). */
static void dump_regexes(struct fl_buf *b, const struct fl_program *p)
{
	size_t distinct = 0, lite = 0;

	for (uint32_t i = 0; i < p->n_regexes; i++) {
		if (p->regexes[i].canon != i)
			continue;
		distinct++;
		lite += p->regexes[i].lite != NULL;
	}
	fl_buf_printf(b, "regexes %zu distinct %zu rxlite %zu pcre2 %zu\n", p->n_regexes, distinct,
		      lite, distinct - lite);
}

static void dump_rules(struct fl_buf *b, const struct fl_program *p)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct fl_prog_rule *r = &p->rules[i];

		fl_buf_printf(b, "rule #%zu %s input %s", i, r->name.p,
			      r->input == FL_RULE_INPUT_SYSLOG ? "syslog" : "trap");
		if (r->lookup != FL_LOOKUP_NONE) {
			fl_buf_printf(b, " lookup %s(",
				      r->lookup == FL_LOOKUP_DEVICE ? "device" : "mgmt_ip");
			field(b, p, r->lookup_field);
			fl_buf_addc(b, ')');
		}
		fl_buf_addc(b, '\n');
		conds(b, p, "where", r->first_cond, r->n_conds);
		for (uint32_t x = r->first_regex; x < r->first_regex + r->n_regexes; x++) {
			const struct fl_prog_regex *rx = &p->regexes[x];

			for (uint32_t g = rx->first_capture; g < rx->first_capture + rx->n_captures;
			     g++)
				fl_buf_printf(b, "    capture #%u %s = regex #%u group %u\n", g,
					      p->captures[g].name.p, p->captures[g].regex,
					      p->captures[g].group);
		}
		conds(b, p, "clear-where", r->first_clear_cond, r->n_clear_conds);
		if (r->n_keys) {
			fl_buf_adds(b, "    key");
			for (uint32_t k = r->first_key; k < r->first_key + r->n_keys; k++) {
				fl_buf_adds(b, k > r->first_key ? ", " : " ");
				field(b, p, p->key_fields[k]);
			}
			fl_buf_addc(b, '\n');
		}
		if (r->dedup_ms) {
			fl_buf_adds(b, "    dedup ");
			ms(b, r->dedup_ms);
			fl_buf_addc(b, '\n');
		}
		if (r->threshold_n) {
			fl_buf_printf(b, "    threshold %u within ", r->threshold_n);
			ms(b, r->threshold_ms);
			fl_buf_addc(b, '\n');
		}
		if (r->flap_n) {
			fl_buf_printf(b, "    flap %u within ", r->flap_n);
			ms(b, r->flap_ms);
			fl_buf_addc(b, '\n');
		}
		if (r->absent_ms) {
			fl_buf_adds(b, "    absent ");
			ms(b, r->absent_ms);
			fl_buf_addc(b, '\n');
		}
		rule_clears(b, p, r);
		actions(b, p, r->first_action, r->n_actions);
		rule_pair(b, p, r);
	}
}

static void dump_levels(struct fl_buf *b, const struct fl_program *p)
{
	for (size_t i = 0; i < p->n_levels; i++) {
		const struct fl_prog_level *l = &p->levels[i];

		fl_buf_printf(b, "level #%zu %s", i, l->name.p);
		if (l->label.p) {
			fl_buf_adds(b, " label ");
			quoted(b, l->label);
		}
		fl_buf_adds(b, l->respond_at_once ? " respond at-once-within " : " respond ");
		ms(b, l->respond_ms);
		for (int c = 0; c < FL_CLASS__COUNT; c++) {
			fl_buf_printf(b, " onsite-%s ", class_names[c]);
			ms(b, l->onsite_ms[c]);
		}
		fl_buf_adds(b, " repair ");
		ms(b, l->repair_ms);
		fl_buf_adds(b, " ladder ");
		if (l->ladder == FL_PROG_NONE)
			fl_buf_adds(b, "-");
		else
			fl_buf_adds(b, p->ladders[l->ladder].name.p);
		for (int k = 0; k < FL_CPRIO__COUNT; k++) /* only when set: goldens stay */
			if (l->circuit_priorities & (1u << k))
				fl_buf_printf(b, " circuits-%s",
					      k == FL_CPRIO_URGENT   ? "urgent"
					      : k == FL_CPRIO_SEVERE ? "severe"
								     : "general");
		fl_buf_addc(b, '\n');
	}
	for (size_t i = 0; i < p->n_ladders; i++) {
		const struct fl_prog_ladder *l = &p->ladders[i];

		fl_buf_printf(b, "ladder #%zu %s\n", i, l->name.p);
		for (uint32_t k = l->first_step; k < l->first_step + l->n_steps; k++) {
			const struct fl_prog_step *s = &p->steps[k];

			fl_buf_printf(b, "    step #%u %s+", k, when_names[s->when]);
			ms(b, s->delay_ms);
			fl_buf_printf(b, " if %s notify ", cond_names[s->cond]);
			name_or_none(b, p->roles, s->role);
			fl_buf_printf(b, " at %s via", scope_names[s->scope]);
			for (uint32_t c = 0; c < s->n_channels; c++) {
				fl_buf_adds(b, c ? ", " : " ");
				name_or_none(b, p->channels, p->step_channels[s->first_channel + c]);
			}
			fl_buf_addc(b, '\n');
		}
	}
}

static void dump_tests(struct fl_buf *b, const struct fl_program *p)
{
	for (size_t i = 0; i < p->n_tests; i++) {
		const struct fl_prog_test *t = &p->tests[i];

		fl_buf_printf(b, "test #%zu ", i);
		quoted(b, t->name);
		fl_buf_addc(b, '\n');
		for (uint32_t k = t->first_event; k < t->first_event + t->n_events; k++) {
			const struct fl_prog_test_event *e = &p->test_events[k];

			fl_buf_adds(b, "    at ");
			ms(b, e->at_ms);
			if (e->input == FL_RULE_INPUT_SYSLOG) {
				fl_buf_adds(b, " syslog ");
				quoted(b, e->text);
			} else {
				fl_buf_adds(b, " trap ");
				oid_named(b, e->trap_oid);
				if (e->peer.p)
					fl_buf_printf(b, " from %s", e->peer.p);
				if (e->community.p) {
					fl_buf_adds(b, " community ");
					quoted(b, e->community);
				}
				test_varbinds(b, p, e);
			}
			fl_buf_addc(b, '\n');
		}
		for (uint32_t k = t->first_expect; k < t->first_expect + t->n_expects; k++) {
			const struct fl_prog_expect *e = &p->expects[k];

			fl_buf_printf(b, "    expect %s", expect_names[e->kind]);
			if (e->source != FL_PROG_NONE)
				fl_buf_printf(b, " %s", e->source_is_correlation ?
							       p->correlations[e->source].name.p :
							       p->rules[e->source].name.p);
			if (e->level != FL_PROG_NONE)
				fl_buf_printf(b, " level %s", p->levels[e->level].name.p);
			if (e->title.p) {
				fl_buf_adds(b, " title ");
				quoted(b, e->title);
			}
			if (e->count >= 0)
				fl_buf_printf(b, " count %" PRId64, e->count);
			if (e->role != FL_PROG_NONE)
				fl_buf_printf(b, " role %s at %s", p->roles[e->role].p,
					      scope_names[e->scope]);
			if (e->channel != FL_PROG_NONE)
				fl_buf_printf(b, " via %s", p->channels[e->channel].p);
			if (e->is_restored)
				fl_buf_adds(b, " restored");
			if (e->at_ms >= 0) {
				fl_buf_adds(b, " at ");
				ms(b, e->at_ms);
			}
			fl_buf_addc(b, '\n');
		}
	}
}

/* ns since the epoch -> "2026-11-27T16:30:00Z" */
static void utc(char *out, size_t size, int64_t ns)
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, size, "?");
}

/* relay: one line per line of the relay block, as the engine reads it. */
static void dump_relays(struct fl_buf *b, const struct fl_program *p)
{
	static const char *const kinds[] = {
#define X(name, text) text,
		FL_RELAY_KINDS(X)
#undef X
	};

	for (size_t i = 0; i < p->n_relays; i++) {
		const struct fl_prog_relay *r = &p->relays[i];

		fl_buf_printf(b, "relay #%zu %s", i, kinds[r->kind]);
		if (r->kind == FL_RELAY_CITY || r->kind == FL_RELAY_COUNTY) {
			fl_buf_adds(b, " within ");
			ms(b, r->ms);
		} else if (r->kind == FL_RELAY_LATE) {
			fl_buf_adds(b, " after ");
			ms(b, r->ms);
		}
		fl_buf_adds(b, " notify");
		for (uint32_t k = 0; k < r->n_roles; k++) {
			fl_buf_adds(b, k ? ", " : " ");
			name_or_none(b, p->roles, p->relay_roles[r->first_role + k]);
		}
		if (r->kind == FL_RELAY_LATE || r->kind == FL_RELAY_REPORT)
			fl_buf_adds(b, r->is_above ? " at above" : " at own");
		fl_buf_adds(b, " via");
		for (uint32_t k = 0; k < r->n_channels; k++) {
			fl_buf_adds(b, k ? ", " : " ");
			name_or_none(b, p->channels, p->step_channels[r->first_channel + k]);
		}
		fl_buf_addc(b, '\n');
	}
}

int fl_plan_dump(const struct fl_plan *plan, struct fl_buf *b)
{
	const struct fl_program *p = fl_plan_program(plan);

	fl_buf_adds(b, "plan ");
	quoted(b, p->name.p ? p->name : FL_STR_LIT(""));
	fl_buf_adds(b, " timezone ");
	quoted(b, p->timezone.p ? p->timezone : FL_STR_LIT("UTC"));
	fl_buf_addc(b, '\n');
	for (size_t k = 0; k < FL_DATA__COUNT; k++)
		if (p->data_paths[k].p)
			fl_buf_printf(b, "data %s %s\n", data_names[k], p->data_paths[k].p);
	fl_buf_adds(b, "roles");
	for (size_t i = 0; i < p->n_roles; i++)
		fl_buf_printf(b, "%s%s", i ? ", " : " ", p->roles[i].p);
	fl_buf_adds(b, "\nchannels");
	for (size_t i = 0; i < p->n_channels; i++) {
		fl_buf_printf(b, "%s%s", i ? ", " : " ", p->channels[i].p);
		if (i < p->n_plugin_paths && p->plugin_paths[i].p)
			fl_buf_printf(b, "(%s)", p->plugin_paths[i].p);
	}
	fl_buf_addc(b, '\n');
	dump_levels(b, p);
	for (size_t i = 0; i < p->n_windows; i++) {
		const struct fl_prog_window *w = &p->windows[i];

		char from[32], until[32];

		utc(from, sizeof(from), w->start_ns);
		utc(until, sizeof(until), w->end_ns);
		fl_buf_printf(b, "maintenance #%zu %s %s %s from %s until %s\n", i, w->name.p,
			      wscope_names[w->scope], w->target.p ? w->target.p : "-", from, until);
	}
	for (size_t i = 0; i < p->n_announces; i++) {
		const struct fl_prog_announce *a = &p->announces[i];

		fl_buf_printf(b, "announce #%zu maintenance before ", i);
		ms(b, a->before_ms);
		fl_buf_adds(b, " notify ");
		name_or_none(b, p->roles, a->role);
		fl_buf_adds(b, " at customer via");
		for (uint32_t c = 0; c < a->n_channels; c++) {
			fl_buf_adds(b, c ? ", " : " ");
			name_or_none(b, p->channels, p->step_channels[a->first_channel + c]);
		}
		fl_buf_addc(b, '\n');
	}
	dump_relays(b, p);
	dump_rules(b, p);
	for (size_t i = 0; i < p->n_correlations; i++) {
		const struct fl_prog_correlation *c = &p->correlations[i];

		fl_buf_printf(b, "correlation #%zu %s locate %s within ", i, c->name.p,
			      locate_names[c->locate]);
		ms(b, c->within_ms);
		fl_buf_adds(b, "\n    from ");
		rule_list(b, p, c->first_input, c->n_inputs);
		fl_buf_addc(b, '\n');
		if (c->n_group) {
			fl_buf_adds(b, "    group");
			for (uint32_t k = c->first_group; k < c->first_group + c->n_group; k++) {
				fl_buf_adds(b, k > c->first_group ? ", " : " ");
				field(b, p, p->key_fields[k]);
			}
			fl_buf_addc(b, '\n');
		}
		if (c->hold_ms) {
			fl_buf_adds(b, "    hold ");
			ms(b, c->hold_ms);
			fl_buf_addc(b, '\n');
		}
		if (c->n_absorbs) {
			fl_buf_adds(b, "    absorb ");
			rule_list(b, p, c->first_absorb, c->n_absorbs);
			fl_buf_adds(b, " for ");
			ms(b, c->absorb_ms);
			fl_buf_addc(b, '\n');
		}
		actions(b, p, c->first_action, c->n_actions);
	}
	dump_tests(b, p);
	dump_prefilter(b, p);
	dump_regexes(b, p);
	fl_buf_printf(b, "limits regex-match %d regex-depth %d\n", FL_REGEX_MATCH_LIMIT,
		      FL_REGEX_DEPTH_LIMIT);
	return b->overflowed ? -EMSGSIZE : 0;
}
