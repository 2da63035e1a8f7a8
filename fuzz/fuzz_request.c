/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_request.c - a whole request (request_handle) against the sample
 * store, as the worker runs it.
 *
 * Input: newline-separated CGI values "METHOD\nURI\nAUTHORIZATION\n
 * IF-NONE-MATCH"; a missing line is a missing variable (no method counts
 * as GET, no URI as "").  Each value ends at its first NUL.  The corpus
 * and dictionary carry the sample store's session ids (fuzz.h).
 *
 * Invariants:
 *   - request_handle() writes one complete reply that fuzz_check_reply()
 *     accepts (status line, our content types, Allow/ETag, JSON bodies);
 *   - API.md §7 precedence: a route error is the reply's status; else an
 *     Authorization error; else a list query string's 400; an unknown
 *     session is never a 200; a 304 needs If-None-Match;
 *   - the metrics page (API.md §12) asks for no Authorization: a GET of
 *     it is a 200 in the metrics' content type, whatever the session;
 *   - a 200 repeated with If-None-Match set to its ETag is a 304 (the
 *     ETag depends only on what the reply shows).
 */
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "query/auth.h"
#include "query/metrics.h"
#include "query/query.h"
#include "query/route.h"
#include "serve/request.h"
#include "fuzz.h"

#define NFIELDS	4

static struct request_ctx ctx;
static int	ready;

/* Status of the reply in b (checked whole). */
static int
handle(const struct request_in *in, struct buf *b)
{
	struct out o = { out_buf_write, b };

	buf_reset(b);
	FUZZ_CHECK(request_handle(&ctx, in, &o) == ZSQ_OK);
	request_finish(&ctx);
	return fuzz_check_reply(b->data, b->len);
}

/* The ETag value of the reply in b, copied into etag. */
static void
etag_of(const struct buf *b, char *etag, size_t n)
{
	const char *p, *e;

	FUZZ_CHECK((p = strstr(b->data, "\r\nETag: ")) != NULL);
	p += 8;
	FUZZ_CHECK((e = strstr(p, "\r\n")) != NULL && (size_t)(e - p) < n);
	memcpy(etag, p, (size_t)(e - p));
	etag[e - p] = '\0';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request_in in;
	struct route r = ROUTE_INIT;
	struct apierr err = APIERR_INIT;
	struct query q;
	struct buf b = BUF_INIT;
	const char *f[NFIELDS] = { NULL, NULL, NULL, NULL }, *id;
	char *copy, *p, *nl, etag[64];
	size_t i, idlen;
	int status;

	if (!ready) {
		request_ctx_init(&ctx, fuzz_store(), SESSION_DEFAULT_TIMEOUT,
		    1);
		ready = 1;
	}
	query_init(&q);
	FUZZ_CHECK((copy = malloc(size + 1)) != NULL);
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (i = 0, p = copy; i < NFIELDS && p != NULL; i++) {
		f[i] = p;
		if ((nl = memchr(p, '\n', size - (size_t)(p - copy))) != NULL)
			*nl++ = '\0';
		p = nl;
	}
	memset(&in, 0, sizeof(in));	/* no interrupt hook */
	in.method = f[0];
	in.uri = f[1] != NULL ? f[1] : "";
	in.auth = f[2];
	in.if_none_match = f[3];

	status = handle(&in, &b);
	if (route_match(&r, in.uri, in.method, &err) != ZSQ_OK) {
		FUZZ_CHECK(status == err.status);
		goto done;
	}
	if (r.kind == ROUTE_METRICS) {
		FUZZ_CHECK(status == 200 && strstr(b.data, "\r\nContent-Type: "
		    METRICS_CONTENT_TYPE "\r\n") != NULL);
		goto done;
	}
	if (auth_parse(in.auth, &id, &idlen, &err) != ZSQ_OK) {
		FUZZ_CHECK(status == err.status);
		goto done;
	}
	if (r.kind == ROUTE_LIST && query_parse(&q, r.qs, r.qslen,
	    &err) != ZSQ_OK) {
		FUZZ_CHECK(status == 400);
		goto done;
	}
	FUZZ_CHECK(status != 304 || in.if_none_match != NULL);
	if ((idlen != strlen(FUZZ_SID_ADMIN) ||
	    memcmp(id, FUZZ_SID_ADMIN, idlen) != 0) &&
	    (idlen != strlen(FUZZ_SID_TENANT) ||
	    memcmp(id, FUZZ_SID_TENANT, idlen) != 0))
		FUZZ_CHECK(status == 400 || status == 503);
	if (status == 200) {
		etag_of(&b, etag, sizeof(etag));
		in.if_none_match = etag;
		FUZZ_CHECK(handle(&in, &b) == 304);
	}
done:
	query_free(&q);
	route_free(&r);
	apierr_free(&err);
	buf_free(&b);
	free(copy);
	return 0;
}
