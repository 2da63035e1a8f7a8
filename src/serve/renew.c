/* SPDX-License-Identifier: Apache-2.0 */
/* renew.c - renewals queued by workers, written by the renewer; see renew.h. */
#define _GNU_SOURCE		/* F_SETPIPE_SZ, ppoll, pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/errors.h"
#include "base/hash.h"
#include "base/log.h"
#include "serve/renew.h"
#include "serve/sig.h"
#include "store/session.h"
#include "store/store.h"

/* The pipe's capacity: some 3,700 renewals waiting for the reader. */
#define RENEW_PIPE_SIZE		(1 << 20)
/* Table slots (a power of two); a batch holds at most 3/4 of them. */
#define RENEW_TABLE_SLOTS	4096
#define RENEW_TABLE_MAX		(RENEW_TABLE_SLOTS / 4 * 3)
/* How long a stopping renewer waits for its last batch to be written. */
#define RENEW_STOP_GRACE_S	3
/*
 * A batch whose write transaction took longer than this to start waited
 * for another writer: its renewals, and those that came meanwhile, count
 * as deferred.
 */
#define RENEW_BUSY_MS		50
/* At most one failed-batch message per this many seconds. */
#define RENEW_LOG_EVERY_S	60

struct renew_msg {
	int64_t		 now_ms;	/* the request's time */
	int64_t		 expires_ms;	/* the expiry it asks for */
	uint16_t	 idlen;
	char		 id[SESSION_ID_MAX];
};

/* One write(2) of a message must be atomic: no two workers interleave. */
_Static_assert(sizeof(struct renew_msg) <= PIPE_BUF,
    "a renewal message must fit one atomic pipe write");

struct slot {
	int		 used;
	struct renew_msg m;
};

struct table {
	struct slot	*s;		/* RENEW_TABLE_SLOTS */
	size_t		 n;		/* used slots */
};

struct renewer {
	struct store	 st;
	int		 writable;
	struct stats	*stats;
	pthread_mutex_t	 mu;
	pthread_cond_t	 work;		/* the table has work, or stop */
	pthread_cond_t	 idle;		/* the writer has exited */
	struct table	 fill;		/* the reader's; under mu */
	struct table	 batch;		/* the writer's */
	int		 busy;		/* a batch is being written */
	size_t		 arrived;	/* renewals taken while busy */
	int		 stop;
	int		 exited;
	int64_t		 logged_at;	/* last failed-batch message */
};

int
renew_pipe_open(struct renew_pipe *p)
{
	int fds[2];

	p->rd = p->wr = -1;
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
		return errno;
	/* Best effort: a smaller pipe only drops sooner under a burst. */
	(void)fcntl(fds[1], F_SETPIPE_SZ, RENEW_PIPE_SIZE);
	p->rd = fds[0];
	p->wr = fds[1];
	return ZSQ_OK;
}

void
renew_pipe_close(struct renew_pipe *p)
{
	if (p->rd >= 0)
		close(p->rd);
	if (p->wr >= 0)
		close(p->wr);
	p->rd = p->wr = -1;
}

int
renew_send(int wr, struct stats *stats, const char *id, size_t idlen,
    int64_t now_ms, int64_t expires_ms)
{
	struct renew_msg m;
	int rc = ZSQ_EFULL;

	if (idlen == 0 || idlen > SESSION_ID_MAX)
		return ZSQ_EINVAL;
	memset(&m, 0, sizeof(m));
	m.now_ms = now_ms;
	m.expires_ms = expires_ms;
	m.idlen = (uint16_t)idlen;
	memcpy(m.id, id, idlen);
	/* O_NONBLOCK: a full pipe is EAGAIN at once, never a wait. */
	if (wr >= 0 && write(wr, &m, sizeof(m)) == (ssize_t)sizeof(m))
		rc = ZSQ_OK;
	stats_add(stats, rc == ZSQ_OK ? STATS_RENEW_SENT : STATS_RENEW_DROPPED,
	    1);
	/* The id is a secret: do not leave it on the stack (explicit_bzero:
	 * a memset before the end of its scope may be optimised away). */
	explicit_bzero(m.id, sizeof(m.id));
	return rc;
}

static int
table_init(struct table *t)
{
	t->n = 0;
	t->s = calloc(RENEW_TABLE_SLOTS, sizeof(*t->s));
	return t->s != NULL ? ZSQ_OK : ZSQ_ENOMEM;
}

