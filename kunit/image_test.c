// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the slab image format and zone placement.
 *
 * Images: what the encoder writes decodes to the same slab; every damaged,
 * truncated or foreign image is refused with a reason; nothing past the
 * buffer is ever read.
 *
 * Placement: a cache keeps its own open zone while the token budget allows,
 * caches share once it is spent, full zones are closed, and no append is
 * handed space a zone does not have.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/crc32c.h>
#include <linux/random.h>
#include <linux/slab.h>
#include "../zslab_internal.h"

struct image_fixture {
	struct zslab_image_layout l;
	unsigned long *inuse, *decoded;
	u8 *data, *buf;
	size_t len;
};

/* 100 B objects (stride 104, 39 per 4 KiB slab), 512 B blocks; every third live. */
static struct image_fixture *make_image(struct kunit *test, unsigned int lbs)
{
	struct image_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->l = (struct zslab_image_layout) {
		.cache_id = 7, .slab_size = 4096, .object_size = 100, .stride = 104,
		.nr_objs = 39, .lbs = lbs, .slab_id = 12345, .seq = 99,
	};
	f->inuse = kunit_kzalloc(test, BITS_TO_LONGS(ZSLAB_MAX_OBJS) * sizeof(long), GFP_KERNEL);
	f->decoded = kunit_kzalloc(test, BITS_TO_LONGS(ZSLAB_MAX_OBJS) * sizeof(long), GFP_KERNEL);
	f->data = kunit_kzalloc(test, 4096, GFP_KERNEL);
	f->len = zslab_image_hdr_size(39, lbs) + 4096;
	f->buf = kunit_kzalloc(test, f->len, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, f->inuse && f->decoded && f->data && f->buf);
	memset(f->data, 0xab, 4096);		/* freed slots hold junk in DRAM */
	for (i = 0; i < 39; i += 3) {
		__set_bit(i, f->inuse);
		memset(f->data + i * 104, i + 1, 100);
	}
	zslab_image_encode(f->buf, &f->l, f->inuse, f->data, false);
	return f;
}

static int decode(struct image_fixture *f, size_t len, const char **why)
{
	struct zslab_image_layout out;

	return zslab_image_decode(f->buf, len, f->l.lbs, &out, f->decoded, why);
}

static void header_is_64_bytes_and_image_whole_blocks(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct zslab_image_hdr), (size_t)64);
	KUNIT_EXPECT_EQ(test, zslab_image_hdr_size(39, 512), 512U);
	KUNIT_EXPECT_EQ(test, zslab_image_hdr_size(39, 4096), 4096U);
	/* 8 B objects in 128 KiB slabs: 16384 bits of bitmap. */
	KUNIT_EXPECT_EQ(test, zslab_image_hdr_size(16384, 512), 2560U);
}

static void image_round_trips(struct kunit *test)
{
	struct image_fixture *f = make_image(test, 512);
	struct zslab_image_layout out;
	const char *why = NULL;
	const u8 *img;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, zslab_image_decode(f->buf, f->len, 512, &out, f->decoded, &why), 0);
	KUNIT_EXPECT_EQ(test, out.cache_id, 7U);
	KUNIT_EXPECT_EQ(test, out.slab_id, 12345ULL);
	KUNIT_EXPECT_EQ(test, out.seq, 99ULL);
	KUNIT_EXPECT_EQ(test, out.nr_objs, 39U);
	KUNIT_EXPECT_EQ(test, out.stride, 104U);
	KUNIT_EXPECT_TRUE(test, bitmap_equal(f->inuse, f->decoded, 39));

	img = f->buf + 512;
	for (i = 0; i < 39; i++) {
		bool live = i % 3 == 0;

		/* Live objects are copied; freed slots and padding are zero. */
		KUNIT_EXPECT_EQ_MSG(test, img[i * 104], live ? i + 1 : 0, "slot %u", i);
		KUNIT_EXPECT_EQ_MSG(test, img[i * 104 + 99], live ? i + 1 : 0, "slot %u", i);
		KUNIT_EXPECT_EQ_MSG(test, img[i * 104 + 100], 0, "padding of slot %u", i);
	}
	KUNIT_EXPECT_NULL(test, memchr_inv(img + 39 * 104, 0, 4096 - 39 * 104));
}

