/* input_sources.c - connections per source address (see inputs_int.h).
 *
 * Open addressing with linear probing and backward-shift deletion, so a
 * table that sees a flood of sources come and go never fills with
 * tombstones. The hash is seeded: sources are chosen by the network. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "engine/input/inputs_int.h"
#include "engine/lib/hash.h"

#define SOURCES_MIN_SLOTS 64

struct source_slot {
	uint8_t addr[16]; /* IPv6, or IPv4 as ::ffff:a.b.c.d */
	uint32_t count;	  /* 0: the slot is free */
};

/* The address of sa without its port, as 16 bytes. False for other families. */
static bool source_key(const struct sockaddr *sa, socklen_t len, uint8_t key[16])
{
	memset(key, 0, 16);
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in4 = (const struct sockaddr_in *)(const void *)sa;

		key[10] = key[11] = 0xff;
		memcpy(key + 12, &in4->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		memcpy(key, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		return true;
	}
	return false;
}

static size_t home_of(const struct fl_sources *t, const uint8_t key[16])
{
	return (size_t)fl_hash64(key, 16, t->seed) & (t->cap - 1);
}

/* The slot holding key, or the free slot where it would go. */
static size_t find_slot(const struct fl_sources *t, const uint8_t key[16])
{
	size_t i = home_of(t, key);

	while (t->slots[i].count != 0 && memcmp(t->slots[i].addr, key, 16) != 0)
		i = (i + 1) & (t->cap - 1);
	return i;
}

static int grow(struct fl_sources *t)
{
	size_t cap = t->cap ? t->cap * 2 : SOURCES_MIN_SLOTS;
	struct source_slot *old = t->slots;
	size_t old_cap = t->cap;

	t->slots = calloc(cap, sizeof(*t->slots));
	if (!t->slots) {
		t->slots = old;
		return -ENOMEM;
	}
	t->cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].count != 0)
			t->slots[find_slot(t, old[i].addr)] = old[i];
	free(old);
	return 0;
}

int fl_sources_init(struct fl_sources *t)
{
	memset(t, 0, sizeof(*t));
	if (fl_hash_random_seed(&t->seed) < 0)
		t->seed = (uint64_t)(uintptr_t)t ^ FL_HASH_K2; /* still works, less hard to collide */
	return grow(t);
}

void fl_sources_free(struct fl_sources *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

int fl_sources_add(struct fl_sources *t, const struct sockaddr *sa, socklen_t len, size_t limit)
{
	uint8_t key[16];
	size_t i;

	if (!source_key(sa, len, key))
		return 0; /* not an IP peer: nothing to count by */
	if ((t->used + 1) * 2 > t->cap && grow(t) < 0)
		return -ENOMEM;
	i = find_slot(t, key);
	if (t->slots[i].count >= limit)
		return -EDQUOT;
	if (t->slots[i].count == 0) {
		memcpy(t->slots[i].addr, key, 16);
		t->used++;
	}
	t->slots[i].count++;
	return 0;
}

void fl_sources_remove(struct fl_sources *t, const struct sockaddr *sa, socklen_t len)
{
	uint8_t key[16];
	size_t i, j;

	if (!t->slots || !source_key(sa, len, key))
		return;
	i = find_slot(t, key);
	if (t->slots[i].count == 0 || --t->slots[i].count > 0)
		return;
	t->used--;
	/* Backward shift: pull later members of the probe run into the hole. */
	for (j = (i + 1) & (t->cap - 1); t->slots[j].count != 0; j = (j + 1) & (t->cap - 1)) {
		size_t home = home_of(t, t->slots[j].addr);
		bool can_move = i <= j ? (home <= i || home > j) : (home <= i && home > j);

		if (can_move) {
			t->slots[i] = t->slots[j];
			t->slots[j].count = 0;
			i = j;
		}
	}
}

size_t fl_sources_count(const struct fl_sources *t, const struct sockaddr *sa, socklen_t len)
{
	uint8_t key[16];

	if (!t->slots || !source_key(sa, len, key))
		return 0;
	return t->slots[find_slot(t, key)].count;
}
