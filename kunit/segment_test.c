// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the on-disk segment format (v2).
 *
 * What the encoder writes decodes to the same slabs; every damaged,
 * truncated or foreign summary is refused with a reason, and damaged slab
 * data is caught by its CRC; nothing past the buffer is ever read.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/crc32c.h>
#include <linux/random.h>
#include <linux/slab.h>
#include "../zslab_internal.h"

#define SEG_CAP	(128 * 1024)

struct seg_fixture {
	unsigned int lbs;
	unsigned long *inuse_a, *inuse_b;
	u8 *data_a, *data_b, *buf;
	struct zslab_seg_slab a, t, b;	/* data, tombstone, data */
	unsigned int len;
};

static struct zslab_seg_slab slab_layout(u32 slab_id, u64 seq)
{
	/* 100 B objects, stride 104: 39 in a 4 KiB slab. */
	return (struct zslab_seg_slab) {
		.cache_id = 7, .slab_id = slab_id, .seq = seq, .object_size = 100,
		.stride = 104, .nr_objs = 39, .slab_size = 4096,
	};
}

/* Slab A: every third object live; a tombstone; slab B: all 39 live. */
static struct seg_fixture *make_segment(struct kunit *test, unsigned int lbs)
{
	struct seg_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct zslab_seg_builder b;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->lbs = lbs;
	f->inuse_a = kunit_kzalloc(test, BITS_TO_LONGS(64) * sizeof(long), GFP_KERNEL);
	f->inuse_b = kunit_kzalloc(test, BITS_TO_LONGS(64) * sizeof(long), GFP_KERNEL);
	f->data_a = kunit_kmalloc(test, 4096, GFP_KERNEL);
	f->data_b = kunit_kmalloc(test, 4096, GFP_KERNEL);
	f->buf = kunit_kmalloc(test, SEG_CAP, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, f->inuse_a && f->inuse_b && f->data_a && f->data_b && f->buf);
	memset(f->buf, 0x5a, SEG_CAP);		/* a buffer with history */
	memset(f->data_a, 0xab, 4096);		/* freed slots hold junk in DRAM */
	for (i = 0; i < 39; i += 3) {
		__set_bit(i, f->inuse_a);
		memset(f->data_a + i * 104, i + 1, 100);
	}
	get_random_bytes(f->data_b, 4096);
	bitmap_fill(f->inuse_b, 39);

	f->a = slab_layout(12345, 99);
	f->t = slab_layout(12346, 100);
	f->b = slab_layout(12347, 101);
	zslab_seg_start(&b, f->buf, SEG_CAP, zslab_seg_summary_bytes(SEG_CAP, 4096, 39, lbs));
	KUNIT_ASSERT_TRUE(test, zslab_seg_fits(&b, 39, 4096));
	KUNIT_ASSERT_TRUE(test, zslab_seg_add_slab(&b, &f->a, f->inuse_a, NULL, f->data_a));
	zslab_seg_add_tombstone(&b, &f->t);
	KUNIT_ASSERT_TRUE(test, zslab_seg_add_slab(&b, &f->b, f->inuse_b, NULL, f->data_b));
	f->len = zslab_seg_finish(&b, 4242);
	return f;
}

static int decode(struct seg_fixture *f, size_t len, struct zslab_seg_info *info,
		  const char **why)
{
	return zslab_seg_decode(f->buf, len, f->lbs, info, why);
}

static void summary_sizes_follow_the_block_size(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct zslab_seg_hdr), (size_t)64);
	KUNIT_EXPECT_EQ(test, sizeof(struct zslab_seg_entry), (size_t)40);
	KUNIT_EXPECT_EQ(test, zslab_seg_entry_bytes(32, false), 48U);
	KUNIT_EXPECT_EQ(test, zslab_seg_entry_bytes(32, true), 40U);
	/* 4 KiB blocks: one block describes the 31 slabs of a 128 KiB segment. */
	KUNIT_EXPECT_EQ(test, zslab_seg_summary_bytes(SEG_CAP, 4096, 32, 4096), 4096U);
	/* 512 B blocks: 64 + 31 x 48 = 1552 bytes, four blocks. */
	KUNIT_EXPECT_EQ(test, zslab_seg_summary_bytes(SEG_CAP, 4096, 32, 512), 2048U);
	/* 8 B objects: a 64 B bitmap each, still one 4 KiB block. */
	KUNIT_EXPECT_EQ(test, zslab_seg_summary_bytes(SEG_CAP, 4096, 512, 4096), 4096U);
	/* A 128 KiB slab and its summary do not fit a 128 KiB append... */
	KUNIT_EXPECT_EQ(test, zslab_seg_summary_bytes(SEG_CAP, SEG_CAP, 16384, 512), 0U);
	/* ...but do a 256 KiB one. */
	KUNIT_EXPECT_GT(test, zslab_seg_summary_bytes(2 * SEG_CAP, SEG_CAP, 16384, 512), 0U);
}

