#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/hash.h"
#include "engine/lib/keytab.h"
#include "engine/lib/limits.h"

/* The state a dedup window might keep per key. */
struct window {
	uint64_t first_ms, last_ms;
	uint32_t count;
};

struct evictions {
	char keys[64][64];
	uint32_t counts[64];
	size_t n;
};

static void note_eviction(const void *key, size_t key_len, void *val, void *ctx)
{
	struct evictions *ev = ctx;
	const struct window *w = val;

	cr_assert_lt(ev->n, 64);
	cr_assert_lt(key_len, 64);
	memcpy(ev->keys[ev->n], key, key_len);
	ev->keys[ev->n][key_len] = '\0';
	ev->counts[ev->n] = w->count;
	ev->n++;
}

static struct fl_keytab *table(size_t max_keys, struct evictions *ev)
{
	struct fl_keytab *kt;
	struct fl_keytab_config cfg = {
		.val_size = sizeof(struct window),
		.key_max = 48,
		.max_keys = max_keys,
		.seed = 0x1234,
		.on_evict = ev ? note_eviction : NULL,
		.ctx = ev,
	};

	cr_assert_eq(fl_keytab_create(&kt, &cfg), 0);
	return kt;
}

static struct window *put(struct fl_keytab *kt, const char *key, bool want_new)
{
	void *val = NULL;
	bool is_new;

	cr_assert_eq(fl_keytab_upsert(kt, key, strlen(key), &val, &is_new), 0, "upsert %s", key);
	cr_expect_eq(is_new, want_new, "key %s new?", key);
	return val;
}

Test(keytab, inserts_finds_and_deletes_keys)
{
	struct fl_keytab *kt = table(100, NULL);
	struct window *w = put(kt, "los|HC-N07|1-1-3", true);
	struct window *again;

	cr_expect_eq(w->count, 0, "a new slot is zeroed");
	w->count = 3;
	again = put(kt, "los|HC-N07|1-1-3", false);
	cr_expect_eq(again, w, "same key, same slot");
	cr_expect_eq(again->count, 3);
	put(kt, "los|HC-N07|1-1-4", true);
	cr_expect_eq(fl_keytab_count(kt), 2);
	cr_expect_eq(fl_keytab_get(kt, "los|HC-N07|1-1-3", 16), w);
	cr_expect_null(fl_keytab_get(kt, "los|HC-N07|1-1-", 15), "a prefix is another key");
	cr_expect_eq(fl_keytab_delete(kt, "los|HC-N07|1-1-3", 16), 0);
	cr_expect_eq(fl_keytab_delete(kt, "los|HC-N07|1-1-3", 16), -ENOENT);
	cr_expect_null(fl_keytab_peek(kt, "los|HC-N07|1-1-3", 16));
	cr_expect_not_null(fl_keytab_peek(kt, "los|HC-N07|1-1-4", 16));
	cr_expect_eq(fl_keytab_count(kt), 1);
	fl_keytab_destroy(kt);
}

Test(keytab, keys_are_bytes_not_strings)
{
	struct fl_keytab *kt = table(10, NULL);
	const char a[4] = {'a', '\0', 'b', '\xff'}, b[4] = {'a', '\0', 'c', '\xff'};
	void *va, *vb;

	cr_assert_eq(fl_keytab_upsert(kt, a, 4, &va, NULL), 0);
	cr_assert_eq(fl_keytab_upsert(kt, b, 4, &vb, NULL), 0);
	cr_expect_neq(va, vb);
	cr_expect_eq(fl_keytab_peek(kt, a, 4), va);
	cr_expect_eq(fl_keytab_peek(kt, b, 4), vb);
	cr_expect_null(fl_keytab_peek(kt, a, 1));
	fl_keytab_destroy(kt);
}

