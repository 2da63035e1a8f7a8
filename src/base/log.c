/* SPDX-License-Identifier: Apache-2.0 */
/* log.c - stderr logging with syslog priorities; see log.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"

static const char *log_ident = "zsquery";
static int log_level = LOG_INFO;
static atomic_ulong log_dropped;	/* lines the log could not take */

void
log_init(const char *ident)
{
	log_ident = ident;
}

void
log_set_level(int maxprio)
{
	log_level = maxprio;
}

/*
 * One line to stderr.  Under systemd that is a stream socket to journald:
 * a worker must not wait there when journald falls behind (a client that
 * keeps going away makes a line a request), so the line is sent without
 * waiting and dropped, and counted, when the socket is full.  Returns 0
 * when the line was dropped (or cut: the rest goes out unwaited too, and
 * journald may join it to the next line).  Other stderrs (a terminal, a
 * file) are written as before.
 */
static int
line_put(const char *p, size_t n)
{
	static int plain;	/* stderr is no socket: learnt once */
	ssize_t w;

	while (n > 0) {
		w = -1;
		if (!plain && (w = send(STDERR_FILENO, p, n, MSG_DONTWAIT |
		    MSG_NOSIGNAL)) < 0 && errno == ENOTSOCK)
			plain = 1;
		if (plain)
			w = write(STDERR_FILENO, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0;
		p += w;
		n -= (size_t)w;
	}
	return 1;
}

void
log_msg(int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	unsigned long dropped;
	int n, m, saved = errno;	/* callers log, then return errno */

	if (prio > log_level)
		return;
	n = snprintf(line, sizeof(line), "<%d>%s[%ld]: ", prio, log_ident,
	    (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	/* Truncated messages still end in a newline. */
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if ((dropped = atomic_exchange(&log_dropped, 0)) > 0) {
		char note[128];
		int k = snprintf(note, sizeof(note), "<%d>%s[%ld]: %lu log "
		    "lines dropped: the log did not take them\n", LOG_WARNING,
		    log_ident, (long)getpid(), dropped);

		if (k <= 0 || (size_t)k >= sizeof(note) ||
		    !line_put(note, (size_t)k))
			atomic_fetch_add(&log_dropped, dropped);
	}
	if (!line_put(line, (size_t)n))
		atomic_fetch_add(&log_dropped, 1);
	errno = saved;
}
