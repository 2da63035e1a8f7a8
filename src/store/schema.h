/* SPDX-License-Identifier: Apache-2.0 */
/*
 * schema.h - the inventory of API.md section 8: the one place that knows
 * every object class, its fields in rendering order, their types and the
 * nesting.  The importer, the renderer, the condition parser, `fields`,
 * `sort` and `zsquery-admin fields` all read these tables.
 *
 * Leaves: every scalar field (String, Integer, Long, Boolean, Timestamp)
 * reachable from the group gets a stable small id by a pre-order walk
 * (fields in section 8 order).  Leaf ids are written into stored records,
 * so changing the tables means bumping STORE_SCHEMA_VERSION.
 *
 * Caveat: schema_init() must run once before the leaf functions are used
 * (store_open() and both mains call it; it is idempotent, not thread-safe).
 */
#ifndef ZSQ_SCHEMA_H
#define ZSQ_SCHEMA_H

#include <stddef.h>

enum ftype {
	FT_STRING,
	FT_INT,		/* Integer: 64-bit literals accepted, like ZStack */
	FT_LONG,	/* Long / long */
	FT_BOOL,	/* Boolean */
	FT_TIMESTAMP,	/* Timestamp: rendered as a Gson date */
	FT_BYTES,	/* byte[] (ipInBinary): array of signed bytes */
	FT_STRLIST,	/* List<String> (supportMetrics) */
	FT_MAP,		/* Map<String,String> (urlMaps) */
	FT_OBJECT,	/* one nested object (vm) */
	FT_LIST		/* list of nested objects */
};

enum oclass {
	OC_GROUP,
	OC_INSTANCE,
	OC_VM,
	OC_NIC,
	OC_USEDIP,
	OC_VOLUME,
	OC_CDROM,
	OC_DATASETREF,
	OC_COUNT
};

struct field {
	const char	*name;
	enum ftype	 type;
	enum oclass	 child;		/* FT_OBJECT / FT_LIST only */
};

struct objclass {
	const char		*name;	/* "group", "instance", ... */
	const char		*java;	/* schema class; NULL: no schema entry */
	const struct field	*fields;
	unsigned		 nfields;
};

#define SCHEMA_MAX_DEPTH	5	/* instances.vm.vmNics.usedIps.ip */
#define SCHEMA_GROUP_FIELDS	15	/* top-level fields of a group */
#define SCHEMA_ADMIN_ACCOUNT	"36c27e8ff05c4780bf6d2fa65700f22e"

/* A queryable scalar leaf such as "instances.vm.vmNics.ip". */
struct leaf {
	unsigned	 id;		/* index into the leaf table */
	const char	*path;		/* dotted path */
	enum ftype	 type;		/* FT_STRING .. FT_TIMESTAMP */
	unsigned	 depth;		/* nested hops: 0 for a group field */
	unsigned char	 hop[SCHEMA_MAX_DEPTH];	/* field index at each level;
					   hop[depth] is the leaf itself */
	enum oclass	 owner;		/* class that holds the leaf field */
};

enum schema_lookup {
	SCHEMA_FOUND = 0,
	SCHEMA_UNKNOWN,		/* no such field or path */
	SCHEMA_NOT_LEAF		/* list, map, object, byte[] or List<String> */
};

void			 schema_init(void);
const struct objclass	*schema_class(enum oclass oc);
/* Index of a field of class oc by exact (case-sensitive) name, or -1. */
int			 schema_field_index(enum oclass oc, const char *name,
			    size_t len);
unsigned		 schema_nleaves(void);
const struct leaf	*schema_leaf(unsigned id);
/* Resolve a dotted path of len bytes; *out is set when SCHEMA_FOUND. */
enum schema_lookup	 schema_leaf_lookup(const char *path, size_t len,
			    const struct leaf **out);
const char		*schema_ftype_name(enum ftype t);

#endif
