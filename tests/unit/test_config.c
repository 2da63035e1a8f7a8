/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_config.c - zsquery-fcgi's settings (src/conf/config.c): the
 * defaults, the configuration file (every key, comments, whitespace,
 * bounds), the command line winning over the file on every load, and
 * each bad value, unknown key or option refused with its one-line
 * message naming where it came from.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/errors.h"
#include "conf/config.h"
#include "store/session.h"
#include "store/store.h"
#include "t.h"

static char dir[64];		/* the test's files */
static struct buf err;

/* Write text to dir/name; its path. */
static const char *
conf_file(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0) {
		perror(path);
		exit(99);
	}
	return path;
}

/*
 * config_args() over the words given (NULL-ended; the program name is
 * added), with err reset first.  getopt_long() permutes its argv, so
 * the words are copied.
 *
 * config_args() sets optind to 1, which does not reset glibc's getopt:
 * after a parse that stopped early (-h, --version, an error) it goes on
 * from where the last one left off inside the old words.  The programs
 * parse once; this test parses many times, so it resets getopt first
 * (optind 0, glibc's way).
 */
static int
args(struct config *cli, ...)
{
	static char words[24][CONFIG_PATH_MAX + 8], prog[] = "test";
	char *argv[24], *reset[] = { prog, NULL };
	const char *w;
	va_list ap;
	int argc = 0;

	optind = 0;
	(void)getopt(1, reset, "");
	buf_reset(&err);
	snprintf(words[argc], sizeof(words[0]), "zsquery-fcgi");
	argv[argc] = words[argc];
	argc++;
	va_start(ap, cli);
	while ((w = va_arg(ap, const char *)) != NULL && argc < 23) {
		snprintf(words[argc], sizeof(words[0]), "%s", w);
		argv[argc] = words[argc];
		argc++;
	}
	va_end(ap);
	argv[argc] = NULL;
	return config_args(cli, argc, argv, &err);
}

/* config_load() of text as the --config file, nothing else given. */
static int
load_text(struct config *out, const char *text)
{
	struct config cli;

	config_defaults(&cli);
	snprintf(cli.file, sizeof(cli.file), "%s", conf_file("f.conf", text));
	buf_reset(&err);
	return config_load(out, &cli, &err);
}

/* The file's text is refused with "DIR/f.conf:LINE: msg". */
static void
file_bad(const char *text, int line, const char *msg)
{
	struct config c;
	char want[512];

	snprintf(want, sizeof(want), "%s/f.conf:%d: %s", dir, line, msg);
	CHECK(load_text(&c, text) == ZSQ_EINVAL);
	CHECK_STR(err.data, want);
}

/* The option words (NULL-ended) are refused with msg. */
#define ARGS_BAD(msg, ...) do {						\
	struct config t_c;						\
	CHECK(args(&t_c, __VA_ARGS__, (char *)NULL) == ZSQ_EINVAL);	\
	CHECK_STR(err.data, (msg));					\
} while (0)

static void
check_defaults(const struct config *c)
{
	CHECK_STR(c->db, STORE_DEFAULT_DIR);
	CHECK(c->workers == CONFIG_DEFAULT_WORKERS && c->workers == 4);
	CHECK(c->session_timeout == SESSION_DEFAULT_TIMEOUT);
	CHECK(c->renew == 1);
	CHECK(c->log_level == LOG_INFO);
	CHECK_STR(c->listen, "");
	CHECK_STR(c->listen_group, "");
	CHECK(c->client_timeout == 30);
	CHECK(c->max_request_time == 10);
	/* sync's: unset. */
	CHECK_STR(c->sync_from, "");
	CHECK_STR(c->sync_session_file, "");
	CHECK_STR(c->sync_resource_type, "");
	CHECK_STR(c->sync_cacert, "");
	CHECK_STR(c->sync_capath, "");
	CHECK(c->sync_max_delete == -1);
	CHECK(c->sync_page_size == 0 && c->sync_groups_only == 0);
	CHECK(c->sync_connect_timeout == 0 && c->sync_timeout == 0);
}

