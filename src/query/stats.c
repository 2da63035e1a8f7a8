/* SPDX-License-Identifier: Apache-2.0 */
/* stats.c - counters in a mapping shared across fork; see stats.h. */
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "base/clock.h"
#include "query/stats.h"

_Static_assert(STATS_BODY_BUCKETS <= STATS_HIST_MAX, "stats_hist too small");

static const char *const names[STATS_NCOUNTERS] = {
	"renewals_sent",
	"renewals_done",
	"renewals_deferred",
	"renewals_dropped",
	"worker_starts",
	"worker_signal_deaths",
	"request_timeouts",
	"requests_canceled",
};

static const char *const route_names[STATS_NROUTES] = {
	"list", "get", "metrics", "other"
};

static const char *const error_names[STATS_NERRORS] = {
	"", "ID.1001", "SYS.1000", "SYS.1001", "SYS.1007", "SYS.1000"
};

static const char *const error_causes[STATS_NERRORS] = {
	"", "client", "server", "server", "client", "client"
};

/*
 * 25 us to 30 s: a GET takes ~0.1 ms; max-request-time (10 s by default)
 * stops a query a little past its limit.
 */
const uint64_t stats_duration_le_ns[STATS_DURATION_BUCKETS] = {
	25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000, 25000000, 50000000,
	100000000, 250000000, 500000000,
	1000000000, 2500000000, 5000000000, 10000000000, 30000000000
};

/*
 * 64 B (a text error) to 256 MiB (nginx's fastcgi_max_temp_file_size in
 * the shipped snippet); a group is a few kB to a few tens of kB.
 */
const uint64_t stats_body_le_bytes[STATS_BODY_BUCKETS] = {
	64, 256, 1024, 4096, 16384, 65536, 262144,
	1048576, 4194304, 16777216, 67108864, 268435456
};

/* Relaxed: counters are independent (stats.h). */
#define ADD(p, n)	__atomic_fetch_add((p), (n), __ATOMIC_RELAXED)
#define LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)

struct stats *
stats_create(void)
{
	struct stats *s;
	void *p;

	/* Anonymous pages start zeroed. */
	p = mmap(NULL, sizeof(struct stats), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	s = p;
	s->created_ms = now_ms(CLOCK_REALTIME);
	return s;
}

void
stats_destroy(struct stats *s)
{
	if (s != NULL)
		munmap(s, sizeof(*s));
}

void
stats_add(struct stats *s, enum stats_counter c, uint64_t n)
{
	if (s != NULL && c < STATS_NCOUNTERS)
		ADD(&s->c[c], n);
}

uint64_t
stats_get(const struct stats *s, enum stats_counter c)
{
	if (s == NULL || c >= STATS_NCOUNTERS)
		return 0;
	return LOAD(&s->c[c]);
}

const char *
stats_name(enum stats_counter c)
{
	return c < STATS_NCOUNTERS ? names[c] : "unknown";
}

/* The bucket of v: the first bound v does not exceed, or n (+Inf). */
static unsigned
bucket_of(const uint64_t *le, unsigned n, uint64_t v)
{
	unsigned i;

	for (i = 0; i < n && v > le[i]; i++)
		;
	return i;
}

void
stats_request(struct stats *s, const struct stats_request *r)
{
	unsigned route, st;

	if (s == NULL)
		return;
	route = r->route < STATS_NROUTES ? r->route : STATS_ROUTE_OTHER;
	st = r->status >= STATS_STATUS_MIN && r->status <= STATS_STATUS_MAX ?
	    (unsigned)(r->status - STATS_STATUS_MIN) : STATS_NSTATUS - 1;
	ADD(&s->requests[route][st], 1);
	if (r->error != STATS_ERROR_NONE && r->error < STATS_NERRORS)
		ADD(&s->errors[route][r->error], 1);
	ADD(&s->duration[route][bucket_of(stats_duration_le_ns,
	    STATS_DURATION_BUCKETS, r->duration_ns)], 1);
	ADD(&s->duration_ns[route], r->duration_ns);
	ADD(&s->body[route][bucket_of(stats_body_le_bytes,
	    STATS_BODY_BUCKETS, r->body_bytes)], 1);
	ADD(&s->body_bytes[route], r->body_bytes);
}

void
stats_signal_death(struct stats *s, int sig)
{
	if (s == NULL)
		return;
	ADD(&s->c[STATS_WORKER_SIGNALED], 1);
	ADD(&s->signal_deaths[sig > 0 && sig < STATS_NSIGNALS ? sig : 0], 1);
}

uint64_t
stats_requests(const struct stats *s, enum stats_route r, int status)
{
	if (s == NULL || r >= STATS_NROUTES || status < STATS_STATUS_MIN ||
	    status > STATS_STATUS_MAX)
		return 0;
	return LOAD(&s->requests[r][status - STATS_STATUS_MIN]);
}

uint64_t
stats_errors(const struct stats *s, enum stats_route r, enum stats_error e)
{
	if (s == NULL || r >= STATS_NROUTES || e >= STATS_NERRORS)
		return 0;
	return LOAD(&s->errors[r][e]);
}

uint64_t
stats_signal_deaths(const struct stats *s, int sig)
{
	if (s == NULL || sig < 0 || sig >= STATS_NSIGNALS)
		return 0;
	return LOAD(&s->signal_deaths[sig]);
}

static void
hist_read(struct stats_hist *h, const uint64_t *le, unsigned n,
    const uint64_t *bucket, const uint64_t *sum)
{
	unsigned i;

	memset(h, 0, sizeof(*h));
	h->n = n;
	h->le = le;
	if (bucket == NULL)
		return;
	for (i = 0; i <= n; i++)
		h->bucket[i] = LOAD(&bucket[i]);
	h->sum = LOAD(sum);
}

void
stats_duration(const struct stats *s, enum stats_route r,
    struct stats_hist *h)
{
	int ok = s != NULL && r < STATS_NROUTES;

	hist_read(h, stats_duration_le_ns, STATS_DURATION_BUCKETS,
	    ok ? s->duration[r] : NULL, ok ? &s->duration_ns[r] : NULL);
}

void
stats_body(const struct stats *s, enum stats_route r, struct stats_hist *h)
{
	int ok = s != NULL && r < STATS_NROUTES;

	hist_read(h, stats_body_le_bytes, STATS_BODY_BUCKETS,
	    ok ? s->body[r] : NULL, ok ? &s->body_bytes[r] : NULL);
}

int64_t
stats_created_ms(const struct stats *s)
{
	return s != NULL ? s->created_ms : 0;
}

const char *
stats_route_name(enum stats_route r)
{
	return r < STATS_NROUTES ? route_names[r] : "other";
}

const char *
stats_error_name(enum stats_error e)
{
	return e < STATS_NERRORS ? error_names[e] : "";
}

const char *
stats_error_cause(enum stats_error e)
{
	return e < STATS_NERRORS ? error_causes[e] : "";
}
