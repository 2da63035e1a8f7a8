/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_date.c - reading dates: the forms the importer accepts, the date
 * check, and local times through zone changes and DST (date_mktime()'s
 * per-day cache must never stand in for mktime where a day has two
 * offsets).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/date.h"
#include "base/errors.h"
#include "t.h"

static void
zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* Parse s; want_ok 0 means it must be rejected. */
static void
parse(const char *s, int want_ok, int64_t want)
{
	int64_t t = -42;
	int rc;

	rc = date_parse(s, strlen(s), &t);
	if (want_ok) {
		CHECK(rc == ZSQ_OK);
		if (t != want)
			fprintf(stderr, "parse '%s': got %lld want %lld\n", s,
			    (long long)t, (long long)want);
		CHECK(t == want);
	} else {
		if (rc == ZSQ_OK)
			fprintf(stderr, "parse '%s' accepted\n", s);
		CHECK(rc == ZSQ_EINVAL);
	}
}

static void
test_forms(void)
{
	zone("UTC");
	parse("Nov 14, 2017 10:20:57 PM", 1, 1510698057);
	parse("Nov 14, 2017, 10:20:57 PM", 1, 1510698057);	/* Java 9+ */
	parse("Nov 14, 2017 10:20:57\xe2\x80\xafPM", 1, 1510698057);
	parse("Jan 1, 1970 12:00:00 AM", 1, 0);
	parse("Jan 1, 1970 12:00:00 PM", 1, 43200);
	parse("Feb 29, 2024 1:02:03 AM", 1, 1709168523);
	parse("2017-11-14T22:20:57Z", 1, 1510698057);
	parse("2017-11-14T22:20:57.999Z", 1, 1510698057);
	parse("2017-11-15T06:20:57+08:00", 1, 1510698057);
	parse("2017-11-15T06:20:57+0800", 1, 1510698057);
	parse("2017-11-15T06:20:57+08", 1, 1510698057);
	parse("2017-11-14T17:20:57.5-05:00", 1, 1510698057);
	parse("2017-11-14T22:20:57", 1, 1510698057);
	parse("2017-11-14 22:20:57", 1, 1510698057);
	parse("1969-12-31T23:59:59Z", 1, -1);
	parse("2000-02-29 00:00:00", 1, 951782400);

	zone("Asia/Shanghai");
	parse("Nov 14, 2017 10:20:57 PM", 1, 1510669257);
	parse("2017-11-14 22:20:57", 1, 1510669257);
	parse("2017-11-14T22:20:57", 1, 1510669257);
	parse("2017-11-14T22:20:57Z", 1, 1510698057);	/* zone wins */
	parse("Jan 1, 1970 8:00:00 AM", 1, 0);
	parse("1970-01-01 07:59:59", 1, -1);

	/* Not real dates or not one of the forms. */
	parse("Feb 30, 2024 1:00:00 AM", 0, 0);
	parse("Feb 29, 2023 1:00:00 AM", 0, 0);
	parse("1900-02-29 00:00:00", 0, 0);
	parse("2017-04-31T00:00:00Z", 0, 0);
	parse("2017-13-01T00:00:00Z", 0, 0);
	parse("2017-00-01T00:00:00Z", 0, 0);
	parse("2017-11-14T24:00:00Z", 0, 0);
	parse("2017-11-14T23:60:00Z", 0, 0);
	parse("2017-11-14T23:00:60Z", 0, 0);
	parse("Nov 14, 2017 13:20:57 PM", 0, 0);
	parse("Nov 14, 2017 0:20:57 AM", 0, 0);
	parse("Nov 14, 2017 10:20:57", 0, 0);
	parse("Nov 14 2017 10:20:57 PM", 0, 0);
	parse("nov 14, 2017 10:20:57 PM", 0, 0);
	parse("Nov 14, 2017 10:20:57 PM ", 0, 0);
	parse("Nov 0, 2017 10:20:57 PM", 0, 0);
	parse("2017-11-14", 0, 0);
	parse("2017-11-14T22:20Z", 0, 0);
	parse("2017-11-14T22:20:57.Z", 0, 0);
	parse("2017-11-14T22:20:57+8", 0, 0);
	parse("2017-11-14T22:20:57+08:0", 0, 0);
	parse("2017-11-14T22:20:57+24:00", 0, 0);
	parse("2017-11-14T22:20:57 Z", 0, 0);
	parse("17-11-14 22:20:57", 0, 0);
	parse("1510698057000", 0, 0);
	parse("", 0, 0);
	parse("yesterday", 0, 0);
}

