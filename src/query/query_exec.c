/* SPDX-License-Identifier: Apache-2.0 */
/*
 * query_exec.c - run a prepared query (query.h): each candidate the
 * planner (query_plan.c) proposes is checked for tenancy first, then
 * matched against every condition, counted, and kept: in uuid order only
 * the page, for another sort the first start + limit matches in a
 * bounded heap.  Then the kept matches become the page and its ETag.
 * docs/design/query.md has the why.
 */
#define _GNU_SOURCE		/* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/hash.h"
#include "base/vec.h"
#include "base/log.h"
#include "base/text.h"
#include "query/apierr.h"
#include "query/cond.h"
#include "query/query.h"
#include "query/query_int.h"
#include "store/acl.h"
#include "store/record.h"
#include "store/store.h"

static int
result_push(struct query_result *res, const struct query_match *m)
{
	int rc;

	if ((rc = VEC_GROW(&res->m, &res->cap, res->n + 1)) != ZSQ_OK)
		return rc;
	res->m[res->n++] = *m;
	return ZSQ_OK;
}

/* The sort key: the first value of a group field (at most one exists). */
static void
sort_key(const void *data, const struct rec_head *h, unsigned leaf,
    struct rec_val *key)
{
	struct rec_iter it;

	record_vals_leaf(data, h, leaf, &it);
	if (record_vals_next(&it, key) != 1 || key->leaf != leaf)
		key->kind = REC_NULL;
}

static int
match_cmp(const void *pa, const void *pb, void *arg)
{
	const struct query_match *a = pa, *b = pb;
	int desc = *(const int *)arg, c;

	/* Nulls first ascending; negation puts them last descending. */
	if (a->key.kind == REC_NULL || b->key.kind == REC_NULL)
		c = (b->key.kind == REC_NULL) - (a->key.kind == REC_NULL);
	else if (a->key.kind == REC_STR)
		c = cond_strcmp(a->key.str, a->key.len, b->key.str,
		    b->key.len);
	else
		c = a->key.num < b->key.num ? -1 : a->key.num > b->key.num;
	if (desc)
		c = -c;
	return c ? c : memcmp(a->uuid, b->uuid, UUID_LEN);
}

static void
match_swap(struct query_match *a, struct query_match *b)
{
	struct query_match t = *a;

	*a = *b;
	*b = t;
}

/*
 * A sorted query keeps the first start + limit matches in reply order in
 * a max-heap whose root is the last of them, and a later match that sorts
 * before the root replaces it.  Memory is bounded by start + limit (or
 * the matches, when fewer), not by the page: the matches before start
 * must be kept to know which come after them.  The order is total (uuid
 * breaks ties), so pages neither skip nor repeat.
 */
static int
heap_offer(struct walk *w, const struct query_match *m)
{
	struct query_result *res = w->res;
	int desc = w->q->sort_desc, rc;
	size_t i, c;

	if (res->n < w->keep) {
		if ((rc = result_push(res, m)) != ZSQ_OK)
			return rc;
		for (i = res->n - 1; i > 0 && match_cmp(&res->m[(i - 1) / 2],
		    &res->m[i], &desc) < 0; i = (i - 1) / 2)
			match_swap(&res->m[(i - 1) / 2], &res->m[i]);
		return ZSQ_OK;
	}
	if (res->n == 0 || match_cmp(m, &res->m[0], &desc) >= 0)
		return ZSQ_OK;
	res->m[0] = *m;
	for (i = 0; (c = 2 * i + 1) < res->n; i = c) {
		if (c + 1 < res->n && match_cmp(&res->m[c + 1], &res->m[c],
		    &desc) > 0)
			c++;
		if (match_cmp(&res->m[i], &res->m[c], &desc) >= 0)
			break;
		match_swap(&res->m[i], &res->m[c]);
	}
	return ZSQ_OK;
}

/* See query_int.h, as for the two below. */
int
walk_interrupted(const struct walk *w)
{
	return w->q->interrupt != NULL ?
	    w->q->interrupt(w->q->interrupt_arg) : ZSQ_OK;
}

int
walk_visible(const struct walk *w, const MDB_val *k, const struct rec_head *h)
{
	switch (w->vis) {
	case VIS_ALL:
	case VIS_KNOWN:
		return 1;
	case VIS_BITMAP:
		return h->ord < w->nbits && (w->bits[h->ord >> 3] >>
		    (h->ord & 7) & 1);
	case VIS_LOOKUP:
		break;
	}
	return acl_visible(w->shares, w->account, k->mv_data, h->owner);
}

/*
 * One candidate: tenancy first, then match, count, keep.  A group the
 * caller may not see costs the same whatever it holds: no condition is
 * evaluated on it.  Nothing is allocated but the growth of the kept
 * matches' array.
 */
