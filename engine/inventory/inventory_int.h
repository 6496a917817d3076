/* inventory_int.h - private to the inventory modules (inventory.c,
 * inventory_index.c, inventory_contacts.c, topology.c): the layout of
 * struct fl_inventory, its arena and its name indexes. Nothing outside those
 * files includes it. */
#ifndef FL_INVENTORY_INT_H
#define FL_INVENTORY_INT_H
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"
#include "engine/inventory/inventory.h"
#include "engine/lib/str.h"

/* Bump allocator: records, strings and arrays live until fl_inventory_free(),
 * which releases the chunks in one go. */
struct inv_chunk;
struct inv_arena {
	struct inv_chunk *head;
	size_t bytes; /* allocated in total, for the bench figures */
};

void *inv_arena_alloc(struct inv_arena *a, size_t size);      /* zeroed; NULL: ENOMEM */
char *inv_arena_strdup(struct inv_arena *a, struct fl_str s); /* NUL added */
void inv_arena_free(struct inv_arena *a);

/* Open-addressing hash table (linear probing, power-of-two capacity, at most
 * half full) from a key of one or two strings to a pointer. Keys are borrowed
 * and must outlive the index (they point into the arena). */
struct inv_slot {
	const char *k1, *k2;
	size_t len1, len2;
	uint64_t hash;
	const void *value; /* NULL: empty slot */
};

struct inv_index {
	struct inv_slot *slots;
	size_t cap, n;
};

/* Inserts unless the key is there. Returns 0 and sets *existing to NULL when
 * inserted; 0 with *existing set to the present value when the key is taken
 * (nothing changes); -ENOMEM. */
FL_MUST_CHECK int inv_index_put(struct inv_index *ix, struct fl_str k1, struct fl_str k2,
                                const void *value, const void **existing);
const void *inv_index_get(const struct inv_index *ix, struct fl_str k1, struct fl_str k2);
void inv_index_free(struct inv_index *ix);

/* A growable array of record pointers, used while loading. */
struct inv_vec {
	void **items;
	size_t n, cap;
};
FL_MUST_CHECK int inv_vec_push(struct inv_vec *v, void *item);
void inv_vec_free(struct inv_vec *v);

/* The contacts filling one role at one branch, in contacts.csv order. */
struct inv_contact_list {
	const struct fl_inv_contact **items;
	size_t n;
};

struct fl_inventory {
	struct inv_arena arena;
	struct inv_vec sites, devices, rings, spans, chains, circuits, contacts, windows;
	struct inv_vec areas, srlgs;
	struct inv_index by_site, by_device, by_ring, by_span, by_chain, by_circuit;
	struct inv_index by_city, by_county, by_srlg, by_window;
	struct inv_index by_port;     /* (device id, port) -> span */
	struct inv_index by_mgmt_ip;  /* mgmt_ip -> device, for the duplicate check */
	struct inv_index by_role;     /* (branch, role name) -> struct inv_contact_list */
	struct inv_index by_customer; /* customer -> struct inv_contact_list */
	size_t ring_spans, chain_spans;
};

/* Builds the derived lists (devices per site, circuits per span, downstream
 * devices, ...) once every table is loaded and checked. 0 or -ENOMEM. */
FL_MUST_CHECK int inv_link(struct fl_inventory *inv);

#endif /* FL_INVENTORY_INT_H */
