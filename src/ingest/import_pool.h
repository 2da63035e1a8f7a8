/* SPDX-License-Identifier: Apache-2.0 */
/*
 * import_pool.h - parse and render an import's groups (jansson, render.c)
 * on worker threads, and hand the results back in input order.
 *
 * The caller (one thread) adds groups; each is copied, parsed, validated
 * and rendered into its record, here or on a thread; take() is called
 * with the results strictly in the order the groups were added, from
 * inside import_pool_add() or import_pool_drain(), so what take() does
 * (spool, repeat checks, the first error) stays sequential.  After an
 * error (a group's or take()'s) nothing more is taken and every call
 * returns that error.  At most a bounded number of groups are in flight,
 * so memory follows the largest groups, not the input.
 */
#ifndef ZSQ_IMPORT_POOL_H
#define ZSQ_IMPORT_POOL_H

#include <stddef.h>

#include "base/buf.h"
#include "ingest/import.h"
#include "store/record.h"

/* One group: what was added, and once rendered what came of it. */
struct import_job {
	unsigned long	 nrec;		/* record number, 1-based */
	struct buf	 json;		/* the group's bytes */
	char		 owner[33];	/* the record's owner, a string */
	int		 owner_set;	/* the owner is explicit */
	unsigned char	 src[REC_SRC_LEN]; /* the input's digest */
	/* Results. */
	int		 rc;		/* ZSQ_OK or the group's error */
	struct buf	 err;		/* rc != ZSQ_OK: one line */
	struct buf	 rec;		/* the record (record.h) */
	char		 uuid[32];	/* the group's uuid */
	int		 state;		/* internal */
};

typedef int	(*import_take_fn)(void *arg, const struct import_job *j,
		    struct buf *err);

struct import_pool;

/*
 * threads: 0 renders in the calling thread; -1 as many threads as the
 * machine has processors (at most 4).  ZSQ_OK, ZSQ_ENOMEM or an errno.
 */
int	import_pool_new(int threads, import_take_fn take, void *arg,
	    struct import_pool **out);
/*
 * Add group nrec (json copied).  tags (NULL: as the JSON says) are used
 * before this returns: such a group is rendered in the calling thread.
 */
int	import_pool_add(struct import_pool *p, unsigned long nrec,
	    const char *json, size_t len, const char *owner, int owner_set,
	    const struct import_tags *tags, const unsigned char *src,
	    struct buf *err);
/* Wait for every group added and take them all: ZSQ_OK or the error. */
int	import_pool_drain(struct import_pool *p, struct buf *err);
/* Forget the groups not taken yet (after an error elsewhere). */
void	import_pool_cancel(struct import_pool *p);
void	import_pool_free(struct import_pool *p);

#endif
