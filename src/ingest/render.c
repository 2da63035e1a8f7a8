/* SPDX-License-Identifier: Apache-2.0 */
/* render.c - build a group's stored record from its JSON; see render.h. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "base/errors.h"
#include "base/gson.h"
#include "base/hash.h"
#include "base/text.h"
#include "base/vec.h"
#include "ingest/render.h"
#include "store/record.h"
#include "store/schema.h"

#define MAX_FIELDS	32	/* more than any class of schema.c has */
#define SNIPPET_MAX	48	/* bytes of a bad value quoted in a message */

/* A compact value before sorting: seq keeps document order in a leaf. */
struct pval {
	unsigned	 leaf;
	size_t		 seq;
	enum rec_kind	 kind;
	const char	*str;
	uint32_t	 len;
	int64_t		 num;
};

/* A schema entry in post-order; its path lives in rctx.paths. */
struct pent {
	unsigned	 top;
	enum oclass	 oc;
	size_t		 off;
	size_t		 len;
};

struct rctx {
	struct buf	 json;
	struct buf	 path;		/* ".instances[1].vm", "" for the group */
	struct buf	 paths;
	struct pent	*ents;
	size_t		 nents, capents;
	struct pval	*vals;
	size_t		 nvals, capvals;
	struct buf	*err;
	struct rec_range field[SCHEMA_GROUP_FIELDS];	/* offsets in json */
	struct rec_range extra;
};

/* leaf_of[class][field index]: the leaf id, or -1 for non-scalars. */
static int leaf_of[OC_COUNT][MAX_FIELDS];
/* quoted[class][field index]: "name": as rendered. */
static char quoted[OC_COUNT][MAX_FIELDS][40];
/*
 * (class, key) -> field index, open addressing: a group has hundreds of
 * keys, and matching each against its class's names one by one showed.
 */
#define NAME_SLOTS	512
static struct {
	const char	*name;		/* NULL: empty */
	size_t		 len;
	unsigned char	 oc, fi;
} names[NAME_SLOTS];
static int leaf_ready;

static size_t
name_slot(unsigned oc, const char *key, size_t len)
{
	return (size_t)(hash_fnv1a(HASH_FNV1A_INIT + oc, key, len) %
	    NAME_SLOTS);
}

/* The field index of key in class oc, or -1. */
static int
field_of(enum oclass oc, const char *key, size_t len)
{
	size_t i;

	for (i = name_slot(oc, key, len); names[i].name != NULL;
	    i = (i + 1) % NAME_SLOTS)
		if (names[i].oc == oc && names[i].len == len &&
		    memcmp(names[i].name, key, len) == 0)
			return names[i].fi;
	return -1;
}

static void
leaf_table_init(void)
{
	const struct objclass *cl;
	const struct leaf *l;
	unsigned id, oc, fi;
	size_t i, n;

	if (leaf_ready)
		return;
	schema_init();
	memset(leaf_of, 0xff, sizeof(leaf_of));	/* all bits set: -1 */
	/* Every class sits at exactly one path, so (class, field) is a leaf. */
	for (id = 0; id < schema_nleaves(); id++) {
		l = schema_leaf(id);
		if (l->hop[l->depth] < MAX_FIELDS)
			leaf_of[l->owner][l->hop[l->depth]] = (int)id;
	}
	for (oc = 0; oc < OC_COUNT; oc++) {
		cl = schema_class((enum oclass)oc);
		for (fi = 0; fi < cl->nfields && fi < MAX_FIELDS; fi++) {
			/* Field names need no escaping: plain ASCII words. */
			snprintf(quoted[oc][fi], sizeof(quoted[oc][fi]),
			    "\"%s\":", cl->fields[fi].name);
			n = strlen(cl->fields[fi].name);
			for (i = name_slot(oc, cl->fields[fi].name, n);
			    names[i].name != NULL; i = (i + 1) % NAME_SLOTS)
				;
			names[i].name = cl->fields[fi].name;
			names[i].len = n;
			names[i].oc = (unsigned char)oc;
			names[i].fi = (unsigned char)fi;
		}
	}
	leaf_ready = 1;
}

