/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_split.c - the import stream cut into one group at a time
 * (src/ingest/split.c): the three forms of import.h (a ZStack reply, an
 * array, one group per line), each group's exact bytes, strings with
 * escapes and brackets, every error with its message and byte, groups at
 * and past SPLIT_MAX_ELEM, the same answers whatever byte of the input
 * falls on a read boundary; and split_top_uuid(), which must never read
 * past the bytes it is given.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/errors.h"
#include "base/jscan.h"
#include "ingest/split.h"
#include "t.h"

/*
 * split.c reads the input in blocks of 1 MiB (its BLOCK): padding an
 * input with up to that many bytes of whitespace puts each of its bytes,
 * in turn, first past the end of the first read.
 */
#define READ_BLOCK	((size_t)1 << 20)

#define U1	"11111111111111111111111111111111"
#define U2	"22222222222222222222222222222222"

struct cut {
	int		 rc;
	struct buf	 groups;	/* each group's bytes, then '\n' */
	struct buf	 err;
	unsigned long	 n;		/* groups handed out */
	uint64_t	 offset;	/* split_offset() at the end */
};

/* Run the splitter over len bytes of in to its end or first error. */
static void
cut_run(struct cut *c, const char *in, size_t len)
{
	struct split sp;
	const char *elem;
	size_t n;
	FILE *f;
	int got;

	buf_reset(&c->groups);
	buf_reset(&c->err);
	c->n = 0;
	/* fmemopen() refuses a size of 0. */
	f = len > 0 ? fmemopen((void *)(uintptr_t)in, len, "r") :
	    fopen("/dev/null", "r");
	if (f == NULL) {
		perror("fmemopen");
		exit(99);
	}
	split_init(&sp, f, &c->err);
	for (;;) {
		c->rc = split_next(&sp, &elem, &n, &got);
		if (c->rc != ZSQ_OK || !got)
			break;
		(void)buf_append(&c->groups, elem, n);
		(void)buf_putc(&c->groups, '\n');
		c->n++;
	}
	/* At the end, it stays there. */
	if (c->rc == ZSQ_OK) {
		CHECK(split_next(&sp, &elem, &n, &got) == ZSQ_OK && got == 0);
		CHECK(sp.nrec == c->n);
	}
	c->offset = split_offset(&sp);
	split_free(&sp);
	fclose(f);
}

static struct cut C;

/* in cuts into the groups want ("a\nb\n"), reading all of it. */
static void
ok(const char *in, const char *want)
{
	cut_run(&C, in, strlen(in));
	CHECK(C.rc == ZSQ_OK);
	CHECK_STR(C.groups.data ? C.groups.data : "", want);
	CHECK_STR(C.err.data ? C.err.data : "", "");
	CHECK(C.offset == strlen(in));
}

/* in hands out the groups want, then fails with rc and message msg. */
static void
bad(const char *in, const char *want, int rc, const char *msg)
{
	cut_run(&C, in, strlen(in));
	CHECK(C.rc == rc);
	CHECK_STR(C.groups.data ? C.groups.data : "", want);
	CHECK_STR(C.err.data, msg);
}

