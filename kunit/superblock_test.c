// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the superblock format, the choice between the two metadata zones,
 * and the zone budget that zones open or closed at load leave.
 *
 * Format: what the encoder writes decodes to the same superblock, at the
 * offsets the README gives; every damaged field, every truncated read and
 * every foreign block is refused with its own errno and a reason.
 *
 * Choice: the newest generation over both zones is the device's, appends go
 * on in its zone until it is full and then in the other; anything that is
 * not a consistent pair of our superblocks is refused, never guessed at.
 */
#include <kunit/test.h>
#include <linux/crc32c.h>
#include <linux/slab.h>
#include "fake_dev.h"

static const struct zslab_sb good_sb = {
	.generation = 41,
	.uuid = { 0x5a, 0x53, 0x53, 0x42, 1, 2, 3, 4, 5, 6, 0x47, 0x88, 0x99, 0xaa, 0xbb, 0xcc },
	.created = 1764633600,
	.geo = {
		.capacity = 16ULL << 17, .zone_sectors = 1 << 17, .zone_capacity = 126976,
		.nr_zones = 16, .lbs = 4096, .max_open = 8, .max_active = 12,
		.max_append_sectors = 256, .meta_zone = { 0, 1 }, .first_data_zone = 3,
	},
};

/* One encoded block of @lbs bytes (the geometry's lbs set to match). */
static u8 *encode_block(struct kunit *test, unsigned int lbs, struct zslab_sb *sb)
{
	u8 *buf = kunit_kzalloc(test, lbs, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	*sb = good_sb;
	sb->geo.lbs = lbs;
	zslab_sb_encode(buf, lbs, sb);
	return buf;
}

/* The CRC a block's fields call for (what a forger would compute). */
static void fix_crc(u8 *buf)
{
	u32 crc;

	memset(buf + 8, 0, 4);
	crc = ~crc32c(~0U, buf, ZSLAB_SB_BYTES);
	put_unaligned_le32(crc, buf + 8);
}

static void superblock_is_128_bytes_of_fields_in_one_block(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct zslab_sb_disk), (size_t)128);
	KUNIT_EXPECT_EQ(test, ZSLAB_SB_BYTES, 512);
}

static void superblock_round_trips(struct kunit *test)
{
	unsigned int lbs;

	for (lbs = 512; lbs <= 4096; lbs *= 8) {
		struct zslab_sb in, out;
		const char *why = NULL;
		u8 *buf = encode_block(test, lbs, &in);

		/* With a checkpoint too: 3 blocks just before the superblock. */
		in.ckpt = (struct zslab_sb_ckpt){
			.seq = 9, .sector = (1 << 17) - 3 * (lbs >> 9) - (lbs >> 9),
			.bytes = 3 * lbs, .crc = 0xdeadbeef,
		};
		zslab_sb_encode(buf, lbs, &in);

		KUNIT_EXPECT_EQ_MSG(test, zslab_sb_decode(buf, lbs, lbs, &out, &why), 0,
				    "lbs %u: %s", lbs, why);
		KUNIT_EXPECT_EQ(test, out.generation, in.generation);
		KUNIT_EXPECT_EQ(test, out.created, in.created);
		KUNIT_EXPECT_EQ(test, memcmp(out.uuid, in.uuid, sizeof(in.uuid)), 0);
		KUNIT_EXPECT_EQ(test, memcmp(&out.geo, &in.geo, sizeof(in.geo)), 0);
		KUNIT_EXPECT_EQ(test, out.ckpt.seq, in.ckpt.seq);
		KUNIT_EXPECT_EQ(test, out.ckpt.sector, in.ckpt.sector);
		KUNIT_EXPECT_EQ(test, out.ckpt.bytes, in.ckpt.bytes);
		KUNIT_EXPECT_EQ(test, out.ckpt.crc, in.ckpt.crc);
		/* Past the 128 bytes of fields, the block is zero. */
		KUNIT_EXPECT_NULL(test, memchr_inv(buf + 128, 0, lbs - 128));
	}
}

