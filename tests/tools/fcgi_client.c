/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fcgi_client.c - a minimal FastCGI client for the tests: the protocol is
 * written out by hand here (not with libfcgi) so the server is checked
 * against an independent reading of the specification.
 *
 *   fcgi_client -s SOCKET [-u URI] [-m METHOD] [-a AUTHORIZATION]
 *       [-p NAME=VALUE]... [-n N] [-k] [-b BYTES] [-t SEC] [-i SEC]
 *       [-r FILE] [-w MS]
 *
 * Sends BEGIN_REQUEST (responder), PARAMS name-value pairs, an empty
 * PARAMS, STDIN (-b: a body of BYTES 'x's; none by default) ending in an
 * empty STDIN record, then prints every STDOUT record's bytes to
 * stdout (STDERR records to stderr) until END_REQUEST.  -n N sends N
 * requests one after the other on one connection with FCGI_KEEP_CONN
 * (-k sets it for a single request too).  -r FILE sends FILE's bytes
 * as they are instead (crafted records) and prints whatever STDOUT
 * comes back until the server closes.  -t bounds each read (default 20 s).
 * -i SEC keeps the connection open and idle after the last reply, as a
 * web server's cached connection, for up to SEC seconds or until the
 * server closes it (which is printed to stderr).  -w MS waits MS
 * milliseconds before reading each record: a slow client.
 *
 * Exit: 0 after N complete replies (or, with -r, when the server closed
 * the connection), 1 on a protocol error or a connection closed early,
 * 2 on usage errors, 3 when the connection was refused (so a test can
 * tell "never started" from "failed half-way").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define FCGI_BEGIN_REQUEST	1
#define FCGI_END_REQUEST	3
#define FCGI_PARAMS		4
#define FCGI_STDIN		5
#define FCGI_STDOUT		6
#define FCGI_STDERR		7
#define FCGI_RESPONDER		1
#define FCGI_KEEP_CONN		1
#define MAX_PARAMS		64

struct pbuf {
	unsigned char	*data;
	size_t		 len, cap;
};

