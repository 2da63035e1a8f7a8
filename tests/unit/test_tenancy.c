/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_tenancy.c - a property test of API.md §3 (tenancy) through the real
 * request path: request_handle() over a real store with real sessions.
 *
 * Each round generates from a fixed seed 50 to 100 groups whose nested
 * values come from small pools (so conditions match some groups and miss
 * others), five tenant accounts, random owners (one import per owner, as
 * `zsquery-admin import --owner` does) and random shares, to accounts and
 * public.  Who sees what is computed here from the generated data, never
 * through acl.c.  For every account and many random queries (every
 * operator, nested paths, tags, count, replyWithCount, limit/start, sort,
 * fields):
 *   (a) every uuid in the reply is one the account may see;
 *   (b) the whole reply (status, ETag, body) is the admin's reply to the
 *       same query restricted by q=uuid?=<the visible set>: the admin's
 *       result filtered to the visible set, in the same order;
 *   (c) count and total are the size of the admin's whole result filtered
 *       to the visible set, and the page is its [start, start + limit);
 *   (d) the get route, and q=uuid=, answer for an invisible uuid exactly
 *       what they answer for a uuid no group has (a visible one is found);
 *   (e) after a change to a group the account cannot see (a re-import
 *       with another description, or a share to someone else) every reply
 *       is byte-identical, ETag included, and its old ETag still gets 304;
 *       after a change to a visible group that a reply shows, that reply's
 *       ETag differs;
 *   (f) by time too (API.md §3): a costly query (many like conditions on a
 *       long string) pinned to another account's group takes what it takes
 *       pinned to a uuid no group has, while pinned to a visible group
 *       with the same contents it is many times slower.  Medians of many
 *       interleaved tries, with a generous bound: the property fails by
 *       orders of magnitude when conditions run before tenancy.
 */
#include <inttypes.h>
#include <stdint.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/errors.h"
#include "ingest/import.h"
#include "serve/request.h"
#include "store/acl.h"
#include "store/schema.h"
#include "store/session.h"
#include "store/store.h"
#include "t.h"
#include "tstore.h"

#define P		"/zstack/v1/ai/model-services/instances/groups"
#define ROUNDS		4
#define NACC		6	/* [0] the admin, then tenants */
#define MAXG		100
#define NQUERIES	40
#define NCHANGES	6
#define NOSUCH		"0000000000000000000000000000abcd"
#define TIME_TRIES	41
#define TIME_CONDS	32
#define TIME_DESC	(256 << 10)	/* bytes of the costly string */
#define PUBLIC		(-1)	/* share() to everyone */

struct group {
	char	 uuid[33];
	int	 owner;			/* account index */
	int	 shared[NACC];
	int	 public;
	json_t	*json;
};

struct query_gen {
	struct buf	 sel;		/* q and sort: what selects and orders */
	struct buf	 shape;		/* limit, start, count, ... */
	long		 limit, start;
	int		 count, rwc;
};

struct reply_parsed {
	int	 status;
	char	 etag[24];
	size_t	 nuuid;
	char	 uuid[MAXG][33];
	long	 total;			/* -1: none */
	int	 has_inventories;
};

static uint64_t rng;
static struct store st;
static struct request_ctx ctx;
static struct group g[MAXG];
static int ng;
static char acct[NACC][33];
static char sid[NACC][24];
/* Exercised at least once, or the properties held vacuously. */
static unsigned long n_hidden_same, n_shown_changed, n_found, n_hidden_get;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11) % n;
}

static const char *
pick(const char *const *pool, size_t n)
{
	return pool[rnd((uint32_t)n)];
}

#define PICK(pool)	pick(pool, sizeof(pool) / sizeof(pool[0]))

static const char *const names[] = { "alpha", "Beta", "gamma", "ALPHA",
    "delta-1", "delta_2", "epsilon", "zeta 1" };
static const char *const descs[] = { "first", "second", "Third %",
    "x_y", "plain" };
static const char *const statuses[] = { "Running", "Stopped", "Starting",
    "Error", "running" };
static const char *const types[] = { "ModelService", "Notebook", "App" };
static const char *const msus[] = { "6a1e0c9d4b2f4e8a8f3c5d7e9a1b2c3d",
    "7b2f1d0e5c3a4f9b9a4d6e8f0b2c3d4e", "8c3f2e1d6b4a4a0c8b5e7f9a1c3d5e7f" };
