/* SPDX-License-Identifier: Apache-2.0 */
/* cond.c - one q condition: parse, prepare, match; see cond.h. */
#define _GNU_SOURCE		/* memmem */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/date.h"
#include "base/errors.h"
#include "base/num.h"
#include "base/text.h"
#include "query/cond.h"
#include "query/like.h"
#include "query/params.h"

static const char *const op_text[COND_NOPS] = {
	"!=", ">=", "<=", "!?=", "!~=", "~=", "?=", "=", ">", "<",
	"is null", "not null"
};

/* ZStack's QueryOp names, used in the "key-value pair" 400 (API.md §10). */
static const char *const op_name[COND_NOPS] = {
	"!=", ">=", "<=", "not in", "not like", "like", "in", "=", ">", "<",
	"is null", "is not null"
};

#define TAG_SYSTEM	"__systemTag__"
#define TAG_USER	"__userTag__"
#define TAG_UUID	"__tagUuid__"

const char *
cond_op_text(enum cond_op op)
{
	return op < COND_NOPS ? op_text[op] : "?";
}

const char *
cond_op_name(enum cond_op op)
{
	return op < COND_NOPS ? op_name[op] : "?";
}

int
cond_strcmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i, n = alen < blen ? alen : blen;
	int ca, cb;

	for (i = 0; i < n; i++) {
		ca = text_fold((unsigned char)a[i]);
		cb = text_fold((unsigned char)b[i]);
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	return alen < blen ? -1 : alen > blen;
}

/* A 400 quoting the condition whole: it may hold any byte, even NUL. */
static int
bad_cond(struct apierr *err, const char *text, size_t len, const char *post,
    const char *op)
{
	int rc;

	if ((rc = apierr_text(err, 400, "Invalid query parameter. The '")) !=
	    ZSQ_EINVAL)
		return rc;
	if (buf_append(&err->msg, text, len) != ZSQ_OK ||
	    buf_puts(&err->msg, post) != ZSQ_OK ||
	    buf_puts(&err->msg, op) != ZSQ_OK)
		return ZSQ_ENOMEM;
	return ZSQ_EINVAL;
}

/*
 * The parse-time bounds (cond.h) on a split condition: a 400 naming the
 * field and the bound, or ZSQ_OK.
 */
static int
cond_bounds(const struct cond *c, struct apierr *err)
{
	const char *v = c->text + c->value_off;
	size_t i, items = 1;
	int nlen = (int)c->name_len;
	const char *name = c->text + c->name_off;

	if ((c->op == COND_LIKE || c->op == COND_NOT_LIKE) &&
	    c->value_len > COND_LIKE_MAX)
		return apierr_text(err, 400, "Invalid query parameter. The "
		    "pattern of '%.*s %s' in parameter[q] is %zu bytes long; "
		    "at most %d are accepted", nlen > 64 ? 64 : nlen, name,
		    op_name[c->op], c->value_len, COND_LIKE_MAX);
	if (c->op != COND_IN && c->op != COND_NOT_IN)
		return ZSQ_OK;
	for (i = 0; i < c->value_len; i++)
		items += v[i] == ',';
	if (items > COND_IN_MAX)
		return apierr_text(err, 400, "Invalid query parameter. The list "
		    "of '%.*s %s' in parameter[q] has %zu items; at most %d "
		    "are accepted", nlen > 64 ? 64 : nlen, name,
		    op_name[c->op], items, COND_IN_MAX);
	return ZSQ_OK;
}

int
cond_parse(struct cond *c, const char *text, size_t len, struct apierr *err)
{
	const char *at = NULL, *name;
	size_t nlen, oplen;
	int op, rc;

	/* Before anything quotes it: only its start is shown. */
	if (len > COND_TEXT_MAX)
		return apierr_text(err, 400, "Invalid query parameter. The "
		    "condition '%.64s...' in parameter[q] is %zu bytes long; at "
		    "most %d are accepted", text, len, COND_TEXT_MAX);
	for (op = 0; op < COND_NOPS; op++)
		if ((at = memmem(text, len, op_text[op],
		    strlen(op_text[op]))) != NULL)
			break;
	if (at == NULL)
		return bad_cond(err, text, len, "' in the parameter[q] doesn't "
		    "contain any query operator. Valid query operators are "
		    "[[!=, >=, <=, !?=, !~=, ~=, ?=, =, >, <, is null, "
		    "not null]]", "");
	name = text;
	nlen = (size_t)(at - text);
	params_trim(&name, &nlen);
	if (nlen == 0)
		return bad_cond(err, text, len, "' in parameter[q] is not a "
		    "key-value pair split by ", op_name[op]);
	if ((c->text = malloc(len + 1)) == NULL)
		return ZSQ_ENOMEM;
	memcpy(c->text, text, len);
	c->text[len] = '\0';
	c->textlen = len;
	c->op = (enum cond_op)op;
	c->name_off = (size_t)(name - text);
	c->name_len = nlen;
	oplen = strlen(op_text[op]);
	/* `is null` / `not null` ignore whatever follows (API.md §5). */
	c->value_off = (size_t)(at - text) + oplen;
	c->value_len = op >= COND_IS_NULL ? 0 : len - c->value_off;
	if ((rc = cond_bounds(c, err)) != ZSQ_OK) {
		free(c->text);
		memset(c, 0, sizeof(*c));
	}
	return rc;
}

