/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reply.h - the bytes of every answer (API.md §6, 7), written through a
 * struct out so the FastCGI stream, zsquery-admin's stdout and the tests'
 * buffers all get exactly the same bytes.
 *
 * A CGI response is a head ("Status: ...", headers, blank line) and a
 * body.  reply_body() streams a success body: the schema first (built from
 * the records' stored schema entries, last inventory first), then each
 * stored group JSON, projected by `fields` when asked: nothing is parsed or
 * held in memory per group.
 */
#ifndef ZSQ_REPLY_H
#define ZSQ_REPLY_H

#include <stddef.h>

#include "query/apierr.h"
#include "query/query.h"

struct out {
	/* Write all n bytes: ZSQ_OK or ZSQ_EIO (client gone). */
	int	(*write)(void *ctx, const void *p, size_t n);
	void	*ctx;
};

#define REPLY_JSON	"application/json; charset=utf-8"
#define REPLY_TEXT	"text/plain; charset=utf-8"

/* Writes to a struct buf (for tests and small replies). */
int	out_buf_write(void *buf, const void *p, size_t n);

int	out_write(struct out *o, const void *p, size_t n);
int	out_puts(struct out *o, const char *s);

/*
 * "Status: N Reason\r\nContent-Type: T\r\n" + extra (each line ending in
 * \r\n, may be NULL) + "\r\n".
 */
int	reply_head(struct out *o, int status, const char *content_type,
	    const char *extra);
/* Head and body of an error; 405 adds "Allow: GET". */
int	reply_error(struct out *o, const struct apierr *e);
/* Only the body of an error (text, or the API.md §7 JSON object). */
int	reply_error_body(struct out *o, const struct apierr *e);
/* The body of a successful list, count or get reply. */
int	reply_body(struct out *o, const struct query *q,
	    const struct query_result *res);

#endif
