/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_request.c - request_handle() end to end in process: a real store
 * filled by import_stream() from tests/data/sample.json, real sessions,
 * and the exact bytes of status lines, headers and bodies; the API.md §7
 * precedence of errors; ETag and If-None-Match; session renewal through
 * a real renewer process (renew.h); the query's interrupt hook (503
 * SYS.1001 naming the limit; no reply for a client gone); what each
 * request leaves for the pool's counters (route, status, error code, body
 * size); the metrics page and request_refuse().
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/errors.h"
#include "ingest/import.h"
#include "query/metrics.h"
#include "serve/renew.h"
#include "serve/request.h"
#include "store/acl.h"
#include "store/schema.h"
#include "store/session.h"
#include "store/store.h"
#include "t.h"

#define P	"/zstack/v1/ai/model-services/instances/groups"
#define G	"d3f1a9c0b2e84f6a9c1d7e5b3a2f4c60"
#define ADMIN_SID	"0123456789abcdef0123456789abcdef"
#define OLD_SID		"fedcba9876543210fedcba9876543210"
#define SOON_SID	"5005005005005005005005005005005a"
#define USER_SID	"usersessionusersessionusersessio"
#define USER_ACCOUNT	"8d9e0f1a2b3c4d5e6f708192a3b4c5d0"

#define JSON_HEAD(status) "Status: " status "\r\nContent-Type: " \
	"application/json; charset=utf-8\r\n"
#define TEXT_HEAD(status) "Status: " status "\r\nContent-Type: " \
	"text/plain; charset=utf-8\r\n"
#define SESSION_503 JSON_HEAD("503 Service Unavailable") "\r\n" \
	"{\"error\":{\"code\":\"ID.1001\",\"description\":\"The session is " \
	"invalid, either wrong session id or the session has been " \
	"expired\",\"details\":\"Session expired\"}}"

static struct store st;
static struct request_ctx ctx;
static struct buf reply = BUF_INIT;
static int (*hook)(void *);	/* the interrupt hook of run() */

/* Run one request; the reply is left in `reply`. */
static int
run(const char *method, const char *uri, const char *auth, const char *inm)
{
	struct request_in in = { method, uri, auth, inm, hook, NULL };
	struct out out = { out_buf_write, &reply };

	buf_reset(&reply);
	return request_handle(&ctx, &in, &out);
}

static int
starts(const char *prefix)
{
	return reply.len >= strlen(prefix) &&
	    memcmp(reply.data, prefix, strlen(prefix)) == 0;
}

static int
has(const char *needle)
{
	return reply.data != NULL && strstr(reply.data, needle) != NULL;
}

static void
expect(const char *method, const char *uri, const char *auth,
    const char *whole)
{
	CHECK(run(method, uri, auth, NULL) == ZSQ_OK);
	CHECK_MEM(reply.data ? reply.data : "", reply.len, whole);
}

static void
setup(const char *dir)
{
	struct import_opts io;
	struct import_stats stats;
	struct session_rec s;
	struct buf err = BUF_INIT;
	MDB_txn *txn;
	int64_t now = session_now_ms();
	FILE *f;
	const char *srcdir = getenv("top_srcdir");
	char path[4096];

	snprintf(path, sizeof(path), "%s/tests/data/sample.json",
	    srcdir ? srcdir : ".");
	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		exit(99);
	}
	import_opts_init(&io);
	if (store_open(&st, dir, STORE_CREATE, 0) != ZSQ_OK ||
	    import_stream(&st, f, &io, &stats, &err) != ZSQ_OK) {
		fprintf(stderr, "setup: %s\n", err.data ? err.data : "store");
		exit(99);
	}
	fclose(f);
	buf_free(&err);

	memset(&s, 0, sizeof(s));
	memcpy(s.account, SCHEMA_ADMIN_ACCOUNT, 32);
	s.created_ms = now;
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == 0);
	s.expired_ms = now + 7200000;
	CHECK(session_put(&st, txn, ADMIN_SID, 32, &s) == ZSQ_OK);
	s.expired_ms = now - 1000;
	CHECK(session_put(&st, txn, OLD_SID, 32, &s) == ZSQ_OK);
	s.expired_ms = now + 5000;	/* valid, but wants renewal */
	CHECK(session_put(&st, txn, SOON_SID, 32, &s) == ZSQ_OK);
	CHECK(account_put(&st, txn, USER_ACCOUNT, "user") == ZSQ_OK);
	memcpy(s.account, USER_ACCOUNT, 32);
	s.expired_ms = now + 7200000;
	CHECK(session_put(&st, txn, USER_SID, 32, &s) == ZSQ_OK);
	CHECK(mdb_txn_commit(txn) == 0);
}

