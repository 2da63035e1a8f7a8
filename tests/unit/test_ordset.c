/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ordset.c - sets of group ordinals (ordset.h): add, sort_unique,
 * intersect and has, on the empty set, on repeats and the extremes of
 * uint32_t, and on large random sets checked against a bitmap.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "store/ordset.h"
#include "t.h"

/* Members as "1,2,3", for messages that show what went wrong. */
static const char *
show(const struct ordset *s)
{
	static char out[256];
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < s->n && n < sizeof(out) - 16; i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%lu",
		    i ? "," : "", (unsigned long)s->o[i]);
	return out;
}

static void
fill(struct ordset *s, const uint32_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		CHECK(ordset_add(s, v[i]) == ZSQ_OK);
}

/* A set of the given members, sorted and unique. */
static void
make(struct ordset *s, const uint32_t *v, size_t n)
{
	memset(s, 0, sizeof(*s));
	fill(s, v, n);
	ordset_sort_unique(s);
}

static void
test_empty(void)
{
	struct ordset e = { NULL, 0, 0 }, a;
	static const uint32_t v[] = { 3, 1, 2 };

	ordset_sort_unique(&e);
	CHECK(e.n == 0 && e.o == NULL);
	CHECK(!ordset_has(&e, 0));
	CHECK(!ordset_has(&e, UINT32_MAX));
	/* Either side empty: nothing in common. */
	make(&a, v, 3);
	ordset_intersect(&a, &e);
	CHECK(a.n == 0);
	ordset_free(&a);
	make(&a, v, 3);
	ordset_intersect(&e, &a);
	CHECK(e.n == 0);
	ordset_free(&a);
	ordset_free(&e);
	CHECK(e.o == NULL && e.n == 0 && e.cap == 0);
	/* A freed set is empty and takes members again. */
	CHECK(ordset_add(&e, 7) == ZSQ_OK);
	CHECK(e.n == 1 && e.o[0] == 7 && ordset_has(&e, 7));
	ordset_free(&e);
}

static void
test_add_sort(void)
{
	static const uint32_t v[] = {
		5, 3, UINT32_MAX, 0, 5, 3, 3, 0x80000000u, 1, UINT32_MAX, 0
	};
	static const uint32_t same[] = { 9, 9, 9, 9 };
	struct ordset s = { NULL, 0, 0 };

	/* Before sorting it is a list: input order, repeats kept. */
	fill(&s, v, sizeof(v) / sizeof(v[0]));
	CHECK(s.n == sizeof(v) / sizeof(v[0]) && s.cap >= s.n);
	CHECK(memcmp(s.o, v, sizeof(v)) == 0);
	/* The extremes sort as numbers (a comparison by subtraction would
	   put UINT32_MAX before 0). */
	ordset_sort_unique(&s);
	CHECK_STR(show(&s), "0,1,3,5,2147483648,4294967295");
	/* Sorting a sorted set changes nothing. */
	ordset_sort_unique(&s);
	CHECK_STR(show(&s), "0,1,3,5,2147483648,4294967295");
	ordset_free(&s);

	fill(&s, same, 4);
	ordset_sort_unique(&s);
	CHECK_STR(show(&s), "9");
	ordset_free(&s);

	CHECK(ordset_add(&s, 42) == ZSQ_OK);
	ordset_sort_unique(&s);
	CHECK_STR(show(&s), "42");
	ordset_free(&s);
}

static void
test_has(void)
{
	static const uint32_t v[] = { 10, 20, 30, 40, 50, 0, UINT32_MAX };
	struct ordset s;
	uint32_t x;

	make(&s, v, sizeof(v) / sizeof(v[0]));
	for (x = 0; x <= 55; x++)
		CHECK(ordset_has(&s, x) == (x % 10 == 0));
	CHECK(ordset_has(&s, UINT32_MAX));
	CHECK(!ordset_has(&s, UINT32_MAX - 1));
	ordset_free(&s);
	/* One member: below, on and above it. */
	make(&s, v, 1);
	CHECK(!ordset_has(&s, 9) && ordset_has(&s, 10) && !ordset_has(&s, 11));
	ordset_free(&s);
}

