/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sync.c - read ZStack, then apply it in one import transaction; see
 * sync.h.  The lists are gathered in arrays sorted by resource uuid, so a
 * group's owner and tags are found by bisection while its page streams
 * through import_add().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/hash.h"
#include "base/text.h"
#include "base/vec.h"
#include "store/acl.h"
#include "store/record.h"
#include "store/schema.h"
#include "upstream/sync.h"
#include "upstream/sync_page.h"

#define ACCOUNT_NAME_MAX	255	/* bytes kept of an account's name */

struct ref {
	char		 res[32];
	char		 acct[32];
	int		 rank;		/* 0 owns before 1 before 2 (sync.h) */
};

enum { TAG_SYSTEM, TAG_USER };

struct tag {
	char		 res[32];
	int		 kind;
	size_t		 seq;		/* upstream order */
	size_t		 off;		/* NUL-terminated, in ctx.tagstr */
};

struct ctx {
	const struct sync_opts *o;
	struct import	*imp;
	struct sync_stats *stats;
	struct ref	*refs;
	size_t		 nrefs, caprefs;
	struct tag	*tags;
	size_t		 ntags, captags;
	struct buf	 tagstr;
	struct acl_grant *grants;
	size_t		 ngrants, capgrants;
	struct acl_account *accts;
	size_t		 naccts, capaccts;
	const char	**tagv;		/* one group's tags, system then user */
	size_t		 captagv;
	int		 tag_kind;	/* of the tag list being read */
	char		(*seen)[32];	/* the groups listed, rising (keyset) */
	size_t		 nseen, capseen;
};

void
sync_opts_init(struct sync_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->http.connect_timeout = SYNC_CONNECT_TIMEOUT;
	o->http.timeout = SYNC_TIMEOUT;
	o->resource_type = SYNC_RESOURCE_TYPE;
	o->page_size = SYNC_PAGE_DEFAULT;
	o->max_delete = IMPORT_MAX_DELETE_DEFAULT;
	o->http.max_bytes = SYNC_BYTES_MAX;
	o->http.max_seconds = SYNC_TIME_MAX;
	o->limits.reply_bytes = SYNC_REPLY_MAX;
	o->limits.groups = SYNC_GROUPS_MAX;
	o->limits.rows = SYNC_ROWS_MAX;
	o->limits.list_bytes = SYNC_LIST_BYTES_MAX;
}

/* A 32-hex member of row, or NULL. */
static const char *
uuid_member(json_t *row, const char *key)
{
	json_t *v = json_object_get(row, key);
	const char *s = json_string_value(v);

	return s != NULL && text_uuid_valid(s, json_string_length(v)) ? s :
	    NULL;
}

static int
row_bad(struct buf *err, size_t n, const char *what)
{
	(void)buf_printf(err, "row %zu: %s", n + 1, what);
	return ZSQ_EINVAL;
}

/* 1 when the row is about another resource type (and is skipped). */
static int
other_type(const struct ctx *c, json_t *row)
{
	const char *t = json_string_value(json_object_get(row,
	    "resourceType"));

	return t != NULL && strcmp(t, c->o->resource_type) != 0;
}

/* A ref's rank in the owner rule (sync.h): "Own", not shared, other. */
static int
ref_rank(json_t *row)
{
	const char *type = json_string_value(json_object_get(row, "type"));
	json_t *shared = json_object_get(row, "isShared");

	if (type != NULL)
		return strcmp(type, "Own") == 0 ? 0 : 2;
	if (json_is_boolean(shared))
		return json_is_true(shared) ? 2 : 1;
	return 1;
}

static int
ref_row(void *arg, json_t *row, size_t n, struct buf *err)
{
	struct ctx *c = arg;
	const char *acct, *res;
	struct ref *r;

	if (other_type(c, row))
		return ZSQ_OK;
	if ((acct = uuid_member(row, "accountUuid")) == NULL)
		return row_bad(err, n, "'accountUuid' is not 32 lowercase hex "
		    "characters");
	if ((res = uuid_member(row, "resourceUuid")) == NULL)
		return row_bad(err, n, "'resourceUuid' is not 32 lowercase hex "
		    "characters");
	if (VEC_GROW(&c->refs, &c->caprefs, c->nrefs + 1))
		return ZSQ_ENOMEM;
	r = &c->refs[c->nrefs++];
	memcpy(r->res, res, 32);
	memcpy(r->acct, acct, 32);
	r->rank = ref_rank(row);
	return ZSQ_OK;
}

