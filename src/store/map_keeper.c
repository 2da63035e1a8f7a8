/* SPDX-License-Identifier: Apache-2.0 */
/* map_keeper.c - let go of the store's mapped pages; see map_keeper.h. */
#define _GNU_SOURCE		/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/errors.h"
#include "store/map_keeper.h"
#include "store/store_os.h"

struct map_keeper {
	pthread_t	 th;
	pthread_t	 writer;
	pid_t		 writer_tid;	/* to tell our signal from others */
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	sem_t		 held;		/* the writer has stopped */
	int		 resume[2];	/* a byte: the writer may go on */
	struct sigaction old;
	void		*map;
	size_t		 len;
	size_t		 page;
	int		 statm;		/* /proc/self/statm, or -1 */
	int		 owns;		/* MAP_KEEPER_SIGNAL is ours */
	int		 can_hold;	/* owns it, and no hold is pending */
	int		 late;		/* a hold timed out, its post to come */
	unsigned	 ms;
	int		 stop;
	int		 active;	/* a write transaction is open; under
					   mu, written by the writer only */
	atomic_size_t	 base;		/* mapped after the last pass */
	atomic_ulong	 polls;		/* looks at statm by the thread */
	unsigned	 ticks;		/* map_keeper_tick() calls */
};

/* The keeper that owns MAP_KEEPER_SIGNAL, for its handler. */
static _Atomic(struct map_keeper *) holder;
static atomic_ulong holds;

unsigned long
map_keeper_holds(void)
{
	return atomic_load(&holds);
}

unsigned long
map_keeper_polls(const struct map_keeper *k)
{
	return k == NULL ? 0 : atomic_load(&k->polls);
}

/*
 * In the writer: say it has stopped, and wait until the keeper is done.
 * Only our keeper's signal to our writer counts: one sent by kill(1), or
 * landing on another thread, would wait for a byte nobody writes.  Only
 * async-signal-safe calls (sem_post, read, getpid, gettid), and errno as
 * it was.
 */
static void
hold_handler(int sig, siginfo_t *si, void *uc)
{
	struct map_keeper *k = atomic_load(&holder);
	int saved = errno;
	char c;

	(void)sig;
	(void)uc;
	if (k != NULL && si->si_code == SI_TKILL && si->si_pid == getpid() &&
	    (pid_t)syscall(SYS_gettid) == k->writer_tid) {
		sem_post(&k->held);
		while (read(k->resume[0], &c, 1) < 0 && errno == EINTR)
			;
	}
	errno = saved;
}

static void
hold_release(struct map_keeper *k)
{
	while (write(k->resume[1], "", 1) < 0 && errno == EINTR)
		;
}

/*
 * In the keeper: wait until the writer has stopped, or HOLD_WAIT_MS (a
 * writer asleep in the kernel, in a long system call or throttled for
 * dirty pages, or one that blocks the signal).  On the timeout the byte
 * that lets the writer go on is written at once, so the handler,
 * whenever it runs, does not wait; until its late post is seen
 * (hold_late) this keeper stops no writer: a second signal would find the
 * counts off by one.
 */
#define HOLD_WAIT_MS	1000

static int
hold_wait(struct map_keeper *k)
{
	struct timespec at;

	clock_gettime(CLOCK_MONOTONIC, &at);
	at.tv_sec += HOLD_WAIT_MS / 1000;
	for (;;) {
		if (sem_clockwait(&k->held, CLOCK_MONOTONIC, &at) == 0)
			return 1;
		if (errno != EINTR)
			break;
	}
	hold_release(k);
	k->can_hold = 0;
	k->late = 1;
	return 0;
}

/* The late handler has run (and taken its byte): holds may go on. */
static void
hold_late(struct map_keeper *k)
{
	if (k->late && sem_trywait(&k->held) == 0) {
		k->late = 0;
		k->can_hold = 1;
	}
}

/*
 * Resident file pages of this process (statm's third field: file and
 * shmem pages mapped), in bytes; 0 when it cannot be read.  read(), not
 * stdio: the writer may be stopped holding a lock malloc needs.
 */
static size_t
mapped_bytes(const struct map_keeper *k)
{
	char b[256], *p = b;
	unsigned long shared = 0;
	ssize_t n;
	int i;

	if (k->statm < 0 || (n = pread(k->statm, b, sizeof(b) - 1, 0)) <= 0)
		return 0;
	b[n] = '\0';
	for (i = 0; i < 3; i++)		/* size resident shared */
		shared = strtoul(p, &p, 10);
	return shared * k->page;
}