static void fields_are_little_endian_at_fixed_offsets(struct kunit *test)
{
	struct image_fixture *f = make_image(test, 512);
	const u8 *b = f->buf;

	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 0), ZSLAB_IMAGE_MAGIC);
	KUNIT_EXPECT_EQ(test, memcmp(b, "ZSLB", 4), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + 4), 1);	/* version */
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + 6), 1);	/* 1 x 512 B header */
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 8), 7U);	/* cache id */
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 12), 4096U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 16), 100U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 20), 104U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 24), 39U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 28), 13U);	/* live */
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + 32), 12345ULL);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + 40), 99ULL);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + 64), 0x1249249249ULL); /* bits 0,3,..36 */
}

struct corruption {
	const char *what;
	unsigned int offset;	/* byte to change */
	u8 xor;
	int err;
};

static const struct corruption corruptions[] = {
	{ "flipped magic", 0, 0x01, -EUCLEAN },
	{ "future format version", 4, 0x02, -EUCLEAN },
	{ "header size lies", 6, 0x04, -EUCLEAN },
	{ "flipped cache id (CRC catches it)", 8, 0x01, -EUCLEAN },
	{ "slab size not a power of two", 13, 0x01, -EUCLEAN },
	{ "slab size 0", 13, 0x10, -EUCLEAN },
	{ "object size larger than stride", 16, 0x80, -EUCLEAN },
	{ "stride below 8", 20, 0x6c, -EUCLEAN },
	{ "object count does not fit the slab", 24, 0x40, -EUCLEAN },
	{ "flipped slab id (CRC catches it)", 32, 0x01, -EUCLEAN },
	{ "flipped CRC", 48, 0x01, -EUCLEAN },
	{ "reserved byte set (CRC catches it)", 60, 0x01, -EUCLEAN },
	{ "header padding not zero", 200, 0x01, -EUCLEAN },
	{ "bitmap bit flipped (CRC catches it)", 64, 0x02, -EUCLEAN },
	{ "bitmap bit past the last object", 68, 0x80, -EUCLEAN },
	{ "one data bit flipped in a live object", 512 + 3 * 104 + 7, 0x01, -EUCLEAN },
	{ "one data bit flipped in a freed slot", 512 + 1 * 104, 0x01, -EUCLEAN },
	{ "last byte of the image flipped", 512 + 4095, 0x01, -EUCLEAN },
};

static void corruption_desc(const struct corruption *c, char *desc)
{
	strscpy(desc, c->what, KUNIT_PARAM_DESC_SIZE);
}
KUNIT_ARRAY_PARAM(corruption, corruptions, corruption_desc);

static void corrupt_images_are_refused_with_a_reason(struct kunit *test)
{
	const struct corruption *c = test->param_value;
	struct image_fixture *f = make_image(test, 512);
	const char *why = NULL;

	f->buf[c->offset] ^= c->xor;
	KUNIT_EXPECT_EQ(test, decode(f, f->len, &why), c->err);
	KUNIT_EXPECT_NOT_NULL(test, why);
}

static void corrupt_image_with_fixed_crc_is_still_checked(struct kunit *test)
{
	struct image_fixture *f = make_image(test, 512);
	const char *why = NULL;

	/* A freed slot with data, under a CRC that matches: still refused. */
	__set_bit(1, f->inuse);
	memset(f->data + 104, 0x11, 100);
	zslab_image_encode(f->buf, &f->l, f->inuse, f->data, false);
	put_unaligned_le64(get_unaligned_le64(f->buf + 64) & ~2ULL, f->buf + 64);
	put_unaligned_le32(get_unaligned_le32(f->buf + 28) - 1, f->buf + 28);
	/* The CRC as the README defines it: header and bitmap, then slab data. */
	put_unaligned_le32(0, f->buf + 48);
	put_unaligned_le32(~crc32c(crc32c(~0U, f->buf, 64 + 8), f->buf + 512, 4096),
			   f->buf + 48);
	KUNIT_EXPECT_EQ(test, decode(f, f->len, &why), -EUCLEAN);
	KUNIT_EXPECT_STREQ(test, why, "freed slot holds data");
}

