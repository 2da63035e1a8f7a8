/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_cond.c - one q condition (API.md §5, 10): parsing, typed literals and
 * evaluation on the records of the sample store.
 *
 * The input is the condition text itself.  It goes through cond.h
 * directly and, percent-encoded byte by byte so it decodes to itself,
 * through the whole query path (query_parse, query_prepare, query_run,
 * reply_body) as the admin and as a tenant.
 *
 * Invariants:
 *   - cond.h's operator texts and names are API.md §5's and API.md §10's;
 *   - the operator is ZStack's: no operator earlier in API.md §5's list
 *     occurs anywhere in the text, the split is at the first occurrence
 *     of the winner, and the name is the trimmed, non-empty text before it;
 *   - errors are 400 text from parsing and 503 JSON from preparing, and
 *     the query path fails exactly when cond.h does;
 *   - the admin's total equals the number of records cond_match() accepts
 *     (the planner finds what brute force finds), every page entry
 *     matches, the page is in uuid order, a tenant never sees more;
 *   - the reply body is valid JSON.
 */
#define _GNU_SOURCE	/* memmem */
#include <string.h>

#include "base/errors.h"
#include "query/cond.h"
#include "query/query.h"
#include "query/reply.h"
#include "store/schema.h"
#include "fuzz.h"

/* API.md §5's operators in trial order, and API.md §10's QueryOp names. */
static const char *const spec_ops[COND_NOPS] = {
	"!=", ">=", "<=", "!?=", "!~=", "~=", "?=", "=", ">", "<",
	"is null", "not null"
};
static const char *const spec_names[COND_NOPS] = {
	"!=", ">=", "<=", "not in", "not like", "like", "in", "=", ">", "<",
	"is null", "is not null"
};

static void
check_op_tables(void)
{
	int i;

	for (i = 0; i < COND_NOPS; i++) {
		FUZZ_CHECK(strcmp(cond_op_text((enum cond_op)i),
		    spec_ops[i]) == 0);
		FUZZ_CHECK(strcmp(cond_op_name((enum cond_op)i),
		    spec_names[i]) == 0);
	}
}

static int
is_space(char c)
{
	return (unsigned char)c <= ' ';
}

static void
check_parsed(const struct cond *c, const char *text, size_t len)
{
	const char *op, *at;
	size_t oplen;
	int i;

	FUZZ_CHECK(c->op >= 0 && c->op < COND_NOPS);
	for (i = 0; i < (int)c->op; i++) {
		op = cond_op_text((enum cond_op)i);
		FUZZ_CHECK(memmem(text, len, op, strlen(op)) == NULL);
	}
	op = cond_op_text(c->op);
	oplen = strlen(op);
	at = memmem(text, len, op, oplen);
	FUZZ_CHECK(at != NULL);
	FUZZ_CHECK(c->textlen == len && memcmp(c->text, text, len) == 0);
	FUZZ_CHECK(c->name_len > 0 &&
	    c->name_off + c->name_len <= (size_t)(at - text));
	FUZZ_CHECK(!is_space(text[c->name_off]) &&
	    !is_space(text[c->name_off + c->name_len - 1]));
	FUZZ_CHECK(c->value_off == (size_t)(at - text) + oplen);
	if (c->op == COND_IS_NULL || c->op == COND_NOT_NULL)
		FUZZ_CHECK(c->value_len == 0);
	else
		FUZZ_CHECK(c->value_off + c->value_len == len);
}

static int
is_503(const struct apierr *e)
{
	return e->status == 503 && e->code != NULL &&
	    (strcmp(e->code, APIERR_INTERNAL) == 0 ||
	    strcmp(e->code, APIERR_ARGUMENT) == 0);
}

