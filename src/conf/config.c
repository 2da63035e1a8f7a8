/* SPDX-License-Identifier: Apache-2.0 */
/* config.c - defaults, configuration file, command line; see config.h. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "base/errors.h"
#include "base/num.h"
#include "conf/config.h"
#include "store/session.h"
#include "store/store.h"

/* Longest session timeout: ten years keeps every ms sum far from overflow. */
#define TIMEOUT_MAX	(10L * 366 * 24 * 3600)

static const char *const levels[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"
};

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->db, STORE_DEFAULT_DIR);
	c->workers = CONFIG_DEFAULT_WORKERS;
	c->session_timeout = SESSION_DEFAULT_TIMEOUT;
	c->renew = 1;
	c->log_level = LOG_INFO;
	c->client_timeout = CONFIG_DEFAULT_CLIENT_TIMEOUT;
	c->sync_max_delete = -1;
	c->max_request_time = CONFIG_DEFAULT_MAX_REQUEST_TIME;
}

/*
 * An integer from min to max.  Leading white space is allowed, as it
 * always was (strtol's rule): a value from the command line is not
 * trimmed, one from the file is.
 */
static int
parse_long(const char *s, long min, long max, long *out)
{
	int64_t v;

	while (isspace((unsigned char)*s))
		s++;
	if (num_parse_i64(s, strlen(s), min, max, &v) != ZSQ_OK)
		return ZSQ_EINVAL;
	*out = (long)v;
	return ZSQ_OK;
}

static int
parse_string(const char *s, char *out, size_t n, int allow_empty)
{
	size_t len = strlen(s);

	if (len >= n || (len == 0 && !allow_empty))
		return ZSQ_EINVAL;
	memcpy(out, s, len + 1);
	return ZSQ_OK;
}

static int
parse_yesno(const char *s, int *out)
{
	if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "true") == 0 ||
	    strcmp(s, "1") == 0)
		*out = 1;
	else if (strcasecmp(s, "no") == 0 || strcasecmp(s, "false") == 0 ||
	    strcmp(s, "0") == 0)
		*out = 0;
	else
		return ZSQ_EINVAL;
	return ZSQ_OK;
}

static int
parse_level(const char *s, int *out)
{
	size_t i;
	long v;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcasecmp(s, levels[i]) == 0) {
			*out = (int)i;
			return ZSQ_OK;
		}
	if (parse_long(s, LOG_EMERG, LOG_DEBUG, &v) != ZSQ_OK)
		return ZSQ_EINVAL;
	*out = (int)v;
	return ZSQ_OK;
}

