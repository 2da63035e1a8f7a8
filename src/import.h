/*
 * import.h - fill the store from ZStack replies (SPEC 9).
 *
 * Input: a ZStack reply {"inventories":[...]} (schema/total ignored), a JSON
 * array of groups, or one group object per line.  The input is read as a
 * stream and split into one group at a time, so parsing holds only the
 * largest group, never the whole input.
 *
 * Caveat: LMDB keeps the pages a write transaction dirtied in memory until
 * it commits, and one import is one transaction, so an import's memory
 * grows with what it writes (bench/README.md: about 1.6 GiB of heap for
 * 100,000 groups, 1.3 GB of JSON).  That is the price of all-or-nothing.
 *
 * One import is one LMDB write transaction: every group is validated
 * against schema.h, rendered (render.h) and written with its index entries
 * (index.h); the first invalid record aborts the transaction and the store
 * stays exactly as it was.
 *
 * Policies:
 *   - the form is told by the first byte, and for '{' by the first key: one
 *     of ZStack's reply keys (schema, total, success, error, inventories)
 *     means a reply, anything else the one-group-per-line form;
 *   - empty input is an error (a failed download must not look like "no
 *     groups" to --replace); "[]" or {"inventories":[]} are zero groups;
 *   - a uuid twice in one input is an error naming both records;
 *   - new groups belong to o->owner or the admin; a stored group keeps its
 *     owner unless o->owner is given;
 *   - replace deletes absent groups with their shares and index entries;
 *   - the generation is bumped when anything changed.
 * Limits: a group at most 64 MiB of JSON, nested at most 64 deep.
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
 * input), ZSQ_ENOTFOUND (owner account unknown), ZSQ_ETZ (the current time
 * zone is not the store's), ZSQ_ETOOBIG (a group beyond the limits),
 * ZSQ_EFULL (map full) or another code, stats are zeroed and err holds one
 * line naming the record position (1-based), its uuid when known and the
 * field, e.g.
 *   record 3 (uuid 5f3c...): field 'instances[0].vm.cpuNum': expected an integer
 */
int	import_stream(struct store *st, FILE *in, const struct import_opts *o,
	    struct import_stats *stats, struct buf *err);

#endif
