/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sync_page.c - the group splitter of sync (page_split_groups): each
 * group handed on with its exact bytes and top-level uuid, the keyset
 * order enforced, and every malformed or cut reply refused with a message.
 */
#include <stdio.h>
#include <string.h>

#include "base/errors.h"
#include "upstream/sync_page.h"
#include "t.h"

#define U1	"11111111111111111111111111111111"
#define U2	"22222222222222222222222222222222"
#define U3	"33333333333333333333333333333333"

static struct buf got;		/* "uuid=bytes\n" per group */
static int stop_at;		/* fail on this group (1-based), 0: never */
static int seen;
static int64_t total;		/* the last page's "total", -1: none */

static int
each(void *arg, const char *json, size_t len, const char *uuid,
    struct buf *err)
{
	(void)arg;
	if (++seen == stop_at) {
		(void)buf_puts(err, "stopped");
		return ZSQ_ECANCELED;
	}
	(void)buf_printf(&got, "%.32s=%.*s\n", uuid, (int)len, json);
	return ZSQ_OK;
}

/* Split body from keyset position last; rc, *n groups, err in e. */
static int
split(const char *body, char *last, size_t *n, struct buf *e)
{
	buf_reset(&got);
	buf_reset(e);
	seen = 0;
	return page_split_groups(body, strlen(body), last, n, &total, each,
	    NULL, e);
}

static void
bad(const char *body, const char *want)
{
	struct buf e = BUF_INIT;
	char last[33] = "";
	size_t n;

	CHECK(split(body, last, &n, &e) == ZSQ_EINVAL);
	CHECK_STR(e.data, want);
	buf_free(&e);
}

