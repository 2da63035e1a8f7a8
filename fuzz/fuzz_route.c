/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_route.c - REQUEST_URI and method to route (API.md §1, 10).
 *
 * Input: "METHOD\nURI"; without a newline the whole input is the URI and
 * the method is absent (counts as GET).  Both end at their first NUL, as
 * CGI variables do.
 *
 * Invariants, from a reference model of API.md §1/10: the path (before the
 * first '?') is percent-decoded with malformed escapes kept; the decoded
 * path is the list route when it is the prefix with at most one trailing
 * '/', the get route when the prefix is followed by '/' or '//' and a
 * non-empty uuid without '/'; a known path with a method other than GET
 * is 405 (Allow: GET), anything else 404 "no api mapping to " naming the
 * path (from /v1 on under /zstack/v1); the query string is the raw text
 * after the '?'.  The decoded path "/zsquery/metrics" exactly is the
 * metrics route (API.md §12), with the same 405 for other methods.
 */
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "query/route.h"
#include "fuzz.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void
decode(struct buf *out, const char *s, size_t n)
{
	size_t i;
	int c, hi, lo;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '%' && i + 2 < n &&
		    (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = hexval((unsigned char)s[i + 2])) >= 0) {
			c = hi << 4 | lo;
			i += 2;
		}
		FUZZ_CHECK(buf_putc(out, c) == ZSQ_OK);
	}
}

/* The expected route of a decoded path: 0 none; *uoff set for a get. */
static int
expect_route(const char *p, size_t n, size_t *uoff)
{
	const size_t plen = strlen(ROUTE_PREFIX);
	size_t off;

	if (n == strlen("/zsquery/metrics") &&
	    memcmp(p, "/zsquery/metrics", n) == 0)
		return ROUTE_METRICS;
	if (n < plen || memcmp(p, ROUTE_PREFIX, plen) != 0)
		return 0;
	if (n == plen || (n == plen + 1 && p[plen] == '/'))
		return ROUTE_LIST;
	if (p[plen] != '/')
		return 0;
	off = plen + 1;
	if (off < n && p[off] == '/')
		off++;
	if (off == n || memchr(p + off, '/', n - off) != NULL)
		return 0;
	*uoff = off;
	return ROUTE_GET;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct route r = ROUTE_INIT;
	struct apierr err = APIERR_INIT;
	struct buf path = BUF_INIT, want = BUF_INIT;
	const char *nl, *method = NULL, *uri, *q;
	char *copy;
	size_t plen, uoff = 0;
	int rc, kind, get;

	FUZZ_CHECK((copy = malloc(size + 1)) != NULL);
	memcpy(copy, data, size);
	copy[size] = '\0';
	uri = copy;
	if ((nl = memchr(copy, '\n', size)) != NULL) {
		copy[nl - copy] = '\0';
		method = copy;
		uri = nl + 1;
	}
	rc = route_match(&r, uri, method, &err);
	FUZZ_CHECK(rc == ZSQ_OK || rc == ZSQ_EINVAL);

	q = strchr(uri, '?');
	plen = q != NULL ? (size_t)(q - uri) : strlen(uri);
	decode(&path, uri, plen);
	kind = expect_route(path.data ? path.data : "", path.len, &uoff);
	get = method == NULL || strcmp(method, "GET") == 0;
	if (kind == 0) {
		FUZZ_CHECK(rc == ZSQ_EINVAL && err.status == 404);
		FUZZ_CHECK(buf_puts(&want, "no api mapping to ") == ZSQ_OK);
		if (path.len >= 10 &&
		    memcmp(path.data, "/zstack/v1", 10) == 0 &&
		    (path.len == 10 || path.data[10] == '/'))
			FUZZ_CHECK(buf_append(&want, path.data + 7,
			    path.len - 7) == ZSQ_OK);
		else
			FUZZ_CHECK(buf_append(&want, path.data,
			    path.len) == ZSQ_OK);
		FUZZ_CHECK(err.msg.len == want.len &&
		    memcmp(err.msg.data, want.data, want.len) == 0);
		fuzz_check_error(&err);
	} else if (!get) {
		FUZZ_CHECK(rc == ZSQ_EINVAL && err.status == 405);
		fuzz_check_error(&err);
	} else {
		FUZZ_CHECK(rc == ZSQ_OK && (int)r.kind == kind);
		FUZZ_CHECK(r.path.len == path.len &&
		    memcmp(r.path.data, path.data, path.len) == 0);
		if (kind == ROUTE_GET)
			FUZZ_CHECK(r.uuid == r.path.data + uoff &&
			    r.uuidlen == path.len - uoff);
		if (q != NULL)
			FUZZ_CHECK(r.qs == q + 1 && r.qslen == strlen(q + 1));
		else
			FUZZ_CHECK(r.qslen == 0);
	}
	route_free(&r);
	apierr_free(&err);
	buf_free(&path);
	buf_free(&want);
	free(copy);
	return 0;
}
