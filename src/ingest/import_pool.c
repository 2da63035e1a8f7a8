/* SPDX-License-Identifier: Apache-2.0 */
/* import_pool.c - render import groups on threads; see import_pool.h. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/errors.h"
#include "base/text.h"
#include "ingest/import_pool.h"
#include "ingest/render.h"

#define MAX_THREADS	4
#define RING		64	/* groups in flight */

enum { J_FREE, J_READY, J_BUSY, J_DONE };

struct import_pool {
	import_take_fn	 take;
	void		*arg;
	int		 nthreads;
	pthread_t	 th[MAX_THREADS];
	pthread_mutex_t	 mu;
	pthread_cond_t	 work;		/* a job is ready, or stop */
	pthread_cond_t	 done;		/* a job is done */
	struct import_job ring[RING];
	unsigned long	 head;		/* next to take */
	unsigned long	 tail;		/* next to add */
	unsigned long	 next;		/* next for a worker */
	int		 stop;
	int		 failed;	/* the first error, sticky */
};

/* "record N (uuid X): " with X only when it is a printable short string. */
static void
record_prefix(struct buf *err, unsigned long n, json_t *group)
{
	json_t *u = json_object_get(group, "uuid");
	const char *s = json_string_value(u);
	size_t i, len = s ? json_string_length(u) : 0;

	for (i = 0; i < len; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			break;
	if (s != NULL && len > 0 && len <= 64 && i == len)
		(void)buf_printf(err, "record %lu (uuid %s): ", n, s);
	else
		(void)buf_printf(err, "record %lu: ", n);
}

/* Replace the group's systemTags/userTags with tags. */
static int
tags_set(json_t *group, const struct import_tags *t)
{
	static const char *const key[2] = { "systemTags", "userTags" };
	const char *const *v[2] = { t->system, t->user };
	size_t n[2] = { t->nsystem, t->nuser }, k, i;
	json_t *a;

	for (k = 0; k < 2; k++) {
		if ((a = json_array()) == NULL)
			return ZSQ_ENOMEM;
		for (i = 0; i < n[k]; i++)
			if (json_array_append_new(a, json_string(v[k][i])) != 0) {
				json_decref(a);
				return ZSQ_EINVAL;	/* not UTF-8 */
			}
		if (json_object_set_new(group, key[k], a) != 0)
			return ZSQ_ENOMEM;
	}
	return ZSQ_OK;
}

/* Parse, validate and render one job into its record (or its error). */
static void
render_job(struct import_job *j, const struct import_tags *tags)
{
	struct buf rerr = BUF_INIT;
	json_error_t je;
	json_t *group;

	buf_reset(&j->err);
	buf_reset(&j->rec);
	group = render_parse(j->json.data, j->json.len, &je);
	if (group == NULL) {
		/*
		 * jansson quotes the offending input ("near '...'"): keep
		 * the promised one-line message one line.
		 */
		text_oneline(je.text, strlen(je.text));
		(void)buf_printf(&j->err, "record %lu: invalid JSON: %s (line "
		    "%d, column %d of the record)", j->nrec, je.text, je.line,
		    je.column);
		j->rc = ZSQ_EINVAL;
		return;
	}
	if (tags != NULL && json_is_object(group) &&
	    (j->rc = tags_set(group, tags)) != ZSQ_OK) {
		record_prefix(&j->err, j->nrec, group);
		(void)buf_puts(&j->err, j->rc == ZSQ_EINVAL ? "a tag is not "
		    "valid UTF-8" : zsq_strerror(j->rc));
		goto out;
	}
	if ((j->rc = render_group(group, j->owner, &j->rec, &rerr)) !=
	    ZSQ_OK) {
		record_prefix(&j->err, j->nrec, group);
		(void)buf_puts(&j->err, j->rc == ZSQ_EINVAL && rerr.data ?
		    rerr.data : zsq_strerror(j->rc));
		goto out;
	}
	/* render_group() checked the uuid: it is a 32-byte string. */
	memcpy(j->uuid, json_string_value(json_object_get(group, "uuid")), 32);
	record_set_src(j->rec.data, j->src);
out:
	buf_free(&rerr);
	json_decref(group);
}

static void *
worker(void *arg)
{
	struct import_pool *p = arg;
	struct import_job *j;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->next == p->tail)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->stop)
			break;
		j = &p->ring[p->next++ % RING];
		j->state = J_BUSY;
		pthread_mutex_unlock(&p->mu);
		render_job(j, NULL);
		pthread_mutex_lock(&p->mu);
		j->state = J_DONE;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int
