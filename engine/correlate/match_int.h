/* match_int.h - what the matcher's files share; not for callers, who have
 * match.h (which describes the design).
 *
 *   match_literals.c   the atoms each rule's regexes cannot match without, as
 *                      AND/OR trees (rxreq.h walks each regex)
 *   match_prefilter.c  the Aho-Corasick automaton over the atoms, the rules
 *                      each atom keys, and the trees that confirm a candidate
 *   match_fields.c     the rules a side keys on a host, app or msgid value
 *                      (no atoms, or rarer than its atoms), or on a trap's OID
 *   match.c            lifecycle, and matching one event: candidates, field
 *                      conditions, regexes, captures
 * Same thread rules as match.h: a matcher belongs to one shard. */
#ifndef FL_MATCH_INT_H
#define FL_MATCH_INT_H
#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "engine/correlate/match.h"
#include "engine/decode/event.h"
#include "engine/lib/ac.h"
#include "engine/lib/rxlite.h"
#include "engine/lib/rxreq.h"

#define FL_MATCH_FIELD_TEXT_MAX 64 /* a number, an address or an OID written as text */

#define FL_MATCH_SIDES 2 /* where, clear where */

/* A node of a side's requirement tree (rxreq.h): an atom (first: its atom
 * id; n: its id in the automaton plus one, 0 when the automaton does not
 * hold it) or an AND or OR of the nodes [first..+n). An atom the automaton
 * holds is in the message when its bit is set after the scan: no search.
 * A node's children are next to each other and a side's nodes are one run,
 * so checking a candidate's tree reads a line or two rather than a node and
 * a child list apiece. */
struct match_node {
	enum fl_rxreq_op op;
	uint32_t first, n;
};

/* The syslog texts whose regexes' atoms key rules and are scanned: msg,
 * and the short fields (`host ~ /^NE0001$/` written for each of ten
 * thousand devices keys each rule on its host). An atom is of one text; the
 * automaton's bits are shared, so a bit set by another text may wake a
 * rule in vain, never hide one. */
enum { FL_MATCH_TEXT_MSG, FL_MATCH_TEXT_HOST, FL_MATCH_TEXT_APP, FL_MATCH_TEXT_MSGID,
       FL_MATCH_TEXTS };

/* The event's text t (FL_MATCH_TEXT_*) of a syslog event: NULL p when it
 * has none. */
static inline struct fl_str fl_match_event_text(const struct fl_event *ev, int t)
{
	switch (t) {
	case FL_MATCH_TEXT_HOST: return ev->syslog.hostname;
	case FL_MATCH_TEXT_APP: return ev->syslog.app_name;
	case FL_MATCH_TEXT_MSGID: return ev->syslog.msgid;
	default: return ev->syslog.msg;
	}
}

/* Atoms this long or shorter are kept in their record (32 bytes in all)
 * as well as in atom_bytes: most are, and the check then reads one line. */
#define FL_MATCH_ATOM_INLINE 6

/* An atom of the trees as the matcher keeps it: bytes at atom_bytes + off,
 * and whether the current message holds it (has, valid when gen == m->gen).
 * The answer sits beside the atom rather than in arrays of its own: with
 * thousands of rules each candidate asks about atoms no recent event asked
 * about, and one cache line per atom beats three. */
struct match_atom_ref {
	uint64_t gen;
	uint32_t off, len;
	uint8_t text; /* the event text it is searched in: FL_MATCH_TEXT_* */
	/* the automaton's id for a window of this (long) atom, whose bit
	 * unset means the atom is absent with no search; UINT32_MAX: none */
	uint32_t window;
	bool is_nocase, has;
	char bytes[FL_MATCH_ATOM_INLINE]; /* the atom, when len <= FL_MATCH_ATOM_INLINE */
};

/* A key is at most this many bytes: an atom longer is keyed on the window
 * of it the fewest rules share, and its whole text confirms the candidate.
 * Short keys keep the automaton small (its table has a row per byte of its
 * keys): 30,000 rules keyed on whole atoms of 20 bytes needed a table of
 * some 100 MiB, built at each start and missing the cache on each byte. */
