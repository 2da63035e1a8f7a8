/* SPDX-License-Identifier: Apache-2.0 */
/* route.c - request path and method to route; see route.h. */
#include <string.h>

#include "base/errors.h"
#include "query/params.h"
#include "query/route.h"

int
route_decode(struct buf *out, const char *s, size_t n)
{
	return params_unescape(out, s, n, 0);
}

/* The 404 text, built with buf_append: the path may hold any byte. */
static int
route_notfound(struct apierr *err, const char *path, size_t len)
{
	static const char v1[] = "/zstack/v1";
	int rc;

	if ((rc = apierr_text(err, 404, "no api mapping to ")) != ZSQ_EINVAL)
		return rc;
	/* Under the servlet the path is named from /v1 on, as ZStack does. */
	if (len >= sizeof(v1) - 1 && memcmp(path, v1, sizeof(v1) - 1) == 0 &&
	    (len == sizeof(v1) - 1 || path[sizeof(v1) - 1] == '/')) {
		path += sizeof("/zstack") - 1;
		len -= sizeof("/zstack") - 1;
	}
	if (buf_append(&err->msg, path, len) != ZSQ_OK)
		return ZSQ_ENOMEM;
	return ZSQ_EINVAL;
}

/* Match the decoded path; 0 when no route. */
static int
route_path(struct route *r)
{
	const size_t plen = sizeof(ROUTE_PREFIX) - 1;
	const char *p = r->path.data, *rest;
	size_t len = r->path.len, restlen;

	if (len == sizeof(ROUTE_METRICS_PATH) - 1 &&
	    memcmp(p, ROUTE_METRICS_PATH, len) == 0) {
		r->kind = ROUTE_METRICS;
		return 1;
	}
	if (len < plen || memcmp(p, ROUTE_PREFIX, plen) != 0)
		return 0;
	if (len == plen || (len == plen + 1 && p[plen] == '/')) {
		r->kind = ROUTE_LIST;
		return 1;
	}
	if (p[plen] != '/')
		return 0;
	rest = p + plen + 1;
	restlen = len - plen - 1;
	/* The Go SDK joins "groups/" and "/{uuid}": one extra slash. */
	if (restlen > 0 && rest[0] == '/') {
		rest++;
		restlen--;
	}
	if (restlen == 0 || memchr(rest, '/', restlen) != NULL)
		return 0;
	r->kind = ROUTE_GET;
	r->uuid = rest;
	r->uuidlen = restlen;
	return 1;
}

int
route_match(struct route *r, const char *uri, const char *method,
    struct apierr *err)
{
	const char *q;
	size_t plen;
	int rc;

	q = strchr(uri, '?');
	plen = q != NULL ? (size_t)(q - uri) : strlen(uri);
	if (q != NULL) {
		r->qs = q + 1;
		r->qslen = strlen(q + 1);
	} else {
		r->qs = "";
		r->qslen = 0;
	}
	buf_reset(&r->path);
	if ((rc = route_decode(&r->path, uri, plen)) != ZSQ_OK)
		return rc;
	if (!route_path(r))
		return route_notfound(err, r->path.data, r->path.len);
	if (method != NULL && strcmp(method, "GET") != 0) {
		if ((rc = apierr_text(err, 405, "method ")) != ZSQ_EINVAL)
			return rc;
		if (buf_puts(&err->msg, method) != ZSQ_OK ||
		    buf_puts(&err->msg, " is not supported; use GET") != ZSQ_OK)
			return ZSQ_ENOMEM;
		return ZSQ_EINVAL;
	}
	return ZSQ_OK;
}

void
route_free(struct route *r)
{
	buf_free(&r->path);
	r->kind = 0;
	r->uuid = NULL;
	r->uuidlen = 0;
	r->qs = NULL;
	r->qslen = 0;
}
