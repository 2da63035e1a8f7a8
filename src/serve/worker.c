/* SPDX-License-Identifier: Apache-2.0 */
/* worker.c - one FastCGI worker process; see worker.h. */
#define _GNU_SOURCE		/* ppoll, accept4 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "base/clock.h"
#include "base/errors.h"
#include "base/log.h"
#include "base/tz.h"
#include "query/apierr.h"
#include "query/reply.h"
#include "serve/request.h"
#include "serve/sig.h"
#include "serve/worker.h"
#include "store/store.h"

/*
 * The longest request body read before the reply: nginx's default
 * client_max_body_size.  A longer one is refused (413), unread.
 */
#define WORKER_BODY_MAX		((size_t)1 << 20)
/* Queued connections a stopping worker still answers. */
#define WORKER_DRAIN_MAX	64
/*
 * How long a worker idle on a kept connection leaves a new connection to
 * the workers that have none before it takes the connection itself.
 */
#define WORKER_YIELD_MS		20
/* At most this often a query looks whether its client is still there. */
#define WORKER_POLL_EVERY_MS	50
/*
 * Reader slots a pool of n workers needs (store.h): two generations
 * during a reload, their renewers, and a few for zsquery-admin.
 */
#define WORKER_READERS(n)	(2 * (n) + 2 + 8)

/* What worker_idle() saw. */
enum { IDLE_SIGNAL = -1, IDLE_TIMEOUT, IDLE_REQUEST, IDLE_NEWCONN };

/* What worker_read_body() found. */
enum { BODY_OK, BODY_TOO_LARGE, BODY_TOO_SLOW, BODY_BROKEN };

/* One request's limits, checked by the query's interrupt hook. */
struct watch {
	int		 fd;		/* the FastCGI connection */
	FCGX_Stream	*out;		/* its reply */
	int64_t		 deadline_ms;	/* the query's, CLOCK_MONOTONIC_COARSE */
	int64_t		 write_by_ms;	/* the reply's, one limit later */
	int64_t		 next_poll_ms;
	int		 cut;		/* the reply passed write_by_ms */
};

/*
 * The reply's sink.  Each write to nginx is bounded by SO_SNDTIMEO, but a
 * large reply read slowly (nginx passes it on at the client's pace once
 * its buffers are full) would hold the worker for as long as the client
 * likes.  The reply gets one more max-request-time after the query's
 * (so a query stopped at its limit still answers its 503); past that it
 * stops (cut), and the connection is dropped rather than ended, so nginx
 * and the client see a broken reply, never a short one that looks whole.
 */
static int
fcgx_write(void *ctx, const void *p, size_t n)
{
	struct watch *w = ctx;
	const char *s = p;
	int chunk;

	if (now_ms(CLOCK_MONOTONIC_COARSE) >= w->write_by_ms) {
		w->cut = 1;
		return ZSQ_ETIMEOUT;
	}
	while (n > 0) {
		chunk = n > INT_MAX ? INT_MAX : (int)n;
		if (FCGX_PutStr(s, chunk, w->out) != chunk)
			return ZSQ_EIO;
		s += chunk;
		n -= (size_t)chunk;
	}
	return ZSQ_OK;
}

/*
 * query.h's interrupt hook: past the deadline, stop (503 SYS.1001); and
 * every WORKER_POLL_EVERY_MS, look whether nginx closed the connection
 * (its client gave up: nginx then drops the upstream connection), and
 * stop working for nobody.  nginx sends nothing more on a connection
 * while it waits for a reply, so only a hangup means the end.
 */
static int
worker_interrupt(void *arg)
{
	struct watch *w = arg;
	struct pollfd pfd = { w->fd, POLLRDHUP, 0 };
	int64_t now = now_ms(CLOCK_MONOTONIC_COARSE);

	if (now >= w->deadline_ms)
		return ZSQ_ETIMEOUT;
	if (now < w->next_poll_ms)
		return ZSQ_OK;
	w->next_poll_ms = now + WORKER_POLL_EVERY_MS;
	if (poll(&pfd, 1, 0) > 0 &&
	    (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)))
		return ZSQ_ECANCELED;
	return ZSQ_OK;
}

