/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admin_main.c - zsquery-admin: the command line, the command table and
 * error reporting.  The commands live in admin_store.c (init, stat,
 * fields), admin_data.c (import, export, delete), admin_acct.c (accounts,
 * sessions, shares), admin_query.c, admin_check.c, admin_backup.c and
 * admin_sync.c (sync, session import, feed fail).
 *
 * The configuration file zsquery-fcgi reads (--config FILE, else the
 * default one when it exists; config.h) gives the store directory when
 * -d is not given, and sync its sync-* settings.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "admin/admin.h"
#include "base/errors.h"
#include "base/num.h"
#include "base/log.h"
#include "base/text.h"
#include "base/tz.h"
#include "conf/config.h"
#include "ingest/import.h"
#include "store/index.h"
#include "store/map_keeper.h"
#include "store/schema.h"
#include "store/session.h"
#include "store/store.h"
#include "store/store_os.h"
#include "upstream/sync.h"

#define PROG		"zsquery-admin"
#define EXIT_USAGE	2
/* |--ttl| bound, ~317 years: ttl * 1000 + now cannot overflow. */
#define TTL_MAX		((int64_t)10000000000)

/*
 * opts: option letters a command takes besides --db and --map-size;
 * need: letters it requires; oneof: letters of which exactly one is given.
 * nmax -1: any number of operands.
 */
static const struct command {
	const char	*name;
	const char	*sub;
	int		(*run)(struct admin *);
	const char	*opts, *need, *oneof;
	int		 nmin, nmax;
	const char	*usage;
} commands[] = {
	{ "init", NULL, cmd_init, "", "", "", 0, 0, "init" },
	{ "import", NULL, cmd_import, "orEXq", "", "", 1, 1,
	    "import [--owner ACCOUNT] [--replace [--max-delete PCT] "
	    "[--allow-empty]] [--quiet] FILE|-" },
	{ "export", NULL, cmd_export, "", "", "", 0, 0, "export" },
	{ "delete", NULL, cmd_delete, "", "", "", 1, -1, "delete UUID..." },
	{ "account", "add", cmd_account_add, "n", "n", "", 1, 1,
	    "account add UUID --name NAME" },
	{ "account", "list", cmd_account_list, "", "", "", 0, 0,
	    "account list" },
	{ "session", "create", cmd_session_create, "aUtu", "a", "", 0, 0,
	    "session create --account ACCOUNT [--user UUID] [--ttl SECONDS] "
	    "[--uuid SID]" },
	{ "session", "delete", cmd_session_delete, "", "", "", 1, 1,
	    "session delete SID" },
	{ "session", "list", cmd_session_list, "", "", "", 0, 0,
	    "session list" },
	{ "session", "import", cmd_session_import, "rX", "", "", 1, 1,
	    "session import [--replace [--max-delete PCT]] FILE|-" },
	{ "sync", NULL, cmd_sync, "FSTXCPKWLGqRBYNOZ", "", "", 0, 0,
	    "sync [--from URL] [--session-file FILE] [--quiet] "
	    "[sync options]" },
	{ "feed", "fail", cmd_feed_fail, "", "", "", 2, 2,
	    "feed fail groups|sessions MESSAGE" },
	{ "share", NULL, cmd_share, "ap", "", "ap", 1, 1,
	    "share GROUP --account ACCOUNT | --public" },
	{ "unshare", NULL, cmd_unshare, "ap", "", "ap", 1, 1,
	    "unshare GROUP --account ACCOUNT | --public" },
	{ "query", NULL, cmd_query, "au", "", "", 0, -1,
	    "query [--account ACCOUNT] [--uuid GROUP | ARG...]" },
	{ "stat", NULL, cmd_stat, "", "", "", 0, 0, "stat" },
	{ "fields", NULL, cmd_fields, "", "", "", 0, 0, "fields" },
	{ "check", NULL, cmd_check, "", "", "", 0, 0, "check" },
	{ "backup", NULL, cmd_backup, "", "", "", 1, 1, "backup DEST" },
	{ "upgrade", NULL, cmd_upgrade, "", "", "", 0, 0, "upgrade" },
};

#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

