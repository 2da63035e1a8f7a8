/* SPDX-License-Identifier: Apache-2.0 */
/*
 * session_feed.c - sessions from SessionVO rows; see session_feed.h.
 *
 * Phase 1 reads every line into an array (ids in one arena), sorted by id
 * so that repeats show up side by side and replace can look ids up by
 * bisection; phase 2 applies the array in one write transaction.
 */
#define _GNU_SOURCE		/* qsort_r */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/errors.h"
#include "base/num.h"
#include "base/text.h"
#include "base/vec.h"
#include "ingest/session_feed.h"
#include "store/feed.h"
#include "store/session.h"

#define LINE_MAX_BYTES	4096	/* a row is about 120 bytes */
/* 9999-12-31 23:59:59 UTC: any date past it is not a date. */
#define SECONDS_MAX	INT64_C(253402300799)

struct sess {
	size_t			 off;	/* id in the arena */
	size_t			 len;
	struct session_rec	 rec;
	unsigned long		 line;
};

struct feed_in {
	struct sess	*v;
	size_t		 n, cap;
	struct buf	 ids;		/* every id, back to back */
	unsigned long	 bad;		/* rows skipped */
	struct buf	 first_bad;	/* the first one's message */
};

int
session_id_valid(const char *id)
{
	size_t i, n = strlen(id);

	if (n < 1 || n > SESSION_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)id[i] <= ' ' ||
		    (unsigned char)id[i] >= 0x7f)
			return 0;
	return 1;
}

static int
bad(struct buf *err, unsigned long line, const char *what)
{
	(void)buf_printf(err, "line %lu: %s", line, what);
	return ZSQ_EINVAL;
}

/* Epoch seconds "123" or "123.456789" -> ms.  -1 when malformed. */
static int
seconds_parse(const char *s, int64_t *ms)
{
	static const char digits[] = "0123456789";
	uint64_t sec, frac = 0;
	size_t n = strspn(s, digits), fd;

	if (num_parse_u64(s, n, SECONDS_MAX, &sec) != ZSQ_OK)
		return -1;
	s += n;
	if (*s == '.') {
		/* Milliseconds: the first three digits, the rest dropped. */
		fd = strspn(++s, digits);
		if (num_parse_u64(s, fd < 3 ? fd : 3, 999, &frac) != ZSQ_OK)
			return -1;
		for (n = fd; n < 3; n++)
			frac *= 10;
		s += fd;
	}
	if (*s != '\0')
		return -1;
	*ms = (int64_t)(sec * 1000 + frac);
	return 0;
}

/* A JSON number of epoch seconds -> ms.  -1 when not one. */
static int
json_seconds(json_t *v, int64_t *ms)
{
	double d;

	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (i < 0 || i > SECONDS_MAX)
			return -1;
		*ms = (int64_t)i * 1000;
		return 0;
	}
	if (!json_is_real(v))
		return -1;
	d = json_real_value(v);
	if (!isfinite(d) || d < 0 || d > (double)SECONDS_MAX)
		return -1;
	*ms = (int64_t)(d * 1000.0);
	return 0;
}

static int
in_add(struct feed_in *in, const char *id, size_t len,
    const struct session_rec *rec, unsigned long line)
{
	struct sess *v;

	if (VEC_GROW(&in->v, &in->cap, in->n + 1) != ZSQ_OK)
		return ZSQ_ENOMEM;
	v = &in->v[in->n];
	v->off = in->ids.len;
	v->len = len;
	v->rec = *rec;
	v->line = line;
	if (buf_append(&in->ids, id, len) != ZSQ_OK)
		return ZSQ_ENOMEM;
	in->n++;
	return ZSQ_OK;
}

