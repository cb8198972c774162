// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: a zoned device that exists only in memory, for the suites that
 * test zone placement and load-time decisions without I/O.
 */
#include <linux/slab.h>
#include "fake_dev.h"

/**
 * fake_zoned_dev() - FAKE_ZONES empty sequential zones, freed with the test.
 * @test: the test case.
 * @max_open: the device's open-zone limit, 0 = none.
 * @max_active: its active-zone limit, 0 = none.
 */
struct zslab_dev *fake_zoned_dev(struct kunit *test, unsigned int max_open,
				 unsigned int max_active)
{
	struct zslab_dev *zd = kunit_kzalloc(test, sizeof(*zd), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, zd);
	zd->zones = kunit_kcalloc(test, FAKE_ZONES, sizeof(*zd->zones), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, zd->zones);
	spin_lock_init(&zd->zone_lock);
	zd->geo.nr_zones = FAKE_ZONES;
	zd->geo.max_open = max_open;
	zd->geo.max_active = max_active;
	for (i = 0; i < FAKE_ZONES; i++)
		zd->zones[i] = (struct zslab_zone) {
			.start = i * 1024, .len = 1024, .capacity = 1000, .wp = i * 1024,
			.type = BLK_ZONE_TYPE_SEQWRITE_REQ, .cond = BLK_ZONE_COND_EMPTY,
		};
	return zd;
}
