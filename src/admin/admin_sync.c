/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admin_sync.c - zsquery-admin commands that follow ZStack: sync (groups
 * and tenancy, sync.h), session import (session_feed.h), feed fail; and
 * stat's lines about the feeds (feed.h).
 *
 * Each feed records its outcome in the store (feed.h): a success with the
 * data it wrote, a failure in a transaction of its own after the feed's
 * was abandoned, so the data stays exactly as it was.  One line reports
 * either, to the journal with its priority when run by systemd.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin/admin.h"
#include "base/errors.h"
#include "base/log.h"
#include "ingest/session_feed.h"
#include "store/feed.h"
#include "store/session.h"
#include "upstream/sync.h"

#define CREDENTIAL_NAME	"zstack-session"

/* Record a failure of f (the store is open); a failure to do so is told. */
static void
fail_record(struct admin *a, enum feed_id f, const char *msg)
{
	int rc;

	if (a->st.env == NULL)
		return;
	if ((rc = feed_failure(&a->st, f, session_now_ms(), msg)) != ZSQ_OK)
		admin_report(LOG_WARNING, "%s: could not record the failure in "
		    "the store: %s", feed_name(f), zsq_strerror(rc));
}

/*
 * The admin session id from path into sid (SESSION_ID_MAX + 1 bytes).
 * The file must be a regular file no one but its owner may read or write
 * (0600 or 0400, as systemd's LoadCredential= makes them).  Its content is
 * never shown, not even in an error.  0, or -1 with err set.
 */
static int
session_file_read(const char *path, char *sid, struct buf *err)
{
	char raw[SESSION_ID_MAX + 3];
	struct stat sb;
	ssize_t n;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		(void)buf_printf(err, "session file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0)
		(void)buf_printf(err, "session file %s: %s", path,
		    strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		(void)buf_printf(err, "session file %s is not a regular file",
		    path);
	else if (sb.st_mode & 077)
		(void)buf_printf(err, "session file %s has mode %04o: it holds "
		    "a secret, make it 0600 (chmod 600 %s)", path,
		    (unsigned)(sb.st_mode & 07777), path);
	else if ((n = read(fd, raw, sizeof(raw) - 1)) < 0)
		(void)buf_printf(err, "session file %s: %s", path,
		    strerror(errno));
	else {
		raw[n] = '\0';
		while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == '\r' ||
		    raw[n - 1] == ' ' || raw[n - 1] == '\t'))
			raw[--n] = '\0';
		if ((size_t)n != strlen(raw) || !session_id_valid(raw))
			(void)buf_printf(err, "session file %s does not hold a "
			    "session id (1 to %d printable characters, one "
			    "line)", path, SESSION_ID_MAX);
		else {
			memcpy(sid, raw, (size_t)n + 1);
			rc = 0;
		}
	}
	explicit_bzero(raw, sizeof(raw));
	close(fd);
	return rc;
}

/*
 * sync's settings: the command line, else the configuration file; path
 * gets the session file's.  0, or -1 with err set.
 */
static int
sync_settings(struct admin *a, struct sync_opts *o, char *path, size_t n,
    struct buf *err)
{
	const struct config *c = a->cfg;
	const char *cred, *p;

#define PICK(opt, key) (a->opt != NULL ? a->opt : \
	(c->key[0] != '\0' ? c->key : NULL))
	sync_opts_init(o);
	o->http.base = PICK(from, sync_from);
	o->http.cacert = PICK(cacert, sync_cacert);
	o->http.capath = PICK(capath, sync_capath);
	if ((p = PICK(resource_type, sync_resource_type)) != NULL)
		o->resource_type = p;
#undef PICK
	/* The session file: the command line's, else systemd's credential
	 * (the unit's, even when the configuration file names one for runs
	 * by hand), else the configuration file's. */
	cred = getenv("CREDENTIALS_DIRECTORY");
	p = a->session_file;
	if (p == NULL && cred == NULL && c->sync_session_file[0] != '\0')
		p = c->sync_session_file;
	if (a->seen & OPT_BIT('X'))
		o->max_delete = a->max_delete;
	else if (c->sync_max_delete >= 0)
		o->max_delete = (unsigned)c->sync_max_delete;
	o->page_size = a->page_size ? a->page_size :
	    c->sync_page_size ? (unsigned)c->sync_page_size : o->page_size;
	o->groups_only = a->groups_only || c->sync_groups_only;
	if (a->connect_timeout || c->sync_connect_timeout)
		o->http.connect_timeout = a->connect_timeout ?
		    a->connect_timeout : c->sync_connect_timeout;
	if (a->timeout || c->sync_timeout)
		o->http.timeout = a->timeout ? a->timeout : c->sync_timeout;
	/* The bounds: the command line's, else the file's, else sync.h's. */
