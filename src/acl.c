/* acl.c - group visibility, shares and accounts; see acl.h. */
#include <string.h>

#include "acl.h"
#include "errors.h"
#include "schema.h"

#define UUID_LEN	32

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

static int
group_exists(const struct store *st, MDB_txn *txn, const char *group)
{
	MDB_val k = { UUID_LEN, (void *)group }, v;

	return store_err(mdb_get(txn, st->groups, &k, &v));
}

/*
 * Share (add) or unshare: the group, and the account unless it is NULL
 * (public), must exist either way.
 */
static int
share_change(const struct store *st, MDB_txn *txn, const char *group,
    const char *account, int add)
{
	MDB_val k = { UUID_LEN, (void *)group },
	    v = { UUID_LEN, (void *)(account ? account : ACL_PUBLIC) };
	int rc;

	if ((rc = group_exists(st, txn, group)) != ZSQ_OK)
		return rc;
	if (account != NULL &&
	    (rc = account_exists(st, txn, account)) != ZSQ_OK)
		return rc;
	if (!add)
		return store_err(mdb_del(txn, st->shares, &k, &v));
	rc = mdb_put(txn, st->shares, &k, &v, MDB_NODUPDATA);
	return rc == MDB_KEYEXIST ? ZSQ_OK : store_err(rc);
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
	MDB_val k = { UUID_LEN, (void *)group };
	int rc;

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
	size_t i, skip = 0;
	int rc;

	if ((rc = mdb_drop(txn, st->shares, 0)) != MDB_SUCCESS)
		return store_err(rc);
	for (i = 0; i < n; i++) {
		k.mv_size = UUID_LEN;
		k.mv_data = (void *)g[i].group;
		v.mv_size = UUID_LEN;
		v.mv_data = (void *)g[i].account;
		if ((rc = group_exists(st, txn, g[i].group)) == ZSQ_OK &&
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
