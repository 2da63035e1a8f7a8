/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool.h - the master process: a prefork pool of workers (worker.h) and
 * a renewer (renew.h).
 *
 * The master never serves and never opens the store.  Before it forks
 * anything it makes the counters' shared mapping (stats.h) and the
 * renewal pipe (renew.h), which every child inherits.  It forks
 * cfg->workers workers on the shared listening socket and, unless
 * renewal is off, one renewer, and watches them through a signalfd:
 *
 *   a worker dies        it is replaced (logged with pid and exit status
 *                        or signal); workers that die within a second of
 *                        starting are replaced with a growing delay (up to
 *                        5 s) so a crash loop does not spin.  The renewer
 *                        is replaced the same way.
 *   a worker cannot      (WORKER_EXIT_FATAL: store missing, wrong time
 *   start                zone, reader table too small) while another of
 *                        its generation serves: retried with backoff; while
 *                        others still start: no respawn until one of them
 *                        is ready; none left: a reload falls back to the
 *                        previous generation, a first start stops the
 *                        master (exit 1) instead of respawning forever.
 *                        Ready pids are read before any death is judged.
 *   SIGTERM, SIGINT      forwarded; workers finish the request in flight;
 *                        stragglers are killed after 9 s; exit 0
 *   SIGHUP               the configuration is read again (config_load) and
 *                        a new generation of workers and renewer started;
 *                        the old one is told to stop only when every new
 *                        worker reports ready, so no request is refused.
 *                        If the new workers cannot start, the old ones keep
 *                        serving with the old configuration.  (While both
 *                        renewers run, either may take a renewal queued by
 *                        either generation: after a reload to another db,
 *                        a few renewals may go to the new store, where they
 *                        extend only a session valid there.)
 *
 * Children get PR_SET_PDEATHSIG so a killed master does not leave them.
 */
#ifndef ZSQ_POOL_H
#define ZSQ_POOL_H

#include "conf/config.h"

/* cli: the command line (kept for SIGHUP); cfg: the loaded settings. */
int	pool_run(const struct config *cli, const struct config *cfg,
	    int listen_fd);

#endif
