/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_group.c - group_delete() (group.h) on a store filled by the
 * import: the deleted group leaves no trace in any database (record,
 * ordinal, both indexes, owner, shares both ways), the other groups keep
 * every entry, and a second delete finds nothing.  Once with the index
 * entries deleted at once, as `zsquery-admin delete` does, once through
 * an index batch, as the import's replace does.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errors.h"
#include "store/acl.h"
#include "store/group.h"
#include "store/index.h"
#include "store/record.h"
#include "store/schema.h"
#include "store/store.h"
#include "tstore.h"
#include "t.h"

#define FRIEND	"22222222222222222222222222222222"
#define GA	"a0000000000000000000000000000001"
#define GB	"b0000000000000000000000000000002"
#define GC	"c0000000000000000000000000000003"

static const char groups[] =
    "{\"uuid\":\"" GA "\",\"name\":\"alpha\",\"description\":\"shared\","
    "\"systemTags\":[\"s1\"],\"userTags\":[\"u1\",\"both\"]}\n"
    "{\"uuid\":\"" GB "\",\"name\":\"beta\",\"description\":\"shared\","
    "\"userTags\":[\"both\"]}\n"
    "{\"uuid\":\"" GC "\",\"name\":\"gamma\"}\n";

/* 1 when dbi holds (key, the 4 bytes of ord). */
static int
has_ord(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t len, uint32_t ord)
{
	MDB_cursor *cur;
	unsigned char o[4];
	MDB_val k = { len, (void *)key }, v = { 4, o };
	int rc;

	store_ord_put(o, ord);
	if (mdb_cursor_open(txn, dbi, &cur) != MDB_SUCCESS)
		return -1;
	rc = mdb_cursor_get(cur, &k, &v, MDB_GET_BOTH);
	mdb_cursor_close(cur);
	return rc == MDB_SUCCESS;
}

struct keys_seen {
	const struct store *st;
	MDB_txn		*txn;
	uint32_t	 ord;
	size_t		 n, held;	/* keys, and of them still held */
};

static int
key_held(void *arg, enum index_db db, const unsigned char *key, size_t len)
{
	struct keys_seen *ks = arg;

	ks->n++;
	ks->held += has_ord(ks->txn, db == INDEX_EQ ? ks->st->eq :
	    ks->st->ord, key, len, ks->ord) == 1;
	return 0;
}

/* Of rec's index keys (*n of them), those that still name ord. */
static size_t
index_held(const struct store *st, MDB_txn *txn, const struct buf *rec,
    uint32_t ord, size_t *n)
{
	struct keys_seen ks = { st, txn, ord, 0, 0 };

	CHECK(index_record_keys(rec->data, rec->len, key_held, &ks) == 0);
	*n = ks.n;
	return ks.held;
}

/* A group's record (copied) and ordinal. */
static void
stored(struct store *st, MDB_txn *txn, const char *uuid, struct buf *rec,
    uint32_t *ord)
{
	MDB_val k = { 32, (void *)uuid }, v;
	struct rec_head h;

	buf_reset(rec);
	CHECK(mdb_get(txn, st->groups, &k, &v) == MDB_SUCCESS);
	CHECK(buf_append(rec, v.mv_data, v.mv_size) == ZSQ_OK);
	CHECK(record_open(rec->data, rec->len, &h) == ZSQ_OK);
	*ord = h.ord;
}

static size_t
entries(MDB_txn *txn, MDB_dbi dbi)
{
	MDB_stat ms;

	return mdb_stat(txn, dbi, &ms) == MDB_SUCCESS ? ms.ms_entries : 0;
}

