/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_store.c - opening, formatting and versioning the LMDB store; what
 * the system says of it (store_os.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/errors.h"
#include "store/index.h"
#include "store/schema.h"
#include "store/store.h"
#include "store/store_os.h"
#include "t.h"

static void
meta_set(struct store *st, const char *key, const void *p, size_t n)
{
	MDB_txn *txn;
	MDB_val k = { strlen(key), (void *)key }, v = { n, (void *)p };

	CHECK(mdb_txn_begin(st->env, NULL, 0, &txn) == 0);
	CHECK(mdb_put(txn, st->meta, &k, &v, 0) == 0);
	CHECK(mdb_txn_commit(txn) == 0);
}

/*
 * store_os.h: the map is where this process maps data.mdb (a value read
 * through it lies inside), as long as the map size.  A failure that is
 * not the disk's stays what it was; ENOSPC and EDQUOT are the disk being
 * full; EIO is the disk being full only when it has almost no room.
 */
static void
os_test(struct store *st)
{
	MDB_txn *txn;
	MDB_envinfo info;
	MDB_val k = { 7, "version" }, v;
	struct statvfs sv;
	const char *map = NULL;
	size_t len = 0;
	uint64_t room;

	CHECK(store_map_addr(st, &map, &len) == ZSQ_OK);
	CHECK(mdb_env_info(st->env, &info) == 0 && len == info.me_mapsize);
	CHECK(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) == 0);
	CHECK(mdb_get(txn, st->meta, &k, &v) == 0);
	CHECK(map != NULL && (const char *)v.mv_data >= map &&
	    (const char *)v.mv_data + v.mv_size <= map + len);
	mdb_txn_abort(txn);

	CHECK(store_space_err(st, ZSQ_EINVAL) == ZSQ_EINVAL);
	CHECK(store_space_err(st, ZSQ_EFULL) == ZSQ_EFULL);
	CHECK(store_space_err(st, ENOSPC) == ENOSPC);
	CHECK(store_space_err(st, EDQUOT) == ENOSPC);
	CHECK(statvfs(st->dir, &sv) == 0);
	room = (geteuid() == 0 ? sv.f_bfree : sv.f_bavail) *
	    (uint64_t)sv.f_frsize;
	CHECK(store_space_err(st, EIO) == (room < ((uint64_t)4 << 20) ?
	    ENOSPC : EIO));
	CHECK(store_space_err(st, ZSQ_EIO) == (room < ((uint64_t)4 << 20) ?
	    ENOSPC : ZSQ_EIO));
}

int
main(void)
{
	char tmpl[] = "/tmp/zsq-store-XXXXXX", dir[600], cmd[700];
	struct store st;
	MDB_txn *txn;
	MDB_val k = { 32, SCHEMA_ADMIN_ACCOUNT }, v;
	uint64_t gen = 99;
	uint32_t newer = STORE_SCHEMA_VERSION + 1;

	CHECK(mkdtemp(tmpl) != NULL);
	snprintf(dir, sizeof(dir), "%s/db", tmpl);
	setenv("TZ", "Asia/Shanghai", 1);

	/* No store yet: a clear code, and nothing is created. */
	CHECK(store_open(&st, dir, 0, 0) == ZSQ_ESTORE);
	CHECK(access(dir, F_OK) != 0);

	/* A new store records version, zone, generation 0, the admin. */
	CHECK(store_open(&st, dir, STORE_CREATE, 1 << 20) == ZSQ_OK);
	CHECK_STR(st.tz, "Asia/Shanghai");
	CHECK(store_check_tz(&st) == ZSQ_OK);
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == 0);
	CHECK(store_gen_get(&st, txn, &gen) == ZSQ_OK && gen == 0);
	CHECK(mdb_get(txn, st.accounts, &k, &v) == 0);
	CHECK_MEM(v.mv_data, v.mv_size, "admin");
	CHECK(store_gen_bump(&st, txn) == ZSQ_OK);
	CHECK(store_gen_bump(&st, txn) == ZSQ_OK);
	CHECK(mdb_txn_commit(txn) == 0);
	store_close(&st);

	/* Reopened elsewhere in time: the zone is the store's, not ours. */
	setenv("TZ", "UTC", 1);
	CHECK(store_open(&st, dir, 0, 0) == ZSQ_OK);
	CHECK_STR(st.tz, "Asia/Shanghai");
	CHECK(store_check_tz(&st) == ZSQ_ETZ);
	CHECK(mdb_txn_begin(st.env, NULL, MDB_RDONLY, &txn) == 0);
	CHECK(store_gen_get(&st, txn, &gen) == ZSQ_OK && gen == 2);
	mdb_txn_abort(txn);
	/* STORE_CREATE on an existing store changes nothing. */
	store_close(&st);
	CHECK(store_open(&st, dir, STORE_CREATE, 0) == ZSQ_OK);
	CHECK_STR(st.tz, "Asia/Shanghai");
	os_test(&st);

	/*
	 * The format names the schema's leaves (count and digest), so a
	 * build that numbers them otherwise refuses the store; the store
	 * holds the format it was made with.
	 */
	snprintf(cmd, sizeof(cmd), "%sleaves:%u:", INDEX_FORMAT_BASE,
	    schema_nleaves());
	CHECK(strncmp(index_format(), cmd, strlen(cmd)) == 0);
	CHECK(strlen(index_format()) == strlen(cmd) + 16);
	CHECK_STR(st.format, index_format());
	snprintf(cmd, sizeof(cmd), "%sleaves:%u:0123456789abcdef",
	    INDEX_FORMAT_BASE, schema_nleaves());
	meta_set(&st, "format", cmd, strlen(cmd));
	store_close(&st);
	CHECK(store_open(&st, dir, 0, 0) == ZSQ_EVERSION);
	CHECK_STR(st.format, cmd);
	CHECK(store_open(&st, dir, STORE_UPGRADE, 0) == ZSQ_OK);
	meta_set(&st, "format", index_format(), strlen(index_format()));
	store_close(&st);
	CHECK(store_open(&st, dir, 0, 0) == ZSQ_OK);

	/* A store of a newer schema version is refused, not misread. */
	meta_set(&st, "version", &newer, sizeof(newer));
	store_close(&st);
	CHECK(store_open(&st, dir, 0, 0) == ZSQ_EVERSION);
	CHECK(st.env == NULL);
	CHECK(strstr(zsq_strerror(ZSQ_EVERSION), "version") != NULL);
	CHECK(strstr(zsq_strerror(ZSQ_EFULL), "--map-size") != NULL);
	CHECK(strstr(zsq_strerror(MDB_NOTFOUND), "MDB_NOTFOUND") != NULL);

	/* A directory holding something that is not a store. */
	snprintf(cmd, sizeof(cmd), "%s/junk", tmpl);
	CHECK(mkdir(cmd, 0700) == 0);
	snprintf(cmd, sizeof(cmd), "echo garbage > %s/junk/data.mdb", tmpl);
	CHECK(system(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "%s/junk", tmpl);
	CHECK(store_open(&st, cmd, 0, 0) != ZSQ_OK);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	CHECK(system(cmd) == 0);
	return t_done();
}
