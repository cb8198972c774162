// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the on-disk checkpoint format (v1).
 *
 * What the builder writes decodes, record by record, to what it was given,
 * at the offsets the README gives; the builder refuses what does not fit
 * its buffer or breaks an ordering rule; every rule of the decoder refuses
 * a checkpoint that breaks it, with its errno and its reason; truncated
 * input and any flipped bit are refused, and nothing past the buffer or
 * past used_bytes is ever read (KASAN would tell).
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/crc32c.h>
#include <linux/random.h>
#include <linux/slab.h>
#include "../zslab_internal.h"

/*
 * The small checkpoint most cases start from, 512 B blocks:
 *
 *     0  header                         used_bytes 344, total_bytes 512
 *    64  zone 3 (tail 16, first_seq 5)
 *    80  zone 5 (tail 0, first_seq 0)
 *    96  cache 7 "ckpt-a": 100 B objects, stride 104, align 8: 39 objects
 *   160    slab 10: slots 0, 3, 6, ... 36 live (13)
 *   200    slab 12: slot 38 live
 *   240  cache 2 "b": 4000 B objects, stride 4096, align 64: 1 object
 *   304    slab 1: slot 0 live
 *   344  zero padding
 */
#define LBS	512
#define ZA	64
#define ZB	80
#define CA	96
#define S1	160
#define S2	200
#define CB	240
#define S3	304
#define USED	344

static const struct zslab_ckpt_zone small_zones[] = {
	{ .zone = 3, .tail = 16, .first_seq = 5 },
	{ .zone = 5, .tail = 0, .first_seq = 0 },
};

static const struct zslab_ckpt_cache small_caches[] = {
	{ .id = 7, .object_size = 100, .align = 8, .stride = 104, .nr_objs = 39,
	  .slab_order = 0, .next_seq = 77, .name = "ckpt-a" },
	{ .id = 2, .object_size = 4000, .align = 64, .stride = 4096, .nr_objs = 1,
	  .slab_order = 0, .next_seq = 3, .name = "b" },
};

static const struct zslab_ckpt_slab small_slabs[] = {
	{ .slab_id = 10, .zone = 3, .offset = 8, .data_crc = 0xabc, .seq = 70 },
	{ .slab_id = 12, .zone = 5, .offset = 0, .data_crc = 0xdef, .seq = 71 },
	{ .slab_id = 1, .zone = 3, .offset = 16, .data_crc = 0x123, .seq = 2 },
};

/* Build the small checkpoint into @buf (@cap bytes); finish()'s return. */
static u32 build_small(void *buf, size_t cap, struct zslab_ckpt_builder *b)
{
	unsigned long map[1];
	unsigned int i;

	zslab_ckpt_start(b, buf, cap);
	zslab_ckpt_add_zone(b, &small_zones[0]);
	zslab_ckpt_add_zone(b, &small_zones[1]);
	zslab_ckpt_add_cache(b, &small_caches[0]);
	map[0] = 0;
	for (i = 0; i < 39; i += 3)
		__set_bit(i, map);
	zslab_ckpt_add_slab(b, &small_slabs[0], map);
	map[0] = BIT(38);
	zslab_ckpt_add_slab(b, &small_slabs[1], map);
	zslab_ckpt_add_cache(b, &small_caches[1]);
	map[0] = 1;
	zslab_ckpt_add_slab(b, &small_slabs[2], map);
	return zslab_ckpt_finish(b, 0x1122334455667788ULL, 99, LBS);
}

static u8 *small_checkpoint(struct kunit *test)
{
	struct zslab_ckpt_builder b;
	u8 *buf = kunit_kzalloc(test, LBS, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, build_small(buf, LBS, &b), (u32)LBS);
	KUNIT_ASSERT_FALSE(test, b.overflow);
	return buf;
}

/* The CRC as the README defines it: used_bytes, the CRC field as zero. */
static void fix_crc(u8 *buf)
{
	u32 used = min_t(u32, get_unaligned_le32(buf + 12), LBS);

	put_unaligned_le32(0, buf + 32);
	put_unaligned_le32(~crc32c(~0U, buf, used), buf + 32);
}

static void record_sizes_are_fixed(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct zslab_ckpt_hdr), (size_t)64);
	KUNIT_EXPECT_EQ(test, sizeof(struct zslab_ckpt_zone_disk), (size_t)16);
	KUNIT_EXPECT_EQ(test, sizeof(struct zslab_ckpt_cache_disk), (size_t)64);
	KUNIT_EXPECT_EQ(test, sizeof(struct zslab_ckpt_slab_disk), (size_t)32);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_slab_bytes(1), 40U);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_slab_bytes(64), 40U);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_slab_bytes(65), 48U);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_slab_bytes(512), 96U);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_slab_bytes(ZSLAB_MAX_OBJS), 32U + ZSLAB_MAX_OBJS / 8);
}

