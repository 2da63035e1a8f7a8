/* SPDX-License-Identifier: Apache-2.0 */
/* test_acl.c - visibility, shares and accounts in a real LMDB store. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errors.h"
#include "store/acl.h"
#include "store/index.h"
#include "store/record.h"
#include "store/schema.h"
#include "store/store.h"
#include "t.h"

#define OWNER	"11111111111111111111111111111111"
#define FRIEND	"22222222222222222222222222222222"
#define STRANGER "33333333333333333333333333333333"
/* GHOST is no account at all. */
#define GHOST	"44444444444444444444444444444444"
#define G1	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define G2	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define G3	"cccccccccccccccccccccccccccccccc"	/* no such group */

/* A group of OWNER with ordinal ord, as import writes it. */
static int
group_put(struct store *st, MDB_txn *txn, const char *uuid, uint32_t ord)
{
	struct buf rec = BUF_INIT, json = BUF_INIT;
	struct rec_parts p;
	MDB_val k = { 32, (void *)uuid }, v;
	int rc;

	buf_puts(&json, "{}");
	memset(&p, 0, sizeof(p));
	p.owner = OWNER;
	p.ord = ord;
	p.json = &json;
	if ((rc = record_assemble(&p, &rec)) == ZSQ_OK) {
		v.mv_size = rec.len;
		v.mv_data = rec.data;
		rc = mdb_put(txn, st->groups, &k, &v, 0);
	}
	if (rc == ZSQ_OK)
		rc = acl_owner_set(st, txn, ord, NULL, OWNER);
	buf_free(&rec);
	buf_free(&json);
	return rc;
}

/*
 * Whether account sees group (of ordinal ord): acl_visible() from the
 * group's side, and the reverse entries (acl_visible_set()) from the
 * account's, which must agree; -1 when they do not.
 */
static int
visible(struct store *st, const char *account, const char *group,
    uint32_t ord)
{
	struct ordset set = { NULL, 0, 0 };
	MDB_txn *txn;
	MDB_cursor *cur;
	int r, r2;

	if (mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) != MDB_SUCCESS)
		return -1;
	if (mdb_cursor_open(txn, st->shares, &cur) != MDB_SUCCESS) {
		mdb_txn_abort(txn);
		return -1;
	}
	r = acl_visible(cur, account, group, OWNER);
	mdb_cursor_close(cur);
	if (acl_is_admin(account))
		r2 = acl_visible_set(st, txn, account, &set) == ZSQ_EINVAL;
	else
		r2 = acl_visible_set(st, txn, account, &set) == ZSQ_OK &&
		    ordset_has(&set, ord);
	ordset_free(&set);
	mdb_txn_abort(txn);
	return r == r2 ? r : -1;
}

static void
test_accounts(struct store *st, MDB_txn *txn)
{
	/* store_open() created the admin account. */
	CHECK(account_exists(st, txn, SCHEMA_ADMIN_ACCOUNT) == ZSQ_OK);
	CHECK(account_exists(st, txn, OWNER) == ZSQ_ENOTFOUND);
	CHECK(account_put(st, txn, OWNER, "owner") == ZSQ_OK);
	CHECK(account_put(st, txn, FRIEND, "friend") == ZSQ_OK);
	CHECK(account_put(st, txn, STRANGER, "") == ZSQ_OK);
	CHECK(account_exists(st, txn, OWNER) == ZSQ_OK);
	CHECK(account_exists(st, txn, STRANGER) == ZSQ_OK);
	CHECK(acl_is_admin(SCHEMA_ADMIN_ACCOUNT));
	CHECK(!acl_is_admin(OWNER));
}

static void
test_share_errors(struct store *st, MDB_txn *txn)
{
	CHECK(acl_share(st, txn, G3, FRIEND) == ZSQ_ENOTFOUND);
	CHECK(acl_share(st, txn, G3, NULL) == ZSQ_ENOTFOUND);
	CHECK(acl_share(st, txn, G1, GHOST) == ZSQ_ENOTFOUND);
	CHECK(acl_unshare(st, txn, G1, GHOST) == ZSQ_ENOTFOUND);
	CHECK(acl_unshare(st, txn, G1, FRIEND) == ZSQ_ENOTFOUND);
	CHECK(acl_unshare(st, txn, G1, NULL) == ZSQ_ENOTFOUND);
	CHECK(acl_drop_group(st, txn, G3) == ZSQ_OK);
}

/* The number of entries of dbi. */
static size_t
entries(MDB_txn *txn, MDB_dbi dbi)
{
	MDB_stat ms;

	return mdb_stat(txn, dbi, &ms) == MDB_SUCCESS ? ms.ms_entries : 0;
}

