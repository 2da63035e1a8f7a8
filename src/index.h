/*
 * index.h - secondary indexes: candidate groups for a condition without
 * walking every record.
 *
 * The "index" database (MDB_DUPSORT) maps  leaf id (2 bytes, big-endian) +
 * the value's sort key  to the uuids of the groups holding that value at
 * that leaf, for the leaves index_is_indexed() names.  Sort keys order the
 * way SPEC 10 compares: strings ASCII-folded then by bytes; integers and
 * timestamps as big-endian with the sign bit flipped; booleans one byte.
 * A string longer than INDEX_STR_MAX is cut there, so a lookup may yield a
 * group that does not match: the index only proposes candidates and the
 * query always re-checks every condition on the record itself.  A group
 * that holds a value twice (two instances Running) is one duplicate, which
 * LMDB's DUPSORT collapses.
 *
 * Writers keep it exact: index_record_put() after writing a record,
 * index_record_del() with the old record before replacing or deleting it,
 * both in the same write transaction.  `zsquery-admin check` verifies
 * that with index_record_keys().
 */
#ifndef ZSQ_INDEX_H
#define ZSQ_INDEX_H

#include <stddef.h>
#include <stdint.h>
#include <lmdb.h>

#include "record.h"
#include "store.h"

#define INDEX_STR_MAX	400	/* LMDB keys are at most 511 bytes */

/* A growable set of 32-byte group uuids. */
struct uuidset {
	char	(*u)[32];
	size_t	 n;
	size_t	 cap;
};

int	index_is_indexed(unsigned leaf);
/*
 * The index keys of one record: fn(arg, key, keylen) once per non-null
 * value at an indexed leaf, in the record's value order (a value held
 * twice comes twice; key is only valid during the call).  The writers
 * below and `zsquery-admin check` both use it, so what is written and
 * what is verified cannot drift apart.  A non-zero return from fn stops
 * the walk and is returned; ZSQ_ESTORE for a malformed record.
 */
typedef int	(*index_key_fn)(void *arg, const unsigned char *key,
		    size_t len);
int	index_record_keys(const void *rec, size_t len, index_key_fn fn,
	    void *arg);
int	index_record_put(const struct store *st, MDB_txn *txn,
	    const char *uuid, const void *rec, size_t len);
int	index_record_del(const struct store *st, MDB_txn *txn,
	    const char *uuid, const void *rec, size_t len);

/*
 * Add to out the groups whose leaf holds a value v with
 *   lo <= v (or lo < v when lo_open)  and  v <= hi (or v < hi when hi_open);
 * lo or hi NULL means unbounded; lo == hi (same pointer) is equality.
 * hi_open INDEX_PREFIX makes hi a String prefix instead: every v that
 * starts with hi (folded) is in range (a like pattern's literal head).
 * Values are rec_val as the record holds them (REC_STR/INT/BOOL/TIME).
 */
#define INDEX_PREFIX	2
int	index_collect(const struct store *st, MDB_txn *txn, unsigned leaf,
	    const struct rec_val *lo, int lo_open, const struct rec_val *hi,
	    int hi_open, struct uuidset *out);
/*
 * The planner's estimate: the number of index entries (value, group
 * pairs, so an upper bound on the groups) index_collect() would visit,
 * counting no further than cap, so a wide range costs at most cap steps.
 */
int	index_count_range(const struct store *st, MDB_txn *txn, unsigned leaf,
	    const struct rec_val *lo, int lo_open, const struct rec_val *hi,
	    int hi_open, size_t cap, size_t *count);
/* Number of groups holding exactly v at leaf (an upper bound when cut). */
int	index_count_eq(const struct store *st, MDB_txn *txn, unsigned leaf,
	    const struct rec_val *v, size_t *count);

int	uuidset_add(struct uuidset *s, const char *uuid);
void	uuidset_sort_unique(struct uuidset *s);
void	uuidset_free(struct uuidset *s);

#endif
