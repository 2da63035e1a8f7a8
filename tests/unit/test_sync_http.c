/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_sync_http.c - sync's HTTP client (src/upstream/sync_http.c)
 * against a real HTTP server: a thread of this test listening on
 * 127.0.0.1, answering each request with the bytes the test gives (or
 * with silence, or by hanging up).  Checked: the request as sent (path
 * under the base, the session in the Authorization header only), the
 * connection kept alive, proxies from the environment ignored, redirects
 * not followed, 2xx replies and the caller's size bound, ZStack's error
 * object shown and its code kept, other error bodies shown bounded on
 * one line, truncated and missing replies, a refused connection, a
 * timeout, a CA file that cannot be read, and the base URLs refused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/errors.h"
#include "upstream/sync_http.h"
#include "t.h"

#define SID	"5e55105000000000000000000000ad01"

enum srv_mode {
	SRV_REPLY,	/* answer with the reply's bytes */
	SRV_CUT,	/* the reply's bytes, then hang up */
	SRV_HANGUP,	/* hang up without a word */
	SRV_SILENT	/* read the request, never answer */
};

/* The server thread and what it shares with the test, under mu. */
static struct {
	int		 lfd, port;
	int		 stop[2];	/* a pipe: readable = end */
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	enum srv_mode	 mode;
	char		*reply;
	size_t		 replylen;
	struct buf	 head;		/* the last request, up to its blank line */
	int		 nreq;		/* requests read */
	int		 nconn;		/* connections accepted */
} srv = { .lfd = -1, .mu = PTHREAD_MUTEX_INITIALIZER };

static void
send_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = send(fd, p, n, MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR)
				continue;
			return;		/* the client went away */
		}
		p += w;
		n -= (size_t)w;
	}
}

/* One request read from in: record it, then answer as the mode says.
 * 0 to keep the connection, -1 to hang up. */
static int
srv_answer(int fd, const char *head, size_t len)
{
	enum srv_mode mode;
	char *reply = NULL;
	size_t n;

	pthread_mutex_lock(&srv.mu);
	buf_reset(&srv.head);
	(void)buf_append(&srv.head, head, len);
	srv.nreq++;
	mode = srv.mode;
	n = srv.replylen;
	if (n > 0 && (reply = malloc(n)) != NULL)
		memcpy(reply, srv.reply, n);
	pthread_mutex_unlock(&srv.mu);
	if (mode == SRV_REPLY || mode == SRV_CUT)
		send_all(fd, reply, reply != NULL ? n : 0);
	free(reply);
	return mode == SRV_CUT || mode == SRV_HANGUP ? -1 : 0;
}