static const struct option longopts[] = {
	{ "db",		required_argument,	NULL, 'd' },
	{ "map-size",	required_argument,	NULL, 'M' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ "owner",	required_argument,	NULL, 'o' },
	{ "replace",	no_argument,		NULL, 'r' },
	{ "name",	required_argument,	NULL, 'n' },
	{ "account",	required_argument,	NULL, 'a' },
	{ "user",	required_argument,	NULL, 'U' },
	{ "ttl",	required_argument,	NULL, 't' },
	{ "uuid",	required_argument,	NULL, 'u' },
	{ "public",	no_argument,		NULL, 'p' },
	{ "allow-empty", no_argument,		NULL, 'E' },
	{ "max-delete",	required_argument,	NULL, 'X' },
	{ "config",	required_argument,	NULL, 'c' },
	{ "from",	required_argument,	NULL, 'F' },
	{ "session-file", required_argument,	NULL, 'S' },
	{ "resource-type", required_argument,	NULL, 'T' },
	{ "cacert",	required_argument,	NULL, 'C' },
	{ "capath",	required_argument,	NULL, 'P' },
	{ "connect-timeout", required_argument,	NULL, 'K' },
	{ "timeout",	required_argument,	NULL, 'W' },
	{ "page-size",	required_argument,	NULL, 'L' },
	{ "groups-only", no_argument,		NULL, 'G' },
	{ "max-reply-bytes", required_argument,	NULL, 'R' },
	{ "max-bytes",	required_argument,	NULL, 'B' },
	{ "max-list-bytes", required_argument,	NULL, 'Y' },
	{ "max-groups",	required_argument,	NULL, 'N' },
	{ "max-rows",	required_argument,	NULL, 'O' },
	{ "max-time",	required_argument,	NULL, 'Z' },
	{ "quiet",	no_argument,		NULL, 'q' },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s [-d DIR] [--config FILE] [--map-size SIZE] "
	    "COMMAND ...\n"
	    "commands:\n", PROG);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fprintf(f, "options:\n"
	    "  -d, --db DIR       store directory (default %s, or the\n"
	    "                     configuration file's db)\n"
	    "  --config FILE      configuration file (default %s\n"
	    "                     when it exists)\n"
	    "  --map-size SIZE    LMDB map size, bytes or with K, M, G, T\n"
	    "  --quiet            import, sync: no progress line\n"
	    "  -h, --help         this text\n"
	    "  --version          print the version and exit\n"
	    "sync options (also sync-* keys of the configuration file):\n"
	    "  --from URL         ZStack endpoint, e.g. http://zstack-mn:8080\n"
	    "  --session-file F   admin session id, a file of mode 0600 (default\n"
	    "                     $CREDENTIALS_DIRECTORY/zstack-session)\n"
	    "  --resource-type T  refs, shares and tags of T (%s)\n"
	    "  --max-delete PCT   refuse to delete more than PCT%% (%d)\n"
	    "  --page-size N      rows a page (%d)\n"
	    "  --groups-only      the upstream serves only the groups route\n"
	    "  --cacert FILE, --capath DIR   CAs for https\n"
	    "  --connect-timeout SEC (%d), --timeout SEC (per request, %d)\n"
	    "what a run may read (SIZE: bytes, or with K, M, G, T):\n"
	    "  --max-reply-bytes SIZE  a page of groups, decompressed (%zuM)\n"
	    "  --max-bytes SIZE        every reply of the run (%lluG)\n"
	    "  --max-list-bytes SIZE   every reply of the other lists (%lluG)\n"
	    "  --max-groups N (%lu), --max-rows N (rows of a list, %lu)\n"
	    "  --max-time SEC          the whole run (%d)\n",
	    STORE_DEFAULT_DIR, CONFIG_DEFAULT_FILE, SYNC_RESOURCE_TYPE,
	    IMPORT_MAX_DELETE_DEFAULT, SYNC_PAGE_DEFAULT,
	    SYNC_CONNECT_TIMEOUT, SYNC_TIMEOUT, SYNC_REPLY_MAX >> 20,
	    SYNC_BYTES_MAX >> 30, SYNC_LIST_BYTES_MAX >> 30, SYNC_GROUPS_MAX,
	    SYNC_ROWS_MAX, SYNC_TIME_MAX);
}

/*
 * 1 when stderr is connected to the journal: systemd sets JOURNAL_STREAM
 * to "device:inode" of that stream for a service.
 */
static int
to_journal(void)
{
	static int known = -1;
	const char *js;
	unsigned long long dev, ino;
	struct stat sb;

	if (known >= 0)
		return known;
	known = 0;
	js = getenv("JOURNAL_STREAM");
	if (js != NULL && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(STDERR_FILENO, &sb) == 0 &&
	    (unsigned long long)sb.st_dev == dev &&
	    (unsigned long long)sb.st_ino == ino)
		known = 1;
	return known;
}

