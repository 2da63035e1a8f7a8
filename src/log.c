/* log.c - stderr logging with syslog priorities; see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static const char *log_ident = "zsquery";
static int log_level = LOG_INFO;

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

void
log_msg(int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n, m;

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
	(void)!write(STDERR_FILENO, line, (size_t)n);
}
