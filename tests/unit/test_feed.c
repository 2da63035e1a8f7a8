/* SPDX-License-Identifier: Apache-2.0 */
/* test_feed.c - the feeds' status records (feed.h) in a real LMDB store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "store/feed.h"
#include "store/store.h"
#include "t.h"
#include "tstore.h"

static int
success(struct store *st, enum feed_id f, int64_t start, int64_t end,
    const uint64_t *c, size_t n)
{
	MDB_txn *txn;
	int rc;

	if (mdb_txn_begin(st->env, NULL, 0, &txn) != MDB_SUCCESS)
		return -1;
	if ((rc = feed_success(st, txn, f, start, end, c, n)) != ZSQ_OK) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);
}

static int
get(struct store *st, enum feed_id f, struct feed_status *s)
{
	MDB_txn *txn;
	int rc;

	if (mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) != MDB_SUCCESS)
		return -1;
	rc = feed_read(st, txn, f, s);
	mdb_txn_abort(txn);
	return rc;
}

int
main(void)
{
	struct store st;
	struct feed_status s;
	uint64_t c[FEED_COUNTS] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	char msg[FEED_MSG_MAX + 100];
	MDB_txn *txn;
	MDB_val k, v;

	CHECK_STR(feed_name(FEED_GROUPS), "groups");
	CHECK_STR(feed_name(FEED_SESSIONS), "sessions");
	CHECK(feed_name(FEED_NFEEDS) == NULL);
	CHECK_STR(feed_count_name(FEED_GROUPS, 0), "added");
	CHECK_STR(feed_count_name(FEED_GROUPS, FEED_G_REQUESTS), "requests");
	CHECK_STR(feed_count_name(FEED_SESSIONS, FEED_S_READ), "read");
	CHECK(feed_count_name(FEED_SESSIONS, FEED_S_READ + 1) == NULL);
	CHECK(feed_count_name(FEED_GROUPS, FEED_COUNTS) == NULL);

	tstore_open(&st);
	/* Never ran: not found, zeroed, no age. */
	memset(&s, 0xff, sizeof(s));
	CHECK(get(&st, FEED_GROUPS, &s) == ZSQ_ENOTFOUND);
	CHECK(s.ok_start_ms == 0 && s.fail_ms == 0 && s.fails == 0);
	CHECK(feed_age_ms(&s, 5000) == -1);

	/* A failure first: recorded alone, one line, cut to size. */
	CHECK(feed_failure(&st, FEED_GROUPS, 1000, "upstream\nunreachable") ==
	    ZSQ_OK);
	CHECK(get(&st, FEED_GROUPS, &s) == ZSQ_OK);
	CHECK(s.fail_ms == 1000 && s.fails == 1 && s.ok_start_ms == 0);
	CHECK_STR(s.fail_msg, "upstream?unreachable");
	memset(msg, 'x', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	CHECK(feed_failure(&st, FEED_GROUPS, 2000, msg) == ZSQ_OK);
	CHECK(get(&st, FEED_GROUPS, &s) == ZSQ_OK);
	CHECK(s.fails == 2 && strlen(s.fail_msg) == FEED_MSG_MAX - 1);

	/* A success keeps the last failure, resets the count, ages. */
	CHECK(success(&st, FEED_GROUPS, 3000, 3500, c, FEED_COUNTS) == 0);
	CHECK(get(&st, FEED_GROUPS, &s) == ZSQ_OK);
	CHECK(s.ok_start_ms == 3000 && s.ok_end_ms == 3500);
	CHECK(s.counts[0] == 1 && s.counts[FEED_COUNTS - 1] == 8);
	CHECK(s.fail_ms == 2000 && s.fails == 0);
	CHECK(feed_age_ms(&s, 10000) == 7000);
	CHECK(feed_age_ms(&s, 2000) == 0);	/* a clock set back */

	/* Fewer counts: the rest zero.  Too many: refused. */
	CHECK(success(&st, FEED_GROUPS, 4000, 4001, c, 2) == 0);
	CHECK(get(&st, FEED_GROUPS, &s) == ZSQ_OK);
	CHECK(s.counts[1] == 2 && s.counts[2] == 0);
	CHECK(success(&st, FEED_GROUPS, 1, 2, c, FEED_COUNTS + 1) ==
	    ZSQ_EINVAL);

	/* The feeds are separate; an aborted success leaves nothing. */
	CHECK(get(&st, FEED_SESSIONS, &s) == ZSQ_ENOTFOUND);
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == MDB_SUCCESS);
	CHECK(feed_success(&st, txn, FEED_SESSIONS, 5, 6, c, 1) == ZSQ_OK);
	mdb_txn_abort(txn);
	CHECK(get(&st, FEED_SESSIONS, &s) == ZSQ_ENOTFOUND);

	/* A record of another size is not read, and is replaced. */
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == MDB_SUCCESS);
	k.mv_size = strlen("feed:sessions");
	k.mv_data = "feed:sessions";
	v.mv_size = 3;
	v.mv_data = "old";
	CHECK(mdb_put(txn, st.meta, &k, &v, 0) == MDB_SUCCESS);
	CHECK(mdb_txn_commit(txn) == MDB_SUCCESS);
	CHECK(get(&st, FEED_SESSIONS, &s) == ZSQ_ESTORE);
	CHECK(feed_failure(&st, FEED_SESSIONS, 7, "m") == ZSQ_OK);
	CHECK(get(&st, FEED_SESSIONS, &s) == ZSQ_OK && s.fails == 1);
	CHECK(feed_failure(&st, FEED_NFEEDS, 7, "m") == ZSQ_EINVAL);

	tstore_close(&st);
	return t_done();
}
