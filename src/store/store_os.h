/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_os.h - what the system, not LMDB, says about an open store
 * (store.h): where this process maps data.mdb, and whether a failed
 * write met a full disk.  LMDB answers neither: it hides the map's
 * address and reports a short write as EIO.
 *
 * Contract: both only look (/proc/self/maps, statvfs(2)); neither
 * changes the store, the environment or a transaction, and both may be
 * called with no transaction, or during one, from any thread.
 */
#ifndef ZSQ_STORE_OS_H
#define ZSQ_STORE_OS_H

#include <stddef.h>

#include "store/store.h"

/*
 * Where data.mdb is mapped in this process (found in /proc/self/maps):
 * ZSQ_OK, or ZSQ_ENOTFOUND.  With it, bytes LMDB points at can be read
 * with pread() instead of through the map (import.c's unchanged check),
 * and the map keeper (map_keeper.h) knows which pages to let go of.  The
 * answer holds until the map moves: a transaction begun after another
 * process grew the map (store_txn_begin()) may map it elsewhere.
 */
int	store_map_addr(const struct store *st, const char **base, size_t *len);

/*
 * After a failed write: ENOSPC when the store's file system has no room
 * left (LMDB reports a short write as EIO), else rc unchanged.
 */
int	store_space_err(const struct store *st, int rc);

#endif
