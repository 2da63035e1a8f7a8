/*
 * acl.h - who may see a group (SPEC 3).
 *
 * The owner is in the group's record (record.h, rec_head.owner).  Shares
 * are the "shares" database: MDB_DUPSORT, key = group uuid (32), data =
 * account uuid (32) or ACL_PUBLIC.  Accounts are the "accounts" database.
 *
 * The admin account (SCHEMA_ADMIN_ACCOUNT) sees everything; any other sees
 * a group it owns, one shared with it, or a public one.
 */
#ifndef ZSQ_ACL_H
#define ZSQ_ACL_H

#include <lmdb.h>

#include "store.h"

#define ACL_PUBLIC	"********************************"	/* 32 bytes */

/* 1 visible, 0 not (errors count as not visible: fail closed). */
int	acl_visible(const struct store *st, MDB_txn *txn, const char *account,
	    const char *group, const char *owner);
int	acl_is_admin(const char *account);

/* account NULL means public.  ZSQ_OK, ZSQ_ENOTFOUND (group/account). */
int	acl_share(const struct store *st, MDB_txn *txn, const char *group,
	    const char *account);
int	acl_unshare(const struct store *st, MDB_txn *txn, const char *group,
	    const char *account);
/* Drop every share of a group (used when the group is deleted). */
int	acl_drop_group(const struct store *st, MDB_txn *txn, const char *group);

int	account_exists(const struct store *st, MDB_txn *txn,
	    const char *account);
int	account_put(const struct store *st, MDB_txn *txn, const char *account,
	    const char *name);

#endif