static const char *const inames[] = { "inst-a", "inst-b", "Inst-C" };
static const char *const vnames[] = { "vm-1", "vm-2", "VM-3" };
static const char *const ips[] = { "10.0.0.1", "10.0.0.2", "10.0.0.3",
    "10.0.0.10", "192.168.1.1" };
static const char *const dsets[] = { "d5e7f9a1c3d54a0c8b5e7f9a1c3d5e70",
    "e6f8a0b2d4e65b1d9c6f8a0b2d4e6f81" };
static const char *const stags[] = { "gpu::A100", "gpu::H100",
    "priority::high", "zone::a" };
static const char *const utags[] = { "team-nlp", "team-cv", "Team-NLP" };
static const char *const cpus[] = { "1", "2", "4", "8", "3" };
static const char *const sizes[] = { "1024", "2048", "4096", "0" };
static const char *const ranks[] = { "0", "1", "2", "3", "-1" };
static const char *const bools[] = { "true", "false", "TRUE" };
static const char *const days[] = { "2023-11-13", "2023-11-15",
    "2023-11-18", "2023-11-20 12:00:00", "2023-11-24", "2023-11-30" };

static void
hex32(char *out)
{
	snprintf(out, 33, "%08" PRIx32 "%08" PRIx32 "%08" PRIx32 "%08" PRIx32,
	    rnd(UINT32_MAX), rnd(UINT32_MAX), rnd(UINT32_MAX),
	    rnd(UINT32_MAX));
}

static json_t *
uuid_json(void)
{
	char u[33];

	hex32(u);
	return json_string(u);
}

/* 1 in n: leave the field out. */
static void
maybe_set(json_t *o, const char *key, json_t *v, uint32_t n)
{
	if (rnd(n) == 0)
		json_decref(v);
	else
		json_object_set_new(o, key, v);
}

static json_t *
gen_vm(void)
{
	json_t *vm = json_object(), *nics = json_array(), *vols = json_array();
	json_t *nic, *used, *ip, *vol;
	uint32_t i, j, n, m;

	json_object_set_new(vm, "uuid", uuid_json());
	maybe_set(vm, "name", json_string(PICK(vnames)), 5);
	maybe_set(vm, "cpuNum", json_integer(atoi(PICK(cpus))), 5);
	json_object_set_new(vm, "memorySize", json_integer(1 << rnd(4)));
	for (i = 0, n = rnd(3); i < n; i++) {
		nic = json_object();
		json_object_set_new(nic, "uuid", uuid_json());
		maybe_set(nic, "ip", json_string(PICK(ips)), 4);
		used = json_array();
		for (j = 0, m = rnd(3); j < m; j++) {
			ip = json_object();
			json_object_set_new(ip, "uuid", uuid_json());
			json_object_set_new(ip, "ip", json_string(PICK(ips)));
			json_array_append_new(used, ip);
		}
		json_object_set_new(nic, "usedIps", used);
		json_array_append_new(nics, nic);
	}
	json_object_set_new(vm, "vmNics", nics);
	for (i = 0, n = rnd(3); i < n; i++) {
		vol = json_object();
		json_object_set_new(vol, "uuid", uuid_json());
		json_object_set_new(vol, "size",
		    json_integer(atoi(PICK(sizes))));
		maybe_set(vol, "isShareable", json_boolean(rnd(2)), 3);
		json_array_append_new(vols, vol);
	}
	json_object_set_new(vm, "allVolumes", vols);
	return vm;
}

