/* compile_tests.c - pass 3 for test blocks: events, and expectations
 * checked against what the named rule or correlation can produce. */
#include "grammar/compile_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include "engine/decode/mib.h"

/* Can text come out of template parts [first, end)? Literals must appear as
 * written; a field stands for any non-empty text. A table of reachable
 * (part, offset) states keeps it polynomial whatever the template; when the
 * table would pass 1 MiB the answer is "yes" (nothing is reported). */
static bool template_fits(const struct fl_program *p, uint32_t first, uint32_t end,
			  const char *text)
{
	size_t len = strlen(text), parts = end - first, cells;
	bool *reach, fits;

	if (__builtin_mul_overflow(parts + 1, len + 1, &cells) || cells > (1u << 20))
		return true;
	reach = calloc(cells, sizeof(*reach));
	if (!reach)
		return true;
	reach[0] = true; /* before part 0, at offset 0 */
	for (size_t i = 0; i < parts; i++) {
		const struct fl_prog_tpart *part = &p->tparts[first + i];
		bool *row = reach + i * (len + 1), *next = row + (len + 1);
		bool seen = false;

		for (size_t off = 0; off <= len; off++) {
			if (part->is_field) {
				/* any non-empty run: every offset after a reached one */
				if (seen && off > 0)
					next[off] = true;
				seen |= row[off];
			} else if (row[off] && len - off >= part->literal.len &&
				   memcmp(text + off, part->literal.p, part->literal.len) == 0) {
				next[off + part->literal.len] = true;
			}
		}
	}
	fits = reach[parts * (len + 1) + len];
	free(reach);
	return fits;
}

/* expect incident NAME title "T": T must be a title NAME can raise. */
static void check_expected_title(struct fl_compile *c, const struct fl_prog_expect *e,
				 const struct fl_ast_item *title)
{
	const struct fl_program *p = c->prog;
	uint32_t first, n;
	uint32_t last = FL_PROG_NONE;

	if (e->source == FL_PROG_NONE || !e->title.p)
		return;
	if (e->source_is_correlation) {
		first = p->correlations[e->source].first_action;
		n = p->correlations[e->source].n_actions;
	} else {
		first = p->rules[e->source].first_action;
		n = p->rules[e->source].n_actions;
	}
	for (uint32_t a = first; a < first + n; a++) {
		const struct fl_prog_template *t;

		if (p->actions[a].title == FL_PROG_NONE)
			continue;
		t = &p->templates[p->actions[a].title];
		last = p->actions[a].title;
		if (template_fits(p, t->first_part, t->first_part + t->n_parts, e->title.p))
			return;
	}
	if (last == FL_PROG_NONE)
		return;
	fl_diag_error(c->d, &title->loc, "'%s' cannot raise a title like this one",
		      e->source_is_correlation ? p->correlations[e->source].name.p :
						 p->rules[e->source].name.p);
	fl_diag_note(c->d, c->template_locs[last], "its title is made by this template");
}

/* NAME of a rule or correlation in a test expectation. */
static bool resolve_source(struct fl_compile *c, const struct fl_ast_item *it,
			   struct fl_prog_expect *e)
{
	struct sym *s = sym_find(&c->correlations, it->text);

	if (s) {
		e->source = s->index;
		e->source_is_correlation = true;
		return true;
	}
	if ((s = sym_find(&c->rules, it->text))) {
		e->source = s->index;
		return true;
	}
	{
		const char *hint = fl_diag_suggest(it->text, c->correlations.names,
						   c->correlations.n);

		if (!hint)
			hint = fl_diag_suggest(it->text, c->rules.names, c->rules.n);
		if (hint)
			fl_diag_error(c->d, &it->loc,
				      "unknown rule or correlation '%s'; did you mean '%s'?",
				      it->text, hint);
		else
			fl_diag_error(c->d, &it->loc, "unknown rule or correlation '%s'",
				      it->text);
	}
	return false;
}

/* expect incident|planned SOURCE [level L] [title "T"]: false when the
 * expectation is abandoned (its error reported). */
static bool expect_incident(struct fl_compile *c, const struct fl_ast_stmt *s,
			    struct fl_prog_expect *e)
{
	size_t i;

