/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tstore.h - a real LMDB store in a fresh temporary directory for the
 * query and reply tests, filled by import_stream() (import.h) so records
 * and secondary indexes are exactly what zsquery-admin import writes.
 */
#ifndef ZSQ_TSTORE_H
#define ZSQ_TSTORE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errors.h"
#include "ingest/import.h"
#include "store/acl.h"
#include "store/store.h"

static char tstore_dir[64];

/* Open a new store; exits on failure (nothing else could be tested). */
static inline void
tstore_open(struct store *st)
{
	strcpy(tstore_dir, "/tmp/zsq-test-XXXXXX");
	if (mkdtemp(tstore_dir) == NULL ||
	    store_open(st, tstore_dir, STORE_CREATE, (size_t)64 << 20) !=
	    ZSQ_OK) {
		fprintf(stderr, "cannot create a store in %s\n", tstore_dir);
		exit(1);
	}
}

static inline void
tstore_close(struct store *st)
{
	char cmd[128];

	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tstore_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tstore_dir);
}

/* Import text (groups, one per line, or any import.h form) for owner. */
static inline int
tstore_import(struct store *st, const char *text, const char *owner)
{
	struct import_opts o;
	struct import_stats stats;
	struct buf err = BUF_INIT;
	FILE *f;
	int rc;

	if ((f = fmemopen((void *)text, strlen(text), "r")) == NULL)
		return ZSQ_EIO;
	import_opts_init(&o);
	o.owner = owner;
	if ((rc = import_stream(st, f, &o, &stats, &err)) != ZSQ_OK)
		fprintf(stderr, "import: %s\n", err.data ? err.data : "?");
	fclose(f);
	buf_free(&err);
	return rc;
}

#endif
