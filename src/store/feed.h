/* SPDX-License-Identifier: Apache-2.0 */
/*
 * feed.h - how each feed that fills the store last fared, kept in the
 * store's "meta" database so that stat (and, later, the workers' metrics)
 * can tell an operator how old the data is.
 *
 * Feeds: FEED_GROUPS (zsquery-admin sync: groups, owners, shares,
 * accounts and tags from ZStack's REST API) and FEED_SESSIONS
 * (zsquery-admin session import, fed from ZStack's SessionVO table).
 *
 * Each feed has one record under the meta key "feed:<name>": the last
 * success (when it started and ended, and its counts) and the last
 * failure (when, and its one-line message).  The data is as old as the
 * start of the last success: a sync reads ZStack from that moment on.
 *
 * Contract: feed_success() runs in the caller's write transaction, so a
 * feed can record its success with the data it wrote, or just after.
 * feed_failure() takes its own short write transaction: the feed's own
 * transaction was aborted, and a failure record changes nothing but that
 * one meta entry (the data stays exactly as it was).  feed_read() works
 * in any transaction, read-only included, and never writes: the workers
 * may call it.  Records hold no secrets: callers keep session ids out of
 * the messages they pass.
 */
#ifndef ZSQ_FEED_H
#define ZSQ_FEED_H

#include <stddef.h>
#include <stdint.h>
#include <lmdb.h>

#include "store/store.h"

enum feed_id {
	FEED_GROUPS,
	FEED_SESSIONS,
	FEED_NFEEDS
};

#define FEED_COUNTS	8	/* counts a success records (see feed_count_name) */
#define FEED_MSG_MAX	512	/* a failure message, NUL included */

/* Counts of FEED_GROUPS, by index. */
enum {
	FEED_G_ADDED, FEED_G_UPDATED, FEED_G_UNCHANGED, FEED_G_DELETED,
	FEED_G_ACCOUNTS, FEED_G_SHARES, FEED_G_TAGS, FEED_G_REQUESTS
};
/* Counts of FEED_SESSIONS, by index. */
enum {
	FEED_S_ADDED, FEED_S_UPDATED, FEED_S_UNCHANGED, FEED_S_DELETED,
	FEED_S_READ
};

struct feed_status {
	int64_t		ok_start_ms;	/* last success began; 0: never */
	int64_t		ok_end_ms;	/* and ended */
	uint64_t	counts[FEED_COUNTS];
	int64_t		fail_ms;	/* last failure; 0: never */
	uint32_t	fails;		/* failures since the last success */
	char		fail_msg[FEED_MSG_MAX];
};

/* "groups", "sessions"; NULL for an unknown id. */
const char *feed_name(enum feed_id f);
/* The name of count i of feed f ("added", ...), NULL past its last. */
const char *feed_count_name(enum feed_id f, unsigned i);

/*
 * The record of f: ZSQ_OK, ZSQ_ENOTFOUND (the feed never ran: *out is
 * zeroed), ZSQ_ESTORE (a record this version does not read), or a store
 * error.
 */
int	feed_read(const struct store *st, MDB_txn *txn, enum feed_id f,
	    struct feed_status *out);
/*
 * Record a success of f inside txn: started at start_ms, ended at end_ms,
 * counts[0..n) (n <= FEED_COUNTS, the rest zero).  The last failure is
 * kept (its time tells when the feed last broke); fails is reset.
 */
int	feed_success(const struct store *st, MDB_txn *txn, enum feed_id f,
	    int64_t start_ms, int64_t end_ms, const uint64_t *counts,
	    size_t n);
/*
 * Record a failure of f at now_ms with msg (one line; longer ones are cut,
 * control characters become '?') in a transaction of its own.
 */
int	feed_failure(const struct store *st, enum feed_id f, int64_t now_ms,
	    const char *msg);
/* Age of f's data at now_ms in ms (now - ok_start_ms), or -1: no data. */
int64_t	feed_age_ms(const struct feed_status *s, int64_t now_ms);

#endif
