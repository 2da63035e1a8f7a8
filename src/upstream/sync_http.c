/* SPDX-License-Identifier: Apache-2.0 */
/* sync_http.c - libcurl GETs for sync; see sync_http.h. */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "base/clock.h"
#include "base/errors.h"
#include "base/text.h"
#include "upstream/sync_http.h"

#define SHOW_MAX	200	/* bytes of a non-JSON error body shown */

struct http {
	CURL			*curl;
	struct curl_slist	*headers;
	char			 errbuf[CURL_ERROR_SIZE];
	struct buf		 url;		/* base + path of a request */
	size_t			 base_len;
	struct buf		*body;		/* the reply being received */
	int			 too_big;	/* HTTP_BOUND_*, or 0 */
	size_t			 max;		/* of this reply, bytes */
	unsigned long long	 max_bytes;	/* of the run, 0: none */
	int64_t			 deadline;	/* monotonic ms, 0: none */
	long			 max_seconds;
	long			 timeout;	/* seconds, per request */
	char			 code[HTTP_CODE_MAX];	/* of the last reply */
	unsigned long		 requests;
	unsigned long long	 bytes;
};

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct http *h = arg;

	n *= size;
	if (n > h->max - h->body->len) {
		h->too_big = HTTP_BOUND_REPLY;
		return 0;	/* libcurl stops with CURLE_WRITE_ERROR */
	}
	if (h->max_bytes != 0 && n > h->max_bytes - h->bytes) {
		h->too_big = HTTP_BOUND_RUN;
		return 0;
	}
	if (buf_append(h->body, p, n) != ZSQ_OK)
		return 0;
	h->bytes += n;
	return n;
}

/* base must be http(s)://host..., with no user or password in it. */
static int
base_check(const char *base, struct buf *err)
{
	CURLU *u;
	char *scheme = NULL, *user = NULL, *pass = NULL;
	int rc = ZSQ_EINVAL;

	if ((u = curl_url()) == NULL)
		return ZSQ_ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		/* Not echoed: what it holds cannot be told apart from a
		 * user and password. */
		(void)buf_puts(err, "--from is not a URL");
		goto out;
	}
	if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		(void)buf_printf(err, "--from '%s': only http and https are "
		    "spoken", base);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK) {
		/* Do not echo it: it holds a secret. */
		(void)buf_puts(err, "--from: credentials in the URL are not "
		    "allowed (the admin session comes from --session-file)");
		goto out;
	}
	if (strchr(base, '?') != NULL || strchr(base, '#') != NULL) {
		(void)buf_printf(err, "--from '%s': a base URL takes no query "
		    "or fragment", base);
		goto out;
	}
	rc = ZSQ_OK;
out:
	curl_free(scheme);
	curl_free(user);
	curl_free(pass);
	curl_url_cleanup(u);
	return rc;
}

int
http_open(const struct http_opts *o, struct http **out, struct buf *err)
{
	struct http *h;
	struct buf auth = BUF_INIT;
	size_t n;
	int rc;

	*out = NULL;
	if ((rc = base_check(o->base, err)) != ZSQ_OK)
		return rc;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		(void)buf_puts(err, "libcurl could not start");
		return ZSQ_ENOMEM;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return ZSQ_ENOMEM;
	n = strlen(o->base);
	while (n > 0 && o->base[n - 1] == '/')
		n--;
	rc = ZSQ_ENOMEM;
	if (buf_append(&h->url, o->base, n) != ZSQ_OK ||
	    (h->curl = curl_easy_init()) == NULL ||
	    buf_printf(&auth, "Authorization: OAuth %s", o->session) != ZSQ_OK)
		goto fail;
	h->base_len = n;
	if ((h->headers = curl_slist_append(NULL, auth.data)) == NULL ||
	    curl_slist_append(h->headers, "Accept: application/json") == NULL)
		goto fail;
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_FOLLOWLOCATION, 0L);
	/* No proxy from the environment (http_proxy, ALL_PROXY): the admin
	 * session goes to the upstream named, and to nobody else. */
	curl_easy_setopt(h->curl, CURLOPT_PROXY, "");
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(h->curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h->curl, CURLOPT_USERAGENT, "zsquery-sync");
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT, o->connect_timeout);
	h->timeout = o->timeout;
	h->max_bytes = o->max_bytes;
	h->max_seconds = o->max_seconds;
	if (o->max_seconds > 0)
		h->deadline = now_ms(CLOCK_MONOTONIC) + o->max_seconds * 1000;
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, h);
	if (o->cacert != NULL)
		curl_easy_setopt(h->curl, CURLOPT_CAINFO, o->cacert);
	if (o->capath != NULL)
		curl_easy_setopt(h->curl, CURLOPT_CAPATH, o->capath);
	explicit_bzero(auth.data, auth.len);
	buf_free(&auth);
	*out = h;
	return ZSQ_OK;
fail:
	if (auth.data != NULL)
		explicit_bzero(auth.data, auth.len);
	buf_free(&auth);
	http_close(h);
	return rc;
}

