/* SPDX-License-Identifier: Apache-2.0 */
/* test_session.c - sessions in a real LMDB store (session.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/errors.h"
#include "store/session.h"
#include "store/store.h"
#include "t.h"

#define ID	"0123456789abcdef0123456789abcdef"
#define ACCOUNT	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HOUR_MS	(3600 * (int64_t)1000)

static void
rec_init(struct session_rec *s, int64_t created, int64_t expires)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->account, ACCOUNT, sizeof(s->account));
	memcpy(s->user, ACCOUNT, sizeof(s->user));
	s->created_ms = created;
	s->expired_ms = expires;
}

/* Put s under id in its own committed write transaction. */
static int
put_committed(struct store *st, const char *id, const struct session_rec *s)
{
	MDB_txn *txn;
	int rc;

	if (mdb_txn_begin(st->env, NULL, 0, &txn) != MDB_SUCCESS)
		return -1;
	if ((rc = session_put(st, txn, id, strlen(id), s)) != ZSQ_OK) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);
}

static int
get_committed(struct store *st, const char *id, struct session_rec *s)
{
	MDB_txn *txn;
	int rc;

	if (mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) != MDB_SUCCESS)
		return -1;
	rc = session_get(st, txn, id, strlen(id), s);
	mdb_txn_abort(txn);
	return rc;
}

static void
test_crud(struct store *st)
{
	struct session_rec s, got;
	char longid[SESSION_ID_MAX + 2];
	MDB_txn *txn;

	rec_init(&s, 1000, 2000);
	CHECK(put_committed(st, ID, &s) == 0);
	CHECK(get_committed(st, ID, &got) == ZSQ_OK);
	CHECK(memcmp(&got, &s, sizeof(s)) == 0);
	/* Ids match exactly: case and length matter. */
	CHECK(get_committed(st, "0123456789ABCDEF0123456789ABCDEF", &got) ==
	    ZSQ_ENOTFOUND);
	CHECK(get_committed(st, "0123456789abcdef", &got) == ZSQ_ENOTFOUND);

	CHECK(mdb_txn_begin(st->env, NULL, 0, &txn) == MDB_SUCCESS);
	CHECK(session_get(st, txn, "", 0, &got) == ZSQ_EINVAL);
	memset(longid, 'x', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	CHECK(session_put(st, txn, longid, SESSION_ID_MAX + 1, &s) ==
	    ZSQ_EINVAL);
	longid[SESSION_ID_MAX] = '\0';
	CHECK(session_put(st, txn, longid, SESSION_ID_MAX, &s) == ZSQ_OK);
	CHECK(session_get(st, txn, longid, SESSION_ID_MAX, &got) == ZSQ_OK);
	CHECK(session_delete(st, txn, ID, strlen(ID)) == ZSQ_OK);
	CHECK(session_delete(st, txn, ID, strlen(ID)) == ZSQ_ENOTFOUND);
	CHECK(session_get(st, txn, ID, strlen(ID), &got) == ZSQ_ENOTFOUND);
	CHECK(mdb_txn_commit(txn) == MDB_SUCCESS);
	CHECK(get_committed(st, ID, &got) == ZSQ_ENOTFOUND);
	CHECK(get_committed(st, longid, &got) == ZSQ_OK);
}

static void
test_validity(void)
{
	struct session_rec s;
	int64_t timeout = 7200 * (int64_t)1000;

	rec_init(&s, 0, 5000);
	CHECK(session_valid(&s, 4999));
	CHECK(!session_valid(&s, 5000));	/* expiredDate is exclusive */
	CHECK(!session_valid(&s, 5001));

	/* Renewal only when a fresh expiry is more than 60 s later. */
	rec_init(&s, 0, 10 * HOUR_MS + timeout);
	CHECK(!session_needs_renewal(&s, 10 * HOUR_MS, timeout));
	CHECK(!session_needs_renewal(&s, 10 * HOUR_MS + SESSION_RENEW_SLACK_MS,
	    timeout));
	CHECK(session_needs_renewal(&s,
	    10 * HOUR_MS + SESSION_RENEW_SLACK_MS + 1, timeout));
	/* A longer timeout than the stored one counts too. */
	CHECK(session_needs_renewal(&s, 10 * HOUR_MS, 2 * timeout));
}

/* session_extend() in its own committed write transaction. */
static int
extend(struct store *st, const char *id, int64_t now, int64_t expires,
    int *written)
{
	MDB_txn *txn;
	int rc;

	if (mdb_txn_begin(st->env, NULL, 0, &txn) != MDB_SUCCESS)
		return -1;
	rc = session_extend(st, txn, id, strlen(id), now, expires, written);
	if (rc != ZSQ_OK) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);
}

static void
test_extend(struct store *st)
{
	struct session_rec s, got;
	int64_t now = session_now_ms(), timeout = 7200 * (int64_t)1000;
	int written = -1;

	/* Fresh enough: nothing is written. */
	rec_init(&s, now, now + timeout - 1000);
	CHECK(put_committed(st, ID, &s) == 0);
	CHECK(extend(st, ID, now, now + timeout, &written) == ZSQ_OK);
	CHECK(written == 0);
	CHECK(get_committed(st, ID, &got) == ZSQ_OK);
	CHECK(got.expired_ms == now + timeout - 1000);

	/* Two minutes later it is extended and the rest is kept. */
	CHECK(extend(st, ID, now + 120000, now + 120000 + timeout, &written) ==
	    ZSQ_OK);
	CHECK(written == 1);
	CHECK(get_committed(st, ID, &got) == ZSQ_OK);
	CHECK(got.expired_ms == now + 120000 + timeout);
	CHECK(got.created_ms == now);
	CHECK(memcmp(got.account, ACCOUNT, 32) == 0);

	/* A later expiry written meanwhile (a feed, an admin) wins. */
	rec_init(&s, now, now + 3 * timeout);
	CHECK(put_committed(st, ID, &s) == 0);
	CHECK(extend(st, ID, now + 120000, now + 120000 + timeout, &written) ==
	    ZSQ_OK);
	CHECK(written == 0);
	CHECK(get_committed(st, ID, &got) == ZSQ_OK);
	CHECK(got.expired_ms == now + 3 * timeout);

	/* An expired session is not brought back to life. */
	rec_init(&s, now - 2 * timeout, now - 1);
	CHECK(put_committed(st, ID, &s) == 0);
	CHECK(extend(st, ID, now, now + timeout, &written) == ZSQ_OK);
	CHECK(written == 0);
	CHECK(get_committed(st, ID, &got) == ZSQ_OK);
	CHECK(got.expired_ms == now - 1);

	/* Deleted meanwhile: nothing written, nothing re-created. */
	CHECK(extend(st, "gone", now, now + timeout, &written) == ZSQ_OK);
	CHECK(written == 0);
	CHECK(get_committed(st, "gone", &got) == ZSQ_ENOTFOUND);

	CHECK(session_now_ms() >= now);
}

int
main(void)
{
	char dir[] = "/tmp/zsq-session-XXXXXX", cmd[64];
	struct store st;

	if (mkdtemp(dir) == NULL)
		return 99;
	CHECK(store_open(&st, dir, STORE_CREATE, 0) == ZSQ_OK);
	if (st.env) {
		test_crud(&st);
		test_extend(&st);
		store_close(&st);
	}
	test_validity();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 99;
	return t_done();
}
