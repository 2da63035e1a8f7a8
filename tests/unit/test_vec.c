/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_vec.c - growing an array: capacities, contents kept, and a size
 * that cannot be allocated refused with the array left as it was.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/vec.h"
#include "t.h"

struct ent {
	uint64_t	 a, b, c;	/* 24 bytes: not a power of two */
};

int
main(void)
{
	struct ent *e = NULL, *was;
	uint32_t *o = NULL;
	char *bytes = NULL;
	size_t n, cap = 0, ocap = 0, bcap = 0, i;

	/* Empty: nothing is allocated until something is needed. */
	CHECK(VEC_GROW(&e, &cap, 0) == ZSQ_OK && e == NULL && cap == 0);
	/* The first allocation holds VEC_FIRST, more if need be. */
	CHECK(VEC_GROW(&e, &cap, 1) == ZSQ_OK && e != NULL &&
	    cap == VEC_FIRST);
	was = e;
	CHECK(VEC_GROW(&e, &cap, VEC_FIRST) == ZSQ_OK && e == was &&
	    cap == VEC_FIRST);
	/* Push one at a time: every element written, every one kept. */
	for (n = 0; n < 1000; n++) {
		CHECK(VEC_GROW(&e, &cap, n + 1) == ZSQ_OK);
		e[n].a = n;
		e[n].b = n * 3;
		e[n].c = ~(uint64_t)n;
	}
	CHECK(cap == 1024);
	for (i = 0; i < n; i++)
		if (e[i].a != i || e[i].b != i * 3 || e[i].c != ~(uint64_t)i)
			break;
	CHECK(i == n);
	/* Many at once: the first doubling that holds them. */
	CHECK(VEC_GROW(&e, &cap, 5000) == ZSQ_OK && cap == 8192);
	e[4999].a = 7;
	CHECK(e[999].a == 999 && e[4999].a == 7);

	/* Sizes that overflow: refused, the array untouched. */
	was = e;
	CHECK(VEC_GROW(&e, &cap, SIZE_MAX / sizeof(*e) + 1) == ZSQ_ENOMEM);
	CHECK(e == was && cap == 8192 && e[999].a == 999);
	CHECK(vec_grow(&e, &cap, SIZE_MAX, 1) == ZSQ_ENOMEM);
	CHECK(vec_grow(&e, &cap, SIZE_MAX / 2 + 2, 1) == ZSQ_ENOMEM);
	CHECK(e == was && cap == 8192);
	free(e);

	/* From empty too: still empty. */
	e = NULL;
	cap = 0;
	CHECK(VEC_GROW(&e, &cap, SIZE_MAX / sizeof(*e) + 1) == ZSQ_ENOMEM);
	CHECK(e == NULL && cap == 0);

	/* The element size comes from the pointer's type. */
	CHECK(VEC_GROW(&o, &ocap, 17) == ZSQ_OK && ocap == 32);
	for (i = 0; i < ocap; i++)
		o[i] = (uint32_t)i;
	CHECK(o[31] == 31);
	free(o);

	/* A capacity from elsewhere doubles from what it is. */
	CHECK((bytes = malloc(10)) != NULL);
	bcap = 10;
	memcpy(bytes, "0123456789", 10);
	CHECK(vec_grow(&bytes, &bcap, 11, 1) == ZSQ_OK && bcap == 20);
	CHECK(memcmp(bytes, "0123456789", 10) == 0);
	free(bytes);
	return t_done();
}
