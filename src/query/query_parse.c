/* SPDX-License-Identifier: Apache-2.0 */
/*
 * query_parse.c - a query's text into its prepared form (query.h):
 * query_parse() decodes the query string (limit, start, count,
 * replyWithCount, sort, fields, filterName, and each q value split into a
 * condition by cond.h), query_set_get() builds the get route's single
 * condition, query_prepare() resolves names and literals, sort and
 * fields.  Nothing here reads the store.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errors.h"
#include "base/vec.h"
#include "query/apierr.h"
#include "query/cond.h"
#include "query/params.h"
#include "query/query.h"
#include "query/query_int.h"
#include "store/schema.h"

void
query_init(struct query *q)
{
	memset(q, 0, sizeof(*q));
	q->limit = 1000;
	q->sort_leaf = -1;
}

void
query_free(struct query *q)
{
	size_t i;

	for (i = 0; i < q->nconds; i++)
		cond_free(&q->conds[i]);
	free(q->conds);
	free(q->sort);
	free(q->fields);
	free(q->filter_name);
	query_init(q);
}

static int
query_add_cond(struct query *q, const char *text, size_t len,
    struct apierr *err)
{
	struct cond *c;
	size_t i;
	int rc;

	for (i = 0; i < q->nconds; i++)
		if (q->conds[i].textlen == len &&
		    memcmp(q->conds[i].text, text, len) == 0)
			return ZSQ_OK;
	if ((rc = VEC_GROW(&q->conds, &q->capconds, q->nconds + 1)) != ZSQ_OK)
		return rc;
	c = &q->conds[q->nconds];
	memset(c, 0, sizeof(*c));
	if ((rc = cond_parse(c, text, len, err)) != ZSQ_OK)
		return rc;
	q->nconds++;
	return ZSQ_OK;
}

/* The parameters that can fail with a 400, checked by first appearance. */
enum checked { CK_Q, CK_LIMIT, CK_START, CK_N };

struct raw {
	struct buf	 qs;		/* q values: size_t len, bytes */
	size_t		 nq;		/* how many */
	struct buf	 limit, start;	/* their first values, trimmed */
	int		 seen[CK_N];
	enum checked	 order[CK_N];	/* by first appearance */
	int		 norder;
};

/*
 * Keep the trimmed value as a new string unless one was kept already.  A
 * decoded NUL becomes \001 so the C string keeps the whole value: no field
 * name holds either byte, so the outcome (unknown field) is the same.
 */
static int
first_str(char **dst, const struct buf *value)
{
	const char *v = value->data;
	size_t n = value->len, i;

	if (*dst != NULL)
		return ZSQ_OK;
	params_trim(&v, &n);
	if ((*dst = malloc(n + 1)) == NULL)
		return ZSQ_ENOMEM;
	for (i = 0; i < n; i++)
		(*dst)[i] = v[i] != '\0' ? v[i] : '\001';
	(*dst)[n] = '\0';
	return ZSQ_OK;
}

/* Same for a flag: 0 not seen yet, 1 true, -1 seen and false. */
static void
first_flag(int *dst, const struct buf *value)
{
	const char *v = value->data;
	size_t n = value->len;

	if (*dst != 0)
		return;
	params_trim(&v, &n);
	*dst = params_is_true(v, n) ? 1 : -1;
}

/* q, limit, start: note the first appearance, which orders the checks. */
static int
first_checked(struct raw *r, enum checked ck, const struct buf *value)
{
	const char *v = value->data;
	size_t n = value->len;
	int first = !r->seen[ck];

	if (first) {
		r->seen[ck] = 1;
		r->order[r->norder++] = ck;
	}
	if (ck == CK_Q) {
		/* Every q value counts, in order. */
		r->nq++;
		if (buf_append(&r->qs, &n, sizeof(n)) != ZSQ_OK)
			return ZSQ_ENOMEM;
		return buf_append(&r->qs, v, n);
	}
	if (!first)
		return ZSQ_OK;
	params_trim(&v, &n);
	return buf_append(ck == CK_LIMIT ? &r->limit : &r->start, v, n);
}

/* Exact names: a decoded name may hold a NUL ("q%00" is not q). */
static int
is_name(const struct buf *name, const char *want)
{
	return name->len == strlen(want) &&
	    memcmp(name->data, want, name->len) == 0;
}

static int
raw_collect(struct raw *r, struct query *q, const char *qs, size_t len)
{
	struct params_iter it;
	struct buf name = BUF_INIT, value = BUF_INIT;
	int rc;

	params_begin(&it, qs, len);
	while ((rc = params_next(&it, &name, &value)) == 1) {
		if (is_name(&name, "q"))
			rc = first_checked(r, CK_Q, &value);
		else if (is_name(&name, "limit"))
			rc = first_checked(r, CK_LIMIT, &value);
		else if (is_name(&name, "start"))
			rc = first_checked(r, CK_START, &value);
		else if (is_name(&name, "count"))
			first_flag(&q->count, &value);
		else if (is_name(&name, "replyWithCount"))
			first_flag(&q->reply_with_count, &value);
		else if (is_name(&name, "sort"))
			rc = first_str(&q->sort, &value);
		else if (is_name(&name, "fields"))
			rc = first_str(&q->fields, &value);
		else if (is_name(&name, "filterName"))
			rc = first_str(&q->filter_name, &value);
		if (rc != 1 && rc != ZSQ_OK)
			break;
	}
	q->count = q->count > 0;
	q->reply_with_count = q->reply_with_count > 0;
	buf_free(&name);
	buf_free(&value);
	return rc;
}

