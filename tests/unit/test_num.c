/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_num.c - the one integer parser: what it accepts, and every way in
 * which a text is not an integer in range.
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "base/errors.h"
#include "base/num.h"
#include "t.h"

/* s (a C string) read as unsigned under max: want_ok, and then want. */
static void
u64(const char *s, uint64_t max, int want_ok, uint64_t want)
{
	uint64_t v = 42;
	int rc = num_parse_u64(s, strlen(s), max, &v);

	if (want_ok) {
		CHECK(rc == ZSQ_OK && v == want);
		if (rc != ZSQ_OK || v != want)
			fprintf(stderr, "u64 '%s': rc %d, %llu\n", s, rc,
			    (unsigned long long)v);
	} else {
		/* Refused, and *out left as it was. */
		CHECK(rc == ZSQ_EINVAL && v == 42);
		if (rc != ZSQ_EINVAL)
			fprintf(stderr, "u64 '%s' accepted\n", s);
	}
}

static void
i64(const char *s, int64_t min, int64_t max, int want_ok, int64_t want)
{
	int64_t v = 42;
	int rc = num_parse_i64(s, strlen(s), min, max, &v);

	if (want_ok) {
		CHECK(rc == ZSQ_OK && v == want);
		if (rc != ZSQ_OK || v != want)
			fprintf(stderr, "i64 '%s': rc %d, %lld\n", s, rc,
			    (long long)v);
	} else {
		CHECK(rc == ZSQ_EINVAL && v == 42);
		if (rc != ZSQ_EINVAL)
			fprintf(stderr, "i64 '%s' accepted\n", s);
	}
}

static void
test_unsigned(void)
{
	uint64_t v = 0;

	u64("0", UINT64_MAX, 1, 0);
	u64("7", UINT64_MAX, 1, 7);
	u64("007", UINT64_MAX, 1, 7);			/* leading zeros */
	u64("00000000000000000000000000000012", 12, 1, 12);
	u64("18446744073709551615", UINT64_MAX, 1, UINT64_MAX);
	u64("18446744073709551616", UINT64_MAX, 0, 0);	/* max + 1 */
	u64("18446744073709551620", UINT64_MAX, 0, 0);
	u64("99999999999999999999", UINT64_MAX, 0, 0);	/* wraps if unchecked */
	u64("184467440737095516150", UINT64_MAX, 0, 0);
	/* Bounds of the caller's range, inclusive; no wrap-around. */
	u64("253402300799", 253402300799ULL, 1, 253402300799ULL);
	u64("253402300800", 253402300799ULL, 0, 0);
	u64("0", 0, 1, 0);
	u64("000", 0, 1, 0);
	u64("1", 0, 0, 0);
	u64("5", 5, 1, 5);
	u64("6", 5, 0, 0);
	u64("9", 5, 0, 0);		/* a digit above max itself */
	u64("10", 10, 1, 10);
	u64("11", 10, 0, 0);
	u64("19", 10, 0, 0);
	u64("100", 10, 0, 0);
	/* Not digits only. */
	u64("", UINT64_MAX, 0, 0);
	u64("+1", UINT64_MAX, 0, 0);			/* no sign here */
	u64("-0", UINT64_MAX, 0, 0);
	u64(" 1", UINT64_MAX, 0, 0);
	u64("1 ", UINT64_MAX, 0, 0);
	u64("1.0", UINT64_MAX, 0, 0);
	u64("1e3", UINT64_MAX, 0, 0);
	u64("0x10", UINT64_MAX, 0, 0);
	u64("12a", UINT64_MAX, 0, 0);
	u64("/", UINT64_MAX, 0, 0);			/* '0' - 1 */
	u64(":", UINT64_MAX, 0, 0);			/* '9' + 1 */
	u64("\xd9\xa1", UINT64_MAX, 0, 0);		/* Arabic-Indic one */
	u64("\xef\xbc\x91", UINT64_MAX, 0, 0);	/* fullwidth one */
	/* The length is the caller's: a NUL inside is a byte like others. */
	CHECK(num_parse_u64("1\0002", 3, UINT64_MAX, &v) == ZSQ_EINVAL);
	CHECK(num_parse_u64("\0", 1, UINT64_MAX, &v) == ZSQ_EINVAL);
	CHECK(num_parse_u64("123", 2, UINT64_MAX, &v) == ZSQ_OK && v == 12);
	CHECK(num_parse_u64("123", 0, UINT64_MAX, &v) == ZSQ_EINVAL);
}