static json_t *
gen_group(const char *uuid)
{
	json_t *o = json_object(), *list, *e, *tags;
	uint32_t i, n;
	int64_t day = 86400000;

	json_object_set_new(o, "uuid", json_string(uuid));
	json_object_set_new(o, "modelServiceUuid", json_string(PICK(msus)));
	list = json_array();
	for (i = 0, n = rnd(4); i < n; i++) {
		e = json_object();
		json_object_set_new(e, "uuid", uuid_json());
		maybe_set(e, "name", json_string(PICK(inames)), 4);
		json_object_set_new(e, "modelServiceGroupUuid",
		    json_string(uuid));
		maybe_set(e, "status", json_string(PICK(statuses)), 6);
		maybe_set(e, "nodeRank", json_integer(atoi(PICK(ranks))), 3);
		maybe_set(e, "vm", gen_vm(), 4);
		json_array_append_new(list, e);
	}
	json_object_set_new(o, "instances", list);
	list = json_array();
	for (i = 0, n = rnd(3); i < n; i++) {
		e = json_object();
		json_object_set_new(e, "uuid", uuid_json());
		json_object_set_new(e, "datasetUuid", json_string(PICK(dsets)));
		json_array_append_new(list, e);
	}
	maybe_set(o, "datasetRefInventories", list, 4);
	maybe_set(o, "status", json_string(PICK(statuses)), 8);
	json_object_set_new(o, "type", json_string(PICK(types)));
	maybe_set(o, "name", json_string(PICK(names)), 8);
	maybe_set(o, "description", json_string(PICK(descs)), 3);
	json_object_set_new(o, "createDate",
	    json_integer(1699920000000 + day * rnd(16)));
	maybe_set(o, "lastOpDate",
	    json_integer(1699920000000 + day * rnd(16) + 3600000 * rnd(24)),
	    5);
	tags = json_array();
	for (i = 0, n = rnd(3); i < n; i++)
		json_array_append_new(tags, json_string(PICK(stags)));
	json_object_set_new(o, "systemTags", tags);
	tags = json_array();
	for (i = 0, n = rnd(2); i < n; i++)
		json_array_append_new(tags, json_string(PICK(utags)));
	json_object_set_new(o, "userTags", tags);
	return o;
}

/* Import every group of owner (or the one group gi, owner kept). */
static int
import_groups(int owner, int gi)
{
	json_t *arr = json_array();
	char *text;
	int i, rc;

	for (i = 0; i < ng; i++)
		if (gi >= 0 ? i == gi : g[i].owner == owner)
			json_array_append(arr, g[i].json);
	text = json_dumps(arr, JSON_COMPACT);
	rc = tstore_import(&st, text, gi >= 0 ? NULL : acct[owner]);
	free(text);
	json_decref(arr);
	return rc;
}

static int
visible(int a, int gi)
{
	return a == 0 || g[gi].owner == a || g[gi].shared[a] || g[gi].public;
}

static int
group_index(const char *uuid)
{
	int i;

	for (i = 0; i < ng; i++)
		if (strcmp(g[i].uuid, uuid) == 0)
			return i;
	return -1;
}

/* Share group gi with account a, or PUBLIC, inside txn. */
static int
share_in(MDB_txn *txn, int gi, int a)
{
	int rc;

	rc = acl_share(&st, txn, g[gi].uuid, a == PUBLIC ? NULL : acct[a]);
	return rc == ZSQ_OK ? store_gen_bump(&st, txn) : rc;
}

static int
share(int gi, int a)
{
	MDB_txn *txn;
	int rc;

	if (mdb_txn_begin(st.env, NULL, 0, &txn) != 0)
		return ZSQ_ESTORE;
	if ((rc = share_in(txn, gi, a)) == ZSQ_OK)
		return store_err(mdb_txn_commit(txn));
	mdb_txn_abort(txn);
	return rc;
}

/* The tenant accounts and a session for each account (round's ids). */
static void
setup_accounts(int round)
{
	struct session_rec s;
	MDB_txn *txn;
	int a;

	strcpy(acct[0], SCHEMA_ADMIN_ACCOUNT);
	memset(&s, 0, sizeof(s));
	s.created_ms = session_now_ms();
	s.expired_ms = s.created_ms + 3600000;
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == 0);
	for (a = 0; a < NACC; a++) {
		if (a > 0) {
			hex32(acct[a]);
			CHECK(account_put(&st, txn, acct[a], "t") == ZSQ_OK);
		}
		snprintf(sid[a], sizeof(sid[a]), "session-%d-%d", round, a);
		memcpy(s.account, acct[a], 32);
		memcpy(s.user, acct[a], 32);
		CHECK(session_put(&st, txn, sid[a], strlen(sid[a]), &s) ==
		    ZSQ_OK);
	}
	CHECK(mdb_txn_commit(txn) == 0);
}

