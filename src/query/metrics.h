/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics.h - the pool's Prometheus text exposition (format 0.0.4), the
 * body of GET /zsquery/metrics (route.h; API.md section 12 lists every
 * metric).
 *
 * Two sources:
 *   - the pool's counters (stats.h), shared by every process of the pool
 *     and kept across worker deaths and reloads: requests by route and
 *     status, JSON errors by code, latency and body-size histograms,
 *     renewals, worker starts and deaths by signal;
 *   - gauges read at scrape time from the store, inside the caller's read
 *     transaction (one snapshot): groups, sessions, accounts, map size and
 *     use, the last write, and each feed's record (feed.h).
 *
 * The store's last write is data.mdb's modification time: every writer
 * (zsquery-admin, the feeds, the renewer, LMDB's own tools) commits
 * through LMDB, whose commit writes the changed pages and the meta page
 * into data.mdb, and a transaction that changed nothing writes nothing;
 * so the kernel keeps the time for every write path, and no writer has to
 * remember to record it (nor pay a page per renewal batch for it).
 *
 * Contract: metrics_render() appends the whole page or fails (ZSQ_ENOMEM,
 * or a store error from reading the store); it never writes to the store
 * and waits for nothing: the counters are relaxed loads, the store a read
 * transaction, data.mdb's time one stat(2).  Names, labels and units
 * (seconds, bytes) are an interface: change them only with API.md and the
 * shipped alert rules (docs/zsquery-alerts.yml).
 */
#ifndef ZSQ_METRICS_H
#define ZSQ_METRICS_H

#include <stdint.h>
#include <lmdb.h>

#include "base/buf.h"
#include "query/stats.h"
#include "store/store.h"

#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/*
 * Append the page to out: the counters of s (NULL: all zero), the gauges
 * of st read in txn, ages counted at now_ms (ms since the epoch).
 */
int	metrics_render(struct buf *out, const struct stats *s,
	    const struct store *st, MDB_txn *txn, int64_t now_ms);

#endif
