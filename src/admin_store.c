/*
 * admin_store.c - zsquery-admin commands about the store as a whole:
 * init, stat (with the feeds' lines from admin_sync.c), fields.  See
 * admin.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "errors.h"
#include "schema.h"
#include "session.h"
#include "store.h"
#include "tz.h"

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
