// SPDX-License-Identifier: GPL-2.0
/*
 * CRC32C for segments (segment.c): the summary's CRC and each slab's data
 * CRC, summed as the data is copied into the segment.
 */
#include <linux/crc32c.h>
#include <linux/jump_label.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "zslab_internal.h"

/*
 * Two roads to the same CRC32C: the kernel's crc32c(), which uses the CPU's
 * CRC instruction when it has one, and our own slicing-by-8 table code,
 * which sums the slab data as it copies it into the image (one pass over
 * the slab instead of a copy and a sum). The instruction is normally several
 * times faster; under emulation (QEMU TCG emulates it bit by bit) the table
 * is four times faster. As the RAID6 and XOR code do for their variants,
 * time both once at load and keep the faster.
 */
static DEFINE_STATIC_KEY_FALSE(crc_use_table);
static u64 crc_ns[ZSLAB_NR_CRC_IMPLS];
static u32 crc_sink;

#define CRC32C_POLY_LE	0x82f63b78	/* reflected Castagnoli polynomial */

/* crc32c_table[k][b]: byte b followed by k zero bytes, summed from zero. */
static u32 crc32c_table[8][256] __read_mostly;

static void crc32c_table_init(void)
{
	unsigned int b, k;

	for (b = 0; b < 256; b++) {
		u32 crc = b;

		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (crc & 1 ? CRC32C_POLY_LE : 0);
		crc32c_table[0][b] = crc;
	}
	for (k = 1; k < 8; k++)
		for (b = 0; b < 256; b++)
			crc32c_table[k][b] = (crc32c_table[k - 1][b] >> 8) ^
					     crc32c_table[0][crc32c_table[k - 1][b] & 0xff];
}

/*
 * CRC32C of @len bytes at @src (no pre- or post-inversion, as crc32c()),
 * copying them to @dst on the way unless @dst is NULL. Eight bytes a step:
 * each step is one load and eight independent table lookups.
 */
static u32 crc32c_slice8(u32 crc, void *dst, const void *src, size_t len)
{
	const u32 (*t)[256] = crc32c_table;

	for (; len >= 8; len -= 8, src += 8) {
		u64 w = get_unaligned_le64(src);
		u64 v = w ^ crc;

		if (dst) {
			put_unaligned_le64(w, dst);
			dst += 8;
		}
		crc = t[7][v & 0xff] ^ t[6][(v >> 8) & 0xff] ^
		      t[5][(v >> 16) & 0xff] ^ t[4][(v >> 24) & 0xff] ^
		      t[3][(v >> 32) & 0xff] ^ t[2][(v >> 40) & 0xff] ^
		      t[1][(v >> 48) & 0xff] ^ t[0][v >> 56];
	}
	for (; len; len--, src++) {
		u8 b = *(const u8 *)src;

		if (dst)
			*(u8 *)dst++ = b;
		crc = (crc >> 8) ^ t[0][(crc ^ b) & 0xff];
	}
	return crc;
}

/**
 * zslab_crc32c_copy() - Copy bytes (unless @dst is NULL) and sum them.
 * @impl: which route.
 * @crc: CRC32C so far (no inversion is applied, as with crc32c()).
 * @dst: where to copy, or NULL.
 * @src: the bytes.
 * @len: how many.
 *
 * Return: @crc continued over the @len bytes.
 */
u32 zslab_crc32c_copy(enum zslab_crc_impl impl, u32 crc, void *dst,
		      const void *src, size_t len)
{
	if (impl == ZSLAB_CRC_TABLE)
		return crc32c_slice8(crc, dst, src, len);
	if (dst)
		src = memcpy(dst, src, len);
	return crc32c(crc, src, len);
}
ZSLAB_EXPORT_FOR_TESTS(zslab_crc32c_copy);

static inline enum zslab_crc_impl image_crc_impl(void)
{
	return static_branch_unlikely(&crc_use_table) ? ZSLAB_CRC_TABLE : ZSLAB_CRC_LIB;
}

