/* plan_data.h - the data files a plan names (inventory, topology, contacts).
 *
 * The compiler resolves each `data KIND "file";` path (relative to the plan
 * file that names it, or inside --data DIR) and hands the set here. Problems
 * are reported to the diagnostic list: a file that cannot be read at the data
 * statement that names it, a bad row or column at file:line:col of the CSV. */
#ifndef FL_PLAN_DATA_H
#define FL_PLAN_DATA_H
#include "engine/lib/compiler.h"
#include "grammar/program.h"

struct fl_diags;
struct fl_loc;

/* Counts of what was loaded, for `faultline check`'s summary. */
struct fl_plan_data_counts {
	size_t devices, sites, rings, spans, chains, circuits, contacts, windows;
	size_t files; /* data files named and readable */
};

/* paths[k]/locs[k]: NULL when the plan does not name kind k. Returns 0, or
 * -EINVAL after reporting, -ENOMEM. *out may stay NULL (no data named). */
int fl_plan_data_load(struct fl_inventory **out, const char *const paths[FL_DATA__COUNT],
		      const struct fl_loc *const locs[FL_DATA__COUNT], struct fl_diags *d,
		      struct fl_plan_data_counts *counts) FL_MUST_CHECK;
void fl_plan_data_free(struct fl_inventory *inv);

/* The plan's `require ROLE on_24h;`: warns, at the on_24h cell of the
 * contacts file, about each contact holding a role of role_mask (bits
 * 1u << enum fl_inv_contact_role) whose mobile is not answered 24 h.
 * Returns the number of warnings. */
size_t fl_plan_data_require_24h(const struct fl_inventory *inv, const char *contacts_path,
				unsigned role_mask, struct fl_diags *d);

#endif /* FL_PLAN_DATA_H */
