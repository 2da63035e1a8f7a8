/*
 * sync_page.c - paged reads of ZStack's query APIs; see sync_page.h.
 *
 * The group splitter walks the reply's bytes once: strings, objects and
 * arrays are skipped as the importer's splitter skips them (base/jscan.h:
 * escapes honoured, brackets matched on a bounded stack), and only the
 * envelope and each group's top level are read key by key.  It costs
 * a fraction of building a JSON tree, which matters at 100,000 groups of
 * 14 KB each when most of them have not changed.
 */
#include <stdio.h>
#include <string.h>

#include "base/errors.h"
#include "base/jscan.h"
#include "base/text.h"
#include "upstream/sync_page.h"

struct scan {
	const char	*p;
	size_t		 n, i;
	size_t		 group;		/* 1-based, for messages; 0: envelope */
	struct buf	*err;
};

static int
fail(struct scan *s, const char *what)
{
	if (s->group > 0)
		(void)buf_printf(s->err, "group %zu of the page: %s (byte %zu)",
		    s->group, what, s->i);
	else
		(void)buf_printf(s->err, "%s (byte %zu)", what, s->i);
	return ZSQ_EINVAL;
}

/* The next byte that is not JSON whitespace, or -1 at the end. */
static int
ws(struct scan *s)
{
	while (s->i < s->n) {
		switch (s->p[s->i]) {
		case ' ': case '\t': case '\n': case '\r':
			s->i++;
			continue;
		}
		return (unsigned char)s->p[s->i];
	}
	return -1;
}

/*
 * The string, object or array at s->i (its first byte); s->i ends past
 * it.  Inside, only strings and brackets are followed, strictly (no
 * control characters in strings): the importer's parser checks a group's
 * contents.
 */
static int
skip_nested(struct scan *s)
{
	struct jscan js;
	int rc;

	jscan_init(&js, 1);
	if ((rc = jscan_skip(&js, s->p, s->n, &s->i)) == 1)
		return ZSQ_OK;
	if (rc == 0 && js.str == JSCAN_OUT)
		return fail(s, "the reply ends inside an object or array "
		    "(truncated?)");
	if (rc == 0) {
		/* A last backslash counts the byte it escapes (byte n + 1). */
		s->i += js.str == JSCAN_IN_ESCAPE;
		return fail(s, "the reply ends inside a string (truncated?)");
	}
	return fail(s, js.fault == JSCAN_DEEP ? "nested too deeply" :
	    js.fault == JSCAN_CONTROL ? "a control character in a string" :
	    "mismatched brackets");
}

static int
skip_word(struct scan *s, const char *w)
{
	size_t n = strlen(w);

	if (s->n - s->i < n || memcmp(s->p + s->i, w, n) != 0)
		return fail(s, "expected a JSON value");
	s->i += n;
	return ZSQ_OK;
}

static int
skip_number(struct scan *s)
{
	size_t from = s->i;

	if (s->i < s->n && s->p[s->i] == '-')
		s->i++;
	while (s->i < s->n && ((s->p[s->i] >= '0' && s->p[s->i] <= '9') ||
	    s->p[s->i] == '.' || s->p[s->i] == 'e' || s->p[s->i] == 'E' ||
	    s->p[s->i] == '+' || s->p[s->i] == '-'))
		s->i++;
	return s->i > from ? ZSQ_OK : fail(s, "expected a JSON value");
}

/* Any value at s->i; s->i ends past it. */
static int
skip_value(struct scan *s)
{
	switch (ws(s)) {
	case '"':
	case '{':
	case '[':
		return skip_nested(s);
	case 't':
		return skip_word(s, "true");
	case 'f':
		return skip_word(s, "false");
	case 'n':
		return skip_word(s, "null");
	case -1:
		return fail(s, "the reply ends where a value should be "
		    "(truncated?)");
	default:
		return skip_number(s);
	}
}

