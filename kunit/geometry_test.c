// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: which devices zns_slab accepts, and which zone reports it trusts.
 *
 * The cases below are the specification of zslab_check_geometry() and
 * zslab_check_zone(): each names a device or a zone and the errno the module
 * must answer with.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include "../zslab_internal.h"

#define MiB_SECTORS(n) ((sector_t)(n) << 11)

/* The emulated ZNS namespace of the test VM: 64M zones, 62M writable. */
static const struct zslab_geometry good_zns = {
	.host_managed = true,
	.zone_sectors = MiB_SECTORS(64),
	.zone_capacity = MiB_SECTORS(62),
	.nr_zones = 16,
	.lbs = 4096,
	.max_open = 8,
	.max_active = 12,
	.max_append_sectors = 256,
};

struct geometry_case {
	const char *what;
	void (*mutate)(struct zslab_geometry *geo);
	int expect;
};

static void keep(struct zslab_geometry *g)
{
}

static void conventional(struct zslab_geometry *g)
{
	g->host_managed = false;
	g->zone_sectors = 0;
}

static void read_only(struct zslab_geometry *g)
{
	g->read_only = true;
}

static void zone_size_3m(struct zslab_geometry *g)
{
	g->zone_sectors = MiB_SECTORS(3);
}

static void zone_size_zero(struct zslab_geometry *g)
{
	g->zone_sectors = 0;
}

static void lbs_512(struct zslab_geometry *g)
{
	g->lbs = 512;
}

static void lbs_8k(struct zslab_geometry *g)
{
	g->lbs = 8192;
}

static void lbs_3000(struct zslab_geometry *g)
{
	g->lbs = 3000;
}

static void no_append(struct zslab_geometry *g)
{
	g->max_append_sectors = 0;
}

static void append_below_slab(struct zslab_geometry *g)
{
	g->max_append_sectors = 7;
}

static void append_one_slab(struct zslab_geometry *g)
{
	g->max_append_sectors = 8;
}

static void one_open(struct zslab_geometry *g)
{
	g->max_open = 1;
}

static void one_active(struct zslab_geometry *g)
{
	g->max_active = 1;
}

static void small_limits(struct zslab_geometry *g)
{
	g->max_open = 2;
	g->max_active = 3;
}

static void unlimited(struct zslab_geometry *g)
{
	g->max_open = 0;
	g->max_active = 0;
}

static void four_zones(struct zslab_geometry *g)
{
	g->nr_zones = 4;
}

static void five_zones(struct zslab_geometry *g)
{
	g->nr_zones = 5;
}


static const struct geometry_case geometry_cases[] = {
	{ "emulated ZNS namespace is accepted", keep, 0 },
	{ "conventional namespace is refused", conventional, -EINVAL },
	{ "read-only device is refused", read_only, -EROFS },
	{ "3 MiB zones (not a power of two) are refused", zone_size_3m, -EINVAL },
	{ "zero zone size is refused", zone_size_zero, -EINVAL },
	{ "512 B logical blocks are accepted", lbs_512, 0 },
	{ "8 KiB logical blocks (larger than a slab) are refused", lbs_8k, -EINVAL },
	{ "non power-of-two block size is refused", lbs_3000, -EINVAL },
	{ "no zone append is refused", no_append, -EOPNOTSUPP },
	{ "zone-append limit below one slab is refused", append_below_slab, -EOPNOTSUPP },
	{ "zone-append limit of exactly one slab is accepted", append_one_slab, 0 },
	{ "one open zone is refused", one_open, -EINVAL },
	{ "one active zone is refused", one_active, -EINVAL },
	{ "max open 2 / max active 3 is accepted", small_limits, 0 },
	{ "no open/active limits (0) is accepted", unlimited, 0 },
	{ "4 zones are too few", four_zones, -EINVAL },
	{ "5 zones are enough", five_zones, 0 },
};

static void geometry_case_desc(const struct geometry_case *c, char *desc)
{
	strscpy(desc, c->what, KUNIT_PARAM_DESC_SIZE);
}
KUNIT_ARRAY_PARAM(geometry, geometry_cases, geometry_case_desc);

static void check_geometry_answers(struct kunit *test)
{
	const struct geometry_case *c = test->param_value;
	struct zslab_geometry geo = good_zns;
	const char *why = NULL;
	int ret;

	c->mutate(&geo);
	ret = zslab_check_geometry(&geo, &why);
	KUNIT_EXPECT_EQ(test, ret, c->expect);
	if (c->expect) {
		/* A refusal always says why, for the one pr_err line. */
		KUNIT_ASSERT_NOT_NULL(test, why);
		KUNIT_EXPECT_GT(test, strlen(why), (size_t)0);
	}
}

/* --- zone reports --- */

struct zone_case {
	const char *what;
	unsigned int idx;
	struct blk_zone bz;
	int expect;
};

#define ZS MiB_SECTORS(64)
#define ZC MiB_SECTORS(62)
#define SEQ(i, c, w) { .start = (i) * ZS, .len = ZS, .capacity = ZC, \
		       .wp = (i) * ZS + (w), .type = BLK_ZONE_TYPE_SEQWRITE_REQ, .cond = (c) }

