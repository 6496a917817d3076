/* inventory_int.h - private to the inventory modules (inventory.c,
 * inventory_check.c, inventory_tables.c, inventory_index.c,
 * inventory_contacts.c, topology.c): the layout of struct fl_inventory, its
 * arena and its name indexes, and the loader the first three share. Nothing
 * outside those files includes it. */
#ifndef FL_INVENTORY_INT_H
#define FL_INVENTORY_INT_H
#include <stdbool.h>
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
/* by_device_folded from the devices loaded: 0 or -ENOMEM. */
FL_MUST_CHECK int inv_index_devices_folded(struct fl_inventory *inv);
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

/* One end of a span in the site graph: the site across it and the span. */
struct inv_edge {
	size_t site; /* index of the site at the other end */
	const struct fl_inv_span *span;
};

struct fl_inventory {
	struct inv_arena arena;
	struct inv_vec sites, devices, rings, spans, chains, circuits, contacts, windows;
	struct inv_vec areas, srlgs;
	struct inv_index by_site, by_device, by_ring, by_span, by_chain, by_circuit;
	struct inv_index by_city, by_county, by_srlg, by_window;
	struct inv_index by_port;     /* (device id, port) -> span */
	struct inv_index by_mgmt_ip;  /* inv_ip_key(mgmt_ip) -> device */
	/* device id in ASCII lower case -> device; the index itself as the
	 * value when two ids differ only in case (then neither is found so) */
	struct inv_index by_device_folded;
	struct inv_index by_role;     /* (branch, role name) -> struct inv_contact_list */
	/* contact roles: the seven, then contacts.csv's own (arena strings) */
	const char *role_names[FL_INV_MAX_CONTACT_ROLES];
	size_t n_roles;
	struct inv_index by_customer; /* customer -> struct inv_contact_list */
	size_t ring_spans, chain_spans;
	/* The site graph (every span, ring, chain or backbone, joins the sites of
	 * its two devices): site i's edges are adj[adj_first[i] .. adj_first[i+1]).
	 * Built by inv_link(); topology.c walks it. */
	size_t *adj_first;
	struct inv_edge *adj;
};

/* Builds the derived lists (devices per site, circuits per span, downstream
 * devices, ...) once every table is loaded and checked. 0 or -ENOMEM. */
FL_MUST_CHECK int inv_link(struct fl_inventory *inv);

/* --- loading (inventory.c, inventory_check.c, inventory_tables.c) -----------
 * inventory.c reads each table's CSV and hands every row to the table's row
 * function (inventory_tables.c), which checks its fields with the checks of
 * inventory_check.c and files the record. Each check reports a bad field
 * through inv_report() and returns false; the row goes on. */

/* The tables, in the order they load: every reference points backwards. */
enum inv_table {
	INV_T_SITES,
	INV_T_RINGS,
	INV_T_DEVICES,
	INV_T_CHAINS,
	INV_T_SPANS,
	INV_T_CIRCUITS,
	INV_T_CONTACTS,
	INV_T_MAINT,
	INV_T__N
};

/* One field of a row, with where it stands for the messages. */
struct inv_cell {
	struct fl_str s; /* "" when the column is absent */
	size_t line, col;
	bool quoted;
};

/* A column a table reads, by header name. */
struct inv_column {
	const char *name;
	bool required;
};

/* One load: what it reads, where it reports, and the indexes only the
 * checks need. */
struct inv_loader {
	struct fl_inventory *inv;
	fl_inventory_error_fn on_error;
	void *ctx;
	const char *paths[INV_T__N];
	const struct fl_str *texts; /* fl_inventory_load_texts(): tables in memory */
	const char *file;
	bool have[INV_T__N]; /* table given and its header read */
	size_t nerrors;
	int rc_file;                   /* -ENOENT or -EFBIG seen */
	struct inv_index customers;    /* circuits.customer -> circuit */
	struct inv_index people;       /* contacts.name -> contact */
	struct inv_index contact_keys; /* (branch, role + mobile) -> contact */
};

/* Reads one row of a table into the inventory; 0 (bad fields are reported,
 * not returned) or -ENOMEM. */
typedef int (*inv_row_fn)(struct inv_loader *L, const struct inv_cell *c, size_t line);
/* The name of each table's file: "sites.csv", ... */
extern const char *const inv_table_names[INV_T__N];