/* A key: *k and *kn its raw bytes (escapes not decoded), then ':'. */
static int
key_read(struct scan *s, const char **k, size_t *kn)
{
	size_t from;
	int rc;

	if (ws(s) != '"')
		return fail(s, ws(s) < 0 ? "the reply ends where a key should "
		    "be (truncated?)" : "expected a key");
	from = s->i + 1;
	if ((rc = skip_nested(s)) != ZSQ_OK)
		return rc;
	*k = s->p + from;
	*kn = s->i - 1 - from;
	if (ws(s) != ':')
		return fail(s, "expected ':' after a key");
	s->i++;
	return ZSQ_OK;
}

/* After a member: 1 at ',' (another follows), 0 at close, or an error. */
static int
member_next(struct scan *s, int close, int *more)
{
	int c = ws(s);

	if (c == ',' || c == close) {
		s->i++;
		*more = c == ',';
		return ZSQ_OK;
	}
	return fail(s, c < 0 ? "the reply ends inside an object or array "
	    "(truncated?)" : close == '}' ? "expected ',' or '}'" :
	    "expected ',' or ']'");
}

/* One group object: its extent [*from, s->i) and its uuid. */
static int
group_scan(struct scan *s, size_t *from, const char **uuid)
{
	const char *k, *v;
	size_t kn;
	int more = 1, rc;

	*uuid = NULL;
	if (ws(s) != '{')
		return fail(s, ws(s) < 0 ? "the reply ends inside an object or "
		    "array (truncated?)" : "not a JSON object");
	*from = s->i++;
	if (ws(s) == '}') {
		s->i++;
		more = 0;
	}
	while (more) {
		if ((rc = key_read(s, &k, &kn)) != ZSQ_OK)
			return rc;
		if (kn != 4 || memcmp(k, "uuid", 4) != 0) {
			if ((rc = skip_value(s)) != ZSQ_OK)
				return rc;
		} else {
			if (*uuid != NULL)
				return fail(s, "'uuid' given twice");
			if (ws(s) != '"')
				return fail(s, "'uuid' is not a string");
			v = s->p + s->i + 1;
			if ((rc = skip_nested(s)) != ZSQ_OK)
				return rc;
			if (!uuid_valid(v, (size_t)(s->p + s->i - 1 - v)))
				return fail(s, "'uuid' is not 32 lowercase hex "
				    "characters");
			*uuid = v;
		}
		if ((rc = member_next(s, '}', &more)) != ZSQ_OK)
			return rc;
	}
	return *uuid != NULL ? ZSQ_OK : fail(s, "a group without a 'uuid'");
}

/* The inventories array (its '[' next): every group to fn, in order. */
static int
groups_scan(struct scan *s, char *last, size_t *count, page_group_fn fn,
    void *arg)
{
	const char *uuid;
	size_t from;
	int more = 1, rc;

	if (ws(s) != '[')
		return fail(s, "'inventories' is not an array");
	s->i++;
	if (ws(s) == ']') {
		s->i++;
		more = 0;
	}
	while (more) {
		s->group = *count + 1;
		if ((rc = group_scan(s, &from, &uuid)) != ZSQ_OK)
			return rc;
		if (last[0] != '\0' && memcmp(uuid, last, 32) <= 0) {
			(void)buf_printf(s->err, "the keyset order is "
			    "contradicted: group %.32s comes after %s (uuids "
			    "must rise: sort=uuid, q=uuid>LAST)", uuid, last);
			return ZSQ_EINVAL;
		}
		memcpy(last, uuid, 32);
		last[32] = '\0';
		(*count)++;
		if ((rc = fn(arg, s->p + from, s->i - from, uuid, s->err)) !=
		    ZSQ_OK)
			return rc;
		s->group = 0;
		if ((rc = member_next(s, ']', &more)) != ZSQ_OK)
			return rc;
	}
	return ZSQ_OK;
}

