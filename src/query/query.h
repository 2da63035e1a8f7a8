/* SPDX-License-Identifier: Apache-2.0 */
/*
 * query.h - one list or get query (API.md §4, 5): parse, prepare, run.
 * How a query is planned and run, and why: docs/design/query.md.
 *
 * Three stages, because API.md §2/7 order the errors: the query string's 400s
 * come before the session check, the 503s (unknown field, bad literal,
 * filterName) after it.
 *
 *   query_parse()    decode the query string (API.md §4, 10): limit, start,
 *                    count, replyWithCount, and split each q value at its
 *                    operator (cond.h).  400 text errors only, the
 *                    parse-time bounds among them: at most
 *                    QUERY_CONDS_MAX q values, and cond.h's bounds on
 *                    each.
 *   query_set_get()  the get route instead (on a fresh query): the single
 *                    condition uuid=X taken whole, every parameter
 *                    ignored; an X that no group has simply matches nothing.
 *   query_prepare()  resolve field names and nested paths (schema.h), parse
 *                    typed literals, sort and fields.  503 errors only,
 *                    the first found in this order: q values in order,
 *                    sort, fields, filterName.
 *   query_run()      inside a read transaction: match, apply tenancy, sort,
 *                    page, count.  The result points into the LMDB map and
 *                    is valid only until that transaction ends.
 *
 * Tenancy (acl.h): a group the account may not see is dropped before any
 * condition is evaluated on it, for list, get, count and total alike, so
 * neither the reply nor the work depends on what such a group holds.
 *
 * Memory: the result holds one small reference per kept match (struct
 * query_match), never a body: reply.c streams the stored bytes straight
 * from the map.  How many are kept is bounded by the parameters, not by
 * the page: in uuid order (the default, either direction) at most limit,
 * the page itself; for another sort at most start + limit, because the
 * matches before start must be kept to know which come after them, so
 * so start + limit may be at most QUERY_SORT_KEEP_MAX there (a SYS.1007
 * past it); with count=true or limit=0, none.  In uuid order limit is
 * bounded only by the matches: the page is what the caller asked to be
 * sent.
 * While it runs, query_run() also holds the ordinals and uuids (36 bytes
 * a group) of its candidates when they come from an index or from the
 * caller's visible groups, and a bit per group for a tenant's scan.
 */
#ifndef ZSQ_QUERY_H
#define ZSQ_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include <lmdb.h>

#include "query/apierr.h"
#include "store/record.h"
#include "store/store.h"

struct cond;

/* q values one query may hold (duplicates count: they are parsed too). */
#define QUERY_CONDS_MAX	64
/*
 * start + limit, at most, of a query sorted by anything but uuid: the
 * matches kept to find that page (a few MiB), whatever the caller may see.
 * Past it query_prepare() answers SYS.1007; uuid order keeps only the page.
 */
#define QUERY_SORT_KEEP_MAX	100000

struct query {
	struct cond	*conds;		/* ANDed, duplicates collapsed */
	size_t		 nconds;
	size_t		 capconds;
	int64_t		 limit;		/* default 1000 */
	int64_t		 start;		/* default 0 */
	int		 count;		/* count=true (any case): total only */
	int		 reply_with_count;
	char		*sort;		/* raw sort value, NULL: uuid asc */
	char		*fields;	/* raw fields value, NULL: all */
	char		*filter_name;	/* raw filterName value */
	int		 sort_leaf;	/* prepared: leaf id, -1 = uuid */
	int		 sort_desc;
	uint32_t	 fields_mask;	/* prepared: bit i = group field i;
					   0 = everything */
	int		 get;		/* the get-by-uuid route */
	int		 no_index;	/* tests only: walk every group, so a
					   test can prove the planned paths
					   give the walk's answers */
	/*
	 * Set by the caller to stop a query that runs too long or whose
	 * client went away: query_run() calls it before each candidate
	 * group (so it must be cheap: a coarse clock read, a poll now and
	 * then), and a non-zero return (ZSQ_ETIMEOUT, ZSQ_ECANCELED) ends
	 * query_run() with that code and err untouched.  NULL: never.
	 */
	int		(*interrupt)(void *arg);
	void		*interrupt_arg;
};

struct query_match {
	MDB_val		 rec;		/* the stored record (record.h) */
	const char	*uuid;		/* its key: 32 bytes in the map */
	uint64_t	 hash;		/* rec_head.hash, for the ETag */
	struct rec_val	 key;		/* sort key; kind REC_NULL when null */
};

struct query_result {
	struct query_match *m;		/* the page, in reply order */
	size_t		 n;
	size_t		 cap;
	uint64_t	 total;		/* all matches, ignoring limit/start,
					   when count or replyWithCount asks;
					   else the walk may stop at a full
					   page and total is a lower bound */
	uint64_t	 etag;		/* hash of everything the reply shows:
					   the page's uuids and record hashes,
					   the total, count, replyWithCount
					   and fields, so it changes whenever
					   the body would */
};

void	query_init(struct query *q);
void	query_free(struct query *q);
/*
 * ZSQ_OK, ZSQ_EINVAL with err set (400), ZSQ_ENOMEM.  With several bad
 * parameters the first name to appear decides (API.md §10).
 */
int	query_parse(struct query *q, const char *qs, size_t len,
	    struct apierr *err);
int	query_set_get(struct query *q, const char *uuid, size_t len);
/* ZSQ_OK, ZSQ_EINVAL with err set (503 SYS.1000/SYS.1007), ZSQ_ENOMEM. */
int	query_prepare(struct query *q, struct apierr *err);
/*
 * account: the caller's 32-character account uuid.  Errors: ZSQ_ENOMEM,
 * the interrupt's code (ZSQ_ETIMEOUT, ZSQ_ECANCELED; err not set), or a
 * store failure with err set to 503 SYS.1000.
 */
int	query_run(const struct store *st, MDB_txn *txn, const char *account,
	    const struct query *q, struct query_result *res,
	    struct apierr *err);
void	query_result_free(struct query_result *res);

#endif
