/*
 * stats.h - the pool's counters, shared by the master, its workers and
 * the renewer through one anonymous MAP_SHARED mapping.
 *
 * Contract (what a reader such as a metrics page may rely on):
 *   - stats_create() is called once, by the master, before it forks
 *     anything; every child inherits the same pages, so a count made in
 *     any process is seen by all.  The mapping lives as long as the
 *     master: workers and renewers come and go (crash, SIGHUP) without
 *     resetting a counter.  A new master starts from zero.
 *   - Every counter is a monotonic uint64_t (a Prometheus counter):
 *     only ever increased, with relaxed atomic adds; stats_get() is a
 *     relaxed atomic load.  Counters are independent: no two are read
 *     or written together, so a reader may see one event counted in one
 *     and not yet in a related one.
 *   - stats_add() on a NULL struct stats does nothing, so code shared
 *     with the tests (which have no pool) may count unconditionally.
 *   - The numbering of enum stats_counter is internal; a reader names a
 *     counter by stats_name(), which is stable.
 */
#ifndef ZSQ_STATS_H
#define ZSQ_STATS_H

#include <stdint.h>

enum stats_counter {
	STATS_RENEW_SENT,	/* renewals a worker handed to the renewer */
	STATS_RENEW_DONE,	/* renewals written to the store (one the
				   store shows unneeded, for a session gone
				   or expired, is neither done nor dropped) */
	STATS_RENEW_DEFERRED,	/* renewals that waited for the write lock:
				   those of a batch whose transaction could
				   not start at once (another writer held
				   the lock) and those that came meanwhile */
	STATS_RENEW_DROPPED,	/* renewals lost: queue or table full, no
				   renewer, or a failed write */
	STATS_WORKER_STARTS,	/* worker processes forked */
	STATS_WORKER_SIGNALED,	/* workers that died by a signal */
	STATS_REQUEST_TIMEOUTS,	/* requests stopped by max-request-time */
	STATS_REQUEST_CANCELED,	/* requests stopped: the client went away */
	STATS_NCOUNTERS
};

struct stats {
	uint64_t	c[STATS_NCOUNTERS];
};

/* The master's mapping, zeroed; NULL (errno set) when mmap fails. */
struct stats *stats_create(void);
void	stats_destroy(struct stats *s);

void	stats_add(struct stats *s, enum stats_counter c, uint64_t n);
uint64_t stats_get(const struct stats *s, enum stats_counter c);
/* A stable snake_case name, e.g. "renewals_done". */
const char *stats_name(enum stats_counter c);

#endif
