/* SPDX-License-Identifier: Apache-2.0 */
/* store.c - open and describe the LMDB environment; see store.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/tz.h"
#include "store/index.h"
#include "store/schema.h"
#include "store/store.h"

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

/*
 * Open (or with create, make) the named databases inside txn: those a
 * store of any version has, and unless upgrading the others too.
 */
static int
dbis_open(struct store *st, MDB_txn *txn, unsigned create, int upgrade)
{
	static const struct {
		const char *name; unsigned flags; size_t off; int since;
	} dbs[] = {
		{ "meta", 0, offsetof(struct store, meta), 1 },
		{ "groups", 0, offsetof(struct store, groups), 1 },
		{ "sessions", 0, offsetof(struct store, sessions), 1 },
		{ "accounts", 0, offsetof(struct store, accounts), 1 },
		{ "shares", MDB_DUPSORT, offsetof(struct store, shares), 1 },
		{ "ords", 0, offsetof(struct store, ords), 2 },
		{ "owned", MDB_DUPSORT | MDB_DUPFIXED,
		    offsetof(struct store, owned), 2 },
		{ "granted", MDB_DUPSORT | MDB_DUPFIXED,
		    offsetof(struct store, granted), 2 },
		{ "eq", MDB_DUPSORT | MDB_DUPFIXED,
		    offsetof(struct store, eq), 2 },
		{ "ord", MDB_DUPSORT | MDB_DUPFIXED,
		    offsetof(struct store, ord), 2 },
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		MDB_dbi *dbi = (MDB_dbi *)((char *)st + dbs[i].off);

		if (upgrade && dbs[i].since > 1)
			continue;
		rc = mdb_dbi_open(txn, dbs[i].name, dbs[i].flags | create, dbi);
		if (rc != MDB_SUCCESS)
			return rc == MDB_NOTFOUND ? ZSQ_ESTORE : store_err(rc);
	}
	return ZSQ_OK;
}

int
store_stamp(struct store *st, MDB_txn *txn)
{
	uint32_t version = STORE_SCHEMA_VERSION, next = 0;
	uint64_t seed = 0;
	MDB_val v;
	int fd, rc;

	/* The digest key need not be secret from the operator, only from
	   whoever writes the input: any unpredictable value does. */
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) >= 0) {
		if (read(fd, &seed, sizeof(seed)) != sizeof(seed))
			seed = 0;
		close(fd);
	}
	if (seed == 0)
		seed = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL ^
		    (uint64_t)time(NULL);
	if ((rc = meta_get(st, txn, "next_ord", &v)) == MDB_NOTFOUND)
		rc = meta_put(st, txn, "next_ord", &next, sizeof(next));
	if (rc != MDB_SUCCESS ||
	    (rc = meta_put(st, txn, "version", &version, sizeof(version))) ||
	    (rc = meta_put(st, txn, "format", index_format(),
	    strlen(index_format()))) ||
	    (rc = meta_put(st, txn, "seed", &seed, sizeof(seed))))
		return store_err(rc);
	st->version = version;
	snprintf(st->format, sizeof(st->format), "%s", index_format());
	st->seed = seed;
	return ZSQ_OK;
}

/* In a new store: version, format, zone, generation and the admin. */
static int
store_format(struct store *st, MDB_txn *txn)
{
	uint64_t gen = 0;
	MDB_val k = { 32, (void *)SCHEMA_ADMIN_ACCOUNT }, v = { 5, "admin" };
	char tz[STORE_TZ_MAX];
	int rc;

	tz_name(tz, sizeof(tz));
	if ((rc = store_stamp(st, txn)) != ZSQ_OK)
		return rc;
	if ((rc = meta_put(st, txn, "tz", tz, strlen(tz))) ||
	    (rc = meta_put(st, txn, "gen", &gen, sizeof(gen))) ||
	    (rc = mdb_put(txn, st->accounts, &k, &v, MDB_NOOVERWRITE)))
		return rc == MDB_KEYEXIST ? ZSQ_OK : store_err(rc);
	return ZSQ_OK;
}

