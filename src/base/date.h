/* SPDX-License-Identifier: Apache-2.0 */
/*
 * date.h - reading dates: the forms the importer accepts (API.md §9) and
 * the one check and conversion of a local date and time, which q's
 * timestamp literals use too.  Writing them is Gson's (gson.h).
 *
 * Local times are in the service time zone, i.e. whatever mktime() uses
 * ($TZ or /etc/localtime, see tz.h).
 */
#ifndef ZSQ_DATE_H
#define ZSQ_DATE_H

#include <stddef.h>
#include <stdint.h>

/* "Jan" .. "Dec": Locale.US's short month names, read and written. */
extern const char date_months[12][4];

/*
 * Parse a date of n bytes into seconds since the epoch.  Accepted:
 *   Nov 14, 2017 10:20:57 PM     Gson (Java 8); also with a comma after
 *                                the year, or U+202F before AM/PM (Java 9+)
 *   2017-11-14T22:20:57Z         ISO 8601; optional .fraction (dropped),
 *                                zone Z, +hh:mm, +hhmm or +hh, or none
 *   2017-11-14 22:20:57          service zone
 * Times without a zone are in the service zone (mktime, DST guessed).
 * The date must exist (no Feb 30) and fields be in range.
 * Returns ZSQ_OK or ZSQ_EINVAL.  Epoch milliseconds are JSON integers and
 * handled by the caller.
 */
int	date_parse(const char *s, size_t n, int64_t *epoch_seconds);

/*
 * A local date and time in the service zone (DST guessed as mktime does)
 * to seconds since the epoch, after checking that the date exists and
 * every field is in range: ZSQ_OK, or ZSQ_EINVAL (also when mktime cannot
 * represent it).  The one date check of both import and q literals.
 * Thread-safe; results are cached per day where the day has one offset.
 */
int	date_mktime(int y, int mon, int d, int h, int mi, int s,
	    int64_t *out);

#endif
