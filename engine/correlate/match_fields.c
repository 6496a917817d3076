/* match_fields.c - the field prefilter: a rule side with a condition
 * `host == "X"`, `app in ["a", "b"]`, `msgid == "Y"` or `msg == "Z"` is woken by the
 * event's value of that field instead of running on every message: a rule
 * for `alarmd` costs nothing on a line of `sshd`. A side with no atom (no
 * `msg ~` regex that requires a literal) is keyed so; so is a side whose
 * values fewer rules share than its atoms (ten thousand rules, one per
 * host, all on /LINK_DOWN/: keyed on the atom, each LINK_DOWN line would
 * wake them all). A trap rule's side is keyed on the OID its trap_oid or
 * enterprise is `==`, `in` or `under`, as a prefix. See match.h.
 *
 * Only conditions that must hold for the side to match can key it: `==` on
 * a text (compared byte for byte, as cond_holds() compares it) and `in` a
 * set; the conditions of a side are ANDed. `!=`, `not in` or a number key
 * nothing, and a side they alone select stays a candidate of every message;
 * a regex on the field (`app ~ /alarmd/i` may match other bytes) keys its
 * side by the atoms it requires, as one on msg does (match_literals.c). An event
 * without the field cannot satisfy `==` or `in`: such a side is skipped. */
#include "engine/correlate/match_int.h"

#include <errno.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "engine/decode/event.h"
#include "engine/lib/hash.h"
#include "grammar/plan.h"

/* The table is built from the plan and never grows; an event's value only
 * looks it up, so a sender cannot lengthen its probes: a fixed seed. */
#define FIELD_HASH_SEED UINT64_C(0x2545f4914f6cdd1d)

static const uint32_t indexed_fields[FL_MATCH_FIELD_DEVICE] = {
    [FL_MATCH_FIELD_HOST] = FL_EF_HOST,		  [FL_MATCH_FIELD_APP] = FL_EF_APP,
    [FL_MATCH_FIELD_MSGID] = FL_EF_MSGID,	  [FL_MATCH_FIELD_MSG] = FL_EF_MSG,
    [FL_MATCH_FIELD_TRAP_OID] = FL_EF_TRAP_OID,
    [FL_MATCH_FIELD_ENTERPRISE] = FL_EF_ENTERPRISE,
};

/* The field of the index condition c of rule r keys on. */
static int field_slot(const struct fl_prog_rule *r, const struct fl_prog_cond *c)
{
	if (c->op == FL_OP_CIDR)
		return FL_MATCH_FIELD_PEER;
	if (c->field.kind == FL_FIELD_INVENTORY)
		return FL_MATCH_FIELD_DEVICE + fl_program_rule_device_key(r) * FL_IF__COUNT +
		       (int)c->field.index;
	for (int f = 0; f < FL_MATCH_FIELD_DEVICE; f++)
		if (indexed_fields[f] == c->field.index)
			return f;
	return -1;
}

/* Can trap condition c key its side: `==`, `in` or `under` an OID, on
 * trap_oid or enterprise? Each OID keys it as a prefix: a trap whose OID
 * begins with it, arc by arc, wakes the side (`==` and `in` then hold or
 * not by the condition), one that does not fails the condition. */
static bool trap_keys_side(const struct fl_program *prog, const struct fl_prog_cond *c,
			   uint32_t *n_values)
{
	if (c->field.kind != FL_FIELD_EVENT ||
	    (c->field.index != FL_EF_TRAP_OID && c->field.index != FL_EF_ENTERPRISE) || c->is_num)
		return false;
	if ((c->op == FL_OP_EQ || c->op == FL_OP_UNDER) && c->oid.p && c->oid.len > 0) {
		*n_values = 1;
		return true;
	}
	if (c->op != FL_OP_IN)
		return false;
	for (uint32_t k = 0; k < c->n_values; k++)
		if (!prog->set_values[c->first_value + k].p ||
		    prog->set_values[c->first_value + k].len == 0)
			return false; /* an empty OID would be the prefix of every one */
	*n_values = c->n_values;
	return true;
}

