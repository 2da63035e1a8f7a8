/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_metrics.c - the pool's counters (stats.h) shared across fork, and
 * the /zsquery/metrics page (metrics.h) rendered from known counts and a
 * real store: every series API.md section 12 names, cumulative histogram
 * buckets with inclusive bounds, zeros shown for the usual statuses and
 * signals, the store's gauges in one read transaction, feeds that never
 * ran (+Inf age), succeeded and failed; every sample declared by a TYPE
 * line.  (tests/integration/metrics.sh checks the page with promtool and
 * Prometheus.)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "query/metrics.h"
#include "query/stats.h"
#include "store/feed.h"
#include "tstore.h"
#include "t.h"

static struct buf page = BUF_INIT;

/* The page holds line (a whole line); else show the family's lines. */
static void
line(const char *want)
{
	char pat[512], *p, *nl;
	size_t n = strcspn(want, "{ ");

	snprintf(pat, sizeof(pat), "\n%s\n", want);
	if (page.data != NULL && strstr(page.data, pat) != NULL) {
		CHECK(1);
		return;
	}
	fprintf(stderr, "no line '%s'; the page has:\n", want);
	for (p = page.data; p != NULL && (nl = strchr(p, '\n')) != NULL;
	    p = nl + 1)
		if (strncmp(p, want, n) == 0)
			fprintf(stderr, "  %.*s\n", (int)(nl - p), p);
	CHECK(0);
}

/*
 * The page's lines that start with prefix (HELP and TYPE lines included
 * when prefix starts with '#'), in order, each ended by a newline.
 */
static const char *
lines_of(const char *prefix)
{
	static char out[4096];
	const char *s, *nl;
	size_t n = 0, plen = strlen(prefix);

	out[0] = '\0';
	for (s = page.data; s != NULL && (nl = strchr(s, '\n')) != NULL;
	    s = nl + 1)
		if (strncmp(s, prefix, plen) == 0 &&
		    n + (size_t)(nl - s) + 2 < sizeof(out)) {
			memcpy(out + n, s, (size_t)(nl - s) + 1);
			n += (size_t)(nl - s) + 1;
			out[n] = '\0';
		}
	return out;
}

static void
no_line(const char *prefix)
{
	char pat[512];

	snprintf(pat, sizeof(pat), "\n%s", prefix);
	CHECK(page.data != NULL && strstr(page.data, pat) == NULL);
}

/*
 * Every sample's family has HELP and TYPE lines before it, and histogram
 * samples are only _bucket, _sum and _count.
 */
static void
declared(void)
{
	char types[128][100], *s, *nl, name[96], *suffix;
	size_t ntypes = 0, i, n;
	int bad = 0, hist;

	for (s = page.data; s != NULL && *s != '\0'; s = nl + 1) {
		if ((nl = strchr(s, '\n')) == NULL)
			break;
		if (sscanf(s, "# TYPE %95s", name) == 1 && ntypes < 128) {
			hist = strncmp(s + 7 + strlen(name), " histogram\n",
			    11) == 0;
			snprintf(types[ntypes++], sizeof(types[0]), "%s%s",
			    name, hist ? "|h" : "");
			continue;
		}
		if (*s == '#')
			continue;
		n = strcspn(s, "{ ");
		snprintf(name, sizeof(name), "%.*s", (int)n, s);
		for (i = 0; i < ntypes; i++) {
			n = strcspn(types[i], "|");
			if (strncmp(types[i], name, n) != 0)
				continue;
			suffix = name + n;
			if (*suffix == '\0' && types[i][n] == '\0')
				break;
			if (types[i][n] == '|' && (strcmp(suffix, "_bucket") ==
			    0 || strcmp(suffix, "_sum") == 0 ||
			    strcmp(suffix, "_count") == 0))
				break;
		}
		if (i == ntypes) {
			fprintf(stderr, "undeclared sample: %.*s\n",
			    (int)(nl - s), s);
			bad = 1;
		}
	}
	CHECK(!bad && ntypes > 20);
}

static void
request(struct stats *s, enum stats_route r, int status, enum stats_error e,
    uint64_t body, uint64_t ns)
{
	struct stats_request q = { r, status, e, body, ns };

	stats_request(s, &q);
}