/* The target of the format: device bytes per slab byte at most 1.04. */
static void full_segments_cost_at_most_4_percent(struct kunit *test)
{
	static const unsigned int lbss[] = { 512, 4096 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lbss); i++) {
		unsigned int s = zslab_seg_summary_bytes(SEG_CAP, 4096, 32, lbss[i]);
		unsigned int data = (SEG_CAP - s) / 4096 * 4096;

		KUNIT_EXPECT_LE_MSG(test, (s + data) * 100ULL, data * 104ULL, "lbs %u", lbss[i]);
	}
}

static void segment_round_trips(struct kunit *test)
{
	struct seg_fixture *f = make_segment(test, 512);
	struct zslab_seg_slab e[3];
	struct zslab_seg_info info;
	struct zslab_seg_cursor cur;
	const char *why = NULL;
	unsigned int i, n = 0;
	const u8 *img;

	KUNIT_ASSERT_EQ_MSG(test, decode(f, f->len, &info, &why), 0, "%s", why);
	KUNIT_EXPECT_EQ(test, info.seg_seq, 4242ULL);
	KUNIT_EXPECT_EQ(test, info.nr_entries, 3U);
	KUNIT_EXPECT_EQ(test, info.summary_bytes, 2048U);
	KUNIT_EXPECT_EQ(test, info.data_bytes, 8192U);
	KUNIT_EXPECT_EQ(test, f->len, 2048U + 8192U);
	zslab_seg_cursor_init(&cur, &info);
	while (n < 3 && zslab_seg_next(f->buf, &info, &cur, &e[n], &why) == 1)
		n++;
	KUNIT_ASSERT_EQ(test, n, 3U);
	KUNIT_EXPECT_EQ(test, zslab_seg_next(f->buf, &info, &cur, &e[0], &why), 0);

	KUNIT_EXPECT_EQ(test, e[0].slab_id, 12345U);
	KUNIT_EXPECT_EQ(test, e[0].seq, 99ULL);
	KUNIT_EXPECT_EQ(test, e[0].nr_live, 13U);
	KUNIT_EXPECT_EQ(test, e[0].data_offset, 2048U);
	KUNIT_EXPECT_EQ(test, e[0].data_crc, f->a.data_crc);
	KUNIT_EXPECT_TRUE(test, e[1].tombstone);
	KUNIT_EXPECT_EQ(test, e[1].slab_id, 12346U);
	KUNIT_EXPECT_EQ(test, e[1].seq, 100ULL);
	KUNIT_EXPECT_FALSE(test, e[2].tombstone);
	KUNIT_EXPECT_EQ(test, e[2].data_offset, 2048U + 4096U);
	KUNIT_EXPECT_EQ(test, e[2].nr_live, 39U);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ_MSG(test, zslab_seg_check_data(&e[i], f->buf + e[i].data_offset, &why),
				    0, "entry %u: %s", i, why);

	img = f->buf + 2048;
	for (i = 0; i < 39; i++) {
		bool live = i % 3 == 0;

		/* Live objects are copied; freed slots and object tails are zero. */
		KUNIT_EXPECT_EQ_MSG(test, img[i * 104], live ? i + 1 : 0, "slot %u", i);
		KUNIT_EXPECT_EQ_MSG(test, img[i * 104 + 99], live ? i + 1 : 0, "slot %u", i);
		KUNIT_EXPECT_EQ_MSG(test, img[i * 104 + 100], 0, "tail of slot %u", i);
	}
	KUNIT_EXPECT_NULL(test, memchr_inv(img + 39 * 104, 0, 4096 - 39 * 104));
	for (i = 0; i < 39; i++)	/* slab B: every object copied, tails zero */
		KUNIT_EXPECT_EQ_MSG(test, memcmp(f->buf + 2048 + 4096 + i * 104,
						 f->data_b + i * 104, 100), 0, "slot %u", i);
}

