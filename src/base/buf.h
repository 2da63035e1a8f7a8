/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buf.h - a small growable byte buffer (in the spirit of redis' sds).
 *
 * Contract: a zeroed struct buf (BUF_INIT) is an empty buffer.  data is
 * always NUL-terminated once anything was appended (the NUL is not counted
 * in len), so buf.data can be handed to C string functions when the content
 * has no NUL of its own.  Appends return ZSQ_OK or ZSQ_ENOMEM; on failure
 * the buffer keeps its previous content.  buf_free() releases memory and
 * leaves an empty buffer that may be reused.
 */
#ifndef ZSQ_BUF_H
#define ZSQ_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

#define BUF_INIT { NULL, 0, 0 }

int	buf_reserve(struct buf *b, size_t extra);
int	buf_append(struct buf *b, const void *p, size_t n);
int	buf_puts(struct buf *b, const char *s);
int	buf_putc(struct buf *b, int c);
int	buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void	buf_reset(struct buf *b);	/* len = 0, keeps memory */
void	buf_free(struct buf *b);

#endif
