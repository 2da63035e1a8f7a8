/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hash.h - the project's two hashes, and which one is for what.
 *
 * hash_fnv1a(): FNV-1a 64, a byte at a time, continued from any value
 * (HASH_FNV1A_INIT to start), with no state but that value.  For short
 * keys and small running digests: the slots of in-memory tables (the
 * renewer's sessions, the renderer's field names), a record's content
 * hash, the index format's digest of the schema, a reply's ETag, the
 * sync's digest of the shares.  Some of these values are kept in the
 * store (a record's hash, the index format) or sent to clients (ETags),
 * so the function never changes, even where XXH3 would be the choice
 * today (a record's hash runs over its whole JSON).
 *
 * xxHash (<xxhash.h>, XXH3): digests of input, which is long and chosen
 * by someone else: an import's digest of each group (XXH3-128 seeded
 * with the store's seed, ingest/import.c) and the index keys of long
 * strings (XXH3-64, store/index.c).  It is many times faster than FNV-1a
 * on kilobytes and has a 128-bit form; use it for anything byte-heavy or
 * wherever a collision could be provoked.
 */
#ifndef ZSQ_HASH_H
#define ZSQ_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV1A_INIT	0xcbf29ce484222325ULL	/* the FNV-1a 64 basis */

/* FNV-1a 64 over p[0..n), continuing from h. */
uint64_t hash_fnv1a(uint64_t h, const void *p, size_t n);

#endif
