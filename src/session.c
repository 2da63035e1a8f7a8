/* session.c - sessions in the "sessions" database; see session.h. */
#include <string.h>
#include <time.h>

#include "errors.h"
#include "session.h"

static int
id_check(const char *id, size_t idlen)
{
	return id != NULL && idlen >= 1 && idlen <= SESSION_ID_MAX ?
	    ZSQ_OK : ZSQ_EINVAL;
}

int
session_get(const struct store *st, MDB_txn *txn, const char *id,
    size_t idlen, struct session_rec *out)
{
	MDB_val k = { idlen, (void *)id }, v;
	int rc;

	if ((rc = id_check(id, idlen)) != ZSQ_OK)
		return rc;
	if ((rc = mdb_get(txn, st->sessions, &k, &v)) != MDB_SUCCESS)
		return store_err(rc);
	/* A value of another size is not ours: refuse rather than guess. */
	if (v.mv_size != sizeof(*out))
		return ZSQ_ESTORE;
	memcpy(out, v.mv_data, sizeof(*out));	/* values are unaligned */
	return ZSQ_OK;
}

int
session_put(const struct store *st, MDB_txn *txn, const char *id,
    size_t idlen, const struct session_rec *s)
{
	MDB_val k = { idlen, (void *)id }, v = { sizeof(*s), (void *)s };
	int rc;

	if ((rc = id_check(id, idlen)) != ZSQ_OK)
		return rc;
	return store_err(mdb_put(txn, st->sessions, &k, &v, 0));
}

int
session_delete(const struct store *st, MDB_txn *txn, const char *id,
    size_t idlen)
{
	MDB_val k = { idlen, (void *)id };
	int rc;

	if ((rc = id_check(id, idlen)) != ZSQ_OK)
		return rc;
	return store_err(mdb_del(txn, st->sessions, &k, NULL));
}

int
session_valid(const struct session_rec *s, int64_t now_ms)
{
	return s->expired_ms > now_ms;
}

int
session_needs_renewal(const struct session_rec *s, int64_t now_ms,
    int64_t timeout_ms)
{
	return now_ms + timeout_ms - s->expired_ms > SESSION_RENEW_SLACK_MS;
}

int
session_renew(const struct store *st, const char *id, size_t idlen,
    int64_t now_ms, int64_t timeout_ms)
{
	struct session_rec s;
	MDB_txn *txn = NULL;
	int rc;

	if ((rc = mdb_txn_begin(st->env, NULL, 0, &txn)) != MDB_SUCCESS) {
		txn = NULL;
		rc = store_err(rc);
		goto done;
	}
	/*
	 * Another worker may have renewed (or an admin deleted) the session
	 * since our read transaction looked at it: decide again under the
	 * write lock so concurrent requests cost one write, not one each.
	 */
	if ((rc = session_get(st, txn, id, idlen, &s)) != ZSQ_OK)
		goto done;
	if (!session_valid(&s, now_ms) ||
	    !session_needs_renewal(&s, now_ms, timeout_ms))
		goto done;
	s.expired_ms = now_ms + timeout_ms;
	if ((rc = session_put(st, txn, id, idlen, &s)) != ZSQ_OK)
		goto done;
	rc = store_err(mdb_txn_commit(txn));
	txn = NULL;
done:
	if (txn)
		mdb_txn_abort(txn);
	return rc;
}

int64_t
session_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
