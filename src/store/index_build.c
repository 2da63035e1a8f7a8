/* SPDX-License-Identifier: Apache-2.0 */
/*
 * index_build.c - see index_build.h.
 *
 * A run is a contiguous stretch of its database's file: entries of u16
 * key length (host order: the file never leaves this process), key, and
 * the 4-byte ordinal.  The merge keeps one reader per run in a binary
 * heap ordered by the reader's current entry.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/tmpfile.h"
#include "store/index.h"
#include "store/index_build.h"
#include "store/store.h"

#define ENT_HEAD	2	/* the key length */
#define ENT_ORD		4

/*
 * runs: the u64 offset where each ended run starts; it ends where the
 * next one starts, the last one at start.
 */
struct run_file {
	int		 fd;
	uint64_t	 size;		/* written so far */
	uint64_t	 start;		/* of the current run */
	struct buf	 w;		/* not yet written */
	unsigned char	 last[ENT_HEAD + INDEX_KEY_MAX + ENT_ORD];
	size_t		 lastlen;	/* 0: the run is empty */
	struct buf	 runs;
};

struct index_build {
	struct run_file	 f[INDEX_BUILD_DBS];
	size_t		 merge_mem;
	int		 ferr;		/* errno of a failed file access */
};

/* A run being merged: its unread bytes and its current entry. */
struct reader {
	uint64_t	 off, end;	/* still in the file */
	unsigned char	*buf;
	size_t		 pos, len, cap;
	const unsigned char *ent;	/* current entry */
	size_t		 klen;
};

/* LMDB's order: key bytes, a prefix first, then the ordinal. */
static int
ent_cmp(const unsigned char *a, size_t al, const unsigned char *b,
    size_t bl)
{
	int r;

	r = memcmp(a + ENT_HEAD, b + ENT_HEAD, al < bl ? al : bl);
	if (r != 0)
		return r;
	if (al != bl)
		return al < bl ? -1 : 1;
	return memcmp(a + ENT_HEAD + al, b + ENT_HEAD + bl, ENT_ORD);
}

int
index_build_open(struct index_build **out, struct buf *err)
{
	struct index_build *ib;
	unsigned i;
	int rc = ZSQ_OK;

	*out = NULL;
	if ((ib = calloc(1, sizeof(*ib))) == NULL)
		return ZSQ_ENOMEM;
	ib->merge_mem = INDEX_BUILD_MERGE_MEM;
	for (i = 0; i < INDEX_BUILD_DBS; i++)
		ib->f[i].fd = -1;
	for (i = 0; i < INDEX_BUILD_DBS && rc == ZSQ_OK; i++)
		rc = tmpfile_open("index build file", &ib->f[i].fd, err);
	if (rc != ZSQ_OK) {
		index_build_free(ib);
		return rc;
	}
	*out = ib;
	return ZSQ_OK;
}

void
index_build_set_merge_mem(struct index_build *ib, size_t bytes)
{
	ib->merge_mem = bytes;
}

int
index_build_file_error(const struct index_build *ib)
{
	return ib != NULL ? ib->ferr : 0;
}

size_t
index_build_runs(const struct index_build *ib, unsigned db)
{
	return db < INDEX_BUILD_DBS ? ib->f[db].runs.len / sizeof(uint64_t) :
	    0;
}