/* Keep a shown byte range printable and on one line. */
static void
show(struct buf *err, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < SHOW_MAX; i++)
		(void)buf_putc(err, text_printable(p[i]));
	if (n > SHOW_MAX)
		(void)buf_puts(err, "...");
}

/* "HTTP 503: ID.1001 description: details", or the body's first bytes. */
static void
error_reply(struct buf *err, const struct buf *body, long status,
    char *code)
{
	json_t *o, *e;
	const char *c, *d, *t;

	(void)buf_printf(err, "HTTP %ld", status);
	o = json_loadb(body->data ? body->data : "", body->len, 0, NULL);
	e = json_object_get(o, "error");
	c = json_string_value(json_object_get(e, "code"));
	if (c == NULL) {
		(void)buf_puts(err, body->len ? ": " : " (empty body)");
		show(err, body->data, body->len);
		json_decref(o);
		return;
	}
	snprintf(code, HTTP_CODE_MAX, "%s", c);
	d = json_string_value(json_object_get(e, "description"));
	t = json_string_value(json_object_get(e, "details"));
	(void)buf_puts(err, ": ");
	show(err, c, strlen(c));
	if (d != NULL) {
		(void)buf_putc(err, ' ');
		show(err, d, strlen(d));
	}
	if (t != NULL) {
		(void)buf_puts(err, ": ");
		show(err, t, strlen(t));
	}
	json_decref(o);
}

int
http_get(struct http *h, const char *path, size_t max, struct buf *body,
    struct buf *err)
{
	CURLcode cc;
	long status = 0, ms;
	int64_t left;
	int rc;

	h->code[0] = '\0';
	h->too_big = 0;
	buf_reset(body);
	/* The request's limit, cut to what is left of the run's. */
	ms = h->timeout * 1000;
	if (h->deadline != 0) {
		if ((left = h->deadline - now_ms(CLOCK_MONOTONIC)) <= 0) {
			(void)buf_printf(err, "GET %s: the run took longer than "
			    "%ld s (--max-time)", path, h->max_seconds);
			return ZSQ_ETIMEOUT;
		}
		if (left < ms)
			ms = (long)left;
	}
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, ms);
	h->url.len = h->base_len;
	if (buf_puts(&h->url, path) != ZSQ_OK)
		return ZSQ_ENOMEM;
	h->body = body;
	h->max = max == 0 || max > HTTP_REPLY_MAX ? HTTP_REPLY_MAX : max;
	h->errbuf[0] = '\0';
	h->requests++;
	curl_easy_setopt(h->curl, CURLOPT_URL, h->url.data);
	cc = curl_easy_perform(h->curl);
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	if (cc == CURLE_OK && status >= 200 && status < 300)
		return ZSQ_OK;
	(void)buf_printf(err, "GET %s: ", h->url.data);
	switch (cc) {
	case CURLE_OK:
		error_reply(err, body, status, h->code);
		return ZSQ_EINVAL;
	case CURLE_OPERATION_TIMEDOUT:
		rc = ZSQ_ETIMEOUT;
		(void)buf_puts(err, "timed out: ");
		if (ms < h->timeout * 1000)
			(void)buf_printf(err, "the run's limit of %ld s "
			    "(--max-time): ", h->max_seconds);
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		rc = ZSQ_EIO;
		(void)buf_puts(err, "upstream unreachable: ");
		break;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
		rc = ZSQ_EIO;
		(void)buf_puts(err, "the connection broke before the reply "
		    "was complete (truncated reply): ");
		break;
	case CURLE_WRITE_ERROR:
		if (h->too_big == HTTP_BOUND_REPLY) {
			(void)buf_printf(err, "the reply is larger than %zu "
			    "KiB", h->max >> 10);
			return ZSQ_EIO;
		}
		if (h->too_big == HTTP_BOUND_RUN) {
			(void)buf_printf(err, "the run's replies are larger "
			    "than %llu MiB (--max-bytes)", h->max_bytes >> 20);
			return ZSQ_EIO;
		}
		return ZSQ_ENOMEM;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		rc = ZSQ_EIO;
		(void)buf_puts(err, "TLS: ");
		break;
	default:
		rc = ZSQ_EIO;
		break;
	}
	show(err, h->errbuf[0] ? h->errbuf : curl_easy_strerror(cc),
	    strlen(h->errbuf[0] ? h->errbuf : curl_easy_strerror(cc)));
	return rc;
}

int
http_bound_passed(const struct http *h)
{
	return h->too_big;
}

const char *
http_error_code(const struct http *h)
{
	return h->code;
}

void
http_counts(const struct http *h, unsigned long *requests,
    unsigned long long *bytes)
{
	*requests = h->requests;
	*bytes = h->bytes;
}

void
http_close(struct http *h)
{
	struct curl_slist *s;

	if (h == NULL)
		return;
	/* The first header holds the session: wipe it before freeing. */
	for (s = h->headers; s != NULL; s = s->next)
		explicit_bzero(s->data, strlen(s->data));
	curl_slist_free_all(h->headers);
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	buf_free(&h->url);
	free(h);
	curl_global_cleanup();
}
