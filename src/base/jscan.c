/* SPDX-License-Identifier: Apache-2.0 */
/* jscan.c - skipping a JSON value's bytes; see jscan.h. */
#include <stddef.h>
#include <string.h>

#include "base/errors.h"
#include "base/jscan.h"

void
jscan_init(struct jscan *js, int strict)
{
	memset(js, 0, sizeof(*js));
	js->strict = strict;
}

static int
jscan_fail(struct jscan *js, int fault, size_t at, size_t *i)
{
	js->fault = fault;
	*i = at;
	return ZSQ_EINVAL;
}

int
jscan_skip(struct jscan *js, const char *p, size_t n, size_t *i)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t k = *i;
	unsigned char c;

	while (k < n) {
		if (js->str == JSCAN_IN_ESCAPE) {
			js->str = JSCAN_IN_STRING;
			k++;
			continue;
		}
		if (js->str == JSCAN_IN_STRING) {
			/* A run of plain bytes in one go: most of a group. */
			if (js->strict)
				while (k < n && s[k] != '"' && s[k] != '\\' &&
				    s[k] >= 0x20)
					k++;
			else
				while (k < n && s[k] != '"' && s[k] != '\\')
					k++;
			if (k == n)
				break;
			if (s[k] == '\\')
				js->str = JSCAN_IN_ESCAPE;
			else if (s[k] == '"') {
				js->str = JSCAN_OUT;
				if (js->depth == 0) {
					*i = k + 1;
					return 1;
				}
			} else
				return jscan_fail(js, JSCAN_CONTROL, k, i);
			k++;
			continue;
		}
		switch ((c = s[k])) {
		case '"':
			js->str = JSCAN_IN_STRING;
			break;
		case '{':
		case '[':
			if (js->depth == JSCAN_DEPTH_MAX)
				return jscan_fail(js, JSCAN_DEEP, k, i);
			js->close[js->depth++] = c == '{' ? '}' : ']';
			break;
		case '}':
		case ']':
			if (js->depth == 0 || js->close[js->depth - 1] != c)
				return jscan_fail(js, JSCAN_MISMATCH, k, i);
			if (--js->depth == 0) {
				*i = k + 1;
				return 1;
			}
			break;
		default:
			if (js->depth == 0)
				return jscan_fail(js, JSCAN_NOVALUE, k, i);
			break;
		}
		k++;
	}
	*i = n;
	return 0;
}
