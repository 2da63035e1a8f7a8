/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admin.h - what the zsquery-admin commands share: the parsed command
 * line, opening the store, one write transaction per command, and error
 * reporting.
 *
 * Contract: a command is int cmd_x(struct admin *a) returning the exit
 * status (0 or 1).  It prints its own error, one line "zsquery-admin: ..."
 * on stderr, through admin_fail().  Every change a command makes happens
 * in one transaction (admin_write(), or the import's), so a failure
 * leaves the store as it was.
 */
#ifndef ZSQ_ADMIN_H
#define ZSQ_ADMIN_H

#include <stddef.h>
#include <stdint.h>
#include <lmdb.h>

#include "conf/config.h"
#include "ingest/import.h"
#include "store/store.h"

struct admin {
	const char	*dir;		/* -d, --db */
	size_t		 mapsize;	/* --map-size; 0: the store's */
	const char	*owner;		/* import --owner */
	int		 replace;	/* import --replace */
	int		 allow_empty;	/* import --allow-empty */
	unsigned	 max_delete;	/* import --max-delete, percent */
	const char	*name;		/* account add --name */
	const char	*account;	/* --account */
	const char	*user;		/* session create --user */
	const char	*uuid;		/* --uuid: session or group */
	int64_t		 ttl;		/* --ttl, seconds */
	int		 public;	/* --public */
	const char	*config;	/* --config FILE */
	const char	*from;		/* sync --from URL */
	const char	*session_file;	/* sync --session-file */
	const char	*resource_type;	/* sync --resource-type */
	const char	*cacert;	/* sync --cacert */
	const char	*capath;	/* sync --capath */
	long		 connect_timeout;	/* sync --connect-timeout */
	long		 timeout;	/* sync --timeout */
	unsigned	 page_size;	/* sync --page-size */
	/* sync's bounds (upstream/sync.h); 0: not given. */
	unsigned long long max_reply_bytes;	/* --max-reply-bytes */
	unsigned long long max_bytes;	/* --max-bytes */
	unsigned long long max_list_bytes;	/* --max-list-bytes */
	unsigned long	 max_groups;	/* --max-groups */
	unsigned long	 max_rows;	/* --max-rows */
	long		 max_time;	/* --max-time, seconds */
	int		 groups_only;	/* sync --groups-only */
	int		 quiet;		/* import, sync --quiet: no progress */
	uint64_t	 seen;		/* options given: OPT_BIT(letter) */
	const struct config *cfg;	/* the configuration file's settings */
	int		 argc;		/* the operands */
	char		**argv;
	struct store	 st;
};

/* Print "zsquery-admin: <what>: <reason>" for rc; returns 1. */
int	admin_fail(const struct admin *a, int rc, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Print "zsquery-admin: <message>"; returns 1. */
int	admin_error(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/*
 * One line at a syslog priority: when stderr is the journal (systemd's
 * $JOURNAL_STREAM names it) through log.h, with the priority; otherwise
 * on stdout (LOG_NOTICE and above in importance: stderr, prefixed
 * "zsquery-admin: ").  admin_error() is admin_report(LOG_ERR, ...).
 */
void	admin_report(int prio, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* The bit of option letter c in struct admin.seen. */
#define OPT_BIT(c)	((uint64_t)1 << ((c) & 63))

/* Open the store at a->dir (STORE_CREATE or 0): 0, or 1 after an error. */
int	admin_open(struct admin *a, unsigned flags);
/* Begin a transaction on the open store: 0, or 1 after an error. */
int	admin_begin(struct admin *a, unsigned flags, MDB_txn **txn);

/*
 * A command's one write transaction: open the store at a->dir (flags 0)
 * unless the command has opened it already, begin a write transaction,
 * run fn in it, and commit when fn returns 0 or abort when it returns 1
 * (fn has said why, through admin_fail() or admin_error()).  A store
 * written through the map (STORE_WRITEMAP) gets a map keeper
 * (map_keeper.h) for the transaction, as an import does.  Returns the
 * command's status: 0, or 1 after an error (fn's, or "open store",
 * "begin transaction" or "commit" through admin_fail()).
 */
typedef int	(*admin_txn_fn)(struct admin *a, MDB_txn *txn, void *arg);
int	admin_write(struct admin *a, admin_txn_fn fn, void *arg);

/* 1 when s is exactly 32 lowercase hex characters. */
int	admin_uuid_valid(const char *s);
/* ms since the epoch as ISO 8601 UTC to the second: 2026-11-26T23:40:00Z. */
void	admin_iso_time(char *out, size_t n, int64_t ms);

/*
 * The progress of a long import or sync on stderr (admin_progress.c): one
 * line, rewritten with '\r' at most 4 times a second and ended with a
 * newline by admin_progress_end(); first drawn a quarter of a second in
 * (a short import shows nothing).  Nothing at all when stderr is not a
 * terminal, or with quiet (--quiet).  admin_progress_show() is struct
 * import_opts's progress callback, its arg the struct admin_progress.
 */
struct admin_progress {
	int		 on;
	const char	*what;		/* the line's prefix: "import" */
	uint64_t	 start_ns, phase_ns, drawn_ns;	/* CLOCK_MONOTONIC */
	size_t		 width;		/* of the line drawn; 0: none yet */
	struct import_progress last;
};

void	admin_progress_init(struct admin_progress *p, const char *what,
	    int quiet);
void	admin_progress_show(void *arg, const struct import_progress *ip);
void	admin_progress_end(struct admin_progress *p);

/* Commands (admin_store.c). */
int	cmd_init(struct admin *a);
int	cmd_stat(struct admin *a);
int	cmd_fields(struct admin *a);
int	cmd_upgrade(struct admin *a);

/*
 * A writer through the map (STORE_WRITEMAP) meets a full disk as SIGBUS
 * on a page of the map, not as an error: after this, such a signal ends
 * the process with a clear message, before anything is committed.
 */
void	admin_map_guard(const struct admin *a);

/* Commands (admin_data.c), and the tags of a record as export writes them. */
struct rec_range;
int	admin_tags_json(const void *data, struct rec_range tags,
	    const char *lead, struct buf *out);
int	cmd_import(struct admin *a);
int	cmd_export(struct admin *a);
int	cmd_delete(struct admin *a);

/* Operations: admin_check.c and admin_backup.c. */
int	cmd_check(struct admin *a);
int	cmd_backup(struct admin *a);

/* Command (admin_query.c). */
int	cmd_query(struct admin *a);

/* Commands (admin_acct.c). */
int	cmd_account_add(struct admin *a);
int	cmd_account_list(struct admin *a);
int	cmd_session_create(struct admin *a);
int	cmd_session_delete(struct admin *a);
int	cmd_session_list(struct admin *a);
int	cmd_share(struct admin *a);
int	cmd_unshare(struct admin *a);

/* Commands (admin_sync.c): the feeds that follow ZStack. */
int	cmd_sync(struct admin *a);
int	cmd_session_import(struct admin *a);
int	cmd_feed_fail(struct admin *a);
/* stat's lines about each feed (admin_sync.c); ZSQ_OK or a store error. */
int	feeds_print(const struct store *st, MDB_txn *txn);

#endif
