/* SPDX-License-Identifier: Apache-2.0 */
/* record.c - reading and encoding the stored group record; see record.h. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "base/errors.h"
#include "base/hash.h"
#include "store/record.h"

static int
range_ok(const struct rec_range *r, size_t size)
{
	return r->off <= size && r->len <= size - r->off;
}

int
record_open(const void *data, size_t size, struct rec_head *h)
{
	unsigned i;

	if (size < sizeof(*h))
		return ZSQ_ESTORE;
	memcpy(h, data, sizeof(*h));
	if (h->magic != REC_MAGIC || h->size != size)
		return ZSQ_ESTORE;
	if (!range_ok(&h->table, size) || !range_ok(&h->vals, size) ||
	    !range_ok(&h->tags, size) || !range_ok(&h->schema, size) ||
	    !range_ok(&h->json, size) || !range_ok(&h->extra, size))
		return ZSQ_ESTORE;
	if (h->nleaves >= UINT32_MAX / 4 ||
	    h->table.len != (h->nleaves + 1) * 4)
		return ZSQ_ESTORE;
	for (i = 0; i < SCHEMA_GROUP_FIELDS; i++)
		if (!range_ok(&h->field[i], size))
			return ZSQ_ESTORE;
	return ZSQ_OK;
}

static void
iter_begin(const void *data, const struct rec_range *r, struct rec_iter *it)
{
	it->p = (const unsigned char *)data + r->off;
	it->end = it->p + r->len;
}

void
record_vals_begin(const void *data, const struct rec_head *h,
    struct rec_iter *it)
{
	iter_begin(data, &h->vals, it);
}

int
record_vals_next(struct rec_iter *it, struct rec_val *v)
{
	uint16_t leaf;
	uint32_t len;

	if (it->p == it->end)
		return 0;
	if (it->end - it->p < 3)
		return -1;
	memcpy(&leaf, it->p, 2);
	v->leaf = leaf;
	v->kind = (enum rec_kind)it->p[2];
	it->p += 3;
	v->str = NULL;
	v->len = 0;
	v->num = 0;
	switch (v->kind) {
	case REC_NULL:
		return 1;
	case REC_STR:
		if (it->end - it->p < 4)
			return -1;
		memcpy(&len, it->p, 4);
		it->p += 4;
		if ((size_t)(it->end - it->p) < len)
			return -1;
		v->str = (const char *)it->p;
		v->len = len;
		it->p += len;
		return 1;
	case REC_INT:
	case REC_TIME:
		if (it->end - it->p < 8)
			return -1;
		memcpy(&v->num, it->p, 8);
		it->p += 8;
		return 1;
	case REC_BOOL:
		if (it->end - it->p < 1)
			return -1;
		v->num = it->p[0] != 0;
		it->p += 1;
		return 1;
	}
	return -1;
}

void
record_vals_leaf(const void *data, const struct rec_head *h, unsigned leaf,
    struct rec_iter *it)
{
	const unsigned char *t = (const unsigned char *)data + h->table.off;
	uint32_t from, to;

	it->p = it->end = (const unsigned char *)data + h->vals.off;
	if (leaf >= h->nleaves)
		return;
	memcpy(&from, t + 4 * (size_t)leaf, 4);
	memcpy(&to, t + 4 * (size_t)leaf + 4, 4);
	/* A damaged table: one byte that cannot be a whole entry. */
	if (from > to || to > h->vals.len) {
		it->end = it->p + (h->vals.len > 0);
		return;
	}
	it->p += from;
	it->end = it->p + (to - from);
}

void
record_schema_begin(const void *data, const struct rec_head *h,
    struct rec_iter *it)
{
	iter_begin(data, &h->schema, it);
}

int
record_schema_next(struct rec_iter *it, struct rec_schema *s)
{
	uint16_t len;

	if (it->p == it->end)
		return 0;
	if (it->end - it->p < 4)
		return -1;
	s->top = it->p[0];
	s->oc = (enum oclass)it->p[1];
	memcpy(&len, it->p + 2, 2);
	it->p += 4;
	if ((size_t)(it->end - it->p) < len || s->oc >= OC_COUNT)
		return -1;
	s->path = (const char *)it->p;
	s->len = len;
	it->p += len;
	return 1;
}

void
record_tags_begin(const void *data, const struct rec_head *h,
    struct rec_iter *it)
{
	iter_begin(data, &h->tags, it);
}

int
record_tags_next(struct rec_iter *it, struct rec_tagval *t)
{
	uint32_t len;

	if (it->p == it->end)
		return 0;
	if (it->end - it->p < 5)
		return -1;
	t->kind = (enum rec_tag)it->p[0];
	memcpy(&len, it->p + 1, 4);
	it->p += 5;
	if ((size_t)(it->end - it->p) < len)
		return -1;
	t->str = (const char *)it->p;
	t->len = len;
	it->p += len;
	return 1;
}

int
record_put_val(struct buf *b, unsigned leaf, enum rec_kind kind,
    const char *str, uint32_t len, int64_t num)
{
	unsigned char head[3];
	uint16_t l16 = (uint16_t)leaf;
	unsigned char one;

	memcpy(head, &l16, 2);
	head[2] = (unsigned char)kind;
	if (buf_append(b, head, 3) != ZSQ_OK)
		return ZSQ_ENOMEM;
	switch (kind) {
	case REC_NULL:
		return ZSQ_OK;
	case REC_STR:
		if (buf_append(b, &len, 4) != ZSQ_OK)
			return ZSQ_ENOMEM;
		return buf_append(b, str, len);
	case REC_INT:
	case REC_TIME:
		return buf_append(b, &num, 8);
	case REC_BOOL:
		one = num != 0;
		return buf_append(b, &one, 1);
	}
	return ZSQ_EINVAL;
}

