/* fuzz_keytab.c - drives a keyed state table with fuzzer-chosen operations
 * and checks it against an array kept in least-recently-used order.
 *
 * Input: byte 0 picks the cap (1..16) and the hash (bit 4 set: a hash with
 * four values, so nearly every key collides); then operations {op, len,
 * bytes...}: op % 3 is upsert, get or delete of the key made of the next
 * len % 12 bytes. Any disagreement in presence, slot content, eviction
 * victim or count aborts. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lib/keytab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP_MAX 16
#define KEY_MAX 11

struct entry {
	uint8_t key[KEY_MAX];
	size_t len;
	uint32_t val;
};

struct model {
	struct entry e[CAP_MAX]; /* oldest first */
	size_t n;
	struct entry evicted;
	size_t evictions;
};

static uint64_t weak_hash(const void *key, size_t len, uint64_t seed)
{
	(void)seed;
	return len ? ((const uint8_t *)key)[0] & 3 : 0;
}

static void on_evict(const void *key, size_t key_len, void *val, void *ctx)
{
	struct model *m = ctx;

	if (key_len > KEY_MAX)
		abort();
	memcpy(m->evicted.key, key, key_len);
	m->evicted.len = key_len;
	memcpy(&m->evicted.val, val, sizeof(uint32_t));
	m->evictions++;
}

static int find(const struct model *m, const uint8_t *key, size_t len)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->e[i].len == len && memcmp(m->e[i].key, key, len) == 0)
			return (int)i;
	return -1;
}

static void remove_at(struct model *m, size_t i)
{
	memmove(&m->e[i], &m->e[i + 1], (m->n - i - 1) * sizeof(m->e[0]));
	m->n--;
}

static void to_newest(struct model *m, size_t i)
{
	struct entry e = m->e[i];

	remove_at(m, i);
	m->e[m->n++] = e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model m = {0};
	struct fl_keytab_config cfg = {.val_size = sizeof(uint32_t),
				       .key_max = KEY_MAX,
				       .seed = 1,
				       .on_evict = on_evict,
				       .ctx = &m};
	struct fl_keytab *kt;
	uint32_t stamp = 0;
	size_t pos = 1;

	if (size == 0)
		return 0;
	cfg.max_keys = (size_t)(data[0] & 15) + 1;
	cfg.hash = (data[0] & 16) ? weak_hash : NULL;
	if (fl_keytab_create(&kt, &cfg) != 0)
		abort();
	while (pos + 2 <= size) {
		unsigned op = data[pos] % 3;
		size_t len = data[pos + 1] % 12;
		const uint8_t *key = data + pos + 2;
		int at;

		if (len > size - pos - 2)
			break;
		pos += 2 + len;
		at = len ? find(&m, key, len) : -1;
		if (op == 0) {
			void *val;
			bool is_new;
			size_t before = m.evictions;
			int rc = fl_keytab_upsert(kt, key, len, &val, &is_new);

			if (len == 0) {
				if (rc == 0)
					abort();
				continue;
			}
			if (rc != 0 || is_new != (at < 0))
				abort();
			if (at >= 0) {
				if (memcmp(val, &m.e[at].val, sizeof(uint32_t)) != 0)
					abort();
				to_newest(&m, (size_t)at);
				continue;
			}
			if (m.n == cfg.max_keys) {
				if (m.evictions != before + 1 || m.evicted.len != m.e[0].len ||
				    memcmp(m.evicted.key, m.e[0].key, m.e[0].len) != 0 ||
				    m.evicted.val != m.e[0].val)
					abort();
				remove_at(&m, 0);
			} else if (m.evictions != before) {
				abort();
			}
			memcpy(m.e[m.n].key, key, len);
			m.e[m.n].len = len;
			m.e[m.n].val = ++stamp;
			memcpy(val, &stamp, sizeof(stamp));
			m.n++;
		} else if (op == 1) {
			void *val = fl_keytab_get(kt, key, len);

			if ((val != NULL) != (at >= 0))
				abort();
			if (val) {
				if (memcmp(val, &m.e[at].val, sizeof(uint32_t)) != 0)
					abort();
				to_newest(&m, (size_t)at);
			}
		} else {
			if (fl_keytab_delete(kt, key, len) != (at >= 0 ? 0 : -ENOENT))
				abort();
			if (at >= 0)
				remove_at(&m, (size_t)at);
		}
		if (fl_keytab_count(kt) != m.n)
			abort();
	}
	fl_keytab_destroy(kt);
	return 0;
}
