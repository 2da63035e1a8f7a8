/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_import.c - import_stream() into real LMDB stores in a temporary
 * directory: the three input forms, counts, replace, owners, and that
 * every rejected import (bad input, unknown owner, full map, wrong zone)
 * leaves every database byte-for-byte as it was.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/errors.h"
#include "ingest/import.h"
#include "store/acl.h"
#include "store/record.h"
#include "store/schema.h"
#include "store/store.h"
#include "t.h"

#define OTHER	"0123456789abcdef0123456789abcdef"
#define NOBODY	"ffffffffffffffffffffffffffffffff"
#define QWEN	"d3f1a9c0b2e84f6a9c1d7e5b3a2f4c60"
#define BGE	"9c8b7a6f5e4d4c3b2a1908f7e6d5c4b3"
#define NEW1	"00000000000000000000000000000001"
#define NEW2	"00000000000000000000000000000002"

static char sample_path[4096];

static void
zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* Every key and value of one database, in order. */
/*
 * A database whose values name groups by ordinal (the indexes, owned,
 * granted) or whose records carry one (groups), as lines that name them
 * by uuid instead, sorted: two stores with the same groups compare equal
 * whatever ordinals their histories gave.  Records are compared without
 * their ordinal and input digest.
 */
static int
line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
dump_named(struct store *st, MDB_dbi dbi, int groups, struct buf *out)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	struct buf line = BUF_INIT;
	char **lines = NULL;
	const char *uuid;
	size_t n = 0, i, j;

	buf_reset(out);
	CHECK(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) == 0);
	CHECK(mdb_cursor_open(txn, dbi, &cur) == 0);
	while (mdb_cursor_get(cur, &k, &v, MDB_NEXT) == 0) {
		buf_reset(&line);
		for (i = 0; i < k.mv_size; i++)
			buf_printf(&line, "%02x", ((unsigned char *)k.mv_data)[i]);
		buf_putc(&line, ' ');
		if (groups) {
			for (i = 0; i < v.mv_size; i++) {
				j = i - offsetof(struct rec_head, ord);
				if (j < 4)
					continue;
				j = i - offsetof(struct rec_head, src);
				if (j < REC_SRC_LEN)
					continue;
				buf_printf(&line, "%02x",
				    ((unsigned char *)v.mv_data)[i]);
			}
		} else {
			CHECK(v.mv_size == 4 && store_ord_uuid(st, txn,
			    store_ord_get(v.mv_data), &uuid) == ZSQ_OK);
			buf_append(&line, uuid, 32);
		}
		lines = realloc(lines, (n + 1) * sizeof(*lines));
		lines[n++] = strdup(line.data);
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	if (n > 0)
		qsort(lines, n, sizeof(*lines), line_cmp);
	for (i = 0; i < n; i++) {
		buf_puts(out, lines[i]);
		buf_putc(out, '\n');
		free(lines[i]);
	}
	free(lines);
	buf_free(&line);
}

/* Every key and value of every database, in order. */
static void
dump(struct store *st, struct buf *out)
{
	MDB_dbi dbs[10];
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	size_t i;

	dbs[0] = st->meta;
	dbs[1] = st->groups;
	dbs[2] = st->sessions;
	dbs[3] = st->accounts;
	dbs[4] = st->shares;
	dbs[5] = st->eq;
	dbs[6] = st->ord;
	dbs[7] = st->ords;
	dbs[8] = st->owned;
	dbs[9] = st->granted;
	buf_reset(out);
	CHECK(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) == 0);
	for (i = 0; i < 10; i++) {
		CHECK(mdb_cursor_open(txn, dbs[i], &cur) == 0);
		while (mdb_cursor_get(cur, &k, &v, MDB_NEXT) == 0) {
			buf_printf(out, "%zu %zu %zu:", i, k.mv_size, v.mv_size);
			buf_append(out, k.mv_data, k.mv_size);
			buf_append(out, v.mv_data, v.mv_size);
		}
		mdb_cursor_close(cur);
	}
	mdb_txn_abort(txn);
}

static size_t
ngroups(struct store *st)
{
	MDB_txn *txn;
	MDB_stat s;

	s.ms_entries = 0;
	CHECK(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) == 0);
	CHECK(mdb_stat(txn, st->groups, &s) == 0);
	mdb_txn_abort(txn);
	return s.ms_entries;
}

