/* SPDX-License-Identifier: Apache-2.0 */
/*
 * import.h - fill the store from ZStack replies (API.md §9), in two phases.
 *
 *   import_begin()      checks the store's time zone; no lock taken
 *   import_read()       phase 1: split a stream into groups ...
 *   import_add()        ... or add one group (zsquery-admin sync): each
 *                       group is parsed, validated and rendered, and kept
 *                       in a spool file, never in the store; the write
 *                       lock is not taken, so a slow or endless input
 *                       holds nothing but its own memory and disk
 *   import_commit()     phase 2: take the write lock, apply everything
 *                       in ONE transaction (plus the caller's hooks in
 *                       that same transaction), commit
 *   import_end()        release everything (after commit or instead)
 *
 * import_stream() is begin + read + commit + end for one input.
 *
 * Input forms (import_read): a ZStack reply {"inventories":[...]}
 * (schema/total ignored), a JSON array of groups, or one group object per
 * line.  The input is read as a stream and split into one group at a time,
 * so parsing holds only the largest groups, never the whole input.
 *
 * A group whose bytes (and given tags and owner) are those it was last
 * imported from is recognised by a digest of them and kept as it is: it
 * costs neither parsing, nor rendering, nor a write, so a refresh costs
 * what changed.  Changed groups are parsed and rendered on threads.
 *
 * Policies:
 *   - the form is told by the first byte, and for '{' by the first key: one
 *     of ZStack's reply keys (schema, total, success, error, inventories)
 *     means a reply, anything else the one-group-per-line form;
 *   - empty input is an error (a failed download must not look like "no
 *     groups" to replace); "[]" or {"inventories":[]} are zero groups, and
 *     zero groups with replace are refused unless allow_empty is set;
 *   - a uuid twice in one import is an error naming both records;
 *   - the owner of a group: the owner given to import_add() for it, else
 *     o->owner, else the one it has in the store, else the admin account;
 *     an owner that is not an account of the store is an error;
 *   - replace deletes stored groups the import did not name, with their
 *     shares and index entries, but refuses (nothing changed) when that
 *     would delete more than o->max_delete percent of the stored groups;
 *   - the generation is bumped when anything changed.
 * Limits: a group at most 64 MiB of JSON (SPLIT_MAX_ELEM), checked for
 * import_read() and import_add() alike, nested at most 64 deep
 * (JSCAN_DEPTH_MAX: import_read()'s splitter checks it, and sync's page
 * splitter for the groups it hands to import_add()).
 *
 * Errors name the record position (1-based), its uuid when known and the
 * field, in one line, e.g.
 *   record 3 (uuid 5f3c...): field 'instances[0].vm.cpuNum': expected an integer
 * Any error, in either phase, leaves the store exactly as it was.
 */
#ifndef ZSQ_IMPORT_H
#define ZSQ_IMPORT_H

#include <stdint.h>
#include <stdio.h>
#include <lmdb.h>

#include "base/buf.h"
#include "store/store.h"

#define IMPORT_MAX_DELETE_DEFAULT	50	/* percent */

/* What a progress callback is told; bytes_total 0 when unknown. */
struct import_progress {
	int		 applying;	/* 0: reading (phase 1), 1: phase 2 */
	unsigned long	 groups;	/* read so far, or applied so far */
	unsigned long	 groups_total;	/* phase 2: how many to apply */
	uint64_t	 bytes;		/* input bytes read (phase 1) */
	uint64_t	 bytes_total;
};

struct import_opts {
	const char	*owner;		/* account uuid; NULL: see policies */
	int		 replace;	/* delete groups absent from the input */
	int		 allow_empty;	/* replace may leave zero groups */
	unsigned	 max_delete;	/* percent; 100 disables the check */
	/* Called often (per group): the callee rate-limits its output. */
	void		(*progress)(void *arg, const struct import_progress *p);
	void		*progress_arg;
	uint64_t	 bytes_total;	/* input size when known, for progress */
};

/* Defaults: no owner, no replace, max_delete IMPORT_MAX_DELETE_DEFAULT. */
void	import_opts_init(struct import_opts *o);

struct import_stats {
	unsigned long	 added;
	unsigned long	 updated;
	unsigned long	 deleted;	/* by replace */
	unsigned long	 unchanged;
};

/* Tags to set on a group (import_add); they replace any in its JSON. */
struct import_tags {
	const char *const *system;	/* NUL-terminated strings */
	size_t		   nsystem;
	const char *const *user;
	size_t		   nuser;
};

/*
 * Work the caller adds to the import's write transaction (sync: accounts
 * before the groups, shares after them).  A hook returns ZSQ_OK or a code
 * with one line in err; any failure aborts the whole transaction.
 */
struct import_hooks {
	int	(*before)(void *arg, const struct store *st, MDB_txn *txn,
		    struct buf *err);
	int	(*after)(void *arg, const struct store *st, MDB_txn *txn,
		    struct buf *err);
	void	*arg;
};

struct import;

/*
 * Start an import into st (open, in this process).  o is copied.
 * ZSQ_ETZ when the current time zone is not the store's (err says both),
 * ZSQ_EINVAL for a malformed o->owner, ZSQ_ENOMEM, or an errno (the spool).
 */
int	import_begin(struct store *st, const struct import_opts *o,
	    struct import **out, struct buf *err);
/* Phase 1 on a stream: every group in it.  ZSQ_EINVAL etc. with err. */
int	import_read(struct import *imp, FILE *in, struct buf *err);
/*
 * Phase 1 for one group's JSON object (json[0..len)).  owner (32 chars)
 * NULL: the policies decide; tags NULL: as the JSON says.
 */
int	import_add(struct import *imp, const char *json, size_t len,
	    const char *owner, const struct import_tags *tags,
	    struct buf *err);
/*
 * Phase 2.  hooks may be NULL.  On success *stats says what changed.
 * Errors: ZSQ_EINVAL (empty replace, max_delete, unknown owner, a hook),
 * ZSQ_EFULL (map full: err advises --map-size), ZSQ_ENOSPC-like errno
 * values, store codes; the store is then unchanged.
 */
int	import_commit(struct import *imp, const struct import_hooks *hooks,
	    struct import_stats *stats, struct buf *err);
void	import_end(struct import *imp);

/* begin + read + commit + end.  stats zeroed on failure. */
int	import_stream(struct store *st, FILE *in, const struct import_opts *o,
	    struct import_stats *stats, struct buf *err);

#endif
