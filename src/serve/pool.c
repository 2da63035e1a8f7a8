/* SPDX-License-Identifier: Apache-2.0 */
/* pool.c - prefork master: spawn, respawn, reload, stop; see pool.h. */
#define _GNU_SOURCE		/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/errors.h"
#include "base/log.h"
#include "base/vec.h"
#include "query/stats.h"
#include "serve/pool.h"
#include "serve/renew.h"
#include "serve/worker.h"

#define STOP_GRACE_MS	9000	/* then SIGKILL: systemd's default is 10 s */
#define QUICK_DEATH_MS	1000	/* a worker dying sooner counts as a loop */
#define BACKOFF_MAX_MS	5000

enum role { ROLE_WORKER, ROLE_RENEWER };

struct child {
	pid_t		 pid;
	enum role	 role;
	unsigned	 gen;
	int		 ready;
	int		 told;		/* sent SIGTERM by us */
	int64_t		 started;
};

struct pool {
	struct config	 cli, cfg, prev;
	int		 fd;		/* the listening socket */
	int		 sfd;		/* signalfd */
	int		 ready_rd, ready_wr;
	struct renew_pipe rp;		/* workers -> renewer */
	struct stats	*stats;		/* shared with every child */
	struct child	*kids;
	size_t		 nkids, capkids;
	unsigned	 gen;		/* the generation that should serve */
	unsigned	 lastgen;	/* the newest ever started */
	unsigned	 prevgen;	/* the generation prev configures */
	int		 stopping, killed, status;
	int64_t		 deadline;
	int64_t		 respawn_at;
	int		 backoff_ms;
	int		 hold;		/* a worker failed to start and none
					   serves: respawn only once one
					   still starting turns ready */
	int64_t		 renewer_at;	/* when to start a renewer */
	int		 renewer_backoff_ms;
	pid_t		 self;
};

static size_t
pool_count(const struct pool *p, unsigned gen, int ready_only)
{
	size_t i, n = 0;

	/* Workers told to stop are leaving: they do not count. */
	for (i = 0; i < p->nkids; i++)
		if (p->kids[i].role == ROLE_WORKER && p->kids[i].gen == gen &&
		    !p->kids[i].told && (!ready_only || p->kids[i].ready))
			n++;
	return n;
}

/* The renewer of generation gen, if one runs and was not told to stop. */
static int
pool_has_renewer(const struct pool *p, unsigned gen)
{
	size_t i;

	for (i = 0; i < p->nkids; i++)
		if (p->kids[i].role == ROLE_RENEWER &&
		    p->kids[i].gen == gen && !p->kids[i].told)
			return 1;
	return 0;
}

/*
 * In the new child.  The master's signal mask (stop, reload, SIGCHLD
 * blocked for the signalfd) stays until worker_run() (renewer_run()) has
 * its handlers in place (sig.h), so a stop sent meanwhile waits instead
 * of killing it half-open.
 */