static void
setup_round(int round)
{
	MDB_txn *txn;
	int i, a;

	rng = 0x9e3779b97f4a7c15ULL * (uint64_t)(round + 1);
	tstore_open(&st);
	request_ctx_init(&ctx, &st, 7200, 0);
	setup_accounts(round);

	ng = 50 + (int)rnd(MAXG - 50 + 1);
	for (i = 0; i < ng; i++) {
		memset(&g[i], 0, sizeof(g[i]));
		hex32(g[i].uuid);
		g[i].owner = rnd(3) == 0 ? 0 : 1 + (int)rnd(NACC - 1);
		g[i].json = gen_group(g[i].uuid);
	}
	for (a = 0; a < NACC; a++)
		CHECK(import_groups(a, -1) == ZSQ_OK);
	CHECK(mdb_txn_begin(st.env, NULL, 0, &txn) == 0);
	for (i = 0; i < ng; i++) {
		for (a = 1; a < NACC; a++)
			if (rnd(7) == 0 && a != g[i].owner) {
				CHECK(share_in(txn, i, a) == ZSQ_OK);
				g[i].shared[a] = 1;
			}
		if (rnd(10) == 0) {
			CHECK(share_in(txn, i, PUBLIC) == ZSQ_OK);
			g[i].public = 1;
		}
	}
	CHECK(mdb_txn_commit(txn) == 0);
}

static void
teardown_round(void)
{
	int i;

	for (i = 0; i < ng; i++)
		json_decref(g[i].json);
	request_ctx_free(&ctx);
	tstore_close(&st);
}

/* --- requests -------------------------------------------------------- */

static void
request(int a, const char *uri, const char *inm, struct buf *out)
{
	char auth[64];
	struct request_in in = { "GET", uri, auth, inm, NULL, NULL };
	struct out o = { out_buf_write, out };

	snprintf(auth, sizeof(auth), "OAuth %s", sid[a]);
	buf_reset(out);
	CHECK(request_handle(&ctx, &in, &o) == ZSQ_OK);
	CHECK(buf_putc(out, '\0') == ZSQ_OK);	/* a C string to search */
	out->len--;
}

static const char *
body(const struct buf *r)
{
	const char *b = r->data ? strstr(r->data, "\r\n\r\n") : NULL;

	return b ? b + 4 : "";
}

static void
parse(const struct buf *r, struct reply_parsed *p)
{
	json_t *root, *inv, *e;
	const char *h;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->total = -1;
	if (r->data == NULL || sscanf(r->data, "Status: %d", &p->status) != 1)
		return;
	if ((h = strstr(r->data, "\r\nETag: ")) != NULL)
		sscanf(h + 8, "%23s", p->etag);
	if (p->status != 200)
		return;
	root = json_loads(body(r), 0, NULL);
	CHECK(root != NULL);
	if (root == NULL)
		return;
	if ((e = json_object_get(root, "total")) != NULL)
		p->total = (long)json_integer_value(e);
	if ((inv = json_object_get(root, "inventories")) != NULL) {
		p->has_inventories = 1;
		json_array_foreach(inv, i, e) {
			const char *u = json_string_value(
			    json_object_get(e, "uuid"));

			CHECK(u != NULL && i < MAXG);
			if (u != NULL && i < MAXG)
				snprintf(p->uuid[p->nuuid++], 33, "%s", u);
		}
	}
	json_decref(root);
}

/* Append s percent-encoded but for unreserved characters. */
static void
put_enc(struct buf *b, const char *s)
{
	for (; *s; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("-_.~", *s))
			buf_putc(b, *s);
		else
			buf_printf(b, "%%%02X", (unsigned char)*s);
}

/* --- queries --------------------------------------------------------- */

enum vkind { V_STR, V_INT, V_BOOL, V_TIME, V_UUID };

