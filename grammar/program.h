/* program.h - a compiled plan: what the correlation engine runs.
 *
 * A struct fl_plan owns one arena holding every array below, and a cleanup
 * list for what the arena cannot hold (PCRE2 code and JIT memory, the
 * inventory). The program is immutable once fl_plan_compile() returns: shards
 * share it read-only, and a reload compiles a second plan beside the first.
 * It holds no AST pointers: references are indices into the flat arrays
 * (uint32_t, FL_PROG_NONE when absent), ranges are (first, n) into a shared
 * array, and strings are struct fl_str slices of the arena, NUL-terminated.
 *
 * Time values are milliseconds (int64_t, suffix _ms); window times are
 * nanoseconds since the epoch (suffix _ns) like struct fl_event. */
#ifndef FL_PROGRAM_H
#define FL_PROGRAM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/duecal.h"
#include "engine/lib/str.h"

#define FL_PROG_NONE UINT32_MAX

struct fl_inventory;
struct fl_rxreq;
struct pcre2_real_code_8;
struct pcre2_real_match_context_8;

/* Location classes of a site; they select the on-site clock (sites.csv class). */
#define FL_LOC_CLASSES(X) X(CITY, "city") X(COUNTY, "county") X(TOWNSHIP, "township")
enum fl_loc_class {
#define X(name, text) FL_CLASS_##name,
	FL_LOC_CLASSES(X)
#undef X
	FL_CLASS__COUNT
};

/* A fault level (urgent, severe, ...): its clocks, its ladder. Declaration order
 * is rank: levels[0] is the most severe. A clock of -1 is not set.
 * respond_ms runs from the moment the ticket is raised (the open action), not
 * from the first alarm: a correlation's hold is the engine's time, not the duty
 * operator's. `respond at once within 2m` sets respond_at_once and the grace
 * (respond_ms) the duty operator has to acknowledge. The on-site and repair
 * clocks run from the fault (the first alarm). */
struct fl_prog_level {
	struct fl_str name, label;
	int64_t respond_ms;
	bool respond_at_once; /* written `respond at once within DURATION` */
	int64_t onsite_ms[FL_CLASS__COUNT];
	int64_t repair_ms; /* the spare-parts clock */
	uint32_t ladder;   /* FL_PROG_NONE: no escalation */
	/* `circuits PRIORITY, ...`: bits 1u << enum fl_circuit_priority. An
	 * incident that brings down a circuit of such a priority is raised to at
	 * least this level. 0: none. */
	unsigned circuit_priorities;
};

/* circuits.csv priority, in its order (the inventory's enum fl_inv_priority). */
#define FL_CIRCUIT_PRIORITIES(X) X(URGENT, "urgent") X(SEVERE, "severe") X(GENERAL, "general")
enum fl_circuit_priority {
#define X(name, text) FL_CPRIO_##name,
	FL_CIRCUIT_PRIORITIES(X)
#undef X
	FL_CPRIO__COUNT
};

/* Whose branch a ladder step reaches, relative to the incident's location:
 * OWN is the branch maintaining the device (township falls back to its
 * county), then COUNTY, CITY, REGION; CUSTOMER is the customers of the
 * circuits the incident brings down; AT_RISK those whose circuits it only
 * puts on protection (none of theirs is down). */
#define FL_SCOPES(X) \
	X(OWN, "own") X(COUNTY, "county") X(CITY, "city") X(REGION, "region") \
	X(CUSTOMER, "customer") X(AT_RISK, "at_risk")
enum fl_scope {
#define X(name, text) FL_SCOPE_##name,
	FL_SCOPES(X)
#undef X
	FL_SCOPE__COUNT
};

/* When a ladder step fires: after a delay from the incident's opening, when
 * one of its level's clocks is missed (then delay_ms is added to the clock),
 * once when the incident's alarm clears (CLEARED: a clearing message, both
 * ends of a span back, a silent device heard again: the service is restored),
 * or once when a rule's incident clears because its alarms went quiet (QUIET:
 * `clear after quiet`; nothing says the service is back), and each time a
 * correlation incident worsens (WORSENED: a second span cut, a site at risk
 * gone down). None of the last three takes a delay or a state. */
