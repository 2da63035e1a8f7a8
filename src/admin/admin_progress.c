/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admin_progress.c - the progress line of a long zsquery-admin import or
 * sync on stderr (admin.h): groups, groups/s, bytes read and, when the
 * input's size is known, how much of it and an ETA; then the groups
 * applied.  The import calls admin_progress_show() for every group
 * (import.h); the line is drawn at most PROGRESS_HZ times a second
 * (CLOCK_MONOTONIC), first a quarter of a second in, so a short import
 * shows nothing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin/admin.h"
#include "base/clock.h"
#include "ingest/import.h"

#define PROGRESS_HZ		4
#define PROGRESS_EVERY_NS	(1000000000 / PROGRESS_HZ)

void
admin_progress_init(struct admin_progress *p, const char *what, int quiet)
{
	memset(p, 0, sizeof(*p));
	p->what = what;
	p->on = !quiet && isatty(STDERR_FILENO);
	p->start_ns = p->phase_ns = now_ns(CLOCK_MONOTONIC);
}

/* ", ETA 1h02m", ", ETA 3m05s", ", ETA 42s" for s seconds. */
static void
eta_text(char *out, size_t n, double s)
{
	unsigned long t = (unsigned long)(s + 0.5);

	if (t >= 3600)
		snprintf(out, n, ", ETA %luh%02lum", t / 3600, t % 3600 / 60);
	else if (t >= 60)
		snprintf(out, n, ", ETA %lum%02lus", t / 60, t % 60);
	else
		snprintf(out, n, ", ETA %lus", t);
}

static double
percent(double part, double whole)
{
	return whole > 0 ? 100.0 * part / whole : 100.0;
}

static void
draw(struct admin_progress *p)
{
	const struct import_progress *ip = &p->last;
	double s = (double)(p->drawn_ns - p->phase_ns) / 1e9;
	double done = 0, left = 0, mib = 1048576.0;
	char line[192], rate[32] = "", eta[32] = "";
	size_t len;

	/* A rate, and so an ETA, needs some time to be measured over. */
	if (s >= 0.05)
		snprintf(rate, sizeof(rate), ", %.0f/s",
		    (double)ip->groups / s);
	if (ip->applying) {
		done = (double)ip->groups;
		left = (double)ip->groups_total - done;
		snprintf(line, sizeof(line), "%s: %lu of %lu groups applied "
		    "(%.0f%%)%s", p->what, ip->groups, ip->groups_total,
		    percent(done, (double)ip->groups_total), rate);
	} else if (ip->bytes_total > 0) {
		done = (double)ip->bytes;
		left = (double)ip->bytes_total - done;
		snprintf(line, sizeof(line), "%s: %lu groups read%s, "
		    "%.1f/%.1f MiB (%.0f%%)", p->what, ip->groups, rate,
		    done / mib, (double)ip->bytes_total / mib,
		    percent(done, (double)ip->bytes_total));
	} else
		snprintf(line, sizeof(line), "%s: %lu groups read%s, %.1f MiB",
		    p->what, ip->groups, rate, (double)ip->bytes / mib);
	/* The time left at the pace so far: bytes to read, groups to apply. */
	if (rate[0] != '\0' && done > 0 && left > 0)
		eta_text(eta, sizeof(eta), s * left / done);
	len = strlen(line);
	snprintf(line + len, sizeof(line) - len, "%s", eta);
	len = strlen(line);
	/* Blank out what a longer previous line left. */
	fprintf(stderr, "\r%s%*s", line, p->width > len ?
	    (int)(p->width - len) : 0, "");
	p->width = len;
}

void
admin_progress_show(void *arg, const struct import_progress *ip)
{
	struct admin_progress *p = arg;
	uint64_t now;

	if (!p->on)
		return;
	if (ip->applying && !p->last.applying)
		p->phase_ns = now_ns(CLOCK_MONOTONIC);
	p->last = *ip;
	now = now_ns(CLOCK_MONOTONIC);
	if (now - (p->width ? p->drawn_ns : p->start_ns) < PROGRESS_EVERY_NS)
		return;
	p->drawn_ns = now;
	draw(p);
}

void
admin_progress_end(struct admin_progress *p)
{
	if (!p->on || p->width == 0)
		return;
	/* The last state, then the line is left as it is. */
	p->drawn_ns = now_ns(CLOCK_MONOTONIC);
	draw(p);
	fputc('\n', stderr);
	p->width = 0;
}