static void fields_are_little_endian_at_fixed_offsets(struct kunit *test)
{
	u8 *b = small_checkpoint(test);
	u32 crc = get_unaligned_le32(b + 32);

	KUNIT_EXPECT_EQ(test, memcmp(b, "ZSCK", 4), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + 4), 1);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + 6), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 8), 512U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 12), (u32)USED);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + 16), 0x1122334455667788ULL);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + 24), 99ULL);
	fix_crc(b);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 32), crc);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 36), 2U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 40), 2U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 44), 3U);
	KUNIT_EXPECT_NULL(test, memchr_inv(b + 48, 0, 16));
	/* zone records */
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + ZA), 3U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + ZA + 4), 16U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + ZA + 8), 5ULL);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + ZB), 5U);
	/* cache record */
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + CA), 7U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + CA + 4), 100U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + CA + 8), 8U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + CA + 12), 104U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + CA + 16), 39);
	KUNIT_EXPECT_EQ(test, b[CA + 18], 0);
	KUNIT_EXPECT_EQ(test, b[CA + 19], 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + CA + 20), 2U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + CA + 24), 77ULL);
	KUNIT_EXPECT_STREQ(test, (char *)b + CA + 32, "ckpt-a");
	KUNIT_EXPECT_NULL(test, memchr_inv(b + CA + 32 + 6, 0, 32 - 6));
	/* slab record and its bitmap */
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + S1), 10U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + S1 + 4), 3U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + S1 + 8), 8U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + S1 + 12), 0xabcU);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + S1 + 16), 70ULL);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + S1 + 24), 13U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + S1 + 28), 0U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + S1 + 32), 0x1249249249ULL);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + S2 + 32), 1ULL << 38);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + CB), 2U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + CB + 20), 1U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + S3), 1U);
	KUNIT_EXPECT_NULL(test, memchr_inv(b + USED, 0, LBS - USED));
}

/* --- round trip --- */

struct rt_cache {
	struct zslab_ckpt_cache c;
	unsigned int nr_slabs;
};

static const struct rt_cache rt_caches[] = {
	{ { .id = 9, .object_size = 8, .align = 8, .stride = 8, .nr_objs = 512,
	    .next_seq = 1000, .name = "objs-512" }, 4 },
	{ { .id = 3, .object_size = 3000, .align = 8, .stride = 3000, .nr_objs = 1,
	    .next_seq = 5, .name = "objs-1" }, 1 },
	{ { .id = 4, .object_size = 8, .align = 8, .stride = 8, .slab_order = 5,
	    .nr_objs = 16384, .next_seq = 1 << 20, .name = "objs-16384-order-5" }, 2 },
	{ { .id = 65535, .object_size = 100, .align = 4, .stride = 100, .slab_order = 1,
	    .nr_objs = 81, .next_seq = 1, .name = "no-slabs-0123456789abcdefghijk" }, 0 },
	{ { .id = 1, .object_size = 60, .align = 64, .stride = 64, .nr_objs = 64,
	    .next_seq = ~0ULL, .name = "objs-64" }, 3 },
};

/* Slab @k of each cache. */
static struct zslab_ckpt_slab rt_slab(unsigned int k)
{
	return (struct zslab_ckpt_slab){
		.slab_id = 1 + 5 * k, .zone = 3 + k, .offset = 8 * k, .data_crc = k * 0x1111,
		.seq = 1 + k,
	};
}

/* Its bitmap, for a cache of @nr_objs objects: some pattern, never empty. */
static void rt_map(unsigned long *map, unsigned int nr_objs, unsigned int k)
{
	unsigned int i;

	bitmap_zero(map, nr_objs);
	switch (k % 4) {
	case 0:
		/* Not bitmap_fill(): on 6.1 it sets the last word's bits past nr_objs too. */
		bitmap_set(map, 0, nr_objs);
		break;
	case 1:
		__set_bit(0, map);
		__set_bit(nr_objs - 1, map);
		break;
	default:
		for (i = k; i < nr_objs; i += 7 + k)
			__set_bit(i, map);
		__set_bit(nr_objs / 2, map);
	}
}