static void fields_are_little_endian_at_fixed_offsets(struct kunit *test)
{
	struct zslab_sb sb;
	u8 *b = encode_block(test, 4096, &sb);
	u32 crc;

	sb.ckpt = (struct zslab_sb_ckpt){
		.seq = 0x0102030405060708ULL, .sector = 8 * 1000, .bytes = 3 * 4096,
		.crc = 0xcafef00d,
	};
	zslab_sb_encode(b, 4096, &sb);
	KUNIT_EXPECT_EQ(test, memcmp(b, "ZSSB", 4), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + 4), 3);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + 6), 512);
	crc = get_unaligned_le32(b + 8);
	fix_crc(b);	/* the CRC32C of the first 512 bytes, its own field as zero */
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 8), crc);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 12), 0U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + 16), 41ULL);
	KUNIT_EXPECT_EQ(test, memcmp(b + 24, good_sb.uuid, 16), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + 40), 1764633600ULL);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + 48), 16ULL << 17);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + 56), 1ULL << 17);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + 64), 126976ULL);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 72), 16U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 76), 4096U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 80), 8U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 84), 12U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 88), 256U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 92), 0U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 96), 1U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 100), 3U);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + 104), 0x0102030405060708ULL);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + 112), 8000ULL);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 120), 3U * 4096);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 124), 0xcafef00dU);
	KUNIT_EXPECT_NULL(test, memchr_inv(b + 128, 0, 4096 - 128));
}

struct sb_corruption {
	const char *what;
	unsigned int off, size;	/* little-endian field to overwrite (bytes past 8: zero) */
	u64 value;
	bool fix_crc;		/* make the CRC right again: the field itself is checked */
	int expect;
};

static const struct sb_corruption sb_corruptions[] = {
	{ "magic", 0, 4, 0x424c535a, true, -ENOMSG },
	{ "newer version", 4, 2, 4, false, -EOPNOTSUPP },
	{ "version 2 (no checkpoints)", 4, 2, 2, true, -EUCLEAN },
	{ "version 1", 4, 2, 1, true, -EUCLEAN },
	{ "version 0", 4, 2, 0, true, -EUCLEAN },
	{ "sb_bytes", 6, 2, 1024, true, -EUCLEAN },
	{ "crc", 8, 4, 0x12345678, false, -EUCLEAN },
	{ "generation, CRC stale", 16, 8, 42, false, -EUCLEAN },
	{ "flags", 12, 4, 1, true, -EUCLEAN },
	{ "generation zero", 16, 8, 0, true, -EUCLEAN },
	{ "uuid zero", 24, 16, 0, true, -EUCLEAN },
	{ "capacity beyond the zones", 48, 8, 17ULL << 17, true, -EUCLEAN },
	{ "capacity short of the zones", 48, 8, 15ULL << 17, true, -EUCLEAN },
	{ "zone size not a power of two", 56, 8, 3 << 16, true, -EUCLEAN },
	{ "zone size zero", 56, 8, 0, true, -EUCLEAN },
	{ "zone capacity over the zone size", 64, 8, (1 << 17) + 8, true, -EUCLEAN },
	{ "zone capacity zero", 64, 8, 0, true, -EUCLEAN },
	{ "zone capacity not whole blocks", 64, 8, 126977, true, -EUCLEAN },
	{ "too few zones", 72, 4, 4, true, -EUCLEAN },
	{ "block size not a power of two", 76, 4, 3072, true, -EUCLEAN },
	{ "block size over a slab", 76, 4, 8192, true, -EUCLEAN },
	{ "block size not the block's", 76, 4, 512, true, -EUCLEAN },
	{ "zone-append limit below a slab", 88, 4, 4, true, -EUCLEAN },
	{ "metadata zones out of order", 92, 4, 1, true, -EUCLEAN },
	{ "first data zone before the metadata", 100, 4, 1, true, -EUCLEAN },
	{ "first data zone past the device", 100, 4, 16, true, -EUCLEAN },
	{ "checkpoint sector without a checkpoint", 112, 8, 8, true, -EUCLEAN },
	{ "checkpoint size without a checkpoint", 120, 4, 4096, true, -EUCLEAN },
	{ "checkpoint CRC without a checkpoint", 124, 4, 1, true, -EUCLEAN },
	{ "first reserved byte", 128, 1, 1, true, -EUCLEAN },
	{ "reserved byte", 300, 1, 1, true, -EUCLEAN },
	{ "last summed byte", 511, 1, 1, true, -EUCLEAN },
	{ "byte past the superblock", 4000, 1, 1, true, -EUCLEAN },
};