static void
test_errors(void)
{
	const char *a = "OAuth " ADMIN_SID;

	/* Route, then method, then header, then query string, then session. */
	expect("POST", "/zstack/v1/x?limit=z", NULL,
	    TEXT_HEAD("404 Not Found") "\r\nno api mapping to /v1/x");
	expect("POST", P "?limit=z", NULL, TEXT_HEAD("405 Method Not Allowed")
	    "Allow: GET\r\n\r\nmethod POST is not supported; use GET");
	expect("HEAD", P "/" G, a, TEXT_HEAD("405 Method Not Allowed")
	    "Allow: GET\r\n\r\nmethod HEAD is not supported; use GET");
	expect("GET", P "?limit=z", NULL, TEXT_HEAD("400 Bad Request")
	    "\r\nmissing header 'Authorization'");
	expect("GET", P "?limit=z", "", TEXT_HEAD("400 Bad Request")
	    "\r\nAuthorization type must be 'OAuth'");
	expect("GET", P "?limit=z", "ZStack ak:sig", TEXT_HEAD("400 Bad Request")
	    "\r\naccess key authentication is not supported");
	expect("GET", P "?limit=z", "OAuth nope", TEXT_HEAD("400 Bad Request")
	    "\r\nInvalid query parameter. 'limit' must be an integer");
	expect("GET", P "?q=novalue", "OAuth nope", TEXT_HEAD("400 Bad Request")
	    "\r\nInvalid query parameter. The 'novalue' in the parameter[q] "
	    "doesn't contain any query operator. Valid query operators are "
	    "[[!=, >=, <=, !?=, !~=, ~=, ?=, =, >, <, is null, not null]]");
	/* Session errors win over every 503 of the query itself. */
	expect("GET", P "?sort=nosuch", "OAuth nope", SESSION_503);
	expect("GET", P "?filterName=x", "OAuth " OLD_SID, SESSION_503);
	expect("GET", P, "OAuth " OLD_SID, SESSION_503);
	expect("GET", P, "OAuth", SESSION_503);
	expect("GET", P "/" G, "OAuth " ADMIN_SID "x", SESSION_503);
	/* Session ids are case-sensitive. */
	expect("GET", P, "OAuth 0123456789ABCDEF0123456789ABCDEF", SESSION_503);
	/* Then the query's own 503s. */
	CHECK(run("GET", P "?sort=nosuch", a, NULL) == ZSQ_OK);
	CHECK(starts(JSON_HEAD("503 Service Unavailable") "\r\n"
	    "{\"error\":{\"code\":\"SYS.1000\""));
	CHECK(has("nosuch"));
	CHECK(run("GET", P "?filterName=x", a, NULL) == ZSQ_OK);
	CHECK(starts(JSON_HEAD("503 Service Unavailable") "\r\n"
	    "{\"error\":{\"code\":\"SYS.1007\""));
	/* The get route ignores every parameter, bad ones included. */
	CHECK(run("GET", P "/" G "?limit=z&sort=nosuch", a, NULL) == ZSQ_OK);
	CHECK(starts(JSON_HEAD("200 OK")));
}

