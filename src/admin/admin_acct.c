/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admin_acct.c - zsquery-admin commands for accounts, sessions and shares.
 * Each runs in one transaction (admin_write(), or a read one); see
 * admin.h.
 */
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>

#include "admin/admin.h"
#include "base/errors.h"
#include "ingest/session_feed.h"
#include "store/acl.h"
#include "store/session.h"

static int
account_add_txn(struct admin *a, MDB_txn *txn, void *arg)
{
	const char *uuid = a->argv[0];
	int rc;

	(void)arg;
	if ((rc = account_put(&a->st, txn, uuid, a->name)) != ZSQ_OK)
		return admin_fail(a, rc, "account %s", uuid);
	return 0;
}

int
cmd_account_add(struct admin *a)
{
	if (!admin_uuid_valid(a->argv[0]))
		return admin_error("account '%s': not 32 lowercase hex "
		    "characters", a->argv[0]);
	return admin_write(a, account_add_txn, NULL);
}

/*
 * Print every entry of *dbi with print (ZSQ_OK, or an error that stops
 * the listing) in a read transaction: the account and session lists.
 * dbi points into a->st because the handles exist only once it is open.
 */
static int
db_list(struct admin *a, const MDB_dbi *dbi, const char *what,
    int (*print)(const MDB_val *k, const MDB_val *v, void *arg), void *arg)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int rc, status = 1;

	if (admin_open(a, 0) || admin_begin(a, MDB_RDONLY, &txn))
		goto done;
	if ((rc = mdb_cursor_open(txn, *dbi, &cur)) != MDB_SUCCESS) {
		admin_fail(a, store_err(rc), "list %s", what);
		goto done;
	}
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == MDB_SUCCESS)
		if ((rc = print(&k, &v, arg)) != ZSQ_OK)
			break;
	if (rc != MDB_NOTFOUND) {
		admin_fail(a, store_err(rc), "list %s", what);
		goto done;
	}
	status = 0;
done:
	if (cur)
		mdb_cursor_close(cur);
	if (txn)
		mdb_txn_abort(txn);
	return status;
}

static int
account_print(const MDB_val *k, const MDB_val *v, void *arg)
{
	(void)arg;
	printf("%.*s %.*s\n", (int)k->mv_size, (char *)k->mv_data,
	    (int)v->mv_size, (char *)v->mv_data);
	return ZSQ_OK;
}

int
cmd_account_list(struct admin *a)
{
	return db_list(a, &a->st.accounts, "accounts", account_print, NULL);
}

/* Check an account uuid's form and existence; 0, or 1 after an error. */
static int
account_check(struct admin *a, MDB_txn *txn, const char *uuid)
{
	int rc;

	if (!admin_uuid_valid(uuid))
		return admin_error("account '%s': not 32 lowercase hex "
		    "characters", uuid);
	if ((rc = account_exists(&a->st, txn, uuid)) == ZSQ_ENOTFOUND)
		return admin_error("no account %s (add it with 'account add')",
		    uuid);
	if (rc != ZSQ_OK)
		return admin_fail(a, rc, "account %s", uuid);
	return 0;
}

/* arg: the session id. */
static int
session_create_txn(struct admin *a, MDB_txn *txn, void *arg)
{
	struct session_rec s;
	const char *id = arg;
	int rc;

	if (account_check(a, txn, a->account) ||
	    (a->user && account_check(a, txn, a->user)))
		return 1;
	rc = session_get(&a->st, txn, id, strlen(id), &s);
	if (rc == ZSQ_OK)
		return admin_error("session %s exists already", id);
	if (rc != ZSQ_ENOTFOUND)
		return admin_fail(a, rc, "session %s", id);
	memset(&s, 0, sizeof(s));
	memcpy(s.account, a->account, sizeof(s.account));
	memcpy(s.user, a->user ? a->user : a->account, sizeof(s.user));
	s.created_ms = session_now_ms();
	s.expired_ms = s.created_ms + a->ttl * 1000;
	if ((rc = session_put(&a->st, txn, id, strlen(id), &s)) != ZSQ_OK)
		return admin_fail(a, rc, "session %s", id);
	return 0;
}

