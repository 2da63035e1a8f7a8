/* SPDX-License-Identifier: Apache-2.0 */
/* group.c - a stored group as a whole; see group.h. */
#include "base/errors.h"
#include "store/acl.h"
#include "store/group.h"
#include "store/record.h"

int
group_delete(const struct store *st, MDB_txn *txn, const char *uuid,
    struct index_batch *b, struct buf *copy)
{
	struct buf own = BUF_INIT;
	MDB_val k = { 32, (void *)uuid }, v;
	unsigned char okey[4];
	MDB_val ok = { 4, okey };
	struct rec_head h;
	int rc;

	if (copy == NULL)
		copy = &own;
	if ((rc = mdb_get(txn, st->groups, &k, &v)) != MDB_SUCCESS) {
		rc = store_err(rc);
		goto out;
	}
	buf_reset(copy);
	if ((rc = buf_append(copy, v.mv_data, v.mv_size)) != ZSQ_OK ||
	    (rc = record_open(copy->data, copy->len, &h)) != ZSQ_OK)
		goto out;
	store_ord_put(okey, h.ord);
	rc = b != NULL ? index_batch_record(b, h.ord, copy->data, copy->len,
	    1) : index_record_del(st, txn, h.ord, copy->data, copy->len);
	/* acl_drop_group() reads the record (its ordinal): before it goes. */
	if (rc != ZSQ_OK ||
	    (rc = acl_drop_group(st, txn, uuid)) != ZSQ_OK ||
	    (rc = acl_owner_drop(st, txn, h.ord, h.owner)) != ZSQ_OK)
		goto out;
	rc = mdb_del(txn, st->ords, &ok, NULL);
	if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
		rc = store_err(rc);
		goto out;
	}
	rc = store_err(mdb_del(txn, st->groups, &k, NULL));
out:
	buf_free(&own);
	return rc;
}