static void fields_are_little_endian_at_fixed_offsets(struct kunit *test)
{
	struct seg_fixture *f = make_segment(test, 512);
	const u8 *b = f->buf;

	KUNIT_EXPECT_EQ(test, memcmp(b, "ZSSG", 4), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 0), ZSLAB_SEG_MAGIC);
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + 4), 2);		/* version */
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + 6), 0);		/* flags */
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 8), 2048U);	/* summary bytes */
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 12), 64U + 48 + 40 + 48);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 16), 3U);		/* entries */
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 20), 8192U);	/* data bytes */
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + 24), 4242ULL);	/* segment seq */
	/* Entry 0 at 64. */
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 64), 7U);		/* cache id */
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 68), 12345U);	/* slab id */
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + 72), 99ULL);	/* seq */
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 80), f->a.data_crc);
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 84), 13U);		/* live */
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 88), 100U);	/* object size */
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 92), 104U);	/* stride */
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(b + 96), 39U);		/* objects */
	KUNIT_EXPECT_EQ(test, b[98], 0);				/* slab order */
	KUNIT_EXPECT_EQ(test, b[99], 0);				/* flags */
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(b + 104), 0x1249249249ULL); /* bits 0,3,..36 */
	/* Entry 1, the tombstone, at 112: no bitmap. */
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(b + 116), 12346U);
	KUNIT_EXPECT_EQ(test, b[112 + 35], ZSLAB_SEG_TOMBSTONE);
	/* The data CRC is crc32c() of the slab's 4 KiB as written. */
	KUNIT_EXPECT_EQ(test, f->a.data_crc, ~crc32c(~0U, b + 2048, 4096));
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
	{ "header flag set", 6, 0x01, -EUCLEAN },
	{ "summary size not whole blocks", 8, 0x01, -EUCLEAN },
	{ "summary size beyond what was read", 9, 0x40, -EMSGSIZE },
	{ "used bytes beyond the summary", 13, 0x40, -EUCLEAN },
	{ "entry count off by one (CRC catches it)", 16, 0x01, -EUCLEAN },
	{ "data size off by a block (CRC catches it)", 21, 0x02, -EUCLEAN },
	{ "flipped segment sequence (CRC catches it)", 24, 0x01, -EUCLEAN },
	{ "flipped CRC", 32, 0x01, -EUCLEAN },
	{ "reserved header byte set", 40, 0x01, -EUCLEAN },
	{ "flipped slab id (CRC catches it)", 68, 0x01, -EUCLEAN },
	{ "bitmap bit flipped (CRC catches it)", 104, 0x02, -EUCLEAN },
	{ "summary padding not zero", 1000, 0x01, -EUCLEAN },
};

static void corruption_desc(const struct corruption *c, char *desc)
{
	strscpy(desc, c->what, KUNIT_PARAM_DESC_SIZE);
}
KUNIT_ARRAY_PARAM(corruption, corruptions, corruption_desc);

static void corrupt_summaries_are_refused_with_a_reason(struct kunit *test)
{
	const struct corruption *c = test->param_value;
	struct seg_fixture *f = make_segment(test, 512);
	struct zslab_seg_info info;
	const char *why = NULL;

	f->buf[c->offset] ^= c->xor;
	KUNIT_EXPECT_EQ(test, decode(f, f->len, &info, &why), c->err);
	KUNIT_EXPECT_NOT_NULL(test, why);
}

/* The summary CRC as the README defines it: used bytes, CRC field as zero. */
static void fix_summary_crc(struct seg_fixture *f)
{
	unsigned int used = get_unaligned_le32(f->buf + 12);

	put_unaligned_le32(0, f->buf + 32);
	put_unaligned_le32(~crc32c(~0U, f->buf, used), f->buf + 32);
}

struct entry_lie {
	const char *what;
	unsigned int offset;
	u32 value;		/* stored at @offset with @width bytes */
	unsigned int width;
	const char *why;
};

