/* SPDX-License-Identifier: Apache-2.0 */
/*
 * query_int.h - PRIVATE to the three files of one query: query_parse.c
 * (text into prepared form), query_plan.c (where the candidates come
 * from) and query_exec.c (each candidate: tenancy, match, keep; the page).
 * Nothing else includes it; the rest of the tree uses query.h.  The
 * design is docs/design/query.md.
 */
#ifndef ZSQ_QUERY_INT_H
#define ZSQ_QUERY_INT_H

#include <stddef.h>
#include <lmdb.h>

#include "query/query.h"
#include "store/record.h"
#include "store/schema.h"
#include "store/store.h"

/* Group field 0 is uuid: the key order, which needs no sort key. */
static inline int
query_leaf_is_uuid(const struct leaf *l)
{
	return l->depth == 0 && l->hop[0] == 0;
}

/* How a candidate's visibility is settled before anything else. */
enum vis {
	VIS_ALL,	/* the admin: everything */
	VIS_KNOWN,	/* the candidates are visible groups only */
	VIS_BITMAP,	/* a bit per ordinal (w->bits) */
	VIS_LOOKUP	/* owner, then the shares (acl_visible) */
};

/*
 * One query_run(): set up by query_exec.c, handed to plan_walk(), which
 * passes each candidate to walk_one().  The planner may narrow vis (and
 * set bits) once it knows where its candidates come from.
 */
struct walk {
	const struct store *st;
	MDB_txn		*txn;
	const char	*account;
	MDB_cursor	*shares;	/* for acl_visible() */
	const struct query *q;
	struct query_result *res;
	int		 sorted;	/* a heap of the best `keep` matches */
	size_t		 keep;		/* start + limit */
	int		 need_total;	/* count or replyWithCount shows it */
	enum vis	 vis;
	unsigned char	*bits;		/* VIS_BITMAP */
	size_t		 nbits;
	size_t		 ngroups;	/* groups stored */
};

/*
 * walk_one()'s "stop": the page is full and nobody will see the total,
 * so an unfiltered `?limit=10` reads ten records, not the whole store.
 * Distinct from every ZSQ_, errno and LMDB code; query_run() clears it.
 * A walk returns it as it would an error: at once.
 */
#define WALK_FULL	(-1)

/* query_exec.c */
/* The query's interrupt (query.h): ZSQ_OK, or its code. */
int	walk_interrupted(const struct walk *w);
/*
 * Whether the caller may see the candidate keyed k (32 bytes) whose
 * record opened as h; under VIS_BITMAP only h->ord is read and k may be
 * NULL.  Decided before any condition is evaluated on it.
 */
int	walk_visible(const struct walk *w, const MDB_val *k,
	    const struct rec_head *h);
/*
 * One candidate, k and v as the groups database holds them (v in the
 * map, kept by reference): tenancy, match, count, keep.  ZSQ_OK (whether
 * or not it matched), WALK_FULL, the interrupt's code, ZSQ_ESTORE for a
 * damaged record, or ZSQ_ENOMEM.  Candidates must come in uuid order
 * (reversed for a descending uuid sort) unless w->sorted.
 */
int	walk_one(struct walk *w, const MDB_val *k, const MDB_val *v);

/* query_plan.c */
/*
 * Choose where the candidates come from (named uuids, an index, the
 * caller's visible groups, or every group) and pass each to walk_one(),
 * in the order it requires.  ZSQ_OK, WALK_FULL, or the first error of
 * walk_one(), LMDB (store_err()) or the store (ZSQ_ESTORE); w->bits is
 * freed again before it returns.
 */
int	plan_walk(struct walk *w);

#endif