#define FL_STEP_WHENS(X) \
	X(AFTER, "after") X(RESPOND, "respond") X(ONSITE, "onsite") X(REPAIR, "repair") \
	X(CLEARED, "cleared") X(QUIET, "quiet") X(WORSENED, "worsened")
enum fl_step_when {
#define X(name, text) FL_WHEN_##name,
	FL_STEP_WHENS(X)
#undef X
};

/* The ticket state a step requires when it comes due; otherwise it is skipped.
 * UNACKED: still open; UNARRIVED: nobody on site yet (before ONSITE);
 * UNRESTORED: service not restored; UNRESOLVED: not resolved. */
#define FL_STEP_CONDS(X) \
	X(ALWAYS, "always") X(UNACKED, "unacked") X(UNARRIVED, "unarrived") \
	X(UNRESTORED, "unrestored") X(UNRESOLVED, "unresolved")
enum fl_step_cond {
#define X(name, text) FL_COND_##name,
	FL_STEP_CONDS(X)
#undef X
};

struct fl_prog_ladder {
	struct fl_str name;
	uint32_t first_step, n_steps; /* into steps[], in firing order as written */
};

struct fl_prog_step {
	enum fl_step_when when;
	int64_t delay_ms;
	enum fl_step_cond cond;
	uint32_t role; /* into roles[] */
	enum fl_scope scope;
	uint32_t first_channel, n_channels; /* into step_channels[] (indices into channels[]) */
};

/* A maintenance window written in the plan: incidents inside it are recorded,
 * marked planned, and page nobody. Windows of the maintenance data file stay
 * in the inventory (fl_inventory_maintenance()); the engine asks both. */
#define FL_WINDOW_SCOPES(X) \
	X(DEVICE, "device") X(SITE, "site") X(RING, "ring") X(SPAN, "span") X(CITY, "city")
enum fl_window_scope {
#define X(name, text) FL_WSCOPE_##name,
	FL_WINDOW_SCOPES(X)
#undef X
};

struct fl_prog_window {
	struct fl_str name, target;
	enum fl_window_scope scope;
	int64_t start_ns, end_ns; /* end exclusive */
	struct fl_str reason;	  /* FL_STR_NONE when not given */
};

/* `announce maintenance { before DUR notify ROLE [at customer] via CH, ...; }`:
 * each maintenance window that touches customer circuits is announced to the
 * customers' contacts before_ms ahead of each occurrence (engine/pipeline/announce.h). */
struct fl_prog_announce {
	int64_t before_ms;
	uint32_t role; /* into roles[] */
	uint32_t first_channel, n_channels; /* into step_channels[] */
};

/* `relay directives { ... }`: how a dispatch directive (调度指挥令) goes down
 * the branches (engine/pipeline/directive.h). CITY and COUNTY: who at each
 * branch of that level is told, through which channels, and within_ms, the
 * time the branch has to acknowledge. LATE: a branch that has not
 * acknowledged ms after its deadline is escalated: its own roles (is_above
 * false) or the level above's (a county's city, a city's region). REPORT:
 * who a branch's report goes to, the level above. Roles index roles[]
 * through relay_roles[]; channels index channels[] through step_channels[]. */
#define FL_RELAY_KINDS(X) X(CITY, "city") X(COUNTY, "county") X(LATE, "late") X(REPORT, "report")
enum fl_relay_kind {
#define X(name, text) FL_RELAY_##name,
	FL_RELAY_KINDS(X)
#undef X
	FL_RELAY__COUNT
};
#define FL_RELAY_WITHIN_MAX_MS (7LL * 24 * 3600 * 1000) /* an acknowledgement: a week at most */
#define FL_RELAY_LATE_MAX 8                             /* late lines in a relay block */
struct fl_prog_relay {
	enum fl_relay_kind kind;
	int64_t ms; /* CITY, COUNTY: within; LATE: after the deadline; REPORT: 0 */
	bool is_above;
	uint32_t first_role, n_roles;       /* into relay_roles[] */
	uint32_t first_channel, n_channels; /* into step_channels[] */
};