void
render_init(void)
{
	leaf_table_init();
}

/* Append v to err, at most SNIPPET_MAX bytes, control bytes as '?'. */
static void
snippet(struct buf *err, const char *s, size_t n)
{
	size_t i;

	(void)buf_putc(err, '\'');
	for (i = 0; i < n && i < SNIPPET_MAX; i++)
		(void)buf_putc(err, text_printable(s[i]));
	(void)buf_puts(err, i < n ? "...'" : "'");
}

/* "field '<path>.<name>': <message>"; returns ZSQ_EINVAL. */
static int
fail(struct rctx *c, const char *name, const char *fmt, ...)
{
	va_list ap;

	(void)buf_puts(c->err, "field '");
	if (c->path.len > 0) {
		(void)buf_append(c->err, c->path.data + 1, c->path.len - 1);
		(void)buf_putc(c->err, '.');
	}
	(void)buf_printf(c->err, "%s': ", name);
	va_start(ap, fmt);
	(void)buf_vprintf(c->err, fmt, ap);
	va_end(ap);
	return ZSQ_EINVAL;
}

static int
val_add(struct rctx *c, int leaf, enum rec_kind kind, const char *str,
    size_t len, int64_t num)
{
	struct pval *v;

	if (leaf < 0)
		return ZSQ_OK;
	if (len > UINT32_MAX)
		return ZSQ_ETOOBIG;
	if (VEC_GROW(&c->vals, &c->capvals, c->nvals + 1) != ZSQ_OK)
		return ZSQ_ENOMEM;
	v = &c->vals[c->nvals];
	v->leaf = (unsigned)leaf;
	v->seq = c->nvals++;
	v->kind = kind;
	v->str = str;
	v->len = (uint32_t)len;
	v->num = num;
	return ZSQ_OK;
}

static int
ent_add(struct rctx *c, unsigned top, enum oclass oc)
{
	struct pent *e;

	if (c->path.len > UINT16_MAX)
		return ZSQ_ETOOBIG;
	if (VEC_GROW(&c->ents, &c->capents, c->nents + 1) != ZSQ_OK)
		return ZSQ_ENOMEM;
	e = &c->ents[c->nents++];
	e->top = top;
	e->oc = oc;
	e->off = c->paths.len;
	e->len = c->path.len;
	return buf_append(&c->paths, c->path.data ? c->path.data : "",
	    c->path.len);
}

