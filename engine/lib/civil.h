/* civil.h - the proleptic Gregorian calendar as day numbers: what timegm()
 * and gmtime_r() would give, without reading TZ or leaving POSIX, for any
 * year (H. Hinnant's days_from_civil and civil_from_days). Pure functions:
 * any thread, any engine. */
#ifndef FL_CIVIL_H
#define FL_CIVIL_H
#include <stdbool.h>
#include <stdint.h>

/* Days since 1970-01-01 of y-m-d; m 1..12, d may run past the month's end
 * (the 32nd of January is the 1st of February). */
int64_t fl_days_from_civil(int64_t y, unsigned m, unsigned d);
/* The year, month (1..12) and day of a day number. */
void fl_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
bool fl_is_leap_year(int64_t y);
/* 28..31; 0 for a month outside 1..12. */
unsigned fl_days_in_month(int64_t y, unsigned m);

#endif /* FL_CIVIL_H */
