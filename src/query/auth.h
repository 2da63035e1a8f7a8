/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth.h - the Authorization header and the session behind it (API.md §2).
 *
 * auth_parse() runs the header checks in the order of API.md §2, before
 * the query string is parsed; auth_session() looks the id up inside the
 * request's read transaction, after it.  Trimming is Java's
 * String.trim(): every byte up to U+0020 at either end.
 *
 * The session id is a secret: nothing here logs it, and callers must not.
 */
#ifndef ZSQ_AUTH_H
#define ZSQ_AUTH_H

#include <stddef.h>
#include <stdint.h>
#include <lmdb.h>

#include "query/apierr.h"
#include "store/session.h"
#include "store/store.h"

/*
 * hdr is the header value, NULL when the header is missing.  On ZSQ_OK
 * id and idlen point into hdr (the id may be empty: it then names no
 * session).  Otherwise ZSQ_EINVAL with err set to the 400, or ZSQ_ENOMEM.
 */
int	auth_parse(const char *hdr, const char **id, size_t *idlen,
	    struct apierr *err);

/*
 * Find a session valid at now_ms.  ZSQ_OK with *s filled; ZSQ_EINVAL with
 * err set: 503 ID.1001 (unknown, expired or impossible id) or 503 SYS.1000
 * (the store failed); ZSQ_ENOMEM.
 */
int	auth_session(const struct store *st, MDB_txn *txn, const char *id,
	    size_t idlen, int64_t now_ms, struct session_rec *s,
	    struct apierr *err);

#endif
