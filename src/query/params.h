/* SPDX-License-Identifier: Apache-2.0 */
/*
 * params.h - decoding an application/x-www-form-urlencoded query string
 * (API.md §4, 10), the way a Java servlet container hands parameters to
 * ZStack: split on '&', each item at its first '=', '+' is a space and
 * %XX a byte.
 *
 * Caveat: a malformed escape ('%' not followed by two hex digits) is kept
 * as the literal bytes rather than rejected: Java's URLDecoder would throw,
 * and a servlet container then drops the whole parameter silently, which
 * is worse for a client to debug than seeing its text come back in a 400.
 */
#ifndef ZSQ_PARAMS_H
#define ZSQ_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

struct params_iter {
	const char	*p;
	const char	*end;
};

void	params_begin(struct params_iter *it, const char *qs, size_t len);
/*
 * Decode the next item into name (trimmed, API.md §4) and value (decoded,
 * not trimmed).  An item without '=' has an empty value.  Items whose
 * trimmed name is empty are skipped (API.md §10).  Returns 1 with name and
 * value filled (both NUL-terminated bufs), 0 at the end, or ZSQ_ENOMEM
 * when a buffer cannot grow.
 */
int	params_next(struct params_iter *it, struct buf *name,
	    struct buf *value);

/*
 * Append the percent-decoding of s[0..n) to out, malformed escapes kept
 * (see above); '+' is a space when plus is set (a query string), itself
 * otherwise (a path, route.h).  ZSQ_OK or ZSQ_ENOMEM.
 */
int	params_unescape(struct buf *out, const char *s, size_t n, int plus);
/* The form decoding of a query string item: params_unescape(.., 1). */
int	params_decode(struct buf *out, const char *s, size_t n);

/*
 * Trim characters <= U+0020 at both ends, as Java's String.trim() does;
 * sets *s and *n to the inner range.
 */
void	params_trim(const char **s, size_t *n);

/*
 * API.md §10 limit/start: optional sign, ASCII digits, within 32 bits, not
 * negative ("-0" is 0).  ZSQ_OK with *out set, or ZSQ_EINVAL.
 */
int	params_count_value(const char *s, size_t n, int64_t *out);

/* "true" in any case (API.md §4 count, replyWithCount). */
int	params_is_true(const char *s, size_t n);

#endif
