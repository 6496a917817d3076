/* keytab.h - keyed state table with a cap and least-recently-used eviction.
 *
 * Correlation keeps state per key: a dedup window per (rule, host, port,
 * alarm), a pair waiting for its clear, a heartbeat per device. The table maps
 * a key (any bytes, up to key_max) to a fixed-size state slot whose layout the
 * caller defines (val_size at create). It owns the slots and copies of the
 * keys; the caller gets a pointer to the slot, stable until that key is
 * deleted or evicted.
 *
 * Full: at most max_keys live keys. Inserting one more evicts the least
 * recently used key (inserted or looked up with get/upsert the longest ago);
 * the owner's on_evict callback sees its key and slot first, so it can count
 * or log the state it loses (limits.h: keytab.evicted). Keys longer than
 * key_max are refused and counted (keytab.key_too_long). Memory grows with the
 * live keys, up to max_keys records plus an index of 8 bytes per bucket at
 * most 3/4 full; fl_keytab_stats() reports the bytes held.
 *
 * Hashing: open addressing with linear probing over a seeded hash (hash.h),
 * deletion by backward shift (no tombstones, no slow decay). The index
 * doubles when 3/4 full: one O(n) rehash, so the owner may size it at create
 * (expected_keys) to keep that off the hot path.
 *
 * Threads: one table, one owner thread (a shard). on_evict runs inside
 * fl_keytab_upsert() and must not call back into the same table. */
#ifndef FL_KEYTAB_H
#define FL_KEYTAB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/lib/compiler.h"

struct fl_keytab;

/* Sees an evicted key and its slot just before both are reused. */
typedef void fl_keytab_evict_fn(const void *key, size_t key_len, void *val, void *ctx);
/* Replaces the built-in hash (tests force collisions with it). */
typedef uint64_t fl_keytab_hash_fn(const void *key, size_t key_len, uint64_t seed);
/* Visits one entry; return false to stop. */
typedef bool fl_keytab_visit_fn(const void *key, size_t key_len, void *val, void *ctx);

struct fl_keytab_config {
	size_t val_size;      /* bytes of state per key, 1..FL_KEYTAB_VAL_MAX */
	size_t key_max;	      /* longest key accepted, 1..FL_KEYTAB_KEY_MAX */
	size_t max_keys;      /* live keys at most, 1..FL_KEYTAB_MAX_KEYS */
	size_t expected_keys; /* index sized for this many up front (0: small) */
	uint64_t seed;	      /* hash seed; 0: a random one (tests pin it) */
	fl_keytab_hash_fn *hash;      /* NULL: fl_hash64() (hash.h) */
	fl_keytab_evict_fn *on_evict; /* may be NULL */
	void *ctx;		      /* passed to on_evict */
};

struct fl_keytab_stats {
	size_t live;	       /* keys now */
	size_t high_water;     /* most keys ever live at once */
	uint64_t inserted;     /* new keys */
	uint64_t evicted;      /* keys pushed out by the cap */
	uint64_t deleted;      /* keys removed by fl_keytab_delete() */
	uint64_t key_too_long; /* keys refused: longer than key_max */
	uint64_t rehashes;     /* times the index doubled */
	size_t bytes;	       /* memory held: records, index, chunk table */
};

/* Lifecycle. Returns 0, -EINVAL (a config field out of range) or -ENOMEM;
 * *out is set only on success. destroy accepts NULL; it does not call
 * on_evict (the owner is going away with its state). */
FL_MUST_CHECK int fl_keytab_create(struct fl_keytab **out, const struct fl_keytab_config *cfg);
void fl_keytab_destroy(struct fl_keytab *kt);

/* Operations.
 * upsert: the slot of key, inserting it (slot zero-filled, *is_new = true)
 * when absent; either way the key becomes the most recently used. Inserting
 * into a full table evicts the oldest key first. Returns 0, -EMSGSIZE (key
 * longer than key_max, or empty; counted) or -ENOMEM; *val and *is_new are
 * set only on success (is_new may be NULL).
 * delete: removes key without calling on_evict. Returns 0 or -ENOENT. */
FL_MUST_CHECK int fl_keytab_upsert(struct fl_keytab *kt, const void *key, size_t key_len,
				   void **val, bool *is_new);
int fl_keytab_delete(struct fl_keytab *kt, const void *key, size_t key_len);
/* delete_slot: removes the key whose slot is val (a pointer this table handed
 * out for a live key), as delete does. */
void fl_keytab_delete_slot(struct fl_keytab *kt, void *val);

/* Queries. get: the slot of key, made most recently used, or NULL.
 * peek: the same without touching the recency order.
 * foreach: visits entries from the least to the most recently used; fn must
 * not insert or delete. */
void *fl_keytab_get(struct fl_keytab *kt, const void *key, size_t key_len);
void *fl_keytab_peek(const struct fl_keytab *kt, const void *key, size_t key_len);
void fl_keytab_foreach(const struct fl_keytab *kt, fl_keytab_visit_fn *fn, void *ctx);
size_t fl_keytab_count(const struct fl_keytab *kt);
/* Starts loading what a lookup in a small table reads, ahead of it. */
void fl_keytab_prefetch(const struct fl_keytab *kt);
void fl_keytab_stats(const struct fl_keytab *kt, struct fl_keytab_stats *out);

#endif /* FL_KEYTAB_H */