static void
test_forms(void)
{
	/* A ZStack reply: the inventories' elements, other keys skipped
	 * whatever they hold, before and after. */
	ok("{\"schema\":{\"inventories[0]\":\"]}\"},\"total\":2,"
	    "\"success\":true,\"error\":null,\"inventories\":[{\"uuid\":\""
	    U1 "\"},\n  {\"a\":[1,{\"b\":\"}\"}],\"c\":{}}\n],\"n\":-1.5e3}\n",
	    "{\"uuid\":\"" U1 "\"}\n{\"a\":[1,{\"b\":\"}\"}],\"c\":{}}\n");
	ok(" { \"inventories\" : [ ] , \"total\" : 0 } ", "");
	/* An array: whitespace between groups is not theirs, inside is. */
	ok("[ {\"a\": 1} ,\n\t{ \"b\" :[ ] }\r\n]\n",
	    "{\"a\": 1}\n{ \"b\" :[ ] }\n");
	ok("[]", "");
	ok("\n[\n]\n", "");
	/* Scalars are cut too (the parser refuses them, not the splitter). */
	ok("[1,\"x\",null, -2.5e+3 ,true]",
	    "1\n\"x\"\nnull\n-2.5e+3\ntrue\n");
	/* One group per line; blank lines, CRLF, several on a line, none
	 * after the last newline. */
	ok("{\"a\":1}\n{\"b\":2}\n", "{\"a\":1}\n{\"b\":2}\n");
	ok("{\"a\":1}\r\n\r\n{\"b\":{\"c\":[]}} {\"d\":3}",
	    "{\"a\":1}\n{\"b\":{\"c\":[]}}\n{\"d\":3}\n");
	/* The first key tells a reply from a line: a group may hold
	 * "inventories" after another key. */
	ok("{\"uuid\":\"" U1 "\",\"inventories\":[]}\n",
	    "{\"uuid\":\"" U1 "\",\"inventories\":[]}\n");
	ok("{}\n{ }", "{}\n{ }\n");
	/* A key is compared as written: an escaped name is no reply key. */
	ok("{\"in\\u0076entories\":[{\"a\":1}]}",
	    "{\"in\\u0076entories\":[{\"a\":1}]}\n");
	/* Long keys (past the 32 bytes compared) are skipped whole. */
	ok("{\"total\":1,\"" "a-reply-key-longer-than-thirty-two-bytes"
	    "\":[1],\"inventories\":[{}]}", "{}\n");
	/* A UTF-8 byte order mark before any form. */
	ok("\xef\xbb\xbf[{\"a\":1}]", "{\"a\":1}\n");
	ok("\xef\xbb\xbf{\"a\":1}", "{\"a\":1}\n");
	ok("\xef\xbb\xbf{\"inventories\":[{}]}", "{}\n");
}

static void
test_strings(void)
{
	/* Quotes, backslashes and brackets inside strings, keys and values,
	 * in each form. */
	ok("[{\"a\":\"\\\"}]\"},{\"b\\\"]\":\"\\\\\"},{\"c\":\"\\\\\\\"]\"}]",
	    "{\"a\":\"\\\"}]\"}\n{\"b\\\"]\":\"\\\\\"}\n"
	    "{\"c\":\"\\\\\\\"]\"}\n");
	ok("{\"inventories\":[{\"x\":\"[\\\\\"},\"\\\\\"]}",
	    "{\"x\":\"[\\\\\"}\n\"\\\\\"\n");
	ok("{\"s\":\"{\\n}\\u005c\"}\n{\"t\":\"\\/\"}",
	    "{\"s\":\"{\\n}\\u005c\"}\n{\"t\":\"\\/\"}\n");
	/* Reply keys with escapes, and strings in the skipped values. */
	ok("{\"total\":\"}\\\"]\",\"error\":{\"d\":\"\\\\\"},"
	    "\"inventories\":[{}]}", "{}\n");
	/* Bytes that are not ASCII, and a NUL, pass as they are. */
	cut_run(&C, "[\"\xe4\xb8\xad\0\"]", 8);
	CHECK(C.rc == ZSQ_OK && C.n == 1);
	CHECK(C.groups.len == 7 &&
	    memcmp(C.groups.data, "\"\xe4\xb8\xad\0\"\n", 7) == 0);
}

