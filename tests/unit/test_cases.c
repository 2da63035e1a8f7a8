/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_cases.c - the table-driven suite: tests/data/cases.txt run against a
 * real store filled by import_stream() from tests/data/cases.json.
 *
 * cases.json holds one group per line; its group uuids are
 * a1000000000000000000000000000001 .. ...13 and the table names them by
 * their last two digits.  cases.txt, tab-separated, one item a line
 * (blank lines and lines starting with # are skipped):
 *
 *   owner  NN  ACC             group NN belongs to ACC (default: admin)
 *   share  NN  ACC|public      share group NN
 *   ACC    QUERY-STRING  EXPECT
 *
 * ACC is admin, A, B, C or D (D owns nothing: a stranger).  A QUERY of
 * "GET <uuid>" is the get route instead.  EXPECT is one of
 *   NN NN ...        the page's groups in order ("-" for none)
 *   total=N|NN ...   replyWithCount's total, then the page
 *   count=N          the count reply, body included
 *   body=TEXT        the whole reply body
 *   400 TEXT         query_parse's 400 with exactly that text
 *   503 CODE         query_prepare's 503 with that code
 *
 * Every list case runs twice, planned as usual and with the planner off
 * (query.no_index): both must give the same page and total, which proves
 * each index path against the full walk.  Each failing line is printed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/errors.h"
#include "query/apierr.h"
#include "query/query.h"
#include "query/reply.h"
#include "serve/request.h"
#include "store/schema.h"
#include "store/session.h"
#include "t.h"
#include "tstore.h"

#define UUID_LEN	32
#define GROUP_PREFIX	"a1" "0000000000000000000000000000"	/* + NN */
#define NACC		5

static const struct {
	const char	*alias, *uuid;
} accounts[NACC] = {
	{ "admin", SCHEMA_ADMIN_ACCOUNT },
	{ "A", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
	{ "B", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" },
	{ "C", "cccccccccccccccccccccccccccccccc" },
	{ "D", "dddddddddddddddddddddddddddddddd" },
};

static struct store st;
static char owners[100][UUID_LEN + 1];	/* by group number */

static const char *
account(const char *alias)
{
	size_t i;

	for (i = 0; i < NACC; i++)
		if (strcmp(accounts[i].alias, alias) == 0)
			return accounts[i].uuid;
	return NULL;
}

/* "07" -> a1000000000000000000000000000007 (into uuid[33]). */
static int
group_uuid(const char *nn, char *uuid)
{
	if (strlen(nn) != 2 || nn[0] < '0' || nn[0] > '9' || nn[1] < '0' ||
	    nn[1] > '9')
		return 0;
	snprintf(uuid, UUID_LEN + 1, "%s%s", GROUP_PREFIX, nn);
	return 1;
}

static FILE *
open_src(const char *rel)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", top ? top : ".", rel);
	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		exit(99);
	}
	return f;
}

/* Split line at tabs into at most n fields; returns how many. */
static int
split(char *line, char **f, int n)
{
	int i = 0;

	line[strcspn(line, "\r\n")] = '\0';
	f[i++] = line;
	while (i < n && (line = strchr(line, '\t')) != NULL) {
		*line++ = '\0';
		f[i++] = line;
	}
	return i;
}

/* Owners and shares from the table, then the groups, each its owner's. */
static void
fill(void)
{
	char line[8192], *f[3], uuid[UUID_LEN + 1], *p;
	FILE *in = open_src("tests/data/cases.txt"), *data;
	MDB_txn *txn;
	size_t i;
	int n, ok = 1;

	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == 0);
	for (i = 1; i < NACC; i++)
		ok &= account_put(&st, txn, accounts[i].uuid,
		    accounts[i].alias) == ZSQ_OK;
	CHECK(mdb_txn_commit(txn) == 0);
	for (i = 0; i < 100; i++)
		strcpy(owners[i], SCHEMA_ADMIN_ACCOUNT);
	while (fgets(line, sizeof(line), in) != NULL)
		if (split(line, f, 3) == 3 && strcmp(f[0], "owner") == 0 &&
		    group_uuid(f[1], uuid) && account(f[2]) != NULL)
			strcpy(owners[atoi(f[1])], account(f[2]));
	data = open_src("tests/data/cases.json");
	while (fgets(line, sizeof(line), data) != NULL) {
		/* The group's own uuid is its first key. */
		p = strstr(line, "\"uuid\":\"" GROUP_PREFIX);
		CHECK(p != NULL);
		if (p == NULL)
			continue;
		n = atoi(p + 8 + 30);
		ok &= tstore_import(&st, line, owners[n]) == ZSQ_OK;
	}
	fclose(data);
	rewind(in);
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == 0);
	while (fgets(line, sizeof(line), in) != NULL)
		if (split(line, f, 3) == 3 && strcmp(f[0], "share") == 0 &&
		    group_uuid(f[1], uuid))
			ok &= acl_share(&st, txn, uuid, strcmp(f[2],
			    "public") == 0 ? NULL : account(f[2])) == ZSQ_OK;
	CHECK(mdb_txn_commit(txn) == 0);
	fclose(in);
	CHECK(ok);
}

