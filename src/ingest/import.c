/* SPDX-License-Identifier: Apache-2.0 */
/*
 * import.c - read ZStack replies into the store in two phases; see
 * import.h for the forms and policies.
 *
 * Phase 1 cuts the input into groups (split.c).  Each group's bytes, with
 * the tags a caller gives, are digested (XXH3-128 keyed by the store's
 * seed); a stored group whose record carries the same digest (and owner,
 * when one is given) was rendered from exactly these bytes, so it is kept
 * as it is: neither parsed, nor rendered, nor written.  Every other group
 * is parsed by jansson and rendered (render.c), on worker threads
 * (import_pool.c), and its record is spooled in input order.
 *
 * Phase 2 applies the spool in one write transaction.  Index entries go
 * through a sorted batch (index.h), one pass per database; into a store
 * without groups, where every entry is new, the batch spills sorted runs
 * instead and merges them at the end (index_build.h).  "Unchanged"
 * was decided in read snapshots: if the generation moved since the first
 * of them, another writer changed the store meanwhile, so each kept group
 * is checked again inside the write transaction, and the import fails
 * (nothing changed, run it again) when one of them no longer holds what
 * the input does.
 *
 * Memory: one group at a time per thread, the uuids of the import (about
 * 40 bytes a group), and the index batch (INDEX_BATCH bytes).  The store
 * is written through its map (STORE_WRITEMAP): the pages a transaction
 * dirties are the file's, not the heap's, and a keeper (map_keeper.h)
 * lets go of the map's pages as the import goes, stopping it for a moment
 * when LMDB maps them faster, so its resident set stays bounded whatever
 * the input's size.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#define XXH_STATIC_LINKING_ONLY	/* XXH3_state_t on the stack */
#include <xxhash.h>

#include "base/errors.h"
#include "base/text.h"
#include "base/tmpfile.h"
#include "base/tz.h"
#include "ingest/import.h"
#include "ingest/import_pool.h"
#include "ingest/render.h"
#include "ingest/split.h"
#include "store/acl.h"
#include "store/group.h"
#include "store/index.h"
#include "store/index_build.h"
#include "store/map_keeper.h"
#include "store/record.h"
#include "store/schema.h"
#include "store/store_os.h"

#define INDEX_BATCH	((size_t)24 << 20)	/* index entries, bytes */
#define SNAPSHOT_EVERY	4096	/* groups per read snapshot */

/*
 * The uuids of this import (open addressing, 16 binary bytes each), to
 * find repeats and, with replace, the stored groups the input no longer
 * has.
 */
struct seen {
	unsigned char	(*uuid)[16];
	uint32_t	*rec;		/* record number; 0: empty slot */
	size_t		 n, cap;
};

static void
uuid_bin(const char *uuid, unsigned char *out)
{
	int i, hi, lo;

	for (i = 0; i < 16; i++) {
		hi = uuid[2 * i] <= '9' ? uuid[2 * i] - '0' :
		    uuid[2 * i] - 'a' + 10;
		lo = uuid[2 * i + 1] <= '9' ? uuid[2 * i + 1] - '0' :
		    uuid[2 * i + 1] - 'a' + 10;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
}

static size_t
seen_slot(const struct seen *s, const unsigned char *u)
{
	uint64_t h;
	size_t i;

	memcpy(&h, u, sizeof(h));
	for (i = (size_t)(h * 0x9e3779b97f4a7c15ULL >> 17) & (s->cap - 1);
	    s->rec[i] != 0 && memcmp(s->uuid[i], u, 16) != 0;
	    i = (i + 1) & (s->cap - 1))
		;
	return i;
}

/* The record that had uuid (32 lowercase hex) before, or 0. */
static unsigned long
seen_get(const struct seen *s, const char *uuid)
{
	unsigned char u[16];

	if (s->cap == 0)
		return 0;
	uuid_bin(uuid, u);
	return s->rec[seen_slot(s, u)];
}

static int
seen_add(struct seen *s, const char *uuid, unsigned long rec)
{
	struct seen big;
	unsigned char u[16];
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
			memcpy(big.uuid[j], s->uuid[i], 16);
			big.rec[j] = s->rec[i];
		}
		free(s->uuid);
		free(s->rec);
		*s = big;
	}
	uuid_bin(uuid, u);
	i = seen_slot(s, u);
	memcpy(s->uuid[i], u, 16);
	s->rec[i] = (uint32_t)rec;
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