/* Fields a condition or template can name. EVENT fields come from the decoded
 * event (index into FL_EVENT_FIELDS), CAPTURE from the rule's regexes (index
 * into captures[]), INVENTORY from the rule's lookup (FL_INV_FIELDS), TOPO from
 * a correlation's located span or site (FL_TOPO_FIELDS). */
#define FL_EVENT_FIELDS(X) \
	X(HOST, "host", STR) X(APP, "app", STR) X(PROCID, "procid", STR) \
	X(MSGID, "msgid", STR) X(MSG, "msg", STR) X(SEVERITY, "severity", NUM) \
	X(FACILITY, "facility", NUM) X(PEER, "peer", ADDR) X(COMMUNITY, "community", STR) \
	X(TRAP_OID, "trap_oid", OID) X(ENTERPRISE, "enterprise", OID) \
	X(GENERIC_TRAP, "generic_trap", NUM) X(SPECIFIC_TRAP, "specific_trap", NUM) \
	X(SNMP_USER, "snmp_user", STR) X(VARBIND, "varbind", ANY)
#define FL_INV_FIELDS(X) \
	X(DEVICE, "device") X(SITE, "site") X(SITE_NAME, "site_name") X(COUNTY, "county") X(CITY, "city") \
	X(RING, "ring") X(RING_POS, "ring_pos") X(ROLE, "role") X(VENDOR, "vendor") \
	X(MODEL, "model") X(DEVICE_LEVEL, "device_level") X(CLASS, "class")
#define FL_TOPO_FIELDS(X) \
	X(SPAN, "span") X(RING, "ring") X(A_DEVICE, "a_device") X(A_PORT, "a_port") \
	X(B_DEVICE, "b_device") X(B_PORT, "b_port") X(SITE, "site") X(SITE_NAME, "site_name") \
	X(COUNTY, "county") X(CITY, "city") X(CLASS, "class") X(COUNT, "count") \
	X(ABSORBED, "absorbed") X(RULE, "rule") X(GROUP, "group")

enum fl_event_field {
#define X(name, text, type) FL_EF_##name,
	FL_EVENT_FIELDS(X)
#undef X
	FL_EF__COUNT
};
enum fl_inv_field {
#define X(name, text) FL_IF_##name,
	FL_INV_FIELDS(X)
#undef X
	FL_IF__COUNT
};
enum fl_topo_field {
#define X(name, text) FL_TF_##name,
	FL_TOPO_FIELDS(X)
#undef X
	FL_TF__COUNT
};

enum fl_field_kind { FL_FIELD_EVENT, FL_FIELD_CAPTURE, FL_FIELD_INVENTORY, FL_FIELD_TOPO };

struct fl_prog_field {
	enum fl_field_kind kind;
	uint32_t index;
};

/* A regex: for PCRE2 with UTF and MATCH_INVALID_UTF (syslog holds any
 * bytes); match with the program's match context, which carries
 * FL_REGEX_MATCH_LIMIT and FL_REGEX_DEPTH_LIMIT. A pattern in rxlite's
 * subset has its rxlite program (engine/lib/rxlite.h) and no PCRE2 code: rxlite
 * took it, so PCRE2 compiles it, and a matcher does so the first time it
 * needs PCRE2 (a subject rxlite declines, or the JIT); compiling 40,000
 * regexes for PCRE2 was a third of the start of a plan of 10,000 patterns.
 * Either is read-only: a matcher JIT-compiles its own copy of the regexes
 * it runs often (match.h). req: the atoms it cannot match without
 * (engine/lib/rxreq.h), walked once by the compiler for its warnings and
 * kept for the matcher's prefilter; NULL, and the matcher walks the pattern
 * itself. */
