/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_auth.c - the Authorization header (API.md §2, 10) and the session
 * lookup behind it, against the sample store's sessions.
 *
 * Input: the header value (up to its first NUL, as a CGI variable would
 * be); an empty input stands for a missing header.
 *
 * Invariants, from a reference model of API.md §2: a missing header, a
 * ZStack value, and a value not starting OAuth each give their own 400;
 * otherwise the id is the trimmed text after "OAuth", pointing into the
 * header; the session check accepts exactly the admin's and the tenant's
 * live sessions, with their accounts, and answers everything else (the
 * expired session included) with 503 ID.1001.
 */
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "query/auth.h"
#include "store/schema.h"
#include "fuzz.h"

static void
trim(const char **p, size_t *n)
{
	while (*n > 0 && (unsigned char)**p <= ' ') {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && (unsigned char)(*p)[*n - 1] <= ' ')
		(*n)--;
}

static int
msg_is(const struct apierr *e, int status, const char *text)
{
	return e->status == status && e->code == NULL &&
	    e->msg.len == strlen(text) &&
	    memcmp(e->msg.data, text, e->msg.len) == 0;
}

static int
id_is(const char *id, size_t len, const char *sid)
{
	return len == strlen(sid) && memcmp(id, sid, len) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store *st = fuzz_store();
	struct apierr err = APIERR_INIT;
	struct session_rec s;
	const char *hdr = NULL, *id = NULL, *t;
	size_t idlen = 0, tlen;
	char *copy = NULL;
	MDB_txn *txn;
	int rc;

	if (size > 0) {
		FUZZ_CHECK((copy = malloc(size + 1)) != NULL);
		memcpy(copy, data, size);
		copy[size] = '\0';
		hdr = copy;
	}
	rc = auth_parse(hdr, &id, &idlen, &err);
	FUZZ_CHECK(rc == ZSQ_OK || rc == ZSQ_EINVAL);
	if (hdr == NULL) {
		FUZZ_CHECK(rc == ZSQ_EINVAL &&
		    msg_is(&err, 400, "missing header 'Authorization'"));
		fuzz_check_error(&err);
		goto done;
	}
	t = hdr;
	tlen = strlen(hdr);
	trim(&t, &tlen);
	if (tlen >= 6 && memcmp(t, "ZStack", 6) == 0) {
		FUZZ_CHECK(rc == ZSQ_EINVAL && msg_is(&err, 400,
		    "access key authentication is not supported"));
		fuzz_check_error(&err);
		goto done;
	}
	if (tlen < 5 || memcmp(t, "OAuth", 5) != 0) {
		FUZZ_CHECK(rc == ZSQ_EINVAL && msg_is(&err, 400,
		    "Authorization type must be 'OAuth'"));
		fuzz_check_error(&err);
		goto done;
	}
	FUZZ_CHECK(rc == ZSQ_OK);
	t += 5;
	tlen -= 5;
	trim(&t, &tlen);
	FUZZ_CHECK(id == t && idlen == tlen);

	FUZZ_CHECK(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) == 0);
	rc = auth_session(st, txn, id, idlen, session_now_ms(), &s, &err);
	mdb_txn_abort(txn);
	if (id_is(id, idlen, FUZZ_SID_ADMIN)) {
		FUZZ_CHECK(rc == ZSQ_OK && memcmp(s.account,
		    SCHEMA_ADMIN_ACCOUNT, sizeof(s.account)) == 0);
	} else if (id_is(id, idlen, FUZZ_SID_TENANT)) {
		FUZZ_CHECK(rc == ZSQ_OK && memcmp(s.account, FUZZ_ACC_TENANT,
		    sizeof(s.account)) == 0);
	} else {
		FUZZ_CHECK(rc == ZSQ_EINVAL && err.status == 503 &&
		    err.code != NULL &&
		    strcmp(err.code, APIERR_SESSION) == 0);
		fuzz_check_error(&err);
	}
done:
	free(copy);
	apierr_free(&err);
	return 0;
}
