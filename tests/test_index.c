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

/* A record holding only compact values and tags (record_assemble). */
static void
make_rec(struct buf *rec, const char *name, int64_t created,
    const char *ip1, const char *ip2, const char *tag)
{
	struct buf vals = BUF_INIT, tags = BUF_INIT, json = BUF_INIT;
	struct rec_parts p;

	/* In leaf order: the nested leaves come before name. */
	if (ip1)
		record_put_val(&vals, leaf_id("instances.vm.vmNics.ip"),
		    REC_STR, ip1, (uint32_t)strlen(ip1), 0);
	if (ip2)
		record_put_val(&vals, leaf_id("instances.vm.vmNics.ip"),
		    REC_STR, ip2, (uint32_t)strlen(ip2), 0);
	record_put_val(&vals, leaf_id("name"), REC_STR, name,
	    (uint32_t)strlen(name), 0);
	record_put_val(&vals, leaf_id("description"), REC_STR, name,
	    (uint32_t)strlen(name), 0);
	record_put_val(&vals, leaf_id("createDate"), REC_TIME, NULL, 0,
	    created);
	if (tag)
		record_put_tag(&tags, REC_TAG_SYSTEM, tag,
		    (uint32_t)strlen(tag));
	buf_puts(&json, "{}");
	memset(&p, 0, sizeof(p));
	p.owner = "0123456789abcdef0123456789abcdef";
	p.vals = &vals;
	p.tags = &tags;
	p.json = &json;
	CHECK(record_assemble(&p, rec) == ZSQ_OK);
	buf_free(&vals);
	buf_free(&tags);
	buf_free(&json);
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

/* The ordinals of a set as letters (0 is 'a'), sorted: "abc". */
static const char *
letters(struct ordset *s)
{
	static char out[64];
	size_t i;

	ordset_sort_unique(s);
	for (i = 0; i < s->n && i < sizeof(out) - 1; i++)
		out[i] = (char)('a' + s->o[i]);
	out[i] = '\0';
	ordset_free(s);
	return out;
}

static const char *
collect(struct store *st, MDB_txn *txn, const char *path,
    const struct rec_val *lo, int lo_open, const struct rec_val *hi,
    int hi_open)
{
	struct ordset s = { NULL, 0, 0 };

	CHECK(index_range_collect(st, txn, leaf_id(path), lo, lo_open, hi,
	    hi_open, &s) == ZSQ_OK);
	return letters(&s);
}

/* Equality through eq: a leaf path or a tag id. */
static const char *
eq(struct store *st, MDB_txn *txn, unsigned id, struct rec_val v,
    size_t *count)
{
	unsigned char key[INDEX_EQ_KEY];
	struct ordset s = { NULL, 0, 0 };

	index_eq_key(id, &v, key);
	CHECK(index_eq_collect(st, txn, key, &s) == ZSQ_OK);
	CHECK(index_eq_count(st, txn, key, count) == ZSQ_OK);
	return letters(&s);
}

int
main(void)
{
	char tmpl[] = "/tmp/zsq-index-XXXXXX", cmd[600];
	struct buf rec[4] = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	char longname[1000];
	struct store st;
	struct index_batch b;
	MDB_txn *txn;
	struct rec_val v, lo, hi;
	size_t n, i;

	schema_init();
	CHECK(mkdtemp(tmpl) != NULL);
	CHECK(store_open(&st, tmpl, STORE_CREATE, 1 << 24) == ZSQ_OK);
	CHECK(index_is_ordered(leaf_id("name")));
	CHECK(index_is_ordered(leaf_id("instances.vm.vmNics.ip")));
	CHECK(!index_is_ordered(leaf_id("description")));

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	make_rec(&rec[0], "Alpha", -100, "10.0.0.1", "10.0.0.1", "gpu::A");
	make_rec(&rec[1], "beta", 0, "10.0.0.2", NULL, NULL);
	make_rec(&rec[2], "ALPHA", 1510669257, NULL, NULL, "GPU::a");
	make_rec(&rec[3], longname, 2000000000, "10.0.0.1", NULL, NULL);
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == 0);
	for (i = 0; i < 4; i++) {
		int rc = index_record_put(&st, txn, (uint32_t)i, rec[i].data,
		    rec[i].len);
		CHECK(rc == ZSQ_OK);
		if (rc != ZSQ_OK)
			printf("put %zu: %s\n", i, zsq_strerror(rc));
	}

	/* Equality folds case; a group holding a value twice counts once. */
	CHECK_STR(eq(&st, txn, leaf_id("name"), sval("alpha"), &n), "ac");
	CHECK(n == 2);
	CHECK_STR(eq(&st, txn, leaf_id("description"), sval("aLPHA"), &n),
	    "ac");
	CHECK_STR(eq(&st, txn, leaf_id("instances.vm.vmNics.ip"),
	    sval("10.0.0.1"), &n), "ad");
	CHECK(n == 2);
	CHECK_STR(eq(&st, txn, leaf_id("name"), sval("nobody"), &n), "");
	CHECK(n == 0);
	/* Any length is one key: a value past every key limit is exact. */
	CHECK_STR(eq(&st, txn, leaf_id("description"), sval(longname), &n),
	    "d");
	longname[sizeof(longname) - 2] = 'y';
	CHECK_STR(eq(&st, txn, leaf_id("description"), sval(longname), &n),
	    "");
	longname[sizeof(longname) - 2] = 'x';
	/* Numbers by value, tags by kind. */
	CHECK_STR(eq(&st, txn, leaf_id("createDate"), tval(0), &n), "b");
	CHECK_STR(eq(&st, txn, INDEX_ID_TAG + REC_TAG_SYSTEM,
	    sval("Gpu::A"), &n), "ac");
	CHECK_STR(eq(&st, txn, INDEX_ID_TAG + REC_TAG_USER, sval("gpu::a"),
	    &n), "");

	/* The ord index: equality as a closed range. */
	v = sval("alpha");
	CHECK_STR(collect(&st, txn, "name", &v, 0, &v, 0), "ac");
	v = sval("10.0.0.1");
	CHECK_STR(collect(&st, txn, "instances.vm.vmNics.ip", &v, 0, &v, 0),
	    "ad");

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
	CHECK(index_range_count(&st, txn, leaf_id("createDate"), &lo, 0,
	    NULL, 0, 100, &n) == ZSQ_OK && n == 4);
	CHECK(index_range_count(&st, txn, leaf_id("createDate"), &lo, 1,
	    NULL, 0, 100, &n) == ZSQ_OK && n == 3);
	CHECK(index_range_count(&st, txn, leaf_id("createDate"), &lo, 0,
	    NULL, 0, 2, &n) == ZSQ_OK && n == 2);
	CHECK(index_range_count(&st, txn, leaf_id("createDate"), &lo, 0,
	    NULL, 0, 0, &n) == ZSQ_OK && n == 0);
	v = sval("a");
	CHECK(index_range_count(&st, txn, leaf_id("name"), &v, 0, &v,
	    INDEX_PREFIX, 100, &n) == ZSQ_OK && n == 2);

	/* Deleting a record's entries leaves the others. */
	CHECK(index_record_del(&st, txn, 0, rec[0].data, rec[0].len) ==
	    ZSQ_OK);
	v = sval("ALPHA");
	CHECK_STR(collect(&st, txn, "name", &v, 0, &v, 0), "c");
	v = sval("10.0.0.1");
	CHECK_STR(collect(&st, txn, "instances.vm.vmNics.ip", &v, 0, &v, 0),
	    "d");
	CHECK_STR(eq(&st, txn, INDEX_ID_TAG + REC_TAG_SYSTEM,
	    sval("gpu::a"), &n), "c");

	/*
	 * The sorted batch: replacing a record keeps the entries both
	 * versions have and drops the rest; a value held twice is one entry.
	 */
	index_batch_init(&b, &st, txn, 1 << 20);
	CHECK(index_batch_record(&b, 1, rec[1].data, rec[1].len, 1) ==
	    ZSQ_OK);
	make_rec(&rec[1], "beta", 0, "10.0.0.9", "10.0.0.9", NULL);
	CHECK(index_batch_record(&b, 1, rec[1].data, rec[1].len, 0) ==
	    ZSQ_OK);
	CHECK(index_batch_record(&b, 0, rec[0].data, rec[0].len, 0) ==
	    ZSQ_OK);
	CHECK(index_batch_flush(&b) == ZSQ_OK);
	index_batch_free(&b);
	CHECK_STR(eq(&st, txn, leaf_id("name"), sval("BETA"), &n), "b");
	CHECK_STR(eq(&st, txn, leaf_id("instances.vm.vmNics.ip"),
	    sval("10.0.0.2"), &n), "");
	CHECK_STR(eq(&st, txn, leaf_id("instances.vm.vmNics.ip"),
	    sval("10.0.0.9"), &n), "b");
	CHECK(n == 1);
	CHECK_STR(eq(&st, txn, leaf_id("name"), sval("alpha"), &n), "ac");
	mdb_txn_abort(txn);
	store_close(&st);
	for (i = 0; i < 4; i++)
		buf_free(&rec[i]);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	CHECK(system(cmd) == 0);
	return t_done();
}