/* The page as the table writes it: "01 05", or "-". */
static void
page_text(const struct query_result *res, struct buf *b)
{
	size_t i;

	buf_reset(b);
	for (i = 0; i < res->n; i++) {
		if (i > 0)
			buf_puts(b, " ");
		if (memcmp(res->m[i].uuid, GROUP_PREFIX, 30) == 0)
			buf_append(b, res->m[i].uuid + 30, 2);
		else
			buf_append(b, res->m[i].uuid, UUID_LEN);
	}
	if (res->n == 0)
		buf_puts(b, "-");
}

/* Run q as acc, planned or not; the page to page, the body to body. */
static int
run(struct query *q, const char *acc, int no_index, struct buf *page,
    uint64_t *total, struct buf *body)
{
	struct query_result res;
	struct apierr e = APIERR_INIT;
	struct out o = { out_buf_write, body };
	MDB_txn *txn;
	int rc;

	q->no_index = no_index;
	if (mdb_txn_begin(st.env, NULL, MDB_RDONLY, &txn) != 0)
		return ZSQ_ESTORE;
	if ((rc = query_run(&st, txn, acc, q, &res, &e)) == ZSQ_OK) {
		page_text(&res, page);
		*total = res.total;
		buf_reset(body);
		rc = reply_body(&o, q, &res);
		query_result_free(&res);
	}
	mdb_txn_abort(txn);
	apierr_free(&e);
	return rc;
}

/* One table line; 1 when it holds. */
static int
check_case(const char *acc, const char *qs, const char *want,
    struct buf *got)
{
	struct query q;
	struct apierr e = APIERR_INIT;
	struct buf page = BUF_INIT, body = BUF_INIT, page2 = BUF_INIT;
	uint64_t total = 0, total2 = 0;
	int rc, ok = 0;

	query_init(&q);
	buf_reset(got);
	if (strncmp(qs, "GET ", 4) == 0)
		rc = query_set_get(&q, qs + 4, strlen(qs + 4));
	else if ((rc = query_parse(&q, qs, strlen(qs), &e)) != ZSQ_OK) {
		buf_printf(got, "%d %.*s", e.status, (int)e.msg.len,
		    e.msg.data ? e.msg.data : "");
		ok = strcmp(got->data, want) == 0;
		goto out;
	}
	if ((rc = query_prepare(&q, &e)) != ZSQ_OK) {
		buf_printf(got, "%d %s", e.status, e.code ? e.code : "?");
		ok = strcmp(got->data, want) == 0;
		goto out;
	}
	if (run(&q, acc, 0, &page, &total, &body) != ZSQ_OK ||
	    run(&q, acc, 1, &page2, &total2, &body) != ZSQ_OK) {
		buf_puts(got, "query_run failed");
		goto out;
	}
	if (strcmp(page.data, page2.data) != 0 || total != total2) {
		buf_printf(got, "planned %s (%llu) but walked %s (%llu)",
		    page.data, (unsigned long long)total, page2.data,
		    (unsigned long long)total2);
		goto out;
	}
	if (strncmp(want, "count=", 6) == 0)
		buf_printf(got, "count=%llu", (unsigned long long)total);
	else if (strncmp(want, "total=", 6) == 0)
		buf_printf(got, "total=%llu|%s", (unsigned long long)total,
		    page.data);
	else if (strncmp(want, "body=", 5) == 0)
		buf_printf(got, "body=%s", body.data);
	else
		buf_puts(got, page.data);
	ok = strcmp(got->data, want) == 0;
	/* A count reply is exactly its total. */
	if (ok && q.count) {
		buf_reset(&page);
		buf_printf(&page, "{\"schema\":{},\"total\":%llu}",
		    (unsigned long long)total);
		ok = strcmp(page.data, body.data) == 0;
	}
out:
	query_free(&q);
	apierr_free(&e);
	buf_free(&page);
	buf_free(&page2);
	buf_free(&body);
	return ok;
}