static void
test_success(void)
{
	const char *a = "OAuth " ADMIN_SID;
	char etag[32], weak[40], want[80], *p;

	CHECK(run("GET", P, a, NULL) == ZSQ_OK);
	CHECK(starts(JSON_HEAD("200 OK") "ETag: \""));
	CHECK(has("\"\r\n\r\n{\"schema\":{\"inventories[6]\":"));
	CHECK(has("\"inventories\":[{\"uuid\":\""));
	/* The ETag: 16 lowercase hex digits in quotes. */
	p = strstr(reply.data, "ETag: ");
	CHECK(p != NULL && strspn(p + 7, "0123456789abcdef") == 16 &&
	    p[23] == '"');
	snprintf(etag, sizeof(etag), "%.18s", p + 6);
	snprintf(weak, sizeof(weak), "W/%s", etag);

	/* Same list, same tag: 304 with no body; other forms of the header. */
	snprintf(want, sizeof(want), "Status: 304 Not Modified\r\n"
	    "ETag: %s\r\n\r\n", etag);
	CHECK(run("GET", P, a, etag) == ZSQ_OK);
	CHECK_MEM(reply.data, reply.len, want);
	CHECK(run("GET", P, a, weak) == ZSQ_OK);
	CHECK_MEM(reply.data, reply.len, want);
	CHECK(run("GET", P, a, "\"0000000000000000\", *") == ZSQ_OK);
	CHECK_MEM(reply.data, reply.len, want);
	snprintf(weak, sizeof(weak), "\"x\" , %s", etag);
	CHECK(run("GET", P, a, weak) == ZSQ_OK);
	CHECK_MEM(reply.data, reply.len, want);
	CHECK(run("GET", P, a, "\"0000000000000000\"") == ZSQ_OK);
	CHECK(starts(JSON_HEAD("200 OK")));
	/* A different reply has a different tag. */
	CHECK(run("GET", P "?limit=1", a, etag) == ZSQ_OK);
	CHECK(starts(JSON_HEAD("200 OK")));

	/* Get by uuid, either slash form, any case. */
	CHECK(run("GET", P "//D3F1A9C0B2E84F6A9C1D7E5B3A2F4C60", a, NULL) == 0);
	CHECK(starts(JSON_HEAD("200 OK")));
	CHECK(has("{\"schema\":{\"inventories[0]\":\"org.zstack.ai.entity."
	    "ModelServiceInstanceGroupInventory\""));
	CHECK(has("\"inventories\":[{\"uuid\":\"" G "\""));
	CHECK(run("GET", P "/nosuchgroup", a, NULL) == ZSQ_OK);
	CHECK(has("\r\n\r\n{\"schema\":{},\"inventories\":[]}"));
	CHECK(run("GET", P "?count=true", a, NULL) == ZSQ_OK);
	CHECK(has("\r\n\r\n{\"schema\":{},\"total\":7}"));

	/* Tenancy: another account sees nothing it does not own. */
	CHECK(run("GET", P, "OAuth " USER_SID, NULL) == ZSQ_OK);
	CHECK(has("\r\n\r\n{\"schema\":{},\"inventories\":[]}"));
	CHECK(run("GET", P "/" G, "OAuth " USER_SID, NULL) == ZSQ_OK);
	CHECK(has("\r\n\r\n{\"schema\":{},\"inventories\":[]}"));
}

static int64_t
expiry(const char *id)
{
	struct session_rec s;
	MDB_txn *txn;
	int64_t e = -1;

	if (mdb_txn_begin(st.env, NULL, MDB_RDONLY, &txn) != 0)
		return -1;
	if (session_get(&st, txn, id, strlen(id), &s) == ZSQ_OK)
		e = s.expired_ms;
	mdb_txn_abort(txn);
	return e;
}

/* Wait (bounded) for the renewer to have written n renewals. */
static int
renewed(const struct stats *stats, uint64_t n)
{
	int i;

	for (i = 0; i < 2000 && stats_get(stats, STATS_RENEW_DONE) < n; i++)
		usleep(10000);
	return stats_get(stats, STATS_RENEW_DONE) == n;
}

static void
test_renewal(const char *dir)
{
	int64_t before = expiry(SOON_SID), fresh = expiry(ADMIN_SID);
	struct stats *stats = stats_create();
	struct renew_pipe p;
	pid_t pid;
	int status;

	/* The renewer, as the pool runs it. */
	CHECK(stats != NULL && renew_pipe_open(&p) == ZSQ_OK);
	if ((pid = fork()) == 0) {
		close(p.wr);
		_exit(renewer_run(dir, p.rd, stats));
	}
	ctx.renew_fd = p.wr;
	ctx.stats = stats;

	/* Renewal switched off: nothing is written. */
	ctx.renew = 0;
	CHECK(run("GET", P "?count=true", "OAuth " SOON_SID, NULL) == ZSQ_OK);
	CHECK(ctx.renew_pending == 0);
	request_finish(&ctx);
	CHECK(expiry(SOON_SID) == before);
	ctx.renew = 1;

	/* A session far from expiry is not rewritten (coalescing). */
	CHECK(run("GET", P "?count=true", "OAuth " ADMIN_SID, NULL) == ZSQ_OK);
	CHECK(ctx.renew_pending == 0);
	request_finish(&ctx);
	CHECK(expiry(ADMIN_SID) == fresh);

	/* One about to expire is renewed to now + timeout, after the reply. */
	CHECK(run("GET", P "?count=true", "OAuth " SOON_SID, NULL) == ZSQ_OK);
	CHECK(ctx.renew_pending == 1);
	CHECK(expiry(SOON_SID) == before);
	request_finish(&ctx);
	CHECK(ctx.renew_pending == 0);
	CHECK(stats_get(stats, STATS_RENEW_SENT) == 1);
	CHECK(renewed(stats, 1));
	CHECK(expiry(SOON_SID) >= before + 7200000 - 5000 - 1000);
	CHECK(expiry(SOON_SID) <= session_now_ms() + 7200000);

	/* A refused request renews nothing. */
	CHECK(run("GET", P, "OAuth " OLD_SID, NULL) == ZSQ_OK);
	CHECK(ctx.renew_pending == 0);
	CHECK(stats_get(stats, STATS_RENEW_SENT) == 1);

	ctx.renew_fd = -1;
	ctx.stats = NULL;
	kill(pid, SIGTERM);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
	renew_pipe_close(&p);
	stats_destroy(stats);
}

