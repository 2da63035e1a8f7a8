/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sync_http.h - the HTTP client of zsquery-admin sync (libcurl): GETs
 * against a ZStack management node with the admin session.
 *
 * One connection is kept alive from request to request.  Redirects are
 * not followed (they would carry the session elsewhere); only http and
 * https are spoken; https verifies the peer against the system's CAs or
 * the ones given.  The session id goes only into the Authorization
 * header of the requests: never into a URL, a message or a log line, and
 * libcurl's own tracing stays off.
 *
 * What a connection may read is bounded, because an upstream is untrusted
 * input: each reply by the caller's max, the replies of the whole run by
 * max_bytes, and the run's time by max_seconds (each request's own limit
 * is cut to what is left).  Bytes are counted as libcurl hands them over,
 * decompressed: a small compressed reply cannot grow past its bound.  A
 * reply is refused the moment it passes a bound, not when it ends.
 *
 * Every failure comes back as one line in err, naming the request (the
 * path, never the session), and a code:
 *   ZSQ_EIO       unreachable, connection cut, TLS failure, a reply
 *                 larger than the caller's max (at most HTTP_REPLY_MAX),
 *                 the run's replies past max_bytes
 *   ZSQ_ETIMEOUT  the connect or the whole request ran past its limit,
 *                 or the run past max_seconds
 *   ZSQ_EINVAL    a reply that is not 2xx: ZStack's error JSON is shown
 *                 ("HTTP 503: ID.1001 The session is invalid...: details")
 *   ZSQ_ENOMEM
 * After a failed request, http_error_code() gives ZStack's error code of
 * the reply (e.g. "ID.1001"), so a caller can word an expired session its
 * own way.
 */
#ifndef ZSQ_SYNC_HTTP_H
#define ZSQ_SYNC_HTTP_H

#include "base/buf.h"

#define HTTP_REPLY_MAX		((size_t)1 << 30)	/* one reply, bytes */
#define HTTP_CODE_MAX		32			/* "ID.1001" ... */

struct http_opts {
	const char	*base;		/* "http(s)://host[:port][/prefix]" */
	const char	*session;	/* the admin session id */
	const char	*cacert;	/* CA bundle file, or NULL */
	const char	*capath;	/* CA directory, or NULL */
	long		 connect_timeout;	/* seconds */
	long		 timeout;	/* seconds, per request */
	unsigned long long max_bytes;	/* every reply of the run; 0: none */
	long		 max_seconds;	/* the run, from http_open(); 0: none */
};

struct http;

/* Check the base URL (http or https, no credentials in it) and set up. */
int	http_open(const struct http_opts *o, struct http **out,
	    struct buf *err);
/* GET base + path (from '/', query included) into body (reset first). */
/* GET base + path into body, at most max bytes (0: HTTP_REPLY_MAX). */
int	http_get(struct http *h, const char *path, size_t max,
	    struct buf *body, struct buf *err);
/*
 * Which bound the last request's reply passed: 0 none, HTTP_BOUND_REPLY
 * (the caller's max), HTTP_BOUND_RUN (max_bytes).
 */
#define HTTP_BOUND_REPLY	1
#define HTTP_BOUND_RUN		2
int	http_bound_passed(const struct http *h);
/* The error code of the last request's error reply, else "". */
const char *http_error_code(const struct http *h);
/* Requests made and reply bytes received so far. */
void	http_counts(const struct http *h, unsigned long *requests,
	    unsigned long long *bytes);
void	http_close(struct http *h);

#endif