/* An integer in decimal, without printf's machinery. */
static int
put_int(struct buf *b, json_int_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	/* Negating in unsigned arithmetic keeps the minimum defined. */
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	return buf_append(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* Any JSON value, for unknown fields: Gson drops nulls in objects only. */
static int
render_any(struct buf *b, json_t *v)
{
	const char *key;
	json_t *e;
	size_t i;
	int rc, first = 1;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (buf_putc(b, '{'))
			return ZSQ_ENOMEM;
		json_object_foreach(v, key, e) {
			if (json_is_null(e))
				continue;
			if ((!first && buf_putc(b, ',')) ||
			    gson_escape(b, key, strlen(key), 1) ||
			    buf_putc(b, ':'))
				return ZSQ_ENOMEM;
			if ((rc = render_any(b, e)) != ZSQ_OK)
				return rc;
			first = 0;
		}
		return buf_putc(b, '}');
	case JSON_ARRAY:
		if (buf_putc(b, '['))
			return ZSQ_ENOMEM;
		json_array_foreach(v, i, e) {
			if (i > 0 && buf_putc(b, ','))
				return ZSQ_ENOMEM;
			if ((rc = render_any(b, e)) != ZSQ_OK)
				return rc;
		}
		return buf_putc(b, ']');
	case JSON_STRING:
		return gson_escape(b, json_string_value(v),
		    json_string_length(v), 1);
	case JSON_INTEGER:
		return put_int(b, json_integer_value(v));
	case JSON_REAL:
		return gson_double(b, json_real_value(v));
	case JSON_TRUE:
		return buf_puts(b, "true");
	case JSON_FALSE:
		return buf_puts(b, "false");
	case JSON_NULL:
		return buf_puts(b, "null");
	}
	return ZSQ_EINVAL;
}

static int render_object(struct rctx *, enum oclass, json_t *, unsigned);

/* A Timestamp: date string or epoch milliseconds, to seconds. */
static int
timestamp_value(struct rctx *c, const char *name, json_t *v, int64_t *secs)
{
	json_int_t ms;

	if (json_is_integer(v)) {
		ms = json_integer_value(v);
		/* Floor, so times before 1970 keep the second they are in. */
		*secs = ms / 1000 - (ms % 1000 < 0);
		return ZSQ_OK;
	}
	if (json_is_string(v)) {
		if (date_parse(json_string_value(v), json_string_length(v),
		    secs) == ZSQ_OK)
			return ZSQ_OK;
		fail(c, name, "not a valid date: ");
		snippet(c->err, json_string_value(v), json_string_length(v));
		return ZSQ_EINVAL;
	}
	return fail(c, name, "expected a date (string or epoch milliseconds)");
}

/* A scalar field: validate, record its compact value, render it. */
static int
render_scalar(struct rctx *c, const struct field *f, int leaf, json_t *v)
{
	json_int_t n;
	int64_t secs;
	int rc;

	switch (f->type) {
	case FT_STRING:
		if (!json_is_string(v))
			return fail(c, f->name, "expected a string");
		if ((rc = val_add(c, leaf, REC_STR, json_string_value(v),
		    json_string_length(v), 0)) != ZSQ_OK)
			return rc;
		return gson_escape(&c->json, json_string_value(v),
		    json_string_length(v), 1);
	case FT_INT:
	case FT_LONG:
		if (!json_is_integer(v))
			return fail(c, f->name, "expected an integer");
		n = json_integer_value(v);
		if (f->type == FT_INT && (n < INT32_MIN || n > INT32_MAX))
			return fail(c, f->name,
			    "integer out of range (32 bits)");
		if ((rc = val_add(c, leaf, REC_INT, NULL, 0, n)) != ZSQ_OK)
			return rc;
		return put_int(&c->json, n);
	case FT_BOOL:
		if (!json_is_boolean(v))
			return fail(c, f->name, "expected true or false");
		if ((rc = val_add(c, leaf, REC_BOOL, NULL, 0,
		    json_is_true(v))) != ZSQ_OK)
			return rc;
		return buf_puts(&c->json, json_is_true(v) ? "true" : "false");
	case FT_TIMESTAMP:
		if ((rc = timestamp_value(c, f->name, v, &secs)) != ZSQ_OK)
			return rc;
		if ((rc = val_add(c, leaf, REC_TIME, NULL, 0, secs)) != ZSQ_OK)
			return rc;
		if (buf_putc(&c->json, '"'))
			return ZSQ_ENOMEM;
		if ((rc = gson_date(&c->json, secs)) != ZSQ_OK)
			return rc == ZSQ_EINVAL ?
			    fail(c, f->name, "date out of range") : rc;
		return buf_putc(&c->json, '"');
	default:
		return ZSQ_EINVAL;
	}
}

static int
render_bytes(struct rctx *c, const struct field *f, json_t *v)
{
	json_int_t n;
	json_t *e;
	size_t i;

	if (!json_is_array(v))
		return fail(c, f->name, "expected an array of bytes");
	if (buf_putc(&c->json, '['))
		return ZSQ_ENOMEM;
	json_array_foreach(v, i, e) {
		if (!json_is_integer(e) || (n = json_integer_value(e)) < -128 ||
		    n > 255)
			return fail(c, f->name,
			    "expected an array of bytes (-128..255)");
		/* Java's byte is signed: 192 is -64. */
		if ((i > 0 && buf_putc(&c->json, ',')) ||
		    put_int(&c->json, n > 127 ? n - 256 : n))
			return ZSQ_ENOMEM;
	}
	return buf_putc(&c->json, ']');
}

static int
render_strlist(struct rctx *c, const struct field *f, json_t *v)
{
	json_t *e;
	size_t i;

	if (!json_is_array(v))
		return fail(c, f->name, "expected a list of strings");
	if (buf_putc(&c->json, '['))
		return ZSQ_ENOMEM;
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			return fail(c, f->name, "expected a list of strings");
		if ((i > 0 && buf_putc(&c->json, ',')) ||
		    gson_escape(&c->json, json_string_value(e),
		    json_string_length(e), 1))
			return ZSQ_ENOMEM;
	}
	return buf_putc(&c->json, ']');
}

