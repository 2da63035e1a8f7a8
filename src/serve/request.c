/* SPDX-License-Identifier: Apache-2.0 */
/* request.c - one request from route to reply; see request.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "query/auth.h"
#include "query/metrics.h"
#include "query/query.h"
#include "query/route.h"
#include "serve/renew.h"
#include "serve/request.h"

void
request_ctx_init(struct request_ctx *c, struct store *st, long timeout_s,
    int renew)
{
	memset(c, 0, sizeof(*c));
	c->st = st;
	c->timeout_ms = (int64_t)timeout_s * 1000;
	c->renew = renew;
	c->renew_fd = -1;
}

void
request_ctx_free(struct request_ctx *c)
{
	if (c->txn != NULL)
		mdb_txn_abort(c->txn);
	c->txn = NULL;
}

/*
 * Start the request's snapshot, reusing the handle when there is one.  A
 * handle that cannot renew (the map grew past ours, say) is dropped, so
 * that store_txn_begin() may resize the map with no txn active.
 */
static int
txn_start(struct request_ctx *c)
{
	if (c->txn != NULL) {
		if (mdb_txn_renew(c->txn) == MDB_SUCCESS)
			return ZSQ_OK;
		mdb_txn_abort(c->txn);
		c->txn = NULL;
	}
	return store_txn_begin(c->st, MDB_RDONLY, &c->txn);
}

/*
 * RFC 9110 If-None-Match: "*" or a comma-separated list of entity tags,
 * compared weakly (a W/ prefix is ignored).
 */
int
request_etag_match(const char *inm, const char *etag)
{
	size_t elen = strlen(etag), n;
	const char *p = inm, *end;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p == '"') {
			/* A quoted tag may hold commas: find its closing quote. */
			end = strchr(p + 1, '"');
			end = end != NULL ? end + 1 : p + strlen(p);
		} else
			end = p + strcspn(p, ", \t");
		n = (size_t)(end - p);
		if ((n == 1 && *p == '*') || (n == elen &&
		    memcmp(p, etag, n) == 0))
			return 1;
		p = end;
	}
	return 0;
}

static enum stats_route
route_stats(enum route_kind k)
{
	switch (k) {
	case ROUTE_LIST:	return STATS_ROUTE_LIST;
	case ROUTE_GET:		return STATS_ROUTE_GET;
	case ROUTE_METRICS:	return STATS_ROUTE_METRICS;
	}
	return STATS_ROUTE_OTHER;
}

static enum stats_error
error_stats(const struct apierr *e)
{
	if (e->code == NULL)
		return STATS_ERROR_NONE;
	if (strcmp(e->code, APIERR_SESSION) == 0)
		return STATS_ERROR_SESSION;
	if (strcmp(e->code, APIERR_TIMEOUT) == 0)
		return STATS_ERROR_TIMEOUT;
	if (strcmp(e->code, APIERR_ARGUMENT) == 0)
		return STATS_ERROR_ARGUMENT;
	return e->client ? STATS_ERROR_QUERY : STATS_ERROR_INTERNAL;
}

/* An out that counts what goes through it: a reply body's bytes. */
struct counted {
	struct out	*o;
	uint64_t	 n;
};

static int
counted_write(void *ctx, const void *p, size_t n)
{
	struct counted *c = ctx;

	c->n += n;
	return out_write(c->o, p, n);
}

static int
nowhere_write(void *ctx, const void *p, size_t n)
{
	(void)p;
	*(uint64_t *)ctx += n;
	return ZSQ_OK;
}

/*
 * An error reply, and what is counted of it.  reply_error() writes head
 * and body together; the body's size is found by writing it once more to
 * nowhere (a few dozen bytes, errors only), which keeps reply.c's choice
 * of head out of here.
 */
static int
reply_failure(struct request_ctx *c, struct out *out, const struct apierr *e)
{
	uint64_t n = 0;
	struct out nowhere = { nowhere_write, &n };

	(void)reply_error_body(&nowhere, e);
	c->status = e->status;
	c->error = error_stats(e);
	c->body_bytes = n;
	return reply_error(out, e);
}

static int
reply_success(struct request_ctx *c, struct out *out,
    const struct request_in *in, const struct query *q,
    const struct query_result *res)
{
	struct counted body = { out, 0 };
	struct out bout = { counted_write, &body };
	char etag[24], hdr[40];
	int rc;

	snprintf(etag, sizeof(etag), "\"%016" PRIx64 "\"", res->etag);
	snprintf(hdr, sizeof(hdr), "ETag: %s\r\n", etag);
	if (in->if_none_match != NULL &&
	    request_etag_match(in->if_none_match, etag)) {
		/* 304 has no body, hence no Content-Type either. */
		c->status = 304;
		if ((rc = out_puts(out, "Status: 304 Not Modified\r\n")) ||
		    (rc = out_puts(out, hdr)) || (rc = out_puts(out, "\r\n")))
			return rc;
		return ZSQ_OK;
	}
	c->status = 200;
	if ((rc = reply_head(out, 200, REPLY_JSON, hdr)) == ZSQ_OK)
		rc = reply_body(&bout, q, res);
	c->body_bytes = body.n;
	return rc;
}

/* The metrics page, rendered whole before anything is written. */
static int
reply_metrics(struct request_ctx *c, struct out *out, const struct buf *page)
{
	int rc;

	c->status = 200;
	c->body_bytes = page->len;
	if ((rc = reply_head(out, 200, METRICS_CONTENT_TYPE, NULL)) != ZSQ_OK)
		return rc;
	return out_write(out, page->data, page->len);
}

