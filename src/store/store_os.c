/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_os.c - what the system says about an open store; see
 * store_os.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/errors.h"
#include "store/store_os.h"

/* Below this much room a failed write is the disk being full. */
#define SPACE_LOW	((uint64_t)4 << 20)

int
store_space_err(const struct store *st, int rc)
{
	struct statvfs sv;

	if (rc == ENOSPC || rc == EDQUOT)
		return ENOSPC;
	if (rc != EIO && rc != ZSQ_EIO)
		return rc;
	/*
	 * LMDB turns a short write into EIO: ask the file system.  Root may
	 * write into the reserved blocks, so count what this process may.
	 */
	if (statvfs(st->dir, &sv) == 0 && (geteuid() == 0 ? sv.f_bfree :
	    sv.f_bavail) * (uint64_t)sv.f_frsize < SPACE_LOW)
		return ENOSPC;
	return rc;
}

/* Where data.mdb is mapped in this process: /proc/self/maps names it. */
static int
map_find(const struct store *st, void **map, size_t *len)
{
	char path[4200], line[4400];
	unsigned long lo, hi, ino;
	struct stat sb;
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "%s/data.mdb", st->dir);
	if (stat(path, &sb) != 0 || (f = fopen("/proc/self/maps", "r")) ==
	    NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%lx-%lx %*s %*s %*s %lu", &lo, &hi,
		    &ino) == 3 && ino == (unsigned long)sb.st_ino &&
		    strstr(line, "/data.mdb") != NULL) {
			*map = (void *)lo;
			*len = hi - lo;
			found = 1;
		}
	fclose(f);
	return found;
}

int
store_map_addr(const struct store *st, const char **base, size_t *len)
{
	void *map;

	if (!map_find(st, &map, len))
		return ZSQ_ENOTFOUND;
	*base = map;
	return ZSQ_OK;
}
