/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every fuzz target shares. A target is one file NAME_fuzz.c that
 * defines LLVMFuzzerTestOneInput() over one decoder, and zfuzz_seeds(),
 * which hands valid encodings made by the matching encoder to
 * zfuzz_seed(): libFuzzer starts from those (scripts/fuzz.sh writes them
 * with ZFUZZ_SEED_DIR set before each run).
 */
#ifndef ZSLAB_ZFUZZ_H
#define ZSLAB_ZFUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Implemented by each target; zfuzz_init() only if it needs set-up. */
void zfuzz_seeds(void);
void zfuzz_init(void);

/* Write one seed input (file NAME in $ZFUZZ_SEED_DIR). */
void zfuzz_seed(const char *name, const void *buf, size_t len);

/* A copy of @len bytes in a heap block of exactly that size, so that ASan
 * catches any read past what the decoder was given. free() it.
 */
void *zfuzz_exact_copy(const void *data, size_t len);

/* Report a broken property (not a sanitizer finding) and crash. */
#define ZFUZZ_CHECK(cond) \
	do { if (!(cond)) zfuzz_fail(__FILE__, __LINE__, #cond); } while (0)
void zfuzz_fail(const char *file, int line, const char *what) __attribute__((noreturn));

#endif