static void
test_defaults(void)
{
	struct config cli, c;

	config_defaults(&c);
	check_defaults(&c);
	CHECK_STR(c.file, "");
	CHECK(c.set == 0);

	CHECK(args(&cli, (char *)NULL) == ZSQ_OK);
	check_defaults(&cli);
	CHECK(cli.set == 0 && cli.file[0] == '\0');

	/* An empty file, and one of comments and blank lines, change
	 * nothing. */
	CHECK(load_text(&c, "") == ZSQ_OK);
	check_defaults(&c);
	CHECK(load_text(&c, "# zsquery.conf\n\n   \n\t# db = /x\n") == ZSQ_OK);
	check_defaults(&c);
	CHECK(c.set == 0);

	/* No --config: the default file, and its absence is no error
	 * (checked only where that file is not there). */
	if (access(CONFIG_DEFAULT_FILE, F_OK) != 0 && errno == ENOENT) {
		config_defaults(&cli);
		buf_reset(&err);
		CHECK(config_load(&c, &cli, &err) == ZSQ_OK);
		check_defaults(&c);
		CHECK(err.len == 0);
	}
}

static void
test_file(void)
{
	struct config c;

	CHECK(load_text(&c,
	    "# every key\n"
	    "db = /srv/zsq\n"
	    "  workers=8\n"
	    "session-timeout =\t60\n"
	    "renew = NO\n"
	    "log-level = Warning\n"
	    "listen = /run/zsquery/pool.sock\r\n"
	    "listen-group = www-data # not a comment\n"
	    "client-timeout = 5\n"
	    "max-request-time = 3\n"
	    "\n"
	    "sync-from = https://zstack.example:8080/x?a=b\n"
	    "sync-session-file = /etc/zsquery/session\n"
	    "sync-resource-type = ModelServiceInstanceGroupVO\n"
	    "sync-cacert = /etc/ssl/ca.pem\n"
	    "sync-capath = /etc/ssl/certs\n"
	    "sync-max-delete = 0\n"
	    "sync-page-size = 100000\n"
	    "sync-groups-only = true\n"
	    "sync-connect-timeout = 1\n"
	    "sync-timeout = 86400") == ZSQ_OK);
	CHECK_STR(c.db, "/srv/zsq");
	CHECK(c.workers == 8);
	CHECK(c.session_timeout == 60);
	CHECK(c.renew == 0);
	CHECK(c.log_level == LOG_WARNING);
	/* The line's CR is whitespace; '#' starts only a comment line. */
	CHECK_STR(c.listen, "/run/zsquery/pool.sock");
	CHECK_STR(c.listen_group, "www-data # not a comment");
	CHECK(c.client_timeout == 5);
	CHECK(c.max_request_time == 3);
	CHECK_STR(c.sync_from, "https://zstack.example:8080/x?a=b");
	CHECK_STR(c.sync_session_file, "/etc/zsquery/session");
	CHECK_STR(c.sync_resource_type, "ModelServiceInstanceGroupVO");
	CHECK_STR(c.sync_cacert, "/etc/ssl/ca.pem");
	CHECK_STR(c.sync_capath, "/etc/ssl/certs");
	CHECK(c.sync_max_delete == 0);
	CHECK(c.sync_page_size == 100000);
	CHECK(c.sync_groups_only == 1);
	CHECK(c.sync_connect_timeout == 1 && c.sync_timeout == 86400);
	/* What the file sets is not the command line's. */
	CHECK(c.set == 0);

	/* The value is all after the first '=', inner spaces kept. */
	CHECK(load_text(&c, "db = /a=b c\n") == ZSQ_OK);
	CHECK_STR(c.db, "/a=b c");
	/* A later line wins. */
	CHECK(load_text(&c, "workers = 2\nworkers = 3\n") == ZSQ_OK);
	CHECK(c.workers == 3);
	/* Every spelling of the booleans and levels. */
	CHECK(load_text(&c, "renew = no\nrenew = TRUE\n") == ZSQ_OK &&
	    c.renew == 1);
	CHECK(load_text(&c, "renew = 0\n") == ZSQ_OK && c.renew == 0);
	CHECK(load_text(&c, "renew = 0\nrenew = 1\n") == ZSQ_OK &&
	    c.renew == 1);
	CHECK(load_text(&c, "renew = False\n") == ZSQ_OK && c.renew == 0);
	CHECK(load_text(&c, "renew = no\nrenew = Yes\n") == ZSQ_OK &&
	    c.renew == 1);
	CHECK(load_text(&c, "log-level = emerg\n") == ZSQ_OK &&
	    c.log_level == LOG_EMERG);
	CHECK(load_text(&c, "log-level = DEBUG\n") == ZSQ_OK &&
	    c.log_level == LOG_DEBUG);
	CHECK(load_text(&c, "log-level = 3\n") == ZSQ_OK &&
	    c.log_level == LOG_ERR);
	CHECK(load_text(&c, "sync-groups-only = 1\nsync-max-delete = 100\n")
	    == ZSQ_OK && c.sync_groups_only == 1 && c.sync_max_delete == 100);
	/* The bounds themselves. */
	CHECK(load_text(&c, "workers = 256\nsession-timeout = 316224000\n"
	    "client-timeout = 3600\nmax-request-time = 3600\n") == ZSQ_OK);
	CHECK(c.workers == 256 && c.session_timeout == 316224000L &&
	    c.client_timeout == 3600 && c.max_request_time == 3600);
	CHECK(load_text(&c, "workers = 1\nsession-timeout = 1\n"
	    "client-timeout = 1\nmax-request-time = 1\n") == ZSQ_OK);
	CHECK(c.workers == 1 && c.session_timeout == 1 &&
	    c.client_timeout == 1 && c.max_request_time == 1);
}

