/* record.c - reading and encoding the stored group record; see record.h. */
#include <string.h>

#include "buf.h"
#include "errors.h"
#include "record.h"

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
	if (!range_ok(&h->json, size) || !range_ok(&h->extra, size) ||
	    !range_ok(&h->schema, size) || !range_ok(&h->vals, size) ||
	    !range_ok(&h->tags, size))
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
record_vals_seek(const void *data, const struct rec_head *h, unsigned leaf,
    struct rec_iter *it)
{
	struct rec_iter probe;
	struct rec_val v;

	/* Linear: a record holds tens to a few hundred values. */
	record_vals_begin(data, h, it);
	probe = *it;
	while (record_vals_next(&probe, &v) == 1 && v.leaf < leaf)
		*it = probe;
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

uint64_t
record_fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n--) {
		h ^= *s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}
