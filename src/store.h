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
 * fork(); a reader needs write access to lock.mdb; keep read transactions
 * short.  store_open() clears reader slots left by dead processes.
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

enum {
	STORE_CREATE = 1	/* make the directory and databases if missing */
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

/* ZSQ_OK when the current zone (tz.h) is the store's, else ZSQ_ETZ. */
int	store_check_tz(const struct store *st);

/* Read or bump meta "gen" inside txn (bump needs a write txn). */
int	store_gen_get(const struct store *st, MDB_txn *txn, uint64_t *gen);
int	store_gen_bump(const struct store *st, MDB_txn *txn);

/* Map an LMDB result to a zsquery code: MDB_MAP_FULL -> ZSQ_EFULL, ... */
int	store_err(int mdb_rc);

#endif
