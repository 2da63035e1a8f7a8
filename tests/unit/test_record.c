/* SPDX-License-Identifier: Apache-2.0 */
/* test_record.c - encoding and bounded reading of stored records. */
#include <stdint.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/errors.h"
#include "base/hash.h"
#include "store/record.h"
#include "store/schema.h"
#include "t.h"

/* A record of the given sections (record_assemble builds the table). */
static void
build(struct buf *rec, const struct buf *vals, const struct buf *schema,
    const struct buf *tags)
{
	struct buf json = BUF_INIT;
	struct rec_parts p;

	buf_puts(&json, "{\"uuid\":\"x\"}");
	memset(&p, 0, sizeof(p));
	p.owner = "0123456789abcdef0123456789abcdef";
	p.ord = 7;
	p.vals = vals;
	p.tags = tags;
	p.schema = schema;
	p.json = &json;
	p.nschema = 2;
	p.field[0].off = 1;
	p.field[0].len = 10;
	CHECK(record_assemble(&p, rec) == ZSQ_OK);
	buf_free(&json);
}

int
main(void)
{
	struct buf vals = BUF_INIT, schema = BUF_INIT, tags = BUF_INIT;
	struct buf rec = BUF_INIT;
	struct rec_head h;
	struct rec_iter it;
	struct rec_val v;
	struct rec_schema s;
	struct rec_tagval t;
	size_t cut;

	schema_init();
	CHECK(record_put_val(&vals, 0, REC_STR, "abc", 3, 0) == ZSQ_OK);
	CHECK(record_put_val(&vals, 5, REC_NULL, NULL, 0, 0) == ZSQ_OK);
	CHECK(record_put_val(&vals, 7, REC_INT, NULL, 0, -42) == ZSQ_OK);
	CHECK(record_put_val(&vals, 7, REC_INT, NULL, 0, INT64_MAX) == ZSQ_OK);
	CHECK(record_put_val(&vals, 9, REC_BOOL, NULL, 0, 1) == ZSQ_OK);
	CHECK(record_put_val(&vals, 11, REC_TIME, NULL, 0, 1510669257) ==
	    ZSQ_OK);
	CHECK(record_put_schema(&schema, REC_TOP_SELF, OC_GROUP, "", 0) ==
	    ZSQ_OK);
	CHECK(record_put_schema(&schema, 3, OC_INSTANCE, ".instances[0]",
	    13) == ZSQ_OK);
	CHECK(record_put_tag(&tags, REC_TAG_USER, "gpu", 3) == ZSQ_OK);
	build(&rec, &vals, &schema, &tags);

	CHECK(record_open(rec.data, rec.len, &h) == ZSQ_OK);
	CHECK(memcmp(h.owner, "0123456789abcdef", 16) == 0);
	record_vals_begin(rec.data, &h, &it);
	CHECK(record_vals_next(&it, &v) == 1 && v.leaf == 0 &&
	    v.kind == REC_STR);
	CHECK_MEM(v.str, v.len, "abc");
	CHECK(record_vals_next(&it, &v) == 1 && v.leaf == 5 &&
	    v.kind == REC_NULL);
	CHECK(record_vals_next(&it, &v) == 1 && v.num == -42);
	CHECK(record_vals_next(&it, &v) == 1 && v.num == INT64_MAX);
	CHECK(record_vals_next(&it, &v) == 1 && v.kind == REC_BOOL &&
	    v.num == 1);
	CHECK(record_vals_next(&it, &v) == 1 && v.kind == REC_TIME &&
	    v.num == 1510669257);
	CHECK(record_vals_next(&it, &v) == 0);

	/* The leaf table: exactly one leaf's values, none for an absent leaf. */
	CHECK(h.ord == 7 && h.nleaves == schema_nleaves());
	CHECK(h.vals.off < h.json.off && h.tags.off < h.json.off);
	CHECK_MEM(rec.data + h.field[0].off, h.field[0].len, "\"uuid\":\"x\"");
	record_vals_leaf(rec.data, &h, 7, &it);
	CHECK(record_vals_next(&it, &v) == 1 && v.leaf == 7 && v.num == -42);
	CHECK(record_vals_next(&it, &v) == 1 && v.leaf == 7 &&
	    v.num == INT64_MAX);
	CHECK(record_vals_next(&it, &v) == 0);
	record_vals_leaf(rec.data, &h, 6, &it);
	CHECK(record_vals_next(&it, &v) == 0);
	record_vals_leaf(rec.data, &h, 0, &it);
	CHECK(record_vals_next(&it, &v) == 1 && v.leaf == 0);
	CHECK(record_vals_next(&it, &v) == 0);
	record_vals_leaf(rec.data, &h, 100000, &it);
	CHECK(record_vals_next(&it, &v) == 0);
	/* Values out of leaf order cannot make a table. */
	{
		struct buf bad = BUF_INIT, r2 = BUF_INIT, js = BUF_INIT;
		struct rec_parts p;

		record_put_val(&bad, 9, REC_BOOL, NULL, 0, 1);
		record_put_val(&bad, 2, REC_BOOL, NULL, 0, 1);
		buf_puts(&js, "{}");
		memset(&p, 0, sizeof(p));
		p.owner = "0123456789abcdef0123456789abcdef";
		p.vals = &bad;
		p.json = &js;
		CHECK(record_assemble(&p, &r2) == ZSQ_EINVAL);
		buf_free(&bad);
		buf_free(&r2);
		buf_free(&js);
	}
	CHECK(record_open(rec.data, rec.len, &h) == ZSQ_OK);

	record_schema_begin(rec.data, &h, &it);
	CHECK(record_schema_next(&it, &s) == 1 && s.top == REC_TOP_SELF &&
	    s.oc == OC_GROUP && s.len == 0);
	CHECK(record_schema_next(&it, &s) == 1 && s.top == 3 &&
	    s.oc == OC_INSTANCE);
	CHECK_MEM(s.path, s.len, ".instances[0]");
	CHECK(record_schema_next(&it, &s) == 0);

	record_tags_begin(rec.data, &h, &it);
	CHECK(record_tags_next(&it, &t) == 1 && t.kind == REC_TAG_USER);
	CHECK_MEM(t.str, t.len, "gpu");
	CHECK(record_tags_next(&it, &t) == 0);

	/* Truncation anywhere is caught by the size check ... */
	for (cut = 0; cut < rec.len; cut++)
		CHECK(record_open(rec.data, cut, &h) == ZSQ_ESTORE);
	/* ... and a lying section length by the range check. */
	memcpy(&h, rec.data, sizeof(h));
	h.vals.len = h.size;
	memcpy(rec.data, &h, sizeof(h));
	CHECK(record_open(rec.data, rec.len, &h) == ZSQ_ESTORE);
	/* A table pointing past its section gives a malformed entry. */
	build(&rec, &vals, &schema, &tags);
	memcpy(&h, rec.data, sizeof(h));
	{
		uint32_t big = h.vals.len + 1;

		memcpy(rec.data + h.table.off + 4 * 8, &big, 4);
	}
	CHECK(record_open(rec.data, rec.len, &h) == ZSQ_OK);
	record_vals_leaf(rec.data, &h, 7, &it);
	CHECK(record_vals_next(&it, &v) == -1);
	/* A truncated entry inside a valid range is reported, not read. */
	build(&rec, &vals, &schema, &tags);
	memcpy(&h, rec.data, sizeof(h));
	h.vals.len = 5;		/* cuts the first string entry */
	memcpy(rec.data, &h, sizeof(h));
	CHECK(record_open(rec.data, rec.len, &h) == ZSQ_OK);
	record_vals_begin(rec.data, &h, &it);
	CHECK(record_vals_next(&it, &v) == -1);

	CHECK(hash_fnv1a(HASH_FNV1A_INIT, "", 0) == HASH_FNV1A_INIT);
	CHECK(hash_fnv1a(HASH_FNV1A_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
	buf_free(&vals);
	buf_free(&schema);
	buf_free(&tags);
	buf_free(&rec);
	return t_done();
}