/* A sync-* key (the prefix stripped); see config_set(). */
static int
config_set_sync(struct config *c, const char *key, const char *val,
    struct buf *err)
{
	static const struct {
		const char	*key;
		size_t		 off, size;	/* a string field */
		long		 min, max;	/* else an integer field */
		int		 bytes;		/* or a size (num.h), >= min */
	} keys[] = {
#define S(k, m) { k, offsetof(struct config, m), \
	sizeof(((struct config *)0)->m), 0, 0, 0 }
#define I(k, m, lo, hi) { k, offsetof(struct config, m), 0, lo, hi, 0 }
#define Z(k, m, lo) { k, offsetof(struct config, m), 0, lo, 0, 1 }
		S("from", sync_from),
		S("session-file", sync_session_file),
		S("resource-type", sync_resource_type),
		S("cacert", sync_cacert),
		S("capath", sync_capath),
		I("max-delete", sync_max_delete, 0, 100),
		I("page-size", sync_page_size, 1, 100000),
		I("connect-timeout", sync_connect_timeout, 1, 86400),
		I("timeout", sync_timeout, 1, 86400),
		Z("max-reply-bytes", sync_max_reply_bytes, 1 << 20),
		Z("max-bytes", sync_max_bytes, 1 << 20),
		Z("max-list-bytes", sync_max_list_bytes, 1 << 20),
		I("max-groups", sync_max_groups, 1, INT_MAX),
		I("max-rows", sync_max_rows, 1, INT_MAX),
		I("max-time", sync_max_time, 1, 7 * 86400),
#undef S
#undef I
#undef Z
	};
	uint64_t z;
	char *field;
	size_t i;
	long v;

	if (strcmp(key, "groups-only") == 0) {
		if (parse_yesno(val, &c->sync_groups_only) == ZSQ_OK)
			return ZSQ_OK;
		buf_printf(err, "'sync-groups-only' must be yes or no, not "
		    "'%.64s'", val);
		return ZSQ_EINVAL;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(key, keys[i].key) != 0)
			continue;
		field = (char *)c + keys[i].off;
		if (keys[i].size > 0) {
			if (parse_string(val, field, keys[i].size, 0) ==
			    ZSQ_OK)
				return ZSQ_OK;
			buf_printf(err, "'sync-%s' must be a non-empty value "
			    "shorter than %zu bytes", key, keys[i].size);
			return ZSQ_EINVAL;
		}
		if (keys[i].bytes) {
			if (num_parse_size(val, strlen(val), UINT64_MAX, &z) ==
			    ZSQ_OK && z >= (uint64_t)keys[i].min) {
				*(unsigned long long *)(void *)field = z;
				return ZSQ_OK;
			}
			buf_printf(err, "'sync-%s' must be a size of at least "
			    "1M (bytes, or with K, M, G, T), not '%.64s'", key,
			    val);
			return ZSQ_EINVAL;
		}
		if (parse_long(val, keys[i].min, keys[i].max, &v) == ZSQ_OK) {
			*(int *)(void *)field = (int)v;
			return ZSQ_OK;
		}
		buf_printf(err, "'sync-%s' must be an integer from %ld to %ld, "
		    "not '%.64s'", key, keys[i].min, keys[i].max, val);
		return ZSQ_EINVAL;
	}
	buf_printf(err, "unknown setting 'sync-%.64s'", key);
	return ZSQ_EINVAL;
}

/*
 * Set one setting by its key (the long option name).  On a bad value err
 * gets "'key': what was expected"; the caller prefixes where it came from.
 */
static int
config_set(struct config *c, const char *key, const char *val,
    unsigned *bit, struct buf *err)
{
	const char *want;
	long v;
	int rc = ZSQ_EINVAL;

	if (strcmp(key, "db") == 0) {
		*bit = CONFIG_SET_DB;
		want = "a directory path";
		rc = parse_string(val, c->db, sizeof(c->db), 0);
	} else if (strcmp(key, "workers") == 0) {
		*bit = CONFIG_SET_WORKERS;
		want = "an integer from 1 to 256";
		if ((rc = parse_long(val, 1, CONFIG_WORKERS_MAX, &v)) == 0)
			c->workers = (int)v;
	} else if (strcmp(key, "session-timeout") == 0) {
		*bit = CONFIG_SET_TIMEOUT;
		want = "seconds, 1 to ten years";
		if ((rc = parse_long(val, 1, TIMEOUT_MAX, &v)) == 0)
			c->session_timeout = v;
	} else if (strcmp(key, "renew") == 0) {
		*bit = CONFIG_SET_RENEW;
		want = "yes or no";
		rc = parse_yesno(val, &c->renew);
	} else if (strcmp(key, "log-level") == 0) {
		*bit = CONFIG_SET_LOGLEVEL;
		want = "a syslog level name (err, warning, info, debug...) "
		    "or 0-7";
		rc = parse_level(val, &c->log_level);
	} else if (strcmp(key, "listen") == 0) {
		*bit = CONFIG_SET_LISTEN;
		want = "a unix socket path shorter than 108 bytes";
		rc = parse_string(val, c->listen, sizeof(c->listen), 0);
	} else if (strcmp(key, "listen-group") == 0) {
		*bit = CONFIG_SET_GROUP;
		want = "a group name";
		rc = parse_string(val, c->listen_group,
		    sizeof(c->listen_group), 0);
	} else if (strcmp(key, "client-timeout") == 0) {
		*bit = CONFIG_SET_CLIENT_TIMEOUT;
		want = "seconds, 1 to 3600";
		if ((rc = parse_long(val, 1, 3600, &v)) == 0)
			c->client_timeout = (int)v;
	} else if (strncmp(key, "sync-", 5) == 0) {
		*bit = 0;
		return config_set_sync(c, key + 5, val, err);
	} else if (strcmp(key, "max-request-time") == 0) {
		*bit = CONFIG_SET_MAX_REQUEST_TIME;
		want = "seconds, 1 to 3600";
		if ((rc = parse_long(val, 1, 3600, &v)) == 0)
			c->max_request_time = (int)v;
	} else {
		buf_printf(err, "unknown setting '%.64s'", key);
		return ZSQ_EINVAL;
	}
	if (rc != ZSQ_OK)
		buf_printf(err, "'%s' must be %s, not '%.64s'", key, want, val);
	return rc;
}

