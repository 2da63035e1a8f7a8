/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admin_check.c - zsquery-admin check: verify a store read-only, in one
 * read transaction, so it may run beside the service and sees one
 * consistent snapshot.  See admin.h.
 *
 * What it verifies, database by database:
 *   meta      version, tz and gen present and well-formed;
 *   accounts  keys are 32 lowercase hex;
 *   groups    keys are 32 lowercase hex, the record opens and every
 *             section iterates to its end, the JSON starts with the
 *             group's own uuid, the owner is an account;
 *   shares    each names a stored group and an account (or the public);
 *   ords      each ordinal names a group whose record has that ordinal,
 *             and every group has one (the counts agree);
 *   owned,    the reverse tenancy entries are exactly the records' owners
 *   granted   and the shares;
 *   eq, ord   exact both ways: every entry index_record_keys() derives
 *             from a record is there, and nothing else is;
 *   sessions  well-formed, of an existing account (expired ones count).
 *
 * The indexes are compared one id at a time (their keys start with the
 * leaf or tag id), reading only that leaf of each record, so memory holds
 * one id's expected entries, not the whole index.
 */
#define _GNU_SOURCE		/* qsort_r */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"
#include "base/buf.h"
#include "base/errors.h"
#include "base/text.h"
#include "base/vec.h"
#include "store/acl.h"
#include "store/index.h"
#include "store/record.h"
#include "store/schema.h"
#include "store/session.h"

#define SHOW_MAX	100	/* problems printed; the rest are counted */
#define SHOW_BYTES	48	/* of a value in a message */

struct check {
	struct admin	*a;
	MDB_txn		*txn;
	unsigned long	 problems;
	/* One id's expected index entries: u16 keylen, key, ordinal. */
	enum index_db	 db;
	unsigned	 id;
	unsigned char	 ord[4];	/* of the group being enumerated */
	struct buf	 ents;
	size_t		*off;
	size_t		 n, cap;
};

