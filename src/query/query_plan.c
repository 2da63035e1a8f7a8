/* SPDX-License-Identifier: Apache-2.0 */
/*
 * query_plan.c - where a query's candidates come from, and in what order
 * they reach walk_one() (query_exec.c).  One of four sources:
 *   - a uuid= or uuid?= condition names its groups: each is looked up;
 *   - the admin: the planner's pick, the condition an index answers with
 *     the fewest entries (`=`, `in`, a range, a like with a literal head
 *     on an ordered leaf; index.h), when that beats reading everything;
 *   - any other account: its visible groups (acl_visible_set()), walked
 *     as they are when few, else narrowed by an equality's index entries,
 *     else every group with the invisible ones dropped on a bit test;
 *   - otherwise every group, in key (uuid) order.
 * The index only proposes: query_exec.c evaluates every condition on
 * each candidate either way.  docs/design/query.md has the why, and what
 * a tenant can learn from the time a plan takes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/text.h"
#include "base/vec.h"
#include "query/cond.h"
#include "query/like.h"
#include "query/query.h"
#include "query/query_int.h"
#include "store/acl.h"
#include "store/index.h"
#include "store/record.h"
#include "store/schema.h"
#include "store/store.h"

/*
 * A tenant whose visible groups are at most VIS_SMALL, or at most
 * 1/VIS_SHARE of the store, walks them directly: a lookup each costs less
 * than scanning the rest.
 */
#define VIS_SMALL	2048
#define VIS_SHARE	8

/* A growable set of group uuids, sorted into page order. */
struct uuidset {
	char	(*u)[UUID_LEN];
	size_t	 n;
	size_t	 cap;
};

static int
uuidset_add(struct uuidset *s, const char *uuid)
{
	int rc;

	if ((rc = VEC_GROW(&s->u, &s->cap, s->n + 1)) != ZSQ_OK)
		return rc;
	memcpy(s->u[s->n++], uuid, UUID_LEN);
	return ZSQ_OK;
}

static int
uuid_cmp(const void *a, const void *b)
{
	return memcmp(a, b, UUID_LEN);
}

static void
uuidset_sort_unique(struct uuidset *s)
{
	size_t i, n = 0;

	if (s->n == 0)
		return;
	qsort(s->u, s->n, sizeof(*s->u), uuid_cmp);
	for (i = 1; i < s->n; i++)
		if (memcmp(s->u[i], s->u[n], UUID_LEN) != 0)
			memcpy(s->u[++n], s->u[i], UUID_LEN);
	s->n = n + 1;
}

static void
uuidset_free(struct uuidset *s)
{
	free(s->u);
	memset(s, 0, sizeof(*s));
}

/*
 * Visit the groups of set (sorted, unique) in uuid order, or reversed for
 * a descending uuid sort.  A uuid no group has costs what a group the
 * caller may not see does: under VIS_LOOKUP the same share lookups (which
 * find nothing) as for a group it does not own, and an interrupt check as
 * for any candidate, so not even the existence of another account's
 * group shows in the time.  (Only a named uuid can be absent: an index's
 * ordinals name stored groups, under VIS_ALL or VIS_KNOWN.)
 */
static int
walk_set(struct walk *w, const struct uuidset *set)
{
	MDB_cursor *cur = NULL;
	MDB_val k, d;
	size_t i, at;
	int rc = ZSQ_OK, back = !w->sorted && w->q->sort_desc;

	if ((rc = mdb_cursor_open(w->txn, w->st->groups, &cur)) !=
	    MDB_SUCCESS)
		return store_err(rc);
	for (i = 0; i < set->n && rc == ZSQ_OK; i++) {
		at = back ? set->n - 1 - i : i;
		k.mv_size = UUID_LEN;
		k.mv_data = set->u[at];
		/* MDB_SET_KEY points k into the map: walk_one keeps it. */
		rc = mdb_cursor_get(cur, &k, &d, MDB_SET_KEY);
		if (rc == MDB_SUCCESS)
			rc = walk_one(w, &k, &d);
		else if (rc == MDB_NOTFOUND) {
			if (w->vis == VIS_LOOKUP)
				(void)acl_visible(w->shares, w->account,
				    set->u[at], ACL_PUBLIC);
			rc = walk_interrupted(w);
		} else
			rc = store_err(rc);
	}
	mdb_cursor_close(cur);
	return rc;
}

