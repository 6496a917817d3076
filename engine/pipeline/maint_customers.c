/* maint_customers.c - the customers a window affects, recorded for their
 * consent (maint_customers.h). */
#include "engine/pipeline/maint_customers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/pipeline/announce.h"
#include "engine/store/consent.h"
#include "engine/store/store.h"
#include "grammar/program.h"

#define CONSENT_CUSTOMERS_MAX 512 /* FL_ANNOUNCE_CIRCUITS_MAX: one circuit each at most */

struct customer_list {
	const char *names[CONSENT_CUSTOMERS_MAX];
	size_t n;
};

static int customer_take(void *ctx, const char *customer)
{
	struct customer_list *l = ctx;

	if (l->n < CONSENT_CUSTOMERS_MAX)
		l->names[l->n++] = customer;
	return 0;
}

static int scope_of(const char *scope, enum fl_window_scope *out)
{
	static const char *const scopes[] = {
#define X(name, text) text,
		FL_WINDOW_SCOPES(X)
#undef X
	};

	for (size_t k = 0; scope && k < sizeof(scopes) / sizeof(scopes[0]); k++)
		if (strcmp(scope, scopes[k]) == 0) {
			*out = (enum fl_window_scope)k;
			return 0;
		}
	return -EINVAL;
}

int fl_maint_customers_record(struct fl_store *s, const struct fl_program *prog, int64_t window,
                              const char *scope, const char *target, size_t *n_out)
{
	struct fl_announce_window w = {.id = "consent", .target = target, .start_ns = 0,
	                               .end_ns = 1};
	struct fl_announcer *an = NULL;
	struct customer_list *l;
	int rc;

	*n_out = 0;
	if (scope_of(scope, &w.scope) < 0)
		return -EINVAL;
	if (!(l = calloc(1, sizeof(*l))))
		return -ENOMEM;
	rc = fl_announcer_create(&an, prog, NULL);
	if (rc == 0)
		rc = fl_announcer_customers(an, &w, customer_take, l);
	if (rc == 0)
		rc = fl_consent_customers_add(s, window, l->names, l->n);
	if (rc == 0)
		*n_out = l->n;
	fl_announcer_destroy(an);
	free(l);
	return rc;
}