static void checkpoint_round_trips(struct kunit *test)
{
	unsigned long *map = kunit_kzalloc(test, BITS_TO_LONGS(ZSLAB_MAX_OBJS) * sizeof(long),
					   GFP_KERNEL);
	unsigned int cap = 64 * 1024, lbs, i, k, w;
	u8 *buf = kunit_kzalloc(test, cap, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, map);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (lbs = 512; lbs <= 4096; lbs *= 8) {
		struct zslab_ckpt_builder b;
		struct zslab_ckpt_cursor cur;
		struct zslab_ckpt_info info;
		struct zslab_ckpt_cache c;
		struct zslab_ckpt_slab s;
		struct zslab_ckpt_zone z;
		const char *why = NULL;
		u32 len, slabs = 0;
		int ret;

		zslab_ckpt_start(&b, buf, cap);
		for (i = 0; i < 3; i++) {
			z = (struct zslab_ckpt_zone){ .zone = 3 + i * i, .tail = 100 * i,
						      .first_seq = 10 * i };
			KUNIT_ASSERT_TRUE(test, zslab_ckpt_add_zone(&b, &z));
		}
		for (i = 0; i < ARRAY_SIZE(rt_caches); i++) {
			const struct rt_cache *rc = &rt_caches[i];

			KUNIT_ASSERT_TRUE(test, zslab_ckpt_add_cache(&b, &rc->c));
			for (k = 0; k < rc->nr_slabs; k++) {
				s = rt_slab(k);
				rt_map(map, rc->c.nr_objs, k);
				KUNIT_ASSERT_TRUE(test, zslab_ckpt_add_slab(&b, &s, map));
			}
		}
		len = zslab_ckpt_finish(&b, 6, 600, lbs);
		KUNIT_ASSERT_NE(test, len, 0U);
		KUNIT_EXPECT_EQ(test, len % lbs, 0U);
		KUNIT_EXPECT_LT(test, len - b.used, lbs);

		KUNIT_ASSERT_EQ_MSG(test, zslab_ckpt_decode(buf, len, lbs, &info, &why), 0,
				    "lbs %u: %s", lbs, why);
		KUNIT_EXPECT_EQ(test, info.ckpt_seq, 6ULL);
		KUNIT_EXPECT_EQ(test, info.seg_seq, 600ULL);
		KUNIT_EXPECT_EQ(test, info.total_bytes, len);
		KUNIT_EXPECT_EQ(test, info.used_bytes, b.used);
		KUNIT_EXPECT_EQ(test, info.nr_zones, 3U);
		KUNIT_EXPECT_EQ(test, info.nr_caches, (u32)ARRAY_SIZE(rt_caches));
		KUNIT_EXPECT_EQ(test, info.nr_slabs, 10U);

		zslab_ckpt_cursor_init(&cur);
		for (i = 0; i < 3; i++) {
			KUNIT_ASSERT_EQ(test, zslab_ckpt_next_zone(buf, &info, &cur, &z, &why), 1);
			KUNIT_EXPECT_EQ(test, z.zone, 3 + i * i);
			KUNIT_EXPECT_EQ(test, z.tail, 100 * i);
			KUNIT_EXPECT_EQ(test, z.first_seq, 10ULL * i);
		}
		KUNIT_EXPECT_EQ(test, zslab_ckpt_next_zone(buf, &info, &cur, &z, &why), 0);
		for (i = 0; i < ARRAY_SIZE(rt_caches); i++) {
			const struct rt_cache *rc = &rt_caches[i];

			KUNIT_ASSERT_EQ(test, zslab_ckpt_next_cache(buf, &info, &cur, &c, &why), 1);
			KUNIT_EXPECT_EQ(test, c.id, rc->c.id);
			KUNIT_EXPECT_EQ(test, c.object_size, rc->c.object_size);
			KUNIT_EXPECT_EQ(test, c.align, rc->c.align);
			KUNIT_EXPECT_EQ(test, c.stride, rc->c.stride);
			KUNIT_EXPECT_EQ(test, c.nr_objs, rc->c.nr_objs);
			KUNIT_EXPECT_EQ(test, c.slab_order, rc->c.slab_order);
			KUNIT_EXPECT_EQ(test, c.nr_slabs, rc->nr_slabs);
			KUNIT_EXPECT_EQ(test, c.next_seq, rc->c.next_seq);
			KUNIT_EXPECT_STREQ(test, c.name, rc->c.name);
			for (k = 0; k < rc->nr_slabs; k++) {
				struct zslab_ckpt_slab want = rt_slab(k);

				ret = zslab_ckpt_next_slab(buf, &info, &cur, &s, &why);
				KUNIT_ASSERT_EQ(test, ret, 1);
				KUNIT_EXPECT_EQ(test, s.slab_id, want.slab_id);
				KUNIT_EXPECT_EQ(test, s.zone, want.zone);
				KUNIT_EXPECT_EQ(test, s.offset, want.offset);
				KUNIT_EXPECT_EQ(test, s.data_crc, want.data_crc);
				KUNIT_EXPECT_EQ(test, s.seq, want.seq);
				rt_map(map, rc->c.nr_objs, k);
				KUNIT_EXPECT_EQ(test, s.nr_live, bitmap_weight(map, rc->c.nr_objs));
				for (w = 0; w < BITS_TO_U64(rc->c.nr_objs); w++) {
					u64 got = le64_to_cpu(s.map[w]);

					KUNIT_EXPECT_EQ_MSG(test, got, (u64)map[w],
							    "cache %u slab %u word %u", i, k, w);
				}
				slabs++;
			}
			KUNIT_EXPECT_EQ(test, zslab_ckpt_next_slab(buf, &info, &cur, &s, &why), 0);
		}
		KUNIT_EXPECT_EQ(test, zslab_ckpt_next_cache(buf, &info, &cur, &c, &why), 0);
		KUNIT_EXPECT_EQ(test, cur.pos, info.used_bytes);
		KUNIT_EXPECT_EQ(test, slabs, info.nr_slabs);
	}
}

