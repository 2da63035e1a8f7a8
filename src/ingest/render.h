/* SPDX-License-Identifier: Apache-2.0 */
/*
 * render.h - turn one imported group (a jansson object) into its stored
 * record (record.h): the reply JSON as ZStack's Gson writes it (API.md §6,
 * 8, 10), the field ranges, the schema entries, the compact values and
 * the tags.  This is where every imported group is validated.
 *
 * Validation (the message names the field by its path in the group, e.g.
 * "field 'instances[0].vm.cpuNum': expected an integer"):
 *   - the group is an object with a "uuid" of 32 lowercase hex characters;
 *   - String fields are strings, Integer/Long JSON integers (Integer within
 *     32 bits), Boolean true/false, Timestamp a date string date_parse()
 *     accepts or an integer of epoch milliseconds (floored to seconds);
 *   - lists of objects are arrays of objects, vm an object, urlMaps an
 *     object of strings (null values are dropped, like Gson drops them),
 *     ipInBinary an array of integers in -128..255 (rendered as signed
 *     bytes), supportMetrics, systemTags and userTags arrays of strings;
 *   - null is accepted for every field and means absent.
 * Unknown (newer) fields are kept: rendered after the known ones in
 * import order, nulls dropped inside objects and kept inside arrays.
 * systemTags/userTags become tag entries and are not rendered.
 *
 * Dates are rendered in the current (service) time zone: the caller makes
 * sure it is the store's (store_check_tz()).  Thread-safe once
 * render_init() has run (it builds a leaf table and calls schema_init()).
 */
#ifndef ZSQ_RENDER_H
#define ZSQ_RENDER_H

#include <jansson.h>

#include "base/buf.h"

/*
 * Build the record of group, owned by account owner (32 characters), into
 * rec (reset first).  Returns ZSQ_OK, ZSQ_EINVAL with one line appended to
 * err ("field 'x': problem", no trailing newline), ZSQ_ETOOBIG (a record or
 * a path beyond the format's limits) or ZSQ_ENOMEM.
 */
int	render_group(json_t *group, const char *owner, struct buf *rec,
	    struct buf *err);
/*
 * Parse one group's JSON as every writer does (import, sync, upgrade: one
 * rule for all): duplicate keys refused, "\u0000" kept, any value
 * decoded (render_group() says what is wrong with a non-object).  NULL
 * with *je set on invalid JSON.
 */
json_t	*render_parse(const char *json, size_t len, json_error_t *je);
/*
 * render_parse() then render_group(): the stored source of a group
 * rendered again (upgrade).  ZSQ_EINVAL with a line in err on JSON that
 * does not parse, else render_group()'s codes.
 */
int	render_json(const char *json, size_t len, const char *owner,
	    struct buf *rec, struct buf *err);
/* The lazy tables, built now: call once before rendering on threads. */
void	render_init(void);

#endif
