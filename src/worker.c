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
#include <unistd.h>

#include <fcgiapp.h>

#include "errors.h"
#include "log.h"
#include "request.h"
#include "store.h"
#include "tz.h"
#include "worker.h"

/* The longest request body read (and dropped) to keep a connection. */
#define WORKER_BODY_MAX		((size_t)1 << 20)
/* Queued connections a stopping worker still answers. */
#define WORKER_DRAIN_MAX	64

static volatile sig_atomic_t worker_stopping;

static void
worker_on_stop(int sig)
{
	(void)sig;
	worker_stopping = 1;
}

/*
 * Before FCGX_Init(): libfcgi installs its own handlers (SIGTERM, SIGUSR1,
 * SIGPIPE) only where the disposition is still the default.  No
 * SA_RESTART: ppoll() must return EINTR on a stop.
 */
static void
worker_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = worker_on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	/* The master reloads; a terminal hangup must not kill workers. */
	sigaction(SIGHUP, &sa, NULL);
}

static int
fcgx_write(void *ctx, const void *p, size_t n)
{
	const char *s = p;
	int chunk;

	while (n > 0) {
		chunk = n > INT_MAX ? INT_MAX : (int)n;
		if (FCGX_PutStr(s, chunk, ctx) != chunk)
			return ZSQ_EIO;
		s += chunk;
		n -= (size_t)chunk;
	}
	return ZSQ_OK;
}

/*
 * Read a request body (meaningless to GET) to its end: left unread, its
 * STDIN records would be taken for the start of the next request on a
 * kept connection and that request lost.  A body past the bound is not
 * worth the time: the connection is closed after this reply instead.
 */
static void
worker_discard_body(FCGX_Request *req)
{
	char chunk[4096];
	size_t total = 0;
	int n;

	while ((n = FCGX_GetStr(chunk, sizeof(chunk), req->in)) > 0)
		if ((total += (size_t)n) > WORKER_BODY_MAX) {
			req->keepConnection = 0;
			return;
		}
}

static void
worker_serve(struct request_ctx *ctx, FCGX_Request *req)
{
	struct request_in in;
	struct out out = { fcgx_write, req->out };

	in.method = FCGX_GetParam("REQUEST_METHOD", req->envp);
	in.uri = FCGX_GetParam("REQUEST_URI", req->envp);
	in.auth = FCGX_GetParam("HTTP_AUTHORIZATION", req->envp);
	in.if_none_match = FCGX_GetParam("HTTP_IF_NONE_MATCH", req->envp);
	if (request_handle(ctx, &in, &out) != ZSQ_OK)
		log_msg(LOG_INFO, "client went away before the reply was sent");
	worker_discard_body(req);
}

/*
 * Read the request arriving on req's connection (SO_RCVTIMEO bounds the
 * wait), answer it and run its session renewal.  When the connection
 * ends or fails instead, libfcgi closes it (ipcFd < 0 afterwards).
 */
