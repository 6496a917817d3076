/* tickets_open.h - `faultline tickets open`: a fault phoned in to the 7x24
 * hotline becomes a ticket (engine/store/hotline.h writes it).
 *
 * The command checks the report against the plan: the level must be one of
 * its levels (whose clocks the ticket runs), and every customer, circuit,
 * site, span, device, city and county named must be in its inventory (a
 * name it does not know is refused with the closest one it does). A known
 * customer brings its circuits, a circuit its customer, a site or device
 * its city, county and location class, so the ticket reads like an alarm's
 * and an alarm that later locates the fault can find it. */
#ifndef FL_TICKETS_OPEN_H
#define FL_TICKETS_OPEN_H
#include <stdint.h>

struct fl_store;

/* The options of `tickets open`, borrowed from argv. */
struct fl_ticket_open_args {
	const char *level, *text, *caller, *customer, *circuit, *site, *span, *device, *city,
	    *county, *loc_class, *plan, *data;
};

/* Opens the ticket in s as `by` at now_ns and prints its id. Returns the
 * exit status: 0 opened, 1 refused (one line on stderr says why), 2 usage. */
int fl_cli_tickets_open(struct fl_store *s, const struct fl_ticket_open_args *o, const char *by,
                        int64_t now_ns);

#endif /* FL_TICKETS_OPEN_H */
