/* SPDX-License-Identifier: Apache-2.0 */
/*
 * acl.h - who may see a group (API.md §3).
 *
 * The owner is in the group's record (record.h, rec_head.owner).  Shares
 * are the "shares" database: MDB_DUPSORT, key = group uuid (32), data =
 * account uuid (32) or ACL_PUBLIC.  Accounts are the "accounts" database.
 *
 * Two reverse databases answer "which groups may this account see"
 * without reading any group (store.h): "owned" (owner -> ordinals) and
 * "granted" (account or ACL_PUBLIC -> ordinals).  Every writer keeps them
 * equal to the records and the shares in the same transaction: the
 * functions below do, and so must whoever writes records (import.c).
 *
 * The admin account (SCHEMA_ADMIN_ACCOUNT) sees everything; any other sees
 * a group it owns, one shared with it, or a public one.
 */
#ifndef ZSQ_ACL_H
#define ZSQ_ACL_H

#include <stddef.h>
#include <stdint.h>
#include <lmdb.h>

#include "store/store.h"

#define ACL_PUBLIC	"********************************"	/* 32 bytes */

/*
 * Every uuid argument is exactly 32 bytes (need not be NUL-terminated, so
 * rec_head.owner can be passed as is).
 */

/*
 * 1 visible, 0 not (errors count as not visible: fail closed).  shares
 * is a cursor on st->shares that the caller keeps open: a query asks for
 * every candidate group, and a cursor per call would cost an allocation
 * each.
 */
int	acl_visible(MDB_cursor *shares, const char *account, const char *group,
	    const char *owner);
int	acl_is_admin(const char *account);
/*
 * The ordinals of every group account may see (owned, shared with it,
 * public), sorted and unique, into out.  Its cost follows that set, not
 * the store; an admin's set is not built (ZSQ_EINVAL).
 */
struct ordset;
int	acl_visible_set(const struct store *st, MDB_txn *txn,
	    const char *account, struct ordset *out);
/*
 * The owner index: a stored group of ordinal ord now belongs to owner
 * (previously to old, or NULL for a new group).  acl_owner_drop() when
 * the group goes.
 */
int	acl_owner_set(const struct store *st, MDB_txn *txn, uint32_t ord,
	    const char *old, const char *owner);
int	acl_owner_drop(const struct store *st, MDB_txn *txn, uint32_t ord,
	    const char *owner);

/*
 * account NULL means public.  ZSQ_OK, ZSQ_ENOTFOUND (group or account
 * unknown; for unshare also: no such share).  Sharing twice is ZSQ_OK.
 * The caller bumps the generation (store_gen_bump).
 */
int	acl_share(const struct store *st, MDB_txn *txn, const char *group,
	    const char *account);
int	acl_unshare(const struct store *st, MDB_txn *txn, const char *group,
	    const char *account);
/*
 * Drop every share of a group (used when the group is deleted); call it
 * while the group's record is still stored (its ordinal names the
 * reverse entries).
 */
int	acl_drop_group(const struct store *st, MDB_txn *txn, const char *group);

/*
 * Replacing everything at once (zsquery-admin sync makes the store equal
 * to what ZStack said).  Both run inside the caller's write transaction.
 *
 * acl_shares_replace(): afterwards the shares are exactly g[0..n) (in any
 * order, repeats allowed); an entry whose group is not stored, or whose
 * account (unless ACL_PUBLIC) is not an account, is skipped and counted in
 * *skipped (may be NULL).  accounts_replace(): afterwards the accounts
 * are exactly a[0..n) plus the admin account (SCHEMA_ADMIN_ACCOUNT),
 * which is never removed.  The caller bumps the generation.
 */
struct acl_grant {
	char	group[32];
	char	account[32];	/* an account uuid, or ACL_PUBLIC */
};

struct acl_account {
	char	uuid[32];
	char	name[256];	/* NUL-terminated */
};

int	acl_shares_replace(const struct store *st, MDB_txn *txn,
	    const struct acl_grant *g, size_t n, size_t *skipped);
int	accounts_replace(const struct store *st, MDB_txn *txn,
	    const struct acl_account *a, size_t n);

/* ZSQ_OK when the account exists, ZSQ_ENOTFOUND, or a store error. */
int	account_exists(const struct store *st, MDB_txn *txn,
	    const char *account);
/* Add or rename; name is a C string.  ZSQ_OK or a store error. */
int	account_put(const struct store *st, MDB_txn *txn, const char *account,
	    const char *name);

#endif