static void
problem(struct check *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
problem(struct check *c, const char *fmt, ...)
{
	va_list ap;

	if (c->problems++ >= SHOW_MAX)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A key or id for a message: printable bytes, others as \xNN, cut. */
static const char *
shown(char *out, size_t size, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i, o = 0;

	for (i = 0; i < n && i < SHOW_BYTES && o + 5 < size; i++)
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
			out[o++] = (char)s[i];
		else
			o += (size_t)snprintf(out + o, size - o, "\\x%02x",
			    s[i]);
	if (i < n && o + 4 < size)
		o += (size_t)snprintf(out + o, size - o, "...");
	out[o] = '\0';
	return out;
}

static int
exists(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t n)
{
	MDB_val k = { n, (void *)key }, v;

	return mdb_get(txn, dbi, &k, &v) == MDB_SUCCESS;
}

static int
check_meta(struct check *c)
{
	static const struct { const char *key; size_t min, max; } want[] = {
		{ "version", sizeof(uint32_t), sizeof(uint32_t) },
		{ "tz", 1, STORE_TZ_MAX - 1 },
		{ "gen", sizeof(uint64_t), sizeof(uint64_t) },
	};
	uint64_t gen = 0;
	MDB_val k, v;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		k.mv_size = strlen(want[i].key);
		k.mv_data = (void *)want[i].key;
		rc = mdb_get(c->txn, c->a->st.meta, &k, &v);
		if (rc == MDB_NOTFOUND)
			problem(c, "meta: no \"%s\"", want[i].key);
		else if (rc != MDB_SUCCESS)
			return store_err(rc);
		else if (v.mv_size < want[i].min || v.mv_size > want[i].max)
			problem(c, "meta: \"%s\" is %zu bytes", want[i].key,
			    v.mv_size);
	}
	/* store_open() checked version and tz already; gen is ours. */
	if ((rc = store_gen_get(&c->a->st, c->txn, &gen)) != ZSQ_OK &&
	    rc != ZSQ_ENOTFOUND && rc != ZSQ_ESTORE)
		return rc;
	printf("meta: schema version %u, time zone %s, generation %" PRIu64
	    "\n", STORE_SCHEMA_VERSION, c->a->st.tz, gen);
	return ZSQ_OK;
}

static int
check_accounts(struct check *c)
{
	MDB_cursor *cur;
	MDB_val k, v;
	unsigned long n = 0;
	char s[SHOW_BYTES * 4 + 8];
	int rc;

	if ((rc = mdb_cursor_open(c->txn, c->a->st.accounts, &cur)) != 0)
		return store_err(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == MDB_SUCCESS) {
		n++;
		if (!text_uuid_valid(k.mv_data, k.mv_size))
			problem(c, "account '%s': not 32 lowercase hex",
			    shown(s, sizeof(s), k.mv_data, k.mv_size));
	}
	mdb_cursor_close(cur);
	printf("accounts: %lu\n", n);
	return rc == MDB_NOTFOUND ? ZSQ_OK : store_err(rc);
}

/* Every section of a record iterates to its end: 0, or what broke. */
static const char *
record_sections(const void *data, const struct rec_head *h)
{
	struct rec_iter it;
	struct rec_val v;
	struct rec_schema s;
	struct rec_tagval t;
	int r;

	record_vals_begin(data, h, &it);
	while ((r = record_vals_next(&it, &v)) == 1)
		;
	if (r < 0)
		return "values";
	record_schema_begin(data, h, &it);
	while ((r = record_schema_next(&it, &s)) == 1)
		;
	if (r < 0)
		return "schema entries";
	record_tags_begin(data, h, &it);
	while ((r = record_tags_next(&it, &t)) == 1)
		;
	return r < 0 ? "tags" : NULL;
}

/* The checks of one group record. */
static void
check_group(struct check *c, const MDB_val *k, const MDB_val *v)
{
	const char *data = v->mv_data, *broken;
	char head[UUID_LEN + 16], s[SHOW_BYTES * 4 + 8];
	struct rec_head h;

	if (!text_uuid_valid(k->mv_data, k->mv_size)) {
		problem(c, "group '%s': key is not 32 lowercase hex",
		    shown(s, sizeof(s), k->mv_data, k->mv_size));
		return;
	}
	if (record_open(data, v->mv_size, &h) != ZSQ_OK) {
		problem(c, "group %.32s: record truncated or malformed "
		    "(%zu bytes)", (char *)k->mv_data, v->mv_size);
		return;
	}
	if ((broken = record_sections(data, &h)) != NULL) {
		problem(c, "group %.32s: malformed %s", (char *)k->mv_data,
		    broken);
		return;
	}
	snprintf(head, sizeof(head), "{\"uuid\":\"%.32s\"",
	    (char *)k->mv_data);
	if (h.json.len < strlen(head) ||
	    memcmp(data + h.json.off, head, strlen(head)) != 0)
		problem(c, "group %.32s: the JSON does not start with its "
		    "uuid", (char *)k->mv_data);
	if (!text_uuid_valid(h.owner, UUID_LEN) ||
	    !exists(c->txn, c->a->st.accounts, h.owner, UUID_LEN))
		problem(c, "group %.32s: owner %s is not an account",
		    (char *)k->mv_data, shown(s, sizeof(s), h.owner,
		    UUID_LEN));
}

static int
check_groups(struct check *c)
{
	MDB_cursor *cur;
	MDB_val k, v;
	unsigned long n = 0;
	int rc;

	if ((rc = mdb_cursor_open(c->txn, c->a->st.groups, &cur)) != 0)
		return store_err(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == MDB_SUCCESS) {
		n++;
		check_group(c, &k, &v);
	}
	mdb_cursor_close(cur);
	printf("groups: %lu\n", n);
	return rc == MDB_NOTFOUND ? ZSQ_OK : store_err(rc);
}

static int
check_shares(struct check *c)
{
	MDB_cursor *cur;
	MDB_val k, v;
	unsigned long n = 0;
	char s[SHOW_BYTES * 4 + 8], t[SHOW_BYTES * 4 + 8];
	int rc;

	if ((rc = mdb_cursor_open(c->txn, c->a->st.shares, &cur)) != 0)
		return store_err(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == MDB_SUCCESS) {
		n++;
		shown(s, sizeof(s), k.mv_data, k.mv_size);
		shown(t, sizeof(t), v.mv_data, v.mv_size);
		if (!text_uuid_valid(k.mv_data, k.mv_size) ||
		    !exists(c->txn, c->a->st.groups, k.mv_data, UUID_LEN))
			problem(c, "share %s -> %s: no such group", s, t);
		if (v.mv_size == UUID_LEN &&
		    memcmp(v.mv_data, ACL_PUBLIC, UUID_LEN) == 0)
			continue;
		if (!text_uuid_valid(v.mv_data, v.mv_size) ||
		    !exists(c->txn, c->a->st.accounts, v.mv_data, UUID_LEN))
			problem(c, "share %s -> %s: no such account", s, t);
	}
	mdb_cursor_close(cur);
	printf("shares: %lu\n", n);
	return rc == MDB_NOTFOUND ? ZSQ_OK : store_err(rc);
}

static int
check_sessions(struct check *c)
{
	struct session_rec sr;
	MDB_cursor *cur;
	MDB_val k, v;
	unsigned long n = 0, expired = 0;
	int64_t now = session_now_ms();
	char s[SHOW_BYTES * 4 + 8];
	int rc;

	if ((rc = mdb_cursor_open(c->txn, c->a->st.sessions, &cur)) != 0)
		return store_err(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == MDB_SUCCESS) {
		n++;
		/* Never print a whole session id: it is a credential. */
		shown(s, sizeof(s), k.mv_data, k.mv_size < 8 ? k.mv_size : 8);
		if (k.mv_size < 1 || k.mv_size > SESSION_ID_MAX ||
		    v.mv_size != sizeof(sr)) {
			problem(c, "session %s...: malformed (%zu-byte id, "
			    "%zu-byte value)", s, k.mv_size, v.mv_size);
			continue;
		}
		memcpy(&sr, v.mv_data, sizeof(sr));
		if (!session_valid(&sr, now))
			expired++;
		if (!text_uuid_valid(sr.account, UUID_LEN) ||
		    !exists(c->txn, c->a->st.accounts, sr.account, UUID_LEN))
			problem(c, "session %s...: account %.32s does not "
			    "exist", s, sr.account);
	}
	mdb_cursor_close(cur);
	printf("sessions: %lu (%lu expired)\n", n, expired);
	return rc == MDB_NOTFOUND ? ZSQ_OK : store_err(rc);
}

/* --- ordinals and the reverse tenancy entries -------------------------- */

/* The uuid of ordinal ord for a message, or "ordinal N (no group)". */
static const char *
ord_shown(struct check *c, char *out, size_t size, const void *p, size_t n)
{
	const char *uuid;
	uint32_t ord;

	if (n != 4) {
		char s[SHOW_BYTES * 4 + 8];

		snprintf(out, size, "'%s'", shown(s, sizeof(s), p, n));
		return out;
	}
	ord = store_ord_get(p);
	if (store_ord_uuid(&c->a->st, c->txn, ord, &uuid) == ZSQ_OK)
		snprintf(out, size, "%.32s", uuid);
	else
		snprintf(out, size, "ordinal %" PRIu32 " (no group)", ord);
	return out;
}

/* The record of ordinal p (4 bytes), opened; 0 when there is none. */
static int
ord_record(struct check *c, const void *p, size_t n, const char **uuid,
    struct rec_head *h)
{
	MDB_val k, v;

	if (n != 4 || store_ord_uuid(&c->a->st, c->txn, store_ord_get(p),
	    uuid) != ZSQ_OK)
		return 0;
	k.mv_size = UUID_LEN;
	k.mv_data = (void *)*uuid;
	return mdb_get(c->txn, c->a->st.groups, &k, &v) == MDB_SUCCESS &&
	    record_open(v.mv_data, v.mv_size, h) == ZSQ_OK &&
	    h->ord == store_ord_get(p);
}

/* ords: each names its group's record; as many as there are groups. */
static int
check_ords(struct check *c)
{
	MDB_cursor *cur;
	MDB_stat gs, os;
	MDB_val k, v;
	struct rec_head h;
	const char *uuid;
	char s[SHOW_BYTES * 4 + 8];
	int rc;

	if ((rc = mdb_stat(c->txn, c->a->st.groups, &gs)) != MDB_SUCCESS ||
	    (rc = mdb_stat(c->txn, c->a->st.ords, &os)) != MDB_SUCCESS ||
	    (rc = mdb_cursor_open(c->txn, c->a->st.ords, &cur)) != 0)
		return store_err(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == MDB_SUCCESS)
		if (!ord_record(c, k.mv_data, k.mv_size, &uuid, &h) ||
		    memcmp(uuid, v.mv_data, UUID_LEN) != 0)
			problem(c, "ords: %s names no group of that ordinal",
			    shown(s, sizeof(s), k.mv_data, k.mv_size));
	mdb_cursor_close(cur);
	if (gs.ms_entries != os.ms_entries)
		problem(c, "ords: %zu ordinals for %zu groups",
		    os.ms_entries, gs.ms_entries);
	printf("ordinals: %zu\n", os.ms_entries);
	return rc == MDB_NOTFOUND ? ZSQ_OK : store_err(rc);
}

/*
 * owned and granted: each entry is the owner of, or a share of, the group
 * it names, and there are as many as owners and shares (so none lacks).
 */
static int
check_reverse(struct check *c, MDB_dbi dbi, const char *name, size_t want)
{
	MDB_cursor *cur, *shares;
	MDB_stat ms;
	MDB_val k, v, sk, sv;
	struct rec_head h;
	const char *uuid;
	char s[SHOW_BYTES * 4 + 8], g[SHOW_BYTES * 4 + 64];
	int rc, ok, owned = dbi == c->a->st.owned;

	if ((rc = mdb_stat(c->txn, dbi, &ms)) != MDB_SUCCESS ||
	    (rc = mdb_cursor_open(c->txn, dbi, &cur)) != 0)
		return store_err(rc);
	if ((rc = mdb_cursor_open(c->txn, c->a->st.shares, &shares)) != 0) {
		mdb_cursor_close(cur);
		return store_err(rc);
	}
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == MDB_SUCCESS) {
		ok = k.mv_size == UUID_LEN &&
		    ord_record(c, v.mv_data, v.mv_size, &uuid, &h);
		if (ok && owned)
			ok = memcmp(h.owner, k.mv_data, UUID_LEN) == 0;
		else if (ok) {
			sk.mv_size = sv.mv_size = UUID_LEN;
			sk.mv_data = (void *)uuid;
			sv.mv_data = k.mv_data;
			ok = mdb_cursor_get(shares, &sk, &sv, MDB_GET_BOTH) ==
			    MDB_SUCCESS;
		}
		if (!ok)
			problem(c, "%s: stray %s -> %s", name,
			    shown(s, sizeof(s), k.mv_data, k.mv_size),
			    ord_shown(c, g, sizeof(g), v.mv_data, v.mv_size));
	}
	mdb_cursor_close(shares);
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return store_err(rc);
	if (ms.ms_entries != want)
		problem(c, "%s: %zu entries for %zu %s", name, ms.ms_entries,
		    want, owned ? "groups" : "shares");
	return ZSQ_OK;
}