/* The stored CRC is CRC32C as the README defines it, whichever route made it. */
static u32 readme_crc(struct image_fixture *f, unsigned int hdr_size)
{
	u8 hdr[64 + 8];

	memcpy(hdr, f->buf, sizeof(hdr));
	put_unaligned_le32(0, hdr + 48);
	return ~crc32c(crc32c(~0U, hdr, sizeof(hdr)), f->buf + hdr_size, 4096);
}

static void both_crc_routes_read_each_others_images(struct kunit *test)
{
	enum zslab_crc_impl was = zslab_image_crc_impl(NULL);
	struct image_fixture *f;
	const char *why = NULL;

	zslab_image_use_crc(ZSLAB_CRC_LIB);
	f = make_image(test, 512);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(f->buf + 48), readme_crc(f, 512));
	zslab_image_use_crc(ZSLAB_CRC_TABLE);
	KUNIT_EXPECT_EQ_MSG(test, decode(f, f->len, &why), 0, "%s", why);

	f = make_image(test, 4096);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(f->buf + 48), readme_crc(f, 4096));
	zslab_image_use_crc(ZSLAB_CRC_LIB);
	KUNIT_EXPECT_EQ_MSG(test, decode(f, f->len, &why), 0, "%s", why);
	f->buf[4096 + 7] ^= 1;
	zslab_image_use_crc(ZSLAB_CRC_TABLE);
	KUNIT_EXPECT_EQ(test, decode(f, f->len, &why), -EUCLEAN);
	KUNIT_EXPECT_STREQ(test, why, "CRC mismatch");
	zslab_image_use_crc(was);
}

/* The table route copies and sums any length at any alignment as crc32c(). */
static void table_route_copies_and_sums_as_crc32c(struct kunit *test)
{
	u8 *src = kunit_kmalloc(test, 4200, GFP_KERNEL);
	u8 *dst = kunit_kmalloc(test, 4200, GFP_KERNEL);
	unsigned int off, len;

	KUNIT_ASSERT_TRUE(test, src && dst);
	get_random_bytes(src, 4200);
	for (off = 0; off < 8; off++) {
		for (len = 0; len <= 4096; len = len < 70 ? len + 1 : len * 2) {
			u32 want = crc32c(~0U, src + off, len);

			memset(dst, 0xee, 4200);
			KUNIT_EXPECT_EQ_MSG(test, zslab_crc32c_copy(ZSLAB_CRC_TABLE, ~0U,
					    dst + 7 - off, src + off, len), want,
					    "copy off %u len %u", off, len);
			KUNIT_EXPECT_EQ_MSG(test, memcmp(dst + 7 - off, src + off, len), 0,
					    "copied off %u len %u", off, len);
			KUNIT_EXPECT_EQ_MSG(test, dst[7 - off + len], 0xee,
					    "past the end off %u len %u", off, len);
			KUNIT_EXPECT_EQ_MSG(test, zslab_crc32c_copy(ZSLAB_CRC_TABLE, ~0U,
					    NULL, src + off, len), want,
					    "sum off %u len %u", off, len);
		}
	}
}

/*
 * An image buffer keeps the padding of the layout it last held, so the
 * encoder may skip it; it must not when the padding is not known zero.
 */