static uint64_t
gen(struct store *st)
{
	MDB_txn *txn;
	uint64_t g = 0;

	CHECK(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) == 0);
	CHECK(store_gen_get(st, txn, &g) == ZSQ_OK);
	mdb_txn_abort(txn);
	return g;
}

/* Copy out the stored record of uuid; 0 when there is none. */
static int
stored(struct store *st, const char *uuid, struct buf *rec)
{
	MDB_txn *txn;
	MDB_val k = { 32, (void *)uuid }, v;
	int found;

	buf_reset(rec);
	CHECK(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) == 0);
	found = mdb_get(txn, st->groups, &k, &v) == 0;
	if (found)
		buf_append(rec, v.mv_data, v.mv_size);
	mdb_txn_abort(txn);
	return found;
}

static int
import_text(struct store *st, const char *text, const char *owner,
    int replace, struct import_stats *s, struct buf *err)
{
	struct import_opts o;
	FILE *f;
	int rc;

	buf_reset(err);
	f = fmemopen((void *)text, strlen(text), "r");
	if (f == NULL)
		return -1;
	import_opts_init(&o);
	o.owner = owner;
	o.replace = replace;
	o.max_delete = 100;
	o.allow_empty = 1;
	rc = import_stream(st, f, &o, s, err);
	fclose(f);
	return rc;
}

static int
import_file(struct store *st, const char *path, int replace,
    struct import_stats *s, struct buf *err)
{
	struct import_opts o;
	FILE *f;
	int rc;

	buf_reset(err);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	import_opts_init(&o);
	o.replace = replace;
	o.max_delete = 100;
	o.allow_empty = 1;
	rc = import_stream(st, f, &o, s, err);
	fclose(f);
	return rc;
}

/* The sample re-shaped: 0 a JSON array, 1 one group per line (CRLF). */
static char *
reshape(int lines)
{
	struct buf b = BUF_INIT;
	json_t *root, *g;
	size_t i;
	char *s;

	root = json_load_file(sample_path, 0, NULL);
	CHECK(root != NULL);
	buf_puts(&b, lines ? "\r\n" : "[");
	json_array_foreach(json_object_get(root, "inventories"), i, g) {
		s = json_dumps(g, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!lines && i > 0)
			buf_puts(&b, ",\n");
		buf_puts(&b, s);
		buf_puts(&b, lines ? "\r\n\r\n" : "");
		free(s);
	}
	buf_puts(&b, lines ? "" : "]");
	json_decref(root);
	return b.data;
}

/*
 * text must be refused with rc and a message starting with want, and the
 * store must be exactly as it was.
 */
static void
refused(struct store *st, const char *text, const char *owner, int rc,
    const char *want)
{
	struct buf before = BUF_INIT, after = BUF_INIT, err = BUF_INIT;
	struct import_stats s;
	int got;

	dump(st, &before);
	got = import_text(st, text, owner, 1, &s, &err);
	CHECK(got == rc);
	if (err.len < strlen(want) || memcmp(err.data, want, strlen(want))) {
		fprintf(stderr, "message: %s\n   want: %s...\n",
		    err.data ? err.data : "(none)", want);
		CHECK(0);
	} else
		CHECK(1);
	CHECK(s.added == 0 && s.updated == 0 && s.deleted == 0);
	dump(st, &after);
	CHECK(before.len == after.len &&
	    memcmp(before.data, after.data, before.len) == 0);
	buf_free(&before);
	buf_free(&after);
	buf_free(&err);
}

static void
rm_store(const char *dir)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lock.mdb", dir);
	unlink(path);
	rmdir(dir);
}

