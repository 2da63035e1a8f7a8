/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_render.c - records built from tests/data/sample.json: the JSON
 * against golden files, field ranges, schema entries, compact values, tags
 * and validation.  The golden files were made by tests/tools/render_ref.py,
 * a model of API.md §6/8 that reads the field order from ZStack's
 * original contract (SPEC.md section 8, the same order as API.md §8),
 * not from this code, and were read over by hand.
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/errors.h"
#include "base/hash.h"
#include "ingest/render.h"
#include "store/record.h"
#include "store/schema.h"
#include "t.h"

#define OWNER	"0123456789abcdef0123456789abcdef"
#define MAXV	64

static json_t *sample;

static void
zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static const char *
srcdir(void)
{
	const char *d = getenv("top_srcdir");

	return d ? d : ".";
}

static json_t *
group_at(size_t i)
{
	return json_array_get(json_object_get(sample, "inventories"), i);
}

/* Read a golden file; one trailing newline is not part of the bytes. */
static int
golden(const char *name, struct buf *out)
{
	char path[4096];
	char chunk[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/data/golden/%s", srcdir(), name);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	buf_reset(out);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(out, chunk, n);
	fclose(f);
	if (out->len > 0 && out->data[out->len - 1] == '\n')
		out->len--;
	return 0;
}

/* Render sample group i and compare its JSON with a golden file. */
static void
check_golden(size_t i, const char *name)
{
	struct buf rec = BUF_INIT, err = BUF_INIT, want = BUF_INIT;
	struct rec_head h;

	CHECK(golden(name, &want) == 0);
	CHECK(render_group(group_at(i), OWNER, &rec, &err) == ZSQ_OK);
	CHECK(record_open(rec.data, rec.len, &h) == ZSQ_OK);
	if (want.data == NULL)
		buf_puts(&want, "(missing golden)");
	want.data[want.len] = '\0';
	if (h.json.len != want.len ||
	    memcmp(rec.data + h.json.off, want.data, want.len) != 0)
		fprintf(stderr, "golden %s differs:\n", name);
	CHECK_MEM(rec.data + h.json.off, h.json.len, want.data);
	buf_free(&rec);
	buf_free(&err);
	buf_free(&want);
}

/* Every value of a leaf, in record order. */
static size_t
leaf_vals(const struct buf *rec, const char *path, struct rec_val *out)
{
	const struct leaf *l;
	struct rec_head h;
	struct rec_iter it;
	struct rec_val v;
	size_t n = 0;

	if (schema_leaf_lookup(path, strlen(path), &l) != SCHEMA_FOUND ||
	    record_open(rec->data, rec->len, &h) != ZSQ_OK)
		return (size_t)-1;
	record_vals_begin(rec->data, &h, &it);
	while (record_vals_next(&it, &v) == 1)
		if (v.leaf == l->id && n < MAXV)
			out[n++] = v;
	return n;
}

/*
 * The record's structure: the JSON is exactly "{" + present field
 * segments and the extra range joined by "," + "}", each segment starts
 * with its quoted name; values sorted by leaf; hash over json + tags.
 */
static void
check_layout(const struct buf *rec)
{
	const struct objclass *g = schema_class(OC_GROUP);
	struct buf join = BUF_INIT, name = BUF_INIT;
	struct rec_head h;
	struct rec_iter it;
	struct rec_val v;
	unsigned i, last = 0;
	int r;

	CHECK(record_open(rec->data, rec->len, &h) == ZSQ_OK);
	CHECK(h.size == rec->len);
	CHECK(memcmp(h.owner, OWNER, 32) == 0);
	buf_putc(&join, '{');
	for (i = 0; i < SCHEMA_GROUP_FIELDS; i++) {
		if (h.field[i].len == 0)
			continue;
		buf_reset(&name);
		buf_printf(&name, "\"%s\":", g->fields[i].name);
		CHECK(h.field[i].len > name.len &&
		    memcmp(rec->data + h.field[i].off, name.data,
		    name.len) == 0);
		if (join.len > 1)
			buf_putc(&join, ',');
		buf_append(&join, rec->data + h.field[i].off, h.field[i].len);
	}
	if (h.extra.len > 0) {
		buf_putc(&join, ',');
		buf_append(&join, rec->data + h.extra.off, h.extra.len);
	}
	buf_putc(&join, '}');
	CHECK(join.len == h.json.len &&
	    memcmp(join.data, rec->data + h.json.off, join.len) == 0);
	record_vals_begin(rec->data, &h, &it);
	while ((r = record_vals_next(&it, &v)) == 1) {
		CHECK(v.leaf >= last);
		last = v.leaf;
	}
	CHECK(r == 0);
	CHECK(h.hash == hash_fnv1a(hash_fnv1a(HASH_FNV1A_INIT,
	    rec->data + h.json.off, h.json.len), rec->data + h.tags.off,
	    h.tags.len));
	buf_free(&join);
	buf_free(&name);
}

/* Schema entries of rec against want[] (top, class, path), n of them. */
struct want_ent {
	unsigned	 top;
	enum oclass	 oc;
	const char	*path;
};

static void
check_schema(const struct buf *rec, const struct want_ent *want, size_t n)
{
	struct rec_head h;
	struct rec_iter it;
	struct rec_schema s;
	size_t i = 0;

	CHECK(record_open(rec->data, rec->len, &h) == ZSQ_OK);
	CHECK(h.nschema == n);
	record_schema_begin(rec->data, &h, &it);
	while (record_schema_next(&it, &s) == 1) {
		CHECK(i < n);
		if (i >= n)
			break;
		CHECK(s.top == want[i].top);
		CHECK(s.oc == want[i].oc);
		CHECK_MEM(s.path, s.len, want[i].path);
		i++;
	}
	CHECK(i == n);
}

static void
test_goldens(void)
{
	static const char *const names[] = {
		"render_qwen_shanghai.json", "render_llama_shanghai.json",
		"render_bge_shanghai.json", "render_sdxl_shanghai.json",
		"render_whisper_shanghai.json", "render_tongyi_shanghai.json",
		"render_mixtral_shanghai.json",
	};
	size_t i;

	zone("Asia/Shanghai");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		check_golden(i, names[i]);
	zone("UTC");
	check_golden(0, "render_qwen_utc.json");
	check_golden(1, "render_llama_utc.json");
}

static void
test_structure(void)
{
	/*
	 * By the API.md §6 rule for group 0: post-order is usedIps[0],
	 * vmNics[0], allVolumes[0], allVolumes[1], vmCdRoms[0], vm,
	 * instances[0], instances[1], group; reversed below.
	 */
	static const struct want_ent qwen[] = {
		{ REC_TOP_SELF, OC_GROUP, "" },
		{ 3, OC_INSTANCE, ".instances[1]" },
		{ 3, OC_INSTANCE, ".instances[0]" },
		{ 3, OC_VM, ".instances[0].vm" },
		{ 3, OC_CDROM, ".instances[0].vm.vmCdRoms[0]" },
		{ 3, OC_VOLUME, ".instances[0].vm.allVolumes[1]" },
		{ 3, OC_VOLUME, ".instances[0].vm.allVolumes[0]" },
		{ 3, OC_NIC, ".instances[0].vm.vmNics[0]" },
		{ 3, OC_USEDIP, ".instances[0].vm.vmNics[0].usedIps[0]" },
	};
	static const struct want_ent llama[] = {
		{ REC_TOP_SELF, OC_GROUP, "" },
		{ 3, OC_INSTANCE, ".instances[0]" },
		{ 3, OC_VM, ".instances[0].vm" },
		{ 3, OC_NIC, ".instances[0].vm.vmNics[1]" },
		{ 3, OC_NIC, ".instances[0].vm.vmNics[0]" },
		{ 3, OC_USEDIP, ".instances[0].vm.vmNics[0].usedIps[1]" },
		{ 3, OC_USEDIP, ".instances[0].vm.vmNics[0].usedIps[0]" },
	};
	static const struct want_ent group_only[] = {
		{ REC_TOP_SELF, OC_GROUP, "" },
	};
	struct buf rec = BUF_INIT, err = BUF_INIT;
	struct rec_val v[MAXV];
	struct rec_head h;
	struct rec_iter it;
	struct rec_tagval t;
	size_t i;

	zone("Asia/Shanghai");
	for (i = 0; i < 7; i++) {
		CHECK(render_group(group_at(i), OWNER, &rec, &err) == ZSQ_OK);
		check_layout(&rec);
	}

	CHECK(render_group(group_at(0), OWNER, &rec, &err) == ZSQ_OK);
	check_schema(&rec, qwen, sizeof(qwen) / sizeof(qwen[0]));
	CHECK(record_open(rec.data, rec.len, &h) == ZSQ_OK);
	CHECK(h.field[12].len == 0 && h.field[14].len == 0);	/* yaml */
	CHECK(h.extra.len == 0);
	CHECK_MEM(rec.data + h.field[4].off, h.field[4].len,
	    "\"datasetRefInventories\":[]");
	CHECK_MEM(rec.data + h.field[13].off, h.field[13].len,
	    "\"supportMetrics\":[\"gpu_util\",\"tokens_per_second\"]");
	/* Values of existing objects only, nulls for null/absent fields. */
	CHECK(leaf_vals(&rec, "instances.status", v) == 2);
	CHECK(v[0].kind == REC_STR && v[1].kind == REC_STR);
	CHECK_MEM(v[0].str, v[0].len, "Running");
	CHECK_MEM(v[1].str, v[1].len, "Stopped");
	CHECK(leaf_vals(&rec, "instances.yaml", v) == 2);
	CHECK(v[0].kind == REC_STR && v[1].kind == REC_NULL);
	CHECK(leaf_vals(&rec, "instances.vm.uuid", v) == 1);
	CHECK(leaf_vals(&rec, "instances.vm.cpuNum", v) == 1);
	CHECK(v[0].kind == REC_INT && v[0].num == 8);
	CHECK(leaf_vals(&rec, "instances.vm.memorySize", v) == 1);
	CHECK(v[0].kind == REC_INT && v[0].num == 34359738368LL);
	CHECK(leaf_vals(&rec, "instances.vm.description", v) == 1);
	CHECK(v[0].kind == REC_NULL);
	CHECK(leaf_vals(&rec, "instances.vm.allVolumes.isShareable", v) == 2);
	CHECK(v[0].kind == REC_BOOL && v[0].num == 0);
	CHECK(v[1].kind == REC_BOOL && v[1].num == 1);
	/* "Nov 1, 2017 9:05:07 AM" in Shanghai is 01:05:07 UTC. */
	CHECK(leaf_vals(&rec, "instances.vm.allVolumes.lastDetachDate", v) ==
	    2);
	CHECK(v[0].kind == REC_NULL);
	CHECK(v[1].kind == REC_TIME && v[1].num == 1509498307);
	/* 1510669257000 ms, and "2017-11-14T14:21:00Z". */
	CHECK(leaf_vals(&rec, "instances.vm.allVolumes.createDate", v) == 2);
	CHECK(v[1].kind == REC_TIME && v[1].num == 1510669257);
	CHECK(leaf_vals(&rec, "instances.vm.allVolumes.lastOpDate", v) == 2);
	CHECK(v[1].kind == REC_TIME && v[1].num == 1510669260);
	CHECK(leaf_vals(&rec, "instances.vm.vmNics.usedIps.ipInLong", v) == 1);
	CHECK(v[0].kind == REC_INT && v[0].num == 2887060255LL);
	CHECK(leaf_vals(&rec, "instances.nodeRank", v) == 2);
	CHECK(v[0].num == 0 && v[1].num == 1);
	CHECK(leaf_vals(&rec, "datasetRefInventories.uuid", v) == 0);
	CHECK(leaf_vals(&rec, "exportPath", v) == 1);
	CHECK(v[0].kind == REC_NULL);
	record_tags_begin(rec.data, &h, &it);
	CHECK(record_tags_next(&it, &t) == 1);
	CHECK(t.kind == REC_TAG_SYSTEM);
	CHECK_MEM(t.str, t.len, "priority::high");
	CHECK(record_tags_next(&it, &t) == 1);
	CHECK(t.kind == REC_TAG_SYSTEM);
	CHECK_MEM(t.str, t.len, "gpu::A100");
	CHECK(record_tags_next(&it, &t) == 1);
	CHECK(t.kind == REC_TAG_USER);
	CHECK_MEM(t.str, t.len, "team-nlp");
	CHECK(record_tags_next(&it, &t) == 0);

	/* Group 1: unknown fields, raw strings, epoch ms. */
	CHECK(render_group(group_at(1), OWNER, &rec, &err) == ZSQ_OK);
	check_schema(&rec, llama, sizeof(llama) / sizeof(llama[0]));
	CHECK(record_open(rec.data, rec.len, &h) == ZSQ_OK);
	CHECK_MEM(rec.data + h.extra.off, h.extra.len,
	    "\"quotaPolicy\":{\"maxReplicas\":4,\"note\":\"\\u003cx\\u003e\"}");
	CHECK(h.field[4].len == 0);
	CHECK(leaf_vals(&rec, "name", v) == 1);
	CHECK_MEM(v[0].str, v[0].len, "llama <beta> & 'test'=1");
	CHECK(leaf_vals(&rec, "description", v) == 1);
	CHECK_MEM(v[0].str, v[0].len,
	    "测试模型\x01 line1\nline2\t\"quoted\" back\\slash");
	CHECK(leaf_vals(&rec, "createDate", v) == 1);
	CHECK(v[0].kind == REC_TIME && v[0].num == 1700000000);
	CHECK(leaf_vals(&rec, "instances.vm.vmNics.usedIps.ip", v) == 2);
	CHECK_MEM(v[0].str, v[0].len, "192.168.1.10");
	CHECK_MEM(v[1].str, v[1].len, "fd00::a");
	CHECK(leaf_vals(&rec, "instances.vm.vmNics.ip", v) == 2);
	CHECK(leaf_vals(&rec, "instances.vm.allVolumes.uuid", v) == 0);
	record_tags_begin(rec.data, &h, &it);
	CHECK(record_tags_next(&it, &t) == 1);
	CHECK(t.kind == REC_TAG_SYSTEM);
	CHECK(record_tags_next(&it, &t) == 0);

	/* Group 2: empty instances, no objects below the group. */
	CHECK(render_group(group_at(2), OWNER, &rec, &err) == ZSQ_OK);
	check_schema(&rec, group_only, 1);
	CHECK(leaf_vals(&rec, "instances.uuid", v) == 0);

	/* Group 3: datasetRefInventories get values but no schema entry. */
	CHECK(render_group(group_at(3), OWNER, &rec, &err) == ZSQ_OK);
	check_schema(&rec, group_only, 1);
	CHECK(record_open(rec.data, rec.len, &h) == ZSQ_OK);
	CHECK(h.field[3].len == 0);
	CHECK(leaf_vals(&rec, "datasetRefInventories.createDate", v) == 2);
	CHECK(v[0].kind == REC_TIME && v[1].kind == REC_NULL);
	CHECK(leaf_vals(&rec, "instances.uuid", v) == 0);
	buf_free(&rec);
	buf_free(&err);
}

/* Render a group given as JSON text. */
static int
render_text(const char *text, struct buf *rec, struct buf *err)
{
	json_t *g;
	int rc;

	g = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (g == NULL) {
		fprintf(stderr, "bad test JSON: %s\n", text);
		return -1;
	}
	buf_reset(err);
	rc = render_group(g, OWNER, rec, err);
	json_decref(g);
	return rc;
}

static void
rendered(const char *text, const char *want)
{
	struct buf rec = BUF_INIT, err = BUF_INIT;
	struct rec_head h;

	CHECK(render_text(text, &rec, &err) == ZSQ_OK);
	CHECK(record_open(rec.data, rec.len, &h) == ZSQ_OK);
	CHECK_MEM(rec.data + h.json.off, h.json.len, want);
	check_layout(&rec);
	buf_free(&rec);
	buf_free(&err);
}

static void
rejected(const char *text, const char *want)
{
	struct buf rec = BUF_INIT, err = BUF_INIT;

	CHECK(render_text(text, &rec, &err) == ZSQ_EINVAL);
	CHECK_MEM(err.data ? err.data : "", err.len, want);
	buf_free(&rec);
	buf_free(&err);
}

#define U	"\"uuid\":\"00112233445566778899aabbccddeeff\""
#define INST(x)	"{" U ",\"instances\":[{},{\"vm\":{" x "}}]}"
#define IP(x)	"{" U ",\"instances\":[{\"vm\":{\"vmNics\":[{\"usedIps\":[{" \
		x "}]}]}}]}"

static void
test_rendering_rules(void)
{
	zone("UTC");
	/* Nulls mean absent; known fields first, in section 8 order. */
	rendered("{\"name\":null,\"instances\":null,\"vm\":null," U
	    ",\"description\":\"d\",\"createDate\":null}",
	    "{" U ",\"description\":\"d\"}");
	/* Unknown fields after the known ones, in import order. */
	rendered("{\"zz\":[1,null,{\"a\":null,\"b\":true}],\"aa\":null,"
	    "\"name\":\"n\"," U ",\"r\":1.5,\"s\":\"<\"}",
	    "{" U ",\"name\":\"n\",\"zz\":[1,null,{\"b\":true}],\"r\":1.5,"
	    "\"s\":\"\\u003c\"}");
	/* Unknown fields in nested objects too; unknown-only objects. */
	rendered("{" U ",\"instances\":[{\"new\":{\"x\":[]},\"uuid\":\"i\"}]}",
	    "{" U ",\"instances\":[{\"uuid\":\"i\",\"new\":{\"x\":[]}}]}");
	/* Epoch milliseconds floor to the second, also before 1970. */
	rendered("{" U ",\"createDate\":-1,\"lastOpDate\":999}",
	    "{" U ",\"createDate\":\"Dec 31, 1969 11:59:59 PM\","
	    "\"lastOpDate\":\"Jan 1, 1970 12:00:00 AM\"}");
	/* Bytes as signed; urlMaps keep order and drop nulls. */
	rendered(IP("\"ipInBinary\":[0,127,128,255,-128,-1]"),
	    "{" U ",\"instances\":[{\"vm\":{\"vmNics\":[{\"usedIps\":[{"
	    "\"ipInBinary\":[0,127,-128,-1,-128,-1]}]}]}}]}");
	rendered("{" U ",\"instances\":[{\"urlMaps\":{\"z\":\"1\",\"a\":null,"
	    "\"b\":\"=\"}}]}",
	    "{" U ",\"instances\":[{\"urlMaps\":{\"z\":\"1\",\"b\":"
	    "\"\\u003d\"}}]}");
	/* Integer bounds. */
	rendered(INST("\"cpuNum\":-2147483648,\"memorySize\":"
	    "9223372036854775807"),
	    "{" U ",\"instances\":[{},{\"vm\":{\"memorySize\":"
	    "9223372036854775807,\"cpuNum\":-2147483648}}]}");
	/* A NUL inside a string (JSON_ALLOW_NUL) is escaped, not a cut. */
	rendered("{" U ",\"name\":\"a\\u0000b\"}",
	    "{" U ",\"name\":\"a\\u0000b\"}");
	/* Tags are not rendered. */
	rendered("{" U ",\"systemTags\":[\"a\"],\"userTags\":null}", "{" U "}");
}

static void
test_errors(void)
{
	zone("UTC");
	rejected("5", "not a JSON object");
	rejected("[]", "not a JSON object");
	rejected("{}", "field 'uuid': missing");
	rejected("{\"uuid\":null}", "field 'uuid': missing");
	rejected("{\"uuid\":\"00112233445566778899aabbccddeef\"}",
	    "field 'uuid': expected 32 lowercase hex characters");
	rejected("{\"uuid\":\"00112233445566778899AABBCCDDEEFF\"}",
	    "field 'uuid': expected 32 lowercase hex characters");
	rejected("{\"uuid\":\"00112233-4455-6677-8899-aabbccddeeff\"}",
	    "field 'uuid': expected 32 lowercase hex characters");
	rejected("{\"uuid\":5}",
	    "field 'uuid': expected 32 lowercase hex characters");
	rejected("{" U ",\"name\":5}", "field 'name': expected a string");
	rejected("{" U ",\"name\":[\"x\"]}", "field 'name': expected a string");
	rejected("{" U ",\"instances\":{}}",
	    "field 'instances': expected a list of objects");
	rejected("{" U ",\"instances\":[{},5]}",
	    "field 'instances': element 1: expected an object");
	rejected("{" U ",\"instances\":[{\"vm\":[]}]}",
	    "field 'instances[0].vm': expected an object");
	rejected(INST("\"cpuNum\":\"8\""),
	    "field 'instances[1].vm.cpuNum': expected an integer");
	rejected(INST("\"cpuNum\":8.0"),
	    "field 'instances[1].vm.cpuNum': expected an integer");
	rejected(INST("\"cpuNum\":2147483648"),
	    "field 'instances[1].vm.cpuNum': integer out of range (32 bits)");
	rejected(INST("\"memorySize\":true"),
	    "field 'instances[1].vm.memorySize': expected an integer");
	rejected(INST("\"allVolumes\":[{},{\"isShareable\":\"true\"}]"),
	    "field 'instances[1].vm.allVolumes[1].isShareable': "
	    "expected true or false");
	rejected(INST("\"vmCdRoms\":[{\"deviceId\":null},{\"createDate\":"
	    "\"Feb 30, 2024 1:00:00 AM\"}]"),
	    "field 'instances[1].vm.vmCdRoms[1].createDate': not a valid "
	    "date: 'Feb 30, 2024 1:00:00 AM'");
	rejected("{" U ",\"createDate\":true}",
	    "field 'createDate': expected a date (string or epoch "
	    "milliseconds)");
	rejected("{" U ",\"lastOpDate\":\"\\u0001aaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
	    "field 'lastOpDate': not a valid date: "
	    "'?aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'");
	rejected(IP("\"ipInBinary\":[1,256]"),
	    "field 'instances[0].vm.vmNics[0].usedIps[0].ipInBinary': "
	    "expected an array of bytes (-128..255)");
	rejected(IP("\"ipInBinary\":[-129]"),
	    "field 'instances[0].vm.vmNics[0].usedIps[0].ipInBinary': "
	    "expected an array of bytes (-128..255)");
	rejected(IP("\"ipInBinary\":\"wKgBCg==\""),
	    "field 'instances[0].vm.vmNics[0].usedIps[0].ipInBinary': "
	    "expected an array of bytes");
	rejected(IP("\"ipInLong\":\"1\""),
	    "field 'instances[0].vm.vmNics[0].usedIps[0].ipInLong': "
	    "expected an integer");
	rejected("{" U ",\"instances\":[{\"urlMaps\":{\"a\":1}}]}",
	    "field 'instances[0].urlMaps': expected an object of strings");
	rejected("{" U ",\"instances\":[{\"urlMaps\":[]}]}",
	    "field 'instances[0].urlMaps': expected an object of strings");
	rejected("{" U ",\"supportMetrics\":[\"a\",1]}",
	    "field 'supportMetrics': expected a list of strings");
	rejected("{" U ",\"supportMetrics\":\"a\"}",
	    "field 'supportMetrics': expected a list of strings");
	rejected("{" U ",\"systemTags\":\"a\"}",
	    "field 'systemTags': expected a list of strings");
	rejected("{" U ",\"userTags\":[null]}",
	    "field 'userTags': expected a list of strings");
	rejected("{" U ",\"datasetRefInventories\":[{\"createDate\":\"no\"}]}",
	    "field 'datasetRefInventories[0].createDate': not a valid date: "
	    "'no'");
}

int
main(void)
{
	char path[4096];
	json_error_t je;

	schema_init();
	snprintf(path, sizeof(path), "%s/tests/data/sample.json", srcdir());
	sample = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	CHECK(sample != NULL);
	if (sample == NULL) {
		fprintf(stderr, "%s: %s\n", path, je.text);
		return t_done();
	}
	test_goldens();
	test_structure();
	test_rendering_rules();
	test_errors();
	json_decref(sample);
	return t_done();
}
