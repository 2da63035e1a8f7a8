/* SPDX-License-Identifier: Apache-2.0 */
/*
 * replay.c - main() for a fuzz driver without libFuzzer: feed every file
 * named on the command line (directories: every regular file in them, in
 * name order) to LLVMFuzzerTestOneInput() once.  `make check` replays
 * the committed corpus this way (tests/integration/fuzz_replay.sh), so an
 * input that once crashed stays a regression test.  Each file's name is printed
 * before it runs, so an abort names its input.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_MAX	(1 << 20)	/* far above libFuzzer's -max_len */

static int
replay_file(const char *path)
{
	static unsigned char data[REPLAY_MAX];
	unsigned char *copy;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return 1;
	}
	n = fread(data, 1, sizeof(data), f);
	if (ferror(f) || !feof(f)) {
		fprintf(stderr, "%s: unreadable or over %d bytes\n", path,
		    REPLAY_MAX);
		fclose(f);
		return 1;
	}
	fclose(f);
	/* An exact-size copy, so ASan sees a read past the input. */
	if ((copy = malloc(n ? n : 1)) == NULL)
		return 1;
	memcpy(copy, data, n);
	printf("replay %s (%zu bytes)\n", path, n);
	fflush(stdout);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
	return 0;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
replay_dir(const char *dir, unsigned *count)
{
	struct dirent **ents;
	char path[4096];
	struct stat sb;
	int i, n, bad = 0;

	if ((n = scandir(dir, &ents, NULL, by_name)) < 0) {
		perror(dir);
		return 1;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			bad |= replay_file(path);
			(*count)++;
		}
		free(ents[i]);
	}
	free(ents);
	return bad;
}

int
main(int argc, char **argv)
{
	struct stat sb;
	unsigned count = 0;
	int i, bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s file-or-dir ...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) != 0) {
			perror(argv[i]);
			bad = 1;
		} else if (S_ISDIR(sb.st_mode))
			bad |= replay_dir(argv[i], &count);
		else {
			bad |= replay_file(argv[i]);
			count++;
		}
	}
	printf("%u inputs replayed\n", count);
	return bad;
}
