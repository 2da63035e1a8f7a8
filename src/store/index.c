/* SPDX-License-Identifier: Apache-2.0 */
/* index.c - secondary indexes over stored records; see index.h. */
#define _GNU_SOURCE		/* qsort_r */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XXH_STATIC_LINKING_ONLY	/* XXH3_state_t on the stack */
#include <xxhash.h>

#include "base/buf.h"
#include "base/errors.h"
#include "base/hash.h"
#include "base/text.h"
#include "base/vec.h"
#include "store/index.h"
#include "store/index_build.h"
#include "store/schema.h"

#define MAX_LEAF_IDS	256
#define FOLD_CHUNK	256

static const char *const ordered_paths[] = {
#define INDEX_PATH_ELEM(p)	p,
	INDEX_ORDERED(INDEX_PATH_ELEM)
#undef INDEX_PATH_ELEM
};

static unsigned char ordered[MAX_LEAF_IDS];
static int ordered_ready;

const char *
index_format(void)
{
	static char fmt[STORE_FORMAT_MAX];
	const struct leaf *l;
	uint64_t h = HASH_FNV1A_INIT;
	unsigned char t;
	unsigned i, n;

	if (fmt[0] != '\0')
		return fmt;
	schema_init();
	n = schema_nleaves();
	for (i = 0; i < n; i++) {
		l = schema_leaf(i);
		t = (unsigned char)l->type;
		h = hash_fnv1a(h, l->path, strlen(l->path) + 1);
		h = hash_fnv1a(h, &t, 1);
	}
	snprintf(fmt, sizeof(fmt), "%sleaves:%u:%016llx", INDEX_FORMAT_BASE,
	    n, (unsigned long long)h);
	return fmt;
}

int
index_is_ordered(unsigned leaf)
{
	const struct leaf *l;
	size_t i;

	if (!ordered_ready) {
		schema_init();
		for (i = 0; i < sizeof(ordered_paths) / sizeof(*ordered_paths);
		    i++)
			if (schema_leaf_lookup(ordered_paths[i],
			    strlen(ordered_paths[i]), &l) == SCHEMA_FOUND &&
			    l->id < MAX_LEAF_IDS)
				ordered[l->id] = 1;
		ordered_ready = 1;
	}
	return leaf < MAX_LEAF_IDS && ordered[leaf];
}

/* XXH3-64 of s folded, without a copy of the whole string. */
static uint64_t
hash_folded(const char *s, size_t n)
{
	unsigned char chunk[FOLD_CHUNK];
	XXH3_state_t st;
	size_t i, k;

	if (n <= FOLD_CHUNK) {
		for (i = 0; i < n; i++)
			chunk[i] = text_fold((unsigned char)s[i]);
		return XXH3_64bits(chunk, n);
	}
	XXH3_INITSTATE(&st);
	(void)XXH3_64bits_reset(&st);
	for (i = 0; i < n; i += k) {
		k = n - i < FOLD_CHUNK ? n - i : FOLD_CHUNK;
		for (size_t j = 0; j < k; j++)
			chunk[j] = text_fold((unsigned char)s[i + j]);
		(void)XXH3_64bits_update(&st, chunk, k);
	}
	return XXH3_64bits_digest(&st);
}

static void
be64(unsigned char *p, uint64_t u)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(u >> (56 - 8 * i));
}

void
index_eq_key(unsigned id, const struct rec_val *v, unsigned char *key)
{
	key[0] = (unsigned char)(id >> 8);
	key[1] = (unsigned char)id;
	switch (v->kind) {
	case REC_STR:
		be64(key + 2, hash_folded(v->str, v->len));
		break;
	case REC_INT:
	case REC_TIME:
		/* Flipping the sign bit makes unsigned byte order numeric. */
		be64(key + 2, (uint64_t)v->num ^ ((uint64_t)1 << 63));
		break;
	default:
		be64(key + 2, v->num != 0);
		break;
	}
}

/*
 * The ord key of leaf + v into key (INDEX_KEY_MAX bytes); returns the
 * length, and sets *cut when a string was shortened (its key then stands
 * for many values).
 */
