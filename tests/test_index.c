/* test_index.c - secondary index entries and range collection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "errors.h"
#include "index.h"
#include "record.h"
#include "schema.h"
#include "store.h"
#include "t.h"

static unsigned
leaf_id(const char *path)
{
	const struct leaf *l = NULL;

	schema_leaf_lookup(path, strlen(path), &l);
	return l ? l->id : 9999;
}

/* A record holding only compact values: name, createDate, two nic ips. */
static void
make_rec(struct buf *rec, const char *name, int64_t created,
    const char *ip1, const char *ip2)
{
	struct buf vals = BUF_INIT;
	struct rec_head h;

	record_put_val(&vals, leaf_id("name"), REC_STR, name,
	    (uint32_t)strlen(name), 0);
	record_put_val(&vals, leaf_id("createDate"), REC_TIME, NULL, 0,
	    created);
	if (ip1)
		record_put_val(&vals, leaf_id("instances.vm.vmNics.ip"),
		    REC_STR, ip1, (uint32_t)strlen(ip1), 0);
	if (ip2)
		record_put_val(&vals, leaf_id("instances.vm.vmNics.ip"),
		    REC_STR, ip2, (uint32_t)strlen(ip2), 0);
	memset(&h, 0, sizeof(h));
	h.magic = REC_MAGIC;
	h.vals.off = sizeof(h);
	h.vals.len = (uint32_t)vals.len;
	h.size = (uint32_t)(sizeof(h) + vals.len);
	buf_reset(rec);
	buf_append(rec, &h, sizeof(h));
	buf_append(rec, vals.data, vals.len);
	buf_free(&vals);
}

static struct rec_val
sval(const char *s)
{
	struct rec_val v = { 0, REC_STR, s, (uint32_t)strlen(s), 0 };

	return v;
}

static struct rec_val
tval(int64_t t)
{
	struct rec_val v = { 0, REC_TIME, NULL, 0, t };

	return v;
}

/* Collect and render the uuids' first characters, sorted: "abc". */
static const char *
collect(struct store *st, MDB_txn *txn, const char *path,
    const struct rec_val *lo, int lo_open, const struct rec_val *hi,
    int hi_open)
{
	static char out[64];
	struct uuidset s = { NULL, 0, 0 };
	size_t i;

	CHECK(index_collect(st, txn, leaf_id(path), lo, lo_open, hi, hi_open,
	    &s) == ZSQ_OK);
	uuidset_sort_unique(&s);
	for (i = 0; i < s.n && i < sizeof(out) - 1; i++)
		out[i] = s.u[i][0];
	out[i] = '\0';
	uuidset_free(&s);
	return out;
}

