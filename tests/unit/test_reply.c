/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_reply.c - reply heads and bodies: list, get, count, replyWithCount
 * and fields bodies against golden files (tests/data/golden/reply_*), the
 * schema order of a nested group written by hand from API.md §6, and the
 * text and JSON error replies with their escaping.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/errors.h"
#include "query/apierr.h"
#include "query/query.h"
#include "query/reply.h"
#include "store/schema.h"
#include "t.h"
#include "tstore.h"

#define U(d)	d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d d

static struct store st;

/* Two instances (one with a full vm, one with vm null), a dataset ref. */
static const char nested[] = "{\"uuid\":\"" U("1") "\","
    "\"name\":\"nested <b>&'=\\\"x\\\"\\u2028\\u0001\","
    "\"createDate\":\"Nov 14, 2017 10:20:57 PM\","
    "\"instances\":[{\"uuid\":\"" U("a") "\",\"status\":\"Running\","
    "\"urlMaps\":{\"b\":\"2\",\"a\":\"1\"},\"nodeRank\":0,"
    "\"vm\":{\"uuid\":\"" U("b") "\",\"cpuNum\":4,"
    "\"vmNics\":[{\"uuid\":\"" U("c") "\",\"usedIps\":["
    "{\"uuid\":\"" U("d") "\",\"ipInBinary\":[10,0,0,200]},"
    "{\"uuid\":\"" U("e") "\"}]}],"
    "\"allVolumes\":[{\"uuid\":\"" U("f") "\",\"isShareable\":false},"
    "{\"uuid\":\"" U("0") "\"}],"
    "\"vmCdRoms\":[{\"uuid\":\"" U("9") "\"}]}},"
    "{\"uuid\":\"" U("8") "\",\"vm\":null}],"
    "\"datasetRefInventories\":[{\"uuid\":\"" U("7") "\"}],"
    "\"supportMetrics\":[\"qps\"],\"newerField\":{\"k\":1},"
    "\"systemTags\":[\"ha\"]}";

static const char plain[] = "{\"uuid\":\"" U("2") "\",\"name\":\"plain\","
    "\"status\":\"Stopped\",\"instances\":[]}";

/* The schema of [nested, plain]: API.md §6, by hand (reversed post-order). */
#define IC	"org.zstack.ai.entity.ModelServiceInstanceInventory"
#define GC	"org.zstack.ai.entity.ModelServiceInstanceGroupInventory"
#define VM	"org.zstack.header.vm.VmInstanceInventory"
#define I0	"\"inventories[0].instances[0]"
static const char schema_both[] = "{\"schema\":{"
    "\"inventories[1]\":\"" GC "\","
    "\"inventories[0]\":\"" GC "\","
    "\"inventories[0].instances[1]\":\"" IC "\","
    I0 "\":\"" IC "\","
    I0 ".vm\":\"" VM "\","
    I0 ".vm.vmCdRoms[0]\":\"org.zstack.header.vm.cdrom.VmCdRomInventory\","
    I0 ".vm.allVolumes[1]\":\"org.zstack.header.volume.VolumeInventory\","
    I0 ".vm.allVolumes[0]\":\"org.zstack.header.volume.VolumeInventory\","
    I0 ".vm.vmNics[0]\":\"org.zstack.header.vm.VmNicInventory\","
    I0 ".vm.vmNics[0].usedIps[1]\":"
    "\"org.zstack.header.network.l3.UsedIpInventory\","
    I0 ".vm.vmNics[0].usedIps[0]\":"
    "\"org.zstack.header.network.l3.UsedIpInventory\""
    "},";

static void
fill(void)
{
	CHECK(tstore_import(&st, nested, NULL) == ZSQ_OK);
	CHECK(tstore_import(&st, plain, NULL) == ZSQ_OK);
}

/* The whole reply body of qs (or the get route) into body. */
static int
body_of(const char *qs, const char *get, struct buf *body)
{
	struct query q;
	struct query_result res;
	struct apierr e = APIERR_INIT;
	struct out o = { out_buf_write, body };
	MDB_txn *txn;
	int rc;

	buf_reset(body);
	query_init(&q);
	rc = get ? query_set_get(&q, get, strlen(get)) :
	    query_parse(&q, qs, strlen(qs), &e);
	if (rc == ZSQ_OK)
		rc = query_prepare(&q, &e);
	if (rc == ZSQ_OK && mdb_txn_begin(st.env, NULL, MDB_RDONLY, &txn) ==
	    0) {
		if ((rc = query_run(&st, txn, SCHEMA_ADMIN_ACCOUNT, &q, &res,
		    &e)) == ZSQ_OK) {
			rc = reply_body(&o, &q, &res);
			query_result_free(&res);
		}
		mdb_txn_abort(txn);
	}
	query_free(&q);
	apierr_free(&e);
	return rc;
}

