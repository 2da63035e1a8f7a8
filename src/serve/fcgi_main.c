/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fcgi_main.c - zsquery-fcgi: the FastCGI service (see zsquery-fcgi(8)).
 *
 * Loads the configuration, finds the listening socket (a unix socket it
 * creates with --listen, else an inherited one: standard input, where
 * systemd socket activation and spawn-fcgi put it) and runs the pool.
 */
#include <errno.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/num.h"
#include "conf/config.h"
#include "serve/pool.h"

/* Refuse to take over a path another server still listens on. */
static int
listen_stale(const char *path, const struct sockaddr_un *sa)
{
	struct stat sb;
	int fd, live;

	if (lstat(path, &sb) != 0)
		return errno == ENOENT ? ZSQ_OK : errno;
	if (!S_ISSOCK(sb.st_mode)) {
		log_msg(LOG_ERR, "%s exists and is not a socket", path);
		return ZSQ_EEXIST;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return errno;
	live = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	if (live) {
		log_msg(LOG_ERR, "another server is listening on %s", path);
		return ZSQ_EEXIST;
	}
	return unlink(path) == 0 ? ZSQ_OK : errno;
}

/*
 * Create the unix socket at c->listen, mode 0660 from the start (umask
 * around bind), group c->listen_group: nginx's workers may connect,
 * other local users may not.
 */
static int
listen_unix(const struct config *c)
{
	struct sockaddr_un sa;
	struct group *gr = NULL;
	mode_t mask;
	int fd, rc;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, c->listen, strlen(c->listen) + 1);
	if (c->listen_group[0] != '\0' &&
	    (gr = getgrnam(c->listen_group)) == NULL) {
		log_msg(LOG_ERR, "--listen-group: no group '%s'",
		    c->listen_group);
		return -1;
	}
	if ((rc = listen_stale(c->listen, &sa)) != ZSQ_OK) {
		if (rc != ZSQ_EEXIST)
			log_msg(LOG_ERR, "%s: %s", c->listen,
			    zsq_strerror(rc));
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		log_msg(LOG_ERR, "socket: %s", strerror(errno));
		return -1;
	}
	mask = umask(0117);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(mask);
	if (rc != 0 ||
	    (gr != NULL && chown(c->listen, (uid_t)-1, gr->gr_gid) != 0) ||
	    chmod(c->listen, 0660) != 0 || listen(fd, SOMAXCONN) != 0) {
		log_msg(LOG_ERR, "cannot listen on %s: %s", c->listen,
		    strerror(errno));
		if (rc == 0)
			unlink(c->listen);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The inherited socket: fd 0 (systemd's StandardInput=socket, spawn-fcgi,
 * systemd-socket-activate --inetd), or fd 3 when systemd passes it the
 * sd_listen_fds() way (LISTEN_PID is us, LISTEN_FDS=1).  It must be a
 * listening stream socket.
 */
static int
listen_inherited(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	uint64_t n;
	struct stat sb;
	socklen_t len;
	int fd = STDIN_FILENO, type = 0, acc = 0;

	if (pid != NULL && fds != NULL && strcmp(fds, "1") == 0 &&
	    num_parse_u64(pid, strlen(pid), UINT64_MAX, &n) == ZSQ_OK &&
	    n == (uint64_t)getpid())
		fd = 3;
	len = sizeof(type);
	if (fstat(fd, &sb) != 0 || !S_ISSOCK(sb.st_mode) ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
	    type != SOCK_STREAM ||
	    (len = sizeof(acc), getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN,
	    &acc, &len)) != 0 || !acc) {
		log_msg(LOG_ERR, "%s is not a listening socket: give --listen "
		    "PATH, or start zsquery-fcgi from systemd socket "
		    "activation or spawn-fcgi",
		    fd == 3 ? "LISTEN_FDS' fd 3" : "standard input");
		return -1;
	}
	return fd;
}

int
main(int argc, char **argv)
{
	struct config cli, cfg;
	struct buf err = BUF_INIT;
	int fd, rc, status = 1;

	log_init("zsquery-fcgi");
	rc = config_args(&cli, argc, argv, &err);
	if (rc == 1 || rc == 2) {
		if (rc == 1)
			fputs(config_usage(), stdout);
		else	/* PACKAGE_VERSION: configure's, from AC_INIT. */
			printf("zsquery-fcgi (zsquery) %s\n", PACKAGE_VERSION);
		status = 0;
		goto out;
	}
	if (rc != ZSQ_OK) {
		fprintf(stderr, "zsquery-fcgi: %s\n%s", err.data,
		    config_usage());
		status = 2;
		goto out;
	}
	if (config_load(&cfg, &cli, &err) != ZSQ_OK) {
		fprintf(stderr, "zsquery-fcgi: %s\n", err.data);
		status = 2;
		goto out;
	}
	log_set_level(cfg.log_level);
	fd = cfg.listen[0] != '\0' ? listen_unix(&cfg) : listen_inherited();
	if (fd < 0)
		goto out;
	/* pool_run() removes a socket made by --listen when it stops. */
	status = pool_run(&cli, &cfg, fd);
out:
	buf_free(&err);
	return status;
}
