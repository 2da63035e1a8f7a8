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
acl_visible(const struct store *st, MDB_txn *txn, const char *account,
    const char *group, const char *owner)
{
	MDB_cursor *cur = NULL;
	MDB_val k = { UUID_LEN, (void *)group }, v;
	int visible = 0;

	if (acl_is_admin(account) || memcmp(owner, account, UUID_LEN) == 0)
		return 1;
	/*
	 * This runs for every candidate group of a query: one cursor serves
	 * both exact (group, account) and (group, public) lookups.  Any
	 * error leaves visible at 0.
	 */
	if (mdb_cursor_open(txn, st->shares, &cur) != MDB_SUCCESS)
		return 0;
	v.mv_size = UUID_LEN;
	v.mv_data = (void *)account;
	if (mdb_cursor_get(cur, &k, &v, MDB_GET_BOTH) == MDB_SUCCESS)
		visible = 1;
	else {
		v.mv_size = UUID_LEN;
		v.mv_data = (void *)ACL_PUBLIC;
		visible = mdb_cursor_get(cur, &k, &v, MDB_GET_BOTH) ==
		    MDB_SUCCESS;
	}
	mdb_cursor_close(cur);
	return visible;
}

static int
group_exists(const struct store *st, MDB_txn *txn, const char *group)
{
	MDB_val k = { UUID_LEN, (void *)group }, v;

	return store_err(mdb_get(txn, st->groups, &k, &v));
}

/* The group, and the account unless it is NULL (public), must exist. */
static int
share_check(const struct store *st, MDB_txn *txn, const char *group,
    const char *account)
{
	int rc;

	if ((rc = group_exists(st, txn, group)) != ZSQ_OK)
		return rc;
	return account ? account_exists(st, txn, account) : ZSQ_OK;
}

int
acl_share(const struct store *st, MDB_txn *txn, const char *group,
    const char *account)
{
	MDB_val k = { UUID_LEN, (void *)group },
	    v = { UUID_LEN, (void *)(account ? account : ACL_PUBLIC) };
	int rc;

	if ((rc = share_check(st, txn, group, account)) != ZSQ_OK)
		return rc;
	rc = mdb_put(txn, st->shares, &k, &v, MDB_NODUPDATA);
	return rc == MDB_KEYEXIST ? ZSQ_OK : store_err(rc);
}

int
acl_unshare(const struct store *st, MDB_txn *txn, const char *group,
    const char *account)
{
	MDB_val k = { UUID_LEN, (void *)group },
	    v = { UUID_LEN, (void *)(account ? account : ACL_PUBLIC) };
	int rc;

	if ((rc = share_check(st, txn, group, account)) != ZSQ_OK)
		return rc;
	return store_err(mdb_del(txn, st->shares, &k, &v));
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