static void encoder_writes_padding_unless_told_it_is_zero(struct kunit *test)
{
	struct image_fixture *f = make_image(test, 4096);
	unsigned int used = zslab_image_hdr_used(39);
	const char *why = NULL;

	KUNIT_EXPECT_EQ(test, used, 64U + 8U);
	memset(f->buf, 0x5a, f->len);			/* a buffer with history */
	zslab_image_encode(f->buf, &f->l, f->inuse, f->data, false);
	KUNIT_EXPECT_NULL(test, memchr_inv(f->buf + used, 0, 4096 - used));
	KUNIT_EXPECT_EQ_MSG(test, decode(f, f->len, &why), 0, "%s", why);

	/* Same layout again: padding untouched and still zero, image good. */
	f->l.seq++;
	__clear_bit(0, f->inuse);
	zslab_image_encode(f->buf, &f->l, f->inuse, f->data, true);
	KUNIT_EXPECT_EQ_MSG(test, decode(f, f->len, &why), 0, "%s", why);
	KUNIT_EXPECT_NULL(test, memchr_inv(f->buf + 4096, 0, 104));	/* slot 0 freed */

	/* Told wrongly that it is zero: the decoder catches it, not the CRC. */
	f->buf[4000] = 1;
	zslab_image_encode(f->buf, &f->l, f->inuse, f->data, true);
	KUNIT_EXPECT_EQ(test, decode(f, f->len, &why), -EUCLEAN);
	KUNIT_EXPECT_STREQ(test, why, "header padding not zero");
}

static void truncated_images_are_refused(struct kunit *test)
{
	struct image_fixture *f = make_image(test, 512);
	const char *why = NULL;
	size_t len;

	for (len = 0; len < f->len; len += 61) {
		int ret = decode(f, len, &why);

		KUNIT_EXPECT_EQ_MSG(test, ret, -EMSGSIZE, "length %zu", len);
	}
	KUNIT_EXPECT_EQ(test, decode(f, f->len - 1, &why), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, decode(f, f->len, &why), 0);
}

static void zeroed_and_random_blocks_are_not_images(struct kunit *test)
{
	struct image_fixture *f = make_image(test, 4096);
	const char *why = NULL;
	int i;

	memset(f->buf, 0, f->len);
	KUNIT_EXPECT_EQ(test, decode(f, f->len, &why), -EUCLEAN);
	for (i = 0; i < 64; i++) {
		get_random_bytes(f->buf, f->len);
		KUNIT_EXPECT_NE(test, decode(f, f->len, &why), 0);
	}
}

/* --- placement --- */

#define PZ_ZONES 12

/* A device of 12 zones of 1024 sectors (1000 writable); 3 reserved. */
static struct zslab_dev *make_placement_dev(struct kunit *test, unsigned int max_open,
					    unsigned int max_active)
{
	struct zslab_dev *zd = kunit_kzalloc(test, sizeof(*zd), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, zd);
	zd->zones = kunit_kcalloc(test, PZ_ZONES, sizeof(*zd->zones), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, zd->zones);
	spin_lock_init(&zd->zone_lock);
	zd->geo.nr_zones = PZ_ZONES;
	zd->geo.max_open = max_open;
	zd->geo.max_active = max_active;
	for (i = 0; i < PZ_ZONES; i++) {
		zd->zones[i] = (struct zslab_zone) {
			.start = i * 1024, .len = 1024, .capacity = 1000, .wp = i * 1024,
			.type = BLK_ZONE_TYPE_SEQWRITE_REQ, .cond = BLK_ZONE_COND_EMPTY,
		};
	}
	zd->zones[5].cond = BLK_ZONE_COND_CLOSED;	/* someone else's data */
	zd->zones[5].wp += 8;
	zslab_zones_init(zd);
	return zd;
}

static struct zslab_cache *fake_cache(struct kunit *test, u32 id)
{
	struct zslab_cache *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->id = id;
	c->open_zone = -1;
	return c;
}

