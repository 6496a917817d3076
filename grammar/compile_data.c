/* compile_data.c - pass 5: load the data files the plan names and check the
 * plan against them. */
#include "grammar/compile_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/inventory/inventory.h"

static void release_inventory(void *inv)
{
	fl_plan_data_free(inv);
}

void load_data(struct fl_compile *c, struct fl_plan_data_counts *counts)
{
	char *paths[FL_DATA__COUNT] = {0};
	const struct fl_loc *locs[FL_DATA__COUNT] = {0};
	struct fl_inventory *inv = NULL;
	bool any = false;
	int rc;

	for (size_t k = 0; k < FL_DATA__COUNT; k++) {
		const struct fl_ast_stmt *s = c->data_stmts[k];
		const char *rel, *base;
		char *p;

		if (!s)
			continue;
		rel = s->items[2]->text;
		if (c->opt->data_dir) {
			/* --data DIR keeps the file names and swaps their directory */
			base = strrchr(rel, '/');
			base = base ? base + 1 : rel;
			p = malloc(strlen(c->opt->data_dir) + strlen(base) + 2);
			if (p)
				sprintf(p, "%s/%s", c->opt->data_dir, base);
		} else {
			p = path_join(c->file_paths[s->file], rel);
		}
		if (!p) {
			c->oom = true;
			goto out;
		}
		paths[k] = p;
		locs[k] = &s->items[2]->loc;
		any = true;
	}
	if (!any)
		return;
	/* what the rules need from the data, when the plan names data at all */
	for (size_t r = 0; r < c->prog->n_rules && c->rule_stmts; r++) {
		const struct fl_prog_rule *rule = &c->prog->rules[r];
		const struct fl_ast_stmt *s = c->rule_stmts[r];

		if (rule->lookup != FL_LOOKUP_NONE && !c->data_stmts[FL_DATA_DEVICES] && s)
			fl_diag_error(c->d, &s->items[1]->loc,
				      "rule '%s' looks devices up, but the plan names no "
				      "'data devices' file", rule->name.p);
	}
	for (size_t k = 0; k < c->prog->n_correlations; k++) {
		const struct fl_prog_correlation *cr = &c->prog->correlations[k];
		const struct sym *s = sym_find(&c->correlations, cr->name.p);
		enum fl_data_kind need = cr->locate == FL_LOCATE_SPAN ? FL_DATA_SPANS : FL_DATA_SITES;

		if (cr->locate != FL_LOCATE_GROUP && !c->data_stmts[need] && s)
			fl_diag_error(c->d, s->loc, "correlation '%s' locates %ss, but the plan names "
				      "no 'data %ss' file", cr->name.p,
				      cr->locate == FL_LOCATE_SPAN ? "span" : "site",
				      cr->locate == FL_LOCATE_SPAN ? "span" : "site");
	}
	if (c->opt->no_files) {
		for (size_t k = 0; k < FL_DATA__COUNT; k++)
			if (locs[k])
				fl_diag_error(c->d, locs[k], "data files are not read in this mode");
		goto out;
	}
	for (size_t k = 0; k < FL_DATA__COUNT; k++)
		if (paths[k])
			c->prog->data_paths[k] = arena_str(c, paths[k], strlen(paths[k]));
	rc = fl_plan_data_load(&inv, (const char *const *)paths, locs, c->d, counts);
	if (rc == -ENOMEM)
		c->oom = true;
	if (inv && fl_arena_defer(c->plan->arena, release_inventory, inv) < 0) {
		fl_plan_data_free(inv);
		inv = NULL;
		c->oom = true;
	}
	c->prog->inventory = inv;
out:
	for (size_t k = 0; k < FL_DATA__COUNT; k++)
		free(paths[k]);
}

/* With the data loaded: roles must be contacts.csv roles, every role the
 * contacts hold should be reachable from some ladder, and maintenance windows
 * must name things that exist. */