static size_t
ord_key(unsigned char *key, unsigned leaf, const struct rec_val *v, int *cut)
{
	size_t n = 2, i, len;

	key[0] = (unsigned char)(leaf >> 8);
	key[1] = (unsigned char)leaf;
	*cut = 0;
	switch (v->kind) {
	case REC_STR:
		len = v->len;
		/* A bound of exactly INDEX_STR_MAX bytes is the key of longer
		 * values too (theirs are cut to it): it stands for many. */
		if (len >= INDEX_STR_MAX) {
			len = INDEX_STR_MAX;
			*cut = 1;
		}
		for (i = 0; i < len; i++)
			key[n++] = text_fold((unsigned char)v->str[i]);
		break;
	case REC_INT:
	case REC_TIME:
		be64(key + n, (uint64_t)v->num ^ ((uint64_t)1 << 63));
		n += 8;
		break;
	case REC_BOOL:
		key[n++] = v->num != 0;
		break;
	case REC_NULL:
		break;
	}
	return n;
}

/* The keys of one value (eq, and ord when the leaf is ordered). */
static int
value_keys(unsigned id, const struct rec_val *v, index_key_fn fn, void *arg)
{
	unsigned char key[INDEX_KEY_MAX];
	int rc, cut;

	if (v->kind == REC_NULL)
		return ZSQ_OK;
	index_eq_key(id, v, key);
	if ((rc = fn(arg, INDEX_EQ, key, INDEX_EQ_KEY)) != ZSQ_OK)
		return rc;
	if (id < INDEX_ID_TAG && index_is_ordered(id))
		return fn(arg, INDEX_ORD, key, ord_key(key, id, v, &cut));
	return ZSQ_OK;
}

/* The tags of kind (or every kind when kind < 0) as eq keys. */
static int
tag_keys(const void *rec, const struct rec_head *h, int kind,
    index_key_fn fn, void *arg)
{
	struct rec_iter it;
	struct rec_val v;
	struct rec_tagval t;
	int rc, r;

	memset(&v, 0, sizeof(v));
	v.kind = REC_STR;
	record_tags_begin(rec, h, &it);
	while ((r = record_tags_next(&it, &t)) == 1) {
		if (kind >= 0 && (int)t.kind != kind)
			continue;
		v.str = t.str;
		v.len = t.len;
		if ((rc = value_keys(INDEX_ID_TAG + t.kind, &v, fn, arg)))
			return rc;
	}
	return r == 0 ? ZSQ_OK : ZSQ_ESTORE;
}

int
index_record_keys(const void *rec, size_t len, index_key_fn fn, void *arg)
{
	struct rec_head h;
	struct rec_iter it;
	struct rec_val v;
	int rc, r;

	if ((rc = record_open(rec, len, &h)) != ZSQ_OK)
		return rc;
	record_vals_begin(rec, &h, &it);
	while ((r = record_vals_next(&it, &v)) == 1)
		if ((rc = value_keys(v.leaf, &v, fn, arg)) != ZSQ_OK)
			return rc;
	if (r != 0)
		return ZSQ_ESTORE;
	return tag_keys(rec, &h, -1, fn, arg);
}

int
index_record_id_keys(const void *rec, size_t len, unsigned id,
    index_key_fn fn, void *arg)
{
	struct rec_head h;
	struct rec_iter it;
	struct rec_val v;
	int rc, r;

	if ((rc = record_open(rec, len, &h)) != ZSQ_OK)
		return rc;
	if (id >= INDEX_ID_TAG)
		return tag_keys(rec, &h, (int)(id - INDEX_ID_TAG), fn, arg);
	record_vals_leaf(rec, &h, id, &it);
	while ((r = record_vals_next(&it, &v)) == 1)
		if (v.leaf == id && (rc = value_keys(id, &v, fn, arg)))
			return rc;
	return r == 0 ? ZSQ_OK : ZSQ_ESTORE;
}

/* What index_record_put() and index_record_del() write with. */
struct walk_ctx {
	const struct store *st;
	MDB_txn		*txn;
	unsigned char	 ord[4];
	int		 del;
};

static MDB_dbi
dbi_of(const struct store *st, enum index_db db)
{
	return db == INDEX_EQ ? st->eq : st->ord;
}

static int
walk_key(void *arg, enum index_db db, const unsigned char *key, size_t len)
{
	struct walk_ctx *w = arg;
	MDB_val k = { len, (void *)key }, d = { 4, w->ord };
	int rc;

	rc = w->del ? mdb_del(w->txn, dbi_of(w->st, db), &k, &d) :
	    mdb_put(w->txn, dbi_of(w->st, db), &k, &d, 0);
	/* A value held twice by one group was deleted already. */
	if (rc != MDB_SUCCESS && !(w->del && rc == MDB_NOTFOUND))
		return store_err(rc);
	return ZSQ_OK;
}

