/* store.c - open and describe the LMDB environment; see store.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "schema.h"
#include "store.h"
#include "tz.h"

int
store_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:	return ZSQ_OK;
	case MDB_MAP_FULL:	return ZSQ_EFULL;
	case MDB_NOTFOUND:	return ZSQ_ENOTFOUND;
	case MDB_KEYEXIST:	return ZSQ_EEXIST;
	case MDB_INVALID:
	case MDB_CORRUPTED:
	case MDB_VERSION_MISMATCH:
	case MDB_INCOMPATIBLE:	return ZSQ_ESTORE;
	case ENOMEM:		return ZSQ_ENOMEM;
	}
	return rc;
}

static int
meta_get(const struct store *st, MDB_txn *txn, const char *key, MDB_val *v)
{
	MDB_val k = { strlen(key), (void *)key };

	return mdb_get(txn, st->meta, &k, v);
}

static int
meta_put(const struct store *st, MDB_txn *txn, const char *key,
    const void *p, size_t n)
{
	MDB_val k = { strlen(key), (void *)key }, v = { n, (void *)p };

	return mdb_put(txn, st->meta, &k, &v, 0);
}

/* Open (or with create, make) every named database inside txn. */
static int
dbis_open(struct store *st, MDB_txn *txn, unsigned create)
{
	static const struct { const char *name; unsigned flags; size_t off; }
	    dbs[] = {
		{ "meta", 0, offsetof(struct store, meta) },
		{ "groups", 0, offsetof(struct store, groups) },
		{ "sessions", 0, offsetof(struct store, sessions) },
		{ "accounts", 0, offsetof(struct store, accounts) },
		{ "shares", MDB_DUPSORT, offsetof(struct store, shares) },
		{ "index", MDB_DUPSORT, offsetof(struct store, index) },
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		MDB_dbi *dbi = (MDB_dbi *)((char *)st + dbs[i].off);

		rc = mdb_dbi_open(txn, dbs[i].name, dbs[i].flags | create, dbi);
		if (rc != MDB_SUCCESS)
			return rc == MDB_NOTFOUND ? ZSQ_ESTORE : store_err(rc);
	}
	return ZSQ_OK;
}

/* In a new store: version, zone, generation and the admin account. */
static int
store_format(struct store *st, MDB_txn *txn)
{
	uint32_t version = STORE_SCHEMA_VERSION;
	uint64_t gen = 0;
	MDB_val k = { 32, (void *)SCHEMA_ADMIN_ACCOUNT }, v = { 5, "admin" };
	char tz[STORE_TZ_MAX];
	int rc;

	tz_name(tz, sizeof(tz));
	if ((rc = meta_put(st, txn, "version", &version, sizeof(version))) ||
	    (rc = meta_put(st, txn, "tz", tz, strlen(tz))) ||
	    (rc = meta_put(st, txn, "gen", &gen, sizeof(gen))) ||
	    (rc = mdb_put(txn, st->accounts, &k, &v, MDB_NOOVERWRITE)))
		return rc == MDB_KEYEXIST ? ZSQ_OK : store_err(rc);
	return ZSQ_OK;
}