/*
 * The uuids of the ordinals in set, sorted: the order pages come in.
 * Each lookup is a candidate's worth of work, so the interrupt is asked.
 */
static int
walk_ords(struct walk *w, const struct ordset *set)
{
	struct uuidset u = { NULL, 0, 0 };
	const char *uuid;
	size_t i;
	int rc = ZSQ_OK;

	for (i = 0; i < set->n && rc == ZSQ_OK; i++) {
		if ((rc = walk_interrupted(w)) != ZSQ_OK)
			break;
		rc = store_ord_uuid(w->st, w->txn, set->o[i], &uuid);
		if (rc == ZSQ_OK)
			rc = uuidset_add(&u, uuid);
		else if (rc == ZSQ_ENOTFOUND)
			rc = ZSQ_ESTORE;	/* an index names no group */
	}
	if (rc == ZSQ_OK) {
		uuidset_sort_unique(&u);
		rc = walk_set(w, &u);
	}
	uuidset_free(&u);
	return rc;
}

/* A uuid= or uuid?= condition names its candidates: look them up. */
static const struct cond *
uuid_cond(const struct query *q)
{
	size_t i;

	for (i = 0; i < q->nconds; i++)
		if ((q->conds[i].op == COND_EQ || q->conds[i].op == COND_IN) &&
		    q->conds[i].target == COND_LEAF &&
		    query_leaf_is_uuid(q->conds[i].leaf))
			return &q->conds[i];
	return NULL;
}

/* The groups a uuid= or uuid?= condition names. */
static int
walk_uuids(struct walk *w, const struct cond *c)
{
	struct uuidset set = { NULL, 0, 0 };
	char key[UUID_LEN];
	size_t i, j;
	int rc = ZSQ_OK;

	/* Keys are 32 lowercase characters: nothing else can match. */
	for (i = 0; i < c->nlits && rc == ZSQ_OK; i++) {
		if (c->lits[i].len != UUID_LEN)
			continue;
		for (j = 0; j < UUID_LEN; j++)
			key[j] = (char)text_fold((unsigned char)
			    c->lits[i].str[j]);
		rc = uuidset_add(&set, key);
	}
	if (rc == ZSQ_OK) {
		uuidset_sort_unique(&set);
		rc = walk_set(w, &set);
	}
	uuidset_free(&set);
	return rc;
}

/* A prepared literal as the value the index keys are built from. */
static void
lit_val(const struct cond *c, const struct cond_lit *l, struct rec_val *v)
{
	memset(v, 0, sizeof(*v));
	v->str = l->str;
	v->len = (uint32_t)l->len;
	v->num = l->num;
	if (c->target != COND_LEAF) {
		v->kind = REC_STR;
		return;
	}
	v->leaf = c->leaf->id;
	switch (c->leaf->type) {
	case FT_STRING:
		v->kind = REC_STR;
		break;
	case FT_BOOL:
		v->kind = REC_BOOL;
		break;
	case FT_TIMESTAMP:
		v->kind = REC_TIME;
		break;
	default:
		v->kind = REC_INT;
		break;
	}
}

/* The eq index id of a condition's leaf or tag kind. */
static unsigned
eq_id(const struct cond *c)
{
	if (c->target == COND_SYSTEM_TAG)
		return INDEX_ID_TAG + REC_TAG_SYSTEM;
	if (c->target == COND_USER_TAG)
		return INDEX_ID_TAG + REC_TAG_USER;
	return c->leaf->id;
}

/* `=` or `?=`: every leaf and tag has an eq entry for each value. */
static int
is_eq(const struct cond *c)
{
	return c->op == COND_EQ || c->op == COND_IN;
}

/*
 * The planner's choice: a condition an index answers, and for a lower
 * bound (> or >=) on a group field an upper bound (< or <=) on the same
 * field to close the range with, so a window such as a day of createDate
 * is one short range rather than everything after its start.
 */
struct plan {
	const struct cond *c;		/* NULL: no index */
	const struct cond *upper;	/* or NULL */
};

/* The ord index range one literal of a planned condition stands for. */
struct bounds {
	struct rec_val	 lo, hi;
	const struct rec_val *lop, *hip;	/* NULL: unbounded */
	int		 lo_open, hi_open;
	char		 prefix[INDEX_STR_MAX];
};

