/* SPDX-License-Identifier: Apache-2.0 */
/* test_schema.c - the API.md §8 tables and leaf lookup. */
#include "store/schema.h"
#include "t.h"

static enum schema_lookup
lookup(const char *path, const struct leaf **l)
{
	return schema_leaf_lookup(path, strlen(path), l);
}

int
main(void)
{
	const struct objclass *g;
	const struct leaf *l = NULL;
	unsigned i, j;

	schema_init();
	schema_init();	/* idempotent */
	g = schema_class(OC_GROUP);
	CHECK(g->nfields == SCHEMA_GROUP_FIELDS);
	/* Section 8 order is the rendering order. */
	CHECK_STR(g->fields[0].name, "uuid");
	CHECK_STR(g->fields[3].name, "instances");
	CHECK_STR(g->fields[4].name, "datasetRefInventories");
	CHECK_STR(g->fields[14].name, "exportPath");
	CHECK_STR(schema_class(OC_INSTANCE)->fields[15].name, "vm");
	CHECK_STR(schema_class(OC_VM)->fields[26].name, "guestOsType");
	CHECK_STR(schema_class(OC_VOLUME)->fields[22].name, "protocol");
	CHECK(schema_class(OC_DATASETREF)->java == NULL);
	CHECK_STR(schema_class(OC_USEDIP)->java,
	    "org.zstack.header.network.l3.UsedIpInventory");
	CHECK(schema_class(OC_COUNT) == NULL);

	CHECK(lookup("uuid", &l) == SCHEMA_FOUND && l->depth == 0 &&
	    l->type == FT_STRING && l->id == 0);
	CHECK(lookup("createDate", &l) == SCHEMA_FOUND &&
	    l->type == FT_TIMESTAMP);
	CHECK(lookup("instances.vm.vmNics.usedIps.ip", &l) == SCHEMA_FOUND &&
	    l->depth == 4 && l->owner == OC_USEDIP && l->type == FT_STRING);
	CHECK_STR(l->path, "instances.vm.vmNics.usedIps.ip");
	CHECK(lookup("instances.vm.allVolumes.isShareable", &l) ==
	    SCHEMA_FOUND && l->type == FT_BOOL);
	CHECK(lookup("instances.nodeRank", &l) == SCHEMA_FOUND &&
	    l->type == FT_INT);
	CHECK(lookup("instances.vm.memorySize", &l) == SCHEMA_FOUND &&
	    l->type == FT_LONG);
	CHECK(lookup("datasetRefInventories.datasetUuid", &l) == SCHEMA_FOUND);
	/* Lists, maps, objects, byte[] and string lists are not leaves. */
	CHECK(lookup("instances", &l) == SCHEMA_NOT_LEAF);
	CHECK(lookup("instances.vm", &l) == SCHEMA_NOT_LEAF);
	CHECK(lookup("instances.urlMaps", &l) == SCHEMA_NOT_LEAF);
	CHECK(lookup("supportMetrics", &l) == SCHEMA_NOT_LEAF);
	CHECK(lookup("instances.vm.vmNics.usedIps.ipInBinary", &l) ==
	    SCHEMA_NOT_LEAF);
	/* Unknown names, bad dots, case sensitivity. */
	CHECK(lookup("UUID", &l) == SCHEMA_UNKNOWN);
	CHECK(lookup("", &l) == SCHEMA_UNKNOWN);
	CHECK(lookup("uuid.", &l) == SCHEMA_UNKNOWN);
	CHECK(lookup(".uuid", &l) == SCHEMA_UNKNOWN);
	CHECK(lookup("name.x", &l) == SCHEMA_UNKNOWN);
	CHECK(lookup("instances..uuid", &l) == SCHEMA_UNKNOWN);
	CHECK(lookup("instances.urlMaps.x", &l) == SCHEMA_UNKNOWN);
	CHECK(lookup("instances.vm.vmNics.usedIps.ip.x", &l) ==
	    SCHEMA_UNKNOWN);
	CHECK(lookup("foo", &l) == SCHEMA_UNKNOWN);
	/* Every leaf resolves to itself and ids are unique and dense. */
	CHECK(schema_nleaves() > 100);
	for (i = 0; i < schema_nleaves(); i++) {
		const struct leaf *a = schema_leaf(i), *b = NULL;

		CHECK(a->id == i);
		CHECK(lookup(a->path, &b) == SCHEMA_FOUND && b == a);
		for (j = 0; j < i; j++)
			if (strcmp(schema_leaf(j)->path, a->path) == 0)
				CHECK(!"duplicate leaf path");
	}
	CHECK(schema_leaf(schema_nleaves()) == NULL);
	return t_done();
}
