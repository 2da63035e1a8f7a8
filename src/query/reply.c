/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reply.c - response heads and bodies; see reply.h.
 *
 * Success bodies are assembled in one fixed staging buffer that is
 * flushed whenever the next piece would not fit, so a reply costs a few
 * large writes and its memory does not grow with the number of groups.
 * A stored group body bigger than a chunk goes out straight from the map.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/errors.h"
#include "base/gson.h"
#include "query/reply.h"
#include "store/record.h"
#include "store/schema.h"

#define REPLY_CHUNK	(64 * 1024)

int
out_buf_write(void *buf, const void *p, size_t n)
{
	return buf_append(buf, p, n);
}

int
out_write(struct out *o, const void *p, size_t n)
{
	return o->write(o->ctx, p, n);
}

int
out_puts(struct out *o, const char *s)
{
	return out_write(o, s, strlen(s));
}

static const char *
reason(int status)
{
	switch (status) {
	case 200:	return "OK";
	case 304:	return "Not Modified";
	case 400:	return "Bad Request";
	case 404:	return "Not Found";
	case 405:	return "Method Not Allowed";
	case 413:	return "Payload Too Large";
	case 503:	return "Service Unavailable";
	}
	return "Internal Server Error";
}

int
reply_head(struct out *o, int status, const char *content_type,
    const char *extra)
{
	char line[64];
	int rc;

	/* Every request ends here: pieces, not a heap buffer, per head. */
	snprintf(line, sizeof(line), "Status: %d %s\r\nContent-Type: ", status,
	    reason(status));
	if ((rc = out_puts(o, line)) != ZSQ_OK ||
	    (rc = out_puts(o, content_type)) != ZSQ_OK ||
	    (rc = out_write(o, "\r\n", 2)) != ZSQ_OK ||
	    (extra != NULL && (rc = out_puts(o, extra)) != ZSQ_OK))
		return rc;
	return out_write(o, "\r\n", 2);
}

int
reply_error_body(struct out *o, const struct apierr *e)
{
	struct buf b = BUF_INIT;
	int rc;

	if (e->code == NULL)
		return out_write(o, e->msg.data ? e->msg.data : "", e->msg.len);
	/* API.md §7: no HTML escaping in error bodies; nulls (cause)
	 * omitted. */
	rc = buf_puts(&b, "{\"error\":{\"code\":");
	if (rc == ZSQ_OK)
		rc = gson_escape(&b, e->code, strlen(e->code), 0);
	if (rc == ZSQ_OK)
		rc = buf_puts(&b, ",\"description\":");
	if (rc == ZSQ_OK)
		rc = gson_escape(&b, apierr_description(e->code),
		    strlen(apierr_description(e->code)), 0);
	if (rc == ZSQ_OK)
		rc = buf_puts(&b, ",\"details\":");
	if (rc == ZSQ_OK)
		rc = gson_escape(&b, e->msg.data ? e->msg.data : "",
		    e->msg.len, 0);
	if (rc == ZSQ_OK)
		rc = buf_puts(&b, "}}");
	if (rc == ZSQ_OK)
		rc = out_write(o, b.data, b.len);
	buf_free(&b);
	return rc;
}

int
reply_error(struct out *o, const struct apierr *e)
{
	int rc;

	rc = reply_head(o, e->status, e->code ? REPLY_JSON : REPLY_TEXT,
	    e->status == 405 ? "Allow: GET\r\n" : NULL);
	if (rc == ZSQ_OK)
		rc = reply_error_body(o, e);
	return rc;
}

/*
 * The staging buffer in front of an out: a fixed array on the stack, so
 * a reply allocates nothing however many groups it streams.
 */
struct sink {
	struct out	*o;
	size_t		 len;
	char		 b[REPLY_CHUNK];
};

static int
sink_flush(struct sink *s)
{
	int rc = ZSQ_OK;

	if (s->len > 0)
		rc = out_write(s->o, s->b, s->len);
	s->len = 0;
	return rc;
}

static int
sink_put(struct sink *s, const void *p, size_t n)
{
	int rc;

	if (n > sizeof(s->b) - s->len) {
		if ((rc = sink_flush(s)) != ZSQ_OK)
			return rc;
		if (n > sizeof(s->b))
			return out_write(s->o, p, n);
	}
	memcpy(s->b + s->len, p, n);
	s->len += n;
	return ZSQ_OK;
}

static int
sink_puts(struct sink *s, const char *str)
{
	return sink_put(s, str, strlen(str));
}

