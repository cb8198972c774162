// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the capacity tier. Pins decide what may leave DRAM, a get brings
 * it back byte for byte, a read-back never accepts data that is not what
 * the descriptor recorded, and reclaim's victim is the zone that gives
 * back most for least.
 *
 * Runs with zns_slab loaded on the test VM's ZNS namespace (debug kernel).
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include "../zslab_internal.h"

#define OBJS	256	/* 128 B objects: 8 slabs of 4 KiB */

struct cap_fixture {
	struct zslab_cache *c;
	void *objs[OBJS];
	zslab_ref_t refs[OBJS];
};

static void fill_pattern(u32 *p, unsigned int i)
{
	unsigned int j;

	for (j = 0; j < 128 / 4; j++)
		p[j] = i * 131 + j;
}

static bool pattern_intact(const u32 *p, unsigned int i)
{
	unsigned int j;

	for (j = 0; j < 128 / 4; j++)
		if (p[j] != i * 131 + j)
			return false;
	return true;
}

static struct cap_fixture *make_fixture(struct kunit *test, const char *name)
{
	struct cap_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	/* One CPU: which slab a CPU owns (never evicted) stays put. */
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current,
			cpumask_of(raw_smp_processor_id())), 0);
	f->c = zslab_cache_create(name, 128, 0, 0, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, f->c);
	for (i = 0; i < OBJS; i++) {
		f->objs[i] = zslab_cache_alloc(f->c, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, f->objs[i]);
		fill_pattern(f->objs[i], i);
		zslab_mark_dirty(f->c, f->objs[i]);
		f->refs[i] = zslab_ref(f->c, f->objs[i]);
	}
	return f;
}

/* Evict whatever may go; returns how many slabs went. */
static unsigned long evict_all(struct zslab_cache *c)
{
	struct zslab_dev *zd = zslab_device;
	unsigned long n;
	unsigned int noio;

	noio = memalloc_noio_save();
	mutex_lock(&zd->wb_mutex);
	n = zslab_evict_cache(zd, c, ULONG_MAX, true);
	mutex_unlock(&zd->wb_mutex);
	memalloc_noio_restore(noio);
	return n;
}

static struct zslab_cache_info *info_of(struct kunit *test, struct zslab_cache *c)
{
	struct zslab_cache_info *info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, info);
	zslab_cache_get_info(c, info);
	return info;
}

/* The evicted descriptor of slab @id, or NULL if it is resident. */
static struct zslab_evicted *evicted_desc(struct zslab_cache *c, u32 id)
{
	void *entry = xa_load(&c->slabs, id);

	return entry && zslab_entry_evicted(entry) ? zslab_entry_to_evicted(entry) : NULL;
}

static void put_all_but(struct cap_fixture *f, unsigned int keep)
{
	unsigned int i;

	for (i = 0; i < OBJS; i++)
		if (i != keep)
			zslab_put(f->c, f->objs[i]);
}

/* --- pins --- */

static void a_pinned_object_keeps_its_slab_in_dram(struct kunit *test)
{
	struct cap_fixture *f = make_fixture(test, "kt-pin");
	u32 kept = zslab_ref_slab(f->refs[0]);
	void *p;

	put_all_but(f, 0);
	KUNIT_EXPECT_EQ(test, info_of(test, f->c)->pinned_objs, 1UL);
	KUNIT_EXPECT_GT(test, evict_all(f->c), 0UL);
	KUNIT_EXPECT_NULL(test, evicted_desc(f->c, kept));
	/* Still where it was: a non-sleeping get finds it without I/O. */
	p = zslab_get(f->c, f->refs[0], GFP_NOWAIT);
	KUNIT_EXPECT_PTR_EQ(test, p, f->objs[0]);
	zslab_put(f->c, p);
	zslab_put(f->c, f->objs[0]);
	KUNIT_EXPECT_EQ(test, info_of(test, f->c)->pinned_objs, 0UL);
	zslab_cache_destroy(f->c);
}