int
index_record_put(const struct store *st, MDB_txn *txn, uint32_t ord,
    const void *rec, size_t len)
{
	struct walk_ctx w = { st, txn, { 0 }, 0 };

	store_ord_put(w.ord, ord);
	return index_record_keys(rec, len, walk_key, &w);
}

int
index_record_del(const struct store *st, MDB_txn *txn, uint32_t ord,
    const void *rec, size_t len)
{
	struct walk_ctx w = { st, txn, { 0 }, 1 };

	store_ord_put(w.ord, ord);
	return index_record_keys(rec, len, walk_key, &w);
}

/* --- the sorted batch ------------------------------------------------ */

/*
 * Entry: u16 key length, u8 db, key, 4-byte ordinal, u8 op (0 delete,
 * 1 add).  Compared as LMDB orders them: db, key bytes (a prefix first),
 * ordinal, then deletions before additions.
 */
#define ENT_HEAD	3

static const unsigned char *
ent(const struct index_batch *b, size_t i, size_t *klen)
{
	const unsigned char *p = (const unsigned char *)b->ents.data +
	    b->off[i];
	uint16_t n;

	memcpy(&n, p, 2);
	*klen = n;
	return p;
}

static int
ent_cmp(const void *x, const void *y, void *arg)
{
	const struct index_batch *b = arg;
	const unsigned char *a = (const unsigned char *)b->ents.data +
	    *(const size_t *)x;
	const unsigned char *c = (const unsigned char *)b->ents.data +
	    *(const size_t *)y;
	uint16_t al, cl;
	int r;

	if (a[2] != c[2])
		return a[2] < c[2] ? -1 : 1;
	memcpy(&al, a, 2);
	memcpy(&cl, c, 2);
	r = memcmp(a + ENT_HEAD, c + ENT_HEAD, al < cl ? al : cl);
	if (r != 0)
		return r;
	if (al != cl)
		return al < cl ? -1 : 1;
	/* Ordinal and op together: 4 bytes big-endian, then the op. */
	return memcmp(a + ENT_HEAD + al, c + ENT_HEAD + cl, 5);
}

void
index_batch_init(struct index_batch *b, const struct store *st, MDB_txn *txn,
    size_t limit)
{
	memset(b, 0, sizeof(*b));
	b->st = st;
	b->txn = txn;
	b->limit = limit;
}

/* An eq entry as two numbers whose order is LMDB's (key, ordinal). */
static void
eq_pack(const unsigned char *key, uint32_t ord, int put,
    struct index_eq_ent *e)
{
	int i;

	e->hi = 0;
	for (i = 0; i < 8; i++)
		e->hi = e->hi << 8 | key[i];
	e->lo = (uint64_t)key[8] << 56 | (uint64_t)key[9] << 48 |
	    (uint64_t)ord << 16 | (put ? 1 : 0);
}

static void
eq_unpack(const struct index_eq_ent *e, unsigned char *key,
    unsigned char *ord)
{
	int i;

	for (i = 0; i < 8; i++)
		key[i] = (unsigned char)(e->hi >> (56 - 8 * i));
	key[8] = (unsigned char)(e->lo >> 56);
	key[9] = (unsigned char)(e->lo >> 48);
	store_ord_put(ord, (uint32_t)(e->lo >> 16));
}

static int
batch_key(void *arg, enum index_db db, const unsigned char *key, size_t len)
{
	struct index_batch *b = arg;
	uint16_t n = (uint16_t)len;
	unsigned char head[ENT_HEAD], tail[5];
	int rc;

	if (db == INDEX_EQ) {
		if ((rc = VEC_GROW(&b->eq, &b->capeq, b->neq + 1)) != ZSQ_OK)
			return rc;
		eq_pack(key, b->ord, !b->del, &b->eq[b->neq++]);
		return ZSQ_OK;
	}
	if ((rc = VEC_GROW(&b->off, &b->cap, b->n + 1)) != ZSQ_OK)
		return rc;
	memcpy(head, &n, 2);
	head[2] = (unsigned char)db;
	store_ord_put(tail, b->ord);
	tail[4] = b->del ? 0 : 1;
	b->off[b->n] = b->ents.len;
	if ((rc = buf_append(&b->ents, head, sizeof(head))) != ZSQ_OK ||
	    (rc = buf_append(&b->ents, key, len)) != ZSQ_OK ||
	    (rc = buf_append(&b->ents, tail, sizeof(tail))) != ZSQ_OK)
		return rc;
	b->n++;
	return ZSQ_OK;
}

