/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sig.c - the signals of the pool's children (sig.h), each case in a
 * child process of its own (libfcgi initialises once per process):
 *   - after sig_child_setup() the stop signals are blocked, and only
 *     while blocked: a stop raised then waits, and the first ppoll() with
 *     an empty mask takes it (EINTR) and sets sig_stopping;
 *   - SIGHUP and SIGPIPE are ignored, SIGUSR1 too for a libfcgi child;
 *   - FCGX_Init() afterwards leaves the stop handler in place, where,
 *     without the setup first, it takes SIGTERM for its own.
 */
#define _GNU_SOURCE		/* ppoll */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "serve/sig.h"
#include "t.h"

/*
 * A child as the master makes it: the dispositions at their defaults,
 * the master's mask (stop, reload and SIGCHLD blocked for its signalfd).
 */
static void
as_forked(void)
{
	sigset_t mask;

	signal(SIGUSR1, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_SETMASK, &mask, NULL);
}

/* The handler of sig now. */
static void (*disposition(int sig))(int)
{
	struct sigaction sa;

	if (sigaction(sig, NULL, &sa) != 0)
		return NULL;
	return sa.sa_handler;
}

/*
 * In a child: set up (fcgi as given), then libfcgi; the checks as an
 * exit status, the number of the first that failed (0: all held).
 */
static int
child(int fcgi)
{
	void (*stop)(int);
	struct pollfd pfd;
	sigset_t cur, none;
	int fds[2];

	sig_child_setup(fcgi);
	stop = disposition(SIGTERM);
	if (stop == SIG_DFL || stop == SIG_IGN || stop == NULL)
		return 1;
	if (disposition(SIGINT) != stop)
		return 2;
	if (disposition(SIGHUP) != SIG_IGN || disposition(SIGPIPE) != SIG_IGN)
		return 3;
	if (disposition(SIGUSR1) != (fcgi ? SIG_IGN : SIG_DFL))
		return 4;
	if (sigprocmask(SIG_SETMASK, NULL, &cur) != 0 ||
	    !sigismember(&cur, SIGTERM) || !sigismember(&cur, SIGINT) ||
	    sigismember(&cur, SIGHUP) || sigismember(&cur, SIGCHLD))
		return 5;
	if (!fcgi)
		return 0;
	/* Ours first: libfcgi leaves the stop signals to us. */
	if (FCGX_Init() != 0)
		return 6;
	if (disposition(SIGTERM) != stop || disposition(SIGINT) != stop)
		return 7;
	/* A stop while blocked waits; the wait with no mask takes it. */
	raise(SIGTERM);
	if (sig_stopping)
		return 8;
	if (pipe(fds) != 0)
		return 9;
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	sigemptyset(&none);
	if (ppoll(&pfd, 1, NULL, &none) != -1 || errno != EINTR)
		return 10;
	if (!sig_stopping)
		return 11;
	return 0;
}

/* In a child: libfcgi with the dispositions at their defaults. */
static int
child_late(void)
{
	if (disposition(SIGTERM) != SIG_DFL)
		return 1;
	if (FCGX_Init() != 0)
		return 2;
	/* libfcgi took SIGTERM: a stop would have been its, not ours. */
	return disposition(SIGTERM) == SIG_DFL ? 3 : 0;
}

static int
run(int which)
{
	pid_t pid;
	int status;

	fflush(NULL);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		as_forked();
		_exit(which == 2 ? child_late() : child(which));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	if (WEXITSTATUS(status) != 0)
		fprintf(stderr, "case %d: check %d failed\n", which,
		    WEXITSTATUS(status));
	return WEXITSTATUS(status);
}

int
main(void)
{
	CHECK(run(1) == 0);	/* a worker */
	CHECK(run(0) == 0);	/* the renewer */
	CHECK(run(2) == 0);	/* libfcgi alone */
	return t_done();
}