/* Nothing names the group uuid of ordinal ord, whose record was rec. */
static void
gone(struct store *st, const char *uuid, const struct buf *rec, uint32_t ord)
{
	MDB_txn *txn;
	MDB_val k = { 32, (void *)uuid }, v;
	unsigned char o[4];
	size_t n;

	CHECK(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) == 0);
	CHECK(mdb_get(txn, st->groups, &k, &v) == MDB_NOTFOUND);
	store_ord_put(o, ord);
	k.mv_size = 4;
	k.mv_data = o;
	CHECK(mdb_get(txn, st->ords, &k, &v) == MDB_NOTFOUND);
	CHECK(index_held(st, txn, rec, ord, &n) == 0 && n > 0);
	CHECK(has_ord(txn, st->owned, SCHEMA_ADMIN_ACCOUNT, 32, ord) == 0);
	CHECK(has_ord(txn, st->granted, FRIEND, 32, ord) == 0);
	CHECK(has_ord(txn, st->granted, ACL_PUBLIC, 32, ord) == 0);
	k.mv_size = 32;
	k.mv_data = (void *)uuid;
	CHECK(mdb_get(txn, st->shares, &k, &v) == MDB_NOTFOUND);
	mdb_txn_abort(txn);
}

/* The group uuid is stored whole: record, ordinal, every index key. */
static void
whole(struct store *st, const char *uuid)
{
	struct buf rec = BUF_INIT;
	MDB_txn *txn;
	MDB_val k, v;
	unsigned char o[4];
	uint32_t ord;
	size_t n;

	CHECK(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) == 0);
	stored(st, txn, uuid, &rec, &ord);
	store_ord_put(o, ord);
	k.mv_size = 4;
	k.mv_data = o;
	CHECK(mdb_get(txn, st->ords, &k, &v) == MDB_SUCCESS &&
	    v.mv_size == 32 && memcmp(v.mv_data, uuid, 32) == 0);
	CHECK(index_held(st, txn, &rec, ord, &n) == n && n > 0);
	CHECK(has_ord(txn, st->owned, SCHEMA_ADMIN_ACCOUNT, 32, ord) == 1);
	mdb_txn_abort(txn);
	buf_free(&rec);
}

int
main(void)
{
	struct store st;
	struct buf rec = BUF_INIT, copy = BUF_INIT;
	struct index_batch b;
	MDB_txn *txn;
	uint32_t ord;
	size_t ngroups;

	tstore_open(&st);
	CHECK(tstore_import(&st, groups, NULL) == ZSQ_OK);
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == 0);
	CHECK(account_put(&st, txn, FRIEND, "friend") == ZSQ_OK);
	CHECK(acl_share(&st, txn, GA, FRIEND) == ZSQ_OK);
	CHECK(acl_share(&st, txn, GA, NULL) == ZSQ_OK);
	CHECK(acl_share(&st, txn, GB, FRIEND) == ZSQ_OK);
	CHECK(mdb_txn_commit(txn) == 0);
	whole(&st, GA);
	whole(&st, GB);
	whole(&st, GC);

	/* At once, with a buffer of the call's own. */
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == 0);
	ngroups = entries(txn, st.groups);
	stored(&st, txn, GA, &rec, &ord);
	CHECK(group_delete(&st, txn, GA, NULL, NULL) == ZSQ_OK);
	CHECK(group_delete(&st, txn, GA, NULL, NULL) == ZSQ_ENOTFOUND);
	CHECK(entries(txn, st.groups) == ngroups - 1);
	CHECK(entries(txn, st.ords) == ngroups - 1);
	CHECK(mdb_txn_commit(txn) == 0);
	gone(&st, GA, &rec, ord);
	whole(&st, GB);
	whole(&st, GC);

	/* Through a batch: the index entries go when it is finished. */
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == 0);
	stored(&st, txn, GB, &rec, &ord);
	index_batch_init(&b, &st, txn, (size_t)1 << 20);
	CHECK(group_delete(&st, txn, GB, &b, &copy) == ZSQ_OK);
	CHECK(copy.len == rec.len && memcmp(copy.data, rec.data, rec.len) == 0);
	CHECK(index_batch_finish(&b) == ZSQ_OK);
	index_batch_free(&b);
	CHECK(group_delete(&st, txn, GB, NULL, &copy) == ZSQ_ENOTFOUND);
	CHECK(mdb_txn_commit(txn) == 0);
	gone(&st, GB, &rec, ord);
	whole(&st, GC);

	buf_free(&rec);
	buf_free(&copy);
	tstore_close(&st);
	return t_done();
}
