/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_map_keeper.c - a write transaction of 640 MiB through the map
 * (STORE_WRITEMAP), as large imports make: with a keeper the process's
 * peak resident set grows by far less than it writes, and every value
 * reads back as written.  Without a keeper the same transaction maps all
 * it wrote: that run shows the bound is the keeper's doing.  A thread
 * that keeps mapping pages is stopped by the keeper (its signal) and goes
 * on afterwards.  And a keeper looks at the map only between
 * map_keeper_txn_begin() and map_keeper_txn_end(): idle, it takes no
 * look while a begun one takes many.
 */
#include <stdint.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/errors.h"
#include "store/map_keeper.h"
#include "store/store.h"
#include "store/store_os.h"
#include "t.h"

#define VALUES		160000u	/* one 4,000-byte value a page: 640 MiB */
#define VALUE_LEN	4000u
/*
 * The keeper stops the writer MAP_KEEPER_HOLD past what it left mapped;
 * the bound leaves room for what the writer maps while it is being
 * stopped and for the heap.  Without a keeper the peak grows by about
 * what the transaction wrote.
 */
#define KEPT_MAX	((size_t)128 << 20)
#define UNKEPT_MIN	((size_t)320 << 20)

/* A field of /proc/self/status, in bytes (0 when absent). */
static size_t
status_bytes(const char *field)
{
	char line[256];
	size_t len = strlen(field), kb = 0;
	FILE *f;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, len) == 0 && line[len] == ':') {
			kb = strtoull(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kb << 10;
}

/* Forget the peak so far: VmHWM starts again from VmRSS. */
static int
peak_reset(void)
{
	FILE *f;
	int ok;

	if ((f = fopen("/proc/self/clear_refs", "w")) == NULL)
		return 0;
	ok = fputs("5", f) >= 0;
	return fclose(f) == 0 && ok;
}

static void
value_fill(unsigned char *v, uint32_t i)
{
	uint64_t x = 0x9e3779b97f4a7c15ull * (i + 1);
	unsigned j;

	for (j = 0; j < VALUE_LEN; j++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v[j] = (unsigned char)x;
	}
}

/*
 * Write VALUES values in one transaction of a new store, with a keeper or
 * without; *grew is how far the peak resident set rose over the resident
 * set before.  Returns the number of values that read back wrong (or
 * VALUES + 1 when the store could not be written).
 */
static unsigned
run(int keep, size_t *grew, unsigned long *held)
{
	char dir[] = "/tmp/zsq-keeper-XXXXXX", cmd[64];
	static unsigned char v[VALUE_LEN];
	struct store st;
	struct map_keeper *k = NULL;
	MDB_txn *txn = NULL;
	MDB_dbi dbi;
	MDB_val key, val;
	unsigned char kb[4];
	unsigned long held0 = map_keeper_holds();
	unsigned bad = VALUES + 1;
	size_t before;
	uint32_t i;

	*grew = 0;
	if (mkdtemp(dir) == NULL)
		return bad;
	if (store_open(&st, dir, STORE_CREATE | STORE_WRITEMAP,
	    (size_t)2 << 30) != ZSQ_OK)
		goto out_dir;
	/* The test is of memory, not of the disk: no fsync at commit. */
	if (mdb_env_set_flags(st.env, MDB_NOSYNC, 1) != MDB_SUCCESS ||
	    mdb_txn_begin(st.env, NULL, 0, &txn) != MDB_SUCCESS ||
	    mdb_dbi_open(txn, "keeper-test", MDB_CREATE, &dbi) !=
	    MDB_SUCCESS)
		goto out;
	before = status_bytes("VmRSS");
	if (!peak_reset())
		goto out;
	if (keep && (k = map_keeper_start(&st, 1)) == NULL)
		goto out;
	map_keeper_txn_begin(k);
	key.mv_size = sizeof(kb);
	key.mv_data = kb;
	val.mv_size = VALUE_LEN;
	for (i = 0; i < VALUES; i++) {
		store_ord_put(kb, i);
		val.mv_data = v;
		value_fill(v, i);
		map_keeper_tick(k);	/* as an import does between writes */
		if (mdb_put(txn, dbi, &key, &val, MDB_APPEND) != MDB_SUCCESS)
			goto out;
	}
	i = (uint32_t)mdb_txn_commit(txn);
	txn = NULL;
	map_keeper_stop(k);
	k = NULL;
	if (i != MDB_SUCCESS)
		goto out;
	*grew = status_bytes("VmHWM") - before;
	*held = map_keeper_holds() - held0;

	if (mdb_txn_begin(st.env, NULL, MDB_RDONLY, &txn) != MDB_SUCCESS)
		goto out;
	bad = 0;
	for (i = 0; i < VALUES; i++) {
		store_ord_put(kb, i);
		value_fill(v, i);
		if (mdb_get(txn, dbi, &key, &val) != MDB_SUCCESS ||
		    val.mv_size != VALUE_LEN ||
		    memcmp(val.mv_data, v, VALUE_LEN) != 0)
			bad++;
	}
out:
	map_keeper_stop(k);
	if (txn != NULL)
		mdb_txn_abort(txn);
	store_close(&st);
out_dir:
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return bad;
}

/*
 * Read through the map, one byte a page over 64 MiB again and again,
 * inside a write transaction, until the keeper has stopped this thread
 * (or 60 s): pages come into the resident set faster than a pass beside
 * the reader lets them go, so the keeper stops it, on the threshold or to
 * measure base again.
 */
static int
held_test(void)
{
	char dir[] = "/tmp/zsq-keeper-XXXXXX", cmd[64];
	struct store st;
	struct map_keeper *k;
	MDB_txn *txn;
	const char *map;
	size_t len, off, span = (size_t)64 << 20;
	unsigned long held0 = map_keeper_holds();
	volatile unsigned char sum = 0;
	time_t until = time(NULL) + 60;
	int held = 0;

	if (mkdtemp(dir) == NULL)
		return 0;
	if (store_open(&st, dir, STORE_CREATE | STORE_WRITEMAP,
	    (size_t)1 << 30) == ZSQ_OK) {
		if (store_map_addr(&st, &map, &len) == ZSQ_OK && len >= span &&
		    mdb_txn_begin(st.env, NULL, 0, &txn) == MDB_SUCCESS) {
			if ((k = map_keeper_start(&st, 1)) != NULL) {
				map_keeper_txn_begin(k);
				while (!held && time(NULL) < until)
					for (off = 0; off < span && !held;
					    off += 4096) {
						sum += (unsigned char)map[off];
						held = map_keeper_holds() >
						    held0;
					}
				map_keeper_stop(k);
			}
			mdb_txn_abort(txn);
		}
		store_close(&st);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return held;
}

/* Wait (60 s at most) until k has looked want times; 1 when it has. */
static int
polls_reach(const struct map_keeper *k, unsigned long want)
{
	time_t until = time(NULL) + 60;

	while (map_keeper_polls(k) < want && time(NULL) < until)
		usleep(1000);
	return map_keeper_polls(k) >= want;
}

#define IDLE_POLLS	50

/*
 * A keeper looks at the map only inside a write transaction.  Keeper a
 * stays idle while keeper b, begun, looks IDLE_POLLS times: a takes no
 * look at all.  Begun, a looks; ended, it takes none again while b looks
 * IDLE_POLLS times more.  Counts of b's looks, not a time, measure the
 * while: a loaded machine slows both threads, and the test only waits
 * longer.
 */
static void
idle_test(void)
{
	char dir[] = "/tmp/zsq-keeper-XXXXXX", cmd[64];
	struct store st;
	struct map_keeper *a = NULL, *b = NULL;
	MDB_txn *txn = NULL;
	unsigned long pa, pb;

	if (mkdtemp(dir) == NULL) {
		CHECK(0);
		return;
	}
	CHECK(store_open(&st, dir, STORE_CREATE | STORE_WRITEMAP,
	    (size_t)64 << 20) == ZSQ_OK);
	a = map_keeper_start(&st, 1);
	b = map_keeper_start(&st, 1);
	CHECK(a != NULL && b != NULL);
	if (a == NULL || b == NULL)
		goto out;
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == MDB_SUCCESS);
	map_keeper_txn_begin(b);
	CHECK(polls_reach(b, IDLE_POLLS));
	CHECK(map_keeper_polls(a) == 0);

	map_keeper_txn_begin(a);
	CHECK(polls_reach(a, 1));
	map_keeper_txn_end(a);
	pa = map_keeper_polls(a);
	pb = map_keeper_polls(b);
	CHECK(polls_reach(b, pb + IDLE_POLLS));
	CHECK(map_keeper_polls(a) == pa);
	/* Ended twice, and begun again after an end: as once. */
	map_keeper_txn_end(a);
	map_keeper_txn_begin(a);
	CHECK(polls_reach(a, pa + 1));
	map_keeper_txn_end(b);
out:
	map_keeper_stop(a);
	map_keeper_stop(b);
	if (txn != NULL)
		mdb_txn_abort(txn);
	store_close(&st);
	CHECK(map_keeper_polls(NULL) == 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

int
main(void)
{
	unsigned long held = 0;
	size_t grew;

	idle_test();
	CHECK(held_test());

	CHECK(run(1, &grew, &held) == 0);
	fprintf(stderr, "with a keeper: peak grew %zu MiB, writer stopped "
	    "%lu times\n", grew >> 20, held);
	CHECK(grew > 0 && grew < KEPT_MAX);

	held = 0;
	CHECK(run(0, &grew, &held) == 0);
	fprintf(stderr, "without a keeper: peak grew %zu MiB\n", grew >> 20);
	CHECK(grew > UNKEPT_MIN);
	CHECK(held == 0);

	return t_done();
}
