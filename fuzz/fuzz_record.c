/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_record.c - the stored record reader (record.h) and condition
 * evaluation on whatever record_open() accepts.
 *
 * Records are written only by our importer, but a damaged or foreign
 * store must not crash a worker: record_open() promises that after
 * ZSQ_OK every range is safe, and the iterators never read past a
 * section.  Invariants: every iterator ends (0) or reports a malformed
 * entry (-1) within the section's byte count, every pointer it hands out
 * lies inside the record, and cond_match() on the record returns 0 or 1.
 */
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "query/cond.h"
#include "store/record.h"
#include "fuzz.h"

/* Conditions covering each value kind, tags, like and in. */
static const char *const probes[] = {
	"name~=%a_b%", "uuid?=a,b,c", "instances.vm.cpuNum>=2",
	"instances.vm.allVolumes.isShareable=true",
	"createDate<2030-01-01", "__systemTag__!~=x%", "__userTag__=y",
	"description is null", "instances.status not null"
};
#define NPROBES	(sizeof(probes) / sizeof(probes[0]))

static struct cond conds[NPROBES];
static int	ready;

static void
prepare(void)
{
	struct apierr err = APIERR_INIT;
	size_t i;

	schema_init();
	for (i = 0; i < NPROBES; i++) {
		FUZZ_CHECK(cond_parse(&conds[i], probes[i], strlen(probes[i]),
		    &err) == ZSQ_OK);
		FUZZ_CHECK(cond_prepare(&conds[i], &err) == ZSQ_OK);
	}
	apierr_free(&err);
}

static int
inside(const void *p, size_t n, const uint8_t *data, size_t size)
{
	return (const uint8_t *)p >= data && n <= size &&
	    (const uint8_t *)p - data <= (ptrdiff_t)(size - n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rec_head h;
	struct rec_iter it;
	struct rec_val v;
	struct rec_schema s;
	struct rec_tagval t;
	size_t i, steps;
	int rc;

	if (!ready) {
		prepare();
		ready = 1;
	}
	if (record_open(data, size, &h) != ZSQ_OK)
		return 0;

	record_vals_begin(data, &h, &it);
	for (steps = 0; (rc = record_vals_next(&it, &v)) == 1; steps++) {
		FUZZ_CHECK(steps < h.vals.len);
		FUZZ_CHECK(v.kind != REC_STR || inside(v.str, v.len, data,
		    size));
	}
	FUZZ_CHECK(rc == 0 || rc == -1);
	record_schema_begin(data, &h, &it);
	for (steps = 0; (rc = record_schema_next(&it, &s)) == 1; steps++) {
		FUZZ_CHECK(steps < h.schema.len);
		FUZZ_CHECK(s.oc < OC_COUNT && inside(s.path, s.len, data,
		    size));
	}
	FUZZ_CHECK(rc == 0 || rc == -1);
	record_tags_begin(data, &h, &it);
	for (steps = 0; (rc = record_tags_next(&it, &t)) == 1; steps++) {
		FUZZ_CHECK(steps < h.tags.len);
		FUZZ_CHECK(inside(t.str, t.len, data, size));
	}
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (size > sizeof(h)) {
		record_vals_leaf(data, &h, data[sizeof(h)] % schema_nleaves(),
		    &it);
		FUZZ_CHECK(it.p >= data + h.vals.off &&
		    it.p <= data + h.vals.off + h.vals.len);
	}
	for (i = 0; i < NPROBES; i++) {
		rc = cond_match(&conds[i], data, &h);
		FUZZ_CHECK(rc == 0 || rc == 1);
	}
	return 0;
}