/* Write all of p at off; an errno if not. */
static int
pwrite_all(int fd, const void *p, size_t len, uint64_t off)
{
	const char *c = p;
	ssize_t n;

	while (len > 0) {
		if ((n = pwrite(fd, c, len, (off_t)off)) <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return n < 0 ? errno : EIO;
		}
		c += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return ZSQ_OK;
}

static int
file_drain(struct index_build *ib, struct run_file *f)
{
	int rc;

	if (f->w.len == 0)
		return ZSQ_OK;
	if ((rc = pwrite_all(f->fd, f->w.data, f->w.len, f->size)) != 0) {
		ib->ferr = rc;
		return ZSQ_EIO;
	}
	f->size += f->w.len;
	buf_reset(&f->w);
	return ZSQ_OK;
}

int
index_build_add(struct index_build *ib, unsigned db,
    const unsigned char *key, size_t klen, const unsigned char *ord)
{
	unsigned char e[ENT_HEAD + INDEX_KEY_MAX + ENT_ORD];
	struct run_file *f;
	uint16_t n = (uint16_t)klen;
	size_t len = ENT_HEAD + klen + ENT_ORD;
	int r, rc;

	if (db >= INDEX_BUILD_DBS || klen == 0 || klen > INDEX_KEY_MAX)
		return ZSQ_EINVAL;
	f = &ib->f[db];
	memcpy(e, &n, ENT_HEAD);
	memcpy(e + ENT_HEAD, key, klen);
	memcpy(e + ENT_HEAD + klen, ord, ENT_ORD);
	if (f->lastlen > 0) {
		r = ent_cmp(f->last, f->lastlen - ENT_HEAD - ENT_ORD, e, klen);
		if (r == 0)
			return ZSQ_OK;
		if (r > 0)
			return ZSQ_EINVAL;
	}
	memcpy(f->last, e, len);
	f->lastlen = len;
	if ((rc = buf_append(&f->w, e, len)) != ZSQ_OK)
		return rc;
	return f->w.len < INDEX_BUILD_WBUF ? ZSQ_OK : file_drain(ib, f);
}

int
index_build_run_end(struct index_build *ib)
{
	struct run_file *f;
	unsigned i;
	int rc;

	for (i = 0; i < INDEX_BUILD_DBS; i++) {
		f = &ib->f[i];
		if ((rc = file_drain(ib, f)) != ZSQ_OK)
			return rc;
		if (f->size == f->start)
			continue;
		if ((rc = buf_append(&f->runs, &f->start, sizeof(f->start))) !=
		    ZSQ_OK)
			return rc;
		f->start = f->size;
		f->lastlen = 0;
	}
	return ZSQ_OK;
}

/*
 * Make the reader's next entry current: refill when the buffer does not
 * hold all of it.  ZSQ_ENOTFOUND at the run's end; an errno, or ZSQ_EIO
 * for a run cut short or garbled.
 */
static int
reader_next(struct reader *rd, int fd)
{
	uint16_t n;
	size_t have, want;
	ssize_t got;

	if (rd->ent != NULL)
		rd->pos += ENT_HEAD + rd->klen + ENT_ORD;
	rd->ent = NULL;
	for (;;) {
		have = rd->len - rd->pos;
		if (have >= ENT_HEAD) {
			memcpy(&n, rd->buf + rd->pos, ENT_HEAD);
			if (n == 0 || n > INDEX_KEY_MAX)
				return ZSQ_EIO;
			if (have >= ENT_HEAD + (size_t)n + ENT_ORD) {
				rd->ent = rd->buf + rd->pos;
				rd->klen = n;
				return ZSQ_OK;
			}
		}
		if (rd->off == rd->end)
			return have == 0 ? ZSQ_ENOTFOUND : ZSQ_EIO;
		memmove(rd->buf, rd->buf + rd->pos, have);
		rd->pos = 0;
		rd->len = have;
		want = rd->cap - have;
		if (want > rd->end - rd->off)
			want = (size_t)(rd->end - rd->off);
		got = pread(fd, rd->buf + have, want, (off_t)rd->off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return got < 0 ? errno : ZSQ_EIO;
		rd->len += (size_t)got;
		rd->off += (uint64_t)got;
	}
}

static int
reader_less(const struct reader *a, const struct reader *b)
{
	return ent_cmp(a->ent, a->klen, b->ent, b->klen) < 0;
}

static void
heap_down(struct reader **h, size_t n, size_t i)
{
	struct reader *t;
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && reader_less(h[c + 1], h[c]))
			c++;
		if (!reader_less(h[c], h[i]))
			return;
		t = h[i];
		h[i] = h[c];
		h[c] = t;
		i = c;
	}
}

/* Append one pair after every pair already in the database. */
static int
append(MDB_cursor *cur, const struct reader *rd, unsigned char *prev,
    size_t *prevlen, void (*tick)(void *), void *arg)
{
	size_t len = ENT_HEAD + rd->klen + ENT_ORD;
	MDB_val k = { rd->klen, (void *)(rd->ent + ENT_HEAD) },
	    d = { ENT_ORD, (void *)(rd->ent + ENT_HEAD + rd->klen) };
	unsigned flags = MDB_APPEND;
	int rc;

	if (*prevlen == len && memcmp(prev, rd->ent, ENT_HEAD + rd->klen) ==
	    0) {
		if (memcmp(prev + ENT_HEAD + rd->klen, d.mv_data, ENT_ORD) ==
		    0)
			return ZSQ_OK;	/* in two runs: one entry */
		/*
		 * Another ordinal of the last key: MDB_APPEND would refuse
		 * a key equal to the last one; APPENDDUP appends within it.
		 */
		flags = MDB_APPENDDUP;
	}
	if (tick != NULL)
		tick(arg);
	if ((rc = mdb_cursor_put(cur, &k, &d, flags)) != MDB_SUCCESS)
		return store_err(rc);
	memcpy(prev, rd->ent, len);
	*prevlen = len;
	return ZSQ_OK;
}

