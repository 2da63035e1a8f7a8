/* stats.c - counters in a mapping shared across fork; see stats.h. */
#include <stddef.h>
#include <sys/mman.h>

#include "stats.h"

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

struct stats *
stats_create(void)
{
	void *p;

	/* Anonymous pages start zeroed. */
	p = mmap(NULL, sizeof(struct stats), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
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
		__atomic_fetch_add(&s->c[c], n, __ATOMIC_RELAXED);
}

uint64_t
stats_get(const struct stats *s, enum stats_counter c)
{
	if (s == NULL || c >= STATS_NCOUNTERS)
		return 0;
	return __atomic_load_n(&s->c[c], __ATOMIC_RELAXED);
}

const char *
stats_name(enum stats_counter c)
{
	return c < STATS_NCOUNTERS ? names[c] : "unknown";
}
