// SPDX-License-Identifier: GPL-2.0
/*
 * Slab images: the on-disk form of a slab, a public format (see README).
 *
 *   [ header (64 B) | occupancy bitmap | zero padding ]  hdr_size bytes
 *   [ slab data, freed slots zeroed                   ]  slab_size bytes
 *
 * hdr_size is the header and bitmap rounded up to the device's logical block
 * size, so an image is always a whole number of blocks. Everything is little
 * endian. One CRC32C covers header (crc field as zero), bitmap and slab data;
 * the header area's padding must be zero.
 *
 * Encoding and decoding are pure functions over a buffer; decoding trusts
 * nothing it reads.
 */
#include <linux/bitmap.h>
#include <linux/crc32c.h>
#include <linux/jump_label.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "zslab_internal.h"

/* The bitmap is stored as little-endian u64 words: one per unsigned long here. */
static_assert(BITS_PER_LONG == 64);
static_assert(sizeof(struct zslab_image_hdr) == 64);

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

static u32 image_crc32c(u32 crc, const void *p, unsigned int len)
{
	return zslab_crc32c_copy(image_crc_impl(), crc, NULL, p, len);
}

static u32 image_copy_crc32c(u32 crc, void *dst, const void *src, unsigned int len)
{
	return zslab_crc32c_copy(image_crc_impl(), crc, dst, src, len);
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

static unsigned int map_bytes(unsigned int nr_objs)
{
	return BITS_TO_U64(nr_objs) * sizeof(u64);
}

/*
 * CRC32C of the header (crc field as zero), the bitmap and the slab data.
 * The header area's zero padding is not summed: the decoder checks it is
 * zero instead, which costs a fraction of summing it.
 */
static u32 image_crc(const void *buf, unsigned int nr_objs, unsigned int hdr_size,
		     unsigned int slab_size)
{
	const struct zslab_image_hdr *hdr = buf;
	size_t after = offsetof(struct zslab_image_hdr, crc) + sizeof(hdr->crc);
	u32 crc;

	crc = image_crc32c(~0U, buf, offsetof(struct zslab_image_hdr, crc));
	crc = image_crc32c(crc, "\0\0\0\0", sizeof(hdr->crc));
	crc = image_crc32c(crc, buf + after, sizeof(*hdr) + map_bytes(nr_objs) - after);
	crc = image_crc32c(crc, buf + hdr_size, slab_size);
	return ~crc;
}

/**
 * zslab_image_hdr_size() - Bytes of header area for a slab layout.
 * @nr_objs: objects per slab.
 * @lbs: logical block size of the device.
 */
unsigned int zslab_image_hdr_size(unsigned int nr_objs, unsigned int lbs)
{
	return ALIGN(sizeof(struct zslab_image_hdr) + map_bytes(nr_objs), lbs);
}
ZSLAB_EXPORT_FOR_TESTS(zslab_image_hdr_size);

/**
 * zslab_image_hdr_used() - Bytes of the header area that are not padding.
 * @nr_objs: objects per slab.
 */
unsigned int zslab_image_hdr_used(unsigned int nr_objs)
{
	return sizeof(struct zslab_image_hdr) + map_bytes(nr_objs);
}
ZSLAB_EXPORT_FOR_TESTS(zslab_image_hdr_used);

/* Zero @len bytes of the image and go on with the CRC over them. */
static u32 image_zero(u32 crc, void *dst, unsigned int len)
{
	memset(dst, 0, len);
	return image_crc32c(crc, dst, len);
}

static inline bool map_test(const __le64 *map, unsigned int i)
{
	return le64_to_cpu(map[i / 64]) >> (i % 64) & 1;
}

/**
 * zslab_image_encode() - Build a slab image.
 * @buf: destination, zslab_image_hdr_size() + @l->slab_size bytes.
 * @l: the slab's layout and identity.
 * @inuse: occupancy bitmap (bit set = live object), @l->nr_objs bits.
 * @data: the slab's objects; freed slots are not copied (zero in the image).
 * @pad_is_zero: the header padding in @buf is zero already (the buffer held
 *	an image of this layout before), so it is not written again.
 *
 * @inuse and @data may be changed by clients while this runs. The bitmap is
 * read once, first, and the image follows that copy: an object freed or
 * allocated meanwhile is an image that is consistent (CRC, bitmap, zeroed
 * free slots) but already old, and the change has dirtied the slab again.
 * Likewise a torn object, which its client's zslab_mark_dirty() rewrites.
 */
void zslab_image_encode(void *buf, const struct zslab_image_layout *l,
			const unsigned long *inuse, const void *data,
			bool pad_is_zero)
{
	struct zslab_image_hdr *hdr = buf;
	unsigned int hdr_size = zslab_image_hdr_size(l->nr_objs, l->lbs);
	unsigned int used = zslab_image_hdr_used(l->nr_objs);
	unsigned int tail = l->stride - l->object_size;
	__le64 *map = buf + sizeof(*hdr);
	void *img = buf + hdr_size;
	unsigned int i, live = 0;
	u32 crc;

	for (i = 0; i < BITS_TO_U64(l->nr_objs); i++) {
		u64 word = READ_ONCE(inuse[i]);

		if (i == BITS_TO_U64(l->nr_objs) - 1 && l->nr_objs % 64)
			word &= BITMAP_LAST_WORD_MASK(l->nr_objs);
		map[i] = cpu_to_le64(word);
		live += hweight64(word);
	}
	memset(hdr, 0, sizeof(*hdr));
	hdr->magic = cpu_to_le32(ZSLAB_IMAGE_MAGIC);
	hdr->version = cpu_to_le16(ZSLAB_IMAGE_VERSION);
	hdr->hdr_size = cpu_to_le16(hdr_size / 512);
	hdr->cache_id = cpu_to_le32(l->cache_id);
	hdr->slab_size = cpu_to_le32(l->slab_size);
	hdr->object_size = cpu_to_le32(l->object_size);
	hdr->stride = cpu_to_le32(l->stride);
	hdr->nr_objs = cpu_to_le32(l->nr_objs);
	hdr->nr_live = cpu_to_le32(live);
	hdr->slab_id = cpu_to_le64(l->slab_id);
	hdr->seq = cpu_to_le64(l->seq);
	if (!pad_is_zero)
		memset(buf + used, 0, hdr_size - used);

	/* Header (crc still zero) and bitmap, then each byte of data once. */
	crc = image_crc32c(~0U, buf, used);
	for (i = 0; i < l->nr_objs; i++) {
		void *slot = img + i * l->stride;

		if (map_test(map, i)) {
			crc = image_copy_crc32c(crc, slot, data + i * l->stride,
						l->object_size);
			if (tail)
				crc = image_zero(crc, slot + l->object_size, tail);
		} else {
			unsigned int run = 1;

			/* A run of free slots is one memset and one sum. */
			while (i + run < l->nr_objs && !map_test(map, i + run))
				run++;
			crc = image_zero(crc, slot, run * l->stride);
			i += run - 1;
		}
	}
	if (l->slab_size > l->nr_objs * l->stride)
		crc = image_zero(crc, img + l->nr_objs * l->stride,
				 l->slab_size - l->nr_objs * l->stride);
	hdr->crc = cpu_to_le32(~crc);
}
ZSLAB_EXPORT_FOR_TESTS(zslab_image_encode);

static bool free_slots_are_zero(const void *img, const struct zslab_image_layout *l,
				const unsigned long *inuse)
{
	unsigned int i;

	for_each_clear_bit(i, inuse, l->nr_objs)
		if (memchr_inv(img + i * l->stride, 0, l->object_size))
			return false;
	return true;
}

/**
 * zslab_image_decode() - Check a slab image read from a zone and describe it.
 * @buf: the bytes read.
 * @len: how many bytes @buf holds.
 * @lbs: the device's logical block size.
 * @l: filled in from the header on success.
 * @inuse: filled with the occupancy bitmap, ZSLAB_MAX_OBJS bits.
 * @why: set to a one-line reason on failure.
 *
 * Every field is bounds-checked before use and the CRC must match.
 *
 * Return: 0, -EUCLEAN for a damaged or foreign image, -EMSGSIZE when
 * @len is shorter than the image claims to be (a truncated read).
 */
int zslab_image_decode(const void *buf, size_t len, unsigned int lbs,
		       struct zslab_image_layout *l, unsigned long *inuse,
		       const char **why)
{
	const struct zslab_image_hdr *hdr = buf;
	const __le64 *map = buf + sizeof(*hdr);
	unsigned int hdr_size, i;

	if (len < sizeof(*hdr)) {
		*why = "shorter than a header";
		return -EMSGSIZE;
	}
	if (le32_to_cpu(hdr->magic) != ZSLAB_IMAGE_MAGIC) {
		*why = "bad magic";
		return -EUCLEAN;
	}
	if (le16_to_cpu(hdr->version) != ZSLAB_IMAGE_VERSION) {
		*why = "unknown format version";
		return -EUCLEAN;
	}
	l->lbs = lbs;
	l->slab_size = le32_to_cpu(hdr->slab_size);
	l->object_size = le32_to_cpu(hdr->object_size);
	l->stride = le32_to_cpu(hdr->stride);
	l->nr_objs = le32_to_cpu(hdr->nr_objs);
	if (!is_power_of_2(l->slab_size) || l->slab_size < ZSLAB_DEFAULT_SLAB_SIZE ||
	    l->slab_size > ZSLAB_DEFAULT_SLAB_SIZE << ZSLAB_MAX_SLAB_ORDER) {
		*why = "slab size out of range";
		return -EUCLEAN;
	}
	if (l->stride < ZSLAB_MIN_OBJ_SIZE || l->stride > l->slab_size ||
	    !l->object_size || l->object_size > l->stride ||
	    l->nr_objs != l->slab_size / l->stride) {
		*why = "object layout out of range";
		return -EUCLEAN;
	}
	hdr_size = le16_to_cpu(hdr->hdr_size) * 512;
	if (hdr_size != zslab_image_hdr_size(l->nr_objs, lbs)) {
		*why = "header size does not match the layout";
		return -EUCLEAN;
	}
	if (len < hdr_size + l->slab_size) {
		*why = "image truncated";
		return -EMSGSIZE;
	}
	if (le32_to_cpu(hdr->crc) != image_crc(buf, l->nr_objs, hdr_size, l->slab_size)) {
		*why = "CRC mismatch";
		return -EUCLEAN;
	}
	if (memchr_inv(buf + sizeof(*hdr) + map_bytes(l->nr_objs), 0,
		       hdr_size - sizeof(*hdr) - map_bytes(l->nr_objs))) {
		*why = "header padding not zero";
		return -EUCLEAN;
	}
	for (i = 0; i < BITS_TO_U64(l->nr_objs); i++)
		inuse[i] = le64_to_cpu(map[i]);
	if (l->nr_objs % 64 && inuse[i - 1] & ~BITMAP_LAST_WORD_MASK(l->nr_objs)) {
		*why = "bitmap has bits past the last object";
		return -EUCLEAN;
	}
	if (bitmap_weight(inuse, l->nr_objs) != le32_to_cpu(hdr->nr_live)) {
		*why = "live count does not match the bitmap";
		return -EUCLEAN;
	}
	if (!free_slots_are_zero(buf + hdr_size, l, inuse)) {
		*why = "freed slot holds data";
		return -EUCLEAN;
	}
	l->cache_id = le32_to_cpu(hdr->cache_id);
	l->slab_id = le64_to_cpu(hdr->slab_id);
	l->seq = le64_to_cpu(hdr->seq);
	return 0;
}
ZSLAB_EXPORT_FOR_TESTS(zslab_image_decode);
