/* SPDX-License-Identifier: Apache-2.0 */
/*
 * walk.c - the floor for a full scan: one LMDB read transaction that
 * cursors over every value of the store's "groups" database and reads
 * every byte of it.
 *
 *   walk [-r rounds] dir
 *
 * Prints, for each round, the records, the bytes and the seconds taken
 * (monotonic clock), and the byte sum so the compiler cannot drop the
 * reads.  A zsquery query that must look at every record (a condition on
 * a nested field, no index) cannot beat this; bench/run.sh compares the
 * two.  Built by bench/run.sh with  cc -O2 bench/walk.c -llmdb
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
walk_once(MDB_env *env, MDB_dbi dbi)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	uint64_t sum = 0, bytes = 0, recs = 0;
	double t0 = now();
	size_t i;
	int rc;

	if ((rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) != 0 ||
	    (rc = mdb_cursor_open(txn, dbi, &cur)) != 0)
		goto out;
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		const unsigned char *p = v.mv_data;

		for (i = 0; i < v.mv_size; i++)
			sum += p[i];
		bytes += v.mv_size;
		recs++;
	}
	if (rc == MDB_NOTFOUND)
		rc = 0;
	printf("records %llu bytes %llu seconds %.6f sum %llu\n",
	    (unsigned long long)recs, (unsigned long long)bytes, now() - t0,
	    (unsigned long long)sum);
out:
	if (cur)
		mdb_cursor_close(cur);
	if (txn)
		mdb_txn_abort(txn);
	return rc;
}

int
main(int argc, char **argv)
{
	MDB_env *env = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	int rounds = 1, c, rc;

	while ((c = getopt(argc, argv, "r:")) != -1) {
		if (c != 'r')
			goto usage;
		rounds = atoi(optarg);
	}
	if (optind + 1 != argc || rounds < 1)
		goto usage;
	if ((rc = mdb_env_create(&env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(env, 8)) != 0 ||
	    (rc = mdb_env_open(env, argv[optind], MDB_RDONLY, 0)) != 0 ||
	    (rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn)) != 0 ||
	    (rc = mdb_dbi_open(txn, "groups", 0, &dbi)) != 0)
		goto fail;
	/* Commit, not abort: aborting would close the new dbi handle. */
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc != 0)
		goto fail;
	while (rounds-- > 0)
		if ((rc = walk_once(env, dbi)) != 0)
			goto fail;
	mdb_env_close(env);
	return 0;

fail:
	fprintf(stderr, "walk: %s: %s\n", argv[optind], mdb_strerror(rc));
	if (txn)
		mdb_txn_abort(txn);
	if (env)
		mdb_env_close(env);
	return 1;

usage:
	fprintf(stderr, "usage: walk [-r rounds] dir\n");
	return 2;
}