static void
test_forms_and_counts(struct store *st)
{
	struct buf err = BUF_INIT, rec = BUF_INIT, before = BUF_INIT;
	struct buf after = BUF_INIT, want = BUF_INIT;
	struct import_stats s;
	struct rec_head h;
	char *arr, *lines, path[4200];
	FILE *f;
	size_t n;
	char chunk[4096];

	CHECK(gen(st) == 0);
	CHECK(import_file(st, sample_path, 0, &s, &err) == ZSQ_OK);
	CHECK(s.added == 7 && s.updated == 0 && s.unchanged == 0 &&
	    s.deleted == 0);
	CHECK(ngroups(st) == 7);
	CHECK(gen(st) == 1);

	/* The stored JSON is the renderer's, in the store's zone. */
	CHECK(stored(st, QWEN, &rec));
	CHECK(record_open(rec.data, rec.len, &h) == ZSQ_OK);
	CHECK(memcmp(h.owner, SCHEMA_ADMIN_ACCOUNT, 32) == 0);
	snprintf(path, sizeof(path), "%s/tests/data/golden/"
	    "render_qwen_shanghai.json",
	    getenv("top_srcdir") ? getenv("top_srcdir") : ".");
	CHECK((f = fopen(path, "r")) != NULL);
	while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&want, chunk, n);
	if (f)
		fclose(f);
	if (want.len > 0 && want.data[want.len - 1] == '\n')
		want.data[--want.len] = '\0';
	CHECK(want.len > 0);
	CHECK_MEM(rec.data + h.json.off, h.json.len, want.data ? want.data : "");

	/*
	 * Again, and in the other two forms: nothing changes.  (The second
	 * time the file's bytes are known: no group is even parsed.)
	 */
	CHECK(import_file(st, sample_path, 0, &s, &err) == ZSQ_OK);
	CHECK(s.added == 0 && s.updated == 0 && s.unchanged == 7);
	dump(st, &before);
	CHECK(import_file(st, sample_path, 0, &s, &err) == ZSQ_OK);
	CHECK(s.added == 0 && s.updated == 0 && s.unchanged == 7);
	dump(st, &after);
	CHECK(before.len == after.len &&
	    memcmp(before.data, after.data, before.len) == 0);
	arr = reshape(0);
	CHECK(import_text(st, arr, NULL, 0, &s, &err) == ZSQ_OK);
	CHECK(s.unchanged == 7 && s.added == 0 && s.updated == 0);
	lines = reshape(1);
	CHECK(import_text(st, lines, NULL, 0, &s, &err) == ZSQ_OK);
	CHECK(s.unchanged == 7 && s.added == 0 && s.updated == 0);
	/* Records note the bytes they came from last: the file's again. */
	CHECK(import_file(st, sample_path, 0, &s, &err) == ZSQ_OK);
	CHECK(s.unchanged == 7 && s.added == 0 && s.updated == 0);
	CHECK(gen(st) == 1);
	dump(st, &after);
	CHECK(before.len == after.len &&
	    memcmp(before.data, after.data, before.len) == 0);

	/* A reply with other keys around, brackets in skipped strings. */
	CHECK(import_text(st, " {\"schema\":{\"a\":\"]}\\\"[\"},\"total\":1,"
	    "\"inventories\":[{\"uuid\":\"" NEW1 "\",\"name\":\"n\"}],"
	    "\"success\":true} \n", NULL, 0, &s, &err) == ZSQ_OK);
	CHECK(s.added == 1 && s.unchanged == 0);
	CHECK(gen(st) == 2);
	/* An update: one group per line, concatenated. */
	CHECK(import_text(st, "{\"uuid\":\"" NEW1 "\",\"name\":\"m\"}{\"uuid\":"
	    "\"" NEW2 "\"}", NULL, 0, &s, &err) == ZSQ_OK);
	CHECK(s.added == 1 && s.updated == 1);
	CHECK(ngroups(st) == 9);
	CHECK(gen(st) == 3);
	/* Empty array and empty reply are zero groups, not errors. */
	CHECK(import_text(st, "[ ]", NULL, 0, &s, &err) == ZSQ_OK);
	CHECK(import_text(st, "{\"inventories\":[]}", NULL, 0, &s, &err) ==
	    ZSQ_OK);
	CHECK(import_text(st, "\xef\xbb\xbf[]", NULL, 0, &s, &err) == ZSQ_OK);
	CHECK(s.added + s.updated + s.unchanged + s.deleted == 0);
	CHECK(gen(st) == 3);

	free(arr);
	free(lines);
	buf_free(&err);
	buf_free(&rec);
	buf_free(&before);
	buf_free(&after);
	buf_free(&want);
}