static void every_get_is_a_pin_until_its_put(struct kunit *test)
{
	struct cap_fixture *f = make_fixture(test, "kt-pin2");
	u32 id = zslab_ref_slab(f->refs[5]);
	void *a, *b;

	put_all_but(f, OBJS);	/* every one unpinned */
	a = zslab_get(f->c, f->refs[5], GFP_KERNEL);
	b = zslab_get(f->c, f->refs[5], GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_PTR_EQ(test, a, b);
	KUNIT_EXPECT_EQ(test, info_of(test, f->c)->pinned_objs, 2UL);
	zslab_put(f->c, a);
	evict_all(f->c);
	KUNIT_EXPECT_NULL(test, evicted_desc(f->c, id));	/* one pin left */
	zslab_put(f->c, b);
	evict_all(f->c);
	KUNIT_EXPECT_NOT_NULL(test, evicted_desc(f->c, id));
	zslab_cache_destroy(f->c);
}

/*
 * Pins are counted per slab: a put is refused once its slab has no pin
 * left (it would let the slab go while someone holds an object of it).
 */
static void a_put_with_no_pin_left_in_its_slab_is_refused(struct kunit *test)
{
	struct cap_fixture *f = make_fixture(test, "kt-pin3");
	u32 *p;
	u64 before = atomic64_read(&f->c->misuse[ZSLAB_MISUSE_UNPINNED]);

	put_all_but(f, OBJS);
	KUNIT_EXPECT_EQ(test, info_of(test, f->c)->pinned_objs, 0UL);
	zslab_put(f->c, f->objs[0]);	/* intended: one WARN_ONCE */
	KUNIT_EXPECT_EQ(test, atomic64_read(&f->c->misuse[ZSLAB_MISUSE_UNPINNED]), before + 1);
	KUNIT_EXPECT_EQ(test, info_of(test, f->c)->pinned_objs, 0UL);
	/* And the slab can still be evicted and read back whole. */
	KUNIT_EXPECT_GT(test, evict_all(f->c), 0UL);
	p = zslab_get(f->c, f->refs[0], GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, pattern_intact(p, 0));
	zslab_cache_destroy(f->c);
}

/* --- eviction and read-back --- */

static void an_evicted_object_comes_back_byte_for_byte(struct kunit *test)
{
	struct cap_fixture *f = make_fixture(test, "kt-back");
	struct zslab_cache_info *info;
	unsigned int i, back = 0;
	u64 misses;

	put_all_but(f, OBJS);
	KUNIT_ASSERT_GT(test, evict_all(f->c), 0UL);
	info = info_of(test, f->c);
	KUNIT_EXPECT_GT(test, info->evicted, 0U);
	KUNIT_EXPECT_LE(test, f->c->ev_size, 40U);	/* 1 % of a 4 KiB slab */
	misses = info->cap[ZSLAB_CAP_NOWAIT_MISSES];
	for (i = 0; i < OBJS; i++) {
		bool evicted = evicted_desc(f->c, zslab_ref_slab(f->refs[i]));
		void *p = zslab_get(f->c, f->refs[i], GFP_NOWAIT);

		/* NULL exactly when evicted: no I/O without sleeping. */
		KUNIT_EXPECT_EQ(test, !p, evicted);
		if (p)
			zslab_put(f->c, p);
	}
	KUNIT_EXPECT_GT(test, info_of(test, f->c)->cap[ZSLAB_CAP_NOWAIT_MISSES], misses);
	for (i = 0; i < OBJS; i++) {
		bool evicted = evicted_desc(f->c, zslab_ref_slab(f->refs[i]));
		u32 *p = zslab_get(f->c, f->refs[i], GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_TRUE(test, pattern_intact(p, i));
		back += evicted;
		zslab_put(f->c, p);
	}
	KUNIT_EXPECT_GT(test, back, 0U);
	KUNIT_EXPECT_EQ(test, info_of(test, f->c)->evicted, 0U);
	/* Back in the allocator with exactly its free slots available. */
	for (i = 0; i < OBJS; i++) {
		struct zslab_slab *s = xa_load(&f->c->slabs, zslab_ref_slab(f->refs[i]));

		KUNIT_EXPECT_EQ(test, bitmap_weight(zslab_slab_avail(f->c, s),
						    f->c->map_longs * BITS_PER_LONG),
				(unsigned int)s->nr_avail);
	}
	KUNIT_EXPECT_EQ(test, info_of(test, f->c)->cap[ZSLAB_CAP_READBACKS],
			(u64)info->evicted);
	zslab_cache_destroy(f->c);
}

/* Evict, then find an evicted slab other than that of object 0's. */
static struct zslab_evicted *some_evicted(struct kunit *test, struct cap_fixture *f,
					  unsigned int *obj)
{
	unsigned int i;

	put_all_but(f, OBJS);
	KUNIT_ASSERT_GT(test, evict_all(f->c), 0UL);
	for (i = 0; i < OBJS; i++) {
		struct zslab_evicted *ev = evicted_desc(f->c, zslab_ref_slab(f->refs[i]));

		if (ev) {
			*obj = i;
			return ev;
		}
	}
	KUNIT_FAIL(test, "nothing evicted");
	return NULL;
}

/* Change an evicted descriptor under the cache lock, as the module would. */
#define tamper(c, stmt) do {				\
	unsigned long __flags;				\
	spin_lock_irqsave(&(c)->lock, __flags);		\
	stmt;						\
	spin_unlock_irqrestore(&(c)->lock, __flags);	\
} while (0)

static void a_corrupt_image_is_never_accepted(struct kunit *test)
{
	struct cap_fixture *f = make_fixture(test, "kt-crc");
	struct zslab_cache_info *before;
	struct zslab_evicted *ev;
	unsigned int i;
	u32 crc, *p;

	ev = some_evicted(test, f, &i);
	before = info_of(test, f->c);
	crc = ev->img_crc;
	/* The device's bytes are not what the descriptor recorded. */
	tamper(f->c, ev->img_crc = ~crc);
	KUNIT_EXPECT_NULL(test, zslab_get(f->c, f->refs[i], GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zslab_get(f->c, f->refs[i], GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, info_of(test, f->c)->cap[ZSLAB_CAP_READBACK_ERRORS],
			before->cap[ZSLAB_CAP_READBACK_ERRORS] + 2);
	/* Nothing replaced or zero-filled: the slab stays evicted. */
	KUNIT_EXPECT_EQ(test, info_of(test, f->c)->evicted, before->evicted);
	KUNIT_EXPECT_PTR_EQ(test, evicted_desc(f->c, zslab_ref_slab(f->refs[i])), ev);
	tamper(f->c, ev->img_crc = crc);
	p = zslab_get(f->c, f->refs[i], GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, pattern_intact(p, i));
	zslab_put(f->c, p);
	zslab_cache_destroy(f->c);
}

static void data_of_the_wrong_place_is_never_accepted(struct kunit *test)
{
	struct cap_fixture *f = make_fixture(test, "kt-where");
	struct zslab_evicted *ev;
	unsigned int i;
	u32 offset, zone;
	void *buf;

	ev = some_evicted(test, f, &i);
	offset = ev->img_offset;
	zone = ev->img_zone;
	/* The next slab on the device: real data of ours, not this slab's. */
	tamper(f->c, ev->img_offset = offset + f->c->slab_sectors);
	KUNIT_EXPECT_NULL(test, zslab_get(f->c, f->refs[i], GFP_KERNEL));
	/* Past what the zone holds, and a zone that is not a data zone. */
	tamper(f->c, ev->img_offset = U32_MAX - 8);
	KUNIT_EXPECT_NULL(test, zslab_get(f->c, f->refs[i], GFP_KERNEL));
	tamper(f->c, ev->img_zone = 0);
	KUNIT_EXPECT_NULL(test, zslab_get(f->c, f->refs[i], GFP_KERNEL));
	tamper(f->c, { ev->img_zone = zone; ev->img_offset = offset; });

	buf = kunit_kzalloc(test, f->c->slab_size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, zslab_read_image(f->c, zone, offset, ~ev->img_crc, buf),
			-EUCLEAN);
	KUNIT_EXPECT_EQ(test, zslab_read_image(f->c, zone, U32_MAX - 8, ev->img_crc, buf),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, zslab_read_image(f->c, zone, offset, ev->img_crc, buf), 0);
	KUNIT_EXPECT_TRUE(test, zslab_get(f->c, f->refs[i], GFP_KERNEL) != NULL);
	zslab_cache_destroy(f->c);
}

static void free_by_ref_of_an_evicted_object_reads_nothing(struct kunit *test)
{
	struct cap_fixture *f = make_fixture(test, "kt-fref");
	unsigned int i, j;
	u32 *p;
	u64 reads;

	KUNIT_ASSERT_NOT_NULL(test, some_evicted(test, f, &i));
	reads = atomic64_read(&zslab_device->io[ZSLAB_IO_READS]);
	zslab_free_ref(f->c, f->refs[i]);
	KUNIT_EXPECT_EQ(test, atomic64_read(&zslab_device->io[ZSLAB_IO_READS]), reads);
	KUNIT_EXPECT_EQ(test, info_of(test, f->c)->cap[ZSLAB_CAP_EVICTED_FREES], 1ULL);
	/* The sync rewrites the slab without the object: it reads it back. */
	KUNIT_EXPECT_EQ(test, zslab_cache_sync(f->c), 0);
	KUNIT_EXPECT_GT(test, atomic64_read(&zslab_device->io[ZSLAB_IO_READS]), reads);
	/* Another object of the slab brings it back: the freed slot is zero. */
	for (j = 0; j < OBJS; j++)
		if (j != i && zslab_ref_slab(f->refs[j]) == zslab_ref_slab(f->refs[i]))
			break;
	KUNIT_ASSERT_LT(test, j, (unsigned int)OBJS);
	p = zslab_get(f->c, f->refs[j], GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, pattern_intact(p, j));
	p = zslab_slab_obj(f->c, zslab_slab_of(p), zslab_ref_slot(f->refs[i]));
	for (j = 0; j < 128 / 4; j++)
		KUNIT_EXPECT_EQ(test, p[j], 0U);
	/* The reference names no live object any more. */
	KUNIT_EXPECT_NULL(test, zslab_get(f->c, f->refs[i], GFP_KERNEL));
	zslab_cache_destroy(f->c);
}

static void a_slab_emptied_while_evicted_goes_without_a_read(struct kunit *test)
{
	struct cap_fixture *f = make_fixture(test, "kt-fempty");
	struct zslab_cache_info *before, *after;
	unsigned int i, j, freed = 0;
	u32 id;
	u64 reads;

	KUNIT_ASSERT_NOT_NULL(test, some_evicted(test, f, &i));
	id = zslab_ref_slab(f->refs[i]);
	before = info_of(test, f->c);
	reads = atomic64_read(&zslab_device->io[ZSLAB_IO_READS]);
	for (j = 0; j < OBJS; j++) {
		if (zslab_ref_slab(f->refs[j]) != id)
			continue;
		zslab_free_ref(f->c, f->refs[j]);
		freed++;
	}
	KUNIT_EXPECT_EQ(test, zslab_cache_sync(f->c), 0);
	/* Nothing of its data lives: the sync drops it, reading nothing. */
	KUNIT_EXPECT_EQ(test, atomic64_read(&zslab_device->io[ZSLAB_IO_READS]), reads);
	after = info_of(test, f->c);
	KUNIT_EXPECT_EQ(test, after->cap[ZSLAB_CAP_READBACKS], before->cap[ZSLAB_CAP_READBACKS]);
	KUNIT_EXPECT_EQ(test, after->cap[ZSLAB_CAP_EVICTED_FREES], (u64)freed);
	KUNIT_EXPECT_NULL(test, evicted_desc(f->c, id));
	KUNIT_EXPECT_NULL(test, zslab_get(f->c, f->refs[i], GFP_KERNEL));
	zslab_cache_destroy(f->c);
}

/*
 * A background pass that had no memory to read such a slab back leaves
 * -ENOMEM for the next sync; if that sync's own pass reads it back and
 * writes it, the sync covers the free and returns 0.
 */
static void a_sync_reports_its_own_shortage_not_an_earlier_one(struct kunit *test)
{
	struct cap_fixture *f = make_fixture(test, "kt-enomem");
	unsigned int i;
	u64 reads;

	KUNIT_ASSERT_NOT_NULL(test, some_evicted(test, f, &i));
	zslab_free_ref(f->c, f->refs[i]);
	atomic_set(&f->c->wb_error, -ENOMEM);
	reads = atomic64_read(&zslab_device->io[ZSLAB_IO_READS]);
	KUNIT_EXPECT_EQ(test, zslab_cache_sync(f->c), 0);
	KUNIT_EXPECT_GT(test, atomic64_read(&zslab_device->io[ZSLAB_IO_READS]), reads);
	KUNIT_EXPECT_FALSE(test, xa_marked(&f->c->slabs, ZSLAB_XA_REWRITE));
	/* An I/O error stays reported until a sync returns it. */
	atomic_set(&f->c->wb_error, -EIO);
	KUNIT_EXPECT_EQ(test, zslab_cache_sync(f->c), -EIO);
	KUNIT_EXPECT_EQ(test, zslab_cache_sync(f->c), 0);
	zslab_cache_destroy(f->c);
}

/* --- reclaim's victim --- */

static void the_victim_gives_back_most_for_least(struct kunit *test)
{
	struct zslab_victim_zone z[4] = {
		{ .live = 90, .capacity = 100, .age = 1 },	/* young, mostly live */
		{ .live = 50, .capacity = 100, .age = 10 },	/* old, half dead */
		{ .live = 30, .capacity = 100, .age = 1 },	/* young, mostly dead */
		{ },						/* not a candidate */
	};

	/* (1 - u) age / (1 + u): 0.10 * 2 / 1.9, 0.5 * 11 / 1.5, 0.7 * 2 / 1.3 */
	KUNIT_EXPECT_EQ(test, zslab_pick_victim(z, 4), 1);
	z[1].age = 0;	/* now: 0.33, 0.33, 1.08 */
	KUNIT_EXPECT_EQ(test, zslab_pick_victim(z, 4), 2);
}

static void a_zone_with_nothing_to_give_is_never_a_victim(struct kunit *test)
{
	struct zslab_victim_zone z[2] = {
		{ .live = 100, .capacity = 100, .age = 1000 },
		{ },
	};

	KUNIT_EXPECT_EQ(test, zslab_pick_victim(z, 2), -1);
	KUNIT_EXPECT_EQ(test, zslab_pick_victim(z, 0), -1);
}

static struct kunit_case capacity_test_cases[] = {
	KUNIT_CASE(a_pinned_object_keeps_its_slab_in_dram),
	KUNIT_CASE(every_get_is_a_pin_until_its_put),
	KUNIT_CASE(a_put_with_no_pin_left_in_its_slab_is_refused),
	KUNIT_CASE(an_evicted_object_comes_back_byte_for_byte),
	KUNIT_CASE(a_corrupt_image_is_never_accepted),
	KUNIT_CASE(data_of_the_wrong_place_is_never_accepted),
	KUNIT_CASE(free_by_ref_of_an_evicted_object_reads_nothing),
	KUNIT_CASE(a_slab_emptied_while_evicted_goes_without_a_read),
	KUNIT_CASE(a_sync_reports_its_own_shortage_not_an_earlier_one),
	KUNIT_CASE(the_victim_gives_back_most_for_least),
	KUNIT_CASE(a_zone_with_nothing_to_give_is_never_a_victim),
	{}
};

static struct kunit_suite capacity_test_suite = {
	.name = "zns_slab_capacity",
	.test_cases = capacity_test_cases,
};
kunit_test_suites(&capacity_test_suite);
