/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admin_query.c - zsquery-admin query: run one query against the store,
 * as an account would through the service, and print exactly the reply
 * body the service would send (an error's body too, then exit 1).  The
 * same code path as a request (query.h, reply.h) minus HTTP and the
 * session, so an operator can check what a tenant sees.
 *
 * Each ARG is one query-string item as in the URL ("q=name=x",
 * "limit=5", percent-encoding allowed); the items are joined with '&'.
 */
#include <stdio.h>
#include <string.h>

#include "admin/admin.h"
#include "base/errors.h"
#include "query/apierr.h"
#include "query/query.h"
#include "query/reply.h"
#include "store/schema.h"

static int
stdout_write(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	return fwrite(p, 1, n, stdout) == n ? ZSQ_OK : ZSQ_EIO;
}

/* The error's body on stdout, as the service sends it; its status on stderr. */
static void
apierr_print(const struct apierr *e, struct out *o)
{
	(void)reply_error_body(o, e);
	fflush(stdout);
	admin_error("query: HTTP status %d", e->status);
}

int
cmd_query(struct admin *a)
{
	const char *account = a->account ? a->account : SCHEMA_ADMIN_ACCOUNT;
	struct buf qs = BUF_INIT;
	struct query q;
	struct query_result res;
	struct apierr err = APIERR_INIT;
	struct out o = { stdout_write, NULL };
	MDB_txn *txn = NULL;
	int rc, i, status = 1;

	query_init(&q);
	/* Before any failure: every exit frees the result. */
	memset(&res, 0, sizeof(res));
	for (i = 0; i < a->argc; i++)
		if ((i > 0 && buf_putc(&qs, '&') != ZSQ_OK) ||
		    buf_puts(&qs, a->argv[i]) != ZSQ_OK) {
			admin_fail(a, ZSQ_ENOMEM, "query");
			goto done;
		}
	if (!admin_uuid_valid(account)) {
		admin_error("account '%s': not 32 lowercase hex characters",
		    account);
		goto done;
	}
	/* Like the service: the get route ignores the query string. */
	if (a->uuid != NULL)
		rc = query_set_get(&q, a->uuid, strlen(a->uuid));
	else
		rc = query_parse(&q, qs.data ? qs.data : "", qs.len, &err);
	if (rc == ZSQ_OK)
		rc = query_prepare(&q, &err);
	if (rc != ZSQ_OK) {
		if (err.status)
			apierr_print(&err, &o);
		else
			admin_fail(a, rc, "query");
		goto done;
	}
	if (admin_open(a, 0))
		goto done;
	/* Timestamp literals are read in the current zone. */
	if ((rc = store_check_tz(&a->st)) != ZSQ_OK) {
		admin_fail(a, rc, "query");
		goto done;
	}
	if (admin_begin(a, MDB_RDONLY, &txn))
		goto done;
	if ((rc = query_run(&a->st, txn, account, &q, &res, &err)) != ZSQ_OK) {
		if (err.status)
			apierr_print(&err, &o);
		else
			admin_fail(a, rc, "query");
		goto done;
	}
	if ((rc = reply_body(&o, &q, &res)) != ZSQ_OK) {
		admin_fail(a, rc, "query");
		goto done;
	}
	status = 0;
done:
	query_result_free(&res);
	if (txn)
		mdb_txn_abort(txn);
	query_free(&q);
	apierr_free(&err);
	buf_free(&qs);
	return status;
}