/* meta's version, format and seed into st; ZSQ_EVERSION when not ours. */
static int
meta_read(struct store *st, MDB_txn *txn)
{
	MDB_val v;
	int rc;

	if ((rc = meta_get(st, txn, "version", &v)) != MDB_SUCCESS ||
	    v.mv_size != sizeof(st->version))
		return ZSQ_ESTORE;
	memcpy(&st->version, v.mv_data, sizeof(st->version));
	/* Version 1 had no format: its one index was the 24 paths'. */
	if (meta_get(st, txn, "format", &v) == MDB_SUCCESS &&
	    v.mv_size < sizeof(st->format)) {
		memcpy(st->format, v.mv_data, v.mv_size);
		st->format[v.mv_size] = '\0';
	} else
		snprintf(st->format, sizeof(st->format), "%s",
		    st->version == 1 ? "1" : "?");
	if (meta_get(st, txn, "seed", &v) == MDB_SUCCESS &&
	    v.mv_size == sizeof(st->seed))
		memcpy(&st->seed, v.mv_data, sizeof(st->seed));
	if (st->version != STORE_SCHEMA_VERSION ||
	    strcmp(st->format, index_format()) != 0)
		return ZSQ_EVERSION;
	return ZSQ_OK;
}

/*
 * mdb_env_open() and mdb_env_set_mapsize() with MDB_WRITEMAP set
 * data.mdb's size to the map's, without a lock: a writer opened with the
 * committed size (or a smaller --map-size) would cut the file under
 * another that grew its map and has not committed yet, which then dies
 * of SIGBUS.  So a writer through the map never asks for less than the
 * file holds, and reads the size and sets the map under an flock on
 * data.mdb (LMDB locks lock.mdb, with other calls), held only for that
 * moment: writers do not wait for each other here, only for LMDB's write
 * lock as always.  Readers and the renewer never map for writing and
 * never take it.
 */
static int
writemap_lock(const char *dir, int *fd)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno;
	while (flock(*fd, LOCK_EX) != 0)
		if (errno != EINTR) {
			int e = errno;

			close(*fd);
			*fd = -1;
			return e;
		}
	return ZSQ_OK;
}

/*
 * The map size a writer through the map asks for: want (0: the size the
 * store committed, read by a probe that opens the environment without
 * LMDB's lock file, so that closing it releases no lock of ours), and
 * never below the file.
 */
static size_t
writemap_size(const char *dir, int fd, size_t want)
{
	MDB_env *probe;
	MDB_envinfo info;
	struct stat sb;

	if (want == 0 && mdb_env_create(&probe) == MDB_SUCCESS) {
		if (mdb_env_open(probe, dir, MDB_RDONLY | MDB_NOLOCK |
		    MDB_NOTLS, 0640) == MDB_SUCCESS &&
		    mdb_env_info(probe, &info) == MDB_SUCCESS)
			want = info.me_mapsize;
		mdb_env_close(probe);
	}
	if (fstat(fd, &sb) == 0 && (size_t)sb.st_size > want)
		return (size_t)sb.st_size;
	return want;
}

static void
writemap_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* and so the flock goes */
}