/* --- the indexes ----------------------------------------------------- */

/* An index key for a message: the leaf path or tag kind and the value. */
static const char *
key_shown(char *out, size_t size, enum index_db db, const unsigned char *key,
    size_t n)
{
	unsigned id = n >= 2 ? (unsigned)key[0] << 8 | key[1] : 0xffff;
	const struct leaf *l = id < INDEX_ID_TAG ? schema_leaf(id) : NULL;
	const char *path = l ? l->path : id == INDEX_ID_TAG + REC_TAG_SYSTEM ?
	    "__systemTag__" : id == INDEX_ID_TAG + REC_TAG_USER ?
	    "__userTag__" : NULL;
	char v[SHOW_BYTES * 4 + 8];
	uint64_t u = 0;
	size_t i;

	if (path == NULL || (db == INDEX_EQ && n != INDEX_EQ_KEY)) {
		snprintf(out, size, "key '%s'", shown(v, sizeof(v), key, n));
		return out;
	}
	for (i = 2; i < n && i < 10; i++)
		u = u << 8 | key[i];
	if ((l == NULL || l->type == FT_STRING) && db == INDEX_EQ)
		snprintf(out, size, "%s=#%016" PRIx64, path, u);
	else if (l == NULL || l->type == FT_STRING || n != 2 + 8)
		snprintf(out, size, "%s='%s'", path,
		    shown(v, sizeof(v), key + 2, n - 2));
	else
		snprintf(out, size, "%s=%" PRId64, path,
		    (int64_t)(u ^ ((uint64_t)1 << 63)));
	return out;
}

