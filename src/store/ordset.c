/* SPDX-License-Identifier: Apache-2.0 */
/* ordset.c - sets of group ordinals; see ordset.h. */
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/vec.h"
#include "store/ordset.h"

int
ordset_add(struct ordset *s, uint32_t ord)
{
	int rc;

	if ((rc = VEC_GROW(&s->o, &s->cap, s->n + 1)) != ZSQ_OK)
		return rc;
	s->o[s->n++] = ord;
	return ZSQ_OK;
}

static int
ord_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void
ordset_sort_unique(struct ordset *s)
{
	size_t i, n = 0;

	if (s->n == 0)
		return;
	qsort(s->o, s->n, sizeof(*s->o), ord_cmp);
	for (i = 1; i < s->n; i++)
		if (s->o[i] != s->o[n])
			s->o[++n] = s->o[i];
	s->n = n + 1;
}

void
ordset_intersect(struct ordset *a, const struct ordset *b)
{
	size_t i = 0, j = 0, n = 0;

	while (i < a->n && j < b->n) {
		if (a->o[i] < b->o[j])
			i++;
		else if (a->o[i] > b->o[j])
			j++;
		else {
			a->o[n++] = a->o[i++];
			j++;
		}
	}
	a->n = n;
}

int
ordset_has(const struct ordset *s, uint32_t ord)
{
	size_t lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->o[mid] == ord)
			return 1;
		if (s->o[mid] < ord)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

void
ordset_free(struct ordset *s)
{
	free(s->o);
	memset(s, 0, sizeof(*s));
}