	if (!want_word(c, s, 2, "a rule or correlation name") ||
	    !resolve_source(c, s->items[2], e))
		return false;
	for (i = 3; e->kind == FL_EXPECT_INCIDENT && i < s->nitems; i += 2) {
		if (is_word(s->items[i], "level") && want_word(c, s, i + 1, "a level")) {
			e->level = resolve(c, &c->levels, s->items[i + 1], "level");
		} else if (is_word(s->items[i], "title") &&
			   want_kind(c, s, i + 1, FL_ITEM_STRING, "a title in quotes")) {
			e->title = arena_str(c, s->items[i + 1]->text, s->items[i + 1]->len);
			check_expected_title(c, e, s->items[i + 1]);
		} else {
			if (!is_word(s->items[i], "level") && !is_word(s->items[i], "title"))
				expected(c, s, i, "'level' or 'title'");
			return false;
		}
	}
	no_more(c, s, i);
	return true;
}

/* expect notify ROLE [at SCOPE] via CHANNEL [restored]: false when the
 * expectation is abandoned (its error reported). */
static bool expect_notify(struct fl_compile *c, const struct fl_ast_stmt *s,
			  struct fl_prog_expect *e)
{
	size_t i = 3;
	int k;

	if (!want_word(c, s, 2, "a contact role"))
		return false;
	e->role = resolve(c, &c->roles, s->items[2], "role");
	if (is_word(at(s, i), "at")) {
		if (!want_word(c, s, i + 1, "a scope"))
			return false;
		k = keyword(c, s->items[i + 1], "scope", scope_words, FL_SCOPE__COUNT);
		if (k < 0)
			return false;
		e->scope = (enum fl_scope)k;
		e->has_scope = true;
		i += 2;
	}
	if (!is_word(at(s, i), "via")) {
		expected(c, s, i, "'via CHANNEL'");
		return false;
	}
	if (!want_word(c, s, i + 1, "a channel"))
		return false;
	e->channel = resolve(c, &c->channels, s->items[i + 1], "channel");
	i += 2;
	if (is_word(at(s, i), "restored")) {
		e->is_restored = true;
		i++;
	}
	no_more(c, s, i);
	return true;
}

static void compile_expect(struct fl_compile *c, const struct fl_ast_stmt *s)
{
	static const char *const words[] = {"incident", "no", "absorbed", "notify", "cleared",
					    "planned"};
	struct fl_prog_expect e = {.source = FL_PROG_NONE,
				   .level = FL_PROG_NONE,
				   .role = FL_PROG_NONE,
				   .channel = FL_PROG_NONE,
				   .count = -1,
				   .at_ms = -1},
			      *slot;
	const struct fl_loc *place; /* the statement's: its first item's */
	size_t i = 2;
	int k;

	if (!want_word(c, s, 1, "an outcome (incident, no incident, absorbed, notify, cleared, planned)"))
		return;
	if ((k = keyword(c, s->items[1], "outcome", words, FL_ARRAY_LEN(words))) < 0)
		return;
	e.kind = (enum fl_expect_kind)k;
	switch (k) {
	case FL_EXPECT_INCIDENT:
	case FL_EXPECT_PLANNED:
		if (!expect_incident(c, s, &e))
			return;
		break;
	case FL_EXPECT_NO_INCIDENT:
		if (!is_word(at(s, 2), "incident")) {
			expected(c, s, 2, "'incident' after 'no'");
			return;
		}
		if (at(s, 3) && want_word(c, s, 3, "a rule or correlation name"))
			resolve_source(c, s->items[3], &e);
		no_more(c, s, 4);
		break;
	case FL_EXPECT_ABSORBED:
		if (!want_count(c, s, 2, &e.count))
			return;
		i = 3;
		if (is_word(at(s, 3), "into")) {
			if (want_word(c, s, 4, "a correlation name"))
				resolve_source(c, s->items[4], &e);
			i = 5;
		}
		no_more(c, s, i);
		break;
	case FL_EXPECT_NOTIFY:
		if (!expect_notify(c, s, &e))
			return;
		break;
	case FL_EXPECT_CLEARED:
		if (at(s, 2) && at(s, 2)->kind == FL_ITEM_WORD && !is_word(at(s, 2), "at")) {
			resolve_source(c, s->items[2], &e);
			i = 3;
		}
		if (is_word(at(s, i), "at")) {
			if (!want_duration(c, s, i + 1, &e.at_ms))
				return;
			i += 2;
		}
		no_more(c, s, i);
		break;
	}
	place = &s->items[0]->loc;
	if (place->src && place->src->name)
		e.file = arena_str(c, place->src->name, strlen(place->src->name));
	if (place->src) {
		struct fl_place pl;

		fl_loc_place(place, &pl);
		e.line = pl.first_line;
		e.column = pl.first_column;
	}
	if ((slot = PUSH(c, expects)))
		*slot = e;
}