/*
 * Fill b for literal i of p->c, a range or like on an ordered leaf; 0
 * when it cannot take its candidates from the ord index.  A like's range
 * is its literal head (like_head(): the pattern up to the first % or _,
 * folded and unescaped).  A head longer than the index keeps is cut,
 * which only widens the range.
 */
static int
bounds_of(const struct plan *p, size_t i, struct bounds *b)
{
	const struct cond *c = p->c;
	const struct cond_lit *l;
	size_t n;

	if (c->target != COND_LEAF || i >= c->nlits ||
	    !index_is_ordered(c->leaf->id))
		return 0;
	l = &c->lits[i];
	lit_val(c, l, &b->lo);
	b->hi = b->lo;
	b->lop = &b->lo;
	b->hip = &b->hi;
	b->lo_open = b->hi_open = 0;
	switch (c->op) {
	case COND_GT:
	case COND_GE:
		b->lo_open = c->op == COND_GT;
		b->hip = NULL;
		if (p->upper != NULL) {
			lit_val(p->upper, &p->upper->lits[0], &b->hi);
			b->hip = &b->hi;
			b->hi_open = p->upper->op == COND_LT;
		}
		return 1;
	case COND_LT:
	case COND_LE:
		b->hi_open = c->op == COND_LT;
		b->lop = NULL;
		return 1;
	case COND_LIKE:
		n = like_head(&l->like, b->prefix, sizeof(b->prefix));
		if (n == 0 || c->leaf->type != FT_STRING)
			return 0;
		b->lo.str = b->hi.str = b->prefix;
		b->lo.len = b->hi.len = (uint32_t)n;
		b->hi_open = INDEX_PREFIX;
		return 1;
	default:
		return 0;
	}
}

/*
 * For a lower bound c, the first upper bound on the same leaf, or NULL.
 * Only a group field qualifies: it holds one value, which must then lie
 * in the window.  On a nested leaf each bound may hold for a different
 * element (10.0.0.3 below, 192.168.1.3 above), so the window would miss
 * matches.
 */
static const struct cond *
upper_of(const struct query *q, const struct cond *c)
{
	size_t i;

	if (c->target != COND_LEAF || c->leaf->depth != 0 ||
	    (c->op != COND_GT && c->op != COND_GE))
		return NULL;
	for (i = 0; i < q->nconds; i++)
		if (q->conds[i].target == COND_LEAF &&
		    q->conds[i].leaf == c->leaf &&
		    (q->conds[i].op == COND_LT || q->conds[i].op == COND_LE))
			return &q->conds[i];
	return NULL;
}

/*
 * Index entries for p, counting no further than cap; *n >= cap means "no
 * better than cap".  Equalities are one O(1) count per literal; a range
 * is counted by walking it, which the cap bounds, and only with ranges
 * allowed (the admin: a tenant's time must not follow other accounts'
 * values, see docs/design/query.md).
 */
static int
plan_estimate(struct walk *w, const struct plan *p, int ranges, size_t cap,
    size_t *n)
{
	unsigned char key[INDEX_EQ_KEY];
	struct rec_val v;
	struct bounds b;
	size_t i, one;
	int rc;

	*n = SIZE_MAX;
	if (is_eq(p->c) && (p->c->target != COND_LEAF ||
	    !query_leaf_is_uuid(p->c->leaf))) {
		for (i = 0, *n = 0; i < p->c->nlits && *n < cap; i++) {
			lit_val(p->c, &p->c->lits[i], &v);
			index_eq_key(eq_id(p->c), &v, key);
			if ((rc = index_eq_count(w->st, w->txn, key, &one)))
				return rc;
			*n += one;
		}
		return ZSQ_OK;
	}
	if (!ranges || !bounds_of(p, 0, &b))
		return ZSQ_OK;
	for (i = 0, *n = 0; bounds_of(p, i, &b) && *n < cap; i++) {
		if ((rc = index_range_count(w->st, w->txn, p->c->leaf->id,
		    b.lop, b.lo_open, b.hip, b.hi_open, cap - *n, &one)))
			return rc;
		*n += one;
	}
	return ZSQ_OK;
}

/*
 * The planner: among the conditions an index can answer, take the one
 * with the fewest index entries, and only when they are fewer than cap:
 * beyond that one sequential walk is cheaper than a lookup per
 * candidate.  Each estimate stops at the best so far.  best->c stays NULL
 * when nothing beats the walk.
 */