int
main(void)
{
	struct buf e = BUF_INIT;
	char last[33] = "";
	size_t n;


	/*
	 * Bytes handed on exactly; the uuid is the top-level one, wherever
	 * it stands; nested "uuid" keys, strings holding brackets, quotes
	 * and escapes do not confuse the splitter; other reply keys (as
	 * zsquery and ZStack send them) are skipped.
	 */
	CHECK(split("{\"schema\":{\"inventories[0]\":\"x\"},\"total\":2,"
	    "\"success\":true,\"x\":null,\"f\":false,\"n\":-1.5e3,"
	    "\"inventories\":[{\"uuid\":\"" U1 "\",\"a\":\"]}\\\"[{\"},\n"
	    "  {\"vm\":{\"uuid\":\"" U3 "\"},\"l\":[[],{}],\"uuid\":\"" U2 "\"}"
	    " ] }\n", last, &n, &e) == ZSQ_OK);
	CHECK(n == 2 && total == 2);
	CHECK_STR(got.data, U1 "={\"uuid\":\"" U1 "\",\"a\":\"]}\\\"[{\"}\n"
	    U2 "={\"vm\":{\"uuid\":\"" U3 "\"},\"l\":[[],{}],\"uuid\":\"" U2
	    "\"}\n");
	CHECK_STR(last, U2);

	/* The next page must go on above U2; it has no total (-1). */
	CHECK(split("{\"inventories\":[{\"uuid\":\"" U3 "\"}]}", last, &n,
	    &e) == ZSQ_OK && n == 1 && total == -1);
	CHECK_STR(last, U3);
	CHECK(split("{\"inventories\":[{\"uuid\":\"" U1 "\"}]}", last, &n,
	    &e) == ZSQ_EINVAL);
	CHECK_STR(e.data, "the keyset order is contradicted: group " U1
	    " comes after " U3 " (uuids must rise: sort=uuid, q=uuid>LAST)");
	CHECK(split("{\"inventories\":[{\"uuid\":\"" U3 "\"}]}", last, &n,
	    &e) == ZSQ_EINVAL);
	strcpy(last, "");
	CHECK(split("{\"inventories\":[{\"uuid\":\"" U2 "\"},{\"uuid\":\""
	    U1 "\"}]}", last, &n, &e) == ZSQ_EINVAL);
	CHECK_STR(e.data, "the keyset order is contradicted: group " U1
	    " comes after " U2 " (uuids must rise: sort=uuid, q=uuid>LAST)");
	strcpy(last, "");
	CHECK(split("{\"inventories\":[{\"uuid\":\"" U2 "\"},{\"uuid\":\""
	    U2 "\"}]}", last, &n, &e) == ZSQ_EINVAL);

	/* An empty page; a callback's error stops the split. */
	strcpy(last, "");
	CHECK(split("{\"inventories\":[]}", last, &n, &e) == ZSQ_OK && n == 0);
	CHECK_STR(last, "");
	stop_at = 2;
	CHECK(split("{\"inventories\":[{\"uuid\":\"" U1 "\"},{\"uuid\":\""
	    U2 "\"}]}", last, &n, &e) == ZSQ_ECANCELED);
	CHECK_STR(e.data, "stopped");
	stop_at = 0;

	/* Malformed and cut replies. */
	/* "total": a whole number, once (the pager needs it, sync_page.h). */
	CHECK(split("{\"total\":0,\"inventories\":[]}", last, &n, &e) ==
	    ZSQ_OK && n == 0 && total == 0);
	CHECK(split("{\"inventories\":[],\"total\":9223372036854775807}",
	    last, &n, &e) == ZSQ_OK && total == INT64_MAX);
	bad("{\"total\":-5,\"inventories\":[]}", "'total' is negative "
	    "(byte 9)");
	bad("{\"total\":1.5,\"inventories\":[]}", "'total' is not a whole "
	    "number (byte 12)");
	bad("{\"total\":\"3\",\"inventories\":[]}", "'total' is not a "
	    "whole number (byte 12)");
	bad("{\"total\":9223372036854775808,\"inventories\":[]}", "'total' "
	    "is not a whole number (byte 28)");
	bad("{\"total\":1,\"total\":1,\"inventories\":[]}", "'total' given "
	    "twice (byte 19)");
	bad("", "an empty reply (byte 0)");
	bad("[]", "the reply is not a JSON object (byte 0)");
	bad("{}", "the reply has no 'inventories' (byte 2)");
	bad("{\"error\":{\"code\":\"SYS.1000\"}}",
	    "the reply has no 'inventories' (byte 29)");
	bad("{\"inventories\":{}}", "'inventories' is not an array (byte 15)");
	bad("{\"inventories\":[],\"inventories\":[]}",
	    "'inventories' given twice (byte 32)");
	bad("{\"inventories\":[]} x", "garbage after the reply (byte 19)");
	bad("{\"inventories\":[]", "the reply ends inside an object or array "
	    "(truncated?) (byte 17)");
	bad("{\"inventories\":[{\"uuid\":\"" U1 "\",\"name\":\"ab",
	    "group 1 of the page: the reply ends inside a string (truncated?) "
	    "(byte 69)");
	bad("{\"inventories\":[{\"uuid\":\"" U1 "\",\"vm\":{\"a\":[1,2",
	    "group 1 of the page: the reply ends inside an object or array "
	    "(truncated?) (byte 73)");
	bad("{\"inventories\":[{\"uuid\":\"" U1 "\"},", "group 2 of the page: "
	    "the reply ends inside an object or array (truncated?) (byte 60)");
	bad("{\"inventories\":[{\"uuid\":\"" U1 "\"}{\"uuid\":\"" U2 "\"}]}",
	    "expected ',' or ']' (byte 59)");
	bad("{\"inventories\":[not json]}",
	    "group 1 of the page: not a JSON object (byte 16)");
	bad("{\"inventories\":[{\"name\":\"x\"}]}",
	    "group 1 of the page: a group without a 'uuid' (byte 28)");
	bad("{\"inventories\":[{\"uuid\":\"x\"}]}",
	    "group 1 of the page: 'uuid' is not 32 lowercase hex characters "
	    "(byte 27)");
	bad("{\"inventories\":[{\"uuid\":5}]}",
	    "group 1 of the page: 'uuid' is not a string (byte 24)");
	bad("{\"inventories\":[{\"uuid\":\"" U1 "\",\"uuid\":\"" U1 "\"}]}",
	    "group 1 of the page: 'uuid' given twice (byte 66)");
	bad("{\"inventories\":[{\"uuid\":\"" U1 "\",\"a\":[}]}",
	    "group 1 of the page: mismatched brackets (byte 64)");
	bad("{\"inventories\":[{\"uuid\":\"" U1 "\",\"a\":\"\x01\"}]}",
	    "group 1 of the page: a control character in a string (byte 64)");
	bad("{\"inventories\":[{\"uuid\":\"" U1 "\" \"a\":1}]}",
	    "group 1 of the page: expected ',' or '}' (byte 59)");
	bad("{\"inventories\":[{\"uuid\" \"" U1 "\"}]}",
	    "group 1 of the page: expected ':' after a key (byte 24)");
	bad("{\"inventories\":[{5:1}]}",
	    "group 1 of the page: expected a key (byte 17)");
	bad("{\"total\":tru,\"inventories\":[]}",
	    "expected a JSON value (byte 9)");
	{
		/* Deeper than the splitter's bound. */
		char deep[400];
		int i, k = 0;

		k += sprintf(deep, "{\"inventories\":[{\"uuid\":\"" U1
		    "\",\"a\":");
		for (i = 0; i < 70; i++)
			deep[k++] = '[';
		deep[k] = '\0';
		bad(deep, "group 1 of the page: nested too deeply (byte 127)");
	}
	buf_free(&got);
	buf_free(&e);
	return t_done();
}