static void *
srv_main(void *arg)
{
	struct pollfd pfd[3];
	struct buf in = BUF_INIT;
	char chunk[4096], *end;
	size_t used;
	ssize_t r;
	int cfd = -1, nfd;

	(void)arg;
	for (;;) {
		pfd[0].fd = srv.stop[0];
		pfd[1].fd = srv.lfd;
		pfd[2].fd = cfd;
		pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
		nfd = cfd >= 0 ? 3 : 2;
		if (poll(pfd, (nfds_t)nfd, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents != 0)
			break;
		/* A new connection replaces the one before (libcurl uses
		 * one at a time). */
		if (pfd[1].revents & POLLIN) {
			if (cfd >= 0)
				close(cfd);
			cfd = accept(srv.lfd, NULL, NULL);
			buf_reset(&in);
			pthread_mutex_lock(&srv.mu);
			srv.nconn++;
			pthread_mutex_unlock(&srv.mu);
			continue;
		}
		if (nfd < 3 || pfd[2].revents == 0)
			continue;
		if ((r = read(cfd, chunk, sizeof(chunk))) <= 0) {
			close(cfd);
			cfd = -1;
			continue;
		}
		(void)buf_append(&in, chunk, (size_t)r);
		/* Not HTTP (a TLS hello): hang up. */
		if (in.len >= 4 && memcmp(in.data, "GET ", 4) != 0) {
			close(cfd);
			cfd = -1;
			continue;
		}
		/* A GET has no body: a request ends at its blank line. */
		while (cfd >= 0 &&
		    (end = strstr(in.data, "\r\n\r\n")) != NULL) {
			used = (size_t)(end + 4 - in.data);
			if (srv_answer(cfd, in.data, used) != 0) {
				close(cfd);
				cfd = -1;
			}
			/* The rest, its NUL too. */
			memmove(in.data, in.data + used, in.len - used + 1);
			in.len -= used;
		}
	}
	if (cfd >= 0)
		close(cfd);
	buf_free(&in);
	return NULL;
}

static void
srv_start(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((srv.lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(srv.lfd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(srv.lfd, 16) != 0 ||
	    getsockname(srv.lfd, (struct sockaddr *)&a, &alen) != 0 ||
	    pipe(srv.stop) != 0 ||
	    pthread_create(&srv.thread, NULL, srv_main, NULL) != 0) {
		perror("test server");
		exit(99);
	}
	srv.port = ntohs(a.sin_port);
}

static void
srv_stop(void)
{
	if (write(srv.stop[1], "x", 1) != 1)
		perror("write");
	pthread_join(srv.thread, NULL);
	close(srv.lfd);
	close(srv.stop[0]);
	close(srv.stop[1]);
	buf_free(&srv.head);
	free(srv.reply);
}

/* The next requests' answer: mode, and the reply's bytes. */
static void
srv_set(enum srv_mode mode, const char *p, size_t n)
{
	pthread_mutex_lock(&srv.mu);
	srv.mode = mode;
	free(srv.reply);
	srv.reply = NULL;
	srv.replylen = 0;
	if (n > 0) {
		if ((srv.reply = malloc(n)) == NULL) {
			perror("malloc");
			exit(99);
		}
		memcpy(srv.reply, p, n);
		srv.replylen = n;
	}
	pthread_mutex_unlock(&srv.mu);
}

static void
srv_set_str(enum srv_mode mode, const char *s)
{
	srv_set(mode, s, strlen(s));
}

/* Answer with status line, headers, and body (Content-Length added). */
static void
srv_reply(const char *status, const char *headers, const char *body)
{
	struct buf b = BUF_INIT;

	(void)buf_printf(&b, "HTTP/1.1 %s\r\n%sContent-Length: %zu\r\n\r\n%s",
	    status, headers, strlen(body), body);
	srv_set(SRV_REPLY, b.data, b.len);
	buf_free(&b);
}

static int
srv_requests(void)
{
	int n;

	pthread_mutex_lock(&srv.mu);
	n = srv.nreq;
	pthread_mutex_unlock(&srv.mu);
	return n;
}

static int
srv_connections(void)
{
	int n;

	pthread_mutex_lock(&srv.mu);
	n = srv.nconn;
	pthread_mutex_unlock(&srv.mu);
	return n;
}

/* The last request's head holds line (a whole "...\r\n" line). */
static int
head_has(const char *line)
{
	int found;

	pthread_mutex_lock(&srv.mu);
	found = srv.head.data != NULL && strstr(srv.head.data, line) != NULL;
	pthread_mutex_unlock(&srv.mu);
	return found;
}

static struct http *
open_base(const char *base, long timeout, const char *cacert)
{
	struct http_opts o;
	struct http *h = NULL;
	struct buf err = BUF_INIT;

	memset(&o, 0, sizeof(o));
	o.base = base;
	o.session = SID;
	o.cacert = cacert;
	o.connect_timeout = 10;
	o.timeout = timeout;
	if (http_open(&o, &h, &err) != ZSQ_OK) {
		fprintf(stderr, "http_open %s: %s\n", base, err.data);
		exit(99);
	}
	buf_free(&err);
	return h;
}

/* base of the test server, with an optional path prefix. */
static const char *
base_url(const char *prefix)
{
	static char url[128];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", srv.port, prefix);
	return url;
}

/* err says "GET <base>path: " then rest, on one line, without the
 * session. */
static void
check_err(const struct buf *err, const char *path, const char *rest)
{
	char want[2048];

	snprintf(want, sizeof(want), "GET %s%s: %s", base_url(""), path, rest);
	CHECK_STR(err->data, want);
	CHECK(err->data == NULL || (strchr(err->data, '\n') == NULL &&
	    strstr(err->data, SID) == NULL));
}

/* err starts "GET <base>path: " then prefix, and is one line. */
static void
check_err_start(const struct buf *err, const char *path, const char *prefix)
{
	char want[512];

	snprintf(want, sizeof(want), "GET %s%s: %s", base_url(""), path,
	    prefix);
	CHECK(err->data != NULL && strncmp(err->data, want, strlen(want)) == 0);
	CHECK(err->data != NULL && strchr(err->data, '\n') == NULL &&
	    strstr(err->data, SID) == NULL);
	if (err->data == NULL || strncmp(err->data, want, strlen(want)) != 0)
		fprintf(stderr, "got  '%s'\nwant '%s...'\n",
		    err->data ? err->data : "(none)", want);
}

static void
test_request(void)
{
	struct http *h;
	struct buf body = BUF_INIT, err = BUF_INIT;
	unsigned long reqs;
	unsigned long long bytes;
	int conns;

	/* The path goes under the base, trailing slashes of the base
	 * dropped; the session only in its header. */
	h = open_base(base_url("/prefix//"), 10, NULL);
	srv_reply("200 OK", "Content-Type: application/json\r\n",
	    "{\"inventories\":[]}");
	conns = srv_connections();
	CHECK(http_get(h, "/zstack/v1/x?limit=5&q=a%3Db", 0, &body, &err) ==
	    ZSQ_OK);
	CHECK_MEM(body.data, body.len, "{\"inventories\":[]}");
	CHECK(err.len == 0);
	CHECK(head_has("GET /prefix/zstack/v1/x?limit=5&q=a%3Db HTTP/1.1\r\n"));
	CHECK(head_has("\r\nAuthorization: OAuth " SID "\r\n"));
	CHECK(head_has("\r\nAccept: application/json\r\n"));
	CHECK(head_has("\r\nUser-Agent: zsquery-sync\r\n"));
	CHECK(head_has("\r\nHost: 127.0.0.1:"));
	/* Compressed replies are welcome (libcurl decodes them). */
	CHECK(head_has("\r\nAccept-Encoding: "));
	CHECK(strcmp(http_error_code(h), "") == 0);

	/* The same connection for the next request; the body is reset. */
	srv_reply("200 OK", "", "[1]");
	CHECK(http_get(h, "/b", 0, &body, &err) == ZSQ_OK);
	CHECK_MEM(body.data, body.len, "[1]");
	CHECK(head_has("GET /prefix/b HTTP/1.1\r\n"));
	CHECK(srv_connections() == conns + 1);

	/* Any 2xx is a success, an empty body too. */
	srv_reply("204 No Content", "", "");
	CHECK(http_get(h, "/c", 0, &body, &err) == ZSQ_OK);
	CHECK(body.len == 0);
	srv_reply("299 Whatever", "", "z");
	CHECK(http_get(h, "/d", 0, &body, &err) == ZSQ_OK);
	CHECK_MEM(body.data, body.len, "z");

	http_counts(h, &reqs, &bytes);
	CHECK(reqs == 4 && bytes == 18 + 3 + 0 + 1);
	http_close(h);
	buf_free(&body);
	buf_free(&err);
}

static void
test_proxy_redirect(void)
{
	struct http *h;
	struct buf body = BUF_INIT, err = BUF_INIT;
	char loc[160];
	int before;

	/* A proxy in the environment is not used: the session goes to
	 * the upstream named only. */
	setenv("http_proxy", "http://127.0.0.1:9", 1);
	setenv("HTTP_PROXY", "http://127.0.0.1:9", 1);
	setenv("ALL_PROXY", "http://127.0.0.1:9", 1);
	unsetenv("no_proxy");
	unsetenv("NO_PROXY");
	h = open_base(base_url(""), 10, NULL);
	srv_reply("200 OK", "", "{}");
	before = srv_requests();
	CHECK(http_get(h, "/p", 0, &body, &err) == ZSQ_OK);
	CHECK(srv_requests() == before + 1);
	CHECK(head_has("GET /p HTTP/1.1\r\n"));
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("ALL_PROXY");

	/* A redirect is not followed, even to the same server. */
	snprintf(loc, sizeof(loc), "Location: %s/elsewhere\r\n",
	    base_url(""));
	srv_reply("302 Found", loc, "");
	before = srv_requests();
	CHECK(http_get(h, "/moved", 0, &body, &err) == ZSQ_EINVAL);
	check_err(&err, "/moved", "HTTP 302 (empty body)");
	CHECK(srv_requests() == before + 1);
	CHECK(head_has("GET /moved HTTP/1.1\r\n"));
	http_close(h);
	buf_free(&body);
	buf_free(&err);
}

static void
test_errors(void)
{
	static const char zs[] = "{\"error\":{\"code\":\"ID.1001\","
	    "\"description\":\"The session is invalid\","
	    "\"details\":\"Session expired\\nplease log in again\"}}";
	struct http *h;
	struct buf body = BUF_INIT, err = BUF_INIT, big = BUF_INIT;
	char want[512];
	size_t i;

	h = open_base(base_url(""), 10, NULL);

	/* ZStack's error object: code, description and details, on one
	 * line; the code kept for the caller. */
	srv_reply("503 Service Unavailable", "Content-Type: application/json"
	    "\r\n", zs);
	CHECK(http_get(h, "/s", 0, &body, &err) == ZSQ_EINVAL);
	check_err(&err, "/s", "HTTP 503: ID.1001 The session is invalid: "
	    "Session expired?please log in again");
	CHECK_STR(http_error_code(h), "ID.1001");
	/* The body is still the caller's to read. */
	CHECK_MEM(body.data, body.len, zs);
	/* A success clears the code. */
	srv_reply("200 OK", "", "{}");
	buf_reset(&err);
	CHECK(http_get(h, "/s", 0, &body, &err) == ZSQ_OK);
	CHECK_STR(http_error_code(h), "");

	/* The code alone; a code longer than HTTP_CODE_MAX is shown whole
	 * but kept cut. */
	srv_reply("500 Internal Server Error", "",
	    "{\"error\":{\"code\":\"SYS.1000\"}}");
	buf_reset(&err);
	CHECK(http_get(h, "/e", 0, &body, &err) == ZSQ_EINVAL);
	check_err(&err, "/e", "HTTP 500: SYS.1000");
	CHECK_STR(http_error_code(h), "SYS.1000");
	srv_reply("400 Bad Request", "", "{\"error\":{\"code\":\""
	    "CODE.123456789012345678901234567890\",\"details\":7}}");
	buf_reset(&err);
	CHECK(http_get(h, "/e", 0, &body, &err) == ZSQ_EINVAL);
	check_err(&err, "/e", "HTTP 400: CODE.123456789012345678901234567890");
	CHECK_STR(http_error_code(h), "CODE.12345678901234567890123456");
	CHECK(strlen(http_error_code(h)) == HTTP_CODE_MAX - 1);

	/* Not ZStack's error object: the body's first bytes, one line. */
	srv_reply("502 Bad Gateway", "Content-Type: text/html\r\n",
	    "<html>\r\n<b>Bad\tgateway</b>\n</html>\n");
	buf_reset(&err);
	CHECK(http_get(h, "/g", 0, &body, &err) == ZSQ_EINVAL);
	check_err(&err, "/g", "HTTP 502: <html>?" "?<b>Bad?gateway</b>?</html>?");
	CHECK_STR(http_error_code(h), "");
	srv_reply("500 Internal Server Error", "", "{\"inventories\":[]}");
	buf_reset(&err);
	CHECK(http_get(h, "/g", 0, &body, &err) == ZSQ_EINVAL);
	check_err(&err, "/g", "HTTP 500: {\"inventories\":[]}");
	srv_reply("500 Internal Server Error", "",
	    "{\"error\":{\"code\":7}}");
	buf_reset(&err);
	CHECK(http_get(h, "/g", 0, &body, &err) == ZSQ_EINVAL);
	check_err(&err, "/g", "HTTP 500: {\"error\":{\"code\":7}}");
	/* 200 bytes of a long body at most. */
	for (i = 0; i < 1000; i++)
		(void)buf_putc(&big, i % 50 == 49 ? '\n' : 'a' + i % 26);
	srv_reply("500 Internal Server Error", "", big.data);
	buf_reset(&err);
	CHECK(http_get(h, "/long", 0, &body, &err) == ZSQ_EINVAL);
	snprintf(want, sizeof(want), "HTTP 500: %.200s...", big.data);
	for (i = 0; want[i] != '\0'; i++)
		if (want[i] == '\n')
			want[i] = '?';
	check_err(&err, "/long", want);
	CHECK(body.len == big.len);
	/* No body. */
	srv_reply("404 Not Found", "", "");
	buf_reset(&err);
	CHECK(http_get(h, "/nosuch", 0, &body, &err) == ZSQ_EINVAL);
	check_err(&err, "/nosuch", "HTTP 404 (empty body)");

	/* The caller's bound: max bytes pass, one more does not. */
	buf_reset(&big);
	for (i = 0; i < 4096; i++)
		(void)buf_putc(&big, 'b');
	srv_reply("200 OK", "", big.data);
	buf_reset(&err);
	CHECK(http_get(h, "/big", 4096, &body, &err) == ZSQ_OK);
	CHECK(body.len == 4096);
	CHECK(http_get(h, "/big", 4095, &body, &err) == ZSQ_EIO);
	check_err(&err, "/big", "the reply is larger than 3 KiB");
	CHECK(body.len <= 4095);
	/* The bound holds for error replies too. */
	srv_reply("500 Internal Server Error", "", big.data);
	buf_reset(&err);
	CHECK(http_get(h, "/big", 2048, &body, &err) == ZSQ_EIO);
	check_err(&err, "/big", "the reply is larger than 2 KiB");

	http_close(h);
	buf_free(&body);
	buf_free(&err);
	buf_free(&big);
}

/* Replies cut short, none at all, no server, no answer in time. */
static void
test_transport(void)
{
	struct http *h;
	struct buf body = BUF_INIT, err = BUF_INIT;
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	char url[128], want[256];
	int fd;

	h = open_base(base_url(""), 10, NULL);
	/* Content-Length promises more than comes before the hang-up. */
	srv_set_str(SRV_CUT, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
	    "0123456789");
	CHECK(http_get(h, "/cut", 0, &body, &err) == ZSQ_EIO);
	check_err_start(&err, "/cut", "the connection broke before the reply "
	    "was complete (truncated reply): ");
	srv_set(SRV_HANGUP, NULL, 0);
	buf_reset(&err);
	CHECK(http_get(h, "/none", 0, &body, &err) == ZSQ_EIO);
	check_err_start(&err, "/none", "the connection broke before the reply "
	    "was complete (truncated reply): ");
	/* A chunked reply cut inside a chunk. */
	srv_set_str(SRV_CUT, "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n10\r\n01234");
	buf_reset(&err);
	CHECK(http_get(h, "/chunk", 0, &body, &err) == ZSQ_EIO);
	check_err_start(&err, "/chunk", "the connection broke before the "
	    "reply was complete (truncated reply): ");
	http_close(h);

	/* No answer within the request's time. */
	h = open_base(base_url(""), 1, NULL);
	srv_set(SRV_SILENT, NULL, 0);
	buf_reset(&err);
	CHECK(http_get(h, "/slow", 0, &body, &err) == ZSQ_ETIMEOUT);
	check_err_start(&err, "/slow", "timed out: ");
	http_close(h);

	/* A port bound but not listening: the connection is refused. */
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
		perror("socket");
		exit(99);
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", ntohs(a.sin_port));
	h = open_base(url, 10, NULL);
	buf_reset(&err);
	CHECK(http_get(h, "/x", 0, &body, &err) == ZSQ_EIO);
	snprintf(want, sizeof(want), "GET %s/x: upstream unreachable: ", url);
	CHECK(err.data != NULL && strncmp(err.data, want, strlen(want)) == 0);
	/* (libcurl's own words follow, which change with its version.) */
	CHECK(err.data != NULL && strchr(err.data, '\n') == NULL);
	http_close(h);
	close(fd);

	/* https with a CA file that cannot be read. */
	snprintf(url, sizeof(url), "https://127.0.0.1:%d", srv.port);
	h = open_base(url, 10, "/nonexistent/ca.pem");
	buf_reset(&err);
	CHECK(http_get(h, "/tls", 0, &body, &err) == ZSQ_EIO);
	snprintf(want, sizeof(want), "GET %s/tls: TLS: ", url);
	CHECK(err.data != NULL && strncmp(err.data, want, strlen(want)) == 0);
	CHECK(err.data != NULL && strchr(err.data, '\n') == NULL);
	http_close(h);
	buf_free(&body);
	buf_free(&err);
}

/* Base URLs refused, with their messages; secrets never echoed. */
static void
test_base(void)
{
	static const struct {
		const char *base, *msg;
	} bad[] = {
		{ "ftp://127.0.0.1/", "--from 'ftp://127.0.0.1/': only http "
		    "and https are spoken" },
		{ "file:///etc/passwd", "--from 'file:///etc/passwd': only "
		    "http and https are spoken" },
		{ "http://admin:s3cret@127.0.0.1/", "--from: credentials in "
		    "the URL are not allowed (the admin session comes from "
		    "--session-file)" },
		{ "http://admin@127.0.0.1/", "--from: credentials in the URL "
		    "are not allowed (the admin session comes from "
		    "--session-file)" },
		{ "http://127.0.0.1/zstack?x=1", "--from "
		    "'http://127.0.0.1/zstack?x=1': a base URL takes no query "
		    "or fragment" },
		{ "http://127.0.0.1/#top", "--from 'http://127.0.0.1/#top': a "
		    "base URL takes no query or fragment" },
		{ "127.0.0.1:8080", "--from is not a URL" },
		{ "", "--from is not a URL" },
	};
	static char sentinel;
	struct http_opts o;
	struct http *h;
	struct buf err = BUF_INIT;
	size_t i;

	memset(&o, 0, sizeof(o));
	o.session = SID;
	o.connect_timeout = o.timeout = 10;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.base = bad[i].base;
		buf_reset(&err);
		h = (struct http *)(void *)&sentinel;
		CHECK(http_open(&o, &h, &err) == ZSQ_EINVAL);
		CHECK(h == NULL);
		CHECK_STR(err.data, bad[i].msg);
	}
	/* https is spoken. */
	o.base = "https://zstack.example:8443/";
	buf_reset(&err);
	CHECK(http_open(&o, &h, &err) == ZSQ_OK && h != NULL);
	http_close(h);
	buf_free(&err);
}

int
main(void)
{
	srv_start();
	test_request();
	test_proxy_redirect();
	test_errors();
	test_transport();
	test_base();
	srv_stop();
	return t_done();
}
