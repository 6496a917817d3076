/* ac.c - Aho-Corasick over byte classes with a full transition table.
 *
 * Build: (1) map each case-folded byte that occurs in some literal to a class,
 * all other bytes to class 0; (2) insert the folded literals into a trie whose
 * rows are the final table rows; (3) walk it breadth first, setting each
 * state's failure link and filling its missing transitions from the failure
 * state's row (already complete, being shallower), which turns the trie into
 * a DFA; (4) renumber the states so those that end a literal, themselves or
 * through a suffix (their dictionary link), come last, and rewrite every entry
 * as its target's row offset (16 bits when they fit, else the target's number
 * when that fits 16 bits, else 32-bit offsets). The scan loop then only
 * compares the entry with the first reporting state's. The reporting states'
 * records, each with its first literal, are all a report reads.
 *
 * Every allocation is counted against max_bytes before it is made. */
#include "engine/lib/ac.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/limits.h"

#define NONE UINT32_MAX

/* Literals this long or shorter keep their bytes in their own record: a
 * report then reads one record (32 bytes, one cache line) per literal, not
 * the record and the pool as well. */
#define LIT_INLINE 11

/* A literal, and the state's output list it is on (next: the next literal
 * ending at the same state, or NONE).
 *
 * Built, the records are what the scan reports (reps): record k belongs to
 * reporting state first_report + k and holds its first own literal (len 0:
 * none, it reports through its dictionary link only) and that link (dict:
 * the nearest proper suffix state with outputs, or NONE); further literals
 * of a state follow all those records. Most reporting states end one
 * literal, so a report reads one record per state on its chain. */
struct lit {
	uint32_t id;
	uint32_t len;
	uint32_t pool_off; /* literal bytes, as given, in the pool */
	uint32_t next;
	uint32_t dict;
	bool is_nocase;
	uint8_t bytes[LIT_INLINE]; /* the bytes as given, when len <= LIT_INLINE */
};

struct fl_ac {
	uint8_t cls[256];  /* byte -> class */
	uint32_t n_classes;
	uint32_t n_states;
	uint32_t *delta;     /* n_states rows of n_classes entries */
	uint16_t *delta16;   /* the same, when every row offset fits: half the
				cache lines (then delta is NULL) */
	/* when offsets do not fit 16 bits but state numbers do (up to 65,536
	 * states, some thousand rules): each entry its target's number, the
	 * scan multiplying it by n_classes. Half the table of offsets, which
	 * at 1,000 rules is the difference between a table that stays in the
	 * core's cache (600 KB) and one that does not (1.2 MB). */
	uint16_t *state16;
	/* build only (NULL once built): per state, its first own output or
	 * NONE, and its nearest proper suffix state with outputs */
	uint32_t *out_first;
	uint32_t *dict;
	uint32_t first_report; /* states from this one on report (renumber()) */
	struct lit *reps;      /* built: by state - first_report, then the rest */
	struct lit *lits;      /* build only (NULL once built): by literal */
	unsigned char *pool;
	size_t n_lits, max_id, bytes;
};

/* Build-time state: the cap and what has been charged against it. */
struct budget {
	size_t used, max;
	bool is_oom; /* the allocator failed, as opposed to the cap */
};

static uint8_t fold(uint8_t b)
{
	return (b >= 'A' && b <= 'Z') ? (uint8_t)(b + ('a' - 'A')) : b;
}

/* n * size bytes counted against the budget, n * size checked for overflow;
 * zeroed or, for a table the caller writes whole, not. */
static void *charge_room(struct budget *bg, size_t n, size_t size, bool zeroed)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	if (n * size > bg->max - bg->used)
		return NULL;
	p = zeroed ? calloc(n ? n : 1, size) : malloc(n ? n * size : 1);
	if (p)
		bg->used += n * size;
	else
		bg->is_oom = true;
	return p;
}

static void *charge(struct budget *bg, size_t n, size_t size)
{
	return charge_room(bg, n, size, true);
}

/* charge() on cache-line boundaries, for records of 32 or 64 bytes that
 * should not straddle two lines. */
static void *charge_lines(struct budget *bg, size_t n, size_t size)
{
	size_t bytes;
	void *p;

	if (size && n > (SIZE_MAX - 63) / size)
		return NULL;
	bytes = ((n ? n : 1) * size + 63) & ~(size_t)63;
	if (n * size > bg->max - bg->used)
		return NULL;
	p = aligned_alloc(64, bytes);
	if (!p) {
		bg->is_oom = true;
		return NULL;
	}
	memset(p, 0, bytes);
	bg->used += n * size;
	return p;
}

