/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cond.h - one q condition (API.md §5, 10): ZStack's operator parsing, the
 * typed literal, and evaluation against a stored record's compact values.
 *
 *   cond_parse()    split the text at its operator, quirks included: the
 *                   first operator of ZStack's list that occurs anywhere
 *                   wins (so "a=b!=c" is  a=b  !=  c).  400 errors only.
 *   cond_prepare()  resolve the name to a leaf (schema.h) or a tag kind
 *                   and parse the literal(s) for the leaf's type.  503
 *                   SYS.1000 / SYS.1007 errors only.
 *   cond_match()    evaluate on one record: no JSON is parsed.
 *
 * Parse-time bounds (API.md §7: a request's cost is bounded when parsed):
 * a condition longer than COND_TEXT_MAX bytes, a like pattern longer than
 * COND_LIKE_MAX or an in list of more than COND_IN_MAX items is a 400
 * from cond_parse().  Like patterns, their semantics and their cost are
 * like.h's; the bounds above and the request time limit keep the cost of
 * a pattern with `_` finite.
 *
 * Semantics: a leaf condition matches when at least one value of the leaf
 * in the record satisfies it (nested lists: "some element"); a null value
 * satisfies only `is null` (SQL).  Tags invert the negative operators:
 * `__systemTag__!=x` is "has no system tag equal to x".
 */
#ifndef ZSQ_COND_H
#define ZSQ_COND_H

#include <stddef.h>
#include <stdint.h>

#include "query/apierr.h"
#include "query/like.h"
#include "store/record.h"
#include "store/schema.h"

/* In ZStack's trial order (API.md §5); the order is part of the contract. */
enum cond_op {
	COND_NE, COND_GE, COND_LE, COND_NOT_IN, COND_NOT_LIKE, COND_LIKE,
	COND_IN, COND_EQ, COND_GT, COND_LT, COND_IS_NULL, COND_NOT_NULL,
	COND_NOPS
};

enum cond_target { COND_LEAF, COND_SYSTEM_TAG, COND_USER_TAG };

#define COND_TEXT_MAX	16384	/* bytes of one q value */
#define COND_LIKE_MAX	256	/* bytes of a like / not like pattern */
#define COND_IN_MAX	1000	/* items of an in / not in list */

struct cond_lit {
	const char	*str;		/* String: points into cond.text */
	size_t		 len;
	int64_t		 num;		/* Integer/Long/Boolean/Timestamp */
	struct like	 like;		/* like / not like: the compiled
					   pattern (like.h) */
};

struct cond {
	enum cond_op	 op;
	char		*text;		/* the whole q value, owned */
	size_t		 textlen;
	size_t		 name_off, name_len;	/* trimmed name in text */
	size_t		 value_off, value_len;	/* value in text, untrimmed */
	/* Set by cond_prepare(). */
	enum cond_target target;
	const struct leaf *leaf;	/* COND_LEAF */
	struct cond_lit	*lits;		/* one, or one per item of in/not in */
	size_t		 nlits;
};

/*
 * Parse text[0..len) into c (which must be zeroed).  ZSQ_OK, ZSQ_EINVAL
 * with err set to the API.md §5 400 text, or ZSQ_ENOMEM.
 */
int	cond_parse(struct cond *c, const char *text, size_t len,
	    struct apierr *err);
/* Build name<op>value directly (the get route: no operator search). */
int	cond_set(struct cond *c, enum cond_op op, const char *name,
	    const char *value, size_t vlen);
/* ZSQ_OK, ZSQ_EINVAL with err set (503), or ZSQ_ENOMEM. */
int	cond_prepare(struct cond *c, struct apierr *err);
/* 1 when the record data (opened as h) satisfies c, else 0. */
int	cond_match(const struct cond *c, const void *data,
	    const struct rec_head *h);
void	cond_free(struct cond *c);

/* ZStack's operator text ("!=") and QueryOp name ("not in"). */
const char *cond_op_text(enum cond_op op);
const char *cond_op_name(enum cond_op op);

/*
 * Strings compare like ZStack's MySQL collation as API.md §10 settles it:
 * ASCII A-Z folded to lower case, then unsigned bytes, shorter first.
 */
int	cond_strcmp(const char *a, size_t alen, const char *b, size_t blen);

/*
 * Parse a timestamp literal (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, a real
 * date) in the service's time zone: ZSQ_OK with *t set, or ZSQ_EINVAL.
 */
int	cond_parse_time(const char *s, size_t n, int64_t *t);

#endif