/* year YYYY; in a test: the year of its syslog lines that carry none. */
static void test_year(struct fl_compile *c, const struct fl_ast_stmt *s, int *year)
{
	const struct fl_ast_item *y = at(s, 1);

	if (y && y->kind == FL_ITEM_NUMBER && y->num >= 1970 && y->num <= 9999)
		*year = (int)y->num;
	else if (y && y->kind == FL_ITEM_NUMBER)
		fl_diag_error(c->d, &y->loc, "expected a year from 1970 to 9999, got %s", y->text);
	else
		expected(c, s, 1, "a year");
	no_more(c, s, 2);
}

/* The value of `with OID=VALUE`: a number is an INTEGER, "text" an OCTET
 * STRING, a name an OID (linkDown), dotted an IpAddress or an OID as the
 * object's syntax in the MIB table says; for an object the table does not
 * hold, four arcs of 0..255 are an IpAddress. false after reporting. */
static bool varbind_value(struct fl_compile *c, const struct fl_ast_item *v,
			  const struct fl_mib_object *obj, struct fl_prog_test_varbind *vb)
{
	uint8_t bytes[512];
	size_t len;
	bool wants_ip = obj && obj->syntax == FL_VB_IPADDRESS;
	bool wants_text = obj && obj->syntax == FL_VB_OCTET_STRING;
	bool wants_number = obj && (obj->syntax == FL_VB_INTEGER || obj->syntax == FL_VB_TIMETICKS);

	if ((v->kind == FL_ITEM_NUMBER && wants_text) ||
	    (v->kind == FL_ITEM_STRING && wants_number)) {
		fl_diag_error(c->d, &v->loc, "%s is %s: write it as %s", obj->name,
			      wants_text ? "text" : "a number", wants_text ? "\"text\"" : "a number");
		return false;
	}
	if (v->kind == FL_ITEM_NUMBER) {
		vb->type = FL_TEST_VB_INTEGER;
		vb->integer = v->num;
		return true;
	}
	if (v->kind == FL_ITEM_STRING && !wants_ip) {
		vb->type = FL_TEST_VB_STRING;
		vb->bytes = arena_str(c, v->text, v->len);
		return true;
	}
	if (v->kind == FL_ITEM_DOTTED && (wants_ip || !obj) &&
	    inet_pton(AF_INET, v->text, bytes) == 1) {
		vb->type = FL_TEST_VB_IP;
		vb->bytes = arena_str(c, (const char *)bytes, 4);
		return true;
	}
	if (wants_ip) {
		fl_diag_error(c->d, &v->loc, "%s is an IpAddress: write it as 10.0.0.1", obj->name);
		return false;
	}
	if ((v->kind != FL_ITEM_DOTTED && v->kind != FL_ITEM_WORD) || !oid_item(c, v, bytes, &len)) {
		if (v->kind != FL_ITEM_DOTTED && v->kind != FL_ITEM_WORD)
			fl_diag_error(c->d, &v->loc, "a varbind's value is a number, \"text\", an "
				      "address or an OID; got %s", item_kind_name(v));
		return false;
	}
	vb->type = FL_TEST_VB_OID;
	vb->bytes = arena_str(c, (const char *)bytes, len);
	return true;
}

/* `with OID=VALUE[, OID=VALUE...]` from items[i] to the end of the statement:
 * the trap's varbinds after its header, in the order written. */
static void test_trap_varbinds(struct fl_compile *c, const struct fl_ast_stmt *s, size_t i,
			       struct fl_prog_test_event *ev)
{
	ev->first_varbind = (uint32_t)c->prog->n_test_varbinds;
	for (;; i += 4) {
		const struct fl_ast_item *name = at(s, i);
		const struct fl_mib_object *obj = NULL;
		struct fl_prog_test_varbind vb = {.oid = FL_STR_NONE}, *slot;
		uint8_t oid[512];
		size_t oid_len;

		if (!name || (name->kind != FL_ITEM_WORD && name->kind != FL_ITEM_DOTTED)) {
			expected(c, s, i, "a varbind: OID=VALUE (ifDescr.3=\"Gi0/0/1\")");
			return;
		}
		if (!oid_item(c, name, oid, &oid_len))
			return;
		if (name->kind == FL_ITEM_WORD)
			(void)fl_mib_resolve(name->text, (uint8_t[512]){0}, 512, &obj);
		vb.oid = arena_str(c, (const char *)oid, oid_len);
		if (!is_op(at(s, i + 1), "=")) {
			expected(c, s, i + 1, "'=' and the varbind's value");
			return;
		}
		if (!at(s, i + 2)) {
			expected(c, s, i + 2, "the varbind's value");
			return;
		}
		if (!varbind_value(c, s->items[i + 2], obj, &vb))
			return;
		if (ev->n_varbinds == FL_EVENT_MAX_VARBINDS - 2) {
			fl_diag_error(c->d, &name->loc, "a trap holds at most %d varbinds besides "
				      "sysUpTime.0 and snmpTrapOID.0", FL_EVENT_MAX_VARBINDS - 2);
			return;
		}
		if (!(slot = PUSH(c, test_varbinds)))
			return;
		*slot = vb;
		ev->n_varbinds++;
		if (!at(s, i + 3))
			return;
		if (!is_op(at(s, i + 3), ",")) {
			expected(c, s, i + 3, "',' or ';'");
			return;
		}
	}
}

