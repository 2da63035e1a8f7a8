/*
 * query.c - parse, prepare and run one query; see query.h.
 *
 * Candidates come from one of three sources: a uuid= or uuid?= condition
 * names its groups, the planner picks the most selective condition an
 * index can answer (`=`, `in`, a range, a like with a literal head on an
 * indexed leaf; index.h), otherwise the groups database is walked in key
 * (uuid) order.  The index only proposes: every condition is evaluated on
 * each candidate's compact values either way, and tenancy is checked
 * before a match is counted, so an invisible group never shows in a
 * total.  In uuid order (the default, ascending or descending) the
 * candidates come in page order and only the page is kept; any other sort
 * keeps the best start + limit matches in a bounded heap.
 */
#define _GNU_SOURCE		/* qsort_r */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/text.h"
#include "query/cond.h"
#include "query/like.h"
#include "query/params.h"
#include "query/query.h"
#include "store/acl.h"
#include "store/index.h"

/*
 * A tenant whose visible groups are at most VIS_SMALL, or at most
 * 1/VIS_SHARE of the store, walks them directly: a lookup each costs less
 * than scanning the rest.
 */
#define VIS_SMALL	2048
#define VIS_SHARE	8

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
	size_t i, cap;
	int rc;

	for (i = 0; i < q->nconds; i++)
		if (q->conds[i].textlen == len &&
		    memcmp(q->conds[i].text, text, len) == 0)
			return ZSQ_OK;
	if (q->nconds == q->capconds) {
		cap = q->capconds ? q->capconds * 2 : 4;
		if ((c = realloc(q->conds, cap * sizeof(*c))) == NULL)
			return ZSQ_ENOMEM;
		q->conds = c;
		q->capconds = cap;
	}
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
is_uuid_leaf(const struct leaf *l)
{
	return l->depth == 0 && l->hop[0] == 0;	/* group field 0: uuid */
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
		q->sort_leaf = is_uuid_leaf(l) ? -1 : (int)l->id;
		return ZSQ_OK;
	}
	return apierr_json(err, APIERR_INTERNAL, "cannot sort by '%s': not "
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
			return apierr_json(err, APIERR_INTERNAL, "unknown "
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
	if (q->fields != NULL && (rc = prepare_fields(q, err)) != ZSQ_OK)
		return rc;
	if (q->filter_name == NULL)
		return ZSQ_OK;
	if (strchr(q->filter_name, ':') == NULL)
		return apierr_json(err, APIERR_ARGUMENT, "filterName '%s' is "
		    "not of the form type:condition", q->filter_name);
	return apierr_json(err, APIERR_INTERNAL, "filterName '%s': no filter "
	    "type '%.*s' exists", q->filter_name,
	    (int)strcspn(q->filter_name, ":"), q->filter_name);
}

static int
result_push(struct query_result *res, const struct query_match *m)
{
	struct query_match *p;
	size_t cap;

	if (res->n == res->cap) {
		cap = res->cap ? res->cap * 2 : 16;
		if ((p = realloc(res->m, cap * sizeof(*p))) == NULL)
			return ZSQ_ENOMEM;
		res->m = p;
		res->cap = cap;
	}
	res->m[res->n++] = *m;
	return ZSQ_OK;
}

/* The sort key: the first value of a group field (at most one exists). */
static void
sort_key(const void *data, const struct rec_head *h, unsigned leaf,
    struct rec_val *key)
{
	struct rec_iter it;

	record_vals_leaf(data, h, leaf, &it);
	if (record_vals_next(&it, key) != 1 || key->leaf != leaf)
		key->kind = REC_NULL;
}

static int
match_cmp(const void *pa, const void *pb, void *arg)
{
	const struct query_match *a = pa, *b = pb;
	int desc = *(const int *)arg, c;

	/* Nulls first ascending; negation puts them last descending. */
	if (a->key.kind == REC_NULL || b->key.kind == REC_NULL)
		c = (b->key.kind == REC_NULL) - (a->key.kind == REC_NULL);
	else if (a->key.kind == REC_STR)
		c = cond_strcmp(a->key.str, a->key.len, b->key.str,
		    b->key.len);
	else
		c = a->key.num < b->key.num ? -1 : a->key.num > b->key.num;
	if (desc)
		c = -c;
	return c ? c : memcmp(a->uuid, b->uuid, UUID_LEN);
}

/* How a candidate's visibility is settled before anything else. */
enum vis {
	VIS_ALL,	/* the admin: everything */
	VIS_KNOWN,	/* the candidates are visible groups only */
	VIS_BITMAP,	/* a bit per ordinal (w->bits) */
	VIS_LOOKUP	/* owner, then the shares (acl_visible) */
};

struct walk {
	const struct store *st;
	MDB_txn		*txn;
	const char	*account;
	MDB_cursor	*shares;	/* for acl_visible() */
	const struct query *q;
	struct query_result *res;
	int		 sorted;	/* a heap of the best `keep` matches */
	size_t		 keep;		/* start + limit */
	int		 need_total;	/* count or replyWithCount shows it */
	enum vis	 vis;
	unsigned char	*bits;		/* VIS_BITMAP */
	size_t		 nbits;
	size_t		 ngroups;	/* groups stored */
};

/*
 * walk_one()'s "stop": the page is full and nobody will see the total,
 * so an unfiltered `?limit=10` reads ten records, not the whole store.
 * Distinct from every ZSQ_, errno and LMDB code; query_run() clears it.
 */
#define WALK_FULL	(-1)

static void
match_swap(struct query_match *a, struct query_match *b)
{
	struct query_match t = *a;

	*a = *b;
	*b = t;
}

/*
 * A sorted query keeps the first start + limit matches in reply order in
 * a max-heap whose root is the last of them: memory is bounded by the
 * page, and a later match that sorts before the root replaces it.  The
 * order is total (uuid breaks ties), so pages neither skip nor repeat.
 */
static int
heap_offer(struct walk *w, const struct query_match *m)
{
	struct query_result *res = w->res;
	int desc = w->q->sort_desc, rc;
	size_t i, c;

	if (res->n < w->keep) {
		if ((rc = result_push(res, m)) != ZSQ_OK)
			return rc;
		for (i = res->n - 1; i > 0 && match_cmp(&res->m[(i - 1) / 2],
		    &res->m[i], &desc) < 0; i = (i - 1) / 2)
			match_swap(&res->m[(i - 1) / 2], &res->m[i]);
		return ZSQ_OK;
	}
	if (res->n == 0 || match_cmp(m, &res->m[0], &desc) >= 0)
		return ZSQ_OK;
	res->m[0] = *m;
	for (i = 0; (c = 2 * i + 1) < res->n; i = c) {
		if (c + 1 < res->n && match_cmp(&res->m[c + 1], &res->m[c],
		    &desc) > 0)
			c++;
		if (match_cmp(&res->m[i], &res->m[c], &desc) >= 0)
			break;
		match_swap(&res->m[i], &res->m[c]);
	}
	return ZSQ_OK;
}

static int
interrupted(const struct walk *w)
{
	return w->q->interrupt != NULL ?
	    w->q->interrupt(w->q->interrupt_arg) : ZSQ_OK;
}

/* Whether the caller may see the candidate (decided before any match). */
static int
visible(const struct walk *w, const MDB_val *k, const struct rec_head *h)
{
	switch (w->vis) {
	case VIS_ALL:
	case VIS_KNOWN:
		return 1;
	case VIS_BITMAP:
		return h->ord < w->nbits && (w->bits[h->ord >> 3] >>
		    (h->ord & 7) & 1);
	case VIS_LOOKUP:
		break;
	}
	return acl_visible(w->shares, w->account, k->mv_data, h->owner);
}

/*
 * One candidate: tenancy first, then match, count, keep.  A group the
 * caller may not see costs the same whatever it holds: no condition is
 * evaluated on it.  Nothing is allocated.
 */
static int
walk_one(struct walk *w, const MDB_val *k, const MDB_val *v)
{
	struct query_match m;
	struct rec_head h;
	size_t i;
	int rc;

	if ((rc = interrupted(w)) != ZSQ_OK)
		return rc;
	if (k->mv_size != UUID_LEN)
		return ZSQ_ESTORE;
	if (record_open(v->mv_data, v->mv_size, &h) != ZSQ_OK)
		return ZSQ_ESTORE;
	if (!visible(w, k, &h))
		return ZSQ_OK;
	for (i = 0; i < w->q->nconds; i++)
		if (!cond_match(&w->q->conds[i], v->mv_data, &h))
			return ZSQ_OK;
	w->res->total++;
	if (w->q->count)
		return ZSQ_OK;
	if (!w->sorted && (w->res->total <= (uint64_t)w->q->start ||
	    w->res->n >= (uint64_t)w->q->limit))
		return w->res->n >= (uint64_t)w->q->limit && !w->need_total ?
		    WALK_FULL : ZSQ_OK;
	memset(&m, 0, sizeof(m));
	m.rec = *v;
	m.uuid = k->mv_data;
	m.hash = h.hash;
	if (!w->sorted)
		return result_push(w->res, &m);
	sort_key(v->mv_data, &h, (unsigned)w->q->sort_leaf, &m.key);
	return heap_offer(w, &m);
}

/* A growable set of group uuids, sorted into page order. */
struct uuidset {
	char	(*u)[UUID_LEN];
	size_t	 n;
	size_t	 cap;
};

static int
uuidset_add(struct uuidset *s, const char *uuid)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char (*u)[UUID_LEN] = realloc(s->u, cap * sizeof(*u));

		if (u == NULL)
			return ZSQ_ENOMEM;
		s->u = u;
		s->cap = cap;
	}
	memcpy(s->u[s->n++], uuid, UUID_LEN);
	return ZSQ_OK;
}