static void
test_errors(void)
{
	bad("", "", ZSQ_EINVAL, "input: empty, no JSON (byte 0)");
	bad(" \n\t\r", "", ZSQ_EINVAL, "input: empty, no JSON (byte 4)");
	bad("\xef\xbb\xbf", "", ZSQ_EINVAL, "input: empty, no JSON (byte 3)");
	bad("x", "", ZSQ_EINVAL,
	    "input: expected a JSON object or array (byte 1)");
	bad("  \"s\"", "", ZSQ_EINVAL,
	    "input: expected a JSON object or array (byte 3)");
	/* The array. */
	bad("[", "", ZSQ_EINVAL, "record 1: unexpected end of input (byte 1)");
	bad("[{\"a\":1}", "{\"a\":1}\n", ZSQ_EINVAL,
	    "input: unexpected end of input (byte 8)");
	bad("[{\"a\":1} {\"b\":2}]", "{\"a\":1}\n", ZSQ_EINVAL,
	    "record 2: expected ',' or ']' after a record (byte 10)");
	bad("[{\"a\":1},]", "{\"a\":1}\n", ZSQ_EINVAL,
	    "record 2: invalid JSON: mismatched brackets (byte 10)");
	bad("[{\"a\":[1}]", "", ZSQ_EINVAL,
	    "record 1: invalid JSON: mismatched brackets (byte 9)");
	bad("[{\"a\":1}}", "{\"a\":1}\n", ZSQ_EINVAL,
	    "record 2: expected ',' or ']' after a record (byte 9)");
	bad("[{\"a\":\"x", "", ZSQ_EINVAL,
	    "record 1: unexpected end of input in a string (byte 8)");
	bad("[{\"a\":\"x\\", "", ZSQ_EINVAL,
	    "record 1: unexpected end of input in a string (byte 9)");
	bad("[{\"a\":[]", "", ZSQ_EINVAL,
	    "record 1: unexpected end of input (byte 8)");
	bad("[{},{}] x", "{}\n{}\n", ZSQ_EINVAL,
	    "input: garbage after the array (byte 9)");
	bad("[]]", "", ZSQ_EINVAL, "input: garbage after the array (byte 3)");
	/* The reply. */
	bad("{\"total\":1}", "", ZSQ_EINVAL,
	    "input: a reply without 'inventories' (byte 11)");
	bad("{\"total\" 1}", "", ZSQ_EINVAL,
	    "input: expected ':' in the reply (byte 10)");
	bad("{\"inventories\":{}}", "", ZSQ_EINVAL,
	    "input: 'inventories' is not an array (byte 16)");
	bad("{\"inventories\":[{}],\"inventories\":[]}", "{}\n", ZSQ_EINVAL,
	    "input: 'inventories' given twice (byte 35)");
	bad("{\"inventories\":[] \"total\":1}", "", ZSQ_EINVAL,
	    "input: malformed reply object (byte 19)");
	bad("{\"inventories\":[],1}", "", ZSQ_EINVAL,
	    "input: malformed reply object (byte 19)");
	bad("{\"inventories\":[]} {}", "", ZSQ_EINVAL,
	    "input: garbage after the reply (byte 20)");
	bad("{\"inventories\":[]", "", ZSQ_EINVAL,
	    "input: malformed reply object (byte 17)");
	bad("{\"tot", "", ZSQ_EINVAL, "input: unexpected end of input (byte 5)");
	bad("{\"total\":\"x", "", ZSQ_EINVAL,
	    "input: unexpected end of input in a string (byte 11)");
	bad("{\"total\":[1}", "", ZSQ_EINVAL,
	    "input: invalid JSON: mismatched brackets (byte 12)");
	/* One group per line. */
	bad("{\"a\":1}\n[1]", "{\"a\":1}\n", ZSQ_EINVAL,
	    "record 2: expected '{' (one group per line) (byte 9)");
	bad("{\"a\":1}\n{\"b\":", "{\"a\":1}\n", ZSQ_EINVAL,
	    "record 2: unexpected end of input (byte 13)");
	bad("{\"a\":1,\"b\":\"\\\"}", "", ZSQ_EINVAL,
	    "record 1: unexpected end of input in a string (byte 15)");
}

