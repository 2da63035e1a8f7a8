/* SPDX-License-Identifier: Apache-2.0 */
/* auth.c - Authorization header and session check; see auth.h. */
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "query/auth.h"
#include "query/params.h"

static int
has_prefix(const char *p, size_t n, const char *pre)
{
	size_t len = strlen(pre);

	return n >= len && memcmp(p, pre, len) == 0;
}

int
auth_parse(const char *hdr, const char **id, size_t *idlen,
    struct apierr *err)
{
	const char *p;
	size_t n;

	if (hdr == NULL)
		return apierr_text(err, 400, "missing header 'Authorization'");
	p = hdr;
	n = strlen(hdr);
	params_trim(&p, &n);
	if (has_prefix(p, n, "ZStack"))
		return apierr_text(err, 400,
		    "access key authentication is not supported");
	if (!has_prefix(p, n, "OAuth"))
		return apierr_text(err, 400,
		    "Authorization type must be 'OAuth'");
	p += sizeof("OAuth") - 1;
	n -= sizeof("OAuth") - 1;
	params_trim(&p, &n);
	*id = p;
	*idlen = n;
	return ZSQ_OK;
}

int
auth_session(const struct store *st, MDB_txn *txn, const char *id,
    size_t idlen, int64_t now_ms, struct session_rec *s,
    struct apierr *err)
{
	int rc;

	/* An empty or overlong id cannot name a session: not worth a lookup. */
	if (idlen == 0 || idlen > SESSION_ID_MAX)
		rc = ZSQ_ENOTFOUND;
	else
		rc = session_get(st, txn, id, idlen, s);
	if (rc == ZSQ_OK && session_valid(s, now_ms))
		return ZSQ_OK;
	if (rc == ZSQ_OK || rc == ZSQ_ENOTFOUND || rc == ZSQ_EINVAL)
		return apierr_json(err, APIERR_SESSION, "Session expired");
	/* LMDB's text is for the log, not for a client. */
	log_msg(LOG_ERR, "session lookup: %s", zsq_strerror(rc));
	return apierr_json(err, APIERR_INTERNAL, "session lookup failed: the "
	    "store is unavailable");
}