static int
uuid_cmp(const void *a, const void *b)
{
	return memcmp(a, b, UUID_LEN);
}

static void
uuidset_sort_unique(struct uuidset *s)
{
	size_t i, n = 0;

	if (s->n == 0)
		return;
	qsort(s->u, s->n, sizeof(*s->u), uuid_cmp);
	for (i = 1; i < s->n; i++)
		if (memcmp(s->u[i], s->u[n], UUID_LEN) != 0)
			memcpy(s->u[++n], s->u[i], UUID_LEN);
	s->n = n + 1;
}

static void
uuidset_free(struct uuidset *s)
{
	free(s->u);
	memset(s, 0, sizeof(*s));
}

/* Visit the groups of set (sorted, unique) in uuid order or reversed. */
static int
walk_set(struct walk *w, const struct uuidset *set)
{
	MDB_cursor *cur = NULL;
	MDB_val k, d;
	size_t i, at;
	int rc = ZSQ_OK, back = !w->sorted && w->q->sort_desc;

	if ((rc = mdb_cursor_open(w->txn, w->st->groups, &cur)) !=
	    MDB_SUCCESS)
		return store_err(rc);
	for (i = 0; i < set->n && rc == ZSQ_OK; i++) {
		at = back ? set->n - 1 - i : i;
		k.mv_size = UUID_LEN;
		k.mv_data = set->u[at];
		/* MDB_SET_KEY points k into the map: walk_one keeps it. */
		rc = mdb_cursor_get(cur, &k, &d, MDB_SET_KEY);
		if (rc == MDB_SUCCESS)
			rc = walk_one(w, &k, &d);
		else
			rc = rc == MDB_NOTFOUND ? ZSQ_OK : store_err(rc);
	}
	mdb_cursor_close(cur);
	return rc;
}

