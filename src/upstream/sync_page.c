/* SPDX-License-Identifier: Apache-2.0 */
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
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/errors.h"
#include "base/jscan.h"
#include "base/num.h"
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
			if (!text_uuid_valid(v, (size_t)(s->p + s->i - 1 - v)))
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

/* The envelope's "total" (its value next): a whole number. */
static int
total_read(struct scan *s, int64_t *total)
{
	size_t from;
	int rc;

	if (*total != -1)
		return fail(s, "'total' given twice");
	if (ws(s) == '-')
		return fail(s, "'total' is negative");
	from = s->i;
	if ((rc = skip_value(s)) != ZSQ_OK)
		return rc;
	if (num_parse_i64(s->p + from, s->i - from, 0, INT64_MAX, total) !=
	    ZSQ_OK) {
		*total = -1;
		return fail(s, "'total' is not a whole number");
	}
	return ZSQ_OK;
}

int
page_split_groups(const char *body, size_t len, char *last, size_t *count,
    int64_t *total, page_group_fn fn, void *arg, struct buf *err)
{
	struct scan s = { body, len, 0, 0, err };
	const char *k;
	size_t kn;
	int more = 1, seen = 0, rc;

	*count = 0;
	*total = -1;
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
		} else if (kn == 5 && memcmp(k, "total", 5) == 0)
			rc = total_read(&s, total);
		else
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

/*
 * What a page's count and its "total" (the groups from its keyset
 * position on) must agree on: a short page is the end only when the
 * upstream counts no more than it sent, so an empty or cut page of an
 * upstream that has more is an error, never a list that ended (and
 * groups deleted here).
 */
static int
page_check(size_t count, int64_t total, unsigned limit,
    unsigned long groups, const struct page_limits *lim, struct buf *err)
{
	if (count > limit)
		return buf_printf(err, "the page holds %zu groups, more than "
		    "limit=%u", count, limit) ? ZSQ_ENOMEM : ZSQ_EINVAL;
	if (total < 0)
		return buf_puts(err, "the reply has no 'total' "
		    "(replyWithCount=true was asked)") ? ZSQ_ENOMEM :
		    ZSQ_EINVAL;
	if ((uint64_t)total < count || (count < limit &&
	    (uint64_t)total != count))
		return buf_printf(err, "the page holds %zu groups but its "
		    "total says %" PRId64 " are left from there on (a page "
		    "cut short, or the list changed while it was read)", count,
		    total) ? ZSQ_ENOMEM : ZSQ_EINVAL;
	if (lim->groups != 0 && groups > lim->groups)
		return buf_printf(err, "more than %lu groups (--max-groups): "
		    "the upstream does not end the list", lim->groups) ?
		    ZSQ_ENOMEM : ZSQ_EINVAL;
	return ZSQ_OK;
}

int
page_read_groups(struct http *h, const char *route, unsigned limit,
    const struct page_limits *lim, page_group_fn fn, void *arg,
    unsigned long *pages, struct buf *err)
{
	struct buf body = BUF_INIT, path = BUF_INIT;
	char last[33] = "";
	size_t count, mark = err->len;
	unsigned long groups = 0;
	int64_t total, left = -1;
	int rc;

	*pages = 0;
	for (;;) {
		buf_reset(&path);
		if (buf_printf(&path, "%s?limit=%u&sort=uuid&replyWithCount="
		    "true", route, limit) ||
		    (last[0] && buf_printf(&path, "&q=uuid%%3E%s", last))) {
			rc = ZSQ_ENOMEM;
			break;
		}
		if ((rc = http_get(h, path.data, lim->reply_bytes, &body,
		    err)) != ZSQ_OK)
			break;
		(*pages)++;
		rc = page_split_groups(body.data, body.len, last, &count,
		    &total, fn, arg, err);
		groups += count;
		if (rc == ZSQ_OK)
			rc = page_check(count, total, limit, groups, lim, err);
		/*
		 * From page to page the count goes down by what was read: an
		 * upstream whose later page counts fewer (an empty page that
		 * says "0 left") contradicts itself, or changed meanwhile.
		 */
		if (rc == ZSQ_OK && left >= 0 && total != left) {
			(void)buf_printf(err, "%" PRId64 " groups were left "
			    "after the last page, this one counts %" PRId64 " (a "
			    "page cut short, or the list changed while it was "
			    "read)", left, total);
			rc = ZSQ_EINVAL;
		}
		left = total - (int64_t)count;
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
    unsigned long max_rows, json_int_t total, struct buf *prev, size_t *n,
    size_t *got, page_row_fn fn, void *arg, struct buf *err)
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
	if ((json_int_t)(*n + *got) > total) {
		(void)buf_printf(err, "%zu rows read of a list whose total is "
		    "%" JSON_INTEGER_FORMAT, *n + *got, total);
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
		if (++*n > max_rows) {
			(void)buf_printf(err, "more than %lu rows (--max-rows): "
			    "the upstream does not end the list", max_rows);
			return ZSQ_EINVAL;
		}
		if ((rc = fn(arg, row, *n - 1, err)) != ZSQ_OK)
			return rc;
	}
	return ZSQ_OK;
}