#define FL_MATCH_KEY_MAX 8

/* The rules a key wakes: n of them, in rules[] when n is at most
 * FL_MATCH_POSTING_INLINE, else from keyed[rules[0]] on. One 16-byte
 * record, so a found key costs one read before its rules. */
#define FL_MATCH_POSTING_INLINE 3
struct match_posting {
	uint32_t n;
	uint32_t rules[FL_MATCH_POSTING_INLINE];
};

/* A rule side's gate: bits of the automaton any match of the side sets
 * beside the key that woke it, checked once the message is scanned and
 * before the rule becomes a candidate. Up to FL_MATCH_GATE_GROUPS groups
 * that must all hold, each of up to two bits one of which must be set:
 * `(?:raised|set)` next to a key shared by the rules of one alarm, so a
 * line with the alarm that raises nothing wakes none of its fault sides.
 * bit[0][0] MATCH_GATE_UNKEYED: the side is not keyed on atoms (it is
 * checked when the rule is a candidate for another reason); a group whose
 * first bit is MATCH_GATE_NONE holds. */
#define FL_MATCH_GATE_GROUPS 2
#define MATCH_GATE_UNKEYED UINT32_MAX
#define MATCH_GATE_NONE (UINT32_MAX - 1)
struct match_gate {
	uint32_t bit[FL_MATCH_SIDES][FL_MATCH_GATE_GROUPS][2];
};

/* A rule as the matcher reads it for every wake and candidate, most of which
 * the gate or the trees then drop: one cache line. With thousands of rules
 * each wake touches a rule no recent event touched, and the mark, the gate
 * and the trees' roots in three arrays cost three misses where this costs
 * one. The rule's input and whether it has a clear side are copied here from
 * the program's rule, so a dropped candidate reads this record and its
 * trees, not the program's larger rule as well. */
struct match_rule {
	_Alignas(64) uint64_t gen; /* m->gen when last made a candidate */
	struct match_gate gate; /* what a key's wake must also find */
	uint32_t tree[FL_MATCH_SIDES]; /* root in nodes, FL_RXREQ_NONE: nothing required */
	/* the condition on host, app, msgid or msg that could key a side
	 * (match_fields.c), FL_RXREQ_NONE: none */
	uint32_t field_cond[FL_MATCH_SIDES];
	bool always; /* a side requires no atom and no field value: every message */
	bool is_syslog; /* input syslog (else traps) */
	bool has_clear; /* a `clear where` side */
	/* the side is keyed on its field_cond's values, not on its atoms: it
	 * has no tree, or fewer rules share its values than its atoms (the
	 * tree still confirms it) */
	bool by_field[FL_MATCH_SIDES];
};
_Static_assert(sizeof(struct match_rule) == 64, "a rule's matching record is one cache line");

/* The field prefilter's fields: host, app, msgid, msg (syslog: the whole
 * message, for `msg == "..."`), the OIDs of a trap, keyed as prefixes (an
 * OID `under` a key, arc by arc), the peer's networks (`peer in CIDR`:
 * the key is the family, the prefix length and the address masked to it,
 * fl_match_peer_key()), and each inventory field of the device
 * looked up by host, then of the one looked up by peer
 * (fl_program_rule_device_key()): FL_MATCH_FIELD_DEVICE + lookup *
 * FL_IF__COUNT + the field. */
enum { FL_MATCH_FIELD_HOST, FL_MATCH_FIELD_APP, FL_MATCH_FIELD_MSGID, FL_MATCH_FIELD_MSG,
       FL_MATCH_FIELD_TRAP_OID, FL_MATCH_FIELD_ENTERPRISE, FL_MATCH_FIELD_PEER,
       FL_MATCH_FIELD_DEVICE,
       FL_MATCH_N_FIELDS = FL_MATCH_FIELD_DEVICE + 2 * FL_IF__COUNT };

