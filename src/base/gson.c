/* gson.c - Gson's string escaping and date format; see gson.h. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/errors.h"
#include "base/gson.h"
#include "base/num.h"

static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

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
json_escape(struct buf *b, const char *s, size_t n, int html_safe)
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
	return buf_printf(b, "%s %d, %04d %d:%02d:%02d %s", months[tm.tm_mon],
	    tm.tm_mday, tm.tm_year + 1900, h == 0 ? 12 : h, tm.tm_min,
	    tm.tm_sec, tm.tm_hour < 12 ? "AM" : "PM");
}

/* A cursor over the text being parsed. */
struct cur {
	const char	*p, *end;
};

/* Between min and max ASCII digits into *out. */
static int
cur_num(struct cur *c, int min, int max, int *out)
{
	int n = 0, v = 0;

	while (c->p < c->end && n < max && *c->p >= '0' && *c->p <= '9') {
		v = v * 10 + (*c->p++ - '0');
		n++;
	}
	*out = v;
	return n >= min;
}

static int
cur_lit(struct cur *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0)
		return 0;
	c->p += n;
	return 1;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
date_ok(int y, int mon, int d, int h, int mi, int s)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (y < 1 || mon < 1 || mon > 12 || d < 1 || h > 23 || mi > 59 ||
	    s > 59)
		return 0;
	return d <= mdays[mon - 1] + (mon == 2 && leap(y));
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* mktime for one local time; 0 when it gives up. */
static int
mktime_of(int y, int mon, int d, int h, int mi, int s, int64_t *out,
    int *isdst)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	/* -1 is also 1969-12-31 23:59:59 UTC: tell by the normalised tm. */
	if (t == (time_t)-1 && (tm.tm_year != y - 1900 || tm.tm_sec != s))
		return 0;
	*out = (int64_t)t;
	*isdst = tm.tm_isdst;
	return 1;
}

/*
 * mktime re-reads the zone on every call (a stat of /etc/localtime) and
 * an import converts tens of dates per group: remember, per thread, the
 * start of recent days whose 86400 seconds all have one offset, and add
 * the time of day to it.  A day with a transition in it is never cached:
 * mktime decides each of its times.
 */
#define DAY_CACHE	4096

struct day_ent {
	int64_t		 key;		/* y, mon, d; 0: empty */
	int64_t		 base;		/* epoch of 00:00:00 */
};

static __thread struct day_ent day_cache[DAY_CACHE];
/*
 * The zone the cache was filled in, as the last tzset() left it (the
 * names are compared as pointers: glibc keeps one copy of each, and reading
 * the strings could race a tzset() on another thread).
 */
static __thread long cache_tz;
static __thread int cache_dl;
static __thread const char *cache_name[2];

/* Forget the cache when tzset() has moved to another zone since. */
static void
day_cache_check(void)
{
	if (cache_tz == timezone && cache_dl == daylight &&
	    cache_name[0] == tzname[0] && cache_name[1] == tzname[1])
		return;
	memset(day_cache, 0, sizeof(day_cache));
	cache_tz = timezone;
	cache_dl = daylight;
	cache_name[0] = tzname[0];
	cache_name[1] = tzname[1];
}

int
gson_local_time(int y, int mon, int d, int h, int mi, int s, int64_t *out)
{
	struct day_ent *e;
	int64_t key, t0, t1;
	int dst0, dst1;

	if (!date_ok(y, mon, d, h, mi, s))
		return ZSQ_EINVAL;
	day_cache_check();
	key = ((int64_t)y * 16 + mon) * 32 + d;
	e = &day_cache[(uint64_t)key % DAY_CACHE];
	if (e->key == key) {
		*out = e->base + h * 3600 + mi * 60 + s;
		return ZSQ_OK;
	}
	if (mktime_of(y, mon, d, 0, 0, 0, &t0, &dst0) &&
	    mktime_of(y, mon, d, 23, 59, 59, &t1, &dst1) &&
	    t1 - t0 == 86399 && dst0 == dst1) {
		e->key = key;
		e->base = t0;
		*out = t0 + h * 3600 + mi * 60 + s;
		return ZSQ_OK;
	}
	return mktime_of(y, mon, d, h, mi, s, out, &dst0) ? ZSQ_OK :
	    ZSQ_EINVAL;
}

