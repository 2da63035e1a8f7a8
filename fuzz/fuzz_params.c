/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_params.c - the whole list query string (API.md §4, 10): query_parse()
 * then query_prepare() on the input bytes as they would follow '?'.
 *
 * Invariants: parsing fails only with a 400 text error starting
 * "Invalid query parameter."; a parsed limit and start are within 0 and
 * 2^31-1; preparing fails only with a 503 SYS.1000/SYS.1007 whose reply is
 * the API.md §7 JSON object; a prepared sort names a real leaf.
 *
 * A prepared query then runs on the sample store as the admin, and its
 * page must be exactly the [start, start+limit) slice of the same query
 * run without limit and start (API.md §4: pages never overlap or skip), with
 * the same total when replyWithCount shows it; the body is valid JSON.
 */
#include <string.h>

#include "base/errors.h"
#include "query/query.h"
#include "query/reply.h"
#include "store/schema.h"
#include "fuzz.h"

#define INVALID_PARAM	"Invalid query parameter."

/* Run q as the admin: the page against the unpaged run, and the body. */
static void
check_run(const struct query *q)
{
	struct store *st = fuzz_store();
	struct apierr err = APIERR_INIT;
	struct query_result page, all;
	struct query whole = *q;
	struct buf body = BUF_INIT;
	struct out o = { out_buf_write, &body };
	uint64_t want;
	MDB_txn *txn;
	size_t i;

	FUZZ_CHECK(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) == 0);
	FUZZ_CHECK(query_run(st, txn, SCHEMA_ADMIN_ACCOUNT, q, &page,
	    &err) == ZSQ_OK);
	FUZZ_CHECK(reply_body(&o, q, &page) == ZSQ_OK);
	FUZZ_CHECK(fuzz_json_valid(body.data, body.len));
	if (!q->count) {
		/* Shares q's conditions: only the paging fields differ. */
		whole.start = 0;
		whole.limit = INT32_MAX;
		FUZZ_CHECK(query_run(st, txn, SCHEMA_ADMIN_ACCOUNT, &whole,
		    &all, &err) == ZSQ_OK);
		/* Without count or replyWithCount the walk may stop early. */
		FUZZ_CHECK(all.n == all.total);
		FUZZ_CHECK(!q->reply_with_count || page.total == all.total);
		want = (uint64_t)q->start < all.total ?
		    all.total - (uint64_t)q->start : 0;
		if (want > (uint64_t)q->limit)
			want = (uint64_t)q->limit;
		FUZZ_CHECK(page.n == want);
		for (i = 0; i < page.n; i++)
			FUZZ_CHECK(memcmp(page.m[i].uuid,
			    all.m[q->start + i].uuid, 32) == 0);
		query_result_free(&all);
	}
	query_result_free(&page);
	mdb_txn_abort(txn);
	buf_free(&body);
	apierr_free(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct apierr err = APIERR_INIT;
	struct query q;
	int rc;

	schema_init();
	query_init(&q);
	rc = query_parse(&q, (const char *)data, size, &err);
	FUZZ_CHECK(rc == ZSQ_OK || rc == ZSQ_EINVAL);
	if (rc == ZSQ_EINVAL) {
		FUZZ_CHECK(err.status == 400 && err.code == NULL);
		FUZZ_CHECK(err.msg.len >= strlen(INVALID_PARAM) &&
		    memcmp(err.msg.data, INVALID_PARAM,
		    strlen(INVALID_PARAM)) == 0);
		fuzz_check_error(&err);
		goto done;
	}
	FUZZ_CHECK(err.status == 0);
	FUZZ_CHECK(q.limit >= 0 && q.limit <= INT32_MAX);
	FUZZ_CHECK(q.start >= 0 && q.start <= INT32_MAX);
	FUZZ_CHECK(q.nconds <= q.capconds);

	rc = query_prepare(&q, &err);
	FUZZ_CHECK(rc == ZSQ_OK || rc == ZSQ_EINVAL);
	if (rc == ZSQ_EINVAL) {
		FUZZ_CHECK(err.status == 503 && err.code != NULL &&
		    (strcmp(err.code, APIERR_INTERNAL) == 0 ||
		    strcmp(err.code, APIERR_ARGUMENT) == 0));
		fuzz_check_error(&err);
		goto done;
	}
	FUZZ_CHECK(q.sort_leaf == -1 ||
	    (unsigned)q.sort_leaf < schema_nleaves());
	FUZZ_CHECK(q.fields_mask < (1U << SCHEMA_GROUP_FIELDS));
	check_run(&q);
done:
	query_free(&q);
	apierr_free(&err);
	return 0;
}