static const unsigned char *
ent_at(const struct check *c, size_t i, size_t *keylen)
{
	const unsigned char *p = (const unsigned char *)c->ents.data +
	    c->off[i];
	uint16_t n;

	memcpy(&n, p, sizeof(n));
	*keylen = n;
	return p + sizeof(n);
}

/* LMDB's order: key bytes (shorter first on a tie), then the ordinal. */
static int
ent_cmp(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	if (r == 0 && alen != blen)
		return alen < blen ? -1 : 1;
	return r != 0 ? r : memcmp(a + alen, b + blen, 4);
}

static int
off_cmp(const void *x, const void *y, void *arg)
{
	const struct check *c = arg;
	const unsigned char *a, *b;
	size_t alen, blen;

	a = ent_at(c, (size_t)((const size_t *)x - c->off), &alen);
	b = ent_at(c, (size_t)((const size_t *)y - c->off), &blen);
	return ent_cmp(a, alen, b, blen);
}

/* index_key_fn: keep the keys of the database being checked. */
static int
expect_key(void *arg, enum index_db db, const unsigned char *key, size_t len)
{
	struct check *c = arg;
	uint16_t n = (uint16_t)len;
	int rc;

	if (db != c->db)
		return ZSQ_OK;
	if ((rc = VEC_GROW(&c->off, &c->cap, c->n + 1)) != ZSQ_OK)
		return rc;
	c->off[c->n] = c->ents.len;
	if ((rc = buf_append(&c->ents, &n, sizeof(n))) != ZSQ_OK ||
	    (rc = buf_append(&c->ents, key, len)) != ZSQ_OK ||
	    (rc = buf_append(&c->ents, c->ord, 4)) != ZSQ_OK)
		return rc;
	c->n++;
	return ZSQ_OK;
}

