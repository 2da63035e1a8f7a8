/* SPDX-License-Identifier: Apache-2.0 */
/*
 * index_build.h - build empty index databases from sorted runs.
 *
 * Inserting a large import's index entries batch by batch into the whole
 * index touches pages all over it for every batch: at a million groups
 * the index is some GB, the second phase grows with its square, and the
 * pages it reads back pile into the writer's resident set faster than
 * the map keeper (map_keeper.h) lets go of them.  When the databases are
 * empty there is nothing to merge with, so an index batch in build mode
 * (index.h) writes each flush as a sorted run to an unlinked temporary
 * file instead (tmpfile.h), and at the end these runs are merged, like an
 * external sort, and appended in key order (MDB_APPEND, MDB_APPENDDUP):
 * each page is written once and never read again (and most of them are
 * full: LMDB splits an appended leaf at its end).
 *
 * Contract:
 * - Entries are (key, 4-byte ordinal) pairs, compared as LMDB orders a
 *   DUPSORT database with the default comparators: key bytes, a prefix
 *   first, then the ordinal.  Within one run they must come in that order
 *   (index_build_add() returns ZSQ_EINVAL otherwise); a pair added twice
 *   is written once.
 * - index_build_merge() requires dbi to be empty in txn.
 * - Memory: the batch sorts at most INDEX_BUILD_RUN bytes a run (qsort
 *   takes as much again); INDEX_BUILD_WBUF bytes per database while
 *   adding; while merging, read buffers sharing merge_mem bytes (never
 *   less than INDEX_BUILD_RBUF_MIN a run), whatever the runs' size.
 * - Disk: about klen + 6 bytes per entry, in $TMPDIR.
 */
#ifndef ZSQ_INDEX_BUILD_H
#define ZSQ_INDEX_BUILD_H

#include <stddef.h>
#include <lmdb.h>

#include "base/buf.h"

#define INDEX_BUILD_DBS		2		/* enum index_db */
#define INDEX_BUILD_RUN		((size_t)8 << 20)	/* batch bytes a run */
#define INDEX_BUILD_WBUF	((size_t)1 << 20)
#define INDEX_BUILD_MERGE_MEM	((size_t)32 << 20)
#define INDEX_BUILD_RBUF_MIN	((size_t)1024)	/* > any entry */
#define INDEX_BUILD_RBUF_MAX	((size_t)256 << 10)

struct index_build;

/* Runs kept in a new temporary file; err says why not. */
int	index_build_open(struct index_build **out, struct buf *err);
/* Read buffers share this many bytes (default INDEX_BUILD_MERGE_MEM). */
void	index_build_set_merge_mem(struct index_build *ib, size_t bytes);
/* The next pair of db's current run. */
int	index_build_add(struct index_build *ib, unsigned db,
	    const unsigned char *key, size_t klen, const unsigned char *ord);
/* End the current run of every database. */
int	index_build_run_end(struct index_build *ib);
/*
 * The errno of a failed write or read of the temporary file, which the
 * calls above then report as ZSQ_EIO; 0 if none failed.
 */
int	index_build_file_error(const struct index_build *ib);
/* The number of runs db has, for tests and messages. */
size_t	index_build_runs(const struct index_build *ib, unsigned db);
/*
 * Merge db's runs into dbi, calling tick(arg) (if set) before each
 * write.  Ends the current run first.
 */
int	index_build_merge(struct index_build *ib, unsigned db, MDB_txn *txn,
	    MDB_dbi dbi, void (*tick)(void *), void *arg);
void	index_build_free(struct index_build *ib);

#endif
