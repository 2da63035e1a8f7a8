/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock.h - the clocks zsquery reads, as integers.  On Linux each is a
 * vDSO read, no system call: cheap enough for every request.
 *
 *   now_ms(CLOCK_REALTIME)          epoch ms: expiries, time stamps
 *   now_ms(CLOCK_MONOTONIC)         intervals and deadlines (no jumps)
 *   now_ms(CLOCK_MONOTONIC_COARSE)  limits counted in seconds (a tick,
 *                                     1-4 ms, is precision enough)
 *   now_ns(CLOCK_MONOTONIC)         latencies
 */
#ifndef ZSQ_CLOCK_H
#define ZSQ_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t
now_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline uint64_t
now_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

#endif