static int
grant_add(struct ctx *c, const char *group, const char *account)
{
	struct acl_grant *g;

	if (VEC_GROW(&c->grants, &c->capgrants, c->ngrants + 1))
		return ZSQ_ENOMEM;
	g = &c->grants[c->ngrants++];
	memcpy(g->group, group, 32);
	memcpy(g->account, account, 32);
	return ZSQ_OK;
}

static int
share_row(void *arg, json_t *row, size_t n, struct buf *err)
{
	struct ctx *c = arg;
	json_t *pub = json_object_get(row, "toPublic");
	const char *res, *to;

	if (other_type(c, row))
		return ZSQ_OK;
	if ((res = uuid_member(row, "resourceUuid")) == NULL)
		return row_bad(err, n, "'resourceUuid' is not 32 lowercase hex "
		    "characters");
	if (pub != NULL && !json_is_boolean(pub))
		return row_bad(err, n, "'toPublic' is not a boolean");
	if (json_is_true(pub))
		to = ACL_PUBLIC;
	else if ((to = uuid_member(row, "receiverAccountUuid")) == NULL)
		return row_bad(err, n, "neither 'toPublic' nor a "
		    "'receiverAccountUuid' of 32 lowercase hex characters");
	c->stats->shares++;
	return grant_add(c, res, to);
}

static int
tag_row(void *arg, json_t *row, size_t n, struct buf *err)
{
	struct ctx *c = arg;
	const char *res, *s = json_string_value(json_object_get(row, "tag"));
	struct tag *t;

	if (other_type(c, row))
		return ZSQ_OK;
	if ((res = uuid_member(row, "resourceUuid")) == NULL)
		return row_bad(err, n, "'resourceUuid' is not 32 lowercase hex "
		    "characters");
	/* Without JSON_ALLOW_NUL, jansson made s a C string. */
	if (s == NULL)
		return row_bad(err, n, "'tag' is not a string");
	if (VEC_GROW(&c->tags, &c->captags, c->ntags + 1))
		return ZSQ_ENOMEM;
	t = &c->tags[c->ntags];
	memcpy(t->res, res, 32);
	t->kind = c->tag_kind;
	t->seq = c->ntags;
	t->off = c->tagstr.len;
	if (buf_append(&c->tagstr, s, strlen(s) + 1) != ZSQ_OK)
		return ZSQ_ENOMEM;
	c->ntags++;
	return ZSQ_OK;
}

static int
account_row(void *arg, json_t *row, size_t n, struct buf *err)
{
	struct ctx *c = arg;
	const char *uuid, *name;
	struct acl_account *a;
	size_t len;

	if ((uuid = uuid_member(row, "uuid")) == NULL)
		return row_bad(err, n, "'uuid' is not 32 lowercase hex "
		    "characters");
	name = json_string_value(json_object_get(row, "name"));
	if (name == NULL)
		name = "";
	/* Keep at most 255 bytes, cut on a UTF-8 character boundary. */
	len = strlen(name);
	if (len > ACCOUNT_NAME_MAX) {
		len = ACCOUNT_NAME_MAX;
		while (len > 0 && ((unsigned char)name[len] & 0xc0) == 0x80)
			len--;
	}
	if (VEC_GROW(&c->accts, &c->capaccts, c->naccts + 1))
		return ZSQ_ENOMEM;
	a = &c->accts[c->naccts++];
	memcpy(a->uuid, uuid, 32);
	memcpy(a->name, name, len);
	a->name[len] = '\0';
	return ZSQ_OK;
}

/* By resource, then the owner rule (sync.h): never upstream order. */
static int
ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int c = memcmp(x->res, y->res, 32);

	if (c == 0)
		c = x->rank - y->rank;
	return c ? c : memcmp(x->acct, y->acct, 32);
}

