/* SPDX-License-Identifier: Apache-2.0 */
/* session.c - sessions in the "sessions" database; see session.h. */
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/errors.h"
#include "store/session.h"

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
session_extend(const struct store *st, MDB_txn *txn, const char *id,
    size_t idlen, int64_t now_ms, int64_t expires_ms, int *written)
{
	struct session_rec s;
	int rc;

	*written = 0;
	/* Decided again under the write lock: the worker's snapshot is old. */
	if ((rc = session_get(st, txn, id, idlen, &s)) != ZSQ_OK)
		return rc == ZSQ_ENOTFOUND ? ZSQ_OK : rc;
	if (!session_valid(&s, now_ms) ||
	    expires_ms - s.expired_ms <= SESSION_RENEW_SLACK_MS)
		return ZSQ_OK;
	s.expired_ms = expires_ms;
	if ((rc = session_put(st, txn, id, idlen, &s)) == ZSQ_OK)
		*written = 1;
	return rc;
}

int64_t
session_now_ms(void)
{
	return now_ms(CLOCK_REALTIME);
}