static int
check_count(const struct buf *b, const char *what, int64_t *out,
    struct apierr *err)
{
	if (params_count_value(b->data, b->len, out) == ZSQ_OK)
		return ZSQ_OK;
	return apierr_text(err, 400, "Invalid query parameter. '%s' must be "
	    "an integer", what);
}

int
query_parse(struct query *q, const char *qs, size_t len, struct apierr *err)
{
	struct raw r;
	size_t off, n;
	int i, rc;

	memset(&r, 0, sizeof(r));
	if ((rc = raw_collect(&r, q, qs, len)) != ZSQ_OK)
		goto out;
	for (i = 0; i < r.norder && rc == ZSQ_OK; i++) {
		switch (r.order[i]) {
		case CK_LIMIT:
			rc = check_count(&r.limit, "limit", &q->limit, err);
			break;
		case CK_START:
			rc = check_count(&r.start, "start", &q->start, err);
			break;
		case CK_Q:
			if (r.nq > QUERY_CONDS_MAX) {
				rc = apierr_text(err, 400, "Invalid query "
				    "parameter. parameter[q] holds %zu "
				    "conditions; at most %d are accepted",
				    r.nq, QUERY_CONDS_MAX);
				break;
			}
			for (off = 0; off < r.qs.len && rc == ZSQ_OK;
			    off += sizeof(n) + n) {
				memcpy(&n, r.qs.data + off, sizeof(n));
				rc = query_add_cond(q, r.qs.data + off +
				    sizeof(n), n, err);
			}
			break;
		case CK_N:
			break;
		}
	}
out:
	buf_free(&r.qs);
	buf_free(&r.limit);
	buf_free(&r.start);
	return rc;
}

int
query_set_get(struct query *q, const char *uuid, size_t len)
{
	struct cond *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ZSQ_ENOMEM;
	if (cond_set(c, COND_EQ, "uuid", uuid, len) != ZSQ_OK) {
		free(c);
		return ZSQ_ENOMEM;
	}
	q->conds = c;
	q->nconds = q->capconds = 1;
	q->get = 1;
	return ZSQ_OK;
}

static int
prepare_sort(struct query *q, struct apierr *err)
{
	const char *s = q->sort;
	const struct leaf *l;
	char lead = s[0];

	if (lead == '+' || lead == '-') {
		while (*s == lead)
			s++;
		q->sort_desc = lead == '-';
	}
	if (strchr(s, '.') == NULL &&
	    schema_leaf_lookup(s, strlen(s), &l) == SCHEMA_FOUND) {
		q->sort_leaf = query_leaf_is_uuid(l) ? -1 : (int)l->id;
		return ZSQ_OK;
	}
	return apierr_query(err, "cannot sort by '%s': not "
	    "a scalar field of the group", s);
}

static int
prepare_fields(struct query *q, struct apierr *err)
{
	const char *p = q->fields, *item, *comma;
	size_t n;
	int fi;

	for (;;) {
		comma = strchr(p, ',');
		item = p;
		n = comma ? (size_t)(comma - p) : strlen(p);
		params_trim(&item, &n);
		fi = n == 0 ? -1 : schema_field_index(OC_GROUP, item, n);
		if (fi < 0)
			return apierr_query(err, "unknown "
			    "field '%.*s' in fields '%s'", (int)n, item,
			    q->fields);
		q->fields_mask |= (uint32_t)1 << fi;
		if (comma == NULL)
			return ZSQ_OK;
		p = comma + 1;
	}
}

int
query_prepare(struct query *q, struct apierr *err)
{
	size_t i;
	int rc;

	for (i = 0; i < q->nconds; i++)
		if ((rc = cond_prepare(&q->conds[i], err)) != ZSQ_OK)
			return rc;
	if (q->sort != NULL && (rc = prepare_sort(q, err)) != ZSQ_OK)
		return rc;
	/*
	 * A sort other than uuid keeps start + limit matches (query.h):
	 * bound it, or a caller who may see a million groups holds them all
	 * with sort=name&start=2147483647.
	 */
	if (q->sort_leaf >= 0 && !q->count && q->limit > 0 &&
	    q->start + q->limit > QUERY_SORT_KEEP_MAX)
		return apierr_json(err, APIERR_ARGUMENT, "start + limit is "
		    "%lld with sort=%s; at most %d are accepted for a sort "
		    "other than uuid", (long long)(q->start + q->limit),
		    q->sort, QUERY_SORT_KEEP_MAX);
	if (q->fields != NULL && (rc = prepare_fields(q, err)) != ZSQ_OK)
		return rc;
	if (q->filter_name == NULL)
		return ZSQ_OK;
	if (strchr(q->filter_name, ':') == NULL)
		return apierr_json(err, APIERR_ARGUMENT, "filterName '%s' is "
		    "not of the form type:condition", q->filter_name);
	return apierr_query(err, "filterName '%s': no filter "
	    "type '%.*s' exists", q->filter_name,
	    (int)strcspn(q->filter_name, ":"), q->filter_name);
}
