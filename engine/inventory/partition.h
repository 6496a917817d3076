/* partition.h - which engine owns which part of the network.
 *
 * A national operator runs one faultline per region of its network, all on
 * one PostgreSQL store. The partition map says which engine (partition) owns
 * each site, and so each device (by its site) and each span. It comes from
 * the data directory:
 *  - with no partitions.csv, each city of sites.csv is a partition named as
 *    the city;
 *  - with partitions.csv (columns partition,kind,target; kind one of city,
 *    site, ring, span), `city` and `site` rows give sites to a partition (a
 *    site row wins over its city's row: that is how a site is carved out),
 *    and `ring` and `span` rows say who owns spans whose two ends lie in
 *    different partitions.
 * A span whose ends are in one partition belongs to it. A span whose ends
 * are in two (a backbone span) belongs to exactly one: its `span` row, else
 * its ring's `ring` row, else the partition of its a end (the a_device of
 * spans.csv). The rule is the same on every engine, so all agree.
 *
 * Ownership and threads: the map borrows the inventory (which must outlive
 * it) and owns its tables; it never changes after the load, so any thread
 * may query it. No global state.
 *
 * Errors: the load reports every problem of partitions.csv (an unknown
 * city, site, ring or span, a kind that is none of the four, a site or city
 * given to two partitions, a partition left with no site, a site in none)
 * through on_error with file:line:col, like the inventory's own tables
 * (a site in none at its sites.csv line), all in one run, then fails with
 * -EINVAL. */
#ifndef FL_PARTITION_H
#define FL_PARTITION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/inventory/inventory.h"
#include "engine/lib/compiler.h"
#include "engine/lib/str.h"

#define FL_PARTITION_FILE "partitions.csv"
#define FL_PARTITION_MAX 256 /* partitions in one map; more is a load error */
#define FL_PARTITION_NONE SIZE_MAX

struct fl_partition_map;

/* Lifecycle. load: the map of the data directory data_dir (partitions.csv
 * when it exists there, else one partition per city). load_text: from a
 * text (NULL text: by city), errors naming `file`. Return 0 and set *out;
 * -EINVAL after reporting every error; -ENOMEM; -EIO (unreadable file,
 * reported). on_error may be NULL. Free with fl_partition_map_free(). */
FL_MUST_CHECK int fl_partition_map_load(struct fl_partition_map **out,
					const struct fl_inventory *inv, const char *data_dir,
					fl_inventory_error_fn on_error, void *ctx);
FL_MUST_CHECK int fl_partition_map_load_text(struct fl_partition_map **out,
					     const struct fl_inventory *inv, const char *file,
					     const struct fl_str *text,
					     fl_inventory_error_fn on_error, void *ctx);
void fl_partition_map_free(struct fl_partition_map *m); /* NULL ok */

/* Queries. Partitions are numbered 0..count-1 in the order first named
 * (by city: sites.csv order). find: the number of a name or
 * FL_PARTITION_NONE. name: borrowed from the map. */
size_t fl_partition_count(const struct fl_partition_map *m);
const char *fl_partition_name(const struct fl_partition_map *m, size_t part);
size_t fl_partition_find(const struct fl_partition_map *m, struct fl_str name);

/* The partition of a site, a device (its site's) and the owner of a span;
 * FL_PARTITION_NONE for NULL. */
size_t fl_partition_of_site(const struct fl_partition_map *m, const struct fl_inv_site *s);
size_t fl_partition_of_device(const struct fl_partition_map *m, const struct fl_inv_device *d);
size_t fl_partition_of_span(const struct fl_partition_map *m, const struct fl_inv_span *sp);

/* Whether partition part must see the lines of device d: d is its own, or
 * d is an end of a span part owns (a backbone span from another partition:
 * the owner must see both ends to locate a cut as one incident). */
bool fl_partition_sees_device(const struct fl_partition_map *m, size_t part,
			      const struct fl_inv_device *d);

#endif /* FL_PARTITION_H */