static void
wait_ms(struct map_keeper *k)
{
	struct timespec at;

	clock_gettime(CLOCK_MONOTONIC, &at);
	at.tv_nsec += (long)k->ms * 1000000L;
	at.tv_sec += at.tv_nsec / 1000000000L;
	at.tv_nsec %= 1000000000L;
	(void)pthread_cond_timedwait(&k->cv, &k->mu, &at);
}

/* Passes that left more mapped than base before base is measured again. */
#define STALE_PASSES	64
/* Mapped past base that is not worth a pass: the libraries' own faults. */
#define SLACK_PAGES	16

static void *
keeper_run(void *arg)
{
	struct map_keeper *k = arg;
	size_t base = 0, now, slack = k->page * SLACK_PAGES;
	unsigned stale = 0;
	int hold, was_active = 0;

	pthread_mutex_lock(&k->mu);
	while (!k->stop) {
		/*
		 * No write transaction, no writer mapping pages faster than
		 * the kernel takes them back (the writer may read and render
		 * for minutes first): sleep until one begins, or the stop.
		 */
		if (!k->active) {
			was_active = 0;
			pthread_cond_wait(&k->cv, &k->mu);
			continue;
		}
		/* A transaction has begun: start from an empty map. */
		if (!was_active) {
			was_active = 1;
			(void)madvise(k->map, k->len, MADV_DONTNEED);
			base = mapped_bytes(k);
			stale = 0;
		}
		atomic_fetch_add(&k->polls, 1);
		atomic_store(&k->base, base);
		/*
		 * base is what stays mapped after a pass (the libraries'
		 * pages); more than that is the store's.  An idle map costs
		 * one statm read: madvise over an empty 64 GiB range would
		 * walk its page tables every time.
		 */
		hold_late(k);
		now = mapped_bytes(k);
		if (k->statm >= 0 && now <= base + slack) {
			if (now < base)
				base = now;
			wait_ms(k);
			continue;
		}
		/*
		 * Stop the writer when it is far ahead, and now and then to
		 * measure base again: a pass beside a running writer reads
		 * what it mapped meanwhile too, and libraries fault pages in.
		 */
		hold = k->can_hold && (now > base + MAP_KEEPER_HOLD ||
		    stale >= STALE_PASSES) &&
		    pthread_kill(k->writer, MAP_KEEPER_SIGNAL) == 0;
		if (hold && (hold = hold_wait(k)))
			atomic_fetch_add(&holds, 1);
		(void)madvise(k->map, k->len, MADV_DONTNEED);
		now = mapped_bytes(k);
		if (hold) {
			hold_release(k);
			base = now;
			stale = 0;
		} else if (now < base + slack) {
			if (now < base)
				base = now;
			stale = 0;
		} else if (++stale >= STALE_PASSES && !k->can_hold) {
			/* No hold to measure it: take what stays. */
			base = now;
			stale = 0;
		}
		wait_ms(k);
	}
	pthread_mutex_unlock(&k->mu);
	return NULL;
}

/*
 * In the writer.  The keeper may not run in time (both processors busy):
 * the writer then lets go of the map itself, before LMDB's next spill
 * adds its own burst.  One statm read per MAP_KEEPER_TICKS calls.
 */
void
map_keeper_tick(struct map_keeper *k)
{
	/* active is the writer's own (it alone writes it): no lock. */
	if (k == NULL || !k->active || k->statm < 0 ||
	    ++k->ticks % MAP_KEEPER_TICKS != 0)
		return;
	if (mapped_bytes(k) > atomic_load(&k->base) + MAP_KEEPER_HOLD)
		(void)madvise(k->map, k->len, MADV_DONTNEED);
}

/* In the writer: wake the thread into a transaction, or out of one. */
static void
active_set(struct map_keeper *k, int on)
{
	pthread_mutex_lock(&k->mu);
	k->active = on;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
}

void
map_keeper_txn_begin(struct map_keeper *k)
{
	if (k != NULL && !k->active)
		active_set(k, 1);
}

/*
 * Once the mutex is ours the thread is asleep in a wait, and from then on
 * it looks at nothing.  The commit (LMDB's flush of every page still
 * dirty) mapped pages no pass has let go of yet: that pass is the
 * writer's, which writes no more.
 */
