/* index.c - secondary indexes over stored records; see index.h. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "errors.h"
#include "index.h"
#include "schema.h"

/*
 * Selective fields a dashboard or gateway asks for by value.  Low-
 * cardinality fields (status, type) are here too: with a range or an
 * equality on a rare value they still beat a full walk, and the planner
 * prefers whichever condition has the fewest entries.
 */
static const char *const indexed_paths[] = {
	"modelServiceUuid", "modelUuid", "status", "modelServiceType",
	"type", "name", "createDate", "lastOpDate",
	"instances.uuid", "instances.name", "instances.status",
	"instances.vmInstanceUuid", "instances.url",
	"instances.vm.uuid", "instances.vm.name", "instances.vm.hostUuid",
	"instances.vm.vmNics.uuid", "instances.vm.vmNics.ip",
	"instances.vm.vmNics.mac", "instances.vm.vmNics.l3NetworkUuid",
	"instances.vm.vmNics.usedIps.ip", "instances.vm.allVolumes.uuid",
	"instances.vm.vmCdRoms.isoUuid", "datasetRefInventories.datasetUuid",
};

#define KEY_MAX		(2 + INDEX_STR_MAX)
#define MAX_LEAF_IDS	256

static unsigned char indexed[MAX_LEAF_IDS];
static int indexed_ready;

int
index_is_indexed(unsigned leaf)
{
	size_t i;

	if (!indexed_ready) {
		schema_init();
		for (i = 0; i < sizeof(indexed_paths) / sizeof(*indexed_paths);
		    i++) {
			const struct leaf *l;

			if (schema_leaf_lookup(indexed_paths[i],
			    strlen(indexed_paths[i]), &l) == SCHEMA_FOUND &&
			    l->id < MAX_LEAF_IDS)
				indexed[l->id] = 1;
		}
		indexed_ready = 1;
	}
	return leaf < MAX_LEAF_IDS && indexed[leaf];
}

/*
 * Encode leaf + v into key (KEY_MAX bytes); returns the length, and sets
 * *cut when a string was shortened (its key then stands for many values).
 */
static size_t
key_encode(unsigned char *key, unsigned leaf, const struct rec_val *v,
    int *cut)
{
	size_t n = 2, i, len;
	uint64_t u;

	key[0] = (unsigned char)(leaf >> 8);
	key[1] = (unsigned char)leaf;
	*cut = 0;
	switch (v->kind) {
	case REC_STR:
		len = v->len;
		if (len > INDEX_STR_MAX) {
			len = INDEX_STR_MAX;
			*cut = 1;
		}
		for (i = 0; i < len; i++) {
			unsigned char c = (unsigned char)v->str[i];

			key[n++] = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
		}
		break;
	case REC_INT:
	case REC_TIME:
		/* Flipping the sign bit makes unsigned byte order numeric. */
		u = (uint64_t)v->num ^ ((uint64_t)1 << 63);
		for (i = 0; i < 8; i++)
			key[n++] = (unsigned char)(u >> (56 - 8 * i));
		break;
	case REC_BOOL:
		key[n++] = v->num != 0;
		break;
	case REC_NULL:
		break;
	}
	return n;
}

int
index_record_keys(const void *rec, size_t len, index_key_fn fn, void *arg)
{
	unsigned char key[KEY_MAX];
	struct rec_head h;
	struct rec_iter it;
	struct rec_val v;
	int rc, r, cut;

	if ((rc = record_open(rec, len, &h)) != ZSQ_OK)
		return rc;
	record_vals_begin(rec, &h, &it);
	while ((r = record_vals_next(&it, &v)) == 1) {
		if (v.kind == REC_NULL || !index_is_indexed(v.leaf))
			continue;
		if ((rc = fn(arg, key, key_encode(key, v.leaf, &v, &cut))) !=
		    ZSQ_OK)
			return rc;
	}
	return r == 0 ? ZSQ_OK : ZSQ_ESTORE;
}

/* What index_record_put() and index_record_del() write with. */
struct walk_ctx {
	const struct store *st;
	MDB_txn		*txn;
	const char	*uuid;
	int		 del;
};

static int
walk_key(void *arg, const unsigned char *key, size_t len)
{
	struct walk_ctx *w = arg;
	MDB_val k = { len, (void *)key }, d = { 32, (void *)w->uuid };
	int rc;

	rc = w->del ? mdb_del(w->txn, w->st->index, &k, &d) :
	    mdb_put(w->txn, w->st->index, &k, &d, 0);
	/* A value held twice by one group was deleted already. */
	if (rc != MDB_SUCCESS && !(w->del && rc == MDB_NOTFOUND))
		return store_err(rc);
	return ZSQ_OK;
}