/* JSCAN_DEPTH_MAX brackets deep is a group; one more is refused. */
static void
test_depth(void)
{
	char in[2 * JSCAN_DEPTH_MAX + 8], want[2 * JSCAN_DEPTH_MAX + 8];
	char msg[80];
	size_t i, n = 0;

	in[n++] = '[';
	for (i = 0; i < JSCAN_DEPTH_MAX; i++)
		in[n++] = i % 2 ? '[' : '{';
	for (i = JSCAN_DEPTH_MAX; i-- > 0;)
		in[n++] = i % 2 ? ']' : '}';
	memcpy(want, in + 1, n - 1);
	memcpy(want + n - 1, "\n", 2);
	memcpy(in + n, "]", 2);
	ok(in, want);

	n = 0;
	in[n++] = '[';
	for (i = 0; i <= JSCAN_DEPTH_MAX; i++)
		in[n++] = '[';
	in[n] = '\0';
	snprintf(msg, sizeof(msg), "record 1: nested too deeply (byte %d)",
	    JSCAN_DEPTH_MAX + 2);
	bad(in, "", ZSQ_EINVAL, msg);
	/* The same in a skipped reply value. */
	n = 0;
	n += (size_t)sprintf(in, "{\"total\":");
	for (i = 0; i <= JSCAN_DEPTH_MAX; i++)
		in[n++] = '[';
	in[n] = '\0';
	snprintf(msg, sizeof(msg), "input: nested too deeply (byte %zu)", n);
	bad(in, "", ZSQ_EINVAL, msg);
}

/*
 * A group of exactly SPLIT_MAX_ELEM bytes is handed out whole; one byte
 * more is refused (a string and a top-level scalar each), and a group
 * several blocks long keeps every byte.
 */
static void
test_sizes(void)
{
	size_t max = SPLIT_MAX_ELEM, n, i, start, big;
	char *in, msg[80];

	if ((in = malloc(max + 16)) == NULL) {
		perror("malloc");
		exit(99);
	}
	snprintf(msg, sizeof(msg), "record 1: larger than %zu MiB", max >> 20);

	/* ["xxx...x"] with the string max bytes long, quotes included. */
	in[0] = '[';
	in[1] = '"';
	memset(in + 2, 'x', max - 2);
	in[max] = '"';
	memcpy(in + max + 1, "]\n", 2);
	n = max + 3;
	cut_run(&C, in, n);
	CHECK(C.rc == ZSQ_OK && C.n == 1);
	CHECK(C.groups.len == max + 1 && C.groups.data[max - 1] == '"' &&
	    memcmp(C.groups.data, in + 1, max) == 0);
	CHECK(C.offset == n);
	/* One more x. */
	in[max] = 'x';
	in[max + 1] = '"';
	memcpy(in + max + 2, "]\n", 2);
	cut_run(&C, in, max + 4);
	CHECK(C.rc == ZSQ_ETOOBIG && C.n == 0);
	CHECK_STR(C.err.data, msg);

	/* A number of max + 1 digits, as the second group. */
	memcpy(in, "[1,", 3);
	memset(in + 3, '7', max + 1);
	memcpy(in + max + 4, "]", 1);
	cut_run(&C, in, max + 5);
	CHECK(C.rc == ZSQ_ETOOBIG && C.n == 1);
	CHECK_STR(C.groups.data, "1\n");
	snprintf(msg, sizeof(msg), "record 2: larger than %zu MiB", max >> 20);
	CHECK_STR(C.err.data, msg);

	/*
	 * A group of 3 blocks and a bit, escapes all along, between small
	 * ones: {"inventories":[{"a":1},{"s":"\\\"..."},{"b":2}]}.
	 */
	n = (size_t)sprintf(in, "{\"inventories\":[{\"a\":1},");
	start = n;
	n += (size_t)sprintf(in + n, "{\"s\":\"");
	for (i = 0; i < 3 * READ_BLOCK / 2 + 5; i++) {
		in[n++] = '\\';
		in[n++] = i % 3 ? '"' : '\\';
	}
	n += (size_t)sprintf(in + n, "\"}");
	big = n - start;
	n += (size_t)sprintf(in + n, ",{\"b\":2}]}");
	cut_run(&C, in, n);
	CHECK(C.rc == ZSQ_OK && C.n == 3);
	CHECK(C.groups.len == 8 + big + 1 + 8 &&
	    memcmp(C.groups.data, "{\"a\":1}\n", 8) == 0 &&
	    memcmp(C.groups.data + 8, in + start, big) == 0 &&
	    memcmp(C.groups.data + 8 + big, "\n{\"b\":2}\n", 9) == 0);
	free(in);
}