/*
 * The uuids of the ordinals in set, sorted: the order pages come in.
 * Each lookup is a candidate's worth of work, so the interrupt is asked.
 */
static int
walk_ords(struct walk *w, const struct ordset *set)
{
	struct uuidset u = { NULL, 0, 0 };
	const char *uuid;
	size_t i;
	int rc = ZSQ_OK;

	for (i = 0; i < set->n && rc == ZSQ_OK; i++) {
		if ((rc = interrupted(w)) != ZSQ_OK)
			break;
		rc = store_ord_uuid(w->st, w->txn, set->o[i], &uuid);
		if (rc == ZSQ_OK)
			rc = uuidset_add(&u, uuid);
		else if (rc == ZSQ_ENOTFOUND)
			rc = ZSQ_ESTORE;	/* an index names no group */
	}
	if (rc == ZSQ_OK) {
		uuidset_sort_unique(&u);
		rc = walk_set(w, &u);
	}
	uuidset_free(&u);
	return rc;
}

/* A uuid= or uuid?= condition names its candidates: look them up. */
static const struct cond *
uuid_cond(const struct query *q)
{
	size_t i;

	for (i = 0; i < q->nconds; i++)
		if ((q->conds[i].op == COND_EQ || q->conds[i].op == COND_IN) &&
		    q->conds[i].target == COND_LEAF &&
		    is_uuid_leaf(q->conds[i].leaf))
			return &q->conds[i];
	return NULL;
}

