/* SPDX-License-Identifier: Apache-2.0 */
/*
 * index.h - secondary indexes: candidate groups for a condition without
 * walking every record.  Both databases are MDB_DUPSORT|MDB_DUPFIXED and
 * map a key to the ordinals (store.h; 4 bytes big-endian, so LMDB's dup
 * order is numeric order) of the groups holding that value.
 *
 *   eq    every scalar leaf of every group and both kinds of tag, for
 *         `=` and `?=`.  Key: id (u16 big-endian: the leaf id, or
 *         INDEX_ID_TAG + the tag kind) and 8 bytes of value: a String's
 *         XXH3-64 of its ASCII-folded bytes (so any length is one key),
 *         an Integer, Long or Timestamp big-endian with the sign bit
 *         flipped, a Boolean 0 or 1.
 *   ord   the INDEX_ORDERED leaves only, for ranges and like prefixes.
 *         Key: leaf id (u16 big-endian) and the value's sort key, in the
 *         order API.md §10 compares: strings ASCII-folded, cut at
 *         INDEX_STR_MAX bytes; numbers and booleans as in eq.
 *
 * Both only propose: a hash or a cut key stands for every value that
 * hashes or starts alike, so the query re-checks every condition on the
 * record itself.  A group holding a value twice is one entry.
 *
 * INDEX_FORMAT names what is indexed and how.  The store records the
 * format its indexes were built with (store.h) and a binary with another
 * refuses the store until `zsquery-admin upgrade` rebuilds them: a
 * changed path list must never make the planner miss groups.
 *
 * Writers keep both exact in the transaction that changes a record:
 * index_record_put() after writing it, index_record_del() with the old
 * record before replacing or deleting it; or the sorted batch below,
 * which does the same for many records at once.  `zsquery-admin check`
 * verifies them with index_record_keys().
 */
#ifndef ZSQ_INDEX_H
#define ZSQ_INDEX_H

#include <stddef.h>
#include <stdint.h>
#include <lmdb.h>

#include "base/buf.h"
#include "store/ordset.h"
#include "store/record.h"
#include "store/store.h"

#define INDEX_STR_MAX	400	/* LMDB keys are at most 511 bytes */
#define INDEX_EQ_KEY	10	/* id + 8 bytes */
#define INDEX_KEY_MAX	(2 + INDEX_STR_MAX)
#define INDEX_ID_TAG	0xff00	/* + REC_TAG_SYSTEM / REC_TAG_USER */

/* The ordered leaves; changing the list changes INDEX_FORMAT. */
#define INDEX_ORDERED(X) \
	X("name") X("createDate") X("lastOpDate") X("instances.name") \
	X("instances.createDate") X("instances.vm.name") \
	X("instances.vm.vmNics.ip") X("instances.vm.vmNics.usedIps.ip")
#define INDEX_PATH_STR(p)	p ","
#define INDEX_FORMAT_BASE \
	"eq1:xxh3-64-folded;ord1:" INDEX_ORDERED(INDEX_PATH_STR)

/*
 * The index format a store must have for this binary: INDEX_FORMAT_BASE
 * and a digest of the schema's leaves (path and type, in id order), since
 * records and index keys name leaves by id: a build whose schema numbers
 * them otherwise must not read a store made by another.
 */
const char *index_format(void);

enum index_db { INDEX_EQ, INDEX_ORD };

int	index_is_ordered(unsigned leaf);

/*
 * The eq key of value v at id (a leaf id, or INDEX_ID_TAG + kind with v
 * a REC_STR) into key[INDEX_EQ_KEY].
 */
void	index_eq_key(unsigned id, const struct rec_val *v,
	    unsigned char *key);

/*
 * The index keys of one record: fn(arg, db, key, keylen) once per
 * non-null value (a value held twice comes twice; key is valid only
 * during the call).  The writers and `zsquery-admin check` both use it,
 * so what is written and what is verified cannot drift apart.  A non-zero
 * return from fn stops the walk and is returned; ZSQ_ESTORE for a
 * malformed record.
 */
typedef int	(*index_key_fn)(void *arg, enum index_db db,
		    const unsigned char *key, size_t len);
int	index_record_keys(const void *rec, size_t len, index_key_fn fn,
	    void *arg);
