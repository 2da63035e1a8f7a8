/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_params.c - query-string decoding and the API.md §4/10 parameter rules
 * as query_parse() applies them (400s only; 503s are test_query's).
 */
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "query/apierr.h"
#include "query/cond.h"
#include "query/params.h"
#include "query/query.h"
#include "store/schema.h"
#include "t.h"

#define LIMIT_400	"Invalid query parameter. 'limit' must be an integer"
#define START_400	"Invalid query parameter. 'start' must be an integer"
#define NOOP_400(c)	"Invalid query parameter. The '" c "' in the " \
	"parameter[q] doesn't contain any query operator. Valid query " \
	"operators are [[!=, >=, <=, !?=, !~=, ~=, ?=, =, >, <, is null, " \
	"not null]]"

/* Parse qs into a fresh query; the result code, query and error kept. */
static int
parse(struct query *q, struct apierr *e, const char *qs)
{
	query_free(q);
	apierr_reset(e);
	return query_parse(q, qs, strlen(qs), e);
}

/* qs must fail with a 400 whose text is want. */
static void
check_400(const char *qs, const char *want)
{
	struct query q;
	struct apierr e = APIERR_INIT;

	query_init(&q);
	CHECK(parse(&q, &e, qs) == ZSQ_EINVAL);
	CHECK(e.status == 400 && e.code == NULL);
	CHECK_STR(e.msg.data, want);
	query_free(&q);
	apierr_free(&e);
}

static void
test_decode(void)
{
	struct buf b = BUF_INIT;
	struct params_iter it;
	struct buf n = BUF_INIT, v = BUF_INIT;
	const char *qs;

	CHECK(params_decode(&b, "a+b%20c%3D%e4%B8%ad", 19) == ZSQ_OK);
	CHECK_STR(b.data, "a b c=\xe4\xb8\xad");
	buf_reset(&b);
	/* Malformed escapes stay literal (documented in params.h). */
	CHECK(params_decode(&b, "%zz%4%", 6) == ZSQ_OK);
	CHECK_STR(b.data, "%zz%4%");
	buf_reset(&b);
	CHECK(params_decode(&b, "%00x", 4) == ZSQ_OK);
	CHECK(b.len == 2 && b.data[0] == '\0' && b.data[1] == 'x');

	/* Names trimmed after decoding; empty names skipped; no '=': "". */
	qs = "%20limit+=5&&=x&+=y&q&a=b=c";
	params_begin(&it, qs, strlen(qs));
	CHECK(params_next(&it, &n, &v) == 1);
	CHECK_STR(n.data, "limit");
	CHECK_STR(v.data, "5");
	CHECK(params_next(&it, &n, &v) == 1);
	CHECK_STR(n.data, "q");
	CHECK(v.len == 0 && v.data != NULL);
	CHECK(params_next(&it, &n, &v) == 1);
	CHECK_STR(n.data, "a");
	CHECK_STR(v.data, "b=c");
	CHECK(params_next(&it, &n, &v) == 0);
	buf_free(&b);
	buf_free(&n);
	buf_free(&v);
}

static void
test_count_values(void)
{
	int64_t x = -1;

	CHECK(params_count_value("0", 1, &x) == ZSQ_OK && x == 0);
	CHECK(params_count_value("-0", 2, &x) == ZSQ_OK && x == 0);
	CHECK(params_count_value("+7", 2, &x) == ZSQ_OK && x == 7);
	CHECK(params_count_value("007", 3, &x) == ZSQ_OK && x == 7);
	CHECK(params_count_value("2147483647", 10, &x) == ZSQ_OK &&
	    x == 2147483647);
	CHECK(params_count_value("00000000000000000000012", 23, &x) ==
	    ZSQ_OK && x == 12);
	CHECK(params_count_value("2147483648", 10, &x) == ZSQ_EINVAL);
	CHECK(params_count_value("-1", 2, &x) == ZSQ_EINVAL);
	CHECK(params_count_value("-2147483648", 11, &x) == ZSQ_EINVAL);
	CHECK(params_count_value("", 0, &x) == ZSQ_EINVAL);
	CHECK(params_count_value("+", 1, &x) == ZSQ_EINVAL);
	CHECK(params_count_value("1.0", 3, &x) == ZSQ_EINVAL);
	CHECK(params_count_value("1e3", 3, &x) == ZSQ_EINVAL);
	CHECK(params_count_value("\xd9\xa1", 2, &x) == ZSQ_EINVAL);
	CHECK(params_is_true("TrUe", 4));
	CHECK(!params_is_true("true ", 5));
	CHECK(!params_is_true("1", 1));
}

static void
test_query_params(void)
{
	struct query q;
	struct apierr e = APIERR_INIT;

	query_init(&q);
	/* Defaults. */
	CHECK(parse(&q, &e, "") == ZSQ_OK);
	CHECK(q.limit == 1000 && q.start == 0 && !q.count &&
	    !q.reply_with_count && q.nconds == 0 && q.sort == NULL &&
	    q.fields == NULL && q.filter_name == NULL);

	/* Values trimmed, first value wins, unknown ignored. */
	CHECK(parse(&q, &e, "limit=%20%2B5%09&limit=x&start=-0&sortBy=a&"
	    "foo&groupBy=x&sortDirection=y") == ZSQ_OK);
	CHECK(q.limit == 5 && q.start == 0);
	CHECK(parse(&q, &e, "count=TRUE&count=false&replyWithCount=true")
	    == ZSQ_OK);
	CHECK(q.count == 1 && q.reply_with_count == 1);
	CHECK(parse(&q, &e, "count=no&count=true&replyWithCount=+true+")
	    == ZSQ_OK);
	CHECK(q.count == 0 && q.reply_with_count == 1);
	CHECK(parse(&q, &e, "sort=+-name+&sort=uuid&fields=+a,b&"
	    "filterName=x") == ZSQ_OK);
	CHECK_STR(q.sort, "-name");
	CHECK_STR(q.fields, "a,b");
	CHECK_STR(q.filter_name, "x");
	/* Names are case-sensitive and exact; trimming takes a NUL too. */
	CHECK(parse(&q, &e, "LIMIT=x&Count=true&li%00mit=x&q%00x") == ZSQ_OK);
	CHECK(q.limit == 1000 && !q.count && q.nconds == 0);
	CHECK(parse(&q, &e, "limit%00=7&%00count=true") == ZSQ_OK);
	CHECK(q.limit == 7 && q.count);

	/* q: repeatable, order kept, exact duplicates collapse, untrimmed. */
	CHECK(parse(&q, &e, "q=name=a&q=name%3Da&q=name=a+&q=status!=x")
	    == ZSQ_OK);
	CHECK(q.nconds == 3);
	CHECK_MEM(q.conds[0].text, q.conds[0].textlen, "name=a");
	CHECK_MEM(q.conds[1].text, q.conds[1].textlen, "name=a ");
	CHECK_MEM(q.conds[1].text + q.conds[1].value_off,
	    q.conds[1].value_len, "a ");
	CHECK(q.conds[2].op == COND_NE);

	/* count still validates limit/start. */
	check_400("count=true&limit=x", LIMIT_400);
	check_400("limit=", LIMIT_400);
	check_400("limit", LIMIT_400);
	check_400("limit=2147483648", LIMIT_400);
	check_400("limit=-1", LIMIT_400);
	check_400("start=-5", START_400);
	check_400("start=1.5", START_400);
	/* ?q with no '=' is the empty condition. */
	check_400("q", NOOP_400(""));
	check_400("q=&limit=1", NOOP_400(""));
	/* The first parameter by first appearance decides... */
	check_400("start=x&limit=y", START_400);
	check_400("limit=y&start=x", LIMIT_400);
	check_400("limit=y&q=bad", LIMIT_400);
	/* ... even when a later value of it is the bad one. */
	check_400("q=a=1&limit=y&q=bad", NOOP_400("bad"));
	check_400("q=a=1&q=bad1&q=bad2", NOOP_400("bad1"));
	/* Only the first value counts: a bad second limit is ignored. */
	CHECK(parse(&q, &e, "limit=3&limit=bad&start=+2") == ZSQ_OK);
	CHECK(q.limit == 3 && q.start == 2);
	/* An empty name is ignored. */
	CHECK(parse(&q, &e, "=x&%20=y&limit=1") == ZSQ_OK && q.limit == 1);
	query_free(&q);
	apierr_free(&e);
}

static void
test_get(void)
{
	struct query q;
	struct apierr e = APIERR_INIT;

	query_init(&q);
	/* The path uuid is taken whole: no operator search in it. */
	CHECK(query_set_get(&q, "a!=b", 4) == ZSQ_OK);
	CHECK(q.get == 1 && q.nconds == 1 && q.conds[0].op == COND_EQ);
	CHECK_MEM(q.conds[0].text + q.conds[0].name_off, q.conds[0].name_len,
	    "uuid");
	CHECK_MEM(q.conds[0].text + q.conds[0].value_off,
	    q.conds[0].value_len, "a!=b");
	CHECK(query_prepare(&q, &e) == ZSQ_OK);
	query_free(&q);
	apierr_free(&e);
}

int
main(void)
{
	schema_init();
	test_decode();
	test_count_values();
	test_query_params();
	test_get();
	return t_done();
}
