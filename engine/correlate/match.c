/* match.c - the matcher's lifecycle and the work per event: candidates from
 * the prefilter, field conditions, PCRE2 confirmation and captures. */
#include "engine/correlate/match.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/correlate/match_int.h"
#include "engine/lib/buf.h"
#include "engine/lib/utf8.h"
#include "engine/decode/event.h"
#include "engine/decode/snmp.h"
#include "engine/inventory/inventory.h"
#include "grammar/plan.h"

/* ---- lifecycle ------------------------------------------------------------- */

/* A memo for each regex several conditions share (fl_prog_regex.canon:
 * the compiler's first of a pattern). -ENOMEM. */
static int share_regexes(struct fl_match *m)
{
	const struct fl_program *prog = m->prog;
	uint32_t *members = calloc(prog->n_regexes + 1, sizeof(*members));
	size_t n_shared = 0;
	int rc = -ENOMEM;

	if (!members)
		return -ENOMEM;
	for (uint32_t i = 0; i < prog->n_regexes; i++) {
		m->regexes[i].memo = UINT32_MAX;
		if (fl_prog_regex_compiled(&prog->regexes[i]) &&
		    ++members[prog->regexes[i].canon] == 2)
			n_shared++;
	}
	m->memos = calloc(n_shared + 1, sizeof(*m->memos));
	if (!m->memos)
		goto out;
	for (uint32_t i = 0; i < prog->n_regexes; i++) {
		struct match_memo *memo = &m->memos[m->n_memos];

		if (members[i] < 2)
			continue;
		memo->ov = calloc(2 * ((size_t)prog->regexes[i].groups + 1), sizeof(*memo->ov));
		if (!memo->ov)
			goto out;
		m->regexes[i].memo = (uint32_t)m->n_memos++;
	}
	rc = 0;
out:
	free(members);
	return rc;
}

int fl_match_create(struct fl_match **out, const struct fl_program *prog)
{
	struct fl_match *m = calloc(1, sizeof(*m));
	uint32_t max_groups = 1;
	int rc = -ENOMEM;

	if (!m)
		return -ENOMEM;
	m->prog = prog;
	m->rules = aligned_alloc(_Alignof(struct match_rule), (prog->n_rules + 1) * sizeof(*m->rules));
	if (m->rules)
		memset(m->rules, 0, (prog->n_rules + 1) * sizeof(*m->rules));
	m->always[0] = calloc(prog->n_rules + 1, sizeof(*m->always[0]));
	m->always[1] = calloc(prog->n_rules + 1, sizeof(*m->always[1]));
	m->cands = calloc(prog->n_rules + 1, sizeof(*m->cands));
	m->cands_tmp = calloc(prog->n_rules + 1, sizeof(*m->cands_tmp));
	m->caps = calloc(prog->n_captures + 1, sizeof(*m->caps));
	m->regexes = calloc(prog->n_regexes + 1, sizeof(*m->regexes));
	m->n_regexes = prog->n_regexes;
	if (!m->rules || !m->always[0] || !m->always[1] || !m->cands || !m->cands_tmp || !m->caps ||
	    !m->regexes)
		goto out_free;
	m->runs_to_decay = FL_MATCH_JIT_DECAY;
	for (size_t i = 0; i < prog->n_rules; i++) {
		m->rules[i].is_syslog = prog->rules[i].input == FL_RULE_INPUT_SYSLOG;
		m->rules[i].has_clear = prog->rules[i].n_clear_conds > 0;
	}
	for (size_t i = 0; i < prog->n_regexes; i++)
		if (prog->regexes[i].groups + 1 > max_groups)
			max_groups = prog->regexes[i].groups + 1;
	m->md = pcre2_match_data_create(max_groups, NULL);
	if (!m->md || share_regexes(m) < 0)
		goto out_free;
	rc = fl_match_build_prefilter(m);
	if (rc < 0)
		goto out_free;
	*out = m;
	return 0;

out_free:
	fl_match_destroy(m);
	return rc;
}

void fl_match_destroy(struct fl_match *m)
{
	if (!m)
		return;
	for (size_t i = 0; m->regexes && i < m->n_regexes; i++) {
		pcre2_code_free(m->regexes[i].jit);
		pcre2_code_free(m->regexes[i].code);
	}
	free(m->regexes);
	for (size_t i = 0; i < m->n_memos; i++)
		free(m->memos[i].ov);
	free(m->memos);
	pcre2_match_data_free(m->md);
	fl_ac_destroy(m->ac);
	free(m->seen);
	free(m->found);
	fl_match_fields_free(&m->fields);
	free(m->atoms);
	free(m->atom_bytes);
	free(m->folded);
	free(m->key_first);
	free(m->posts);
	free(m->keyed);
	free(m->nodes);
	free(m->caps);
	free(m->cands);
	free(m->cands_tmp);
	free(m->always[0]);
	free(m->always[1]);
	free(m->rules);
	free(m);
}

/* ---- per event ------------------------------------------------------------- */

/* Rule r becomes a candidate, once. */
static void wake(struct fl_match *m, uint32_t r)
{
	if (m->rules[r].gen != m->gen) {
		m->rules[r].gen = m->gen;
		m->cands[m->n_cands++] = r;
	}
}

/* An id found in the message; the automaton reports each once per
 * message, so found[] holds at most n_ids. */
static bool collect(uint32_t key, void *ctx)
{
	struct fl_match *m = ctx;

	m->found[m->n_found++] = key;
	return true;
}

static bool seen_bit(const struct fl_match *m, uint32_t bit)
{
	return (m->seen[bit >> 6] >> (bit & 63)) & 1;
}

