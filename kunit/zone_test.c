// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: zone placement and zone life.
 *
 * A cache keeps its own open zone while the token budget allows, caches
 * share once it is spent, full zones are closed by whoever finds them full,
 * no append is handed space a zone does not have, and a zone is reset only
 * when nothing in it is live and no tombstone in it still buries data.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include "fake_dev.h"

/* --- placement --- */

/* The fake device; 3 reserved, and zone 5 holds someone else's data. */
static struct zslab_dev *make_placement_dev(struct kunit *test, unsigned int max_open,
					    unsigned int max_active)
{
	struct zslab_dev *zd = fake_zoned_dev(test, max_open, max_active);

	zd->zones[5].cond = BLK_ZONE_COND_CLOSED;	/* someone else's data */
	zd->zones[5].wp += 8;
	zslab_zones_init(zd);
	return zd;
}

/* An append completes at @sector: what wb_end_io() does to the zone. */
static bool land(struct zslab_dev *zd, unsigned int z, sector_t sector, sector_t sectors)
{
	bool ok;

	spin_lock_irq(&zd->zone_lock);
	ok = zslab_zone_append_landed_locked(zd, z, sector, sectors, true);
	if (ok)
		zslab_zone_data_live_locked(zd, z, sectors);
	zslab_zone_append_end_locked(zd, z);
	spin_unlock_irq(&zd->zone_lock);
	return ok;
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

/*
 * A load that keeps every data zone (live persistent data in each, a crash
 * having left them closed) leaves one open for relocation, the one
 * recovery chose: reclaim has somewhere to move live data, and relocation
 * appends after what is there. Its open resource is counted once, by its
 * token, not also as a zone found closed.
 */
static void a_zone_recovery_left_open_is_relocations(struct kunit *test)
{
	struct zslab_dev *zd = fake_zoned_dev(test, 8, 12);
	unsigned int i, zone;
	sector_t off;

	zd->load_keeps = kunit_kcalloc(test, BITS_TO_LONGS(FAKE_ZONES), sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, zd->load_keeps);
	for (i = 3; i < FAKE_ZONES; i++) {
		zd->zones[i].cond = BLK_ZONE_COND_CLOSED;
		zd->zones[i].wp = zd->zones[i].start + 500;
		__set_bit(i, zd->load_keeps);
	}
	zd->load_reloc = 7;
	KUNIT_ASSERT_EQ(test, zslab_zones_init(zd), 0);
	KUNIT_EXPECT_EQ(test, zd->zones[6].use, (u8)ZZ_FULL);
	KUNIT_EXPECT_EQ(test, zd->zones[7].use, (u8)ZZ_OPEN);
	KUNIT_EXPECT_EQ(test, zd->zones[7].owner, (u32)ZSLAB_RELOC_OWNER);
	KUNIT_EXPECT_EQ(test, zd->reloc_zone, 7);
	KUNIT_EXPECT_EQ(test, zd->zones_open, 1U);
	/* 12 active, less 8 other closed zones and one for metadata. */
	KUNIT_EXPECT_EQ(test, zd->zone_budget, 3U);
	KUNIT_ASSERT_EQ(test, zslab_zone_reserve_reloc(zd, 16, &zone, &off), 0);
	KUNIT_EXPECT_EQ(test, zone, 7U);
	KUNIT_EXPECT_EQ(test, off, (sector_t)500);
}

/*
 * A crash finishes the zones that were open. If the load finished every
 * kept zone too, a device with no empty or dead data zone would have no
 * room for relocation, and reclaim could never free a zone again: one
 * kept zone, the one with the most room, stays open for it.
 */
static void a_load_with_no_free_zone_keeps_one_open_for_relocation(struct kunit *test)
{
	struct zslab_dev *zd = fake_zoned_dev(test, 8, 12);
	unsigned int i;

	zd->sb.sb.geo.first_data_zone = 3;
	zd->load_keeps = kunit_kcalloc(test, BITS_TO_LONGS(FAKE_ZONES), sizeof(long), GFP_KERNEL);
	zd->load_resets = kunit_kcalloc(test, BITS_TO_LONGS(FAKE_ZONES), sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, zd->load_keeps);
	KUNIT_ASSERT_NOT_NULL(test, zd->load_resets);
	for (i = 3; i < FAKE_ZONES; i++) {
		zd->zones[i].cond = BLK_ZONE_COND_FULL;
		zd->zones[i].wp = zd->zones[i].start + zd->zones[i].len;
		__set_bit(i, zd->load_keeps);
	}
	/* Every data zone full: nowhere to append, nothing to keep open. */
	KUNIT_EXPECT_EQ(test, zslab_load_reloc_zone(zd), 0U);
	/* Two kept zones the crash left open: the roomier one. */
	zd->zones[5].cond = BLK_ZONE_COND_CLOSED;
	zd->zones[5].wp = zd->zones[5].start + 900;
	zd->zones[9].cond = BLK_ZONE_COND_IMP_OPEN;
	zd->zones[9].wp = zd->zones[9].start + 400;
	KUNIT_EXPECT_EQ(test, zslab_load_reloc_zone(zd), 9U);
	/* Written to capacity: no room there, whatever its condition. */
	zd->zones[9].wp = zd->zones[9].start + zd->zones[9].capacity;
	KUNIT_EXPECT_EQ(test, zslab_load_reloc_zone(zd), 5U);
	/* A zone the load resets will be free: none is kept open. */
	__clear_bit(11, zd->load_keeps);
	__set_bit(11, zd->load_resets);
	KUNIT_EXPECT_EQ(test, zslab_load_reloc_zone(zd), 0U);
	/* So too an empty data zone. */
	__clear_bit(11, zd->load_resets);
	__set_bit(11, zd->load_keeps);
	zd->zones[10].cond = BLK_ZONE_COND_EMPTY;
	zd->zones[10].wp = zd->zones[10].start;
	__clear_bit(10, zd->load_keeps);
	KUNIT_EXPECT_EQ(test, zslab_load_reloc_zone(zd), 0U);
	/* Zones before the data zones (metadata, relocation) do not count. */
	zd->zones[10].cond = BLK_ZONE_COND_FULL;
	zd->zones[10].wp = zd->zones[10].start + zd->zones[10].len;
	KUNIT_EXPECT_EQ(test, zd->zones[0].cond, (u8)BLK_ZONE_COND_EMPTY);
	KUNIT_EXPECT_EQ(test, zslab_load_reloc_zone(zd), 5U);
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
		KUNIT_EXPECT_TRUE(test, land(zd, z, zd->zones[z].start + off, 100));
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
	KUNIT_EXPECT_TRUE(test, land(zd, z, start + 16, 16));
	KUNIT_EXPECT_FALSE(test, land(zd, z, start + 24, 16));
	KUNIT_EXPECT_EQ(test, atomic64_read(&zd->io[ZSLAB_IO_MISPLACED]), 1LL);
	KUNIT_EXPECT_EQ(test, zd->zones[z].use, (u8)ZZ_ERROR);
	/* The zone takes no more appends; the cache goes elsewhere. */
	KUNIT_ASSERT_EQ(test, zslab_zone_reserve(zd, a, 16, &z2, &off2), 0);
	KUNIT_EXPECT_NE(test, z2, z);
}

/*
 * With a budget of one zone, a cache that shares another's zone must not
 * starve when that zone cannot take its bio and the owner is idle: it closes
 * the zone itself, and once the zone's appends have landed (and a tidy has
 * finished it), a new zone opens. -ENOSPC only when no zone can be opened.
 */
static void a_sharer_closes_a_zone_too_full_for_it(struct kunit *test)
{
	struct zslab_dev *zd = make_placement_dev(test, 2, 3);	/* budget 1 */
	struct zslab_cache *a = fake_cache(test, 1), *b = fake_cache(test, 2);
	unsigned int za, zb;
	sector_t off;

	KUNIT_ASSERT_EQ(test, zslab_zone_reserve(zd, a, 1000, &za, &off), 0);
	KUNIT_ASSERT_TRUE(test, land(zd, za, zd->zones[za].start, 1000));
	/* a goes idle with its zone full; b's bio does not fit. */
	KUNIT_ASSERT_EQ(test, zslab_zone_reserve(zd, b, 200, &zb, &off), 0);
	KUNIT_EXPECT_NE(test, zb, za);
	KUNIT_EXPECT_EQ(test, zd->zones[za].use, (u8)ZZ_FULL);
	KUNIT_EXPECT_FALSE(test, zd->zones[za].needs_finish);
	KUNIT_EXPECT_EQ(test, zd->zones[zb].owner, 2U);
	KUNIT_EXPECT_EQ(test, zd->zones_open, 1U);
}

/* The same, with the closed zone's bio still in flight: it waits for it. */
static void a_closed_zone_keeps_its_token_until_its_bios_land(struct kunit *test)
{
	struct zslab_dev *zd = make_placement_dev(test, 2, 3);	/* budget 1 */
	struct zslab_cache *a = fake_cache(test, 1), *b = fake_cache(test, 2);
	unsigned int za, zb;
	sector_t off;

	KUNIT_ASSERT_EQ(test, zslab_zone_reserve(zd, a, 900, &za, &off), 0);
	/* In flight: the zone closes but its token stays, so no zone opens yet. */
	KUNIT_EXPECT_EQ(test, zslab_zone_reserve(zd, b, 200, &zb, &off), -ENOSPC);
	KUNIT_EXPECT_EQ(test, zd->zones[za].use, (u8)ZZ_FULL);
	KUNIT_ASSERT_TRUE(test, land(zd, za, zd->zones[za].start, 900));
	/* Still owed a finish: the device counts it open until then. */
	KUNIT_EXPECT_EQ(test, zslab_zone_reserve(zd, b, 200, &zb, &off), -ENOSPC);
	spin_lock_irq(&zd->zone_lock);
	zd->zones[za].needs_finish = false;	/* what a tidy's finish does */
	zd->zones[za].token = false;
	zd->zones_open--;
	spin_unlock_irq(&zd->zone_lock);
	KUNIT_EXPECT_EQ(test, zslab_zone_reserve(zd, b, 200, &zb, &off), 0);
	KUNIT_EXPECT_NE(test, zb, za);
}

/* Which zones a tidy would reset, as a bitmask; tidy's marking only. */
static unsigned long resets_due(struct zslab_dev *zd);

/*
 * Cache a writes zone *za, cache b zone *zb (opened after it); b's data then
 * dies by a tombstone (a persistent cache's if @persistent, in segment 7)
 * that lands in *zb: a zone of nothing live whose tombstone buries data in
 * the older *za, which stays.
 */
static void bury_in_older_zone(struct kunit *test, struct zslab_dev *zd, bool persistent,
			       unsigned int *za, unsigned int *zb)
{
	struct zslab_cache *a = fake_cache(test, 1), *b = fake_cache(test, 2);
	sector_t off;

	KUNIT_ASSERT_EQ(test, zslab_zone_reserve(zd, a, 16, za, &off), 0);
	KUNIT_ASSERT_TRUE(test, land(zd, *za, zd->zones[*za].start, 16));
	KUNIT_ASSERT_EQ(test, zslab_zone_reserve(zd, b, 16, zb, &off), 0);
	KUNIT_ASSERT_TRUE(test, land(zd, *zb, zd->zones[*zb].start, 16));
	spin_lock_irq(&zd->zone_lock);
	zslab_zone_data_stale_locked(zd, *zb, 16, true);
	zslab_zone_tombstone_locked(zd, *zb, persistent, 7);
	spin_unlock_irq(&zd->zone_lock);
}

/* Free data zones taken by other data until @keep are left. */
static void use_free_zones(struct zslab_dev *zd, unsigned int keep)
{
	unsigned int i;

	spin_lock_irq(&zd->zone_lock);
	for (i = zd->first_data_zone; i < zd->geo.nr_zones; i++) {
		struct zslab_zone *z = &zd->zones[i];

		if (z->use != ZZ_FREE || zslab_free_zones_locked(zd) <= keep)
			continue;
		z->use = ZZ_FULL;
		z->owner = 9;
		z->wp = z->start + z->capacity;
		z->reserved = z->capacity;
		z->live = z->capacity;
		z->open_gen = ++zd->zone_gen;
	}
	spin_unlock_irq(&zd->zone_lock);
}

static void stale_zones_reset_unless_a_tombstone_buries_older_data(struct kunit *test)
{
	struct zslab_dev *zd = make_placement_dev(test, 8, 12);
	struct zslab_cache *c = fake_cache(test, 3);
	unsigned int za, zb, zc;
	sector_t off;

	bury_in_older_zone(test, zd, false, &za, &zb);
	/* za still holds data opened before the tombstone: zb must stay. */
	KUNIT_EXPECT_EQ(test, resets_due(zd), 0UL);
	/* A zone opened after the tombstone landed holds no data it buries. */
	KUNIT_ASSERT_EQ(test, zslab_zone_reserve(zd, c, 16, &zc, &off), 0);
	KUNIT_ASSERT_TRUE(test, land(zd, zc, zd->zones[zc].start, 16));
	KUNIT_EXPECT_EQ(test, resets_due(zd), 0UL);
	/* za's data dies too: za and zb go together, zc stays. */
	spin_lock_irq(&zd->zone_lock);
	zslab_zone_data_stale_locked(zd, za, 16, true);
	spin_unlock_irq(&zd->zone_lock);
	KUNIT_EXPECT_EQ(test, resets_due(zd), BIT(za) | BIT(zb));
}

/*
 * Nobody reads a volatile cache's stale images (its data is dead at the
 * next load): once free zones are down to reclaim's watermark, its
 * tombstones no longer hold a zone's reset.
 */
static void a_volatile_tombstone_gives_way_when_zones_run_short(struct kunit *test)
{
	struct zslab_dev *zd = make_placement_dev(test, 8, 12);
	unsigned int za, zb;

	bury_in_older_zone(test, zd, false, &za, &zb);
	use_free_zones(zd, 2);
	KUNIT_EXPECT_EQ(test, resets_due(zd), 0UL);
	use_free_zones(zd, 1);
	KUNIT_EXPECT_EQ(test, resets_due(zd), BIT(zb));
}

/*
 * Recovery reads only segments newer than the committed checkpoint: a
 * persistent cache's tombstone holds its zone's reset, short of zones or
 * not, until a checkpoint taken after its segment covers it; reclaim is
 * told that a checkpoint is what the zone waits for.
 */
static void a_persistent_tombstone_holds_until_a_checkpoint_covers_it(struct kunit *test)
{
	struct zslab_dev *zd = make_placement_dev(test, 8, 12);
	unsigned int za, zb;
	bool wait;

	bury_in_older_zone(test, zd, true, &za, &zb);
	use_free_zones(zd, 1);
	KUNIT_EXPECT_EQ(test, resets_due(zd), 0UL);
	spin_lock_irq(&zd->zone_lock);
	wait = zslab_resets_wait_for_checkpoint_locked(zd);
	spin_unlock_irq(&zd->zone_lock);
	KUNIT_EXPECT_TRUE(test, wait);
	zd->ckpt_seg_seq = 7;		/* taken before the tombstone's segment */
	KUNIT_EXPECT_EQ(test, resets_due(zd), 0UL);
	zd->ckpt_seg_seq = 8;		/* covers it */
	KUNIT_EXPECT_EQ(test, resets_due(zd), BIT(zb));
	spin_lock_irq(&zd->zone_lock);
	wait = zslab_resets_wait_for_checkpoint_locked(zd);
	spin_unlock_irq(&zd->zone_lock);
	KUNIT_EXPECT_FALSE(test, wait);
}

static unsigned long resets_due(struct zslab_dev *zd)
{
	unsigned long mask = 0;
	unsigned int i;

	spin_lock_irq(&zd->zone_lock);
	zslab_zones_mark_resets_locked(zd);
	for (i = 0; i < FAKE_ZONES; i++)
		if (zd->zones[i].reset_due)
			mask |= BIT(i);
	spin_unlock_irq(&zd->zone_lock);
	return mask;
}

/* --- reclaim's victim --- */

static struct zslab_dev *make_reclaim_dev(struct kunit *test)
{
	struct zslab_dev *zd = fake_zoned_dev(test, 8, 12);

	zslab_zones_init(zd);
	zd->victims = kunit_kcalloc(test, FAKE_ZONES, sizeof(*zd->victims), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, zd->victims);
	return zd;
}

/* Zone @i as reclaim would find it: @written sectors of which @live live. */
static void set_zone(struct zslab_dev *zd, unsigned int i, u8 use, sector_t written,
		     sector_t live, u64 open_gen, u64 tomb_gen)
{
	struct zslab_zone *z = &zd->zones[i];

	z->use = use;
	z->owner = use == ZZ_OPEN ? 1 : 0;
	z->reserved = use == ZZ_FULL ? z->capacity : written;
	z->wp = z->start + written;
	z->live = live;
	z->stale = written - live;
	z->open_gen = open_gen;
	/* A persistent cache's tombstone no checkpoint covers yet. */
	z->pers_tomb_gen = tomb_gen;
	z->pers_tomb_seq = tomb_gen ? 1 : 0;
	zd->zone_gen = max(zd->zone_gen, max(open_gen, tomb_gen));
}

static int victim(struct zslab_dev *zd)
{
	int v;

	spin_lock_irq(&zd->zone_lock);
	v = zslab_reclaim_victim_locked(zd);
	spin_unlock_irq(&zd->zone_lock);
	return v;
}

/*
 * An idle cache's open zone, the oldest holding live data, keeps every
 * zone whose tombstones landed after it was opened from being reset: it
 * is emptied first, even though a full zone would score better, and it
 * takes no more appends once it is chosen.
 */
static void an_idle_open_zone_that_blocks_resets_is_emptied_first(struct kunit *test)
{
	struct zslab_dev *zd = make_reclaim_dev(test);

	set_zone(zd, 3, ZZ_OPEN, 100, 100, 1, 0);	/* idle cache's zone */
	set_zone(zd, 4, ZZ_FULL, 1000, 0, 2, 5);	/* dead, its reset waits for 3 */
	set_zone(zd, 5, ZZ_FULL, 1000, 900, 3, 0);
	set_zone(zd, 6, ZZ_FULL, 1000, 300, 4, 0);	/* cost-benefit's choice */
	KUNIT_EXPECT_EQ(test, victim(zd), 3);
	spin_lock_irq(&zd->zone_lock);
	zslab_zone_close_locked(zd, 3);
	spin_unlock_irq(&zd->zone_lock);
	KUNIT_EXPECT_EQ(test, zd->zones[3].use, (u8)ZZ_FULL);
	KUNIT_EXPECT_TRUE(test, zd->zones[3].needs_finish);
	/* Once it is empty, nothing waits: cost-benefit decides again. */
	zd->zones[3].live = 0;
	zd->zones[4].wp = zd->zones[4].start;	/* reset with it */
	zd->zones[4].reserved = 0;
	KUNIT_EXPECT_EQ(test, victim(zd), 6);
}

/*
 * A victim's live data must fit the room relocation has (its zone's rest
 * and the last free zone), and its reset must follow once it is empty:
 * a zone whose tombstones bury data in an older zone that stays is left
 * alone, however little lives in it.
 */
static void a_victim_fits_relocation_and_its_reset_follows(struct kunit *test)
{
	struct zslab_dev *zd = make_reclaim_dev(test);
	unsigned int i;

	set_zone(zd, 3, ZZ_FULL, 1000, 600, 1, 0);
	set_zone(zd, 4, ZZ_FULL, 1000, 100, 2, 3);	/* buries data in zone 3 */
	KUNIT_EXPECT_EQ(test, victim(zd), 3);
	/* No free zone left; relocation's zone has 300 sectors of room. */
	for (i = 5; i < FAKE_ZONES; i++)
		set_zone(zd, i, ZZ_FULL, 1000, 1000, 3 + i, 0);
	set_zone(zd, 5, ZZ_OPEN, 700, 700, 8, 0);
	zd->zones[5].owner = ZSLAB_RELOC_OWNER;
	zd->reloc_zone = 5;
	KUNIT_EXPECT_EQ(test, victim(zd), -1);
	/* Without the tombstone, zone 4's 100 sectors fit. */
	zd->zones[4].pers_tomb_gen = 0;
	KUNIT_EXPECT_EQ(test, victim(zd), 4);
}

/*
 * A cache that may not open the last free zone (relocation's) appends to
 * relocation's open zone, one log head as in the classic log, but only
 * while relocation keeps room for the zone worth reclaiming with the least
 * live data (and a sixteenth for summaries): reclaim can always free one.
 */
static void a_cache_borrows_relocations_zone_while_reclaim_keeps_room(struct kunit *test)
{
	struct zslab_dev *zd = make_reclaim_dev(test);
	struct zslab_cache *c = fake_cache(test, 1);
	unsigned int i, z;
	sector_t off;

	for (i = 3; i < 10; i++)
		set_zone(zd, i, ZZ_FULL, 1000, 1000, i, 0);
	set_zone(zd, 3, ZZ_FULL, 1000, 600, 3, 0);	/* the least live worth it */
	set_zone(zd, 10, ZZ_OPEN, 200, 200, 10, 0);
	zd->zones[10].owner = ZSLAB_RELOC_OWNER;
	zd->reloc_zone = 10;
	/* Zone 11 is the last free one: relocation's, with zone 10's 800. */
	KUNIT_ASSERT_EQ(test, zslab_zone_reserve(zd, c, 100, &z, &off), 0);
	KUNIT_EXPECT_EQ(test, z, 10U);
	KUNIT_EXPECT_EQ(test, off, (sector_t)200);
	KUNIT_EXPECT_EQ(test, zd->zones[11].use, (u8)ZZ_FREE);
	KUNIT_EXPECT_EQ(test, zd->reloc_zone, 10);
	/* No free zone: 700 left, and 600 + 37 must stay after the bio. */
	set_zone(zd, 11, ZZ_FULL, 1000, 1000, 11, 0);
	KUNIT_EXPECT_EQ(test, zslab_zone_reserve(zd, c, 63, &z, &off), 0);
	KUNIT_EXPECT_EQ(test, z, 10U);
	KUNIT_EXPECT_EQ(test, zslab_zone_reserve(zd, c, 1, &z, &off), -ENOSPC);
	/* Nothing worth reclaiming: relocation's room is not lent at all. */
	zd->zones[3].live = 1000;
	zd->zones[10].reserved = 200;
	KUNIT_EXPECT_EQ(test, zslab_zone_reserve(zd, c, 1, &z, &off), -ENOSPC);
}

/*
 * Every zone worth reclaiming waits for an older one (its tombstones may
 * bury data there): the oldest zone is emptied, however full, as a log's
 * cleaner would; its reset needs nobody, and the zones behind it follow.
 */
static void held_back_zones_wait_for_the_oldest_one_to_be_emptied(struct kunit *test)
{
	struct zslab_dev *zd = make_reclaim_dev(test);

	set_zone(zd, 3, ZZ_FULL, 1000, 900, 1, 0);	/* cold, not worth moving */
	set_zone(zd, 4, ZZ_FULL, 1000, 200, 2, 3);
	set_zone(zd, 5, ZZ_FULL, 1000, 300, 3, 4);
	KUNIT_EXPECT_EQ(test, victim(zd), 3);
	/* Once zone 3 is gone, the next oldest is emptied. */
	set_zone(zd, 3, ZZ_FREE, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, victim(zd), 4);
}

static struct kunit_case zone_test_cases[] = {
	KUNIT_CASE(zones_are_sorted_by_use_at_load),
	KUNIT_CASE(a_zone_recovery_left_open_is_relocations),
	KUNIT_CASE(a_load_with_no_free_zone_keeps_one_open_for_relocation),
	KUNIT_CASE(each_cache_appends_to_its_own_zone),
	KUNIT_CASE(full_zone_is_closed_and_the_next_one_opened),
	KUNIT_CASE(caches_share_zones_once_the_budget_is_spent),
	KUNIT_CASE(a_sharer_closes_a_zone_too_full_for_it),
	KUNIT_CASE(a_closed_zone_keeps_its_token_until_its_bios_land),
	KUNIT_CASE(no_space_is_enospc_not_an_overrun),
	KUNIT_CASE(append_landing_outside_its_window_is_rejected),
	KUNIT_CASE(stale_zones_reset_unless_a_tombstone_buries_older_data),
	KUNIT_CASE(a_volatile_tombstone_gives_way_when_zones_run_short),
	KUNIT_CASE(a_persistent_tombstone_holds_until_a_checkpoint_covers_it),
	KUNIT_CASE(an_idle_open_zone_that_blocks_resets_is_emptied_first),
	KUNIT_CASE(a_victim_fits_relocation_and_its_reset_follows),
	KUNIT_CASE(a_cache_borrows_relocations_zone_while_reclaim_keeps_room),
	KUNIT_CASE(held_back_zones_wait_for_the_oldest_one_to_be_emptied),
	{}
};

static struct kunit_suite zone_test_suite = {
	.name = "zns_slab_zones",
	.test_cases = zone_test_cases,
};

kunit_test_suites(&zone_test_suite);
