/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jscan.h - skipping a JSON string, object or array without parsing it:
 * the one scanner under the importer's splitter (ingest/split.c) and the
 * sync's reply splitter (upstream/sync_page.c).
 *
 * Only structure is followed: a string ends at a '"' that no backslash
 * escapes (the byte after a backslash is passed over, whatever it is),
 * brackets must match, and every other byte inside the value is passed
 * over: a parser (jansson) checks the contents later.  The input is
 * untrusted: the brackets open at once are bounded by JSCAN_DEPTH_MAX.
 *
 * The scan resumes: a value may arrive in pieces (the importer reads
 * blocks), and struct jscan carries the state from one to the next.
 */
#ifndef ZSQ_JSCAN_H
#define ZSQ_JSCAN_H

#include <stddef.h>

#define JSCAN_DEPTH_MAX	64	/* a group nests about 10 deep */

/* Where a scan stands between two pieces (struct jscan.str). */
enum {
	JSCAN_OUT,		/* outside any string */
	JSCAN_IN_STRING,	/* inside a string */
	JSCAN_IN_ESCAPE		/* inside a string, just after a backslash */
};

/* Why a scan failed (struct jscan.fault). */
enum {
	JSCAN_DEEP = 1,		/* a bracket past JSCAN_DEPTH_MAX open ones */
	JSCAN_MISMATCH,		/* a closing bracket that was not awaited */
	JSCAN_CONTROL,		/* a byte below 0x20 in a string (strict) */
	JSCAN_NOVALUE		/* the first byte opens no string, object or
				   array: a scalar, which is the caller's */
};

struct jscan {
	char	 close[JSCAN_DEPTH_MAX];	/* the brackets awaited */
	int	 depth;
	int	 str;		/* JSCAN_OUT, _IN_STRING or _IN_ESCAPE */
	int	 strict;	/* refuse control characters in strings */
	int	 fault;		/* after ZSQ_EINVAL */
};

/*
 * Before a value.  strict: a byte below 0x20 in a string is a fault (as
 * JSON says; the importer leaves it to jansson's message).
 */
void	jscan_init(struct jscan *js, int strict);

/*
 * Scan p[*i..n) on from where the last call left off; the first byte of
 * the first call is the value's own ('"', '{' or '[').  Returns
 *   1           the value ended: *i is just past its last byte;
 *   0           the bytes ended inside it: *i == n, and js->str says
 *               whether inside a string; go on with the next bytes;
 *   ZSQ_EINVAL  js->fault says why, and *i is at the faulty byte.
 */
int	jscan_skip(struct jscan *js, const char *p, size_t n, size_t *i);

#endif