static void sb_corruption_desc(const struct sb_corruption *c, char *desc)
{
	strscpy(desc, c->what, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sb_corruption, sb_corruptions, sb_corruption_desc);

static void corrupt_superblocks_are_refused_with_a_reason(struct kunit *test)
{
	const struct sb_corruption *c = test->param_value;
	struct zslab_sb sb, out;
	const char *why = NULL;
	u8 *b = encode_block(test, 4096, &sb);
	unsigned int i;

	for (i = 0; i < c->size; i++)
		b[c->off + i] = i < 8 ? c->value >> (8 * i) & 0xff : 0;
	if (c->fix_crc)
		fix_crc(b);
	KUNIT_EXPECT_EQ(test, zslab_sb_decode(b, 4096, 4096, &out, &why), c->expect);
	KUNIT_EXPECT_NOT_NULL(test, why);
}

/* What a superblock may say about its checkpoint (4 KiB blocks, 16 zones of 64 MiB). */
struct ckpt_case {
	const char *what;
	struct zslab_sb_ckpt ckpt;
	int expect;
};

#define CAP_SECTORS	(16ULL << 17)

static const struct ckpt_case ckpt_cases[] = {
	{ "none", { 0, 0, 0, 0 }, 0 },
	{ "one block", { 1, 8, 4096, 0x1234 }, 0 },
	{ "CRC zero is a CRC", { 5, 8 * 7, 2 * 4096, 0 }, 0 },
	{ "the largest", { ~0ULL, 0, ZSLAB_CKPT_MAX_BYTES, 1 }, 0 },
	{ "last block of the device", { 2, CAP_SECTORS - 8, 4096, 1 }, 0 },
	{ "sector without one", { 0, 8, 0, 0 }, -EUCLEAN },
	{ "size without one", { 0, 0, 4096, 0 }, -EUCLEAN },
	{ "CRC without one", { 0, 0, 0, 7 }, -EUCLEAN },
	{ "size zero", { 3, 8, 0, 1 }, -EUCLEAN },
	{ "size not whole blocks", { 3, 8, 4096 + 512, 1 }, -EUCLEAN },
	{ "size over the limit", { 3, 0, ZSLAB_CKPT_MAX_BYTES + 4096, 1 }, -EUCLEAN },
	{ "sector not on a block", { 3, 9, 4096, 1 }, -EUCLEAN },
	{ "sector at the device's end", { 3, CAP_SECTORS, 4096, 1 }, -EUCLEAN },
	{ "sector past the device", { 3, CAP_SECTORS + 8, 4096, 1 }, -EUCLEAN },
	{ "runs past the device's end", { 3, CAP_SECTORS - 8, 2 * 4096, 1 }, -EUCLEAN },
	{ "sector huge", { 3, ~0ULL << 3, 4096, 1 }, -EUCLEAN },
};

static void ckpt_case_desc(const struct ckpt_case *c, char *desc)
{
	strscpy(desc, c->what, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ckpt_case, ckpt_cases, ckpt_case_desc);

static void checkpoint_fields_are_checked(struct kunit *test)
{
	const struct ckpt_case *c = test->param_value;
	struct zslab_sb sb, out;
	const char *why = NULL;
	u8 *b = encode_block(test, 4096, &sb);

	KUNIT_ASSERT_EQ(test, sb.geo.capacity, CAP_SECTORS);
	sb.ckpt = c->ckpt;
	zslab_sb_encode(b, 4096, &sb);
	KUNIT_EXPECT_EQ_MSG(test, zslab_sb_decode(b, 4096, 4096, &out, &why), c->expect,
			    "%s", why ? why : "");
	if (c->expect)
		KUNIT_EXPECT_NOT_NULL(test, why);
	else
		KUNIT_EXPECT_EQ(test, memcmp(&out.ckpt, &c->ckpt, sizeof(c->ckpt)), 0);
}

static void truncated_superblocks_are_refused(struct kunit *test)
{
	struct zslab_sb sb, out;
	u8 *b = encode_block(test, 512, &sb);
	size_t len;

	for (len = 0; len < 512; len++) {
		/* An exact-size copy: KASAN sees any read past what was read. */
		u8 *part = kunit_kmalloc(test, len ? len : 1, GFP_KERNEL);
		const char *why = NULL;

		KUNIT_ASSERT_NOT_NULL(test, part);
		memcpy(part, b, len);
		KUNIT_EXPECT_EQ(test, zslab_sb_decode(part, len, 512, &out, &why), -EMSGSIZE);
		kunit_kfree(test, part);
	}
	/* A 512 B superblock read from a 4 KiB-block device is short too. */
	KUNIT_EXPECT_EQ(test, zslab_sb_decode(b, 512, 4096, &out, &(const char *){ NULL }),
			-EMSGSIZE);
}

static void zeroed_and_random_blocks_are_not_superblocks(struct kunit *test)
{
	u8 *b = kunit_kzalloc(test, 4096, GFP_KERNEL);
	struct zslab_sb out;
	const char *why;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, zslab_sb_decode(b, 4096, 4096, &out, &why), -ENOMSG);
	for (i = 0; i < 64; i++) {
		get_random_bytes(b, 4096);
		KUNIT_EXPECT_NE(test, zslab_sb_decode(b, 4096, 4096, &out, &why), 0);
	}
}

static void geometry_mismatch_names_the_field(struct kunit *test)
{
	struct zslab_sb_geo dev = good_sb.geo, sb = good_sb.geo;

	KUNIT_EXPECT_NULL(test, zslab_sb_geo_mismatch(&sb, &dev));
	/* The device's limits are its to change: not a mismatch. */
	dev.max_open = 2;
	dev.max_active = 3;
	dev.max_append_sectors = 64;
	KUNIT_EXPECT_NULL(test, zslab_sb_geo_mismatch(&sb, &dev));
	dev.nr_zones = 24;
	KUNIT_EXPECT_STREQ(test, zslab_sb_geo_mismatch(&sb, &dev), "zone count");
	dev = sb;
	dev.zone_sectors = 1 << 16;
	KUNIT_EXPECT_STREQ(test, zslab_sb_geo_mismatch(&sb, &dev), "zone size");
	dev = sb;
	dev.lbs = 512;
	KUNIT_EXPECT_STREQ(test, zslab_sb_geo_mismatch(&sb, &dev), "logical block size");
	dev = sb;
	dev.zone_capacity -= 8;
	KUNIT_EXPECT_STREQ(test, zslab_sb_geo_mismatch(&sb, &dev), "zone capacity");
	dev = sb;
	dev.capacity -= 8;
	KUNIT_EXPECT_STREQ(test, zslab_sb_geo_mismatch(&sb, &dev), "capacity");
	dev = sb;
	dev.meta_zone[0] = 1;
	dev.meta_zone[1] = 2;
	dev.first_data_zone = 4;
	KUNIT_EXPECT_STREQ(test, zslab_sb_geo_mismatch(&sb, &dev), "metadata zones");
}

/* --- the two metadata zones --- */

#define VALID(gen, is_full) { .full = is_full, .sb = { .generation = gen, .uuid = { 1 } } }
#define EMPTY { .empty = true }
#define BAD(e, is_full) { .full = is_full, .err = e, .why = "bad" }

struct choice_case {
	const char *what;
	struct zslab_sb_slot slot[2];
	enum zslab_sb_verdict verdict;
	unsigned int cur, next;		/* for ZSLAB_SB_OURS */
};

static const struct choice_case choice_cases[] = {
	{ "both empty: blank", { EMPTY, EMPTY }, ZSLAB_SB_BLANK },
	{ "first zone in use", { VALID(1, false), EMPTY }, ZSLAB_SB_OURS, 0, 0 },
	{ "first full, second in use", { VALID(3, true), VALID(4, false) }, ZSLAB_SB_OURS, 1, 1 },
	{ "second full, first in use again", { VALID(5, false), VALID(4, true) }, ZSLAB_SB_OURS, 0, 0 },
	{ "first full, second empty: switch", { VALID(9, true), EMPTY }, ZSLAB_SB_OURS, 0, 1 },
	{ "second full, first reset: switch", { EMPTY, VALID(9, true) }, ZSLAB_SB_OURS, 1, 0 },
	{ "both full: newest wins, other next", { VALID(7, true), VALID(6, true) }, ZSLAB_SB_OURS, 0, 1 },
	{ "both full, second newer", { VALID(7, true), VALID(8, true) }, ZSLAB_SB_OURS, 1, 0 },
	{ "both partly written", { VALID(7, false), VALID(8, false) }, ZSLAB_SB_DAMAGED },
	{ "one valid, one damaged", { VALID(7, true), BAD(-EUCLEAN, false) }, ZSLAB_SB_DAMAGED },
	{ "not our magic", { BAD(-ENOMSG, false), EMPTY }, ZSLAB_SB_FOREIGN },
	{ "ours beside foreign data", { VALID(7, true), BAD(-ENOMSG, false) }, ZSLAB_SB_FOREIGN },
	{ "less than a block", { BAD(-EMSGSIZE, false), EMPTY }, ZSLAB_SB_FOREIGN },
	{ "newer version", { VALID(7, true), BAD(-EOPNOTSUPP, false) }, ZSLAB_SB_NEWER },
	{ "damaged beats foreign", { BAD(-ENOMSG, true), BAD(-EUCLEAN, false) }, ZSLAB_SB_DAMAGED },
};

static void choice_desc(const struct choice_case *c, char *desc)
{
	strscpy(desc, c->what, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(choice, choice_cases, choice_desc);

static void newest_superblock_over_both_zones_is_chosen(struct kunit *test)
{
	const struct choice_case *c = test->param_value;
	const char *why = NULL;
	unsigned int cur = 99;

	KUNIT_ASSERT_EQ(test, zslab_sb_choose(c->slot, &cur, &why), c->verdict);
	if (c->verdict == ZSLAB_SB_OURS) {
		KUNIT_EXPECT_EQ(test, cur, c->cur);
		KUNIT_EXPECT_EQ(test, zslab_sb_next_slot(c->slot, cur), c->next);
	} else if (c->verdict != ZSLAB_SB_BLANK) {
		KUNIT_EXPECT_NOT_NULL(test, why);
	}
}

static void superblocks_of_two_formats_are_refused(struct kunit *test)
{
	struct zslab_sb_slot slot[2] = { VALID(3, true), VALID(4, false) };
	const char *why = NULL;
	unsigned int cur;

	slot[1].sb.uuid[0] = 2;
	KUNIT_EXPECT_EQ(test, zslab_sb_choose(slot, &cur, &why), ZSLAB_SB_DAMAGED);
	KUNIT_EXPECT_NOT_NULL(test, why);
}

/* --- the zone budget at load --- */

static void set_cond(struct zslab_dev *zd, unsigned int i, u8 cond)
{
	zd->zones[i].cond = cond;
	zd->zones[i].wp += 8;
}

static void metadata_zones_are_the_first_two_usable(struct kunit *test)
{
	struct zslab_dev *zd = fake_zoned_dev(test, 8, 12);
	unsigned int meta[2], first;

	zslab_sb_meta_zones(zd, meta, &first);
	KUNIT_EXPECT_EQ(test, meta[0], 0U);
	KUNIT_EXPECT_EQ(test, meta[1], 1U);
	KUNIT_EXPECT_EQ(test, first, 3U);
	zd->zones[0].cond = BLK_ZONE_COND_OFFLINE;
	zd->zones[2].type = BLK_ZONE_TYPE_CONVENTIONAL;
	zslab_sb_meta_zones(zd, meta, &first);
	KUNIT_EXPECT_EQ(test, meta[0], 1U);
	KUNIT_EXPECT_EQ(test, meta[1], 3U);
	KUNIT_EXPECT_EQ(test, first, 5U);
}

static void zones_open_or_closed_at_load_shrink_the_budget(struct kunit *test)
{
	struct zslab_dev *zd = fake_zoned_dev(test, 8, 12);
	unsigned long *resetting = kunit_kzalloc(test, sizeof(long), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, resetting);
	KUNIT_EXPECT_EQ(test, zslab_zone_budget(zd, NULL), 7);
	/* Our open metadata zone uses the token kept for metadata. */
	set_cond(zd, 0, BLK_ZONE_COND_IMP_OPEN);
	KUNIT_EXPECT_EQ(test, zslab_zone_budget(zd, NULL), 7);
	/* Two open, one closed elsewhere: open 8 - 2 - 1, active 12 - 3 - 1. */
	set_cond(zd, 5, BLK_ZONE_COND_IMP_OPEN);
	set_cond(zd, 6, BLK_ZONE_COND_EXP_OPEN);
	set_cond(zd, 7, BLK_ZONE_COND_CLOSED);
	KUNIT_EXPECT_EQ(test, zslab_zone_budget(zd, NULL), 5);
	KUNIT_EXPECT_EQ(test, zslab_zones_init(zd), 0);
	KUNIT_EXPECT_EQ(test, zd->zone_budget, 5U);
	/* Full zones hold no resource. */
	set_cond(zd, 8, BLK_ZONE_COND_FULL);
	KUNIT_EXPECT_EQ(test, zslab_zone_budget(zd, NULL), 5);
	/* Zones about to be reset give theirs back. */
	__set_bit(5, resetting);
	__set_bit(6, resetting);
	__set_bit(7, resetting);
	KUNIT_EXPECT_EQ(test, zslab_zone_budget(zd, resetting), 7);
}

static void closed_zones_count_against_active_only(struct kunit *test)
{
	struct zslab_dev *zd = fake_zoned_dev(test, 8, 8);

	set_cond(zd, 4, BLK_ZONE_COND_CLOSED);
	set_cond(zd, 5, BLK_ZONE_COND_CLOSED);
	/* open 8 - 0 - 1 = 7, active 8 - 2 - 1 = 5 */
	KUNIT_EXPECT_EQ(test, zslab_zone_budget(zd, NULL), 5);
	/* Both metadata zones active: two active resources for metadata. */
	zd = fake_zoned_dev(test, 2, 3);
	KUNIT_EXPECT_EQ(test, zslab_zone_budget(zd, NULL), 1);
	set_cond(zd, 0, BLK_ZONE_COND_FULL);
	set_cond(zd, 1, BLK_ZONE_COND_IMP_OPEN);
	KUNIT_EXPECT_EQ(test, zslab_zone_budget(zd, NULL), 1);
	set_cond(zd, 0, BLK_ZONE_COND_CLOSED);
	KUNIT_EXPECT_EQ(test, zslab_zone_budget(zd, NULL), 1);
	set_cond(zd, 9, BLK_ZONE_COND_CLOSED);
	KUNIT_EXPECT_EQ(test, zslab_zone_budget(zd, NULL), 0);
}

static void no_budget_left_refuses_the_device(struct kunit *test)
{
	struct zslab_dev *zd = fake_zoned_dev(test, 2, 3);

	KUNIT_EXPECT_EQ(test, zslab_zones_init(zd), 0);
	KUNIT_EXPECT_EQ(test, zd->zone_budget, 1U);
	set_cond(zd, 6, BLK_ZONE_COND_IMP_OPEN);
	KUNIT_EXPECT_EQ(test, zslab_zones_init(zd), -ETOOMANYREFS);
	KUNIT_EXPECT_EQ(test, zd->zone_budget, 0U);
	/* No limits: the default budget, whatever is open. */
	zd = fake_zoned_dev(test, 0, 0);
	set_cond(zd, 6, BLK_ZONE_COND_IMP_OPEN);
	KUNIT_EXPECT_EQ(test, zslab_zone_budget(zd, NULL), ZSLAB_DEFAULT_ZONE_BUDGET);
}

static struct kunit_case superblock_test_cases[] = {
	KUNIT_CASE(superblock_is_128_bytes_of_fields_in_one_block),
	KUNIT_CASE(superblock_round_trips),
	KUNIT_CASE(fields_are_little_endian_at_fixed_offsets),
	KUNIT_CASE_PARAM(corrupt_superblocks_are_refused_with_a_reason, sb_corruption_gen_params),
	KUNIT_CASE_PARAM(checkpoint_fields_are_checked, ckpt_case_gen_params),
	KUNIT_CASE(truncated_superblocks_are_refused),
	KUNIT_CASE(zeroed_and_random_blocks_are_not_superblocks),
	KUNIT_CASE(geometry_mismatch_names_the_field),
	KUNIT_CASE_PARAM(newest_superblock_over_both_zones_is_chosen, choice_gen_params),
	KUNIT_CASE(superblocks_of_two_formats_are_refused),
	KUNIT_CASE(metadata_zones_are_the_first_two_usable),
	KUNIT_CASE(zones_open_or_closed_at_load_shrink_the_budget),
	KUNIT_CASE(closed_zones_count_against_active_only),
	KUNIT_CASE(no_budget_left_refuses_the_device),
	{}
};

static struct kunit_suite superblock_test_suite = {
	.name = "zns_slab_superblock",
	.test_cases = superblock_test_cases,
};

kunit_test_suites(&superblock_test_suite);
