/* SPDX-License-Identifier: Apache-2.0 */
/* text.c - uuids; see text.h. */
#include "base/text.h"

int
text_uuid_valid(const char *s, size_t n)
{
	size_t i;

	if (n != UUID_LEN)
		return 0;
	for (i = 0; i < UUID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}
