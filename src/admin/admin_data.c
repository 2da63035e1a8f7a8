/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admin_data.c - zsquery-admin commands that move groups in and out:
 * import, export, delete.  See admin.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "admin/admin.h"
#include "base/buf.h"
#include "base/errors.h"
#include "base/gson.h"
#include "ingest/import.h"
#include "store/group.h"
#include "store/record.h"

static char guard_msg[4200];
static size_t guard_len;

/* Async-signal-safe: one write of a message made beforehand, then exit. */
static void
guard_sigbus(int sig)
{
	(void)sig;
	if (write(STDERR_FILENO, guard_msg, guard_len) < 0)
		_exit(1);
	_exit(1);
}

void
admin_map_guard(const struct admin *a)
{
	struct sigaction sa;
	int n;

	n = snprintf(guard_msg, sizeof(guard_msg), "zsquery-admin: a write "
	    "to the store's map at %s failed (SIGBUS): the disk holding it "
	    "is full; the transaction under way was not committed, the "
	    "store holds what was last committed\n", a->dir);
	guard_len = n < 0 ? 0 : (size_t)n < sizeof(guard_msg) ? (size_t)n :
	    sizeof(guard_msg) - 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = guard_sigbus;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGBUS, &sa, NULL);
}

int
cmd_import(struct admin *a)
{
	struct import_opts o;
	struct import_stats stats = { 0, 0, 0, 0 };
	struct admin_progress prog;
	struct buf err = BUF_INIT;
	struct stat sb;
	const char *file = a->argv[0];
	FILE *in = NULL;
	int rc, status = 1;

	if (a->owner && !admin_uuid_valid(a->owner))
		return admin_error("owner '%s': not 32 lowercase hex "
		    "characters", a->owner);
	if (strcmp(file, "-") == 0)
		in = stdin;
	else if ((in = fopen(file, "r")) == NULL)
		return admin_error("%s: %s", file, strerror(errno));
	/* Written through the map: the heap holds no dirty pages. */
	if (admin_open(a, STORE_WRITEMAP))
		goto done;
	admin_map_guard(a);
	/* Dates are read and rendered in the current zone: it must match. */
	if ((rc = store_check_tz(&a->st)) != ZSQ_OK) {
		admin_fail(a, rc, "import %s", file);
		goto done;
	}
	import_opts_init(&o);
	o.owner = a->owner;
	o.replace = a->replace;
	o.allow_empty = a->allow_empty;
	o.max_delete = a->max_delete;
	/* A regular file (stdin included) tells how much there is to read. */
	if (fstat(fileno(in), &sb) == 0 && S_ISREG(sb.st_mode))
		o.bytes_total = (uint64_t)sb.st_size;
	admin_progress_init(&prog, "import", a->quiet);
	o.progress = admin_progress_show;
	o.progress_arg = &prog;
	rc = import_stream(&a->st, in, &o, &stats, &err);
	admin_progress_end(&prog);
	if (rc != ZSQ_OK) {
		if (err.len > 0 && rc != ZSQ_EFULL)
			admin_error("import %s: %s", file, err.data);
		else
			admin_fail(a, rc, "import %s", file);
		goto done;
	}
	printf("added %lu, updated %lu, unchanged %lu, deleted %lu\n",
	    stats.added, stats.updated, stats.unchanged, stats.deleted);
	status = 0;
done:
	if (in && in != stdin)
		fclose(in);
	buf_free(&err);
	return status;
}

/*
 * Append to out  ,"systemTags":[...],"userTags":[...]  for the tags in the
 * record's tag section tags (nothing for a kind without tags).  lead is
 * the separator before the first key.  The section's layout is the same
 * in every record version, so upgrade reads old records with it too.
 */
int
admin_tags_json(const void *data, struct rec_range tags, const char *lead,
    struct buf *out)
{
	static const char *key[] = { "systemTags", "userTags" };
	struct rec_iter it;
	struct rec_tagval t;
	int kind, n, r = 0, rc = ZSQ_OK;