/* Java-like trim of a NUL-terminated string in place. */
static char *
trim(char *s)
{
	size_t n;

	while (*s != '\0' && (unsigned char)*s <= ' ')
		s++;
	n = strlen(s);
	while (n > 0 && (unsigned char)s[n - 1] <= ' ')
		s[--n] = '\0';
	return s;
}

static int
config_file(struct config *c, const char *path, int must_exist,
    struct buf *err)
{
	char line[CONFIG_LINE_MAX + 2], *key, *val, *eq;
	unsigned long lineno = 0;
	unsigned bit;
	FILE *f;
	int rc = ZSQ_OK;

	if ((f = fopen(path, "r")) == NULL) {
		if (!must_exist && errno == ENOENT)
			return ZSQ_OK;
		rc = errno;
		buf_printf(err, "%s: %s", path, strerror(rc));
		return rc;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			buf_printf(err, "%s:%lu: line longer than %d bytes",
			    path, lineno, CONFIG_LINE_MAX);
			rc = ZSQ_EINVAL;
			goto out;
		}
		key = trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			buf_printf(err, "%s:%lu: expected 'key = value'",
			    path, lineno);
			rc = ZSQ_EINVAL;
			goto out;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		buf_printf(err, "%s:%lu: ", path, lineno);
		if ((rc = config_set(c, key, val, &bit, err)) != ZSQ_OK)
			goto out;
		buf_reset(err);
	}
	if (ferror(f)) {
		rc = ZSQ_EIO;
		buf_printf(err, "%s: read error", path);
	}
out:
	fclose(f);
	return rc;
}

int
config_load(struct config *out, const struct config *cli, struct buf *err)
{
	static const struct { unsigned bit; size_t off, size; } fields[] = {
#define F(bit, m) { bit, offsetof(struct config, m), \
	sizeof(((struct config *)0)->m) }
		F(CONFIG_SET_DB, db),
		F(CONFIG_SET_WORKERS, workers),
		F(CONFIG_SET_TIMEOUT, session_timeout),
		F(CONFIG_SET_RENEW, renew),
		F(CONFIG_SET_LOGLEVEL, log_level),
		F(CONFIG_SET_LISTEN, listen),
		F(CONFIG_SET_GROUP, listen_group),
		F(CONFIG_SET_CLIENT_TIMEOUT, client_timeout),
		F(CONFIG_SET_MAX_REQUEST_TIME, max_request_time),
#undef F
	};
	size_t i;
	int rc;

	config_defaults(out);
	if (cli->file[0] != '\0')
		rc = config_file(out, cli->file, 1, err);
	else
		rc = config_file(out, CONFIG_DEFAULT_FILE, 0, err);
	if (rc != ZSQ_OK)
		return rc;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (cli->set & fields[i].bit)
			memcpy((char *)out + fields[i].off,
			    (const char *)cli + fields[i].off, fields[i].size);
	memcpy(out->file, cli->file, sizeof(out->file));
	out->set = cli->set;
	return ZSQ_OK;
}