Test(keytab, refuses_and_counts_keys_longer_than_key_max)
{
	struct fl_keytab *kt = table(10, NULL);
	char key[49];
	void *val = NULL;
	struct fl_keytab_stats st;

	memset(key, 'k', sizeof(key));
	cr_expect_eq(fl_keytab_upsert(kt, key, 49, &val, NULL), -EMSGSIZE);
	cr_expect_null(val);
	cr_expect_eq(fl_keytab_upsert(kt, key, 0, &val, NULL), -EMSGSIZE);
	cr_expect_eq(fl_keytab_upsert(kt, key, 48, &val, NULL), 0);
	cr_expect_null(fl_keytab_get(kt, key, 49));
	fl_keytab_stats(kt, &st);
	cr_expect_eq(st.key_too_long, 1);
	cr_expect_eq(st.live, 1);
	fl_keytab_destroy(kt);
}

Test(keytab, evicts_the_least_recently_used_key_and_reports_it)
{
	struct evictions ev = {0};
	struct fl_keytab *kt = table(3, &ev);
	struct fl_keytab_stats st;

	put(kt, "a", true)->count = 1;
	put(kt, "b", true)->count = 2;
	put(kt, "c", true)->count = 3;
	cr_expect_not_null(fl_keytab_get(kt, "a", 1)); /* a is now the newest */
	cr_expect_not_null(fl_keytab_peek(kt, "b", 1)); /* peek does not save b */
	put(kt, "d", true);				 /* evicts b */
	put(kt, "c", false);				 /* c is now the newest */
	put(kt, "e", true);				 /* evicts a */
	put(kt, "f", true);				 /* evicts d */
	cr_assert_eq(ev.n, 3);
	cr_expect_str_eq(ev.keys[0], "b");
	cr_expect_eq(ev.counts[0], 2, "the callback sees the evicted state");
	cr_expect_str_eq(ev.keys[1], "a");
	cr_expect_eq(ev.counts[1], 1);
	cr_expect_str_eq(ev.keys[2], "d");
	cr_expect_eq(put(kt, "g", true)->count, 0, "a reused slot is zeroed again");
	fl_keytab_stats(kt, &st);
	cr_expect_eq(st.evicted, 4);
	cr_expect_eq(st.live, 3);
	cr_expect_eq(st.high_water, 3);
	cr_expect_eq(st.inserted, 7);
	cr_expect_null(fl_keytab_peek(kt, "b", 1));
	fl_keytab_destroy(kt);
}

struct order {
	char seen[16];
	size_t n;
};

static bool visit(const void *key, size_t key_len, void *val, void *ctx)
{
	struct order *o = ctx;

	(void)val;
	cr_assert_eq(key_len, 1);
	o->seen[o->n++] = *(const char *)key;
	return o->n < 3;
}

Test(keytab, visits_from_the_oldest_and_stops_when_asked)
{
	struct fl_keytab *kt = table(10, NULL);
	struct order o = {0};

	put(kt, "x", true);
	put(kt, "y", true);
	put(kt, "z", true);
	put(kt, "w", true);
	cr_expect_not_null(fl_keytab_get(kt, "x", 1));
	fl_keytab_foreach(kt, visit, &o);
	cr_expect_eq(o.n, 3);
	cr_expect_arr_eq(o.seen, "yzw", 3);
	fl_keytab_destroy(kt);
}

Test(keytab, grows_its_index_and_keeps_every_slot_in_place)
{
	struct fl_keytab *kt = table(100000, NULL);
	struct window **slots = calloc(50000, sizeof(*slots));
	struct fl_keytab_stats st;
	char key[32];

	cr_assert_not_null(slots);
	for (uint32_t i = 0; i < 50000; i++) {
		snprintf(key, sizeof(key), "rule%u|host%u", i % 97, i);
		slots[i] = put(kt, key, true);
		slots[i]->count = i;
	}
	for (uint32_t i = 0; i < 50000; i++) {
		struct window *w;

		snprintf(key, sizeof(key), "rule%u|host%u", i % 97, i);
		w = fl_keytab_peek(kt, key, strlen(key));
		cr_assert_eq(w, slots[i], "key %s moved", key);
		cr_assert_eq(w->count, i);
	}
	fl_keytab_stats(kt, &st);
	cr_expect_geq(st.rehashes, 5);
	cr_expect_eq(st.live, 50000);
	cr_expect_lt(st.bytes, 50000 * 160, "bytes %zu", st.bytes);
	free(slots);
	fl_keytab_destroy(kt);
}

