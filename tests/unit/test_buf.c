/* SPDX-License-Identifier: Apache-2.0 */
/* test_buf.c - the growable buffer. */
#include <stdlib.h>

#include "base/buf.h"
#include "base/errors.h"
#include "t.h"

int
main(void)
{
	struct buf b = BUF_INIT;
	char big[5000];
	size_t i;

	CHECK(b.len == 0 && b.data == NULL);
	CHECK(buf_puts(&b, "abc") == ZSQ_OK);
	CHECK_MEM(b.data, b.len, "abc");
	CHECK(b.data[b.len] == '\0');
	CHECK(buf_putc(&b, 'd') == ZSQ_OK);
	CHECK(buf_printf(&b, "-%d-%s", 42, "x") == ZSQ_OK);
	CHECK_STR(b.data, "abcd-42-x");
	/* Embedded NULs are content, not terminators. */
	CHECK(buf_append(&b, "\0z", 2) == ZSQ_OK);
	CHECK(b.len == 11 && b.data[9] == '\0' && b.data[10] == 'z');
	buf_reset(&b);
	CHECK(b.len == 0 && b.data[0] == '\0' && b.cap > 0);
	/* Growth across many doublings keeps every byte. */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	for (i = 0; i < 20; i++)
		CHECK(buf_append(&b, big, sizeof(big)) == ZSQ_OK);
	CHECK(b.len == 20 * sizeof(big));
	CHECK(memcmp(b.data + 19 * sizeof(big), big, sizeof(big)) == 0);
	/* A request that cannot be satisfied fails and keeps the content. */
	CHECK(buf_reserve(&b, (size_t)-1) == ZSQ_ENOMEM);
	CHECK(b.len == 20 * sizeof(big));
	buf_free(&b);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
	CHECK(buf_puts(&b, "again") == ZSQ_OK);
	CHECK_STR(b.data, "again");
	buf_free(&b);
	return t_done();
}
