/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_route.c - API.md §1 and 10: paths, decoding, 404 and 405 texts; the
 * metrics route (API.md section 12).
 */
#include <string.h>

#include "base/errors.h"
#include "query/route.h"
#include "t.h"

#define P	"/zstack/v1/ai/model-services/instances/groups"
#define U	"d3f1a9c0b2e84f6a9c1d7e5b3a2f4c60"

/* Route uri; returns the code and leaves kind/uuid/error text behind. */
static struct route r = ROUTE_INIT;
static struct apierr e = APIERR_INIT;

static int
go(const char *method, const char *uri)
{
	route_free(&r);
	apierr_reset(&e);
	return route_match(&r, uri, method, &e);
}

static void
list_ok(const char *uri)
{
	CHECK(go("GET", uri) == ZSQ_OK);
	CHECK(r.kind == ROUTE_LIST);
}

static void
get_ok(const char *uri, const char *uuid)
{
	CHECK(go("GET", uri) == ZSQ_OK);
	CHECK(r.kind == ROUTE_GET);
	CHECK_MEM(r.uuid ? r.uuid : "", r.uuid ? r.uuidlen : 0, uuid);
}

static void
not_found(const char *method, const char *uri, const char *text)
{
	CHECK(go(method, uri) == ZSQ_EINVAL);
	CHECK(e.status == 404);
	CHECK(e.code == NULL);
	CHECK_MEM(e.msg.data, e.msg.len, text);
}

static void
not_allowed(const char *method, const char *text)
{
	CHECK(go(method, P) == ZSQ_EINVAL);
	CHECK(e.status == 405);
	CHECK(e.code == NULL);
	CHECK_STR(e.msg.data, text);
}