int
page_split_groups(const char *body, size_t len, char *last, size_t *count,
    page_group_fn fn, void *arg, struct buf *err)
{
	struct scan s = { body, len, 0, 0, err };
	const char *k;
	size_t kn;
	int more = 1, seen = 0, rc;

	*count = 0;
	if (ws(&s) != '{')
		return fail(&s, len == 0 ? "an empty reply" :
		    "the reply is not a JSON object");
	s.i++;
	if (ws(&s) == '}') {
		s.i++;
		more = 0;
	}
	while (more) {
		if ((rc = key_read(&s, &k, &kn)) != ZSQ_OK)
			return rc;
		if (kn == 11 && memcmp(k, "inventories", 11) == 0) {
			if (seen++)
				return fail(&s, "'inventories' given twice");
			rc = groups_scan(&s, last, count, fn, arg);
		} else
			rc = skip_value(&s);
		if (rc != ZSQ_OK || (rc = member_next(&s, '}', &more)) != ZSQ_OK)
			return rc;
	}
	if (ws(&s) != -1)
		return fail(&s, "garbage after the reply");
	return seen ? ZSQ_OK : fail(&s, "the reply has no 'inventories'");
}

/* Prefix err with "reply to GET <what>: " when the callee failed. */
static int
reply_fail(struct buf *err, size_t mark, const char *what, int rc)
{
	struct buf tail = BUF_INIT;

	if (buf_append(&tail, err->data + mark, err->len - mark) != ZSQ_OK)
		return rc;
	err->len = mark;
	(void)buf_printf(err, "reply to GET %s: %s", what, tail.data);
	buf_free(&tail);
	/* jansson quotes the input it choked on: keep the message one line. */
	text_oneline(err->data + mark, err->len - mark);
	return rc;
}

int
page_read_groups(struct http *h, const char *route, unsigned limit,
    page_group_fn fn, void *arg, unsigned long *pages, struct buf *err)
{
	struct buf body = BUF_INIT, path = BUF_INIT;
	char last[33] = "";
	size_t count, mark = err->len;
	int rc;

	*pages = 0;
	for (;;) {
		buf_reset(&path);
		if (buf_printf(&path, "%s?limit=%u&sort=uuid", route, limit) ||
		    (last[0] && buf_printf(&path, "&q=uuid%%3E%s", last))) {
			rc = ZSQ_ENOMEM;
			break;
		}
		if ((rc = http_get(h, path.data, HTTP_REPLY_MAX, &body,
		    err)) != ZSQ_OK)
			break;
		(*pages)++;
		rc = page_split_groups(body.data, body.len, last, &count, fn,
		    arg, err);
		if (rc == ZSQ_OK && count > limit) {
			(void)buf_printf(err, "the page holds %zu groups, more "
			    "than limit=%u", count, limit);
			rc = ZSQ_EINVAL;
		}
		if (rc != ZSQ_OK) {
			reply_fail(err, mark, path.data, rc);
			break;
		}
		if (count < limit)
			break;
	}
	buf_free(&body);
	buf_free(&path);
	return rc;
}

/* One page of a list: rows to fn, order checked against prev. */
static int
list_page(json_t *reply, const char *sort_field, unsigned limit,
    struct buf *prev, size_t *n, size_t *got, page_row_fn fn, void *arg,
    struct buf *err)
{
	json_t *inv = json_object_get(reply, "inventories"), *row;
	const char *key;
	size_t i;
	int rc;