const char *
config_usage(void)
{
	return
	    "usage: zsquery-fcgi [-h] [-d DIR] [-w N] [--config FILE]\n"
	    "           [--listen PATH [--listen-group GROUP]]\n"
	    "           [--session-timeout SEC] [--no-renew]\n"
	    "           [--client-timeout SEC] [--max-request-time SEC]\n"
	    "           [--log-level LEVEL]\n"
	    "  -d, --db DIR           store directory (" STORE_DEFAULT_DIR ")\n"
	    "  -w, --workers N        worker processes (4)\n"
	    "      --config FILE      configuration file\n"
	    "                         (" CONFIG_DEFAULT_FILE " if present)\n"
	    "      --listen PATH      create this unix socket (mode 0660);\n"
	    "                         default: the socket on standard input\n"
	    "      --listen-group G   group of the socket (e.g. www-data)\n"
	    "      --session-timeout SEC  session lifetime to renew to (7200)\n"
	    "      --no-renew         never extend sessions\n"
	    "      --client-timeout SEC   socket read/write timeout (30)\n"
	    "      --max-request-time SEC  time one request may take (10)\n"
	    "      --log-level LEVEL  err, warning, notice, info, debug\n"
	    "  -h, --help             this text\n"
	    "      --version          print the version and exit\n";
}

int
config_args(struct config *cli, int argc, char **argv, struct buf *err)
{
	enum { O_CONFIG = 256, O_LISTEN, O_GROUP, O_TIMEOUT, O_NORENEW,
	    O_CLIENT, O_MAXTIME, O_LEVEL, O_VERSION };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "workers", required_argument, NULL, 'w' },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "listen-group", required_argument, NULL, O_GROUP },
		{ "session-timeout", required_argument, NULL, O_TIMEOUT },
		{ "no-renew", no_argument, NULL, O_NORENEW },
		{ "client-timeout", required_argument, NULL, O_CLIENT },
		{ "max-request-time", required_argument, NULL, O_MAXTIME },
		{ "log-level", required_argument, NULL, O_LEVEL },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	const char *key;
	unsigned bit;
	int ch, i, rc;

	config_defaults(cli);
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":d:w:h", longopts, &i)) != -1) {
		switch (ch) {
		case 'd':	key = "db"; break;
		case 'w':	key = "workers"; break;
		case O_LISTEN:	key = "listen"; break;
		case O_GROUP:	key = "listen-group"; break;
		case O_TIMEOUT:	key = "session-timeout"; break;
		case O_CLIENT:	key = "client-timeout"; break;
		case O_MAXTIME:	key = "max-request-time"; break;
		case O_LEVEL:	key = "log-level"; break;
		case O_NORENEW:
			cli->renew = 0;
			cli->set |= CONFIG_SET_RENEW;
			continue;
		case O_CONFIG:
			if (parse_string(optarg, cli->file, sizeof(cli->file),
			    0) != ZSQ_OK) {
				buf_printf(err, "--config: bad path");
				return ZSQ_EINVAL;
			}
			continue;
		case 'h':
			return 1;
		case O_VERSION:
			return 2;
		case ':':
			buf_printf(err, "option %s needs a value",
			    argv[optind - 1]);
			return ZSQ_EINVAL;
		default:
			buf_printf(err, "unknown option %s", argv[optind - 1]);
			return ZSQ_EINVAL;
		}
		buf_puts(err, "option ");
		if ((rc = config_set(cli, key, optarg, &bit, err)) != ZSQ_OK)
			return rc;
		buf_reset(err);
		cli->set |= bit;
	}
	if (optind < argc) {
		buf_printf(err, "unexpected argument '%s'", argv[optind]);
		return ZSQ_EINVAL;
	}
	return ZSQ_OK;
}