/*
 * Read the request body (meaningless to GET) to its end before anything
 * is answered.  Left unread, its STDIN records would be taken for the
 * start of the next request on a kept connection; and it cannot be read
 * after the reply either: nginx stops sending a request body as soon as
 * the reply's head arrives, so a worker that answered first (a reply
 * larger than libfcgi's buffer leaves before the request ends) would wait
 * for the rest of the body until the client timeout, holding the worker.
 */
static int
worker_read_body(FCGX_Request *req, const struct watch *w)
{
	char chunk[4096];
	size_t total = 0;
	int n;

	while ((n = FCGX_GetStr(chunk, sizeof(chunk), req->in)) > 0) {
		if ((total += (size_t)n) > WORKER_BODY_MAX)
			return BODY_TOO_LARGE;
		if (now_ms(CLOCK_MONOTONIC_COARSE) >= w->deadline_ms)
			return BODY_TOO_SLOW;
	}
	return FCGX_GetError(req->in) != 0 ? BODY_BROKEN : BODY_OK;
}

/*
 * Refuse a request whose body could not be read (err set: answer it) or
 * failed (err unset: nobody to answer); its connection ends here, since
 * the rest of the body may still be unread.
 */
static void
worker_refuse(struct request_ctx *ctx, FCGX_Request *req, struct out *out,
    struct apierr *err)
{
	req->keepConnection = 0;
	ctx->status = 0;
	if (err->status != 0)
		(void)request_refuse(ctx, FCGX_GetParam("REQUEST_URI",
		    req->envp), err, out);
	apierr_free(err);
}

/* Answer one request; ctx says what was answered (request.h). */
static void
worker_serve(const struct config *cfg, struct request_ctx *ctx,
    FCGX_Request *req)
{
	struct request_in in;
	struct watch w;
	struct out out = { fcgx_write, &w };
	struct apierr err = APIERR_INIT;

	w.fd = req->ipcFd;
	w.out = req->out;
	w.deadline_ms = now_ms(CLOCK_MONOTONIC_COARSE) +
	    (int64_t)cfg->max_request_time * 1000;
	w.write_by_ms = w.deadline_ms + (int64_t)cfg->max_request_time * 1000;
	w.next_poll_ms = 0;
	w.cut = 0;
	switch (worker_read_body(req, &w)) {
	case BODY_OK:
		break;
	case BODY_TOO_LARGE:
		(void)apierr_text(&err, 413, "request body too large: this API "
		    "reads at most %zu bytes", WORKER_BODY_MAX);
		worker_refuse(ctx, req, &out, &err);
		return;
	case BODY_TOO_SLOW:
		stats_add(ctx->stats, STATS_REQUEST_TIMEOUTS, 1);
		(void)apierr_json(&err, APIERR_TIMEOUT, "the request body took "
		    "longer than the limit of %d s (max-request-time)",
		    cfg->max_request_time);
		worker_refuse(ctx, req, &out, &err);
		return;
	default:
		/* A read failed or timed out. */
		worker_refuse(ctx, req, &out, &err);
		return;
	}
	in.method = FCGX_GetParam("REQUEST_METHOD", req->envp);
	in.uri = FCGX_GetParam("REQUEST_URI", req->envp);
	in.auth = FCGX_GetParam("HTTP_AUTHORIZATION", req->envp);
	in.if_none_match = FCGX_GetParam("HTTP_IF_NONE_MATCH", req->envp);
	in.interrupt = worker_interrupt;
	in.interrupt_arg = &w;
	if (request_handle(ctx, &in, &out) == ZSQ_OK)
		return;
	req->keepConnection = 0;
	if (!w.cut) {
		log_msg(LOG_INFO, "client went away before the reply was sent");
		return;
	}
	log_msg(LOG_WARNING, "reply cut after %d s (twice max-request-time): "
	    "its client read it too slowly; connection dropped",
	    2 * cfg->max_request_time);
	stats_add(ctx->stats, STATS_REQUEST_TIMEOUTS, 1);
	/* No FastCGI end: FCGX_Finish_r's writes now fail, and nginx sees
	 * the connection end in the middle of the reply. */
	(void)shutdown(req->ipcFd, SHUT_RDWR);
}