struct fl_prog_regex {
	struct fl_str pattern;
	struct pcre2_real_code_8 *code; /* NULL when lite holds the regex */
	const struct fl_rxlite *lite;	/* NULL: outside rxlite's subset */
	uint32_t opts;			/* the PCRE2 options it compiles with */
	uint32_t groups;		/* capture groups, 0 (the whole match) not counted */
	const struct fl_rxreq *req;
	uint32_t first_capture, n_captures; /* named groups, into captures[] */
	/* the first regex of the plan with the same pattern and options, whose
	 * code and req this one shares (its own index when it is the first) */
	uint32_t canon;
};

/* Whether the regex compiled (for rxlite or PCRE2): one that did not is in
 * no plan that loads, and matches nothing. */
static inline bool fl_prog_regex_compiled(const struct fl_prog_regex *rx)
{
	return rx->code || rx->lite;
}

/* A named group of a rule's regex; it becomes field `name` of the event. */
struct fl_prog_capture {
	struct fl_str name;
	uint32_t regex, group; /* group number in that regex */
};

#define FL_OPS(X) \
	X(EQ, "==") X(NE, "!=") X(LT, "<") X(LE, "<=") X(GT, ">") X(GE, ">=") \
	X(IN, "in") X(NOT_IN, "not in") X(MATCH, "~") X(NOT_MATCH, "!~") \
	X(CIDR, "in cidr") X(UNDER, "under") X(EXISTS, "exists")
enum fl_op {
#define X(name, text) FL_OP_##name,
	FL_OPS(X)
#undef X
};

/* One condition: field op value. Only the member the op needs is set:
 * EQ/NE str or num (NE addr for `peer != ADDRESS`); LT..GE num; IN/NOT_IN
 * set (into set_values[]; for the peer, is_addr_set, each value a network
 * of FL_PROG_NET_BYTES: FL_PROG_NET_*); MATCH/NOT_MATCH regex; CIDR addr;
 * UNDER oid (BER content octets, the form events carry). For field
 * varbind, varbind_oid names the varbind (BER content octets). */
enum {
	FL_PROG_NET_FAMILY, /* 4 or 6 */
	FL_PROG_NET_PREFIX, /* its length in bits */
	FL_PROG_NET_ADDR,   /* 16 bytes of address, the first 4 for IPv4 */
	FL_PROG_NET_BYTES = FL_PROG_NET_ADDR + 16
};

struct fl_prog_cond {
	struct fl_prog_field field;
	enum fl_op op;
	bool is_num, is_addr_set;
	struct fl_str str;
	int64_t num;
	uint32_t first_value, n_values;
	uint32_t regex;
	struct {
		int family; /* AF_INET or AF_INET6 */
		uint8_t bytes[16];
		uint8_t prefix;
	} addr;
	struct fl_str oid;
	struct fl_str varbind_oid;
};

/* Rule inputs, and what the engine looks up for a matched event. */
enum fl_rule_input { FL_RULE_INPUT_SYSLOG, FL_RULE_INPUT_TRAP };
enum fl_lookup { FL_LOOKUP_NONE, FL_LOOKUP_DEVICE, FL_LOOKUP_MGMT_IP };

#define FL_ACTIONS(X) \
	X(RAISE, "raise") X(UPDATE, "update") X(CLEAR, "clear") X(SET, "set") \
	X(EMIT, "emit") X(RUN, "run")
enum fl_action_kind {
#define X(name, text) FL_ACT_##name,
	FL_ACTIONS(X)
#undef X
};

/* raise/update: level, title template, ladder (FL_PROG_NONE: the level's own);
 * set: field name and template; emit: derived event template; run: plugin. */
struct fl_prog_action {
	enum fl_action_kind kind;
	uint32_t level, ladder, title, value; /* value: template for set/emit/run */
	struct fl_str field;
	uint32_t plugin; /* into channels[] */
};

/* A template: literal text and field references in order. */
struct fl_prog_template {
	struct fl_str text; /* as written, for dump */
	uint32_t first_part, n_parts;
};