static void
test_signed(void)
{
	i64("0", INT64_MIN, INT64_MAX, 1, 0);
	i64("-0", INT64_MIN, INT64_MAX, 1, 0);
	i64("+0", INT64_MIN, INT64_MAX, 1, 0);
	i64("+7", INT64_MIN, INT64_MAX, 1, 7);
	i64("-007", INT64_MIN, INT64_MAX, 1, -7);
	i64("9223372036854775807", INT64_MIN, INT64_MAX, 1, INT64_MAX);
	i64("9223372036854775808", INT64_MIN, INT64_MAX, 0, 0);
	i64("-9223372036854775808", INT64_MIN, INT64_MAX, 1, INT64_MIN);
	i64("-9223372036854775809", INT64_MIN, INT64_MAX, 0, 0);
	i64("-18446744073709551616", INT64_MIN, INT64_MAX, 0, 0);
	i64("99999999999999999999", INT64_MIN, INT64_MAX, 0, 0);
	/* Java int, as limit/start read it: 0 to 2^31 - 1. */
	i64("2147483647", 0, INT32_MAX, 1, INT32_MAX);
	i64("2147483648", 0, INT32_MAX, 0, 0);
	i64("-1", 0, INT32_MAX, 0, 0);
	i64("-2147483648", 0, INT32_MAX, 0, 0);
	i64("-2147483648", INT32_MIN, INT32_MAX, 1, INT32_MIN);
	i64("-2147483649", INT32_MIN, INT32_MAX, 0, 0);
	/* A range wholly below zero. */
	i64("-7", -10, -5, 1, -7);
	i64("-10", -10, -5, 1, -10);
	i64("-11", -10, -5, 0, 0);
	i64("-4", -10, -5, 0, 0);
	i64("7", -10, -5, 0, 0);
	i64("-0", -10, -5, 0, 0);
	/* A sign alone, twice, or not where it belongs. */
	i64("", INT64_MIN, INT64_MAX, 0, 0);
	i64("+", INT64_MIN, INT64_MAX, 0, 0);
	i64("-", INT64_MIN, INT64_MAX, 0, 0);
	i64("--1", INT64_MIN, INT64_MAX, 0, 0);
	i64("+-1", INT64_MIN, INT64_MAX, 0, 0);
	i64("1-", INT64_MIN, INT64_MAX, 0, 0);
	i64(" -1", INT64_MIN, INT64_MAX, 0, 0);
	i64("- 1", INT64_MIN, INT64_MAX, 0, 0);
	i64("\xe2\x88\x92" "1", INT64_MIN, INT64_MAX, 0, 0);	/* U+2212 */
	i64("1.5", INT64_MIN, INT64_MAX, 0, 0);
}

/* size(S, MAX, OK, WANT): num_parse_size of the C string S. */
static void
size(const char *s, uint64_t max, int ok, uint64_t want)
{
	uint64_t v = 42;
	int rc = num_parse_size(s, strlen(s), max, &v);

	if ((rc == ZSQ_OK) != ok || (ok && v != want) || (!ok && v != 42))
		fprintf(stderr, "num_parse_size('%s', %llu): rc %d, %llu\n",
		    s, (unsigned long long)max, rc, (unsigned long long)v);
	CHECK((rc == ZSQ_OK) == ok && v == (ok ? want : 42));
}

static void
test_size(void)
{
	size("0", UINT64_MAX, 1, 0);
	size("4096", UINT64_MAX, 1, 4096);
	size("1K", UINT64_MAX, 1, 1024);
	size("64m", UINT64_MAX, 1, 64ULL << 20);
	size("2G", UINT64_MAX, 1, 2ULL << 30);
	size("3t", UINT64_MAX, 1, 3ULL << 40);
	size("16777215T", UINT64_MAX, 1, 16777215ULL << 40);
	size("16777216T", UINT64_MAX, 0, 0);	/* 2^64: too big */
	size("1G", (1ULL << 30) - 1, 0, 0);
	size("1G", 1ULL << 30, 1, 1ULL << 30);
	size("", UINT64_MAX, 0, 0);
	size("K", UINT64_MAX, 0, 0);
	size("1KB", UINT64_MAX, 0, 0);
	size("1 M", UINT64_MAX, 0, 0);
	size("-1M", UINT64_MAX, 0, 0);
	size("+1M", UINT64_MAX, 0, 0);
	size("1.5G", UINT64_MAX, 0, 0);
	size("1P", UINT64_MAX, 0, 0);
}

int
main(void)
{
	test_unsigned();
	test_signed();
	test_size();
	return t_done();
}