/*
 * Read the request arriving on req's connection (SO_RCVTIMEO bounds the
 * wait), answer it, count it and queue its session renewal.  When the
 * connection ends or fails instead, libfcgi closes it (ipcFd < 0
 * afterwards).  last: close the connection after this request.  The
 * latency counted runs from the request read to its reply handed to the
 * kernel (FCGX_Finish_r flushes it).
 */
static void
worker_answer(const struct config *cfg, struct request_ctx *ctx,
    FCGX_Request *req, int last)
{
	struct stats_request sr;
	uint64_t start;

	if (FCGX_Accept_r(req) < 0)
		return;
	start = now_ns(CLOCK_MONOTONIC);
	worker_serve(cfg, ctx, req);
	if (last)
		req->keepConnection = 0;
	FCGX_Finish_r(req);
	if (ctx->status != 0) {
		sr.route = ctx->route;
		sr.status = ctx->status;
		sr.error = ctx->error;
		sr.body_bytes = ctx->body_bytes;
		sr.duration_ns = now_ns(CLOCK_MONOTONIC) - start;
		stats_request(ctx->stats, &sr);
	}
	request_finish(ctx);
}

/* An accept error worth retrying: the next connection may be fine. */
static int
accept_transient(int err)
{
	switch (err) {
	case EINTR:
	case EAGAIN:
	case ECONNABORTED:
	case EPROTO:
		return 1;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		/* Resources may come back; do not spin meanwhile. */
		usleep(100000);
		return 1;
	}
	return 0;
}

/*
 * Bound every read and write of a new connection: a silent or stalled
 * client costs this worker at most timeout_s per call, never the worker
 * itself.  (Accepted unix sockets do not inherit these from the
 * listener.)  0, or -1 with fd closed.
 */
static int
worker_bound(int fd, int timeout_s)
{
	struct timeval tv = { timeout_s, 0 };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
		log_msg(LOG_ERR, "socket timeouts: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return 0;
}

/*
 * Accept one connection if one is there (the listening socket is
 * non-blocking: another worker may win it).  Returns it, -1 to look again,
 * or -2 on a fatal error.
 */
static int
worker_accept_one(int listen_fd, int timeout_s)
{
	int fd;

	if ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
		if (accept_transient(errno))
			return -1;
		log_msg(LOG_ERR, "accept: %s", strerror(errno));
		return -2;
	}
	return worker_bound(fd, timeout_s) == 0 ? fd : -1;
}

/*
 * Wait for and accept one connection with the stop signals unblocked only
 * inside ppoll(), so a stop can never slip in between a check and a
 * blocking call.  Returns the connection, -1 to look again, or -2 on a
 * fatal error.
 */
static int
worker_accept(int listen_fd, const sigset_t *waitmask, int timeout_s)
{
	struct pollfd pfd = { listen_fd, POLLIN, 0 };

	if (ppoll(&pfd, 1, NULL, waitmask) < 0)
		return errno == EINTR ? -1 : -2;
	return worker_accept_one(listen_fd, timeout_s);
}

