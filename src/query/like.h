/* SPDX-License-Identifier: Apache-2.0 */
/*
 * like.h - a like / not like pattern (API.md §5, 10): compiled once when
 * its condition is prepared, then matched against many strings.
 *
 * The semantics are ZStack's, which are MySQL's LIKE under the collation
 * API.md §10 settles, as this service answers them:
 *   - `%` matches any run of code points, the empty run included; `_`
 *     matches exactly one code point;
 *   - `\x` is a literal x for any byte x (`\%`, `\_`, `\\`, and `\a` is
 *     an `a`); a lone trailing `\` is a literal backslash;
 *   - every other byte of the pattern is a literal.  Both sides fold ASCII
 *     A-Z to lower case (text_fold()) and nothing else, so `N%` matches
 *     "name" but `\xc3\x89` (É) does not match "\xc3\xa9" (é);
 *   - the pattern matches the whole string: an empty pattern only the
 *     empty string, `%` every string;
 *   - a code point is a byte and the continuation bytes (10xxxxxx) that
 *     follow it.  Nothing is validated as UTF-8: a stray continuation byte
 *     with those after it, or a cut sequence, is one code point too.
 *     Literals compare byte by byte, but `%` and `_` move by whole code
 *     points, so a literal after a `%` lines up with the start of a code
 *     point (or the end): `%\xa9` does not match "\xc3\xa9" although that
 *     string ends in the byte 0xa9, while `\xc3%` and `\xc3_` match it.
 *
 * The one-backtrack-point matcher (like.c) defines these semantics.  A
 * pattern without `_` gets the same answers in time linear in the string:
 * each %-free run is found with a folded Knuth-Morris-Pratt search, at its
 * leftmost place.  A pattern with `_` keeps the backtracking matcher: time
 * up to the product of the lengths, constant space, no recursion, so a
 * hostile pattern cannot blow the stack; the caller bounds the pattern's
 * length (cond.h, COND_LIKE_MAX) and the request its time.
 */
#ifndef ZSQ_LIKE_H
#define ZSQ_LIKE_H

#include <stddef.h>
#include <stdint.h>

/* A compiled pattern element: a folded byte (0-255), or one of these. */
#define LIKE_ANY	(-1)	/* % */
#define LIKE_ONE	(-2)	/* _ */

struct like {
	short		*pat;		/* the elements, escapes resolved */
	size_t		 len;
	uint32_t	*kmp;		/* per element: the KMP failure function
					   of its %-free run; NULL when the
					   pattern holds a _ (then matched by
					   backtracking) */
};

/*
 * Compile the pattern text s[0..n) into lk (whose old contents are not
 * freed).  ZSQ_OK, or ZSQ_ENOMEM with lk zeroed.
 */
int	like_compile(struct like *lk, const char *s, size_t n);
/* 1 when the whole of s[0..n) matches lk, else 0.  Allocates nothing. */
int	like_match(const struct like *lk, const char *s, size_t n);
/*
 * The pattern's literal head, the elements before its first % or _
 * (folded, escapes resolved), into out: at most cap bytes, no NUL added.
 * Returns how many were written.  Every string the pattern matches begins
 * with bytes that fold to the head, so an ordered index can take it as a
 * prefix; a head cut at cap only widens that prefix's range.
 */
size_t	like_head(const struct like *lk, char *out, size_t cap);
void	like_free(struct like *lk);

#endif