static const struct qfield {
	const char		*path;
	enum vkind		 kind;
	const char *const	*pool;
	size_t			 n;
} qfields[] = {
#define F(path, kind, pool) { path, kind, pool, sizeof(pool) / sizeof(*pool) }
	F("name", V_STR, names),
	F("description", V_STR, descs),
	F("status", V_STR, statuses),
	F("type", V_STR, types),
	F("modelServiceUuid", V_STR, msus),
	F("createDate", V_TIME, days),
	F("lastOpDate", V_TIME, days),
	F("instances.status", V_STR, statuses),
	F("instances.name", V_STR, inames),
	F("instances.nodeRank", V_INT, ranks),
	F("instances.vm.name", V_STR, vnames),
	F("instances.vm.cpuNum", V_INT, cpus),
	F("instances.vm.vmNics.ip", V_STR, ips),
	F("instances.vm.vmNics.usedIps.ip", V_STR, ips),
	F("instances.vm.allVolumes.size", V_INT, sizes),
	F("instances.vm.allVolumes.isShareable", V_BOOL, bools),
	F("datasetRefInventories.datasetUuid", V_STR, dsets),
	F("__systemTag__", V_STR, stags),
	F("__userTag__", V_STR, utags),
	F("uuid", V_UUID, msus),
#undef F
};

static const char *const ops[] = { "=", "!=", ">", "<", ">=", "<=", "?=",
    "!?=", "~=", "!~=", " is null", " not null" };
static const char *const sorts[] = { "name", "-createDate", "+status",
    "uuid", "-uuid", "lastOpDate", "-description", "type" };
static const char *const fieldsets[] = { "uuid", "uuid,name",
    "instances,uuid,createDate", "description,uuid" };

/* One value of f: from its pool, or for uuid a group's (any case). */
static void
put_value(struct buf *b, const struct qfield *f)
{
	char u[33];
	size_t i;

	if (f->kind != V_UUID) {
		buf_puts(b, pick(f->pool, f->n));
		return;
	}
	snprintf(u, sizeof(u), "%s", rnd(5) ? g[rnd((uint32_t)ng)].uuid :
	    NOSUCH);
	if (rnd(4) == 0)
		for (i = 0; u[i]; i++)
			if (u[i] >= 'a' && u[i] <= 'f')
				u[i] = (char)(u[i] - 'a' + 'A');
	buf_puts(b, u);
}

static void
gen_cond(struct buf *q)
{
	const struct qfield *f = &qfields[rnd(sizeof(qfields) / sizeof(*qfields))];
	const char *op;
	struct buf c = BUF_INIT;

	do
		op = PICK(ops);
	while (strchr(op, '~') && f->kind != V_STR);
	buf_printf(&c, "%s%s", f->path, op);
	if (op[0] == ' ')
		;
	else if (strchr(op, '~')) {
		/* A pool value with a wildcard for some of it. */
		const char *v = pick(f->pool, f->n);
		size_t n = strlen(v), cut = 1 + rnd((uint32_t)n);

		buf_append(&c, v, cut - 1);
		buf_puts(&c, rnd(2) ? "%" : "_");
		if (rnd(2))
			buf_puts(&c, v + (cut < n ? cut : n));
	} else if (strchr(op, '?')) {
		put_value(&c, f);
		buf_putc(&c, ',');
		put_value(&c, f);
	} else
		put_value(&c, f);
	buf_puts(q, "&q=");
	put_enc(q, c.data);
	buf_free(&c);
}

static void
gen_query(struct query_gen *qg)
{
	uint32_t i, n = rnd(3);

	buf_reset(&qg->sel);
	buf_reset(&qg->shape);
	for (i = 0; i < n; i++)
		gen_cond(&qg->sel);
	if (rnd(2)) {
		buf_puts(&qg->sel, "&sort=");
		put_enc(&qg->sel, PICK(sorts));
	}
	qg->limit = rnd(3) ? 1000 : (long)rnd(8);
	qg->start = rnd(3) ? 0 : (long)rnd(6);
	qg->count = rnd(8) == 0;
	qg->rwc = rnd(4) == 0;
	if (qg->limit != 1000)
		buf_printf(&qg->shape, "&limit=%ld", qg->limit);
	if (qg->start != 0)
		buf_printf(&qg->shape, "&start=%ld", qg->start);
	if (qg->count)
		buf_puts(&qg->shape, "&count=true");
	if (qg->rwc)
		buf_puts(&qg->shape, rnd(2) ? "&replyWithCount=true" :
		    "&replyWithCount=TRUE");
	if (rnd(5) == 0) {
		buf_puts(&qg->shape, "&fields=");
		put_enc(&qg->shape, PICK(fieldsets));
	}
	/* The query string may begin with '&': an empty item is ignored. */
	buf_putc(&qg->sel, '\0');
	qg->sel.len--;
	buf_putc(&qg->shape, '\0');
	qg->shape.len--;
}