static void
test_owner_and_replace(struct store *st)
{
	struct buf err = BUF_INIT, rec = BUF_INIT;
	struct import_stats s;
	struct rec_head h;
	MDB_txn *txn;
	MDB_val k, v;

	CHECK(mdb_txn_begin(st->env, NULL, 0, &txn) == 0);
	CHECK(account_put(st, txn, OTHER, "other") == ZSQ_OK);
	CHECK(acl_share(st, txn, NEW2, OTHER) == ZSQ_OK);
	CHECK(acl_share(st, txn, QWEN, OTHER) == ZSQ_OK);
	CHECK(mdb_txn_commit(txn) == 0);

	/* An explicit owner sets it; without one a group keeps its owner. */
	CHECK(import_text(st, "{\"uuid\":\"" NEW1 "\",\"name\":\"m\"}", OTHER,
	    0, &s, &err) == ZSQ_OK);
	CHECK(s.updated == 1);
	CHECK(stored(st, NEW1, &rec));
	CHECK(record_open(rec.data, rec.len, &h) == ZSQ_OK);
	CHECK(memcmp(h.owner, OTHER, 32) == 0);
	CHECK(import_text(st, "{\"uuid\":\"" NEW1 "\",\"name\":\"m\"}", NULL, 0,
	    &s, &err) == ZSQ_OK);
	CHECK(s.unchanged == 1);
	CHECK(import_text(st, "{\"uuid\":\"" NEW1 "\",\"name\":\"k\"}", NULL, 0,
	    &s, &err) == ZSQ_OK);
	CHECK(s.updated == 1);
	CHECK(stored(st, NEW1, &rec));
	CHECK(record_open(rec.data, rec.len, &h) == ZSQ_OK);
	CHECK(memcmp(h.owner, OTHER, 32) == 0);

	refused(st, "[]", NOBODY, ZSQ_ENOTFOUND,
	    "owner account " NOBODY " does not exist");
	refused(st, "[]", "short", ZSQ_EINVAL,
	    "owner 'short' is not an account uuid");

	/* Replace: the sample's 7 stay, NEW1 and NEW2 and NEW2's share go. */
	CHECK(ngroups(st) == 9);
	CHECK(import_file(st, sample_path, 1, &s, &err) == ZSQ_OK);
	CHECK(s.deleted == 2 && s.unchanged == 7 && s.added == 0);
	CHECK(ngroups(st) == 7);
	CHECK(!stored(st, NEW1, &rec) && !stored(st, NEW2, &rec));
	CHECK(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) == 0);
	k.mv_size = 32;
	k.mv_data = NEW2;
	CHECK(mdb_get(txn, st->shares, &k, &v) == MDB_NOTFOUND);
	k.mv_data = QWEN;
	CHECK(mdb_get(txn, st->shares, &k, &v) == 0);
	mdb_txn_abort(txn);
	CHECK(gen(st) == 6);
	buf_free(&err);
	buf_free(&rec);
}

/*
 * After updates and deletes the index must hold exactly what a fresh
 * import of the same groups gives: no stale entries, none missing.
 */
static void
test_index_exact(struct store *st, const char *dir)
{
	struct buf a = BUF_INIT, b = BUF_INIT, err = BUF_INIT;
	struct import_stats s;
	struct store fresh;
	MDB_dbi mine[3], theirs[3];
	size_t i;

	CHECK(store_open(&fresh, dir, STORE_CREATE, 0) == ZSQ_OK);
	CHECK(import_file(&fresh, sample_path, 0, &s, &err) == ZSQ_OK);
	mine[0] = st->eq;
	mine[1] = st->ord;
	mine[2] = st->owned;
	theirs[0] = fresh.eq;
	theirs[1] = fresh.ord;
	theirs[2] = fresh.owned;
	for (i = 0; i < 3; i++) {
		dump_named(st, mine[i], 0, &a);
		dump_named(&fresh, theirs[i], 0, &b);
		CHECK(a.len > 0);
		CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
		if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
			fprintf(stderr, "database %zu differs:\n%s\n--\n%s\n",
			    i, a.data ? a.data : "", b.data ? b.data : "");
	}
	dump_named(st, st->groups, 1, &a);
	dump_named(&fresh, fresh.groups, 1, &b);
	CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
	store_close(&fresh);
	buf_free(&a);
	buf_free(&b);
	buf_free(&err);
}