/*
 * The same, only for the keys whose id (the first two bytes) is id: a
 * leaf's values, or a tag kind's (INDEX_ID_TAG + kind).  It reads that
 * leaf alone (record_vals_leaf()), so checking one id is cheap.
 */
int	index_record_id_keys(const void *rec, size_t len, unsigned id,
	    index_key_fn fn, void *arg);
/* One record at once (random writes; the batch is faster for many). */
int	index_record_put(const struct store *st, MDB_txn *txn, uint32_t ord,
	    const void *rec, size_t len);
int	index_record_del(const struct store *st, MDB_txn *txn, uint32_t ord,
	    const void *rec, size_t len);

/*
 * A batch of index changes applied in key order: one pass over each
 * database instead of a random write per entry.  Deletions of a batch
 * apply before its additions of the same entry, so replacing a record
 * (del old, put new) keeps the entries both have.  The batch flushes
 * itself into txn when it holds `limit` bytes, so memory stays bounded.
 */
struct index_build;
struct index_eq_ent {
	uint64_t	 hi, lo;	/* key, ordinal, op, as numbers */
};
struct index_batch {
	const struct store *st;
	MDB_txn		*txn;
	struct index_eq_ent *eq;	/* eq entries, fixed size */
	size_t		 neq, capeq;
	struct buf	 ents;		/* u16 len, db, key, ord, op */
	size_t		*off;
	size_t		 n, cap, limit;
	uint32_t	 ord;		/* of the record being added */
	int		 del;
	void		(*tick)(void *);	/* before each write, if set */
	void		*tick_arg;
	struct index_build *build;	/* build mode: see below */
};
void	index_batch_init(struct index_batch *b, const struct store *st,
	    MDB_txn *txn, size_t limit);
int	index_batch_record(struct index_batch *b, uint32_t ord,
	    const void *rec, size_t len, int del);
int	index_batch_flush(struct index_batch *b);
/*
 * Build mode (index_build.h), right after index_batch_init(): when both
 * index databases are empty in txn and the batch will only ever add (a
 * new store; `upgrade` after dropping the indexes), each flush becomes a
 * sorted run on disk, and index_batch_finish() merges the runs into the
 * databases in key order, each page written once.  ZSQ_EEXIST, nothing
 * changed, when a database holds entries; a deletion given in build mode
 * fails with ZSQ_EINVAL.  err says why a temporary file failed.
 */
int	index_batch_build(struct index_batch *b, struct buf *err);
/* The last flush and, in build mode, the merge: once, at the end. */
int	index_batch_finish(struct index_batch *b);
void	index_batch_free(struct index_batch *b);

/* Every ordinal stored under key in dbi (a DUPFIXED database) into out. */
int	index_dups_collect(MDB_txn *txn, MDB_dbi dbi, const void *key,
	    size_t keylen, struct ordset *out);

/* eq: the groups under key, and their number (O(1), no walk). */
int	index_eq_collect(const struct store *st, MDB_txn *txn,
	    const unsigned char *key, struct ordset *out);
int	index_eq_count(const struct store *st, MDB_txn *txn,
	    const unsigned char *key, size_t *count);

/*
 * ord: add to out the groups whose leaf holds a value v with
 *   lo <= v (or lo < v when lo_open)  and  v <= hi (or v < hi when hi_open);
 * lo or hi NULL means unbounded; lo == hi (same pointer) is equality.
 * hi_open INDEX_PREFIX makes hi a String prefix instead: every v that
 * starts with hi (folded) is in range (a like pattern's literal head).
 * Values are rec_val as the record holds them (REC_STR/INT/BOOL/TIME).
 */
#define INDEX_PREFIX	2
int	index_range_collect(const struct store *st, MDB_txn *txn,
	    unsigned leaf, const struct rec_val *lo, int lo_open,
	    const struct rec_val *hi, int hi_open, struct ordset *out);
/*
 * The planner's estimate for a range: the entries (value, group pairs,
 * so an upper bound on the groups) index_range_collect() would visit,
 * counting no further than cap, so a wide range costs at most cap steps.
 */
int	index_range_count(const struct store *st, MDB_txn *txn,
	    unsigned leaf, const struct rec_val *lo, int lo_open,
	    const struct rec_val *hi, int hi_open, size_t cap, size_t *count);

#endif