#define BOUND(dst, opt, key) do {					\
	if (a->opt)							\
		dst = a->opt;						\
	else if (c->key)						\
		dst = c->key;						\
} while (0)
	BOUND(o->limits.reply_bytes, max_reply_bytes, sync_max_reply_bytes);
	BOUND(o->http.max_bytes, max_bytes, sync_max_bytes);
	BOUND(o->limits.list_bytes, max_list_bytes, sync_max_list_bytes);
	BOUND(o->limits.groups, max_groups, sync_max_groups);
	BOUND(o->limits.rows, max_rows, sync_max_rows);
	BOUND(o->http.max_seconds, max_time, sync_max_time);
#undef BOUND
	if (o->http.base == NULL) {
		(void)buf_puts(err, "no upstream: give --from URL or sync-from "
		    "in the configuration file");
		return -1;
	}
	if (o->resource_type[strspn(o->resource_type, "ABCDEFGHIJKLMNOPQRSTU"
	    "VWXYZabcdefghijklmnopqrstuvwxyz0123456789_")] != '\0' ||
	    o->resource_type[0] == '\0') {
		(void)buf_printf(err, "resource type '%s': letters, digits and "
		    "'_' only", o->resource_type);
		return -1;
	}
	if (p == NULL && cred != NULL)
		snprintf(path, n, "%s/%s", cred, CREDENTIAL_NAME);
	else if (p != NULL)
		snprintf(path, n, "%s", p);
	else {
		(void)buf_puts(err, "no admin session: give --session-file "
		    "FILE (mode 0600, holding the session id)");
		return -1;
	}
	return 0;
}

static double
seconds(int64_t ms)
{
	return (double)ms / 1000.0;
}

int
cmd_sync(struct admin *a)
{
	struct sync_opts o;
	struct sync_stats s;
	struct admin_progress prog;
	struct buf err = BUF_INIT;
	char sid[SESSION_ID_MAX + 1], path[4096];
	uint64_t c[FEED_COUNTS];
	MDB_txn *txn = NULL;
	int64_t start;
	int rc, status = 1;

	sid[0] = '\0';
	start = session_now_ms();
	/* No core dump and no ptrace by the pool's user: this process will
	 * hold the upstream admin session (libcurl keeps copies of it). */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/*
	 * The store first: a bad setting is then a failure stat shows too.
	 * Written through the map, as import does: a first sync of a large
	 * cloud keeps no dirty pages in the heap.
	 */
	if (admin_open(a, STORE_WRITEMAP))
		goto out;
	admin_map_guard(a);
	if (sync_settings(a, &o, path, sizeof(path), &err) != 0 ||
	    session_file_read(path, sid, &err) != 0) {
		admin_error("sync: %s", err.data);
		fail_record(a, FEED_GROUPS, err.data);
		goto out;
	}
	o.http.session = sid;
	admin_progress_init(&prog, "sync", a->quiet);
	o.progress = admin_progress_show;
	o.progress_arg = &prog;
	rc = sync_run(&a->st, &o, &s, &err);
	admin_progress_end(&prog);
	if (rc != ZSQ_OK) {
		if (err.len == 0)
			(void)buf_puts(&err, zsq_strerror(rc));
		if (strcmp(s.error_code, "ID.1001") == 0)
			(void)buf_printf(&err, " (the admin session in %s is "
			    "invalid or expired upstream: log in again and "
			    "replace it)", path);
		admin_error("sync: %s", err.data);
		fail_record(a, FEED_GROUPS, err.data);
		goto out;
	}
	memset(c, 0, sizeof(c));
	c[FEED_G_ADDED] = s.groups.added;
	c[FEED_G_UPDATED] = s.groups.updated;
	c[FEED_G_UNCHANGED] = s.groups.unchanged;
	c[FEED_G_DELETED] = s.groups.deleted;
	c[FEED_G_ACCOUNTS] = s.accounts;
	c[FEED_G_SHARES] = s.shares;
	c[FEED_G_TAGS] = s.tags;
	c[FEED_G_REQUESTS] = s.requests;
	/* The data is committed: a failure here only loses the record. */
	if ((rc = mdb_txn_begin(a->st.env, NULL, 0, &txn)) == MDB_SUCCESS) {
		rc = feed_success(&a->st, txn, FEED_GROUPS, start,
		    session_now_ms(), c, FEED_COUNTS);
		if (rc == ZSQ_OK)
			rc = mdb_txn_commit(txn);
		else
			mdb_txn_abort(txn);
	}
	if (rc != ZSQ_OK)
		admin_report(LOG_WARNING, "sync: could not record the success "
		    "in the store: %s", zsq_strerror(store_err(rc)));
	admin_report(LOG_INFO, "sync: groups added %lu, updated %lu, "
	    "unchanged %lu, deleted %lu; accounts %lu, shares %lu (%lu "
	    "skipped), tags %lu; %lu requests, %.1f MiB, %.2f s",
	    s.groups.added, s.groups.updated, s.groups.unchanged,
	    s.groups.deleted, s.accounts, s.shares, s.shares_skipped, s.tags,
	    s.requests, (double)s.bytes / 1048576.0,
	    seconds(session_now_ms() - start));
	status = 0;
out:
	explicit_bzero(sid, sizeof(sid));
	buf_free(&err);
	return status;
}