static void
test_rejected(struct store *st)
{
	char *deep, *p;
	int i;

	CHECK(ngroups(st) == 7);
	/* A good record first: it must not survive the later failure. */
	refused(st, "[{\"uuid\":\"" NEW1 "\"},{\"uuid\":\"" NEW2 "\",}]", NULL,
	    ZSQ_EINVAL, "record 2: invalid JSON: ");
	refused(st, "{\"total\":3,\"inventories\":[{\"uuid\":\"" NEW1 "\"},"
	    "{\"uuid\":\"" QWEN "\",\"name\":\"changed\"},{\"uuid\":\"" NEW2
	    "\",\"instances\":[{\"vm\":{\"vmNics\":[{\"usedIps\":[{"
	    "\"ipVersion\":\"4\"}]}]}}]}]}", NULL, ZSQ_EINVAL,
	    "record 3 (uuid " NEW2 "): field 'instances[0].vm.vmNics[0]."
	    "usedIps[0].ipVersion': expected an integer");
	refused(st, "{\"uuid\":\"" NEW1 "\"}\n{\"name\":\"x\"}\n", NULL,
	    ZSQ_EINVAL, "record 2: field 'uuid': missing");
	refused(st, "[{\"uuid\":\"D3F1A9C0B2E84F6A9C1D7E5B3A2F4C60\"}]", NULL,
	    ZSQ_EINVAL, "record 1 (uuid D3F1A9C0B2E84F6A9C1D7E5B3A2F4C60): "
	    "field 'uuid': expected 32 lowercase hex characters");
	refused(st, "[{\"uuid\":\"" NEW1 "\"},{\"uuid\":\"" NEW1 "\"}]", NULL,
	    ZSQ_EINVAL, "record 2 (uuid " NEW1 "): uuid repeats record 1");
	refused(st, "[{\"uuid\":\"" NEW1 "\"}] x", NULL, ZSQ_EINVAL,
	    "input: garbage after the array");
	refused(st, "[{\"uuid\":\"" NEW1 "\"}]]", NULL, ZSQ_EINVAL,
	    "input: garbage after the array");
	refused(st, "{\"inventories\":[{\"uuid\":\"" NEW1 "\"}]}{}", NULL,
	    ZSQ_EINVAL, "input: garbage after the reply");
	refused(st, "{\"total\":0}", NULL, ZSQ_EINVAL,
	    "input: a reply without 'inventories'");
	refused(st, "{\"schema\":{\"a\":[}", NULL, ZSQ_EINVAL,
	    "input: invalid JSON: mismatched brackets");
	refused(st, "{\"schema\":{\"a\":", NULL, ZSQ_EINVAL,
	    "input: unexpected end of input");
	refused(st, "{\"inventories\":{}}", NULL, ZSQ_EINVAL,
	    "input: 'inventories' is not an array");
	refused(st, "[{\"uuid\":\"" NEW1 "\"} {\"uuid\":\"" NEW2 "\"}]", NULL,
	    ZSQ_EINVAL, "record 2: expected ',' or ']' after a record");
	refused(st, "[{\"uuid\":\"" NEW1 "\"},{\"uuid\":\"" NEW2 "\"", NULL,
	    ZSQ_EINVAL, "record 2: unexpected end of input");
	refused(st, "[{\"uuid\":\"" NEW1 "\"},{\"uuid\":\"" NEW2, NULL,
	    ZSQ_EINVAL, "record 2: unexpected end of input in a string");
	refused(st, "[{\"uuid\":\"" NEW1 "\"]", NULL, ZSQ_EINVAL,
	    "record 1: invalid JSON: mismatched brackets");
	refused(st, "{\"uuid\":\"" NEW1 "\"} x", NULL, ZSQ_EINVAL,
	    "record 2: expected '{' (one group per line)");
	refused(st, "[5]", NULL, ZSQ_EINVAL, "record 1: not a JSON object");
	refused(st, "\"x\"", NULL, ZSQ_EINVAL,
	    "input: expected a JSON object or array");
	refused(st, "", NULL, ZSQ_EINVAL, "input: empty, no JSON");
	refused(st, " \n", NULL, ZSQ_EINVAL, "input: empty, no JSON");
	refused(st, "[{\"uuid\":\"" NEW1 "\",\"name\":\"a\",\"name\":\"b\"}]",
	    NULL, ZSQ_EINVAL, "record 1: invalid JSON: duplicate object key");

	/* 100 levels: past the splitter's bound, with no crash. */
	deep = malloc(400);
	p = deep;
	p += sprintf(p, "[{\"uuid\":\"%s\",\"x\":", NEW1);
	for (i = 0; i < 100; i++)
		*p++ = '[';
	for (i = 0; i < 100; i++)
		*p++ = ']';
	strcpy(p, "}]");
	refused(st, deep, NULL, ZSQ_EINVAL, "record 1: nested too deeply");
	free(deep);
	CHECK(ngroups(st) == 7);
}