static int
worker_open(struct store *st, const struct config *cfg)
{
	char here[STORE_TZ_MAX];
	unsigned slots;
	int rc;

	/* Read-only: a worker never writes, so data.mdb may be read-only. */
	if ((rc = store_open(st, cfg->db, STORE_RDONLY, 0)) != ZSQ_OK) {
		log_msg(LOG_ERR, "cannot open store %s: %s", cfg->db,
		    zsq_strerror(rc));
		return rc;
	}
	if (mdb_env_get_maxreaders(st->env, &slots) == MDB_SUCCESS &&
	    slots < WORKER_READERS((unsigned)cfg->workers)) {
		log_msg(LOG_ERR, "store %s: its reader table (lock.mdb) has %u "
		    "slots but %d workers need %u; another program (an LMDB "
		    "tool such as mdb_stat) made it while nothing else had the "
		    "store open: stop every program using the store and start "
		    "again, or run fewer workers", cfg->db, slots,
		    cfg->workers, WORKER_READERS((unsigned)cfg->workers));
		store_close(st);
		return ZSQ_ETOOBIG;
	}
	if ((rc = store_check_tz(st)) != ZSQ_OK) {
		tz_name(here, sizeof(here));
		log_msg(LOG_ERR, "store %s was rendered in time zone %s but "
		    "this service runs in %s: run it with TZ=%s or re-import "
		    "the store", cfg->db, st->tz, here, st->tz);
		store_close(st);
	}
	return rc;
}

/* Hand libfcgi a connection to read requests from. */
static void
worker_adopt(FCGX_Request *req, int fd)
{
	req->ipcFd = fd;
	/* Else FCGX_Accept_r's opening Finish closes it. */
	req->keepConnection = 1;
}

/*
 * On the way out: answer connections the kernel already queued (their
 * clients have sent a request and would otherwise see it dropped when
 * the socket closes), one request each.  The master unlinks a socket it
 * made before it tells workers to stop, so the queue only shrinks; the
 * bound keeps a socket that others still feed (systemd's) from holding
 * the worker until it is killed.
 */
static void
worker_drain(const struct config *cfg, struct request_ctx *ctx,
    FCGX_Request *req, int listen_fd)
{
	int fd, n;

	for (n = 0; n < WORKER_DRAIN_MAX; n++) {
		if ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) < 0)
			break;
		if (worker_bound(fd, cfg->client_timeout) != 0)
			continue;
		worker_adopt(req, fd);
		worker_answer(cfg, ctx, req, 1);
		FCGX_Free(req, 1);
	}
}

/* A kept connection with a request waiting (or closed): 1, else 0. */
static int
worker_pending(int fd)
{
	struct pollfd pfd = { fd, POLLIN, 0 };

	return poll(&pfd, 1, 0) > 0;
}

/*
 * Wait on a kept-alive connection for its next request, for at most
 * timeout_s, while also watching the listening socket: an idle kept
 * connection must never keep a new one waiting.  nginx keeps idle
 * connections per worker process, up to its keepalive setting each, so
 * with several nginx processes they could otherwise occupy every worker
 * of the pool while new connections queue.  When one is queued, workers
 * that have no connection take it at once; if it is still there after
 * WORKER_YIELD_MS, this worker takes it (IDLE_NEWCONN, *newfd) and the
 * caller closes the kept one: nginx notices the close when it next looks
 * at that connection, and a request it sent on it meanwhile fails on a
 * cached connection, which nginx retries on another.  Returns
 * IDLE_REQUEST (read it), IDLE_TIMEOUT (close the kept connection) or
 * IDLE_SIGNAL (look at the stop flag again).
 */
