/* SPDX-License-Identifier: Apache-2.0 */
/*
 * num.h - reading a decimal integer: the one parser every module uses
 * (strictly, in the spirit of nginx's ngx_atoi).
 *
 * Contract: the whole of s[0..n) is the number; s need not be NUL-
 * terminated.  Accepted are ASCII digits only (leading zeros too: "007"
 * is 7), at least one, and for the signed form one '+' or '-' before
 * them ("-0" is 0).  Refused with ZSQ_EINVAL, *out untouched: an empty
 * text, a sign alone, any other byte (white space, a second sign, a
 * point, a NUL), and a value out of the caller's range, however many
 * digits it has (no wrap-around).  What a caller accepts beyond this
 * (white space around, a fraction) it reads itself.
 */
#ifndef ZSQ_NUM_H
#define ZSQ_NUM_H

#include <stddef.h>
#include <stdint.h>

/* Digits only, value <= max: ZSQ_OK with *out set, or ZSQ_EINVAL. */
int	num_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out);

/* An optional sign, digits, min <= value <= max: ZSQ_OK or ZSQ_EINVAL. */
int	num_parse_i64(const char *s, size_t n, int64_t min, int64_t max,
	    int64_t *out);

/*
 * A size: digits with an optional unit K, M, G or T (either case, powers
 * of 1024: "64M" is 67108864), value <= max.  ZSQ_OK or ZSQ_EINVAL.
 */
int	num_parse_size(const char *s, size_t n, uint64_t max, uint64_t *out);

#endif
