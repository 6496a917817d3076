/* keytab.c - open-addressing index over chunked fixed-size records.
 *
 * Records: [struct rec][value: val_size bytes][key: key_max bytes], 8-byte
 * aligned, allocated in chunks that are never moved, so value pointers stay
 * valid. The first chunks grow from 16 records to 1024 and the rest hold 1024
 * each: an engine keeps one table per rule, and most rules hold a few keys,
 * so a small table must not spread its records over a 1024-record chunk.
 * Records are numbered; a free list threads through the ones deleted. The LRU
 * order is a doubly linked list of record numbers (newest at head).
 *
 * Index: buckets of {32 bits of hash, record number + 1}; 0 is empty. The
 * hash bits in the bucket give the home slot when shifting back on delete,
 * and reject almost every non-matching key without touching its record. */
#include "engine/lib/keytab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/hash.h"
#include "engine/lib/limits.h"

#define NONE UINT32_MAX
#define CHUNK_SHIFT 10
#define CHUNK_RECS (1u << CHUNK_SHIFT)
#define FIRST_SHIFT 2 /* the first chunk holds 4 records, the next 8, ... */
#define GROWING_CHUNKS (CHUNK_SHIFT - FIRST_SHIFT)
#define GROWING_RECS (CHUNK_RECS - (1u << FIRST_SHIFT)) /* records in those */
#define MIN_BUCKETS 16u
#define NEAR_CHUNKS 8u

struct rec {
	uint32_t newer, older; /* LRU links; a free record keeps the free list in older */
	uint32_t hash;	       /* low 32 bits of the key's hash */
	uint32_t key_len;
};

struct bucket {
	uint32_t hash;
	uint32_t ref; /* record number + 1; 0: empty */
};

/* An engine has a table per rule and an event looks up a key in another
 * rule's table each time: what a lookup reads comes first, and a small
 * table's chunk list and index live in the table itself, so a lookup in it
 * reads four adjacent cache lines (fl_keytab_prefetch) and then the record. */
struct fl_keytab {
	struct bucket *buckets;
	uint32_t mask; /* buckets - 1 */
	unsigned char **chunks;
	size_t rec_size, key_off; /* record stride; offset of the key bytes */
	size_t key_max;
	uint64_t seed;
	fl_keytab_hash_fn *hash;
	unsigned char *near_chunks[NEAR_CHUNKS]; /* chunks, until there are more */
	struct bucket small[MIN_BUCKETS];	 /* buckets, until there are more */
	struct fl_keytab_config cfg;
	size_t n_chunks, chunks_cap;
	uint32_t next_unused; /* records below this were handed out at least once */
	uint32_t chunk_end;   /* records below this have a chunk */
	uint32_t free_head;
	uint32_t newest, oldest;
	size_t max_buckets;
	bool in_callback;
	struct fl_keytab_stats stats;
};

/* Chunk of record n and n's place in it; chunk_recs() is the chunk's size. */
static uint32_t chunk_of(uint32_t n, uint32_t *off)
{
	uint32_t k;

	if (n >= GROWING_RECS) {
		*off = (n - GROWING_RECS) & (CHUNK_RECS - 1);
		return GROWING_CHUNKS + ((n - GROWING_RECS) >> CHUNK_SHIFT);
	}
	k = 31u - (uint32_t)__builtin_clz((n >> FIRST_SHIFT) + 1);
	*off = n - (((1u << k) - 1) << FIRST_SHIFT);
	return k;
}

static size_t chunk_recs(size_t k)
{
	return k < GROWING_CHUNKS ? (size_t)1 << (FIRST_SHIFT + k) : CHUNK_RECS;
}

/* Chunks needed for n records. */
static size_t chunks_for(size_t n)
{
	size_t k = 0, held = 0;

	if (n > GROWING_RECS)
		return GROWING_CHUNKS + (n - GROWING_RECS + CHUNK_RECS - 1) / CHUNK_RECS;
	while (held < n)
		held += chunk_recs(k++);
	return k;
}

static struct rec *rec_at(const struct fl_keytab *kt, uint32_t n)
{
	uint32_t off, k = chunk_of(n, &off);

	return (struct rec *)(void *)(kt->chunks[k] + (size_t)off * kt->rec_size);
}

static void *rec_val(struct rec *r)
{
	return (unsigned char *)r + sizeof(*r);
}

static unsigned char *rec_key(const struct fl_keytab *kt, struct rec *r)
{
	return (unsigned char *)r + kt->key_off;
}