static int
tag_cmp(const void *a, const void *b)
{
	const struct tag *x = a, *y = b;
	int c = memcmp(x->res, y->res, 32);

	if (c == 0)
		c = x->kind - y->kind;
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/*
 * Owners: the first ref of a resource in ref_cmp's order owns it.  A
 * ZStack that lists more than one ref for a resource (versions that
 * record shares as refs too) gives every further account a share, so each
 * keeps its access.
 */
static int
refs_settle(struct ctx *c)
{
	size_t i;
	int rc;

	if (c->nrefs > 0)
		qsort(c->refs, c->nrefs, sizeof(*c->refs), ref_cmp);
	for (i = 1; i < c->nrefs; i++)
		if (memcmp(c->refs[i].res, c->refs[i - 1].res, 32) == 0 &&
		    (rc = grant_add(c, c->refs[i].res, c->refs[i].acct)) != ZSQ_OK)
			return rc;
	if (c->ntags > 0)
		qsort(c->tags, c->ntags, sizeof(*c->tags), tag_cmp);
	return ZSQ_OK;
}

/* Index of the first element whose res is >= uuid (elements of size). */
static size_t
lower_bound(const void *base, size_t n, size_t size, const char *uuid)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		/* res is the first member of struct ref and struct tag. */
		if (memcmp((const char *)base + mid * size, uuid, 32) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
group_add(void *arg, const char *json, size_t len, const char *uuid,
    struct buf *err)
{
	struct ctx *c = arg;
	struct import_tags t;
	char owner[33];
	size_t i, k, n;

	if (c->o->groups_only)
		return import_add(c->imp, json, len, NULL, NULL, err);
	/* Rising: the pager checked the keyset order. */
	if (VEC_GROW(&c->seen, &c->capseen, c->nseen + 1))
		return ZSQ_ENOMEM;
	memcpy(c->seen[c->nseen++], uuid, 32);
	i = lower_bound(c->refs, c->nrefs, sizeof(*c->refs), uuid);
	memcpy(owner, i < c->nrefs && memcmp(c->refs[i].res, uuid, 32) == 0 ?
	    c->refs[i].acct : SCHEMA_ADMIN_ACCOUNT, 32);
	owner[32] = '\0';
	i = lower_bound(c->tags, c->ntags, sizeof(*c->tags), uuid);
	for (n = 0; i + n < c->ntags && memcmp(c->tags[i + n].res, uuid, 32) ==
	    0; n++)
		;
	/* The group's n tags at once; + 1: never a NULL array, even for 0. */
	if (VEC_GROW(&c->tagv, &c->captagv, n + 1))
		return ZSQ_ENOMEM;
	memset(&t, 0, sizeof(t));
	for (k = 0; k < n; k++) {
		c->tagv[k] = c->tagstr.data + c->tags[i + k].off;
		if (c->tags[i + k].kind == TAG_SYSTEM)
			t.nsystem++;
		else
			t.nuser++;
	}
	t.system = c->tagv;
	t.user = c->tagv + t.nsystem;
	c->stats->tags += n;
	return import_add(c->imp, json, len, owner, &t, err);
}

/* FNV-1a over every share: tells whether a replace changed them. */
static int
shares_digest(const struct store *st, MDB_txn *txn, uint64_t *h)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	*h = HASH_FNV1A_INIT;
	if ((rc = mdb_cursor_open(txn, st->shares, &cur)) != MDB_SUCCESS)
		return store_err(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == MDB_SUCCESS) {
		*h = hash_fnv1a(*h, k.mv_data, k.mv_size);
		*h = hash_fnv1a(*h, v.mv_data, v.mv_size);
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? ZSQ_OK : store_err(rc);
}

/*
 * The bulk-removal guard (sync.h): lost of the cur stored entries of a
 * kind would go.  Past max_delete percent the run is refused, as import
 * refuses it for groups; one removal alone is never bulk (the last share
 * of a group may be revoked).
 */
static int
guard(const struct ctx *c, const char *kind, unsigned long lost,
    unsigned long cur, struct buf *err)
{
	if (c->o->max_delete >= 100 || lost <= 1 ||
	    (unsigned long long)lost * 100 <=
	    (unsigned long long)c->o->max_delete * cur)
		return ZSQ_OK;
	(void)buf_printf(err, "the upstream's lists would remove %lu of the "
	    "%lu stored %s, more than %u%%: nothing changed (a larger "
	    "--max-delete allows it)", lost, cur, kind, c->o->max_delete);
	return ZSQ_EINVAL;
}

static int
acct_cmp(const void *a, const void *b)
{
	return memcmp(((const struct acl_account *)a)->uuid,
	    ((const struct acl_account *)b)->uuid, 32);
}

static int
grant_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct acl_grant));
}

