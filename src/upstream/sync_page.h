/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sync_page.h - reading ZStack's paged query replies to their end.
 *
 * Groups (page_read_groups) are read by keyset:
 *     GET <groups route>?limit=L&sort=uuid&replyWithCount=true[&q=uuid>LAST]
 * page after page until one holds fewer than L groups, and its "total"
 * (the groups from its position on) says no more are left: a short or
 * empty page of an upstream that counts more is an error, not the end.  Unlike limit/start
 * paging, a group added or deleted meanwhile cannot shift the pages and
 * make the read skip or repeat another.  A reply is split into groups
 * without building a JSON tree: each group is handed on as the very bytes
 * the upstream sent (so an unchanged group arrives byte for byte as last
 * time) with its top-level uuid.  The splitter checks the reply's
 * structure (balanced brackets and strings, the envelope's keys; the
 * importer parses the groups themselves) and the keyset: within and
 * across pages the uuids must rise strictly, and a page may not hold more
 * than L groups.  Any contradiction is an error, never a guess.
 *
 * The other lists (page_read_list: accounts, refs, shares, tags) are
 * small and read with limit/start and replyWithCount=true, sorted on a
 * field the caller names, each reply parsed with jansson; every page must
 * carry the list's "total", the same on each, and the rows read must end
 * exactly there: a list that does not say how long it is, or says
 * otherwise than it sends, fails (an empty reply must not read as "none
 * left" and wipe tenancy).  The rows must come in that field's order
 * (rising or equal), which also catches an upstream that ignores start
 * and sends the first page again.  A row inserted or deleted
 * upstream while such a list is read can shift its pages by one row
 * (a share or tag read twice, which is harmless, or missed until the next
 * sync); ZStack offers no keyset on these lists.
 *
 * Every read is bounded (struct page_limits): a group page's reply, the
 * groups of a run, the rows of a list, and the bytes of every list reply
 * of a run (the rows are held until the run applies them).
 *
 * Errors are one line in err ("reply to GET <path>: ...") with
 * ZSQ_EINVAL for a reply that is not what the API promises, or the
 * codes of http_get() (sync_http.h), or what a callback returned.
 */
#ifndef ZSQ_SYNC_PAGE_H
#define ZSQ_SYNC_PAGE_H

#include <stddef.h>

#include <jansson.h>

#include "base/buf.h"
#include "upstream/sync_http.h"

#include <stdint.h>

/* The bounds of a run's reads (0 in groups or rows: none). */
struct page_limits {
	size_t		 reply_bytes;	/* one group page, decompressed */
	unsigned long	 groups;	/* groups of the run */
	unsigned long	 rows;		/* rows of one list */
	unsigned long long list_bytes;	/* every list reply of the run:
					   counts down as they are read */
	unsigned long long list_bytes_max;	/* its start, for messages */
};
/*
 * Bytes of one list row, at most on average over a page: a page of limit
 * rows may be limit times this long.  ZStack's rows (accounts, refs,
 * shares, tags) are a few hundred bytes; the bound keeps what a hostile
 * upstream can make the parser hold (jansson's tree of a page) bounded.
 */
#define PAGE_ROW_BYTES_MAX	16384

/* One group: its bytes json[0..len) and its uuid (32 lowercase hex). */
typedef int (*page_group_fn)(void *arg, const char *json, size_t len,
    const char *uuid, struct buf *err);
/* One row of a list (an inventory object; borrowed, valid for the call). */
typedef int (*page_row_fn)(void *arg, json_t *row, size_t n,
    struct buf *err);

/*
 * Split one reply body {"inventories":[...], other keys...} into groups:
 * each goes to fn in order.  last (33 bytes: 32 + NUL, "" at the start) is
 * the keyset position, checked and moved on; *count gets the number of
 * groups, *total the envelope's "total" (-1 when it has none).  Pure: no
 * I/O (tests/unit/test_sync_page.c drives it).
 */
int	page_split_groups(const char *body, size_t len, char *last,
	    size_t *count, int64_t *total, page_group_fn fn, void *arg,
	    struct buf *err);

/*
 * Every group of route (e.g. "/zstack/v1/ai/model-services/instances/
 * groups"), limit groups a page.  *pages gets the number of pages.
 */
int	page_read_groups(struct http *h, const char *route, unsigned limit,
	    const struct page_limits *lim, page_group_fn fn, void *arg,
	    unsigned long *pages, struct buf *err);

/*
 * Every row of path ("/zstack/v1/accounts"), with query ("q=...", or ""),
 * sorted by sort_field, limit rows a page; each row to fn with its
 * 0-based position.
 */
int	page_read_list(struct http *h, const char *path, const char *query,
	    const char *sort_field, unsigned limit, struct page_limits *lim,
	    page_row_fn fn, void *arg, struct buf *err);

#endif