struct fl_prog_tpart {
	bool is_field;
	struct fl_str literal;	   /* !is_field */
	struct fl_prog_field field; /* is_field */
	struct fl_str name;
};

/* `template NAME [for ROLE, ... [at SCOPE]] [via CHANNEL, ...]
 * [when page|restored|quiet|due] ["SUBJECT"] "BODY";` - the words a notice is
 * written in, for an audience and a channel. A notice takes the template of
 * its kind (when; due: a duty's reminder, duty_tick.c) that names the most
 * of: its step's scope (customers cut
 * off or only at risk are told different things), its role, its channel;
 * with none, the built-in text. The texts hold ${field}s of
 * FL_MESSAGE_FIELDS, checked when the plan compiles and filled in by the
 * ticket store's writer (engine/pipeline/sink_message.c). */
#define FL_MESSAGE_WHEN(X) \
	X(PAGE, "page") X(RESTORED, "restored") X(QUIET, "quiet") X(DUE, "due")
enum fl_message_when {
#define X(name, text) FL_MSG_##name,
	FL_MESSAGE_WHEN(X)
#undef X
	FL_MSG__COUNT
};
/* name, the length an SMS budget counts it at */
#define FL_MESSAGE_FIELDS(X)                                                          \
	X(ticket, 15) X(level, 4) X(title, 24) X(span, 16) X(site, 10) X(device, 14)      \
	X(ring, 10) X(city, 4) X(county, 4) X(circuits, 16) X(customers, 12) X(count, 3) \
	X(absorbed, 3) X(since, 11) X(at, 11)
/* `duty NAME "TEXT" every N UNIT from "DATE" [at "HH:MM"] notify ROLE via
 * CHANNELS;`: a task the plan asks for on a calendar (a call to each
 * customer every two weeks, a monthly technician visit), due on the plan's
 * zone (engine/lib/duecal.h). role indexes roles[]; channels index
 * step_channels[]. */
#define FL_DUTY_MAX 64 /* duties in a plan */
struct fl_prog_duty {
	struct fl_str name, text;
	struct fl_duecal cal;
	uint32_t role;			    /* one of the contact table's roles */
	uint32_t first_channel, n_channels; /* into step_channels[] */
	uint8_t per_level; /* `per`: enum fl_inv_level, region (default), city or county:
			    * one ticket and one reminder per branch at that level */
	int64_t within_ms; /* `within`: the deadline after each occurrence; 0: the next one */
};

struct fl_prog_message {
	struct fl_str name, subject, body; /* subject: FL_STR_NONE, the built-in one */
	enum fl_message_when when;
	bool has_scope;
	enum fl_scope scope;		    /* has_scope: only notices of steps at it */
	uint32_t first_role, n_roles;	    /* into message_roles[]; none: any role */
	uint32_t first_channel, n_channels; /* into message_channels[]; none: any */
};

/* A matching rule, in plan order. Every rule whose input and conds match an
 * event sees it (keys, windows, the correlations it feeds), but an event
 * raises at most one incident: that of the first matching rule with a RAISE
 * action. conds are ANDed; clear_conds (n_clear_conds > 0) describe the event
 * that clears what this rule opened, matched on the same key.
 * A window of 0 is off: dedup_ms, threshold (n in ms), flap (n in ms), absent_ms.
 * An incident of the rule clears only by its clear_conds, by a `clear` action,
 * after clear_quiet_ms without an event of its key (`clear after quiet`; 0:
 * never), or, for an absent rule, when the device is heard again. dedup only
 * tells repeats (less than dedup_ms after the key's previous fault) from
 * recurrences (dedup_ms or more: the open incident says it recurred); it
 * clears nothing. */
