/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_auth.c - API.md §2 and 10: the Authorization header checks with their
 * exact texts, and the session lookup against a real store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "query/auth.h"
#include "store/schema.h"
#include "store/session.h"
#include "store/store.h"
#include "t.h"

static struct apierr e = APIERR_INIT;

static void
hdr_err(const char *hdr, const char *text)
{
	const char *id = NULL;
	size_t idlen = 0;

	apierr_reset(&e);
	CHECK(auth_parse(hdr, &id, &idlen, &e) == ZSQ_EINVAL);
	CHECK(e.status == 400);
	CHECK(e.code == NULL);
	CHECK_STR(e.msg.data, text);
}

static void
hdr_id(const char *hdr, const char *want)
{
	const char *id = NULL;
	size_t idlen = 0;

	apierr_reset(&e);
	CHECK(auth_parse(hdr, &id, &idlen, &e) == ZSQ_OK);
	CHECK(e.status == 0);
	CHECK_MEM(id ? id : "", id ? idlen : 0, want);
}

static const char *const missing = "missing header 'Authorization'";
static const char *const type = "Authorization type must be 'OAuth'";
static const char *const ak = "access key authentication is not supported";

static void
test_header(void)
{
	hdr_err(NULL, missing);
	/* Present but empty (or blank) is a type error, not "missing". */
	hdr_err("", type);
	hdr_err("   \t", type);
	hdr_err("Bearer abc", type);
	hdr_err("oauth abc", type);
	hdr_err("OAUTH abc", type);
	hdr_err("zstack ak:sig", type);
	hdr_err("Basic OAuth", type);
	/* Anything starting ZStack (after trimming) is access-key auth. */
	hdr_err("ZStack ak:sig", ak);
	hdr_err("ZStackak:sig", ak);
	hdr_err("ZStack", ak);
	hdr_err(" \tZStack x", ak);
	/* The id: after OAuth, trimmed like Java's String.trim(). */
	hdr_id("OAuth abc", "abc");
	hdr_id("OAuthabc", "abc");
	hdr_id("  OAuth   abc \t\r", "abc");
	hdr_id("OAuth\tabc def", "abc def");
	hdr_id("OAuth", "");
	hdr_id("OAuth   ", "");
	hdr_id("OAuth ZStack", "ZStack");
	hdr_id("OAuth 0123456789ABCDEF", "0123456789ABCDEF");
	hdr_id("\x01OAuth x\x1f", "x");
}

static void
sess(struct store *st, MDB_txn *txn, const char *id, size_t idlen,
    int64_t now, int want_ok)
{
	struct session_rec s;

	apierr_reset(&e);
	if (want_ok) {
		CHECK(auth_session(st, txn, id, idlen, now, &s, &e) == ZSQ_OK);
		CHECK(e.status == 0);
		CHECK(memcmp(s.account, SCHEMA_ADMIN_ACCOUNT, 32) == 0);
		return;
	}
	CHECK(auth_session(st, txn, id, idlen, now, &s, &e) == ZSQ_EINVAL);
	CHECK(e.status == 503);
	CHECK_STR(e.code, APIERR_SESSION);
	CHECK_STR(e.msg.data, "Session expired");
}

static void
test_session(void)
{
	char dir[] = "/tmp/zsq-test-auth.XXXXXX", cmd[64], longid[300];
	struct store st;
	struct session_rec s;
	MDB_txn *txn;
	int64_t now = session_now_ms();
	const char *live = "0123456789abcdef0123456789abcdef";
	const char *old = "fedcba9876543210fedcba9876543210";

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(99);
	}
	CHECK(store_open(&st, dir, STORE_CREATE, 0) == ZSQ_OK);
	memset(&s, 0, sizeof(s));
	memcpy(s.account, SCHEMA_ADMIN_ACCOUNT, 32);
	s.created_ms = now - 10000;
	s.expired_ms = now + 7200000;
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == 0);
	CHECK(session_put(&st, txn, live, 32, &s) == ZSQ_OK);
	s.expired_ms = now - 1;
	CHECK(session_put(&st, txn, old, 32, &s) == ZSQ_OK);
	CHECK(mdb_txn_commit(txn) == 0);

	CHECK(mdb_txn_begin(st.env, NULL, MDB_RDONLY, &txn) == 0);
	sess(&st, txn, live, 32, now, 1);
	/* Expired: exactly at expiredDate it is no longer valid. */
	sess(&st, txn, old, 32, now, 0);
	sess(&st, txn, live, 32, now + 7200000, 0);
	/* Unknown, differently cased, prefix, empty, overlong. */
	sess(&st, txn, "nope", 4, now, 0);
	sess(&st, txn, "0123456789ABCDEF0123456789ABCDEF", 32, now, 0);
	sess(&st, txn, live, 31, now, 0);
	sess(&st, txn, "", 0, now, 0);
	memset(longid, 'a', sizeof(longid));
	sess(&st, txn, longid, sizeof(longid), now, 0);
	mdb_txn_abort(txn);

	store_close(&st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

int
main(void)
{
	test_header();
	test_session();
	apierr_free(&e);
	return t_done();
}