static const struct entry_lie entry_lies[] = {
	{ "bitmap bit past the last object", 108, 0x80, 1, "bitmap has bits past the last object" },
	{ "live count off by one", 84, 14, 4, "live count does not match the bitmap" },
	{ "stride below 8", 92, 4, 4, "object layout out of range" },
	{ "object larger than its stride", 88, 105, 4, "object layout out of range" },
	{ "object count that does not fill the slab", 96, 38, 2, "object layout out of range" },
	{ "slab order above the maximum", 98, 6, 1, "slab order out of range" },
	{ "slab id 0", 68, 0, 4, "entry names no cache, slab or sequence" },
	{ "unknown entry flag", 99, 0x80, 1, "unknown entry flags" },
	{ "tombstone with live objects", 112 + 20, 1, 4, "tombstone with live objects or data" },
	{ "data size one slab short", 20, 4096, 4, "slab data beyond the segment" },
};

static void entry_lie_desc(const struct entry_lie *l, char *desc)
{
	strscpy(desc, l->what, KUNIT_PARAM_DESC_SIZE);
}
KUNIT_ARRAY_PARAM(entry_lie, entry_lies, entry_lie_desc);

/* An entry that lies under a CRC that matches is still refused. */
static void lying_entries_under_a_good_crc_are_refused(struct kunit *test)
{
	const struct entry_lie *l = test->param_value;
	struct seg_fixture *f = make_segment(test, 512);
	struct zslab_seg_info info;
	const char *why = NULL;

	if (l->width == 1)
		f->buf[l->offset] = l->value;
	else if (l->width == 2)
		put_unaligned_le16(l->value, f->buf + l->offset);
	else
		put_unaligned_le32(l->value, f->buf + l->offset);
	fix_summary_crc(f);
	KUNIT_EXPECT_EQ(test, decode(f, f->len, &info, &why), -EUCLEAN);
	KUNIT_EXPECT_STREQ(test, why, l->why);
}

static void damaged_slab_data_is_caught(struct kunit *test)
{
	struct seg_fixture *f = make_segment(test, 512);
	struct zslab_seg_info info;
	struct zslab_seg_cursor cur;
	struct zslab_seg_slab e;
	const char *why = NULL;
	u8 *data;

	KUNIT_ASSERT_EQ(test, decode(f, f->len, &info, &why), 0);
	zslab_seg_cursor_init(&cur, &info);
	KUNIT_ASSERT_EQ(test, zslab_seg_next(f->buf, &info, &cur, &e, &why), 1);
	data = f->buf + e.data_offset;
	data[3 * 104 + 7] ^= 1;			/* one bit of a live object */
	KUNIT_EXPECT_EQ(test, zslab_seg_check_data(&e, data, &why), -EUCLEAN);
	KUNIT_EXPECT_STREQ(test, why, "slab data CRC mismatch");
	data[3 * 104 + 7] ^= 1;
	/* A freed slot with data, under a data CRC that matches: still refused. */
	data[104] = 0x11;
	e.data_crc = ~crc32c(~0U, data, 4096);
	KUNIT_EXPECT_EQ(test, zslab_seg_check_data(&e, data, &why), -EUCLEAN);
	KUNIT_EXPECT_STREQ(test, why, "free slot or object tail holds data");
}

static void truncated_summaries_are_refused(struct kunit *test)
{
	struct seg_fixture *f = make_segment(test, 512);
	struct zslab_seg_info info;
	const char *why = NULL;
	size_t len;

	for (len = 0; len < 2048; len += 61)
		KUNIT_EXPECT_EQ_MSG(test, decode(f, len, &info, &why), -EMSGSIZE, "length %zu", len);
	KUNIT_EXPECT_EQ(test, decode(f, 2047, &info, &why), -EMSGSIZE);
	/* The summary alone decodes: the data is checked slab by slab. */
	KUNIT_EXPECT_EQ(test, decode(f, 2048, &info, &why), 0);
}

static void zeroed_and_random_blocks_are_not_segments(struct kunit *test)
{
	struct seg_fixture *f = make_segment(test, 4096);
	struct zslab_seg_info info;
	const char *why = NULL;
	int i;

	memset(f->buf, 0, SEG_CAP);
	KUNIT_EXPECT_EQ(test, decode(f, SEG_CAP, &info, &why), -EUCLEAN);
	for (i = 0; i < 64; i++) {
		get_random_bytes(f->buf, 8192);
		KUNIT_EXPECT_NE(test, decode(f, SEG_CAP, &info, &why), 0);
	}
	/* The magic alone does not make a segment. */
	put_unaligned_le32(ZSLAB_SEG_MAGIC, f->buf);
	put_unaligned_le16(2, f->buf + 4);
	KUNIT_EXPECT_NE(test, decode(f, SEG_CAP, &info, &why), 0);
}