static int check_literals(const struct fl_ac_literal *lits, size_t n, size_t *total)
{
	size_t sum = 0;

	for (size_t i = 0; i < n; i++) {
		if (lits[i].len == 0 || !lits[i].bytes || lits[i].id > FL_AC_MAX_PATTERN_ID)
			return -EINVAL;
		if (lits[i].len > UINT32_MAX - sum)
			return -E2BIG;
		sum += lits[i].len;
	}
	*total = sum;
	return 0;
}

static void assign_classes(struct fl_ac *ac, const struct fl_ac_literal *lits, size_t n)
{
	bool used[256] = {false};
	uint32_t next = 1;

	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = lits[i].bytes;

		for (size_t k = 0; k < lits[i].len; k++)
			used[fold(p[k])] = true;
	}
	for (unsigned b = 0; b < 256; b++)
		if (used[b])
			ac->cls[b] = (uint8_t)next++;
	for (unsigned b = 'A'; b <= 'Z'; b++)
		ac->cls[b] = ac->cls[b + ('a' - 'A')];
	ac->n_classes = next;
}

/* Inserts every literal into the trie (rows of ac->delta, 0 = no child). */
static void build_trie(struct fl_ac *ac, const struct fl_ac_literal *lits, size_t n)
{
	uint32_t pool_off = 0;

	ac->n_states = 1;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = lits[i].bytes;
		uint32_t s = 0;

		for (size_t k = 0; k < lits[i].len; k++) {
			uint32_t *slot = &ac->delta[(size_t)s * ac->n_classes + ac->cls[p[k]]];

			if (*slot == 0) {
				*slot = ac->n_states++;
			}
			s = *slot;
		}
		memcpy(ac->pool + pool_off, p, lits[i].len);
		ac->lits[i] = (struct lit){.id = lits[i].id,
					   .len = (uint32_t)lits[i].len,
					   .pool_off = pool_off,
					   .next = ac->out_first[s],
					   .is_nocase = lits[i].is_nocase};
		if (lits[i].len <= LIT_INLINE)
			memcpy(ac->lits[i].bytes, p, lits[i].len);
		ac->out_first[s] = (uint32_t)i;
		pool_off += (uint32_t)lits[i].len;
		if (lits[i].id > ac->max_id)
			ac->max_id = lits[i].id;
	}
}

/* Breadth-first: failure links, dictionary links, and the DFA fill-in.
 * fail and queue are scratch arrays of n_states entries. */
static void build_links(struct fl_ac *ac, uint32_t *fail, uint32_t *queue)
{
	const size_t C = ac->n_classes;
	size_t head = 0, tail = 0;

	fail[0] = 0;
	ac->dict[0] = NONE;
	for (size_t c = 0; c < C; c++) {
		uint32_t child = ac->delta[c];

		if (child) {
			fail[child] = 0;
			ac->dict[child] = NONE;
			queue[tail++] = child;
		}
	}
	while (head < tail) {
		uint32_t s = queue[head++];
		uint32_t *row = &ac->delta[(size_t)s * C];
		const uint32_t *frow = &ac->delta[(size_t)fail[s] * C];

		for (size_t c = 0; c < C; c++) {
			uint32_t child = row[c], f;

			if (!child) {
				row[c] = frow[c];
				continue;
			}
			f = frow[c];
			fail[child] = f;
			ac->dict[child] = ac->out_first[f] != NONE ? f : ac->dict[f];
			queue[tail++] = child;
		}
	}
}

static bool reports(const struct fl_ac *ac, uint32_t s)
{
	return ac->out_first[s] != NONE || ac->dict[s] != NONE;
}

/* Writes reporting state st's record in reps (map: the new numbers) and
 * its further literals from reps[extra] on; returns the next free extra. */
static size_t place_outputs(const struct fl_ac *ac, struct lit *reps, const uint32_t *map,
			    uint32_t st, size_t extra)
{
	struct lit *head = &reps[map[st] - ac->first_report], *tail = head;
	uint32_t o = ac->out_first[st];

	if (o == NONE) {
		*head = (struct lit){.len = 0};
	} else {
		*head = ac->lits[o];
		o = ac->lits[o].next;
	}
	head->next = NONE;
	head->dict = ac->dict[st] == NONE ? NONE : map[ac->dict[st]];
	for (; o != NONE; o = ac->lits[o].next) {
		reps[extra] = ac->lits[o];
		reps[extra].next = NONE;
		tail->next = (uint32_t)extra;
		tail = &reps[extra++];
	}
	return extra;
}