uint32_t fl_match_field_cond(const struct fl_program *prog, const struct fl_prog_rule *r,
			     uint32_t first, uint32_t n)
{
	uint32_t best = FL_RXREQ_NONE, best_values = UINT32_MAX;
	bool trap = r->input == FL_RULE_INPUT_TRAP;

	for (uint32_t c = first; c < first + n; c++) {
		const struct fl_prog_cond *cond = &prog->conds[c];
		uint32_t values;
		bool keys = (trap && trap_keys_side(prog, cond, &values)) ||
			    fl_program_cond_keys_field(r, cond, &values);

		if (keys && values < best_values) {
			best = c;
			best_values = values;
		}
	}
	return best;
}

size_t fl_match_peer_key(uint8_t *out, int family, const uint8_t *addr, unsigned prefix)
{
	size_t n = (prefix + 7) / 8;

	out[0] = family == AF_INET ? 4 : 6;
	out[1] = (uint8_t)prefix;
	memcpy(out + 2, addr, n);
	if (prefix % 8)
		out[2 + n - 1] &= (uint8_t)(0xff00u >> (prefix % 8));
	return 2 + n;
}

/* The values condition c keys its side on: a set's, or its one. */
static uint32_t cond_n_values(const struct fl_prog_cond *c)
{
	return c->op == FL_OP_IN ? c->n_values : 1;
}

/* Writes network condition ci's key (fl_match_peer_key()) into
 * x->peer_keys, and notes its prefix length. */
static void make_peer_key(struct match_fields *x, const struct fl_program *prog, uint32_t ci)
{
	const struct fl_prog_cond *c = &prog->conds[ci];
	uint8_t *key = x->peer_keys + (size_t)ci * FL_MATCH_PEER_KEY_MAX;
	int fam = c->addr.family == AF_INET ? 0 : 1;

	(void)fl_match_peer_key(key, c->addr.family, c->addr.bytes, c->addr.prefix);
	x->peer_lengths[fam][c->addr.prefix / 64] |= UINT64_C(1) << (c->addr.prefix % 64);
}

/* Value k of condition ci as the index keys it: a set's, the text or
 * OID, or a network's key in x->peer_keys (make_peer_key()). */
static struct fl_str cond_value(const struct match_fields *x, const struct fl_program *prog,
				uint32_t ci, uint32_t k)
{
	const struct fl_prog_cond *c = &prog->conds[ci];
	const uint8_t *key;

	if (c->op == FL_OP_IN)
		return prog->set_values[c->first_value + k];
	if (c->op != FL_OP_CIDR)
		return c->oid.p ? c->oid : c->str;
	key = x->peer_keys + (size_t)ci * FL_MATCH_PEER_KEY_MAX;
	return fl_str_make((const char *)key, 2 + (key[1] + 7u) / 8);
}

static uint64_t key_hash(int field, struct fl_str v)
{
	return fl_hash64(v.p, v.len, FIELD_HASH_SEED) ^ (uint64_t)field;
}

/* The slot of (field, v): its key's, or the empty one where it goes. */
static uint32_t *key_slot(const struct match_fields *x, int field, struct fl_str v)
{
	size_t i = (size_t)key_hash(field, v) & x->mask;

	for (;; i = (i + 1) & x->mask) {
		const struct match_field_key *k;

		if (x->slots[i] == 0)
			return &x->slots[i];
		k = &x->keys[x->slots[i] - 1];
		if (k->field == field && fl_str_eq(k->value, v))
			return &x->slots[i];
	}
}

/* Does the index hold side of rule mr? */
static bool indexed(const struct match_rule *mr, int side, bool every)
{
	return every ? mr->field_cond[side] != FL_RXREQ_NONE : !mr->always && mr->by_field[side];
}

/* Calls fn for each (field, value) of each indexed side of each rule. */
typedef void field_entry_fn(struct match_fields *x, int field, struct fl_str v, uint32_t rule);

static void each_entry(const struct fl_match *m, struct match_fields *x, bool every,
		       field_entry_fn *fn)
{
	const struct fl_program *prog = m->prog;

	for (uint32_t r = 0; r < prog->n_rules; r++) {
		const struct match_rule *mr = &m->rules[r];

		for (int side = 0; side < FL_MATCH_SIDES; side++) {
			const struct fl_prog_cond *c;
			uint32_t n;

			if (!indexed(mr, side, every))
				continue;
			c = &prog->conds[mr->field_cond[side]];
			n = cond_n_values(c);
			for (uint32_t k = 0; k < n; k++)
				fn(x, field_slot(&prog->rules[r], c),
				   cond_value(x, prog, mr->field_cond[side], k), r);
		}
	}
}

