/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admin_store.c - zsquery-admin commands about the store as a whole:
 * init, stat (with the feeds' lines from admin_sync.c), fields, upgrade.
 * See admin.h.
 *
 * upgrade rebuilds a store made by another version of zsquery (schema
 * version or index format, store.h) in one transaction: every group is
 * rendered again from the JSON, tags and owner its record holds (as
 * export would write them) and indexed again; shares are kept.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "admin/admin.h"
#include "base/errors.h"
#include "base/gson.h"
#include "base/tz.h"
#include "ingest/render.h"
#include "store/acl.h"
#include "store/index.h"
#include "store/index_build.h"
#include "store/record.h"
#include "store/schema.h"
#include "store/session.h"
#include "store/store.h"

int
cmd_init(struct admin *a)
{
	int rc;

	rc = store_open(&a->st, a->dir, 0, a->mapsize);
	if (rc == ZSQ_OK) {
		printf("zsquery store at %s exists already (schema version %u, "
		    "time zone %s)\n", a->dir, STORE_SCHEMA_VERSION, a->st.tz);
		return 0;
	}
	if (rc != ZSQ_ESTORE)
		return admin_fail(a, rc, "open store %s", a->dir);
	rc = store_open(&a->st, a->dir, STORE_CREATE, a->mapsize);
	if (rc == ZSQ_ESTORE)
		return admin_error("%s holds an LMDB environment that is not a "
		    "zsquery store", a->dir);
	if (rc != ZSQ_OK)
		return admin_fail(a, rc, "create store %s", a->dir);
	printf("created zsquery store at %s (time zone %s)\n", a->dir,
	    a->st.tz);
	return 0;
}

static int
count_entries(MDB_txn *txn, MDB_dbi dbi, size_t *n)
{
	MDB_stat ms;
	int rc;

	if ((rc = mdb_stat(txn, dbi, &ms)) != MDB_SUCCESS)
		return store_err(rc);
	*n = ms.ms_entries;
	return ZSQ_OK;
}

static int
count_sessions(const struct store *st, MDB_txn *txn, size_t *live,
    size_t *expired)
{
	struct session_rec s;
	MDB_cursor *cur;
	MDB_val k, v;
	int64_t now = session_now_ms();
	int rc;

	*live = *expired = 0;
	if ((rc = mdb_cursor_open(txn, st->sessions, &cur)) != MDB_SUCCESS)
		return store_err(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == MDB_SUCCESS) {
		if (v.mv_size != sizeof(s)) {
			rc = ZSQ_ESTORE;
			break;
		}
		memcpy(&s, v.mv_data, sizeof(s));
		if (session_valid(&s, now))
			(*live)++;
		else
			(*expired)++;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? ZSQ_OK : store_err(rc);
}

int
cmd_stat(struct admin *a)
{
	MDB_txn *txn = NULL;
	MDB_envinfo info;
	MDB_stat env;
	uint64_t gen = 0;
	size_t groups = 0, accounts = 0, shares = 0, live = 0, expired = 0;
	char cur[STORE_TZ_MAX];
	int rc, status = 1;

	if (admin_open(a, 0) || admin_begin(a, MDB_RDONLY, &txn))
		goto done;
	if ((rc = store_gen_get(&a->st, txn, &gen)) != ZSQ_OK ||
	    (rc = count_entries(txn, a->st.groups, &groups)) != ZSQ_OK ||
	    (rc = count_entries(txn, a->st.accounts, &accounts)) != ZSQ_OK ||
	    (rc = count_entries(txn, a->st.shares, &shares)) != ZSQ_OK ||
	    (rc = count_sessions(&a->st, txn, &live, &expired)) != ZSQ_OK ||
	    (rc = store_err(mdb_env_info(a->st.env, &info))) != ZSQ_OK ||
	    (rc = store_err(mdb_env_stat(a->st.env, &env))) != ZSQ_OK) {
		admin_fail(a, rc, "stat %s", a->dir);
		goto done;
	}
	tz_name(cur, sizeof(cur));
	printf("schema version: %u\n", STORE_SCHEMA_VERSION);
	printf("time zone: %s\n", a->st.tz);
	if (strcmp(cur, a->st.tz) != 0)
		printf("current time zone: %s (differs)\n", cur);
	printf("generation: %" PRIu64 "\n", gen);
	printf("groups: %zu\n", groups);
	printf("accounts: %zu\n", accounts);
	printf("sessions: %zu live, %zu expired\n", live, expired);
	printf("shares: %zu\n", shares);
	printf("map size: %zu\n", info.me_mapsize);
	printf("map used: %zu\n", (size_t)(info.me_last_pgno + 1) *
	    env.ms_psize);
	if ((rc = feeds_print(&a->st, txn)) != ZSQ_OK) {
		admin_fail(a, rc, "stat %s: feeds", a->dir);
		goto done;
	}
	status = 0;
done:
	if (txn)
		mdb_txn_abort(txn);
	return status;
}

int
cmd_fields(struct admin *a)
{
	const struct leaf *l;
	unsigned i;

	(void)a;
	for (i = 0; (l = schema_leaf(i)) != NULL; i++)
		printf("%s %s\n", l->path, schema_ftype_name(l->type));
	printf("__systemTag__ String\n__userTag__ String\n");
	return 0;
}

/* --- upgrade --------------------------------------------------------- */

/*
 * The head of a version 1 record (magic "ZSQ1"): what upgrade needs to
 * read the JSON, tags and owner of a store written by zsquery before the
 * leaf table.
 */
struct rec_head_v1 {
	uint32_t	magic;
	uint32_t	size;
	char		owner[32];
	uint64_t	hash;
	struct rec_range json;
	struct rec_range field[SCHEMA_GROUP_FIELDS];
	struct rec_range extra;
	struct rec_range schema;
	uint32_t	nschema;
	struct rec_range vals;
	struct rec_range tags;
};

#define REC_MAGIC_V1	0x3151535aU	/* "ZSQ1" */

/* A stored group as export writes it: its JSON with its tags, and owner. */
static int
group_source(const MDB_val *v, struct buf *json, char *owner)
{
	struct rec_head h;
	struct rec_head_v1 h1;
	struct rec_range js, tg;
	const char *data = v->mv_data, *lead;
	int rc;

	if (record_open(data, v->mv_size, &h) == ZSQ_OK) {
		js = h.json;
		tg = h.tags;
		memcpy(owner, h.owner, 32);
	} else {
		if (v->mv_size < sizeof(h1))
			return ZSQ_ESTORE;
		memcpy(&h1, data, sizeof(h1));
		if (h1.magic != REC_MAGIC_V1 || h1.size != v->mv_size ||
		    h1.json.off > v->mv_size ||
		    h1.json.len > v->mv_size - h1.json.off ||
		    h1.tags.off > v->mv_size ||
		    h1.tags.len > v->mv_size - h1.tags.off)
			return ZSQ_ESTORE;
		js = h1.json;
		tg = h1.tags;
		memcpy(owner, h1.owner, 32);
	}
	if (js.len < 2 || data[js.off + js.len - 1] != '}')
		return ZSQ_ESTORE;
	buf_reset(json);
	if ((rc = buf_append(json, data + js.off, js.len - 1)) != ZSQ_OK)
		return rc;
	lead = js.len > 2 ? "," : "";
	if ((rc = admin_tags_json(data, tg, lead, json)) != ZSQ_OK)
		return rc;
	return buf_putc(json, '}');
}

/* Open (creating) the databases of this version, emptied. */
static int
upgrade_dbs(struct store *st, MDB_txn *txn)
{
	static const struct { const char *name; size_t off; } dbs[] = {
		{ "ords", offsetof(struct store, ords) },
		{ "owned", offsetof(struct store, owned) },
		{ "granted", offsetof(struct store, granted) },
		{ "eq", offsetof(struct store, eq) },
		{ "ord", offsetof(struct store, ord) },
	};
	MDB_dbi old;
	uint32_t zero = 0;
	MDB_val k = { 8, "next_ord" }, v = { sizeof(zero), &zero };
	size_t i;
	int rc;

	/* Version 1's one index. */
	if ((rc = mdb_dbi_open(txn, "index", 0, &old)) == MDB_SUCCESS)
		rc = mdb_drop(txn, old, 1);
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND)
		return store_err(rc);
	for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		MDB_dbi *dbi = (MDB_dbi *)((char *)st + dbs[i].off);

		rc = mdb_dbi_open(txn, dbs[i].name, MDB_CREATE | (i == 0 ? 0 :
		    MDB_DUPSORT | MDB_DUPFIXED), dbi);
		if (rc == MDB_SUCCESS)
			rc = mdb_drop(txn, *dbi, 0);
		if (rc != MDB_SUCCESS)
			return store_err(rc);
	}
	return store_err(mdb_put(txn, st->meta, &k, &v, 0));
}