/* The five fields of a mysql --batch row (line is modified). */
static int
row_tsv(char *line, unsigned long no, struct feed_in *in, struct buf *err)
{
	char *f[5], *p = line;
	struct session_rec r;
	int i;

	if (strchr(line, '\\') != NULL)
		return bad(err, no, "a backslash (mysql's escapes are not "
		    "read; no field of SessionVO needs one)");
	for (i = 0; i < 5; i++) {
		f[i] = p;
		p = strchr(p, '\t');
		if (i < 4) {
			if (p == NULL)
				return bad(err, no, "expected 5 tab-separated "
				    "fields: uuid, accountUuid, userUuid, "
				    "expiredDate, createDate");
			*p++ = '\0';
		} else if (p != NULL)
			return bad(err, no, "more than 5 tab-separated "
			    "fields");
	}
	memset(&r, 0, sizeof(r));
	if (!session_id_valid(f[0]))
		return bad(err, no, "uuid (the session id) is not 1 to 255 "
		    "printable characters without spaces");
	if (!text_uuid_valid(f[1], strlen(f[1])))
		return bad(err, no, "accountUuid is not 32 lowercase hex "
		    "characters");
	memcpy(r.account, f[1], 32);
	if (strcmp(f[2], "NULL") == 0)
		memcpy(r.user, f[1], 32);
	else if (text_uuid_valid(f[2], strlen(f[2])))
		memcpy(r.user, f[2], 32);
	else
		return bad(err, no, "userUuid is neither NULL nor 32 "
		    "lowercase hex characters");
	if (seconds_parse(f[3], &r.expired_ms) != 0)
		return bad(err, no, "expiredDate is not epoch seconds");
	if (strcmp(f[4], "NULL") != 0 &&
	    seconds_parse(f[4], &r.created_ms) != 0)
		return bad(err, no, "createDate is neither NULL nor epoch "
		    "seconds");
	return in_add(in, f[0], strlen(f[0]), &r, no);
}

/*
 * A string member of o: its value and length, or NULL.  (json_loadb()
 * without JSON_ALLOW_NUL refuses "\u0000": the string is a C string.)
 */
static const char *
member_str(json_t *o, const char *key, size_t *len)
{
	json_t *v = json_object_get(o, key);
	const char *s = json_string_value(v);

	*len = s ? json_string_length(v) : 0;
	return s;
}

static int
row_json(const char *line, size_t len, unsigned long no, struct feed_in *in,
    struct buf *err)
{
	struct session_rec r;
	json_error_t je;
	json_t *o, *v;
	const char *id, *s;
	size_t n;
	int rc;

