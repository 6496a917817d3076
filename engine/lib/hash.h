/* hash.h - a fast seeded 64-bit hash for keys chosen by the network.
 *
 * Correlation keys are built from what devices send (host names, ports,
 * alarm names), so a table hashed without a secret can be flooded with
 * colliding keys by anyone who can send syslog. Every table therefore hashes
 * with its own random seed. The function is of the wyhash family (multiply to
 * 128 bits, fold the halves), 16 bytes per step; it is not a MAC, only hard to
 * collide without knowing the seed. Pure functions, any thread. */
#ifndef FL_HASH_H
#define FL_HASH_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "engine/lib/compiler.h"

/* Odd constants with well-spread bits (not tuned to any data). */
#define FL_HASH_K0 UINT64_C(0x8bb84b93962eacc9)
#define FL_HASH_K1 UINT64_C(0x4b33a62ed433d4a3)
#define FL_HASH_K2 UINT64_C(0xa0761d6478bd642f)

static inline uint64_t fl_hash_mix(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t fl_hash_rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t fl_hash_rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Hashes len bytes at key under seed. Same bytes, same seed, same result. */
static inline uint64_t fl_hash64(const void *key, size_t len, uint64_t seed)
{
	const uint8_t *p = key;
	uint64_t h = seed ^ fl_hash_mix(seed ^ FL_HASH_K0, FL_HASH_K1);
	uint64_t a, b;

	if (len <= 16) {
		if (len >= 8) {
			a = fl_hash_rd64(p);
			b = fl_hash_rd64(p + len - 8);
		} else if (len >= 4) {
			a = fl_hash_rd32(p);
			b = fl_hash_rd32(p + len - 4);
		} else if (len > 0) {
			a = ((uint64_t)p[0] << 16) | ((uint64_t)p[len >> 1] << 8) | p[len - 1];
			b = 0;
		} else {
			a = b = 0;
		}
	} else {
		size_t left = len;

		while (left > 16) {
			h = fl_hash_mix(fl_hash_rd64(p) ^ FL_HASH_K1, fl_hash_rd64(p + 8) ^ h);
			p += 16;
			left -= 16;
		}
		/* The last 16 bytes, overlapping the previous block if need be. */
		a = fl_hash_rd64(p + left - 16);
		b = fl_hash_rd64(p + left - 8);
	}
	return fl_hash_mix(FL_HASH_K2 ^ (uint64_t)len, fl_hash_mix(a ^ FL_HASH_K1, b ^ h));
}

/* Fills *out with a seed from the kernel's random source. Returns 0 or a
 * negative errno (the caller then refuses to build the table). */
FL_MUST_CHECK int fl_hash_random_seed(uint64_t *out);

#endif /* FL_HASH_H */