/* Counts made in a child show in the parent: the mapping is shared. */
static void
test_shared(struct stats *s)
{
	pid_t pid;
	int status;

	if ((pid = fork()) == 0) {
		request(s, STATS_ROUTE_GET, 200, STATS_ERROR_NONE, 5000,
		    300000);
		stats_add(s, STATS_WORKER_STARTS, 3);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
	CHECK(stats_requests(s, STATS_ROUTE_GET, 200) == 1);
	CHECK(stats_get(s, STATS_WORKER_STARTS) == 3);
	/* No mapping (the tests' request contexts): nothing counted. */
	request(NULL, STATS_ROUTE_GET, 200, STATS_ERROR_NONE, 1, 1);
	CHECK(stats_requests(NULL, STATS_ROUTE_GET, 200) == 0);
}

static void
test_page(struct stats *s)
{
	struct store st;
	struct buf text = BUF_INIT;
	struct stat sb;
	MDB_txn *txn;
	FILE *f;
	char path[4096], want[256], chunk[4096];
	size_t n;
	const char *srcdir = getenv("top_srcdir");
	uint64_t c[FEED_COUNTS] = { 7 };
	MDB_val fk = { 13, "feed:sessions" }, fv = { 3, "old" };

	/* Requests of known latency and size. */
	request(s, STATS_ROUTE_LIST, 200, STATS_ERROR_NONE, 1000, 100000);
	request(s, STATS_ROUTE_LIST, 200, STATS_ERROR_NONE, 64, 30000);
	request(s, STATS_ROUTE_LIST, 304, STATS_ERROR_NONE, 0, 20000);
	request(s, STATS_ROUTE_GET, 503, STATS_ERROR_SESSION, 150, 40000000);
	request(s, STATS_ROUTE_OTHER, 404, STATS_ERROR_NONE, 30, 12000000000);
	request(s, STATS_ROUTE_LIST, 418, STATS_ERROR_NONE, 10, 1);
	request(s, STATS_ROUTE_LIST, 99, STATS_ERROR_NONE, 10, 1);
	stats_signal_death(s, SIGKILL);
	stats_signal_death(s, SIGKILL);
	stats_signal_death(s, SIGUSR1);
	stats_signal_death(s, 70);
	stats_add(s, STATS_RENEW_DONE, 5);
	stats_add(s, STATS_RENEW_DEFERRED, 2);
	stats_add(s, STATS_REQUEST_TIMEOUTS, 1);

	tstore_open(&st);
	snprintf(path, sizeof(path), "%s/tests/data/sample.json",
	    srcdir ? srcdir : ".");
	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		exit(99);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		CHECK(buf_append(&text, chunk, n) == ZSQ_OK);
	fclose(f);
	CHECK(tstore_import(&st, text.data, NULL) == ZSQ_OK);
	buf_free(&text);
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == 0);
	CHECK(feed_success(&st, txn, FEED_GROUPS, 1700000000000,
	    1700000000500, c, 1) == ZSQ_OK);
	CHECK(account_put(&st, txn, "8d9e0f1a2b3c4d5e6f708192a3b4c5d0",
	    "user") == ZSQ_OK);
	CHECK(mdb_txn_commit(txn) == 0);
	CHECK(feed_failure(&st, FEED_SESSIONS, 1700000030250, "boom") ==
	    ZSQ_OK);

	CHECK(mdb_txn_begin(st.env, NULL, MDB_RDONLY, &txn) == 0);
	CHECK(metrics_render(&page, s, &st, txn, 1700000060000) == ZSQ_OK);
	mdb_txn_abort(txn);

	CHECK(strncmp(page.data, "# HELP zsquery_build_info ", 26) == 0);
	CHECK(page.len > 0 && page.data[page.len - 1] == '\n');
	declared();
	line("# TYPE zsquery_requests_total counter");
	line("zsquery_build_info{version=\"" PACKAGE_VERSION "\"} 1");
	line("zsquery_requests_total{route=\"list\",code=\"200\"} 2");
	line("zsquery_requests_total{route=\"list\",code=\"304\"} 1");
	line("zsquery_requests_total{route=\"get\",code=\"200\"} 1");
	line("zsquery_requests_total{route=\"get\",code=\"503\"} 1");
	line("zsquery_requests_total{route=\"other\",code=\"404\"} 1");
	/* Shown at zero: the usual statuses, for every route. */
	line("zsquery_requests_total{route=\"metrics\",code=\"413\"} 0");
	line("zsquery_requests_total{route=\"other\",code=\"200\"} 0");
	/* Others only once counted; out of range counts as 599. */
	line("zsquery_requests_total{route=\"list\",code=\"418\"} 1");
	line("zsquery_requests_total{route=\"list\",code=\"599\"} 1");
	no_line("zsquery_requests_total{route=\"list\",code=\"402\"}");
	no_line("zsquery_requests_total{route=\"list\",code=\"99\"}");
	line("zsquery_request_errors_total{route=\"get\",error=\"ID.1001\","
	    "cause=\"client\"} 1");
	line("zsquery_request_errors_total{route=\"list\",error=\"SYS.1000\","
	    "cause=\"server\"} 0");
	line("zsquery_request_errors_total{route=\"list\",error=\"SYS.1000\","
	    "cause=\"client\"} 0");
	no_line("zsquery_request_errors_total{route=\"other\"");

	/* Buckets are cumulative and their bounds inclusive. */
	line("# TYPE zsquery_request_duration_seconds histogram");
	line("zsquery_request_duration_seconds_bucket{route=\"list\","
	    "le=\"0.000025\"} 3");
	line("zsquery_request_duration_seconds_bucket{route=\"list\","
	    "le=\"0.00005\"} 4");
	line("zsquery_request_duration_seconds_bucket{route=\"list\","
	    "le=\"0.0001\"} 5");
	line("zsquery_request_duration_seconds_bucket{route=\"list\","
	    "le=\"+Inf\"} 5");
	line("zsquery_request_duration_seconds_sum{route=\"list\"} "
	    "0.000150002");
	line("zsquery_request_duration_seconds_count{route=\"list\"} 5");
	line("zsquery_request_duration_seconds_bucket{route=\"get\","
	    "le=\"0.025\"} 1");
	line("zsquery_request_duration_seconds_bucket{route=\"get\","
	    "le=\"0.05\"} 2");
	line("zsquery_request_duration_seconds_bucket{route=\"get\","
	    "le=\"0.00025\"} 0");
	line("zsquery_request_duration_seconds_bucket{route=\"get\","
	    "le=\"0.0005\"} 1");
	line("zsquery_request_duration_seconds_bucket{route=\"other\","
	    "le=\"10\"} 0");
	line("zsquery_request_duration_seconds_bucket{route=\"other\","
	    "le=\"30\"} 1");
	line("zsquery_request_duration_seconds_sum{route=\"other\"} 12");
	line("zsquery_request_duration_seconds_count{route=\"metrics\"} 0");
	line("# TYPE zsquery_reply_body_bytes histogram");
	line("zsquery_reply_body_bytes_bucket{route=\"list\",le=\"64\"} 4");
	line("zsquery_reply_body_bytes_bucket{route=\"list\",le=\"256\"} 4");
	line("zsquery_reply_body_bytes_bucket{route=\"list\",le=\"1024\"} 5");
	line("zsquery_reply_body_bytes_bucket{route=\"list\",le=\"268435456\"} "
	    "5");
	line("zsquery_reply_body_bytes_sum{route=\"list\"} 1084");
	line("zsquery_reply_body_bytes_count{route=\"list\"} 5");

	line("zsquery_session_renewals_done_total 5");
	line("zsquery_session_renewals_deferred_total 2");
	line("zsquery_session_renewals_dropped_total 0");
	line("zsquery_session_renewals_sent_total 0");
	line("zsquery_request_timeouts_total 1");
	line("zsquery_requests_canceled_total 0");
	line("zsquery_worker_starts_total 3");
	line("zsquery_worker_signal_deaths_total{signal=\"SIGKILL\"} 2");
	line("zsquery_worker_signal_deaths_total{signal=\"SIGUSR1\"} 1");
	line("zsquery_worker_signal_deaths_total{signal=\"SIGSEGV\"} 0");
	line("zsquery_worker_signal_deaths_total{signal=\"other\"} 1");
	no_line("zsquery_worker_signal_deaths_total{signal=\"SIGUSR2\"}");
	CHECK(stats_get(s, STATS_WORKER_SIGNALED) == 4);

	line("zsquery_store_groups 7");
	line("zsquery_store_sessions 0");
	/* The admin account every store has, and the one added. */
	line("zsquery_store_accounts 2");
	line("zsquery_store_map_size_bytes 67108864");
	CHECK(strstr(page.data, "\nzsquery_store_map_used_bytes ") != NULL);
	snprintf(path, sizeof(path), "%s/data.mdb", tstore_dir);
	CHECK(stat(path, &sb) == 0);
	snprintf(want, sizeof(want), "zsquery_store_last_write_timestamp_"
	    "seconds %lld.%09ld", (long long)sb.st_mtim.tv_sec,
	    sb.st_mtim.tv_nsec);
	while (want[strlen(want) - 1] == '0')
		want[strlen(want) - 1] = '\0';
	line(want);
	line("zsquery_feed_last_success_timestamp_seconds{feed=\"groups\"} "
	    "1700000000.5");
	line("zsquery_feed_age_seconds{feed=\"groups\"} 60");
	line("zsquery_feed_last_failure_timestamp_seconds{feed=\"groups\"} 0");
	line("zsquery_feed_failures{feed=\"groups\"} 0");
	line("zsquery_feed_last_success_timestamp_seconds{feed=\"sessions\"} "
	    "0");
	line("zsquery_feed_age_seconds{feed=\"sessions\"} +Inf");
	line("zsquery_feed_last_failure_timestamp_seconds{feed=\"sessions\"} "
	    "1700000030.25");
	line("zsquery_feed_failures{feed=\"sessions\"} 1");
	/* Each family whole, in turn: its feeds in feed order. */
	CHECK_STR(lines_of("zsquery_feed_"),
	    "zsquery_feed_last_success_timestamp_seconds{feed=\"groups\"} "
	    "1700000000.5\n"
	    "zsquery_feed_last_success_timestamp_seconds{feed=\"sessions\"} "
	    "0\n"
	    "zsquery_feed_age_seconds{feed=\"groups\"} 60\n"
	    "zsquery_feed_age_seconds{feed=\"sessions\"} +Inf\n"
	    "zsquery_feed_last_failure_timestamp_seconds{feed=\"groups\"} "
	    "0\n"
	    "zsquery_feed_last_failure_timestamp_seconds{feed=\"sessions\"} "
	    "1700000030.25\n"
	    "zsquery_feed_failures{feed=\"groups\"} 0\n"
	    "zsquery_feed_failures{feed=\"sessions\"} 1\n");
	CHECK_STR(lines_of("# TYPE zsquery_feed_"),
	    "# TYPE zsquery_feed_last_success_timestamp_seconds gauge\n"
	    "# TYPE zsquery_feed_age_seconds gauge\n"
	    "# TYPE zsquery_feed_last_failure_timestamp_seconds gauge\n"
	    "# TYPE zsquery_feed_failures gauge\n");

	/* Without a pool (no mapping): zeros; the store's gauges as ever. */
	buf_reset(&page);
	CHECK(mdb_txn_begin(st.env, NULL, MDB_RDONLY, &txn) == 0);
	CHECK(metrics_render(&page, NULL, &st, txn, 1700000060000) == ZSQ_OK);
	mdb_txn_abort(txn);
	line("zsquery_requests_total{route=\"list\",code=\"200\"} 0");
	line("zsquery_pool_start_time_seconds 0");
	line("zsquery_store_groups 7");
	declared();

	/*
	 * A feed record this version does not read (another version's):
	 * that feed's samples are left out, the families and the other
	 * feed's samples stay.
	 */
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == 0);
	CHECK(mdb_put(txn, st.meta, &fk, &fv, 0) == 0);
	CHECK(mdb_txn_commit(txn) == 0);
	buf_reset(&page);
	CHECK(mdb_txn_begin(st.env, NULL, MDB_RDONLY, &txn) == 0);
	CHECK(metrics_render(&page, s, &st, txn, 1700000060000) == ZSQ_OK);
	mdb_txn_abort(txn);
	CHECK_STR(lines_of("zsquery_feed_"),
	    "zsquery_feed_last_success_timestamp_seconds{feed=\"groups\"} "
	    "1700000000.5\n"
	    "zsquery_feed_age_seconds{feed=\"groups\"} 60\n"
	    "zsquery_feed_last_failure_timestamp_seconds{feed=\"groups\"} "
	    "0\n"
	    "zsquery_feed_failures{feed=\"groups\"} 0\n");
	CHECK(strstr(lines_of("# HELP zsquery_feed_"), "\n# HELP "
	    "zsquery_feed_failures Failures of the feed since its last "
	    "success.\n") != NULL);
	declared();
	tstore_close(&st);
}

int
main(void)
{
	struct stats *s = stats_create();

	CHECK(s != NULL);
	if (s == NULL)
		return t_done();
	CHECK(stats_created_ms(s) > 1700000000000);
	test_shared(s);
	test_page(s);
	buf_free(&page);
	stats_destroy(s);
	return t_done();
}
