/*
 * import.h - fill the store from ZStack replies (SPEC 9).
 *
 * Input: a ZStack reply {"inventories":[...]} (schema/total ignored), a JSON
 * array of groups, or one group object per line.  The input is read as a
 * stream and split into one group at a time, so memory stays bounded by
 * the largest group, not the input.
 *
 * One import is one LMDB write transaction: every group is validated
 * against schema.h, rendered (render.h) and written; the first invalid
 * record aborts the transaction and the store stays exactly as it was.
 */
#ifndef ZSQ_IMPORT_H
#define ZSQ_IMPORT_H

#include <stdio.h>

#include "buf.h"
#include "store.h"

struct import_opts {
	const char	*owner;		/* account uuid; NULL: admin */
	int		 replace;	/* delete groups absent from the input */
};

struct import_stats {
	unsigned long	 added;
	unsigned long	 updated;
	unsigned long	 deleted;	/* by replace */
	unsigned long	 unchanged;
};

/*
 * Import everything readable from in.  On failure returns ZSQ_EINVAL (bad
 * input), ZSQ_ENOTFOUND (owner account unknown), ZSQ_EFULL (map full) or
 * another code, and err holds one line naming the record position (1-
 * based), its uuid when known and the field, e.g.
 *   record 3 (uuid 5f3c...): field 'instances[0].vm.cpuNum': expected an integer
 */
int	import_stream(struct store *st, FILE *in, const struct import_opts *o,
	    struct import_stats *stats, struct buf *err);

#endif
