/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_hash.c - FNV-1a 64 as its authors define it (their test vectors),
 * continued across pieces, and the store's old name for it.
 */
#include <stdint.h>
#include <string.h>

#include "base/hash.h"
#include "t.h"

static uint64_t
fnv(const char *s)
{
	return hash_fnv1a(HASH_FNV1A_INIT, s, strlen(s));
}

int
main(void)
{
	uint64_t h;

	/* The values records, ETags and the index format hold. */
	CHECK(HASH_FNV1A_INIT == 0xcbf29ce484222325ULL);
	CHECK(fnv("") == 0xcbf29ce484222325ULL);
	CHECK(fnv("a") == 0xaf63dc4c8601ec8cULL);
	CHECK(fnv("foobar") == 0x85944171f73967e8ULL);
	/* Bytes, not C strings: a NUL is hashed like any byte. */
	CHECK(hash_fnv1a(HASH_FNV1A_INIT, "\0", 1) == 0xaf63bd4c8601b7dfULL);
	/* In pieces as at once. */
	h = hash_fnv1a(HASH_FNV1A_INIT, "foo", 3);
	h = hash_fnv1a(h, "", 0);
	CHECK(hash_fnv1a(h, "bar", 3) == fnv("foobar"));
	return t_done();
}