	for (kind = REC_TAG_SYSTEM; kind <= REC_TAG_USER; kind++) {
		n = 0;
		it.p = (const unsigned char *)data + tags.off;
		it.end = it.p + tags.len;
		while (rc == ZSQ_OK && (r = record_tags_next(&it, &t)) == 1) {
			if ((int)t.kind != kind)
				continue;
			if (n++ == 0)
				rc = buf_printf(out, "%s\"%s\":[", lead,
				    key[kind]);
			else
				rc = buf_putc(out, ',');
			if (rc == ZSQ_OK)
				rc = gson_escape(out, t.str, t.len, 0);
		}
		if (rc == ZSQ_OK && r < 0)
			rc = ZSQ_ESTORE;
		if (rc == ZSQ_OK && n > 0) {
			rc = buf_putc(out, ']');
			lead = ",";
		}
	}
	return rc;
}

/* One group: the stored JSON with its tags added before the last brace. */
static int
group_export(const MDB_val *v, struct buf *tags)
{
	const char *data = v->mv_data, *json;
	struct rec_head h;
	int rc;

	if ((rc = record_open(data, v->mv_size, &h)) != ZSQ_OK)
		return rc;
	json = data + h.json.off;
	if (h.json.len < 2 || json[h.json.len - 1] != '}')
		return ZSQ_ESTORE;
	buf_reset(tags);
	if ((rc = admin_tags_json(data, h.tags, h.json.len > 2 ? "," : "",
	    tags)) != ZSQ_OK)
		return rc;
	fwrite(json, 1, h.json.len - 1, stdout);
	if (tags->len > 0)
		fwrite(tags->data, 1, tags->len, stdout);
	putchar('}');
	return ZSQ_OK;
}

int
cmd_export(struct admin *a)
{
	struct buf tags = BUF_INIT;
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int rc, n = 0, status = 1;

	if (admin_open(a, 0))
		goto done;
	/* Stored dates are in the store's zone; import reads the current. */
	if ((rc = store_check_tz(&a->st)) != ZSQ_OK) {
		admin_fail(a, rc, "export");
		goto done;
	}
	if (admin_begin(a, MDB_RDONLY, &txn))
		goto done;
	if ((rc = mdb_cursor_open(txn, a->st.groups, &cur)) != MDB_SUCCESS) {
		admin_fail(a, store_err(rc), "export");
		goto done;
	}
	fputs("{\"inventories\":[", stdout);
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == MDB_SUCCESS) {
		if (n++ > 0)
			putchar(',');
		if ((rc = group_export(&v, &tags)) != ZSQ_OK) {
			admin_fail(a, rc, "export group %.*s", (int)k.mv_size,
			    (char *)k.mv_data);
			goto done;
		}
	}
	if (rc != MDB_NOTFOUND) {
		admin_fail(a, store_err(rc), "export");
		goto done;
	}
	fputs("]}\n", stdout);
	status = 0;
done:
	if (cur)
		mdb_cursor_close(cur);
	if (txn)
		mdb_txn_abort(txn);
	buf_free(&tags);
	return status;
}

/* Delete one group, its index entries and its shares. */
static int
delete_one(struct admin *a, MDB_txn *txn, const char *uuid)
{
	int rc;

	if ((rc = group_delete(&a->st, txn, uuid, NULL, NULL)) ==
	    ZSQ_ENOTFOUND)
		return admin_error("no group %s (nothing deleted)", uuid);
	if (rc != ZSQ_OK)
		return admin_fail(a, rc, "delete %s", uuid);
	return 0;
}

/* Every group named, then a generation bump. */
static int
delete_txn(struct admin *a, MDB_txn *txn, void *arg)
{
	int i, j, rc;

	(void)arg;
	for (i = 0; i < a->argc; i++) {
		/* A uuid named twice is deleted once. */
		for (j = 0; j < i; j++)
			if (strcmp(a->argv[j], a->argv[i]) == 0)
				break;
		if (j == i && delete_one(a, txn, a->argv[i]))
			return 1;
	}
	if ((rc = store_gen_bump(&a->st, txn)) != ZSQ_OK)
		return admin_fail(a, rc, "delete");
	return 0;
}

int
cmd_delete(struct admin *a)
{
	int i;

	for (i = 0; i < a->argc; i++)
		if (!admin_uuid_valid(a->argv[i]))
			return admin_error("group '%s': not 32 lowercase hex "
			    "characters (nothing deleted)", a->argv[i]);
	return admin_write(a, delete_txn, NULL);
}