static void
run_table(void)
{
	char line[8192], *f[3];
	struct buf got = BUF_INIT;
	FILE *in = open_src("tests/data/cases.txt");
	int lineno = 0, ncases = 0;
	const char *acc;

	while (fgets(line, sizeof(line), in) != NULL) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n' ||
		    strncmp(line, "owner\t", 6) == 0 ||
		    strncmp(line, "share\t", 6) == 0)
			continue;
		if (split(line, f, 3) != 3 || (acc = account(f[0])) == NULL) {
			fprintf(stderr, "cases.txt:%d: malformed line\n",
			    lineno);
			CHECK(0);
			continue;
		}
		ncases++;
		if (check_case(acc, f[1], f[2], &got)) {
			CHECK(1);
			continue;
		}
		fprintf(stderr, "cases.txt:%d: %s %s\n  want %s\n  got  %s\n",
		    lineno, f[0], f[1], f[2], got.data ? got.data : "");
		CHECK(0);
	}
	fclose(in);
	buf_free(&got);
	printf("%d cases\n", ncases);
	CHECK(ncases >= 300);
}

/* The page of qs as admin, planned: "01 02". */
static void
page_of(const char *qs, struct buf *page)
{
	struct query q;
	struct apierr e = APIERR_INIT;
	struct buf body = BUF_INIT;
	uint64_t total;

	query_init(&q);
	CHECK(query_parse(&q, qs, strlen(qs), &e) == ZSQ_OK &&
	    query_prepare(&q, &e) == ZSQ_OK &&
	    run(&q, SCHEMA_ADMIN_ACCOUNT, 0, page, &total, &body) == ZSQ_OK);
	query_free(&q);
	apierr_free(&e);
	buf_free(&body);
}

/*
 * Pages of every size over sorts full of ties (13 groups, 5 statuses),
 * in both directions, with and without an indexed range: concatenated
 * they are the whole list, in order, with no skip and no repeat.
 */
static void
test_pages(void)
{
	static const char *const sorts[] = {
		"sort=status", "sort=-status", "sort=type", "sort=-type",
		"sort=modelServiceType", "sort=-modelServiceType",
		"sort=createDate", "sort=-createDate",
		"sort=-name&q=name>=b", "sort=status&q=createDate<2024-03-01",
	};
	struct buf all = BUF_INIT, page = BUF_INIT, cat = BUF_INIT;
	char qs[128];
	size_t i;
	int k, start;

	for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++) {
		page_of(sorts[i], &all);
		for (k = 1; k <= 6; k++) {
			buf_reset(&cat);
			for (start = 0; start < 14; start += k) {
				snprintf(qs, sizeof(qs), "%s&start=%d&limit=%d",
				    sorts[i], start, k);
				page_of(qs, &page);
				if (strcmp(page.data, "-") == 0)
					continue;
				buf_printf(&cat, "%s%s", cat.len ? " " : "",
				    page.data);
			}
			if (strcmp(cat.data ? cat.data : "-", all.data) != 0)
				fprintf(stderr, "%s by %d: %s, whole %s\n",
				    sorts[i], k, cat.data, all.data);
			CHECK(strcmp(cat.data ? cat.data : "-", all.data) == 0);
		}
	}
	buf_free(&all);
	buf_free(&page);
	buf_free(&cat);
}

#define LIST_URI	"/zstack/v1/ai/model-services/instances/groups"

/* One request through request_handle(); the reply goes to reply. */
static void
request(struct request_ctx *ctx, const char *uri, const char *sid,
    const char *inm, struct buf *reply)
{
	char auth[64];
	struct request_in in = { "GET", uri, auth, inm, NULL, NULL };
	struct out o = { out_buf_write, reply };

	snprintf(auth, sizeof(auth), "OAuth %s", sid);
	buf_reset(reply);
	CHECK(request_handle(ctx, &in, &o) == ZSQ_OK);
}

/* The quoted ETag of a 200 reply to uri, into etag[19]. */
static void
etag_of(struct request_ctx *ctx, const char *uri, const char *sid,
    char *etag)
{
	struct buf reply = BUF_INIT;
	const char *p;

	request(ctx, uri, sid, NULL, &reply);
	p = reply.data ? strstr(reply.data, "\r\nETag: \"") : NULL;
	CHECK(p != NULL && strncmp(reply.data, "Status: 200 ", 12) == 0);
	snprintf(etag, 19, "%s", p ? p + 8 : "");
	buf_free(&reply);
}