/*
 * 1 when the upstream listed group uuid this run: what is removed from a
 * group deleted upstream is the groups rule's to judge, not a guard's.
 */
static int
group_seen(const struct ctx *c, const char *uuid)
{
	size_t i = lower_bound(c->seen, c->nseen, sizeof(*c->seen), uuid);

	return i < c->nseen && memcmp(c->seen[i], uuid, 32) == 0;
}

/* Accounts stored that the new list lacks (the admin's never goes). */
static int
accounts_guard(struct ctx *c, const struct store *st, MDB_txn *txn,
    struct buf *err)
{
	struct acl_account key;
	unsigned long cur = 0, lost = 0;
	MDB_cursor *mc;
	MDB_val k, v;
	int rc;

	if (c->naccts > 0)
		qsort(c->accts, c->naccts, sizeof(*c->accts), acct_cmp);
	if ((rc = mdb_cursor_open(txn, st->accounts, &mc)) != MDB_SUCCESS)
		return store_err(rc);
	while ((rc = mdb_cursor_get(mc, &k, &v, MDB_NEXT)) == MDB_SUCCESS) {
		if (k.mv_size != 32 || acl_is_admin(k.mv_data))
			continue;
		cur++;
		memcpy(key.uuid, k.mv_data, 32);
		/* (bsearch wants an array, even for none.) */
		lost += c->naccts == 0 || bsearch(&key, c->accts, c->naccts,
		    sizeof(*c->accts), acct_cmp) == NULL;
	}
	mdb_cursor_close(mc);
	if (rc != MDB_NOTFOUND)
		return store_err(rc);
	return guard(c, "accounts", lost, cur, err);
}

/*
 * Groups that stay, owned here by an account other than the admin, whose
 * ref is gone upstream: they would fall to the admin.
 */
static int
owners_guard(struct ctx *c, const struct store *st, MDB_txn *txn,
    struct buf *err)
{
	unsigned long cur = 0, lost = 0;
	const char *uuid;
	MDB_cursor *mc;
	MDB_val k, v;
	size_t i;
	int rc = ZSQ_OK, mrc;

	if ((mrc = mdb_cursor_open(txn, st->owned, &mc)) != MDB_SUCCESS)
		return store_err(mrc);
	while ((mrc = mdb_cursor_get(mc, &k, &v, MDB_NEXT)) == MDB_SUCCESS) {
		if (k.mv_size != 32 || v.mv_size != 4 ||
		    acl_is_admin(k.mv_data))
			continue;
		if ((rc = store_ord_uuid(st, txn, store_ord_get(v.mv_data),
		    &uuid)) != ZSQ_OK)
			break;
		if (!group_seen(c, uuid))
			continue;
		cur++;
		i = lower_bound(c->refs, c->nrefs, sizeof(*c->refs), uuid);
		lost += i >= c->nrefs || memcmp(c->refs[i].res, uuid, 32) != 0;
	}
	mdb_cursor_close(mc);
	if (rc != ZSQ_OK)
		return rc;
	if (mrc != MDB_NOTFOUND)
		return store_err(mrc);
	return guard(c, "owners", lost, cur, err);
}

/* Shares and public marks of groups that stay, that the lists lack. */
static int
shares_guard(struct ctx *c, const struct store *st, MDB_txn *txn,
    struct buf *err)
{
	unsigned long cur[2] = { 0, 0 }, lost[2] = { 0, 0 };
	struct acl_grant key;
	MDB_cursor *mc;
	MDB_val k, v;
	int rc, pub;