/* Whether a side of rule r keyed on atoms passes its gate in the message
 * scanned (match_prefilter.c, build_gates()). */
static bool gate_open(const struct fl_match *m, uint32_t r)
{
	const struct match_gate *g = &m->rules[r].gate;

	for (int side = 0; side < FL_MATCH_SIDES; side++) {
		bool open = g->bit[side][0][0] != MATCH_GATE_UNKEYED;

		for (int i = 0; open && i < FL_MATCH_GATE_GROUPS; i++) {
			const uint32_t *b = g->bit[side][i];

			open = b[0] == MATCH_GATE_NONE || seen_bit(m, b[0]) ||
			       (b[1] != MATCH_GATE_NONE && seen_bit(m, b[1]));
		}
		if (open)
			return true;
	}
	return false;
}

/* The rules the keys found wake, once the whole message is scanned (a
 * gate's bits may come after the key): each becomes a candidate once, if
 * its gate lets it. A rule a gate shuts is not marked, so a field may
 * still make it a candidate. */
static void wake_by_keys(struct fl_match *m)
{
	for (size_t k = 0; k < m->n_found; k++) {
		const struct match_posting *p = &m->posts[m->found[k]];
		const uint32_t *rules;

		if (p->n == 0)
			continue;
		rules = p->n <= FL_MATCH_POSTING_INLINE ? p->rules : m->keyed + p->rules[0];
		for (uint32_t i = 0; i < p->n; i++) {
			uint32_t r = rules[i];

			if (m->rules[r].gen == m->gen)
				continue;
			if (gate_open(m, r))
				wake(m, r);
			else
				m->stats.wakes_gated++;
		}
	}
}

/* Plan order. An event has a handful of candidates: insertion sort, which
 * costs a few dozen instructions where qsort() costs hundreds. Many (a
 * thousand rules that share an atom): a radix sort on the rule numbers'
 * bytes, through tmp (room for n), where qsort() cost 20 instructions a
 * comparison. */
static void sort_cands(uint32_t *c, uint32_t *tmp, size_t n, size_t n_rules)
{
	if (n > 32) {
		uint32_t *from = c, *to = tmp;
		int passes = n_rules <= 1u << 8 ? 1 : n_rules <= 1u << 16 ? 2 : n_rules <= 1u << 24 ? 3 : 4;

		for (int pass = 0; pass < passes; pass++) {
			size_t count[257] = {0};
			int shift = 8 * pass;
			uint32_t *t;

			for (size_t i = 0; i < n; i++)
				count[((from[i] >> shift) & 0xff) + 1]++;
			for (int b = 0; b < 256; b++)
				count[b + 1] += count[b];
			for (size_t i = 0; i < n; i++)
				to[count[(from[i] >> shift) & 0xff]++] = from[i];
			t = from;
			from = to;
			to = t;
		}
		if (from != c)
			memcpy(c, from, n * sizeof(*c));
		return;
	}
	for (size_t i = 1; i < n; i++) {
		uint32_t x = c[i];
		size_t k = i;

		for (; k > 0 && c[k - 1] > x; k--)
			c[k] = c[k - 1];
		c[k] = x;
	}
}

/* The rules whose sides are keyed on this host, app, msgid or msg
 * (match_fields.c). */
static void wake_by_fields(struct fl_match *m, const struct fl_syslog *s)
{
	const struct fl_str values[] = {
	    [FL_MATCH_FIELD_HOST] = s->hostname,
	    [FL_MATCH_FIELD_APP] = s->app_name,
	    [FL_MATCH_FIELD_MSGID] = s->msgid,
	    [FL_MATCH_FIELD_MSG] = s->msg,
	};

	if (!m->fields.n_keys)
		return;
	for (int f = 0; f < (int)(sizeof(values) / sizeof(values[0])); f++) {
		size_t n;
		const uint32_t *rules = fl_match_field_rules(m, f, values[f], &n);

		for (size_t i = 0; i < n; i++)
			wake(m, rules[i]);
	}
}

/* The rules whose sides are keyed on an OID the trap's trap_oid or
 * enterprise begins with: each prefix that ends an arc (BER: a byte
 * without its high bit) is looked up, a dozen for an enterprise OID, and
 * none longer than the longest key (a sender's long OID costs no more). */
static void wake_by_oids(struct fl_match *m, const struct fl_trap *t)
{
	const struct fl_str values[] = {t->trap_oid, t->enterprise};
	const int fields[] = {FL_MATCH_FIELD_TRAP_OID, FL_MATCH_FIELD_ENTERPRISE};

	for (int k = 0; k < 2; k++) {
		struct fl_str v = values[k];
		size_t last = v.p ? v.len : 0;

		if (last > m->fields.longest[fields[k]])
			last = m->fields.longest[fields[k]];
		for (size_t end = 1; end <= last; end++) {
			const uint32_t *rules;
			size_t n;

			if ((unsigned char)v.p[end - 1] & 0x80)
				continue; /* inside an arc */
			rules = fl_match_field_rules(m, fields[k], fl_str_make(v.p, end), &n);
			for (size_t i = 0; i < n; i++)
				wake(m, rules[i]);
		}
	}
}

static void wake_by_device(struct fl_match *m);

/* Wakes those of rules[0..n) that take the event's input: a key on the
 * peer or its device is one for syslog and trap rules alike. */
static void wake_of_input(struct fl_match *m, const uint32_t *rules, size_t n)
{
	bool syslog = m->ev->kind == FL_EVENT_SYSLOG;

	for (size_t i = 0; i < n; i++)
		if (m->rules[rules[i]].is_syslog == syslog)
			wake(m, rules[i]);
}