int
index_record_put(const struct store *st, MDB_txn *txn, const char *uuid,
    const void *rec, size_t len)
{
	struct walk_ctx w = { st, txn, uuid, 0 };

	return index_record_keys(rec, len, walk_key, &w);
}

int
index_record_del(const struct store *st, MDB_txn *txn, const char *uuid,
    const void *rec, size_t len)
{
	struct walk_ctx w = { st, txn, uuid, 1 };

	return index_record_keys(rec, len, walk_key, &w);
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
 * Visit the keys of leaf within [lo, hi] (index_collect() has the bounds'
 * rules): add their uuids to out, or when out is NULL only count them,
 * stopping once *count reaches cap.
 */
static int
range_walk(const struct store *st, MDB_txn *txn, unsigned leaf,
    const struct rec_val *lo, int lo_open, const struct rec_val *hi,
    int hi_open, struct uuidset *out, size_t cap, size_t *count)
{
	unsigned char lokey[KEY_MAX], hikey[KEY_MAX];
	size_t lolen, hilen;
	int locut = 0, hicut = 0, rc, op, prefix = hi_open == INDEX_PREFIX;
	MDB_cursor *cur = NULL;
	MDB_val k, d;
	struct rec_val none = { leaf, REC_NULL, NULL, 0, 0 };

	*count = 0;
	lolen = key_encode(lokey, leaf, lo ? lo : &none, &locut);
	hilen = key_encode(hikey, leaf, hi ? hi : &none, &hicut);
	if ((rc = mdb_cursor_open(txn, st->index, &cur)) != MDB_SUCCESS)
		return store_err(rc);
	k.mv_data = lokey;
	k.mv_size = lolen;
	for (op = MDB_SET_RANGE; (out != NULL || *count < cap) &&
	    (rc = mdb_cursor_get(cur, &k, &d, op)) == MDB_SUCCESS;
	    op = MDB_NEXT) {
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
		if (d.mv_size != 32) {
			rc = ZSQ_ESTORE;
			goto done;
		}
		(*count)++;
		if (out != NULL && (rc = uuidset_add(out, d.mv_data)) != ZSQ_OK)
			goto done;
	}
	rc = rc == MDB_NOTFOUND || rc == MDB_SUCCESS ? ZSQ_OK : store_err(rc);
done:
	mdb_cursor_close(cur);
	return rc;
}

int
index_collect(const struct store *st, MDB_txn *txn, unsigned leaf,
    const struct rec_val *lo, int lo_open, const struct rec_val *hi,
    int hi_open, struct uuidset *out)
{
	size_t n;

	return range_walk(st, txn, leaf, lo, lo_open, hi, hi_open, out, 0,
	    &n);
}

int
index_count_range(const struct store *st, MDB_txn *txn, unsigned leaf,
    const struct rec_val *lo, int lo_open, const struct rec_val *hi,
    int hi_open, size_t cap, size_t *count)
{
	return range_walk(st, txn, leaf, lo, lo_open, hi, hi_open, NULL, cap,
	    count);
}

int
index_count_eq(const struct store *st, MDB_txn *txn, unsigned leaf,
    const struct rec_val *v, size_t *count)
{
	unsigned char key[KEY_MAX];
	MDB_cursor *cur = NULL;
	MDB_val k, d;
	size_t n = 0;
	int rc, cut;

	k.mv_data = key;
	k.mv_size = key_encode(key, leaf, v, &cut);
	if ((rc = mdb_cursor_open(txn, st->index, &cur)) != MDB_SUCCESS)
		return store_err(rc);
	rc = mdb_cursor_get(cur, &k, &d, MDB_SET);
	if (rc == MDB_SUCCESS)
		rc = mdb_cursor_count(cur, &n);
	mdb_cursor_close(cur);
	*count = (size_t)n;
	return rc == MDB_NOTFOUND ? ZSQ_OK : store_err(rc);
}

int
uuidset_add(struct uuidset *s, const char *uuid)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char (*u)[32] = realloc(s->u, cap * sizeof(*u));

		if (u == NULL)
			return ZSQ_ENOMEM;
		s->u = u;
		s->cap = cap;
	}
	memcpy(s->u[s->n++], uuid, 32);
	return ZSQ_OK;
}

static int
uuid_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

void
uuidset_sort_unique(struct uuidset *s)
{
	size_t i, n = 0;

	if (s->n == 0)
		return;
	qsort(s->u, s->n, sizeof(*s->u), uuid_cmp);
	for (i = 1; i < s->n; i++)
		if (memcmp(s->u[i], s->u[n], 32) != 0)
			memcpy(s->u[++n], s->u[i], 32);
	s->n = n + 1;
}

void
uuidset_free(struct uuidset *s)
{
	free(s->u);
	s->u = NULL;
	s->n = s->cap = 0;
}
