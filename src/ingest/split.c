/* SPDX-License-Identifier: Apache-2.0 */
/* split.c - cut an import stream into groups; see split.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/jscan.h"
#include "base/vec.h"
#include "ingest/split.h"

#define BLOCK		((size_t)1 << 20)
#define KEY_MAX		32	/* longer reply keys are just skipped */
#define NO_MARK		SIZE_MAX

enum phase {
	PH_START,	/* nothing read yet */
	PH_ELEM_FIRST,	/* after '[' */
	PH_ELEM_NEXT,	/* after an array element */
	PH_REPLY_REST,	/* after a reply key's value */
	PH_LINES,	/* between groups of the one-per-line form */
	PH_TRAILER,	/* after the array or the reply: only whitespace */
	PH_DONE
};

void
split_init(struct split *sp, FILE *in, struct buf *err)
{
	memset(sp, 0, sizeof(*sp));
	sp->in = in;
	sp->err = err;
	sp->mark = NO_MARK;
	sp->phase = PH_START;
}

void
split_free(struct split *sp)
{
	free(sp->buf);
	sp->buf = NULL;
	sp->len = sp->pos = sp->cap = 0;
}

uint64_t
split_offset(const struct split *sp)
{
	return sp->base + sp->pos;
}

/*
 * Read more input behind what is kept (the group being cut, else nothing
 * before pos).  0 at the end of the input, on a read error, on memory
 * exhaustion or when the group outgrew SPLIT_MAX_ELEM (sp->toobig).
 */
static int
sp_fill(struct split *sp)
{
	size_t keep = sp->mark != NO_MARK ? sp->mark : sp->pos, n;

	if (keep > 0) {
		memmove(sp->buf, sp->buf + keep, sp->len - keep);
		sp->base += keep;
		sp->len -= keep;
		sp->pos -= keep;
		if (sp->mark != NO_MARK)
			sp->mark = 0;
	}
	if (sp->mark != NO_MARK && sp->len > SPLIT_MAX_ELEM) {
		sp->toobig = 1;
		return 0;
	}
	/*
	 * Room for a block: BLOCK bytes at first, then doubled (vec.h) when
	 * less than half a block is free, a large group being cut.
	 */
	if (sp->cap - sp->len < BLOCK / 2 &&
	    vec_grow(&sp->buf, &sp->cap, sp->len + BLOCK, 1) != ZSQ_OK)
		return 0;
	n = fread(sp->buf + sp->len, 1, sp->cap - sp->len, sp->in);
	sp->len += n;
	return n > 0;
}

static inline int
sp_get(struct split *sp)
{
	if (sp->pos == sp->len && !sp_fill(sp))
		return EOF;
	return sp->buf[sp->pos++];
}

static int
sp_ws(struct split *sp)
{
	int c;

	do
		c = sp_get(sp);
	while (c == ' ' || c == '\t' || c == '\n' || c == '\r');
	return c;
}

/* An error about the input; names the record being read when inside one. */
static int
sp_fail(struct split *sp, int in_record, const char *what)
{
	if (sp->toobig) {
		(void)buf_printf(sp->err, "record %lu: larger than %zu MiB",
		    sp->nrec + 1, SPLIT_MAX_ELEM >> 20);
		return ZSQ_ETOOBIG;
	}
	if (in_record)
		(void)buf_printf(sp->err, "record %lu: %s (byte %llu)",
		    sp->nrec + 1, what, (unsigned long long)split_offset(sp));
	else
		(void)buf_printf(sp->err, "input: %s (byte %llu)", what,
		    (unsigned long long)split_offset(sp));
	return ZSQ_EINVAL;
}

/*
 * Skip the string, object or array whose first byte is at pos (jscan.h),
 * reading on as far as it goes.
 */
static int
scan_nested(struct split *sp, int in_record)
{
	struct jscan js;
	int rc;

	jscan_init(&js, 0);
	while ((rc = jscan_skip(&js, (const char *)sp->buf, sp->len,
	    &sp->pos)) == 0)
		if (!sp_fill(sp))
			return sp_fail(sp, in_record, js.str != JSCAN_OUT ?
			    "unexpected end of input in a string" :
			    "unexpected end of input");
	if (rc == 1)
		return ZSQ_OK;
	sp->pos++;	/* past the faulty byte, as if read (sp_get) */
	return sp_fail(sp, in_record, js.fault == JSCAN_DEEP ?
	    "nested too deeply" : "invalid JSON: mismatched brackets");
}