/*
 * Message for a store failure: the map full (advise --map-size), the
 * disk full (LMDB says EIO for a short write), or LMDB's own words.
 */
static int
store_fail(struct store *st, int rc, struct buf *err)
{
	MDB_envinfo info;

	rc = store_space_err(st, store_err(rc));
	if (rc == ZSQ_EFULL) {
		mdb_env_info(st->env, &info);
		(void)buf_printf(err, "the store is full (map size %zu bytes): "
		    "raise --map-size", info.me_mapsize);
	} else if (rc == ENOSPC)
		(void)buf_printf(err, "the disk holding the store (%s) is "
		    "full: nothing changed", st->dir);
	else
		(void)buf_printf(err, "store: %s", zsq_strerror(rc));
	return rc;
}

/*
 * The spool: phase 1 appends one entry per group, phase 2 reads them back
 * in order.  Entry: struct spool_ent, then len record bytes (none for a
 * kept group).  It lives in an unlinked temporary file (tmpfile.h:
 * $TMPDIR or /tmp), so a killed import leaves nothing behind.
 */
struct spool_ent {
	char		 uuid[32];
	uint32_t	 len;		/* record bytes that follow */
	uint8_t		 keep;		/* unchanged: no record */
	uint8_t		 owner_set;	/* the owner is explicit */
	char		 owner[32];	/* keep && owner_set: it */
	unsigned char	 src[REC_SRC_LEN]; /* keep: the input's digest */
	unsigned long	 nrec;		/* record number, for messages */
};

struct import {
	struct store	*st;
	struct import_opts o;
	char		 owner[33];	/* o.owner copied */
	struct seen	 seen;
	FILE		*spool;
	unsigned long	 nrec;		/* groups added */
	unsigned long	 kept;		/* of them unchanged */
	uint64_t	 bytes;		/* input bytes, for progress */
	MDB_txn		*snap;		/* snapshot for "unchanged" */
	int		 rfd;		/* data.mdb, to pread() heads */
	const char	*map;		/* where LMDB maps it */
	size_t		 maplen;
	unsigned	 snap_uses;
	uint64_t	 gen;		/* of the first snapshot */
	int		 have_gen;
	struct import_pool *pool;	/* renders groups on threads */
	struct map_keeper *keeper;
	struct buf	 rec, old;
};

void
import_opts_init(struct import_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_delete = IMPORT_MAX_DELETE_DEFAULT;
}

/*
 * Where the map is, and (written through it) a keeper that keeps its
 * pages out of our memory.  Again after the write transaction begins:
 * another writer may have grown the map, and LMDB then maps it anew,
 * maybe elsewhere; the keeper must not go on dropping pages of the old
 * range, where our own allocations may now live.
 */
static void
map_watch(struct import *imp)
{
	unsigned flags;

	map_keeper_stop(imp->keeper);
	imp->keeper = NULL;
	if (mdb_env_get_flags(imp->st->env, &flags) == MDB_SUCCESS &&
	    (flags & MDB_WRITEMAP))
		imp->keeper = map_keeper_start(imp->st, MAP_KEEPER_MS);
	if (store_map_addr(imp->st, &imp->map, &imp->maplen) != ZSQ_OK)
		imp->map = NULL;
}

int
import_begin(struct store *st, const struct import_opts *o,
    struct import **out, struct buf *err)
{
	struct import *imp;
	char tz[STORE_TZ_MAX], path[4200];
	int rc, fd;