static int
render_map(struct rctx *c, const struct field *f, json_t *v)
{
	const char *key;
	json_t *e;
	int first = 1;

	if (!json_is_object(v))
		return fail(c, f->name, "expected an object of strings");
	if (buf_putc(&c->json, '{'))
		return ZSQ_ENOMEM;
	/* jansson iterates in insertion order: keys keep import order. */
	json_object_foreach(v, key, e) {
		if (json_is_null(e))
			continue;
		if (!json_is_string(e))
			return fail(c, f->name, "expected an object of strings");
		if ((!first && buf_putc(&c->json, ',')) ||
		    gson_escape(&c->json, key, strlen(key), 1) ||
		    buf_putc(&c->json, ':') ||
		    gson_escape(&c->json, json_string_value(e),
		    json_string_length(e), 1))
			return ZSQ_ENOMEM;
		first = 0;
	}
	return buf_putc(&c->json, '}');
}

/* One nested object at c->path + suffix; the path is restored after. */
static int
render_child(struct rctx *c, enum oclass oc, json_t *v, unsigned top,
    const char *name, long idx)
{
	size_t mark = c->path.len;
	int rc;

	if (!json_is_object(v))
		return fail(c, name, "expected an object");
	rc = idx < 0 ? buf_printf(&c->path, ".%s", name) :
	    buf_printf(&c->path, ".%s[%ld]", name, idx);
	if (rc == ZSQ_OK)
		rc = render_object(c, oc, v, top);
	c->path.len = mark;
	return rc;
}

static int
render_list(struct rctx *c, const struct field *f, json_t *v, unsigned top)
{
	json_t *e;
	size_t i;
	int rc;

	if (!json_is_array(v))
		return fail(c, f->name, "expected a list of objects");
	if (buf_putc(&c->json, '['))
		return ZSQ_ENOMEM;
	json_array_foreach(v, i, e) {
		if (i > 0 && buf_putc(&c->json, ','))
			return ZSQ_ENOMEM;
		if (!json_is_object(e)) {
			fail(c, f->name, "element %zu: expected an object", i);
			return ZSQ_EINVAL;
		}
		if ((rc = render_child(c, f->child, e, top, f->name,
		    (long)i)) != ZSQ_OK)
			return rc;
	}
	return buf_putc(&c->json, ']');
}

/* Keys the group carries that are neither fields nor rendered. */
static int
is_tag_key(enum oclass oc, const char *key)
{
	return oc == OC_GROUP &&
	    (strcmp(key, "systemTags") == 0 || strcmp(key, "userTags") == 0);
}

/*
 * Render obj of class oc at c->path.  top is the group field the object
 * lives under (REC_TOP_SELF for the group).  The schema entry is added
 * after the children: post-order, reversed when the record is assembled.
 */