/* 1 when (group, account) is a share. */
static int
has_share(struct store *st, MDB_txn *txn, const char *group,
    const char *account)
{
	MDB_val k = { 32, (void *)group }, v = { 32, (void *)account };
	MDB_cursor *cur;
	int rc;

	if (mdb_cursor_open(txn, st->shares, &cur) != MDB_SUCCESS)
		return -1;
	rc = mdb_cursor_get(cur, &k, &v, MDB_GET_BOTH);
	mdb_cursor_close(cur);
	return rc == MDB_SUCCESS;
}

/*
 * acl_shares_replace() and accounts_replace() (sync's hooks): afterwards
 * exactly the list, whatever was there; unknown groups and accounts are
 * skipped and counted; the admin account always stays; an aborted
 * replace changes nothing.
 */
static void
test_replace(struct store *st)
{
	struct acl_grant g[5];
	struct acl_account a[3];
	MDB_txn *txn;
	MDB_val k, v;
	size_t skipped = 99;

	memcpy(g[0].group, G1, 32);	memcpy(g[0].account, STRANGER, 32);
	memcpy(g[1].group, G2, 32);	memcpy(g[1].account, ACL_PUBLIC, 32);
	memcpy(g[2].group, G3, 32);	memcpy(g[2].account, FRIEND, 32);
	memcpy(g[3].group, G1, 32);	memcpy(g[3].account, GHOST, 32);
	memcpy(g[4].group, G1, 32);	memcpy(g[4].account, STRANGER, 32);
	CHECK(mdb_txn_begin(st->env, NULL, 0, &txn) == MDB_SUCCESS);
	CHECK(acl_share(st, txn, G1, FRIEND) == ZSQ_OK);
	CHECK(acl_share(st, txn, G2, OWNER) == ZSQ_OK);
	CHECK(acl_shares_replace(st, txn, g, 5, &skipped) == ZSQ_OK);
	/* G3 is no group, GHOST no account; the repeat is one share. */
	CHECK(skipped == 2);
	CHECK(entries(txn, st->shares) == 2);
	CHECK(has_share(st, txn, G1, STRANGER) == 1);
	CHECK(has_share(st, txn, G2, ACL_PUBLIC) == 1);
	CHECK(has_share(st, txn, G1, FRIEND) == 0);
	CHECK(has_share(st, txn, G2, OWNER) == 0);
	CHECK(mdb_txn_commit(txn) == MDB_SUCCESS);
	CHECK(visible(st, STRANGER, G1, 1) == 1);
	CHECK(visible(st, FRIEND, G1, 1) == 0);
	CHECK(visible(st, GHOST, G2, 2) == 1);

	/* An empty list leaves no share; an aborted one changes nothing. */
	CHECK(mdb_txn_begin(st->env, NULL, 0, &txn) == MDB_SUCCESS);
	CHECK(acl_shares_replace(st, txn, g, 0, NULL) == ZSQ_OK);
	CHECK(entries(txn, st->shares) == 0);
	mdb_txn_abort(txn);
	CHECK(visible(st, STRANGER, G1, 1) == 1);

	/* Accounts: exactly the list, plus the admin account. */
	memcpy(a[0].uuid, GHOST, 32);		strcpy(a[0].name, "ghost");
	memcpy(a[1].uuid, OWNER, 32);		strcpy(a[1].name, "renamed");
	CHECK(mdb_txn_begin(st->env, NULL, 0, &txn) == MDB_SUCCESS);
	CHECK(accounts_replace(st, txn, a, 2) == ZSQ_OK);
	CHECK(entries(txn, st->accounts) == 3);
	CHECK(account_exists(st, txn, GHOST) == ZSQ_OK);
	CHECK(account_exists(st, txn, FRIEND) == ZSQ_ENOTFOUND);
	CHECK(account_exists(st, txn, STRANGER) == ZSQ_ENOTFOUND);
	CHECK(account_exists(st, txn, SCHEMA_ADMIN_ACCOUNT) == ZSQ_OK);
	k.mv_size = 32;
	k.mv_data = OWNER;
	CHECK(mdb_get(txn, st->accounts, &k, &v) == MDB_SUCCESS);
	CHECK_MEM(v.mv_data, v.mv_size, "renamed");
	/* The admin account given by name keeps that name. */
	memcpy(a[2].uuid, SCHEMA_ADMIN_ACCOUNT, 32);
	strcpy(a[2].name, "root");
	CHECK(accounts_replace(st, txn, a + 2, 1) == ZSQ_OK);
	CHECK(entries(txn, st->accounts) == 1);
	k.mv_data = SCHEMA_ADMIN_ACCOUNT;
	CHECK(mdb_get(txn, st->accounts, &k, &v) == MDB_SUCCESS);
	CHECK_MEM(v.mv_data, v.mv_size, "root");
	/* An empty list: the admin account alone, named admin. */
	CHECK(accounts_replace(st, txn, a, 0) == ZSQ_OK);
	CHECK(entries(txn, st->accounts) == 1);
	CHECK(mdb_get(txn, st->accounts, &k, &v) == MDB_SUCCESS);
	CHECK_MEM(v.mv_data, v.mv_size, "admin");
	mdb_txn_abort(txn);
	CHECK(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) == MDB_SUCCESS);
	CHECK(account_exists(st, txn, FRIEND) == ZSQ_OK);
	CHECK(account_exists(st, txn, GHOST) == ZSQ_ENOTFOUND);
	mdb_txn_abort(txn);
}

