/* SPDX-License-Identifier: Apache-2.0 */
/*
 * responder.c - the ceiling for zsquery's FastCGI path: a minimal libfcgi
 * responder that answers every request with the same bytes.
 *
 *   responder [-w workers] [-l|--listen socket] file
 *
 * It reads file once, then preforks `workers` processes (default 2) that
 * accept on the FastCGI listening socket: fd 0 as spawn-fcgi hands it, or
 * a Unix socket made with -l.  Every request gets "Status: 200 OK", the
 * Content-Type zsquery sends for JSON, an ETag (FNV-1a 64 of the body) and
 * the file's bytes; a request whose If-None-Match equals that ETag gets a
 * bodiless 304, as zsquery answers revalidation.  No parsing, no store: the
 * difference between this and zsquery is what zsquery's own work costs.
 *
 * Benchmark code, not product code: built by bench/run.sh with
 *   cc -O2 bench/responder.c -lfcgi
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

#define MAX_WORKERS	64

static char	 head200[256], head304[256], etag[24];
static char	*body;
static size_t	 bodylen;
static pid_t	 kids[MAX_WORKERS];
static int	 nkids;

static int
file_load(const char *path)
{
	struct stat sb;
	size_t got = 0;
	ssize_t n;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY)) < 0 || fstat(fd, &sb) != 0)
		goto out;
	bodylen = (size_t)sb.st_size;
	if ((body = malloc(bodylen ? bodylen : 1)) == NULL)
		goto out;
	while (got < bodylen) {
		n = read(fd, body + got, bodylen - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		got += (size_t)n;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

static void
heads_make(void)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < bodylen; i++)
		h = (h ^ (unsigned char)body[i]) * 0x100000001b3ULL;
	snprintf(etag, sizeof(etag), "\"%016llx\"", (unsigned long long)h);
	snprintf(head200, sizeof(head200), "Status: 200 OK\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "ETag: %s\r\n\r\n", etag);
	snprintf(head304, sizeof(head304), "Status: 304 Not Modified\r\n"
	    "ETag: %s\r\n\r\n", etag);
}

static void
serve(int listen_fd)
{
	FCGX_Request req;
	const char *inm;

	if (FCGX_InitRequest(&req, listen_fd, 0) != 0)
		_exit(1);
	while (FCGX_Accept_r(&req) >= 0) {
		inm = FCGX_GetParam("HTTP_IF_NONE_MATCH", req.envp);
		if (inm != NULL && strcmp(inm, etag) == 0)
			FCGX_PutS(head304, req.out);
		else {
			FCGX_PutS(head200, req.out);
			FCGX_PutStr(body, (int)bodylen, req.out);
		}
		FCGX_Finish_r(&req);
	}
	_exit(0);
}

static void
on_term(int sig)
{
	int i;

	for (i = 0; i < nkids; i++)
		kill(kids[i], sig);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "workers", required_argument, NULL, 'w' },
		{ "listen", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	const char *sock = NULL;
	int workers = 2, listen_fd = 0, c, i;

	while ((c = getopt_long(argc, argv, "w:l:", longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
			workers = atoi(optarg);
			break;
		case 'l':
			sock = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc || workers < 1 || workers > MAX_WORKERS)
		goto usage;
	if (file_load(argv[optind]) != 0) {
		fprintf(stderr, "responder: %s: %s\n", argv[optind],
		    strerror(errno));
		return 1;
	}
	/* The bench sends bodies far below 2 GiB; FCGX_PutStr takes an int. */
	if (bodylen > 0x7fffffff) {
		fprintf(stderr, "responder: %s: too big\n", argv[optind]);
		return 1;
	}
	heads_make();
	if (FCGX_Init() != 0)
		return 1;
	if (sock != NULL) {
		unlink(sock);
		if ((listen_fd = FCGX_OpenSocket(sock, 128)) < 0) {
			fprintf(stderr, "responder: cannot listen on %s\n",
			    sock);
			return 1;
		}
		chmod(sock, 0666);
	}

	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	for (i = 0; i < workers; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("responder: fork");
			on_term(SIGTERM);
			break;
		}
		if (pid == 0) {
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			serve(listen_fd);
		}
		kids[nkids++] = pid;
	}
	while (wait(NULL) > 0 || errno == EINTR)
		;
	if (sock != NULL)
		unlink(sock);
	return 0;

usage:
	fprintf(stderr,
	    "usage: responder [-w workers] [-l|--listen socket] file\n");
	return 2;
}