void check_against_data(struct fl_compile *c)
{
	const struct fl_program *p = c->prog;
	const struct fl_inventory *inv = p->inventory;
	const char *role_names[FL_INV_MAX_CONTACT_ROLES];
	bool held[FL_INV_MAX_CONTACT_ROLES] = {0}, named[FL_INV_MAX_CONTACT_ROLES] = {0};
	const size_t n_roles = fl_inventory_role_count(inv);
	const struct fl_inv_contact *ct;

	for (size_t r = 0; r < n_roles; r++)
		role_names[r] = fl_inventory_role_name(inv, (unsigned)r);
	if (c->data_stmts[FL_DATA_CONTACTS]) {
		for (size_t i = 0; (ct = fl_inventory_contact_at(inv, i)) != NULL; i++)
			held[ct->role] = true;
		for (size_t i = 0; i < c->roles.cap; i++) {
			const struct sym *s = &c->roles.v[i];
			enum fl_inv_contact_role r;

			if (!s->name)
				continue;
			if (fl_inventory_role_find(inv, fl_str_make(s->name, strlen(s->name)), &r) < 0) {
				unknown(c, s->loc, "contact role", s->name, role_names, n_roles);
				continue;
			}
			if (!held[r])
				fl_diag_warning(c->d, s->loc, "no contact in the contacts file holds role '%s'",
						s->name);
		}
		for (size_t i = 0; i < p->n_steps; i++) {
			enum fl_inv_contact_role r;

			if (p->steps[i].role != FL_PROG_NONE &&
			    fl_inventory_role_find(inv, p->roles[p->steps[i].role], &r) == 0)
				named[r] = true;
		}
		for (size_t i = 0; i < p->n_duties; i++) { /* a duty reminds its role */
			enum fl_inv_contact_role r;

			if (p->duties[i].role < p->n_roles &&
			    fl_inventory_role_find(inv, p->roles[p->duties[i].role], &r) == 0)
				named[r] = true;
		}
		{
			unsigned mask = 0;

			for (size_t i = 0; i < c->n_require_24h; i++) {
				enum fl_inv_contact_role r;
				const char *name = c->require_24h[i];

				if (fl_inventory_role_find(inv, fl_str_make(name, strlen(name)), &r) == 0)
					mask |= 1u << r;
			}
			if (mask)
				fl_plan_data_require_24h(inv, p->data_paths[FL_DATA_CONTACTS].p, mask,
							 c->d);
		}
		for (size_t r = 0; r < n_roles; r++)
			if (held[r] && !named[r])
				fl_diag_warning(c->d, &c->data_stmts[FL_DATA_CONTACTS]->items[2]->loc,
						"contacts hold role '%s', which no ladder step notifies",
						role_names[r]);
	}
	for (size_t i = 0; i < p->n_windows; i++) {
		const struct fl_prog_window *w = &p->windows[i];
		const struct sym *s = sym_find(&c->windows, w->name.p);
		bool found = true;
		const char *kind = "";

		if (!w->target.p || !s)
			continue;
		switch (w->scope) {
		case FL_WSCOPE_DEVICE: found = fl_inventory_device(inv, w->target) != NULL; kind = "device"; break;
		case FL_WSCOPE_SITE: found = fl_inventory_site(inv, w->target) != NULL; kind = "site"; break;
		case FL_WSCOPE_RING: found = fl_inventory_ring(inv, w->target) != NULL; kind = "ring"; break;
		case FL_WSCOPE_SPAN: found = fl_inventory_span(inv, w->target) != NULL; kind = "span"; break;
		case FL_WSCOPE_CITY: found = fl_inventory_city(inv, w->target) != NULL; kind = "city"; break;
		}
		if (!found)
			fl_diag_error(c->d, s->loc, "maintenance '%s' covers %s '%s', which the data does not hold",
				      w->name.p, kind, w->target.p);
	}
}
