/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_like.c - like patterns (like.h) on their own: `%` and `_`, escapes
 * (a lone trailing backslash included), ASCII-only case folding, empty
 * patterns and strings, whole-string matching, and the code point quirks
 * like.h documents.  Each answer is checked with both matchers: the
 * linear one, and the backtracking one that defines the semantics (forced
 * by dropping the failure function).  Then like_head(), which the planner
 * takes as an index prefix, and which patterns get the linear matcher.
 * test_cond.c checks like and not like inside conditions, and the linear
 * matcher against the reference on random patterns.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "query/like.h"
#include "t.h"

/*
 * pat[0..plen) on s[0..slen) must answer want, with whichever matcher the
 * pattern gets and then with the backtracking one.
 */
static void
like_is_n(const char *pat, size_t plen, const char *s, size_t slen, int want)
{
	struct like lk;
	int got, back;

	if (like_compile(&lk, pat, plen) != ZSQ_OK) {
		CHECK(0);
		return;
	}
	got = like_match(&lk, s, slen);
	free(lk.kmp);
	lk.kmp = NULL;
	back = like_match(&lk, s, slen);
	CHECK(got == want && back == want);
	if (got != want || back != want)
		fprintf(stderr, "like '%.*s' on '%.*s': got %d, backtracking "
		    "%d, want %d\n", (int)plen, pat, (int)slen, s, got, back,
		    want);
	like_free(&lk);
}

static void
like_is(const char *pat, const char *s, int want)
{
	like_is_n(pat, strlen(pat), s, strlen(s), want);
}

static void
test_wildcards(void)
{
	/* The whole string must match: an empty pattern only "". */
	like_is("", "", 1);
	like_is("", "a", 0);
	like_is("abc", "abc", 1);
	like_is("abc", "abcd", 0);
	like_is("abc", "ab", 0);
	like_is("abc", "xabc", 0);
	/* Trailing spaces count (no PAD SPACE). */
	like_is("a", "a ", 0);
	like_is("a%", "a ", 1);

	/* % is any run, the empty one included. */
	like_is("%", "", 1);
	like_is("%", "anything", 1);
	like_is("%%", "", 1);
	like_is("%%%", "xyz", 1);
	like_is("a%", "a", 1);
	like_is("a%", "abc", 1);
	like_is("a%", "ba", 0);
	like_is("%a", "cba", 1);
	like_is("%a", "ab", 0);
	like_is("%b%", "abc", 1);
	like_is("%b%", "b", 1);
	like_is("%b%", "ac", 0);
	like_is("a%%b", "ab", 1);
	like_is("a%b%c", "abc", 1);
	like_is("a%b%c", "a-b-c", 1);
	like_is("a%b%c", "axxbyyczzc", 1);
	like_is("a%b%c", "acb", 0);
	like_is("a%b%c", "abcx", 0);
	/* Runs that need the failure function, and overlapping runs. */
	like_is("%aab%", "aaab", 1);
	like_is("%abcabd%", "abcabcabd", 1);
	like_is("%abab", "ababab", 1);
	like_is("%aa%aa", "aaa", 0);
	like_is("%aa%aa", "aaaa", 1);
	like_is("%ab%ab%", "abab", 1);
	like_is("%ab%ab%", "aba", 0);

	/* _ is exactly one character. */
	like_is("_", "", 0);
	like_is("_", "a", 1);
	like_is("_", "ab", 0);
	like_is("__", "ab", 1);
	like_is("a_c", "abc", 1);
	like_is("a_c", "ac", 0);
	like_is("a_c", "abbc", 0);
	like_is("%_", "", 0);
	like_is("%_", "x", 1);
	like_is("_%_", "x", 0);
	like_is("_%_", "xy", 1);
	like_is("%a_c%", "xxabxabcyy", 1);
	like_is("%a_c", "abcabd", 0);
	like_is("%a_c", "abdabc", 1);
}

static void
test_escapes(void)
{
	/* \% \_ \\ are themselves. */
	like_is("\\%", "%", 1);
	like_is("\\%", "a", 0);
	like_is("\\%", "", 0);
	like_is("100\\%", "100%", 1);
	like_is("100\\%", "1000", 0);
	like_is("%\\%", "50%", 1);
	like_is("%\\%", "50", 0);
	like_is("\\_", "_", 1);
	like_is("\\_", "a", 0);
	like_is("a\\_%", "a_b", 1);
	like_is("a\\_%", "ab_", 0);
	like_is("\\\\", "\\", 1);
	like_is("\\\\", "\\\\", 0);
	like_is("\\\\%", "\\x", 1);
	/* \x is x for any x, folded like any literal. */
	like_is("\\a", "a", 1);
	like_is("\\a", "A", 1);
	like_is("\\A", "a", 1);
	like_is("\\a", "\\a", 0);
	/* A lone trailing backslash is a literal backslash. */
	like_is("\\", "\\", 1);
	like_is("\\", "", 0);
	like_is("a\\", "a\\", 1);
	like_is("a\\", "a", 0);
	like_is("%\\", "x\\", 1);
	like_is("%\\", "x", 0);
	/* "\\\\" then a lone "\\": two backslashes. */
	like_is("\\\\\\", "\\\\", 1);
}

static void
test_case(void)
{
	/* ASCII A-Z fold both ways, in the pattern and in the string. */
	like_is("abc", "ABC", 1);
	like_is("ABC", "abc", 1);
	like_is("aBc", "AbC", 1);
	like_is("%LARGE%", "qwen-large-7b", 1);
	like_is("q%B", "QWEN2-7b", 1);
	/* Nothing else folds: É (c3 89) is not é (c3 a9). */
	like_is("\xc3\x89", "\xc3\xa9", 0);
	like_is("\xc3\x89", "\xc3\x89", 1);
	like_is("%\xc3\x89%", "caf\xc3\xa9s", 0);
	/* Non-letters next to the letters do not fold: [ is not {. */
	like_is("[", "{", 0);
	like_is("@", "`", 0);
}

