/* SPDX-License-Identifier: Apache-2.0 */
/*
 * session.h - sessions in the "sessions" database (API.md §2).
 *
 * Key: the session id bytes exactly as the client sends them (1 to
 * SESSION_ID_MAX bytes; zsquery-admin creates 32-hex ids).  Value: struct
 * session_rec below, fixed size.
 *
 * Renewal (API.md §2): ZStack sets expiredDate = now + timeout on every call.
 * We coalesce: session_needs_renewal() is true only when the fresh expiry
 * would be more than SESSION_RENEW_SLACK_MS later than the stored one, so
 * a hot session costs one write a minute.  A worker never writes the
 * renewal itself: it hands it to the renewer (renew.h), which applies it
 * with session_extend() in its own write transactions.
 */
#ifndef ZSQ_SESSION_H
#define ZSQ_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <lmdb.h>

#include "store/store.h"

#define SESSION_ID_MAX			255
#define SESSION_DEFAULT_TIMEOUT		7200	/* seconds */
#define SESSION_RENEW_SLACK_MS		60000

struct session_rec {
	char	account[32];	/* accountUuid */
	char	user[32];	/* userUuid */
	int64_t	expired_ms;	/* expiredDate, ms since the epoch */
	int64_t	created_ms;	/* createDate */
};

/* ZSQ_OK, ZSQ_ENOTFOUND, ZSQ_EINVAL (id length), or a store error. */
int	session_get(const struct store *st, MDB_txn *txn, const char *id,
	    size_t idlen, struct session_rec *out);
int	session_put(const struct store *st, MDB_txn *txn, const char *id,
	    size_t idlen, const struct session_rec *s);
int	session_delete(const struct store *st, MDB_txn *txn, const char *id,
	    size_t idlen);
/* Valid at now_ms: expired_ms > now_ms. */
int	session_valid(const struct session_rec *s, int64_t now_ms);
int	session_needs_renewal(const struct session_rec *s, int64_t now_ms,
	    int64_t timeout_ms);
/*
 * Extend id's expiry to expires_ms inside the write transaction txn, for a
 * request made at now_ms (the renewer's batch, renew.h).  Only a session
 * that still exists, was valid at now_ms and would gain more than
 * SESSION_RENEW_SLACK_MS is written, so an expired session stays expired,
 * a deleted one is not re-created, and a later expiry written meanwhile
 * (by another renewal, an admin or a session feed) wins.  ZSQ_OK with
 * *written set to 1 or 0, or a store error.
 */
int	session_extend(const struct store *st, MDB_txn *txn, const char *id,
	    size_t idlen, int64_t now_ms, int64_t expires_ms, int *written);
int64_t	session_now_ms(void);

#endif