	if ((o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return bad(err, no, "invalid JSON");
	memset(&r, 0, sizeof(r));
	rc = ZSQ_EINVAL;
	if (!json_is_object(o)) {
		bad(err, no, "not a JSON object");
		goto out;
	}
	if ((id = member_str(o, "uuid", &n)) == NULL || !session_id_valid(id)) {
		bad(err, no, "uuid (the session id) is not a string of 1 to "
		    "255 printable characters without spaces");
		goto out;
	}
	if ((s = member_str(o, "accountUuid", &n)) == NULL ||
	    !text_uuid_valid(s, n)) {
		bad(err, no, "accountUuid is not 32 lowercase hex characters");
		goto out;
	}
	memcpy(r.account, s, 32);
	v = json_object_get(o, "userUuid");
	if (v == NULL || json_is_null(v))
		memcpy(r.user, r.account, 32);
	else if ((s = member_str(o, "userUuid", &n)) != NULL &&
	    text_uuid_valid(s, n))
		memcpy(r.user, s, 32);
	else {
		bad(err, no, "userUuid is neither null nor 32 lowercase hex "
		    "characters");
		goto out;
	}
	if (json_seconds(json_object_get(o, "expiredDate"), &r.expired_ms)) {
		bad(err, no, "expiredDate is not a number of epoch seconds");
		goto out;
	}
	v = json_object_get(o, "createDate");
	if (v != NULL && !json_is_null(v) && json_seconds(v, &r.created_ms)) {
		bad(err, no, "createDate is neither null nor a number of "
		    "epoch seconds");
		goto out;
	}
	rc = in_add(in, id, strlen(id), &r, no);
out:
	json_decref(o);
	return rc;
}

/*
 * Next line of f into line[0..LINE_MAX_BYTES]: 1 with *len (newline
 * dropped), 0 at the end, or an error with err set.
 */
static int
line_read(FILE *f, char *line, size_t *len, unsigned long no,
    struct buf *err, int *rc)
{
	size_t n = 0;
	int c;

	*rc = ZSQ_OK;
	while ((c = getc_unlocked(f)) != EOF && c != '\n') {
		if (n == LINE_MAX_BYTES) {
			*rc = bad(err, no, "longer than 4096 bytes");
			return -1;
		}
		if (c == '\0') {
			*rc = bad(err, no, "a NUL byte");
			return -1;
		}
		line[n++] = (char)c;
	}
	if (c == EOF && ferror(f)) {
		*rc = ZSQ_EIO;
		(void)buf_printf(err, "read error after line %lu: %s", no - 1,
		    strerror(errno));
		return -1;
	}
	if (c == EOF && n == 0)
		return 0;
	if (c == EOF) {
		*rc = bad(err, no, "no newline at its end: the input looks "
		    "cut short");
		return -1;
	}
	line[n] = '\0';
	*len = n;
	return 1;
}

static int
sess_cmp(const void *a, const void *b, void *arg)
{
	const struct sess *x = a, *y = b;
	const char *ids = arg;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(ids + x->off, ids + y->off, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* Phase 1: every line, then sorted by id with repeats refused. */
static int
feed_read_all(FILE *f, struct feed_in *in, struct buf *err)
{
	char line[LINE_MAX_BYTES + 1];
	struct buf row = BUF_INIT;
	unsigned long no = 0, a, b;
	size_t len, i;
	int rc;

	while (line_read(f, line, &len, ++no, err, &rc) > 0) {
		if (len == 0)
			continue;
		buf_reset(&row);
		rc = line[0] == '{' ? row_json(line, len, no, in, &row) :
		    row_tsv(line, no, in, &row);
		/* A bad row is skipped; the first one's message is kept. */
		if (rc == ZSQ_EINVAL && in->bad++ == 0)
			rc = buf_append(&in->first_bad, row.data, row.len);
		else if (rc == ZSQ_EINVAL)
			rc = ZSQ_OK;
		if (rc != ZSQ_OK)
			break;
	}
	buf_free(&row);
	if (rc != ZSQ_OK)
		return rc;
	if (in->n > 0)
		qsort_r(in->v, in->n, sizeof(*in->v), sess_cmp, in->ids.data);
	for (i = 1; i < in->n; i++) {
		if (sess_cmp(&in->v[i - 1], &in->v[i], in->ids.data) != 0)
			continue;
		a = in->v[i - 1].line;
		b = in->v[i].line;
		(void)buf_printf(err, "line %lu: the same session as line %lu",
		    a > b ? a : b, a > b ? b : a);
		return ZSQ_EINVAL;
	}
	return ZSQ_OK;
}

/* 1 when the stored id key is in the (sorted) input. */
static int
in_has(const struct feed_in *in, const MDB_val *key)
{
	const struct sess *s;
	size_t lo = 0, hi = in->n, mid, n;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		s = &in->v[mid];
		n = key->mv_size < s->len ? key->mv_size : s->len;
		c = memcmp(key->mv_data, in->ids.data + s->off, n);
		if (c == 0)
			c = key->mv_size < s->len ? -1 : key->mv_size > s->len;
		if (c == 0)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

/* The merge rule for one input session (see session_feed.h). */
static int
apply_one(const struct store *st, MDB_txn *txn, const struct feed_in *in,
    const struct sess *s, struct session_feed_stats *stats)
{
	const char *id = in->ids.data + s->off;
	struct session_rec old, now = s->rec;
	int rc;

	rc = session_get(st, txn, id, s->len, &old);
	if (rc == ZSQ_ENOTFOUND) {
		stats->added++;
		return session_put(st, txn, id, s->len, &now);
	}
	if (rc != ZSQ_OK)
		return rc;
	if (old.expired_ms > now.expired_ms)
		now.expired_ms = old.expired_ms;
	if (memcmp(old.account, now.account, 32) == 0 &&
	    memcmp(old.user, now.user, 32) == 0 &&
	    old.expired_ms == now.expired_ms &&
	    old.created_ms == now.created_ms) {
		stats->unchanged++;
		return ZSQ_OK;
	}
	stats->updated++;
	return session_put(st, txn, id, s->len, &now);
}

/*
 * 1 when removing lost of cur is a removal in bulk: more than max_delete
 * percent, and more than one (the rule of sync, upstream/sync.h).
 */
static int
bulk(unsigned long lost, unsigned long cur, unsigned max_delete)
{
	return max_delete < 100 && lost > 1 &&
	    (unsigned long long)lost * 100 > (unsigned long long)max_delete *
	    cur;
}

/*
 * With replace: delete every stored session the input does not list,
 * unless that logs out more than max_delete percent of the live ones.
 */
static int
apply_replace(const struct store *st, MDB_txn *txn, const struct feed_in *in,
    unsigned max_delete, struct session_feed_stats *stats, struct buf *err)
{
	struct session_rec rec;
	unsigned long live = 0, lost = 0;
	int64_t now = session_now_ms();
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, alive;

	if ((rc = mdb_cursor_open(txn, st->sessions, &cur)) != MDB_SUCCESS)
		return store_err(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == MDB_SUCCESS) {
		alive = 0;
		if (v.mv_size == sizeof(rec)) {
			memcpy(&rec, v.mv_data, sizeof(rec));	/* unaligned */
			alive = session_valid(&rec, now);
		}
		live += alive;
		if (in_has(in, &k))
			continue;
		if ((rc = mdb_cursor_del(cur, 0)) != MDB_SUCCESS)
			break;
		stats->deleted++;
		lost += alive;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return store_err(rc);
	if (bulk(lost, live, max_delete)) {
		(void)buf_printf(err, "replace would end %lu of the %lu live "
		    "sessions, more than %u%%: nothing changed (a larger "
		    "--max-delete allows it)", lost, live, max_delete);
		return ZSQ_EINVAL;
	}
	return ZSQ_OK;
}

int
session_feed_import(const struct store *st, FILE *f, int replace,
    unsigned max_delete, struct session_feed_stats *stats, struct buf *err)
{
	struct feed_in in;
	MDB_txn *txn = NULL;
	uint64_t c[FEED_COUNTS];
	int64_t start = session_now_ms();
	size_t i;
	int rc;

	memset(stats, 0, sizeof(*stats));
	memset(&in, 0, sizeof(in));
	if ((rc = feed_read_all(f, &in, err)) != ZSQ_OK)
		goto out;
	if (bulk(in.bad, in.n + in.bad, max_delete)) {
		(void)buf_printf(err, "%lu of the %lu rows are bad, more than "
		    "%u%% (the first: %s): nothing changed", in.bad,
		    in.n + in.bad, max_delete, in.first_bad.data);
		rc = ZSQ_EINVAL;
		goto out;
	}
	stats->read = in.n;
	/* The write lock is taken only now, with every line checked. */
	if ((rc = mdb_txn_begin(st->env, NULL, 0, &txn)) != MDB_SUCCESS) {
		rc = store_err(rc);
		goto store;
	}
	for (i = 0; i < in.n; i++)
		if ((rc = apply_one(st, txn, &in, &in.v[i], stats)) != ZSQ_OK)
			goto store;
	if (replace && (rc = apply_replace(st, txn, &in, max_delete, stats,
	    err)) != ZSQ_OK) {
		if (rc == ZSQ_EINVAL)
			goto out;
		goto store;
	}
	memset(c, 0, sizeof(c));
	c[FEED_S_ADDED] = stats->added;
	c[FEED_S_UPDATED] = stats->updated;
	c[FEED_S_UNCHANGED] = stats->unchanged;
	c[FEED_S_DELETED] = stats->deleted;
	c[FEED_S_READ] = stats->read;
	if ((rc = feed_success(st, txn, FEED_SESSIONS, start,
	    session_now_ms(), c, FEED_COUNTS)) != ZSQ_OK)
		goto store;
	rc = store_err(mdb_txn_commit(txn));
	txn = NULL;
	if (rc == ZSQ_OK) {
		stats->skipped = in.bad;
		if (in.bad > 0)
			snprintf(stats->skip_msg, sizeof(stats->skip_msg), "%s",
			    in.first_bad.data);
		goto out;
	}
store:
	(void)buf_printf(err, "store: %s", zsq_strerror(rc));
out:
	if (txn != NULL)
		mdb_txn_abort(txn);
	if (rc != ZSQ_OK)
		memset(stats, 0, sizeof(*stats));
	free(in.v);
	buf_free(&in.ids);
	buf_free(&in.first_bad);
	return rc;
}