int
index_batch_record(struct index_batch *b, uint32_t ord, const void *rec,
    size_t len, int del)
{
	int rc;

	b->ord = ord;
	b->del = del;
	if ((rc = index_record_keys(rec, len, batch_key, b)) != ZSQ_OK)
		return rc;
	return b->ents.len + b->neq * sizeof(*b->eq) < b->limit ? ZSQ_OK :
	    index_batch_flush(b);
}

/* Apply one entry through its database's cursor (or add it to the run). */
static int
batch_apply(struct index_batch *b, MDB_cursor **cur, unsigned db,
    const unsigned char *e, size_t klen, int put)
{
	MDB_val k = { klen, (void *)(e + ENT_HEAD) },
	    d = { 4, (void *)(e + ENT_HEAD + klen) };
	MDB_cursor *c = cur[db];
	int rc;

	/* A build only adds: the databases were empty (see index.h). */
	if (b->build != NULL)
		return put ? index_build_add(b->build, db, k.mv_data, klen,
		    d.mv_data) : ZSQ_EINVAL;
	if (b->tick != NULL)
		b->tick(b->tick_arg);
	if (!put) {
		rc = mdb_cursor_get(c, &k, &d, MDB_GET_BOTH);
		if (rc == MDB_SUCCESS)
			rc = mdb_cursor_del(c, 0);
		return rc == MDB_NOTFOUND ? ZSQ_OK : store_err(rc);
	}
	rc = mdb_cursor_put(c, &k, &d, MDB_NODUPDATA);
	return rc == MDB_KEYEXIST ? ZSQ_OK : store_err(rc);
}

