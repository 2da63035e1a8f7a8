/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.h - logging to stderr with syslog priority prefixes.
 *
 * Each message is one line "<N>ident[pid]: text" where N is the syslog
 * priority (LOG_ERR = 3 ...), which journald and sd-daemon parsers read as
 * the message's level.  One write(2) per line so lines from several worker
 * processes never interleave.  When stderr is a socket (journald's), a
 * line it cannot take at once is dropped rather than waited for, and the
 * next line that goes through is preceded by a count of those dropped.
 * Callers must never log a session id.
 */
#ifndef ZSQ_LOG_H
#define ZSQ_LOG_H

#include <syslog.h>

void	log_init(const char *ident);
void	log_set_level(int maxprio);	/* drop messages above this (default LOG_INFO) */
void	log_msg(int prio, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