static void
report(int prio, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (to_journal())
		log_msg(prio, "%s", line);
	else if (prio <= LOG_NOTICE)
		fprintf(stderr, "%s: %s\n", PROG, line);
	else
		printf("%s\n", line);
}

void
admin_report(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(prio, fmt, ap);
	va_end(ap);
}

int
admin_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(LOG_ERR, fmt, ap);
	va_end(ap);
	return 1;
}

int
admin_fail(const struct admin *a, int rc, const char *fmt, ...)
{
	char what[512], cur[STORE_TZ_MAX];
	MDB_envinfo info;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* ESTORE from store_open(); later it means a damaged record. */
	if (rc == ZSQ_ESTORE && a->st.env == NULL)
		return admin_error("no zsquery store at %s (run '%s init')",
		    a->dir, PROG);
	if (a->st.env != NULL)
		rc = store_space_err(&a->st, rc);
	switch (rc) {
	case ZSQ_EVERSION:
		if (a->st.version > STORE_SCHEMA_VERSION)
			return admin_error("the store at %s has a newer schema "
			    "version than this %s reads (%u; the store's is "
			    "%u): upgrade zsquery", a->dir, PROG,
			    STORE_SCHEMA_VERSION, a->st.version);
		return admin_error("the store at %s was built by another "
		    "version of zsquery (schema %u, index format '%s'; this "
		    "one needs schema %u, '%s'): run '%s -d %s upgrade' to "
		    "rebuild it", a->dir, a->st.version, a->st.format,
		    STORE_SCHEMA_VERSION, index_format(), PROG, a->dir);
	case ENOSPC:
		return admin_error("%s: the disk holding the store (%s) is "
		    "full: nothing changed", what, a->dir);
	case ZSQ_ETZ:
		tz_name(cur, sizeof(cur));
		return admin_error("%s: the store was rendered in time zone %s "
		    "but the current zone is %s (run with TZ=%s)", what,
		    a->st.tz, cur, a->st.tz);
	case ZSQ_EFULL:
	case MDB_MAP_FULL:
		if (a->st.env == NULL || mdb_env_info(a->st.env, &info) != 0)
			info.me_mapsize = 0;
		return admin_error("%s: the store map (%zu bytes) is full: "
		    "run again with a larger --map-size", what,
		    info.me_mapsize);
	}
	return admin_error("%s: %s", what, zsq_strerror(rc));
}

int
admin_open(struct admin *a, unsigned flags)
{
	int rc;

	if ((rc = store_open(&a->st, a->dir, flags, a->mapsize)) != ZSQ_OK)
		return admin_fail(a, rc, "open store %s", a->dir);
	return 0;
}

int
admin_begin(struct admin *a, unsigned flags, MDB_txn **txn)
{
	int rc;

	/* store_txn_begin: a map grown meanwhile (MDB_MAP_RESIZED) is adopted. */
	if ((rc = store_txn_begin(&a->st, flags, txn)) != ZSQ_OK)
		return admin_fail(a, rc, "begin transaction");
	return 0;
}

int
admin_write(struct admin *a, admin_txn_fn fn, void *arg)
{
	struct map_keeper *keeper = NULL;
	MDB_txn *txn = NULL;
	unsigned flags = 0;
	int rc, status = 1;

	if ((a->st.env == NULL && admin_open(a, 0)) ||
	    admin_begin(a, 0, &txn))
		goto done;
	/* After the begin: it may have moved the map (store_txn_begin()). */
	if (mdb_env_get_flags(a->st.env, &flags) == MDB_SUCCESS &&
	    (flags & MDB_WRITEMAP) &&
	    (keeper = map_keeper_start(&a->st, MAP_KEEPER_MS)) != NULL)
		map_keeper_txn_begin(keeper);
	if ((status = fn(a, txn, arg)) != 0)
		goto done;
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc != MDB_SUCCESS)
		status = admin_fail(a, store_err(rc), "commit");
done:
	if (txn != NULL)
		mdb_txn_abort(txn);
	map_keeper_stop(keeper);
	return status;
}

int
admin_uuid_valid(const char *s)
{
	return text_uuid_valid(s, strlen(s));
}

void
admin_iso_time(char *out, size_t n, int64_t ms)
{
	time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0));
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, n, "?");
}

/* "64M" -> 64 << 20.  0 on a malformed, zero or overflowing size. */
static size_t
size_parse(const char *s)
{
	uint64_t n;

	return num_parse_size(s, strlen(s), SIZE_MAX, &n) == ZSQ_OK ?
	    (size_t)n : 0;
}