/* A (field, value) some sides require, and the rules they belong to:
 * rules[first..+n) of struct match_fields. */
struct match_field_key {
	uint8_t field; /* FL_MATCH_FIELD_* */
	struct fl_str value; /* borrowed from the program */
	uint32_t first, n, filled;
};

struct match_fields {
	struct match_field_key *keys;
	size_t n_keys;
	uint32_t *slots; /* hash table of keys: index + 1, 0 empty */
	size_t mask;
	uint32_t *rules;
	bool has[FL_MATCH_N_FIELDS]; /* some key is on this field */
	bool has_device[2]; /* some key is on a field of the device looked up so */
	/* the prefix lengths of the peer keys, by family (IPv4, IPv6), bit by
	 * length; and the keys' bytes (FL_MATCH_PEER_KEY_MAX each, by
	 * condition index) */
	uint64_t peer_lengths[2][3];
	uint8_t *peer_keys;
	size_t longest[FL_MATCH_N_FIELDS]; /* its longest key: the prefixes worth a lookup */
};

struct match_cap {
	uint64_t gen; /* valid when == m->gen */
	struct fl_str val;
};

/* A regex as this matcher runs it: its runs lately, its JIT copy, and the
 * PCRE2 code it compiled itself for a regex the plan holds for rxlite. */
struct match_regex {
	pcre2_code *jit;  /* NULL: interpreted (rxlite, or PCRE2's interpreter) */
	pcre2_code *code; /* compiled when first needed, when the plan has none */
	uint32_t runs;	  /* halved every FL_MATCH_JIT_DECAY interpreted runs */
	bool jit_tried, code_tried;
	/* a regex runs as its canon (fl_prog_regex.canon), whose counts, JIT
	 * and code are used; a canon several regexes share has a memo: into
	 * memos[], else UINT32_MAX */
	uint32_t memo;
};

/* The answer of a shared regex on the current event, for the others that
 * share it: written again across a thousand copied rules, it runs once. */
struct match_memo {
	uint64_t gen; /* m->gen of the answer; 0: none */
	const char *subject;
	size_t len;
	int rc;	    /* > 0: matched, the ovector's pairs; 0: no match */
	size_t *ov; /* 2 * (groups + 1) entries */
};

struct fl_match {
	const struct fl_program *prog;
	struct match_regex *regexes; /* by regex index */
	size_t n_regexes;	     /* of regexes[]: prog may be repointed (use_program) */
	struct match_memo *memos;
	size_t n_memos;
	uint32_t runs_to_decay;
	struct fl_ac *ac; /* the keys, each once, its id its index */
	struct match_rule *rules; /* by rule, aligned to a cache line */
	/* rules that are candidates of every event of their input, plan order:
	 * [0] syslog, [1] traps (a syslog line need not pass a thousand trap
	 * rules to learn that none takes it) */
	uint32_t *always[2];
	size_t n_always[2];
	struct match_node *nodes; /* the sides' requirement trees */
	size_t n_nodes;
	/* the atoms of the trees: their bytes, and whether the current message
	 * holds each, found when a candidate's tree first asks */
	struct match_atom_ref *atoms;
	char *atom_bytes;
	size_t n_atoms;
	char *folded; /* the message in lower case, for caseless atoms */
	size_t folded_cap;
	uint64_t folded_gen; /* m->gen when folded was made */
	/* postings: key k wakes the rules keyed[key_first[k]..key_first[k + 1]),
	 * which posts[k] holds inline or points to (key_first: build only,
	 * NULL once built) */
	uint32_t *key_first, *keyed;
	struct match_posting *posts; /* by automaton id: n_ids, the last n_ids - n_keys wake none */
	size_t n_keys; /* the keys that wake rules: ids [0, n_keys) */
	size_t n_ids;  /* the automaton's ids: the keys, then the atoms it confirms */
	uint64_t *seen;	    /* ids in the current message (the automaton's bitset) */
	size_t seen_words;
	uint32_t *found; /* the ids whose bits are set in seen, each once */
	size_t n_found;
	struct match_fields fields;
	bool scanned; /* the current event's texts were scanned */
	/* the texts some atom is of: msg always first, then those an
	 * event's scan also reads */
	uint8_t scans[FL_MATCH_TEXTS];
	uint8_t n_scans;
	uint32_t *cands; /* candidates of the current event */
	uint32_t *cands_tmp; /* room to sort them in */
	size_t n_cands;
	pcre2_match_data *md;
	struct match_cap *caps; /* by capture index */
	const struct fl_event *ev;
	uint64_t gen;
	/* lookups of the current event: by device name (host) and by address */
	const struct fl_inv_device *dev[2];
	bool dev_done[2];
	struct fl_prog_field dev_field[2]; /* the field each was looked up by */
	char peer_text[INET6_ADDRSTRLEN];
	char num_text[FL_MATCH_FIELD_TEXT_MAX];
	char inv_text[FL_MATCH_FIELD_TEXT_MAX];
	struct fl_match_stats stats;
};