static int
plan_choose(struct walk *w, int ranges, size_t cap, struct plan *best)
{
	struct plan p;
	size_t i, n;
	int rc;

	best->c = best->upper = NULL;
	for (i = 0; i < w->q->nconds && cap > 0; i++) {
		p.c = &w->q->conds[i];
		p.upper = upper_of(w->q, p.c);
		if ((rc = plan_estimate(w, &p, ranges, cap, &n)) != ZSQ_OK)
			return rc;
		if (n < cap) {
			cap = n;
			*best = p;
		}
	}
	return ZSQ_OK;
}

/* The index's candidates for p, sorted and unique, into set. */
static int
plan_collect(struct walk *w, const struct plan *p, struct ordset *set)
{
	unsigned char key[INDEX_EQ_KEY];
	struct rec_val v;
	struct bounds b;
	size_t i;
	int rc = ZSQ_OK;

	if (is_eq(p->c))
		for (i = 0; rc == ZSQ_OK && i < p->c->nlits; i++) {
			lit_val(p->c, &p->c->lits[i], &v);
			index_eq_key(eq_id(p->c), &v, key);
			rc = index_eq_collect(w->st, w->txn, key, set);
		}
	else
		for (i = 0; rc == ZSQ_OK && bounds_of(p, i, &b); i++)
			rc = index_range_collect(w->st, w->txn,
			    p->c->leaf->id, b.lop, b.lo_open, b.hip,
			    b.hi_open, set);
	ordset_sort_unique(set);
	return rc;
}

/*
 * A scan is limited by memory latency: each record's head and values are
 * somewhere else in the map.  So the cursor runs AHEAD records in front
 * of the matching, and each record's head is prefetched when the cursor
 * reaches it: by the time it is matched, it is in the cache.  Only the
 * lines the match reads: prefetching the whole leaf table (16 lines a
 * record) kept the processor's miss buffers full, and the scans ran 10 %
 * slower for it.
 */
#define AHEAD	8

static void
prefetch_head(const struct walk *w, const MDB_val *v)
{
	const char *p = v->mv_data;
	size_t i, at;

	for (i = 0; i < sizeof(struct rec_head) && i < v->mv_size; i += 64)
		__builtin_prefetch(p + i);
	/*
	 * The leaf table follows the head (record.h): the line of each
	 * condition's leaf.  Its place does not depend on what the record
	 * holds, so this is safe before visibility is known.
	 */
	for (i = 0; i < w->q->nconds; i++) {
		const struct cond *c = &w->q->conds[i];

		if (c->target != COND_LEAF)
			continue;
		at = sizeof(struct rec_head) + 4 * (size_t)c->leaf->id;
		if (at < v->mv_size)
			__builtin_prefetch(p + at);
	}
}

/*
 * Half a window later the head is in the cache: find where each
 * condition's leaf values are and prefetch them too.  Only a hint: a
 * damaged record is caught by record_open() when it is matched.  Only
 * for a group the caller may see (the admin's, or a set bit): the
 * conditions must not reach into another account's record, not even to
 * warm a cache line.
 */
static void
prefetch_vals(const struct walk *w, const MDB_val *v)
{
	const char *p = v->mv_data;
	struct rec_range table, vals;
	struct rec_head h;
	uint32_t off;
	size_t i;

	if (v->mv_size < sizeof(struct rec_head))
		return;
	if (w->vis != VIS_ALL) {
		if (w->vis != VIS_BITMAP)
			return;
		memcpy(&h.ord, p + offsetof(struct rec_head, ord),
		    sizeof(h.ord));
		if (!walk_visible(w, NULL, &h))
			return;
	}
	memcpy(&table, p + offsetof(struct rec_head, table), sizeof(table));
	memcpy(&vals, p + offsetof(struct rec_head, vals), sizeof(vals));
	for (i = 0; i < w->q->nconds; i++) {
		const struct cond *c = &w->q->conds[i];

		if (c->target != COND_LEAF ||
		    (size_t)table.off + 4 * (size_t)c->leaf->id + 4 >
		    v->mv_size)
			continue;
		memcpy(&off, p + table.off + 4 * c->leaf->id, 4);
		if ((size_t)vals.off + off < v->mv_size)
			__builtin_prefetch(p + vals.off + off);
	}
}

