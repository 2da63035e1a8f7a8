/*
 * store.h - the LMDB environment and its named databases.
 *
 *   meta      "version" -> u32 schema version; "tz" -> zone name the records
 *             were rendered in; "gen" -> u64, bumped by every change to
 *             groups or shares (stat and backup report it)
 *   groups    group uuid (32 lowercase hex) -> record (record.h)
 *   sessions  session id -> struct session_rec (session.h)
 *   accounts  account uuid (32) -> account name
 *   shares    (MDB_DUPSORT) group uuid -> account uuid, or ACL_PUBLIC
 *   index     (MDB_DUPSORT) secondary index key -> group uuid (index.h)
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

#define STORE_SCHEMA_VERSION	1
#define STORE_DEFAULT_DIR	"/var/lib/zsquery"
#define STORE_DEFAULT_MAPSIZE	((size_t)4 << 30)	/* 4 GiB, sparse */
#define STORE_TZ_MAX		64
/*
 * Reader slots: the largest pool (256 workers) twice, since SIGHUP
 * overlaps two generations, their two renewers, and LMDB's default of
 * 126 left for zsquery-admin and LMDB's own tools.
 */
#define STORE_MAX_READERS	(2 * 256 + 2 + 126)

enum {
	STORE_CREATE = 1,	/* make the directory and databases if missing */
	STORE_RDONLY = 2	/* open read-only (MDB_RDONLY): no write txns */
};

struct store {
	MDB_env	*env;
	MDB_dbi	 meta, groups, sessions, accounts, shares, index;
	char	 tz[STORE_TZ_MAX];	/* zone the records were rendered in */
	char	 dir[4096];
};

/*
 * Open the store in dir.  mapsize 0 keeps the size the store already has
 * (or STORE_DEFAULT_MAPSIZE for a new one).  Errors: ZSQ_ESTORE (no store
 * there and no STORE_CREATE, or not a zsquery store), ZSQ_EVERSION (newer
 * schema), errno values (EACCES ...) and LMDB codes; st is then closed.
 * With STORE_CREATE a new store records the current time zone.
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

/* Map an LMDB result to a zsquery code: MDB_MAP_FULL -> ZSQ_EFULL, ... */
int	store_err(int mdb_rc);

#endif