void
map_keeper_txn_end(struct map_keeper *k)
{
	if (k == NULL || !k->active)
		return;
	active_set(k, 0);
	if (k->statm >= 0 && mapped_bytes(k) > atomic_load(&k->base) +
	    k->page * SLACK_PAGES)
		(void)madvise(k->map, k->len, MADV_DONTNEED);
}

/* Take MAP_KEEPER_SIGNAL for k, if no other keeper has it. */
static int
hold_setup(struct map_keeper *k)
{
	struct map_keeper *none = NULL;
	struct sigaction sa;
	sigset_t cur;

	if (pthread_sigmask(SIG_SETMASK, NULL, &cur) != 0 ||
	    sigismember(&cur, MAP_KEEPER_SIGNAL))
		return 0;
	if (!atomic_compare_exchange_strong(&holder, &none, k))
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = hold_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART | SA_SIGINFO;
	if (sigaction(MAP_KEEPER_SIGNAL, &sa, &k->old) != 0) {
		atomic_store(&holder, NULL);
		return 0;
	}
	return 1;
}

/*
 * Give the signal back, in the writer.  A signal the keeper sent is
 * handled by now unless the writer blocks it (a hold that timed out):
 * such a one is taken here, or the old disposition, the default one
 * (terminate) most likely, would act on it later.
 */
static void
hold_end(struct map_keeper *k)
{
	struct timespec zero = { 0, 0 };
	sigset_t one;

	if (!k->owns)
		return;
	sigemptyset(&one);
	sigaddset(&one, MAP_KEEPER_SIGNAL);
	while (sigtimedwait(&one, NULL, &zero) == MAP_KEEPER_SIGNAL)
		;
	(void)sigaction(MAP_KEEPER_SIGNAL, &k->old, NULL);
	atomic_store(&holder, NULL);
}

static void
fds_close(struct map_keeper *k)
{
	if (k->statm >= 0)
		close(k->statm);
	if (k->resume[0] >= 0) {
		close(k->resume[0]);
		close(k->resume[1]);
	}
}

struct map_keeper *
map_keeper_start(const struct store *st, unsigned interval_ms)
{
	struct map_keeper *k;
	pthread_condattr_t ca;
	sigset_t one, was;
	const char *map;
	long page;
	int rc;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	k->statm = k->resume[0] = k->resume[1] = -1;
	if (store_map_addr(st, &map, &k->len) != ZSQ_OK)
		goto fail;
	k->map = (void *)map;
	k->ms = interval_ms;
	k->writer = pthread_self();
	k->writer_tid = (pid_t)syscall(SYS_gettid);
	page = sysconf(_SC_PAGESIZE);
	k->page = page > 0 ? (size_t)page : 4096;
	/*
	 * No readahead: a fault reads from disk the page it needs, not a
	 * window around it (a fault still maps the cached pages around it,
	 * 64 KiB: the kernel's fault-around, which no advice turns off).
	 */
	if (madvise(k->map, k->len, MADV_RANDOM) != 0)
		goto fail;
	if (pipe2(k->resume, O_CLOEXEC) != 0 || sem_init(&k->held, 0, 0) != 0)
		goto fail_advice;
	pthread_mutex_init(&k->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&k->cv, &ca);
	pthread_condattr_destroy(&ca);
	k->statm = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	k->can_hold = k->statm >= 0 && hold_setup(k);
	k->owns = k->can_hold;
	/* The keeper thread never takes the signal: it is born blocking it. */
	sigemptyset(&one);
	sigaddset(&one, MAP_KEEPER_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &one, &was);
	rc = pthread_create(&k->th, NULL, keeper_run, k);
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	if (rc != 0) {
		hold_end(k);
		pthread_cond_destroy(&k->cv);
		pthread_mutex_destroy(&k->mu);
		sem_destroy(&k->held);
		goto fail_advice;
	}
	return k;
fail_advice:
	(void)madvise(k->map, k->len, MADV_NORMAL);
fail:
	fds_close(k);
	free(k);
	return NULL;
}

void
map_keeper_stop(struct map_keeper *k)
{
	if (k == NULL)
		return;
	map_keeper_txn_end(k);
	pthread_mutex_lock(&k->mu);
	k->stop = 1;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
	pthread_join(k->th, NULL);
	hold_end(k);
	(void)madvise(k->map, k->len, MADV_NORMAL);
	pthread_cond_destroy(&k->cv);
	pthread_mutex_destroy(&k->mu);
	sem_destroy(&k->held);
	fds_close(k);
	free(k);
}
