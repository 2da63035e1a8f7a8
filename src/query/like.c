/* SPDX-License-Identifier: Apache-2.0 */
/* like.c - like patterns: compile, match; see like.h. */
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/text.h"
#include "query/like.h"

/*
 * The KMP failure function of each %-free run of lk->pat: kmp[i] is the
 * length of the longest proper prefix of the run up to element i that
 * is also a suffix of it.  Left NULL for a pattern with a _ (its own
 * matcher, like_backtrack()).
 */
static int
compile_kmp(struct like *lk)
{
	size_t i, start = 0, k;

	for (i = 0; i < lk->len; i++)
		if (lk->pat[i] == LIKE_ONE)
			return ZSQ_OK;
	if ((lk->kmp = calloc(lk->len + 1, sizeof(*lk->kmp))) == NULL)
		return ZSQ_ENOMEM;
	for (i = 0; i < lk->len; i++) {
		if (lk->pat[i] == LIKE_ANY) {
			start = i + 1;
			continue;
		}
		if (i == start)
			continue;	/* kmp[start] = 0 */
		k = lk->kmp[i - 1];
		while (k > 0 && lk->pat[start + k] != lk->pat[i])
			k = lk->kmp[start + k - 1];
		if (lk->pat[start + k] == lk->pat[i])
			k++;
		lk->kmp[i] = (uint32_t)k;
	}
	return ZSQ_OK;
}

/* \x is a literal x, a trailing \ a literal \. */
int
like_compile(struct like *lk, const char *s, size_t n)
{
	size_t i, m = 0;
	int rc;

	memset(lk, 0, sizeof(*lk));
	if ((lk->pat = malloc((n + 1) * sizeof(*lk->pat))) == NULL)
		return ZSQ_ENOMEM;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\\' && i + 1 < n)
			lk->pat[m++] = (short)text_fold((unsigned char)s[++i]);
		else if (ch == '%')
			lk->pat[m++] = LIKE_ANY;
		else if (ch == '_')
			lk->pat[m++] = LIKE_ONE;
		else
			lk->pat[m++] = (short)text_fold(ch);
	}
	lk->len = m;
	if ((rc = compile_kmp(lk)) != ZSQ_OK)
		like_free(lk);
	return rc;
}

/* Length of the UTF-8 sequence starting at s[0] (at least 1, bounded). */
static size_t
cp_len(const unsigned char *s, size_t n)
{
	size_t i = 1;

	while (i < n && (s[i] & 0xc0) == 0x80)
		i++;
	return i;
}

/*
 * Wildcard matching with one backtrack point, the classic algorithm: on a
 * mismatch, the last % takes one more code point.  Linear space, no
 * recursion, so a hostile pattern cannot blow the stack; time up to the
 * product of the lengths.  This matcher defines like's semantics (API.md §5,
 * 10); like_linear() gives its answers faster where it can.
 */
static int
like_backtrack(const short *pat, size_t plen, const unsigned char *s,
    size_t slen)
{
	size_t si = 0, pi = 0, star_p = 0, star_s = 0;
	int star = 0;

	while (si < slen) {
		if (pi < plen && pat[pi] == LIKE_ANY) {
			star = 1;
			star_p = ++pi;
			star_s = si;
		} else if (pi < plen && pat[pi] == LIKE_ONE) {
			si += cp_len(s + si, slen - si);
			pi++;
		} else if (pi < plen && pat[pi] == text_fold(s[si])) {
			si++;
			pi++;
		} else if (star) {
			star_s += cp_len(s + star_s, slen - star_s);
			si = star_s;
			pi = star_p;
		} else
			return 0;
	}
	while (pi < plen && pat[pi] == LIKE_ANY)
		pi++;
	return pi == plen;
}

/* The run pat[0..m) (no %) equals s[0..m), folded. */
static int
run_eq(const short *pat, const unsigned char *s, size_t m)
{
	size_t i;

	for (i = 0; i < m; i++)
		if (pat[i] != text_fold(s[i]))
			return 0;
	return 1;
}

/*
 * Where a % that starts at p may end: at p itself, at the end, or at any
 * later byte that starts a code point (the backtracking matcher moves a
 * % by whole code points: lead byte and the continuation bytes after it).
 */
static int
reachable(const unsigned char *s, size_t n, size_t p, size_t q)
{
	return q == p || q == n || (q > p && (s[q] & 0xc0) != 0x80);
}

#define NO_MATCH	((size_t)-1)

/*
 * The leftmost q >= p, reachable from p, where the run pat[0..m) occurs
 * in s, found by Knuth-Morris-Pratt over folded bytes: one pass.
 */
static size_t
run_find(const short *pat, const uint32_t *kmp, size_t m,
    const unsigned char *s, size_t n, size_t p)
{
	size_t i, k = 0, q;
	int c;

	for (i = p; i < n; i++) {
		c = text_fold(s[i]);
		while (k > 0 && pat[k] != c)
			k = kmp[k - 1];
		if (pat[k] == c)
			k++;
		if (k == m) {
			q = i + 1 - m;
			if (reachable(s, n, p, q))
				return q;
			k = kmp[k - 1];
		}
	}
	return NO_MATCH;
}

/*
 * like_backtrack()'s answer for a pattern without _, in time linear in
 * the string: the head (before the first %) must match at the start, the
 * tail (after the last %) at the end, and each run between them is taken
 * at its leftmost reachable occurrence after the previous one, which is
 * where the backtracking matcher settles it too (it never moves an
 * earlier % once a later one is set).
 */
static int
like_linear(const struct like *lk, const unsigned char *s, size_t n)
{
	const short *pat = lk->pat;
	size_t plen = lk->len, pi, p, end, m, q;

	for (end = 0; end < plen && pat[end] != LIKE_ANY; end++)
		;
	if (end == plen)
		return n == plen && run_eq(pat, s, n);
	if (end > n || !run_eq(pat, s, end))
		return 0;
	p = pi = end;
	for (;;) {
		while (pi < plen && pat[pi] == LIKE_ANY)
			pi++;
		if (pi == plen)
			return 1;
		for (end = pi; end < plen && pat[end] != LIKE_ANY; end++)
			;
		m = end - pi;
		if (end == plen) {
			if (m > n - p)
				return 0;
			q = n - m;
			return reachable(s, n, p, q) && run_eq(pat + pi, s + q, m);
		}
		q = run_find(pat + pi, lk->kmp + pi, m, s, n, p);
		if (q == NO_MATCH)
			return 0;
		p = q + m;
		pi = end;
	}
}

int
like_match(const struct like *lk, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;

	if (lk->kmp != NULL)
		return like_linear(lk, s, n);
	return like_backtrack(lk->pat, lk->len, s, n);
}

size_t
like_head(const struct like *lk, char *out, size_t cap)
{
	size_t n;

	for (n = 0; n < lk->len && n < cap && lk->pat[n] >= 0; n++)
		out[n] = (char)lk->pat[n];
	return n;
}

void
like_free(struct like *lk)
{
	free(lk->pat);
	free(lk->kmp);
	memset(lk, 0, sizeof(*lk));
}