/* A reader that wants the caches only skips zones and slabs whole. */
static void cursors_skip_what_is_not_walked(struct kunit *test)
{
	u8 *buf = small_checkpoint(test);
	struct zslab_ckpt_cursor cur;
	struct zslab_ckpt_info info;
	struct zslab_ckpt_cache c;
	struct zslab_ckpt_slab s;
	struct zslab_ckpt_zone z;
	const char *why = NULL;

	KUNIT_ASSERT_EQ(test, zslab_ckpt_decode(buf, LBS, LBS, &info, &why), 0);
	zslab_ckpt_cursor_init(&cur);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_next_slab(buf, &info, &cur, &s, &why), -ENOENT);
	KUNIT_ASSERT_EQ(test, zslab_ckpt_next_zone(buf, &info, &cur, &z, &why), 1);
	KUNIT_ASSERT_EQ(test, zslab_ckpt_next_cache(buf, &info, &cur, &c, &why), 1);
	KUNIT_EXPECT_EQ(test, c.id, 7U);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_next_zone(buf, &info, &cur, &z, &why), 0);
	KUNIT_ASSERT_EQ(test, zslab_ckpt_next_slab(buf, &info, &cur, &s, &why), 1);
	KUNIT_EXPECT_EQ(test, s.slab_id, 10U);
	/* slab 12 is skipped */
	KUNIT_ASSERT_EQ(test, zslab_ckpt_next_cache(buf, &info, &cur, &c, &why), 1);
	KUNIT_EXPECT_EQ(test, c.id, 2U);
	KUNIT_EXPECT_EQ(test, cur.slabs, 2U);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_next_cache(buf, &info, &cur, &c, &why), 0);
	KUNIT_EXPECT_EQ(test, cur.pos, (u32)USED);
	KUNIT_EXPECT_EQ(test, cur.slabs, 3U);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_next_slab(buf, &info, &cur, &s, &why), 0);
}

/*
 * The cursors stay within used_bytes even when the counts they are handed
 * lie: the buffer is exactly used_bytes long, so KASAN sees any read past.
 */
static void cursors_never_read_past_used_bytes(struct kunit *test)
{
	u8 *full = small_checkpoint(test);
	u8 *buf = kunit_kmalloc(test, USED, GFP_KERNEL);
	struct zslab_ckpt_cursor cur;
	struct zslab_ckpt_info info, lie;
	struct zslab_ckpt_cache c;
	struct zslab_ckpt_zone z;
	const char *why = NULL;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf, full, USED);
	KUNIT_ASSERT_EQ(test, zslab_ckpt_decode(full, LBS, LBS, &info, &why), 0);

	lie = info;
	lie.nr_zones = 1000;
	zslab_ckpt_cursor_init(&cur);
	while ((ret = zslab_ckpt_next_zone(buf, &lie, &cur, &z, &why)) > 0)
		;
	KUNIT_EXPECT_EQ(test, ret, -EUCLEAN);
	zslab_ckpt_cursor_init(&cur);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_next_cache(buf, &lie, &cur, &c, &why), -EUCLEAN);
	KUNIT_EXPECT_STREQ(test, why ?: "(none)", "records beyond the used size");

	lie = info;
	lie.nr_caches = 3;
	lie.nr_slabs = 100;
	zslab_ckpt_cursor_init(&cur);
	while ((ret = zslab_ckpt_next_cache(buf, &lie, &cur, &c, &why)) > 0)
		;
	KUNIT_EXPECT_EQ(test, ret, -EUCLEAN);

	/* A cache whose slab records would run past used_bytes. */
	lie = info;
	lie.used_bytes = USED - 4;
	zslab_ckpt_cursor_init(&cur);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_next_cache(buf, &lie, &cur, &c, &why), 1);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_next_cache(buf, &lie, &cur, &c, &why), -EUCLEAN);
	KUNIT_EXPECT_STREQ(test, why ?: "(none)", "slab records beyond the used size");

	/* Slabs the cache record promises but used_bytes does not hold. */
	lie.used_bytes = S2;
	zslab_ckpt_cursor_init(&cur);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_next_cache(buf, &lie, &cur, &c, &why), -EUCLEAN);
}

/* --- every rule of the decoder --- */

struct edit {
	u16 off;
	u8 width;		/* 1, 2, 4 or 8 bytes, little endian; 0: none */
	u64 value;
};

struct rule {
	const char *what;
	struct edit edit[4];
	bool stale_crc;		/* leave the CRC as it was */
	int err;
	const char *why;
};

#define NAME_X	0x7878787878787878ULL	/* "xxxxxxxx" */

