/* SPDX-License-Identifier: Apache-2.0 */
/*
 * split.h - cut an import stream into one group's JSON bytes at a time
 * (the forms of import.h: a ZStack reply, an array, one group per line).
 *
 * The splitter reads the input in large blocks and only balances brackets
 * and strings (base/jscan.h): jansson checks everything else, per group.
 * It reads untrusted bytes, so it bounds nesting (JSCAN_DEPTH_MAX) and a
 * group's size (SPLIT_MAX_ELEM).  Memory is one block plus the largest
 * group.
 *
 * Error messages are one line: "record N: what (byte B)" inside a group,
 * "input: what (byte B)" outside one.
 */
#ifndef ZSQ_SPLIT_H
#define ZSQ_SPLIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"

#define SPLIT_MAX_ELEM	((size_t)64 << 20)

struct split {
	FILE		*in;
	unsigned char	*buf;
	size_t		 len, pos, cap;
	size_t		 mark;		/* start of the group being cut */
	uint64_t	 base;		/* input offset of buf[0] */
	int		 phase;
	int		 reply;		/* the array is a reply's inventories */
	int		 inventories;	/* the reply had them */
	int		 toobig;	/* a group passed SPLIT_MAX_ELEM */
	unsigned long	 nrec;		/* groups handed out (or counted) */
	struct buf	*err;
};

void	split_init(struct split *sp, FILE *in, struct buf *err);
/*
 * The next group: *got 1 and its bytes in *elem / *len (valid until the
 * next call), or *got 0 at the end of the input.  Errors are ZSQ_* codes
 * with one line appended to sp->err.
 */
int	split_next(struct split *sp, const char **elem, size_t *len, int *got);
/* Input bytes consumed so far. */
uint64_t split_offset(const struct split *sp);
void	split_free(struct split *sp);

/*
 * The uuid of a group's JSON object found without parsing it: the first
 * "uuid" key of the outer object, when its value is a plain string of 32
 * characters (written without escapes).  1 and out[0..32) set, else 0.
 * Only a hint: what the bytes hold is decided by parsing them.
 */
int	split_top_uuid(const char *json, size_t len, char *out);

#endif
