/* SPDX-License-Identifier: Apache-2.0 */
/*
 * group.h - a stored group as a whole.  A group is more than its record
 * (store.h: groups): its ordinal (ords), its index entries (index.h), its
 * owner's and its shares' entries (acl.h: owned, shares, granted) all
 * name it, and a group deleted from some of them only would be found by
 * the index or the ACL and then missing, or missing and still counted.
 *
 * Contract: group_delete() removes every one of them inside the caller's
 * write transaction; on failure the caller aborts it (some may be gone).
 * The caller bumps the generation (store_gen_bump()).  Both the import's
 * replace (through its index batch) and `zsquery-admin delete` use it, so
 * the two cannot come to delete differently.
 */
#ifndef ZSQ_GROUP_H
#define ZSQ_GROUP_H

#include <lmdb.h>

#include "base/buf.h"
#include "store/index.h"
#include "store/store.h"

/*
 * Delete the group uuid (32 lowercase hex): ZSQ_OK, ZSQ_ENOTFOUND when it
 * is not stored, a store code.  Its index entries go through b when b is
 * not NULL (index_batch_record(); the batch deletes them when it
 * flushes), else at once (index_record_del()).  copy: a buffer the old
 * record is copied into (LMDB may move a page under a pointer into the
 * map as soon as the transaction writes), kept for reuse by a caller that
 * deletes many; NULL: one of the call's own.
 */
int	group_delete(const struct store *st, MDB_txn *txn, const char *uuid,
	    struct index_batch *b, struct buf *copy);

#endif