int
record_put_schema(struct buf *b, unsigned top, enum oclass oc,
    const char *path, uint16_t len)
{
	unsigned char head[4];

	head[0] = (unsigned char)top;
	head[1] = (unsigned char)oc;
	memcpy(head + 2, &len, 2);
	if (buf_append(b, head, 4) != ZSQ_OK)
		return ZSQ_ENOMEM;
	return buf_append(b, path, len);
}

int
record_put_tag(struct buf *b, enum rec_tag kind, const char *str,
    uint32_t len)
{
	unsigned char head[5];

	head[0] = (unsigned char)kind;
	memcpy(head + 1, &len, 4);
	if (buf_append(b, head, 5) != ZSQ_OK)
		return ZSQ_ENOMEM;
	return buf_append(b, str, len);
}

/* Append sec and point r at it (r's offset is from the record start). */
static int
section(struct buf *rec, const struct buf *sec, struct rec_range *r)
{
	if (sec == NULL || sec->len == 0) {
		r->off = (uint32_t)rec->len;
		r->len = 0;
		return ZSQ_OK;
	}
	if (rec->len + sec->len > UINT32_MAX)
		return ZSQ_ETOOBIG;
	r->off = (uint32_t)rec->len;
	r->len = (uint32_t)sec->len;
	return buf_append(rec, sec->data, sec->len);
}

/* The leaf table of vals (sorted by leaf) into table: nleaves + 1 u32. */
static int
table_build(const struct buf *vals, unsigned nleaves, struct buf *table)
{
	struct rec_iter it;
	struct rec_val v;
	const unsigned char *base = vals != NULL ?
	    (const unsigned char *)vals->data : NULL;
	uint32_t off;
	unsigned leaf = 0;
	int r;

	it.p = base;
	it.end = base + (vals != NULL ? vals->len : 0);
	for (;;) {
		off = (uint32_t)(it.p - base);
		if ((r = record_vals_next(&it, &v)) < 0)
			return ZSQ_EINVAL;
		/* Every leaf up to this value's starts here. */
		while (leaf <= (r == 1 ? v.leaf : nleaves) && leaf <= nleaves) {
			if (buf_append(table, &off, 4) != ZSQ_OK)
				return ZSQ_ENOMEM;
			leaf++;
		}
		if (r == 0)
			return ZSQ_OK;
		/* Past the last leaf, or out of order (its start is gone). */
		if (v.leaf >= nleaves || v.leaf + 1 < leaf)
			return ZSQ_EINVAL;
	}
}

int
record_assemble(const struct rec_parts *p, struct buf *rec)
{
	struct rec_head h;
	struct buf table = BUF_INIT;
	unsigned i;
	int rc;

	memset(&h, 0, sizeof(h));
	h.nleaves = schema_nleaves();
	if ((rc = table_build(p->vals, h.nleaves, &table)) != ZSQ_OK)
		goto out;
	buf_reset(rec);
	if ((rc = buf_append(rec, &h, sizeof(h))) != ZSQ_OK ||
	    (rc = section(rec, &table, &h.table)) != ZSQ_OK ||
	    (rc = section(rec, p->vals, &h.vals)) != ZSQ_OK ||
	    (rc = section(rec, p->tags, &h.tags)) != ZSQ_OK ||
	    (rc = section(rec, p->schema, &h.schema)) != ZSQ_OK ||
	    (rc = section(rec, p->json, &h.json)) != ZSQ_OK)
		goto out;
	h.magic = REC_MAGIC;
	h.size = (uint32_t)rec->len;
	memcpy(h.owner, p->owner, sizeof(h.owner));
	h.ord = p->ord;
	if (p->src != NULL)
		memcpy(h.src, p->src, REC_SRC_LEN);
	h.nschema = p->nschema;
	for (i = 0; i < SCHEMA_GROUP_FIELDS; i++)
		if (p->field[i].len > 0) {
			h.field[i].off = h.json.off + p->field[i].off;
			h.field[i].len = p->field[i].len;
		}
	if (p->extra.len > 0) {
		h.extra.off = h.json.off + p->extra.off;
		h.extra.len = p->extra.len;
	}
	h.hash = hash_fnv1a(HASH_FNV1A_INIT, p->json ? p->json->data : NULL,
	    p->json ? p->json->len : 0);
	if (p->tags != NULL && p->tags->len > 0)
		h.hash = hash_fnv1a(h.hash, p->tags->data, p->tags->len);
	memcpy(rec->data, &h, sizeof(h));
out:
	buf_free(&table);
	return rc;
}

void
record_set_ord(void *rec, uint32_t ord)
{
	memcpy((char *)rec + offsetof(struct rec_head, ord), &ord, sizeof(ord));
}

void
record_set_owner(void *rec, const char *owner)
{
	memcpy((char *)rec + offsetof(struct rec_head, owner), owner, 32);
}

void
record_set_src(void *rec, const unsigned char *src)
{
	memcpy((char *)rec + offsetof(struct rec_head, src), src, REC_SRC_LEN);
}