int
store_open(struct store *st, const char *dir, unsigned flags, size_t mapsize)
{
	char path[4200];
	MDB_txn *txn = NULL;
	MDB_val v;
	unsigned envflags = MDB_NOTLS;
	int rc, dead, fresh, upgrade = (flags & STORE_UPGRADE) != 0, wfd = -1;

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
	if ((flags & STORE_WRITEMAP) && !fresh &&
	    (rc = writemap_lock(dir, &wfd)) != ZSQ_OK)
		return rc;

	if ((rc = mdb_env_create(&st->env)) != MDB_SUCCESS)
		goto fail;
	if ((rc = mdb_env_set_maxdbs(st->env, 16)) != MDB_SUCCESS ||
	    (rc = mdb_env_set_maxreaders(st->env, STORE_MAX_READERS)) !=
	    MDB_SUCCESS)
		goto fail;
	if (mapsize == 0 && fresh)
		mapsize = STORE_DEFAULT_MAPSIZE;
	if (wfd >= 0)
		mapsize = writemap_size(dir, wfd, mapsize);
	if (mapsize && (rc = mdb_env_set_mapsize(st->env, mapsize)))
		goto fail;
	/* NOTLS: one read txn handle per process is reset and renewed. */
	if (flags & STORE_WRITEMAP)
		envflags |= MDB_WRITEMAP;
	if (flags & STORE_RDONLY)
		envflags |= MDB_RDONLY;
	rc = mdb_env_open(st->env, dir, envflags, 0640);
	writemap_unlock(wfd);
	wfd = -1;
	if (rc != MDB_SUCCESS)
		goto fail;
	(void)mdb_reader_check(st->env, &dead);

	if ((rc = mdb_txn_begin(st->env, NULL, fresh ? 0 : MDB_RDONLY, &txn)))
		goto fail;
	/* meta first: its version says which databases to expect. */
	if ((rc = dbis_open(st, txn, fresh ? MDB_CREATE : 0, 1)) != ZSQ_OK)
		goto fail;
	if (fresh && (rc = dbis_open(st, txn, MDB_CREATE, 0)) != ZSQ_OK)
		goto fail;
	if (fresh && (rc = store_format(st, txn)) != ZSQ_OK)
		goto fail;
	if ((rc = meta_read(st, txn)) != ZSQ_OK &&
	    !(rc == ZSQ_EVERSION && upgrade))
		goto fail;
	if (!upgrade && !fresh && (rc = dbis_open(st, txn, 0, 0)) != ZSQ_OK)
		goto fail;
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
	writemap_unlock(wfd);
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

/*
 * Another writer grew the map: adopt the size it committed (LMDB's 0),
 * or, writing through the map, the file's if larger (see writemap_lock).
 */
static int
map_adopt(struct store *st)
{
	unsigned flags = 0;
	int fd = -1, rc;

	(void)mdb_env_get_flags(st->env, &flags);
	if (!(flags & MDB_WRITEMAP))
		return mdb_env_set_mapsize(st->env, 0);
	if ((rc = writemap_lock(st->dir, &fd)) != ZSQ_OK)
		return rc;
	rc = mdb_env_set_mapsize(st->env, writemap_size(st->dir, fd, 0));
	writemap_unlock(fd);
	return rc;
}

int
store_txn_begin(struct store *st, unsigned mdb_flags, MDB_txn **txn)
{
	int rc;

	rc = mdb_txn_begin(st->env, NULL, mdb_flags, txn);
	if (rc == MDB_MAP_RESIZED && (rc = map_adopt(st)) == MDB_SUCCESS)
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

int
store_ord_next(const struct store *st, MDB_txn *txn, uint32_t *ord)
{
	MDB_val v;
	uint32_t next;
	int rc;

	if ((rc = meta_get(st, txn, "next_ord", &v)) != MDB_SUCCESS)
		return store_err(rc);
	if (v.mv_size != sizeof(next))
		return ZSQ_ESTORE;
	memcpy(&next, v.mv_data, sizeof(next));
	if (next == UINT32_MAX)
		return ZSQ_ETOOBIG;
	*ord = next++;
	return store_err(meta_put(st, txn, "next_ord", &next, sizeof(next)));
}

void
store_ord_put(unsigned char *p, uint32_t ord)
{
	p[0] = (unsigned char)(ord >> 24);
	p[1] = (unsigned char)(ord >> 16);
	p[2] = (unsigned char)(ord >> 8);
	p[3] = (unsigned char)ord;
}

uint32_t
store_ord_get(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

int
store_ord_uuid(const struct store *st, MDB_txn *txn, uint32_t ord,
    const char **uuid)
{
	unsigned char key[4];
	MDB_val k = { 4, key }, v;
	int rc;

	store_ord_put(key, ord);
	if ((rc = mdb_get(txn, st->ords, &k, &v)) != MDB_SUCCESS)
		return store_err(rc);
	if (v.mv_size != 32)
		return ZSQ_ESTORE;
	*uuid = v.mv_data;
	return ZSQ_OK;
}