int
cmd_session_create(struct admin *a)
{
	char gen[37], id[SESSION_ID_MAX + 1];
	const char *src;
	uuid_t u;
	size_t n;
	int status;

	if (a->uuid && !session_id_valid(a->uuid))
		return admin_error("session id '%s': 1 to %d printable "
		    "characters without spaces", a->uuid, SESSION_ID_MAX);
	if (a->uuid)
		snprintf(id, sizeof(id), "%s", a->uuid);
	else {
		uuid_generate(u);
		uuid_unparse_lower(u, gen);
		for (src = gen, n = 0; *src; src++)	/* drop the dashes */
			if (*src != '-')
				id[n++] = *src;
		id[n] = '\0';
	}
	if ((status = admin_write(a, session_create_txn, id)) == 0)
		printf("%s\n", id);
	return status;
}

static int
session_delete_txn(struct admin *a, MDB_txn *txn, void *arg)
{
	const char *id = a->argv[0];
	int rc;

	(void)arg;
	rc = session_delete(&a->st, txn, id, strlen(id));
	if (rc == ZSQ_ENOTFOUND || rc == ZSQ_EINVAL)
		return admin_error("no session %s", id);
	if (rc != ZSQ_OK)
		return admin_fail(a, rc, "session %s", id);
	return 0;
}

int
cmd_session_delete(struct admin *a)
{
	return admin_write(a, session_delete_txn, NULL);
}

/* One session: id, account, expiry, arg the time now (int64_t ms). */
static int
session_print(const MDB_val *k, const MDB_val *v, void *arg)
{
	struct session_rec s;
	char when[64];

	if (v->mv_size != sizeof(s))
		return ZSQ_ESTORE;
	memcpy(&s, v->mv_data, sizeof(s));	/* values are unaligned */
	admin_iso_time(when, sizeof(when), s.expired_ms);
	printf("%.*s %.32s %s%s\n", (int)k->mv_size, (char *)k->mv_data,
	    s.account, when,
	    session_valid(&s, *(const int64_t *)arg) ? "" : " expired");
	return ZSQ_OK;
}

int
cmd_session_list(struct admin *a)
{
	int64_t now = session_now_ms();

	return db_list(a, &a->st.sessions, "sessions", session_print, &now);
}

/* share and unshare (arg: an int, 1 to share), then a generation bump. */
static int
share_txn(struct admin *a, MDB_txn *txn, void *arg)
{
	const char *group = a->argv[0];
	MDB_val k = { 32, (void *)group }, v;
	int rc, add = *(const int *)arg;

	if ((rc = mdb_get(txn, a->st.groups, &k, &v)) == MDB_NOTFOUND)
		return admin_error("no group %s", group);
	if (rc != MDB_SUCCESS)
		return admin_fail(a, store_err(rc), "group %s", group);
	if (a->account && account_check(a, txn, a->account))
		return 1;
	rc = add ? acl_share(&a->st, txn, group, a->account) :
	    acl_unshare(&a->st, txn, group, a->account);
	if (rc == ZSQ_ENOTFOUND)
		return admin_error("group %s is not shared with %s", group,
		    a->account ? a->account : "the public");
	if (rc != ZSQ_OK || (rc = store_gen_bump(&a->st, txn)) != ZSQ_OK)
		return admin_fail(a, rc, "%s %s", add ? "share" : "unshare",
		    group);
	return 0;
}

static int
share_cmd(struct admin *a, int add)
{
	if (!admin_uuid_valid(a->argv[0]))
		return admin_error("group '%s': not 32 lowercase hex "
		    "characters", a->argv[0]);
	return admin_write(a, share_txn, &add);
}

int
cmd_share(struct admin *a)
{
	return share_cmd(a, 1);
}

int
cmd_unshare(struct admin *a)
{
	return share_cmd(a, 0);
}