/*
 * Render every group again from its stored JSON, tags and owner.  *said
 * is set when the failure was said in full (the temporary file's: not
 * the store's disk, whatever statvfs of it says).
 */
static int
upgrade_groups(struct admin *a, MDB_txn *txn, unsigned long *n, int *said)
{
	struct buf uuids = BUF_INIT, json = BUF_INIT, rec = BUF_INIT,
	    msg = BUF_INIT;
	struct index_batch b;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	unsigned char okey[4];
	char owner[33];
	uint32_t ord;
	size_t i;
	int rc, ferr;

	index_batch_init(&b, &a->st, txn, (size_t)48 << 20);
	/* The indexes were dropped: build them (index_build.h). */
	if ((rc = index_batch_build(&b, &msg)) != ZSQ_OK) {
		admin_error("upgrade: the indexes: %s", msg.len > 0 ?
		    msg.data : zsq_strerror(store_err(rc)));
		*said = msg.len > 0;
		goto out;
	}
	if ((rc = mdb_cursor_open(txn, a->st.groups, &cur)) != MDB_SUCCESS)
		goto out;
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == MDB_SUCCESS)
		if ((rc = buf_append(&uuids, k.mv_data, 32)) != ZSQ_OK)
			break;
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		goto out;
	owner[32] = '\0';
	for (i = 0, rc = ZSQ_OK; i < uuids.len && rc == ZSQ_OK; i += 32) {
		k.mv_size = 32;
		k.mv_data = uuids.data + i;
		if ((rc = mdb_get(txn, a->st.groups, &k, &v)) != MDB_SUCCESS ||
		    (rc = group_source(&v, &json, owner)) != ZSQ_OK)
			break;
		buf_reset(&msg);
		rc = render_json(json.data, json.len, owner, &rec, &msg);
		if (rc != ZSQ_OK || (rc = store_ord_next(&a->st, txn, &ord)))
			break;
		record_set_ord(rec.data, ord);
		store_ord_put(okey, ord);
		v.mv_size = rec.len;
		v.mv_data = rec.data;
		if ((rc = mdb_put(txn, a->st.groups, &k, &v, 0)) != 0)
			break;
		k.mv_size = 4;
		k.mv_data = okey;
		v.mv_size = 32;
		v.mv_data = uuids.data + i;
		if ((rc = mdb_put(txn, a->st.ords, &k, &v, 0)) != 0 ||
		    (rc = acl_owner_set(&a->st, txn, ord, NULL, owner)) ||
		    (rc = index_batch_record(&b, ord, rec.data, rec.len, 0)))
			break;
		(*n)++;
	}
	if (rc == ZSQ_OK)
		rc = index_batch_finish(&b);
	if ((ferr = index_build_file_error(b.build)) != 0) {
		admin_error("upgrade: temporary index build file: %s",
		    strerror(ferr));
		*said = 1;
	} else if (rc != ZSQ_OK && i >= uuids.len)
		admin_error("upgrade: the indexes: %s",
		    zsq_strerror(store_err(rc)));
	else if (rc != ZSQ_OK)
		admin_error("upgrade: group %.32s: %s", uuids.data + i,
		    msg.len > 0 ? msg.data : zsq_strerror(store_err(rc)));
