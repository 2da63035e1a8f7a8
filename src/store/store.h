/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.h - the LMDB environment and its named databases.
 *
 *   meta      "version" -> u32 schema version (records, databases);
 *             "format" -> the index format (index.h index_format()) the
 *             indexes were built with; "tz" -> zone name the records
 *             were rendered in; "gen" -> u64, bumped by every change to
 *             groups or shares (stat and backup report it); "next_ord"
 *             -> u32, the next group ordinal; "seed" -> u64, the key of
 *             the input digests (record.h rec_head.src)
 *   groups    group uuid (32 lowercase hex) -> record (record.h)
 *   ords      group ordinal (u32 big-endian) -> group uuid
 *   sessions  session id -> struct session_rec (session.h)
 *   accounts  account uuid (32) -> account name
 *   shares    (MDB_DUPSORT) group uuid -> account uuid, or ACL_PUBLIC
 *   owned     (MDB_DUPSORT|MDB_DUPFIXED) account uuid -> ordinals of
 *             the groups it owns (acl.h)
 *   granted   (MDB_DUPSORT|MDB_DUPFIXED) account uuid or ACL_PUBLIC ->
 *             ordinals of the groups shared with it (acl.h)
 *   eq, ord   (MDB_DUPSORT|MDB_DUPFIXED) secondary index key -> group
 *             ordinals (index.h)
 *
 * A group's ordinal is a small number given once, when the group is first
 * stored, and never reused: the indexes name groups by it (4 bytes, not
 * 32), and a set of groups is a bitmap over ordinals.
 *
 * A store made by another schema version or index format is refused
 * (ZSQ_EVERSION; store_open() leaves st->version and st->format saying
 * which) until `zsquery-admin upgrade` rebuilds it: indexes built another
 * way would silently miss groups.
 *
 * Caveats (LMDB's): open the store in the process that uses it, after
 * fork(); every opener, a read-only one too, needs write access to
 * lock.mdb (the reader table), while STORE_RDONLY needs only read access
 * to data.mdb; keep read transactions short.  store_open() clears reader
 * slots left by dead processes.
 *
 * The reader table (lock.mdb) is sized by the first process that opens
 * the store while nobody else has it open; every store_open() asks for
 * STORE_MAX_READERS, but a table made by another program (LMDB's tools
 * ask for 126) stays that size until every opener has closed it, so a
 * user of many slots checks mdb_env_get_maxreaders() (worker.c does).
 */
#ifndef ZSQ_STORE_H
#define ZSQ_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <lmdb.h>

#define STORE_SCHEMA_VERSION	2
#define STORE_DEFAULT_DIR	"/var/lib/zsquery"
#define STORE_DEFAULT_MAPSIZE	((size_t)4 << 30)	/* 4 GiB, sparse */
#define STORE_TZ_MAX		64
/*
 * Reader slots: the largest pool (256 workers) twice, since SIGHUP
 * overlaps two generations, their two renewers, and LMDB's default of
 * 126 left for zsquery-admin and LMDB's own tools.
 */
#define STORE_MAX_READERS	(2 * 256 + 2 + 126)

#define STORE_FORMAT_MAX	512

enum {
	STORE_CREATE = 1,	/* make the directory and databases if missing */
	STORE_RDONLY = 2,	/* open read-only (MDB_RDONLY): no write txns */
	STORE_UPGRADE = 4,	/* open a store of another version or format
				   (zsquery-admin upgrade): only meta, groups,
				   sessions, accounts and shares are opened */
	STORE_WRITEMAP = 8	/* a writer: dirty pages go through the map
				   (MDB_WRITEMAP), not the heap.  LMDB warns
				   against mixing processes with and without
				   it for durability's sake; on Linux the map
				   and write() share one page cache, and each
				   commit syncs the file, so it holds.  LMDB
				   sizes the file to such a writer's map: it
				   never asks for less than the file holds
				   (store.c, writemap_lock) */
};

struct store {
	MDB_env	*env;
	MDB_dbi	 meta, groups, ords, sessions, accounts, shares, owned,
		 granted, eq, ord;
	uint32_t version;		/* the store's schema version */
	char	 format[STORE_FORMAT_MAX]; /* the store's index format */
	uint64_t seed;			/* meta "seed" */
	char	 tz[STORE_TZ_MAX];	/* zone the records were rendered in */
	char	 dir[4096];
};

/*
 * Open the store in dir.  mapsize 0 keeps the size the store already has
 * (or STORE_DEFAULT_MAPSIZE for a new one).  Errors: ZSQ_ESTORE (no store
 * there and no STORE_CREATE, or not a zsquery store), ZSQ_EVERSION
 * (another schema version or index format: st->version and st->format
 * still say which, the environment is closed), errno values (EACCES ...)
 * and LMDB codes; st is then closed.  With STORE_CREATE a new store
 * records the current time zone.
 */
int	store_open(struct store *st, const char *dir, unsigned flags,
	    size_t mapsize);
void	store_close(struct store *st);

/*
 * mdb_txn_begin() that follows a map another process grew (zsquery-admin
 * --map-size): on MDB_MAP_RESIZED it adopts the store's new size
 * (mdb_env_set_mapsize(env, 0)) and tries once more.  LMDB allows the
 * resize only while no transaction of this environment is active in this
 * process, so call it with none (a reset read txn handle is not active).
 * ZSQ_OK or a store_err() code.
 */
int	store_txn_begin(struct store *st, unsigned mdb_flags, MDB_txn **txn);

/* ZSQ_OK when the current zone (tz.h) is the store's, else ZSQ_ETZ. */
int	store_check_tz(const struct store *st);

/* Read or bump meta "gen" inside txn (bump needs a write txn). */
int	store_gen_get(const struct store *st, MDB_txn *txn, uint64_t *gen);
int	store_gen_bump(const struct store *st, MDB_txn *txn);

/* Allocate the next group ordinal (write txn). */
int	store_ord_next(const struct store *st, MDB_txn *txn, uint32_t *ord);
/* The uuid (32 bytes in the map) of ordinal ord; ZSQ_ENOTFOUND. */
int	store_ord_uuid(const struct store *st, MDB_txn *txn, uint32_t ord,
	    const char **uuid);
/* Big-endian ordinal bytes, the key and data form of every database. */
void	store_ord_put(unsigned char *p, uint32_t ord);
uint32_t store_ord_get(const unsigned char *p);

/*
 * Write the current version, index format and a fresh seed into meta
 * (a new store, or zsquery-admin upgrade once everything is rebuilt).
 */
int	store_stamp(struct store *st, MDB_txn *txn);

/* Map an LMDB result to a zsquery code: MDB_MAP_FULL -> ZSQ_EFULL, ... */
int	store_err(int mdb_rc);

#endif
