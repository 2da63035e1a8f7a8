/* SPDX-License-Identifier: Apache-2.0 */
/* tmpfile.c - see tmpfile.h. */
#define _GNU_SOURCE	/* O_TMPFILE, mkostemp */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/tmpfile.h"

int
tmpfile_open(const char *what, int *fd, struct buf *err)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int rc;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	*fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (*fd >= 0)
		return 0;
	/* Only a file system without O_TMPFILE falls back to a name. */
	if (errno == EISDIR || errno == EOPNOTSUPP || errno == EINVAL) {
		if ((size_t)snprintf(path, sizeof(path), "%s/zsquery-XXXXXX",
		    dir) >= sizeof(path)) {
			errno = ENAMETOOLONG;
		} else if ((*fd = mkostemp(path, O_CLOEXEC)) >= 0) {
			if (unlink(path) == 0)
				return 0;
			rc = errno;
			(void)close(*fd);
			errno = rc;
		}
	}
	rc = errno;
	(void)buf_printf(err, "%s in %s: %s", what, dir, strerror(rc));
	return rc;
}