/*
 * The named groups.  For a tenant an absent uuid costs what an invisible
 * one does: the same share lookups (which find nothing) as for a group it
 * does not own, so not even the existence of another account's group
 * shows in the time.
 */
static int
walk_uuids(struct walk *w, const struct cond *c)
{
	struct uuidset set = { NULL, 0, 0 };
	char key[UUID_LEN];
	MDB_cursor *cur = NULL;
	MDB_val k, d;
	size_t i, j, at;
	int rc = ZSQ_OK, back = !w->sorted && w->q->sort_desc;

	/* Keys are 32 lowercase characters: nothing else can match. */
	for (i = 0; i < c->nlits && rc == ZSQ_OK; i++) {
		if (c->lits[i].len != UUID_LEN)
			continue;
		for (j = 0; j < UUID_LEN; j++)
			key[j] = (char)text_fold((unsigned char)
			    c->lits[i].str[j]);
		rc = uuidset_add(&set, key);
	}
	if (rc != ZSQ_OK)
		goto out;
	uuidset_sort_unique(&set);
	if ((rc = mdb_cursor_open(w->txn, w->st->groups, &cur)) !=
	    MDB_SUCCESS) {
		rc = store_err(rc);
		goto out;
	}
	for (i = 0; i < set.n && rc == ZSQ_OK; i++) {
		at = back ? set.n - 1 - i : i;
		k.mv_size = UUID_LEN;
		k.mv_data = set.u[at];
		rc = mdb_cursor_get(cur, &k, &d, MDB_SET_KEY);
		if (rc == MDB_SUCCESS)
			rc = walk_one(w, &k, &d);
		else if (rc == MDB_NOTFOUND) {
			if (w->vis == VIS_LOOKUP)
				(void)acl_visible(w->shares, w->account,
				    set.u[at], ACL_PUBLIC);
			rc = interrupted(w);
		} else
			rc = store_err(rc);
	}
out:
	if (cur != NULL)
		mdb_cursor_close(cur);
	uuidset_free(&set);
	return rc;
}

/* A prepared literal as the value the index keys are built from. */
static void
lit_val(const struct cond *c, const struct cond_lit *l, struct rec_val *v)
{
	memset(v, 0, sizeof(*v));
	v->str = l->str;
	v->len = (uint32_t)l->len;
	v->num = l->num;
	if (c->target != COND_LEAF) {
		v->kind = REC_STR;
		return;
	}
	v->leaf = c->leaf->id;
	switch (c->leaf->type) {
	case FT_STRING:
		v->kind = REC_STR;
		break;
	case FT_BOOL:
		v->kind = REC_BOOL;
		break;
	case FT_TIMESTAMP:
		v->kind = REC_TIME;
		break;
	default:
		v->kind = REC_INT;
		break;
	}
}

/* The eq index id of a condition's leaf or tag kind. */
static unsigned
eq_id(const struct cond *c)
{
	if (c->target == COND_SYSTEM_TAG)
		return INDEX_ID_TAG + REC_TAG_SYSTEM;
	if (c->target == COND_USER_TAG)
		return INDEX_ID_TAG + REC_TAG_USER;
	return c->leaf->id;
}

/* `=` or `?=`: every leaf and tag has an eq entry for each value. */
static int
is_eq(const struct cond *c)
{
	return c->op == COND_EQ || c->op == COND_IN;
}

/*
 * The planner's choice: a condition an index answers, and for a lower
 * bound (> or >=) on a group field an upper bound (< or <=) on the same
 * field to close the range with, so a window such as a day of createDate
 * is one short range rather than everything after its start.
 */
