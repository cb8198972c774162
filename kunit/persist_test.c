// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: persistent caches. Recovery keeps the newest entry of each slab,
 * whatever order entries come in, tombstones included; a destroyed
 * persistent cache is detached, recorded in a checkpoint and comes back
 * byte for byte when created again; erase follows its contract.
 *
 * Runs with zns_slab loaded on the test VM's ZNS namespace (debug kernel).
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>
#include "../zslab_internal.h"

#define NR_OBJS	64

/* --- newest wins --- */

static struct zslab_pcache *test_pcache(struct kunit *test)
{
	struct zslab_pcache *pc = kunit_kzalloc(test, sizeof(*pc), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pc);
	pc->nr_objs = NR_OBJS;
	xa_init(&pc->slabs);
	return pc;
}

static void drop_pcache(struct zslab_pcache *pc)
{
	struct zslab_evicted *ev;
	unsigned long id;

	xa_for_each(&pc->slabs, id, ev)
		kfree(ev);
	xa_destroy(&pc->slabs);
}

/* An entry as recovery makes one: @zone tells them apart here. */
static struct zslab_evicted *entry(struct kunit *test, u64 seq, u32 zone, bool tombstone)
{
	struct zslab_evicted *ev = kzalloc(zslab_evicted_bytes(NR_OBJS), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ev);
	ev->img_seq = (u32)seq;
	ev->img_zone = zone;
	ev->nr_live = tombstone ? 0 : 1;
	ev->flags = tombstone ? ZSLAB_EV_TOMBSTONE : 0;
	if (!tombstone)
		__set_bit(0, ev->map);
	return ev;
}

static struct zslab_evicted *newest(struct zslab_pcache *pc, u32 id)
{
	return xa_load(&pc->slabs, id);
}

static void a_newer_entry_wins_in_either_order(struct kunit *test)
{
	struct zslab_pcache *pc = test_pcache(test);

	KUNIT_ASSERT_EQ(test, zslab_pcache_apply(pc, 1, 5, entry(test, 5, 10, false)), 0);
	KUNIT_ASSERT_EQ(test, zslab_pcache_apply(pc, 1, 3, entry(test, 3, 11, false)), 0);
	KUNIT_EXPECT_EQ(test, newest(pc, 1)->img_zone, 10U);
	KUNIT_ASSERT_EQ(test, zslab_pcache_apply(pc, 2, 3, entry(test, 3, 11, false)), 0);
	KUNIT_ASSERT_EQ(test, zslab_pcache_apply(pc, 2, 5, entry(test, 5, 10, false)), 0);
	KUNIT_EXPECT_EQ(test, newest(pc, 2)->img_zone, 10U);
	/* The same entry twice (a zone read whole): the first stays. */
	KUNIT_ASSERT_EQ(test, zslab_pcache_apply(pc, 2, 5, entry(test, 5, 12, false)), 0);
	KUNIT_EXPECT_EQ(test, newest(pc, 2)->img_zone, 10U);
	drop_pcache(pc);
}

static void a_tombstone_buries_older_data_whichever_comes_first(struct kunit *test)
{
	struct zslab_pcache *pc = test_pcache(test);

	/* Tombstone first (a later zone read earlier), then the older data. */
	KUNIT_ASSERT_EQ(test, zslab_pcache_apply(pc, 7, 20, entry(test, 20, 4, true)), 0);
	KUNIT_ASSERT_EQ(test, zslab_pcache_apply(pc, 7, 19, entry(test, 19, 5, false)), 0);
	KUNIT_EXPECT_TRUE(test, newest(pc, 7)->flags & ZSLAB_EV_TOMBSTONE);
	/* Data first, then its tombstone. */
	KUNIT_ASSERT_EQ(test, zslab_pcache_apply(pc, 8, 19, entry(test, 19, 5, false)), 0);
	KUNIT_ASSERT_EQ(test, zslab_pcache_apply(pc, 8, 20, entry(test, 20, 4, true)), 0);
	KUNIT_EXPECT_TRUE(test, newest(pc, 8)->flags & ZSLAB_EV_TOMBSTONE);
	/* The slab id used again after its tombstone: the new data wins. */
	KUNIT_ASSERT_EQ(test, zslab_pcache_apply(pc, 8, 25, entry(test, 25, 6, false)), 0);
	KUNIT_EXPECT_FALSE(test, newest(pc, 8)->flags & ZSLAB_EV_TOMBSTONE);
	KUNIT_EXPECT_EQ(test, newest(pc, 8)->img_zone, 6U);
	drop_pcache(pc);
}

static void sequence_numbers_compare_across_32_bits(struct kunit *test)
{
	struct zslab_pcache *pc = test_pcache(test);
	u64 before = (1ULL << 32) - 2, after = (1ULL << 32) + 1;

	KUNIT_ASSERT_EQ(test, zslab_pcache_apply(pc, 3, after, entry(test, after, 1, false)), 0);
	KUNIT_ASSERT_EQ(test, zslab_pcache_apply(pc, 3, before, entry(test, before, 2, false)), 0);
	KUNIT_EXPECT_EQ(test, newest(pc, 3)->img_zone, 1U);
	KUNIT_EXPECT_EQ(test, pc->next_seq, after + 1);
	KUNIT_EXPECT_EQ(test, zslab_seq64(after + 1, (u32)before), before);
	drop_pcache(pc);
}