static size_t round_pow2(size_t n)
{
	size_t p = MIN_BUCKETS;

	while (p < n)
		p <<= 1;
	return p;
}

/* Buckets needed to hold n keys at most 3/4 full. */
static size_t buckets_for(size_t n)
{
	return round_pow2(n + n / 3 + 1);
}

static uint32_t key_hash(const struct fl_keytab *kt, const void *key, size_t len)
{
	if (kt->hash)
		return (uint32_t)kt->hash(key, len, kt->seed);
	return (uint32_t)fl_hash64(key, len, kt->seed);
}

/* Returns the bucket holding key, or NONE. */
static uint32_t find(const struct fl_keytab *kt, const void *key, size_t len, uint32_t hash)
{
	for (uint32_t i = hash & kt->mask;; i = (i + 1) & kt->mask) {
		const struct bucket *b = &kt->buckets[i];
		struct rec *r;

		if (b->ref == 0)
			return NONE;
		if (b->hash != hash)
			continue;
		r = rec_at(kt, b->ref - 1);
		if (r->key_len == len && memcmp(rec_key(kt, r), key, len) == 0)
			return i;
	}
}

static void index_put(struct bucket *buckets, uint32_t mask, uint32_t hash, uint32_t ref)
{
	uint32_t i = hash & mask;

	while (buckets[i].ref != 0)
		i = (i + 1) & mask;
	buckets[i].hash = hash;
	buckets[i].ref = ref;
}

/* Empties bucket i, then shifts later members of its probe run back so every
 * key stays reachable from its home bucket (Knuth 6.4, Algorithm R). */