static void count_entry(struct match_fields *x, int field, struct fl_str v, uint32_t rule)
{
	uint32_t *slot = key_slot(x, field, v);

	(void)rule;
	if (*slot == 0) {
		x->keys[x->n_keys] = (struct match_field_key){(uint8_t)field, v, 0, 0, 0};
		*slot = (uint32_t)++x->n_keys;
		x->has[field] = true;
		if (field >= FL_MATCH_FIELD_DEVICE)
			x->has_device[(field - FL_MATCH_FIELD_DEVICE) / FL_IF__COUNT] = true;
		if (v.len > x->longest[field])
			x->longest[field] = v.len;
	}
	x->keys[*slot - 1].n++;
}

static void fill_entry(struct match_fields *x, int field, struct fl_str v, uint32_t rule)
{
	struct match_field_key *k = &x->keys[*key_slot(x, field, v) - 1];

	x->rules[k->first + k->filled++] = rule;
}

int fl_match_build_fields(struct fl_match *m, bool every)
{
	struct match_fields *x = &m->fields;
	size_t entries = 0, size = 16, at = 0;
	bool networks = false;

	for (size_t r = 0; r < m->prog->n_rules; r++)
		for (int side = 0; side < FL_MATCH_SIDES; side++) {
			const struct match_rule *mr = &m->rules[r];
			uint32_t c = mr->field_cond[side];

			if (!indexed(mr, side, every))
				continue;
			entries += cond_n_values(&m->prog->conds[c]);
			networks = networks || m->prog->conds[c].op == FL_OP_CIDR;
		}
	if (entries == 0)
		return 0;
	while (size < 2 * entries)
		size *= 2;
	x->slots = calloc(size, sizeof(*x->slots));
	x->keys = calloc(entries, sizeof(*x->keys));
	x->rules = calloc(entries, sizeof(*x->rules));
	if (networks)
		x->peer_keys = calloc(m->prog->n_conds + 1, FL_MATCH_PEER_KEY_MAX);
	if (!x->slots || !x->keys || !x->rules || (networks && !x->peer_keys))
		return -ENOMEM;
	for (size_t r = 0; networks && r < m->prog->n_rules; r++)
		for (int side = 0; side < FL_MATCH_SIDES; side++) {
			uint32_t c = m->rules[r].field_cond[side];

			if (indexed(&m->rules[r], side, every) && m->prog->conds[c].op == FL_OP_CIDR)
				make_peer_key(x, m->prog, c);
		}
	x->mask = size - 1;
	each_entry(m, x, every, count_entry);
	for (size_t k = 0; k < x->n_keys; k++) {
		x->keys[k].first = (uint32_t)at;
		at += x->keys[k].n;
	}
	each_entry(m, x, every, fill_entry);
	return 0;
}

uint64_t fl_match_field_uses(const struct fl_match *m, const struct fl_prog_rule *r, uint32_t c)
{
	const struct fl_prog_cond *cond = &m->prog->conds[c];
	int field = field_slot(r, cond);
	uint32_t n = cond_n_values(cond);
	uint64_t uses = 0;

	for (uint32_t k = 0; k < n && m->fields.slots; k++) {
		uint32_t slot = *key_slot(&m->fields, field, cond_value(&m->fields, m->prog, c, k));

		uses += slot ? m->fields.keys[slot - 1].n : 0;
	}
	return uses;
}

void fl_match_fields_free(struct match_fields *x)
{
	free(x->slots);
	free(x->keys);
	free(x->rules);
	free(x->peer_keys);
	memset(x, 0, sizeof(*x));
}

const uint32_t *fl_match_field_rules(const struct fl_match *m, int field, struct fl_str v,
				     size_t *n)
{
	const struct match_fields *x = &m->fields;
	uint32_t slot;

	*n = 0;
	if (!x->has[field] || !v.p)
		return NULL;
	slot = *key_slot(x, field, v);
	if (slot == 0)
		return NULL;
	*n = x->keys[slot - 1].n;
	return x->rules + x->keys[slot - 1].first;
}