static void
pool_child(struct pool *p, enum role role)
{
	/* ps(1) and the tests tell the renewer from workers by its name. */
	if (role == ROLE_RENEWER)
		(void)prctl(PR_SET_NAME, "zsquery-renewer");
	/* Children must not outlive a master killed with -9. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != p->self)
		_exit(0);
	close(p->sfd);
	close(p->ready_rd);
	if (role == ROLE_RENEWER) {
		close(p->fd);
		close(p->ready_wr);
		close(p->rp.wr);
		_exit(renewer_run(p->cfg.db, p->rp.rd, p->stats));
	}
	close(p->rp.rd);
	_exit(worker_run(&p->cfg, p->fd, p->ready_wr,
	    p->cfg.renew ? p->rp.wr : -1, p->stats));
}

static int
pool_spawn(struct pool *p, enum role role)
{
	struct child *k;
	pid_t pid;

	if (VEC_GROW(&p->kids, &p->capkids, p->nkids + 1) != ZSQ_OK)
		return ZSQ_ENOMEM;
	if ((pid = fork()) < 0) {
		log_msg(LOG_ERR, "fork: %s", strerror(errno));
		return errno;
	}
	if (pid == 0)
		pool_child(p, role);
	k = &p->kids[p->nkids++];
	memset(k, 0, sizeof(*k));
	k->pid = pid;
	k->role = role;
	k->gen = p->gen;
	k->started = now_ms(CLOCK_MONOTONIC);
	if (role == ROLE_WORKER)
		stats_add(p->stats, STATS_WORKER_STARTS, 1);
	log_msg(LOG_DEBUG, "%s %ld started (generation %u)",
	    role == ROLE_WORKER ? "worker" : "renewer", (long)pid, p->gen);
	return ZSQ_OK;
}

static void
pool_signal_all(struct pool *p, int sig, int old_only)
{
	size_t i;

	for (i = 0; i < p->nkids; i++) {
		if (old_only && p->kids[i].gen == p->gen)
			continue;
		if (sig == SIGTERM && p->kids[i].told)
			continue;
		p->kids[i].told = 1;
		kill(p->kids[i].pid, sig);
	}
}

static void
pool_stop(struct pool *p, int status)
{
	if (!p->stopping) {
		p->stopping = 1;
		p->deadline = now_ms(CLOCK_MONOTONIC) + STOP_GRACE_MS;
		/*
		 * A socket we made goes first: new clients get "no such
		 * file" (never started) while workers answer the queue.
		 */
		if (p->cfg.listen[0] != '\0')
			unlink(p->cfg.listen);
	}
	if (status != 0)
		p->status = status;
	pool_signal_all(p, SIGTERM, 0);
}

/*
 * Read the pids of workers that report ready.  Done before any death is
 * looked at: a worker may have reported ready in the same wakeup that
 * another one died in, and must count as serving when that death is
 * judged.
 */
static void
pool_ready_read(struct pool *p)
{
	pid_t pids[64];
	ssize_t n;
	size_t i, j;

	while ((n = read(p->ready_rd, pids, sizeof(pids))) > 0)
		for (i = 0; i < (size_t)n / sizeof(pid_t); i++)
			for (j = 0; j < p->nkids; j++)
				if (p->kids[j].pid == pids[i]) {
					p->kids[j].ready = 1;
					if (p->kids[j].gen == p->gen)
						p->hold = 0;
				}
}

/*
 * A worker of the current generation could not start.  Its siblings
 * decide what that means: one serving, it is retried with backoff; some
 * still starting, respawns wait for their outcome (hold); none left, the
 * generation cannot start: a reload falls back to the previous one, a
 * first start stops the pool.
 */
static void
pool_start_failed(struct pool *p)
{
	size_t i;
	unsigned old = p->gen;

	if (pool_count(p, p->gen, 1) > 0)
		return;
	if (pool_count(p, p->gen, 0) > 0) {
		p->hold = 1;
		return;
	}
	p->hold = 0;
	/* Back only to the generation whose configuration prev holds. */
	if (p->prevgen != p->gen && pool_count(p, p->prevgen, 1) > 0)
		old = p->prevgen;
	if (old == p->gen) {
		log_msg(LOG_ERR, "workers cannot start; exiting");
		pool_stop(p, 1);
		return;
	}
	/* A reload gone wrong: the previous generation still serves. */
	log_msg(LOG_ERR, "the new configuration cannot start workers; "
	    "keeping the old ones");
	for (i = 0; i < p->nkids; i++)
		if (p->kids[i].gen == p->gen) {
			p->kids[i].told = 1;
			kill(p->kids[i].pid, SIGTERM);
		}
	p->gen = old;
	p->cfg = p->prev;
	log_set_level(p->cfg.log_level);
}

/* Growing delay for a child that dies within QUICK_DEATH_MS. */
static int
pool_backoff(int ms, int64_t lived)
{
	if (lived >= QUICK_DEATH_MS)
		return 0;
	ms = ms ? ms * 2 : 100;
	return ms > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms;
}

