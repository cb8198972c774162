// SPDX-License-Identifier: GPL-2.0
/*
 * CRC32C for segments (segment.c): the summary's CRC and each slab's data
 * CRC, summed as the data is copied into the segment. The kernel's crc32c()
 * uses the CPU's CRC instruction where there is one.
 *
 * The module once had slicing-by-8 tables of its own as well, summing the
 * data as they copied it, and took whichever route was faster at load. Only
 * under QEMU TCG, which emulates the CRC instruction bit by bit, did the
 * tables win: in UML, where neither route has the instruction, encoding
 * took 686 ns per KiB of slab data with crc32c() after a copy and 941 ns
 * with the tables, and on hardware the instruction is faster still.
 */
#include <linux/crc32c.h>
#include <linux/string.h>
#include "zslab_internal.h"

/**
 * zslab_crc32c() - CRC32C of @len bytes.
 * @crc: CRC so far (no inversion is applied, as with crc32c()).
 * @p: the bytes.
 * @len: how many.
 */
u32 zslab_crc32c(u32 crc, const void *p, size_t len)
{
	return crc32c(crc, p, len);
}
ZSLAB_EXPORT_FOR_TESTS(zslab_crc32c);

/**
 * zslab_crc32c_copy() - Copy @len bytes and sum the copy.
 * @crc: CRC so far.
 * @dst: where to copy.
 * @src: the bytes.
 * @len: how many.
 */
u32 zslab_crc32c_copy(u32 crc, void *dst, const void *src, size_t len)
{
	return crc32c(crc, memcpy(dst, src, len), len);
}
