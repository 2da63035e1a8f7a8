/* SPDX-License-Identifier: Apache-2.0 */
/*
 * schema.c - the field tables of API.md section 8 and the leaf index built
 * from them.  See schema.h.
 */
#include <string.h>

#include "store/schema.h"

#define S(n)		{ n, FT_STRING, OC_GROUP }
#define I(n)		{ n, FT_INT, OC_GROUP }
#define L(n)		{ n, FT_LONG, OC_GROUP }
#define B(n)		{ n, FT_BOOL, OC_GROUP }
#define T(n)		{ n, FT_TIMESTAMP, OC_GROUP }
#define LIST(n, c)	{ n, FT_LIST, c }
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct field group_fields[] = {
	S("uuid"), S("modelServiceUuid"), S("modelUuid"),
	LIST("instances", OC_INSTANCE),
	LIST("datasetRefInventories", OC_DATASETREF),
	S("status"), S("modelServiceType"), S("type"), S("name"),
	S("description"), T("createDate"), T("lastOpDate"), S("yaml"),
	{ "supportMetrics", FT_STRLIST, OC_GROUP }, S("exportPath"),
};

static const struct field instance_fields[] = {
	S("uuid"), S("name"), S("modelServiceGroupUuid"), S("yaml"),
	S("k8sResourceYaml"), S("status"), S("url"),
	{ "urlMaps", FT_MAP, OC_GROUP },
	S("internalUrl"), S("jupyterUrl"), S("vmInstanceUuid"), I("nodeRank"),
	S("accountUuid"), S("architecture"), S("gpuVendor"),
	{ "vm", FT_OBJECT, OC_VM },
	T("createDate"), T("lastOpDate"),
};

static const struct field vm_fields[] = {
	S("uuid"), S("name"), S("description"), S("zoneUuid"),
	S("clusterUuid"), S("imageUuid"), S("hostUuid"), S("lastHostUuid"),
	S("instanceOfferingUuid"), S("rootVolumeUuid"), S("platform"),
	S("architecture"), S("defaultL3NetworkUuid"), S("type"),
	S("hypervisorType"), L("memorySize"), L("reservedMemorySize"),
	I("cpuNum"), L("cpuSpeed"), S("allocatorStrategy"), T("createDate"),
	T("lastOpDate"), S("state"),
	LIST("vmNics", OC_NIC), LIST("allVolumes", OC_VOLUME),
	LIST("vmCdRoms", OC_CDROM), S("guestOsType"),
};

static const struct field nic_fields[] = {
	S("uuid"), S("vmInstanceUuid"), S("l3NetworkUuid"), S("ip"), S("mac"),
	S("hypervisorType"), S("netmask"), S("gateway"), S("metaData"),
	I("ipVersion"), S("driverType"), LIST("usedIps", OC_USEDIP),
	S("internalName"), I("deviceId"), S("type"), S("state"),
	T("createDate"), T("lastOpDate"),
};

static const struct field usedip_fields[] = {
	S("uuid"), S("ipRangeUuid"), S("l3NetworkUuid"), I("ipVersion"),
	S("ip"), S("netmask"), S("gateway"), S("usedFor"), L("ipInLong"),
	{ "ipInBinary", FT_BYTES, OC_GROUP }, S("vmNicUuid"),
	T("createDate"), T("lastOpDate"),
};

static const struct field volume_fields[] = {
	S("uuid"), S("name"), S("description"), S("primaryStorageUuid"),
	S("vmInstanceUuid"), S("diskOfferingUuid"), S("rootImageUuid"),
	S("installPath"), S("type"), S("format"), L("size"), L("actualSize"),
	I("deviceId"), S("state"), S("status"), T("createDate"),
	T("lastOpDate"), B("isShareable"), S("volumeQos"),
	T("lastDetachDate"), S("lastVmInstanceUuid"), T("lastAttachDate"),
	S("protocol"),
};

static const struct field cdrom_fields[] = {
	S("uuid"), S("vmInstanceUuid"), I("deviceId"), S("isoUuid"),
	S("isoInstallPath"), S("name"), S("description"), S("protocol"),
	T("createDate"), T("lastOpDate"),
};

static const struct field datasetref_fields[] = {
	S("uuid"), S("datasetUuid"), S("modelServiceInstanceGroupUuid"),
	T("createDate"), T("lastOpDate"),
};

static const struct objclass classes[OC_COUNT] = {
	[OC_GROUP] = { "group",
	    "org.zstack.ai.entity.ModelServiceInstanceGroupInventory",
	    group_fields, NELEM(group_fields) },
	[OC_INSTANCE] = { "instance",
	    "org.zstack.ai.entity.ModelServiceInstanceInventory",
	    instance_fields, NELEM(instance_fields) },
	[OC_VM] = { "vm", "org.zstack.header.vm.VmInstanceInventory",
	    vm_fields, NELEM(vm_fields) },
	[OC_NIC] = { "vmNic", "org.zstack.header.vm.VmNicInventory",
	    nic_fields, NELEM(nic_fields) },
	[OC_USEDIP] = { "usedIp", "org.zstack.header.network.l3.UsedIpInventory",
	    usedip_fields, NELEM(usedip_fields) },
	[OC_VOLUME] = { "volume", "org.zstack.header.volume.VolumeInventory",
	    volume_fields, NELEM(volume_fields) },
	[OC_CDROM] = { "vmCdRom", "org.zstack.header.vm.cdrom.VmCdRomInventory",
	    cdrom_fields, NELEM(cdrom_fields) },
	/* No schema entry: ZStack's SDK group class lacks the field
	 * (API.md §6). */
	[OC_DATASETREF] = { "datasetRef", NULL,
	    datasetref_fields, NELEM(datasetref_fields) },
};