static void zones_are_sorted_by_use_at_load(struct kunit *test)
{
	struct zslab_dev *zd = make_placement_dev(test, 8, 12);

	KUNIT_EXPECT_EQ(test, zd->zones[0].use, (u8)ZZ_RESERVED);
	KUNIT_EXPECT_EQ(test, zd->zones[2].use, (u8)ZZ_RESERVED);
	KUNIT_EXPECT_EQ(test, zd->first_data_zone, 3U);
	KUNIT_EXPECT_EQ(test, zd->zones[3].use, (u8)ZZ_FREE);
	/* Data we did not write is never overwritten. */
	KUNIT_EXPECT_EQ(test, zd->zones[5].use, (u8)ZZ_FOREIGN);
	/* One token below the device's limits stays for metadata. */
	KUNIT_EXPECT_EQ(test, zd->zone_budget, 7U);
	KUNIT_EXPECT_EQ(test, make_placement_dev(test, 2, 3)->zone_budget, 1U);
	KUNIT_EXPECT_EQ(test, make_placement_dev(test, 0, 0)->zone_budget,
			(unsigned int)ZSLAB_DEFAULT_ZONE_BUDGET);
}

static void each_cache_appends_to_its_own_zone(struct kunit *test)
{
	struct zslab_dev *zd = make_placement_dev(test, 8, 12);
	struct zslab_cache *a = fake_cache(test, 1), *b = fake_cache(test, 2);
	unsigned int za, zb, z;
	sector_t off;

	KUNIT_ASSERT_EQ(test, zslab_zone_reserve(zd, a, 16, &za, &off), 0);
	KUNIT_EXPECT_EQ(test, off, (sector_t)0);
	KUNIT_ASSERT_EQ(test, zslab_zone_reserve(zd, b, 16, &zb, &off), 0);
	KUNIT_EXPECT_NE(test, za, zb);
	KUNIT_ASSERT_EQ(test, zslab_zone_reserve(zd, a, 16, &z, &off), 0);
	KUNIT_EXPECT_EQ(test, z, za);
	KUNIT_EXPECT_EQ(test, off, (sector_t)16);
	KUNIT_EXPECT_EQ(test, zd->zones_open, 2U);
	KUNIT_EXPECT_GE(test, za, zd->first_data_zone);
	KUNIT_EXPECT_NE(test, za, 5U);
	KUNIT_EXPECT_NE(test, zb, 5U);
}

static void full_zone_is_closed_and_the_next_one_opened(struct kunit *test)
{
	struct zslab_dev *zd = make_placement_dev(test, 8, 12);
	struct zslab_cache *a = fake_cache(test, 1);
	unsigned int first, z, i;
	sector_t off;

	KUNIT_ASSERT_EQ(test, zslab_zone_reserve(zd, a, 96, &first, &off), 0);
	for (i = 1; i < 10; i++)	/* 10 x 96 = 960 of 1000 sectors */
		KUNIT_ASSERT_EQ(test, zslab_zone_reserve(zd, a, 96, &z, &off), 0);
	KUNIT_EXPECT_EQ(test, z, first);
	KUNIT_ASSERT_EQ(test, zslab_zone_reserve(zd, a, 96, &z, &off), 0);
	KUNIT_EXPECT_NE(test, z, first);
	KUNIT_EXPECT_EQ(test, off, (sector_t)0);
	/* 40 sectors left over: the device must be told the zone is done. */
	KUNIT_EXPECT_EQ(test, zd->zones[first].use, (u8)ZZ_FULL);
	KUNIT_EXPECT_TRUE(test, zd->zones[first].needs_finish);
	/* Its bios are still in flight: it keeps its token until they land. */
	KUNIT_EXPECT_EQ(test, zd->zones_open, 2U);
}

static void caches_share_zones_once_the_budget_is_spent(struct kunit *test)
{
	struct zslab_dev *zd = make_placement_dev(test, 2, 3);	/* budget 1 */
	struct zslab_cache *a = fake_cache(test, 1), *b = fake_cache(test, 2);
	unsigned int za, zb;
	sector_t off;

	KUNIT_ASSERT_EQ(test, zslab_zone_reserve(zd, a, 16, &za, &off), 0);
	KUNIT_ASSERT_EQ(test, zslab_zone_reserve(zd, b, 16, &zb, &off), 0);
	KUNIT_EXPECT_EQ(test, za, zb);
	KUNIT_EXPECT_EQ(test, off, (sector_t)16);
	KUNIT_EXPECT_EQ(test, zd->zones_open, 1U);
}