	*out = NULL;
	if ((rc = store_check_tz(st)) != ZSQ_OK) {
		tz_name(tz, sizeof(tz));
		(void)buf_printf(err, "the store's dates are rendered in time "
		    "zone '%s' but the current zone is '%s' (set TZ=%s)",
		    st->tz, tz, st->tz);
		return rc;
	}
	if (o->owner != NULL && !text_uuid_valid(o->owner, strlen(o->owner))) {
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
	if ((rc = tmpfile_open("temporary spool file", &fd, err)) != 0) {
		free(imp);
		return rc;
	}
	if ((imp->spool = fdopen(fd, "w+")) == NULL) {
		rc = errno;
		(void)close(fd);
		(void)buf_printf(err, "temporary spool file: %s",
		    strerror(rc));
		free(imp);
		return rc;
	}
	snprintf(path, sizeof(path), "%s/data.mdb", st->dir);
	imp->rfd = open(path, O_RDONLY | O_CLOEXEC);
	map_watch(imp);
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

/* The digest of a group's input: its bytes and the tags given for it. */
static void
digest(const struct import *imp, const char *json, size_t len,
    const struct import_tags *tags, unsigned char *out)
{
	XXH3_state_t s;
	XXH128_canonical_t c;
	const char *const *v[2];
	size_t n[2], k, i;
	uint64_t l;

	/* A state on the stack must be zeroed before a seeded reset. */
	XXH3_INITSTATE(&s);
	(void)XXH3_128bits_reset_withSeed(&s, imp->st->seed);
	(void)XXH3_128bits_update(&s, json, len);
	if (tags != NULL) {
		v[0] = tags->system;
		v[1] = tags->user;
		n[0] = tags->nsystem;
		n[1] = tags->nuser;
		for (k = 0; k < 2; k++) {
			l = n[k] + 1;
			(void)XXH3_128bits_update(&s, &l, sizeof(l));
			for (i = 0; i < n[k]; i++) {
				l = strlen(v[k][i]);
				(void)XXH3_128bits_update(&s, &l, sizeof(l));
				(void)XXH3_128bits_update(&s, v[k][i], l);
			}
		}
	}
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(&s));
	memcpy(out, c.digest, REC_SRC_LEN);
}

/* A read snapshot, renewed now and then so it pins no old pages long. */
static int
snapshot(struct import *imp, MDB_txn **txn)
{
	uint64_t gen;
	int rc;

	if (imp->snap != NULL && imp->snap_uses++ < SNAPSHOT_EVERY) {
		*txn = imp->snap;
		return ZSQ_OK;
	}
	if (imp->snap != NULL) {
		mdb_txn_reset(imp->snap);
		rc = mdb_txn_renew(imp->snap);
	} else
		rc = mdb_txn_begin(imp->st->env, NULL, MDB_RDONLY, &imp->snap);
	if (rc != MDB_SUCCESS) {
		if (imp->snap != NULL)
			mdb_txn_abort(imp->snap);
		imp->snap = NULL;
		return store_err(rc);
	}
	imp->snap_uses = 0;
	if (!imp->have_gen) {
		if ((rc = store_gen_get(imp->st, imp->snap, &gen)) != ZSQ_OK)
			return rc;
		imp->gen = gen;
		imp->have_gen = 1;
	}
	*txn = imp->snap;
	return ZSQ_OK;
}

/*
 * 1 when the store holds uuid rendered from input with this digest (and
 * the explicit owner, if any): the group is unchanged.
 */
static int
stored_same(struct import *imp, const char *uuid, const unsigned char *src,
    const char *owner)
{
	static const unsigned char none[REC_SRC_LEN];
	MDB_txn *txn = NULL;
	MDB_val k = { 32, (void *)uuid }, v;
	struct rec_head h;
	size_t off;

	if (memcmp(src, none, REC_SRC_LEN) == 0 ||
	    snapshot(imp, &txn) != ZSQ_OK ||
	    mdb_get(txn, imp->st->groups, &k, &v) != MDB_SUCCESS ||
	    v.mv_size < sizeof(h))
		return 0;
	/*
	 * LMDB only pointed at the record; read its head from the file, not
	 * through the map: no page of it is mapped into this process, and
	 * records stored in input order read back with the file's readahead.
	 */
	off = (size_t)((const char *)v.mv_data - imp->map);
	if (imp->rfd >= 0 && imp->map != NULL &&
	    (const char *)v.mv_data >= imp->map && off < imp->maplen) {
		if (pread(imp->rfd, &h, sizeof(h), (off_t)off) !=
		    (ssize_t)sizeof(h))
			return 0;
	} else
		memcpy(&h, v.mv_data, sizeof(h));
	return h.magic == REC_MAGIC && h.size == v.mv_size &&
	    memcmp(h.src, src, REC_SRC_LEN) == 0 &&
	    (owner == NULL || memcmp(h.owner, owner, 32) == 0);
}

/* "record N (uuid X): " for a kept group's uuid or a message prefix. */
static int
repeat_check(struct import *imp, unsigned long n, const char *uuid,
    struct buf *err)
{
	unsigned long prev;