struct fl_prog_rule {
	struct fl_str name;
	enum fl_rule_input input;
	uint32_t first_cond, n_conds;
	uint32_t first_clear_cond, n_clear_conds;
	uint32_t first_regex, n_regexes;
	enum fl_lookup lookup;
	struct fl_prog_field lookup_field;
	uint32_t first_key, n_keys; /* into key_fields[] */
	int64_t dedup_ms;
	uint32_t threshold_n;
	int64_t threshold_ms;
	uint32_t flap_n;
	int64_t flap_ms;
	int64_t absent_ms;
	int64_t clear_quiet_ms;
	uint32_t first_action, n_actions;
	/* `clear where ... within pair_ms` (0: no window): a clear pairs with
	 * the fault that opened its key's pair window only when it comes at
	 * most pair_ms after that fault; `on timeout` actions (raise, emit, in
	 * actions[] after the rule's own) run when none came by then. */
	int64_t pair_ms;
	uint32_t first_timeout_action, n_timeout_actions;
};

/* How a correlation locates its incident. SPAN: alarms from both ends of one
 * span within within_ms; SITE: a silent site and alarms at its neighbours;
 * GROUP: alarms sharing the group_fields. */
#define FL_LOCATES(X) X(SPAN, "span") X(SITE, "site") X(GROUP, "group")
enum fl_locate {
#define X(name, text) FL_LOCATE_##name,
	FL_LOCATES(X)
#undef X
};

struct fl_prog_correlation {
	struct fl_str name;
	enum fl_locate locate;
	uint32_t first_input, n_inputs;	  /* rule indices, into rule_refs[] */
	int64_t within_ms;
	int64_t hold_ms; /* the evidence must persist this long (not clear) before raising */
	uint32_t first_absorb, n_absorbs; /* rule indices, into rule_refs[] */
	int64_t absorb_ms; /* alarms are absorbed while the incident is open and this long after */
	uint32_t first_group, n_group;	  /* GROUP: into key_fields[] */
	uint32_t first_action, n_actions;
};

/* Test blocks: input events at times relative to the test's start, and the
 * outcomes expected. The runner is the correlation engine's. */
struct fl_prog_test_event {
	int64_t at_ms;
	enum fl_rule_input input;
	struct fl_str text;	/* syslog: the line as received */
	struct fl_str trap_oid; /* trap: BER content octets */
	struct fl_str peer;	/* trap: sender address text, may be empty */
	struct fl_str community; /* trap: its community; empty: "public" */
	uint32_t first_varbind, n_varbinds; /* trap: `with ...`, into test_varbinds[] */
	bool is_v1; /* `generic N`: an SNMPv1 Trap-PDU, trap_oid its enterprise */
	int32_t generic_trap, specific_trap;
};

/* A varbind of a test's trap (`with ifDescr.3="Gi0/0/1"`): its OID as BER
 * content octets, and an INTEGER, an OCTET STRING, an OBJECT IDENTIFIER
 * (bytes: BER content octets) or an IpAddress (bytes: 4 octets). */
enum fl_test_vb_type { FL_TEST_VB_INTEGER, FL_TEST_VB_STRING, FL_TEST_VB_OID, FL_TEST_VB_IP };
struct fl_prog_test_varbind {
	struct fl_str oid;
	enum fl_test_vb_type type;
	int64_t integer;
	struct fl_str bytes;
};

#define FL_EXPECTS(X) \
	X(INCIDENT, "incident") X(NO_INCIDENT, "no incident") X(ABSORBED, "absorbed") \
	X(NOTIFY, "notify") X(CLEARED, "cleared") X(PLANNED, "planned")
enum fl_expect_kind {
#define X(name, text) FL_EXPECT_##name,
	FL_EXPECTS(X)
#undef X
};

struct fl_prog_expect {
	enum fl_expect_kind kind;
	uint32_t source; /* rule or correlation name it concerns: into names */
	bool source_is_correlation;
	uint32_t level, role, channel; /* FL_PROG_NONE when not asserted */
	enum fl_scope scope;
	bool has_scope; /* scope asserted (notify ... at SCOPE) */
	struct fl_str title;
	int64_t count; /* absorbed: count; -1 not asserted */
	int64_t at_ms; /* cleared at; -1 not asserted */
	bool is_restored; /* notify ... restored: from a `step cleared` line */
	/* where the expectation is written, for `faultline test` failures */
	struct fl_str file;
	int line, column;
};

