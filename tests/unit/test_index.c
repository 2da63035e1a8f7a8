/* SPDX-License-Identifier: Apache-2.0 */
/* test_index.c - secondary index entries and range collection. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errors.h"
#include "store/index.h"
#include "store/index_build.h"
#include "store/record.h"
#include "store/schema.h"
#include "store/store.h"
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

/* Record i of the build test: values shared, repeated, long, cut. */
static void
build_rec(struct buf *rec, unsigned i)
{
	char name[600], ip1[32], ip2[32], tag[32];

	/* Names past INDEX_STR_MAX share their cut ord key. */
	if (i % 5 == 0) {
		memset(name, 'x', 500);
		snprintf(name + 500, 100, "-%u", i % 13);
	} else
		snprintf(name, sizeof(name), "n%u", i % 37);
	/* One ip in most groups: thousands of ordinals, a sub-database. */
	if (i % 4 != 3)
		snprintf(ip1, sizeof(ip1), "10.0.0.1");
	else
		snprintf(ip1, sizeof(ip1), "10.%u.0.%u", i % 3, i % 7);
	/* Every fourth group holds its ip twice: one entry. */
	if (i % 4 == 0)
		snprintf(ip2, sizeof(ip2), "%s", ip1);
	else
		snprintf(ip2, sizeof(ip2), "10.%u.1.%u", i % 3, i % 11);
	snprintf(tag, sizeof(tag), "t::%u", i % 17);
	make_rec(rec, name, (int64_t)(i % 29) * 1000, ip1, ip2,
	    i % 2 ? tag : NULL);
}

/*
 * Every (key, ordinal) of dbi in a and b, in order: equal, each found by
 * a lookup from a's root with the same count of ordinals (a walk alone
 * would not see wrong branch keys); how many, and the most under a key.
 */
static size_t
db_same(MDB_txn *ta, MDB_dbi da, MDB_txn *tb, MDB_dbi db, size_t *most)
{
	MDB_cursor *ca, *cb, *look;
	MDB_val ka, va, kb, vb;
	size_t n = 0, na, nb;
	int ra, rb, bad = 0;

	*most = 0;
	CHECK(mdb_cursor_open(ta, da, &ca) == 0);
	CHECK(mdb_cursor_open(ta, da, &look) == 0);
	CHECK(mdb_cursor_open(tb, db, &cb) == 0);
	for (;;) {
		ra = mdb_cursor_get(ca, &ka, &va, MDB_NEXT);
		rb = mdb_cursor_get(cb, &kb, &vb, MDB_NEXT);
		if (ra != 0 || rb != 0)
			break;
		if (ka.mv_size != kb.mv_size || va.mv_size != vb.mv_size ||
		    memcmp(ka.mv_data, kb.mv_data, ka.mv_size) != 0 ||
		    memcmp(va.mv_data, vb.mv_data, va.mv_size) != 0 ||
		    mdb_cursor_get(look, &kb, &vb, MDB_GET_BOTH) != 0 ||
		    mdb_cursor_count(look, &na) != 0 ||
		    mdb_cursor_count(cb, &nb) != 0 || na != nb) {
			bad = 1;
			break;
		}
		if (na > *most)
			*most = na;
		n++;
	}
	CHECK(!bad && ra == MDB_NOTFOUND && rb == MDB_NOTFOUND);
	mdb_cursor_close(ca);
	mdb_cursor_close(look);
	mdb_cursor_close(cb);
	return n;
}

/*
 * Build mode (index_build.h) writes exactly what the batch does: many
 * small runs, read back through the smallest buffers, merged with pairs
 * in several runs at once and keys cut to the same ord key.
 */