static int
walk_all(struct walk *w)
{
	MDB_cursor *cur = NULL;
	MDB_cursor_op op = MDB_FIRST, next = MDB_NEXT;
	MDB_val k[AHEAD], v[AHEAD];
	size_t head = 0, n = 0, at;
	int rc = ZSQ_OK, crc = MDB_SUCCESS;

	/* Descending uuid order is the same walk backwards. */
	if (!w->sorted && w->q->sort_desc) {
		op = MDB_LAST;
		next = MDB_PREV;
	}
	if ((rc = mdb_cursor_open(w->txn, w->st->groups, &cur)) !=
	    MDB_SUCCESS)
		return store_err(rc);
	for (;;) {
		/* Fill the window, then match its oldest record. */
		while (crc == MDB_SUCCESS && n < AHEAD) {
			at = (head + n) % AHEAD;
			if ((crc = mdb_cursor_get(cur, &k[at], &v[at], op)) !=
			    MDB_SUCCESS)
				break;
			op = next;
			prefetch_head(w, &v[at]);
			n++;
		}
		if (crc != MDB_SUCCESS && crc != MDB_NOTFOUND) {
			rc = crc;
			break;
		}
		if (n == 0)
			break;
		if (n > AHEAD / 2)
			prefetch_vals(w, &v[(head + AHEAD / 2) % AHEAD]);
		if ((rc = walk_one(w, &k[head], &v[head])) != ZSQ_OK)
			break;
		head = (head + 1) % AHEAD;
		n--;
	}
	mdb_cursor_close(cur);
	return store_err(rc);
}

/* The admin: any index, ranges too. */
static int
run_admin(struct walk *w)
{
	struct ordset set = { NULL, 0, 0 };
	struct plan best;
	int rc;

	if ((rc = plan_choose(w, 1, w->ngroups / 2, &best)) != ZSQ_OK ||
	    best.c == NULL)
		return rc != ZSQ_OK ? rc : walk_all(w);
	if ((rc = plan_collect(w, &best, &set)) == ZSQ_OK)
		rc = walk_ords(w, &set);
	ordset_free(&set);
	return rc;
}

/*
 * A tenant.  Its candidates are its visible groups (owned, shared,
 * public: acl_visible_set()), never another account's: when that set is
 * small they are walked as they are; when it is large, an equality's
 * index entries are intersected with it before anything else (so an
 * invisible group costs one comparison, whatever it holds), or every
 * group is walked and each invisible one dropped on a bit test.  Ranges
 * never use the ord index: walking it would take time that follows every
 * account's values.  docs/design/query.md says what a tenant can learn.
 */
static int
run_tenant(struct walk *w)
{
	struct ordset vis = { NULL, 0, 0 }, set = { NULL, 0, 0 };
	struct plan best;
	size_t i;
	int rc;

	if ((rc = acl_visible_set(w->st, w->txn, w->account, &vis)) != ZSQ_OK)
		goto out;
	w->vis = VIS_KNOWN;
	if (vis.n <= VIS_SMALL || vis.n * VIS_SHARE <= w->ngroups) {
		rc = walk_ords(w, &vis);
		goto out;
	}
	if ((rc = plan_choose(w, 0, vis.n / 4, &best)) != ZSQ_OK)
		goto out;
	if (best.c != NULL) {
		if ((rc = plan_collect(w, &best, &set)) == ZSQ_OK) {
			ordset_intersect(&set, &vis);
			rc = walk_ords(w, &set);
		}
		goto out;
	}
	w->nbits = vis.o[vis.n - 1] + (size_t)1;
	if ((w->bits = calloc((w->nbits + 7) / 8, 1)) == NULL) {
		rc = ZSQ_ENOMEM;
		goto out;
	}
	for (i = 0; i < vis.n; i++)
		w->bits[vis.o[i] >> 3] |= (unsigned char)(1u << (vis.o[i] & 7));
	w->vis = VIS_BITMAP;
	rc = walk_all(w);
out:
	free(w->bits);
	w->bits = NULL;
	ordset_free(&set);
	ordset_free(&vis);
	return rc;
}

int
plan_walk(struct walk *w)
{
	const struct cond *uc;

	if (w->q->no_index)
		return walk_all(w);
	if ((uc = uuid_cond(w->q)) != NULL)
		return walk_uuids(w, uc);
	if (w->vis == VIS_ALL)
		return run_admin(w);
	return run_tenant(w);
}