/* The entries c->id should have in c->db, from every record, sorted. */
static int
expect_id(struct check *c)
{
	MDB_cursor *cur;
	MDB_val k, v;
	struct rec_head h;
	size_t i, n = 0, len, plen = 0;
	const unsigned char *e, *prev = NULL;
	int rc;

	buf_reset(&c->ents);
	c->n = 0;
	if ((rc = mdb_cursor_open(c->txn, c->a->st.groups, &cur)) != 0)
		return store_err(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == MDB_SUCCESS) {
		/* Unreadable records were reported by check_groups(). */
		if (!text_uuid_valid(k.mv_data, k.mv_size) ||
		    record_open(v.mv_data, v.mv_size, &h) != ZSQ_OK)
			continue;
		store_ord_put(c->ord, h.ord);
		rc = index_record_id_keys(v.mv_data, v.mv_size, c->id,
		    expect_key, c);
		if (rc != ZSQ_OK && rc != ZSQ_ESTORE)
			break;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return store_err(rc);
	/* A group holding a value twice has one entry: drop repeats. */
	if (c->n > 1)	/* c->off is NULL while empty: qsort(NULL) is UB */
		qsort_r(c->off, c->n, sizeof(*c->off), off_cmp, c);
	for (i = 0; i < c->n; i++) {
		e = ent_at(c, i, &len);
		if (prev == NULL || ent_cmp(prev, plen, e, len) != 0)
			c->off[n++] = c->off[i];
		prev = e;
		plen = len;
	}
	c->n = n;
	return ZSQ_OK;
}

/* Whether key + ordinal is among the expected entries. */
static int
expected(const struct check *c, const MDB_val *k, const MDB_val *d)
{
	unsigned char probe[INDEX_KEY_MAX + 4];
	const unsigned char *e;
	size_t lo = 0, hi = c->n, mid, len;
	int r;

	if (k->mv_size > INDEX_KEY_MAX || d->mv_size != 4)
		return 0;
	memcpy(probe, k->mv_data, k->mv_size);
	memcpy(probe + k->mv_size, d->mv_data, 4);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		e = ent_at(c, mid, &len);
		if ((r = ent_cmp(e, len, probe, k->mv_size)) == 0)
			return 1;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* One id of one database: nothing missing, nothing stray. */
static int
check_id(struct check *c, MDB_cursor *cur, const char *name)
{
	unsigned char prefix[2] = { c->id >> 8, c->id & 0xff };
	char s[SHOW_BYTES * 4 + 64], g[SHOW_BYTES * 4 + 64];
	const unsigned char *e;
	MDB_val k, d;
	size_t i, len;
	int rc;

	if ((rc = expect_id(c)) != ZSQ_OK)
		return rc;
	for (i = 0; i < c->n; i++) {
		e = ent_at(c, i, &len);
		k.mv_size = len;
		k.mv_data = (void *)e;
		d.mv_size = 4;
		d.mv_data = (void *)(e + len);
		rc = mdb_cursor_get(cur, &k, &d, MDB_GET_BOTH);
		if (rc == MDB_NOTFOUND)
			problem(c, "index %s: missing %s for group %s", name,
			    key_shown(s, sizeof(s), c->db, e, len),
			    ord_shown(c, g, sizeof(g), e + len, 4));
		else if (rc != MDB_SUCCESS)
			return store_err(rc);
	}
	k.mv_size = sizeof(prefix);
	k.mv_data = prefix;
	for (rc = mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE);
	    rc == MDB_SUCCESS; rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
		if (k.mv_size < 2 || memcmp(k.mv_data, prefix, 2) != 0)
			break;
		if (!expected(c, &k, &d))
			problem(c, "index %s: stray %s for group %s", name,
			    key_shown(s, sizeof(s), c->db, k.mv_data,
			    k.mv_size), ord_shown(c, g, sizeof(g), d.mv_data,
			    d.mv_size));
	}
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? ZSQ_OK :
	    store_err(rc);
}

/* Whether db has keys under id at all. */
static int
id_used(enum index_db db, unsigned id)
{
	if (db == INDEX_ORD)
		return id < schema_nleaves() && index_is_ordered(id);
	return id < schema_nleaves() || id == INDEX_ID_TAG + REC_TAG_SYSTEM ||
	    id == INDEX_ID_TAG + REC_TAG_USER;
}

/*
 * Entries under an id that is not indexed there (or a key too short to
 * name one) are stray: walk the database, jumping over the used ids.
 */
static int
check_unused(struct check *c, MDB_cursor *cur, const char *name)
{
	unsigned char next[2];
	char s[SHOW_BYTES * 4 + 64], g[SHOW_BYTES * 4 + 64];
	const unsigned char *kb;
	unsigned id;
	MDB_val k, d;
	int rc;

	rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST);
	while (rc == MDB_SUCCESS) {
		kb = k.mv_data;
		id = k.mv_size >= 2 ? (unsigned)kb[0] << 8 | kb[1] : 0;
		if (k.mv_size < 2 || !id_used(c->db, id)) {
			problem(c, "index %s: stray %s for group %s", name,
			    key_shown(s, sizeof(s), c->db, kb, k.mv_size),
			    ord_shown(c, g, sizeof(g), d.mv_data, d.mv_size));
			rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT);
			continue;
		}
		if (id == 0xffff)
			break;
		next[0] = (unsigned char)((id + 1) >> 8);
		next[1] = (unsigned char)(id + 1);
		k.mv_size = sizeof(next);
		k.mv_data = next;
		rc = mdb_cursor_get(cur, &k, &d, MDB_SET_RANGE);
	}
	return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? ZSQ_OK :
	    store_err(rc);
}