int
request_handle(struct request_ctx *c, const struct request_in *in,
    struct out *out)
{
	struct route r = ROUTE_INIT;
	struct apierr err = APIERR_INIT;
	struct query q;
	struct query_result res;
	struct session_rec s;
	struct buf page = BUF_INIT;
	const char *id = NULL;
	char account[sizeof(s.account) + 1];
	size_t idlen = 0;
	int64_t now;
	int rc, txn = 0;

	query_init(&q);
	q.interrupt = in->interrupt;
	q.interrupt_arg = in->interrupt_arg;
	memset(&res, 0, sizeof(res));
	c->renew_pending = 0;
	c->status = 0;
	c->error = STATS_ERROR_NONE;
	c->body_bytes = 0;
	rc = route_match(&r, in->uri != NULL ? in->uri : "", in->method, &err);
	c->route = route_stats(r.kind);
	if (rc != ZSQ_OK)
		goto fail;
	/* The metrics page: no session (nginx decides who may read it). */
	if (r.kind != ROUTE_METRICS &&
	    (rc = auth_parse(in->auth, &id, &idlen, &err)) != ZSQ_OK)
		goto fail;
	if (r.kind == ROUTE_GET)
		rc = query_set_get(&q, r.uuid, r.uuidlen);
	else if (r.kind == ROUTE_LIST)
		rc = query_parse(&q, r.qs, r.qslen, &err);
	if (rc != ZSQ_OK)
		goto fail;
	if ((rc = txn_start(c)) != ZSQ_OK) {
		log_msg(LOG_ERR, "read transaction: %s", zsq_strerror(rc));
		rc = apierr_json(&err, APIERR_INTERNAL, "the store is "
		    "unavailable");
		goto fail;
	}
	txn = 1;
	if (r.kind == ROUTE_METRICS) {
		if ((rc = metrics_render(&page, c->stats, c->st, c->txn,
		    session_now_ms())) != ZSQ_OK)
			goto fail;
		rc = reply_metrics(c, out, &page);
		goto done;
	}
	now = session_now_ms();
	rc = auth_session(c->st, c->txn, id, idlen, now, &s, &err);
	if (rc != ZSQ_OK)
		goto fail;
	if (c->renew && session_needs_renewal(&s, now, c->timeout_ms)) {
		/* idlen <= SESSION_ID_MAX: auth_session found it. */
		memcpy(c->renew_id, id, idlen);
		c->renew_idlen = idlen;
		c->renew_now = now;
		c->renew_pending = 1;
	}
	memcpy(account, s.account, sizeof(s.account));
	account[sizeof(s.account)] = '\0';
	if ((rc = query_prepare(&q, &err)) != ZSQ_OK)
		goto fail;
	rc = query_run(c->st, c->txn, account, &q, &res, &err);
	if (rc == ZSQ_ECANCELED) {
		/* Nobody is left to read an answer. */
		stats_add(c->stats, STATS_REQUEST_CANCELED, 1);
		log_msg(LOG_INFO, "query stopped: the client went away");
		goto done;
	}
	if (rc == ZSQ_ETIMEOUT) {
		stats_add(c->stats, STATS_REQUEST_TIMEOUTS, 1);
		log_msg(LOG_WARNING, "query stopped after %d s "
		    "(max-request-time)", c->max_request_s);
		rc = apierr_json(&err, APIERR_TIMEOUT, "the query ran longer "
		    "than the limit of %d s (max-request-time) and was stopped",
		    c->max_request_s);
	}
	if (rc != ZSQ_OK)
		goto fail;
	rc = reply_success(c, out, in, &q, &res);
	goto done;
fail:
	if (rc != ZSQ_EINVAL || err.status == 0) {
		/* Not a client's error: out of memory or a store failure. */
		log_msg(LOG_ERR, "request failed: %s", zsq_strerror(rc));
		if (apierr_json(&err, APIERR_INTERNAL, "the request could not "
		    "be answered: %s", rc == ZSQ_ENOMEM ? "out of memory" :
		    "the store is unavailable") != ZSQ_EINVAL) {
			err.status = 503;
			err.code = APIERR_INTERNAL;
			buf_reset(&err.msg);
		}
	}
	rc = reply_failure(c, out, &err);
done:
	/* The result points into the map: release it before the snapshot. */
	query_result_free(&res);
	if (txn)
		mdb_txn_reset(c->txn);
	query_free(&q);
	route_free(&r);
	apierr_free(&err);
	buf_free(&page);
	return rc == ZSQ_OK ? ZSQ_OK : ZSQ_EIO;
}

int
request_refuse(struct request_ctx *c, const char *uri,
    const struct apierr *err, struct out *out)
{
	struct route r = ROUTE_INIT;
	struct apierr ignored = APIERR_INIT;
	int rc;

	(void)route_match(&r, uri != NULL ? uri : "", NULL, &ignored);
	c->route = route_stats(r.kind);
	route_free(&r);
	apierr_free(&ignored);
	rc = reply_failure(c, out, err);
	return rc == ZSQ_OK ? ZSQ_OK : ZSQ_EIO;
}

void
request_finish(struct request_ctx *c)
{
	if (!c->renew_pending)
		return;
	c->renew_pending = 0;
	if (c->renew_fd >= 0)
		(void)renew_send(c->renew_fd, c->stats, c->renew_id,
		    c->renew_idlen, c->renew_now, c->renew_now + c->timeout_ms);
	memset(c->renew_id, 0, sizeof(c->renew_id));
}