/* "Nov 14, 2017 10:20:57 PM" and its Java 9+ variants. */
static int
parse_gson(struct cur *c, int64_t *out)
{
	int mon, d, y, h, mi, s, pm;

	for (mon = 0; mon < 12; mon++)
		if (cur_lit(c, months[mon]))
			break;
	if (mon == 12 || !cur_lit(c, " ") || !cur_num(c, 1, 2, &d) ||
	    !cur_lit(c, ", ") || !cur_num(c, 4, 4, &y))
		return ZSQ_EINVAL;
	(void)cur_lit(c, ",");
	if (!cur_lit(c, " ") || !cur_num(c, 1, 2, &h) || !cur_lit(c, ":") ||
	    !cur_num(c, 2, 2, &mi) || !cur_lit(c, ":") ||
	    !cur_num(c, 2, 2, &s))
		return ZSQ_EINVAL;
	if (!cur_lit(c, " ") && !cur_lit(c, "\xe2\x80\xaf"))
		return ZSQ_EINVAL;
	if (cur_lit(c, "AM"))
		pm = 0;
	else if (cur_lit(c, "PM"))
		pm = 1;
	else
		return ZSQ_EINVAL;
	if (c->p != c->end || h < 1 || h > 12)
		return ZSQ_EINVAL;
	h = h % 12 + (pm ? 12 : 0);
	return gson_local_time(y, mon + 1, d, h, mi, s, out);
}

/* ISO 8601 and "YYYY-MM-DD HH:MM:SS". */
static int
parse_iso(struct cur *c, int64_t *out)
{
	int y, mon, d, h, mi, s, frac, oh, om = 0, sign;

	if (!cur_num(c, 4, 4, &y) || !cur_lit(c, "-") ||
	    !cur_num(c, 2, 2, &mon) || !cur_lit(c, "-") ||
	    !cur_num(c, 2, 2, &d) ||
	    (!cur_lit(c, "T") && !cur_lit(c, " ")) ||
	    !cur_num(c, 2, 2, &h) || !cur_lit(c, ":") ||
	    !cur_num(c, 2, 2, &mi) || !cur_lit(c, ":") ||
	    !cur_num(c, 2, 2, &s))
		return ZSQ_EINVAL;
	/* Dates keep second precision: the fraction is dropped. */
	if (cur_lit(c, ".") && !cur_num(c, 1, 9, &frac))
		return ZSQ_EINVAL;
	if (!date_ok(y, mon, d, h, mi, s))
		return ZSQ_EINVAL;
	if (c->p == c->end)
		return gson_local_time(y, mon, d, h, mi, s, out);
	if (cur_lit(c, "Z"))
		oh = 0;
	else {
		if (cur_lit(c, "+"))
			sign = 1;
		else if (cur_lit(c, "-"))
			sign = -1;
		else
			return ZSQ_EINVAL;
		if (!cur_num(c, 2, 2, &oh))
			return ZSQ_EINVAL;
		if (c->p != c->end) {
			(void)cur_lit(c, ":");
			if (!cur_num(c, 2, 2, &om))
				return ZSQ_EINVAL;
		}
		if (oh > 23 || om > 59)
			return ZSQ_EINVAL;
		oh *= sign;
		om *= sign;
	}
	if (c->p != c->end)
		return ZSQ_EINVAL;
	*out = days_from_civil(y, mon, d) * 86400 + h * 3600 + mi * 60 + s -
	    (oh * 3600 + om * 60);
	return ZSQ_OK;
}

int
gson_parse_date(const char *s, size_t n, int64_t *epoch_seconds)
{
	struct cur c = { s, s + n };

	if (n == 0)
		return ZSQ_EINVAL;
	if (*s >= '0' && *s <= '9')
		return parse_iso(&c, epoch_seconds);
	return parse_gson(&c, epoch_seconds);
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