int
index_build_merge(struct index_build *ib, unsigned db, MDB_txn *txn,
    MDB_dbi dbi, void (*tick)(void *), void *arg)
{
	unsigned char prev[ENT_HEAD + INDEX_KEY_MAX + ENT_ORD];
	struct reader *rds = NULL, **heap = NULL;
	struct run_file *f;
	MDB_cursor *cur = NULL;
	MDB_stat ms;
	size_t i, n = 0, cap, prevlen = 0, nruns;
	int rc;

	if (db >= INDEX_BUILD_DBS)
		return ZSQ_EINVAL;
	if ((rc = index_build_run_end(ib)) != ZSQ_OK)
		return rc;
	f = &ib->f[db];
	nruns = index_build_runs(ib, db);
	if ((rc = mdb_stat(txn, dbi, &ms)) != MDB_SUCCESS)
		return store_err(rc);
	if (ms.ms_entries != 0)
		return ZSQ_EINVAL;
	if (nruns == 0)
		return ZSQ_OK;
	cap = ib->merge_mem / nruns;
	if (cap < INDEX_BUILD_RBUF_MIN)
		cap = INDEX_BUILD_RBUF_MIN;
	if (cap > INDEX_BUILD_RBUF_MAX)
		cap = INDEX_BUILD_RBUF_MAX;
	if ((rds = calloc(nruns, sizeof(*rds))) == NULL ||
	    (heap = calloc(nruns, sizeof(*heap))) == NULL) {
		rc = ZSQ_ENOMEM;
		goto out;
	}
	for (i = 0; i < nruns; i++) {
		memcpy(&rds[i].off, f->runs.data + i * sizeof(uint64_t),
		    sizeof(uint64_t));
		if (i + 1 < nruns)
			memcpy(&rds[i].end, f->runs.data + (i + 1) *
			    sizeof(uint64_t), sizeof(uint64_t));
		else
			rds[i].end = f->start;
		rds[i].cap = cap;
		if ((rds[i].buf = malloc(cap)) == NULL) {
			rc = ZSQ_ENOMEM;
			goto out;
		}
		if ((rc = reader_next(&rds[i], f->fd)) == ZSQ_ENOTFOUND)
			continue;
		if (rc != ZSQ_OK)
			goto read_failed;
		heap[n++] = &rds[i];
	}
	for (i = n / 2; i-- > 0; )
		heap_down(heap, n, i);
	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != MDB_SUCCESS) {
		rc = store_err(rc);
		goto out;
	}
	while (n > 0) {
		if ((rc = append(cur, heap[0], prev, &prevlen, tick, arg)) !=
		    ZSQ_OK)
			goto out;
		if ((rc = reader_next(heap[0], f->fd)) == ZSQ_ENOTFOUND) {
			heap[0] = heap[--n];
			rc = ZSQ_OK;
		} else if (rc != ZSQ_OK)
			goto read_failed;
		heap_down(heap, n, 0);
	}
	/*
	 * Merged: give the disk back now, not at the end of the import (a
	 * failure costs only that: the file goes at index_build_free()).
	 */
	if (ftruncate(f->fd, 0) == 0)
		f->size = f->start = 0;
	buf_reset(&f->runs);
	goto out;
read_failed:
	ib->ferr = rc == ZSQ_EIO ? EIO : rc;
	rc = ZSQ_EIO;
out:
	if (cur != NULL)
		mdb_cursor_close(cur);
	if (rds != NULL)
		for (i = 0; i < nruns; i++)
			free(rds[i].buf);
	free(rds);
	free(heap);
	return rc;
}

void
index_build_free(struct index_build *ib)
{
	unsigned i;

	if (ib == NULL)
		return;
	for (i = 0; i < INDEX_BUILD_DBS; i++) {
		if (ib->f[i].fd >= 0)
			(void)close(ib->f[i].fd);
		buf_free(&ib->f[i].w);
		buf_free(&ib->f[i].runs);
	}
	free(ib);
}