/* How many groups of the store c matches, by brute force. */
static size_t
brute_count(struct store *st, MDB_txn *txn, const struct cond *c)
{
	MDB_cursor *cur;
	MDB_val k, v;
	struct rec_head h;
	size_t n = 0;
	int rc;

	FUZZ_CHECK(mdb_cursor_open(txn, st->groups, &cur) == 0);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		FUZZ_CHECK(record_open(v.mv_data, v.mv_size, &h) == ZSQ_OK);
		if (cond_match(c, v.mv_data, &h))
			n++;
	}
	mdb_cursor_close(cur);
	return n;
}

/* Run q as account; check page order, matches and the body. */
static uint64_t
run_as(struct store *st, MDB_txn *txn, const char *account,
    const struct query *q)
{
	struct apierr err = APIERR_INIT;
	struct query_result res;
	struct buf body = BUF_INIT;
	struct out o = { out_buf_write, &body };
	struct rec_head h;
	uint64_t total;
	size_t i;

	FUZZ_CHECK(query_run(st, txn, account, q, &res, &err) == ZSQ_OK);
	FUZZ_CHECK(res.n <= res.total);
	for (i = 0; i < res.n; i++) {
		FUZZ_CHECK(record_open(res.m[i].rec.mv_data,
		    res.m[i].rec.mv_size, &h) == ZSQ_OK);
		FUZZ_CHECK(cond_match(&q->conds[0], res.m[i].rec.mv_data, &h));
		if (i > 0)
			FUZZ_CHECK(memcmp(res.m[i - 1].uuid, res.m[i].uuid,
			    32) < 0);
	}
	FUZZ_CHECK(reply_body(&o, q, &res) == ZSQ_OK);
	FUZZ_CHECK(fuzz_json_valid(body.data, body.len));
	total = res.total;
	query_result_free(&res);
	buf_free(&body);
	apierr_free(&err);
	return total;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store *st = fuzz_store();
	const char *text = (const char *)data;
	struct apierr err = APIERR_INIT, qerr = APIERR_INIT;
	struct buf qs = BUF_INIT;
	struct cond c;
	struct query q;
	MDB_txn *txn;
	uint64_t total;
	int rc, qrc;

	check_op_tables();
	memset(&c, 0, sizeof(c));
	query_init(&q);
	FUZZ_CHECK(buf_puts(&qs, "q=") == ZSQ_OK);
	fuzz_urlencode(&qs, data, size);

	rc = cond_parse(&c, text, size, &err);
	qrc = query_parse(&q, qs.data, qs.len, &qerr);
	FUZZ_CHECK(rc == ZSQ_OK || rc == ZSQ_EINVAL);
	FUZZ_CHECK(qrc == rc);
	if (rc != ZSQ_OK) {
		FUZZ_CHECK(err.status == 400 && err.code == NULL);
		FUZZ_CHECK(qerr.msg.len == err.msg.len &&
		    memcmp(qerr.msg.data, err.msg.data, err.msg.len) == 0);
		fuzz_check_error(&err);
		goto done;
	}
	check_parsed(&c, text, size);
	FUZZ_CHECK(q.nconds == 1);

	rc = cond_prepare(&c, &err);
	qrc = query_prepare(&q, &qerr);
	FUZZ_CHECK(rc == ZSQ_OK || rc == ZSQ_EINVAL);
	FUZZ_CHECK(qrc == rc);
	if (rc != ZSQ_OK) {
		FUZZ_CHECK(is_503(&err) && is_503(&qerr));
		FUZZ_CHECK(strcmp(err.code, qerr.code) == 0);
		fuzz_check_error(&err);
		goto done;
	}

	/* Ask for the total, so the walk may not stop at a full page. */
	q.reply_with_count = 1;
	FUZZ_CHECK(mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) == 0);
	total = run_as(st, txn, SCHEMA_ADMIN_ACCOUNT, &q);
	FUZZ_CHECK(total == brute_count(st, txn, &c));
	FUZZ_CHECK(run_as(st, txn, FUZZ_ACC_TENANT, &q) <= total);
	mdb_txn_abort(txn);
done:
	cond_free(&c);
	query_free(&q);
	apierr_free(&err);
	apierr_free(&qerr);
	buf_free(&qs);
	return 0;
}