int
walk_one(struct walk *w, const MDB_val *k, const MDB_val *v)
{
	struct query_match m;
	struct rec_head h;
	size_t i;
	int rc;

	if ((rc = walk_interrupted(w)) != ZSQ_OK)
		return rc;
	if (k->mv_size != UUID_LEN)
		return ZSQ_ESTORE;
	if (record_open(v->mv_data, v->mv_size, &h) != ZSQ_OK)
		return ZSQ_ESTORE;
	if (!walk_visible(w, k, &h))
		return ZSQ_OK;
	for (i = 0; i < w->q->nconds; i++)
		if (!cond_match(&w->q->conds[i], v->mv_data, &h))
			return ZSQ_OK;
	w->res->total++;
	if (w->q->count)
		return ZSQ_OK;
	if (!w->sorted && (w->res->total <= (uint64_t)w->q->start ||
	    w->res->n >= (uint64_t)w->q->limit))
		return w->res->n >= (uint64_t)w->q->limit && !w->need_total ?
		    WALK_FULL : ZSQ_OK;
	memset(&m, 0, sizeof(m));
	m.rec = *v;
	m.uuid = k->mv_data;
	m.hash = h.hash;
	if (!w->sorted)
		return result_push(w->res, &m);
	sort_key(v->mv_data, &h, (unsigned)w->q->sort_leaf, &m.key);
	return heap_offer(w, &m);
}

/* Sort the kept matches, then drop the first start. */
static void
page_sorted(const struct query *q, struct query_result *res)
{
	int desc = q->sort_desc;
	size_t from;

	/* An empty page has no array at all: qsort(NULL, 0) is undefined. */
	if (res->n == 0)
		return;
	qsort_r(res->m, res->n, sizeof(*res->m), match_cmp, &desc);
	from = (uint64_t)q->start < res->n ? (size_t)q->start : res->n;
	memmove(res->m, res->m + from, (res->n - from) * sizeof(*res->m));
	res->n -= from;
}

static uint64_t
etag_compute(const struct query *q, const struct query_result *res)
{
	uint64_t h = HASH_FNV1A_INIT;
	uint32_t shape[3];
	size_t i;

	for (i = 0; i < res->n; i++) {
		h = hash_fnv1a(h, res->m[i].uuid, UUID_LEN);
		h = hash_fnv1a(h, &res->m[i].hash, sizeof(res->m[i].hash));
	}
	h = hash_fnv1a(h, &res->total, sizeof(res->total));
	shape[0] = (uint32_t)q->count;
	shape[1] = (uint32_t)q->reply_with_count;
	shape[2] = q->fields_mask;
	return hash_fnv1a(h, shape, sizeof(shape));
}

int
query_run(const struct store *st, MDB_txn *txn, const char *account,
    const struct query *q, struct query_result *res, struct apierr *err)
{
	struct walk w;
	MDB_stat ms;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&w, 0, sizeof(w));
	w.st = st;
	w.txn = txn;
	w.account = account;
	w.q = q;
	w.res = res;
	w.sorted = q->sort_leaf >= 0 && !q->count;
	w.need_total = q->count || q->reply_with_count;
	/* limit=0 shows nothing, so nothing before it need be kept. */
	w.keep = q->limit > 0 ? (size_t)q->start + (size_t)q->limit : 0;
	w.vis = acl_is_admin(account) ? VIS_ALL : VIS_LOOKUP;
	/* One shares cursor for the whole walk: tenancy runs per candidate. */
	if ((rc = mdb_cursor_open(txn, st->shares, &w.shares)) !=
	    MDB_SUCCESS) {
		w.shares = NULL;
		rc = store_err(rc);
	} else if ((rc = mdb_stat(txn, st->groups, &ms)) != MDB_SUCCESS)
		rc = store_err(rc);
	else {
		w.ngroups = ms.ms_entries;
		rc = plan_walk(&w);
	}
	if (rc == WALK_FULL)
		rc = ZSQ_OK;
	if (rc == ZSQ_ENOMEM || rc == ZSQ_ETIMEOUT || rc == ZSQ_ECANCELED)
		goto fail;
	if (rc != ZSQ_OK) {
		/* LMDB's text is for the log, not for a client. */
		log_msg(LOG_ERR, "query: reading the store failed: %s",
		    zsq_strerror(rc));
		rc = apierr_json(err, APIERR_INTERNAL, "reading the store "
		    "failed");
		goto fail;
	}
	if (w.sorted)
		page_sorted(q, res);
	res->etag = etag_compute(q, res);
	goto done;
fail:
	query_result_free(res);
done:
	if (w.shares != NULL)
		mdb_cursor_close(w.shares);
	return rc;
}

void
query_result_free(struct query_result *res)
{
	free(res->m);
	memset(res, 0, sizeof(*res));
}
