/*
 * gson.h - the bits of Gson's output format ZStack replies depend on
 * (API.md §6): string escaping and Java 8 date rendering, plus the date
 * forms the importer accepts (API.md §9).
 *
 * Dates are rendered and local times parsed in the service time zone, i.e.
 * whatever localtime_r()/mktime() use ($TZ or /etc/localtime, see tz.h).
 */
#ifndef ZSQ_GSON_H
#define ZSQ_GSON_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/*
 * Append s[0..n) as a JSON string literal, quotes included.  Like Gson:
 * '"' and '\' as \" and \\; \b \t \n \f \r short; other bytes below 0x20
 * as \u00xx (lowercase hex); U+2028 and U+2029 as \u2028 \u2029; other
 * UTF-8 raw.  html_safe (success bodies) also turns < > & = ' into
 * \u003c \u003e \u0026 \u003d \u0027; error bodies pass 0.
 * A byte that is not part of valid UTF-8 becomes \ufffd, so the output is
 * valid JSON whatever the input (a Java string cannot hold such bytes).
 * Returns ZSQ_OK or ZSQ_ENOMEM.
 */
int	json_escape(struct buf *b, const char *s, size_t n, int html_safe);

/*
 * Append a date the way Java 8 Gson renders it by default, without
 * quotes: "Nov 14, 2017 10:20:57 PM" (Locale.US "MMM d, yyyy h:mm:ss a")
 * in the service zone.  ZSQ_OK, ZSQ_ENOMEM, or ZSQ_EINVAL when the time
 * cannot be broken down.
 */
int	gson_date(struct buf *b, int64_t epoch_seconds);

/*
 * A double as Java's Double.toString writes it (Gson does): the shortest
 * digits that read back to the same value, in plain notation ("0.1",
 * "100.0") for 1e-3 <= |d| < 1e7, else as "1.0E7" / "-2.5E-4".  JSON
 * has no NaN or infinity, so d is finite.
 */
int	gson_double(struct buf *b, double d);

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
int	gson_parse_date(const char *s, size_t n, int64_t *epoch_seconds);

/*
 * A local date and time in the service zone (DST guessed as mktime does)
 * to seconds since the epoch, after checking that the date exists and
 * every field is in range: ZSQ_OK, or ZSQ_EINVAL (also when mktime cannot
 * represent it).  The one date check of both import and q literals.
 * Thread-safe; results are cached per day where the day has one offset.
 */
int	gson_local_time(int y, int mon, int d, int h, int mi, int s,
	    int64_t *out);

#endif