/* Upper bound on leaves; checked by the walk (and by test_schema). */
#define MAX_LEAVES	192
#define PATH_MAX_LEN	96

static struct leaf leaves[MAX_LEAVES];
static char leaf_paths[MAX_LEAVES][PATH_MAX_LEN];
static unsigned nleaves;
static int initialised;

static int
is_scalar(enum ftype t)
{
	return t <= FT_TIMESTAMP;
}

static void
walk(enum oclass oc, unsigned depth, unsigned char *hop, const char *prefix)
{
	const struct objclass *c = &classes[oc];
	unsigned i;

	for (i = 0; i < c->nfields; i++) {
		const struct field *f = &c->fields[i];
		char path[PATH_MAX_LEN];

		hop[depth] = (unsigned char)i;
		/* Paths are short compile-time names; truncation cannot happen. */
		strcpy(path, prefix);
		if (*prefix)
			strcat(path, ".");
		strcat(path, f->name);
		if (is_scalar(f->type)) {
			struct leaf *l;

			if (nleaves == MAX_LEAVES)
				return;
			l = &leaves[nleaves];
			strcpy(leaf_paths[nleaves], path);
			l->id = nleaves;
			l->path = leaf_paths[nleaves];
			l->type = f->type;
			l->depth = depth;
			memcpy(l->hop, hop, sizeof(l->hop));
			l->owner = oc;
			nleaves++;
		} else if ((f->type == FT_LIST || f->type == FT_OBJECT) &&
		    depth + 1 < SCHEMA_MAX_DEPTH) {
			walk(f->child, depth + 1, hop, path);
		}
	}
}

void
schema_init(void)
{
	unsigned char hop[SCHEMA_MAX_DEPTH] = { 0 };

	if (initialised)
		return;
	walk(OC_GROUP, 0, hop, "");
	initialised = 1;
}

const struct objclass *
schema_class(enum oclass oc)
{
	return (unsigned)oc < OC_COUNT ? &classes[oc] : NULL;
}

int
schema_field_index(enum oclass oc, const char *name, size_t len)
{
	const struct objclass *c = schema_class(oc);
	unsigned i;

	if (c == NULL)
		return -1;
	for (i = 0; i < c->nfields; i++)
		if (strlen(c->fields[i].name) == len &&
		    memcmp(c->fields[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

unsigned
schema_nleaves(void)
{
	return nleaves;
}

const struct leaf *
schema_leaf(unsigned id)
{
	return id < nleaves ? &leaves[id] : NULL;
}

enum schema_lookup
schema_leaf_lookup(const char *path, size_t len, const struct leaf **out)
{
	enum oclass oc = OC_GROUP;
	size_t pos = 0;
	unsigned depth = 0;
	unsigned char hop[SCHEMA_MAX_DEPTH] = { 0 };
	unsigned i;

	for (;;) {
		const char *dot = memchr(path + pos, '.', len - pos);
		size_t seg = dot ? (size_t)(dot - (path + pos)) : len - pos;
		const struct field *f;
		int fi;

		if (depth >= SCHEMA_MAX_DEPTH)
			return SCHEMA_UNKNOWN;
		fi = schema_field_index(oc, path + pos, seg);
		if (fi < 0)
			return SCHEMA_UNKNOWN;
		hop[depth] = (unsigned char)fi;
		f = &classes[oc].fields[fi];
		if (dot == NULL) {
			if (!is_scalar(f->type))
				return SCHEMA_NOT_LEAF;
			break;
		}
		/* A dot after a scalar, map or byte[] leads nowhere. */
		if (f->type != FT_LIST && f->type != FT_OBJECT)
			return SCHEMA_UNKNOWN;
		oc = f->child;
		pos += seg + 1;
		depth++;
	}
	for (i = 0; i < nleaves; i++)
		if (leaves[i].depth == depth &&
		    memcmp(leaves[i].hop, hop, depth + 1) == 0) {
			*out = &leaves[i];
			return SCHEMA_FOUND;
		}
	return SCHEMA_UNKNOWN;
}

const char *
schema_ftype_name(enum ftype t)
{
	switch (t) {
	case FT_STRING:		return "String";
	case FT_INT:		return "Integer";
	case FT_LONG:		return "Long";
	case FT_BOOL:		return "Boolean";
	case FT_TIMESTAMP:	return "Timestamp";
	case FT_BYTES:		return "byte[]";
	case FT_STRLIST:	return "List<String>";
	case FT_MAP:		return "Map<String,String>";
	case FT_OBJECT:		return "Object";
	case FT_LIST:		return "List";
	}
	return "?";
}
