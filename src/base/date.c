/* SPDX-License-Identifier: Apache-2.0 */
/* date.c - reading dates; see date.h. */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "base/date.h"
#include "base/errors.h"
#include "base/num.h"

const char date_months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* A cursor over the text being parsed. */
struct cur {
	const char	*p, *end;
};

/* Between min (> 0) and max (< 10) ASCII digits, as many as there are. */
static int
cur_num(struct cur *c, int min, int max, int *out)
{
	size_t n = 0;
	uint64_t v;

	while (n < (size_t)max && n < (size_t)(c->end - c->p) &&
	    c->p[n] >= '0' && c->p[n] <= '9')
		n++;
	if (n < (size_t)min || num_parse_u64(c->p, n, 999999999, &v) != ZSQ_OK)
		return 0;
	c->p += n;
	*out = (int)v;
	return 1;
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
date_mktime(int y, int mon, int d, int h, int mi, int s, int64_t *out)
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
		if (cur_lit(c, date_months[mon]))
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
	return date_mktime(y, mon + 1, d, h, mi, s, out);
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
		return date_mktime(y, mon, d, h, mi, s, out);
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
date_parse(const char *s, size_t n, int64_t *epoch_seconds)
{
	struct cur c = { s, s + n };

	if (n == 0)
		return ZSQ_EINVAL;
	if (*s >= '0' && *s <= '9')
		return parse_iso(&c, epoch_seconds);
	return parse_gson(&c, epoch_seconds);
}
