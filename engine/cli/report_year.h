/* report_year.h - `faultline report --year YEAR`: each branch's year, the
 * tickets of its area beside the dispatch directives it received, and
 * whether its directives pass the yearly evaluation (report_year.c). */
#ifndef FL_REPORT_YEAR_H
#define FL_REPORT_YEAR_H
#include <stdbool.h>
#include <stdint.h>

struct fl_store;

/* Prints the table (or one JSON document) on stdout: tickets opened and
 * directives issued in the UTC year, clocks judged at as_of_ns. Returns 0,
 * -EINVAL (a year with no calendar), -ENOMEM or the store's error. */
int fl_report_year(struct fl_store *s, uint32_t year, int64_t as_of_ns, bool json);

#endif /* FL_REPORT_YEAR_H */
