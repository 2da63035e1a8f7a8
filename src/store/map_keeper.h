/*
 * map_keeper.h - keep the store's mapped pages out of a long write's
 * resident set.
 *
 * An import writes through LMDB's map (MDB_WRITEMAP): the pages it dirties
 * are the file's, not the heap's, but every page it touches stays mapped,
 * and so counted in its resident set, until something unmaps it.  A keeper
 * is a thread that lets go of them (madvise MADV_DONTNEED): they stay in
 * the page cache, dirty ones too, and come back on the next touch.
 *
 * A timer alone does not bound the resident set.  When a large write
 * transaction's dirty list fills (every 16,384 pages) and again at commit,
 * LMDB clears the dirty flag of tens of thousands of pages in one tight
 * loop (mdb_page_spill, mdb_page_flush); the kernel maps them about as
 * fast as madvise unmaps them, and a keeper racing that loop was measured
 * 60-200 MiB behind.  So the keeper looks at the process's resident file
 * pages (/proc/self/statm) every interval; once they pass
 * MAP_KEEPER_HOLD bytes above what they were after its last pass, it
 * stops the writing thread (a signal whose handler waits) while it lets
 * go of the map.  The writer is stopped for the length of one madvise,
 * and only while LMDB runs such a loop.  When both processors are busy
 * the keeper itself may run late: the writer then calls map_keeper_tick()
 * between its writes, which lets go of the map in the writer.
 *
 * Contract:
 * - map_keeper_start() and map_keeper_stop() are called by the thread
 *   that writes (the one to stop), with the store's map where it is now:
 *   after a remap, stop the keeper and start another.
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
 *   map_keeper_start() then returns NULL, and map_keeper_stop(NULL) does
 *   nothing.
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

struct map_keeper *map_keeper_start(const struct store *st,
	    unsigned interval_ms);
void	map_keeper_stop(struct map_keeper *k);
/*
 * The writer between two of its writes: lets go of the map itself when
 * the keeper has fallen behind (the machine busy).  k may be NULL.
 */
void	map_keeper_tick(struct map_keeper *k);

/* Writers stopped so far by keepers of this process (for tests). */
unsigned long map_keeper_holds(void);

#endif
