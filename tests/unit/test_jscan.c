/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_jscan.c - skipping a JSON value: where it ends, where and why it
 * fails, and the same answers whether the bytes come at once or one at
 * a time (the importer feeds blocks).
 */
#include <stdio.h>
#include <string.h>

#include "base/errors.h"
#include "base/jscan.h"
#include "t.h"

/*
 * Scan s from 0 in pieces of piece bytes (0: all at once).  Returns what
 * the last call returned; *at gets the end (past the value, at the fault,
 * or strlen(s)), *js the state.
 */
static int
scan(const char *s, size_t piece, int strict, size_t *at, struct jscan *js)
{
	size_t n = strlen(s), end, i = 0;
	int rc;

	jscan_init(js, strict);
	do {
		end = piece == 0 || n - i < piece ? n : i + piece;
		rc = jscan_skip(js, s, end, &i);
		if (rc == 0 && i != end)
			return -1;	/* ran out without reaching the end */
	} while (rc == 0 && i < n);
	*at = i;
	return rc;
}

/* s scanned at once and a byte at a time: rc, *at and, on fault, why. */
static void
want(const char *s, int strict, int rc, size_t at, int why)
{
	static const size_t pieces[] = { 0, 1, 2, 7 };
	struct jscan js;
	size_t i, got;
	int r;

	for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		r = scan(s, pieces[i], strict, &got, &js);
		CHECK(r == rc && got == at);
		if (r != rc || got != at)
			fprintf(stderr, "'%s' in pieces of %zu: rc %d at %zu, "
			    "want %d at %zu\n", s, pieces[i], r, got, rc, at);
		if (rc == ZSQ_EINVAL)
			CHECK(js.fault == why);
	}
}

int
main(void)
{
	char deep[200];
	struct jscan js;
	size_t i;

	/* Where a value ends; what follows is not read. */
	want("\"abc\" tail", 0, 1, 5, 0);
	want("\"\" tail", 0, 1, 2, 0);
	want("{} ,", 0, 1, 2, 0);
	want("[[],{}]]", 0, 1, 7, 0);
	want("{\"a\":[1,\"]}\",{\"b\":null}],\"c\":\"\\\"}\"}x", 0, 1, 35, 0);
	/* Escapes: the byte after a backslash is passed over. */
	want("\"a\\\"b\"x", 0, 1, 6, 0);
	want("\"a\\\\\"x", 0, 1, 5, 0);
	want("\"\\u0022\"", 0, 1, 8, 0);
	/* Everything else inside is the parser's: only structure here. */
	want("[tru, 1.2.3, @]", 0, 1, 15, 0);
	want("{\xff\x01:}", 0, 1, 5, 0);

	/* The bytes end inside: 0, and whether in a string. */
	CHECK(scan("{\"a\":[1,", 0, 0, &i, &js) == 0 && i == 8 &&
	    js.str == JSCAN_OUT && js.depth == 2);
	CHECK(scan("{\"a\":\"x", 3, 0, &i, &js) == 0 && i == 7 &&
	    js.str == JSCAN_IN_STRING);
	CHECK(scan("[\"x\\", 1, 0, &i, &js) == 0 && i == 4 &&
	    js.str == JSCAN_IN_ESCAPE);
	CHECK(scan("", 0, 0, &i, &js) == 0 && i == 0);

	/* Faults: at the faulty byte, with the reason. */
	want("[}", 0, ZSQ_EINVAL, 1, JSCAN_MISMATCH);
	want("{\"a\":[1]]", 0, ZSQ_EINVAL, 8, JSCAN_MISMATCH);
	want("]", 0, ZSQ_EINVAL, 0, JSCAN_MISMATCH);
	want("1", 0, ZSQ_EINVAL, 0, JSCAN_NOVALUE);
	want(" {}", 0, ZSQ_EINVAL, 0, JSCAN_NOVALUE);
	/* Control characters: the strict scan refuses them in strings. */
	want("[\"a\tb\"]", 0, 1, 7, 0);
	want("[\"a\tb\"]", 1, ZSQ_EINVAL, 3, JSCAN_CONTROL);
	want("[\"a\\\tb\"]", 1, 1, 8, 0);	/* escaped: passed over */
	want("[\n1\t]", 1, 1, 5, 0);		/* outside strings: fine */
	want("\"\x1f\"", 1, ZSQ_EINVAL, 1, JSCAN_CONTROL);
	want("\" \x7f\xc3\xa9\"", 1, 1, 6, 0);

	/* JSCAN_DEPTH_MAX brackets open at once, and not one more. */
	for (i = 0; i < JSCAN_DEPTH_MAX; i++) {
		deep[i] = '[';
		deep[2 * JSCAN_DEPTH_MAX - 1 - i] = ']';
	}
	deep[2 * JSCAN_DEPTH_MAX] = '\0';
	want(deep, 0, 1, 2 * JSCAN_DEPTH_MAX, 0);
	memset(deep, '{', JSCAN_DEPTH_MAX + 1);
	deep[JSCAN_DEPTH_MAX + 1] = '\0';
	want(deep, 0, ZSQ_EINVAL, JSCAN_DEPTH_MAX, JSCAN_DEEP);
	return t_done();
}
