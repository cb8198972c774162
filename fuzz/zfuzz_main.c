// SPDX-License-Identifier: GPL-2.0
/* The part of every fuzz target that is not about its decoder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zfuzz.h"

static const char *seed_dir;

void zfuzz_seed(const char *name, const void *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", seed_dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

void *zfuzz_exact_copy(const void *data, size_t len)
{
	void *p = malloc(len ? len : 1);

	if (!p)
		abort();
	memcpy(p, data, len);
	return p;
}

void zfuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: property broken: %s\n", file, line, what);
	abort();
}

/* A target that needs set-up defines its own. */
__attribute__((weak)) void zfuzz_init(void)
{
}

/* With ZFUZZ_SEED_DIR set, the binary writes its seeds and exits. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	zfuzz_init();
	seed_dir = getenv("ZFUZZ_SEED_DIR");
	if (seed_dir) {
		zfuzz_seeds();
		exit(0);
	}
	return 0;
}