int
cond_set(struct cond *c, enum cond_op op, const char *name,
    const char *value, size_t vlen)
{
	size_t nlen = strlen(name), olen = strlen(op_text[op]);

	if ((c->text = malloc(nlen + olen + vlen + 1)) == NULL)
		return ZSQ_ENOMEM;
	memcpy(c->text, name, nlen);
	memcpy(c->text + nlen, op_text[op], olen);
	memcpy(c->text + nlen + olen, value, vlen);
	c->textlen = nlen + olen + vlen;
	c->text[c->textlen] = '\0';
	c->op = op;
	c->name_off = 0;
	c->name_len = nlen;
	c->value_off = nlen + olen;
	c->value_len = vlen;
	return ZSQ_OK;
}

static int
is_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

static int
num2(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

int
cond_parse_time(const char *s, size_t n, int64_t *t)
{
	int h = 0, mi = 0, sec = 0;

	if (n != 10 && n != 19)
		return ZSQ_EINVAL;
	if (!is_digits(s, 4) || s[4] != '-' || !is_digits(s + 5, 2) ||
	    s[7] != '-' || !is_digits(s + 8, 2))
		return ZSQ_EINVAL;
	if (n == 19) {
		if (s[10] != ' ' || !is_digits(s + 11, 2) || s[13] != ':' ||
		    !is_digits(s + 14, 2) || s[16] != ':' ||
		    !is_digits(s + 17, 2))
			return ZSQ_EINVAL;
		h = num2(s + 11);
		mi = num2(s + 14);
		sec = num2(s + 17);
	}
	/* Java's SimpleDateFormat lets the zone decide DST; so does this. */
	return date_mktime(num2(s) * 100 + num2(s + 2), num2(s + 5),
	    num2(s + 8), h, mi, sec, t);
}

static int
parse_lit(struct cond *c, struct cond_lit *l, struct apierr *err)
{
	const char *field = c->text + c->name_off;
	int name_len = (int)c->name_len;
	int rc = ZSQ_OK;

	if (c->target != COND_LEAF || c->leaf->type == FT_STRING) {
		if (c->op == COND_LIKE || c->op == COND_NOT_LIKE)
			return like_compile(&l->like, l->str, l->len);
		return ZSQ_OK;
	}
	if (c->op == COND_LIKE || c->op == COND_NOT_LIKE)
		return apierr_json(err, APIERR_ARGUMENT, "the operator '%s' "
		    "applies to String fields only, but field '%.*s' is %s",
		    op_name[c->op], name_len, field,
		    schema_ftype_name(c->leaf->type));
	switch (c->leaf->type) {
	case FT_INT:
	case FT_LONG:
		rc = num_parse_i64(l->str, l->len, INT64_MIN, INT64_MAX,
		    &l->num);
		break;
	case FT_BOOL:
		if (l->len == 4 && strncasecmp(l->str, "true", 4) == 0)
			l->num = 1;
		else if (l->len == 5 && strncasecmp(l->str, "false", 5) == 0)
			l->num = 0;
		else
			rc = ZSQ_EINVAL;
		break;
	case FT_TIMESTAMP:
		rc = cond_parse_time(l->str, l->len, &l->num);
		break;
	default:
		rc = ZSQ_EINVAL;
		break;
	}
	if (rc != ZSQ_OK)
		return apierr_json(err, APIERR_ARGUMENT, "the value '%.*s' of "
		    "field '%.*s' is not a valid %s", (int)l->len, l->str,
		    name_len, field, schema_ftype_name(c->leaf->type));
	return ZSQ_OK;
}

static int
resolve(struct cond *c, struct apierr *err)
{
	const char *name = c->text + c->name_off;
	size_t n = c->name_len;

	if (n == strlen(TAG_SYSTEM) && memcmp(name, TAG_SYSTEM, n) == 0) {
		c->target = COND_SYSTEM_TAG;
		return ZSQ_OK;
	}
	if (n == strlen(TAG_USER) && memcmp(name, TAG_USER, n) == 0) {
		c->target = COND_USER_TAG;
		return ZSQ_OK;
	}
	c->target = COND_LEAF;
	switch (schema_leaf_lookup(name, n, &c->leaf)) {
	case SCHEMA_FOUND:
		return ZSQ_OK;
	case SCHEMA_NOT_LEAF:
		return apierr_query(err, "field '%.*s' is a "
		    "list, map or object and cannot be used in a condition",
		    (int)n, name);
	case SCHEMA_UNKNOWN:
		break;
	}
	/* __tagUuid__ lands here too: tags have no uuids in this store. */
	return apierr_query(err, "unknown field '%.*s' in "
	    "the query condition", (int)n, name);
}

int
cond_prepare(struct cond *c, struct apierr *err)
{
	const char *v = c->text + c->value_off, *comma;
	size_t n = c->value_len, i;
	int rc;

	if ((rc = resolve(c, err)) != ZSQ_OK)
		return rc;
	if (c->op == COND_IS_NULL || c->op == COND_NOT_NULL)
		return ZSQ_OK;
	c->nlits = 1;
	if (c->op == COND_IN || c->op == COND_NOT_IN)
		for (i = 0; i < n; i++)
			c->nlits += v[i] == ',';
	if ((c->lits = calloc(c->nlits, sizeof(*c->lits))) == NULL)
		return ZSQ_ENOMEM;
	for (i = 0; i < c->nlits; i++) {
		comma = i + 1 < c->nlits ? memchr(v, ',', n) : NULL;
		c->lits[i].str = v;
		c->lits[i].len = comma ? (size_t)(comma - v) : n;
		if ((rc = parse_lit(c, &c->lits[i], err)) != ZSQ_OK)
			return rc;
		if (comma) {
			n -= (size_t)(comma - v) + 1;
			v = comma + 1;
		}
	}
	return ZSQ_OK;
}

static int
lit_cmp(const struct cond_lit *l, const struct rec_val *v)
{
	if (v->kind == REC_STR)
		return cond_strcmp(v->str, v->len, l->str, l->len);
	return v->num < l->num ? -1 : v->num > l->num;
}

/* The operator on one non-null value (tags: only positive operators). */
static int
value_match(const struct cond *c, const struct rec_val *v)
{
	size_t i;
	int in = 0;

	switch (c->op) {
	case COND_EQ:
		return lit_cmp(&c->lits[0], v) == 0;
	case COND_NE:
		return lit_cmp(&c->lits[0], v) != 0;
	case COND_GT:
		return lit_cmp(&c->lits[0], v) > 0;
	case COND_LT:
		return lit_cmp(&c->lits[0], v) < 0;
	case COND_GE:
		return lit_cmp(&c->lits[0], v) >= 0;
	case COND_LE:
		return lit_cmp(&c->lits[0], v) <= 0;
	case COND_IN:
	case COND_NOT_IN:
		for (i = 0; i < c->nlits && !in; i++)
			in = lit_cmp(&c->lits[i], v) == 0;
		return c->op == COND_IN ? in : !in;
	case COND_LIKE:
	case COND_NOT_LIKE:
		in = v->kind == REC_STR && like_match(&c->lits[0].like,
		    v->str, v->len);
		return c->op == COND_LIKE ? in : !in;
	case COND_NOT_NULL:
		return 1;
	case COND_IS_NULL:
	case COND_NOPS:
		break;
	}
	return 0;
}

static int
leaf_match(const struct cond *c, const void *data, const struct rec_head *h)
{
	const struct leaf *lf = c->leaf;
	int want_str = lf->type == FT_STRING, seen = 0;
	struct rec_iter it;
	struct rec_val v;

	record_vals_leaf(data, h, lf->id, &it);
	while (record_vals_next(&it, &v) == 1 && v.leaf == lf->id) {
		seen = 1;
		if (v.kind == REC_NULL) {
			if (c->op == COND_IS_NULL)
				return 1;
			continue;
		}
		/* A value of the wrong kind never matches (fail closed). */
		if (c->op == COND_IS_NULL || (v.kind == REC_STR) != want_str)
			continue;
		if (value_match(c, &v))
			return 1;
	}
	/* A group field always has a parent: absent is null. */
	return !seen && lf->depth == 0 && c->op == COND_IS_NULL;
}

static enum cond_op
positive(enum cond_op op)
{
	switch (op) {
	case COND_NE:
		return COND_EQ;
	case COND_NOT_IN:
		return COND_IN;
	case COND_NOT_LIKE:
		return COND_LIKE;
	default:
		return op;
	}
}

static int
tag_match(const struct cond *c, const void *data, const struct rec_head *h)
{
	enum rec_tag kind = c->target == COND_SYSTEM_TAG ? REC_TAG_SYSTEM :
	    REC_TAG_USER;
	struct cond pos = *c;
	struct rec_iter it;
	struct rec_tagval t;
	struct rec_val v;
	int found = 0;

	if (c->op == COND_IS_NULL)
		return 0;
	pos.op = positive(c->op);
	memset(&v, 0, sizeof(v));
	v.kind = REC_STR;
	record_tags_begin(data, h, &it);
	while (!found && record_tags_next(&it, &t) == 1) {
		if (t.kind != kind)
			continue;
		v.str = t.str;
		v.len = t.len;
		found = value_match(&pos, &v);
	}
	return pos.op == c->op ? found : !found;
}

int
cond_match(const struct cond *c, const void *data, const struct rec_head *h)
{
	if (c->target == COND_LEAF)
		return leaf_match(c, data, h);
	return tag_match(c, data, h);
}

void
cond_free(struct cond *c)
{
	size_t i;

	for (i = 0; i < c->nlits; i++)
		like_free(&c->lits[i].like);
	free(c->lits);
	free(c->text);
	memset(c, 0, sizeof(*c));
}
