/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stats.h - the pool's counters, shared by the master, its workers and
 * the renewer through one anonymous MAP_SHARED mapping; metrics.h renders
 * them.
 *
 * Contract (what a reader such as the metrics page may rely on):
 *   - stats_create() is called once, by the master, before it forks
 *     anything; every child inherits the same pages, so a count made in
 *     any process is seen by all.  The mapping lives as long as the
 *     master: workers and renewers come and go (crash, SIGHUP) without
 *     resetting a counter.  A new master starts from zero.
 *   - Every counter is a monotonic uint64_t (a Prometheus counter):
 *     only ever increased, with relaxed atomic adds; every read is a
 *     relaxed atomic load.  Counters are independent: no two are read
 *     or written together, so a reader may see one event counted in one
 *     and not yet in a related one (a request in its route's count and
 *     not yet in its latency histogram, say).
 *   - Counting a request (stats_request()) is a handful of relaxed atomic
 *     adds: no system call, no lock, no allocation.
 *   - A function given a NULL struct stats does nothing (reads give 0),
 *     so code shared with the tests (which have no pool) may count
 *     unconditionally.
 *   - The numbering of the enums is internal; a reader names a counter
 *     by stats_name(), stats_route_name() and stats_error_name(), which
 *     are stable.
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
	STATS_WORKER_SIGNALED,	/* workers that died by a signal (by signal:
				   stats_signal_deaths()) */
	STATS_REQUEST_TIMEOUTS,	/* requests stopped by max-request-time */
	STATS_REQUEST_CANCELED,	/* requests stopped: the client went away */
	STATS_NCOUNTERS
};

/* What a request asked for (route.h's routes, and everything else). */
enum stats_route {
	STATS_ROUTE_LIST,
	STATS_ROUTE_GET,
	STATS_ROUTE_METRICS,
	STATS_ROUTE_OTHER,	/* a 404 path */
	STATS_NROUTES
};

/*
 * The API error code of a JSON error reply (apierr.h), or none, and whose
 * doing it is: the server's (the store, memory, the time limit) or the
 * client's (its session, an argument, a field or sort that does not
 * exist: ZStack's SYS.1000 for those is STATS_ERROR_QUERY here).
 */
enum stats_error {
	STATS_ERROR_NONE,
	STATS_ERROR_SESSION,	/* ID.1001, client */
	STATS_ERROR_INTERNAL,	/* SYS.1000, server */
	STATS_ERROR_TIMEOUT,	/* SYS.1001, server */
	STATS_ERROR_ARGUMENT,	/* SYS.1007, client */
	STATS_ERROR_QUERY,	/* SYS.1000, client (apierr's client) */
	STATS_NERRORS
};

/* HTTP statuses counted one by one; another is counted as 599. */
#define STATS_STATUS_MIN	100
#define STATS_STATUS_MAX	599
#define STATS_NSTATUS		(STATS_STATUS_MAX - STATS_STATUS_MIN + 1)
/* Signal numbers counted one by one (1 to 64); another counts as 0. */
#define STATS_NSIGNALS		65

/*
 * Histogram buckets: upper bounds, inclusive (Prometheus's "le"), in
 * ascending order; one more bucket past the last holds the rest (+Inf).
 * The latency buckets span a request's usual tenth of a millisecond to
 * past the default max-request-time of 10 s; the body buckets a text
 * error (a few dozen bytes) to lists of thousands of groups.
 */
#define STATS_DURATION_BUCKETS	19
#define STATS_BODY_BUCKETS	12
extern const uint64_t stats_duration_le_ns[STATS_DURATION_BUCKETS];
extern const uint64_t stats_body_le_bytes[STATS_BODY_BUCKETS];

/* A histogram as read: the bounds, the count in each bucket (not
   cumulative; bucket[n] is the +Inf one) and the sum of the values. */
#define STATS_HIST_MAX		STATS_DURATION_BUCKETS	/* the most bounds */
struct stats_hist {
	unsigned	 n;
	const uint64_t	*le;
	uint64_t	 bucket[STATS_HIST_MAX + 1];
	uint64_t	 sum;
};

struct stats {
	uint64_t	c[STATS_NCOUNTERS];
	uint64_t	signal_deaths[STATS_NSIGNALS];
	uint64_t	requests[STATS_NROUTES][STATS_NSTATUS];
	uint64_t	errors[STATS_NROUTES][STATS_NERRORS];
	uint64_t	duration[STATS_NROUTES][STATS_DURATION_BUCKETS + 1];
	uint64_t	duration_ns[STATS_NROUTES];
	uint64_t	body[STATS_NROUTES][STATS_BODY_BUCKETS + 1];
	uint64_t	body_bytes[STATS_NROUTES];
	int64_t		created_ms;	/* wall clock, set once */
};

/* One answered request, as the worker counts it. */
struct stats_request {
	enum stats_route route;
	int		 status;	/* the HTTP status sent */
	enum stats_error error;
	uint64_t	 body_bytes;	/* bytes after the head */
	uint64_t	 duration_ns;
};

/* The master's mapping, zeroed; NULL (errno set) when mmap fails. */
struct stats *stats_create(void);
void	stats_destroy(struct stats *s);

void	stats_add(struct stats *s, enum stats_counter c, uint64_t n);
uint64_t stats_get(const struct stats *s, enum stats_counter c);
/* A stable snake_case name, e.g. "renewals_done". */
const char *stats_name(enum stats_counter c);

/* Count a request: its status by route, its error, latency and size. */
void	stats_request(struct stats *s, const struct stats_request *r);
/* Count a worker's death by signal sig (STATS_WORKER_SIGNALED too). */
void	stats_signal_death(struct stats *s, int sig);

/* Requests of route r answered with status (100..599). */
uint64_t stats_requests(const struct stats *s, enum stats_route r,
	    int status);
uint64_t stats_errors(const struct stats *s, enum stats_route r,
	    enum stats_error e);
/* Worker deaths by signal sig (0: by a signal past 64). */
uint64_t stats_signal_deaths(const struct stats *s, int sig);
/* Route r's latency (ns) and body size (bytes) histograms. */
void	stats_duration(const struct stats *s, enum stats_route r,
	    struct stats_hist *h);
void	stats_body(const struct stats *s, enum stats_route r,
	    struct stats_hist *h);
/* When the mapping was made (ms since the epoch); 0 for NULL. */
int64_t	stats_created_ms(const struct stats *s);

/* "list", "get", "metrics", "other". */
const char *stats_route_name(enum stats_route r);
/* "ID.1001", ...; "" for STATS_ERROR_NONE. */
const char *stats_error_name(enum stats_error e);
/* "client" or "server"; "" for STATS_ERROR_NONE. */
const char *stats_error_cause(enum stats_error e);

#endif