static void
build_matches_batch(void)
{
	char da[] = "/tmp/zsq-build-XXXXXX", dbt[] = "/tmp/zsq-build-XXXXXX",
	    cmd[100];
	struct store a, b;
	struct index_batch ba, bb;
	struct buf rec = BUF_INIT, err = BUF_INIT;
	MDB_txn *ta, *tb;
	unsigned char key[2], ord[4];
	unsigned i, n = 5000;
	char *tmpdir;
	size_t most;

	CHECK(mkdtemp(da) != NULL && mkdtemp(dbt) != NULL);
	CHECK(store_open(&a, da, STORE_CREATE, 1 << 26) == ZSQ_OK);
	CHECK(store_open(&b, dbt, STORE_CREATE, 1 << 26) == ZSQ_OK);

	/* A temporary file goes to TMPDIR, and says where it failed. */
	CHECK(store_txn_begin(&a, 0, &ta) == ZSQ_OK);
	index_batch_init(&ba, &a, ta, 4096);
	if ((tmpdir = getenv("TMPDIR")) != NULL)
		tmpdir = strdup(tmpdir);
	setenv("TMPDIR", "/nonexistent-zsq", 1);
	CHECK(index_batch_build(&ba, &err) == ENOENT);
	CHECK_STR(err.data, "index build file in /nonexistent-zsq: "
	    "No such file or directory");
	if (tmpdir != NULL)
		setenv("TMPDIR", tmpdir, 1);
	else
		unsetenv("TMPDIR");
	free(tmpdir);
	index_batch_free(&ba);
	/* A build only adds. */
	index_batch_init(&ba, &a, ta, 4096);
	CHECK(index_batch_build(&ba, &err) == ZSQ_OK);
	build_rec(&rec, 1);
	CHECK(index_batch_record(&ba, 1, rec.data, rec.len, 1) == ZSQ_OK);
	CHECK(index_batch_finish(&ba) == ZSQ_EINVAL);
	index_batch_free(&ba);
	mdb_txn_abort(ta);

	CHECK(store_txn_begin(&a, 0, &ta) == ZSQ_OK);
	CHECK(store_txn_begin(&b, 0, &tb) == ZSQ_OK);
	index_batch_init(&ba, &a, ta, 4096);
	index_batch_init(&bb, &b, tb, (size_t)64 << 20);
	CHECK(index_batch_build(&ba, &err) == ZSQ_OK);
	index_build_set_merge_mem(ba.build, 0);
	for (i = 0; i < n; i++) {
		build_rec(&rec, i);
		CHECK(index_batch_record(&ba, i, rec.data, rec.len, 0) ==
		    ZSQ_OK);
		CHECK(index_batch_record(&bb, i, rec.data, rec.len, 0) ==
		    ZSQ_OK);
	}
	CHECK(index_build_runs(ba.build, INDEX_EQ) > 50);
	CHECK(index_build_runs(ba.build, INDEX_ORD) > 5);
	CHECK(index_batch_finish(&ba) == ZSQ_OK);
	CHECK(index_batch_finish(&bb) == ZSQ_OK);
	CHECK(index_build_file_error(ba.build) == 0);
	index_batch_free(&ba);
	index_batch_free(&bb);
	/* At least name, description, createDate and an ip a group. */
	CHECK(db_same(ta, a.eq, tb, b.eq, &most) > 4 * (size_t)n);
	CHECK(most >= 3 * (size_t)n / 4);
	CHECK(db_same(ta, a.ord, tb, b.ord, &most) > 2 * (size_t)n);
	CHECK(most >= 3 * (size_t)n / 4);
	/* Not empty any more: no build. */
	index_batch_init(&ba, &a, ta, 4096);
	CHECK(index_batch_build(&ba, &err) == ZSQ_EEXIST);
	CHECK(ba.build == NULL);
	index_batch_free(&ba);
	mdb_txn_abort(ta);
	mdb_txn_abort(tb);

	/* A run's pairs must come in order; a repeated pair is one. */
	{
		struct index_build *ib;

		CHECK(index_build_open(&ib, &err) == ZSQ_OK);
		memset(ord, 0, sizeof(ord));
		key[0] = 'b';
		CHECK(index_build_add(ib, INDEX_EQ, key, 1, ord) == ZSQ_OK);
		CHECK(index_build_add(ib, INDEX_EQ, key, 1, ord) == ZSQ_OK);
		key[0] = 'a';
		CHECK(index_build_add(ib, INDEX_EQ, key, 1, ord) ==
		    ZSQ_EINVAL);
		CHECK(index_build_run_end(ib) == ZSQ_OK);
		CHECK(index_build_add(ib, INDEX_EQ, key, 1, ord) == ZSQ_OK);
		CHECK(index_build_runs(ib, INDEX_EQ) == 1);
		index_build_free(ib);
	}
	store_close(&a);
	store_close(&b);
	buf_free(&rec);
	buf_free(&err);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", da, dbt);
	CHECK(system(cmd) == 0);
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
	build_matches_batch();
	for (i = 0; i < 4; i++)
		buf_free(&rec[i]);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	CHECK(system(cmd) == 0);
	return t_done();
}