/* The rest of 'at DUR trap OID [from ADDR] [community "C"] [with VB, ...];'
 * after the OID. */
static void test_trap_tail(struct fl_compile *c, const struct fl_ast_stmt *s,
			   struct fl_prog_test_event *ev)
{
	size_t i = 4;

	if (is_word(at(s, i), "generic")) { /* SNMPv1: the OID is the enterprise */
		int64_t n;

		ev->is_v1 = true;
		if (want_count(c, s, i + 1, &n))
			ev->generic_trap = (int32_t)(n > 6 ? 6 : n);
		i += 2;
		if (is_word(at(s, i), "specific")) {
			if (want_count(c, s, i + 1, &n))
				ev->specific_trap = (int32_t)(n > INT32_MAX ? INT32_MAX : n);
			i += 2;
		}
	}
	if (is_word(at(s, i), "from")) {
		if (want_kind(c, s, i + 1, FL_ITEM_DOTTED, "the sender's address"))
			ev->peer = arena_str(c, s->items[i + 1]->text, s->items[i + 1]->len);
		i += 2;
	}
	if (is_word(at(s, i), "community")) {
		if (want_kind(c, s, i + 1, FL_ITEM_STRING, "the community in quotes"))
			ev->community = arena_str(c, s->items[i + 1]->text, s->items[i + 1]->len);
		i += 2;
	}
	if (is_word(at(s, i), "with")) {
		test_trap_varbinds(c, s, i + 1, ev);
		return;
	}
	no_more(c, s, i);
}

/* at DUR syslog "LINE"; | at DUR trap OID ...;  Events come in time order.
 * Returns false only when out of memory (the test is abandoned). */
static bool test_event(struct fl_compile *c, const struct fl_ast_stmt *s, int64_t *last_ms)
{
	struct fl_prog_test_event *ev;
	int64_t ms;

	if (!want_duration(c, s, 1, &ms))
		return true;
	if (ms < *last_ms)
		fl_diag_error(c->d, &s->items[1]->loc,
			      "events must be in time order: this one comes before the one above");
	*last_ms = ms;
	if (!want_word(c, s, 2, "syslog or trap"))
		return true;
	if (is_word(s->items[2], "syslog")) {
		if (!want_kind(c, s, 3, FL_ITEM_STRING, "the syslog line in quotes"))
			return true;
		no_more(c, s, 4);
		if (!(ev = PUSH(c, test_events)))
			return false;
		ev->input = FL_RULE_INPUT_SYSLOG;
		ev->text = arena_str(c, s->items[3]->text, s->items[3]->len);
	} else if (is_word(s->items[2], "trap")) {
		uint8_t oid[512];
		size_t len;

		if (!at(s, 3) ||
		    (s->items[3]->kind != FL_ITEM_DOTTED && s->items[3]->kind != FL_ITEM_WORD)) {
			expected(c, s, 3, "the trap's OID (1.3.6.1... or a name: linkDown)");
			return true;
		}
		if (!oid_item(c, s->items[3], oid, &len))
			return true;
		if (!(ev = PUSH(c, test_events)))
			return false;
		ev->input = FL_RULE_INPUT_TRAP;
		ev->trap_oid = arena_str(c, (const char *)oid, len);
		test_trap_tail(c, s, ev);
	} else {
		static const char *const inputs[] = {"syslog", "trap"};

		keyword(c, s->items[2], "input", inputs, 2);
		return true;
	}
	ev->at_ms = ms;
	return true;
}

/* A test without 'year': the year (UTC) of the plan's earliest maintenance
 * window, else 0 (the decoder's nearest year to now). */
static int test_default_year(const struct fl_compile *c)
{
	int64_t first = INT64_MAX;
	time_t secs;
	struct tm tm;

	for (size_t w = 0; w < c->prog->n_windows; w++)
		if (c->prog->windows[w].start_ns && c->prog->windows[w].start_ns < first)
			first = c->prog->windows[w].start_ns;
	if (first == INT64_MAX)
		return 0;
	secs = (time_t)(first / 1000000000);
	return gmtime_r(&secs, &tm) ? tm.tm_year + 1900 : 0;
}

