/* SPDX-License-Identifier: Apache-2.0 */
/* acl.c - group visibility, shares and accounts; see acl.h. */
#include <string.h>

#include "base/errors.h"
#include "base/text.h"
#include "store/acl.h"
#include "store/index.h"
#include "store/record.h"
#include "store/schema.h"

int
acl_is_admin(const char *account)
{
	return memcmp(account, SCHEMA_ADMIN_ACCOUNT, UUID_LEN) == 0;
}

int
acl_visible(MDB_cursor *shares, const char *account, const char *group,
    const char *owner)
{
	MDB_val k = { UUID_LEN, (void *)group }, v;

	if (acl_is_admin(account) || memcmp(owner, account, UUID_LEN) == 0)
		return 1;
	/* An exact (group, account) share, else a (group, public) one. */
	v.mv_size = UUID_LEN;
	v.mv_data = (void *)account;
	if (mdb_cursor_get(shares, &k, &v, MDB_GET_BOTH) == MDB_SUCCESS)
		return 1;
	v.mv_size = UUID_LEN;
	v.mv_data = (void *)ACL_PUBLIC;
	return mdb_cursor_get(shares, &k, &v, MDB_GET_BOTH) == MDB_SUCCESS;
}

/* ZSQ_OK and the group's ordinal, ZSQ_ENOTFOUND, or a store error. */
static int
group_ord(const struct store *st, MDB_txn *txn, const char *group,
    uint32_t *ord)
{
	MDB_val k = { UUID_LEN, (void *)group }, v;
	struct rec_head h;
	int rc;

	if ((rc = mdb_get(txn, st->groups, &k, &v)) != MDB_SUCCESS)
		return store_err(rc);
	if (record_open(v.mv_data, v.mv_size, &h) != ZSQ_OK)
		return ZSQ_ESTORE;
	*ord = h.ord;
	return ZSQ_OK;
}

/* Add (or with del, remove) ordinal ord under key in a reverse database. */
static int
rev_change(MDB_txn *txn, MDB_dbi dbi, const char *key, uint32_t ord, int del)
{
	unsigned char o[4];
	MDB_val k = { UUID_LEN, (void *)key }, d = { 4, o };
	int rc;

	store_ord_put(o, ord);
	if (del) {
		rc = mdb_del(txn, dbi, &k, &d);
		return rc == MDB_NOTFOUND ? ZSQ_OK : store_err(rc);
	}
	rc = mdb_put(txn, dbi, &k, &d, MDB_NODUPDATA);
	return rc == MDB_KEYEXIST ? ZSQ_OK : store_err(rc);
}

int
acl_owner_set(const struct store *st, MDB_txn *txn, uint32_t ord,
    const char *old, const char *owner)
{
	int rc;

	if (old != NULL && memcmp(old, owner, UUID_LEN) == 0)
		return ZSQ_OK;
	if (old != NULL && (rc = rev_change(txn, st->owned, old, ord, 1)))
		return rc;
	return rev_change(txn, st->owned, owner, ord, 0);
}

int
acl_owner_drop(const struct store *st, MDB_txn *txn, uint32_t ord,
    const char *owner)
{
	return rev_change(txn, st->owned, owner, ord, 1);
}

int
acl_visible_set(const struct store *st, MDB_txn *txn, const char *account,
    struct ordset *out)
{
	int rc;

	if (acl_is_admin(account))
		return ZSQ_EINVAL;
	if ((rc = index_dups_collect(txn, st->owned, account, UUID_LEN,
	    out)) != ZSQ_OK ||
	    (rc = index_dups_collect(txn, st->granted, account, UUID_LEN,
	    out)) != ZSQ_OK ||
	    (rc = index_dups_collect(txn, st->granted, ACL_PUBLIC, UUID_LEN,
	    out)) != ZSQ_OK)
		return rc;
	ordset_sort_unique(out);
	return ZSQ_OK;
}

/*
 * Share (add) or unshare: the group, and the account unless it is NULL
 * (public), must exist either way.
 */
static int
share_change(const struct store *st, MDB_txn *txn, const char *group,
    const char *account, int add)
{
	const char *who = account ? account : ACL_PUBLIC;
	MDB_val k = { UUID_LEN, (void *)group }, v = { UUID_LEN, (void *)who };
	uint32_t ord;
	int rc;

	if ((rc = group_ord(st, txn, group, &ord)) != ZSQ_OK)
		return rc;
	if (account != NULL &&
	    (rc = account_exists(st, txn, account)) != ZSQ_OK)
		return rc;
	if (!add) {
		if ((rc = store_err(mdb_del(txn, st->shares, &k, &v))))
			return rc;
		return rev_change(txn, st->granted, who, ord, 1);
	}
	rc = mdb_put(txn, st->shares, &k, &v, MDB_NODUPDATA);
	if (rc != MDB_SUCCESS && rc != MDB_KEYEXIST)
		return store_err(rc);
	return rev_change(txn, st->granted, who, ord, 0);
}

