/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lmdb_hold.c - hold an LMDB resource of a store for the tests, the way
 * another program would: the write lock (a long import), reader slots,
 * or a reader table sized by LMDB's default (an LMDB tool that opened
 * the store first).
 *
 *   lmdb_hold -d DIR [-w] [-r N] [-x] [-t SEC]
 *
 *   -w      begin a write transaction and keep it open (the write lock)
 *   -r N    begin N read transactions and keep them (N reader slots)
 *   -x      open with LMDB's default reader table (126 slots) instead of
 *           the one zsquery asks for; it sticks while this holds the store
 *   -t SEC  give up after SEC seconds (default 60), so a test gone wrong
 *           cannot leave the store locked
 *
 * Prints "ready" once everything is held, then holds until SIGTERM or
 * SIGINT (or -t), releases everything (aborts) and exits 0.  Exit 1 with
 * a message when the store cannot be opened or a resource taken.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lmdb.h>

#include "store/store.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int
main(int argc, char **argv)
{
	MDB_env *env = NULL;
	MDB_txn *w = NULL, **r = NULL;
	struct sigaction sa;
	sigset_t block, none;
	const char *dir = NULL;
	long nread = 0, secs = 60, i;
	int ch, write = 0, deflt = 0, rc, status = 1;

	while ((ch = getopt(argc, argv, "d:wr:xt:")) != -1) {
		switch (ch) {
		case 'd':	dir = optarg; break;
		case 'w':	write = 1; break;
		case 'r':	nread = strtol(optarg, NULL, 10); break;
		case 'x':	deflt = 1; break;
		case 't':	secs = strtol(optarg, NULL, 10); break;
		default:	goto usage;
		}
	}
	if (dir == NULL || nread < 0 || secs < 1)
		goto usage;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	/* Let them in only inside sigsuspend(): none can be missed. */
	sigemptyset(&none);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	if ((r = calloc((size_t)nread + 1, sizeof(*r))) == NULL ||
	    (rc = mdb_env_create(&env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(env, 8)) != 0 ||
	    (!deflt && (rc = mdb_env_set_maxreaders(env,
	    STORE_MAX_READERS)) != 0) ||
	    (rc = mdb_env_open(env, dir, MDB_NOTLS, 0640)) != 0) {
		fprintf(stderr, "lmdb_hold: open %s: %s\n", dir,
		    r == NULL ? "out of memory" : mdb_strerror(rc));
		goto out;
	}
	for (i = 0; i < nread; i++)
		if ((rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &r[i])) != 0) {
			fprintf(stderr, "lmdb_hold: read txn %ld: %s\n", i,
			    mdb_strerror(rc));
			goto out;
		}
	if (write && (rc = mdb_txn_begin(env, NULL, 0, &w)) != 0) {
		fprintf(stderr, "lmdb_hold: write txn: %s\n", mdb_strerror(rc));
		goto out;
	}
	printf("ready\n");
	fflush(stdout);
	alarm((unsigned)secs);
	while (!stop)
		sigsuspend(&none);
	status = 0;
out:
	if (w != NULL)
		mdb_txn_abort(w);
	for (i = 0; r != NULL && i < nread; i++)
		if (r[i] != NULL)
			mdb_txn_abort(r[i]);
	free(r);
	if (env != NULL)
		mdb_env_close(env);
	return status;
usage:
	fprintf(stderr, "usage: lmdb_hold -d DIR [-w] [-r N] [-x] [-t SEC]\n");
	return 2;
}
