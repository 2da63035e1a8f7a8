/*
 * worker.h - one FastCGI worker process of the pool.
 *
 * A worker opens the store itself (LMDB environments must not cross a
 * fork), refuses to serve a store rendered in another time zone, then
 * serves one connection at a time (libfcgi's model; with nginx's
 * fastcgi_keep_conn an idle kept connection occupies its worker).
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

#include "config.h"

/* Exit status of a worker that cannot start (store, time zone). */
#define WORKER_EXIT_FATAL	78	/* EX_CONFIG */

/*
 * Serve on listen_fd until told to stop.  ready_fd (-1: none) gets the
 * worker's pid (a pid_t, one atomic pipe write) once it can serve.
 * Returns the process exit status.
 */
int	worker_run(const struct config *cfg, int listen_fd, int ready_fd);

#endif