/* The rules whose sides are keyed on a network the event's peer is in:
 * its address masked to each prefix length some key has. */
static void wake_by_peer(struct fl_match *m)
{
	const struct fl_event *ev = m->ev;
	const uint8_t *addr;
	int fam;

	if (!ev->has_peer)
		return;
	if (ev->peer.ss_family == AF_INET) {
		addr = (const uint8_t *)&((const struct sockaddr_in *)(const void *)&ev->peer)->sin_addr;
		fam = 0;
	} else if (ev->peer.ss_family == AF_INET6) {
		addr = (const uint8_t *)&((const struct sockaddr_in6 *)(const void *)&ev->peer)
			   ->sin6_addr;
		fam = 1;
	} else {
		return;
	}
	for (unsigned len = 0; len <= (fam ? 128u : 32u); len++) {
		uint8_t key[FL_MATCH_PEER_KEY_MAX];
		const uint32_t *rules;
		size_t n;

		if (!((m->fields.peer_lengths[fam][len / 64] >> (len % 64)) & 1))
			continue;
		n = fl_match_peer_key(key, ev->peer.ss_family, addr, len);
		rules = fl_match_field_rules(m, FL_MATCH_FIELD_PEER, fl_str_make((const char *)key, n),
					     &n);
		wake_of_input(m, rules, n);
	}
}

int fl_match_use_program(struct fl_match *m, const struct fl_program *prog)
{
	const struct fl_program *was = m->prog;

	if (prog->rules != was->rules || prog->n_rules != was->n_rules ||
	    prog->regexes != was->regexes || prog->conds != was->conds)
		return -EINVAL;
	m->prog = prog;
	return 0;
}

size_t fl_match_begin(struct fl_match *m, const struct fl_event *ev, const uint32_t **rules)
{
	int input;

	m->ev = ev;
	m->gen++;
	m->dev_done[0] = m->dev_done[1] = false;
	m->n_cands = 0;
	m->stats.events++;
	m->scanned = false;
	if (ev->kind == FL_EVENT_SYSLOG && m->seen_words) {
		m->scanned = true;
		/* Only the words the last message set: clearing all of them
		 * cost 7,500 of the 15,000 instructions of an event at 10,000
		 * patterns (60,000 keys). */
		for (size_t i = 0; i < m->n_found; i++)
			m->seen[m->found[i] >> 6] = 0;
		m->n_found = 0;
		/* The texts whose atoms key rules, msg first, into one
		 * bitset: a text the event lacks scans nothing, and its sides'
		 * atoms are absent (match_prefilter.c). */
		if (ev->syslog.msg.p)
			(void)fl_ac_scan(m->ac, ev->syslog.msg.p, ev->syslog.msg.len, m->seen, collect, m);
		for (uint8_t i = 1; i < m->n_scans; i++) {
			struct fl_str text = fl_match_event_text(ev, m->scans[i]);

			if (text.p)
				(void)fl_ac_scan(m->ac, text.p, text.len, m->seen, collect, m);
		}
		wake_by_keys(m);
	}
	if (ev->kind == FL_EVENT_SYSLOG)
		wake_by_fields(m, &ev->syslog);
	else if (ev->kind == FL_EVENT_TRAP)
		wake_by_oids(m, &ev->trap);
	if (m->fields.has_device[0] || m->fields.has_device[1])
		wake_by_device(m);
	if (m->fields.has[FL_MATCH_FIELD_PEER])
		wake_by_peer(m);
	input = ev->kind == FL_EVENT_SYSLOG ? 0 : 1;
	memcpy(m->cands + m->n_cands, m->always[input], m->n_always[input] * sizeof(uint32_t));
	m->n_cands += m->n_always[input];
	if (m->n_cands > 1)
		sort_cands(m->cands, m->cands_tmp, m->n_cands, m->prog->n_rules);
	m->stats.candidates += m->n_cands;
	*rules = m->cands;
	return m->n_cands;
}

static struct fl_str peer_text(struct fl_match *m)
{
	const struct fl_event *ev = m->ev;
	const void *a;
	int af = ev->peer.ss_family;

	if (!ev->has_peer)
		return FL_STR_NONE;
	if (af == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)&ev->peer)->sin_addr;
	else if (af == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)&ev->peer)->sin6_addr;
	else
		return FL_STR_NONE;
	if (!inet_ntop(af, a, m->peer_text, sizeof(m->peer_text)))
		return FL_STR_NONE;
	return fl_str_make(m->peer_text, strlen(m->peer_text));
}

/* v in decimal in m->num_text: a condition on a number field compared as
 * text (in, a regex) costs no snprintf() per rule. */
static struct fl_str num_text(struct fl_match *m, int64_t v)
{
	char *end = m->num_text + sizeof(m->num_text), *p = end;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return fl_str_make(p, (size_t)(end - p));
}

static struct fl_str event_field(struct fl_match *m, uint32_t index)
{
	const struct fl_event *ev = m->ev;
	const struct fl_syslog *s = &ev->syslog;
	bool is_syslog = ev->kind == FL_EVENT_SYSLOG, is_trap = ev->kind == FL_EVENT_TRAP;