static const struct rule rules[] = {
	{ "not our magic", { { 0, 4, 0x4b43535b } }, false, -ENOMSG, "no checkpoint magic" },
	{ "newer version", { { 4, 2, 2 } }, false, -EOPNOTSUPP, "newer format version" },
	{ "version 0", { { 4, 2, 0 } }, false, -EUCLEAN, "unknown format version" },
	{ "header flags", { { 6, 2, 1 } }, false, -EUCLEAN, "unknown flags" },
	{ "reserved header byte", { { 63, 1, 1 } }, false, -EUCLEAN,
	  "reserved header bytes not zero" },
	{ "total size zero", { { 8, 4, 0 } }, false, -EUCLEAN, "checkpoint size out of range" },
	{ "total size not whole blocks", { { 8, 4, 513 } }, false, -EUCLEAN,
	  "checkpoint size out of range" },
	{ "total size over the limit", { { 8, 4, ZSLAB_CKPT_MAX_BYTES + LBS } }, false, -EUCLEAN,
	  "checkpoint size out of range" },
	{ "used size below the header", { { 12, 4, 63 } }, false, -EUCLEAN,
	  "used size out of range" },
	{ "used size over the total", { { 12, 4, LBS + 1 } }, false, -EUCLEAN,
	  "used size out of range" },
	{ "checkpoint sequence zero", { { 16, 8, 0 } }, false, -EUCLEAN,
	  "checkpoint sequence number zero" },
	{ "slab count beyond the used size", { { 44, 4, 1000 } }, false, -EUCLEAN,
	  "record counts do not fit the used size" },
	{ "zone count beyond the used size", { { 36, 4, 3 } }, false, -EUCLEAN,
	  "record counts do not fit the used size" },
	{ "total size beyond what was read", { { 8, 4, 2 * LBS } }, false, -EMSGSIZE,
	  "truncated" },
	{ "CRC flipped", { { 32, 4, 0xdead } }, true, -EUCLEAN, "CRC mismatch" },
	{ "segment sequence changed, CRC stale", { { 24, 1, 9 } }, true, -EUCLEAN,
	  "CRC mismatch" },
	{ "padding not zero", { { 400, 1, 1 } }, false, -EUCLEAN, "padding not zero" },
	{ "last padding byte", { { LBS - 1, 1, 1 } }, false, -EUCLEAN, "padding not zero" },
	{ "two zones of one index", { { ZB, 4, 3 } }, false, -EUCLEAN,
	  "zone records not in increasing order" },
	{ "zones in decreasing order", { { ZB, 4, 1 } }, false, -EUCLEAN,
	  "zone records not in increasing order" },
	{ "cache id 0", { { CA, 4, 0 } }, false, -EUCLEAN, "cache id out of range" },
	{ "cache id 65536", { { CA, 4, 65536 } }, false, -EUCLEAN, "cache id out of range" },
	{ "two caches of one id", { { CB, 4, 7 } }, false, -EUCLEAN, "two caches with one id" },
	{ "cache flags", { { CA + 19, 1, 1 } }, false, -EUCLEAN, "unknown cache flags" },
	{ "slab order 6", { { CA + 18, 1, 6 } }, false, -EUCLEAN, "slab order out of range" },
	{ "stride below 8", { { CA + 12, 4, 4 } }, false, -EUCLEAN,
	  "object layout out of range" },
	{ "object size 0", { { CA + 4, 4, 0 } }, false, -EUCLEAN, "object layout out of range" },
	{ "object larger than its stride", { { CA + 4, 4, 105 } }, false, -EUCLEAN,
	  "object layout out of range" },
	{ "alignment 0", { { CA + 8, 4, 0 } }, false, -EUCLEAN,
	  "alignment not a power of two dividing the stride" },
	{ "alignment not a power of two", { { CA + 8, 4, 12 } }, false, -EUCLEAN,
	  "alignment not a power of two dividing the stride" },
	{ "alignment not dividing the stride", { { CA + 8, 4, 16 } }, false, -EUCLEAN,
	  "alignment not a power of two dividing the stride" },
	{ "object count not the slab's", { { CA + 16, 2, 38 } }, false, -EUCLEAN,
	  "object count does not match the slab and stride" },
	{ "stride over the slab, no objects", { { CB + 12, 4, 8192 }, { CB + 16, 2, 0 } },
	  false, -EUCLEAN, "object count does not match the slab and stride" },
	{ "name empty", { { CA + 32, 1, 0 } }, false, -EUCLEAN,
	  "cache name empty or not terminated" },
	{ "name not terminated", { { CA + 32, 8, NAME_X }, { CA + 40, 8, NAME_X },
				   { CA + 48, 8, NAME_X }, { CA + 56, 8, NAME_X } },
	  false, -EUCLEAN, "cache name empty or not terminated" },
	{ "name not NUL padded", { { CA + 32 + 20, 1, 'x' } }, false, -EUCLEAN,
	  "cache name not NUL padded" },
	{ "slab id 0", { { S1, 4, 0 } }, false, -EUCLEAN, "slab ids zero or not increasing" },
	{ "two slabs of one id", { { S2, 4, 10 } }, false, -EUCLEAN,
	  "slab ids zero or not increasing" },
	{ "slab ids decreasing", { { S2, 4, 9 } }, false, -EUCLEAN,
	  "slab ids zero or not increasing" },
	{ "slab sequence 0", { { S1 + 16, 8, 0 } }, false, -EUCLEAN,
	  "slab sequence number zero" },
	{ "reserved slab bytes", { { S1 + 28, 4, 1 } }, false, -EUCLEAN,
	  "reserved slab bytes not zero" },
	{ "no live object", { { S2 + 24, 4, 0 }, { S2 + 32, 8, 0 } }, false, -EUCLEAN,
	  "live count does not match the bitmap" },
	{ "live count off by one", { { S1 + 24, 4, 12 } }, false, -EUCLEAN,
	  "live count does not match the bitmap" },
	{ "bit past the last object", { { S2 + 24, 4, 2 }, { S2 + 32, 8, 3ULL << 38 } },
	  false, -EUCLEAN, "bitmap has bits past the last object" },
	{ "more slabs than the header counts", { { CB + 20, 4, 2 } }, false, -EUCLEAN,
	  "more slab records than the header counts" },
	{ "fewer caches than the records", { { 40, 4, 1 } }, false, -EUCLEAN,
	  "records do not fill the used size" },
	{ "used size past the records", { { 12, 4, USED + 8 } }, false, -EUCLEAN,
	  "records do not fill the used size" },
};

static void rule_desc(const struct rule *r, char *desc)
{
	strscpy(desc, r->what, KUNIT_PARAM_DESC_SIZE);
}
KUNIT_ARRAY_PARAM(rule, rules, rule_desc);