static int
check_index(struct check *c, enum index_db db)
{
	static const char *const names[] = { "eq", "ord" };
	MDB_dbi dbi = db == INDEX_EQ ? c->a->st.eq : c->a->st.ord;
	MDB_cursor *cur;
	MDB_stat ms;
	unsigned i;
	int rc;

	if ((rc = mdb_stat(c->txn, dbi, &ms)) != MDB_SUCCESS ||
	    (rc = mdb_cursor_open(c->txn, dbi, &cur)) != 0)
		return store_err(rc);
	c->db = db;
	for (i = 0; i < INDEX_ID_TAG + 2 && rc == ZSQ_OK; i++) {
		if (i == schema_nleaves())
			i = INDEX_ID_TAG;
		if (!id_used(db, i))
			continue;
		c->id = i;
		rc = check_id(c, cur, names[db]);
	}
	if (rc == ZSQ_OK)
		rc = check_unused(c, cur, names[db]);
	mdb_cursor_close(cur);
	printf("index %s entries: %zu\n", names[db], ms.ms_entries);
	return rc;
}

/* Shares, for the granted count. */
static int
count_shares(struct check *c, size_t *n)
{
	MDB_stat ms;
	int rc;

	if ((rc = mdb_stat(c->txn, c->a->st.shares, &ms)) != MDB_SUCCESS)
		return store_err(rc);
	*n = ms.ms_entries;
	return ZSQ_OK;
}

