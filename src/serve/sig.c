/* SPDX-License-Identifier: Apache-2.0 */
/* sig.c - the signals of the pool's children; see sig.h. */
#include <signal.h>
#include <string.h>

#include "serve/sig.h"

volatile sig_atomic_t sig_stopping;

static void
sig_on_stop(int sig)
{
	(void)sig;
	sig_stopping = 1;
}

void
sig_child_setup(int fcgi)
{
	struct sigaction sa;
	sigset_t stopset;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = sig_on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (fcgi)
		sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&stopset);
	sigaddset(&stopset, SIGTERM);
	sigaddset(&stopset, SIGINT);
	sigprocmask(SIG_SETMASK, &stopset, NULL);
}