static int
eq_cmp(const void *x, const void *y)
{
	const struct index_eq_ent *a = x, *b = y;

	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/*
 * The eq entries, sorted, in one pass: one run per (key, ordinal), kept
 * when any record of the batch adds it, else deleted (see below).
 */
static int
eq_flush(struct index_batch *b, MDB_cursor **cur)
{
	unsigned char e[ENT_HEAD + INDEX_EQ_KEY + 5];
	size_t i, j;
	int rc = ZSQ_OK, put;

	qsort(b->eq, b->neq, sizeof(*b->eq), eq_cmp);
	for (i = 0; i < b->neq && rc == ZSQ_OK; i = j) {
		put = (int)(b->eq[i].lo & 1);
		for (j = i + 1; j < b->neq && b->eq[j].hi == b->eq[i].hi &&
		    b->eq[j].lo >> 16 == b->eq[i].lo >> 16; j++)
			put |= (int)(b->eq[j].lo & 1);
		eq_unpack(&b->eq[i], e + ENT_HEAD, e + ENT_HEAD + INDEX_EQ_KEY);
		rc = batch_apply(b, cur, INDEX_EQ, e, INDEX_EQ_KEY, put);
	}
	b->neq = 0;
	return rc;
}

int
index_batch_flush(struct index_batch *b)
{
	MDB_cursor *cur[2] = { NULL, NULL };
	const unsigned char *e, *next;
	size_t i, j, klen, nlen;
	int rc = ZSQ_OK, put;

	if (b->n == 0 && b->neq == 0)
		return ZSQ_OK;
	if (b->build == NULL && (
	    (rc = mdb_cursor_open(b->txn, b->st->eq, &cur[INDEX_EQ])) != 0 ||
	    (rc = mdb_cursor_open(b->txn, b->st->ord, &cur[INDEX_ORD])) != 0)) {
		rc = store_err(rc);
		goto out;
	}
	if ((rc = eq_flush(b, cur)) != ZSQ_OK)
		goto out;
	if (b->n > 1)
		qsort_r(b->off, b->n, sizeof(*b->off), ent_cmp, b);
	/*
	 * One run per (db, key, ordinal): the entry stays when any record
	 * of the batch adds it (a value held twice, or a record replaced
	 * by one that still holds it), else it goes.
	 */
	for (i = 0; i < b->n && rc == ZSQ_OK; i = j) {
		e = ent(b, i, &klen);
		put = e[ENT_HEAD + klen + 4];
		for (j = i + 1; j < b->n; j++) {
			next = ent(b, j, &nlen);
			if (nlen != klen || memcmp(next + 2, e + 2,
			    1 + klen + 4) != 0)
				break;
			put |= next[ENT_HEAD + nlen + 4];
		}
		rc = batch_apply(b, cur, e[2], e, klen, put);
	}
	if (rc == ZSQ_OK && b->build != NULL)
		rc = index_build_run_end(b->build);
out:
	if (cur[INDEX_EQ] != NULL)
		mdb_cursor_close(cur[INDEX_EQ]);
	if (cur[INDEX_ORD] != NULL)
		mdb_cursor_close(cur[INDEX_ORD]);
	buf_reset(&b->ents);
	b->n = 0;
	b->neq = 0;
	return rc;
}

int
index_batch_build(struct index_batch *b, struct buf *err)
{
	MDB_stat eq, ord;
	int rc;

	if ((rc = mdb_stat(b->txn, b->st->eq, &eq)) != MDB_SUCCESS ||
	    (rc = mdb_stat(b->txn, b->st->ord, &ord)) != MDB_SUCCESS)
		return store_err(rc);
	if (eq.ms_entries != 0 || ord.ms_entries != 0 || b->n != 0 ||
	    b->neq != 0 || b->build != NULL)
		return ZSQ_EEXIST;
	/*
	 * A large batch saves passes over an index; a run costs only a
	 * reader in the merge, so runs stay small, and so does the sort's
	 * memory (glibc's qsort takes a scratch copy as large).
	 */
	if (b->limit > INDEX_BUILD_RUN)
		b->limit = INDEX_BUILD_RUN;
	return index_build_open(&b->build, err);
}

int
index_batch_finish(struct index_batch *b)
{
	int rc;

	if ((rc = index_batch_flush(b)) != ZSQ_OK || b->build == NULL)
		return rc;
	/* The batch's memory is the merge's now. */
	free(b->eq);
	free(b->off);
	buf_free(&b->ents);
	b->eq = NULL;
	b->off = NULL;
	b->capeq = b->cap = 0;
	if ((rc = index_build_merge(b->build, INDEX_EQ, b->txn, b->st->eq,
	    b->tick, b->tick_arg)) != ZSQ_OK)
		return rc;
	return index_build_merge(b->build, INDEX_ORD, b->txn, b->st->ord,
	    b->tick, b->tick_arg);
}

void
index_batch_free(struct index_batch *b)
{
	index_build_free(b->build);
	buf_free(&b->ents);
	free(b->eq);
	free(b->off);
	memset(b, 0, sizeof(*b));
}

/* --- lookups --------------------------------------------------------- */

/*
 * The dups of the key cur stands on (first is its first dup, as MDB_SET
 * gave it), a page at a time, into out.  LMDB's MDB_GET_MULTIPLE hands
 * out nothing for a key with one value: that one is first.
 */
static int
dups_read(MDB_cursor *cur, const MDB_val *first, struct ordset *out,
    size_t *count)
{
	MDB_val k, d;
	size_t i, n;
	int rc, op = MDB_GET_MULTIPLE;

	if ((rc = mdb_cursor_count(cur, &n)) != MDB_SUCCESS)
		return store_err(rc);
	if (n == 1) {
		if (first->mv_size != 4)
			return ZSQ_ESTORE;
		(*count)++;
		return out == NULL ? ZSQ_OK : ordset_add(out,
		    store_ord_get(first->mv_data));
	}
	while ((rc = mdb_cursor_get(cur, &k, &d, op)) == MDB_SUCCESS) {
		op = MDB_NEXT_MULTIPLE;
		if (d.mv_size % 4 != 0)
			return ZSQ_ESTORE;
		*count += d.mv_size / 4;
		for (i = 0; out != NULL && i < d.mv_size; i += 4)
			if ((rc = ordset_add(out, store_ord_get(
			    (const unsigned char *)d.mv_data + i))) != ZSQ_OK)
				return rc;
	}
	return rc == MDB_NOTFOUND ? ZSQ_OK : store_err(rc);
}

int
index_dups_collect(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t keylen,
    struct ordset *out)
{
	MDB_cursor *cur = NULL;
	MDB_val k = { keylen, (void *)key }, d;
	size_t n = 0;
	int rc;

	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != MDB_SUCCESS)
		return store_err(rc);
	rc = mdb_cursor_get(cur, &k, &d, MDB_SET);
	if (rc == MDB_SUCCESS)
		rc = dups_read(cur, &d, out, &n);
	else
		rc = rc == MDB_NOTFOUND ? ZSQ_OK : store_err(rc);
	mdb_cursor_close(cur);
	return rc;
}

int
index_eq_collect(const struct store *st, MDB_txn *txn,
    const unsigned char *key, struct ordset *out)
{
	return index_dups_collect(txn, st->eq, key, INDEX_EQ_KEY, out);
}

