/* SPDX-License-Identifier: Apache-2.0 */
/*
 * renew.h - session renewals taken off the request path (API.md §2).
 *
 * A worker never writes to the store: nothing it does may wait for LMDB's
 * write lock, which an import can hold for as long as it applies.  After
 * a reply it hands the renewal to the renewer, a child of the master
 * (pool.h), through a pipe the master makes before it forks anything:
 *
 *   worker    renew_send(): one non-blocking write(2) of a fixed-size
 *             message (at most PIPE_BUF, so whole or not at all).  A full
 *             pipe, or no renewer reading it, drops the renewal and
 *             counts it (stats.h); the session is simply renewed by a
 *             later request, since the store still shows it due.
 *   renewer   renewer_run(): one thread only reads the pipe into a
 *             bounded table keyed by session id, where renewals of one
 *             session coalesce (the later expiry wins); another thread
 *             takes the whole table and writes it in one write
 *             transaction, then the next.  While that thread waits for
 *             the write lock (a long import) the first keeps draining the
 *             pipe, so workers never find it full for that reason.
 *
 * Each renewal is applied with session_extend() (session.h): never to an
 * expired or deleted session, and only when it extends the stored expiry
 * by more than SESSION_RENEW_SLACK_MS, so a later expiry written by an
 * admin or a session feed is kept.  The message carries the request time
 * and the new expiry, computed by the worker with its own
 * --session-timeout; the renewer needs no configuration but the store.
 *
 * Counters (stats.h): renewals_sent (worker), renewals_done,
 * renewals_deferred (waited for a write lock another process held),
 * renewals_dropped (pipe full, table full, store not writable, a failed
 * commit, or still pending when a stopping renewer gave up).
 *
 * A store the renewer cannot write (read-only data.mdb, say) leaves it
 * running: it logs that once and drains the pipe, counting every renewal
 * as dropped, so workers serve normally and nothing respawns in a loop.
 */
#ifndef ZSQ_RENEW_H
#define ZSQ_RENEW_H

#include <stddef.h>
#include <stdint.h>

#include "query/stats.h"

struct renew_pipe {
	int	rd, wr;
};

/*
 * The master: make the pipe (close-on-exec, both ends non-blocking, as
 * large as the system allows).  ZSQ_OK or an errno value.
 */
int	renew_pipe_open(struct renew_pipe *p);
void	renew_pipe_close(struct renew_pipe *p);

/*
 * A worker: queue the renewal of session id (1..SESSION_ID_MAX bytes) for
 * a request at now_ms to expire at expires_ms.  Never blocks.  ZSQ_OK, or
 * ZSQ_EFULL when it was dropped (counted in stats).
 */
int	renew_send(int wr, struct stats *stats, const char *id, size_t idlen,
	    int64_t now_ms, int64_t expires_ms);

/*
 * The renewer process: serve the read end rd for the store in db until
 * SIGTERM or SIGINT (the pending table is written first, if the write
 * lock comes within a few seconds) or until every write end is closed.
 * Returns the process exit status.
 */
int	renewer_run(const char *db, int rd, struct stats *stats);

#endif