	switch ((enum fl_event_field)index) {
	case FL_EF_HOST:
		return is_syslog ? s->hostname : FL_STR_NONE;
	case FL_EF_APP:
		return is_syslog ? s->app_name : FL_STR_NONE;
	case FL_EF_PROCID:
		return is_syslog ? s->procid : FL_STR_NONE;
	case FL_EF_MSGID:
		return is_syslog ? s->msgid : FL_STR_NONE;
	case FL_EF_MSG:
		return is_syslog ? s->msg : FL_STR_NONE;
	case FL_EF_SEVERITY:
		return is_syslog && s->pri >= 0 ? num_text(m, s->severity) : FL_STR_NONE;
	case FL_EF_FACILITY:
		return is_syslog && s->pri >= 0 ? num_text(m, s->facility) : FL_STR_NONE;
	case FL_EF_PEER:
		return peer_text(m);
	case FL_EF_COMMUNITY:
		return is_trap ? ev->trap.community : FL_STR_NONE;
	case FL_EF_TRAP_OID:
		return is_trap ? ev->trap.trap_oid : FL_STR_NONE;
	case FL_EF_ENTERPRISE:
		return is_trap ? ev->trap.enterprise : FL_STR_NONE;
	case FL_EF_GENERIC_TRAP:
		return is_trap && ev->trap.version == 0 ? num_text(m, ev->trap.generic_trap)
							: FL_STR_NONE;
	case FL_EF_SPECIFIC_TRAP:
		return is_trap && ev->trap.version == 0 ? num_text(m, ev->trap.specific_trap)
							: FL_STR_NONE;
	case FL_EF_SNMP_USER: /* SNMPv3: the USM user it was authenticated as */
		return is_trap && ev->trap.version == 3 ? ev->trap.user : FL_STR_NONE;
	case FL_EF_VARBIND:
	case FL_EF__COUNT:
		break;
	}
	return FL_STR_NONE;
}

/* The device lookup (FL_LOOKUP_DEVICE or _MGMT_IP) finds by the event's
 * field f (of rule `rule`), once an event: rules may look a device up by
 * different fields (host, app), each kept until another is asked for. A
 * trap's `peer` is first the agent the trap names (a forwarder's trap
 * names the device it forwards for), as the partition gate places it. */
static const struct fl_inv_device *lookup_device(struct fl_match *m, uint32_t rule,
						 enum fl_lookup lookup, struct fl_prog_field f)
{
	size_t slot = lookup == FL_LOOKUP_MGMT_IP;
	struct fl_str key;
	uint8_t agent[4];

	if (lookup == FL_LOOKUP_NONE || !m->prog->inventory)
		return NULL;
	if (m->dev_done[slot] && m->dev_field[slot].kind == f.kind &&
	    m->dev_field[slot].index == f.index)
		return m->dev[slot];
	key = fl_match_field(m, rule, f);
	m->dev[slot] = NULL;
	if (lookup == FL_LOOKUP_MGMT_IP && f.kind == FL_FIELD_EVENT && f.index == FL_EF_PEER &&
	    m->ev->kind == FL_EVENT_TRAP && fl_snmp_trap_agent(&m->ev->trap, agent))
		m->dev[slot] = fl_inventory_device_by_addr(m->prog->inventory, AF_INET, agent);
	if (key.p && !m->dev[slot])
		m->dev[slot] = lookup == FL_LOOKUP_DEVICE
				   ? fl_inventory_device_named(m->prog->inventory, key)
				   : fl_inventory_device_by_ip(m->prog->inventory, key);
	m->dev_done[slot] = true;
	m->dev_field[slot] = f;
	return m->dev[slot];
}

const struct fl_inv_device *fl_match_device(struct fl_match *m, uint32_t rule)
{
	const struct fl_prog_rule *r = &m->prog->rules[rule];

	return lookup_device(m, rule, r->lookup, r->lookup_field);
}

static struct fl_str cstr(const char *s)
{
	return s ? fl_str_make(s, strlen(s)) : FL_STR_NONE;
}

static struct fl_str device_field(struct fl_match *m, const struct fl_inv_device *d,
				  uint32_t index)
{
	static const char *const classes[] = {"city", "county", "township"};
	int n;

	if (!d)
		return FL_STR_NONE;
	switch ((enum fl_inv_field)index) {
	case FL_IF_DEVICE:
		return cstr(d->id);
	case FL_IF_SITE:
		return cstr(d->site->id);
	case FL_IF_SITE_NAME:
		return cstr(d->site->name);
	case FL_IF_COUNTY:
		return d->site->county ? cstr(d->site->county->name) : FL_STR_NONE;
	case FL_IF_CITY:
		return d->site->city ? cstr(d->site->city->name) : FL_STR_NONE;
	case FL_IF_RING:
		return d->ring ? cstr(d->ring->id) : FL_STR_NONE;
	case FL_IF_RING_POS:
		if (!d->ring)
			return FL_STR_NONE;
		n = snprintf(m->inv_text, sizeof(m->inv_text), "%zu", d->ring_pos);
		return fl_str_make(m->inv_text, (size_t)n);
	case FL_IF_ROLE:
		return cstr(d->role_name ? d->role_name : fl_inv_device_role_name(d->role));
	case FL_IF_VENDOR:
		return cstr(d->vendor);
	case FL_IF_MODEL:
		return cstr(d->model);
	case FL_IF_DEVICE_LEVEL:
		return cstr(fl_inv_level_name(d->level));
	case FL_IF_CLASS:
		return cstr(classes[d->site->site_class]);
	case FL_IF__COUNT:
		break;
	}
	return FL_STR_NONE;
}

static struct fl_str inventory_field(struct fl_match *m, uint32_t rule, uint32_t index)
{
	return device_field(m, fl_match_device(m, rule), index);
}

/* The rules whose sides are keyed on a field of the device the event's
 * host or peer names (match_fields.c): one lookup each, as the rules'
 * own conditions then find it. */
