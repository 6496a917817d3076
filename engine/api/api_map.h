/* api_map.h - the network map of GET /api/map (docs/board.md): every site of
 * the inventory where sites.csv puts it, every span as a line between the
 * sites of its two devices, and what the cuts of the open incidents do.
 *
 * A span an open incident locates as cut is "cut"; the other spans of a ring
 * with a cut span are "unprotected" (the ring runs the other way round, one
 * more cut isolates); a site is "isolated" when every device standing there
 * has lost its path (fl_inventory_ring_state() for rings cut twice or more,
 * the devices behind a cut chain span, and the chains hanging off an
 * isolated ring device). A site at 0,0 has no coordinates worth drawing
 * (sites.csv needs a number): it is listed under "unplaced".
 *
 * Pure: reads the inventory (immutable, any thread) and writes JSON. The
 * work arrays are allocated per call and freed before it returns. */
#ifndef FL_API_MAP_H
#define FL_API_MAP_H
#include <stdbool.h>
#include <stddef.h>

#include "engine/lib/compiler.h"

struct fl_buf;
struct fl_inventory;

/* Appends the map for the spans named in cut_ids[ncuts] (duplicates count
 * once; names the inventory does not know are listed in "unknown_cuts") to
 * out; is_truncated: the caller had more cuts than it passed ("cuts_truncated"). inv NULL: no inventory, an empty map that says so. Coordinates are
 * written as micro-degrees ("lat_e6", "lon_e6"): integers, exact in JSON.
 * Returns 0 or -ENOMEM (out may then hold part of the map). */
FL_MUST_CHECK int fl_api_map_json(const struct fl_inventory *inv, const char *const *cut_ids,
				  size_t ncuts, bool is_truncated, struct fl_buf *out);

#endif /* FL_API_MAP_H */
