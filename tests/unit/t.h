/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t.h - the smallest unit-test harness: CHECK() records a failure with
 * file:line and goes on; t_done() prints "N passed, N failed" and returns
 * the exit status automake expects (0 pass, 1 fail).
 */
#ifndef ZSQ_T_H
#define ZSQ_T_H

#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;

#define CHECK(cond) do {						\
	if (cond)							\
		t_pass++;						\
	else {								\
		t_fail++;						\
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n",		\
		    __FILE__, __LINE__, #cond);				\
	}								\
} while (0)

/* Compare n bytes of got against the C string want, showing both. */
#define CHECK_MEM(got, n, want) do {					\
	const char *t_w = (want);					\
	size_t t_n = (n);						\
	if (t_n == strlen(t_w) && memcmp((got), t_w, t_n) == 0)	\
		t_pass++;						\
	else {								\
		t_fail++;						\
		fprintf(stderr, "%s:%d: got  '%.*s'\n%s:%d: want '%s'\n",\
		    __FILE__, __LINE__, (int)t_n, (const char *)(got),	\
		    __FILE__, __LINE__, t_w);				\
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *t_g = (got);					\
	CHECK_MEM(t_g ? t_g : "(null)", strlen(t_g ? t_g : "(null)"),	\
	    (want));							\
} while (0)

static inline int
t_done(void)
{
	printf("%d passed, %d failed\n", t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif
