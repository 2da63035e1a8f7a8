/* SPDX-License-Identifier: Apache-2.0 */
/* hash.c - FNV-1a 64; see hash.h. */
#include <stddef.h>
#include <stdint.h>

#include "base/hash.h"

uint64_t
hash_fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n--) {
		h ^= *s++;
		h *= 0x100000001b3ULL;	/* the FNV-1a 64 prime */
	}
	return h;
}
