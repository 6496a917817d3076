/* maint_consent.h - `faultline maintenance` and customers' consent: the
 * customers a window affects recorded when it is added with its plan,
 * `consent` (a customer asked, given, refused), `show` (a window and each
 * customer's word) and the notice period of the warning
 * (engine/store/consent.h). */
#ifndef FL_MAINT_CONSENT_H
#define FL_MAINT_CONSENT_H
#include <stdbool.h>
#include <stdint.h>

struct fl_store;

struct fl_maint_consent_args {
	const char *id, *customer, *note, *by, *plan, *data;
	bool asked, given, refused;
};

/* Records the customers the window affects by the plan's inventory (the
 * circuits over scope/target) and says how many. 0, or 1 (told why). */
int fl_cli_maint_customers(struct fl_store *s, int64_t window, const char *scope,
                           const char *target, const char *plan, const char *data);

/* `consent ID --customer NAME (--asked|--given|--refused)`; with -c the
 * window's customers are recorded first. Exit status: 0, 1 refused, 2 usage. */
int fl_cli_maint_consent(struct fl_store *s, const struct fl_maint_consent_args *a,
                         int64_t now_ns);

/* `show ID`: the window, each customer's consent and the warning. */
int fl_cli_maint_show(struct fl_store *s, const struct fl_maint_consent_args *a, int64_t now_ns);

/* The notice period of the warning: the plan's longest `announce maintenance
 * before` when plan is given (its data with it), else -1 (the default). */
int64_t fl_cli_maint_notice_ms(const char *plan, const char *data);

#endif /* FL_MAINT_CONSENT_H */
