/* SPDX-License-Identifier: Apache-2.0 */
/*
 * errors.h - the return codes every zsquery module shares.
 *
 * Contract: functions return ZSQ_OK (0) on success and one of the codes
 * below otherwise.  The codes start at 10000, clear of errno values (small
 * positive) and LMDB's (around -30790), so a function may pass an errno or
 * an LMDB code through unchanged; zsq_strerror() knows all three.
 */
#ifndef ZSQ_ERRORS_H
#define ZSQ_ERRORS_H

enum {
	ZSQ_OK = 0,
	ZSQ_ENOMEM = 10000, /* allocation failed */
	ZSQ_EINVAL,	/* bad argument or malformed input */
	ZSQ_ENOTFOUND,	/* no such record */
	ZSQ_EEXIST,	/* record exists already */
	ZSQ_EIO,	/* read/write/socket failure; see errno */
	ZSQ_ESTORE,	/* store missing, unreadable or corrupt */
	ZSQ_EVERSION,	/* store written by a newer (or unknown) schema version */
	ZSQ_ETZ,	/* store rendered in another time zone */
	ZSQ_EFULL,	/* LMDB map full: raise --map-size */
	ZSQ_ETOOBIG,	/* a bounded length was exceeded */
	ZSQ_ETIMEOUT,	/* a request ran past its time limit */
	ZSQ_ECANCELED	/* the work was stopped: its client went away */
};

/* Text for a ZSQ_* code or an LMDB/errno code; never NULL. */
const char *zsq_strerror(int rc);

#endif