/* Renumbers the states so that those which report come last, and rewrites
 * each transition as its target's row offset (state * classes). The scan
 * then knows a reporting target by one compare of the offset, which keeps a
 * flag mask off the per-byte dependency chain (load, add, load). The root
 * stays 0: it never reports, literals are not empty. map is scratch space of
 * n_states entries. Returns 0, or -E2BIG when the copy passes the budget. */
static int renumber(struct fl_ac *ac, struct budget *bg, uint32_t *map)
{
	const size_t C = ac->n_classes, S = ac->n_states;
	uint32_t *delta, next = 0;
	struct lit *reps;
	size_t extra, n_more;

	for (uint32_t st = 0; st < S; st++)
		if (!reports(ac, st))
			map[st] = next++;
	ac->first_report = next;
	for (uint32_t st = 0; st < S; st++)
		if (reports(ac, st))
			map[st] = next++;
	bool narrow = (S - 1) * C <= UINT16_MAX, by_state = !narrow && S - 1 <= UINT16_MAX;
	uint16_t *delta16 = NULL, *state16 = NULL;

	/* every entry is written below: not zeroed first */
	delta = narrow || by_state ? NULL : charge_room(bg, S * C, sizeof(uint32_t), false);
	delta16 = narrow ? charge_room(bg, S * C, sizeof(uint16_t), false) : NULL;
	state16 = by_state ? charge_room(bg, S * C, sizeof(uint16_t), false) : NULL;
	/* a record per reporting state, and one per literal past the first of
	 * its state */
	extra = S - ac->first_report;
	n_more = ac->n_lits;
	for (uint32_t st = 0; st < S; st++)
		n_more -= ac->out_first[st] != NONE;
	reps = charge_lines(bg, extra + n_more, sizeof(*reps));
	if ((!delta && !delta16 && !state16) || !reps) {
		free(delta);
		free(delta16);
		free(state16);
		free(reps);
		return bg->is_oom ? -ENOMEM : -E2BIG;
	}
	for (uint32_t st = 0; st < S; st++) {
		const uint32_t *row = &ac->delta[st * C];
		size_t at = map[st] * C;

		for (size_t c = 0; c < C; c++) {
			if (narrow)
				delta16[at + c] = (uint16_t)(map[row[c]] * C);
			else if (by_state)
				state16[at + c] = (uint16_t)map[row[c]];
			else
				delta[at + c] = (uint32_t)(map[row[c]] * C);
		}
		if (map[st] >= ac->first_report)
			extra = place_outputs(ac, reps, map, st, extra);
	}
	free(ac->delta);
	free(ac->out_first);
	free(ac->dict);
	bg->used -= (S * C + 2 * S) * sizeof(uint32_t) + ac->n_lits * sizeof(struct lit);
	ac->delta = delta;
	ac->delta16 = delta16;
	ac->state16 = state16;
	ac->out_first = NULL;
	ac->dict = NULL;
	ac->reps = reps;
	free(ac->lits);
	ac->lits = NULL;
	return 0;
}

struct folded {
	const uint8_t *p;
	size_t len;
	uint64_t key; /* the first 8 bytes, big-endian, zero-padded */
};

static int folded_cmp(const void *a, const void *b)
{
	const struct folded *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, n);

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* Sorts v[0..n) in folded_cmp()'s order: a radix sort of the keys (tmp
 * holds n more), then each run of equal keys by folded_cmp(). Atoms are
 * mostly 8 bytes or fewer: qsort() alone took 71 M instructions for the
 * literals of 10,000 written patterns. */
static void sort_folded(struct folded *v, struct folded *tmp, size_t n)
{
	struct folded *from = v, *to = tmp, *swap;

	for (unsigned shift = 0; shift < 64; shift += 8) {
		size_t count[256] = {0}, at = 0;

		for (size_t i = 0; i < n; i++)
			count[from[i].key >> shift & 0xff]++;
		if (n == 0 || count[from[0].key >> shift & 0xff] == n)
			continue; /* every key has this byte: the order stands */
		for (unsigned b = 0; b < 256; b++) {
			size_t c = count[b];

			count[b] = at;
			at += c;
		}
		for (size_t i = 0; i < n; i++)
			to[count[from[i].key >> shift & 0xff]++] = from[i];
		swap = from, from = to, to = swap;
	}
	if (from != v)
		memcpy(v, from, n * sizeof(*v));
	for (size_t i = 0, k; i < n; i = k) {
		for (k = i + 1; k < n && v[k].key == v[i].key;)
			k++;
		if (k - i > 1)
			qsort(v + i, k - i, sizeof(*v), folded_cmp);
	}
}

