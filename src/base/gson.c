/* SPDX-License-Identifier: Apache-2.0 */
/* gson.c - Gson's string escaping, dates and doubles; see gson.h. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/date.h"
#include "base/errors.h"
#include "base/gson.h"
#include "base/num.h"

/* Length of the valid UTF-8 sequence at s (n > 0 bytes left), or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

int
gson_escape(struct buf *b, const char *s, size_t n, int html_safe)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + n;
	const unsigned char *run;
	char esc[8];
	size_t seq;

	if (buf_putc(b, '"') != ZSQ_OK)
		return ZSQ_ENOMEM;
	while (p < end) {
		/* Copy the longest run that needs no escaping in one go. */
		run = p;
		for (;;) {
			if (p == end || *p < 0x20 || *p == '"' || *p == '\\')
				break;
			if (html_safe && (*p == '<' || *p == '>' ||
			    *p == '&' || *p == '=' || *p == '\''))
				break;
			if (*p < 0x80) {
				p++;
				continue;
			}
			seq = utf8_seq(p, (size_t)(end - p));
			if (seq == 0 || (seq == 3 && p[0] == 0xe2 &&
			    p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)))
				break;
			p += seq;
		}
		if (p > run && buf_append(b, run, (size_t)(p - run)) != ZSQ_OK)
			return ZSQ_ENOMEM;
		if (p == end)
			break;
		switch (*p) {
		case '"':	strcpy(esc, "\\\""); break;
		case '\\':	strcpy(esc, "\\\\"); break;
		case '\b':	strcpy(esc, "\\b"); break;
		case '\t':	strcpy(esc, "\\t"); break;
		case '\n':	strcpy(esc, "\\n"); break;
		case '\f':	strcpy(esc, "\\f"); break;
		case '\r':	strcpy(esc, "\\r"); break;
		case 0xe2:
			if (utf8_seq(p, (size_t)(end - p)) == 3) {
				/* U+2028 or U+2029: JavaScript line ends. */
				snprintf(esc, sizeof(esc), "\\u202%c",
				    p[2] == 0xa8 ? '8' : '9');
				p += 2;
			} else
				strcpy(esc, "\\ufffd");
			break;
		default:
			if (*p >= 0x80)
				strcpy(esc, "\\ufffd");
			else
				snprintf(esc, sizeof(esc), "\\u%04x", *p);
			break;
		}
		p++;
		if (buf_puts(b, esc) != ZSQ_OK)
			return ZSQ_ENOMEM;
	}
	return buf_putc(b, '"');
}

int
gson_date(struct buf *b, int64_t epoch_seconds)
{
	time_t t = (time_t)epoch_seconds;
	struct tm tm;
	int h;

	if ((int64_t)t != epoch_seconds || localtime_r(&t, &tm) == NULL)
		return ZSQ_EINVAL;
	h = tm.tm_hour % 12;
	return buf_printf(b, "%s %d, %04d %d:%02d:%02d %s",
	    date_months[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900,
	    h == 0 ? 12 : h, tm.tm_min, tm.tm_sec,
	    tm.tm_hour < 12 ? "AM" : "PM");
}

int
gson_double(struct buf *b, double d)
{
	char tmp[40], digits[20];
	int prec, exp, nd, i, rc;
	int64_t e = 0;
	const char *p;

	if (d == 0)
		return buf_puts(b, signbit(d) ? "-0.0" : "0.0");
	/* The shortest mantissa that reads back to d. */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	/* tmp is "-d.ddde+XX": collect the digits and the exponent. */
	p = tmp;
	if (*p == '-' && (rc = buf_putc(b, *p++)) != ZSQ_OK)
		return rc;
	for (nd = 0; *p != 'e' && nd < (int)sizeof(digits); p++)
		if (*p != '.')
			digits[nd++] = *p;
	/* printf's exponent: a sign and two or three digits. */
	(void)num_parse_i64(p + 1, strlen(p + 1), INT_MIN, INT_MAX, &e);
	exp = (int)e;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (exp >= -3 && exp < 7) {
		/* Plain: digits around the point, at least one after it. */
		if (exp < 0) {
			rc = buf_puts(b, "0.");
			for (i = -1; rc == ZSQ_OK && i > exp; i--)
				rc = buf_putc(b, '0');
			return rc ? rc : buf_append(b, digits, (size_t)nd);
		}
		for (i = 0; i <= exp; i++)
			if ((rc = buf_putc(b, i < nd ? digits[i] : '0')))
				return rc;
		if ((rc = buf_putc(b, '.')) != ZSQ_OK)
			return rc;
		if (nd <= exp + 1)
			return buf_putc(b, '0');
		return buf_append(b, digits + exp + 1, (size_t)(nd - exp - 1));
	}
	if ((rc = buf_putc(b, digits[0])) || (rc = buf_putc(b, '.')) ||
	    (rc = nd > 1 ? buf_append(b, digits + 1, (size_t)(nd - 1)) :
	    buf_putc(b, '0')))
		return rc;
	return buf_printf(b, "E%d", exp);
}