	if (c->ngrants > 0)
		qsort(c->grants, c->ngrants, sizeof(*c->grants), grant_cmp);
	if ((rc = mdb_cursor_open(txn, st->shares, &mc)) != MDB_SUCCESS)
		return store_err(rc);
	while ((rc = mdb_cursor_get(mc, &k, &v, MDB_NEXT)) == MDB_SUCCESS) {
		if (k.mv_size != 32 || v.mv_size != 32 ||
		    !group_seen(c, k.mv_data))
			continue;
		pub = memcmp(v.mv_data, ACL_PUBLIC, 32) == 0;
		cur[pub]++;
		memcpy(key.group, k.mv_data, 32);
		memcpy(key.account, v.mv_data, 32);
		lost[pub] += c->ngrants == 0 || bsearch(&key, c->grants,
		    c->ngrants, sizeof(*c->grants), grant_cmp) == NULL;
	}
	mdb_cursor_close(mc);
	if (rc != MDB_NOTFOUND)
		return store_err(rc);
	if ((rc = guard(c, "shares", lost[0], cur[0], err)) != ZSQ_OK)
		return rc;
	return guard(c, "public marks", lost[1], cur[1], err);
}

/* 1 when the new lists give group uuid the tag t. */
static int
tag_listed(const struct ctx *c, const char *uuid, const struct rec_tagval *t)
{
	const char *s;
	size_t i;

	i = lower_bound(c->tags, c->ntags, sizeof(*c->tags), uuid);
	for (; i < c->ntags && memcmp(c->tags[i].res, uuid, 32) == 0; i++) {
		s = c->tagstr.data + c->tags[i].off;
		if ((c->tags[i].kind == TAG_SYSTEM) ==
		    (t->kind == REC_TAG_SYSTEM) && strlen(s) == t->len &&
		    memcmp(s, t->str, t->len) == 0)
			return 1;
	}
	return 0;
}

/* Tags stored on groups that stay, that the tag lists lack. */
static int
tags_guard(struct ctx *c, const struct store *st, MDB_txn *txn,
    struct buf *err)
{
	unsigned long cur = 0, lost = 0;
	struct rec_tagval t;
	struct rec_head h;
	struct rec_iter it;
	MDB_val k, v;
	size_t i;
	int rc;

	for (i = 0; i < c->nseen; i++) {
		k.mv_size = 32;
		k.mv_data = c->seen[i];
		if ((rc = mdb_get(txn, st->groups, &k, &v)) == MDB_NOTFOUND)
			continue;	/* new here */
		if (rc != MDB_SUCCESS)
			return store_err(rc);
		if (record_open(v.mv_data, v.mv_size, &h) != ZSQ_OK)
			return ZSQ_ESTORE;
		record_tags_begin(v.mv_data, &h, &it);
		while ((rc = record_tags_next(&it, &t)) == 1) {
			cur++;
			lost += !tag_listed(c, c->seen[i], &t);
		}
		if (rc < 0)
			return ZSQ_ESTORE;
	}
	return guard(c, "tags", lost, cur, err);
}

static int
hook_fail(struct buf *err, const char *what, int rc)
{
	(void)buf_printf(err, "%s: %s", what, rc == ZSQ_EFULL ?
	    "the store is full: raise --map-size" : zsq_strerror(rc));
	return rc;
}

static int
accounts_hook(void *arg, const struct store *st, MDB_txn *txn,
    struct buf *err)
{
	struct ctx *c = arg;
	size_t mark = err->len;
	int rc;

	/* Before anything is written: the groups' owners as they were. */
	if ((rc = accounts_guard(c, st, txn, err)) != ZSQ_OK ||
	    (rc = owners_guard(c, st, txn, err)) != ZSQ_OK ||
	    (rc = shares_guard(c, st, txn, err)) != ZSQ_OK ||
	    (rc = tags_guard(c, st, txn, err)) != ZSQ_OK)
		return err->len > mark ? rc : hook_fail(err, "reading the "
		    "store", rc);
	if ((rc = accounts_replace(st, txn, c->accts, c->naccts)) != ZSQ_OK)
		return hook_fail(err, "replacing the accounts", rc);
	return ZSQ_OK;
}

