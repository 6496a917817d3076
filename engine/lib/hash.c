/* hash.c - seeds for the per-table hash. */
#include "engine/lib/hash.h"

#include <errno.h>
#include <sys/random.h>

int fl_hash_random_seed(uint64_t *out)
{
	uint64_t seed;
	ssize_t got;

	do {
		got = getrandom(&seed, sizeof(seed), 0);
	} while (got < 0 && errno == EINTR);
	if (got < 0)
		return -errno;
	if (got != (ssize_t)sizeof(seed))
		return -EIO;
	*out = seed;
	return 0;
}