static void
table_clear(struct table *t)
{
	/* Clears the ids too: nothing secret outlives its batch. */
	memset(t->s, 0, RENEW_TABLE_SLOTS * sizeof(*t->s));
	t->n = 0;
}

/*
 * Coalesce m into t: one slot per session id, keeping the later expiry.
 * 0 when stored, -1 when the table is full.
 */
static int
table_put(struct table *t, const struct renew_msg *m)
{
	size_t i;
	struct slot *s;

	i = (size_t)hash_fnv1a(HASH_FNV1A_INIT, m->id, m->idlen);
	for (;; i++) {
		s = &t->s[i & (RENEW_TABLE_SLOTS - 1)];
		if (!s->used)
			break;
		if (s->m.idlen == m->idlen &&
		    memcmp(s->m.id, m->id, m->idlen) == 0) {
			if (m->expires_ms > s->m.expires_ms)
				s->m = *m;
			return 0;
		}
	}
	if (t->n >= RENEW_TABLE_MAX)
		return -1;
	s->used = 1;
	s->m = *m;
	t->n++;
	return 0;
}

/*
 * Write one batch in one write transaction; may wait for the lock.
 * Returns whether it waited (RENEW_BUSY_MS or longer) for it.
 */
static int
batch_write(struct renewer *r, struct table *t)
{
	MDB_txn *txn = NULL;
	size_t i, done = 0;
	int64_t t0, wall;
	int rc, written, waited;

	if (!r->writable) {
		stats_add(r->stats, STATS_RENEW_DROPPED, t->n);
		return 0;
	}
	t0 = now_ms(CLOCK_MONOTONIC);
	rc = store_txn_begin(&r->st, 0, &txn);
	waited = now_ms(CLOCK_MONOTONIC) - t0 >= RENEW_BUSY_MS;
	/*
	 * Validity is judged now, under the write lock, not at the request's
	 * time: a renewal that waited behind a long import must not revive
	 * a session that expired meanwhile (and was refused meanwhile).  The
	 * request's time still wins if the wall clock stepped back.
	 */
	wall = now_ms(CLOCK_REALTIME);
	for (i = 0; rc == ZSQ_OK && i < RENEW_TABLE_SLOTS; i++) {
		if (!t->s[i].used)
			continue;
		rc = session_extend(&r->st, txn, t->s[i].m.id, t->s[i].m.idlen,
		    wall > t->s[i].m.now_ms ? wall : t->s[i].m.now_ms,
		    t->s[i].m.expires_ms, &written);
		done += (size_t)written;
	}
	if (rc == ZSQ_OK) {
		rc = store_err(mdb_txn_commit(txn));
		txn = NULL;
	}
	if (txn != NULL)
		mdb_txn_abort(txn);
	if (rc == ZSQ_OK) {
		stats_add(r->stats, STATS_RENEW_DONE, done);
		return waited;
	}
	stats_add(r->stats, STATS_RENEW_DROPPED, t->n);
	if (r->logged_at == 0 || now_ms(CLOCK_MONOTONIC) - r->logged_at >=
	    RENEW_LOG_EVERY_S * 1000) {
		r->logged_at = now_ms(CLOCK_MONOTONIC);
		log_msg(LOG_WARNING, "%zu session renewals not written: %s",
		    t->n, zsq_strerror(rc));
	}
	return waited;
}

/* The writer thread: take the reader's table whole, write it, repeat. */
static void *
writer_main(void *arg)
{
	struct renewer *r = arg;
	struct table t;
	int waited;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		while (r->fill.n == 0 && !r->stop)
			pthread_cond_wait(&r->work, &r->mu);
		if (r->fill.n == 0)
			break;		/* stopping, and nothing left */
		t = r->fill;
		r->fill = r->batch;
		r->batch = t;
		r->busy = 1;
		r->arrived = 0;
		pthread_mutex_unlock(&r->mu);
		waited = batch_write(r, &r->batch);
		pthread_mutex_lock(&r->mu);
		if (waited)
			stats_add(r->stats, STATS_RENEW_DEFERRED,
			    r->batch.n + r->arrived);
		table_clear(&r->batch);
		r->busy = 0;
	}
	r->exited = 1;
	pthread_cond_signal(&r->idle);
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