out:
	index_batch_free(&b);
	buf_free(&uuids);
	buf_free(&json);
	buf_free(&rec);
	buf_free(&msg);
	return store_err(rc);
}

/* The granted entries, from the shares. */
static int
upgrade_shares(struct admin *a, MDB_txn *txn, unsigned long *dropped)
{
	struct buf grants = BUF_INIT;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	size_t i;
	int rc;

	if ((rc = mdb_cursor_open(txn, a->st.shares, &cur)) != MDB_SUCCESS)
		return store_err(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == MDB_SUCCESS)
		if (k.mv_size != 32 || v.mv_size != 32 ||
		    (rc = buf_append(&grants, k.mv_data, 32)) != ZSQ_OK ||
		    (rc = buf_append(&grants, v.mv_data, 32)) != ZSQ_OK)
			break;
	mdb_cursor_close(cur);
	rc = rc == MDB_NOTFOUND ? ZSQ_OK : rc == MDB_SUCCESS ? ZSQ_ESTORE :
	    store_err(rc);
	/* Sharing again writes both directions, the shares unchanged. */
	for (i = 0; i < grants.len && rc == ZSQ_OK; i += 64) {
		rc = acl_share(&a->st, txn, grants.data + i,
		    memcmp(grants.data + i + 32, ACL_PUBLIC, 32) == 0 ? NULL :
		    grants.data + i + 32);
		if (rc != ZSQ_ENOTFOUND)
			continue;
		/*
		 * A share of an account (or group) the store does not have
		 * goes: kept, it would show the group to a get by uuid
		 * (acl_visible() reads the shares) but to no list (they read
		 * granted, which has no entry for it).  Fail closed.
		 */
		k.mv_size = v.mv_size = 32;
		k.mv_data = grants.data + i;
		v.mv_data = grants.data + i + 32;
		rc = mdb_del(txn, a->st.shares, &k, &v);
		rc = rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? ZSQ_OK :
		    store_err(rc);
		(*dropped)++;
	}
	buf_free(&grants);
	return rc;
}