static void no_space_is_enospc_not_an_overrun(struct kunit *test)
{
	struct zslab_dev *zd = make_placement_dev(test, 2, 3);
	struct zslab_cache *a = fake_cache(test, 1);
	unsigned int z, i, n = 0;
	sector_t off;
	int ret = 0;

	/* 8 usable data zones of 1000 sectors: 8 x 10 appends of 100. */
	for (i = 0; i < 200 && !ret; i++) {
		ret = zslab_zone_reserve(zd, a, 100, &z, &off);
		if (ret)
			break;
		n++;
		KUNIT_EXPECT_LE(test, off + 100, zd->zones[z].capacity);
		/* Complete it, so the token of a full zone comes back. */
		KUNIT_EXPECT_TRUE(test, zslab_zone_append_done(zd, z, zd->zones[z].start + off,
							       100, true));
	}
	KUNIT_EXPECT_EQ(test, ret, -ENOSPC);
	KUNIT_EXPECT_EQ(test, n, 80U);
	KUNIT_EXPECT_EQ(test, zd->zones[5].wp, (sector_t)5 * 1024 + 8);	/* untouched */
}

static void append_landing_outside_its_window_is_rejected(struct kunit *test)
{
	struct zslab_dev *zd = make_placement_dev(test, 8, 12);
	struct zslab_cache *a = fake_cache(test, 1);
	unsigned int z, z2;
	sector_t off, off2, start;

	KUNIT_ASSERT_EQ(test, zslab_zone_reserve(zd, a, 16, &z, &off), 0);
	KUNIT_ASSERT_EQ(test, zslab_zone_reserve(zd, a, 16, &z2, &off2), 0);
	start = zd->zones[z].start;
	/* Two in flight may land in either order within [0, 32). */
	KUNIT_EXPECT_TRUE(test, zslab_zone_append_done(zd, z, start + 16, 16, true));
	KUNIT_EXPECT_FALSE(test, zslab_zone_append_done(zd, z, start + 24, 16, true));
	KUNIT_EXPECT_EQ(test, atomic64_read(&zd->io[ZSLAB_IO_MISPLACED]), 1LL);
	KUNIT_EXPECT_EQ(test, zd->zones[z].use, (u8)ZZ_ERROR);
	/* The zone takes no more appends; the cache goes elsewhere. */
	KUNIT_ASSERT_EQ(test, zslab_zone_reserve(zd, a, 16, &z2, &off2), 0);
	KUNIT_EXPECT_NE(test, z2, z);
}

static struct kunit_case image_test_cases[] = {
	KUNIT_CASE(header_is_64_bytes_and_image_whole_blocks),
	KUNIT_CASE(image_round_trips),
	KUNIT_CASE(fields_are_little_endian_at_fixed_offsets),
	KUNIT_CASE_PARAM(corrupt_images_are_refused_with_a_reason, corruption_gen_params),
	KUNIT_CASE(corrupt_image_with_fixed_crc_is_still_checked),
	KUNIT_CASE(both_crc_routes_read_each_others_images),
	KUNIT_CASE(table_route_copies_and_sums_as_crc32c),
	KUNIT_CASE(encoder_writes_padding_unless_told_it_is_zero),
	KUNIT_CASE(truncated_images_are_refused),
	KUNIT_CASE(zeroed_and_random_blocks_are_not_images),
	KUNIT_CASE(zones_are_sorted_by_use_at_load),
	KUNIT_CASE(each_cache_appends_to_its_own_zone),
	KUNIT_CASE(full_zone_is_closed_and_the_next_one_opened),
	KUNIT_CASE(caches_share_zones_once_the_budget_is_spent),
	KUNIT_CASE(no_space_is_enospc_not_an_overrun),
	KUNIT_CASE(append_landing_outside_its_window_is_rejected),
	{}
};

static struct kunit_suite image_test_suite = {
	.name = "zns_slab_image",
	.test_cases = image_test_cases,
};

kunit_test_suites(&image_test_suite);