int
index_eq_count(const struct store *st, MDB_txn *txn, const unsigned char *key,
    size_t *count)
{
	MDB_cursor *cur = NULL;
	MDB_val k = { INDEX_EQ_KEY, (void *)key }, d;
	size_t n = 0;
	int rc;

	if ((rc = mdb_cursor_open(txn, st->eq, &cur)) != MDB_SUCCESS)
		return store_err(rc);
	rc = mdb_cursor_get(cur, &k, &d, MDB_SET);
	if (rc == MDB_SUCCESS)
		rc = mdb_cursor_count(cur, &n);
	mdb_cursor_close(cur);
	*count = n;
	return rc == MDB_NOTFOUND ? ZSQ_OK : store_err(rc);
}

static int
key_cmp(const MDB_val *a, const unsigned char *b, size_t blen)
{
	size_t n = a->mv_size < blen ? a->mv_size : blen;
	int c = memcmp(a->mv_data, b, n);

	if (c != 0)
		return c;
	return a->mv_size < blen ? -1 : a->mv_size > blen;
}

/*
 * Visit the keys of leaf within [lo, hi] (index_range_collect() has the
 * bounds' rules): add their groups to out, or when out is NULL only count
 * them, stopping once *count reaches cap.
 */
static int
range_walk(const struct store *st, MDB_txn *txn, unsigned leaf,
    const struct rec_val *lo, int lo_open, const struct rec_val *hi,
    int hi_open, struct ordset *out, size_t cap, size_t *count)
{
	unsigned char lokey[INDEX_KEY_MAX], hikey[INDEX_KEY_MAX];
	size_t lolen, hilen, n;
	int locut = 0, hicut = 0, rc, op, prefix = hi_open == INDEX_PREFIX;
	MDB_cursor *cur = NULL;
	MDB_val k, d;
	struct rec_val none = { leaf, REC_NULL, NULL, 0, 0 };

	*count = 0;
	lolen = ord_key(lokey, leaf, lo ? lo : &none, &locut);
	hilen = ord_key(hikey, leaf, hi ? hi : &none, &hicut);
	if ((rc = mdb_cursor_open(txn, st->ord, &cur)) != MDB_SUCCESS)
		return store_err(rc);
	k.mv_data = lokey;
	k.mv_size = lolen;
	for (op = MDB_SET_RANGE; (out != NULL || *count < cap) &&
	    (rc = mdb_cursor_get(cur, &k, &d, op)) == MDB_SUCCESS;
	    op = MDB_NEXT_NODUP) {
		const unsigned char *kb = k.mv_data;

		/* Left this leaf's keys: done. */
		if (k.mv_size < 2 || kb[0] != lokey[0] || kb[1] != lokey[1])
			break;
		/* A cut key may stand for values on either side: keep it. */
		if (lo && lo_open && !locut && key_cmp(&k, lokey, lolen) == 0)
			continue;
		if (hi) {
			int c = key_cmp(&k, hikey, hilen);

			/* Past hi, unless hi is a prefix of the key and
			   stands for every key it starts. */
			if (c > 0 && !((hicut || prefix) &&
			    k.mv_size > hilen && memcmp(kb, hikey, hilen) == 0))
				break;
			if (c == 0 && hi_open == 1 && !hicut)
				break;
		}
		if (out == NULL) {
			if ((rc = mdb_cursor_count(cur, &n)) != MDB_SUCCESS)
				break;
			*count += n;
		} else if ((rc = dups_read(cur, &d, out, count)) != ZSQ_OK)
			goto done;
	}
	rc = rc == MDB_NOTFOUND || rc == MDB_SUCCESS ? ZSQ_OK : store_err(rc);
done:
	mdb_cursor_close(cur);
	return rc;
}

int
index_range_collect(const struct store *st, MDB_txn *txn, unsigned leaf,
    const struct rec_val *lo, int lo_open, const struct rec_val *hi,
    int hi_open, struct ordset *out)
{
	size_t n;

	return range_walk(st, txn, leaf, lo, lo_open, hi, hi_open, out, 0,
	    &n);
}

int
index_range_count(const struct store *st, MDB_txn *txn, unsigned leaf,
    const struct rec_val *lo, int lo_open, const struct rec_val *hi,
    int hi_open, size_t cap, size_t *count)
{
	return range_walk(st, txn, leaf, lo, lo_open, hi, hi_open, NULL, cap,
	    count);
}