static void wake_by_device(struct fl_match *m)
{
	static const struct fl_prog_field by[2] = {{FL_FIELD_EVENT, FL_EF_HOST},
						   {FL_FIELD_EVENT, FL_EF_PEER}};

	for (int k = 0; k < 2; k++) {
		const struct fl_inv_device *d;

		if (!m->fields.has_device[k])
			continue;
		d = lookup_device(m, 0, k ? FL_LOOKUP_MGMT_IP : FL_LOOKUP_DEVICE, by[k]);
		for (uint32_t f = 0; d && f < FL_IF__COUNT; f++) {
			int field = FL_MATCH_FIELD_DEVICE + k * FL_IF__COUNT + (int)f;
			const uint32_t *rules;
			size_t n;

			if (!m->fields.has[field])
				continue;
			rules = fl_match_field_rules(m, field, device_field(m, d, f), &n);
			wake_of_input(m, rules, n);
		}
	}
}

/* A capture: its own value, or that of a same-named capture of the rule set by
 * the other regex (a clear's `port` stands for the fault's `port` in the key). */
static struct fl_str capture_field(struct fl_match *m, uint32_t rule, uint32_t index)
{
	const struct fl_program *prog = m->prog;
	const struct fl_prog_rule *r = &prog->rules[rule];
	struct fl_str name = prog->captures[index].name;

	if (m->caps[index].gen == m->gen)
		return m->caps[index].val;
	for (uint32_t x = r->first_regex; x < r->first_regex + r->n_regexes; x++) {
		const struct fl_prog_regex *re = &prog->regexes[x];

		for (uint32_t c = re->first_capture; c < re->first_capture + re->n_captures; c++)
			if (m->caps[c].gen == m->gen && fl_str_eq(prog->captures[c].name, name))
				return m->caps[c].val;
	}
	return FL_STR_NONE;
}

struct fl_str fl_match_field(struct fl_match *m, uint32_t rule, struct fl_prog_field f)
{
	switch (f.kind) {
	case FL_FIELD_EVENT:
		return event_field(m, f.index);
	case FL_FIELD_CAPTURE:
		return capture_field(m, rule, f.index);
	case FL_FIELD_INVENTORY:
		return inventory_field(m, rule, f.index);
	case FL_FIELD_TOPO:
		break;
	}
	return FL_STR_NONE;
}

/* Regex ri's PCRE2 code: the plan's, or for a regex the plan holds for
 * rxlite, this matcher's own, compiled the first time it is asked for
 * (rxlite took the pattern: PCRE2 compiles it, unless memory runs out).
 * NULL: none, and the regex is taken as not matching. */
static const pcre2_code *regex_code(struct fl_match *m, uint32_t ri)
{
	const struct fl_prog_regex *re = &m->prog->regexes[ri];
	struct match_regex *mr = &m->regexes[ri];
	PCRE2_SIZE off;
	int err;

	if (re->code || mr->code_tried)
		return re->code ? (const pcre2_code *)re->code : mr->code;
	mr->code_tried = true;
	mr->code = pcre2_compile((PCRE2_SPTR)re->pattern.p, re->pattern.len, re->opts, &err, &off,
				 NULL);
	m->stats.regex_compiled++;
	m->stats.regex_uncompiled += mr->code == NULL;
	return mr->code;
}

/* Counts a run of regex ri and gives it its JIT copy once it has earned
 * one (limits.h: FL_MATCH_JIT_*). A copy that fails to compile, for want of
 * memory or JIT support, leaves the regex interpreted for good. */
static void count_run(struct fl_match *m, uint32_t ri)
{
	struct match_regex *mr = &m->regexes[ri];
	const pcre2_code *code;

	if (--m->runs_to_decay == 0) {
		for (size_t i = 0; i < m->prog->n_regexes; i++)
			m->regexes[i].runs /= 2;
		m->runs_to_decay = FL_MATCH_JIT_DECAY;
	}
	if (mr->jit_tried || ++mr->runs < FL_MATCH_JIT_AFTER || m->stats.regex_jit >= FL_MATCH_JIT_MAX)
		return;
	mr->jit_tried = true;
	code = regex_code(m, ri);
	mr->jit = code ? pcre2_code_copy(code) : NULL;
	if (mr->jit && pcre2_jit_compile(mr->jit, PCRE2_JIT_COMPLETE) != 0) {
		pcre2_code_free(mr->jit);
		mr->jit = NULL;
	}
	m->stats.regex_jit += mr->jit != NULL;
}

/* Sets the regex's captures from an ovector of the subject; rc as
 * pcre2_match() returns it. */
