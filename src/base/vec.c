/* SPDX-License-Identifier: Apache-2.0 */
/* vec.c - growing an array; see vec.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/vec.h"

int
vec_grow(void *pp, size_t *cap, size_t need, size_t size)
{
	void *p, *q;
	size_t c;

	if (need <= *cap)
		return ZSQ_OK;
	for (c = *cap ? *cap : VEC_FIRST; c < need; c *= 2)
		if (c > SIZE_MAX / 2)
			return ZSQ_ENOMEM;
	if (c > SIZE_MAX / size)
		return ZSQ_ENOMEM;
	/*
	 * The pointer is read and written as bytes: pp points at a T *, and
	 * accessing it through a void * lvalue would be another type.
	 */
	memcpy(&p, pp, sizeof(p));
	if ((q = realloc(p, c * size)) == NULL)
		return ZSQ_ENOMEM;
	memcpy(pp, &q, sizeof(q));
	*cap = c;
	return ZSQ_OK;
}
