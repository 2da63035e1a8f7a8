/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz.c - stores, checks and encoders the fuzz drivers share; see fuzz.h. */
#define _GNU_SOURCE	/* nftw FTW_DEPTH/FTW_PHYS */
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/hash.h"
#include "ingest/import.h"
#include "query/metrics.h"
#include "query/reply.h"
#include "store/acl.h"
#include "store/session.h"
#include "fuzz.h"

#define FUZZ_MAPSIZE	((size_t)64 << 20)	/* sparse; inputs are small */

static char	tmpdir[512];
static unsigned	nstores;
static struct store sample;
static int	sample_ready;

void
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
	abort();
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(path);
}

static void
tmp_cleanup(void)
{
	if (sample_ready)
		store_close(&sample);
	if (tmpdir[0] != '\0')
		nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The private directory every store of this process lives under. */
static const char *
tmp_root(void)
{
	const char *t;

	if (tmpdir[0] != '\0')
		return tmpdir;
	if ((t = getenv("TMPDIR")) == NULL || *t == '\0')
		t = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/zsq-fuzz-XXXXXX", t);
	FUZZ_CHECK(mkdtemp(tmpdir) != NULL);
	atexit(tmp_cleanup);
	/* Stored dates render in the service zone: pin one if none is set. */
	setenv("TZ", "Asia/Shanghai", 0);
	return tmpdir;
}

void
fuzz_store_new(struct store *st)
{
	char dir[600];

	snprintf(dir, sizeof(dir), "%s/db%u", tmp_root(), nstores++);
	FUZZ_CHECK(store_open(st, dir, STORE_CREATE, FUZZ_MAPSIZE) == ZSQ_OK);
}

void
fuzz_store_destroy(struct store *st)
{
	char dir[sizeof(st->dir)];

	memcpy(dir, st->dir, sizeof(dir));
	store_close(st);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
session_add(struct store *st, MDB_txn *txn, const char *sid,
    const char *account, int64_t expired_ms)
{
	struct session_rec s;

	memset(&s, 0, sizeof(s));
	memcpy(s.account, account, sizeof(s.account));
	memcpy(s.user, account, sizeof(s.user));
	s.created_ms = session_now_ms() - 1000;
	s.expired_ms = expired_ms;
	FUZZ_CHECK(session_put(st, txn, sid, strlen(sid), &s) == ZSQ_OK);
}

/* sample.json, a tenant with one shared group, three sessions. */
static void
sample_build(struct store *st)
{
	struct import_opts o;
	struct import_stats stats;
	struct buf path = BUF_INIT, err = BUF_INIT;
	const char *top;
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	char first[32];
	int64_t now = session_now_ms();
	FILE *in;

	fuzz_store_new(st);
	if ((top = getenv("top_srcdir")) == NULL)
		top = ".";
	FUZZ_CHECK(buf_printf(&path, "%s/tests/data/sample.json", top) ==
	    ZSQ_OK);
	if ((in = fopen(path.data, "r")) == NULL) {
		fprintf(stderr, "%s: cannot open (set top_srcdir)\n",
		    path.data);
		abort();
	}
	memset(&stats, 0, sizeof(stats));
	import_opts_init(&o);
	if (import_stream(st, in, &o, &stats, &err) != ZSQ_OK) {
		fprintf(stderr, "%s: %s\n", path.data, err.data);
		abort();
	}
	fclose(in);
	FUZZ_CHECK(stats.added > 1);

	FUZZ_CHECK(mdb_txn_begin(st->env, NULL, 0, &txn) == 0);
	FUZZ_CHECK(mdb_cursor_open(txn, st->groups, &cur) == 0);
	FUZZ_CHECK(mdb_cursor_get(cur, &k, &v, MDB_FIRST) == 0);
	FUZZ_CHECK(k.mv_size == sizeof(first));
	memcpy(first, k.mv_data, sizeof(first));
	mdb_cursor_close(cur);
	FUZZ_CHECK(account_put(st, txn, FUZZ_ACC_TENANT, "tenant") == ZSQ_OK);
	FUZZ_CHECK(acl_share(st, txn, first, FUZZ_ACC_TENANT) == ZSQ_OK);
	FUZZ_CHECK(store_gen_bump(st, txn) == ZSQ_OK);
	session_add(st, txn, FUZZ_SID_ADMIN, SCHEMA_ADMIN_ACCOUNT,
	    now + 86400000LL * 365);
	session_add(st, txn, FUZZ_SID_TENANT, FUZZ_ACC_TENANT,
	    now + 86400000LL * 365);
	session_add(st, txn, FUZZ_SID_EXPIRED, FUZZ_ACC_TENANT, now - 1000);
	FUZZ_CHECK(mdb_txn_commit(txn) == 0);
	buf_free(&path);
	buf_free(&err);
}

struct store *
fuzz_store(void)
{
	if (!sample_ready) {
		sample_build(&sample);
		sample_ready = 1;
	}
	return &sample;
}

static uint64_t
db_digest(MDB_txn *txn, MDB_dbi dbi, uint64_t h)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	FUZZ_CHECK(mdb_cursor_open(txn, dbi, &cur) == 0);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		h = hash_fnv1a(h, &k.mv_size, sizeof(k.mv_size));
		h = hash_fnv1a(h, k.mv_data, k.mv_size);
		h = hash_fnv1a(h, &v.mv_size, sizeof(v.mv_size));
		h = hash_fnv1a(h, v.mv_data, v.mv_size);
	}
	FUZZ_CHECK(rc == MDB_NOTFOUND);
	mdb_cursor_close(cur);
	return h;
}

uint64_t
fuzz_store_digest(struct store *st)
{
	MDB_txn *txn;
	uint64_t h = HASH_FNV1A_INIT;

	FUZZ_CHECK(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) == 0);
	h = db_digest(txn, st->meta, h);
	h = db_digest(txn, st->groups, h);
	h = db_digest(txn, st->shares, h);
	h = db_digest(txn, st->eq, h);
	h = db_digest(txn, st->ord, h);
	h = db_digest(txn, st->ords, h);
	h = db_digest(txn, st->owned, h);
	h = db_digest(txn, st->granted, h);
	h = db_digest(txn, st->accounts, h);
	mdb_txn_abort(txn);
	return h;
}

int
fuzz_json_valid(const char *p, size_t n)
{
	json_error_t jerr;
	json_t *j;

	if ((j = json_loadb(p, n, JSON_DECODE_ANY | JSON_ALLOW_NUL,
	    &jerr)) == NULL)
		return 0;
	json_decref(j);
	return 1;
}

void
fuzz_urlencode(struct buf *b, const void *s, size_t n)
{
	const unsigned char *p = s;
	size_t i;

	for (i = 0; i < n; i++)
		FUZZ_CHECK(buf_printf(b, "%%%02X", p[i]) == ZSQ_OK);
}

/* Find "\r\n" in p[0..n): its offset, or n. */
static size_t
line_end(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (p[i] == '\r' && p[i + 1] == '\n')
			return i;
	return n;
}

static void
check_error_object(const char *p, size_t n)
{
	json_error_t jerr;
	json_t *j, *e, *code, *desc;

	j = json_loadb(p, n, JSON_ALLOW_NUL, &jerr);
	FUZZ_CHECK(j != NULL && json_is_object(j));
	e = json_object_get(j, "error");
	FUZZ_CHECK(json_is_object(e));
	code = json_object_get(e, "code");
	desc = json_object_get(e, "description");
	FUZZ_CHECK(json_is_string(code) && json_is_string(desc));
	FUZZ_CHECK(strcmp(json_string_value(code), APIERR_SESSION) == 0 ||
	    strcmp(json_string_value(code), APIERR_INTERNAL) == 0 ||
	    strcmp(json_string_value(code), APIERR_ARGUMENT) == 0);
	FUZZ_CHECK(strcmp(json_string_value(desc),
	    apierr_description(json_string_value(code))) == 0);
	FUZZ_CHECK(json_is_string(json_object_get(e, "details")));
	json_decref(j);
}

int
fuzz_check_reply(const char *p, size_t n)
{
	const char *ct = NULL;
	size_t ctlen = 0, len;
	int status, allow = 0, etag = 0;

	len = line_end(p, n);
	FUZZ_CHECK(len >= 12 && len < n && memcmp(p, "Status: ", 8) == 0);
	FUZZ_CHECK(p[8] >= '1' && p[8] <= '5' && p[9] >= '0' &&
	    p[9] <= '9' && p[10] >= '0' && p[10] <= '9' && p[11] == ' ');
	status = (p[8] - '0') * 100 + (p[9] - '0') * 10 + (p[10] - '0');
	/* Header lines up to the blank one. */
	for (;;) {
		p += len + 2;
		n -= len + 2;
		len = line_end(p, n);
		FUZZ_CHECK(len < n);
		if (len == 0)
			break;
		FUZZ_CHECK(memchr(p, '\n', len) == NULL);
		if (len > 14 && memcmp(p, "Content-Type: ", 14) == 0) {
			FUZZ_CHECK(ct == NULL);
			ct = p + 14;
			ctlen = len - 14;
		} else if (len == 10 && memcmp(p, "Allow: GET", 10) == 0)
			allow = 1;
		else if (len > 6 && memcmp(p, "ETag: ", 6) == 0)
			etag = 1;
	}
	p += 2;
	n -= 2;
	FUZZ_CHECK(allow == (status == 405));
	if (status == 304) {
		FUZZ_CHECK(etag && ct == NULL && n == 0);
		return status;
	}
	FUZZ_CHECK(ct != NULL);
	/* The metrics page (API.md §12): a 200 without ETag, Prometheus's
	 * text, one sample or comment a line. */
	if (ctlen == strlen(METRICS_CONTENT_TYPE) &&
	    memcmp(ct, METRICS_CONTENT_TYPE, ctlen) == 0) {
		FUZZ_CHECK(status == 200 && !etag);
		FUZZ_CHECK(n > 0 && p[n - 1] == '\n' &&
		    memchr(p, '\0', n) == NULL);
		return status;
	}
	FUZZ_CHECK(etag == (status == 200));
	if (ctlen == strlen(REPLY_JSON) && memcmp(ct, REPLY_JSON, ctlen) == 0) {
		FUZZ_CHECK(status == 200 || status == 503);
		if (status == 503)
			check_error_object(p, n);
		else
			FUZZ_CHECK(fuzz_json_valid(p, n));
	} else {
		FUZZ_CHECK(ctlen == strlen(REPLY_TEXT) &&
		    memcmp(ct, REPLY_TEXT, ctlen) == 0);
		FUZZ_CHECK(status == 400 || status == 404 || status == 405);
	}
	return status;
}

void
fuzz_check_error(const struct apierr *e)
{
	struct buf b = BUF_INIT;
	struct out o = { out_buf_write, &b };
	const char *body;

	FUZZ_CHECK(e->status != 0);
	FUZZ_CHECK(reply_error(&o, e) == ZSQ_OK);
	FUZZ_CHECK(fuzz_check_reply(b.data, b.len) == e->status);
	/* A text body is the message itself, byte for byte. */
	if (e->code == NULL) {
		body = strstr(b.data, "\r\n\r\n") + 4;
		FUZZ_CHECK((size_t)(b.data + b.len - body) == e->msg.len &&
		    memcmp(body, e->msg.data, e->msg.len) == 0);
	}
	buf_free(&b);
}
