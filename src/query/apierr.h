/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apierr.h - an error reply of API.md §7, built by whichever layer finds it
 * (route, auth, params, query) and written by reply_error() (reply.h).
 *
 *   text errors: status 400/404/405, code NULL, msg is the whole body
 *   JSON errors: status 503, code "ID.1001"/"SYS.1000"/"SYS.1001"/
 *                "SYS.1007", msg is the "details" text (the description
 *                follows from code)
 *
 * msg may hold client text of any length, so it is a struct buf.
 */
#ifndef ZSQ_APIERR_H
#define ZSQ_APIERR_H

#include "base/buf.h"

#define APIERR_SESSION	"ID.1001"
#define APIERR_INTERNAL	"SYS.1000"
#define APIERR_TIMEOUT	"SYS.1001"	/* ZStack's SysErrors.TIMEOUT */
#define APIERR_ARGUMENT	"SYS.1007"

struct apierr {
	int		 status;	/* 0: no error */
	const char	*code;		/* NULL for text errors */
	/*
	 * The request itself is at fault although code says otherwise:
	 * ZStack answers a sort, field or filter it does not know with
	 * SYS.1000, "internal", and so do we (the contract); the metrics
	 * count it as the client's, so that no client can fire an alert
	 * meant for the server (API.md §12).
	 */
	int		 client;
	struct buf	 msg;
};

#define APIERR_INIT { 0, NULL, 0, BUF_INIT }

/* Both return ZSQ_EINVAL (the error is set) or ZSQ_ENOMEM. */
int	apierr_text(struct apierr *e, int status, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
int	apierr_json(struct apierr *e, const char *code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* apierr_json(e, APIERR_INTERNAL, ...) that the request caused (client). */
int	apierr_query(struct apierr *e, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* The description API.md §7 gives for a code. */
const char *apierr_description(const char *code);
void	apierr_reset(struct apierr *e);
void	apierr_free(struct apierr *e);

#endif