/* Replace-import the table's data without group NN: deletes it. */
static void
delete_group(const char *nn)
{
	struct import_opts o;
	struct import_stats stats;
	struct buf in = BUF_INIT, err = BUF_INIT;
	char line[8192], uuid[UUID_LEN + 1];
	FILE *data = open_src("tests/data/cases.json"), *f;

	CHECK(group_uuid(nn, uuid));
	while (fgets(line, sizeof(line), data) != NULL)
		if (strstr(line, uuid) != line + 9)
			buf_puts(&in, line);
	fclose(data);
	CHECK((f = fmemopen(in.data, in.len, "r")) != NULL);
	import_opts_init(&o);
	o.replace = 1;
	CHECK(import_stream(&st, f, &o, &stats, &err) == ZSQ_OK);
	CHECK(stats.deleted == 1);
	fclose(f);
	buf_free(&in);
	buf_free(&err);
}

/*
 * ETag and If-None-Match at the request layer (A sees 01 02 03 04 07 10,
 * D only 07): stable across identical requests, 304 with no body on a
 * match, unchanged by a change A cannot see, changed by an import of a
 * group A sees, by a share to A and by a delete.
 */
static void
test_etag(void)
{
	static const char sid_a[] = "5e55a0a0a0a0a0a0a0a0a0a0a0a0a0a0";
	static const char sid_d[] = "5e55d0d0d0d0d0d0d0d0d0d0d0d0d0d0";
	struct request_ctx ctx;
	struct session_rec s;
	struct buf reply = BUF_INIT, want = BUF_INIT;
	char e1[19], e2[19], e3[19], e4[19], e5[19], d1[19], d2[19];
	MDB_txn *txn;

	memset(&s, 0, sizeof(s));
	s.created_ms = session_now_ms();
	s.expired_ms = s.created_ms + 3600000;
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == 0);
	memcpy(s.account, account("A"), UUID_LEN);
	CHECK(session_put(&st, txn, sid_a, UUID_LEN, &s) == ZSQ_OK);
	memcpy(s.account, account("D"), UUID_LEN);
	CHECK(session_put(&st, txn, sid_d, UUID_LEN, &s) == ZSQ_OK);
	CHECK(mdb_txn_commit(txn) == 0);
	request_ctx_init(&ctx, &st, SESSION_DEFAULT_TIMEOUT, 0);

	etag_of(&ctx, LIST_URI, sid_a, e1);
	etag_of(&ctx, LIST_URI, sid_a, e2);
	CHECK_STR(e2, e1);
	etag_of(&ctx, LIST_URI "?count=true", sid_d, d1);
	request(&ctx, LIST_URI, sid_a, e1, &reply);
	buf_printf(&want, "Status: 304 Not Modified\r\nETag: %s\r\n\r\n", e1);
	CHECK_MEM(reply.data, reply.len, want.data);

	/* B's group 05 changes: nothing A sees moved. */
	CHECK(tstore_import(&st, "{\"uuid\":\"" GROUP_PREFIX "05\","
	    "\"name\":\"gamma2\"}", NULL) == ZSQ_OK);
	etag_of(&ctx, LIST_URI, sid_a, e2);
	CHECK_STR(e2, e1);
	request(&ctx, LIST_URI, sid_a, e1, &reply);
	CHECK_MEM(reply.data, reply.len, want.data);

	/* A's group 03 changes. */
	CHECK(tstore_import(&st, "{\"uuid\":\"" GROUP_PREFIX "03\","
	    "\"name\":\"beta2\"}", NULL) == ZSQ_OK);
	etag_of(&ctx, LIST_URI, sid_a, e3);
	CHECK(strcmp(e3, e1) != 0);
	request(&ctx, LIST_URI, sid_a, e1, &reply);
	CHECK(strncmp(reply.data, "Status: 200 ", 12) == 0);

	/* 05 shared to A. */
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == 0);
	CHECK(acl_share(&st, txn, GROUP_PREFIX "05", account("A")) == ZSQ_OK);
	CHECK(mdb_txn_commit(txn) == 0);
	etag_of(&ctx, LIST_URI, sid_a, e4);
	CHECK(strcmp(e4, e3) != 0 && strcmp(e4, e1) != 0);

	/* A's group 10 deleted. */
	delete_group("10");
	etag_of(&ctx, LIST_URI, sid_a, e5);
	CHECK(strcmp(e5, e4) != 0 && strcmp(e5, e3) != 0 &&
	    strcmp(e5, e1) != 0);

	/* D saw none of it. */
	etag_of(&ctx, LIST_URI "?count=true", sid_d, d2);
	CHECK_STR(d2, d1);

	request_ctx_free(&ctx);
	buf_free(&reply);
	buf_free(&want);
}