/*
 * Every byte of each input first past a read boundary: the groups, the
 * result and the message are those of the input alone, the byte named
 * moved by the padding.
 */
static void
test_boundaries(void)
{
	static const char *const inputs[] = {
		"{\"schema\":{\"k\":\"v]\"},\"total\":2,\"inventories\":"
		    "[{\"uuid\":\"a\\\"}\",\"l\":[1,{\"x\":\"\\\\\"}]},"
		    "{\"b\":\"\\\\\\\\\"}],\"success\":true}\n",
		"[ {\"a\":\"}]\\\"[{\"} ,\n{\"b\":[[],{}]},\"s\\\\\\\"c\","
		    "12345,true]",
		"{\"a\":1}\r\n{\"b\":\"x\\\\ny\"}\n\n{\"c\":{\"d\":[]}} ",
		"[{\"a\":\"x\\\"",
		"[{\"a\":[1}]",
		"[{\"a\":1}] x",
		"{\"total\":1,\"inventories\":{}}",
		"{\"a\":1}\n{\"b\":2}\n[",
	};
	struct cut base = { 0 };
	char *pad, want[256];
	const char *b, *bp;
	size_t i, k, len, pre;
	unsigned long long at = 0;
	int same;

	if ((pad = malloc(READ_BLOCK + 256)) == NULL) {
		perror("malloc");
		exit(99);
	}
	memset(pad, ' ', READ_BLOCK);
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		len = strlen(inputs[i]);
		memcpy(pad + READ_BLOCK, inputs[i], len);
		cut_run(&base, inputs[i], len);
		/* The message, and the byte it names. */
		b = base.err.data ? base.err.data : "";
		if ((bp = strstr(b, "(byte ")) != NULL)
			at = strtoull(bp + 6, NULL, 10);
		pre = bp != NULL ? (size_t)(bp - b) : 0;
		same = 1;
		for (k = READ_BLOCK - len - 1; k <= READ_BLOCK; k++) {
			cut_run(&C, pad + READ_BLOCK - k, k + len);
			if (bp != NULL)
				snprintf(want, sizeof(want), "%.*s(byte %llu)",
				    (int)pre, b, at + k);
			else
				snprintf(want, sizeof(want), "%s", b);
			if (C.rc != base.rc || C.n != base.n ||
			    C.groups.len != base.groups.len ||
			    (C.groups.len > 0 && memcmp(C.groups.data,
			    base.groups.data, C.groups.len) != 0) ||
			    strcmp(C.err.data ? C.err.data : "", want) != 0 ||
			    (C.rc == ZSQ_OK && C.offset != k + len)) {
				fprintf(stderr, "input %zu, byte %zu at the "
				    "boundary: %s\n", i, READ_BLOCK - k,
				    C.err.data ? C.err.data : "(no error)");
				same = 0;
				break;
			}
		}
		CHECK(same);
	}
	/* The inputs said what they should. */
	cut_run(&C, inputs[0], strlen(inputs[0]));
	CHECK(C.rc == ZSQ_OK && C.n == 2);
	cut_run(&C, inputs[1], strlen(inputs[1]));
	CHECK(C.rc == ZSQ_OK && C.n == 5);
	cut_run(&C, inputs[2], strlen(inputs[2]));
	CHECK(C.rc == ZSQ_OK && C.n == 3);
	for (i = 3; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		cut_run(&C, inputs[i], strlen(inputs[i]));
		CHECK(C.rc == ZSQ_EINVAL && C.err.len > 0);
	}
	free(pad);
	buf_free(&base.groups);
	buf_free(&base.err);
}

/*
 * split_top_uuid() on exactly the len bytes of s, put last before a page
 * that may not be read: a byte read past them is a SIGSEGV in any build
 * (ASan would miss it where the compiler turns a short memcmp() into one
 * load).  out is NUL-ended.
 */