/* What the encoder does with a slab's data: copy 4 KiB and sum it. */
static u64 time_crc(enum zslab_crc_impl impl, void *dst, const void *src,
		    unsigned int len)
{
	u64 best = U64_MAX, t;
	u32 crc = ~0U;
	int round;

	/* Best of a few rounds: a preemption only makes one of them slow. */
	for (round = 0; round < 5; round++) {
		t = ktime_get_ns();
		crc = zslab_crc32c_copy(impl, crc, dst, src, len);
		/* Used, so the call is neither dropped nor moved out. */
		WRITE_ONCE(crc_sink, crc);
		t = ktime_get_ns() - t;
		best = min(best, t);
	}
	return best;
}

/**
 * zslab_image_choose_crc() - Time both CRC32C routes; images use the faster.
 *
 * Both give the same value (KUnit checks it), so images written with one are
 * read with the other. Process context, at load, before any image is made.
 */
void zslab_image_choose_crc(void)
{
	unsigned int len = ZSLAB_DEFAULT_SLAB_SIZE, i;
	u8 *buf;

	crc32c_table_init();
	buf = kmalloc(2 * len, GFP_KERNEL);
	if (!buf)
		return;		/* keep crc32c(): only speed is at stake */
	for (i = 0; i < len; i++)
		buf[i] = i * 131 + 7;
	crc_ns[ZSLAB_CRC_LIB] = time_crc(ZSLAB_CRC_LIB, buf + len, buf, len);
	crc_ns[ZSLAB_CRC_TABLE] = time_crc(ZSLAB_CRC_TABLE, buf + len, buf, len);
	kfree(buf);
	zslab_image_use_crc(crc_ns[ZSLAB_CRC_TABLE] < crc_ns[ZSLAB_CRC_LIB] ?
			    ZSLAB_CRC_TABLE : ZSLAB_CRC_LIB);
}

/**
 * zslab_image_use_crc() - Make images use one CRC32C route from now on.
 * @impl: the route. Safe at any time: both give the same CRC.
 */
void zslab_image_use_crc(enum zslab_crc_impl impl)
{
	if (impl == ZSLAB_CRC_TABLE)
		static_branch_enable(&crc_use_table);
	else
		static_branch_disable(&crc_use_table);
}
ZSLAB_EXPORT_FOR_TESTS(zslab_image_use_crc);

/**
 * zslab_image_crc_impl() - Which CRC32C route images use.
 * @ns_per_4k: if not NULL, filled with what each route took to copy and sum
 *	4 KiB at load.
 */
enum zslab_crc_impl zslab_image_crc_impl(u64 ns_per_4k[ZSLAB_NR_CRC_IMPLS])
{
	if (ns_per_4k)
		memcpy(ns_per_4k, crc_ns, sizeof(crc_ns));
	return image_crc_impl();
}
ZSLAB_EXPORT_FOR_TESTS(zslab_image_crc_impl);

/**
 * zslab_crc32c() - CRC32C of @len bytes by the route chosen at load.
 * @crc: CRC so far (no inversion is applied, as with crc32c()).
 * @p: the bytes.
 * @len: how many.
 */
u32 zslab_crc32c(u32 crc, const void *p, size_t len)
{
	return zslab_crc32c_copy(image_crc_impl(), crc, NULL, p, len);
}
ZSLAB_EXPORT_FOR_TESTS(zslab_crc32c);

/**
 * zslab_crc32c_copy_fast() - Copy @len bytes and sum them, by the chosen route.
 * @crc: CRC so far.
 * @dst: where to copy.
 * @src: the bytes.
 * @len: how many.
 */
u32 zslab_crc32c_copy_fast(u32 crc, void *dst, const void *src, size_t len)
{
	return zslab_crc32c_copy(image_crc_impl(), crc, dst, src, len);
}
