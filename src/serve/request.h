/* SPDX-License-Identifier: Apache-2.0 */
/*
 * request.h - answer one request, transport-free (API.md §1, 2, 7).
 *
 * request_handle() takes the few CGI parameters that matter and writes a
 * complete CGI response (head and body) through a struct out, so the
 * worker (FastCGI), the tests (a buffer) and anything else see the same
 * bytes.  The order of checks is API.md §7's precedence:
 *
 *   route (404) -> method (405) -> Authorization (400) -> query string
 *   (400) -> [read txn] session (503 ID.1001) -> query_prepare (503) ->
 *   query_run -> 200 with ETag, or 304 when If-None-Match matches it.
 *
 * GET /zsquery/metrics (route.h) asks for no session: after the route and
 * the method it is the metrics page (metrics.h), read in the same kind of
 * read transaction, or 503 SYS.1000 when the store cannot be read.
 *
 * Each request leaves what the pool counts of it (stats.h) in the
 * context: its route, the status sent (0: no reply), the API error code
 * and the size of the body; the caller, which times the request, counts
 * it.
 *
 * A worker keeps one read transaction handle and resets/renews it per
 * request (the store is opened MDB_NOTLS), so a request costs no txn
 * allocation and holds the snapshot only while it runs.  A map grown by
 * another process (MDB_MAP_RESIZED) is adopted on the spot (store.h).
 *
 * The caller may stop a query through request_in.interrupt (query.h): a
 * query past its time limit is answered 503 SYS.1001 naming the limit
 * (ctx->max_request_s); one whose client went away gets no reply at all.
 * Store failures are answered 503 SYS.1000 with a fixed text: LMDB's own
 * messages go to the log, never to a client.
 *
 * Session renewal happens in request_finish(), which the caller runs
 * after the reply has left: it only queues the renewal for the renewer
 * (renew.h), so nothing here ever waits for a write transaction.
 */
#ifndef ZSQ_REQUEST_H
#define ZSQ_REQUEST_H

#include <stdint.h>
#include <lmdb.h>

#include "query/reply.h"
#include "query/stats.h"
#include "store/session.h"
#include "store/store.h"

struct request_in {
	const char	*method;	/* REQUEST_METHOD */
	const char	*uri;		/* REQUEST_URI, raw, with '?query' */
	const char	*auth;		/* HTTP_AUTHORIZATION, NULL: missing */
	const char	*if_none_match;	/* HTTP_IF_NONE_MATCH or NULL */
	int		(*interrupt)(void *arg);	/* see query.h; or NULL */
	void		*interrupt_arg;
};

struct request_ctx {
	struct store	*st;
	MDB_txn		*txn;		/* reusable read txn, reset when idle */
	int64_t		 timeout_ms;	/* session timeout */
	int		 renew;		/* renew sessions at all */
	int		 renew_fd;	/* the renewer's pipe; -1: none */
	struct stats	*stats;		/* counters, or NULL */
	int		 max_request_s;	/* named by the SYS.1001 reply */
	/* Left by request_handle() for the caller's counting. */
	enum stats_route route;
	int		 status;	/* sent; 0: no reply */
	enum stats_error error;
	uint64_t	 body_bytes;	/* the reply's, head excluded */
	/* Left by request_handle() for request_finish(). */
	int		 renew_pending;
	int64_t		 renew_now;
	size_t		 renew_idlen;
	char		 renew_id[SESSION_ID_MAX];
};

void	request_ctx_init(struct request_ctx *c, struct store *st,
	    long timeout_s, int renew);
/* Abort the read txn handle.  Call before store_close(). */
void	request_ctx_free(struct request_ctx *c);

/*
 * Write the reply to in.  ZSQ_OK when a whole reply was written (an
 * error reply included), ZSQ_EIO when out failed or the interrupt said
 * the client is gone (then nothing may have been written).
 */
int	request_handle(struct request_ctx *c, const struct request_in *in,
	    struct out *out);
/*
 * Queue the last request's session renewal, if it asked for one, for the
 * renewer (never blocks; a full queue drops it, counted).
 */
void	request_finish(struct request_ctx *c);

/*
 * Answer with err (404 ... 503, reply.h) a request that the transport
 * refused before request_handle() could run (its body too large, say),
 * leaving in c what is counted of it as request_handle() does; uri names
 * its route.  ZSQ_OK, or ZSQ_EIO when out failed.
 */
int	request_refuse(struct request_ctx *c, const char *uri,
	    const struct apierr *err, struct out *out);

/* Whether an If-None-Match value matches etag (quoted, e.g. "\"ab12\""). */
int	request_etag_match(const char *inm, const char *etag);

#endif