/* The exact number of trie states: one per distinct folded prefix, counted
 * as the sum over the sorted literals of what each adds past its common
 * prefix with the one before. Lets the table be sized, and the cap checked,
 * before it is built. Returns 0 or -E2BIG (the scratch space is over the
 * budget too). */
static int count_states(const struct fl_ac_literal *lits, size_t n, size_t total,
			struct budget *bg, size_t *out)
{
	struct folded *v = charge(bg, 2 * n, sizeof(*v)); /* and the sort's room */
	uint8_t *buf = charge(bg, total, 1);
	size_t off = 0, states = 1;

	if (!v || !buf) {
		free(v);
		free(buf);
		return bg->is_oom ? -ENOMEM : -E2BIG;
	}
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = lits[i].bytes;

		for (size_t k = 0; k < lits[i].len; k++)
			buf[off + k] = fold(p[k]);
		v[i] = (struct folded){buf + off, lits[i].len, 0};
		for (size_t k = 0; k < 8; k++)
			v[i].key = v[i].key << 8 | (k < lits[i].len ? buf[off + k] : 0);
		off += lits[i].len;
	}
	sort_folded(v, v + n, n);
	for (size_t i = 0; i < n; i++) {
		size_t lcp = 0;

		if (i > 0)
			while (lcp < v[i].len && lcp < v[i - 1].len && v[i].p[lcp] == v[i - 1].p[lcp])
				lcp++;
		states += v[i].len - lcp;
	}
	free(v);
	free(buf);
	bg->used -= 2 * n * sizeof(*v) + total;
	*out = states;
	return 0;
}

int fl_ac_create(struct fl_ac **out, const struct fl_ac_literal *lits, size_t n, size_t max_bytes)
{
	struct budget bg = {0, max_bytes ? max_bytes : FL_AC_MAX_BYTES_DEFAULT, false};
	size_t total, states;
	uint32_t *fail = NULL, *queue = NULL;
	struct fl_ac *ac;
	int rc;

	rc = check_literals(lits, n, &total);
	if (rc < 0)
		return rc;
	ac = charge(&bg, 1, sizeof(*ac));
	if (!ac)
		return bg.is_oom ? -ENOMEM : -E2BIG;
	assign_classes(ac, lits, n);
	rc = count_states(lits, n, total, &bg, &states);
	if (rc < 0)
		goto out_free;
	/* Row offsets (state * classes) must fit in 32 bits. */
	rc = -E2BIG;
	if (states > UINT32_MAX / ac->n_classes)
		goto out_free;
	ac->delta = charge(&bg, states * ac->n_classes, sizeof(uint32_t));
	ac->out_first = charge(&bg, states, sizeof(uint32_t));
	ac->dict = charge(&bg, states, sizeof(uint32_t));
	ac->lits = charge(&bg, n, sizeof(struct lit));
	ac->pool = charge(&bg, total, 1);
	if (!ac->delta || !ac->out_first || !ac->dict || !ac->lits || !ac->pool)
		goto out_free;
	memset(ac->out_first, 0xff, states * sizeof(uint32_t));
	build_trie(ac, lits, n);
	if (FL_NEVER(ac->n_states != states)) {
		rc = -EINVAL;
		goto out_free;
	}
	fail = charge(&bg, states, sizeof(uint32_t));
	queue = charge(&bg, states, sizeof(uint32_t));
	if (!fail || !queue)
		goto out_free;
	build_links(ac, fail, queue);
	ac->n_lits = n;
	rc = renumber(ac, &bg, fail);
	if (rc < 0)
		goto out_free;
	free(fail);
	free(queue);
	ac->bytes = bg.used - 2 * states * sizeof(uint32_t);
	*out = ac;
	return 0;

out_free:
	free(fail);
	free(queue);
	fl_ac_destroy(ac);
	return rc == -E2BIG && bg.is_oom ? -ENOMEM : rc;
}

void fl_ac_destroy(struct fl_ac *ac)
{
	if (!ac)
		return;
	free(ac->delta);
	free(ac->delta16);
	free(ac->state16);
	free(ac->out_first);
	free(ac->dict);
	free(ac->reps);
	free(ac->lits);
	free(ac->pool);
	free(ac);
}

/* Whether a and b hold the same n bytes: two loads each for a literal up to
 * 16 bytes, which is nearly every key, where a call to memcmp() cost as
 * much as the rest of a report. */