/* One record larger than the splitter's bound, streamed from a file. */
static void
test_too_big(struct store *st)
{
	struct buf before = BUF_INIT, after = BUF_INIT, err = BUF_INIT;
	struct import_opts o;
	struct import_stats s;
	char chunk[1 << 16];
	FILE *f;
	int i;

	dump(st, &before);
	CHECK((f = tmpfile()) != NULL);
	if (f == NULL)
		return;
	fputs("[{\"uuid\":\"" NEW1 "\",\"description\":\"", f);
	memset(chunk, 'a', sizeof(chunk));
	for (i = 0; i < 64 * 16 + 1; i++)
		fwrite(chunk, 1, sizeof(chunk), f);
	fputs("\"}]", f);
	rewind(f);
	import_opts_init(&o);
	CHECK(import_stream(st, f, &o, &s, &err) == ZSQ_ETOOBIG);
	CHECK_STR(err.data, "record 1: larger than 64 MiB");
	fclose(f);
	dump(st, &after);
	CHECK(before.len == after.len &&
	    memcmp(before.data, after.data, before.len) == 0);
	buf_free(&before);
	buf_free(&after);
	buf_free(&err);
}

static void
test_tz(struct store *st)
{
	zone("UTC");
	refused(st, "[]", NULL, ZSQ_ETZ, "the store's dates are rendered in "
	    "time zone 'Asia/Shanghai' but the current zone is 'UTC' "
	    "(set TZ=Asia/Shanghai)");
	zone("Asia/Shanghai");
}

/* A 1 MiB map: the sample fits, a few MiB more do not. */
static void
test_map_full(const char *dir)
{
	struct buf big = BUF_INIT, err = BUF_INIT, desc = BUF_INIT;
	struct store st;
	struct import_stats s;
	int i;

	CHECK(store_open(&st, dir, STORE_CREATE, 1 << 20) == ZSQ_OK);
	CHECK(import_file(&st, sample_path, 0, &s, &err) == ZSQ_OK);
	CHECK(s.added == 7);
	for (i = 0; i < 1000; i++)
		buf_putc(&desc, 'x');
	buf_putc(&big, '[');
	for (i = 0; i < 4000; i++)
		buf_printf(&big, "%s{\"uuid\":\"%032x\",\"description\":\"%s\"}",
		    i ? "," : "", i + 100, desc.data);
	buf_putc(&big, ']');
	refused(&st, big.data, NULL, ZSQ_EFULL, "");
	CHECK(import_text(&st, big.data, NULL, 0, &s, &err) == ZSQ_EFULL);
	CHECK(strstr(err.data, "raise --map-size") != NULL);
	CHECK(ngroups(&st) == 7);
	/* The store still works after the failed transaction. */
	CHECK(import_file(&st, sample_path, 0, &s, &err) == ZSQ_OK);
	CHECK(s.unchanged == 7);
	store_close(&st);
	buf_free(&big);
	buf_free(&err);
	buf_free(&desc);
}

/* The stored record of uuid, copied into rec. */
static void
get_rec(struct store *st, const char *uuid, struct buf *rec)
{
	MDB_txn *txn;
	MDB_val k = { 32, (void *)uuid }, v;

	buf_reset(rec);
	CHECK(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) == 0);
	if (mdb_get(txn, st->groups, &k, &v) == 0)
		buf_append(rec, v.mv_data, v.mv_size);
	mdb_txn_abort(txn);
}

/* A hook: counts its calls and sees the groups of its transaction. */
static int hook_calls;