int
main(void)
{
	char tmpl[] = "/tmp/zsq-index-XXXXXX", cmd[600];
	static const char *uu[] = {
		"a0000000000000000000000000000000",
		"b0000000000000000000000000000000",
		"c0000000000000000000000000000000",
		"d0000000000000000000000000000000",
	};
	struct buf rec[4] = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	char longname[1000];
	struct store st;
	MDB_txn *txn;
	struct rec_val v, lo, hi;
	size_t n, i;

	schema_init();
	CHECK(mkdtemp(tmpl) != NULL);
	CHECK(store_open(&st, tmpl, STORE_CREATE, 1 << 24) == ZSQ_OK);
	CHECK(index_is_indexed(leaf_id("name")));
	CHECK(index_is_indexed(leaf_id("instances.vm.vmNics.ip")));
	CHECK(!index_is_indexed(leaf_id("description")));

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	make_rec(&rec[0], "Alpha", -100, "10.0.0.1", "10.0.0.1");
	make_rec(&rec[1], "beta", 0, "10.0.0.2", NULL);
	make_rec(&rec[2], "ALPHA", 1510669257, NULL, NULL);
	make_rec(&rec[3], longname, 2000000000, "10.0.0.1", NULL);
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == 0);
	for (i = 0; i < 4; i++)
		CHECK(index_record_put(&st, txn, uu[i], rec[i].data,
		    rec[i].len) == ZSQ_OK);

	/* Equality folds case; a group holding a value twice counts once. */
	v = sval("alpha");
	CHECK_STR(collect(&st, txn, "name", &v, 0, &v, 0), "ac");
	CHECK(index_count_eq(&st, txn, leaf_id("name"), &v, &n) == ZSQ_OK &&
	    n == 2);
	v = sval("10.0.0.1");
	CHECK_STR(collect(&st, txn, "instances.vm.vmNics.ip", &v, 0, &v, 0),
	    "ad");
	CHECK(index_count_eq(&st, txn, leaf_id("instances.vm.vmNics.ip"), &v,
	    &n) == ZSQ_OK && n == 2);
	v = sval("nobody");
	CHECK_STR(collect(&st, txn, "name", &v, 0, &v, 0), "");

	/* Ranges over signed timestamps, open and closed ends. */
	lo = tval(-100);
	hi = tval(1510669257);
	CHECK_STR(collect(&st, txn, "createDate", &lo, 0, &hi, 0), "abc");
	CHECK_STR(collect(&st, txn, "createDate", &lo, 1, &hi, 1), "b");
	CHECK_STR(collect(&st, txn, "createDate", &lo, 1, NULL, 0), "bcd");
	CHECK_STR(collect(&st, txn, "createDate", NULL, 0, &lo, 0), "a");
	CHECK_STR(collect(&st, txn, "createDate", NULL, 0, &lo, 1), "");
	/* Strings: ranges in folded byte order. */
	lo = sval("b");
	CHECK_STR(collect(&st, txn, "name", &lo, 0, NULL, 0), "bd");
	CHECK_STR(collect(&st, txn, "name", NULL, 0, &lo, 1), "ac");
	/* A value longer than the key limit is still found (cut key). */
	v = sval(longname);
	CHECK_STR(collect(&st, txn, "name", &v, 0, &v, 0), "d");
	CHECK_STR(collect(&st, txn, "name", &v, 1, NULL, 0), "d");
	/* A prefix (a like's literal head) folds too; a cut one widens. */
	v = sval("AL");
	CHECK_STR(collect(&st, txn, "name", &v, 0, &v, INDEX_PREFIX), "ac");
	v = sval("alphaz");
	CHECK_STR(collect(&st, txn, "name", &v, 0, &v, INDEX_PREFIX), "");
	v = sval("x");
	CHECK_STR(collect(&st, txn, "name", &v, 0, &v, INDEX_PREFIX), "d");
	v = sval(longname);
	CHECK_STR(collect(&st, txn, "name", &v, 0, &v, INDEX_PREFIX), "d");
	v = sval("10.0.0.");
	CHECK_STR(collect(&st, txn, "instances.vm.vmNics.ip", &v, 0, &v,
	    INDEX_PREFIX), "abd");

	/* Estimates count entries, never past the cap. */
	lo = tval(-100);
	CHECK(index_count_range(&st, txn, leaf_id("createDate"), &lo, 0,
	    NULL, 0, 100, &n) == ZSQ_OK && n == 4);
	CHECK(index_count_range(&st, txn, leaf_id("createDate"), &lo, 1,
	    NULL, 0, 100, &n) == ZSQ_OK && n == 3);
	CHECK(index_count_range(&st, txn, leaf_id("createDate"), &lo, 0,
	    NULL, 0, 2, &n) == ZSQ_OK && n == 2);
	CHECK(index_count_range(&st, txn, leaf_id("createDate"), &lo, 0,
	    NULL, 0, 0, &n) == ZSQ_OK && n == 0);
	v = sval("a");
	CHECK(index_count_range(&st, txn, leaf_id("name"), &v, 0, &v,
	    INDEX_PREFIX, 100, &n) == ZSQ_OK && n == 2);

	/* Deleting a record's entries leaves the others. */
	CHECK(index_record_del(&st, txn, uu[0], rec[0].data, rec[0].len) ==
	    ZSQ_OK);
	v = sval("ALPHA");
	CHECK_STR(collect(&st, txn, "name", &v, 0, &v, 0), "c");
	v = sval("10.0.0.1");
	CHECK_STR(collect(&st, txn, "instances.vm.vmNics.ip", &v, 0, &v, 0),
	    "d");
	mdb_txn_abort(txn);
	store_close(&st);
	for (i = 0; i < 4; i++)
		buf_free(&rec[i]);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	CHECK(system(cmd) == 0);
	return t_done();
}