/* --- detach, re-attach, erase on the loaded device --- */

static void fill(u32 *p, unsigned int i)
{
	unsigned int j;

	for (j = 0; j < 128 / 4; j++)
		p[j] = i * 7919 + j + 1;
}

static bool intact(const u32 *p, unsigned int i)
{
	unsigned int j;

	for (j = 0; j < 128 / 4; j++)
		if (p[j] != i * 7919 + j + 1)
			return false;
	return true;
}

static int count_obj(struct zslab_cache *c, void *obj, void *arg)
{
	(*(unsigned int *)arg)++;
	return 0;
}

static bool detached(const char *name)
{
	bool found;

	mutex_lock(&zslab_caches_lock);
	found = zslab_pcache_find(zslab_device, name);
	mutex_unlock(&zslab_caches_lock);
	return found;
}

static void a_destroyed_persistent_cache_comes_back_byte_for_byte(struct kunit *test)
{
	zslab_ref_t *refs = kunit_kcalloc(test, NR_OBJS, sizeof(*refs), GFP_KERNEL);
	void **objs = kunit_kcalloc(test, NR_OBJS, sizeof(*objs), GFP_KERNEL);
	u64 ckpts = atomic64_read(&zslab_device->io[ZSLAB_IO_CHECKPOINTS]);
	struct zslab_cache *c;
	unsigned int i, seen = 0;
	void *obj;

	KUNIT_ASSERT_NOT_NULL(test, refs);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	c = zslab_cache_create("kt_persist", 128, 0, ZSLAB_PERSISTENT, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c);
	/* A new persistent cache is in a checkpoint before create returns. */
	KUNIT_EXPECT_GT(test, atomic64_read(&zslab_device->io[ZSLAB_IO_CHECKPOINTS]), ckpts);
	for (i = 0; i < NR_OBJS; i++) {
		obj = zslab_cache_alloc(c, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, obj);
		fill(obj, i);
		zslab_mark_dirty(c, obj);
		refs[i] = zslab_ref(c, obj);
		objs[i] = obj;
	}
	/* Frees after every alloc: an alloc would take a freed slot again. */
	for (i = 0; i < NR_OBJS; i++) {
		if (i % 4 == 3)
			zslab_cache_free(c, objs[i]);
		else
			zslab_put(c, objs[i]);
	}
	KUNIT_ASSERT_EQ(test, zslab_cache_sync(c), 0);
	KUNIT_EXPECT_EQ(test, zslab_cache_erase("kt_persist"), -EBUSY);
	zslab_cache_destroy(c);
	KUNIT_EXPECT_TRUE(test, detached("kt_persist"));

	/* Another shape is refused; the detached cache stays. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(zslab_cache_create("kt_persist", 64, 0,
							 ZSLAB_PERSISTENT, NULL)), -EINVAL);
	KUNIT_EXPECT_TRUE(test, detached("kt_persist"));

	c = zslab_cache_create("kt_persist", 128, 0, ZSLAB_PERSISTENT, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c);
	KUNIT_EXPECT_FALSE(test, detached("kt_persist"));
	for (i = 0; i < NR_OBJS; i++) {
		obj = zslab_get(c, refs[i], GFP_KERNEL);
		if (i % 4 == 3) {
			KUNIT_EXPECT_NULL(test, obj);
			continue;
		}
		KUNIT_ASSERT_NOT_NULL(test, obj);
		KUNIT_EXPECT_TRUE(test, intact(obj, i));
		zslab_put(c, obj);
	}
	KUNIT_EXPECT_EQ(test, zslab_cache_for_each(c, count_obj, &seen), 0);
	KUNIT_EXPECT_EQ(test, seen, NR_OBJS - NR_OBJS / 4);
	zslab_cache_destroy(c);
	KUNIT_EXPECT_EQ(test, zslab_cache_erase("kt_persist"), 0);
	KUNIT_EXPECT_FALSE(test, detached("kt_persist"));
	KUNIT_EXPECT_EQ(test, zslab_cache_erase("kt_persist"), -ENOENT);
}

static int stop_at_third(struct zslab_cache *c, void *obj, void *arg)
{
	return ++(*(unsigned int *)arg) == 3 ? 42 : 0;
}

static void a_walk_stops_at_a_non_zero_return(struct kunit *test)
{
	struct zslab_cache *c = zslab_cache_create("kt_foreach", 64, 0, 0, NULL);
	unsigned int i, n = 0;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c);
	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_NOT_NULL(test, zslab_cache_alloc(c, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, zslab_cache_for_each(c, stop_at_third, &n), 42);
	KUNIT_EXPECT_EQ(test, n, 3U);
	zslab_cache_destroy(c);
}

static struct kunit_case persist_cases[] = {
	KUNIT_CASE(a_newer_entry_wins_in_either_order),
	KUNIT_CASE(a_tombstone_buries_older_data_whichever_comes_first),
	KUNIT_CASE(sequence_numbers_compare_across_32_bits),
	KUNIT_CASE(a_destroyed_persistent_cache_comes_back_byte_for_byte),
	KUNIT_CASE(a_walk_stops_at_a_non_zero_return),
	{}
};

static struct kunit_suite persist_suite = {
	.name = "zns_slab_persist",
	.test_cases = persist_cases,
};
kunit_test_suites(&persist_suite);