/*
 * What upgrade's transaction did: groups rendered again, shares dropped,
 * error said.
 */
struct upgrade {
	unsigned long	 n;
	unsigned long	 dropped;
	int		 said;
};

static int
upgrade_txn(struct admin *a, MDB_txn *txn, void *arg)
{
	struct upgrade *u = arg;
	int rc;

	if ((rc = upgrade_dbs(&a->st, txn)) != ZSQ_OK ||
	    (rc = upgrade_groups(a, txn, &u->n, &u->said)) != ZSQ_OK ||
	    (rc = upgrade_shares(a, txn, &u->dropped)) != ZSQ_OK ||
	    (rc = store_stamp(&a->st, txn)) != ZSQ_OK ||
	    (rc = store_gen_bump(&a->st, txn)) != ZSQ_OK) {
		if (!u->said)
			admin_fail(a, rc, "upgrade");
		return 1;
	}
	return 0;
}

int
cmd_upgrade(struct admin *a)
{
	struct upgrade u = { 0, 0, 0 };
	int rc;

	if ((rc = store_open(&a->st, a->dir, STORE_UPGRADE | STORE_WRITEMAP,
	    a->mapsize)) != ZSQ_OK)
		return admin_fail(a, rc, "open store %s", a->dir);
	if (a->st.version > STORE_SCHEMA_VERSION)
		return admin_fail(a, ZSQ_EVERSION, "upgrade");
	if (a->st.version == STORE_SCHEMA_VERSION &&
	    strcmp(a->st.format, index_format()) == 0) {
		printf("the store at %s is current (schema version %u)\n",
		    a->dir, STORE_SCHEMA_VERSION);
		return 0;
	}
	/* Records are rendered again: in the zone they were rendered in. */
	if ((rc = store_check_tz(&a->st)) != ZSQ_OK)
		return admin_fail(a, rc, "upgrade");
	admin_map_guard(a);
	/*
	 * Every record is written again, through the map: as an import,
	 * with a keeper (admin_write()).
	 */
	if (admin_write(a, upgrade_txn, &u) != 0)
		return 1;
	printf("upgraded %s: %lu groups rendered and indexed again "
	    "(schema version %u)\n", a->dir, u.n, STORE_SCHEMA_VERSION);
	if (u.dropped > 0)
		admin_error("upgrade: %lu share%s of accounts or groups the "
		    "store does not have dropped", u.dropped, u.dropped == 1 ?
		    "" : "s");
	return 0;
}
