/* test_acl.c - visibility, shares and accounts in a real LMDB store. */
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "errors.h"
#include "schema.h"
#include "store.h"
#include "t.h"

#define OWNER	"11111111111111111111111111111111"
#define FRIEND	"22222222222222222222222222222222"
#define STRANGER "33333333333333333333333333333333"
/* GHOST is no account at all. */
#define GHOST	"44444444444444444444444444444444"
#define G1	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define G2	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define G3	"cccccccccccccccccccccccccccccccc"	/* no such group */

/* acl.c only asks whether a group key exists; any value will do. */
static int
group_put(struct store *st, MDB_txn *txn, const char *uuid)
{
	MDB_val k = { 32, (void *)uuid }, v = { 1, "x" };

	return mdb_put(txn, st->groups, &k, &v, 0);
}

static int
visible(struct store *st, const char *account, const char *group)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	int r;

	if (mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) != MDB_SUCCESS)
		return -1;
	if (mdb_cursor_open(txn, st->shares, &cur) != MDB_SUCCESS) {
		mdb_txn_abort(txn);
		return -1;
	}
	r = acl_visible(cur, account, group, OWNER);
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return r;
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

int
main(void)
{
	char dir[] = "/tmp/zsq-acl-XXXXXX", cmd[64];
	struct store st;
	MDB_txn *txn;

	if (mkdtemp(dir) == NULL)
		return 99;
	if (store_open(&st, dir, STORE_CREATE, 0) != ZSQ_OK ||
	    mdb_txn_begin(st.env, NULL, 0, &txn) != MDB_SUCCESS)
		return 99;
	test_accounts(&st, txn);
	CHECK(group_put(&st, txn, G1) == MDB_SUCCESS);
	CHECK(group_put(&st, txn, G2) == MDB_SUCCESS);
	test_share_errors(&st, txn);
	CHECK(mdb_txn_commit(txn) == MDB_SUCCESS);

	/* Nothing shared: admin and owner only. */
	CHECK(visible(&st, SCHEMA_ADMIN_ACCOUNT, G1) == 1);
	CHECK(visible(&st, OWNER, G1) == 1);
	CHECK(visible(&st, FRIEND, G1) == 0);
	CHECK(visible(&st, STRANGER, G1) == 0);
	CHECK(visible(&st, GHOST, G1) == 0);

	/* Share G1 with FRIEND (twice: idempotent), G2 with everyone. */
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == MDB_SUCCESS);
	CHECK(acl_share(&st, txn, G1, FRIEND) == ZSQ_OK);
	CHECK(acl_share(&st, txn, G1, FRIEND) == ZSQ_OK);
	CHECK(acl_share(&st, txn, G2, NULL) == ZSQ_OK);
	CHECK(mdb_txn_commit(txn) == MDB_SUCCESS);
	CHECK(visible(&st, FRIEND, G1) == 1);
	CHECK(visible(&st, STRANGER, G1) == 0);
	CHECK(visible(&st, FRIEND, G2) == 1);
	CHECK(visible(&st, STRANGER, G2) == 1);
	CHECK(visible(&st, GHOST, G2) == 1);	/* public means anyone */
	CHECK(visible(&st, FRIEND, G3) == 0);

	/* Unshare one, then drop every share of G2. */
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == MDB_SUCCESS);
	CHECK(acl_share(&st, txn, G2, STRANGER) == ZSQ_OK);
	CHECK(acl_unshare(&st, txn, G1, FRIEND) == ZSQ_OK);
	CHECK(acl_unshare(&st, txn, G1, FRIEND) == ZSQ_ENOTFOUND);
	CHECK(acl_drop_group(&st, txn, G2) == ZSQ_OK);
	CHECK(mdb_txn_commit(txn) == MDB_SUCCESS);
	CHECK(visible(&st, FRIEND, G1) == 0);
	CHECK(visible(&st, OWNER, G1) == 1);
	CHECK(visible(&st, STRANGER, G2) == 0);
	CHECK(visible(&st, FRIEND, G2) == 0);
	CHECK(visible(&st, SCHEMA_ADMIN_ACCOUNT, G2) == 1);

	/* An aborted share leaves nothing behind. */
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == MDB_SUCCESS);
	CHECK(acl_share(&st, txn, G1, NULL) == ZSQ_OK);
	mdb_txn_abort(txn);
	CHECK(visible(&st, STRANGER, G1) == 0);

	store_close(&st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 99;
	return t_done();
}