int
cmd_session_import(struct admin *a)
{
	struct session_feed_stats s;
	struct buf err = BUF_INIT;
	const char *file = a->argv[0];
	FILE *in = NULL;
	int rc, status = 1;

	if (strcmp(file, "-") == 0)
		in = stdin;
	else if ((in = fopen(file, "r")) == NULL)
		return admin_error("session import %s: %s", file,
		    strerror(errno));
	if (admin_open(a, 0))
		goto out;
	if ((rc = session_feed_import(&a->st, in, a->replace, a->max_delete,
	    &s, &err)) != ZSQ_OK) {
		if (err.len == 0)
			(void)buf_puts(&err, zsq_strerror(rc));
		admin_error("session import %s: %s", file, err.data);
		fail_record(a, FEED_SESSIONS, err.data);
		goto out;
	}
	admin_report(LOG_INFO, "session import: read %lu, added %lu, updated "
	    "%lu, unchanged %lu, deleted %lu", s.read, s.added, s.updated,
	    s.unchanged, s.deleted);
	/* Once a run, by line number: a session id is a secret. */
	if (s.skipped > 0)
		admin_report(LOG_WARNING, "session import: %lu bad row%s "
		    "skipped (the first: %s)", s.skipped, s.skipped == 1 ? "" :
		    "s", s.skip_msg);
	status = 0;
out:
	if (in != NULL && in != stdin)
		fclose(in);
	buf_free(&err);
	return status;
}

int
cmd_feed_fail(struct admin *a)
{
	enum feed_id f;

	for (f = 0; f < FEED_NFEEDS; f++)
		if (strcmp(a->argv[0], feed_name(f)) == 0)
			break;
	if (f == FEED_NFEEDS)
		return admin_error("feed '%s': groups or sessions", a->argv[0]);
	if (admin_open(a, 0))
		return 1;
	fail_record(a, f, a->argv[1]);
	admin_report(LOG_ERR, "%s feed: %s", feed_name(f), a->argv[1]);
	return 0;
}

int
feeds_print(const struct store *st, MDB_txn *txn)
{
	struct feed_status s;
	enum feed_id f;
	int64_t now = session_now_ms();
	char when[64];
	const char *name;
	unsigned i;
	int rc;

	for (f = 0; f < FEED_NFEEDS; f++) {
		rc = feed_read(st, txn, f, &s);
		if (rc == ZSQ_ESTORE) {
			/* Written by another version: the next run replaces it. */
			printf("feed %s: a record this version does not read\n",
			    feed_name(f));
			continue;
		}
		if (rc != ZSQ_OK && rc != ZSQ_ENOTFOUND)
			return rc;
		printf("feed %s: success ", feed_name(f));
		if (s.ok_start_ms == 0)
			printf("never\n");
		else {
			admin_iso_time(when, sizeof(when), s.ok_end_ms);
			printf("%s in %.3f s:", when,
			    seconds(s.ok_end_ms - s.ok_start_ms));
			for (i = 0; (name = feed_count_name(f, i)) != NULL; i++)
				printf("%s %s %" PRIu64, i ? "," : "", name,
				    s.counts[i]);
			printf("\n");
		}
		printf("feed %s: failure ", feed_name(f));
		if (s.fail_ms == 0)
			printf("never\n");
		else {
			admin_iso_time(when, sizeof(when), s.fail_ms);
			if (s.fails > 0)
				printf("%s (%" PRIu32 " since the last "
				    "success): %s\n", when, s.fails,
				    s.fail_msg);
			else
				printf("%s (before the last success): %s\n",
				    when, s.fail_msg);
		}
		if (s.ok_start_ms == 0)
			printf("feed %s: age unknown (no success yet)\n",
			    feed_name(f));
		else
			printf("feed %s: age %.0f s\n", feed_name(f),
			    seconds(feed_age_ms(&s, now)));
	}
	return ZSQ_OK;
}