/*
 * The bounded heap on a larger store: 600 groups, 23 names and nulls, so
 * most keys tie.  The expected orders are built here independently (qsort
 * with nulls first, ties by uuid); pages of several sizes in both
 * directions, with and without an indexed range, must concatenate to
 * them, and no run may keep more than about start + limit matches.
 */
#define HEAP_N	600

struct heap_row {
	char	 uuid[UUID_LEN + 1];
	char	 name[8];		/* "" for null */
};

static int heap_desc;

static int
heap_cmp(const void *pa, const void *pb)
{
	const struct heap_row *a = pa, *b = pb;
	int c;

	if (a->name[0] == '\0' || b->name[0] == '\0')
		c = (b->name[0] == '\0') - (a->name[0] == '\0');
	else
		c = strcmp(a->name, b->name);
	if (heap_desc)
		c = -c;
	return c ? c : strcmp(a->uuid, b->uuid);
}

/* Append the uuids of one page to out; 0 when the run failed. */
static int
heap_page(const char *qs, int64_t start, int64_t limit, struct buf *out)
{
	struct query q;
	struct query_result res;
	struct apierr e = APIERR_INIT;
	MDB_txn *txn = NULL;
	size_t i;
	int ok;

	query_init(&q);
	ok = query_parse(&q, qs, strlen(qs), &e) == ZSQ_OK &&
	    query_prepare(&q, &e) == ZSQ_OK &&
	    mdb_txn_begin(st.env, NULL, MDB_RDONLY, &txn) == 0;
	q.start = start;
	q.limit = limit;
	if (ok && (ok = query_run(&st, txn, SCHEMA_ADMIN_ACCOUNT, &q, &res,
	    &e) == ZSQ_OK)) {
		for (i = 0; i < res.n; i++)
			buf_append(out, res.m[i].uuid, UUID_LEN);
		/* Memory follows the page: the heap holds start + limit. */
		ok = res.cap <= 2 * (size_t)(start + limit) + 16;
		query_result_free(&res);
	}
	if (txn != NULL)
		mdb_txn_abort(txn);
	query_free(&q);
	apierr_free(&e);
	return ok;
}

static void
test_heap(void)
{
	static const struct {
		const char	*qs, *min;	/* min: names >= min only */
		int		 desc;
	} sorts[] = {
		{ "sort=name", NULL, 0 }, { "sort=-name", NULL, 1 },
		{ "sort=name&q=name>=k15", "k15", 0 },
		{ "sort=-name&q=name>=k15", "k15", 1 },
	};
	static const int64_t sizes[] = { 1, 7, 64, 599, 1000 };
	static struct heap_row rows[HEAP_N], want[HEAP_N];
	struct buf json = BUF_INIT, exp = BUF_INIT, got = BUF_INIT;
	size_t i, j, n, k;
	int64_t start;
	int ok;

	tstore_open(&st);
	for (i = 0; i < HEAP_N; i++) {
		snprintf(rows[i].uuid, sizeof(rows[i].uuid), "b2%030zu", i);
		rows[i].name[0] = '\0';
		if (i % 10 != 0)
			snprintf(rows[i].name, sizeof(rows[i].name), "k%02zu",
			    i * 37 % 23);
		buf_printf(&json, "{\"uuid\":\"%s\"", rows[i].uuid);
		if (rows[i].name[0] != '\0')
			buf_printf(&json, ",\"name\":\"%s\"", rows[i].name);
		buf_puts(&json, "}\n");
	}
	CHECK(tstore_import(&st, json.data, NULL) == ZSQ_OK);
	for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++) {
		for (j = n = 0; j < HEAP_N; j++)
			if (sorts[i].min == NULL || (rows[j].name[0] != '\0' &&
			    strcmp(rows[j].name, sorts[i].min) >= 0))
				want[n++] = rows[j];
		heap_desc = sorts[i].desc;
		qsort(want, n, sizeof(*want), heap_cmp);
		buf_reset(&exp);
		for (j = 0; j < n; j++)
			buf_append(&exp, want[j].uuid, UUID_LEN);
		for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			buf_reset(&got);
			buf_puts(&got, "");
			ok = 1;
			for (start = 0; start < HEAP_N; start += sizes[k])
				ok &= heap_page(sorts[i].qs, start, sizes[k],
				    &got);
			CHECK(ok);
			CHECK(got.len == exp.len &&
			    memcmp(got.data, exp.data, exp.len) == 0);
		}
	}
	buf_free(&json);
	buf_free(&exp);
	buf_free(&got);
	tstore_close(&st);
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	tstore_open(&st);
	fill();
	run_table();
	test_pages();
	test_etag();	/* last: it changes the store */
	tstore_close(&st);
	test_heap();
	return t_done();
}