struct plan {
	const struct cond *c;		/* NULL: no index */
	const struct cond *upper;	/* or NULL */
};

/* The ord index range one literal of a planned condition stands for. */
struct bounds {
	struct rec_val	 lo, hi;
	const struct rec_val *lop, *hip;	/* NULL: unbounded */
	int		 lo_open, hi_open;
	char		 prefix[INDEX_STR_MAX];
};

/*
 * Fill b for literal i of p->c, a range or like on an ordered leaf; 0
 * when it cannot take its candidates from the ord index.  A like's range
 * is its literal head: the pattern up to the first % or _, already folded
 * and unescaped by cond_prepare().  A head longer than the index keeps is
 * cut, which only widens the range.
 */
static int
bounds_of(const struct plan *p, size_t i, struct bounds *b)
{
	const struct cond *c = p->c;
	const struct cond_lit *l;
	size_t n;

	if (c->target != COND_LEAF || i >= c->nlits ||
	    !index_is_ordered(c->leaf->id))
		return 0;
	l = &c->lits[i];
	lit_val(c, l, &b->lo);
	b->hi = b->lo;
	b->lop = &b->lo;
	b->hip = &b->hi;
	b->lo_open = b->hi_open = 0;
	switch (c->op) {
	case COND_GT:
	case COND_GE:
		b->lo_open = c->op == COND_GT;
		b->hip = NULL;
		if (p->upper != NULL) {
			lit_val(p->upper, &p->upper->lits[0], &b->hi);
			b->hip = &b->hi;
			b->hi_open = p->upper->op == COND_LT;
		}
		return 1;
	case COND_LT:
	case COND_LE:
		b->hi_open = c->op == COND_LT;
		b->lop = NULL;
		return 1;
	case COND_LIKE:
		n = like_head(&l->like, b->prefix, sizeof(b->prefix));
		if (n == 0 || c->leaf->type != FT_STRING)
			return 0;
		b->lo.str = b->hi.str = b->prefix;
		b->lo.len = b->hi.len = (uint32_t)n;
		b->hi_open = INDEX_PREFIX;
		return 1;
	default:
		return 0;
	}
}

/*
 * For a lower bound c, the first upper bound on the same leaf, or NULL.
 * Only a group field qualifies: it holds one value, which must then lie
 * in the window.  On a nested leaf each bound may hold for a different
 * element (10.0.0.3 below, 192.168.1.3 above), so the window would miss
 * matches.
 */
static const struct cond *
upper_of(const struct query *q, const struct cond *c)
{
	size_t i;

	if (c->target != COND_LEAF || c->leaf->depth != 0 ||
	    (c->op != COND_GT && c->op != COND_GE))
		return NULL;
	for (i = 0; i < q->nconds; i++)
		if (q->conds[i].target == COND_LEAF &&
		    q->conds[i].leaf == c->leaf &&
		    (q->conds[i].op == COND_LT || q->conds[i].op == COND_LE))
			return &q->conds[i];
	return NULL;
}

/*
 * Index entries for p, counting no further than cap; *n >= cap means "no
 * better than cap".  Equalities are one O(1) count per literal; a range
 * is counted by walking it, which the cap bounds, and only with ranges
 * allowed (the admin: a tenant's time must not follow other accounts'
 * values, see query.h).
 */
static int
plan_estimate(struct walk *w, const struct plan *p, int ranges, size_t cap,
    size_t *n)
{
	unsigned char key[INDEX_EQ_KEY];
	struct rec_val v;
	struct bounds b;
	size_t i, one;
	int rc;

	*n = SIZE_MAX;
	if (is_eq(p->c) && (p->c->target != COND_LEAF ||
	    !is_uuid_leaf(p->c->leaf))) {
		for (i = 0, *n = 0; i < p->c->nlits && *n < cap; i++) {
			lit_val(p->c, &p->c->lits[i], &v);
			index_eq_key(eq_id(p->c), &v, key);
			if ((rc = index_eq_count(w->st, w->txn, key, &one)))
				return rc;
			*n += one;
		}
		return ZSQ_OK;
	}
	if (!ranges || !bounds_of(p, 0, &b))
		return ZSQ_OK;
	for (i = 0, *n = 0; bounds_of(p, i, &b) && *n < cap; i++) {
		if ((rc = index_range_count(w->st, w->txn, p->c->leaf->id,
		    b.lop, b.lo_open, b.hip, b.hi_open, cap - *n, &one)))
			return rc;
		*n += one;
	}
	return ZSQ_OK;
}