/* year: the year a test's syslog lines without one (RFC 3164) are read in:
 * its `year N;`, else that of the plan's earliest maintenance window (UTC),
 * else 0 (the runner's current year). */
struct fl_prog_test {
	struct fl_str name;
	int year;
	/* data "DIR";: the network the test runs on, DIR as resolved (relative
	 * to the file holding the test) and the inventory read from it with the
	 * plan's data file names; p NULL / NULL: the plan's own (or --data). */
	struct fl_str data_dir;
	const struct fl_inventory *inventory;
	uint32_t first_event, n_events;
	uint32_t first_expect, n_expects;
};

/* Data files as resolved (relative to the plan, or --data). */
#define FL_DATA_KINDS(X) \
	X(DEVICES, "devices") X(SITES, "sites") X(RINGS, "rings") X(SPANS, "spans") \
	X(CHAINS, "chains") X(CIRCUITS, "circuits") X(CONTACTS, "contacts") \
	X(MAINTENANCE, "maintenance")
enum fl_data_kind {
#define X(name, text) FL_DATA_##name,
	FL_DATA_KINDS(X)
#undef X
	FL_DATA__COUNT
};

struct fl_program {
	struct fl_str name, timezone;
	struct fl_str data_paths[FL_DATA__COUNT]; /* p == NULL: not given */
	struct fl_prog_level *levels;
	size_t n_levels;
	struct fl_prog_ladder *ladders;
	size_t n_ladders;
	struct fl_prog_step *steps;
	size_t n_steps;
	struct fl_str *roles; /* declared contact roles */
	size_t n_roles;
	struct fl_str *channels; /* sms, email, webhook, then declared plugins */
	size_t n_channels;
	/* plugin shared objects, by channel index (absent for built-ins and for
	 * plugins declared without a file: the engine finds those by name) */
	struct fl_str *plugin_paths;
	size_t n_plugin_paths;
	uint32_t *step_channels;
	size_t n_step_channels;
	struct fl_prog_window *windows;
	size_t n_windows;
	struct fl_prog_rule *rules;
	size_t n_rules;
	struct fl_prog_cond *conds;
	size_t n_conds;
	struct fl_str *set_values;
	size_t n_set_values;
	struct fl_prog_regex *regexes;
	size_t n_regexes;
	struct fl_prog_capture *captures;
	size_t n_captures;
	struct fl_prog_field *key_fields;
	size_t n_key_fields;
	struct fl_prog_action *actions;
	size_t n_actions;
	struct fl_prog_template *templates;
	size_t n_templates;
	struct fl_prog_tpart *tparts;
	size_t n_tparts;
	struct fl_prog_correlation *correlations;
	size_t n_correlations;
	uint32_t *rule_refs;
	size_t n_rule_refs;
	struct fl_prog_test *tests;
	size_t n_tests;
	struct fl_prog_test_event *test_events;
	size_t n_test_events;
	struct fl_prog_test_varbind *test_varbinds;
	size_t n_test_varbinds;
	struct fl_prog_expect *expects;
	size_t n_expects;
	/* PCRE2 match context with the limits set; shared read-only. */
	struct pcre2_real_match_context_8 *match_ctx;
	const struct fl_inventory *inventory; /* NULL when the plan names no data */
	struct fl_prog_announce *announces; /* maintenance announcements, as written */
	size_t n_announces;
	struct fl_prog_relay *relays; /* the relay block's lines, as written; none: no block */
	size_t n_relays;
	uint32_t *relay_roles; /* into roles[] */
	size_t n_relay_roles;
	struct fl_prog_message *messages; /* message templates, as written */
	size_t n_messages;
	uint32_t *message_roles, *message_channels; /* into roles[], channels[] */
	size_t n_message_roles, n_message_channels;
	struct fl_prog_duty *duties; /* periodic duties, as written */
	size_t n_duties;
};

#endif /* FL_PROGRAM_H */
