/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_renew.c - the renewer (renew.h) as a real process on a real LMDB
 * store, with the counters (stats.h) shared across the fork as the pool
 * shares them:
 *   - while this process holds the write lock, renew_send() returns at
 *     once every time, the renewals count as sent and, once written,
 *     as deferred; they land in the store when the lock is released;
 *   - renewals of one session coalesce into one write, the later expiry
 *     winning; an expired session is not revived, a deleted one not
 *     re-created;
 *   - a renewer that does not read (stopped) makes the pipe fill up:
 *     renew_send() then drops and counts, and still never blocks;
 *   - SIGTERM: the renewer exits 0.
 * Waits are for conditions (bounded), never fixed sleeps.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/errors.h"
#include "query/stats.h"
#include "serve/renew.h"
#include "store/session.h"
#include "store/store.h"
#include "t.h"

#define NSESS	12
#define MIN_MS	(60 * (int64_t)1000)

static char dir[] = "/tmp/zsq-renew-XXXXXX";

static void
sid(char *buf, int i)
{
	snprintf(buf, 33, "5e55105000000000000000000000%04x", i);
}

/* Wait up to 20 s for counter c to reach want; the last value seen. */
static uint64_t
wait_count(const struct stats *s, enum stats_counter c, uint64_t want)
{
	int64_t end = now_ms(CLOCK_MONOTONIC) + 20000;

	while (stats_get(s, c) < want && now_ms(CLOCK_MONOTONIC) < end)
		usleep(10000);
	if (stats_get(s, c) < want)
		fprintf(stderr, "%s: %llu, want %llu\n", stats_name(c),
		    (unsigned long long)stats_get(s, c),
		    (unsigned long long)want);
	return stats_get(s, c);
}

static void
put(struct store *st, const char *id, int64_t expires)
{
	struct session_rec s;
	MDB_txn *txn;

	memset(&s, 0, sizeof(s));
	memset(s.account, 'a', sizeof(s.account));
	s.expired_ms = expires;
	CHECK(mdb_txn_begin(st->env, NULL, 0, &txn) == MDB_SUCCESS);
	CHECK(session_put(st, txn, id, strlen(id), &s) == ZSQ_OK);
	CHECK(mdb_txn_commit(txn) == MDB_SUCCESS);
}

static int64_t
expiry(struct store *st, const char *id)
{
	struct session_rec s;
	MDB_txn *txn;
	int rc;

	CHECK(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) == MDB_SUCCESS);
	rc = session_get(st, txn, id, strlen(id), &s);
	mdb_txn_abort(txn);
	return rc == ZSQ_OK ? s.expired_ms : -1;
}

static pid_t
renewer_start(struct stats *stats, struct renew_pipe *p)
{
	pid_t pid;

	if ((pid = fork()) == 0) {
		close(p->wr);
		_exit(renewer_run(dir, p->rd, stats));
	}
	return pid;
}

int
main(void)
{
	struct store st;
	struct stats *stats;
	struct renew_pipe p;
	MDB_txn *lock;
	char id[33], cmd[64];
	int64_t now, t0, slowest = 0, took;
	pid_t pid;
	int i, n, status, full = 0;
	uint64_t sent;

	if (mkdtemp(dir) == NULL || (stats = stats_create()) == NULL)
		return 99;
	CHECK(stats_get(stats, STATS_RENEW_DONE) == 0);
	CHECK(strcmp(stats_name(STATS_RENEW_DEFERRED), "renewals_deferred") ==
	    0);
	if (store_open(&st, dir, STORE_CREATE, 0) != ZSQ_OK ||
	    renew_pipe_open(&p) != ZSQ_OK)
		return 99;
	now = session_now_ms();
	/* Each due for renewal: it expires in a minute. */
	for (i = 0; i < NSESS; i++) {
		sid(id, i);
		put(&st, id, now + MIN_MS);
	}
	sid(id, 100);
	put(&st, id, now - 1);			/* expired */

	pid = renewer_start(stats, &p);
	CHECK(pid > 0);

	/* Hold the write lock, as a long import would. */
	CHECK(mdb_txn_begin(st.env, NULL, 0, &lock) == MDB_SUCCESS);
	for (n = 0; n < 2; n++)
		for (i = 0; i < NSESS; i++) {
			sid(id, i);
			t0 = now_ms(CLOCK_MONOTONIC);
			/* The second round asks for less: the later wins. */
			CHECK(renew_send(p.wr, stats, id, strlen(id), now,
			    now + (n == 0 ? 100 : 50) * MIN_MS) == ZSQ_OK);
			if ((took = now_ms(CLOCK_MONOTONIC) - t0) > slowest)
				slowest = took;
		}
	sid(id, 100);
	CHECK(renew_send(p.wr, stats, id, strlen(id), now, now + 100 * MIN_MS)
	    == ZSQ_OK);
	sid(id, 200);				/* no such session */
	CHECK(renew_send(p.wr, stats, id, strlen(id), now, now + 100 * MIN_MS)
	    == ZSQ_OK);
	CHECK(renew_send(p.wr, stats, "", 0, now, now) == ZSQ_EINVAL);
	/* A send is one write(2) to a pipe: far below a second. */
	CHECK(slowest < 1000);
	CHECK(stats_get(stats, STATS_RENEW_SENT) == 2 * NSESS + 2);
	/* Held for longer than RENEW_BUSY_MS before it is let go. */
	usleep(300000);
	CHECK(stats_get(stats, STATS_RENEW_DONE) == 0);	/* nothing yet */
	mdb_txn_abort(lock);

	/* Twelve sessions, one write each, the later expiry. */
	CHECK(wait_count(stats, STATS_RENEW_DONE, NSESS) == NSESS);
	for (i = 0; i < NSESS; i++) {
		sid(id, i);
		CHECK(expiry(&st, id) == now + 100 * MIN_MS);
	}
	sid(id, 100);
	CHECK(expiry(&st, id) == now - 1);	/* not revived */
	sid(id, 200);
	CHECK(expiry(&st, id) == -1);		/* not created */
	CHECK(stats_get(stats, STATS_RENEW_DEFERRED) >= 1);
	CHECK(stats_get(stats, STATS_RENEW_DROPPED) == 0);

	/* A renewer that reads nothing: the pipe fills, sends drop. */
	kill(pid, SIGSTOP);
	sent = stats_get(stats, STATS_RENEW_SENT);
	sid(id, 1);
	t0 = now_ms(CLOCK_MONOTONIC);
	for (i = 0; i < 100000 && !full; i++)
		full = renew_send(p.wr, stats, id, strlen(id), now,
		    now + 200 * MIN_MS) == ZSQ_EFULL;
	CHECK(full);
	CHECK(now_ms(CLOCK_MONOTONIC) - t0 < 10000);
	CHECK(stats_get(stats, STATS_RENEW_DROPPED) == 1);
	CHECK(stats_get(stats, STATS_RENEW_SENT) > sent);
	kill(pid, SIGCONT);
	/* What was queued is coalesced and written. */
	CHECK(wait_count(stats, STATS_RENEW_DONE, NSESS + 1) == NSESS + 1);
	CHECK(expiry(&st, id) == now + 200 * MIN_MS);

	kill(pid, SIGTERM);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	renew_pipe_close(&p);
	store_close(&st);
	stats_destroy(stats);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 99;
	return t_done();
}
