/* SPDX-License-Identifier: Apache-2.0 */
/* num.c - decimal integers; see num.h. */
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "base/num.h"

int
num_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	unsigned d;
	size_t i;

	if (n == 0)
		return ZSQ_EINVAL;
	for (i = 0; i < n; i++) {
		d = (unsigned)((unsigned char)s[i] - '0');
		/* v * 10 + d > max, asked without computing it. */
		if (d > 9 || v > max / 10 || (v == max / 10 && d > max % 10))
			return ZSQ_EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return ZSQ_OK;
}

int
num_parse_size(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	unsigned shift = 0;
	uint64_t v;

	if (n > 0) {
		switch (s[n - 1]) {
		case 'K': case 'k':	shift = 10; break;
		case 'M': case 'm':	shift = 20; break;
		case 'G': case 'g':	shift = 30; break;
		case 'T': case 't':	shift = 40; break;
		}
	}
	if (num_parse_u64(s, n - (shift != 0), max >> shift, &v) != ZSQ_OK)
		return ZSQ_EINVAL;
	*out = v << shift;
	return ZSQ_OK;
}

int
num_parse_i64(const char *s, size_t n, int64_t min, int64_t max,
    int64_t *out)
{
	uint64_t u;
	int64_t v;
	int neg = 0;

	if (n > 0 && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		s++;
		n--;
	}
	/* The magnitude first: up to 2^63 negated, 2^63 - 1 else. */
	if (num_parse_u64(s, n, neg ? (uint64_t)INT64_MAX + 1 :
	    (uint64_t)INT64_MAX, &u) != ZSQ_OK)
		return ZSQ_EINVAL;
	/* Negated without overflow, INT64_MIN included. */
	v = neg && u > 0 ? -(int64_t)(u - 1) - 1 : (int64_t)u;
	if (v < min || v > max)
		return ZSQ_EINVAL;
	*out = v;
	return ZSQ_OK;
}
