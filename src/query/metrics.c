/* SPDX-License-Identifier: Apache-2.0 */
/* metrics.c - the /zsquery/metrics page; see metrics.h. */
#define _GNU_SOURCE		/* sigabbrev_np */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/errors.h"
#include "query/metrics.h"
#include "store/feed.h"

/*
 * Series shown even at zero, so that rate() and increase() see the first
 * event (a series that appears with its first count shows no increase):
 * the statuses the pool answers with, and the signals that end a worker
 * that crashed or was killed (the OOM killer's SIGKILL).
 */
static const int shown_status[] = { 200, 304, 400, 404, 405, 413, 503 };
static const int shown_signals[] = {
	SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGKILL, SIGSEGV
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int
listed(const int *a, size_t n, int v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] == v)
			return 1;
	return 0;
}

/* The page being written; the first failure sticks. */
struct page {
	struct buf	*b;
	int		 rc;
};

static void put(struct page *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(struct page *p, const char *fmt, ...)
{
	va_list ap;

	if (p->rc != ZSQ_OK)
		return;
	va_start(ap, fmt);
	p->rc = buf_vprintf(p->b, fmt, ap);
	va_end(ap);
}

static void
family(struct page *p, const char *name, const char *type, const char *help)
{
	put(p, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* ns as a decimal number of seconds, exact, no trailing zeros. */
static const char *
seconds(char *out, size_t n, uint64_t ns)
{
	size_t len;

	snprintf(out, n, "%" PRIu64 ".%09" PRIu64, ns / 1000000000,
	    ns % 1000000000);
	len = strlen(out);
	while (out[len - 1] == '0')
		out[--len] = '\0';
	if (out[len - 1] == '.')
		out[len - 1] = '\0';
	return out;
}

static const char *
ms_seconds(char *out, size_t n, int64_t ms)
{
	return seconds(out, n, ms > 0 ? (uint64_t)ms * 1000000 : 0);
}

static void
counter(struct page *p, const char *name, const char *help, uint64_t v)
{
	family(p, name, "counter", help);
	put(p, "%s %" PRIu64 "\n", name, v);
}

static void
gauge(struct page *p, const char *name, const char *help, const char *v)
{
	family(p, name, "gauge", help);
	put(p, "%s %s\n", name, v);
}

static void
requests(struct page *p, const struct stats *s)
{
	enum stats_route r;
	enum stats_error e;
	uint64_t v;
	int status;

	family(p, "zsquery_requests_total", "counter", "Requests answered, "
	    "by route (list, get, metrics, other: a 404 path) and HTTP "
	    "status.");
	for (r = 0; r < STATS_NROUTES; r++)
		for (status = STATS_STATUS_MIN; status <= STATS_STATUS_MAX;
		    status++) {
			v = stats_requests(s, r, status);
			if (v == 0 && !listed(shown_status,
			    NELEM(shown_status), status))
				continue;
			put(p, "zsquery_requests_total{route=\"%s\","
			    "code=\"%d\"} %" PRIu64 "\n", stats_route_name(r),
			    status, v);
		}
	family(p, "zsquery_request_errors_total", "counter", "JSON error "
	    "replies (status 503), by route, API error code and cause: "
	    "ID.1001 (session), SYS.1007 (argument) and SYS.1000 for an "
	    "unknown field, sort or filter are the client's; SYS.1000 "
	    "(store, memory) and SYS.1001 (time limit) the server's.");
	for (r = 0; r < STATS_NROUTES; r++) {
		if (r == STATS_ROUTE_OTHER)
			continue;	/* a 404 path has no JSON error */
		for (e = STATS_ERROR_NONE + 1; e < STATS_NERRORS; e++)
			put(p, "zsquery_request_errors_total{route=\"%s\","
			    "error=\"%s\",cause=\"%s\"} %" PRIu64 "\n",
			    stats_route_name(r), stats_error_name(e),
			    stats_error_cause(e), stats_errors(s, r, e));
	}
}

/* One route's series of a histogram; ns: the values are nanoseconds. */
static void
histogram(struct page *p, const char *name, enum stats_route r,
    const struct stats_hist *h, int ns)
{
	char le[32], sum[32];
	uint64_t cum = 0;
	unsigned i;

	for (i = 0; i <= h->n; i++) {
		cum += h->bucket[i];
		if (i == h->n)
			snprintf(le, sizeof(le), "+Inf");
		else if (ns)
			seconds(le, sizeof(le), h->le[i]);
		else
			snprintf(le, sizeof(le), "%" PRIu64, h->le[i]);
		put(p, "%s_bucket{route=\"%s\",le=\"%s\"} %" PRIu64 "\n", name,
		    stats_route_name(r), le, cum);
	}
	if (ns)
		seconds(sum, sizeof(sum), h->sum);
	else
		snprintf(sum, sizeof(sum), "%" PRIu64, h->sum);
	put(p, "%s_sum{route=\"%s\"} %s\n", name, stats_route_name(r), sum);
	/* The count is the buckets' total, so the two always agree. */
	put(p, "%s_count{route=\"%s\"} %" PRIu64 "\n", name,
	    stats_route_name(r), cum);
}

static void
histograms(struct page *p, const struct stats *s)
{
	struct stats_hist h;
	enum stats_route r;

	family(p, "zsquery_request_duration_seconds", "histogram", "Time "
	    "from a request's parameters read to its reply handed to nginx, "
	    "by route.");
	for (r = 0; r < STATS_NROUTES; r++) {
		stats_duration(s, r, &h);
		histogram(p, "zsquery_request_duration_seconds", r, &h, 1);
	}
	family(p, "zsquery_reply_body_bytes", "histogram", "Reply body sizes "
	    "(the head excluded; 0 for a 304), by route.");
	for (r = 0; r < STATS_NROUTES; r++) {
		stats_body(s, r, &h);
		histogram(p, "zsquery_reply_body_bytes", r, &h, 0);
	}
}

static void
pool_counters(struct page *p, const struct stats *s)
{
	const char *name;
	uint64_t v;
	int sig;

	counter(p, "zsquery_request_timeouts_total", "Requests stopped by "
	    "max-request-time (answered 503 SYS.1001).",
	    stats_get(s, STATS_REQUEST_TIMEOUTS));
	counter(p, "zsquery_requests_canceled_total", "Requests stopped "
	    "because the client went away (no reply; not in "
	    "zsquery_requests_total).", stats_get(s, STATS_REQUEST_CANCELED));
	counter(p, "zsquery_session_renewals_sent_total", "Session renewals "
	    "the workers handed to the renewer.",
	    stats_get(s, STATS_RENEW_SENT));
	counter(p, "zsquery_session_renewals_done_total", "Session renewals "
	    "written to the store.", stats_get(s, STATS_RENEW_DONE));
	counter(p, "zsquery_session_renewals_deferred_total", "Session "
	    "renewals that waited for the store's write lock.",
	    stats_get(s, STATS_RENEW_DEFERRED));
	counter(p, "zsquery_session_renewals_dropped_total", "Session "
	    "renewals lost (queue full, no renewer, a failed write); a later "
	    "request renews the session.", stats_get(s, STATS_RENEW_DROPPED));
	counter(p, "zsquery_worker_starts_total", "Worker processes started.",
	    stats_get(s, STATS_WORKER_STARTS));
	family(p, "zsquery_worker_signal_deaths_total", "counter", "Workers "
	    "that died by a signal, by signal.");
	for (sig = 0; sig < STATS_NSIGNALS; sig++) {
		v = stats_signal_deaths(s, sig);
		if (v == 0 && !listed(shown_signals, NELEM(shown_signals), sig))
			continue;
		if (sig == 0)
			put(p, "zsquery_worker_signal_deaths_total"
			    "{signal=\"other\"} %" PRIu64 "\n", v);
		else if ((name = sigabbrev_np(sig)) != NULL)
			put(p, "zsquery_worker_signal_deaths_total"
			    "{signal=\"SIG%s\"} %" PRIu64 "\n", name, v);
		else
			put(p, "zsquery_worker_signal_deaths_total"
			    "{signal=\"%d\"} %" PRIu64 "\n", sig, v);
	}
}

/* Entries of one database of the store, as a gauge. */
static int
entries(struct page *p, MDB_txn *txn, MDB_dbi dbi, const char *name,
    const char *help)
{
	MDB_stat ms;
	int rc;

	if ((rc = mdb_stat(txn, dbi, &ms)) != MDB_SUCCESS)
		return store_err(rc);
	family(p, name, "gauge", help);
	put(p, "%s %zu\n", name, ms.ms_entries);
	return ZSQ_OK;
}

static int
store_gauges(struct page *p, const struct store *st, MDB_txn *txn)
{
	MDB_envinfo info;
	MDB_stat es;
	struct stat sb;
	char path[sizeof(st->dir) + 16], v[32];
	int rc;

	if ((rc = entries(p, txn, st->groups, "zsquery_store_groups",
	    "Groups in the store.")) != ZSQ_OK ||
	    (rc = entries(p, txn, st->sessions, "zsquery_store_sessions",
	    "Sessions in the store, expired ones included.")) != ZSQ_OK ||
	    (rc = entries(p, txn, st->accounts, "zsquery_store_accounts",
	    "Accounts in the store.")) != ZSQ_OK)
		return rc;
	if ((rc = mdb_env_info(st->env, &info)) != MDB_SUCCESS ||
	    (rc = mdb_env_stat(st->env, &es)) != MDB_SUCCESS)
		return store_err(rc);
	family(p, "zsquery_store_map_size_bytes", "gauge", "The store's map "
	    "size: the most data.mdb may hold (zsquery-admin --map-size).");
	put(p, "zsquery_store_map_size_bytes %zu\n", info.me_mapsize);
	/* Pages up to the highest in use: freed pages inside are reused. */
	family(p, "zsquery_store_map_used_bytes", "gauge", "Bytes of the map "
	    "in use, up to its highest page in use.");
	put(p, "zsquery_store_map_used_bytes %zu\n",
	    ((size_t)info.me_last_pgno + 1) * es.ms_psize);
	snprintf(path, sizeof(path), "%s/data.mdb", st->dir);
	if (stat(path, &sb) != 0)
		return errno;
	gauge(p, "zsquery_store_last_write_timestamp_seconds", "When the "
	    "store was last written (data.mdb's modification time), seconds "
	    "since the epoch.", seconds(v, sizeof(v),
	    (uint64_t)sb.st_mtim.tv_sec * 1000000000 +
	    (uint64_t)sb.st_mtim.tv_nsec));
	return ZSQ_OK;
}

/* One feed's value of a feed gauge, as the sample writes it. */
typedef const char *(*feed_value_fn)(char *v, size_t n,
    const struct feed_status *fs, int64_t now_ms);

static const char *
feed_ok_end(char *v, size_t n, const struct feed_status *fs, int64_t now_ms)
{
	(void)now_ms;
	return ms_seconds(v, n, fs->ok_end_ms);
}

static const char *
feed_age(char *v, size_t n, const struct feed_status *fs, int64_t now_ms)
{
	int64_t age = feed_age_ms(fs, now_ms);

	return age < 0 ? "+Inf" : ms_seconds(v, n, age);
}

static const char *
feed_fail_at(char *v, size_t n, const struct feed_status *fs, int64_t now_ms)
{
	(void)now_ms;
	return ms_seconds(v, n, fs->fail_ms);
}

static const char *
feed_fails(char *v, size_t n, const struct feed_status *fs, int64_t now_ms)
{
	(void)now_ms;
	snprintf(v, n, "%" PRIu32, fs->fails);
	return v;
}

/* The feed gauges, in the page's order: one sample per feed each. */
static const struct {
	const char	*name;
	const char	*help;
	feed_value_fn	 value;
} feed_metrics[] = {
	{ "zsquery_feed_last_success_timestamp_seconds", "When the feed "
	    "last succeeded (its end), seconds since the epoch; 0: never.",
	    feed_ok_end },
	{ "zsquery_feed_age_seconds", "How old the feed's data is: seconds "
	    "since its last success began; +Inf: never.", feed_age },
	{ "zsquery_feed_last_failure_timestamp_seconds", "When the feed last "
	    "failed, seconds since the epoch; 0: never.", feed_fail_at },
	{ "zsquery_feed_failures", "Failures of the feed since its last "
	    "success.", feed_fails },
};

static int
feed_gauges(struct page *p, const struct store *st, MDB_txn *txn,
    int64_t now_ms)
{
	struct feed_status fs[FEED_NFEEDS];
	int skip[FEED_NFEEDS];
	enum feed_id f;
	size_t m;
	char v[32];
	int rc;

	for (f = 0; f < FEED_NFEEDS; f++) {
		rc = feed_read(st, txn, f, &fs[f]);
		/* Another version's record: the feed's next run fixes it. */
		skip[f] = rc == ZSQ_ESTORE;
		if (rc != ZSQ_OK && rc != ZSQ_ENOTFOUND && rc != ZSQ_ESTORE)
			return rc;
	}
	for (m = 0; m < NELEM(feed_metrics); m++) {
		family(p, feed_metrics[m].name, "gauge", feed_metrics[m].help);
		for (f = 0; f < FEED_NFEEDS; f++)
			if (!skip[f])
				put(p, "%s{feed=\"%s\"} %s\n",
				    feed_metrics[m].name, feed_name(f),
				    feed_metrics[m].value(v, sizeof(v), &fs[f],
				    now_ms));
	}
	return ZSQ_OK;
}

int
metrics_render(struct buf *out, const struct stats *s,
    const struct store *st, MDB_txn *txn, int64_t now_ms)
{
	struct page p = { out, ZSQ_OK };
	char v[32];
	int rc;

	family(&p, "zsquery_build_info", "gauge", "The running version.");
	put(&p, "zsquery_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
	gauge(&p, "zsquery_pool_start_time_seconds", "When the pool's master "
	    "started, seconds since the epoch: the counters count from then.",
	    ms_seconds(v, sizeof(v), stats_created_ms(s)));
	requests(&p, s);
	histograms(&p, s);
	pool_counters(&p, s);
	if ((rc = store_gauges(&p, st, txn)) != ZSQ_OK ||
	    (rc = feed_gauges(&p, st, txn, now_ms)) != ZSQ_OK)
		return rc;
	return p.rc;
}