static void release_test_inventory(void *inv)
{
	fl_plan_data_free(inv);
}

/* The inventory of DIR, read with the plan's data file names (as --data DIR
 * would), or NULL after reporting why at `where`. Tests naming one directory
 * share one inventory: the earlier tests [0, index) are searched first. */
static const struct fl_inventory *test_inventory(struct fl_compile *c, const char *dir,
						 const struct fl_loc *where, uint32_t index)
{
	char *paths[FL_DATA__COUNT] = {0};
	const struct fl_loc *locs[FL_DATA__COUNT] = {0};
	struct fl_plan_data_counts counts;
	struct fl_inventory *inv = NULL;
	bool any = false;

	for (uint32_t i = 0; i < index; i++) {
		const struct fl_prog_test *t = &c->prog->tests[i];

		if (t->data_dir.p && strcmp(t->data_dir.p, dir) == 0)
			return t->inventory;
	}
	for (size_t k = 0; k < FL_DATA__COUNT; k++) {
		const struct fl_ast_stmt *s = c->data_stmts[k];
		const char *base;

		if (!s || s->nitems < 3)
			continue;
		base = strrchr(s->items[2]->text, '/');
		base = base ? base + 1 : s->items[2]->text;
		paths[k] = malloc(strlen(dir) + strlen(base) + 2);
		if (!paths[k]) {
			c->oom = true;
			goto out;
		}
		sprintf(paths[k], "%s/%s", dir, base);
		locs[k] = where;
		any = true;
	}
	if (!any) {
		fl_diag_error(c->d, where, "the plan names no data files to read from this directory");
		goto out;
	}
	if (fl_plan_data_load(&inv, (const char *const *)paths, locs, c->d, &counts) == -ENOMEM)
		c->oom = true;
	if (inv && fl_arena_defer(c->plan->arena, release_test_inventory, inv) < 0) {
		fl_plan_data_free(inv);
		inv = NULL;
		c->oom = true;
	}
out:
	for (size_t k = 0; k < FL_DATA__COUNT; k++)
		free(paths[k]);
	return inv;
}

/* data "DIR"; in a test: the test runs on the network of DIR (relative to
 * the file holding the test) whatever data the plan was compiled with. */
static void test_data(struct fl_compile *c, const struct fl_ast_stmt *s, uint32_t index,
		      struct fl_prog_test *t)
{
	const struct fl_ast_item *it = at(s, 1);
	char *dir;

	if (!want_kind(c, s, 1, FL_ITEM_STRING, "the test network's directory in quotes"))
		return;
	no_more(c, s, 2);
	if (t->data_dir.p) {
		fl_diag_error(c->d, &it->loc, "this test already names its data");
		return;
	}
	if (c->opt->no_files) {
		fl_diag_error(c->d, &it->loc, "data files are not read in this mode");
		return;
	}
	dir = path_join(c->file_paths[s->file], it->text);
	if (!dir) {
		c->oom = true;
		return;
	}
	t->inventory = test_inventory(c, dir, &it->loc, index);
	t->data_dir = arena_str(c, dir, strlen(dir));
	free(dir);
}

void compile_test(struct fl_compile *c, const struct fl_ast_stmt *st, uint32_t index)
{
	static const char *const words[] = {"at", "expect", "year", "data"};
	struct fl_prog_test *t;
	int year = 0;
	uint32_t first_event = (uint32_t)c->prog->n_test_events;
	uint32_t first_expect = (uint32_t)c->prog->n_expects;
	int64_t last_ms = 0;

	t = &c->prog->tests[index];
	for (const struct fl_ast_stmt *s = st->body; s; s = s->next) {
		int k = clause(c, s, "test clause", words, FL_ARRAY_LEN(words));

		if (k == 1)
			compile_expect(c, s);
		else if (k == 2)
			test_year(c, s, &year);
		else if (k == 3)
			test_data(c, s, index, t);
		else if (k == 0 && !test_event(c, s, &last_ms))
			return;
	}
	if (year == 0)
		year = test_default_year(c);
	t->year = year;
	t->first_event = first_event;
	t->n_events = (uint32_t)(c->prog->n_test_events - first_event);
	t->first_expect = first_expect;
	t->n_expects = (uint32_t)(c->prog->n_expects - first_expect);
	if (t->n_expects == 0)
		fl_diag_error(c->d, &st->items[1]->loc, "test \"%s\" expects nothing: add 'expect ...'",
			      st->items[1]->text);
}