/*
 * The planner: among the conditions an index can answer, take the one
 * with the fewest index entries, and only when they are fewer than cap:
 * beyond that one sequential walk is cheaper than a lookup per
 * candidate.  Each estimate stops at the best so far.  best->c stays NULL
 * when nothing beats the walk.
 */
static int
plan_choose(struct walk *w, int ranges, size_t cap, struct plan *best)
{
	struct plan p;
	size_t i, n;
	int rc;

	best->c = best->upper = NULL;
	for (i = 0; i < w->q->nconds && cap > 0; i++) {
		p.c = &w->q->conds[i];
		p.upper = upper_of(w->q, p.c);
		if ((rc = plan_estimate(w, &p, ranges, cap, &n)) != ZSQ_OK)
			return rc;
		if (n < cap) {
			cap = n;
			*best = p;
		}
	}
	return ZSQ_OK;
}

/* The index's candidates for p, sorted and unique, into set. */
static int
plan_collect(struct walk *w, const struct plan *p, struct ordset *set)
{
	unsigned char key[INDEX_EQ_KEY];
	struct rec_val v;
	struct bounds b;
	size_t i;
	int rc = ZSQ_OK;

	if (is_eq(p->c))
		for (i = 0; rc == ZSQ_OK && i < p->c->nlits; i++) {
			lit_val(p->c, &p->c->lits[i], &v);
			index_eq_key(eq_id(p->c), &v, key);
			rc = index_eq_collect(w->st, w->txn, key, set);
		}
	else
		for (i = 0; rc == ZSQ_OK && bounds_of(p, i, &b); i++)
			rc = index_range_collect(w->st, w->txn,
			    p->c->leaf->id, b.lop, b.lo_open, b.hip,
			    b.hi_open, set);
	ordset_sort_unique(set);
	return rc;
}

/*
 * A scan is limited by memory latency: each record's head and values are
 * somewhere else in the map.  So the cursor runs AHEAD records in front
 * of the matching, and each record's head is prefetched when the cursor
 * reaches it: by the time it is matched, it is in the cache.  Only the
 * lines the match reads: prefetching the whole leaf table (16 lines a
 * record) kept the processor's miss buffers full, and the scans ran 10 %
 * slower for it.
 */
#define AHEAD	8

static void
prefetch_head(const struct walk *w, const MDB_val *v)
{
	const char *p = v->mv_data;
	size_t i, at;

	for (i = 0; i < sizeof(struct rec_head) && i < v->mv_size; i += 64)
		__builtin_prefetch(p + i);
	/*
	 * The leaf table follows the head (record.h): the line of each
	 * condition's leaf.  Its place does not depend on what the record
	 * holds, so this is safe before visibility is known.
	 */
	for (i = 0; i < w->q->nconds; i++) {
		const struct cond *c = &w->q->conds[i];

		if (c->target != COND_LEAF)
			continue;
		at = sizeof(struct rec_head) + 4 * (size_t)c->leaf->id;
		if (at < v->mv_size)
			__builtin_prefetch(p + at);
	}
}

/*
 * Half a window later the head is in the cache: find where each
 * condition's leaf values are and prefetch them too.  Only a hint: a
 * damaged record is caught by record_open() when it is matched.  Only
 * for a group the caller may see (the admin's, or a set bit): the
 * conditions must not reach into another account's record, not even to
 * warm a cache line.
 */