static int
render_object(struct rctx *c, enum oclass oc, json_t *obj, unsigned top)
{
	const struct objclass *cl = schema_class(oc);
	const struct field *f;
	json_t *slot[MAX_FIELDS], *v;
	const char *key;
	size_t start, xstart = 0, klen;
	unsigned i;
	int rc, first = 1, leaf, fi, unknown = 0;

	/* One pass over the keys: each known one to its field's slot. */
	memset(slot, 0, sizeof(slot));
	json_object_foreach(obj, key, v) {
		klen = strlen(key);
		if ((fi = field_of(oc, key, klen)) >= 0)
			slot[fi] = v;
		else if (!json_is_null(v) && !is_tag_key(oc, key))
			unknown = 1;
	}
	if (buf_putc(&c->json, '{'))
		return ZSQ_ENOMEM;
	for (i = 0; i < cl->nfields; i++) {
		f = &cl->fields[i];
		leaf = leaf_of[oc][i];
		v = slot[i];
		if (v == NULL || json_is_null(v)) {
			if ((rc = val_add(c, leaf, REC_NULL, NULL, 0, 0)))
				return rc;
			continue;
		}
		if (!first && buf_putc(&c->json, ','))
			return ZSQ_ENOMEM;
		start = c->json.len;
		if (buf_puts(&c->json, quoted[oc][i]))
			return ZSQ_ENOMEM;
		switch (f->type) {
		case FT_BYTES:
			rc = render_bytes(c, f, v);
			break;
		case FT_STRLIST:
			rc = render_strlist(c, f, v);
			break;
		case FT_MAP:
			rc = render_map(c, f, v);
			break;
		case FT_OBJECT:
			rc = render_child(c, f->child, v,
			    oc == OC_GROUP ? i : top, f->name, -1);
			break;
		case FT_LIST:
			rc = render_list(c, f, v, oc == OC_GROUP ? i : top);
			break;
		default:
			rc = render_scalar(c, f, leaf, v);
			break;
		}
		if (rc != ZSQ_OK)
			return rc;
		if (oc == OC_GROUP && i < SCHEMA_GROUP_FIELDS) {
			c->field[i].off = (uint32_t)start;
			c->field[i].len = (uint32_t)(c->json.len - start);
		}
		first = 0;
	}
	json_object_foreach(obj, key, v) {
		if (!unknown)
			break;
		klen = strlen(key);
		if (json_is_null(v) || is_tag_key(oc, key) ||
		    field_of(oc, key, klen) >= 0)
			continue;
		if (!first && buf_putc(&c->json, ','))
			return ZSQ_ENOMEM;
		start = c->json.len;
		if (xstart == 0)
			xstart = start;
		if (gson_escape(&c->json, key, klen, 1) ||
		    buf_putc(&c->json, ':'))
			return ZSQ_ENOMEM;
		if ((rc = render_any(&c->json, v)) != ZSQ_OK)
			return rc;
		first = 0;
	}
	if (oc == OC_GROUP && xstart > 0) {
		c->extra.off = (uint32_t)xstart;
		c->extra.len = (uint32_t)(c->json.len - xstart);
	}
	if (buf_putc(&c->json, '}'))
		return ZSQ_ENOMEM;
	if (cl->java == NULL)
		return ZSQ_OK;
	return ent_add(c, top, oc);
}

static int
render_tags(struct rctx *c, json_t *group, struct buf *tags)
{
	static const struct { const char *name; enum rec_tag kind; } tk[] = {
		{ "systemTags", REC_TAG_SYSTEM }, { "userTags", REC_TAG_USER }
	};
	json_t *v, *e;
	size_t i, k;

	for (k = 0; k < 2; k++) {
		v = json_object_get(group, tk[k].name);
		if (v == NULL || json_is_null(v))
			continue;
		if (!json_is_array(v))
			return fail(c, tk[k].name, "expected a list of strings");
		json_array_foreach(v, i, e) {
			if (!json_is_string(e))
				return fail(c, tk[k].name,
				    "expected a list of strings");
			if (json_string_length(e) > UINT32_MAX)
				return ZSQ_ETOOBIG;
			if (record_put_tag(tags, tk[k].kind,
			    json_string_value(e),
			    (uint32_t)json_string_length(e)))
				return ZSQ_ENOMEM;
		}
	}
	return ZSQ_OK;
}