static void set_captures(struct fl_match *m, const struct fl_prog_regex *re, struct fl_str subject,
			 const size_t *ov, int rc)
{
	for (uint32_t c = re->first_capture; c < re->first_capture + re->n_captures; c++) {
		uint32_t g = m->prog->captures[c].group;

		m->caps[c].gen = m->gen;
		if ((int)g < rc && ov[2 * g] != PCRE2_UNSET)
			m->caps[c].val = fl_str_make(subject.p + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
		else
			m->caps[c].val = FL_STR_NONE;
	}
}

/* Runs regex ri (a canon) on subject: its JIT copy when hot enough, else
 * rxlite when the regex is in its subset, and PCRE2's interpreter when it
 * is not or when rxlite declines the subject (rxlite.h). The JIT copy never
 * runs on a subject above ASCII: PCRE2 10.42's JIT misses characters of 2
 * to 4 bytes under MATCH_INVALID_UTF for \D, \W and \S (PCRE2 issue 224,
 * fixed in 10.43: /^(\S+) down$/ does not match a site named in Chinese
 * followed by " down"), so rxlite or the interpreter answers those.
 * Returns pcre2_match()'s count of pairs on a match, with *ov the ovector
 * (lite_ov or the match data's), else 0. */
static int run_canon(struct fl_match *m, uint32_t ri, struct fl_str subject, size_t *lite_ov,
		     const size_t **ov)
{
	const struct fl_program *prog = m->prog;
	const struct fl_prog_regex *re = &prog->regexes[ri];
	struct match_regex *mr = &m->regexes[ri];
	const pcre2_code *code, *jit;
	int rc;

	if (!mr->jit)
		count_run(m, ri);
	jit = mr->jit && fl_utf8_is_ascii(subject.p, subject.len) ? mr->jit : NULL;
	if (re->lite && !jit) {
		rc = fl_rxlite_match(re->lite, subject.p, subject.len, lite_ov);
		if (rc != FL_RXLITE_DECLINED) {
			m->stats.regex_lite++;
			*ov = lite_ov;
			return rc > 0 ? rc : 0;
		}
	}
	code = jit ? jit : regex_code(m, ri);
	if (!code)
		return 0;
	m->stats.regex_runs++;
	rc = pcre2_match(code, (PCRE2_SPTR)subject.p, subject.len, 0, 0, m->md,
			 (pcre2_match_context *)prog->match_ctx);
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT)
		m->stats.regex_limit++;
	*ov = pcre2_get_ovector_pointer(m->md);
	return rc > 0 ? rc : 0;
}

/* Regex ri on subject, its captures set on a match. A regex several
 * conditions share runs once per text of an event: the others take its
 * answer from the memo. */
static bool run_regex(struct fl_match *m, uint32_t ri, struct fl_str subject)
{
	const struct fl_prog_regex *re = &m->prog->regexes[ri];
	uint32_t canon = re->canon;
	uint32_t mi = m->regexes[canon].memo;
	struct match_memo *memo = mi == UINT32_MAX ? NULL : &m->memos[mi];
	size_t lite_ov[2 * (FL_RXLITE_MAX_GROUPS + 1)];
	const size_t *ov;
	int rc;

	if (!fl_prog_regex_compiled(re) || !subject.p)
		return false;
	/* a number, address or ring position is written in the matcher's
	 * scratch buffers: the same address, another text */
	if (memo && ((subject.p >= m->num_text && subject.p < m->num_text + sizeof(m->num_text)) ||
		     subject.p == m->inv_text || subject.p == m->peer_text))
		memo = NULL;
	if (memo && memo->gen == m->gen && memo->subject == subject.p && memo->len == subject.len) {
		m->stats.regex_shared++;
		if (memo->rc > 0)
			set_captures(m, re, subject, memo->ov, memo->rc);
		return memo->rc > 0;
	}
	rc = run_canon(m, canon, subject, lite_ov, &ov);
	if (memo) {
		memo->gen = m->gen;
		memo->subject = subject.p;
		memo->len = subject.len;
		memo->rc = rc;
		if (rc > 0)
			memcpy(memo->ov, ov, 2 * (size_t)rc * sizeof(*ov));
	}
	if (rc > 0)
		set_captures(m, re, subject, ov, rc);
	return rc > 0;
}

static bool parse_num(struct fl_str s, int64_t *out)
{
	int64_t v = 0;
	bool neg = false;
	size_t i = 0;

	if (!s.p || s.len == 0 || s.len > 19)
		return false;
	if (s.p[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == s.len)
		return false;
	for (; i < s.len; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		v = v * 10 + (s.p[i] - '0');
	}
	*out = neg ? -v : v;
	return true;
}

/* Is the event's peer in the network of family, address bytes and prefix
 * length? An IPv6 peer is in no IPv4 network, as the condition says. */
static bool peer_in(const struct fl_event *ev, int family, const uint8_t *bytes, unsigned prefix)
{
	const uint8_t *a;
	size_t n;

	if (!ev->has_peer || ev->peer.ss_family != family)
		return false;
	if (family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)(const void *)&ev->peer)->sin_addr;
		n = 4;
	} else {
		a = (const uint8_t *)&((const struct sockaddr_in6 *)(const void *)&ev->peer)
			->sin6_addr;
		n = 16;
	}
	for (size_t bit = 0; bit < prefix && bit < n * 8; bit++) {
		uint8_t mask = (uint8_t)(0x80u >> (bit % 8));

		if ((a[bit / 8] & mask) != (bytes[bit / 8] & mask))
			return false;
	}
	return true;
}

static bool cidr_holds(const struct fl_match *m, const struct fl_prog_cond *c)
{
	return peer_in(m->ev, c->addr.family, c->addr.bytes, c->addr.prefix);
}

/* Is the peer in one of the networks of address set c (FL_PROG_NET_*)? */
static bool peer_in_set(const struct fl_match *m, const struct fl_prog_cond *c)
{
	for (uint32_t k = c->first_value; k < c->first_value + c->n_values; k++) {
		const uint8_t *net = (const uint8_t *)m->prog->set_values[k].p;

		if (peer_in(m->ev, net[FL_PROG_NET_FAMILY] == 4 ? AF_INET : AF_INET6,
			    net + FL_PROG_NET_ADDR, net[FL_PROG_NET_PREFIX]))
			return true;
	}
	return false;
}

/* The varbind a condition names: the one with exactly its OID, else the
 * first one under it, an instance of a column object (`varbind ifDescr`
 * reads ifDescr.3). BER octets end each arc on a byte below 0x80, so a byte
 * prefix is an arc prefix: ifIndex (...2.2.1.1) is no prefix of ifInOctets. */