static void
check_golden(const struct buf *got, const char *name)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	struct buf want = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/data/golden/%s",
	    top ? top : "../..", name);
	if ((f = fopen(path, "rb")) != NULL) {
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_append(&want, chunk, n);
		fclose(f);
	} else
		fprintf(stderr, "cannot open %s\n", path);
	/* Golden files end in a newline for the editors' sake. */
	if (want.len > 0 && want.data[want.len - 1] == '\n')
		want.data[--want.len] = '\0';
	if (got->len != want.len || memcmp(got->data, want.data, got->len)) {
		/* Leave what we got beside the build for a diff. */
		snprintf(path, sizeof(path), "tests/unit/%s.tmp", name);
		if ((f = fopen(path, "wb")) != NULL) {
			fwrite(got->data, 1, got->len, f);
			fputc('\n', f);
			fclose(f);
		}
		fprintf(stderr, "%s differs: see %s\n", name, path);
		CHECK(!"body matches its golden file");
	} else
		CHECK(1);
	buf_free(&want);
}

static void
test_bodies(void)
{
	struct buf b = BUF_INIT;

	CHECK(body_of("", NULL, &b) == ZSQ_OK);
	CHECK(b.len > sizeof(schema_both) &&
	    memcmp(b.data, schema_both, sizeof(schema_both) - 1) == 0);
	check_golden(&b, "reply_list.json");

	CHECK(body_of("replyWithCount=true&limit=1&start=1", NULL, &b) ==
	    ZSQ_OK);
	check_golden(&b, "reply_page_total.json");

	CHECK(body_of(NULL, U("1"), &b) == ZSQ_OK);
	check_golden(&b, "reply_get.json");
	CHECK(body_of(NULL, "no-such", &b) == ZSQ_OK);
	CHECK_STR(b.data, "{\"schema\":{},\"inventories\":[]}");

	CHECK(body_of("count=true&replyWithCount=true&limit=1", NULL, &b) ==
	    ZSQ_OK);
	CHECK_STR(b.data, "{\"schema\":{},\"total\":2}");
	CHECK(body_of("count=TRUE&q=name=none", NULL, &b) == ZSQ_OK);
	CHECK_STR(b.data, "{\"schema\":{},\"total\":0}");

	/* fields: section 8 order whatever the request's, schema follows. */
	CHECK(body_of("fields=status,instances,+uuid&sort=-name", NULL, &b) ==
	    ZSQ_OK);
	check_golden(&b, "reply_fields.json");
	CHECK(body_of("fields=name&q=uuid=" U("1"), NULL, &b) == ZSQ_OK);
	CHECK_STR(b.data, "{\"schema\":{\"inventories[0]\":\"" GC "\"},"
	    "\"inventories\":[{\"name\":\"nested \\u003cb\\u003e\\u0026"
	    "\\u0027\\u003d\\\"x\\\"\\u2028\\u0001\"}]}");
	/* Dataset refs get no schema entry (API.md §6 deviation). */
	CHECK(body_of("fields=datasetRefInventories", NULL, &b) == ZSQ_OK);
	CHECK_STR(b.data, "{\"schema\":{\"inventories[1]\":\"" GC "\","
	    "\"inventories[0]\":\"" GC "\"},\"inventories\":[{"
	    "\"datasetRefInventories\":[{\"uuid\":\"" U("7") "\"}]},{}]}");
	CHECK(body_of("fields=uuid", U("2"), &b) == ZSQ_OK);
	CHECK_STR(b.data, "{\"schema\":{\"inventories[0]\":\"" GC "\"},"
	    "\"inventories\":[{\"uuid\":\"" U("2") "\",\"instances\":[],"
	    "\"status\":\"Stopped\",\"name\":\"plain\"}]}");
	/* A selected field the group lacks is skipped: {} stays valid. */
	CHECK(body_of("fields=description&q=uuid=" U("2"), NULL, &b) ==
	    ZSQ_OK);
	CHECK_STR(b.data, "{\"schema\":{\"inventories[0]\":\"" GC "\"},"
	    "\"inventories\":[{}]}");
	buf_free(&b);
}

/* Write a many-group reply through a counting out: few, large writes. */
struct counter {
	size_t	 writes, bytes, biggest;
};

static int
count_write(void *ctx, const void *p, size_t n)
{
	struct counter *c = ctx;

	(void)p;
	c->writes++;
	c->bytes += n;
	if (n > c->biggest)
		c->biggest = n;
	return ZSQ_OK;
}

static int
fail_write(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return ZSQ_EIO;
}