static int
hook_timeout(void *arg)
{
	(void)arg;
	return ZSQ_ETIMEOUT;
}

static int
hook_gone(void *arg)
{
	(void)arg;
	return ZSQ_ECANCELED;
}

/* The query's interrupt hook: a time limit and a client gone. */
static void
test_interrupt(void)
{
	ctx.max_request_s = 7;
	hook = hook_timeout;
	CHECK(run("GET", P "?q=name~=%25x%25", "OAuth " ADMIN_SID, NULL) ==
	    ZSQ_OK);
	CHECK_MEM(reply.data, reply.len, JSON_HEAD("503 Service Unavailable")
	    "\r\n{\"error\":{\"code\":\"SYS.1001\",\"description\":\"A "
	    "message or a operation timeout\",\"details\":\"the query ran "
	    "longer than the limit of 7 s (max-request-time) and was "
	    "stopped\"}}");
	/* Errors found before the query still win. */
	CHECK(run("GET", P "?limit=x", "OAuth " ADMIN_SID, NULL) == ZSQ_OK);
	CHECK(starts(TEXT_HEAD("400 Bad Request")));
	hook = hook_gone;
	CHECK(run("GET", P, "OAuth " ADMIN_SID, NULL) == ZSQ_EIO);
	CHECK(reply.len == 0);
	hook = NULL;
	CHECK(run("GET", P "?count=true", "OAuth " ADMIN_SID, NULL) == ZSQ_OK);
	CHECK(starts(JSON_HEAD("200 OK")));
}

/* The reply's body size: what follows the head's blank line. */
static uint64_t
body_len(void)
{
	const char *p = reply.data ? strstr(reply.data, "\r\n\r\n") : NULL;

	return p == NULL ? (uint64_t)-1 : (uint64_t)(reply.len -
	    (size_t)(p + 4 - reply.data));
}

/* Run one request and check what it leaves for the counters. */
static void
counted(const char *method, const char *uri, const char *auth,
    const char *inm, enum stats_route route, int status,
    enum stats_error error)
{
	CHECK(run(method, uri, auth, inm) == ZSQ_OK);
	if (ctx.route != route || ctx.status != status || ctx.error != error ||
	    ctx.body_bytes != body_len()) {
		fprintf(stderr, "%s %s: route %d status %d error %d body %llu, "
		    "want %d %d %d %llu\n", method, uri, ctx.route, ctx.status,
		    ctx.error, (unsigned long long)ctx.body_bytes, route,
		    status, error, (unsigned long long)body_len());
		CHECK(0);
	} else
		CHECK(1);
}