static int
ttl_parse(const char *s, int64_t *ttl)
{
	return num_parse_i64(s, strlen(s), -TTL_MAX, TTL_MAX, ttl) == ZSQ_OK ?
	    0 : -1;
}

static int
pct_parse(const char *s, unsigned *pct)
{
	uint64_t n;

	if (num_parse_u64(s, strlen(s), 100, &n) != ZSQ_OK)
		return -1;
	*pct = (unsigned)n;
	return 0;
}

/* A whole number from 1 to max. */
static int
count_parse(const char *s, long max, long *out)
{
	uint64_t n;

	if (num_parse_u64(s, strlen(s), (uint64_t)max, &n) != ZSQ_OK ||
	    n < 1)
		return -1;
	*out = (long)n;
	return 0;
}

/* A size of at least 1 MiB (a bound smaller than that is a mistake). */
static int
bound_parse(const char *name, const char *s, unsigned long long *out)
{
	uint64_t n;

	if (num_parse_size(s, strlen(s), UINT64_MAX, &n) != ZSQ_OK ||
	    n < (1 << 20)) {
		admin_error("bad --%s '%s': a size of at least 1M (bytes, or "
		    "with K, M, G, T)", name, s);
		return -1;
	}
	*out = n;
	return 0;
}

/* Parse every option; *seen gets one bit per option letter.  -1: usage. */
static int
options_parse(struct admin *a, int argc, char **argv, uint64_t *seen)
{
	int c;

	*seen = 0;
	while ((c = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':	a->dir = optarg; break;
		case 'h':	break;
		case 'V':	break;
		case 'o':	a->owner = optarg; break;
		case 'r':	a->replace = 1; break;
		case 'n':	a->name = optarg; break;
		case 'a':	a->account = optarg; break;
		case 'U':	a->user = optarg; break;
		case 'u':	a->uuid = optarg; break;
		case 'p':	a->public = 1; break;
		case 'E':	a->allow_empty = 1; break;
		case 'c':	a->config = optarg; break;
		case 'F':	a->from = optarg; break;
		case 'S':	a->session_file = optarg; break;
		case 'T':	a->resource_type = optarg; break;
		case 'C':	a->cacert = optarg; break;
		case 'P':	a->capath = optarg; break;
		case 'G':	a->groups_only = 1; break;
		case 'q':	a->quiet = 1; break;
		case 'K':
		case 'W':
			if (count_parse(optarg, 86400, c == 'K' ?
			    &a->connect_timeout : &a->timeout) != 0) {
				admin_error("bad --%s '%s': seconds, 1 to 86400",
				    c == 'K' ? "connect-timeout" : "timeout",
				    optarg);
				return -1;
			}
			break;
		case 'L': {
			long n;

			if (count_parse(optarg, SYNC_PAGE_MAX, &n) != 0) {
				admin_error("bad --page-size '%s': 1 to %d",
				    optarg, SYNC_PAGE_MAX);
				return -1;
			}
			a->page_size = (unsigned)n;
			break;
		}
		case 'R':
		case 'B':
		case 'Y':
			if (bound_parse(c == 'R' ? "max-reply-bytes" : c == 'B' ?
			    "max-bytes" : "max-list-bytes", optarg, c == 'R' ?
			    &a->max_reply_bytes : c == 'B' ? &a->max_bytes :
			    &a->max_list_bytes) != 0)
				return -1;
			break;
		case 'N':
		case 'O':
		case 'Z': {
			long n;

			if (count_parse(optarg, c == 'Z' ? 7 * 86400 : INT_MAX,
			    &n) != 0) {
				admin_error("bad --%s '%s': 1 to %d", c == 'N' ?
				    "max-groups" : c == 'O' ? "max-rows" :
				    "max-time", optarg, c == 'Z' ? 7 * 86400 :
				    INT_MAX);
				return -1;
			}
			if (c == 'N')
				a->max_groups = (unsigned long)n;
			else if (c == 'O')
				a->max_rows = (unsigned long)n;
			else
				a->max_time = n;
			break;
		}
		case 'X':
			if (pct_parse(optarg, &a->max_delete) != 0) {
				admin_error("bad --max-delete '%s': a percentage "
				    "0-100", optarg);
				return -1;
			}
			break;
		case 'M':
			if ((a->mapsize = size_parse(optarg)) == 0) {
				admin_error("bad --map-size '%s'", optarg);
				return -1;
			}
			break;
		case 't':
			if (ttl_parse(optarg, &a->ttl) != 0) {
				admin_error("bad --ttl '%s'", optarg);
				return -1;
			}
			break;
		default:
			return -1;
		}
		*seen |= OPT_BIT(c);
	}
	return 0;
}