int
main(void)
{
	char dir[] = "/tmp/zsq-acl-XXXXXX", cmd[64];
	struct store st;
	MDB_txn *txn;

	if (mkdtemp(dir) == NULL)
		return 99;
	schema_init();
	if (store_open(&st, dir, STORE_CREATE, 0) != ZSQ_OK ||
	    mdb_txn_begin(st.env, NULL, 0, &txn) != MDB_SUCCESS)
		return 99;
	test_accounts(&st, txn);
	CHECK(group_put(&st, txn, G1, 1) == ZSQ_OK);
	CHECK(group_put(&st, txn, G2, 2) == ZSQ_OK);
	test_share_errors(&st, txn);
	CHECK(mdb_txn_commit(txn) == MDB_SUCCESS);

	/* Nothing shared: admin and owner only. */
	CHECK(visible(&st, SCHEMA_ADMIN_ACCOUNT, G1, 1) == 1);
	CHECK(visible(&st, OWNER, G1, 1) == 1);
	CHECK(visible(&st, FRIEND, G1, 1) == 0);
	CHECK(visible(&st, STRANGER, G1, 1) == 0);
	CHECK(visible(&st, GHOST, G1, 1) == 0);

	/* Share G1 with FRIEND (twice: idempotent), G2 with everyone. */
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == MDB_SUCCESS);
	CHECK(acl_share(&st, txn, G1, FRIEND) == ZSQ_OK);
	CHECK(acl_share(&st, txn, G1, FRIEND) == ZSQ_OK);
	CHECK(acl_share(&st, txn, G2, NULL) == ZSQ_OK);
	CHECK(mdb_txn_commit(txn) == MDB_SUCCESS);
	CHECK(visible(&st, FRIEND, G1, 1) == 1);
	CHECK(visible(&st, STRANGER, G1, 1) == 0);
	CHECK(visible(&st, FRIEND, G2, 2) == 1);
	CHECK(visible(&st, STRANGER, G2, 2) == 1);
	CHECK(visible(&st, GHOST, G2, 2) == 1);	/* public means anyone */
	CHECK(visible(&st, FRIEND, G3, 3) == 0);

	/* Unshare one, then drop every share of G2. */
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == MDB_SUCCESS);
	CHECK(acl_share(&st, txn, G2, STRANGER) == ZSQ_OK);
	CHECK(acl_unshare(&st, txn, G1, FRIEND) == ZSQ_OK);
	CHECK(acl_unshare(&st, txn, G1, FRIEND) == ZSQ_ENOTFOUND);
	CHECK(acl_drop_group(&st, txn, G2) == ZSQ_OK);
	CHECK(mdb_txn_commit(txn) == MDB_SUCCESS);
	CHECK(visible(&st, FRIEND, G1, 1) == 0);
	CHECK(visible(&st, OWNER, G1, 1) == 1);
	CHECK(visible(&st, STRANGER, G2, 2) == 0);
	CHECK(visible(&st, FRIEND, G2, 2) == 0);
	CHECK(visible(&st, SCHEMA_ADMIN_ACCOUNT, G2, 2) == 1);

	/* An aborted share leaves nothing behind. */
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == MDB_SUCCESS);
	CHECK(acl_share(&st, txn, G1, NULL) == ZSQ_OK);
	mdb_txn_abort(txn);
	CHECK(visible(&st, STRANGER, G1, 1) == 0);

	/* Replacing every share keeps both directions equal. */
	{
		struct acl_grant g[3];
		size_t skipped = 9;

		memcpy(g[0].group, G1, 32);
		memcpy(g[0].account, STRANGER, 32);
		memcpy(g[1].group, G3, 32);		/* no such group */
		memcpy(g[1].account, FRIEND, 32);
		memcpy(g[2].group, G2, 32);
		memcpy(g[2].account, ACL_PUBLIC, 32);
		CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == MDB_SUCCESS);
		CHECK(acl_share(&st, txn, G1, FRIEND) == ZSQ_OK);
		CHECK(acl_shares_replace(&st, txn, g, 3, &skipped) == ZSQ_OK);
		CHECK(skipped == 1);
		CHECK(mdb_txn_commit(txn) == MDB_SUCCESS);
		CHECK(visible(&st, FRIEND, G1, 1) == 0);
		CHECK(visible(&st, STRANGER, G1, 1) == 1);
		CHECK(visible(&st, FRIEND, G2, 2) == 1);
		CHECK(visible(&st, OWNER, G2, 2) == 1);
	}

	test_replace(&st);

	store_close(&st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 99;
	return t_done();
}
