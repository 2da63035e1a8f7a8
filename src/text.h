/*
 * text.h - the small text rules every module shares, each written once:
 * what a uuid looks like and how ASCII case folds (API.md §10).
 */
#ifndef ZSQ_TEXT_H
#define ZSQ_TEXT_H

#include <stddef.h>

#define UUID_LEN	32	/* a uuid: 32 lowercase hex characters */

/* 1 when s[0..n) is exactly UUID_LEN lowercase hex characters. */
int	uuid_valid(const char *s, size_t n);

/*
 * ASCII A-Z to a-z, every other byte as it is: how strings compare, sort,
 * index and match (API.md §10).
 */
static inline unsigned char
text_fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

#endif