int
acl_share(const struct store *st, MDB_txn *txn, const char *group,
    const char *account)
{
	return share_change(st, txn, group, account, 1);
}

int
acl_unshare(const struct store *st, MDB_txn *txn, const char *group,
    const char *account)
{
	return share_change(st, txn, group, account, 0);
}

int
acl_drop_group(const struct store *st, MDB_txn *txn, const char *group)
{
	MDB_cursor *cur = NULL;
	MDB_val k = { UUID_LEN, (void *)group }, v;
	uint32_t ord;
	int rc, have;

	/* The reverse entries name the ordinal: drop them first. */
	have = group_ord(st, txn, group, &ord) == ZSQ_OK;
	if ((rc = mdb_cursor_open(txn, st->shares, &cur)) != MDB_SUCCESS)
		return store_err(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET); have &&
	    rc == MDB_SUCCESS; rc = mdb_cursor_get(cur, &k, &v,
	    MDB_NEXT_DUP)) {
		if (v.mv_size == UUID_LEN &&
		    (rc = rev_change(txn, st->granted, v.mv_data, ord, 1)))
			break;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		return store_err(rc);
	rc = mdb_del(txn, st->shares, &k, NULL);
	return rc == MDB_NOTFOUND ? ZSQ_OK : store_err(rc);
}

int
account_exists(const struct store *st, MDB_txn *txn, const char *account)
{
	MDB_val k = { UUID_LEN, (void *)account }, v;

	return store_err(mdb_get(txn, st->accounts, &k, &v));
}

int
account_put(const struct store *st, MDB_txn *txn, const char *account,
    const char *name)
{
	MDB_val k = { UUID_LEN, (void *)account },
	    v = { strlen(name), (void *)name };

	return store_err(mdb_put(txn, st->accounts, &k, &v, 0));
}

int
acl_shares_replace(const struct store *st, MDB_txn *txn,
    const struct acl_grant *g, size_t n, size_t *skipped)
{
	MDB_val k, v;
	uint32_t ord;
	size_t i, skip = 0;
	int rc;

	if ((rc = mdb_drop(txn, st->shares, 0)) != MDB_SUCCESS ||
	    (rc = mdb_drop(txn, st->granted, 0)) != MDB_SUCCESS)
		return store_err(rc);
	for (i = 0; i < n; i++) {
		k.mv_size = UUID_LEN;
		k.mv_data = (void *)g[i].group;
		v.mv_size = UUID_LEN;
		v.mv_data = (void *)g[i].account;
		if ((rc = group_ord(st, txn, g[i].group, &ord)) == ZSQ_OK &&
		    memcmp(g[i].account, ACL_PUBLIC, UUID_LEN) != 0)
			rc = account_exists(st, txn, g[i].account);
		if (rc == ZSQ_ENOTFOUND) {
			skip++;
			continue;
		}
		if (rc != ZSQ_OK)
			return rc;
		rc = mdb_put(txn, st->shares, &k, &v, MDB_NODUPDATA);
		if (rc != MDB_SUCCESS && rc != MDB_KEYEXIST)
			return store_err(rc);
		if ((rc = rev_change(txn, st->granted, g[i].account, ord, 0)))
			return rc;
	}
	if (skipped != NULL)
		*skipped = skip;
	return ZSQ_OK;
}

int
accounts_replace(const struct store *st, MDB_txn *txn,
    const struct acl_account *a, size_t n)
{
	MDB_val k = { UUID_LEN, (void *)SCHEMA_ADMIN_ACCOUNT },
	    v = { 5, (void *)"admin" };
	size_t i;
	int rc, have_admin = 0;

	if ((rc = mdb_drop(txn, st->accounts, 0)) != MDB_SUCCESS)
		return store_err(rc);
	for (i = 0; i < n; i++) {
		if ((rc = account_put(st, txn, a[i].uuid, a[i].name)) != ZSQ_OK)
			return rc;
		have_admin |= acl_is_admin(a[i].uuid);
	}
	if (!have_admin &&
	    (rc = mdb_put(txn, st->accounts, &k, &v, 0)) != MDB_SUCCESS)
		return store_err(rc);
	return ZSQ_OK;
}