static void checkpoints_breaking_a_rule_are_refused(struct kunit *test)
{
	const struct rule *r = test->param_value;
	u8 *b = small_checkpoint(test);
	struct zslab_ckpt_info info;
	const char *why = NULL;
	unsigned int i, k;
	int hret;

	for (i = 0; i < ARRAY_SIZE(r->edit) && r->edit[i].width; i++)
		for (k = 0; k < r->edit[i].width; k++)
			b[r->edit[i].off + k] = r->edit[i].value >> (8 * k);
	if (!r->stale_crc)
		fix_crc(b);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_decode(b, LBS, LBS, &info, &why), r->err);
	KUNIT_EXPECT_STREQ(test, why ?: "(none)", r->why);
	/* The header alone is refused for the header's rules, and only for them. */
	hret = zslab_ckpt_decode_header(b, LBS, LBS, &info, &why);
	if (hret)
		KUNIT_EXPECT_EQ(test, hret, r->err);
}

static void untouched_small_checkpoint_decodes(struct kunit *test)
{
	u8 *b = small_checkpoint(test);
	struct zslab_ckpt_info info;
	const char *why = NULL;

	fix_crc(b);
	KUNIT_EXPECT_EQ_MSG(test, zslab_ckpt_decode(b, LBS, LBS, &info, &why), 0, "%s", why);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_decode_header(b, LBS, LBS, &info, &why), 0);
	/* The logical block size must be a power of two: the caller's to know. */
	KUNIT_EXPECT_EQ(test, zslab_ckpt_decode(b, LBS, 0, &info, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_decode(b, LBS, 768, &info, &why), -EINVAL);
	/* 512 B of checkpoint are not whole 4 KiB blocks. */
	KUNIT_EXPECT_EQ(test, zslab_ckpt_decode(b, LBS, 4096, &info, &why), -EUCLEAN);
}

/* The first block says how much to read; the whole is needed to decode. */
static void the_header_alone_gives_the_size(struct kunit *test)
{
	struct zslab_ckpt_builder b;
	struct zslab_ckpt_info info;
	struct zslab_ckpt_zone z;
	const char *why = NULL;
	u8 *buf = kunit_kzalloc(test, 4 * LBS, GFP_KERNEL);
	unsigned int i;
	u32 len;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	zslab_ckpt_start(&b, buf, 4 * LBS);
	for (i = 0; i < 60; i++) {
		z = (struct zslab_ckpt_zone){ .zone = i, .tail = i };
		KUNIT_ASSERT_TRUE(test, zslab_ckpt_add_zone(&b, &z));
	}
	len = zslab_ckpt_finish(&b, 1, 1, LBS);
	KUNIT_ASSERT_EQ(test, len, 2U * LBS);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_decode_header(buf, LBS, LBS, &info, &why), 0);
	KUNIT_EXPECT_EQ(test, info.total_bytes, 2U * LBS);
	KUNIT_EXPECT_EQ(test, info.nr_zones, 60U);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_decode(buf, LBS, LBS, &info, &why), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_decode(buf, 2 * LBS, LBS, &info, &why), 0);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_decode(buf, 4 * LBS, LBS, &info, &why), 0);
}

static void truncated_checkpoints_are_refused(struct kunit *test)
{
	u8 *b = small_checkpoint(test);
	struct zslab_ckpt_info info;
	size_t len;

	for (len = 0; len < LBS; len++) {
		/* An exact-size copy: KASAN sees any read past what was read. */
		u8 *part = kunit_kmalloc(test, len ? len : 1, GFP_KERNEL);
		const char *why = NULL;

		KUNIT_ASSERT_NOT_NULL(test, part);
		memcpy(part, b, len);
		KUNIT_EXPECT_EQ_MSG(test, zslab_ckpt_decode(part, len, LBS, &info, &why),
				    -EMSGSIZE, "length %zu", len);
		KUNIT_EXPECT_NOT_NULL(test, why);
		KUNIT_EXPECT_EQ(test, zslab_ckpt_decode_header(part, len, LBS, &info, &why),
				len < 64 ? -EMSGSIZE : 0);
		kunit_kfree(test, part);
	}
}

/* Every bit of the checkpoint matters: header, records and padding. */
static void every_flipped_bit_is_caught(struct kunit *test)
{
	u8 *b = small_checkpoint(test);
	struct zslab_ckpt_info info;
	unsigned int pos, bit;

	for (pos = 0; pos < LBS; pos++) {
		for (bit = 0; bit < 8; bit++) {
			const char *why = NULL;

			b[pos] ^= 1 << bit;
			KUNIT_EXPECT_NE_MSG(test, zslab_ckpt_decode(b, LBS, LBS, &info, &why), 0,
					    "byte %u bit %u", pos, bit);
			KUNIT_EXPECT_NOT_NULL(test, why);
			b[pos] ^= 1 << bit;
		}
	}
	KUNIT_EXPECT_EQ(test, zslab_ckpt_decode(b, LBS, LBS, &info, &(const char *){ NULL }), 0);
}

static void zeroed_and_random_blocks_are_not_checkpoints(struct kunit *test)
{
	u8 *b = kunit_kzalloc(test, 4096, GFP_KERNEL);
	struct zslab_ckpt_info info;
	const char *why;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_decode(b, 4096, 4096, &info, &why), -ENOMSG);
	for (i = 0; i < 64; i++) {
		get_random_bytes(b, 4096);
		KUNIT_EXPECT_NE(test, zslab_ckpt_decode(b, 4096, 4096, &info, &why), 0);
		/* With our magic and version: still refused. */
		put_unaligned_le32(ZSLAB_CKPT_MAGIC, b);
		put_unaligned_le16(ZSLAB_CKPT_VERSION, b + 4);
		KUNIT_EXPECT_NE(test, zslab_ckpt_decode(b, 4096, 4096, &info, &why), 0);
	}
}

