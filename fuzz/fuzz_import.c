/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_import.c - import_stream() (API.md §9) on arbitrary input: the three
 * input forms, the JSON splitter, validation against the schema, the
 * renderer and the one-transaction rule.
 *
 * Each input is imported into an empty store.  Invariants:
 *   - a failed import leaves the store byte-for-byte as it was and says
 *     why;
 *   - after a successful one every stored record opens, its value, schema
 *     and tag sections iterate to their end without a malformed entry, its
 *     key is a 32-character lowercase hex uuid, its JSON is valid;
 *   - importing the same input again with --replace succeeds, adds nothing
 *     and deletes nothing.
 * The store is replaced by a fresh one after a success, so every input
 * starts from the same state.
 */
#include <stdio.h>
#include <string.h>

#include "base/errors.h"
#include "ingest/import.h"
#include "store/record.h"
#include "fuzz.h"

static struct store st;
static int	ready;

static int
is_uuid(const char *p, size_t n)
{
	size_t i;

	if (n != 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		    (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return 1;
}

static void
check_record(const MDB_val *k, const MDB_val *v)
{
	struct rec_head h;
	struct rec_iter it;
	struct rec_val val;
	struct rec_schema sch;
	struct rec_tagval tag;
	int rc;

	FUZZ_CHECK(is_uuid(k->mv_data, k->mv_size));
	FUZZ_CHECK(record_open(v->mv_data, v->mv_size, &h) == ZSQ_OK);
	FUZZ_CHECK(h.json.len > 0 && fuzz_json_valid((const char *)
	    v->mv_data + h.json.off, h.json.len));
	record_vals_begin(v->mv_data, &h, &it);
	while ((rc = record_vals_next(&it, &val)) == 1)
		FUZZ_CHECK(val.leaf < schema_nleaves());
	FUZZ_CHECK(rc == 0);
	record_schema_begin(v->mv_data, &h, &it);
	while ((rc = record_schema_next(&it, &sch)) == 1)
		FUZZ_CHECK(sch.oc < OC_COUNT);
	FUZZ_CHECK(rc == 0);
	record_tags_begin(v->mv_data, &h, &it);
	while ((rc = record_tags_next(&it, &tag)) == 1)
		;
	FUZZ_CHECK(rc == 0);
}

static void
check_store(void)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	FUZZ_CHECK(mdb_txn_begin(st.env, NULL, MDB_RDONLY, &txn) == 0);
	FUZZ_CHECK(mdb_cursor_open(txn, st.groups, &cur) == 0);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
		check_record(&k, &v);
	FUZZ_CHECK(rc == MDB_NOTFOUND);
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
}

static int
import(const uint8_t *data, size_t size, int replace,
    struct import_stats *stats, struct buf *err)
{
	struct import_opts o;
	FILE *in;
	int rc;

	/* fmemopen() refuses a zero size; an empty stream is /dev/null. */
	in = size > 0 ? fmemopen((void *)data, size, "r") :
	    fopen("/dev/null", "r");
	FUZZ_CHECK(in != NULL);
	memset(stats, 0, sizeof(*stats));
	buf_reset(err);
	import_opts_init(&o);
	o.replace = replace;
	o.max_delete = 100;
	o.allow_empty = 1;
	rc = import_stream(&st, in, &o, stats, err);
	fclose(in);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_stats stats, again;
	struct buf err = BUF_INIT;
	uint64_t before;
	int rc;

	if (!ready) {
		fuzz_store_new(&st);
		ready = 1;
	}
	before = fuzz_store_digest(&st);
	rc = import(data, size, 0, &stats, &err);
	if (rc != ZSQ_OK) {
		FUZZ_CHECK(rc != ZSQ_ENOMEM);
		FUZZ_CHECK(fuzz_store_digest(&st) == before);
		/* One line, as import.h promises, whatever the input held. */
		FUZZ_CHECK(err.len > 0);
		FUZZ_CHECK(memchr(err.data, '\n', err.len) == NULL);
		goto done;
	}
	check_store();
	FUZZ_CHECK(import(data, size, 1, &again, &err) == ZSQ_OK);
	FUZZ_CHECK(again.added == 0 && again.deleted == 0);
	FUZZ_CHECK(again.added + again.updated + again.unchanged ==
	    stats.added + stats.updated + stats.unchanged);
	fuzz_store_destroy(&st);
	fuzz_store_new(&st);
done:
	buf_free(&err);
	return 0;
}
