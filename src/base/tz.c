/* SPDX-License-Identifier: Apache-2.0 */
/* tz.c - name the service time zone; see tz.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/tz.h"

static void
copy_trimmed(char *out, size_t n, const char *s)
{
	size_t len = strcspn(s, "\r\n");

	if (len >= n)
		len = n - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

void
tz_name(char *out, size_t n)
{
	char link[512];
	const char *env = getenv("TZ"), *z;
	ssize_t len;
	FILE *f;

	if (n == 0)
		return;
	if (env != NULL && *env != '\0') {
		copy_trimmed(out, n, env[0] == ':' ? env + 1 : env);
		return;
	}
	len = readlink("/etc/localtime", link, sizeof(link) - 1);
	if (len > 0) {
		link[len] = '\0';
		if ((z = strstr(link, "zoneinfo/")) != NULL) {
			copy_trimmed(out, n, z + strlen("zoneinfo/"));
			return;
		}
	}
	if ((f = fopen("/etc/timezone", "r")) != NULL) {
		char line[256];

		if (fgets(line, sizeof(line), f) != NULL && line[0] != '\n') {
			fclose(f);
			copy_trimmed(out, n, line);
			return;
		}
		fclose(f);
	}
	copy_trimmed(out, n, "UTC");
}