static void
test_file_errors(void)
{
	struct config cli, c;
	char line[CONFIG_LINE_MAX + 8], *text, want[256];
	char name[CONFIG_NAME_MAX + 8], text2[256];
	size_t n;

	file_bad("db = /x\nworkers\n", 2, "expected 'key = value'");
	file_bad("Workers = 3\n", 1, "unknown setting 'Workers'");
	file_bad("# x\n\nnosuch = 1\n", 3, "unknown setting 'nosuch'");
	file_bad("sync-nosuch = 1\n", 1, "unknown setting 'sync-nosuch'");
	file_bad(" = 1\n", 1, "unknown setting ''");
	file_bad("workers = 0\n", 1,
	    "'workers' must be an integer from 1 to 256, not '0'");
	file_bad("workers = 257\n", 1,
	    "'workers' must be an integer from 1 to 256, not '257'");
	file_bad("workers = 3x\n", 1,
	    "'workers' must be an integer from 1 to 256, not '3x'");
	file_bad("workers = \n", 1,
	    "'workers' must be an integer from 1 to 256, not ''");
	file_bad("workers = 99999999999999999999\n", 1,
	    "'workers' must be an integer from 1 to 256, not "
	    "'99999999999999999999'");
	file_bad("db =\n", 1, "'db' must be a directory path, not ''");
	file_bad("session-timeout = 316224001\n", 1,
	    "'session-timeout' must be seconds, 1 to ten years, not "
	    "'316224001'");
	file_bad("session-timeout = -5\n", 1,
	    "'session-timeout' must be seconds, 1 to ten years, not '-5'");
	file_bad("renew = on\n", 1, "'renew' must be yes or no, not 'on'");
	file_bad("log-level = loud\n", 1,
	    "'log-level' must be a syslog level name (err, warning, info, "
	    "debug...) or 0-7, not 'loud'");
	file_bad("log-level = 8\n", 1,
	    "'log-level' must be a syslog level name (err, warning, info, "
	    "debug...) or 0-7, not '8'");
	file_bad("client-timeout = 3601\n", 1,
	    "'client-timeout' must be seconds, 1 to 3600, not '3601'");
	file_bad("max-request-time = 0\n", 1,
	    "'max-request-time' must be seconds, 1 to 3600, not '0'");
	/* Names of CONFIG_NAME_MAX bytes do not fit (the NUL). */
	memset(name, 'g', CONFIG_NAME_MAX);
	name[CONFIG_NAME_MAX] = '\0';
	snprintf(text2, sizeof(text2), "listen-group = %s\n", name);
	snprintf(want, sizeof(want), "'listen-group' must be a group name, "
	    "not '%s'", name);
	file_bad(text2, 1, want);
	snprintf(text2, sizeof(text2), "sync-resource-type = %s\n", name);
	file_bad(text2, 1, "'sync-resource-type' must be a non-empty value "
	    "shorter than 64 bytes");
	name[CONFIG_NAME_MAX - 1] = '\0';
	snprintf(text2, sizeof(text2), "listen-group = %s\n"
	    "sync-resource-type = %s\n", name, name);
	CHECK(load_text(&c, text2) == ZSQ_OK);
	CHECK_STR(c.listen_group, name);
	CHECK_STR(c.sync_resource_type, name);
	file_bad("sync-max-delete = 101\n", 1,
	    "'sync-max-delete' must be an integer from 0 to 100, not '101'");
	file_bad("sync-page-size = 0\n", 1,
	    "'sync-page-size' must be an integer from 1 to 100000, not '0'");
	file_bad("sync-timeout = 86401\n", 1,
	    "'sync-timeout' must be an integer from 1 to 86400, not '86401'");
	file_bad("sync-connect-timeout = x\n", 1,
	    "'sync-connect-timeout' must be an integer from 1 to 86400, "
	    "not 'x'");
	file_bad("sync-groups-only = maybe\n", 1,
	    "'sync-groups-only' must be yes or no, not 'maybe'");
	file_bad("sync-from =\n", 1,
	    "'sync-from' must be a non-empty value shorter than 1024 bytes");

	/* A bad value is shown 64 bytes at most. */
	memset(name, 'y', 66);
	name[66] = '\0';
	snprintf(text2, sizeof(text2), "renew = %s\n", name);
	snprintf(want, sizeof(want), "'renew' must be yes or no, not '%.64s'",
	    name);
	CHECK(strlen(want) == 32 + 64 + 1);
	file_bad(text2, 1, want);

	/* The listen path: 107 bytes fit a sockaddr_un, 108 do not. */
	memset(line, 'p', 107);
	line[0] = '/';
	line[107] = '\0';
	snprintf(text2, sizeof(text2), "listen = %.107s\n", line);
	CHECK(load_text(&c, text2) == ZSQ_OK);
	CHECK_STR(c.listen, line);
	memcpy(line + 107, "p", 2);
	snprintf(text2, sizeof(text2), "listen = %.108s\n", line);
	snprintf(want, sizeof(want), "'listen' must be a unix socket path "
	    "shorter than 108 bytes, not '%.64s'", line);
	file_bad(text2, 1, want);

	/* Lines of CONFIG_LINE_MAX bytes are read; longer ones refused,
	 * the last line too. */
	n = CONFIG_LINE_MAX;
	memset(line, ' ', n);
	memcpy(line, "# comment", 9);
	memcpy(line + n, "\n", 2);
	text = malloc(2 * sizeof(line));
	snprintf(text, 2 * sizeof(line), "%sworkers = 5\n", line);
	CHECK(load_text(&c, text) == ZSQ_OK && c.workers == 5);
	memcpy(line + n, " \n", 3);
	snprintf(text, 2 * sizeof(line), "workers = 5\n%sworkers = 6\n", line);
	snprintf(want, sizeof(want), "line longer than %d bytes",
	    CONFIG_LINE_MAX);
	file_bad(text, 2, want);
	line[n + 1] = '\0';
	snprintf(text, 2 * sizeof(line), "workers = 5\n%s", line);
	file_bad(text, 2, want);
	free(text);

	/* A missing --config file is an error naming it; so is one that
	 * cannot be read. */
	config_defaults(&cli);
	snprintf(cli.file, sizeof(cli.file), "%s/nosuch.conf", dir);
	buf_reset(&err);
	CHECK(config_load(&c, &cli, &err) == ENOENT);
	snprintf(want, sizeof(want), "%s/nosuch.conf: %s", dir,
	    strerror(ENOENT));
	CHECK_STR(err.data, want);
	snprintf(cli.file, sizeof(cli.file), "%s", dir);
	buf_reset(&err);
	CHECK(config_load(&c, &cli, &err) == ZSQ_EIO);
	snprintf(want, sizeof(want), "%s: read error", dir);
	CHECK_STR(err.data, want);
}