int
main(void)
{
	struct buf b = BUF_INIT;

	/* API.md §1: both list forms, both get forms. */
	list_ok(P);
	list_ok(P "/");
	list_ok(P "?q=name=x&limit=3");
	CHECK_MEM(r.qs, r.qslen, "q=name=x&limit=3");
	list_ok(P "/?");
	CHECK(r.qslen == 0);
	get_ok(P "/" U, U);
	get_ok(P "//" U, U);
	get_ok(P "/" U "?limit=x&q=junk", U);
	CHECK_MEM(r.qs, r.qslen, "limit=x&q=junk");
	/* Not 32 hex: still the get route (it matches nothing later). */
	get_ok(P "/not-a-uuid", "not-a-uuid");
	get_ok(P "/D3F1A9C0B2E84F6A9C1D7E5B3A2F4C60",
	    "D3F1A9C0B2E84F6A9C1D7E5B3A2F4C60");
	/* The query string is split at the first '?' only. */
	get_ok(P "/" U "?a=?b", U);
	CHECK_MEM(r.qs, r.qslen, "a=?b");

	/* API.md §10: the path is percent-decoded before routing. */
	list_ok("/zstack/v1/ai/model-services/instances/group%73");
	list_ok("/zstack/v1/ai/model-services/instances/groups%2F");
	get_ok(P "%2f" U, U);
	get_ok(P "/%64%33" "f1a9c0b2e84f6a9c1d7e5b3a2f4c60", U);
	get_ok(P "/a%20b", "a b");
	/* The query string stays raw: params.c decodes it. */
	list_ok(P "?q=name%3Dx");
	CHECK_MEM(r.qs, r.qslen, "q=name%3Dx");

	/* 404: anything else under /zstack/v1/, named from /v1 decoded. */
	not_found("GET", "/zstack/v1/foo", "no api mapping to /v1/foo");
	not_found("GET", "/zstack/v1/foo%20bar?x=1",
	    "no api mapping to /v1/foo bar");
	not_found("GET", P "/" U "/", "no api mapping to "
	    "/v1/ai/model-services/instances/groups/" U "/");
	not_found("GET", P "/" U "/x", "no api mapping to "
	    "/v1/ai/model-services/instances/groups/" U "/x");
	not_found("GET", P "//", "no api mapping to "
	    "/v1/ai/model-services/instances/groups//");
	not_found("GET", P "///" U, "no api mapping to "
	    "/v1/ai/model-services/instances/groups///" U);
	not_found("GET", P "x", "no api mapping to "
	    "/v1/ai/model-services/instances/groupsx");
	not_found("GET", "/zstack/v1/ai/model-services/instances",
	    "no api mapping to /v1/ai/model-services/instances");
	not_found("GET", "/zstack/v1/", "no api mapping to /v1/");
	not_found("GET", "/zstack/v1", "no api mapping to /v1");
	/* Case matters in paths. */
	not_found("GET", "/zstack/v1/ai/model-services/instances/Groups",
	    "no api mapping to /v1/ai/model-services/instances/Groups");
	/* Outside the servlet the whole path is named. */
	not_found("GET", "/zstack/v10/x", "no api mapping to /zstack/v10/x");
	not_found("GET", "/other", "no api mapping to /other");
	not_found("GET", "", "no api mapping to ");
	/* An unknown path is 404 whatever the method. */
	not_found("POST", "/zstack/v1/foo", "no api mapping to /v1/foo");
	not_found("DELETE", P "/" U "/", "no api mapping to "
	    "/v1/ai/model-services/instances/groups/" U "/");
	/* A decoded NUL is kept in the text, not a truncation point. */
	CHECK(go("GET", "/zstack/v1/a%00b") == ZSQ_EINVAL && e.status == 404);
	CHECK(e.msg.len == sizeof("no api mapping to /v1/a\0b") - 1 &&
	    memcmp(e.msg.data, "no api mapping to /v1/a\0b", e.msg.len) == 0);

	/* 405 on a known path for every other method, HEAD included. */
	not_allowed("POST", "method POST is not supported; use GET");
	not_allowed("HEAD", "method HEAD is not supported; use GET");
	not_allowed("PUT", "method PUT is not supported; use GET");
	not_allowed("get", "method get is not supported; use GET");
	CHECK(go("DELETE", P "//" U) == ZSQ_EINVAL && e.status == 405);
	CHECK(go(NULL, P) == ZSQ_OK);

	/* The metrics page: exactly its path (decoded), GET only. */
	CHECK(go("GET", "/zsquery/metrics") == ZSQ_OK &&
	    r.kind == ROUTE_METRICS);
	CHECK(go("GET", "/zsquery/metrics?name[]=x") == ZSQ_OK &&
	    r.kind == ROUTE_METRICS);
	CHECK(go("GET", "/zsquery/%6detrics") == ZSQ_OK &&
	    r.kind == ROUTE_METRICS);
	not_found("GET", "/zsquery/metrics/", "no api mapping to "
	    "/zsquery/metrics/");
	not_found("GET", "/zsquery/metricsx", "no api mapping to "
	    "/zsquery/metricsx");
	not_found("GET", "/zsquery/Metrics", "no api mapping to "
	    "/zsquery/Metrics");
	not_found("GET", "/zstack/v1/zsquery/metrics", "no api mapping to "
	    "/v1/zsquery/metrics");
	not_found("POST", "/zsquery/", "no api mapping to /zsquery/");
	CHECK(go("POST", "/zsquery/metrics") == ZSQ_EINVAL && e.status == 405);
	CHECK_STR(e.msg.data, "method POST is not supported; use GET");
	CHECK(go("HEAD", "/zsquery/metrics") == ZSQ_EINVAL && e.status == 405);

	/* route_decode: malformed escapes stay literal. */
	CHECK(route_decode(&b, "%zz%4%%41%", 10) == ZSQ_OK);
	CHECK_MEM(b.data, b.len, "%zz%4%A%");
	buf_reset(&b);
	CHECK(route_decode(&b, "a+b%2B", 6) == ZSQ_OK);
	CHECK_MEM(b.data, b.len, "a+b+");
	buf_reset(&b);
	CHECK(route_decode(&b, "", 0) == ZSQ_OK);
	CHECK(b.len == 0 && b.data != NULL && b.data[0] == '\0');

	buf_free(&b);
	route_free(&r);
	apierr_free(&e);
	return t_done();
}
