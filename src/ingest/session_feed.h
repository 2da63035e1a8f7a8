/* SPDX-License-Identifier: Apache-2.0 */
/*
 * session_feed.h - sessions from ZStack's SessionVO table into the store
 * (zsquery-admin session import).
 *
 * Input, one session a line, each line ending in '\n' (a last line
 * without one is taken for a cut input and refused):
 *   - the tab-separated rows of
 *       mysql --batch --skip-column-names -e "SELECT uuid, accountUuid,
 *       userUuid, UNIX_TIMESTAMP(expiredDate), UNIX_TIMESTAMP(createDate)
 *       FROM zstack.SessionVO"
 *     five fields; NULL (as mysql prints it) for userUuid or createDate;
 *   - or a JSON object with the keys uuid, accountUuid, userUuid,
 *     expiredDate, createDate (dates in epoch seconds; userUuid and
 *     createDate may be null or absent; other keys are ignored).
 * Lines of both forms may be mixed; empty lines are skipped.  Dates may
 * carry a fraction (UNIX_TIMESTAMP of a fractional column); milliseconds
 * are kept.  A missing userUuid means the account's own session.
 *
 * Merge rule, for every session of the input:
 *   - unknown here: added (as the input says, even if already expired);
 *   - known here: account, user and createDate as the input says, and the
 *     LATER of the two expiries, so a renewal made by a worker here is not
 *     undone by a feed, and a renewal made in ZStack reaches us;
 *   - with replace, a stored session the input does not list is deleted
 *     (a logout in ZStack ends it here); without, none is deleted.
 *
 * The whole input is read and checked before the write lock is taken; an
 * invalid line rejects everything with "line N: ..." and the store is left
 * as it was.  The changes are one transaction.  Session ids are never put
 * in a message (they are secrets); lines are named by number.
 */
#ifndef ZSQ_SESSION_FEED_H
#define ZSQ_SESSION_FEED_H

#include <stdio.h>

#include "base/buf.h"
#include "store/store.h"

struct session_feed_stats {
	unsigned long	read;		/* sessions in the input */
	unsigned long	added;
	unsigned long	updated;	/* a field or the expiry changed */
	unsigned long	unchanged;
	unsigned long	deleted;	/* by replace */
};

/*
 * 1 when id (NUL-terminated) can be a session id the Authorization header
 * carries back: 1 to SESSION_ID_MAX printable ASCII characters, no spaces
 * (the header value is trimmed, so those could never match).
 */
int	session_id_valid(const char *id);

/*
 * Import every session of in into st.  ZSQ_OK and *stats; else ZSQ_EINVAL
 * (a bad line: err says which and why), ZSQ_ENOMEM, ZSQ_EIO (reading in)
 * or a store error, with err set and the store unchanged.
 */
int	session_feed_import(const struct store *st, FILE *in, int replace,
	    struct session_feed_stats *stats, struct buf *err);

#endif