/* An engine has a table per rule, most of them with a few keys: such a table
 * holds a chunk sized for its keys, not one for a thousand. */
Test(keytab, a_table_of_few_keys_holds_little_memory)
{
	struct fl_keytab *kt = table(100000, NULL);
	struct fl_keytab_stats st;
	char key[32];

	for (uint32_t i = 0; i < 10; i++) {
		snprintf(key, sizeof(key), "host%u", i);
		put(kt, key, true)->count = i;
	}
	fl_keytab_stats(kt, &st);
	cr_expect_lt(st.bytes, 16 * 2048, "bytes %zu", st.bytes);
	for (uint32_t i = 0; i < 10; i++) {
		snprintf(key, sizeof(key), "host%u", i);
		cr_expect_eq(((struct window *)fl_keytab_peek(kt, key, strlen(key)))->count, i);
	}
	fl_keytab_destroy(kt);
}

/* At 10,000 patterns of thirty thousand rules most tables ever see one or
 * two keys: their first key takes room for a few records, not sixteen (a
 * first chunk of sixteen held 105 MB of such tables' records). */
Test(keytab, a_table_of_one_key_holds_a_few_records)
{
	const size_t rec_max = 16 + sizeof(struct window) + 48 + 8;
	struct fl_keytab *kt = table(100000, NULL);
	struct fl_keytab_stats before, after;

	fl_keytab_stats(kt, &before);
	put(kt, "only-key", true)->count = 7;
	fl_keytab_stats(kt, &after);
	cr_expect_leq(after.bytes - before.bytes, 4 * rec_max, "one key took %zu bytes",
		      after.bytes - before.bytes);
	cr_expect_eq(((struct window *)fl_keytab_peek(kt, "only-key", 8))->count, 7);
	fl_keytab_destroy(kt);
}

Test(keytab, deletes_a_key_by_its_slot)
{
	struct fl_keytab *kt = table(100, NULL);
	struct fl_keytab_stats st;
	struct window *b;

	put(kt, "a", true)->count = 1;
	b = put(kt, "b", true);
	b->count = 2;
	put(kt, "c", true)->count = 3;
	fl_keytab_delete_slot(kt, b);
	cr_expect_null(fl_keytab_peek(kt, "b", 1));
	cr_expect_eq(((struct window *)fl_keytab_peek(kt, "a", 1))->count, 1);
	cr_expect_eq(((struct window *)fl_keytab_peek(kt, "c", 1))->count, 3);
	fl_keytab_stats(kt, &st);
	cr_expect_eq(st.live, 2);
	cr_expect_eq(st.deleted, 1);
	cr_expect(put(kt, "b", true) != NULL, "b comes back as a new key");
	fl_keytab_destroy(kt);
}

static uint64_t one_hash(const void *key, size_t len, uint64_t seed)
{
	(void)key;
	(void)len;
	(void)seed;
	return 7; /* every key in one probe run */
}

static uint64_t two_bit_hash(const void *key, size_t len, uint64_t seed)
{
	(void)seed;
	return fl_hash64(key, len, 99) & 3; /* four home buckets only */
}