int
store_open(struct store *st, const char *dir, unsigned flags, size_t mapsize)
{
	char path[4200];
	MDB_txn *txn = NULL;
	MDB_val v;
	uint32_t version;
	int rc, dead, fresh;

	schema_init();
	memset(st, 0, sizeof(*st));
	if (strlen(dir) >= sizeof(st->dir))
		return ZSQ_ETOOBIG;
	strcpy(st->dir, dir);
	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	fresh = access(path, F_OK) != 0;
	if (fresh && errno != ENOENT)
		return errno;	/* EACCES: the directory is not ours to read */
	if (fresh && !(flags & STORE_CREATE))
		return ZSQ_ESTORE;
	if (fresh && mkdir(dir, 0750) != 0 && errno != EEXIST)
		return errno;

	if ((rc = mdb_env_create(&st->env)) != MDB_SUCCESS)
		goto fail;
	if ((rc = mdb_env_set_maxdbs(st->env, 8)) != MDB_SUCCESS ||
	    (rc = mdb_env_set_maxreaders(st->env, STORE_MAX_READERS)) !=
	    MDB_SUCCESS)
		goto fail;
	if (mapsize == 0 && fresh)
		mapsize = STORE_DEFAULT_MAPSIZE;
	if (mapsize && (rc = mdb_env_set_mapsize(st->env, mapsize)))
		goto fail;
	/* NOTLS: one read txn handle per process is reset and renewed. */
	if ((rc = mdb_env_open(st->env, dir, MDB_NOTLS |
	    (flags & STORE_RDONLY ? MDB_RDONLY : 0), 0640)) != MDB_SUCCESS)
		goto fail;
	(void)mdb_reader_check(st->env, &dead);

	if ((rc = mdb_txn_begin(st->env, NULL, fresh ? 0 : MDB_RDONLY, &txn)))
		goto fail;
	if ((rc = dbis_open(st, txn, fresh ? MDB_CREATE : 0)) != ZSQ_OK)
		goto fail;
	if (fresh && (rc = store_format(st, txn)) != ZSQ_OK)
		goto fail;
	if ((rc = meta_get(st, txn, "version", &v)) != MDB_SUCCESS ||
	    v.mv_size != sizeof(version)) {
		rc = ZSQ_ESTORE;
		goto fail;
	}
	memcpy(&version, v.mv_data, sizeof(version));
	if (version != STORE_SCHEMA_VERSION) {
		rc = ZSQ_EVERSION;
		goto fail;
	}
	if ((rc = meta_get(st, txn, "tz", &v)) != MDB_SUCCESS ||
	    v.mv_size >= sizeof(st->tz)) {
		rc = ZSQ_ESTORE;
		goto fail;
	}
	memcpy(st->tz, v.mv_data, v.mv_size);
	st->tz[v.mv_size] = '\0';
	/*
	 * Commit even the read-only txn: LMDB closes dbi handles opened in a
	 * transaction that is aborted.
	 */
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc != MDB_SUCCESS)
		goto fail;
	return ZSQ_OK;

fail:
	if (txn)
		mdb_txn_abort(txn);
	store_close(st);
	return store_err(rc);
}

void
store_close(struct store *st)
{
	if (st->env)
		mdb_env_close(st->env);
	st->env = NULL;
}

int
store_txn_begin(struct store *st, unsigned mdb_flags, MDB_txn **txn)
{
	int rc;

	rc = mdb_txn_begin(st->env, NULL, mdb_flags, txn);
	if (rc == MDB_MAP_RESIZED &&
	    (rc = mdb_env_set_mapsize(st->env, 0)) == MDB_SUCCESS)
		rc = mdb_txn_begin(st->env, NULL, mdb_flags, txn);
	if (rc != MDB_SUCCESS)
		*txn = NULL;
	return store_err(rc);
}

int
store_check_tz(const struct store *st)
{
	char tz[STORE_TZ_MAX];

	tz_name(tz, sizeof(tz));
	return strcmp(tz, st->tz) == 0 ? ZSQ_OK : ZSQ_ETZ;
}

int
store_gen_get(const struct store *st, MDB_txn *txn, uint64_t *gen)
{
	MDB_val v;
	int rc;

	if ((rc = meta_get(st, txn, "gen", &v)) != MDB_SUCCESS)
		return store_err(rc);
	if (v.mv_size != sizeof(*gen))
		return ZSQ_ESTORE;
	memcpy(gen, v.mv_data, sizeof(*gen));
	return ZSQ_OK;
}

int
store_gen_bump(const struct store *st, MDB_txn *txn)
{
	uint64_t gen;
	int rc;

	if ((rc = store_gen_get(st, txn, &gen)) != ZSQ_OK)
		return rc;
	gen++;
	return store_err(meta_put(st, txn, "gen", &gen, sizeof(gen)));
}
