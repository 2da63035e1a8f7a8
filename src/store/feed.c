/* SPDX-License-Identifier: Apache-2.0 */
/* feed.c - the feeds' status records in "meta"; see feed.h. */
#include <stdio.h>
#include <string.h>

#include "base/errors.h"
#include "base/text.h"
#include "store/feed.h"

#define FEED_VERSION	1

/*
 * The stored form: a version, then the fields at fixed offsets.  Host byte
 * order, like every other value in the store (an LMDB file does not move
 * between architectures).
 */
struct feed_disk {
	uint32_t	version;
	uint32_t	fails;
	int64_t		ok_start_ms;
	int64_t		ok_end_ms;
	uint64_t	counts[FEED_COUNTS];
	int64_t		fail_ms;
	char		fail_msg[FEED_MSG_MAX];
};

static const char *const names[FEED_NFEEDS] = { "groups", "sessions" };
static const char *const keys[FEED_NFEEDS] = {
	"feed:groups", "feed:sessions"
};
static const char *const counts[FEED_NFEEDS][FEED_COUNTS + 1] = {
	{ "added", "updated", "unchanged", "deleted", "accounts", "shares",
	    "tags", "requests", NULL },
	{ "added", "updated", "unchanged", "deleted", "read", NULL },
};

const char *
feed_name(enum feed_id f)
{
	return (unsigned)f < FEED_NFEEDS ? names[f] : NULL;
}

const char *
feed_count_name(enum feed_id f, unsigned i)
{
	return (unsigned)f < FEED_NFEEDS && i < FEED_COUNTS ? counts[f][i] :
	    NULL;
}

int
feed_read(const struct store *st, MDB_txn *txn, enum feed_id f,
    struct feed_status *out)
{
	struct feed_disk d;
	MDB_val k, v;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((unsigned)f >= FEED_NFEEDS)
		return ZSQ_EINVAL;
	k.mv_size = strlen(keys[f]);
	k.mv_data = (void *)keys[f];
	if ((rc = mdb_get(txn, st->meta, &k, &v)) != MDB_SUCCESS)
		return store_err(rc);
	if (v.mv_size != sizeof(d))
		return ZSQ_ESTORE;
	memcpy(&d, v.mv_data, sizeof(d));	/* values are unaligned */
	if (d.version != FEED_VERSION)
		return ZSQ_ESTORE;
	out->ok_start_ms = d.ok_start_ms;
	out->ok_end_ms = d.ok_end_ms;
	memcpy(out->counts, d.counts, sizeof(out->counts));
	out->fail_ms = d.fail_ms;
	out->fails = d.fails;
	memcpy(out->fail_msg, d.fail_msg, sizeof(out->fail_msg));
	out->fail_msg[FEED_MSG_MAX - 1] = '\0';
	return ZSQ_OK;
}

static int
feed_write(const struct store *st, MDB_txn *txn, enum feed_id f,
    const struct feed_status *s)
{
	struct feed_disk d;
	MDB_val k = { strlen(keys[f]), (void *)keys[f] },
	    v = { sizeof(d), &d };

	memset(&d, 0, sizeof(d));
	d.version = FEED_VERSION;
	d.fails = s->fails;
	d.ok_start_ms = s->ok_start_ms;
	d.ok_end_ms = s->ok_end_ms;
	memcpy(d.counts, s->counts, sizeof(d.counts));
	d.fail_ms = s->fail_ms;
	memcpy(d.fail_msg, s->fail_msg, sizeof(d.fail_msg));
	return store_err(mdb_put(txn, st->meta, &k, &v, 0));
}

/* The record as it is, or a fresh one when there is none yet. */
static int
feed_load(const struct store *st, MDB_txn *txn, enum feed_id f,
    struct feed_status *s)
{
	int rc = feed_read(st, txn, f, s);

	/* A record of another version is replaced, not an obstacle. */
	if (rc == ZSQ_ENOTFOUND || rc == ZSQ_ESTORE) {
		memset(s, 0, sizeof(*s));
		rc = ZSQ_OK;
	}
	return rc;
}

int
feed_success(const struct store *st, MDB_txn *txn, enum feed_id f,
    int64_t start_ms, int64_t end_ms, const uint64_t *c, size_t n)
{
	struct feed_status s;
	int rc;

	if ((unsigned)f >= FEED_NFEEDS || n > FEED_COUNTS)
		return ZSQ_EINVAL;
	if ((rc = feed_load(st, txn, f, &s)) != ZSQ_OK)
		return rc;
	s.ok_start_ms = start_ms;
	s.ok_end_ms = end_ms;
	memset(s.counts, 0, sizeof(s.counts));
	memcpy(s.counts, c, n * sizeof(*c));
	s.fails = 0;
	return feed_write(st, txn, f, &s);
}

int
feed_failure(const struct store *st, enum feed_id f, int64_t now_ms,
    const char *msg)
{
	struct feed_status s;
	MDB_txn *txn = NULL;
	int rc;

	if ((unsigned)f >= FEED_NFEEDS)
		return ZSQ_EINVAL;
	if ((rc = mdb_txn_begin(st->env, NULL, 0, &txn)) != MDB_SUCCESS)
		return store_err(rc);
	if ((rc = feed_load(st, txn, f, &s)) != ZSQ_OK)
		goto out;
	s.fail_ms = now_ms;
	s.fails++;
	snprintf(s.fail_msg, sizeof(s.fail_msg), "%s", msg);
	/* One line, whatever the message held. */
	text_oneline(s.fail_msg, strlen(s.fail_msg));
	if ((rc = feed_write(st, txn, f, &s)) != ZSQ_OK)
		goto out;
	rc = store_err(mdb_txn_commit(txn));
	txn = NULL;
out:
	if (txn != NULL)
		mdb_txn_abort(txn);
	return rc;
}

int64_t
feed_age_ms(const struct feed_status *s, int64_t now_ms)
{
	if (s->ok_start_ms == 0)
		return -1;
	return now_ms > s->ok_start_ms ? now_ms - s->ok_start_ms : 0;
}