static void
prefetch_vals(const struct walk *w, const MDB_val *v)
{
	const char *p = v->mv_data;
	struct rec_range table, vals;
	struct rec_head h;
	uint32_t off;
	size_t i;

	if (v->mv_size < sizeof(struct rec_head))
		return;
	if (w->vis != VIS_ALL) {
		if (w->vis != VIS_BITMAP)
			return;
		memcpy(&h.ord, p + offsetof(struct rec_head, ord),
		    sizeof(h.ord));
		if (!visible(w, NULL, &h))
			return;
	}
	memcpy(&table, p + offsetof(struct rec_head, table), sizeof(table));
	memcpy(&vals, p + offsetof(struct rec_head, vals), sizeof(vals));
	for (i = 0; i < w->q->nconds; i++) {
		const struct cond *c = &w->q->conds[i];

		if (c->target != COND_LEAF ||
		    (size_t)table.off + 4 * (size_t)c->leaf->id + 4 >
		    v->mv_size)
			continue;
		memcpy(&off, p + table.off + 4 * c->leaf->id, 4);
		if ((size_t)vals.off + off < v->mv_size)
			__builtin_prefetch(p + vals.off + off);
	}
}

static int
walk_all(struct walk *w)
{
	MDB_cursor *cur = NULL;
	MDB_cursor_op op = MDB_FIRST, next = MDB_NEXT;
	MDB_val k[AHEAD], v[AHEAD];
	size_t head = 0, n = 0, at;
	int rc = ZSQ_OK, crc = MDB_SUCCESS;

	/* Descending uuid order is the same walk backwards. */
	if (!w->sorted && w->q->sort_desc) {
		op = MDB_LAST;
		next = MDB_PREV;
	}
	if ((rc = mdb_cursor_open(w->txn, w->st->groups, &cur)) !=
	    MDB_SUCCESS)
		return store_err(rc);
	for (;;) {
		/* Fill the window, then match its oldest record. */
		while (crc == MDB_SUCCESS && n < AHEAD) {
			at = (head + n) % AHEAD;
			if ((crc = mdb_cursor_get(cur, &k[at], &v[at], op)) !=
			    MDB_SUCCESS)
				break;
			op = next;
			prefetch_head(w, &v[at]);
			n++;
		}
		if (crc != MDB_SUCCESS && crc != MDB_NOTFOUND) {
			rc = crc;
			break;
		}
		if (n == 0)
			break;
		if (n > AHEAD / 2)
			prefetch_vals(w, &v[(head + AHEAD / 2) % AHEAD]);
		if ((rc = walk_one(w, &k[head], &v[head])) != ZSQ_OK)
			break;
		head = (head + 1) % AHEAD;
		n--;
	}
	mdb_cursor_close(cur);
	return store_err(rc);
}

/* The admin: any index, ranges too. */
static int
run_admin(struct walk *w)
{
	struct ordset set = { NULL, 0, 0 };
	struct plan best;
	int rc;

	if ((rc = plan_choose(w, 1, w->ngroups / 2, &best)) != ZSQ_OK ||
	    best.c == NULL)
		return rc != ZSQ_OK ? rc : walk_all(w);
	if ((rc = plan_collect(w, &best, &set)) == ZSQ_OK)
		rc = walk_ords(w, &set);
	ordset_free(&set);
	return rc;
}

/*
 * A tenant.  Its candidates are its visible groups (owned, shared,
 * public: acl_visible_set()), never another account's: when that set is
 * small they are walked as they are; when it is large, an equality's
 * index entries are intersected with it before anything else (so an
 * invisible group costs one comparison, whatever it holds), or every
 * group is walked and each invisible one dropped on a bit test.  Ranges
 * never use the ord index: walking it would take time that follows every
 * account's values.  See query.h for what a tenant can learn.
 */
static int
run_tenant(struct walk *w)
{
	struct ordset vis = { NULL, 0, 0 }, set = { NULL, 0, 0 };
	struct plan best;
	size_t i;
	int rc;

	if ((rc = acl_visible_set(w->st, w->txn, w->account, &vis)) != ZSQ_OK)
		goto out;
	w->vis = VIS_KNOWN;
	if (vis.n <= VIS_SMALL || vis.n * VIS_SHARE <= w->ngroups) {
		rc = walk_ords(w, &vis);
		goto out;
	}
	if ((rc = plan_choose(w, 0, vis.n / 4, &best)) != ZSQ_OK)
		goto out;
	if (best.c != NULL) {
		if ((rc = plan_collect(w, &best, &set)) == ZSQ_OK) {
			ordset_intersect(&set, &vis);
			rc = walk_ords(w, &set);
		}
		goto out;
	}
	w->nbits = vis.o[vis.n - 1] + (size_t)1;
	if ((w->bits = calloc((w->nbits + 7) / 8, 1)) == NULL) {
		rc = ZSQ_ENOMEM;
		goto out;
	}
	for (i = 0; i < vis.n; i++)
		w->bits[vis.o[i] >> 3] |= (unsigned char)(1u << (vis.o[i] & 7));
	w->vis = VIS_BITMAP;
	rc = walk_all(w);
out:
	free(w->bits);
	w->bits = NULL;
	ordset_free(&set);
	ordset_free(&vis);
	return rc;
}