	if (!json_is_array(inv)) {
		(void)buf_puts(err, json_is_object(reply) ?
		    "the reply has no 'inventories' array" :
		    "the reply is not a JSON object");
		return ZSQ_EINVAL;
	}
	/* Before any row is used: a page is all right or not at all. */
	if ((*got = json_array_size(inv)) > limit) {
		(void)buf_printf(err, "the page holds %zu rows, more than "
		    "limit=%u", *got, limit);
		return ZSQ_EINVAL;
	}
	json_array_foreach(inv, i, row) {
		key = json_string_value(json_object_get(row, sort_field));
		if (key == NULL) {
			(void)buf_printf(err, "row %zu has no '%s' string",
			    *n + 1, sort_field);
			return ZSQ_EINVAL;
		}
		if (prev->len > 0 && strcmp(key, prev->data) < 0) {
			(void)buf_printf(err, "rows out of order: row %zu's %s "
			    "'%.64s' comes after '%.64s' (sort=%s)", *n + 1,
			    sort_field, key, prev->data, sort_field);
			return ZSQ_EINVAL;
		}
		buf_reset(prev);
		if (buf_puts(prev, key) != ZSQ_OK)
			return ZSQ_ENOMEM;
		if (++*n > PAGE_ROWS_MAX) {
			(void)buf_printf(err, "more than %lu rows: the upstream "
			    "does not end the list", PAGE_ROWS_MAX);
			return ZSQ_EINVAL;
		}
		if ((rc = fn(arg, row, *n - 1, err)) != ZSQ_OK)
			return rc;
	}
	return ZSQ_OK;
}

int
page_read_list(struct http *h, const char *path, const char *query,
    const char *sort_field, unsigned limit, page_row_fn fn, void *arg,
    struct buf *err)
{
	struct buf body = BUF_INIT, url = BUF_INIT, prev = BUF_INIT;
	json_error_t je;
	json_t *reply, *t;
	json_int_t total = -1;
	size_t n = 0, got, mark = err->len;
	int rc;

	for (;;) {
		buf_reset(&url);
		if (buf_printf(&url, "%s?%s%slimit=%u&start=%zu&sort=%s&"
		    "replyWithCount=true", path, query, *query ? "&" : "",
		    limit, n, sort_field)) {
			rc = ZSQ_ENOMEM;
			break;
		}
		if ((rc = http_get(h, url.data, (size_t)limit *
		    PAGE_ROW_BYTES_MAX, &body, err)) != ZSQ_OK)
			break;
		reply = json_loadb(body.data ? body.data : "", body.len, 0,
		    &je);
		if (reply == NULL) {
			(void)buf_printf(err, "invalid JSON: %s (byte %d%s)",
			    je.text, je.position, je.position >= (int)body.len ?
			    ", the end: truncated?" : "");
			rc = ZSQ_EINVAL;
		} else {
			/*
			 * Every page says how many rows the list holds: a
			 * list that changes while it is read pages by start
			 * unevenly (a row skipped or read twice), and the
			 * sort key of refs and shares is not unique.  The
			 * count must hold from page to page and be what was
			 * read; else the next run reads it again.
			 */
			t = json_object_get(reply, "total");
			if (json_is_integer(t) && total < 0)
				total = json_integer_value(t);
			if (json_is_integer(t) && json_integer_value(t) !=
			    total) {
				(void)buf_printf(err, "the list changed while "
				    "it was read (total %" JSON_INTEGER_FORMAT
				    ", then %" JSON_INTEGER_FORMAT ")", total,
				    json_integer_value(t));
				rc = ZSQ_EINVAL;
			} else
				rc = list_page(reply, sort_field, limit, &prev,
				    &n, &got, fn, arg, err);
			json_decref(reply);
		}
		if (rc != ZSQ_OK) {
			reply_fail(err, mark, url.data, rc);
			break;
		}
		if (got < limit) {
			if (total >= 0 && (json_int_t)n != total) {
				(void)buf_printf(err, "GET %s: %zu rows "
				    "read of the %" JSON_INTEGER_FORMAT " the "
				    "list said it held (it changed while it "
				    "was read)", path, n, total);
				rc = ZSQ_EINVAL;
			}
			break;
		}
	}
	buf_free(&body);
	buf_free(&url);
	buf_free(&prev);
	return rc;
}
