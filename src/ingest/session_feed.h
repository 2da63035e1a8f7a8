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
 * The whole input is read and checked before the write lock is taken.  A
 * row whose fields are wrong is skipped and counted (the first one's
 * "line N: ..." kept for the caller to log once): one bad row in
 * SessionVO must not stop every logout from reaching the node.  Refused,
 * with the store left as it was: more than max_delete percent of the rows
 * bad (and more than one); an input that cannot be read as lines (cut
 * short, a line over 4096 bytes or holding a NUL, a read error) or that
 * lists a session twice; and with replace, deleting more than max_delete
 * percent of the live stored sessions (and more than one: a mass logout
 * must be said positively, see zsquery-admin(8)).  A skipped row's
 * session is deleted by replace like an absent one: it fails closed.
 * The changes are one transaction.  Session ids are never put in a
 * message (they are secrets); lines are named by number.
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
	unsigned long	skipped;	/* bad rows */
	char		skip_msg[160];	/* the first one's "line N: ...",
					   no session id in it */
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
	    unsigned max_delete, struct session_feed_stats *stats,
	    struct buf *err);

#endif
