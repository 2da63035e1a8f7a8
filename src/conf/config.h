/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.h - zsquery-fcgi's settings: defaults, the configuration file
 * and the command line, in that order of strength.
 *
 * The file (--config FILE, else SYSCONFDIR/zsquery/zsquery.conf when it
 * exists) holds "key = value" lines; '#' starts a comment line; blank
 * lines are skipped.  Keys are the long option names without dashes:
 *
 *   db, workers, session-timeout, renew (yes/no), log-level, listen,
 *   listen-group, client-timeout, max-request-time
 *
 * and zsquery-admin sync's settings, which zsquery-fcgi accepts and
 * ignores so that both programs read one file (their command-line
 * options are the key without "sync-"):
 *
 *   sync-from, sync-session-file, sync-resource-type, sync-max-delete,
 *   sync-page-size, sync-groups-only (yes/no), sync-cacert, sync-capath,
 *   sync-connect-timeout, sync-timeout
 *
 * Lines are bounded (CONFIG_LINE_MAX); an unknown key, a bad value or an
 * overlong line is an error naming file and line.  SIGHUP re-runs
 * config_load() with the saved command line, so the command line keeps
 * winning over a changed file.
 */
#ifndef ZSQ_CONFIG_H
#define ZSQ_CONFIG_H

#include "base/buf.h"

#define CONFIG_LINE_MAX		1024
#define CONFIG_PATH_MAX		1024
#define CONFIG_NAME_MAX		64
#define CONFIG_WORKERS_MAX	256
#define CONFIG_DEFAULT_FILE	SYSCONFDIR "/zsquery/zsquery.conf"
#define CONFIG_DEFAULT_WORKERS	4
#define CONFIG_DEFAULT_CLIENT_TIMEOUT 30	/* seconds */
#define CONFIG_DEFAULT_MAX_REQUEST_TIME 10	/* seconds */

/* Bits of struct config.set: which fields the command line gave. */
enum {
	CONFIG_SET_DB = 1 << 0,
	CONFIG_SET_WORKERS = 1 << 1,
	CONFIG_SET_TIMEOUT = 1 << 2,
	CONFIG_SET_RENEW = 1 << 3,
	CONFIG_SET_LOGLEVEL = 1 << 4,
	CONFIG_SET_LISTEN = 1 << 5,
	CONFIG_SET_GROUP = 1 << 6,
	CONFIG_SET_CLIENT_TIMEOUT = 1 << 7,
	CONFIG_SET_MAX_REQUEST_TIME = 1 << 8
};

struct config {
	char	 db[CONFIG_PATH_MAX];
	int	 workers;
	long	 session_timeout;	/* seconds */
	int	 renew;
	int	 log_level;		/* syslog priority */
	char	 listen[108];		/* unix socket path; "" = fd 0 */
	char	 listen_group[CONFIG_NAME_MAX];
	int	 client_timeout;	/* seconds, per socket read/write */
	int	 max_request_time;	/* seconds a request may compute */
	char	 file[CONFIG_PATH_MAX];	/* configuration file; "" = default */
	/* zsquery-admin sync (file only; "" or 0: not set). */
	char	 sync_from[CONFIG_PATH_MAX];
	char	 sync_session_file[CONFIG_PATH_MAX];
	char	 sync_resource_type[CONFIG_NAME_MAX];
	char	 sync_cacert[CONFIG_PATH_MAX];
	char	 sync_capath[CONFIG_PATH_MAX];
	int	 sync_max_delete;	/* percent; -1: not set */
	int	 sync_page_size;
	int	 sync_groups_only;
	int	 sync_connect_timeout;	/* seconds */
	int	 sync_timeout;		/* seconds */
	/* What a run may read (upstream/sync.h); 0: the default. */
	unsigned long long sync_max_reply_bytes;
	unsigned long long sync_max_bytes;
	unsigned long long sync_max_list_bytes;
	int	 sync_max_groups;
	int	 sync_max_rows;
	int	 sync_max_time;		/* seconds */
	unsigned set;			/* CONFIG_SET_* given on the command line */
};

void	config_defaults(struct config *c);

/*
 * Parse argv into cli (starting from defaults, marking cli->set).
 * ZSQ_OK; ZSQ_EINVAL with a message in err; or 1 when -h was asked for
 * (the caller prints config_usage() and exits 0), 2 for --version.
 */
int	config_args(struct config *cli, int argc, char **argv,
	    struct buf *err);
/*
 * out = defaults, then the file (cli->file, or the default file if it
 * exists), then the fields cli->set names.  ZSQ_OK or ZSQ_EINVAL/errno
 * with a message in err; out is then unspecified.
 */
int	config_load(struct config *out, const struct config *cli,
	    struct buf *err);
const char *config_usage(void);

#endif
