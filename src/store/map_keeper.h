/* SPDX-License-Identifier: Apache-2.0 */
/*
 * map_keeper.h - keep the store's mapped pages out of a long write's
 * resident set.  A keeper is a thread that, while a write transaction
 * through the map (STORE_WRITEMAP) is open, lets go of the map's pages
 * (madvise MADV_DONTNEED: they stay in the page cache, dirty ones too,
 * and come back on the next touch), and stops the writer for the length
 * of one madvise when LMDB maps them faster than that.  Why it exists,
 * how it works and what it has been measured to do:
 * docs/design/map-keeper.md.
 *
 * Contract:
 * - map_keeper_start() and map_keeper_stop() are called by the thread
 *   that writes (the one to stop), with the store's map where it is now:
 *   after a remap, stop the keeper and start another.
 * - The writer calls map_keeper_txn_begin() once its write transaction
 *   has begun and map_keeper_txn_end() once it has ended (committed or
 *   aborted).  The keeper looks at the process's resident pages only in
 *   between: before the first, between two, and after the last, its
 *   thread sleeps on a condition variable and costs nothing, however long
 *   the writer reads or renders first.  map_keeper_txn_end() lets go of
 *   what the commit mapped; map_keeper_stop() ends a transaction left
 *   open.
 * - One keeper at a time stops its writer; a second keeper started while
 *   one runs only lets go of pages.  So does a keeper whose writer blocks
 *   MAP_KEEPER_SIGNAL.
 * - The signal is MAP_KEEPER_SIGNAL; map_keeper_stop() takes any still
 *   pending and restores its disposition.  The handler calls only
 *   sem_post and read.
 * - The handler acts only on the keeper's own signal to the writer
 *   (SI_TKILL from this process, to that thread); others are ignored.
 * - Not across fork(): the child has no keeper thread.
 * - A keeper that cannot start changes nothing but memory use:
 *   map_keeper_start() then returns NULL, and every other call with NULL
 *   does nothing.
 */
#ifndef ZSQ_MAP_KEEPER_H
#define ZSQ_MAP_KEEPER_H

#include <signal.h>

#include "store/store.h"

#define MAP_KEEPER_SIGNAL	(SIGRTMIN + 3)
#define MAP_KEEPER_HOLD		((size_t)16 << 20)
#define MAP_KEEPER_MS		1	/* between looks at statm */
#define MAP_KEEPER_TICKS	256	/* map_keeper_tick() calls a look */

struct map_keeper;

/* A keeper for st's map, idle until map_keeper_txn_begin(). */
struct map_keeper *map_keeper_start(const struct store *st,
	    unsigned interval_ms);
void	map_keeper_stop(struct map_keeper *k);
/* The writer's transaction has begun, has ended: see the contract. */
void	map_keeper_txn_begin(struct map_keeper *k);
void	map_keeper_txn_end(struct map_keeper *k);
/*
 * The writer between two of its writes: lets go of the map itself when
 * the keeper has fallen behind (the machine busy).  Nothing outside a
 * transaction.  k may be NULL.
 */
void	map_keeper_tick(struct map_keeper *k);

/* Writers stopped so far by keepers of this process (for tests). */
unsigned long map_keeper_holds(void);
/* Looks at the resident pages k's thread has taken so far (for tests). */
unsigned long map_keeper_polls(const struct map_keeper *k);

#endif