static void
test_counting(void)
{
	const char *a = "OAuth " ADMIN_SID;
	struct apierr err = APIERR_INIT;
	struct out out = { out_buf_write, &reply };
	char etag[24], *p;

	counted("GET", P, a, NULL, STATS_ROUTE_LIST, 200, STATS_ERROR_NONE);
	CHECK(ctx.body_bytes > 1000);
	p = strstr(reply.data, "ETag: ");
	snprintf(etag, sizeof(etag), "%.18s", p != NULL ? p + 6 : "");
	counted("GET", P, a, etag, STATS_ROUTE_LIST, 304, STATS_ERROR_NONE);
	CHECK(ctx.body_bytes == 0);
	counted("GET", P "/" G, a, NULL, STATS_ROUTE_GET, 200,
	    STATS_ERROR_NONE);
	counted("GET", P "//nosuch", a, NULL, STATS_ROUTE_GET, 200,
	    STATS_ERROR_NONE);
	counted("GET", "/zstack/v1/x", a, NULL, STATS_ROUTE_OTHER, 404,
	    STATS_ERROR_NONE);
	CHECK(ctx.body_bytes == strlen("no api mapping to /v1/x"));
	counted("DELETE", P "/" G, a, NULL, STATS_ROUTE_GET, 405,
	    STATS_ERROR_NONE);
	counted("GET", P, NULL, NULL, STATS_ROUTE_LIST, 400, STATS_ERROR_NONE);
	counted("GET", P, "OAuth " OLD_SID, NULL, STATS_ROUTE_LIST, 503,
	    STATS_ERROR_SESSION);
	/* ZStack's SYS.1000 for what does not exist: the client's doing. */
	counted("GET", P "?sort=nosuch", a, NULL, STATS_ROUTE_LIST, 503,
	    STATS_ERROR_QUERY);
	counted("GET", P "?fields=nosuch", a, NULL, STATS_ROUTE_LIST, 503,
	    STATS_ERROR_QUERY);
	counted("GET", P "?q=nosuch=1", a, NULL, STATS_ROUTE_LIST, 503,
	    STATS_ERROR_QUERY);
	counted("GET", P "?filterName=x", a, NULL, STATS_ROUTE_LIST, 503,
	    STATS_ERROR_ARGUMENT);
	hook = hook_timeout;
	counted("GET", P, a, NULL, STATS_ROUTE_LIST, 503, STATS_ERROR_TIMEOUT);
	/* No reply, nothing to count. */
	hook = hook_gone;
	CHECK(run("GET", P, a, NULL) == ZSQ_EIO && ctx.status == 0);
	hook = NULL;

	/* The metrics page: no session needed, GET only. */
	counted("GET", "/zsquery/metrics?x", NULL, NULL, STATS_ROUTE_METRICS,
	    200, STATS_ERROR_NONE);
	CHECK(starts("Status: 200 OK\r\nContent-Type: " METRICS_CONTENT_TYPE
	    "\r\n\r\n# HELP "));
	CHECK(has("\nzsquery_store_groups 7\n"));
	CHECK(has("\nzsquery_store_sessions 4\n"));
	CHECK(ctx.renew_pending == 0);
	counted("POST", "/zsquery/metrics", NULL, NULL, STATS_ROUTE_METRICS,
	    405, STATS_ERROR_NONE);
	CHECK_MEM(reply.data, reply.len, TEXT_HEAD("405 Method Not Allowed")
	    "Allow: GET\r\n\r\nmethod POST is not supported; use GET");

	/* A request the transport refused, by the route of its uri. */
	(void)apierr_text(&err, 413, "too large");
	buf_reset(&reply);
	CHECK(request_refuse(&ctx, P "//" G "?x", &err, &out) == ZSQ_OK);
	CHECK(ctx.route == STATS_ROUTE_GET && ctx.status == 413 &&
	    ctx.error == STATS_ERROR_NONE && ctx.body_bytes == 9);
	CHECK_MEM(reply.data, reply.len, TEXT_HEAD("413 Payload Too Large")
	    "\r\ntoo large");
	(void)apierr_json(&err, APIERR_TIMEOUT, "slow");
	buf_reset(&reply);
	CHECK(request_refuse(&ctx, NULL, &err, &out) == ZSQ_OK);
	CHECK(ctx.route == STATS_ROUTE_OTHER && ctx.status == 503 &&
	    ctx.error == STATS_ERROR_TIMEOUT && ctx.body_bytes == body_len());
	apierr_free(&err);
}

static void
test_etag_match(void)
{
	const char *t = "\"00ff00ff00ff00ff\"";

	CHECK(request_etag_match(t, t));
	CHECK(request_etag_match("W/\"00ff00ff00ff00ff\"", t));
	CHECK(request_etag_match("*", t));
	CHECK(request_etag_match(" \"a,b\" ,\t\"00ff00ff00ff00ff\"", t));
	CHECK(!request_etag_match("", t));
	CHECK(!request_etag_match("00ff00ff00ff00ff", t));
	CHECK(!request_etag_match("\"00FF00FF00FF00FF\"", t));
	CHECK(!request_etag_match("\"00ff00ff00ff00ff", t));
	CHECK(!request_etag_match("\"00ff00ff00ff00ff0\"", t));
	CHECK(!request_etag_match("**", t));
	CHECK(!request_etag_match("\"a,\"00ff00ff00ff00ff\"\"", t));
}

int
main(void)
{
	char dir[] = "/tmp/zsq-test-request.XXXXXX", cmd[64];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	test_etag_match();
	setup(dir);
	request_ctx_init(&ctx, &st, SESSION_DEFAULT_TIMEOUT, 1);
	test_errors();
	test_success();
	test_renewal(dir);
	test_interrupt();
	test_counting();
	/* The read txn handle survives many requests (reset/renew). */
	CHECK(ctx.txn != NULL);

	request_ctx_free(&ctx);
	store_close(&st);
	buf_free(&reply);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	return t_done();
}