static const struct fl_varbind *varbind_named(const struct fl_trap *t, struct fl_str oid)
{
	const struct fl_varbind *under = NULL;

	for (size_t i = 0; i < t->n_varbinds && i < FL_EVENT_MAX_VARBINDS; i++) {
		const struct fl_varbind *vb = &t->varbinds[i];

		if (fl_str_eq(vb->oid, oid))
			return vb;
		if (!under && vb->oid.len > oid.len && memcmp(vb->oid.p, oid.p, oid.len) == 0)
			under = vb;
	}
	return under;
}

/* A varbind of a number type: true and its value (an unsigned one above
 * INT64_MAX wraps, as it always has); false for one that holds bytes. */
static bool varbind_number(const struct fl_varbind *vb, int64_t *out)
{
	if (vb->type == FL_VB_INTEGER) {
		*out = vb->integer;
		return true;
	}
	if (vb->type == FL_VB_COUNTER32 || vb->type == FL_VB_GAUGE32 ||
	    vb->type == FL_VB_TIMETICKS || vb->type == FL_VB_COUNTER64) {
		*out = (int64_t)vb->unsigned_value;
		return true;
	}
	return false;
}

static struct fl_str varbind_value(struct fl_match *m, const struct fl_prog_cond *c)
{
	const struct fl_varbind *vb;
	int64_t num;

	if (m->ev->kind != FL_EVENT_TRAP)
		return FL_STR_NONE;
	vb = varbind_named(&m->ev->trap, c->varbind_oid);
	if (!vb)
		return FL_STR_NONE;
	return varbind_number(vb, &num) ? num_text(m, num) : vb->bytes;
}

/* The value of a number field of the event (severity, facility, a v1
 * trap's numbers, a numeric varbind) as it is held, not written out and
 * read back: 1 and *out; 0 when the event lacks it; -1 for a field that
 * holds text. */
static int event_number(const struct fl_match *m, const struct fl_prog_cond *c, int64_t *out)
{
	const struct fl_event *ev = m->ev;
	const struct fl_varbind *vb;

	if (c->field.kind != FL_FIELD_EVENT)
		return -1;
	switch ((enum fl_event_field)c->field.index) {
	case FL_EF_SEVERITY:
	case FL_EF_FACILITY:
		if (ev->kind != FL_EVENT_SYSLOG || ev->syslog.pri < 0)
			return 0;
		*out = c->field.index == FL_EF_SEVERITY ? ev->syslog.severity : ev->syslog.facility;
		return 1;
	case FL_EF_GENERIC_TRAP:
	case FL_EF_SPECIFIC_TRAP:
		if (ev->kind != FL_EVENT_TRAP || ev->trap.version != 0)
			return 0;
		*out = c->field.index == FL_EF_GENERIC_TRAP ? ev->trap.generic_trap
							    : ev->trap.specific_trap;
		return 1;
	case FL_EF_VARBIND:
		if (ev->kind != FL_EVENT_TRAP)
			return 0;
		vb = varbind_named(&ev->trap, c->varbind_oid);
		if (!vb)
			return 0;
		return varbind_number(vb, out) ? 1 : -1;
	default:
		return -1;
	}
}

static bool num_holds(enum fl_op op, int64_t num, int64_t want)
{
	switch (op) {
	case FL_OP_EQ: return num == want;
	case FL_OP_NE: return num != want;
	case FL_OP_LT: return num < want;
	case FL_OP_LE: return num <= want;
	case FL_OP_GT: return num > want;
	case FL_OP_GE: return num >= want;
	default: return false;
	}
}

static bool cond_holds(struct fl_match *m, uint32_t rule, const struct fl_prog_cond *c)
{
	const struct fl_program *prog = m->prog;
	struct fl_str v;
	int64_t num;

	if (c->op == FL_OP_CIDR)
		return cidr_holds(m, c);
	if (c->is_addr_set) /* no peer: in none of them */
		return peer_in_set(m, c) == (c->op == FL_OP_IN);
	if (c->op == FL_OP_NE && c->addr.family) /* peer != ADDRESS; no peer: holds */
		return !cidr_holds(m, c);
	if (c->is_num) { /* ==, != or an order, against a number */
		int have = event_number(m, c, &num);

		if (have == 0) /* absent: only != holds, as for text */
			return c->op == FL_OP_NE;
		if (have > 0)
			return num_holds(c->op, num, c->num);
	}
	if (c->field.kind == FL_FIELD_EVENT && c->field.index == FL_EF_VARBIND)
		v = varbind_value(m, c);
	else
		v = fl_match_field(m, rule, c->field);
	switch (c->op) {
	case FL_OP_EXISTS:
		return v.p != NULL;
	case FL_OP_EQ:
	case FL_OP_NE: {
		bool eq;

		if (!v.p)
			return c->op == FL_OP_NE;
		if (c->is_num)
			eq = parse_num(v, &num) && num == c->num;
		else if (c->oid.p)
			eq = fl_str_eq(v, c->oid);
		else
			eq = fl_str_eq(v, c->str);
		return eq == (c->op == FL_OP_EQ);
	}
	case FL_OP_LT:
	case FL_OP_LE:
	case FL_OP_GT:
	case FL_OP_GE:
		if (!parse_num(v, &num))
			return false;
		return c->op == FL_OP_LT ? num < c->num
		       : c->op == FL_OP_LE ? num <= c->num
		       : c->op == FL_OP_GT ? num > c->num
					   : num >= c->num;
	case FL_OP_IN:
	case FL_OP_NOT_IN: {
		bool in = false;

		for (uint32_t k = c->first_value; v.p && k < c->first_value + c->n_values; k++)
			if (fl_str_eq(v, prog->set_values[k])) {
				in = true;
				break;
			}
		return in == (c->op == FL_OP_IN);
	}
	case FL_OP_MATCH:
		return run_regex(m, c->regex, v);
	case FL_OP_NOT_MATCH:
		return v.p && !run_regex(m, c->regex, v);
	case FL_OP_UNDER:
		return v.p && v.len >= c->oid.len && memcmp(v.p, c->oid.p, c->oid.len) == 0;
	case FL_OP_CIDR:
		break;
	}
	return false;
}