/* The uri P?<sel><extra><shape>. */
static void
uri_make(struct buf *u, const struct query_gen *qg, const char *extra,
    int with_shape)
{
	buf_reset(u);
	buf_printf(u, P "?%s%s%s", qg->sel.data, extra,
	    with_shape ? qg->shape.data : "");
}

/* --- the properties -------------------------------------------------- */

/* (a), (b), (c) for account a and one query; the tenant reply in t. */
static void
check_query(int a, const struct query_gen *qg, struct buf *t)
{
	struct buf u = BUF_INIT, all = BUF_INIT, r = BUF_INIT;
	struct buf in = BUF_INIT;
	static struct reply_parsed pt, pa;
	char v[MAXG][33];
	size_t i, nv = 0, from, n;

	uri_make(&u, qg, "", 1);
	request(a, u.data, NULL, t);
	parse(t, &pt);
	CHECK(pt.status == 200);
	if (pt.status != 200)
		fprintf(stderr, "query %s: %s\n", u.data, t->data);

	/* The admin's whole result, filtered here to what a may see. */
	uri_make(&u, qg, "&limit=100000", 0);
	request(0, u.data, NULL, &all);
	parse(&all, &pa);
	CHECK(pa.status == 200);
	for (i = 0; i < pa.nuuid; i++) {
		int gi = group_index(pa.uuid[i]);

		CHECK(gi >= 0);
		if (gi >= 0 && visible(a, gi))
			memcpy(v[nv++], pa.uuid[i], 33);
	}

	/* (a) and (c) */
	for (i = 0; i < pt.nuuid; i++) {
		int gi = group_index(pt.uuid[i]);

		CHECK(gi >= 0 && visible(a, gi));
	}
	if (qg->count) {
		CHECK(!pt.has_inventories);
		CHECK(pt.total == (long)nv);
	} else {
		CHECK(pt.total == (qg->rwc ? (long)nv : -1));
		from = (size_t)qg->start < nv ? (size_t)qg->start : nv;
		n = nv - from < (size_t)qg->limit ? nv - from :
		    (size_t)qg->limit;
		CHECK(pt.nuuid == n);
		for (i = 0; i < n && i < pt.nuuid; i++)
			CHECK(strcmp(pt.uuid[i], v[from + i]) == 0);
	}

	/* (b): byte for byte, ETag included. */
	buf_puts(&in, "&q=uuid%3F%3D" NOSUCH);
	for (i = 0; i < nv; i++)
		buf_printf(&in, "%%2C%s", v[i]);
	buf_putc(&in, '\0');
	uri_make(&u, qg, in.data, 1);
	request(0, u.data, NULL, &r);
	CHECK(r.len == t->len && memcmp(r.data, t->data, t->len) == 0);
	if (r.len != t->len || memcmp(r.data, t->data, t->len) != 0)
		fprintf(stderr, "tenant %d: %s\n  got  %s\n  want %s\n", a,
		    u.data, t->data, r.data);
	buf_free(&u);
	buf_free(&all);
	buf_free(&r);
	buf_free(&in);
}