static void
pool_reaped(struct pool *p, size_t i, int wstatus)
{
	struct child k = p->kids[i];
	const char *what = k.role == ROLE_WORKER ? "worker" : "renewer";
	int64_t lived = now_ms(CLOCK_MONOTONIC) - k.started;

	p->kids[i] = p->kids[--p->nkids];
	/* Deaths we did not ask for are errors; asked-for exits are not. */
	if (WIFSIGNALED(wstatus)) {
		if (k.role == ROLE_WORKER)
			stats_signal_death(p->stats, WTERMSIG(wstatus));
		log_msg(k.told ? LOG_INFO : LOG_ERR,
		    "%s %ld killed by signal %d (%s)", what, (long)k.pid,
		    WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
	} else if (WEXITSTATUS(wstatus) != 0)
		log_msg(LOG_ERR, "%s %ld exited with status %d", what,
		    (long)k.pid, WEXITSTATUS(wstatus));
	else
		log_msg(k.told ? LOG_DEBUG : LOG_WARNING,
		    "%s %ld exited", what, (long)k.pid);
	if (p->stopping || k.told || k.gen != p->gen)
		return;
	if (k.role == ROLE_RENEWER) {
		p->renewer_backoff_ms = pool_backoff(p->renewer_backoff_ms,
		    lived);
		p->renewer_at = now_ms(CLOCK_MONOTONIC) +
		    p->renewer_backoff_ms;
		return;
	}
	p->backoff_ms = pool_backoff(p->backoff_ms, lived);
	p->respawn_at = now_ms(CLOCK_MONOTONIC) + p->backoff_ms;
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == WORKER_EXIT_FATAL &&
	    !k.ready)
		pool_start_failed(p);
}

static void
pool_reap(struct pool *p)
{
	pid_t pid;
	size_t i;
	int wstatus;

	pool_ready_read(p);
	while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0)
		for (i = 0; i < p->nkids; i++)
			if (p->kids[i].pid == pid) {
				pool_reaped(p, i, wstatus);
				break;
			}
}

static void
pool_reload(struct pool *p)
{
	struct config c;
	struct buf err = BUF_INIT;

	if (config_load(&c, &p->cli, &err) != ZSQ_OK) {
		log_msg(LOG_ERR, "reload: %s; keeping the running "
		    "configuration", err.data ? err.data : "error");
		buf_free(&err);
		return;
	}
	buf_free(&err);
	if (strcmp(c.listen, p->cfg.listen) != 0 ||
	    strcmp(c.listen_group, p->cfg.listen_group) != 0)
		log_msg(LOG_WARNING, "reload: the listening socket changes "
		    "only at restart");
	/* The socket stays: a new one would be a new address for nginx. */
	memcpy(c.listen, p->cfg.listen, sizeof(c.listen));
	memcpy(c.listen_group, p->cfg.listen_group, sizeof(c.listen_group));
	/*
	 * prev: the configuration to fall back to, that of a generation
	 * that serves.  A reload during a reload (the current generation
	 * not serving yet) keeps the one before.
	 */
	if (pool_count(p, p->gen, 1) > 0) {
		p->prev = p->cfg;
		p->prevgen = p->gen;
	}
	p->cfg = c;
	p->gen = ++p->lastgen;
	p->backoff_ms = 0;
	p->respawn_at = 0;
	p->hold = 0;
	p->renewer_backoff_ms = 0;
	p->renewer_at = 0;
	log_set_level(c.log_level);
	log_msg(LOG_NOTICE, "reloading: starting generation %u", p->gen);
}

static void
pool_ready(struct pool *p)
{
	pool_ready_read(p);
	/* A whole new generation serves: the old one (renewer too) may go. */
	if (!p->stopping &&
	    pool_count(p, p->gen, 1) >= (size_t)p->cfg.workers)
		pool_signal_all(p, SIGTERM, 1);
}

static void
pool_signals(struct pool *p)
{
	struct signalfd_siginfo si;

	while (read(p->sfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			pool_reap(p);
			break;
		case SIGHUP:
			if (!p->stopping)
				pool_reload(p);
			break;
		default:
			if (!p->stopping)
				log_msg(LOG_NOTICE, "stopping on signal %d",
				    (int)si.ssi_signo);
			pool_stop(p, 0);
			break;
		}
	}
}

/* Whether a renewer should be started for the serving generation. */
static int
pool_wants_renewer(const struct pool *p)
{
	return !p->stopping && p->cfg.renew && !pool_has_renewer(p, p->gen);
}