static void
test_streaming(void)
{
	struct counter cnt = { 0, 0, 0 };
	struct out o = { count_write, &cnt }, bad = { fail_write, NULL };
	struct query q;
	struct query_result res;
	struct apierr e = APIERR_INIT;
	struct buf many = BUF_INIT;
	MDB_txn *txn;
	int i;

	for (i = 0; i < 3000; i++)
		buf_printf(&many, "{\"uuid\":\"f%031x\",\"name\":"
		    "\"group %d\"}\n", i, i);
	CHECK(tstore_import(&st, many.data, NULL) == ZSQ_OK);
	buf_free(&many);
	query_init(&q);
	CHECK(query_parse(&q, "limit=5000", 10, &e) == ZSQ_OK);
	CHECK(query_prepare(&q, &e) == ZSQ_OK);
	CHECK(mdb_txn_begin(st.env, NULL, MDB_RDONLY, &txn) == 0);
	CHECK(query_run(&st, txn, SCHEMA_ADMIN_ACCOUNT, &q, &res, &e) ==
	    ZSQ_OK);
	CHECK(res.n == 3002 && res.total == 3002);
	CHECK(reply_body(&o, &q, &res) == ZSQ_OK);
	CHECK(cnt.bytes > 200000);
	CHECK(cnt.writes >= 3 && cnt.writes < cnt.bytes / 32768);
	CHECK(cnt.biggest <= 64 * 1024);
	/* A client gone away stops the stream with ZSQ_EIO. */
	CHECK(reply_body(&bad, &q, &res) == ZSQ_EIO);
	query_result_free(&res);
	mdb_txn_abort(txn);
	query_free(&q);
	apierr_free(&e);

	/* The get route and uuid= find an upper-case uuid. */
	CHECK(body_of(NULL, "F00000000000000000000000000000AB", &many) ==
	    ZSQ_OK);
	CHECK_STR(many.data, "{\"schema\":{\"inventories[0]\":\"" GC "\"},"
	    "\"inventories\":[{\"uuid\":\"f00000000000000000000000000000ab\","
	    "\"name\":\"group 171\"}]}");
	CHECK(body_of("count=true&q=uuid=F00000000000000000000000000000Ab",
	    NULL, &many) == ZSQ_OK);
	CHECK_STR(many.data, "{\"schema\":{},\"total\":1}");
	buf_free(&many);
}

static void
test_errors(void)
{
	struct buf b = BUF_INIT;
	struct out o = { out_buf_write, &b };
	struct apierr e = APIERR_INIT;

	CHECK(reply_head(&o, 200, REPLY_JSON, NULL) == ZSQ_OK);
	CHECK_STR(b.data, "Status: 200 OK\r\nContent-Type: application/json; "
	    "charset=utf-8\r\n\r\n");
	buf_reset(&b);
	CHECK(reply_head(&o, 304, REPLY_JSON, "ETag: \"x\"\r\n") == ZSQ_OK);
	CHECK_STR(b.data, "Status: 304 Not Modified\r\nContent-Type: "
	    "application/json; charset=utf-8\r\nETag: \"x\"\r\n\r\n");
	buf_reset(&b);

	apierr_text(&e, 400, "Invalid query parameter. 'limit' must be an "
	    "integer");
	CHECK(reply_error(&o, &e) == ZSQ_OK);
	CHECK_STR(b.data, "Status: 400 Bad Request\r\nContent-Type: "
	    "text/plain; charset=utf-8\r\n\r\nInvalid query parameter. "
	    "'limit' must be an integer");
	buf_reset(&b);
	apierr_text(&e, 404, "no api mapping to /v1/x<y>");
	CHECK(reply_error(&o, &e) == ZSQ_OK);
	CHECK_STR(b.data, "Status: 404 Not Found\r\nContent-Type: "
	    "text/plain; charset=utf-8\r\n\r\nno api mapping to /v1/x<y>");
	buf_reset(&b);
	apierr_text(&e, 405, "method POST is not allowed");
	CHECK(reply_error(&o, &e) == ZSQ_OK);
	CHECK_STR(b.data, "Status: 405 Method Not Allowed\r\nContent-Type: "
	    "text/plain; charset=utf-8\r\nAllow: GET\r\n\r\n"
	    "method POST is not allowed");
	buf_reset(&b);

	/* JSON errors: no HTML escaping, control characters escaped. */
	apierr_json(&e, APIERR_INTERNAL,
	    "unknown field '<a&b=c>\"\\'\n\t\x01'");
	CHECK(reply_error(&o, &e) == ZSQ_OK);
	check_golden(&b, "reply_error_503_field.txt");
	buf_reset(&b);
	apierr_json(&e, APIERR_SESSION, "Session expired");
	CHECK(reply_error_body(&o, &e) == ZSQ_OK);
	CHECK_STR(b.data, "{\"error\":{\"code\":\"ID.1001\",\"description\":"
	    "\"The session is invalid, either wrong session id or the session "
	    "has been expired\",\"details\":\"Session expired\"}}");
	buf_reset(&b);
	apierr_json(&e, APIERR_ARGUMENT, "the value 'x' of field 'cpuNum'");
	CHECK(reply_error_body(&o, &e) == ZSQ_OK);
	CHECK_STR(b.data, "{\"error\":{\"code\":\"SYS.1007\",\"description\":"
	    "\"One or more API argument is invalid\",\"details\":\"the value "
	    "'x' of field 'cpuNum'\"}}");
	apierr_free(&e);
	buf_free(&b);
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	tstore_open(&st);
	fill();
	test_bodies();
	test_errors();
	test_streaming();
	tstore_close(&st);
	return t_done();
}