static void collide(fl_keytab_hash_fn *hash)
{
	struct fl_keytab *kt;
	struct fl_keytab_config cfg = {
		.val_size = sizeof(uint32_t), .key_max = 16, .max_keys = 600, .hash = hash};
	char key[16];

	cr_assert_eq(fl_keytab_create(&kt, &cfg), 0);
	for (uint32_t i = 0; i < 500; i++) {
		void *v;

		snprintf(key, sizeof(key), "k%u", i);
		cr_assert_eq(fl_keytab_upsert(kt, key, strlen(key), &v, NULL), 0);
		*(uint32_t *)v = i;
	}
	/* Delete every third key from the middle of the runs, then check all. */
	for (uint32_t i = 0; i < 500; i += 3) {
		snprintf(key, sizeof(key), "k%u", i);
		cr_assert_eq(fl_keytab_delete(kt, key, strlen(key)), 0);
	}
	for (uint32_t i = 0; i < 500; i++) {
		uint32_t *v;

		snprintf(key, sizeof(key), "k%u", i);
		v = fl_keytab_peek(kt, key, strlen(key));
		if (i % 3 == 0) {
			cr_assert_null(v, "deleted %s still found", key);
		} else {
			cr_assert_not_null(v, "lost %s", key);
			cr_assert_eq(*v, i);
		}
	}
	cr_expect_eq(fl_keytab_count(kt), 500 - 167);
	fl_keytab_destroy(kt);
}

Test(keytab, stays_correct_when_every_key_collides)
{
	collide(one_hash);
}

Test(keytab, stays_correct_with_few_home_buckets)
{
	collide(two_bit_hash);
}

Test(keytab, rejects_a_bad_config)
{
	struct fl_keytab *kt = NULL;
	struct fl_keytab_config cfg = {.val_size = 8, .key_max = 8, .max_keys = 8};

	cfg.val_size = 0;
	cr_expect_eq(fl_keytab_create(&kt, &cfg), -EINVAL);
	cfg.val_size = 8;
	cfg.key_max = FL_KEYTAB_KEY_MAX + 1;
	cr_expect_eq(fl_keytab_create(&kt, &cfg), -EINVAL);
	cfg.key_max = 8;
	cfg.max_keys = 0;
	cr_expect_eq(fl_keytab_create(&kt, &cfg), -EINVAL);
	cr_expect_null(kt);
	fl_keytab_destroy(NULL);
}

Test(keytab, seeds_differ_between_tables)
{
	uint64_t a, b;

	cr_assert_eq(fl_hash_random_seed(&a), 0);
	cr_assert_eq(fl_hash_random_seed(&b), 0);
	cr_expect_neq(a, b);
	cr_expect_neq(fl_hash64("HC-N07", 6, a), fl_hash64("HC-N07", 6, b));
	cr_expect_eq(fl_hash64("HC-N07", 6, a), fl_hash64("HC-N07", 6, a));
}

Test(keytab, hash_spreads_every_length_and_single_bit_flip)
{
	unsigned char buf[40] = {0};
	uint64_t seen[41 * 8];
	size_t n = 0;

	/* Keys that differ in one bit, at each length, all hash apart. */
	for (size_t len = 1; len <= 40; len++) {
		uint64_t base = fl_hash64(buf, len, 5);

		for (size_t bit = 0; bit < 8 && n < FL_ARRAY_LEN(seen); bit++) {
			buf[len - 1] ^= (unsigned char)(1u << bit);
			seen[n] = fl_hash64(buf, len, 5);
			cr_expect_neq(seen[n], base, "len %zu bit %zu", len, bit);
			n++;
			buf[len - 1] ^= (unsigned char)(1u << bit);
		}
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			cr_assert_neq(seen[i], seen[j], "collision %zu %zu", i, j);
}

/* Randomized comparison with a plain array that keeps keys in LRU order. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

#define REF_CAP 300
#define REF_UNIVERSE 1000

struct model {
	int keys[REF_CAP]; /* oldest first */
	uint32_t vals[REF_CAP];
	size_t n;
	int evicted_key;
	uint32_t evicted_val;
	size_t evictions;
};

static int model_find(const struct model *m, int k)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->keys[i] == k)
			return (int)i;
	return -1;
}