/* How long poll() may sleep: until the next respawn or the kill time. */
static int
pool_timeout(const struct pool *p, int64_t now)
{
	int64_t t = INT64_MAX;

	if (p->stopping && !p->killed)
		t = p->deadline - now;
	if (!p->stopping && !p->hold &&
	    pool_count(p, p->gen, 0) < (size_t)p->cfg.workers)
		t = p->respawn_at - now;
	if (pool_wants_renewer(p) && p->renewer_at - now < t)
		t = p->renewer_at - now;
	if (t == INT64_MAX)
		return -1;	/* only signals and ready pids can wake us */
	if (t < 0)
		return 0;
	return t > INT32_MAX ? INT32_MAX : (int)t;
}

static int
pool_setup(struct pool *p, sigset_t *mask)
{
	int fds[2], rc;

	sigemptyset(mask);
	sigaddset(mask, SIGCHLD);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, mask, NULL) != 0 ||
	    (p->sfd = signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    pipe2(fds, O_CLOEXEC) != 0) {
		log_msg(LOG_ERR, "master setup: %s", strerror(errno));
		return errno;
	}
	p->ready_rd = fds[0];
	p->ready_wr = fds[1];
	/* Workers keep the write end across fork (not exec). */
	fcntl(p->ready_rd, F_SETFL, O_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
	/* Both before any fork: every child must share them. */
	if ((p->stats = stats_create()) == NULL) {
		log_msg(LOG_ERR, "master setup: counters: %s", strerror(errno));
		return errno;
	}
	if ((rc = renew_pipe_open(&p->rp)) != ZSQ_OK) {
		log_msg(LOG_ERR, "master setup: renewal pipe: %s",
		    strerror(rc));
		return rc;
	}
	return ZSQ_OK;
}

int
pool_run(const struct config *cli, const struct config *cfg, int listen_fd)
{
	struct pool p;
	struct pollfd pfd[2];
	sigset_t mask;
	int64_t now;
	int status;

	memset(&p, 0, sizeof(p));
	p.cli = *cli;
	p.cfg = *cfg;
	p.prev = *cfg;
	p.fd = listen_fd;
	p.self = getpid();
	p.sfd = p.ready_rd = p.ready_wr = -1;
	p.rp.rd = p.rp.wr = -1;
	if (pool_setup(&p, &mask) != ZSQ_OK) {
		if (cfg->listen[0] != '\0')
			unlink(cfg->listen);
		status = 1;
		goto out;
	}
	log_msg(LOG_NOTICE, "serving store %s with %d workers", cfg->db,
	    cfg->workers);
	for (;;) {
		now = now_ms(CLOCK_MONOTONIC);
		while (!p.stopping && !p.hold && now >= p.respawn_at &&
		    pool_count(&p, p.gen, 0) < (size_t)p.cfg.workers)
			if (pool_spawn(&p, ROLE_WORKER) != ZSQ_OK) {
				p.respawn_at = now + 1000;
				break;
			}
		if (pool_wants_renewer(&p) && now >= p.renewer_at &&
		    pool_spawn(&p, ROLE_RENEWER) != ZSQ_OK)
			p.renewer_at = now + 1000;
		if (p.stopping && p.nkids == 0)
			break;
		if (p.stopping && !p.killed && now >= p.deadline) {
			log_msg(LOG_WARNING, "killing %zu children that did "
			    "not stop in time", p.nkids);
			pool_signal_all(&p, SIGKILL, 0);
			p.killed = 1;
		}
		pfd[0].fd = p.sfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = p.ready_rd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, pool_timeout(&p, now)) < 0 && errno != EINTR) {
			log_msg(LOG_ERR, "poll: %s", strerror(errno));
			pool_stop(&p, 1);
		}
		pool_signals(&p);
		pool_ready(&p);
	}
	status = p.status;
out:
	if (p.sfd >= 0)
		close(p.sfd);
	if (p.ready_rd >= 0)
		close(p.ready_rd);
	if (p.ready_wr >= 0)
		close(p.ready_wr);
	renew_pipe_close(&p.rp);
	stats_destroy(p.stats);
	free(p.kids);
	return status;
}
