/* SPDX-License-Identifier: Apache-2.0 */
/* params.c - query-string decoding; see params.h. */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "base/errors.h"
#include "base/num.h"
#include "query/params.h"

void
params_begin(struct params_iter *it, const char *qs, size_t len)
{
	it->p = qs;
	it->end = qs + len;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
params_unescape(struct buf *out, const char *s, size_t n, int plus)
{
	size_t i;
	int hi, lo, c;

	/* Worst case the text is copied as is: reserve once. */
	if (buf_reserve(out, n) != ZSQ_OK)
		return ZSQ_ENOMEM;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '+' && plus)
			c = ' ';
		else if (c == '%' && n - i > 2 &&
		    (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = hexval((unsigned char)s[i + 2])) >= 0) {
			c = hi << 4 | lo;
			i += 2;
		}
		out->data[out->len++] = (char)c;
	}
	out->data[out->len] = '\0';
	return ZSQ_OK;
}

int
params_decode(struct buf *out, const char *s, size_t n)
{
	return params_unescape(out, s, n, 1);
}

void
params_trim(const char **s, size_t *n)
{
	while (*n > 0 && (unsigned char)(*s)[0] <= 0x20) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && (unsigned char)(*s)[*n - 1] <= 0x20)
		(*n)--;
}

int
params_next(struct params_iter *it, struct buf *name, struct buf *value)
{
	const char *item, *amp, *eq, *n;
	size_t nlen;

	while (it->p < it->end) {
		item = it->p;
		for (amp = item; amp < it->end && *amp != '&'; amp++)
			;
		it->p = amp < it->end ? amp + 1 : amp;
		for (eq = item; eq < amp && *eq != '='; eq++)
			;
		buf_reset(name);
		buf_reset(value);
		if (params_decode(name, item, (size_t)(eq - item)) != ZSQ_OK)
			return ZSQ_ENOMEM;
		/* Trimming happens after decoding: "%20q" is the name q. */
		n = name->data;
		nlen = name->len;
		params_trim(&n, &nlen);
		if (nlen == 0)
			continue;
		memmove(name->data, n, nlen);
		name->len = nlen;
		name->data[nlen] = '\0';
		if (eq < amp && params_decode(value, eq + 1,
		    (size_t)(amp - eq - 1)) != ZSQ_OK)
			return ZSQ_ENOMEM;
		if (value->data == NULL && buf_puts(value, "") != ZSQ_OK)
			return ZSQ_ENOMEM;
		return 1;
	}
	return 0;
}

int
params_count_value(const char *s, size_t n, int64_t *out)
{
	/*
	 * Integer.parseInt's text (one sign, ASCII digits, leading zeros),
	 * then not negative: "-0" is 0, "-1" and "-2147483648" are ints and
	 * refused all the same.
	 */
	return num_parse_i64(s, n, 0, INT32_MAX, out);
}

int
params_is_true(const char *s, size_t n)
{
	return n == 4 && strncasecmp(s, "true", 4) == 0;
}