static inline bool same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint64_t x, y, u, v;
	uint32_t x4, y4, u4, v4;

	if (n >= 8 && n <= 16) { /* first 8 and last 8, overlapping */
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		memcpy(&u, a + n - 8, 8);
		memcpy(&v, b + n - 8, 8);
		return ((x ^ y) | (u ^ v)) == 0;
	}
	if (n >= 4 && n < 8) {
		memcpy(&x4, a, 4);
		memcpy(&y4, b, 4);
		memcpy(&u4, a + n - 4, 4);
		memcpy(&v4, b + n - 4, 4);
		return ((x4 ^ y4) | (u4 ^ v4)) == 0;
	}
	if (n < 4) {
		for (size_t i = 0; i < n; i++)
			if (a[i] != b[i])
				return false;
		return true;
	}
	return memcmp(a, b, n) == 0;
}

/* Reports the outputs of state s (a reporting one), whose literals end at
 * text[end - 1]. Returns false when fn asked to stop. */
static bool report(const struct fl_ac *ac, uint32_t s, const uint8_t *text, size_t end,
		   uint64_t *seen, fl_ac_match_fn *fn, void *ctx, size_t *found)
{
	while (s != NONE) {
		const struct lit *head = &ac->reps[s - ac->first_report], *l = head;

		for (; l; l = l->next == NONE ? NULL : &ac->reps[l->next]) {
			uint64_t bit = UINT64_C(1) << (l->id & 63);
			const uint8_t *want = l->len <= LIT_INLINE ? l->bytes : ac->pool + l->pool_off;

			if (l->len == 0 || (seen[l->id >> 6] & bit))
				continue;
			/* The DFA matched the folded text; a literal that keeps
			 * its case is confirmed on the bytes as written. */
			if (!l->is_nocase && !same_bytes(text + end - l->len, want, l->len))
				continue;
			seen[l->id >> 6] |= bit;
			(*found)++;
			if (fn && !fn(l->id, ctx))
				return false;
		}
		s = head->dict;
	}
	return true;
}

/* The scan loop over one table width: one of d16 and d32 is NULL. Always
 * inlined, and called with a constant NULL for the other, so each copy
 * reads its table without a test per byte. */
static inline __attribute__((always_inline)) size_t
scan(const struct fl_ac *ac, const uint16_t *d16, const uint32_t *d32, const uint8_t *p,
     size_t len, uint64_t *seen, fl_ac_match_fn *fn, void *ctx)
{
	const uint8_t *cls = ac->cls;
	const uint32_t report_from = ac->first_report * ac->n_classes;
	uint32_t v = 0;
	size_t found = 0;

	for (size_t i = 0; i < len; i++) {
		v = d16 ? d16[v + cls[p[i]]] : d32[v + cls[p[i]]];
		if (__builtin_expect(v >= report_from, 0) &&
		    !report(ac, v / ac->n_classes, p, i + 1, seen, fn, ctx, &found))
			break;
	}
	return found;
}

/* The scan over a table of state numbers (state16). */
static size_t scan_by_state(const struct fl_ac *ac, const uint8_t *p, size_t len, uint64_t *seen,
			    fl_ac_match_fn *fn, void *ctx)
{
	const uint8_t *cls = ac->cls;
	const uint16_t *t = ac->state16;
	const uint32_t report_from = ac->first_report, C = ac->n_classes;
	uint32_t s = 0;
	size_t found = 0;

	for (size_t i = 0; i < len; i++) {
		s = t[s * C + cls[p[i]]];
		if (__builtin_expect(s >= report_from, 0) &&
		    !report(ac, s, p, i + 1, seen, fn, ctx, &found))
			break;
	}
	return found;
}

size_t fl_ac_scan(const struct fl_ac *ac, const void *text, size_t len, uint64_t *seen,
		  fl_ac_match_fn *fn, void *ctx)
{
	if (ac->n_lits == 0)
		return 0;
	if (ac->delta16)
		return scan(ac, ac->delta16, NULL, text, len, seen, fn, ctx);
	if (ac->state16)
		return scan_by_state(ac, text, len, seen, fn, ctx);
	return scan(ac, NULL, ac->delta, text, len, seen, fn, ctx);
}

size_t fl_ac_bitset_words(const struct fl_ac *ac)
{
	return ac->max_id / 64 + 1;
}

void fl_ac_stats(const struct fl_ac *ac, struct fl_ac_stats *out)
{
	out->literals = ac->n_lits;
	out->states = ac->n_states;
	out->classes = ac->n_classes;
	out->bytes = ac->bytes;
}
