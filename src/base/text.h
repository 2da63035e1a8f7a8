/* SPDX-License-Identifier: Apache-2.0 */
/*
 * text.h - the small text rules every module shares, each written once:
 * what a uuid looks like, how ASCII case folds (API.md §10), and how a
 * message stays on one line.
 */
#ifndef ZSQ_TEXT_H
#define ZSQ_TEXT_H

#include <stddef.h>

#define UUID_LEN	32	/* a uuid: 32 lowercase hex characters */

/* 1 when s[0..n) is exactly UUID_LEN lowercase hex characters. */
int	text_uuid_valid(const char *s, size_t n);

/*
 * ASCII A-Z to a-z, every other byte as it is: how strings compare, sort,
 * index and match (API.md §10).
 */
static inline unsigned char
text_fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/*
 * c, or '?' for a control byte (below 0x20, and DEL): a message that
 * quotes outside input (a reply, a record, jansson's "near '...'") stays
 * one printable line, for stderr, the journal and stat.
 */
static inline char
text_printable(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f ? '?' : c;
}

/* text_printable() over s[0..n), in place. */
static inline void
text_oneline(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		s[i] = text_printable(s[i]);
}

#endif