static void
pbuf_add(struct pbuf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		if ((b->data = realloc(b->data, b->cap)) == NULL) {
			perror("realloc");
			exit(2);
		}
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static int
write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, s, n)) < 0) {
			if (errno == EINTR)
				continue;
			perror("write");
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* 0, or -1 at EOF (n == 0 read) or error. */
static int
read_all(int fd, void *p, size_t n, int *eof)
{
	char *s = p;
	ssize_t r;

	*eof = 0;
	while (n > 0) {
		if ((r = read(fd, s, n)) < 0) {
			if (errno == EINTR)
				continue;
			perror("read");
			return -1;
		}
		if (r == 0) {
			*eof = 1;
			return -1;
		}
		s += r;
		n -= (size_t)r;
	}
	return 0;
}

static void
record(struct pbuf *out, int type, const void *p, size_t n)
{
	unsigned char h[8];
	static const unsigned char pad[8];
	size_t padlen = (8 - n % 8) % 8;

	h[0] = 1;
	h[1] = (unsigned char)type;
	h[2] = 0;
	h[3] = 1;		/* request id 1 */
	h[4] = (unsigned char)(n >> 8);
	h[5] = (unsigned char)n;
	h[6] = (unsigned char)padlen;
	h[7] = 0;
	pbuf_add(out, h, 8);
	if (n)
		pbuf_add(out, p, n);
	pbuf_add(out, pad, padlen);
}

static void
nv_len(struct pbuf *b, size_t n)
{
	unsigned char l[4];

	if (n < 128) {
		l[0] = (unsigned char)n;
		pbuf_add(b, l, 1);
		return;
	}
	l[0] = (unsigned char)(0x80 | (n >> 24));
	l[1] = (unsigned char)(n >> 16);
	l[2] = (unsigned char)(n >> 8);
	l[3] = (unsigned char)n;
	pbuf_add(b, l, 4);
}

static void
nv_add(struct pbuf *b, const char *name, const char *value)
{
	nv_len(b, strlen(name));
	nv_len(b, strlen(value));
	pbuf_add(b, name, strlen(name));
	pbuf_add(b, value, strlen(value));
}

static void
request_build(struct pbuf *out, char **params, size_t nparams, int keep,
    size_t bodylen)
{
	unsigned char begin[8] = { 0, FCGI_RESPONDER, 0, 0, 0, 0, 0, 0 };
	struct pbuf nv = { NULL, 0, 0 };
	size_t i, off, n;
	char *eq;

	begin[2] = keep ? FCGI_KEEP_CONN : 0;
	record(out, FCGI_BEGIN_REQUEST, begin, sizeof(begin));
	for (i = 0; i < nparams; i++) {
		eq = strchr(params[i], '=');
		*eq = '\0';
		nv_add(&nv, params[i], eq + 1);
		*eq = '=';
	}
	/* Records carry at most 65535 bytes: split long PARAMS streams. */
	for (off = 0; off < nv.len; off += n) {
		n = nv.len - off > 65535 ? 65535 : nv.len - off;
		record(out, FCGI_PARAMS, nv.data + off, n);
	}
	record(out, FCGI_PARAMS, NULL, 0);
	for (off = 0; off < bodylen; off += n) {
		static const char x[65535] = { 'x' };

		n = bodylen - off > sizeof(x) ? sizeof(x) : bodylen - off;
		record(out, FCGI_STDIN, x, n);
	}
	record(out, FCGI_STDIN, NULL, 0);
	free(nv.data);
}

/*
 * Print records until END_REQUEST: 0; 1 on EOF before it (or, when
 * eof_ok, 2 on EOF at a record boundary); -1 on errors.
 */
static long slow_ms;	/* -w */

static int
response_read(int fd, int eof_ok)
{
	unsigned char h[8], body[65535 + 255];
	size_t n, pad;
	int eof;

	for (;;) {
		if (slow_ms > 0)
			usleep((useconds_t)slow_ms * 1000);
		if (read_all(fd, h, 8, &eof) != 0) {
			if (eof && eof_ok)
				return 2;
			fprintf(stderr, "fcgi_client: %s before END_REQUEST\n",
			    eof ? "connection closed" : "read failed");
			return 1;
		}
		if (h[0] != 1) {
			fprintf(stderr, "fcgi_client: bad version %d\n", h[0]);
			return -1;
		}
		n = (size_t)h[4] << 8 | h[5];
		pad = h[6];
		if (read_all(fd, body, n + pad, &eof) != 0) {
			fprintf(stderr, "fcgi_client: truncated record\n");
			return -1;
		}
		switch (h[1]) {
		case FCGI_STDOUT:
			fwrite(body, 1, n, stdout);
			break;
		case FCGI_STDERR:
			fwrite(body, 1, n, stderr);
			break;
		case FCGI_END_REQUEST:
			fflush(stdout);
			if (n < 8 || body[4] != 0) {
				fprintf(stderr, "fcgi_client: END_REQUEST with "
				    "protocol status %d\n", n < 8 ? -1 : body[4]);
				return -1;
			}
			return 0;
		default:
			fprintf(stderr, "fcgi_client: unexpected record type "
			    "%d\n", h[1]);
			return -1;
		}
	}
}

/* "NAME=VALUE" in a new string. */
static char *
param_new(const char *name, const char *value)
{
	char *s;

	if ((s = malloc(strlen(name) + strlen(value) + 2)) == NULL) {
		perror("malloc");
		exit(2);
	}
	sprintf(s, "%s=%s", name, value);
	return s;
}

static int
usage(void)
{
	fprintf(stderr, "usage: fcgi_client -s SOCKET [-u URI] [-m METHOD] "
	    "[-a AUTH] [-p NAME=VALUE]... [-n N] [-k] [-b BYTES] [-t SEC] "
	    "[-i SEC] [-r FILE] [-w MS]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	char *params[MAX_PARAMS + 3], *path = NULL, *raw = NULL;
	const char *uri = "/", *method = "GET", *auth = NULL;
	struct sockaddr_un sa;
	struct timeval tv = { 20, 0 };
	struct pbuf req = { NULL, 0, 0 };
	size_t nextra = 0, np, nown = 0, i;
	char *extra[MAX_PARAMS];
	long count = 1, idle = 0;
	size_t bodylen = 0;
	int ch, fd, keep = 0, rc = 0;
	FILE *f;

	while ((ch = getopt(argc, argv, "s:u:m:a:p:n:kt:r:b:i:w:")) != -1) {
		switch (ch) {
		case 's': path = optarg; break;
		case 'u': uri = optarg; break;
		case 'm': method = optarg; break;
		case 'a': auth = optarg; break;
		case 'k': keep = 1; break;
		case 'b': bodylen = strtoul(optarg, NULL, 10); break;
		case 'r': raw = optarg; break;
		case 'n':
			if ((count = strtol(optarg, NULL, 10)) < 1)
				return usage();
			break;
		case 't':
			tv.tv_sec = strtol(optarg, NULL, 10);
			break;
		case 'i':
			idle = strtol(optarg, NULL, 10);
			break;
		case 'w':
			slow_ms = strtol(optarg, NULL, 10);
			break;
		case 'p':
			if (nextra == MAX_PARAMS || strchr(optarg, '=') == NULL)
				return usage();
			extra[nextra++] = optarg;
			break;
		default:
			return usage();
		}
	}
	if (path == NULL || strlen(path) >= sizeof(sa.sun_path))
		return usage();

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror(path);
		return 3;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	if (raw != NULL) {
		char chunk[4096];
		size_t n;

		if ((f = fopen(raw, "rb")) == NULL) {
			perror(raw);
			return 2;
		}
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			pbuf_add(&req, chunk, n);
		fclose(f);
		if (req.len > 0 && write_all(fd, req.data, req.len) != 0)
			return 1;
		/* Every reply the bytes asked for, until the server closes. */
		while ((rc = response_read(fd, 1)) == 0)
			;
		if (rc == 2)
			rc = 0;
		goto out;
	}

	np = 0;
	params[np++] = param_new("REQUEST_METHOD", method);
	params[np++] = param_new("REQUEST_URI", uri);
	if (auth != NULL)
		params[np++] = param_new("HTTP_AUTHORIZATION", auth);
	nown = np;
	for (i = 0; i < nextra; i++)
		params[np++] = extra[i];

	for (i = 0; i < (size_t)count && rc == 0; i++) {
		req.len = 0;
		request_build(&req, params, np, keep || count > 1, bodylen);
		if (write_all(fd, req.data, req.len) != 0)
			rc = 1;
		else
			rc = response_read(fd, 0);
	}
	if (rc == 0 && idle > 0) {
		char c;

		tv.tv_sec = idle;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (read(fd, &c, 1) == 0)
			fprintf(stderr, "fcgi_client: the server closed the "
			    "idle connection\n");
		else
			fprintf(stderr, "fcgi_client: still open after %ld s\n",
			    idle);
	}
out:
	for (i = 0; i < nown; i++)
		free(params[i]);
	free(req.data);
	close(fd);
	return rc < 0 ? 1 : rc;
}