static int
shares_hook(void *arg, const struct store *st, MDB_txn *txn, struct buf *err)
{
	struct ctx *c = arg;
	uint64_t before, after;
	size_t skipped = 0;
	int rc;

	if ((rc = shares_digest(st, txn, &before)) != ZSQ_OK ||
	    (rc = acl_shares_replace(st, txn, c->grants, c->ngrants,
	    &skipped)) != ZSQ_OK ||
	    (rc = shares_digest(st, txn, &after)) != ZSQ_OK)
		return hook_fail(err, "replacing the shares", rc);
	c->stats->shares_skipped = skipped;
	/* import bumps the generation for groups; shares are ours to do. */
	if (before != after && (rc = store_gen_bump(st, txn)) != ZSQ_OK)
		return hook_fail(err, "replacing the shares", rc);
	return ZSQ_OK;
}

/* Steps 1-3: owners, shares and tags of the resource type. */
static int
tenancy_read(struct ctx *c, struct http *h, struct page_limits *lim,
    struct buf *err)
{
	struct buf q = BUF_INIT;
	unsigned ps = c->o->page_size;
	int rc;

	if (buf_printf(&q, "q=resourceType%%3D%s", c->o->resource_type))
		return ZSQ_ENOMEM;
	if ((rc = page_read_list(h, "/zstack/v1/accounts/resources/refs",
	    q.data, "resourceUuid", ps, lim, ref_row, c, err)) != ZSQ_OK ||
	    (rc = page_read_list(h, "/zstack/v1/accounts/resources", q.data,
	    "resourceUuid", ps, lim, share_row, c, err)) != ZSQ_OK)
		goto out;
	c->tag_kind = TAG_SYSTEM;
	if ((rc = page_read_list(h, "/zstack/v1/system-tags", q.data, "uuid",
	    ps, lim, tag_row, c, err)) != ZSQ_OK)
		goto out;
	c->tag_kind = TAG_USER;
	if ((rc = page_read_list(h, "/zstack/v1/user-tags", q.data, "uuid", ps,
	    lim, tag_row, c, err)) != ZSQ_OK)
		goto out;
	rc = refs_settle(c);
out:
	buf_free(&q);
	return rc;
}

int
sync_run(struct store *st, const struct sync_opts *o,
    struct sync_stats *stats, struct buf *err)
{
	struct import_opts io;
	struct import_hooks hooks;
	struct page_limits lim = o->limits;
	struct http *h = NULL;
	struct ctx c;
	int rc;

	lim.list_bytes_max = lim.list_bytes;
	memset(stats, 0, sizeof(*stats));
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.stats = stats;
	if ((rc = http_open(&o->http, &h, err)) != ZSQ_OK)
		goto out;
	if (!o->groups_only && (rc = tenancy_read(&c, h, &lim, err)) != ZSQ_OK)
		goto out;
	import_opts_init(&io);
	io.replace = 1;
	/* An empty upstream is refused by max_delete unless it is 100. */
	io.allow_empty = 1;
	io.max_delete = o->max_delete;
	io.progress = o->progress;
	io.progress_arg = o->progress_arg;
	if ((rc = import_begin(st, &io, &c.imp, err)) != ZSQ_OK ||
	    (rc = page_read_groups(h, SYNC_GROUPS_ROUTE, o->page_size, &lim,
	    group_add, &c, &stats->pages, err)) != ZSQ_OK)
		goto out;
	if (!o->groups_only && (rc = page_read_list(h, "/zstack/v1/accounts",
	    "", "uuid", o->page_size, &lim, account_row, &c, err)) != ZSQ_OK)
		goto out;
	hooks.before = accounts_hook;
	hooks.after = shares_hook;
	hooks.arg = &c;
	rc = import_commit(c.imp, o->groups_only ? NULL : &hooks,
	    &stats->groups, err);
	stats->accounts = c.naccts;
out:
	if (h != NULL) {
		http_counts(h, &stats->requests, &stats->bytes);
		if (rc != ZSQ_OK)
			snprintf(stats->error_code, sizeof(stats->error_code),
			    "%s", http_error_code(h));
	}
	import_end(c.imp);
	http_close(h);
	free(c.refs);
	free(c.tags);
	free(c.grants);
	free(c.accts);
	free(c.tagv);
	free(c.seen);
	buf_free(&c.tagstr);
	if (rc != ZSQ_OK) {
		memset(&stats->groups, 0, sizeof(stats->groups));
		stats->shares_skipped = 0;
	}
	return rc;
}