int
page_read_list(struct http *h, const char *path, const char *query,
    const char *sort_field, unsigned limit, struct page_limits *lim,
    page_row_fn fn, void *arg, struct buf *err)
{
	struct buf body = BUF_INIT, url = BUF_INIT, prev = BUF_INIT;
	json_error_t je;
	json_t *reply, *t;
	json_int_t total = -1;
	size_t n = 0, got, mark = err->len, max;
	int rc;

	for (;;) {
		buf_reset(&url);
		if (buf_printf(&url, "%s?%s%slimit=%u&start=%zu&sort=%s&"
		    "replyWithCount=true", path, query, *query ? "&" : "",
		    limit, n, sort_field)) {
			rc = ZSQ_ENOMEM;
			break;
		}
		/*
		 * A page's bound, and what is left of the lists' (their
		 * rows are held until the run applies them).
		 */
		max = (size_t)limit * PAGE_ROW_BYTES_MAX;
		if (lim->list_bytes < max)
			max = (size_t)lim->list_bytes;
		if (max == 0) {
			(void)buf_printf(err, "GET %s: the lists' replies are "
			    "larger than %llu MiB (--max-list-bytes)",
			    url.data, lim->list_bytes_max >> 20);
			rc = ZSQ_EIO;
			break;
		}
		if ((rc = http_get(h, url.data, max, &body, err)) != ZSQ_OK) {
			/* Past the lists' bound, not the page's: say which. */
			if (http_bound_passed(h) == HTTP_BOUND_REPLY &&
			    max < (size_t)limit * PAGE_ROW_BYTES_MAX) {
				err->len = mark;
				(void)buf_printf(err, "GET %s: the lists' replies "
				    "are larger than %llu MiB (--max-list-bytes)",
				    url.data, lim->list_bytes_max >> 20);
			}
			break;
		}
		lim->list_bytes -= body.len;
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
			if (!json_is_integer(t) || json_integer_value(t) < 0) {
				/*
				 * A list that does not say how long it is
				 * could end anywhere: an empty page would
				 * read as "nothing left", and wipe tenancy.
				 */
				(void)buf_puts(err, t == NULL ? "the reply has "
				    "no 'total' (replyWithCount=true was "
				    "asked)" : "'total' is not a whole number");
				rc = ZSQ_EINVAL;
			} else if (json_integer_value(t) != total) {
				(void)buf_printf(err, "the list changed while "
				    "it was read (total %" JSON_INTEGER_FORMAT
				    ", then %" JSON_INTEGER_FORMAT ")", total,
				    json_integer_value(t));
				rc = ZSQ_EINVAL;
			} else
				rc = list_page(reply, sort_field, limit,
				    lim->rows, total, &prev, &n, &got, fn, arg,
				    err);
			json_decref(reply);
		}
		if (rc != ZSQ_OK) {
			reply_fail(err, mark, url.data, rc);
			break;
		}
		if (got < limit) {
			if ((json_int_t)n != total) {
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