/* Sort the kept matches, then drop the first start. */
static void
page_sorted(const struct query *q, struct query_result *res)
{
	int desc = q->sort_desc;
	size_t from;

	/* An empty page has no array at all: qsort(NULL, 0) is undefined. */
	if (res->n == 0)
		return;
	qsort_r(res->m, res->n, sizeof(*res->m), match_cmp, &desc);
	from = (uint64_t)q->start < res->n ? (size_t)q->start : res->n;
	memmove(res->m, res->m + from, (res->n - from) * sizeof(*res->m));
	res->n -= from;
}

static uint64_t
etag_compute(const struct query *q, const struct query_result *res)
{
	uint64_t h = RECORD_FNV_INIT;
	uint32_t shape[3];
	size_t i;

	for (i = 0; i < res->n; i++) {
		h = record_fnv(h, res->m[i].uuid, UUID_LEN);
		h = record_fnv(h, &res->m[i].hash, sizeof(res->m[i].hash));
	}
	h = record_fnv(h, &res->total, sizeof(res->total));
	shape[0] = (uint32_t)q->count;
	shape[1] = (uint32_t)q->reply_with_count;
	shape[2] = q->fields_mask;
	return record_fnv(h, shape, sizeof(shape));
}

int
query_run(const struct store *st, MDB_txn *txn, const char *account,
    const struct query *q, struct query_result *res, struct apierr *err)
{
	const struct cond *uc = uuid_cond(q);
	struct walk w;
	MDB_stat ms;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&w, 0, sizeof(w));
	w.st = st;
	w.txn = txn;
	w.account = account;
	w.q = q;
	w.res = res;
	w.sorted = q->sort_leaf >= 0 && !q->count;
	w.need_total = q->count || q->reply_with_count;
	/* limit=0 shows nothing, so nothing before it need be kept. */
	w.keep = q->limit > 0 ? (size_t)q->start + (size_t)q->limit : 0;
	w.vis = acl_is_admin(account) ? VIS_ALL : VIS_LOOKUP;
	/* One shares cursor for the whole walk: tenancy runs per candidate. */
	if ((rc = mdb_cursor_open(txn, st->shares, &w.shares)) !=
	    MDB_SUCCESS) {
		w.shares = NULL;
		rc = store_err(rc);
	} else if ((rc = mdb_stat(txn, st->groups, &ms)) != MDB_SUCCESS)
		rc = store_err(rc);
	else {
		w.ngroups = ms.ms_entries;
		if (uc != NULL && !q->no_index)
			rc = walk_uuids(&w, uc);
		else if (q->no_index)
			rc = walk_all(&w);
		else if (w.vis == VIS_ALL)
			rc = run_admin(&w);
		else
			rc = run_tenant(&w);
	}
	if (rc == WALK_FULL)
		rc = ZSQ_OK;
	if (rc == ZSQ_ENOMEM || rc == ZSQ_ETIMEOUT || rc == ZSQ_ECANCELED)
		goto fail;
	if (rc != ZSQ_OK) {
		/* LMDB's text is for the log, not for a client. */
		log_msg(LOG_ERR, "query: reading the store failed: %s",
		    zsq_strerror(rc));
		rc = apierr_json(err, APIERR_INTERNAL, "reading the store "
		    "failed");
		goto fail;
	}
	if (w.sorted)
		page_sorted(q, res);
	res->etag = etag_compute(q, res);
	goto done;
fail:
	query_result_free(res);
done:
	if (w.shares != NULL)
		mdb_cursor_close(w.shares);
	return rc;
}

void
query_result_free(struct query_result *res)
{
	free(res->m);
	memset(res, 0, sizeof(*res));
}
