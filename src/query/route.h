/* SPDX-License-Identifier: Apache-2.0 */
/*
 * route.h - map a request line to the API (API.md §1, 10).
 *
 * Input is the raw REQUEST_URI: the path is everything before the first
 * '?', the query string everything after it (left raw: params.c decodes
 * it).  The path is percent-decoded before matching and in the 404 text
 * (so "groups%2Fabc" is the get route); '+' is not special in a path.
 * A malformed escape ("%zz", a '%' near the end) is kept literally.
 *
 *   .../instances/groups, .../instances/groups/        ROUTE_LIST
 *   .../instances/groups/{uuid}, .../groups//{uuid}     ROUTE_GET
 *
 * where {uuid} is any non-empty text without '/', and
 *
 *   /zsquery/metrics                                     ROUTE_METRICS
 *
 * the pool's Prometheus metrics (metrics.h; API.md section 12), outside
 * /zstack/ so that nginx can give it to monitoring alone (127.0.0.1 and
 * an allow list in the shipped site); no Authorization is asked for, and
 * its query string is ignored.  Everything else is
 * 404 "no api mapping to /v1/<rest>" for paths under /zstack/v1/ (the
 * ZStack servlet's own wording); a path outside /zstack/ is named whole.
 *
 * Then the method: anything but GET on a known path (HEAD included) is
 * 405 "method <M> is not supported; use GET" (reply_error adds the
 * "Allow: GET" header).  The method is checked after the path so an
 * unknown path is 404 whatever the method.
 */
#ifndef ZSQ_ROUTE_H
#define ZSQ_ROUTE_H

#include <stddef.h>

#include "base/buf.h"
#include "query/apierr.h"

#define ROUTE_PREFIX	"/zstack/v1/ai/model-services/instances/groups"
#define ROUTE_METRICS_PATH	"/zsquery/metrics"

enum route_kind {
	ROUTE_LIST = 1,
	ROUTE_GET,
	ROUTE_METRICS
};

struct route {
	enum route_kind	 kind;
	struct buf	 path;		/* the decoded path */
	const char	*uuid;		/* ROUTE_GET: points into path */
	size_t		 uuidlen;
	const char	*qs;		/* raw query string, into the uri */
	size_t		 qslen;
};

#define ROUTE_INIT { 0, BUF_INIT, NULL, 0, NULL, 0 }

/*
 * Route uri (NUL-terminated) with method (NULL counts as GET: CGI
 * always sets it).  ZSQ_OK, ZSQ_EINVAL with err set (404/405), or
 * ZSQ_ENOMEM.  r must be released with route_free() in every case.
 */
int	route_match(struct route *r, const char *uri, const char *method,
	    struct apierr *err);
void	route_free(struct route *r);

/* Percent-decode n bytes of s onto out (path rules above). */
int	route_decode(struct buf *out, const char *s, size_t n);

#endif