/* (d) for account a. */
static void
check_get(int a)
{
	struct buf u = BUF_INIT, r1 = BUF_INIT, r2 = BUF_INIT;
	struct reply_parsed p;
	const char *const forms[] = { P "/%s", P "//%s", P "?q=uuid%%3D%s" };
	char upper[33];
	size_t f, j;
	int gi, tried = 0;

	for (gi = 0; gi < ng; gi++) {
		if (visible(a, gi)) {
			buf_reset(&u);
			buf_printf(&u, P "/%s", g[gi].uuid);
			request(a, u.data, NULL, &r1);
			parse(&r1, &p);
			CHECK(p.status == 200 && p.nuuid == 1 &&
			    strcmp(p.uuid[0], g[gi].uuid) == 0);
			n_found++;
			continue;
		}
		if (tried++ >= 8)
			continue;
		n_hidden_get++;
		for (j = 0; j < 33; j++)
			upper[j] = g[gi].uuid[j] >= 'a' ?
			    (char)(g[gi].uuid[j] - 'a' + 'A') : g[gi].uuid[j];
		for (f = 0; f < sizeof(forms) / sizeof(*forms); f++) {
			buf_reset(&u);
			buf_printf(&u, forms[f], g[gi].uuid);
			request(a, u.data, NULL, &r1);
			buf_reset(&u);
			buf_printf(&u, forms[f], NOSUCH);
			request(a, u.data, NULL, &r2);
			CHECK(r1.len == r2.len &&
			    memcmp(r1.data, r2.data, r1.len) == 0);
			parse(&r2, &p);
			CHECK(p.status == 200 && p.nuuid == 0);
			/* The same answer to a conditional request too. */
			request(a, u.data, p.etag, &r2);
			buf_reset(&u);
			buf_printf(&u, forms[f], upper);
			request(a, u.data, p.etag, &r1);
			CHECK(r1.len == r2.len &&
			    memcmp(r1.data, r2.data, r1.len) == 0);
			CHECK(strncmp(r1.data, "Status: 304", 11) == 0);
		}
	}
	buf_free(&u);
	buf_free(&r1);
	buf_free(&r2);
}

/*
 * (e): change group gi (a new description, or a share to account to),
 * then compare every recorded tenant reply with its new one.
 */
static void
check_change(struct query_gen *qs, struct buf (*rec)[NACC], int gi,
    int to, int serial)
{
	struct buf r = BUF_INIT;
	struct reply_parsed old, now;
	char desc[32];
	int a, qi, hidden[NACC];
	size_t i;

	for (a = 1; a < NACC; a++)
		hidden[a] = !visible(a, gi);
	if (to > 0) {
		CHECK(share(gi, to) == ZSQ_OK);
		g[gi].shared[to] = 1;
		hidden[to] = 0;		/* its replies may change */
	} else {
		snprintf(desc, sizeof(desc), "changed-%d", serial);
		json_object_set_new(g[gi].json, "description",
		    json_string(desc));
		CHECK(import_groups(-1, gi) == ZSQ_OK);
	}
	for (a = 1; a < NACC; a++)
		for (qi = 0; qi < NQUERIES; qi++) {
			struct buf u = BUF_INIT;

			uri_make(&u, &qs[qi], "", 1);
			request(a, u.data, NULL, &r);
			parse(&rec[qi][a], &old);
			parse(&r, &now);
			if (hidden[a]) {
				n_hidden_same++;
				CHECK(r.len == rec[qi][a].len &&
				    memcmp(r.data, rec[qi][a].data, r.len) == 0);
				request(a, u.data, old.etag, &r);
				CHECK(strncmp(r.data, "Status: 304", 11) == 0);
				request(a, u.data, NULL, &r);
			} else if (to == 0 && !qs[qi].count)
				for (i = 0; i < old.nuuid; i++)
					if (strcmp(old.uuid[i], g[gi].uuid) ==
					    0) {
						n_shown_changed++;
						CHECK(strcmp(old.etag,
						    now.etag) != 0);
					}
			buf_reset(&rec[qi][a]);
			buf_append(&rec[qi][a], r.data, r.len + 1);
			rec[qi][a].len--;
			buf_free(&u);
		}
	buf_free(&r);
}

static void
round_run(int round)
{
	static struct query_gen qs[NQUERIES];
	static struct buf rec[NQUERIES][NACC];
	int a, qi, c, gi, to;

	setup_round(round);
	for (qi = 0; qi < NQUERIES; qi++)
		gen_query(&qs[qi]);
	for (a = 0; a < NACC; a++) {
		for (qi = 0; qi < NQUERIES; qi++)
			check_query(a, &qs[qi], &rec[qi][a]);
		check_get(a);
	}
	for (c = 0; c < NCHANGES; c++) {
		gi = (int)rnd((uint32_t)ng);
		to = 0;
		if (c % 3 == 2) {
			/* A share to a tenant that could not see it yet. */
			for (to = 1; to < NACC && visible(to, gi); to++)
				;
			if (to == NACC)
				to = 0;
		}
		check_change(qs, rec, gi, to, round * NCHANGES + c);
	}
	/* The properties still hold on the changed store. */
	for (a = 1; a < NACC; a++) {
		for (qi = 0; qi < NQUERIES; qi++)
			check_query(a, &qs[qi], &rec[qi][a]);
		check_get(a);
	}
	for (qi = 0; qi < NQUERIES; qi++) {
		buf_free(&qs[qi].sel);
		buf_free(&qs[qi].shape);
		for (a = 0; a < NACC; a++)
			buf_free(&rec[qi][a]);
	}
	teardown_round();
}

