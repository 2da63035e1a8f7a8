/* SPDX-License-Identifier: Apache-2.0 */
/* errors.c - text for the shared return codes. */
#include <string.h>
#include <lmdb.h>

#include "base/errors.h"

const char *
zsq_strerror(int rc)
{
	switch (rc) {
	case ZSQ_OK:		return "success";
	case ZSQ_ENOMEM:	return "out of memory";
	case ZSQ_EINVAL:	return "invalid argument or input";
	case ZSQ_ENOTFOUND:	return "not found";
	case ZSQ_EEXIST:	return "already exists";
	case ZSQ_EIO:		return "input/output error";
	case ZSQ_ESTORE:	return "store missing or unreadable";
	case ZSQ_EVERSION:	return "store schema version or index format "
				    "not this zsquery's (zsquery-admin "
				    "upgrade rebuilds an older one)";
	case ZSQ_ETZ:		return "store rendered in another time zone";
	case ZSQ_EFULL:		return "store map is full; raise --map-size";
	case ZSQ_ETOOBIG:	return "length limit exceeded";
	case ZSQ_ETIMEOUT:	return "time limit exceeded";
	case ZSQ_ECANCELED:	return "canceled: the client went away";
	case MDB_MAP_FULL:	return "store map is full; raise --map-size";
	}
	/* mdb_strerror covers both LMDB codes and errno values. */
	return mdb_strerror(rc);
}