static const struct command *
command_find(int argc, char **argv, int *words)
{
	size_t i;

	if (argc < 1)
		return NULL;
	for (i = 0; i < NCOMMANDS; i++) {
		const struct command *c = &commands[i];

		if (strcmp(c->name, argv[0]) != 0)
			continue;
		if (c->sub == NULL) {
			*words = 1;
			return c;
		}
		if (argc >= 2 && strcmp(c->sub, argv[1]) == 0) {
			*words = 2;
			return c;
		}
	}
	return NULL;
}

/* The options given fit the command: 0, or -1 after a message. */
static int
options_check(const struct command *c, uint64_t seen)
{
	const struct option *o;
	int given = 0;
	const char *p;

	for (o = longopts; o->name; o++) {
		uint64_t bit = OPT_BIT(o->val);

		if (strchr("dMhcV", o->val) || !(seen & bit))
			continue;
		if (strchr(c->opts, o->val) == NULL) {
			admin_error("%s%s%s: option --%s does not apply",
			    c->name, c->sub ? " " : "", c->sub ? c->sub : "",
			    o->name);
			return -1;
		}
	}
	for (p = c->need; *p; p++)
		if (!(seen & OPT_BIT(*p))) {
			admin_error("usage: %s %s", PROG, c->usage);
			return -1;
		}
	for (p = c->oneof; *p; p++)
		given += (seen & OPT_BIT(*p)) != 0;
	if (*c->oneof && given != 1) {
		admin_error("usage: %s %s", PROG, c->usage);
		return -1;
	}
	return 0;
}

/*
 * Read the configuration file (every command: a bad file is reported the
 * same way zsquery-fcgi reports it); its db, unless -d was given.
 */
static int
config_read(struct admin *a)
{
	static struct config cfg;
	struct config cli;
	struct buf err = BUF_INIT;
	int rc;

	config_defaults(&cli);
	if (a->config != NULL)
		snprintf(cli.file, sizeof(cli.file), "%s", a->config);
	if ((rc = config_load(&cfg, &cli, &err)) != ZSQ_OK)
		admin_error("configuration: %s", err.data ? err.data :
		    zsq_strerror(rc));
	buf_free(&err);
	if (rc != ZSQ_OK)
		return 1;
	a->cfg = &cfg;
	if (!(a->seen & OPT_BIT('d')))
		a->dir = cfg.db;
	return 0;
}

int
main(int argc, char **argv)
{
	struct admin a;
	const struct command *c;
	uint64_t seen;
	int words, status;

	/*
	 * Large blocks (the uuid set, index batches and the sort's scratch,
	 * tens of MiB each) straight from mmap and back on free: malloc's
	 * default would raise its thresholds after the first such free and
	 * keep up to 64 MiB of freed heap in an import's resident set.
	 */
	(void)mallopt(M_MMAP_THRESHOLD, 1 << 20);
	schema_init();
	log_init(PROG);
	memset(&a, 0, sizeof(a));
	a.dir = STORE_DEFAULT_DIR;
	a.ttl = SESSION_DEFAULT_TIMEOUT;
	a.max_delete = IMPORT_MAX_DELETE_DEFAULT;
	if (options_parse(&a, argc, argv, &seen) != 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (seen & OPT_BIT('h')) {
		usage(stdout);
		return 0;
	}
	if (seen & OPT_BIT('V')) {
		/* PACKAGE_VERSION: configure's, from AC_INIT. */
		printf("%s (zsquery) %s\n", PROG, PACKAGE_VERSION);
		return 0;
	}
	argc -= optind;
	argv += optind;
	if ((c = command_find(argc, argv, &words)) == NULL) {
		if (argc > 0)
			admin_error("unknown command '%s'", argv[0]);
		usage(stderr);
		return EXIT_USAGE;
	}
	a.argc = argc - words;
	a.argv = argv + words;
	a.seen = seen;
	if (options_check(c, seen) != 0)
		return EXIT_USAGE;
	if (config_read(&a) != 0)
		return 1;
	if (a.argc < c->nmin || (c->nmax >= 0 && a.argc > c->nmax)) {
		admin_error("usage: %s %s", PROG, c->usage);
		return EXIT_USAGE;
	}
	status = c->run(&a);
	store_close(&a.st);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		admin_error("write error: %s", strerror(errno));
		status = 1;
	}
	return status;
}