static int
uuid_ok(json_t *v)
{
	const char *s = json_string_value(v);

	return s != NULL && text_uuid_valid(s, json_string_length(v));
}

static int
pval_cmp(const void *a, const void *b)
{
	const struct pval *x = a, *y = b;

	if (x->leaf != y->leaf)
		return x->leaf < y->leaf ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Schema entries (reversed post-order), values (by leaf), then the rest. */
static int
assemble(struct rctx *c, const char *owner, const struct buf *tags,
    struct buf *rec)
{
	struct rec_parts p;
	struct buf sch = BUF_INIT, vals = BUF_INIT;
	const struct pval *v;
	const struct pent *e;
	size_t i;
	int rc;

	for (i = c->nents; i-- > 0;) {
		e = &c->ents[i];
		if ((rc = record_put_schema(&sch, e->top, e->oc,
		    c->paths.data + e->off, (uint16_t)e->len)) != ZSQ_OK)
			goto out;
	}
	qsort(c->vals, c->nvals, sizeof(*c->vals), pval_cmp);
	for (i = 0; i < c->nvals; i++) {
		v = &c->vals[i];
		if ((rc = record_put_val(&vals, v->leaf, v->kind, v->str,
		    v->len, v->num)) != ZSQ_OK)
			goto out;
	}
	memset(&p, 0, sizeof(p));
	p.owner = owner;
	p.vals = &vals;
	p.tags = tags;
	p.schema = &sch;
	p.json = &c->json;
	p.nschema = (uint32_t)c->nents;
	memcpy(p.field, c->field, sizeof(p.field));
	p.extra = c->extra;
	rc = record_assemble(&p, rec);
out:
	buf_free(&sch);
	buf_free(&vals);
	return rc;
}

int
render_group(json_t *group, const char *owner, struct buf *rec,
    struct buf *err)
{
	struct rctx c;
	struct buf tags = BUF_INIT;
	json_t *uuid;
	int rc;

	leaf_table_init();
	memset(&c, 0, sizeof(c));
	c.err = err;
	if (owner == NULL || strlen(owner) != 32)
		return ZSQ_EINVAL;
	if (!json_is_object(group)) {
		(void)buf_puts(err, "not a JSON object");
		return ZSQ_EINVAL;
	}
	uuid = json_object_get(group, "uuid");
	if (uuid == NULL || json_is_null(uuid)) {
		rc = fail(&c, "uuid", "missing");
		goto out;
	}
	if (!uuid_ok(uuid)) {
		rc = fail(&c, "uuid", "expected 32 lowercase hex characters");
		goto out;
	}
	if ((rc = render_object(&c, OC_GROUP, group, REC_TOP_SELF)) != ZSQ_OK ||
	    (rc = render_tags(&c, group, &tags)) != ZSQ_OK)
		goto out;
	rc = assemble(&c, owner, &tags, rec);
out:
	buf_free(&c.json);
	buf_free(&c.path);
	buf_free(&c.paths);
	buf_free(&tags);
	free(c.ents);
	free(c.vals);
	return rc;
}

json_t *
render_parse(const char *json, size_t len, json_error_t *je)
{
	return json_loadb(json, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL |
	    JSON_DECODE_ANY, je);
}

int
render_json(const char *json, size_t len, const char *owner,
    struct buf *rec, struct buf *err)
{
	json_error_t je;
	json_t *group;
	int rc;

	if ((group = render_parse(json, len, &je)) == NULL) {
		text_oneline(je.text, strlen(je.text));
		(void)buf_printf(err, "invalid JSON: %s", je.text);
		return ZSQ_EINVAL;
	}
	rc = render_group(group, owner, rec, err);
	json_decref(group);
	return rc;
}