/* Counts an error and passes it to the caller's handler (the first
 * FL_INVENTORY_MAX_ERRORS only), at L->file:line:col. */
FL_PRINTF(4, 5)
void inv_report(struct inv_loader *L, size_t line, size_t col, const char *fmt, ...);
/* The table a message should point the reader to: its path as given. */
const char *inv_table_path(const struct inv_loader *L, enum inv_table t);

/* Field checks: each reports a bad field and returns false (true: *out set). */
bool inv_need(struct inv_loader *L, const struct inv_cell *c, const char *what);
bool inv_check_id(struct inv_loader *L, const struct inv_cell *c, const char *what);
bool inv_parse_enum(struct inv_loader *L, const struct inv_cell *c, const char *what,
                    const char *const *names, size_t n, int *out);
/* ASCII letters in lower case, other bytes as they are: DNS names and the
 * known names of the tables compare so. */
static inline char inv_fold_ascii(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* s without the spaces and tabs around it (`a, b` and `S01; S02` as tables
 * are written by hand); *skipped the bytes dropped before it. */
static inline struct fl_str inv_trim_blanks(struct fl_str s, size_t *skipped)
{
	*skipped = 0;
	while (s.len && (s.p[0] == ' ' || s.p[0] == '\t')) {
		s.p++;
		s.len--;
		(*skipped)++;
	}
	while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
		s.len--;
	return s;
}

/* Is s the name `name` (NUL-terminated), ASCII letters in either case? */
static inline bool inv_eq_folded(struct fl_str s, const char *name)
{
	size_t k = 0;

	while (k < s.len && name[k] && inv_fold_ascii(s.p[k]) == inv_fold_ascii(name[k]))
		k++;
	return k == s.len && !name[k];
}

/* An enumeration open to new names: one of names in any case (*out its
 * index), or a name of its own (*out -1) unless it is within two edits of
 * one of names, a typo reported as inv_parse_enum() does; empty, longer
 * than FL_INVENTORY_MAX_NAME_BYTES or holding a control character is
 * reported too. */
bool inv_parse_open_enum(struct inv_loader *L, const struct inv_cell *c, const char *what,
                         const char *const *names, size_t n, int *out);
bool inv_parse_uint(struct inv_loader *L, const struct inv_cell *c, const char *what, size_t min,
                    size_t max, size_t *out);
bool inv_parse_decimal(struct inv_loader *L, const struct inv_cell *c, const char *what,
                       double min, double max, double *out);
bool inv_parse_yesno(struct inv_loader *L, const struct inv_cell *c, const char *what, bool *out);
bool inv_check_port(struct inv_loader *L, const struct inv_cell *c, const char *what);
/* A mgmt_ip: dotted IPv4 (no leading zeros) or IPv6 text; key set to the
 * address as inv_ip_key() indexes it. */
bool inv_check_ip(struct inv_loader *L, const struct inv_cell *c, unsigned char key[16]);
/* The 16 bytes an address is indexed by: IPv6 as is, IPv4 as ::ffff:a.b.c.d
 * (how a dual-stack socket shows an IPv4 sender), so every spelling of one
 * address is one key. False when text is neither. */
bool inv_ip_key(struct fl_str text, unsigned char key[16]);
/* Splits a `;`-separated list into item cells. Returns the count, or SIZE_MAX
 * after reporting an empty item or more than FL_INVENTORY_MAX_LIST items. */
size_t inv_split_list(struct inv_loader *L, const struct inv_cell *c, const char *what,
                      struct inv_cell *items);
/* The key of ix nearest to s (one or two edits), or FL_STR_NONE. */
struct fl_str inv_suggest_key(const struct inv_index *ix, struct fl_str s);

/* How inventory.c loads a table: its columns and its row function. */
struct inv_table_def {
	const struct inv_column *cols;
	size_t ncols;
	inv_row_fn row;
};
extern const struct inv_table_def inv_tables[INV_T__N];

/* Whole-table checks, run once their tables are loaded: after devices.csv
 * every ring position must be held; after spans.csv every ring and chain link
 * must have its span. */
void inv_check_ring_positions(struct inv_loader *L);
void inv_check_chain_parents(struct inv_loader *L);
void inv_check_span_coverage(struct inv_loader *L);

#endif /* FL_INVENTORY_INT_H */
