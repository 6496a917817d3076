/* compile_items.c - what every pass of the plan compiler reads statements with:
 * symbol tables, growable program arrays, and the diagnostics for a missing,
 * misplaced or unknown item. */
#define _GNU_SOURCE /* mremap() */
#include "grammar/compile_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* --- symbol tables ---------------------------------------------------------- */

static size_t hash_name(const char *s)
{
	size_t h = 1469598103934665603u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

struct sym *sym_find(const struct symtab *t, const char *name)
{
	if (!t->cap)
		return NULL;
	for (size_t i = hash_name(name) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		if (!t->v[i].name)
			return NULL;
		if (strcmp(t->v[i].name, name) == 0)
			return &t->v[i];
	}
}

/* Adds name; returns the existing entry when it is a duplicate (*dup set). */
struct sym *sym_add(struct symtab *t, const char *name, const struct fl_loc *loc,
		    bool *dup)
{
	struct sym *s;

	*dup = false;
	if ((s = sym_find(t, name))) {
		*dup = true;
		return s;
	}
	if ((t->n + 1) * 2 > t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		struct sym *nv = calloc(ncap, sizeof(*nv));
		const char **nn = realloc(t->names, ncap * sizeof(*nn));

		if (!nv || !nn) {
			free(nv);
			if (nn)
				t->names = nn;
			return NULL;
		}
		t->names = nn;
		for (size_t i = 0; i < t->cap; i++) {
			size_t j;

			if (!t->v[i].name)
				continue;
			for (j = hash_name(t->v[i].name) & (ncap - 1); nv[j].name; j = (j + 1) & (ncap - 1))
				;
			nv[j] = t->v[i];
		}
		free(t->v);
		t->v = nv;
		t->cap = ncap;
	}
	for (size_t i = hash_name(name) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		if (t->v[i].name)
			continue;
		s = &t->v[i];
		s->name = name;
		s->index = (uint32_t)t->n;
		s->loc = loc;
		t->names[t->n++] = name;
		return s;
	}
}

void symtab_free(struct symtab *t)
{
	free(t->v);
	free(t->names);
}

/* --- program arrays and strings ---------------------------------------------- */

/* An array of FL_ARRAY_MAPPED bytes or more has a mapping of its own,
 * grown with mremap(): the kernel moves its pages instead of copying them
 * into fresh memory, and leaves no freed block behind. A 10,000-pattern
 * plan's program arrays total 30 MB, and copying them on each doubling was
 * a tenth of its start. Sanitizer builds keep realloc(), which they watch. */
#if defined(__SANITIZE_ADDRESS__)
#define ARRAYS_MAP 0
#else
#define ARRAYS_MAP 1
#endif

static bool is_mapped(size_t bytes)
{
	return ARRAYS_MAP && bytes >= FL_ARRAY_MAPPED;
}

/* The array *v of old bytes, made new bytes long; NULL when out of memory
 * (*v is then unchanged). */
static void *resize(void *v, size_t old, size_t bytes)
{
	void *nv;

	if (!is_mapped(bytes))
		return realloc(v, bytes);
	if (is_mapped(old)) {
		nv = mremap(v, old, bytes, MREMAP_MAYMOVE);
		return nv == MAP_FAILED ? NULL : nv;
	}
	nv = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (nv == MAP_FAILED)
		return NULL;
	(void)madvise(nv, bytes, MADV_HUGEPAGE); /* advice only */
	if (old)
		memcpy(nv, v, old);
	free(v);
	return nv;
}

/* Grows *v (element size esz) to hold one more; returns the new zeroed slot. */
void *grow(struct fl_compile *c, void *vp, size_t *n, size_t *alloc, size_t esz)
{
	void **v = vp;

	if (*n == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 8;
		void *nv = na > SIZE_MAX / esz ? NULL : resize(*v, *alloc * esz, na * esz);

		if (!nv) {
			c->oom = true;
			return NULL;
		}
		*v = nv;
		*alloc = na;
	}
	memset((char *)*v + *n * esz, 0, esz);
	return (char *)*v + (*n)++ * esz;
}

void array_free(void *v, size_t bytes)
{
	if (v && is_mapped(bytes))
		(void)munmap(v, bytes);
	else
		free(v);
}

/* A copy of p[0..n) in the plan's arena, NUL-terminated; FL_STR_NONE (and
 * c->oom) when out of memory. */
struct fl_str arena_str(struct fl_compile *c, const char *p, size_t n)
{
	char *s = fl_arena_strdup(c->plan->arena, p, n);

	if (!s) {
		c->oom = true;
		return FL_STR_NONE;
	}
	return fl_str_make(s, n);
}

/* --- items: what is expected, missing or unknown -------------------------------- */

void expected(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
	      const char *what)
{
	const struct fl_ast_item *it = at(s, i);

	if (!it) {
		struct fl_loc l = after_loc(s, i);

		fl_diag_error(c->d, &l, "expected %s after '%s'", what, s->items[i - 1]->text);
		return;
	}
	if (it->kind == FL_ITEM_NUMBER && strstr(what, "duration"))
		fl_diag_error(c->d, &it->loc,
			      "expected %s, got the number %s: add a unit (ms, s, m, h, d)", what,
			      it->text);
	else if (it->kind == FL_ITEM_DURATION && strstr(what, "number"))
		fl_diag_error(c->d, &it->loc, "expected %s, got the duration %s: drop the unit",
			      what, it->text);
	else
		fl_diag_error(c->d, &it->loc, "expected %s, got %s '%s'", what, item_kind_name(it),
			      it->text);
}

/* Reports items after position i as unexpected. */
void no_more(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i)
{
	const struct fl_loc *prev, *here;
	struct fl_place pl;

	if (i >= s->nitems)
		return;
	prev = i > 0 ? &s->items[i - 1]->loc : NULL;
	here = &s->items[i]->loc;
	/* a newline between them: the ';' is most likely what is missing */
	if (prev && prev->src == here->src && here->off > prev->end &&
	    memchr(here->src->text + prev->end, '\n', here->off - prev->end)) {
		fl_loc_place(prev, &pl);
		fl_diag_error(c->d, here,
			      "unexpected '%s' after '%s' (is a ';' missing at the end of line %d?)",
			      s->items[i]->text, s->items[0]->text, pl.last_line);
	} else
		fl_diag_error(c->d, &s->items[i]->loc, "unexpected '%s' at the end of '%s'",
			      s->items[i]->text, s->items[0]->text);
}

bool want_kind(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
	       enum fl_item_kind kind, const char *what)
{
	const struct fl_ast_item *it = at(s, i);

	if (it && it->kind == kind)
		return true;
	expected(c, s, i, what);
	return false;
}

bool want_word(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
	       const char *what)
{
	return want_kind(c, s, i, FL_ITEM_WORD, what);
}

/* A name or a string (plan names, test names). */
bool want_name(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
	       const char *what)
{
	const struct fl_ast_item *it = at(s, i);

	if (it && (it->kind == FL_ITEM_WORD || it->kind == FL_ITEM_STRING))
		return true;
	expected(c, s, i, what);
	return false;
}

bool want_duration(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
		   int64_t *ms)
{
	const struct fl_ast_item *it = at(s, i);

	if (it && it->kind == FL_ITEM_DURATION) {
		*ms = it->num;
		return true;
	}
	if (it && it->kind == FL_ITEM_NUMBER && it->num == 0) {
		*ms = 0; /* a bare 0 is unambiguous */
		return true;
	}
	expected(c, s, i, "a duration (30s, 5m, 2h)");
	return false;
}

bool want_count(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i, int64_t *n)
{
	const struct fl_ast_item *it = at(s, i);

	if (it && it->kind == FL_ITEM_NUMBER && it->num >= 1 && it->num <= INT32_MAX) {
		*n = it->num;
		return true;
	}
	if (it && it->kind == FL_ITEM_NUMBER) {
		fl_diag_error(c->d, &it->loc, "expected a count from 1 to %d, got %s", INT32_MAX,
			      it->text);
		return false;
	}
	expected(c, s, i, "a number");
	return false;
}

/* Reports an unknown word with a did-you-mean from cands. */
void unknown(struct fl_compile *c, const struct fl_loc *loc, const char *what,
	     const char *name, const char *const *cands, size_t n)
{
	const char *hint = fl_diag_suggest(name, cands, n);

	if (hint)
		fl_diag_error(c->d, loc, "unknown %s '%s'; did you mean '%s'?", what, name, hint);
	else
		fl_diag_error(c->d, loc, "unknown %s '%s'", what, name);
}

/* Resolves a word in a symbol table; reports it when unknown. */
uint32_t resolve(struct fl_compile *c, struct symtab *t, const struct fl_ast_item *it,
		 const char *what)
{
	struct sym *s = sym_find(t, it->text);

	if (s) {
		s->used = true;
		return s->index;
	}
	unknown(c, &it->loc, what, it->text, t->names, t->n);
	return FL_PROG_NONE;
}

/* Matches a word against a fixed keyword list; reports with a hint. */
int keyword(struct fl_compile *c, const struct fl_ast_item *it, const char *what,
	    const char *const *words, size_t n)
{
	/* the first byte settles most mismatches without a call: a rule's
	 * clauses are looked up 150,000 times at 10,000 patterns */
	for (size_t i = 0; i < n; i++)
		if ((it->kind == FL_ITEM_WORD || it->kind == FL_ITEM_OP) &&
		    it->text[0] == words[i][0] && strcmp(it->text, words[i]) == 0)
			return (int)i;
	if (it->kind != FL_ITEM_WORD)
		fl_diag_error(c->d, &it->loc, "expected %s, got %s '%s'", what, item_kind_name(it),
			      it->text);
	else
		unknown(c, &it->loc, what, it->text, words, n);
	return -1;
}

/* Declares name in t; a duplicate is an error with a note at the first one. */
struct sym *declare(struct fl_compile *c, struct symtab *t, const struct fl_ast_item *it,
		    const char *what)
{
	bool dup;
	struct sym *s = sym_add(t, it->text, &it->loc, &dup);

	if (!s) {
		c->oom = true;
		return NULL;
	}
	if (dup) {
		fl_diag_error(c->d, &it->loc, "duplicate %s '%s'", what, it->text);
		fl_diag_note(c->d, s->loc, "'%s' is first declared here", it->text);
		return NULL;
	}
	return s;
}

/* --- clauses ------------------------------------------------------------------------------ */

/* Index of the statement's keyword in words, or -1 after reporting it. Also
 * rejects a block where none belongs. */
int clause(struct fl_compile *c, const struct fl_ast_stmt *s, const char *block,
	   const char *const *words, size_t n)
{
	int k = keyword(c, s->items[0], block, words, n);

	if (k >= 0 && s->block_loc) {
		fl_diag_error(c->d, s->block_loc, "'%s' takes no { } block here", s->items[0]->text);
		return -1;
	}
	return k;
}

/* A clause given twice where once is meant. */
bool once(struct fl_compile *c, const struct fl_ast_stmt *s,
	  const struct fl_ast_stmt **seen)
{
	if (*seen) {
		fl_diag_error(c->d, &s->items[0]->loc, "'%s' given twice", s->items[0]->text);
		fl_diag_note(c->d, &(*seen)->items[0]->loc, "first given here");
		return false;
	}
	*seen = s;
	return true;
}