import_pool_new(int threads, import_take_fn take, void *arg,
    struct import_pool **out)
{
	struct import_pool *p;
	long ncpu;
	int i, rc;

	*out = NULL;
	if (threads < 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		threads = ncpu < 1 ? 1 : ncpu > MAX_THREADS ? MAX_THREADS :
		    (int)ncpu;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return ZSQ_ENOMEM;
	p->take = take;
	p->arg = arg;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	/* These are lazy and not thread-safe the first time: do them now. */
	json_object_seed(0);
	render_init();
	tzset();
	for (i = 0; i < threads; i++) {
		if ((rc = pthread_create(&p->th[i], NULL, worker, p)) != 0) {
			import_pool_free(p);
			return rc;
		}
		p->nthreads++;
	}
	*out = p;
	return ZSQ_OK;
}

/* Take every finished job at the head; with wait, until head reaches to. */
static int
take_ready(struct import_pool *p, unsigned long to, struct buf *err)
{
	struct import_job *j;
	int rc;

	pthread_mutex_lock(&p->mu);
	while (p->failed == ZSQ_OK && p->head < to) {
		j = &p->ring[p->head % RING];
		if (j->state != J_DONE) {
			pthread_cond_wait(&p->done, &p->mu);
			continue;
		}
		pthread_mutex_unlock(&p->mu);
		rc = p->take(p->arg, j, err);
		pthread_mutex_lock(&p->mu);
		j->state = J_FREE;
		p->head++;
		if (rc != ZSQ_OK)
			p->failed = rc;
	}
	rc = p->failed;
	pthread_mutex_unlock(&p->mu);
	return rc;
}

int
import_pool_add(struct import_pool *p, unsigned long nrec, const char *json,
    size_t len, const char *owner, int owner_set,
    const struct import_tags *tags, const unsigned char *src,
    struct buf *err)
{
	struct import_job *j;
	int rc, inline_ = p->nthreads == 0 || tags != NULL;

	/* In order: what is rendered here comes after all before it. */
	if ((rc = take_ready(p, inline_ ? p->tail : p->tail + 1 > RING ?
	    p->tail + 1 - RING : 0, err)) != ZSQ_OK)
		return rc;
	j = &p->ring[p->tail % RING];
	j->nrec = nrec;
	buf_reset(&j->json);
	if (buf_append(&j->json, json, len) != ZSQ_OK)
		return ZSQ_ENOMEM;
	memcpy(j->owner, owner, 32);
	j->owner[32] = '\0';
	j->owner_set = owner_set;
	memcpy(j->src, src, REC_SRC_LEN);
	if (inline_) {
		render_job(j, tags);
		rc = p->take(p->arg, j, err);
		pthread_mutex_lock(&p->mu);
		j->state = J_FREE;
		if (rc != ZSQ_OK)
			p->failed = rc;
		p->head = p->next = ++p->tail;
		pthread_mutex_unlock(&p->mu);
		return rc;
	}
	pthread_mutex_lock(&p->mu);
	j->state = J_READY;
	p->tail++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
	return ZSQ_OK;
}

int
import_pool_drain(struct import_pool *p, struct buf *err)
{
	return take_ready(p, p->tail, err);
}

void
import_pool_cancel(struct import_pool *p)
{
	unsigned long s;
	int busy;

	pthread_mutex_lock(&p->mu);
	/* Nothing more is picked up; what a worker holds, it finishes. */
	p->next = p->tail;
	do {
		for (busy = 0, s = p->head; s < p->tail; s++)
			busy |= p->ring[s % RING].state == J_BUSY;
		if (busy)
			pthread_cond_wait(&p->done, &p->mu);
	} while (busy);
	for (s = p->head; s < p->tail; s++)
		p->ring[s % RING].state = J_FREE;
	p->head = p->tail;
	pthread_mutex_unlock(&p->mu);
}

void
import_pool_free(struct import_pool *p)
{
	int i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->th[i], NULL);
	for (i = 0; i < RING; i++) {
		buf_free(&p->ring[i].json);
		buf_free(&p->ring[i].err);
		buf_free(&p->ring[i].rec);
	}
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
