/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tmpfile.h - an unlinked temporary file in $TMPDIR (else /tmp).
 *
 * glibc's tmpfile(3) ignores TMPDIR and always uses /tmp; an import of a
 * million groups spools tens of GB and must go where the operator says.
 * The file has no name from the start (O_TMPFILE) where the file system
 * allows it, else it is unlinked as soon as it is made, so a killed
 * process leaves nothing behind.  Mode 0600.
 */
#ifndef ZSQ_TMPFILE_H
#define ZSQ_TMPFILE_H

#include "base/buf.h"

/*
 * The descriptor (O_RDWR, close-on-exec) into *fd; 0, or an errno with
 * "WHAT in DIR: reason" appended to err.
 */
int	tmpfile_open(const char *what, int *fd, struct buf *err);

#endif