/*
 * Skip one JSON value whose first byte c was read; in_record says whether
 * it is a group being cut (for messages).  Only structure is checked here.
 */
static int
scan_value(struct split *sp, int c, int in_record)
{
	if (c == EOF)
		return sp_fail(sp, in_record, "unexpected end of input");
	if (c == '"' || c == '{' || c == '[' || c == '}' || c == ']') {
		sp->pos--;	/* c is buf[pos - 1]: scanned from there */
		return scan_nested(sp, in_record);
	}
	/* A scalar at the top: up to the next delimiter. */
	while ((c = sp_get(sp)) != EOF && c != ',' && c != ']' && c != '}' &&
	    c != ' ' && c != '\t' && c != '\n' && c != '\r')
		;
	if (c != EOF)
		sp->pos--;
	else if (sp->toobig)
		return sp_fail(sp, in_record, "");
	return ZSQ_OK;
}

/* Read a key string (opening quote consumed) into key, at most KEY_MAX. */
static int
read_key(struct split *sp, char *key, size_t *klen)
{
	int c;

	*klen = 0;
	while ((c = sp_get(sp)) != '"') {
		if (c == EOF)
			return sp_fail(sp, 0, "unexpected end of input");
		if (*klen <= KEY_MAX)
			key[(*klen)++] = (char)c;
		if (c == '\\' && (c = sp_get(sp)) != EOF && *klen <= KEY_MAX)
			key[(*klen)++] = (char)c;
	}
	return ZSQ_OK;
}

static int
key_is(const char *key, size_t klen, const char *name)
{
	return klen == strlen(name) && memcmp(key, name, klen) == 0;
}

static int
is_reply_key(const char *key, size_t klen)
{
	return key_is(key, klen, "schema") || key_is(key, klen, "total") ||
	    key_is(key, klen, "success") || key_is(key, klen, "error") ||
	    key_is(key, klen, "inventories");
}

/* The value of a reply key (key read, ':' not yet). */
static int
reply_value(struct split *sp, const char *key, size_t klen)
{
	int c;

	if (sp_ws(sp) != ':')
		return sp_fail(sp, 0, "expected ':' in the reply");
	c = sp_ws(sp);
	if (!key_is(key, klen, "inventories")) {
		sp->phase = PH_REPLY_REST;
		return scan_value(sp, c, 0);
	}
	if (sp->inventories)
		return sp_fail(sp, 0, "'inventories' given twice");
	sp->inventories = 1;
	if (c != '[')
		return sp_fail(sp, 0, "'inventories' is not an array");
	sp->phase = PH_ELEM_FIRST;
	return ZSQ_OK;
}

/* First byte was '{' (marked): a reply, or the line form's first group. */
static int
split_object(struct split *sp, int *got)
{
	char key[KEY_MAX + 1];
	size_t klen;
	int c, rc;

	c = sp_ws(sp);
	if (c == '"') {
		if ((rc = read_key(sp, key, &klen)) != ZSQ_OK)
			return rc;
		if (is_reply_key(key, klen)) {
			sp->mark = NO_MARK;
			sp->reply = 1;
			return reply_value(sp, key, klen);
		}
	}
	sp->phase = PH_LINES;
	/* The group from its '{' on (kept from mark), the first key again. */
	sp->pos = sp->mark;
	if ((rc = scan_nested(sp, 1)) != ZSQ_OK)
		return rc;
	*got = 1;
	return ZSQ_OK;
}

/* Cut one value starting with c as the next group. */
static int
cut_value(struct split *sp, int c, int *got)
{
	int rc;

	sp->mark = sp->pos - (c != EOF);
	if ((rc = scan_value(sp, c, 1)) != ZSQ_OK)
		return rc;
	*got = 1;
	return ZSQ_OK;
}