/* When a condition is checked, pass 0, 1 or 2: those on the event's own
 * fields first, and on its device when the rule looks it up by one of them
 * (one lookup an event, then a comparison: a thousand rules, one per site,
 * beside one shared regex, do not each run it); then regexes; then
 * conditions on captures, and on the device looked up by a capture. */
static inline int cond_pass(const struct fl_prog_cond *c, bool device_by_event)
{
	if (c->op == FL_OP_MATCH || c->op == FL_OP_NOT_MATCH)
		return 1;
	if (c->field.kind == FL_FIELD_EVENT ||
	    (c->field.kind == FL_FIELD_INVENTORY && device_by_event))
		return 0;
	return 2;
}

static bool device_by_event(const struct fl_program *prog, uint32_t rule)
{
	return prog->rules[rule].lookup_field.kind == FL_FIELD_EVENT;
}

static bool conds_hold(struct fl_match *m, uint32_t rule, uint32_t first, uint32_t n)
{
	const struct fl_prog_cond *conds = m->prog->conds;
	bool by_event = device_by_event(m->prog, rule);

	for (int pass = 0; pass < 3; pass++)
		for (uint32_t c = first; c < first + n; c++)
			if (cond_pass(&conds[c], by_event) == pass && !cond_holds(m, rule, &conds[c]))
				return false;
	return true;
}

enum fl_match_result fl_match_rule(struct fl_match *m, uint32_t rule)
{
	const struct fl_prog_rule *r = &m->prog->rules[rule];
	const struct match_rule *mr = &m->rules[rule];

	if (mr->is_syslog != (m->ev->kind == FL_EVENT_SYSLOG))
		return FL_MATCH_NONE;
	if (m->scanned && !fl_match_side_seen(m, mr, 0))
		m->stats.sides_skipped++;
	else if (conds_hold(m, rule, r->first_cond, r->n_conds))
		return FL_MATCH_FAULT;
	if (!mr->has_clear)
		return FL_MATCH_NONE;
	if (m->scanned && !fl_match_side_seen(m, mr, 1))
		m->stats.sides_skipped++;
	else if (conds_hold(m, rule, r->first_clear_cond, r->n_clear_conds))
		return FL_MATCH_CLEAR;
	return FL_MATCH_NONE;
}

void fl_match_stats(const struct fl_match *m, struct fl_match_stats *out)
{
	*out = m->stats;
}

/* The condition of a side that fails first, in conds_hold()'s order:
 * its index, and how many held before it; FL_PROG_NONE when all hold. */
static uint32_t first_failing(struct fl_match *m, uint32_t rule, uint32_t first, uint32_t n,
			      size_t *held)
{
	const struct fl_prog_cond *conds = m->prog->conds;
	bool by_event = device_by_event(m->prog, rule);

	*held = 0;
	for (int pass = 0; pass < 3; pass++)
		for (uint32_t c = first; c < first + n; c++) {
			if (cond_pass(&conds[c], by_event) != pass)
				continue;
			if (!cond_holds(m, rule, &conds[c]))
				return c;
			(*held)++;
		}
	return FL_PROG_NONE;
}

size_t fl_match_explain(struct fl_match *m, uint32_t rule, struct fl_buf *why)
{
	const struct fl_prog_rule *r = &m->prog->rules[rule];
	struct fl_match_stats saved = m->stats;
	uint32_t c;
	size_t held = 0;

	if ((r->input == FL_RULE_INPUT_SYSLOG) != (m->ev->kind == FL_EVENT_SYSLOG)) {
		fl_buf_adds(why, r->input == FL_RULE_INPUT_SYSLOG ? "it takes syslog, not traps"
								 : "it takes traps, not syslog");
		return 0;
	}
	if (m->scanned && !fl_match_side_seen(m, &m->rules[rule], 0)) {
		bool msg_only = true;

		for (uint32_t k = r->first_cond; k < r->first_cond + r->n_conds; k++)
			if (fl_program_cond_scans_text(&m->prog->conds[k]) &&
			    m->prog->conds[k].field.index != FL_EF_MSG)
				msg_only = false;
		fl_buf_adds(why, msg_only ? "the prefilter: the message holds none of the literals "
					    "its regexes need"
					  : "the prefilter: the event's msg, host, app and msgid hold "
					    "none of the literals its regexes need");
		return 0;
	}
	c = first_failing(m, rule, r->first_cond, r->n_conds, &held);
	if (c == FL_PROG_NONE) {
		fl_buf_adds(why, "its where holds");
	} else {
		fl_buf_adds(why, "failed at ");
		fl_plan_format_cond(why, m->prog, c);
		if (m->prog->conds[c].field.kind == FL_FIELD_CAPTURE ||
		    m->prog->conds[c].field.kind == FL_FIELD_INVENTORY)
			if (!fl_match_field(m, rule, m->prog->conds[c].field).p)
				fl_buf_adds(why, " (field absent)");
		fl_buf_printf(why, " after %zu of %u conditions held", held, r->n_conds);
	}
	m->stats = saved;
	return held;
}
