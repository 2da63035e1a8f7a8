/* SPDX-License-Identifier: Apache-2.0 */
/* test_gson.c - Gson escaping, date rendering and doubles. */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "base/buf.h"
#include "base/errors.h"
#include "base/gson.h"
#include "t.h"

static void
zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* Escape n bytes of s and compare with want (which includes the quotes). */
static void
esc(const char *s, size_t n, int html, const char *want)
{
	struct buf b = BUF_INIT;

	CHECK(gson_escape(&b, s, n, html) == ZSQ_OK);
	CHECK_MEM(b.data, b.len, want);
	buf_free(&b);
}

static void
date(int64_t t, const char *want)
{
	struct buf b = BUF_INIT;

	CHECK(gson_date(&b, t) == ZSQ_OK);
	CHECK_MEM(b.data, b.len, want);
	buf_free(&b);
}

static void
test_escape(void)
{
	/* Gson's html-safe table: every escaped ASCII character. */
	esc("<>&='", 5, 1, "\"\\u003c\\u003e\\u0026\\u003d\\u0027\"");
	esc("<>&='", 5, 0, "\"<>&='\"");
	esc("\"\\", 2, 1, "\"\\\"\\\\\"");
	esc("\"\\", 2, 0, "\"\\\"\\\\\"");
	esc("\b\t\n\f\r", 5, 1, "\"\\b\\t\\n\\f\\r\"");
	esc("\x01\x1f\x0b", 3, 1, "\"\\u0001\\u001f\\u000b\"");
	esc("\x1a", 1, 0, "\"\\u001a\"");
	esc("a\0b", 3, 1, "\"a\\u0000b\"");
	/* DEL and '/' are not escaped by Gson. */
	esc("\x7f/", 2, 1, "\"\x7f/\"");
	esc("", 0, 1, "\"\"");
	esc("plain text 123", 14, 1, "\"plain text 123\"");
	/* U+2028, U+2029 always escaped; other non-ASCII raw. */
	esc("a\xe2\x80\xa8" "b\xe2\x80\xa9", 8, 0, "\"a\\u2028b\\u2029\"");
	esc("a\xe2\x80\xa8", 4, 1, "\"a\\u2028\"");
	esc("\xe2\x80\xaa", 3, 1, "\"\xe2\x80\xaa\"");
	esc("通义千问", strlen("通义千问"), 1, "\"通义千问\"");
	esc("\xc3\xa9\xf0\x9f\x98\x80", 6, 1, "\"\xc3\xa9\xf0\x9f\x98\x80\"");
	/* Bytes that are not UTF-8 become U+FFFD, one escape per byte. */
	esc("a\xffz", 3, 1, "\"a\\ufffdz\"");
	esc("\xc3", 1, 1, "\"\\ufffd\"");
	esc("\xe2\x80", 2, 0, "\"\\ufffd\\ufffd\"");
	esc("\xc0\xaf", 2, 0, "\"\\ufffd\\ufffd\"");		/* overlong */
	esc("\xed\xa0\x80", 3, 0, "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate */
	esc("\xf4\x90\x80\x80", 4, 0,
	    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");		/* > U+10FFFF */
}

static void
test_render_dates(void)
{
	zone("UTC");
	date(1510698057, "Nov 14, 2017 10:20:57 PM");
	date(0, "Jan 1, 1970 12:00:00 AM");		/* midnight */
	date(43200, "Jan 1, 1970 12:00:00 PM");		/* noon */
	date(43199, "Jan 1, 1970 11:59:59 AM");
	date(3661, "Jan 1, 1970 1:01:01 AM");
	date(1709208000, "Feb 29, 2024 12:00:00 PM");
	date(1735689599, "Dec 31, 2024 11:59:59 PM");
	date(-1, "Dec 31, 1969 11:59:59 PM");

	zone("Asia/Shanghai");
	date(1510669257, "Nov 14, 2017 10:20:57 PM");
	date(0, "Jan 1, 1970 8:00:00 AM");
	date(57600, "Jan 2, 1970 12:00:00 AM");
	date(1735704000, "Jan 1, 2025 12:00:00 PM");

	zone("America/New_York");	/* a zone with DST */
	date(1720000000, "Jul 3, 2024 5:46:40 AM");
	date(1704067200, "Dec 31, 2023 7:00:00 PM");
}

/* Doubles as Java's Double.toString writes them. */
static void
test_doubles(void)
{
	static const struct { double d; const char *want; } t[] = {
		{ 0.1, "0.1" }, { 1.0, "1.0" }, { -2.5, "-2.5" },
		{ 100.0, "100.0" }, { 0.0, "0.0" }, { -0.0, "-0.0" },
		{ 1234567.0, "1234567.0" }, { 1e7, "1.0E7" },
		{ 12345678.9, "1.23456789E7" }, { 0.001, "0.001" },
		{ 0.0001, "1.0E-4" }, { -2.5e-4, "-2.5E-4" },
		{ 1e300, "1.0E300" }, { 0.30000000000000004,
		    "0.30000000000000004" }, { 3.14159, "3.14159" },
	};
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		buf_reset(&b);
		CHECK(gson_double(&b, t[i].d) == ZSQ_OK);
		CHECK_MEM(b.data, b.len, t[i].want);
	}
	buf_free(&b);
}

int
main(void)
{
	test_doubles();
	test_escape();
	test_render_dates();
	return t_done();
}