int
split_next(struct split *sp, const char **elem, size_t *len, int *got)
{
	char key[KEY_MAX + 1];
	size_t klen;
	int c, rc;

	*got = 0;
	sp->mark = NO_MARK;
	while (*got == 0) {
		switch (sp->phase) {
		case PH_START:
			c = sp_ws(sp);
			/* A UTF-8 byte order mark, as some editors write. */
			if (c == 0xef && sp_get(sp) == 0xbb &&
			    sp_get(sp) == 0xbf)
				c = sp_ws(sp);
			if (c == '[')
				sp->phase = PH_ELEM_FIRST;
			else if (c == '{') {
				sp->mark = sp->pos - 1;
				if ((rc = split_object(sp, got)) != ZSQ_OK)
					return rc;
			} else if (c == EOF)
				return sp_fail(sp, 0, "empty, no JSON");
			else
				return sp_fail(sp, 0,
				    "expected a JSON object or array");
			break;
		case PH_ELEM_FIRST:
		case PH_ELEM_NEXT:
			c = sp_ws(sp);
			if (c == ']') {
				sp->phase = sp->reply ? PH_REPLY_REST :
				    PH_TRAILER;
				break;
			}
			if (sp->phase == PH_ELEM_NEXT) {
				if (c != ',')
					return sp_fail(sp, c != EOF,
					    c == EOF ? "unexpected end of input" :
					    "expected ',' or ']' after a record");
				c = sp_ws(sp);
			}
			if ((rc = cut_value(sp, c, got)) != ZSQ_OK)
				return rc;
			sp->phase = PH_ELEM_NEXT;
			break;
		case PH_REPLY_REST:
			c = sp_ws(sp);
			if (c == '}') {
				if (!sp->inventories)
					return sp_fail(sp, 0,
					    "a reply without 'inventories'");
				sp->phase = PH_TRAILER;
				break;
			}
			if (c != ',' || sp_ws(sp) != '"')
				return sp_fail(sp, 0, "malformed reply object");
			if ((rc = read_key(sp, key, &klen)) != ZSQ_OK ||
			    (rc = reply_value(sp, key, klen)) != ZSQ_OK)
				return rc;
			break;
		case PH_LINES:
			c = sp_ws(sp);
			if (c == EOF) {
				sp->phase = PH_DONE;
				break;
			}
			if (c != '{')
				return sp_fail(sp, 1,
				    "expected '{' (one group per line)");
			if ((rc = cut_value(sp, c, got)) != ZSQ_OK)
				return rc;
			break;
		case PH_TRAILER:
			if (sp_ws(sp) != EOF)
				return sp_fail(sp, 0, sp->reply ?
				    "garbage after the reply" :
				    "garbage after the array");
			sp->phase = PH_DONE;
			break;
		case PH_DONE:
			return ZSQ_OK;
		}
	}
	*elem = (const char *)sp->buf + sp->mark;
	*len = sp->pos - sp->mark;
	if (*len > SPLIT_MAX_ELEM) {
		sp->toobig = 1;
		return sp_fail(sp, 1, "");
	}
	sp->nrec++;
	return ZSQ_OK;
}

/*
 * Past a string's closing quote from just after its opening one; n: end.
 * n + 1 when the string is not closed before n, a '\' last included:
 * its escape would step past n, and the caller must read no byte there.
 */
static size_t
skip_string(const char *p, size_t i, size_t n)
{
	while (i < n && p[i] != '"')
		i += p[i] == '\\' ? 2 : 1;
	return i < n ? i + 1 : n + 1;
}

static size_t
skip_ws(const char *p, size_t i, size_t n)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' ||
	    p[i] == '\r'))
		i++;
	return i;
}

int
split_top_uuid(const char *p, size_t n, char *out)
{
	size_t i = 0, s;
	int depth = 0, want_key = 0;

	while (i < n) {
		switch (p[i]) {
		case '"':
			s = i + 1;
			if ((i = skip_string(p, s, n)) > n)
				return 0;	/* cut inside a string */
			if (depth != 1 || !want_key)
				break;
			want_key = 0;
			if (i - s != 5 || memcmp(p + s, "uuid", 4) != 0)
				break;
			i = skip_ws(p, i, n);
			if (i >= n || p[i] != ':')
				return 0;
			i = skip_ws(p, i + 1, n);
			if (i + 34 > n || p[i] != '"' || p[i + 33] != '"' ||
			    memchr(p + i + 1, '\\', 32) != NULL)
				return 0;
			memcpy(out, p + i + 1, 32);
			return 1;
		case '{':
		case '[':
			want_key = ++depth == 1 && p[i] == '{';
			i++;
			break;
		case '}':
		case ']':
			depth--;
			i++;
			break;
		case ',':
			want_key = depth == 1;
			i++;
			break;
		default:
			i++;
			break;
		}
	}
	return 0;
}