static int
selected(const struct query *q, unsigned top)
{
	return q->fields_mask == 0 || top == REC_TOP_SELF ||
	    (top < SCHEMA_GROUP_FIELDS && (q->fields_mask >> top & 1));
}

/*
 * The schema entries of inventory i: stored already in ZStack's order
 * relative to the group, so the whole map is inventories n-1 .. 0, each
 * in stored order (API.md §6).
 */
static int
put_schema(struct sink *s, const struct query *q, size_t i,
    const struct query_match *m, int *first)
{
	struct rec_head h;
	struct rec_iter it;
	struct rec_schema e;
	const char *java;
	char idx[48];
	int rc = ZSQ_OK, r = 0;

	if (record_open(m->rec.mv_data, m->rec.mv_size, &h) != ZSQ_OK)
		return ZSQ_ESTORE;
	snprintf(idx, sizeof(idx), "\"inventories[%zu]", i);
	record_schema_begin(m->rec.mv_data, &h, &it);
	while (rc == ZSQ_OK && (r = record_schema_next(&it, &e)) == 1) {
		java = schema_class(e.oc)->java;
		if (java == NULL || !selected(q, e.top))
			continue;
		if (!*first)
			rc = sink_put(s, ",", 1);
		*first = 0;
		if (rc == ZSQ_OK)
			rc = sink_puts(s, idx);
		if (rc == ZSQ_OK)
			rc = sink_put(s, e.path, e.len);
		if (rc == ZSQ_OK)
			rc = sink_puts(s, "\":\"");
		if (rc == ZSQ_OK)
			rc = sink_puts(s, java);
		if (rc == ZSQ_OK)
			rc = sink_put(s, "\"", 1);
	}
	return rc == ZSQ_OK && r < 0 ? ZSQ_ESTORE : rc;
}

/* One inventory: the stored bytes, or `fields`' segments in order. */
static int
put_inventory(struct sink *s, const struct query *q,
    const struct query_match *m)
{
	const char *data = m->rec.mv_data;
	struct rec_head h;
	unsigned f;
	int rc = ZSQ_OK, first = 1;

	if (record_open(data, m->rec.mv_size, &h) != ZSQ_OK)
		return ZSQ_ESTORE;
	if (q->fields_mask == 0)
		return sink_put(s, data + h.json.off, h.json.len);
	rc = sink_put(s, "{", 1);
	for (f = 0; f < SCHEMA_GROUP_FIELDS && rc == ZSQ_OK; f++) {
		if (!(q->fields_mask >> f & 1) || h.field[f].len == 0)
			continue;
		if (!first)
			rc = sink_put(s, ",", 1);
		first = 0;
		if (rc == ZSQ_OK)
			rc = sink_put(s, data + h.field[f].off,
			    h.field[f].len);
	}
	if (rc == ZSQ_OK)
		rc = sink_put(s, "}", 1);
	return rc;
}

int
reply_body(struct out *o, const struct query *q,
    const struct query_result *res)
{
	struct sink s;
	char total[48];
	size_t i;
	int rc, first = 1;

	s.o = o;
	s.len = 0;
	snprintf(total, sizeof(total), "\"total\":%" PRIu64, res->total);
	if (q->count) {
		rc = sink_puts(&s, "{\"schema\":{},");
		if (rc == ZSQ_OK)
			rc = sink_puts(&s, total);
		if (rc == ZSQ_OK)
			rc = sink_puts(&s, "}");
		goto flush;
	}
	rc = sink_puts(&s, "{\"schema\":{");
	for (i = res->n; i-- > 0 && rc == ZSQ_OK;)
		rc = put_schema(&s, q, i, &res->m[i], &first);
	if (rc == ZSQ_OK)
		rc = sink_puts(&s, "},");
	if (rc == ZSQ_OK && q->reply_with_count) {
		rc = sink_puts(&s, total);
		if (rc == ZSQ_OK)
			rc = sink_puts(&s, ",");
	}
	if (rc == ZSQ_OK)
		rc = sink_puts(&s, "\"inventories\":[");
	for (i = 0; i < res->n && rc == ZSQ_OK; i++) {
		if (i > 0)
			rc = sink_put(&s, ",", 1);
		if (rc == ZSQ_OK)
			rc = put_inventory(&s, q, &res->m[i]);
	}
	if (rc == ZSQ_OK)
		rc = sink_puts(&s, "]}");
flush:
	if (rc == ZSQ_OK)
		rc = sink_flush(&s);
	return rc;
}