/* --- the builder --- */

/* At every capacity, the small checkpoint is built whole or not at all. */
static void builder_never_writes_past_its_cap(struct kunit *test)
{
	u8 *ref = small_checkpoint(test);
	size_t cap;

	for (cap = 0; cap <= LBS + 8; cap++) {
		/* An exact-size buffer: KASAN sees any write past the cap. */
		u8 *buf = kunit_kmalloc(test, cap ? cap : 1, GFP_KERNEL);
		struct zslab_ckpt_builder b;
		u32 len;

		KUNIT_ASSERT_NOT_NULL(test, buf);
		len = build_small(buf, cap, &b);
		if (cap < LBS) {
			KUNIT_EXPECT_EQ_MSG(test, len, 0U, "cap %zu", cap);
			KUNIT_EXPECT_TRUE_MSG(test, b.overflow, "cap %zu", cap);
		} else {
			KUNIT_EXPECT_EQ_MSG(test, len, (u32)LBS, "cap %zu", cap);
			KUNIT_EXPECT_EQ(test, memcmp(buf, ref, LBS), 0);
		}
		kunit_kfree(test, buf);
	}
}

static void builder_refuses_what_breaks_the_order(struct kunit *test)
{
	const struct zslab_ckpt_zone z3 = { .zone = 3 }, z2 = { .zone = 2 };
	const struct zslab_ckpt_slab s5 = { .slab_id = 5, .seq = 1 };
	struct zslab_ckpt_slab s = s5;
	struct zslab_ckpt_cache c = small_caches[0];
	u8 *buf = kunit_kzalloc(test, 4096, GFP_KERNEL);
	struct zslab_ckpt_builder b;
	unsigned long map[1] = { 1 };

	KUNIT_ASSERT_NOT_NULL(test, buf);
	/* zones increasing */
	zslab_ckpt_start(&b, buf, 4096);
	KUNIT_EXPECT_TRUE(test, zslab_ckpt_add_zone(&b, &z3));
	KUNIT_EXPECT_FALSE(test, zslab_ckpt_add_zone(&b, &z3));
	KUNIT_EXPECT_TRUE(test, b.overflow);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_finish(&b, 1, 1, LBS), 0U);
	zslab_ckpt_start(&b, buf, 4096);
	KUNIT_EXPECT_TRUE(test, zslab_ckpt_add_zone(&b, &z3));
	KUNIT_EXPECT_FALSE(test, zslab_ckpt_add_zone(&b, &z2));
	/* zones before caches */
	zslab_ckpt_start(&b, buf, 4096);
	KUNIT_EXPECT_TRUE(test, zslab_ckpt_add_cache(&b, &c));
	KUNIT_EXPECT_FALSE(test, zslab_ckpt_add_zone(&b, &z3));
	KUNIT_EXPECT_EQ(test, zslab_ckpt_finish(&b, 1, 1, LBS), 0U);
	/* a slab needs a cache */
	zslab_ckpt_start(&b, buf, 4096);
	KUNIT_EXPECT_FALSE(test, zslab_ckpt_add_slab(&b, &s, map));
	KUNIT_EXPECT_TRUE(test, b.overflow);
	/* slab ids increasing, not 0; sequence not 0 */
	zslab_ckpt_start(&b, buf, 4096);
	KUNIT_EXPECT_TRUE(test, zslab_ckpt_add_cache(&b, &c));
	KUNIT_EXPECT_TRUE(test, zslab_ckpt_add_slab(&b, &s, map));
	KUNIT_EXPECT_FALSE(test, zslab_ckpt_add_slab(&b, &s, map));
	zslab_ckpt_start(&b, buf, 4096);
	KUNIT_EXPECT_TRUE(test, zslab_ckpt_add_cache(&b, &c));
	s.slab_id = 0;
	KUNIT_EXPECT_FALSE(test, zslab_ckpt_add_slab(&b, &s, map));
	zslab_ckpt_start(&b, buf, 4096);
	KUNIT_EXPECT_TRUE(test, zslab_ckpt_add_cache(&b, &c));
	s = s5;
	s.seq = 0;
	KUNIT_EXPECT_FALSE(test, zslab_ckpt_add_slab(&b, &s, map));
	/* a new cache starts slab ids over */
	zslab_ckpt_start(&b, buf, 4096);
	KUNIT_EXPECT_TRUE(test, zslab_ckpt_add_cache(&b, &c));
	KUNIT_EXPECT_TRUE(test, zslab_ckpt_add_slab(&b, &s5, map));
	c.id = 8;
	KUNIT_EXPECT_TRUE(test, zslab_ckpt_add_cache(&b, &c));
	KUNIT_EXPECT_TRUE(test, zslab_ckpt_add_slab(&b, &s5, map));
	KUNIT_EXPECT_NE(test, zslab_ckpt_finish(&b, 1, 1, LBS), 0U);
	/* cache ids unique */
	zslab_ckpt_start(&b, buf, 4096);
	KUNIT_EXPECT_TRUE(test, zslab_ckpt_add_cache(&b, &c));
	KUNIT_EXPECT_TRUE(test, zslab_ckpt_add_cache(&b, &small_caches[1]));
	KUNIT_EXPECT_TRUE(test, zslab_ckpt_add_cache(&b, &c));
	KUNIT_EXPECT_EQ(test, zslab_ckpt_finish(&b, 1, 1, LBS), 0U);
	KUNIT_EXPECT_TRUE(test, b.overflow);
	/* a cache the decoder would refuse */
	zslab_ckpt_start(&b, buf, 4096);
	c.nr_objs = 38;
	KUNIT_EXPECT_FALSE(test, zslab_ckpt_add_cache(&b, &c));
	c = small_caches[0];
	memset(c.name, 'x', sizeof(c.name));
	KUNIT_EXPECT_FALSE(test, zslab_ckpt_add_cache(&b, &c));
	/* no checkpoint sequence 0, no block size that is not a power of two */
	zslab_ckpt_start(&b, buf, 4096);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_finish(&b, 0, 1, LBS), 0U);
	zslab_ckpt_start(&b, buf, 4096);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_finish(&b, 1, 1, 0), 0U);
	zslab_ckpt_start(&b, buf, 4096);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_finish(&b, 1, 1, 768), 0U);
	/* an empty checkpoint is one block */
	zslab_ckpt_start(&b, buf, 4096);
	KUNIT_EXPECT_EQ(test, zslab_ckpt_finish(&b, 1, 1, 4096), 4096U);
}