static int
top_uuid(const char *s, size_t len, char *out)
{
	static char *page;
	static size_t psize;

	if (page == NULL) {
		psize = (size_t)sysconf(_SC_PAGESIZE);
		page = mmap(NULL, 2 * psize, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (page == MAP_FAILED ||
		    mprotect(page + psize, psize, PROT_NONE) != 0) {
			perror("mmap");
			exit(99);
		}
	}
	if (len > psize)
		exit(99);
	memcpy(page + psize - len, s, len);
	memset(out, 0, 33);
	return split_top_uuid(page + psize - len, len, out);
}

static void
uuid_is(const char *s, const char *want)
{
	char out[33];

	if (want == NULL)
		CHECK(top_uuid(s, strlen(s), out) == 0);
	else {
		CHECK(top_uuid(s, strlen(s), out) == 1);
		CHECK_STR(out, want);
	}
}

static void
test_top_uuid(void)
{
	static const char *const whole[] = {
		"{\"a\":\"x\\\"y\\\\\",\"b\":[\"uuid\",{\"uuid\":\"" U2 "\"}],"
		    "\"uuid\":\"" U1 "\"}",
		"{ \"uuid\" :\n\"" U1 "\" }",
		"{\"s\":\"\\\\\\\"\",\"uuid\":\"" U1 "\"}",
		"{\"ab\\\"\":1,\"uuid\":\"" U1 "\"}",
	};
	char out[33];
	size_t i, m, n, e;
	int fine;

	uuid_is("{\"uuid\":\"" U1 "\"}", U1);
	/* The bytes are those of the string, not checked as a uuid. */
	uuid_is("{\"uuid\":\"" "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz" "\"}",
	    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
	/* The top-level key, after nested ones and "uuid" values. */
	uuid_is(whole[0], U1);
	uuid_is(whole[1], U1);
	uuid_is("{\"uuid\":\"" U1 "\",\"uuid\":\"" U2 "\"}", U1);
	/* Only the first "uuid" key counts, a bad one too. */
	uuid_is("{\"uuid\":1,\"uuid\":\"" U1 "\"}", NULL);
	/* Not there, not a plain 32-byte string, or not at the top. */
	uuid_is("{\"a\":{\"uuid\":\"" U1 "\"}}", NULL);
	uuid_is("[{\"uuid\":\"" U1 "\"}]", NULL);
	uuid_is("{\"uuid\":\"" U1 "0\"}", NULL);
	uuid_is("{\"uuid\":\"abc\"}", NULL);
	/* 32 bytes, one of them a '\\'. */
	uuid_is("{\"uuid\":\"\\u0031" "11111111111111111111111111" "\"}", NULL);
	uuid_is("{\"uu\\u0069d\":\"" U1 "\"}", NULL);
	uuid_is("{\"uuidx\":\"" U1 "\"}", NULL);
	uuid_is("{\"a\":\"uuid\":\"" U1 "\"}", NULL);
	uuid_is("{\"uuid\"\"" U1 "\"}", NULL);
	uuid_is("", NULL);
	uuid_is("{", NULL);

	/*
	 * Every input cut short, anywhere (inside a string, after a '\'
	 * in one): no uuid, and not a byte read past the end.
	 */
	for (i = 0; i < sizeof(whole) / sizeof(whole[0]); i++) {
		n = strlen(whole[i]);
		/* The uuid is known at its closing quote: e bytes. */
		e = (size_t)(strstr(whole[i], U1) - whole[i]) + 33;
		fine = 1;
		for (m = 0; m <= n; m++)
			if (top_uuid(whole[i], m, out) != (m >= e) ||
			    (m >= e && strcmp(out, U1) != 0)) {
				fprintf(stderr, "input %zu cut to %zu bytes: "
				    "'%s'\n", i, m, out);
				fine = 0;
			}
		CHECK(fine);
	}
	/* A string that ends in its escape character. */
	uuid_is("{\"uu\\", NULL);
	uuid_is("{\"a\":\"b\\", NULL);
	uuid_is("{\"uuid\":\"" U1 "\\", NULL);
}

int
main(void)
{
	test_forms();
	test_strings();
	test_errors();
	test_depth();
	test_top_uuid();
	test_boundaries();
	test_sizes();
	buf_free(&C.groups);
	buf_free(&C.err);
	return t_done();
}