	if ((prev = seen_get(&imp->seen, uuid)) != 0) {
		(void)buf_printf(err, "record %lu (uuid %.32s): uuid repeats "
		    "record %lu", n, uuid, prev);
		return ZSQ_EINVAL;
	}
	return seen_add(&imp->seen, uuid, n);
}

static int
spool_write(struct import *imp, const struct spool_ent *e, const void *rec,
    struct buf *err)
{
	int rc;

	if (fwrite(e, sizeof(*e), 1, imp->spool) != 1 ||
	    (e->len > 0 && fwrite(rec, 1, e->len, imp->spool) != e->len)) {
		rc = errno ? errno : ZSQ_EIO;
		(void)buf_printf(err, "temporary spool file: %s",
		    zsq_strerror(rc));
		return rc;
	}
	return ZSQ_OK;
}

/* A rendered group (from the pool, in input order): check and spool. */
static int
take_rendered(void *arg, const struct import_job *j, struct buf *err)
{
	struct import *imp = arg;
	struct spool_ent e;
	int rc;

	if (j->rc != ZSQ_OK) {
		(void)buf_append(err, j->err.data, j->err.len);
		return j->rc;
	}
	if ((rc = repeat_check(imp, j->nrec, j->uuid, err)) != ZSQ_OK)
		return rc;
	memset(&e, 0, sizeof(e));
	memcpy(e.uuid, j->uuid, 32);
	e.len = (uint32_t)j->rec.len;
	e.owner_set = j->owner_set;
	e.nrec = j->nrec;
	return spool_write(imp, &e, j->rec.data, err);
}

/*
 * Phase 1 for one group: kept when unchanged, else handed to the pool
 * (which renders it, here or on a thread, and calls take_rendered()).
 */
static int
add_one(struct import *imp, const char *json, size_t len, const char *owner,
    const struct import_tags *tags, struct buf *err)
{
	struct spool_ent e;
	unsigned char src[REC_SRC_LEN];
	char uuid[32];
	const char *eff = owner ? owner : imp->o.owner;
	unsigned long n = ++imp->nrec;
	int rc;

	/*
	 * The record limit, here for every writer: import's splitter stops
	 * reading at it, and a group from sync or anywhere else is held to
	 * it too.
	 */
	if (len > SPLIT_MAX_ELEM) {
		(void)buf_printf(err, "record %lu: larger than %zu MiB", n,
		    SPLIT_MAX_ELEM >> 20);
		return ZSQ_ETOOBIG;
	}
	digest(imp, json, len, tags, src);
	if (split_top_uuid(json, len, uuid) && text_uuid_valid(uuid, 32) &&
	    stored_same(imp, uuid, src, eff)) {
		/* Groups before it may still be rendering: keep the order. */
		if ((rc = import_pool_drain(imp->pool, err)) != ZSQ_OK ||
		    (rc = repeat_check(imp, n, uuid, err)) != ZSQ_OK)
			return rc;
		memset(&e, 0, sizeof(e));
		memcpy(e.uuid, uuid, 32);
		e.keep = 1;
		e.owner_set = eff != NULL;
		if (eff != NULL)
			memcpy(e.owner, eff, 32);
		memcpy(e.src, src, REC_SRC_LEN);
		e.nrec = n;
		imp->kept++;
		return spool_write(imp, &e, NULL, err);
	}
	return import_pool_add(imp->pool, n, json, len, eff != NULL ? eff :
	    SCHEMA_ADMIN_ACCOUNT, eff != NULL, tags, src, err);
}

static int
pool_ready(struct import *imp, int threads)
{
	if (imp->pool != NULL)
		return ZSQ_OK;
	return import_pool_new(threads, take_rendered, imp, &imp->pool);
}

int
import_add(struct import *imp, const char *json, size_t len,
    const char *owner, const struct import_tags *tags, struct buf *err)
{
	int rc;

	if (owner != NULL && !text_uuid_valid(owner, strlen(owner))) {
		(void)buf_printf(err, "record %lu: owner '%s' is not an "
		    "account uuid", imp->nrec + 1, owner);
		return ZSQ_EINVAL;
	}
	/* The caller's tags live only for this call: render here. */
	if ((rc = pool_ready(imp, 0)) != ZSQ_OK)
		return rc;
	imp->bytes += len;
	rc = add_one(imp, json, len, owner, tags, err);
	if (rc == ZSQ_OK)
		rc = import_pool_drain(imp->pool, err);
	progress(imp, 0, imp->nrec, 0);
	return rc;
}

int
import_read(struct import *imp, FILE *in, struct buf *err)
{
	struct split sp;
	const char *elem;
	size_t len;
	uint64_t base = 0;
	int rc, got;

	if ((rc = pool_ready(imp, -1)) != ZSQ_OK)
		return rc;
	split_init(&sp, in, err);
	/* The splitter numbers records itself; keep it in step with adds. */
	sp.nrec = imp->nrec;
	for (;;) {
		if ((rc = split_next(&sp, &elem, &len, &got)) != ZSQ_OK || !got)
			break;
		imp->bytes += split_offset(&sp) - base;
		base = split_offset(&sp);
		if ((rc = add_one(imp, elem, len, NULL, NULL, err)) != ZSQ_OK)
			break;
		progress(imp, 0, imp->nrec, 0);
	}
	/* Every group handed out is spooled (or its error reported). */
	if (rc == ZSQ_OK)
		rc = import_pool_drain(imp->pool, err);
	else
		import_pool_cancel(imp->pool);
	split_free(&sp);
	return rc;
}

/* --- phase 2 --------------------------------------------------------- */

/* What phase 2 carries from group to group. */
struct apply {
	struct import	*imp;
	MDB_txn		*txn;
	struct index_batch batch;
	struct import_stats *stats;
	int		 moved;		/* generation moved since */
};

/* Records equal but for the input digest they were rendered from. */
static int
same_record(const struct buf *a, const struct buf *b)
{
	size_t at = offsetof(struct rec_head, src);

	return a->len == b->len && memcmp(a->data, b->data, at) == 0 &&
	    memcmp(a->data + at + REC_SRC_LEN, b->data + at + REC_SRC_LEN,
	    a->len - at - REC_SRC_LEN) == 0;
}

/* Phase 2 for one spooled record; counts it. */
static int
write_group(struct apply *a, const struct spool_ent *e, struct buf *rec)
{
	struct store *st = a->imp->st;
	struct buf *old = &a->imp->old;
	struct rec_head oh, nh;
	unsigned char okey[4];
	MDB_val k = { 32, (void *)e->uuid }, v, ok = { 4, okey };
	uint32_t ord;
	int rc, existed, same = 0;

	rc = mdb_get(a->txn, st->groups, &k, &v);
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		return rc;
	if ((existed = rc == MDB_SUCCESS)) {
		/* Copy: the next write may move the page under v. */
		buf_reset(old);
		if (buf_append(old, v.mv_data, v.mv_size) != ZSQ_OK)
			return ZSQ_ENOMEM;
		if ((rc = record_open(old->data, old->len, &oh)) != ZSQ_OK)
			return rc;
		if (!e->owner_set)
			record_set_owner(rec->data, oh.owner);
		record_set_ord(rec->data, oh.ord);
		ord = oh.ord;
		if ((same = same_record(old, rec))) {
			a->stats->unchanged++;
			/* From other bytes: note these for next time. */
			if (memcmp(old->data, rec->data, rec->len) == 0)
				return ZSQ_OK;
		} else {
			if ((rc = index_batch_record(&a->batch, ord,
			    old->data, old->len, 1)) != ZSQ_OK)
				return rc;
			a->stats->updated++;
		}
	} else {
		if ((rc = store_ord_next(st, a->txn, &ord)) != ZSQ_OK)
			return rc;
		record_set_ord(rec->data, ord);
		store_ord_put(okey, ord);
		v.mv_size = 32;
		v.mv_data = (void *)e->uuid;
		if ((rc = mdb_put(a->txn, st->ords, &ok, &v, 0)) != 0)
			return rc;
		a->stats->added++;
	}
	if ((rc = record_open(rec->data, rec->len, &nh)) != ZSQ_OK)
		return rc;
	v.mv_size = rec->len;
	v.mv_data = rec->data;
	if ((rc = mdb_put(a->txn, st->groups, &k, &v, 0)) != MDB_SUCCESS)
		return rc;
	if (same)
		return ZSQ_OK;
	if ((rc = acl_owner_set(st, a->txn, ord, existed ? oh.owner : NULL,
	    nh.owner)) != ZSQ_OK)
		return rc;
	return index_batch_record(&a->batch, ord, rec->data, rec->len, 0);
}

/*
 * A kept group: nothing to write, unless another writer changed the
 * store since phase 1 looked, when the group must still be as it was.
 */
static int
keep_group(struct apply *a, const struct spool_ent *e, struct buf *err)
{
	MDB_val k = { 32, (void *)e->uuid }, v;
	struct rec_head h;
	int rc;

	if (a->moved) {
		rc = mdb_get(a->txn, a->imp->st->groups, &k, &v);
		if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
			return store_fail(a->imp->st, rc, err);
		if (rc == MDB_NOTFOUND ||
		    record_open(v.mv_data, v.mv_size, &h) != ZSQ_OK ||
		    memcmp(h.src, e->src, REC_SRC_LEN) != 0 ||
		    (e->owner_set && memcmp(h.owner, e->owner, 32) != 0)) {
			(void)buf_printf(err, "record %lu (uuid %.32s): the "
			    "group was changed by another writer during the "
			    "import: nothing changed, run the import again",
			    e->nrec, e->uuid);
			return ZSQ_EINVAL;
		}
	}
	a->stats->unchanged++;
	return ZSQ_OK;
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
		if (k.mv_size == 32 && text_uuid_valid(k.mv_data, 32) &&
		    seen_get(&imp->seen, k.mv_data) == 0 &&
		    (rc = buf_append(gone, k.mv_data, 32)) != ZSQ_OK)
			break;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? ZSQ_OK : rc;
}

static int
absent_delete(struct apply *a, const struct buf *gone)
{
	size_t i;
	int rc;

	for (i = 0; i < gone->len; i += 32) {
		if ((rc = group_delete(a->imp->st, a->txn, gone->data + i,
		    &a->batch, &a->imp->old)) != ZSQ_OK)
			return rc;
		a->stats->deleted++;
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

/* Read the next spool entry (and its record into rec). */
static int
spool_read(struct import *imp, struct spool_ent *e, struct buf *rec,
    struct buf *err)
{
	int rc;

	buf_reset(rec);
	if (fread(e, sizeof(*e), 1, imp->spool) != 1 ||
	    (rc = buf_reserve(rec, e->len + (size_t)1)) != ZSQ_OK ||
	    fread(rec->data, 1, e->len, imp->spool) != e->len) {
		(void)buf_puts(err, "temporary spool file: short read");
		return ZSQ_EIO;
	}
	rec->len = e->len;
	return ZSQ_OK;
}

/* Between two writes: see map_keeper_tick(). */
static void
apply_tick(void *arg)
{
	map_keeper_tick(((struct import *)arg)->keeper);
}

/* A failure of the store, or of the index build's temporary file. */
static int
apply_fail(struct apply *a, int rc, struct buf *err)
{
	int ferr = index_build_file_error(a->batch.build);

	if (ferr == 0)
		return store_fail(a->imp->st, rc, err);
	(void)buf_printf(err, "temporary index build file: %s: nothing "
	    "changed", strerror(ferr));
	return ferr;
}

/*
 * Into a store without groups every group is new, the import repeats no
 * uuid and replace finds nothing to delete: the index batch only adds,
 * and builds the indexes from sorted runs (index_build.h).
 */
static int
build_check(struct apply *a, struct buf *err)
{
	MDB_stat ms;
	int rc;

	if ((rc = mdb_stat(a->txn, a->imp->st->groups, &ms)) != MDB_SUCCESS)
		return store_fail(a->imp->st, rc, err);
	if (ms.ms_entries != 0)
		return ZSQ_OK;
	rc = index_batch_build(&a->batch, err);
	return rc == ZSQ_EEXIST ? ZSQ_OK : rc;
}

/* Apply the spool inside txn. */
static int
apply(struct import *imp, MDB_txn *txn, const struct import_hooks *h,
    struct import_stats *stats, struct buf *err)
{
	struct buf gone = BUF_INIT, *rec = &imp->rec;
	struct spool_ent e;
	struct apply a;
	char last[32];
	size_t stored = 0;
	unsigned long i;
	uint64_t gen;
	int rc;

	memset(&a, 0, sizeof(a));
	a.imp = imp;
	a.txn = txn;
	a.stats = stats;
	index_batch_init(&a.batch, imp->st, txn, INDEX_BATCH);
	a.batch.tick = apply_tick;
	a.batch.tick_arg = imp;
	memset(last, 0, sizeof(last));
	if ((rc = store_gen_get(imp->st, txn, &gen)) != ZSQ_OK) {
		rc = store_fail(imp->st, rc, err);
		goto out;
	}
	a.moved = imp->have_gen && gen != imp->gen;
	if (h != NULL && h->before != NULL &&
	    (rc = h->before(h->arg, imp->st, txn, err)) != ZSQ_OK)
		goto out;
	if ((rc = build_check(&a, err)) != ZSQ_OK)
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
		map_keeper_tick(imp->keeper);
		if ((rc = spool_read(imp, &e, rec, err)) != ZSQ_OK)
			goto out;
		if (e.keep) {
			if ((rc = keep_group(&a, &e, err)) != ZSQ_OK)
				goto out;
			progress(imp, 1, i + 1, imp->nrec);
			continue;
		}
		if (e.owner_set && (rc = owner_check(imp, txn, rec->data +
		    offsetof(struct rec_head, owner), last, &e, err)) != ZSQ_OK)
			goto out;
		if ((rc = write_group(&a, &e, rec)) != ZSQ_OK) {
			(void)buf_printf(err, "record %lu (uuid %.32s): ",
			    e.nrec, e.uuid);
			rc = apply_fail(&a, rc, err);
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
		if ((rc = absent_delete(&a, &gone)) != ZSQ_OK) {
			rc = store_fail(imp->st, rc, err);
			goto out;
		}
	}
	/*
	 * The uuids have served (40 MB at a million groups): the merge of a
	 * build and the commit, which maps the most, go without them.
	 */
	seen_free(&imp->seen);
	if ((rc = index_batch_finish(&a.batch)) != ZSQ_OK) {
		rc = apply_fail(&a, rc, err);
		goto out;
	}
	if (h != NULL && h->after != NULL &&
	    (rc = h->after(h->arg, imp->st, txn, err)) != ZSQ_OK)
		goto out;
	if (stats->added + stats->updated + stats->deleted > 0 &&
	    (rc = store_gen_bump(imp->st, txn)) != ZSQ_OK)
		rc = store_fail(imp->st, rc, err);
out:
	index_batch_free(&a.batch);
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
	/* The snapshot has served: it must not pin pages while we write. */
	if (imp->snap != NULL) {
		mdb_txn_abort(imp->snap);
		imp->snap = NULL;
	}
	/*
	 * The first phase's parse trees and buffers are freed, but malloc
	 * keeps their pages (in the heap and the threads' arenas), and the
	 * uuid set's earlier sizes lie between them: give them back, or the
	 * second phase's peak counts them too.
	 */
	(void)malloc_trim(0);
	/* The write lock is taken only now, with everything validated. */
	map_keeper_stop(imp->keeper);
	imp->keeper = NULL;
	rc = store_txn_begin(imp->st, 0, &txn);
	map_watch(imp);
	if (rc != ZSQ_OK)
		return store_fail(imp->st, rc, err);
	/* The keeper looks at the map only while we write (map_keeper.h). */
	map_keeper_txn_begin(imp->keeper);
	if ((rc = apply(imp, txn, h, stats, err)) == ZSQ_OK) {
		rc = mdb_txn_commit(txn);
		txn = NULL;
		if (rc != MDB_SUCCESS)
			rc = store_fail(imp->st, rc, err);
	}
	if (txn != NULL)
		mdb_txn_abort(txn);
	map_keeper_txn_end(imp->keeper);
	if (rc != ZSQ_OK)
		memset(stats, 0, sizeof(*stats));
	return rc;
}

void
import_end(struct import *imp)
{
	if (imp == NULL)
		return;
	import_pool_free(imp->pool);
	map_keeper_stop(imp->keeper);
	if (imp->rfd >= 0)
		close(imp->rfd);
	if (imp->snap != NULL)
		mdb_txn_abort(imp->snap);
	if (imp->spool != NULL)
		fclose(imp->spool);
	seen_free(&imp->seen);
	buf_free(&imp->rec);
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