int
cmd_check(struct admin *a)
{
	struct check c;
	MDB_stat gs;
	size_t nshares = 0;
	int rc = ZSQ_OK, status = 1;

	memset(&c, 0, sizeof(c));
	c.a = a;
	if (admin_open(a, 0) || admin_begin(a, MDB_RDONLY, &c.txn))
		goto done;
	if ((rc = check_meta(&c)) != ZSQ_OK ||
	    (rc = check_accounts(&c)) != ZSQ_OK ||
	    (rc = check_groups(&c)) != ZSQ_OK ||
	    (rc = check_shares(&c)) != ZSQ_OK ||
	    (rc = check_ords(&c)) != ZSQ_OK ||
	    (rc = mdb_stat(c.txn, a->st.groups, &gs)) != MDB_SUCCESS ||
	    (rc = check_reverse(&c, a->st.owned, "owned",
	    gs.ms_entries)) != ZSQ_OK ||
	    (rc = count_shares(&c, &nshares)) != ZSQ_OK ||
	    (rc = check_reverse(&c, a->st.granted, "granted",
	    nshares)) != ZSQ_OK ||
	    (rc = check_index(&c, INDEX_EQ)) != ZSQ_OK ||
	    (rc = check_index(&c, INDEX_ORD)) != ZSQ_OK ||
	    (rc = check_sessions(&c)) != ZSQ_OK) {
		admin_fail(a, rc, "check %s", a->dir);
		goto done;
	}
	if (c.problems > SHOW_MAX)
		printf("... and %lu more problems\n", c.problems - SHOW_MAX);
	if (c.problems == 0) {
		printf("check: ok\n");
		status = 0;
	} else {
		printf("check: %lu problem%s\n", c.problems,
		    c.problems == 1 ? "" : "s");
		admin_error("check %s: %lu problem%s", a->dir, c.problems,
		    c.problems == 1 ? "" : "s");
	}
done:
	if (c.txn)
		mdb_txn_abort(c.txn);
	buf_free(&c.ents);
	free(c.off);
	return status;
}