static void
test_args(void)
{
	struct config cli;
	char path[CONFIG_PATH_MAX + 2], want[256];

	CHECK(args(&cli, "-d", "/srv/a", "-w", "12", "--session-timeout", "90",
	    "--no-renew", "--log-level", "err", "--listen", "/run/p.sock",
	    "--listen-group", "nginx", "--client-timeout", "7",
	    "--max-request-time", "2", "--config", "/etc/z.conf",
	    (char *)NULL) == ZSQ_OK);
	CHECK_STR(cli.db, "/srv/a");
	CHECK(cli.workers == 12 && cli.session_timeout == 90);
	CHECK(cli.renew == 0 && cli.log_level == LOG_ERR);
	CHECK_STR(cli.listen, "/run/p.sock");
	CHECK_STR(cli.listen_group, "nginx");
	CHECK(cli.client_timeout == 7 && cli.max_request_time == 2);
	CHECK_STR(cli.file, "/etc/z.conf");
	CHECK(cli.set == (CONFIG_SET_DB | CONFIG_SET_WORKERS |
	    CONFIG_SET_TIMEOUT | CONFIG_SET_RENEW | CONFIG_SET_LOGLEVEL |
	    CONFIG_SET_LISTEN | CONFIG_SET_GROUP | CONFIG_SET_CLIENT_TIMEOUT |
	    CONFIG_SET_MAX_REQUEST_TIME));
	/* Long forms, "--opt=value", and a value equal to the default is
	 * still set. */
	CHECK(args(&cli, "--db=/srv/b", "--workers", "4", (char *)NULL) ==
	    ZSQ_OK);
	CHECK_STR(cli.db, "/srv/b");
	CHECK(cli.workers == 4);
	CHECK(cli.set == (CONFIG_SET_DB | CONFIG_SET_WORKERS));
	/* Each parse starts afresh. */
	CHECK(args(&cli, "-w", "9", (char *)NULL) == ZSQ_OK);
	CHECK_STR(cli.db, STORE_DEFAULT_DIR);
	CHECK(cli.set == CONFIG_SET_WORKERS);

	CHECK(args(&cli, "-h", (char *)NULL) == 1);
	CHECK(args(&cli, "--help", (char *)NULL) == 1);
	CHECK(args(&cli, "--version", (char *)NULL) == 2);
	CHECK(strstr(config_usage(), "usage: zsquery-fcgi") ==
	    config_usage());

	ARGS_BAD("option 'workers' must be an integer from 1 to 256, not '0'",
	    "-w", "0");
	ARGS_BAD("option 'workers' must be an integer from 1 to 256, not "
	    "'-1'", "--workers=-1");
	ARGS_BAD("option 'session-timeout' must be seconds, 1 to ten years, "
	    "not '0'", "--session-timeout", "0");
	ARGS_BAD("option 'log-level' must be a syslog level name (err, "
	    "warning, info, debug...) or 0-7, not 'verbose'",
	    "--log-level", "verbose");
	ARGS_BAD("option 'db' must be a directory path, not ''", "-d", "");
	ARGS_BAD("option 'client-timeout' must be seconds, 1 to 3600, not "
	    "'1e3'", "--client-timeout", "1e3");
	ARGS_BAD("unknown option --nope", "--nope");
	ARGS_BAD("unknown option --nope=1", "--nope=1");
	ARGS_BAD("unknown option -x", "-x");
	ARGS_BAD("unknown option --no-renew=yes", "--no-renew=yes");
	ARGS_BAD("option -w needs a value", "-w");
	ARGS_BAD("option --db needs a value", "-w", "2", "--db");
	ARGS_BAD("unexpected argument 'serve'", "-w", "2", "serve");
	ARGS_BAD("--config: bad path", "--config", "");
	/* The sync keys are the file's only. */
	ARGS_BAD("unknown option --sync-from", "--sync-from", "http://x");

	/* Paths of CONFIG_PATH_MAX - 1 bytes fit, one more does not. */
	memset(path, 'd', CONFIG_PATH_MAX - 1);
	path[0] = '/';
	path[CONFIG_PATH_MAX - 1] = '\0';
	CHECK(args(&cli, "--config", path, "--db", path, (char *)NULL) ==
	    ZSQ_OK);
	CHECK_STR(cli.file, path);
	CHECK_STR(cli.db, path);
	memcpy(path + CONFIG_PATH_MAX - 1, "d", 2);
	ARGS_BAD("--config: bad path", "--config", path);
	snprintf(want, sizeof(want), "option 'db' must be a directory path, "
	    "not '%.64s'", path);
	ARGS_BAD(want, "--db", path);
}

