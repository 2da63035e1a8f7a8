/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz.h - what the fuzz drivers (fuzz/fuzz_*.c) share.
 *
 * Each driver defines LLVMFuzzerTestOneInput() and is built twice: with
 * clang -fsanitize=fuzzer (fuzz/run.sh, `make fuzz`) to search for new
 * inputs, and with replay.c as main() under `make check`
 * (tests/integration/fuzz_replay.sh) to replay the committed corpus.
 *
 * A driver checks invariants of docs/API.md, not only "no crash": FUZZ_CHECK()
 * prints the broken invariant and aborts, which both libFuzzer and the
 * replay treat as a failure.
 *
 * The store helpers open real LMDB stores in a private temporary
 * directory that is removed at exit.  The sample store is built once per
 * process from $top_srcdir/tests/data/sample.json (top_srcdir defaults to
 * "."), so a driver must run with that variable set or from the source
 * tree.
 */
#ifndef ZSQ_FUZZ_H
#define ZSQ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "query/apierr.h"
#include "store/store.h"

/* The sample store's accounts and sessions (fuzz_store()). */
#define FUZZ_ACC_TENANT	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1"
#define FUZZ_SID_ADMIN	"5e55105000000000000000000000ad01"
#define FUZZ_SID_TENANT	"5e551050000000000000000000000a01"
#define FUZZ_SID_EXPIRED "5e551050000000000000000000000e01"

#define FUZZ_CHECK(c) do {						\
	if (!(c))							\
		fuzz_fail(__FILE__, __LINE__, #c);			\
} while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

void	fuzz_fail(const char *file, int line, const char *what)
	    __attribute__((noreturn));

/*
 * The shared sample store: sample.json imported as the admin's, account
 * FUZZ_ACC_TENANT with the first group shared to it, and the three
 * sessions above (admin, tenant, already expired).  Aborts on failure:
 * without it no input can be judged.
 */
struct store *fuzz_store(void);

/* A new empty store in a fresh directory under the private temp dir. */
void	fuzz_store_new(struct store *st);
/* Close st and remove its directory. */
void	fuzz_store_destroy(struct store *st);

/*
 * FNV-1a hash of every key and value of the groups, shares, index and
 * meta databases: equal before and after means the data did not change.
 */
uint64_t fuzz_store_digest(struct store *st);

/*
 * Check a whole CGI reply p[0..n) against API.md §6/7: "Status: NNN Reason",
 * header lines with a Content-Type of ours, "Allow: GET" exactly on a 405,
 * an ETag exactly on a 200 or 304, a blank line, then a body: none on a
 * 304, valid JSON for JSON replies, and for a 503 the API.md §7 error object
 * with a known code and its description.  The metrics page (API.md §12) is
 * a 200 without ETag in its own content type, text ending in a newline.
 * Returns the status.
 */
int	fuzz_check_reply(const char *p, size_t n);
/* reply_error() e into a buffer and fuzz_check_reply() it; e is set. */
void	fuzz_check_error(const struct apierr *e);

/* 1 when p[0..n) is one complete JSON value (jansson; NULs allowed). */
int	fuzz_json_valid(const char *p, size_t n);

/* Append s[0..n) percent-encoding every byte, so it decodes to itself. */
void	fuzz_urlencode(struct buf *b, const void *s, size_t n);

#endif