static int
hook_after(void *arg, const struct store *st, MDB_txn *txn, struct buf *err)
{
	MDB_val k = { 32, (void *)NEW1 }, v;

	(void)arg;
	(void)err;
	hook_calls++;
	return mdb_get(txn, st->groups, &k, &v) == MDB_SUCCESS ? ZSQ_OK :
	    ZSQ_EINVAL;
}

/* add_one NEW1 with tags and owner through import_add(); stats out. */
static int
add_one(struct store *st, const char *owner, const char *tag,
    struct import_stats *s)
{
	static const char json[] = "{\"uuid\":\"" NEW1 "\",\"name\":\"t\"}";
	const char *sys[1];
	struct import_tags tags;
	struct import_hooks h;
	struct import_opts o;
	struct import *imp;
	struct buf err = BUF_INIT;
	int rc;

	sys[0] = tag;
	memset(&tags, 0, sizeof(tags));
	tags.system = sys;
	tags.nsystem = 1;
	memset(&h, 0, sizeof(h));
	h.after = hook_after;
	import_opts_init(&o);
	CHECK(import_begin(st, &o, &imp, &err) == ZSQ_OK);
	if ((rc = import_add(imp, json, sizeof(json) - 1, owner, &tags,
	    &err)) == ZSQ_OK)
		rc = import_commit(imp, &h, s, &err);
	import_end(imp);
	buf_free(&err);
	return rc;
}

/*
 * import_add() (sync's way in): per-group owner and tags; the digest of
 * the bytes covers the tags and the owner, so a change of either alone is
 * a change, and the same again is not.
 */
static void
test_add(struct store *st)
{
	struct import_stats s;
	struct rec_head h;
	struct buf rec = BUF_INIT;
	unsigned char src[REC_SRC_LEN];

	hook_calls = 0;
	CHECK(add_one(st, OTHER, "a::1", &s) == ZSQ_OK);
	CHECK(s.added + s.updated == 1 && hook_calls == 1);
	get_rec(st, NEW1, &rec);
	CHECK(record_open(rec.data, rec.len, &h) == ZSQ_OK);
	CHECK(memcmp(h.owner, OTHER, 32) == 0);
	memcpy(src, h.src, sizeof(src));
	CHECK(add_one(st, OTHER, "a::1", &s) == ZSQ_OK);
	CHECK(s.unchanged == 1 && s.updated == 0 && hook_calls == 2);
	CHECK(add_one(st, OTHER, "a::2", &s) == ZSQ_OK);
	CHECK(s.updated == 1);
	get_rec(st, NEW1, &rec);
	CHECK(record_open(rec.data, rec.len, &h) == ZSQ_OK);
	CHECK(memcmp(h.src, src, sizeof(src)) != 0);
	CHECK(add_one(st, SCHEMA_ADMIN_ACCOUNT, "a::2", &s) == ZSQ_OK);
	CHECK(s.updated == 1);
	get_rec(st, NEW1, &rec);
	CHECK(record_open(rec.data, rec.len, &h) == ZSQ_OK);
	CHECK(memcmp(h.owner, SCHEMA_ADMIN_ACCOUNT, 32) == 0);
	buf_free(&rec);
}

int
main(void)
{
	char tmpl[] = "/tmp/zsq-import-XXXXXX", dir[4200], dir2[4200];
	char dir3[4200];
	struct store st;

	snprintf(sample_path, sizeof(sample_path), "%s/tests/data/sample.json",
	    getenv("top_srcdir") ? getenv("top_srcdir") : ".");
	zone("Asia/Shanghai");
	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/main", tmpl);
	snprintf(dir2, sizeof(dir2), "%s/small", tmpl);
	snprintf(dir3, sizeof(dir3), "%s/fresh", tmpl);
	CHECK(store_open(&st, dir, STORE_CREATE, 0) == ZSQ_OK);
	test_forms_and_counts(&st);
	test_owner_and_replace(&st);
	test_index_exact(&st, dir3);
	test_rejected(&st);
	test_too_big(&st);
	test_tz(&st);
	test_add(&st);
	store_close(&st);
	test_map_full(dir2);
	rm_store(dir);
	rm_store(dir2);
	rm_store(dir3);
	rmdir(tmpl);
	return t_done();
}