/* match_literals.c: the requirement trees of every rule's sides, their
 * atoms numbered in m->nodes, and the distinct atoms (in the order the trees
 * hold them; *atoms and the bytes they point to are the caller's to free
 * with fl_match_atoms_free()), with how many rule sides require each. */
struct match_atom {
	const char *p;
	uint32_t len;
	bool is_nocase;
	uint8_t text; /* FL_MATCH_TEXT_* */
	uint32_t uses; /* trees that hold it: how unselective it is */
};

struct match_atoms {
	struct match_atom *v;
	size_t n;
	uint32_t *slots; /* hash table of v: index + 1, 0 empty */
	size_t mask;
	const struct fl_rxreq **trees; /* by regex index, NULL where not needed */
	uint8_t *texts;		       /* by regex index: the text it runs on */
	struct fl_rxreq **own;	       /* the trees walked here, not the compiler's */
	size_t n_trees;
};

int fl_match_build_trees(struct fl_match *m, struct match_atoms *atoms);
void fl_match_atoms_free(struct match_atoms *atoms);

/* match_prefilter.c: builds m->ac over the keys, the postings, the atoms,
 * m->always and m->rules[].always from the trees. Returns 0, -ENOMEM or
 * -E2BIG. side_seen: does the current message satisfy the side's tree? */
int fl_match_build_prefilter(struct fl_match *m);
bool fl_match_side_seen(struct fl_match *m, const struct match_rule *mr, int side);

/* match_fields.c: field_cond: the condition of conds[first..+n) of rule r
 * that can key a side on its field's value, the one with the fewest
 * values, or FL_RXREQ_NONE. build_fields: the index of the sides m->rules[] marks
 * by_field, or with every of every side that has a field_cond (to weigh
 * the fields against the atoms); 0 or -ENOMEM. field_uses: the rule sides
 * the index keys on the values of condition c, summed over its values.
 * fields_free: frees the index. field_rules: the rules keyed on field
 * (FL_MATCH_FIELD_*) = v, *n of them (none: NULL). */
uint32_t fl_match_field_cond(const struct fl_program *prog, const struct fl_prog_rule *r,
			     uint32_t first, uint32_t n);
int fl_match_build_fields(struct fl_match *m, bool every);
uint64_t fl_match_field_uses(const struct fl_match *m, const struct fl_prog_rule *r, uint32_t c);
void fl_match_fields_free(struct match_fields *x);
const uint32_t *fl_match_field_rules(const struct fl_match *m, int field, struct fl_str v,
				     size_t *n);

/* The key of address bytes (4 for AF_INET, 16 for AF_INET6) masked to
 * prefix bits, written to out: the family, the length, the bytes the
 * prefix covers. Returns its length. */
#define FL_MATCH_PEER_KEY_MAX 18
size_t fl_match_peer_key(uint8_t *out, int family, const uint8_t *addr, unsigned prefix);

#endif /* FL_MATCH_INT_H */