static void
worker_answer(struct request_ctx *ctx, FCGX_Request *req)
{
	if (FCGX_Accept_r(req) < 0)
		return;
	worker_serve(ctx, req);
	FCGX_Finish_r(req);
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
 * Wait for and accept one connection with the stop signals unblocked only
 * inside ppoll(), so a stop can never slip in between a check and a
 * blocking call.  The listening socket is non-blocking: another worker
 * may win the connection ppoll() announced.  Returns the connection, -1
 * to look again, or -2 on a fatal error.
 */
static int
worker_accept(int listen_fd, const sigset_t *waitmask, int timeout_s)
{
	struct pollfd pfd = { listen_fd, POLLIN, 0 };
	struct timeval tv = { timeout_s, 0 };
	int fd;

	if (ppoll(&pfd, 1, NULL, waitmask) < 0)
		return errno == EINTR ? -1 : -2;
	if ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
		if (accept_transient(errno))
			return -1;
		log_msg(LOG_ERR, "accept: %s", strerror(errno));
		return -2;
	}
	/*
	 * Bound every read and write: a silent or stalled client costs this
	 * worker at most timeout_s per call, never the worker itself.
	 * (Accepted unix sockets do not inherit these from the listener.)
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
		log_msg(LOG_ERR, "socket timeouts: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
worker_open(struct store *st, const struct config *cfg)
{
	char here[STORE_TZ_MAX];
	int rc;

	if ((rc = store_open(st, cfg->db, 0, 0)) != ZSQ_OK) {
		log_msg(LOG_ERR, "cannot open store %s: %s", cfg->db,
		    zsq_strerror(rc));
		return rc;
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

/*
 * On the way out: answer connections the kernel already queued (their
 * clients have sent a request and would otherwise see it dropped when
 * the socket closes), one request each.  The master unlinks a socket it
 * made before it tells workers to stop, so the queue only shrinks; the
 * bound keeps a socket that others still feed (systemd's) from holding
 * the worker until it is killed.
 */
static void
worker_drain(struct request_ctx *ctx, FCGX_Request *req, int listen_fd,
    int timeout_s)
{
	struct timeval tv = { timeout_s, 0 };
	int fd, n;

	for (n = 0; n < WORKER_DRAIN_MAX; n++) {
		if ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) < 0)
			break;
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		req->ipcFd = fd;
		req->keepConnection = 1;
		worker_answer(ctx, req);
		FCGX_Free(req, 1);
	}
}

/*
 * Wait for the next request on a kept-alive connection: 1 when it may be
 * read, 0 when it idled for timeout_s (close it: it pins this worker), -1
 * when a signal came (look at the stop flag again).
 */
static int
worker_idle(int fd, const sigset_t *waitmask, int timeout_s)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	struct timespec ts = { timeout_s, 0 };
	int rc;

	if ((rc = ppoll(&pfd, 1, &ts, waitmask)) < 0)
		return errno == EINTR ? -1 : 0;
	return rc > 0;
}

int
worker_run(const struct config *cfg, int listen_fd, int ready_fd)
{
	struct request_ctx ctx;
	struct store st;
	FCGX_Request req;
	sigset_t stopset, waitmask;
	pid_t pid = getpid();
	int fd, rc, status = 0;

	/* From here on only ppoll() lets a stop in (see worker.h). */
	worker_signals();
	sigemptyset(&stopset);
	sigaddset(&stopset, SIGTERM);
	sigaddset(&stopset, SIGINT);
	sigemptyset(&waitmask);
	sigprocmask(SIG_SETMASK, &stopset, NULL);
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
	request_ctx_init(&ctx, &st, cfg->session_timeout, cfg->renew);
	if (ready_fd >= 0) {
		(void)!write(ready_fd, &pid, sizeof(pid));
		close(ready_fd);
	}

	while (!worker_stopping) {
		if (req.ipcFd < 0) {
			fd = worker_accept(listen_fd, &waitmask,
			    cfg->client_timeout);
			if (fd == -2) {
				status = 1;
				break;
			}
			if (fd < 0)
				continue;
			req.ipcFd = fd;
			/* Else FCGX_Accept_r's opening Finish closes it. */
			req.keepConnection = 1;
		} else if ((rc = worker_idle(req.ipcFd, &waitmask,
		    cfg->client_timeout)) <= 0) {
			if (rc == 0)
				FCGX_Free(&req, 1);
			continue;
		}
		worker_answer(&ctx, &req);
	}
	if (status == 0) {
		/* A request already sent on a kept connection is answered. */
		if (req.ipcFd >= 0 && worker_idle(req.ipcFd, &stopset, 0) > 0)
			worker_answer(&ctx, &req);
		FCGX_Free(&req, 1);
		worker_drain(&ctx, &req, listen_fd, cfg->client_timeout);
	}
	FCGX_Free(&req, 1);
	request_ctx_free(&ctx);
	store_close(&st);
	return status;
}