/* The command line wins over the file, at every load (SIGHUP). */
static void
test_precedence(void)
{
	struct config cli, c;
	const char *path;

	path = conf_file("p.conf", "db = /srv/file\nworkers = 8\n"
	    "renew = yes\nlog-level = debug\nclient-timeout = 11\n"
	    "sync-page-size = 50\n");
	CHECK(args(&cli, "--config", path, "-w", "4", "-d", "/srv/cli",
	    "--no-renew", (char *)NULL) == ZSQ_OK);
	buf_reset(&err);
	CHECK(config_load(&c, &cli, &err) == ZSQ_OK);
	CHECK_STR(c.db, "/srv/cli");
	CHECK(c.workers == 4);		/* the default, but given */
	CHECK(c.renew == 0);
	/* The rest from the file, then the defaults. */
	CHECK(c.log_level == LOG_DEBUG && c.client_timeout == 11);
	CHECK(c.sync_page_size == 50);
	CHECK(c.session_timeout == SESSION_DEFAULT_TIMEOUT);
	CHECK_STR(c.file, path);
	CHECK(c.set == cli.set);

	/* The file changes: a new load reads it, the command line still
	 * wins. */
	path = conf_file("p.conf", "workers = 16\nlog-level = err\n");
	buf_reset(&err);
	CHECK(config_load(&c, &cli, &err) == ZSQ_OK);
	CHECK(c.workers == 4 && c.log_level == LOG_ERR);
	CHECK_STR(c.db, "/srv/cli");
	CHECK(c.client_timeout == 30 && c.sync_page_size == 0);

	/* A bad file is still refused under a command line that sets the
	 * same key. */
	conf_file("p.conf", "workers = none\n");
	buf_reset(&err);
	CHECK(config_load(&c, &cli, &err) == ZSQ_EINVAL);
	CHECK(strstr(err.data, "p.conf:1: 'workers' must be") != NULL);
}

int
main(void)
{
	char cmd[128];

	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/zsq-config-XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 99;
	}
	test_defaults();
	test_file();
	test_file_errors();
	test_args();
	test_precedence();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	buf_free(&err);
	return t_done();
}