/* A name is NUL padded on disk whatever follows its NUL in the caller's struct. */
static void builder_pads_the_name(struct kunit *test)
{
	struct zslab_ckpt_cache c = small_caches[1];
	u8 *buf = kunit_kzalloc(test, LBS, GFP_KERNEL);
	struct zslab_ckpt_builder b;
	struct zslab_ckpt_info info;
	const char *why = NULL;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, 0xee, LBS);
	memset(c.name, 'y', sizeof(c.name));
	c.name[0] = 'b';
	c.name[1] = '\0';
	zslab_ckpt_start(&b, buf, LBS);
	KUNIT_ASSERT_TRUE(test, zslab_ckpt_add_cache(&b, &c));
	KUNIT_ASSERT_EQ(test, zslab_ckpt_finish(&b, 1, 1, LBS), (u32)LBS);
	KUNIT_EXPECT_NULL(test, memchr_inv(buf + 64 + 33, 0, 31));
	KUNIT_EXPECT_EQ(test, zslab_ckpt_decode(buf, LBS, LBS, &info, &why), 0);
}

/* A slab whose bitmap read empty adds nothing: there is nothing to recover. */
static void a_slab_read_empty_adds_no_record(struct kunit *test)
{
	const struct zslab_ckpt_slab s = { .slab_id = 1, .seq = 1 };
	unsigned long map[1] = { ~0UL << 39 };	/* bits past the 39 objects only */
	u8 *buf = kunit_kzalloc(test, LBS, GFP_KERNEL);
	struct zslab_ckpt_builder b;
	u32 used;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	zslab_ckpt_start(&b, buf, LBS);
	KUNIT_ASSERT_TRUE(test, zslab_ckpt_add_cache(&b, &small_caches[0]));
	used = b.used;
	KUNIT_EXPECT_FALSE(test, zslab_ckpt_add_slab(&b, &s, map));
	KUNIT_EXPECT_FALSE(test, b.overflow);
	KUNIT_EXPECT_EQ(test, b.used, used);
	KUNIT_EXPECT_EQ(test, b.nr_slabs, 0U);
	/* and the same id may come next */
	map[0] = 2;
	KUNIT_EXPECT_TRUE(test, zslab_ckpt_add_slab(&b, &s, map));
	KUNIT_EXPECT_EQ(test, zslab_ckpt_finish(&b, 1, 1, LBS), (u32)LBS);
}

static struct kunit_case checkpoint_test_cases[] = {
	KUNIT_CASE(record_sizes_are_fixed),
	KUNIT_CASE(fields_are_little_endian_at_fixed_offsets),
	KUNIT_CASE(checkpoint_round_trips),
	KUNIT_CASE(cursors_skip_what_is_not_walked),
	KUNIT_CASE(cursors_never_read_past_used_bytes),
	KUNIT_CASE(untouched_small_checkpoint_decodes),
	KUNIT_CASE_PARAM(checkpoints_breaking_a_rule_are_refused, rule_gen_params),
	KUNIT_CASE(the_header_alone_gives_the_size),
	KUNIT_CASE(truncated_checkpoints_are_refused),
	KUNIT_CASE(every_flipped_bit_is_caught),
	KUNIT_CASE(zeroed_and_random_blocks_are_not_checkpoints),
	KUNIT_CASE(builder_never_writes_past_its_cap),
	KUNIT_CASE(builder_refuses_what_breaks_the_order),
	KUNIT_CASE(builder_pads_the_name),
	KUNIT_CASE(a_slab_read_empty_adds_no_record),
	{}
};

static struct kunit_suite checkpoint_test_suite = {
	.name = "zns_slab_checkpoint",
	.test_cases = checkpoint_test_cases,
};

kunit_test_suites(&checkpoint_test_suite);