static void
test_intersect(void)
{
	static const uint32_t a1[] = { 1, 3, 5, 7, 9 }, b1[] = { 2, 4, 6, 8 };
	static const uint32_t a2[] = { 1, 2, 3, 4, 5, 6 }, b2[] = { 0, 2, 6, 9 };
	static const uint32_t a3[] = { 4, 5 }, b3[] = { 1, 2, 3, 4, 5, 6, 7 };
	static const uint32_t a4[] = { 0, UINT32_MAX }, b4[] = { UINT32_MAX };
	struct ordset a, b;

	/* Disjoint, interleaved. */
	make(&a, a1, 5);
	make(&b, b1, 4);
	ordset_intersect(&a, &b);
	CHECK(a.n == 0);
	CHECK_STR(show(&b), "2,4,6,8");		/* b is only read */
	ordset_free(&a);
	ordset_free(&b);
	/* Some in common, each side with its own beyond the other's ends. */
	make(&a, a2, 6);
	make(&b, b2, 4);
	ordset_intersect(&a, &b);
	CHECK_STR(show(&a), "2,6");
	ordset_free(&a);
	ordset_free(&b);
	/* a within b, and b within a. */
	make(&a, a3, 2);
	make(&b, b3, 7);
	ordset_intersect(&a, &b);
	CHECK_STR(show(&a), "4,5");
	ordset_free(&a);
	make(&a, a3, 2);
	ordset_intersect(&b, &a);
	CHECK_STR(show(&b), "4,5");
	ordset_free(&a);
	ordset_free(&b);
	/* With itself: unchanged. */
	make(&a, a2, 6);
	ordset_intersect(&a, &a);
	CHECK_STR(show(&a), "1,2,3,4,5,6");
	ordset_free(&a);
	/* The extremes. */
	make(&a, a4, 2);
	make(&b, b4, 1);
	ordset_intersect(&a, &b);
	CHECK_STR(show(&a), "4294967295");
	ordset_free(&a);
	ordset_free(&b);
}

/* xorshift32: the same sets on every run. */
static uint32_t
next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

#define LARGE_N		200000u	/* members added, repeats included */
#define LARGE_RANGE	(1u << 18)	/* values drawn from [0, RANGE) */

/*
 * Large sets, many repeats (200,000 draws from 262,144 values): sorted,
 * unique and exactly the values drawn; their intersection exactly the
 * values both drew; has() right for every value of the range.
 */
static void
test_large(void)
{
	unsigned char *ina, *inb;
	struct ordset a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
	uint32_t x = 2463534242u, v;
	size_t i, na = 0, nab = 0, bad_order = 0, bad_has = 0;

	ina = calloc(LARGE_RANGE, 1);
	inb = calloc(LARGE_RANGE, 1);
	CHECK(ina != NULL && inb != NULL);
	if (ina == NULL || inb == NULL)
		goto out;
	for (i = 0; i < LARGE_N; i++) {
		v = next(&x) % LARGE_RANGE;
		if (ordset_add(&a, v) != ZSQ_OK)
			break;
		na += !ina[v];
		ina[v] = 1;
		/* b: the multiples of 3 among the draws, some twice. */
		if (v % 3 == 0) {
			(void)ordset_add(&b, v);
			if (v % 2 == 0)
				(void)ordset_add(&b, v);
			inb[v] = 1;
		}
	}
	CHECK(a.n == LARGE_N);
	ordset_sort_unique(&a);
	ordset_sort_unique(&b);
	CHECK(a.n == na);
	CHECK(na < LARGE_N);		/* the draws did repeat */
	for (i = 1; i < a.n; i++)
		bad_order += a.o[i - 1] >= a.o[i];
	CHECK(bad_order == 0);
	for (v = 0; v < LARGE_RANGE; v++) {
		bad_has += ordset_has(&a, v) != ina[v];
		nab += ina[v] && inb[v];
	}
	CHECK(bad_has == 0);
	ordset_intersect(&a, &b);
	CHECK(a.n == nab && a.n > 0);
	bad_has = 0;
	for (v = 0; v < LARGE_RANGE; v++)
		bad_has += ordset_has(&a, v) != (ina[v] && inb[v]);
	CHECK(bad_has == 0);
out:
	ordset_free(&a);
	ordset_free(&b);
	free(ina);
	free(inb);
}

int
main(void)
{
	test_empty();
	test_add_sort();
	test_has();
	test_intersect();
	test_large();
	return t_done();
}