static void
test_code_points(void)
{
	/* _ takes a whole code point: é is 2 bytes, the euro sign 3. */
	like_is("_", "\xc3\xa9", 1);
	like_is("__", "\xc3\xa9", 0);
	like_is("_", "\xe2\x82\xac", 1);
	like_is("caf_", "caf\xc3\xa9", 1);
	like_is("caf__", "caf\xc3\xa9", 0);
	like_is("_x", "\xe2\x82\xacx", 1);
	/* No UTF-8 is validated: a lead byte and whatever continuation
	   bytes follow it are one code point, however many; a stray
	   continuation run or a cut sequence is one too. */
	like_is("_", "\xc3", 1);
	like_is("_", "\xa9", 1);
	like_is("_", "\xa9\xa9\xa9", 1);
	like_is("_", "\xc3\xa9\xa9", 1);
	like_is("__", "\xc3\xc3", 1);
	/* Literals compare bytes: a pattern byte can match a lead byte,
	   leaving the rest for what follows. */
	like_is("\xc3%", "\xc3\xa9", 1);
	like_is("\xc3_", "\xc3\xa9", 1);
	/* But % moves by whole code points: a literal after it starts a
	   code point (or is at the end), so a continuation byte there is
	   never reached. */
	like_is("%\xa9", "\xc3\xa9", 0);
	like_is("%\xa9%", "\xc3\xa9", 0);
	like_is("_\xa9", "\xc3\xa9", 0);
	like_is("%\xc3\xa9", "caf\xc3\xa9", 1);
	like_is("%\xa9", "\xa9", 1);		/* at the start: % empty */
	like_is("%\xa9%", "\xa9x", 1);
	/* Any byte leads a code point, an ASCII one too: "x\xa9" is one. */
	like_is("_", "x\xa9", 1);
	like_is("%\xa9", "x\xa9", 0);
	like_is("x%", "x\xa9", 1);
}

/* A NUL is a byte like another (a decoded %00 reaches the pattern). */
static void
test_nul(void)
{
	like_is_n("a\0b", 3, "a\0b", 3, 1);
	like_is_n("a\0b", 3, "a", 1, 0);
	like_is_n("a%", 2, "a\0", 2, 1);
	like_is_n("%\0", 2, "xy\0", 3, 1);
	like_is_n("_", 1, "\0", 1, 1);
}

static void
head_is(const char *pat, size_t cap, const char *want)
{
	struct like lk;
	char out[64];
	size_t n;

	memset(out, '#', sizeof(out));
	CHECK(like_compile(&lk, pat, strlen(pat)) == ZSQ_OK);
	n = like_head(&lk, out, cap);
	CHECK_MEM(out, n, want);
	CHECK(n == sizeof(out) || out[n] == '#');	/* nothing past it */
	like_free(&lk);
}

static void
test_head(void)
{
	head_is("abc%", 64, "abc");
	head_is("abc", 64, "abc");
	head_is("ABC%d", 64, "abc");		/* folded */
	head_is("a\\%b%", 64, "a%b");		/* unescaped */
	head_is("a\\_b_", 64, "a_b");
	head_is("ab_c%", 64, "ab");
	head_is("%abc", 64, "");
	head_is("_abc", 64, "");
	head_is("", 64, "");
	head_is("a\\", 64, "a\\");
	head_is("abcdef%", 3, "abc");		/* cut at cap */
	head_is("abc%", 0, "");
	head_is("\xc3\xa9t\xc3\xa9%", 64, "\xc3\xa9t\xc3\xa9");
}

static void
linear_is(const char *pat, int want)
{
	struct like lk;

	CHECK(like_compile(&lk, pat, strlen(pat)) == ZSQ_OK);
	CHECK((lk.kmp != NULL) == want);
	like_free(&lk);
}

/* Which matcher a pattern gets, and what like_free() leaves. */
static void
test_compile(void)
{
	struct like lk;

	linear_is("", 1);
	linear_is("%", 1);
	linear_is("%a%b%", 1);
	linear_is("a\\_b", 1);		/* an escaped _ is a literal */
	linear_is("a_b", 0);
	linear_is("%_", 0);
	/* Escapes are resolved: "\\%" is one element, "a\\" two. */
	CHECK(like_compile(&lk, "\\%", 2) == ZSQ_OK);
	CHECK(lk.len == 1 && lk.pat[0] == '%');
	like_free(&lk);
	CHECK(like_compile(&lk, "a\\", 2) == ZSQ_OK);
	CHECK(lk.len == 2 && lk.pat[0] == 'a' && lk.pat[1] == '\\');
	like_free(&lk);
	CHECK(like_compile(&lk, "A%_", 3) == ZSQ_OK);
	CHECK(lk.len == 3 && lk.pat[0] == 'a' && lk.pat[1] == LIKE_ANY &&
	    lk.pat[2] == LIKE_ONE);
	like_free(&lk);
	CHECK(lk.pat == NULL && lk.kmp == NULL && lk.len == 0);
	like_free(&lk);				/* twice is harmless */
	CHECK(lk.pat == NULL);
}

int
main(void)
{
	test_wildcards();
	test_escapes();
	test_case();
	test_code_points();
	test_nul();
	test_head();
	test_compile();
	return t_done();
}
