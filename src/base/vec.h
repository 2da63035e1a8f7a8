/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vec.h - growing an array of fixed-size elements (in the spirit of
 * nginx's ngx_array and LMDB's midl): the array is the caller's plain
 * pointer, count and capacity, and vec_grow() is the one place it grows.
 *
 * Contract: a NULL pointer with capacity 0 is an empty array.
 * vec_grow(&v, &cap, need, sizeof(*v)) makes room for need elements: when
 * cap is short it reallocates to the first of 16, 32, 64, ... (doubling
 * from cap when cap is not 0) that holds need, and updates v and cap;
 * elements already there are kept.  ZSQ_OK, or ZSQ_ENOMEM when the
 * allocation fails or the size overflows; then v and cap are as they
 * were.  The caller frees v with free().
 *
 *	if ((rc = VEC_GROW(&s->o, &s->cap, s->n + 1)) != ZSQ_OK)
 *		return rc;
 *	s->o[s->n++] = ord;
 *
 * (struct buf, buf.h, is the byte buffer: text and packed records.)
 */
#ifndef ZSQ_VEC_H
#define ZSQ_VEC_H

#include <stddef.h>

#define VEC_FIRST	16	/* elements of a first allocation, at least */

/*
 * pp is the address of the array's pointer (a T **, taken as void * so
 * that any T will do), size the size of one element (> 0).
 */
int	vec_grow(void *pp, size_t *cap, size_t need, size_t size);

/* vec_grow() with the element size taken from the pointer's type. */
#define VEC_GROW(pp, cap, need)	vec_grow((pp), (cap), (need), sizeof(**(pp)))

#endif
