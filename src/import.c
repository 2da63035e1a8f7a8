/*
 * import.c - read ZStack replies into the store in two phases; see
 * import.h for the forms and policies.
 *
 * The input is split into one group at a time by a small scanner that only
 * balances brackets and strings; each group is then parsed by jansson,
 * rendered (render.c) and written.  The scanner reads untrusted bytes: it
 * bounds nesting (SPLIT_MAX_DEPTH) and a group's size (SPLIT_MAX_ELEM).
 * Besides one group, memory holds the set of uuids seen so far (for
 * repeats and --replace), some 80 bytes a group.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "acl.h"
#include "errors.h"
#include "import.h"
#include "index.h"
#include "record.h"
#include "render.h"
#include "schema.h"
#include "tz.h"

#define SPLIT_MAX_DEPTH	64		/* a group nests about 10 deep */
#define SPLIT_MAX_ELEM	((size_t)64 << 20)
#define KEY_MAX		32		/* longer reply keys are just skipped */

enum phase {
	PH_START,	/* nothing read yet */
	PH_ELEM_FIRST,	/* after '[' */
	PH_ELEM_NEXT,	/* after an array element */
	PH_REPLY_REST,	/* after a reply key's value */
	PH_LINES,	/* between groups of the one-per-line form */
	PH_TRAILER,	/* after the array or the reply: only whitespace */
	PH_DONE
};

struct split {
	FILE		*in;
	enum phase	 phase;
	int		 reply;		/* the array is a reply's inventories */
	int		 inventories;	/* the reply had them */
	int		 peek;		/* pushed-back byte or -2 */
	unsigned long	 off;		/* bytes read, for messages */
	unsigned long	 nrec;		/* records handed out */
	struct buf	*err;
};

static int
sp_get(struct split *sp)
{
	int c;

	if (sp->peek != -2) {
		c = sp->peek;
		sp->peek = -2;
		return c;
	}
	c = getc_unlocked(sp->in);	/* one reader: skip the lock */
	if (c != EOF)
		sp->off++;
	return c;
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
	if (in_record)
		(void)buf_printf(sp->err, "record %lu: %s (byte %lu)",
		    sp->nrec + 1, what, sp->off);
	else
		(void)buf_printf(sp->err, "input: %s (byte %lu)", what,
		    sp->off);
	return ZSQ_EINVAL;
}

static int
put(struct buf *out, int c)
{
	if (out == NULL)
		return ZSQ_OK;
	if (out->len >= SPLIT_MAX_ELEM)
		return ZSQ_ETOOBIG;
	return buf_putc(out, c);
}

/* Copy a string's bytes after its opening quote, the closing one too. */
static int
scan_string(struct split *sp, struct buf *out)
{
	int c, rc;

	while ((c = sp_get(sp)) != EOF) {
		if ((rc = put(out, c)) != ZSQ_OK)
			return rc;
		if (c == '"')
			return ZSQ_OK;
		if (c == '\\') {
			if ((c = sp_get(sp)) == EOF)
				break;
			if ((rc = put(out, c)) != ZSQ_OK)
				return rc;
		}
	}
	return sp_fail(sp, out != NULL, "unexpected end of input in a string");
}

/*
 * Copy (out != NULL) or skip one JSON value whose first byte c was read.
 * With open set, a '{' was already copied and its contents follow.
 * Only structure is checked here; jansson checks the rest.  Errors name
 * the record when copying one, the input when skipping a reply's value.
 */