static int
us_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Microseconds one request of account a takes. */
static double
request_us(int a, const char *uri, struct buf *out)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	request(a, uri, NULL, out);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0.tv_sec) * 1e6 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
}

/* (f): the cost of a query pinned to a group a tenant may not see. */
static void
check_timing(void)
{
	static double us[3][TIME_TRIES];
	struct buf desc = BUF_INIT, q = BUF_INIT, u[3], r = BUF_INIT;
	const char *pin[3];
	char mine[33], theirs[33], line[96];
	double med[3];
	json_t *arr, *grp;
	char *text;
	int i, k, c;

	rng = 0x5151;
	tstore_open(&st);
	request_ctx_init(&ctx, &st, 7200, 0);
	setup_accounts(0);
	hex32(mine);
	hex32(theirs);
	/* The same long description in both: only tenancy differs. */
	for (i = 0; i < TIME_DESC; i++)
		buf_putc(&desc, (char)('a' + i % 23));
	for (k = 0; k < 2; k++) {
		arr = json_array();
		grp = json_object();
		json_object_set_new(grp, "uuid", json_string(k ? theirs : mine));
		json_object_set_new(grp, "name", json_string("timed"));
		json_object_set_new(grp, "description",
		    json_stringn(desc.data, desc.len));
		json_array_append_new(arr, grp);
		text = json_dumps(arr, JSON_COMPACT);
		CHECK(tstore_import(&st, text, acct[k ? 2 : 1]) == ZSQ_OK);
		free(text);
		json_decref(arr);
	}
	/* Patterns that scan the whole string and never match. */
	for (c = 0; c < TIME_CONDS; c++) {
		snprintf(line, sizeof(line), "&q=description~=%%25%c%c%%25",
		    'z' - c % 3, 'y' - c / 3 % 20);
		buf_puts(&q, line);
	}
	buf_puts(&q, "&count=true");
	pin[0] = mine;		/* visible to account 1: costly */
	pin[1] = theirs;	/* account 2's: must cost nothing */
	pin[2] = NOSUCH;	/* no such group */
	for (k = 0; k < 3; k++) {
		memset(&u[k], 0, sizeof(u[k]));
		buf_printf(&u[k], P "?q=uuid=%s%s", pin[k], q.data);
	}
	for (i = 0; i < TIME_TRIES; i++)
		for (k = 0; k < 3; k++)
			us[k][i] = request_us(1, u[k].data, &r);
	for (k = 0; k < 3; k++) {
		qsort(us[k], TIME_TRIES, sizeof(us[k][0]), us_cmp);
		med[k] = us[k][TIME_TRIES / 2];
	}
	printf("median us: visible %.1f, invisible %.1f, absent %.1f\n",
	    med[0], med[1], med[2]);
	/* The experiment can tell: the query is costly on a visible group. */
	CHECK(med[0] > 5 * med[2] + 50);
	/* An invisible group costs what no group costs (noise allowed). */
	CHECK(med[1] < 2 * med[2] + 100);
	for (k = 0; k < 3; k++)
		buf_free(&u[k]);
	buf_free(&desc);
	buf_free(&q);
	buf_free(&r);
	request_ctx_free(&ctx);
	tstore_close(&st);
}

int
main(void)
{
	int round;

	schema_init();
	for (round = 0; round < ROUNDS; round++)
		round_run(round);
	check_timing();
	printf("hidden changes seen unchanged: %lu, shown changes: %lu, "
	    "gets found: %lu, hidden gets: %lu\n", n_hidden_same,
	    n_shown_changed, n_found, n_hidden_get);
	CHECK(n_hidden_same > 0 && n_shown_changed > 0);
	CHECK(n_found > 0 && n_hidden_get > 0);
	return t_done();
}
