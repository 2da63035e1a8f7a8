/*
 * log.h - logging to stderr with syslog priority prefixes.
 *
 * Each message is one line "<N>ident[pid]: text" where N is the syslog
 * priority (LOG_ERR = 3 ...), which journald and sd-daemon parsers read as
 * the message's level.  One write(2) per line so lines from several worker
 * processes never interleave.  Callers must never log a session id.
 */
#ifndef ZSQ_LOG_H
#define ZSQ_LOG_H

#include <syslog.h>

void	log_init(const char *ident);
void	log_set_level(int maxprio);	/* drop messages above this (default LOG_INFO) */
void	log_msg(int prio, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