static int
scan_value(struct split *sp, int c, struct buf *out, int open)
{
	char stack[SPLIT_MAX_DEPTH];
	int depth = 0, rc = ZSQ_OK;

	if (open)
		stack[depth++] = '}';
	for (;;) {
		if (c == EOF)
			return sp_fail(sp, out != NULL,
			    "unexpected end of input");
		if ((rc = put(out, c)) != ZSQ_OK)
			break;
		if (c == '"')
			rc = scan_string(sp, out);
		else if (c == '{' || c == '[') {
			if (depth == SPLIT_MAX_DEPTH)
				return sp_fail(sp, out != NULL,
				    "nested too deeply");
			stack[depth++] = c == '{' ? '}' : ']';
		} else if (c == '}' || c == ']') {
			if (depth == 0 || stack[depth - 1] != c)
				return sp_fail(sp, out != NULL,
				    "invalid JSON: mismatched brackets");
			depth--;
		} else if (depth == 0) {
			/* A scalar at the top: up to the next delimiter. */
			while ((c = sp_get(sp)) != EOF && c != ',' &&
			    c != ']' && c != '}' && c != ' ' && c != '\t' &&
			    c != '\n' && c != '\r')
				if ((rc = put(out, c)) != ZSQ_OK)
					break;
			sp->peek = c;
		}
		if (rc != ZSQ_OK || depth == 0)
			break;
		c = sp_get(sp);
	}
	if (rc == ZSQ_ETOOBIG)
		(void)buf_printf(sp->err, "record %lu: larger than %zu MiB",
		    sp->nrec + 1, SPLIT_MAX_ELEM >> 20);
	return rc;
}

/* Read a key string (opening quote consumed) into key, at most KEY_MAX. */
static int
read_key(struct split *sp, struct buf *raw, char *key, size_t *klen)
{
	int c;

	*klen = 0;
	while ((c = sp_get(sp)) != '"') {
		if (c == EOF)
			return sp_fail(sp, 0, "unexpected end of input");
		if (put(raw, c) != ZSQ_OK)
			return sp_fail(sp, 1, "key too long");
		if (*klen <= KEY_MAX)
			key[(*klen)++] = (char)c;
		if (c == '\\' && (c = sp_get(sp)) != EOF) {
			if (put(raw, c) != ZSQ_OK)
				return sp_fail(sp, 1, "key too long");
			if (*klen <= KEY_MAX)
				key[(*klen)++] = (char)c;
		}
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
		return scan_value(sp, c, NULL, 0);
	}
	if (sp->inventories)
		return sp_fail(sp, 0, "'inventories' given twice");
	sp->inventories = 1;
	if (c != '[')
		return sp_fail(sp, 0, "'inventories' is not an array");
	sp->phase = PH_ELEM_FIRST;
	return ZSQ_OK;
}

/* First byte was '{': a reply, or the first group of the line form. */
static int
split_object(struct split *sp, struct buf *out, int *got)
{
	char key[KEY_MAX + 1];
	size_t klen;
	int c, rc;

	buf_reset(out);
	c = sp_ws(sp);
	if (c == '"') {
		if (buf_puts(out, "{\"") != ZSQ_OK)
			return ZSQ_ENOMEM;
		if ((rc = read_key(sp, out, key, &klen)) != ZSQ_OK)
			return rc;
		if (is_reply_key(key, klen)) {
			sp->reply = 1;
			return reply_value(sp, key, klen);
		}
		if (buf_putc(out, '"') != ZSQ_OK)
			return ZSQ_ENOMEM;
		c = sp_get(sp);
	} else if (buf_putc(out, '{') != ZSQ_OK)
		return ZSQ_ENOMEM;
	sp->phase = PH_LINES;
	if ((rc = scan_value(sp, c, out, 1)) != ZSQ_OK)
		return rc;
	*got = 1;
	return ZSQ_OK;
}

/*
 * Hand out the next group's bytes in out: *got 1, or 0 at the end of the
 * input.  Errors are ZSQ_* codes with sp->err written.
 */
