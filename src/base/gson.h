/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gson.h - the bits of Gson's output format ZStack replies depend on
 * (API.md §6): string escaping, Java 8 date rendering and doubles.  The
 * date forms the importer reads are date.h's.
 *
 * Dates are rendered in the service time zone, i.e. whatever
 * localtime_r() uses ($TZ or /etc/localtime, see tz.h).
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
int	gson_escape(struct buf *b, const char *s, size_t n, int html_safe);

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

#endif