static void model_to_newest(struct model *m, size_t i)
{
	int k = m->keys[i];
	uint32_t v = m->vals[i];

	memmove(&m->keys[i], &m->keys[i + 1], (m->n - i - 1) * sizeof(int));
	memmove(&m->vals[i], &m->vals[i + 1], (m->n - i - 1) * sizeof(uint32_t));
	m->keys[m->n - 1] = k;
	m->vals[m->n - 1] = v;
}

static void model_evict(const void *key, size_t key_len, void *val, void *ctx)
{
	struct model *m = ctx;
	char buf[16];

	cr_assert_lt(key_len, sizeof(buf));
	memcpy(buf, key, key_len);
	buf[key_len] = '\0';
	m->evicted_key = atoi(buf + 3);
	m->evicted_val = *(uint32_t *)val;
	m->evictions++;
}

Test(keytab, matches_an_lru_reference_under_random_operations, .timeout = 60)
{
	struct model *m = calloc(1, sizeof(*m));
	struct fl_keytab *kt;
	struct fl_keytab_config cfg = {.val_size = sizeof(uint32_t),
				       .key_max = 16,
				       .max_keys = REF_CAP,
				       .seed = 77,
				       .on_evict = model_evict,
				       .ctx = m};
	uint64_t seed = 2026;
	char key[16];

	cr_assert_not_null(m);
	cr_assert_eq(fl_keytab_create(&kt, &cfg), 0);
	for (int step = 0; step < 200000; step++) {
		int k = (int)(rng_next(&seed) % REF_UNIVERSE), at = model_find(m, k);
		uint64_t op = rng_next(&seed) % 10;
		size_t len = (size_t)snprintf(key, sizeof(key), "key%d", k);

		if (op < 5) {
			void *v;
			bool is_new;
			size_t ev_before = m->evictions;

			cr_assert_eq(fl_keytab_upsert(kt, key, len, &v, &is_new), 0);
			cr_assert_eq(is_new, at < 0, "step %d key %d", step, k);
			if (at >= 0) {
				cr_assert_eq(*(uint32_t *)v, m->vals[at]);
				model_to_newest(m, (size_t)at);
			} else {
				if (m->n == REF_CAP) {
					cr_assert_eq(m->evictions, ev_before + 1);
					cr_assert_eq(m->evicted_key, m->keys[0], "step %d", step);
					cr_assert_eq(m->evicted_val, m->vals[0]);
					memmove(&m->keys[0], &m->keys[1], (m->n - 1) * sizeof(int));
					memmove(&m->vals[0], &m->vals[1], (m->n - 1) * sizeof(uint32_t));
					m->n--;
				} else {
					cr_assert_eq(m->evictions, ev_before);
				}
				m->keys[m->n] = k;
				m->vals[m->n] = (uint32_t)step;
				m->n++;
				*(uint32_t *)v = (uint32_t)step;
			}
		} else if (op < 7) {
			uint32_t *v = fl_keytab_get(kt, key, len);

			cr_assert_eq(v != NULL, at >= 0, "step %d get %d", step, k);
			if (v) {
				cr_assert_eq(*v, m->vals[at]);
				model_to_newest(m, (size_t)at);
			}
		} else {
			cr_assert_eq(fl_keytab_delete(kt, key, len), at >= 0 ? 0 : -ENOENT);
			if (at >= 0) {
				memmove(&m->keys[at], &m->keys[at + 1],
					(m->n - (size_t)at - 1) * sizeof(int));
				memmove(&m->vals[at], &m->vals[at + 1],
					(m->n - (size_t)at - 1) * sizeof(uint32_t));
				m->n--;
			}
		}
		cr_assert_eq(fl_keytab_count(kt), m->n);
	}
	cr_expect_gt(m->evictions, 1000, "the run exercised eviction");
	fl_keytab_destroy(kt);
	free(m);
}