static const struct zone_case zone_cases[] = {
	{ "empty zone at its start", 3, SEQ(3, BLK_ZONE_COND_EMPTY, 0), 0 },
	{ "open zone half written", 3, SEQ(3, BLK_ZONE_COND_IMP_OPEN, ZC / 2), 0 },
	{ "closed zone at capacity", 3, SEQ(3, BLK_ZONE_COND_CLOSED, ZC), 0 },
	{ "full zone, wp at zone end", 3, SEQ(3, BLK_ZONE_COND_FULL, ZS), 0 },
	{ "offline zone with garbage wp is skipped, not trusted", 3,
	  SEQ(3, BLK_ZONE_COND_OFFLINE, 12345678), 0 },
	{ "empty zone whose wp is not its start", 3, SEQ(3, BLK_ZONE_COND_EMPTY, 8), -EIO },
	{ "open zone wp past capacity", 3, SEQ(3, BLK_ZONE_COND_IMP_OPEN, ZC + 8), -EIO },
	{ "full zone wp past zone end", 3, SEQ(3, BLK_ZONE_COND_FULL, ZS + 8), -EIO },
	{ "zone start does not match its index", 4, SEQ(3, BLK_ZONE_COND_EMPTY, 0), -EIO },
	{ "index past the zone count", 16, SEQ(16, BLK_ZONE_COND_EMPTY, 0), -EIO },
	{ "unknown condition 0x7", 3, SEQ(3, 0x7, 0), -EIO },
	{ "unknown zone type", 3, { .start = 3 * ZS, .len = ZS, .capacity = ZC,
				    .wp = 3 * ZS, .type = 9, .cond = BLK_ZONE_COND_EMPTY }, -EIO },
	{ "capacity larger than the zone", 3, { .start = 3 * ZS, .len = ZS, .capacity = ZS + 8,
						.wp = 3 * ZS, .type = BLK_ZONE_TYPE_SEQWRITE_REQ,
						.cond = BLK_ZONE_COND_EMPTY }, -EIO },
	{ "capacity not a whole number of blocks", 3, { .start = 3 * ZS, .len = ZS,
		.capacity = ZC - 1, .wp = 3 * ZS, .type = BLK_ZONE_TYPE_SEQWRITE_REQ,
		.cond = BLK_ZONE_COND_EMPTY }, -EIO },
	{ "zero capacity", 3, { .start = 3 * ZS, .len = ZS, .capacity = 0, .wp = 3 * ZS,
				.type = BLK_ZONE_TYPE_SEQWRITE_REQ, .cond = BLK_ZONE_COND_EMPTY }, -EIO },
	{ "short zone that is not the last", 3, { .start = 3 * ZS, .len = ZS / 2,
		.capacity = ZS / 4, .wp = 3 * ZS, .type = BLK_ZONE_TYPE_SEQWRITE_REQ,
		.cond = BLK_ZONE_COND_EMPTY }, -EIO },
	{ "short last zone (runt) is accepted", 15, { .start = 15 * ZS, .len = ZS / 2,
		.capacity = ZS / 4, .wp = 15 * ZS, .type = BLK_ZONE_TYPE_SEQWRITE_REQ,
		.cond = BLK_ZONE_COND_EMPTY }, 0 },
	{ "conventional zone is accepted and not used", 0, { .start = 0, .len = ZS,
		.type = BLK_ZONE_TYPE_CONVENTIONAL, .cond = BLK_ZONE_COND_NOT_WP }, 0 },
};

static void zone_case_desc(const struct zone_case *c, char *desc)
{
	strscpy(desc, c->what, KUNIT_PARAM_DESC_SIZE);
}
KUNIT_ARRAY_PARAM(zone, zone_cases, zone_case_desc);

static void check_zone_answers(struct kunit *test)
{
	const struct zone_case *c = test->param_value;
	const char *why = NULL;

	KUNIT_EXPECT_EQ(test, zslab_check_zone(&good_zns, c->idx, &c->bz, &why), c->expect);
	if (c->expect)
		KUNIT_EXPECT_NOT_NULL(test, why);
}

static void zone_condition_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, zslab_zone_cond_name(BLK_ZONE_COND_EMPTY), "empty");
	KUNIT_EXPECT_STREQ(test, zslab_zone_cond_name(BLK_ZONE_COND_IMP_OPEN), "imp_open");
	KUNIT_EXPECT_STREQ(test, zslab_zone_cond_name(BLK_ZONE_COND_EXP_OPEN), "exp_open");
	KUNIT_EXPECT_STREQ(test, zslab_zone_cond_name(BLK_ZONE_COND_CLOSED), "closed");
	KUNIT_EXPECT_STREQ(test, zslab_zone_cond_name(BLK_ZONE_COND_FULL), "full");
	KUNIT_EXPECT_STREQ(test, zslab_zone_cond_name(BLK_ZONE_COND_OFFLINE), "offline");
	KUNIT_EXPECT_STREQ(test, zslab_zone_cond_name(BLK_ZONE_COND_READONLY), "read_only");
	/* Values the device should never send still print, as "unknown". */
	KUNIT_EXPECT_STREQ(test, zslab_zone_cond_name(0x7), "unknown");
	KUNIT_EXPECT_STREQ(test, zslab_zone_cond_name(0xff), "unknown");
}

static struct kunit_case geometry_test_cases[] = {
	KUNIT_CASE_PARAM(check_geometry_answers, geometry_gen_params),
	KUNIT_CASE_PARAM(check_zone_answers, zone_gen_params),
	KUNIT_CASE(zone_condition_names),
	{}
};

static struct kunit_suite geometry_test_suite = {
	.name = "zns_slab_geometry",
	.test_cases = geometry_test_cases,
};

kunit_test_suites(&geometry_test_suite);

ZSLAB_IMPORT_TESTS_NS();
MODULE_DESCRIPTION("KUnit tests for zns_slab");
MODULE_LICENSE("GPL");