/* An empty bitmap adds nothing: the caller writes a tombstone or skips. */
static void a_slab_read_empty_adds_no_entry(struct kunit *test)
{
	struct seg_fixture *f = make_segment(test, 4096);
	struct zslab_seg_slab l = slab_layout(1, 1);
	struct zslab_seg_builder b;

	bitmap_zero(f->inuse_a, 39);
	zslab_seg_start(&b, f->buf, SEG_CAP, 4096);
	KUNIT_EXPECT_FALSE(test, zslab_seg_add_slab(&b, &l, f->inuse_a, NULL, f->data_a));
	KUNIT_EXPECT_EQ(test, b.nr_entries, 0U);
	KUNIT_EXPECT_EQ(test, b.data_bytes, 0U);
}

/*
 * Objects live but not marked since their allocation (a cache that does not
 * zero at allocation) are live in the summary and zeros in the data: the
 * bytes their slots held before never go out. Marked bits of free slots
 * change nothing.
 */
static void an_unmarked_live_object_goes_out_as_zeros(struct kunit *test)
{
	struct seg_fixture *f = make_segment(test, 4096);
	struct zslab_seg_slab l = slab_layout(1, 1), e;
	unsigned long *marked = kunit_kzalloc(test, sizeof(long), GFP_KERNEL);
	struct zslab_seg_builder b;
	struct zslab_seg_info info;
	struct zslab_seg_cursor cur;
	const char *why = NULL;
	const u8 *img;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, marked);
	for (i = 0; i < 39; i += 2)
		__set_bit(i, marked);		/* objects 0, 2, 4, ... */
	__set_bit(40, marked);			/* past the slab: ignored */
	zslab_seg_start(&b, f->buf, SEG_CAP, 4096);
	KUNIT_ASSERT_TRUE(test, zslab_seg_add_slab(&b, &l, f->inuse_b, marked, f->data_b));
	KUNIT_EXPECT_EQ(test, l.nr_live, 39U);
	f->len = zslab_seg_finish(&b, 1);
	KUNIT_ASSERT_EQ_MSG(test, decode(f, f->len, &info, &why), 0, "%s", why);
	zslab_seg_cursor_init(&cur, &info);
	KUNIT_ASSERT_EQ(test, zslab_seg_next(f->buf, &info, &cur, &e, &why), 1);
	KUNIT_EXPECT_EQ(test, e.nr_live, 39U);
	KUNIT_EXPECT_EQ_MSG(test, zslab_seg_check_data(&e, f->buf + e.data_offset, &why), 0,
			    "%s", why);
	img = f->buf + e.data_offset;
	for (i = 0; i < 39; i++) {
		const u8 *want = i % 2 ? NULL : (const u8 *)f->data_b + i * 104;

		if (want)
			KUNIT_EXPECT_EQ_MSG(test, memcmp(img + i * 104, want, 100), 0, "slot %u", i);
		else
			KUNIT_EXPECT_NULL_MSG(test, memchr_inv(img + i * 104, 0, 104), "slot %u", i);
	}
	KUNIT_EXPECT_NULL(test, memchr_inv(img + 39 * 104, 0, 4096 - 39 * 104));
}

static struct kunit_case segment_test_cases[] = {
	KUNIT_CASE(summary_sizes_follow_the_block_size),
	KUNIT_CASE(full_segments_cost_at_most_4_percent),
	KUNIT_CASE(segment_round_trips),
	KUNIT_CASE(fields_are_little_endian_at_fixed_offsets),
	KUNIT_CASE_PARAM(corrupt_summaries_are_refused_with_a_reason, corruption_gen_params),
	KUNIT_CASE_PARAM(lying_entries_under_a_good_crc_are_refused, entry_lie_gen_params),
	KUNIT_CASE(damaged_slab_data_is_caught),
	KUNIT_CASE(truncated_summaries_are_refused),
	KUNIT_CASE(zeroed_and_random_blocks_are_not_segments),
	KUNIT_CASE(a_slab_read_empty_adds_no_entry),
	KUNIT_CASE(an_unmarked_live_object_goes_out_as_zeros),
	{}
};

static struct kunit_suite segment_test_suite = {
	.name = "zns_slab_segment",
	.test_cases = segment_test_cases,
};

kunit_test_suites(&segment_test_suite);
