/* maint_customers.h - the customers a maintenance window affects, written
 * into the store as the people whose consent it needs: the same circuits
 * over the window's target that its announcements would name (announce.h),
 * so who is told and who is asked never differ. Shared by the command line
 * and the API. */
#ifndef FL_MAINT_CUSTOMERS_H
#define FL_MAINT_CUSTOMERS_H
#include <stddef.h>
#include <stdint.h>

struct fl_store;
struct fl_program;

/* Records in s the customers of window (scope "span", "site", ..., target
 * an inventory name) by prog's inventory; *n_out: how many. 0, -EINVAL (an
 * unknown scope), -ENOMEM, or the store's negative errno. */
int fl_maint_customers_record(struct fl_store *s, const struct fl_program *prog, int64_t window,
                              const char *scope, const char *target, size_t *n_out);

#endif /* FL_MAINT_CUSTOMERS_H */
