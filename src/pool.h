/*
 * pool.h - the master process: a prefork pool of workers (worker.h).
 *
 * The master never serves; it forks cfg->workers workers on the shared
 * listening socket and watches them through a signalfd:
 *
 *   a worker dies        it is replaced (logged with pid and exit status
 *                        or signal); workers that die within a second of
 *                        starting are replaced with a growing delay (up to
 *                        5 s) so a crash loop does not spin
 *   a worker cannot      (WORKER_EXIT_FATAL: store missing, wrong time
 *   start                zone) and no worker is serving: the master stops
 *                        and exits 1 instead of respawning forever
 *   SIGTERM, SIGINT      forwarded; workers finish the request in flight;
 *                        stragglers are killed after 9 s; exit 0
 *   SIGHUP               the configuration is read again (config_load) and
 *                        a new generation of workers started; the old one
 *                        is told to stop only when every new worker reports
 *                        ready, so no request is refused.  If the new
 *                        workers cannot start, the old ones keep serving
 *                        with the old configuration.
 *
 * Workers get PR_SET_PDEATHSIG so a killed master does not leave them.
 */
#ifndef ZSQ_POOL_H
#define ZSQ_POOL_H

#include "config.h"

/* cli: the command line (kept for SIGHUP); cfg: the loaded settings. */
int	pool_run(const struct config *cli, const struct config *cfg,
	    int listen_fd);

#endif