static void index_remove(struct fl_keytab *kt, uint32_t i)
{
	uint32_t j = i;

	for (;;) {
		uint32_t home;

		j = (j + 1) & kt->mask;
		if (kt->buckets[j].ref == 0)
			break;
		home = kt->buckets[j].hash & kt->mask;
		/* The entry at j may fill the hole at i unless its home lies
		 * cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		kt->buckets[i] = kt->buckets[j];
		i = j;
	}
	kt->buckets[i].ref = 0;
	kt->buckets[i].hash = 0;
}

static int index_grow(struct fl_keytab *kt)
{
	size_t old_n = (size_t)kt->mask + 1, new_n = old_n * 2;
	struct bucket *nb = calloc(new_n, sizeof(*nb));

	if (!nb)
		return -ENOMEM;
	for (size_t i = 0; i < old_n; i++)
		if (kt->buckets[i].ref)
			index_put(nb, (uint32_t)(new_n - 1), kt->buckets[i].hash, kt->buckets[i].ref);
	if (kt->buckets != kt->small)
		free(kt->buckets);
	kt->buckets = nb;
	kt->mask = (uint32_t)(new_n - 1);
	kt->stats.rehashes++;
	kt->stats.bytes += (new_n - old_n) * sizeof(*nb);
	return 0;
}

static void lru_unlink(struct fl_keytab *kt, struct rec *r)
{
	if (r->newer != NONE)
		rec_at(kt, r->newer)->older = r->older;
	else
		kt->newest = r->older;
	if (r->older != NONE)
		rec_at(kt, r->older)->newer = r->newer;
	else
		kt->oldest = r->newer;
}

static void lru_push_newest(struct fl_keytab *kt, uint32_t n, struct rec *r)
{
	r->newer = NONE;
	r->older = kt->newest;
	if (kt->newest != NONE)
		rec_at(kt, kt->newest)->newer = n;
	else
		kt->oldest = n;
	kt->newest = n;
}

static void touch(struct fl_keytab *kt, uint32_t n, struct rec *r)
{
	if (kt->newest == n)
		return;
	lru_unlink(kt, r);
	lru_push_newest(kt, n, r);
}

/* Unlinks record n (in bucket i) from index and LRU and frees it. */
static void drop(struct fl_keytab *kt, uint32_t i, uint32_t n)
{
	struct rec *r = rec_at(kt, n);

	index_remove(kt, i);
	lru_unlink(kt, r);
	r->newer = NONE;
	r->older = kt->free_head;
	kt->free_head = n;
	kt->stats.live--;
}

/* Bucket of record n: probe from its home for the reference. */
static uint32_t bucket_of(const struct fl_keytab *kt, uint32_t n, uint32_t hash)
{
	uint32_t i = hash & kt->mask;

	while (kt->buckets[i].ref != n + 1)
		i = (i + 1) & kt->mask;
	return i;
}

static void evict_oldest(struct fl_keytab *kt)
{
	uint32_t n = kt->oldest;
	struct rec *r = rec_at(kt, n);

	if (kt->cfg.on_evict) {
		kt->in_callback = true;
		kt->cfg.on_evict(rec_key(kt, r), r->key_len, rec_val(r), kt->cfg.ctx);
		kt->in_callback = false;
	}
	drop(kt, bucket_of(kt, n, r->hash), n);
	kt->stats.evicted++;
}

/* A record number for a new key: a freed one, else the next never used. */
static int rec_alloc(struct fl_keytab *kt, uint32_t *out)
{
	uint32_t n;

	if (kt->free_head != NONE) {
		n = kt->free_head;
		kt->free_head = rec_at(kt, n)->older;
		*out = n;
		return 0;
	}
	n = kt->next_unused;
	if (n == kt->chunk_end) {
		size_t recs = chunk_recs(kt->n_chunks);
		unsigned char *chunk;

		if (FL_NEVER(kt->n_chunks >= kt->chunks_cap))
			return -ENOMEM;
		if (kt->n_chunks == NEAR_CHUNKS) { /* the list moves out */
			unsigned char **far = calloc(kt->chunks_cap, sizeof(*far));

			if (!far)
				return -ENOMEM;
			memcpy(far, kt->near_chunks, sizeof(kt->near_chunks));
			kt->chunks = far;
			kt->stats.bytes += kt->chunks_cap * sizeof(*far);
		}
		chunk = malloc(recs * kt->rec_size);
		if (!chunk)
			return -ENOMEM;
		kt->chunks[kt->n_chunks++] = chunk;
		kt->chunk_end += (uint32_t)recs;
		kt->stats.bytes += recs * kt->rec_size;
	}
	kt->next_unused++;
	*out = n;
	return 0;
}

int fl_keytab_create(struct fl_keytab **out, const struct fl_keytab_config *cfg)
{
	struct fl_keytab *kt;
	size_t n_buckets;
	int rc;

	if (cfg->val_size == 0 || cfg->val_size > FL_KEYTAB_VAL_MAX || cfg->key_max == 0 ||
	    cfg->key_max > FL_KEYTAB_KEY_MAX || cfg->max_keys == 0 ||
	    cfg->max_keys > FL_KEYTAB_MAX_KEYS)
		return -EINVAL;
	/* cache-line aligned, so the lines fl_keytab_prefetch() names are
	 * the ones a lookup reads */
	kt = aligned_alloc(64, (sizeof(*kt) + 63) & ~(size_t)63);
	if (!kt)
		return -ENOMEM;
	memset(kt, 0, sizeof(*kt));
	kt->cfg = *cfg;
	if (kt->cfg.seed == 0) {
		rc = fl_hash_random_seed(&kt->cfg.seed);
		if (rc < 0) {
			free(kt);
			return rc;
		}
	}
	kt->seed = kt->cfg.seed;
	kt->hash = cfg->hash;
	kt->key_max = cfg->key_max;
	kt->key_off = sizeof(struct rec) + cfg->val_size;
	kt->rec_size = (kt->key_off + cfg->key_max + 7) & ~(size_t)7;
	kt->chunks_cap = chunks_for(cfg->max_keys);
	kt->chunks = kt->near_chunks;
	kt->max_buckets = buckets_for(cfg->max_keys);
	n_buckets = buckets_for(cfg->expected_keys < cfg->max_keys ? cfg->expected_keys
								    : cfg->max_keys);
	kt->buckets = kt->small;
	if (n_buckets > MIN_BUCKETS) {
		kt->buckets = calloc(n_buckets, sizeof(*kt->buckets));
		if (!kt->buckets) {
			free(kt);
			return -ENOMEM;
		}
	}
	kt->mask = (uint32_t)(n_buckets - 1);
	kt->free_head = kt->newest = kt->oldest = NONE;
	kt->stats.bytes = sizeof(*kt) + (n_buckets > MIN_BUCKETS ? n_buckets * sizeof(*kt->buckets) : 0);
	*out = kt;
	return 0;
}

void fl_keytab_destroy(struct fl_keytab *kt)
{
	if (!kt)
		return;
	for (size_t i = 0; i < kt->n_chunks; i++)
		free(kt->chunks[i]);
	if (kt->chunks != kt->near_chunks)
		free(kt->chunks);
	if (kt->buckets != kt->small)
		free(kt->buckets);
	free(kt);
}

int fl_keytab_upsert(struct fl_keytab *kt, const void *key, size_t key_len, void **val,
		     bool *is_new)
{
	uint32_t hash, i, n;
	struct rec *r;
	int rc;

	if (FL_NEVER(kt->in_callback))
		return -EINVAL;
	if (key_len == 0 || key_len > kt->key_max) {
		kt->stats.key_too_long += key_len != 0;
		return -EMSGSIZE;
	}
	hash = key_hash(kt, key, key_len);
	i = find(kt, key, key_len, hash);
	if (i != NONE) {
		n = kt->buckets[i].ref - 1;
		r = rec_at(kt, n);
		touch(kt, n, r);
		*val = rec_val(r);
		if (is_new)
			*is_new = false;
		return 0;
	}
	/* Grow before evicting: a failed grow must leave the table untouched. */
	if ((kt->stats.live + 1) * 4 > ((size_t)kt->mask + 1) * 3 &&
	    (size_t)kt->mask + 1 < kt->max_buckets) {
		rc = index_grow(kt);
		if (rc < 0)
			return rc;
	}
	if (kt->stats.live >= kt->cfg.max_keys) {
		evict_oldest(kt);
		n = kt->free_head; /* the record just freed: no allocation */
		kt->free_head = rec_at(kt, n)->older;
	} else {
		rc = rec_alloc(kt, &n);
		if (rc < 0)
			return rc;
	}
	r = rec_at(kt, n);
	r->hash = hash;
	r->key_len = (uint32_t)key_len;
	memcpy(rec_key(kt, r), key, key_len);
	memset(rec_val(r), 0, kt->cfg.val_size);
	index_put(kt->buckets, kt->mask, hash, n + 1);
	lru_push_newest(kt, n, r);
	kt->stats.inserted++;
	if (++kt->stats.live > kt->stats.high_water)
		kt->stats.high_water = kt->stats.live;
	*val = rec_val(r);
	if (is_new)
		*is_new = true;
	return 0;
}

int fl_keytab_delete(struct fl_keytab *kt, const void *key, size_t key_len)
{
	uint32_t i;

	if (FL_NEVER(kt->in_callback))
		return -EINVAL;
	if (key_len == 0 || key_len > kt->key_max)
		return -ENOENT;
	i = find(kt, key, key_len, key_hash(kt, key, key_len));
	if (i == NONE)
		return -ENOENT;
	drop(kt, i, kt->buckets[i].ref - 1);
	kt->stats.deleted++;
	return 0;
}

void fl_keytab_delete_slot(struct fl_keytab *kt, void *val)
{
	struct rec *r = (struct rec *)(void *)((unsigned char *)val - sizeof(*r));
	uint32_t i;

	if (FL_NEVER(kt->in_callback))
		return;
	i = find(kt, rec_key(kt, r), r->key_len, r->hash);
	if (FL_NEVER(i == NONE))
		return;
	drop(kt, i, kt->buckets[i].ref - 1);
	kt->stats.deleted++;
}

void *fl_keytab_get(struct fl_keytab *kt, const void *key, size_t key_len)
{
	uint32_t i, n;
	struct rec *r;

	if (key_len == 0 || key_len > kt->key_max)
		return NULL;
	i = find(kt, key, key_len, key_hash(kt, key, key_len));
	if (i == NONE)
		return NULL;
	n = kt->buckets[i].ref - 1;
	r = rec_at(kt, n);
	touch(kt, n, r);
	return rec_val(r);
}

void *fl_keytab_peek(const struct fl_keytab *kt, const void *key, size_t key_len)
{
	uint32_t i;

	if (key_len == 0 || key_len > kt->key_max)
		return NULL;
	i = find(kt, key, key_len, key_hash(kt, key, key_len));
	return i == NONE ? NULL : rec_val(rec_at(kt, kt->buckets[i].ref - 1));
}

void fl_keytab_foreach(const struct fl_keytab *kt, fl_keytab_visit_fn *fn, void *ctx)
{
	for (uint32_t n = kt->oldest; n != NONE;) {
		struct rec *r = rec_at(kt, n);
		uint32_t next = r->newer;

		if (!fn(rec_key(kt, r), r->key_len, rec_val(r), ctx))
			return;
		n = next;
	}
}

void fl_keytab_prefetch(const struct fl_keytab *kt)
{
	const char *p = (const char *)kt;

	__builtin_prefetch(p);
	__builtin_prefetch(p + 64);
	__builtin_prefetch(p + 128);
	__builtin_prefetch(p + 192);
}

size_t fl_keytab_count(const struct fl_keytab *kt)
{
	return kt->stats.live;
}

void fl_keytab_stats(const struct fl_keytab *kt, struct fl_keytab_stats *out)
{
	*out = kt->stats;
}