static int
worker_idle(int fd, int listen_fd, const sigset_t *waitmask, int timeout_s,
    int *newfd)
{
	struct pollfd pfd[2] = { { fd, POLLIN, 0 }, { listen_fd, POLLIN, 0 } };
	struct timespec ts, yield = { 0, WORKER_YIELD_MS * 1000000L };
	int64_t end, left;
	int rc;

	end = now_ms(CLOCK_MONOTONIC_COARSE) + (int64_t)timeout_s * 1000;
	for (;;) {
		if ((left = end - now_ms(CLOCK_MONOTONIC_COARSE)) <= 0)
			return IDLE_TIMEOUT;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000L;
		if ((rc = ppoll(pfd, 2, &ts, waitmask)) <= 0)
			return rc < 0 && errno == EINTR ? IDLE_SIGNAL :
			    IDLE_TIMEOUT;
		if (pfd[0].revents != 0)
			return IDLE_REQUEST;
		if ((rc = ppoll(pfd, 1, &yield, waitmask)) != 0)
			return rc > 0 ? IDLE_REQUEST : errno == EINTR ?
			    IDLE_SIGNAL : IDLE_TIMEOUT;
		if ((*newfd = worker_accept_one(listen_fd, timeout_s)) >= 0)
			return IDLE_NEWCONN;
		if (*newfd == -2)
			return IDLE_TIMEOUT;
	}
}

int
worker_run(const struct config *cfg, int listen_fd, int ready_fd,
    int renew_fd, struct stats *stats)
{
	struct request_ctx ctx;
	struct store st;
	FCGX_Request req;
	sigset_t waitmask;
	pid_t pid = getpid();
	int fd, status = 0;

	/*
	 * From here on only ppoll() lets a stop in (see worker.h).  Before
	 * FCGX_Init(), which takes the signals with no handler of ours.
	 */
	sig_child_setup(1);
	sigemptyset(&waitmask);
	if (worker_open(&st, cfg) != ZSQ_OK)
		return WORKER_EXIT_FATAL;
	/*
	 * libfcgi gets no listening socket (-1): the worker accepts itself
	 * (timeouts, signals) and hands libfcgi the connection, so libfcgi's
	 * own accept, reached when a kept connection ends, just fails.
	 */
	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, -1, 0) != 0 ||
	    fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK)
	    != 0) {
		log_msg(LOG_ERR, "cannot set up the FastCGI socket: %s",
		    strerror(errno));
		store_close(&st);
		return WORKER_EXIT_FATAL;
	}
	request_ctx_init(&ctx, &st, cfg->session_timeout,
	    cfg->renew && renew_fd >= 0);
	ctx.renew_fd = renew_fd;
	ctx.stats = stats;
	ctx.max_request_s = cfg->max_request_time;
	if (ready_fd >= 0) {
		(void)!write(ready_fd, &pid, sizeof(pid));
		close(ready_fd);
	}

	while (!sig_stopping) {
		if (req.ipcFd < 0) {
			fd = worker_accept(listen_fd, &waitmask,
			    cfg->client_timeout);
			if (fd == -2) {
				status = 1;
				break;
			}
			/*
			 * A connection taken is answered, stop or no stop: its
			 * client may not have written its request yet, and
			 * closed now it would be lost.
			 */
			if (fd >= 0) {
				worker_adopt(&req, fd);
				worker_answer(cfg, &ctx, &req, 0);
			}
			continue;
		}
		switch (worker_idle(req.ipcFd, listen_fd, &waitmask,
		    cfg->client_timeout, &fd)) {
		case IDLE_REQUEST:
			worker_answer(cfg, &ctx, &req, 0);
			break;
		case IDLE_TIMEOUT:
			/* It pins this worker: close it. */
			FCGX_Free(&req, 1);
			break;
		case IDLE_NEWCONN:
			/* A request that came on the old one meanwhile first. */
			if (worker_pending(req.ipcFd))
				worker_answer(cfg, &ctx, &req, 1);
			FCGX_Free(&req, 1);
			worker_adopt(&req, fd);
			worker_answer(cfg, &ctx, &req, 0);
			break;
		case IDLE_SIGNAL:
			break;
		}
	}
	if (status == 0) {
		/* A request already sent on a kept connection is answered. */
		if (req.ipcFd >= 0 && worker_pending(req.ipcFd))
			worker_answer(cfg, &ctx, &req, 1);
		FCGX_Free(&req, 1);
		worker_drain(cfg, &ctx, &req, listen_fd);
	}
	FCGX_Free(&req, 1);
	request_ctx_free(&ctx);
	store_close(&st);
	return status;
}
