/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sync.h - make the store equal to what a ZStack management node says
 * (zsquery-admin sync).
 *
 * Read, with the admin session, in this order:
 *   1. owners   GET /zstack/v1/accounts/resources/refs?q=resourceType=T
 *   2. shares   GET /zstack/v1/accounts/resources?q=resourceType=T
 *   3. tags     GET /zstack/v1/system-tags?q=resourceType=T, user-tags
 *   4. groups   the groups route, keyset pages (sync_page.h); each group
 *               goes to import_add() with its owner (from 1; a group
 *               without a ref is the admin's) and its tags (from 3) as it
 *               arrives, so phase 1 of the import runs while pages come in
 *   5. accounts GET /zstack/v1/accounts
 * then import_commit() applies everything in ONE write transaction:
 * accounts replaced first (hook), groups written, groups ZStack no longer
 * has deleted (replace, refused past max_delete percent), shares replaced
 * last (hook), the generation bumped when groups or shares changed.
 * Accounts are read last so that every owner read before exists; a group
 * or ref created meanwhile is picked up by the next sync.  Refs, shares
 * and tags of other resource types (an upstream that ignores q) are
 * skipped; shares of unknown groups or accounts are skipped and counted.
 *
 * groups_only (an upstream that serves only the groups route, such as
 * another zsquery): steps 1-3 and 5 are skipped; accounts and shares stay
 * as they are, a group keeps the owner it has here (a new one is the
 * admin's) and its tags are what the group JSON says (none, from a
 * zsquery).
 *
 * Any failure, at any step, leaves the store exactly as it was: nothing is
 * written before import_commit(), and that is one transaction.  err gets
 * one line.
 *
 * Upstream replies are untrusted input:
 *   - every read is bounded (struct sync_opts, sync_page.h): a group
 *     page's bytes, the groups, a list's rows, the bytes of the lists and
 *     of every reply, and the run's time, each refused the moment it is
 *     passed; a group passes the same record limits as an import's;
 *   - a list that does not say how long it is ("total", asked with
 *     replyWithCount=true) or says otherwise than it sends fails the run;
 *   - no kind of data is removed in bulk: a run that would remove more
 *     than max_delete percent of the stored groups, accounts, owners (a
 *     group whose owner's ref is gone falls to the admin), shares, public
 *     marks or tags is refused.  Tags are compared by count with the last
 *     successful run's (the feed record), the others entry by entry.
 *
 * Owner rule: a group's owner is the account of its ref of type "Own"
 * (ZStack 4 and later), else of a ref that is not "isShared" (earlier
 * versions), else of its first ref, ties broken by the lowest account
 * uuid: the same refs give the same owner whatever order the upstream
 * lists them in.  Every other account with a ref gets a share.
 */
#ifndef ZSQ_SYNC_H
#define ZSQ_SYNC_H

#include "base/buf.h"
#include "ingest/import.h"
#include "store/store.h"
#include "upstream/sync_http.h"
#include "upstream/sync_page.h"

#define SYNC_RESOURCE_TYPE	"ModelServiceInstanceGroupVO"
#define SYNC_PAGE_DEFAULT	1000
#define SYNC_PAGE_MAX		100000
#define SYNC_CONNECT_TIMEOUT	10	/* seconds */
#define SYNC_TIMEOUT		300	/* seconds, one request */
/*
 * The bounds of a run's reads, by default room for 1,000,000 groups of
 * ZStack's usual size (about 13 KB of JSON each, a few tags each).
 */
#define SYNC_REPLY_MAX		((size_t)256 << 20)	/* a group page */
#define SYNC_GROUPS_MAX		4000000UL	/* groups of a run */
#define SYNC_ROWS_MAX		10000000UL	/* rows of one list */
#define SYNC_LIST_BYTES_MAX	(2ULL << 30)	/* every list reply */
#define SYNC_BYTES_MAX		(64ULL << 30)	/* every reply of a run */
#define SYNC_TIME_MAX		1500	/* seconds, a run: under the unit's 30 min */
#define SYNC_GROUPS_ROUTE	"/zstack/v1/ai/model-services/instances/groups"

struct sync_opts {
	struct http_opts http;
	const char	*resource_type;	/* [A-Za-z0-9_]+ */
	unsigned	 page_size;	/* rows a page */
	unsigned	 max_delete;	/* percent of what is stored, per kind */
	struct page_limits limits;	/* what a run may read (sync_page.h) */
	int		 groups_only;
	/* The import's progress callback (import.h), or NULL. */
	void		(*progress)(void *arg, const struct import_progress *p);
	void		*progress_arg;
};

struct sync_stats {
	struct import_stats groups;
	unsigned long	 accounts;	/* accounts now stored */
	unsigned long	 shares;	/* share entries read */
	unsigned long	 shares_skipped;	/* of unknown groups/accounts */
	unsigned long	 tags;		/* tags set on the groups */
	unsigned long	 pages;		/* pages of groups */
	unsigned long	 requests;
	unsigned long long bytes;	/* reply bytes */
	char		 error_code[HTTP_CODE_MAX];	/* on failure: ZStack's */
};

void	sync_opts_init(struct sync_opts *o);
/* ZSQ_OK with *stats, or a code with err (one line); see above. */
int	sync_run(struct store *st, const struct sync_opts *o,
	    struct sync_stats *stats, struct buf *err);

#endif
