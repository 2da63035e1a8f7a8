/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sig.h - the signals of the pool's children: the workers (worker.h) and
 * the renewer (renew.h).  The master (pool.h) reads its own through a
 * signalfd and forwards a stop to every child.
 *
 *   SIGTERM, SIGINT   stop: the handler only sets sig_stopping.  Both
 *                     stay blocked except inside the ppoll() where the
 *                     child waits (for a connection, a request, a
 *                     renewal), which it calls with an empty mask, so a
 *                     stop is never lost between a look at the flag and
 *                     the wait, and never cuts short the work in hand.
 *                     No SA_RESTART: that ppoll() returns EINTR.
 *   SIGHUP            ignored: the master's (a reload); a terminal
 *                     hangup must not end the children.
 *   SIGPIPE           ignored: a vanished peer is an EPIPE, not a dead
 *                     child.  (In a worker libfcgi's handler may take
 *                     its place, see below: it does nothing, the same.)
 *   SIGUSR1           with fcgi (a worker), ignored; else the default.
 *
 * Contract: sig_child_setup() first thing in the child, and before
 * FCGX_Init(): libfcgi installs its own handlers (SIGTERM, SIGUSR1,
 * SIGPIPE) on each of them that has no handler of the program's (at its
 * default; Debian 12's libfcgi 2.4.2 also takes an ignored one), so the
 * stop handler must be in place first or a stop would be libfcgi's
 * (tests/test_sig.c shows both).  SIGUSR1, libfcgi's "finish and exit"
 * for mod_fastcgi, is ignored in a worker for a libfcgi that leaves an
 * ignored signal alone.  The setup also sets the signal mask to the stop
 * signals alone: the master's (stop, reload and SIGCHLD blocked for its
 * signalfd), which the child inherits and keeps until here so that an
 * early stop waits instead of killing it half-open, is replaced.
 */
#ifndef ZSQ_SIG_H
#define ZSQ_SIG_H

#include <signal.h>

/* Set once a stop signal has been delivered. */
extern volatile sig_atomic_t sig_stopping;

void	sig_child_setup(int fcgi);

#endif
