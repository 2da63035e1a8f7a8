/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admin_backup.c - zsquery-admin backup: a consistent, compacted copy of
 * the store while the service (and even an import) runs.  See admin.h.
 *
 * mdb_env_copy2() with MDB_CP_COMPACT copies one read snapshot, so the
 * copy holds every transaction committed before it began and none after,
 * never half an import; it drops free pages, so the copy is as small as
 * the data.  The destination must be a new or empty directory: a backup
 * never overwrites anything.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin/admin.h"
#include "base/errors.h"

/* Make dest, or accept an empty directory.  0, or 1 after an error. */
static int
dest_prepare(const char *dest, int *made)
{
	struct dirent *de;
	DIR *d;
	int empty = 1;

	*made = 0;
	if (mkdir(dest, 0750) == 0) {
		*made = 1;
		return 0;
	}
	if (errno != EEXIST)
		return admin_error("backup: %s: %s", dest, strerror(errno));
	if ((d = opendir(dest)) == NULL)
		return admin_error("backup: %s: %s", dest, strerror(errno));
	while (empty && (de = readdir(d)) != NULL)
		empty = strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0;
	closedir(d);
	if (!empty)
		return admin_error("backup: %s exists and is not empty "
		    "(a backup never overwrites)", dest);
	return 0;
}

/* Open the copy as a store and describe it: 0, or 1 after an error. */
static int
copy_verify(const char *dest)
{
	struct store copy;
	MDB_txn *txn = NULL;
	MDB_stat ms;
	uint64_t gen = 0;
	char path[4200];
	struct stat sb;
	int rc;

	if ((rc = store_open(&copy, dest, 0, 0)) != ZSQ_OK)
		return admin_error("backup: the copy in %s does not open: %s",
		    dest, zsq_strerror(rc));
	if ((rc = mdb_txn_begin(copy.env, NULL, MDB_RDONLY, &txn)) == 0 &&
	    (rc = store_gen_get(&copy, txn, &gen)) == ZSQ_OK)
		rc = store_err(mdb_stat(txn, copy.groups, &ms));
	else
		rc = store_err(rc);
	if (txn)
		mdb_txn_abort(txn);
	store_close(&copy);
	if (rc != ZSQ_OK)
		return admin_error("backup: the copy in %s: %s", dest,
		    zsq_strerror(rc));
	snprintf(path, sizeof(path), "%s/data.mdb", dest);
	if (stat(path, &sb) != 0)
		sb.st_size = 0;
	printf("backup in %s: generation %" PRIu64 ", %zu groups, %jd bytes\n",
	    dest, gen, ms.ms_entries, (intmax_t)sb.st_size);
	return 0;
}

int
cmd_backup(struct admin *a)
{
	const char *dest = a->argv[0];
	char path[4200];
	int made = 0, rc, status = 1;

	if (strlen(dest) + sizeof("/data.mdb") > sizeof(path))
		return admin_error("backup: %s: name too long", dest);
	if (admin_open(a, 0) || dest_prepare(dest, &made))
		return 1;
	snprintf(path, sizeof(path), "%s/data.mdb", dest);
	if ((rc = mdb_env_copy2(a->st.env, dest, MDB_CP_COMPACT)) != 0) {
		admin_fail(a, store_err(rc), "backup to %s", dest);
		goto done;
	}
	/* LMDB creates the copy 0666 less umask; the store is 0640. */
	if (chmod(path, 0640) != 0) {
		admin_error("backup: %s: %s", path, strerror(errno));
		goto done;
	}
	status = copy_verify(dest);
done:
	if (status != 0) {
		/* Leave nothing that could pass for a backup. */
		(void)unlink(path);
		snprintf(path, sizeof(path), "%s/lock.mdb", dest);
		(void)unlink(path);
		if (made)
			(void)rmdir(dest);
	}
	return status;
}
