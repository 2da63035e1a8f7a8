/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tz.h - the name of the service time zone.
 *
 * Dates are rendered (gson.c) and timestamp literals parsed (cond.c) with
 * localtime_r/mktime, i.e. in the zone the C library takes from $TZ or,
 * when TZ is unset, from /etc/localtime.  tz_name() names that zone so
 * the store can remember which zone its records were rendered in.
 */
#ifndef ZSQ_TZ_H
#define ZSQ_TZ_H

#include <stddef.h>

/*
 * Write the zone name ("Asia/Shanghai", "UTC", ...) into out (NUL-
 * terminated, truncated to n).  $TZ wins, a leading ':' dropped; then the
 * target of the /etc/localtime link below "zoneinfo/"; then
 * /etc/timezone; else "UTC".
 */
void	tz_name(char *out, size_t n);

#endif