/* Field widths: read as many digits as the form has, no more. */
static void
test_widths(void)
{
	zone("UTC");
	parse("Nov 5, 2017 1:02:03 AM", 1, 1509843723);
	parse("Nov 05, 2017 01:02:03 AM", 1, 1509843723);
	parse("Nov 145, 2017 1:02:03 AM", 0, 0);
	parse("Nov 14, 20170 1:02:03 AM", 0, 0);
	parse("Nov 14, 2017 1:2:03 AM", 0, 0);
	parse("2017-11-14T22:20:57.123456789Z", 1, 1510698057);
	parse("2017-11-14T22:20:57.1234567890Z", 0, 0);
	parse("2017-1-14T22:20:57Z", 0, 0);
	parse("2017-11-14T22:20:057Z", 0, 0);
	parse("+017-11-14T22:20:57Z", 0, 0);
	parse("2017-11-14T22:20:57+-8:00", 0, 0);
}

static void
local(int y, int mon, int d, int h, int mi, int s, int want_ok, int64_t want)
{
	int64_t t = -42;
	int rc = date_mktime(y, mon, d, h, mi, s, &t);

	if (want_ok) {
		CHECK(rc == ZSQ_OK && t == want);
		if (rc != ZSQ_OK || t != want)
			fprintf(stderr, "%04d-%02d-%02d %02d:%02d:%02d: rc %d, "
			    "%lld, want %lld\n", y, mon, d, h, mi, s, rc,
			    (long long)t, (long long)want);
	} else
		CHECK(rc == ZSQ_EINVAL);
}

static void
test_local(void)
{
	CHECK(strcmp(date_months[0], "Jan") == 0);
	CHECK(strcmp(date_months[11], "Dec") == 0);

	zone("UTC");
	local(2024, 2, 29, 12, 0, 0, 1, 1709208000);
	local(1, 1, 1, 0, 0, 0, 1, INT64_C(-62135596800));
	local(9999, 12, 31, 23, 59, 59, 1, INT64_C(253402300799));
	local(2023, 2, 29, 0, 0, 0, 0, 0);
	local(2100, 2, 29, 0, 0, 0, 0, 0);	/* not a leap year */
	local(2000, 2, 29, 0, 0, 0, 1, 951782400);	/* one */
	local(2024, 4, 31, 0, 0, 0, 0, 0);
	local(2024, 0, 1, 0, 0, 0, 0, 0);
	local(2024, 13, 1, 0, 0, 0, 0, 0);
	local(2024, 1, 0, 0, 0, 0, 0, 0);
	local(0, 1, 1, 0, 0, 0, 0, 0);
	local(2024, 1, 1, 24, 0, 0, 0, 0);
	local(2024, 1, 1, 0, 60, 0, 0, 0);
	local(2024, 1, 1, 0, 0, 60, 0, 0);

	/*
	 * 2024-03-10 in New York: 02:00 EST is 03:00 EDT.  Times of that
	 * day before and after the change, and of days either side (cached),
	 * each in its own offset; asked twice, the same.
	 */
	zone("America/New_York");
	local(2024, 3, 10, 0, 0, 0, 1, 1710046800);
	local(2024, 3, 10, 1, 0, 0, 1, 1710050400);
	local(2024, 3, 10, 4, 0, 0, 1, 1710057600);
	local(2024, 3, 10, 4, 0, 0, 1, 1710057600);
	local(2024, 3, 11, 4, 0, 0, 1, 1710144000);
	local(2024, 3, 11, 4, 0, 0, 1, 1710144000);
	local(2024, 7, 3, 5, 46, 40, 1, 1720000000);
	/* The cache follows the zone: the same day, another offset. */
	zone("UTC");
	local(2024, 3, 11, 4, 0, 0, 1, 1710129600);
}

int
main(void)
{
	test_forms();
	test_widths();
	test_local();
	return t_done();
}
