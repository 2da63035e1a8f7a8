/*
 * fuzz_params.c - the whole list query string (SPEC 4, 10): query_parse()
 * then query_prepare() on the input bytes as they would follow '?'.
 *
 * Invariants: parsing fails only with a 400 text error starting
 * "Invalid query parameter."; a parsed limit and start are within 0 and
 * 2^31-1; preparing fails only with a 503 SYS.1000/SYS.1007 whose reply is
 * the SPEC 7 JSON object; a prepared sort names a real leaf.
 */
#include <string.h>

#include "errors.h"
#include "fuzz.h"
#include "query.h"
#include "schema.h"

#define INVALID_PARAM	"Invalid query parameter."

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct apierr err = APIERR_INIT;
	struct query q;
	int rc;

	schema_init();
	query_init(&q);
	rc = query_parse(&q, (const char *)data, size, &err);
	FUZZ_CHECK(rc == ZSQ_OK || rc == ZSQ_EINVAL);
	if (rc == ZSQ_EINVAL) {
		FUZZ_CHECK(err.status == 400 && err.code == NULL);
		FUZZ_CHECK(err.msg.len >= strlen(INVALID_PARAM) &&
		    memcmp(err.msg.data, INVALID_PARAM,
		    strlen(INVALID_PARAM)) == 0);
		fuzz_check_error(&err);
		goto done;
	}
	FUZZ_CHECK(err.status == 0);
	FUZZ_CHECK(q.limit >= 0 && q.limit <= INT32_MAX);
	FUZZ_CHECK(q.start >= 0 && q.start <= INT32_MAX);
	FUZZ_CHECK(q.nconds <= q.capconds);

	rc = query_prepare(&q, &err);
	FUZZ_CHECK(rc == ZSQ_OK || rc == ZSQ_EINVAL);
	if (rc == ZSQ_EINVAL) {
		FUZZ_CHECK(err.status == 503 && err.code != NULL &&
		    (strcmp(err.code, APIERR_INTERNAL) == 0 ||
		    strcmp(err.code, APIERR_ARGUMENT) == 0));
		fuzz_check_error(&err);
		goto done;
	}
	FUZZ_CHECK(q.sort_leaf == -1 ||
	    (unsigned)q.sort_leaf < schema_nleaves());
	FUZZ_CHECK(q.fields_mask < (1U << SCHEMA_GROUP_FIELDS));
done:
	query_free(&q);
	apierr_free(&err);
	return 0;
}
