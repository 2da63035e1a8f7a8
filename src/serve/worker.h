/* SPDX-License-Identifier: Apache-2.0 */
/*
 * worker.h - one FastCGI worker process of the pool.
 *
 * A worker opens the store itself, read-only (LMDB environments must not
 * cross a fork), refuses to serve a store rendered in another time zone
 * or one whose reader table cannot hold the pool, then serves one
 * connection at a time (libfcgi's model).  It never writes to the store:
 * session renewals go to the renewer (renew.h), so nothing a worker does
 * waits for LMDB's write lock.
 *
 * A worker idle on a kept connection (nginx's fastcgi_keep_conn) also
 * watches the listening socket and gives the kept connection up for a new
 * one that no free worker takes (worker_idle() in worker.c), so idle kept
 * connections can never occupy the whole pool, whatever nginx's number of
 * worker processes times its keepalive.
 *
 * Each request is bounded: its body is read whole before anything is
 * answered, up to 1 MiB (more is refused with 413 and the connection
 * closed); its query stops at cfg->max_request_time (503 SYS.1001) and
 * when nginx closes the connection because the client went away.
 *
 * Each answered request is counted in the pool's counters (stats.h):
 * route, status, error code, body size, and its latency from its
 * parameters read to its reply flushed (CLOCK_MONOTONIC, read through the
 * vDSO).  The counting is a few relaxed atomic adds; GET /zsquery/metrics
 * shows the counts (metrics.h).
 *
 * The worker accepts connections itself and hands each to libfcgi
 * (FCGX_Request.ipcFd), because:
 *   - accepted unix sockets do not inherit SO_RCVTIMEO/SO_SNDTIMEO from
 *     the listener, and libfcgi reads the request inside FCGX_Accept_r()
 *     before the caller could set them: a client that stalls would hang
 *     the worker for good.  Every connection gets cfg->client_timeout
 *     before its first byte is read, and a kept connection idle that long
 *     is closed.
 *   - the stop signals (SIGTERM, SIGINT) stay blocked except inside
 *     ppoll() while waiting for a connection or for the next request on a
 *     kept one, so a stop can neither be lost between a check and a
 *     blocking call nor interrupt a request in flight: the worker finishes
 *     it and exits 0.
 * libfcgi itself gets no listening socket, so its own accept (reached
 * when a kept connection ends) fails at once instead of blocking.
 * SIGPIPE is ignored: a vanished client is an EPIPE, not a dead worker.
 */
#ifndef ZSQ_WORKER_H
#define ZSQ_WORKER_H

#include "conf/config.h"
#include "query/stats.h"

/* Exit status of a worker that cannot start (store, time zone). */
#define WORKER_EXIT_FATAL	78	/* EX_CONFIG */

/*
 * Serve on listen_fd until told to stop.  ready_fd (-1: none) gets the
 * worker's pid (a pid_t, one atomic pipe write) once it can serve.
 * renew_fd: the renewer's pipe (-1: sessions are not renewed); stats:
 * the pool's counters (may be NULL).  Returns the process exit status.
 */
int	worker_run(const struct config *cfg, int listen_fd, int ready_fd,
	    int renew_fd, struct stats *stats);

#endif
