/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record.h - the stored form of one group: the value of the "groups"
 * database, keyed by the group's 32-character lowercase uuid.
 *
 * A record is written once, at import (render.c builds it), and read on
 * every request without parsing JSON.  It holds:
 *
 *   - the group's JSON exactly as a reply sends it (API.md §6: Gson dates in
 *     the store's time zone, HTML-safe escaping, section 8 order), with
 *     the byte range of each top-level field's  "name":value  segment so
 *     `fields` can project by concatenating ranges;
 *   - the schema entries of the group's objects, relative to the group,
 *     already in ZStack's order (reversed post-order), each tagged with
 *     the top-level field it lives under so `fields` can drop entries;
 *   - the compact values: every scalar leaf (schema.h) of every object,
 *     sorted by leaf id and in document order within a leaf, so a condition
 *     compares typed values instead of text;
 *   - the system and user tags.
 *
 * Layout (host byte order; LMDB files are not portable across endianness
 * anyway): struct rec_head at offset 0, then the leaf table, the compact
 * values, the tags, the schema entries and last the JSON.  What a
 * condition reads (head, table, values, tags) comes first, so a scan
 * touches the first pages of a record and never the body.  Values in the
 * map need not be aligned: read the head with record_open() (which copies
 * it) and sections with the iterators below.
 *
 * Leaf table: nleaves + 1 u32 offsets into the values section; leaf L's
 * values are the bytes [off[L], off[L + 1]), so a condition reaches its
 * leaf in one step (record_vals_leaf()) whatever else the group holds.
 *
 * Compact value entry:   u16 leaf id, u8 kind, then by kind:
 *   REC_NULL   nothing (the parent object exists, the field is null/absent)
 *   REC_STR    u32 length, bytes (raw UTF-8 as imported, unescaped)
 *   REC_INT    i64 (Integer, Long)
 *   REC_BOOL   u8 0/1
 *   REC_TIME   i64 seconds since the epoch (dates keep second precision)
 * Schema entry:   u8 top (index of the top-level group field the object is
 *   under, REC_TOP_SELF for the group itself), u8 class (enum oclass),
 *   u16 length, path bytes relative to the group (e.g. ".instances[1].vm";
 *   empty for the group).
 * Tag entry:   u8 kind (REC_TAG_SYSTEM / REC_TAG_USER), u32 length, bytes.
 */
#ifndef ZSQ_RECORD_H
#define ZSQ_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "store/schema.h"

#define REC_MAGIC	0x3251535aU	/* "ZSQ2" */
#define REC_SRC_LEN	16	/* bytes of rec_head.src */
#define REC_TOP_SELF	0xff

enum rec_kind { REC_NULL, REC_STR, REC_INT, REC_BOOL, REC_TIME };
enum rec_tag { REC_TAG_SYSTEM, REC_TAG_USER };

struct rec_range {
	uint32_t	off;		/* from the start of the record */
	uint32_t	len;		/* 0: absent */
};

struct rec_head {
	uint32_t	magic;
	uint32_t	size;		/* whole record, bytes */
	char		owner[32];	/* owning account uuid */
	uint32_t	ord;		/* the group's ordinal (store.h) */
	uint32_t	nleaves;	/* leaf table entries, less one */
	uint64_t	hash;		/* FNV-1a 64 of json + tags: ETag input */
	unsigned char	src[REC_SRC_LEN]; /* digest of the input the record
					   was rendered from (import.h);
					   zero when unknown */
	struct rec_range table;		/* leaf table */
	struct rec_range vals;		/* compact values */
	struct rec_range tags;		/* tags */
	struct rec_range schema;	/* schema entries */
	uint32_t	nschema;
	struct rec_range json;		/* the rendered group object {...} */
	struct rec_range field[SCHEMA_GROUP_FIELDS]; /* "name":value segments */
	struct rec_range extra;		/* unknown fields "a":1,"b":2 (or len 0) */
};

/* One compact value, as the iterator hands it out. */
struct rec_val {
	unsigned	 leaf;
	enum rec_kind	 kind;
	const char	*str;		/* REC_STR */
	uint32_t	 len;		/* REC_STR */
	int64_t		 num;		/* REC_INT, REC_BOOL (0/1), REC_TIME */
};

struct rec_schema {
	unsigned	 top;
	enum oclass	 oc;
	const char	*path;
	uint16_t	 len;
};

struct rec_tagval {
	enum rec_tag	 kind;
	const char	*str;
	uint32_t	 len;
};

/* A cursor over one section; p/end bound it, never read past end. */
struct rec_iter {
	const unsigned char *p, *end;
};

/*
 * Validate the head of data[0..size) and copy it to *h.  Returns ZSQ_OK or
 * ZSQ_ESTORE when the record is truncated or any range falls outside it;
 * after ZSQ_OK every range in *h is safe to use.
 */
int	record_open(const void *data, size_t size, struct rec_head *h);

void	record_vals_begin(const void *data, const struct rec_head *h,
	    struct rec_iter *it);
/* 1 and *v filled, 0 at the end, -1 on a malformed entry. */
int	record_vals_next(struct rec_iter *it, struct rec_val *v);
/*
 * Position it on leaf's values alone (one table lookup): iterating gives
 * exactly that leaf's values, in document order.  A table that points
 * outside the values section (a damaged record) gives a malformed entry.
 */
void	record_vals_leaf(const void *data, const struct rec_head *h,
	    unsigned leaf, struct rec_iter *it);

void	record_schema_begin(const void *data, const struct rec_head *h,
	    struct rec_iter *it);
int	record_schema_next(struct rec_iter *it, struct rec_schema *s);

void	record_tags_begin(const void *data, const struct rec_head *h,
	    struct rec_iter *it);
int	record_tags_next(struct rec_iter *it, struct rec_tagval *t);

/* Encoders used by the renderer (append to a struct buf; ZSQ_* codes). */
struct buf;
int	record_put_val(struct buf *b, unsigned leaf, enum rec_kind kind,
	    const char *str, uint32_t len, int64_t num);
int	record_put_schema(struct buf *b, unsigned top, enum oclass oc,
	    const char *path, uint16_t len);
int	record_put_tag(struct buf *b, enum rec_tag kind, const char *str,
	    uint32_t len);

/*
 * The sections of a record, as record_assemble() lays them out: vals is
 * sorted by leaf (document order within a leaf), json holds the group
 * object, field[] and extra are ranges inside json (len 0: absent).
 */
struct rec_parts {
	const char	*owner;		/* 32 bytes */
	uint32_t	 ord;
	const unsigned char *src;	/* REC_SRC_LEN bytes or NULL */
	const struct buf *vals, *tags, *schema, *json;
	uint32_t	 nschema;
	struct rec_range field[SCHEMA_GROUP_FIELDS];
	struct rec_range extra;
};
/* Build the record into rec (reset first): ZSQ_OK, ZSQ_ETOOBIG, ENOMEM. */
int	record_assemble(const struct rec_parts *p, struct buf *rec);

/* Set the ordinal / owner / input digest of a record in place. */
void	record_set_ord(void *rec, uint32_t ord);
void	record_set_owner(void *rec, const char *owner);
void	record_set_src(void *rec, const unsigned char *src);

#endif