static void
reader_take(struct renewer *r, const struct renew_msg *m)
{
	int full;

	if (m->idlen == 0 || m->idlen > SESSION_ID_MAX) {
		stats_add(r->stats, STATS_RENEW_DROPPED, 1);
		return;
	}
	pthread_mutex_lock(&r->mu);
	full = table_put(&r->fill, m);
	if (full == 0 && r->busy)
		r->arrived++;
	pthread_cond_signal(&r->work);
	pthread_mutex_unlock(&r->mu);
	if (full)
		stats_add(r->stats, STATS_RENEW_DROPPED, 1);
}

/*
 * Read the pipe until a stop signal or until no writer is left.  Stop
 * signals get through only inside ppoll(), as in a worker (worker.h).
 */
static void
reader_loop(struct renewer *r, int rd)
{
	struct renew_msg msgs[16];
	struct pollfd pfd = { rd, POLLIN, 0 };
	sigset_t none;
	size_t have = 0, i;
	ssize_t n;

	sigemptyset(&none);
	while (!sig_stopping) {
		if (ppoll(&pfd, 1, NULL, &none) < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERR, "renewer: poll: %s", strerror(errno));
			return;
		}
		n = read(rd, (char *)msgs + have, sizeof(msgs) - have);
		if (n == 0)
			return;		/* every write end is closed */
		if (n < 0) {
			/* Another renewer (SIGHUP's overlap) took it first. */
			if (errno == EAGAIN || errno == EINTR)
				continue;
			log_msg(LOG_ERR, "renewer: read: %s", strerror(errno));
			return;
		}
		have += (size_t)n;
		for (i = 0; i < have / sizeof(msgs[0]); i++)
			reader_take(r, &msgs[i]);
		/* Writes are whole messages; keep a part just in case. */
		memmove(msgs, (char *)msgs + i * sizeof(msgs[0]),
		    have - i * sizeof(msgs[0]));
		have -= i * sizeof(msgs[0]);
	}
	explicit_bzero(msgs, sizeof(msgs));
}

/* Ask the writer to finish; 1 when it has, within the grace period. */
static int
writer_stop(struct renewer *r)
{
	struct timespec deadline;
	int exited;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += RENEW_STOP_GRACE_S;
	pthread_mutex_lock(&r->mu);
	r->stop = 1;
	pthread_cond_signal(&r->work);
	while (!r->exited &&
	    pthread_cond_timedwait(&r->idle, &r->mu, &deadline) == 0)
		;
	exited = r->exited;
	if (!exited)
		stats_add(r->stats, STATS_RENEW_DROPPED, r->fill.n);
	pthread_mutex_unlock(&r->mu);
	return exited;
}

int
renewer_run(const char *db, int rd, struct stats *stats)
{
	struct renewer r;
	pthread_t th;
	int rc;

	memset(&r, 0, sizeof(r));
	r.stats = stats;
	/*
	 * The stop signals are blocked in both threads (the writer is born
	 * with this mask); only the reader's ppoll() lets them in.
	 */
	sig_child_setup(0);

	if ((rc = store_open(&r.st, db, 0, 0)) == ZSQ_OK)
		r.writable = 1;
	else
		log_msg(LOG_ERR, "renewer: cannot open store %s for writing: "
		    "%s; sessions are not renewed", db, zsq_strerror(rc));
	if (table_init(&r.fill) != ZSQ_OK || table_init(&r.batch) != ZSQ_OK ||
	    pthread_mutex_init(&r.mu, NULL) != 0 ||
	    pthread_cond_init(&r.work, NULL) != 0 ||
	    pthread_cond_init(&r.idle, NULL) != 0 ||
	    (rc = pthread_create(&th, NULL, writer_main, &r)) != 0) {
		log_msg(LOG_ERR, "renewer: cannot start: %s",
		    strerror(rc ? rc : ENOMEM));
		return 1;
	}
	reader_loop(&r, rd);
	/*
	 * A writer still waiting for the write lock (an import) when the
	 * grace ends is left behind: the process exit ends it, and LMDB's
	 * robust lock survives a waiter or holder that dies.
	 */
	if (!writer_stop(&r))
		return 0;
	pthread_join(th, NULL);
	if (r.writable)
		store_close(&r.st);
	free(r.fill.s);
	free(r.batch.s);
	return 0;
}
