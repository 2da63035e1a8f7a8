/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ordset.h - a set of group ordinals (store.h): a growable array of
 * uint32_t, in the manner of LMDB's midl.h.  The indexes and the ACL
 * collect the groups a condition or an account may reach into one; the
 * planner intersects them.
 *
 * Contract:
 * - A zeroed struct ({ NULL, 0, 0 }) is the empty set; ordset_free()
 *   makes it one again.  o[0..n) are the members, cap the room.
 * - ordset_add() appends, in any order and repeats allowed (collecting
 *   from an index is a walk of its keys, not of ordinals), so the set is
 *   only a list until ordset_sort_unique() makes it sorted ascending and
 *   without repeats.
 * - ordset_intersect() and ordset_has() need sorted, unique sets (the
 *   result of ordset_sort_unique(), or of an intersect of such sets);
 *   given others, their answers mean nothing.
 * - No call but ordset_add() allocates; ordset_intersect() works in
 *   place and keeps a's order.
 */
#ifndef ZSQ_ORDSET_H
#define ZSQ_ORDSET_H

#include <stddef.h>
#include <stdint.h>

struct ordset {
	uint32_t	*o;
	size_t		 n, cap;
};

/* Append ord: ZSQ_OK, or ZSQ_ENOMEM with the set unchanged. */
int	ordset_add(struct ordset *s, uint32_t ord);
/* Sort ascending and drop repeats. */
void	ordset_sort_unique(struct ordset *s);
/* Keep in a (sorted, unique) only what b (sorted, unique) holds too. */
void	ordset_intersect(struct ordset *a, const struct ordset *b);
/* 1 when s (sorted, unique) holds ord, else 0: a binary search. */
int	ordset_has(const struct ordset *s, uint32_t ord);
void	ordset_free(struct ordset *s);

#endif