static int
split_next(struct split *sp, struct buf *out, int *got)
{
	char key[KEY_MAX + 1];
	size_t klen;
	int c, rc;

	*got = 0;
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
				if ((rc = split_object(sp, out, got)))
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
			buf_reset(out);
			if ((rc = scan_value(sp, c, out, 0)) != ZSQ_OK)
				return rc;
			sp->phase = PH_ELEM_NEXT;
			*got = 1;
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
			if ((rc = read_key(sp, NULL, key, &klen)) != ZSQ_OK ||
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
			buf_reset(out);
			if ((rc = scan_value(sp, c, out, 0)) != ZSQ_OK)
				return rc;
			*got = 1;
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
	sp->nrec++;
	return ZSQ_OK;
}

/*
 * The uuids of this import (open addressing), to find repeats and, with
 * replace, the stored groups the input no longer has.
 */
struct seen {
	char		(*uuid)[32];
	unsigned long	*rec;		/* record number; 0: empty slot */
	size_t		 n, cap;
};

static size_t
seen_slot(const struct seen *s, const char *uuid)
{
	size_t i = (size_t)record_fnv(RECORD_FNV_INIT, uuid, 32) & (s->cap - 1);

	while (s->rec[i] != 0 && memcmp(s->uuid[i], uuid, 32) != 0)
		i = (i + 1) & (s->cap - 1);
	return i;
}

/* The record that had uuid before, or 0. */
static unsigned long
seen_get(const struct seen *s, const char *uuid)
{
	return s->cap ? s->rec[seen_slot(s, uuid)] : 0;
}

static int
seen_add(struct seen *s, const char *uuid, unsigned long rec)
{
	struct seen big;
	size_t i, j;

	if ((s->n + 1) * 2 > s->cap) {
		big.cap = s->cap ? s->cap * 2 : 256;
		big.n = s->n;
		big.uuid = malloc(big.cap * sizeof(*big.uuid));
		big.rec = calloc(big.cap, sizeof(*big.rec));
		if (big.uuid == NULL || big.rec == NULL) {
			free(big.uuid);
			free(big.rec);
			return ZSQ_ENOMEM;
		}
		for (i = 0; i < s->cap; i++) {
			if (s->rec[i] == 0)
				continue;
			j = seen_slot(&big, s->uuid[i]);
			memcpy(big.uuid[j], s->uuid[i], 32);
			big.rec[j] = s->rec[i];
		}
		free(s->uuid);
		free(s->rec);
		*s = big;
	}
	i = seen_slot(s, uuid);
	memcpy(s->uuid[i], uuid, 32);
	s->rec[i] = rec;
	s->n++;
	return ZSQ_OK;
}

static void
seen_free(struct seen *s)
{
	free(s->uuid);
	free(s->rec);
	memset(s, 0, sizeof(*s));
}

/* Message for a store failure, ZSQ_EFULL with the advice to grow the map. */
static int
store_fail(struct store *st, int rc, struct buf *err)
{
	MDB_envinfo info;

	rc = store_err(rc);
	if (rc == ZSQ_EFULL) {
		mdb_env_info(st->env, &info);
		(void)buf_printf(err, "the store is full (map size %zu bytes): "
		    "raise --map-size", info.me_mapsize);
	} else
		(void)buf_printf(err, "store: %s", zsq_strerror(rc));
	return rc;
}

/* "record N (uuid X): " with X only when it is a printable short string. */
static void
record_prefix(struct buf *err, unsigned long n, json_t *group)
{
	json_t *u = json_object_get(group, "uuid");
	const char *s = json_string_value(u);
	size_t i, len = s ? json_string_length(u) : 0;

	for (i = 0; i < len; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			break;
	if (s != NULL && len > 0 && len <= 64 && i == len)
		(void)buf_printf(err, "record %lu (uuid %s): ", n, s);
	else
		(void)buf_printf(err, "record %lu: ", n);
}

/*
 * The spool: phase 1 appends one entry per group, phase 2 reads them back
 * in order.  Entry: struct spool_ent, then len record bytes.  It lives in
 * an unlinked temporary file (tmpfile(3): $TMPDIR or /tmp), so a killed
 * import leaves nothing behind.
 */
struct spool_ent {
	char		 uuid[32];
	uint32_t	 len;		/* record bytes that follow */
	uint8_t		 owner_set;	/* the record's owner is explicit */
	unsigned long	 nrec;		/* record number, for messages */
};

struct import {
	struct store	*st;
	struct import_opts o;
	char		 owner[33];	/* o.owner copied */
	struct split	 sp;
	struct seen	 seen;
	FILE		*spool;
	unsigned long	 nrec;		/* groups added */
	uint64_t	 bytes;		/* input bytes, for progress */
	struct buf	 rec, rerr, old;
};

void
import_opts_init(struct import_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_delete = IMPORT_MAX_DELETE_DEFAULT;
}

static int
uuid_is_account(const char *s)
{
	size_t i;

	for (i = 0; i < 32; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[32] == '\0';
}

int
import_begin(struct store *st, const struct import_opts *o,
    struct import **out, struct buf *err)
{
	struct import *imp;
	char tz[STORE_TZ_MAX];
	int rc;

	*out = NULL;
	if ((rc = store_check_tz(st)) != ZSQ_OK) {
		tz_name(tz, sizeof(tz));
		(void)buf_printf(err, "the store's dates are rendered in time "
		    "zone '%s' but the current zone is '%s' (set TZ=%s)",
		    st->tz, tz, st->tz);
		return rc;
	}
	if (o->owner != NULL && !uuid_is_account(o->owner)) {
		(void)buf_printf(err, "owner '%s' is not an account uuid",
		    o->owner);
		return ZSQ_EINVAL;
	}
	if ((imp = calloc(1, sizeof(*imp))) == NULL)
		return ZSQ_ENOMEM;
	imp->st = st;
	imp->o = *o;
	if (o->owner != NULL) {
		memcpy(imp->owner, o->owner, 33);
		imp->o.owner = imp->owner;
	}
	imp->sp.peek = -2;
	imp->sp.err = err;
	if ((imp->spool = tmpfile()) == NULL) {
		rc = errno;
		(void)buf_printf(err, "temporary spool file: %s",
		    strerror(rc));
		free(imp);
		return rc;
	}
	*out = imp;
	return ZSQ_OK;
}

static void
progress(struct import *imp, int applying, unsigned long groups,
    unsigned long total)
{
	struct import_progress p;

	if (imp->o.progress == NULL)
		return;
	p.applying = applying;
	p.groups = groups;
	p.groups_total = total;
	p.bytes = imp->bytes;
	p.bytes_total = imp->o.bytes_total;
	imp->o.progress(imp->o.progress_arg, &p);
}

/* Replace the group's systemTags/userTags with tags. */
static int
tags_set(json_t *group, const struct import_tags *t)
{
	static const char *const key[2] = { "systemTags", "userTags" };
	const char *const *v[2] = { t->system, t->user };
	size_t n[2] = { t->nsystem, t->nuser }, k, i;
	json_t *a;

	for (k = 0; k < 2; k++) {
		if ((a = json_array()) == NULL)
			return ZSQ_ENOMEM;
		for (i = 0; i < n[k]; i++)
			if (json_array_append_new(a, json_string(v[k][i])) != 0) {
				json_decref(a);
				return ZSQ_EINVAL;	/* not UTF-8 */
			}
		if (json_object_set_new(group, key[k], a) != 0)
			return ZSQ_ENOMEM;
	}
	return ZSQ_OK;
}

/* Phase 1 for one group: parse, validate, render, spool. */
static int
add_one(struct import *imp, const char *json, size_t len, const char *owner,
    const struct import_tags *tags, struct buf *err)
{
	struct spool_ent e;
	json_error_t je;
	json_t *group;
	const char *uuid, *rowner;
	unsigned long n = ++imp->nrec, prev;
	int rc;

	group = json_loadb(json, len, JSON_REJECT_DUPLICATES |
	    JSON_ALLOW_NUL | JSON_DECODE_ANY, &je);
	if (group == NULL) {
		char *c;

		/*
		 * jansson quotes the offending input ("near '...'"): keep
		 * the promised one-line message one line.
		 */
		for (c = je.text; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
		(void)buf_printf(err, "record %lu: invalid JSON: %s (line %d, "
		    "column %d of the record)", n, je.text, je.line,
		    je.column);
		return ZSQ_EINVAL;
	}
	if (tags != NULL && json_is_object(group) &&
	    (rc = tags_set(group, tags)) != ZSQ_OK) {
		record_prefix(err, n, group);
		(void)buf_puts(err, rc == ZSQ_EINVAL ? "a tag is not valid "
		    "UTF-8" : zsq_strerror(rc));
		goto out;
	}
	rowner = owner ? owner : imp->o.owner ? imp->o.owner :
	    SCHEMA_ADMIN_ACCOUNT;
	buf_reset(&imp->rerr);
	if ((rc = render_group(group, rowner, &imp->rec, &imp->rerr)) !=
	    ZSQ_OK) {
		record_prefix(err, n, group);
		(void)buf_puts(err, rc == ZSQ_EINVAL ? imp->rerr.data :
		    zsq_strerror(rc));
		goto out;
	}
	/* render_group() checked the uuid: it is a 32-byte string. */
	uuid = json_string_value(json_object_get(group, "uuid"));
	if ((prev = seen_get(&imp->seen, uuid)) != 0) {
		record_prefix(err, n, group);
		(void)buf_printf(err, "uuid repeats record %lu", prev);
		rc = ZSQ_EINVAL;
		goto out;
	}
	if ((rc = seen_add(&imp->seen, uuid, n)) != ZSQ_OK)
		goto out;
	memset(&e, 0, sizeof(e));
	memcpy(e.uuid, uuid, 32);
	e.len = (uint32_t)imp->rec.len;
	e.owner_set = owner != NULL || imp->o.owner != NULL;
	e.nrec = n;
	if (fwrite(&e, sizeof(e), 1, imp->spool) != 1 ||
	    fwrite(imp->rec.data, 1, imp->rec.len, imp->spool) !=
	    imp->rec.len) {
		rc = errno ? errno : ZSQ_EIO;
		(void)buf_printf(err, "temporary spool file: %s",
		    zsq_strerror(rc));
		goto out;
	}
	rc = ZSQ_OK;
out:
	json_decref(group);
	return rc;
}

int
import_add(struct import *imp, const char *json, size_t len,
    const char *owner, const struct import_tags *tags, struct buf *err)
{
	int rc;

	if (owner != NULL && !uuid_is_account(owner)) {
		(void)buf_printf(err, "record %lu: owner '%s' is not an "
		    "account uuid", imp->nrec + 1, owner);
		return ZSQ_EINVAL;
	}
	imp->bytes += len;
	rc = add_one(imp, json, len, owner, tags, err);
	progress(imp, 0, imp->nrec, 0);
	return rc;
}

int
import_read(struct import *imp, FILE *in, struct buf *err)
{
	struct buf elem = BUF_INIT;
	unsigned long base = imp->sp.off;
	int rc, got;

	imp->sp.in = in;
	imp->sp.err = err;
	/* The splitter numbers records itself; keep it in step with adds. */
	imp->sp.nrec = imp->nrec;
	for (;;) {
		if ((rc = split_next(&imp->sp, &elem, &got)) != ZSQ_OK || !got)
			break;
		imp->bytes += imp->sp.off - base;
		base = imp->sp.off;
		if ((rc = add_one(imp, elem.data, elem.len, NULL, NULL, err)) !=
		    ZSQ_OK)
			break;
		progress(imp, 0, imp->nrec, 0);
	}
	buf_free(&elem);
	return rc;
}

/* Phase 2 for one spooled record; counts it. */
static int
write_group(struct import *imp, MDB_txn *txn, const struct spool_ent *e,
    struct buf *rec, struct import_stats *stats)
{
	struct store *st = imp->st;
	struct buf *old = &imp->old;
	struct rec_head oh;
	MDB_val k = { 32, (void *)e->uuid }, v;
	int rc;

	rc = mdb_get(txn, st->groups, &k, &v);
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		return rc;
	if (rc == MDB_SUCCESS) {
		/* Copy: the next write may move the page under v. */
		buf_reset(old);
		if (buf_append(old, v.mv_data, v.mv_size) != ZSQ_OK)
			return ZSQ_ENOMEM;
		if ((rc = record_open(old->data, old->len, &oh)) != ZSQ_OK)
			return rc;
		if (!e->owner_set)
			memcpy(rec->data + offsetof(struct rec_head, owner),
			    oh.owner, sizeof(oh.owner));
		if (old->len == rec->len &&
		    memcmp(old->data, rec->data, rec->len) == 0) {
			stats->unchanged++;
			return ZSQ_OK;
		}
		if ((rc = index_record_del(st, txn, e->uuid, old->data,
		    old->len)) != ZSQ_OK)
			return rc;
		stats->updated++;
	} else
		stats->added++;
	v.mv_size = rec->len;
	v.mv_data = rec->data;
	if ((rc = mdb_put(txn, st->groups, &k, &v, 0)) != MDB_SUCCESS)
		return rc;
	return index_record_put(st, txn, e->uuid, rec->data, rec->len);
}

/* With replace: the stored groups the import did not name. */
static int
absent_collect(struct import *imp, MDB_txn *txn, struct buf *gone,
    size_t *stored)
{
	MDB_cursor *cur = NULL;
	MDB_cursor_op op = MDB_FIRST;
	MDB_val k, v;
	int rc;

	*stored = 0;
	if ((rc = mdb_cursor_open(txn, imp->st->groups, &cur)) != MDB_SUCCESS)
		return rc;
	while ((rc = mdb_cursor_get(cur, &k, &v, op)) == MDB_SUCCESS) {
		op = MDB_NEXT;
		(*stored)++;
		if (k.mv_size == 32 && seen_get(&imp->seen, k.mv_data) == 0 &&
		    (rc = buf_append(gone, k.mv_data, 32)) != ZSQ_OK)
			break;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? ZSQ_OK : rc;
}

static int
absent_delete(struct import *imp, MDB_txn *txn, const struct buf *gone,
    struct import_stats *stats)
{
	struct store *st = imp->st;
	MDB_val k, v;
	size_t i;
	int rc;

	for (i = 0; i < gone->len; i += 32) {
		k.mv_size = 32;
		k.mv_data = gone->data + i;
		if ((rc = mdb_get(txn, st->groups, &k, &v)) != MDB_SUCCESS)
			return rc;
		buf_reset(&imp->old);
		if ((rc = buf_append(&imp->old, v.mv_data, v.mv_size)) !=
		    ZSQ_OK ||
		    (rc = index_record_del(st, txn, gone->data + i,
		    imp->old.data, imp->old.len)) != ZSQ_OK ||
		    (rc = mdb_del(txn, st->groups, &k, NULL)) != MDB_SUCCESS ||
		    (rc = acl_drop_group(st, txn, gone->data + i)) != ZSQ_OK)
			return rc;
		stats->deleted++;
	}
	return ZSQ_OK;
}

/* Every owner a record names must be an account. */
static int
owner_check(struct import *imp, MDB_txn *txn, const char *owner,
    char *last, const struct spool_ent *e, struct buf *err)
{
	int rc;

	if (memcmp(owner, last, 32) == 0)
		return ZSQ_OK;
	if ((rc = account_exists(imp->st, txn, owner)) == ZSQ_ENOTFOUND) {
		(void)buf_printf(err, "record %lu (uuid %.32s): owner account "
		    "%.32s does not exist", e->nrec, e->uuid, owner);
		return ZSQ_EINVAL;
	}
	if (rc != ZSQ_OK)
		return store_fail(imp->st, rc, err);
	memcpy(last, owner, 32);
	return ZSQ_OK;
}

/* Apply the spool inside txn. */
static int
apply(struct import *imp, MDB_txn *txn, const struct import_hooks *h,
    struct import_stats *stats, struct buf *err)
{
	struct buf gone = BUF_INIT, *rec = &imp->rec;
	struct spool_ent e;
	char last[32];
	size_t stored = 0;
	unsigned long i;
	int rc;

	memset(last, 0, sizeof(last));
	if (h != NULL && h->before != NULL &&
	    (rc = h->before(h->arg, imp->st, txn, err)) != ZSQ_OK)
		goto out;
	if (imp->o.owner != NULL &&
	    (rc = account_exists(imp->st, txn, imp->o.owner)) != ZSQ_OK) {
		if (rc == ZSQ_ENOTFOUND)
			(void)buf_printf(err, "owner account %s does not exist",
			    imp->o.owner);
		else
			rc = store_fail(imp->st, rc, err);
		goto out;
	}
	if (fflush(imp->spool) != 0 || fseek(imp->spool, 0, SEEK_SET) != 0) {
		rc = errno ? errno : ZSQ_EIO;
		(void)buf_printf(err, "temporary spool file: %s",
		    zsq_strerror(rc));
		goto out;
	}
	for (i = 0; i < imp->nrec; i++) {
		buf_reset(rec);
		if (fread(&e, sizeof(e), 1, imp->spool) != 1 ||
		    (rc = buf_reserve(rec, e.len)) != ZSQ_OK ||
		    fread(rec->data, 1, e.len, imp->spool) != e.len) {
			rc = ZSQ_EIO;
			(void)buf_puts(err, "temporary spool file: short read");
			goto out;
		}
		rec->len = e.len;
		if (e.owner_set && (rc = owner_check(imp, txn, rec->data +
		    offsetof(struct rec_head, owner), last, &e, err)) != ZSQ_OK)
			goto out;
		if ((rc = write_group(imp, txn, &e, rec, stats)) != ZSQ_OK) {
			(void)buf_printf(err, "record %lu (uuid %.32s): ",
			    e.nrec, e.uuid);
			rc = store_fail(imp->st, rc, err);
			goto out;
		}
		progress(imp, 1, i + 1, imp->nrec);
	}
	if (imp->o.replace) {
		if ((rc = absent_collect(imp, txn, &gone, &stored)) != ZSQ_OK) {
			rc = store_fail(imp->st, rc, err);
			goto out;
		}
		/* stored counts this import's new groups too: take them out. */
		stored -= stats->added;
		if (imp->o.max_delete < 100 && gone.len / 32 * 100 >
		    (size_t)imp->o.max_delete * stored) {
			(void)buf_printf(err, "replace would delete %zu of the "
			    "%zu stored groups, more than %u%%: nothing "
			    "changed (a larger --max-delete allows it)",
			    gone.len / 32, stored, imp->o.max_delete);
			rc = ZSQ_EINVAL;
			goto out;
		}
		if ((rc = absent_delete(imp, txn, &gone, stats)) != ZSQ_OK) {
			rc = store_fail(imp->st, rc, err);
			goto out;
		}
	}
	if (h != NULL && h->after != NULL &&
	    (rc = h->after(h->arg, imp->st, txn, err)) != ZSQ_OK)
		goto out;
	if (stats->added + stats->updated + stats->deleted > 0 &&
	    (rc = store_gen_bump(imp->st, txn)) != ZSQ_OK)
		rc = store_fail(imp->st, rc, err);
out:
	buf_free(&gone);
	return rc;
}

int
import_commit(struct import *imp, const struct import_hooks *h,
    struct import_stats *stats, struct buf *err)
{
	MDB_txn *txn = NULL;
	int rc;

	memset(stats, 0, sizeof(*stats));
	if (imp->o.replace && imp->nrec == 0 && !imp->o.allow_empty) {
		(void)buf_puts(err, "the input holds no groups and replace "
		    "would delete every stored group: refused (an explicit "
		    "option allows it)");
		return ZSQ_EINVAL;
	}
	/* The write lock is taken only now, with everything validated. */
	if ((rc = store_txn_begin(imp->st, 0, &txn)) != ZSQ_OK)
		return store_fail(imp->st, rc, err);
	if ((rc = apply(imp, txn, h, stats, err)) == ZSQ_OK) {
		rc = mdb_txn_commit(txn);
		txn = NULL;
		if (rc != MDB_SUCCESS)
			rc = store_fail(imp->st, rc, err);
	}
	if (txn != NULL)
		mdb_txn_abort(txn);
	if (rc != ZSQ_OK)
		memset(stats, 0, sizeof(*stats));
	return rc;
}

void
import_end(struct import *imp)
{
	if (imp == NULL)
		return;
	if (imp->spool != NULL)
		fclose(imp->spool);
	seen_free(&imp->seen);
	buf_free(&imp->rec);
	buf_free(&imp->rerr);
	buf_free(&imp->old);
	free(imp);
}

int
import_stream(struct store *st, FILE *in, const struct import_opts *o,
    struct import_stats *stats, struct buf *err)
{
	struct import *imp;
	int rc;

	memset(stats, 0, sizeof(*stats));
	if ((rc = import_begin(st, o, &imp, err)) != ZSQ_OK)
		return rc;
	if ((rc = import_read(imp, in, err)) == ZSQ_OK)
		rc = import_commit(imp, NULL, stats, err);
	import_end(imp);
	return rc;
}
