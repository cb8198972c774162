// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: what a sync promises, with the interleavings that break it forced.
 *
 * Each case names the promise; hooks in the writeback pass and in the
 * completion hold one step while another runs, so a race that would take
 * luck to hit happens every time.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timex.h>
#include "../zslab_internal.h"
#include "fake_dev.h"

static struct zslab_cache *make_cache(struct kunit *test, const char *name,
				      unsigned int size)
{
	struct zslab_cache *c = zslab_cache_create(name, size, 0, 0, NULL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c);
	return c;
}

/* Writeback only on sync for the test's length; the old interval after. */
static void writeback_off(struct kunit *test)
{
	unsigned int *was = kunit_kzalloc(test, sizeof(*was), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, was);
	*was = zslab_set_writeback_ms(0);
	test->priv = was;
}

static void writeback_back_on(struct kunit *test)
{
	if (test->priv)
		zslab_set_writeback_ms(*(unsigned int *)test->priv);
}

static struct zslab_slab *slab_of(struct zslab_cache *c, void *obj)
{
	zslab_ref_t ref = zslab_ref(c, obj);

	return xa_load(&c->slabs, (ref >> 16) & U32_MAX);
}

static unsigned int slot_of(struct zslab_cache *c, void *obj)
{
	return zslab_ref(c, obj) & 0xffff;
}

/* The slab's newest data as the device holds it, CRC checked. */
static u8 *device_copy(struct kunit *test, struct zslab_cache *c, struct zslab_slab *s)
{
	u8 *buf = kunit_kmalloc(test, c->slab_size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, zslab_read_slab_data(c, s, buf), 0);
	return buf;
}

/*
 * §3: an object's bytes reach the device only as the client wrote them or
 * as zeros. A reused slot allocated and synced before its client writes it
 * must be zeros on the device, not its previous occupant's bytes, with the
 * kernel's zeroing hardening (init_on_alloc/init_on_free) turned off after
 * a cache that zeroes at allocation was made.
 */
static void a_new_object_reaches_the_device_as_zeros(struct kunit *test)
{
	bool had_alloc = static_branch_unlikely(&init_on_alloc);
	bool had_free = static_branch_unlikely(&init_on_free);
	struct zslab_cache *c;
	void *a, *b;
	u8 *dev;

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current,
			cpumask_of(raw_smp_processor_id())), 0);
	writeback_off(test);
	zslab_zero_at_alloc_set(1);	/* the cache zeroes, as under init_on_alloc */
	c = make_cache(test, "kt-zero", 64);
	zslab_zero_at_alloc_set(-1);
	static_branch_disable(&init_on_alloc);
	static_branch_disable(&init_on_free);
	a = zslab_cache_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	memset(a, 0xab, 64);
	zslab_mark_dirty(c, a);
	zslab_cache_free(c, a);
	b = zslab_cache_alloc(c, GFP_KERNEL);	/* the magazine gives @a back */
	if (had_alloc)
		static_branch_enable(&init_on_alloc);
	if (had_free)
		static_branch_enable(&init_on_free);
	KUNIT_ASSERT_PTR_EQ(test, a, b);
	KUNIT_EXPECT_NULL(test, memchr_inv(b, 0, 64));
	KUNIT_ASSERT_EQ(test, zslab_cache_sync(c), 0);
	dev = device_copy(test, c, slab_of(c, b));
	KUNIT_EXPECT_NULL(test, memchr_inv(dev + slot_of(c, b) * c->stride, 0, 64));
	zslab_cache_free(c, b);
	zslab_cache_destroy(c);
	writeback_back_on(test);
}

/*
 * A cache made while the kernel does not zero at allocation does not zero
 * either, as SLUB: a reused slot holds its previous occupant's bytes in
 * DRAM. The device still never sees them: a live object goes out as zeros
 * until its client marks it, and as the client's bytes from then on, until
 * its free; __GFP_ZERO still zeroes.
 */
static void without_init_on_alloc_unmarked_objects_go_out_as_zeros(struct kunit *test)
{
	bool had_free;
	struct zslab_cache *c;
	void *a, *b, *other;
	u8 *dev;

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current,
			cpumask_of(raw_smp_processor_id())), 0);
	writeback_off(test);
	zslab_zero_at_alloc_set(0);
	c = make_cache(test, "kt-lazy-zero", 64);
	zslab_zero_at_alloc_set(-1);
	other = zslab_cache_alloc(c, GFP_KERNEL);
	a = zslab_cache_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, other && a);
	KUNIT_ASSERT_PTR_EQ(test, slab_of(c, a), slab_of(c, other));
	KUNIT_ASSERT_NOT_NULL(test, zslab_slab_marked(c, slab_of(c, a)));
	memset(other, 0x11, 64);
	zslab_mark_dirty(c, other);
	memset(a, 0xab, 64);
	zslab_mark_dirty(c, a);
	KUNIT_ASSERT_EQ(test, zslab_cache_sync(c), 0);
	had_free = static_branch_unlikely(&init_on_free);
	static_branch_disable(&init_on_free);	/* the debug VM boots with it */
	zslab_cache_free(c, a);
	if (had_free)
		static_branch_enable(&init_on_free);
	b = zslab_cache_alloc(c, GFP_KERNEL);	/* the magazine gives @a back */
	KUNIT_ASSERT_PTR_EQ(test, a, b);
	KUNIT_EXPECT_NULL(test, memchr_inv(b, 0xab, 64));	/* not zeroed */

	/* Allocated, not marked: zeros on the device. */
	KUNIT_ASSERT_EQ(test, zslab_cache_sync(c), 0);
	dev = device_copy(test, c, slab_of(c, b));
	KUNIT_EXPECT_NULL(test, memchr_inv(dev + slot_of(c, b) * c->stride, 0, 64));
	KUNIT_EXPECT_NULL(test, memchr_inv(dev + slot_of(c, other) * c->stride, 0x11, 64));

	/* Written but not marked, the slab dirtied by another object: still zeros. */
	memset(b, 0xcd, 64);
	zslab_mark_dirty(c, other);
	KUNIT_ASSERT_EQ(test, zslab_cache_sync(c), 0);
	dev = device_copy(test, c, slab_of(c, b));
	KUNIT_EXPECT_NULL(test, memchr_inv(dev + slot_of(c, b) * c->stride, 0, 64));

	/* Marked: the client's bytes, and they stay through other changes. */
	zslab_mark_dirty(c, b);
	KUNIT_ASSERT_EQ(test, zslab_cache_sync(c), 0);
	zslab_mark_dirty(c, other);
	KUNIT_ASSERT_EQ(test, zslab_cache_sync(c), 0);
	dev = device_copy(test, c, slab_of(c, b));
	KUNIT_EXPECT_NULL(test, memchr_inv(dev + slot_of(c, b) * c->stride, 0xcd, 64));

	/* Freed and taken again with __GFP_ZERO: zeroed in DRAM too. */
	zslab_cache_free(c, b);
	b = zslab_cache_alloc(c, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_PTR_EQ(test, a, b);
	KUNIT_EXPECT_NULL(test, memchr_inv(b, 0, 64));
	zslab_cache_free(c, b);
	zslab_cache_free(c, other);
	zslab_cache_destroy(c);
	writeback_back_on(test);
}

/* --- a completion held back --- */

struct held {
	struct bio *bio;
	struct completion caught;
};

static struct held held;

static bool hold_one_completion(struct bio *bio)
{
	if (cmpxchg(&held.bio, NULL, bio))
		return false;
	complete(&held.caught);
	return true;
}

static void write_pass(struct zslab_cache *c)
{
	struct zslab_dev *zd = zslab_device;

	mutex_lock(&zd->wb_mutex);
	zslab_writeback_cache(zd, c);
	mutex_unlock(&zd->wb_mutex);
}

/*
 * A slab's data is written, changed and written again, and that second bio
 * is held in flight; the slab empties and its tombstone lands. When the
 * held bio completes at last, it is older than the tombstone and must not
 * become the slab's newest: the slab has no data on the device, and the
 * zone that took the late bio has nothing live from it.
 */
static void a_late_completion_never_undoes_a_tombstone(struct kunit *test)
{
	struct zslab_dev *zd = zslab_device;
	struct zslab_cache *c;
	struct zslab_slab *s;
	u32 tomb_seq;
	unsigned long t;
	u64 *obj;

	writeback_off(test);
	c = make_cache(test, "kt-late", 64);
	obj = zslab_cache_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	s = slab_of(c, obj);
	*obj = 1;
	zslab_mark_dirty(c, obj);
	KUNIT_ASSERT_EQ(test, zslab_cache_sync(c), 0);
	KUNIT_ASSERT_NE(test, s->img_zone, ZSLAB_NO_IMAGE);

	held.bio = NULL;
	init_completion(&held.caught);
	WRITE_ONCE(zslab_wb_end_hook, hold_one_completion);
	*obj = 2;
	zslab_mark_dirty(c, obj);
	write_pass(c);
	t = wait_for_completion_timeout(&held.caught, 10 * HZ);
	WRITE_ONCE(zslab_wb_end_hook, NULL);
	KUNIT_ASSERT_NE_MSG(test, t, 0UL, "the second write never completed");

	zslab_cache_free(c, obj);	/* the slab empties */
	write_pass(c);			/* its tombstone goes out and lands */
	for (t = 0; t < 500 && atomic_read(&c->inflight) > 1; t++)
		msleep(20);
	KUNIT_ASSERT_EQ(test, atomic_read(&c->inflight), 1);
	KUNIT_EXPECT_EQ(test, s->img_zone, ZSLAB_NO_IMAGE);
	tomb_seq = s->img_seq;
	KUNIT_EXPECT_EQ(test, atomic64_read(&c->wb[ZSLAB_WB_TOMBSTONES]), 1LL);

	zslab_wb_end_io_now(held.bio);	/* the older write lands last */
	KUNIT_EXPECT_EQ(test, s->img_zone, ZSLAB_NO_IMAGE);
	KUNIT_EXPECT_EQ(test, s->img_seq, tomb_seq);
	/* Every data zone is empty of live data: the late one counted stale. */
	for (t = zd->first_data_zone; t < zd->geo.nr_zones; t++)
		KUNIT_EXPECT_EQ_MSG(test, zd->zones[t].live, (sector_t)0, "zone %lu", t);
	KUNIT_EXPECT_EQ(test, zslab_cache_sync(c), 0);
	zslab_cache_destroy(c);
	writeback_back_on(test);
}

/* --- a completion held between its count reaching zero and its wake-up --- */

/* How long the hook holds a wake-up: longer than a teardown takes. */
#define WAKE_HOLD_MS	4000

static struct {
	wait_queue_head_t *wq;		/* the wake-up to hold */
	struct bio *bio;		/* the completion to run */
	bool held;			/* the hook held it */
	bool torn_down;			/* the teardown returned */
	bool torn_down_early;		/* while the hook still held the wake-up */
	struct completion done;		/* the completion returned */
} wake_hold;

/*
 * The count reached zero and the teardown sleeps in its wait for that. In
 * the race it looks at the count right now instead: wake it so that it
 * does, then hold the wake-up that follows us until the teardown returns
 * or time is up. A teardown that returns meanwhile has freed what that
 * wake-up is about to touch.
 */
static void hold_the_wake_up(wait_queue_head_t *wq)
{
	ktime_t end;

	if (wq != READ_ONCE(wake_hold.wq))
		return;
	end = ktime_add_ms(ktime_get(), WAKE_HOLD_MS);
	WRITE_ONCE(wake_hold.held, true);
	wake_up_all(wq);
	while (!READ_ONCE(wake_hold.torn_down) && ktime_before(ktime_get(), end)) {
		/*
		 * Never sleep in the completion's RCU read-side section (the
		 * fix); without one, let this CPU's other work and RCU go
		 * on: the teardown may wait for them.
		 */
		if (preemptible() && !rcu_preempt_depth())
			cond_resched();
		udelay(100);
	}
	if (READ_ONCE(wake_hold.torn_down)) {
		WRITE_ONCE(wake_hold.torn_down_early, true);
		/*
		 * The defect: @wq may be freed (KASAN reports this write if
		 * so). Make it a wait queue again, so that the wake-up after
		 * us finds one rather than init_on_free's zeros and oopses
		 * before the suite can report.
		 */
		init_waitqueue_head(wq);
	}
}

/* Complete the staged bio once the teardown waits for it. */
static int complete_once_waited_for(void *unused)
{
	unsigned int i;

	/*
	 * Unordered is enough: the teardown's waiter is on the queue before
	 * the count can reach zero (we make it zero), and if we look before
	 * it is there we look again.
	 */
	for (i = 0; i < 5000 && !waitqueue_active(wake_hold.wq); i++)
		usleep_range(1000, 2000);
	zslab_wb_end_io_now(wake_hold.bio);
	complete(&wake_hold.done);
	return 0;
}

/*
 * Pin the test to the CPU it is on, from before it allocates anything, and
 * return another online CPU for the completion: the hook holds that one
 * without sleeping, and the teardown must not need it to return.
 */
static unsigned int pin_and_pick_other_cpu(struct kunit *test)
{
	unsigned int here = raw_smp_processor_id(), there;

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(here)), 0);
	there = cpumask_any_but(cpu_online_mask, here);
	if (there >= nr_cpu_ids)
		kunit_skip(test, "needs two online CPUs");
	return there;
}

/*
 * @teardown(@arg) runs here while @cpu completes @bio, the last in flight
 * of the count that @wq is woken for, held between the count reaching zero
 * and that wake-up. The teardown must not return before the wake-up is done.
 */
static void teardown_during_a_wake_up(struct kunit *test, unsigned int cpu,
				      struct bio *bio, wait_queue_head_t *wq,
				      void (*teardown)(void *arg), void *arg)
{
	struct task_struct *t;
	unsigned long left;

	wake_hold.bio = bio;
	wake_hold.held = false;
	wake_hold.torn_down = false;
	wake_hold.torn_down_early = false;
	init_completion(&wake_hold.done);
	WRITE_ONCE(wake_hold.wq, wq);
	t = kthread_create(complete_once_waited_for, NULL, "kt-wake-hold");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	kthread_bind(t, cpu);
	WRITE_ONCE(zslab_wb_drained_hook, hold_the_wake_up);
	wake_up_process(t);

	teardown(arg);
	WRITE_ONCE(wake_hold.torn_down, true);

	left = wait_for_completion_timeout(&wake_hold.done, 60 * HZ);
	WRITE_ONCE(zslab_wb_drained_hook, NULL);
	WRITE_ONCE(wake_hold.wq, NULL);
	KUNIT_ASSERT_NE_MSG(test, left, 0UL, "the completion never returned");
	/* Plain reads: the completion's return ordered the hook's stores. */
	KUNIT_EXPECT_TRUE_MSG(test, wake_hold.held,
			      "the completion never reached the wake-up");
	KUNIT_EXPECT_FALSE_MSG(test, wake_hold.torn_down_early,
			       "the teardown returned while the completion was still to wake its queue");
}

static void destroy_cache(void *c)
{
	zslab_cache_destroy(c);
}

static void exit_writeback(void *zd)
{
	zslab_writeback_exit(zd);
}

/*
 * A completion that brought the cache's count of bios in flight to zero
 * goes on to wake the cache's wait queue. A destroy that sees the zero
 * must not free the cache before that wake-up is done.
 */
static void destroy_waits_for_a_completion_still_waking_it(struct kunit *test)
{
	unsigned int cpu = pin_and_pick_other_cpu(test);
	struct zslab_cache *c;
	unsigned long t;
	u64 *obj;

	writeback_off(test);
	c = make_cache(test, "kt-destroy-wake", 64);
	obj = zslab_cache_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	*obj = 1;
	zslab_mark_dirty(c, obj);
	held.bio = NULL;
	init_completion(&held.caught);
	WRITE_ONCE(zslab_wb_end_hook, hold_one_completion);
	write_pass(c);
	t = wait_for_completion_timeout(&held.caught, 10 * HZ);
	WRITE_ONCE(zslab_wb_end_hook, NULL);
	KUNIT_ASSERT_NE_MSG(test, t, 0UL, "the write never completed");
	zslab_cache_free(c, obj);

	teardown_during_a_wake_up(test, cpu, held.bio, &c->wb_wait, destroy_cache, c);
	writeback_back_on(test);
}

/*
 * The same for the device: unload frees it once zslab_writeback_exit()
 * returns, so that must wait for the wake-up of a completion that brought
 * the device's count to zero. The loaded device cannot be torn down here:
 * this is a device of its own (zones in memory, no block device) with one
 * bio staged in flight, which completes as failed and so touches no slab.
 * KUnit frees it only at the test's end: the defect is reported, not hit.
 */
static void writeback_exit_waits_for_a_completion_still_waking_it(struct kunit *test)
{
	unsigned int cpu = pin_and_pick_other_cpu(test);
	struct zslab_dev *zd = fake_zoned_dev(test, 0, 0);
	struct zslab_cache *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct zslab_wb_bio *wb;
	unsigned long flags;
	struct bio *bio;

	KUNIT_ASSERT_NOT_NULL(test, c);
	init_waitqueue_head(&c->wb_wait);
	writeback_off(test);		/* no background pass on this device either */
	mutex_init(&zd->wb_mutex);
	zd->geo.max_append_sectors = 256;
	KUNIT_ASSERT_EQ(test, zslab_writeback_init(zd), 0);

	/* What wb_submit() leaves of a bio it sent to zone 0. */
	bio = bio_alloc_bioset(NULL, 0, REQ_OP_ZONE_APPEND, GFP_KERNEL, &zd->bio_set);
	wb = container_of(bio, struct zslab_wb_bio, bio);
	memset(wb, 0, offsetof(struct zslab_wb_bio, bio));
	wb->zd = zd;
	wb->c = c;
	spin_lock_irqsave(&zd->buf_lock, flags);
	wb->buf = list_first_entry(&zd->free_bufs, struct zslab_img_buf, node);
	list_del(&wb->buf->node);
	spin_unlock_irqrestore(&zd->buf_lock, flags);
	wb->start = ktime_get();
	bio->bi_status = BLK_STS_IOERR;
	spin_lock_irqsave(&zd->zone_lock, flags);
	zd->zones[0].inflight = 1;
	spin_unlock_irqrestore(&zd->zone_lock, flags);
	atomic_inc(&c->inflight);
	atomic_inc(&zd->inflight);

	teardown_during_a_wake_up(test, cpu, bio, &zd->inflight_wait, exit_writeback, zd);
	writeback_back_on(test);
}

/*
 * writeback_ms=0 means nothing is written in the background. A zone whose
 * data all died is reset at once, but that must not write other caches'
 * dirty slabs: only a sync does.
 */
static void a_zone_reset_writes_nothing_with_writeback_off(struct kunit *test)
{
	struct zslab_cache *a, *b;
	void *x, *y;

	writeback_off(test);
	a = make_cache(test, "kt-reset-a", 64);
	b = make_cache(test, "kt-reset-b", 64);
	x = zslab_cache_alloc(a, GFP_KERNEL);
	y = zslab_cache_alloc(b, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, x && y);
	KUNIT_ASSERT_EQ(test, zslab_cache_sync(a), 0);
	zslab_cache_free(a, x);		/* a's zone has nothing live after the next sync */
	KUNIT_ASSERT_EQ(test, zslab_cache_sync(a), 0);
	flush_workqueue(zslab_device->wq);
	msleep(100);
	flush_workqueue(zslab_device->wq);
	KUNIT_EXPECT_EQ(test, atomic64_read(&b->wb[ZSLAB_WB_WRITTEN]), 0LL);
	KUNIT_EXPECT_TRUE(test, atomic_read(&slab_of(b, y)->flags) & ZSLAB_SLAB_DIRTY);
	zslab_cache_free(b, y);
	zslab_cache_destroy(a);
	zslab_cache_destroy(b);
	writeback_back_on(test);
}

/* --- a pass held between its steps --- */

static DECLARE_COMPLETION(pass_entered);
static DECLARE_COMPLETION(pass_release);
static atomic_t pass_holds;

static void hold_pass(struct zslab_cache *c, struct zslab_slab *s)
{
	if (atomic_dec_if_positive(&pass_holds) < 0)
		return;
	complete(&pass_entered);
	wait_for_completion_timeout(&pass_release, 30 * HZ);
}

static int create_and_destroy(void *arg)
{
	struct completion *done = arg;
	struct zslab_cache *c = zslab_cache_create("kt-during-pass", 32, 0, 0, NULL);
	struct zslab_cache_info info;

	if (!IS_ERR(c)) {
		zslab_cache_get_info(c, &info);
		complete(done);
		/* Destroy waits for the pass: the cache's slabs may be under it. */
		zslab_cache_destroy(c);
	}
	return 0;
}

/*
 * A background pass that waits for I/O does not hold up cache creation or
 * debugfs: it walks the caches under the writeback mutex, not under
 * zslab_caches_lock.
 */
static void create_does_not_wait_for_a_background_pass(struct kunit *test)
{
	struct zslab_dev *zd = zslab_device;
	DECLARE_COMPLETION_ONSTACK(created);
	struct task_struct *t;
	struct zslab_cache *c;
	unsigned long left;
	void *obj;

	writeback_off(test);
	c = make_cache(test, "kt-held-pass", 64);
	obj = zslab_cache_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	reinit_completion(&pass_entered);
	reinit_completion(&pass_release);
	atomic_set(&pass_holds, 1);
	WRITE_ONCE(zslab_wb_pass_hook, hold_pass);
	mod_delayed_work(zd->wq, &zd->wb_work, 0);	/* one background pass */
	left = wait_for_completion_timeout(&pass_entered, 10 * HZ);
	KUNIT_EXPECT_NE_MSG(test, left, 0UL, "the background pass never ran");

	t = kthread_run(create_and_destroy, &created, "kt-create");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	left = wait_for_completion_timeout(&created, 5 * HZ);
	complete(&pass_release);
	WRITE_ONCE(zslab_wb_pass_hook, NULL);
	KUNIT_EXPECT_NE_MSG(test, left, 0UL, "create waited for the held pass");
	if (!left)
		wait_for_completion(&created);
	flush_delayed_work(&zd->wb_work);
	zslab_cache_free(c, obj);
	zslab_cache_destroy(c);
	writeback_back_on(test);
}

/* The inode of @name's /sys/kernel/slab entry, 0 if there is none. */
static unsigned long slab_sysfs_ino(const char *name)
{
	char p[80];
	struct path path;
	unsigned long ino;

	snprintf(p, sizeof(p), "/sys/kernel/slab/%s", name);
	if (kern_path(p, LOOKUP_FOLLOW, &path))
		return 0;
	ino = d_inode(path.dentry)->i_ino;
	path_put(&path);
	return ino;
}

/*
 * A second create of a name in use fails without touching the first
 * cache: its descriptor cache keeps its own /sys/kernel/slab entry (the
 * same inode, not one SLUB made for a duplicate in its place, which goes
 * away when the duplicate is released after an RCU grace period).
 */
static void a_duplicate_name_leaves_the_first_cache_whole(struct kunit *test)
{
	struct zslab_cache *c = make_cache(test, "kt-dup", 64);
	unsigned long ino = slab_sysfs_ino("zslab_desc_kt-dup");
	void *obj;

	KUNIT_ASSERT_NE(test, ino, 0UL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(zslab_cache_create("kt-dup", 64, 0, 0, NULL)),
			-EEXIST);
	KUNIT_EXPECT_EQ_MSG(test, slab_sysfs_ino("zslab_desc_kt-dup"), ino,
			    "the entry is not the first cache's own any more");
	obj = zslab_cache_alloc(c, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, obj);
	zslab_cache_free(c, obj);
	zslab_cache_destroy(c);
}

struct on_cpu {
	struct zslab_cache *c;
	void *obj;
};

static long alloc_free_here(void *arg)
{
	struct on_cpu *a = arg;

	a->obj = zslab_cache_alloc(a->c, GFP_KERNEL);
	if (a->obj)
		zslab_cache_free(a->c, a->obj);
	return 0;
}

/*
 * A CPU that goes offline leaves no objects stranded in its magazine and
 * owns no slab any more (as SLUB's slub_cpu_dead()).
 */
static void an_offlined_cpu_gives_its_magazine_back(struct kunit *test)
{
	struct zslab_cache *c = make_cache(test, "kt-hotplug", 64);
	struct on_cpu a = { .c = c };
	struct zslab_cache_info info;
	struct zslab_cpu_cache *cc;
	unsigned int cpu;

	cpu = cpumask_next(cpumask_first(cpu_online_mask), cpu_online_mask);
	if (cpu >= nr_cpu_ids)
		kunit_skip(test, "needs two online CPUs");
	work_on_cpu(cpu, alloc_free_here, &a);
	KUNIT_ASSERT_NOT_NULL(test, a.obj);
	cc = per_cpu_ptr(c->cpu, cpu);
	KUNIT_ASSERT_GT(test, zslab_mag_count(cc), 0U);
	KUNIT_ASSERT_EQ(test, remove_cpu(cpu), 0);
	KUNIT_EXPECT_EQ(test, zslab_mag_count(cc), 0U);
	KUNIT_EXPECT_NULL(test, cc->refill_slab);
	zslab_cache_get_info(c, &info);
	KUNIT_EXPECT_EQ(test, info.magazine_objs, 0UL);
	KUNIT_EXPECT_EQ(test, add_cpu(cpu), 0);
	zslab_cache_destroy(c);
}

/* --- a change racing a pass: the store-buffering pattern --- */

#define SB_RACES	16	/* per batch, each on a slab of its own */
#define SB_NSEC		(3ULL * NSEC_PER_SEC)
#define SB_MAX_BATCHES	200000U
#define SB_STEP		32	/* cycles between neighbouring races' offsets */

/*
 * A batch runs SB_RACES races, one per slab, as a litmus harness does: the
 * client stores a new value into race @i's object and marks it dirty, while
 * the pass, on another CPU, takes the slab (clears DIRTY) and copies the
 * object. No handshake starts a race: both sides wait for a cycle count,
 * start + @i * spacing on the client and @offset[i] cycles later on the
 * pass, so that a race's alignment is what the test chose rather than how
 * fast one CPU noticed the other.
 */
struct sb_race {
	struct zslab_slab *s[SB_RACES];
	u32 *obj[SB_RACES];
	u32 copied[SB_RACES];	/* what the pass copied this batch */
	s64 offset[SB_RACES];	/* the pass's start after the client's */
	u64 start;
	u64 spacing;
	atomic_t batch;		/* the batch set up by the client */
	atomic_t done;		/* the last batch the pass finished */
};

/*
 * The two sides spin without cpu_relax(): under QEMU TCG a pause leaves the
 * translated code and takes QEMU's global lock, which can hold one side off
 * for longer than a batch and scatter the races far wider than the window
 * the test aims at.
 */
static void sb_wait_until(u64 t)
{
	while ((s64)(get_cycles() - t) < 0)
		barrier();
}

static int sb_pass_side(void *arg)
{
	struct sb_race *r = arg;
	unsigned int k, i;

	for (k = 1; ; k++) {
		while (atomic_read_acquire(&r->batch) < k)
			if (kthread_should_stop())
				return 0;
		/*
		 * Read every object first: its cache line is then this CPU's,
		 * and the client's store must fetch it back, the time the
		 * store waits in the store buffer while loads after it go on.
		 */
		for (i = 0; i < SB_RACES; i++)
			r->copied[i] = READ_ONCE(*r->obj[i]);
		for (i = 0; i < SB_RACES; i++) {
			sb_wait_until(r->start + i * r->spacing + r->offset[i]);
			zslab_slab_take_dirty(r->s[i]);
			r->copied[i] = READ_ONCE(*r->obj[i]);
		}
		atomic_set_release(&r->done, k);
	}
}

/* Bit @i set: race @i's slab is on the cache's dirty list again. */
static unsigned long sb_requeued(struct zslab_cache *c, struct sb_race *r)
{
	struct llist_node *queued = llist_del_all(&c->dirty);
	unsigned long found = 0;
	struct zslab_slab *s;
	unsigned int i;

	llist_for_each_entry(s, queued, dirty_node)
		for (i = 0; i < SB_RACES; i++)
			if (s == r->s[i])
				found |= BIT(i);
	return found;
}

/*
 * One object on each of SB_RACES slabs, all clean; the other objects the
 * slabs hold stay allocated in @held until the end.
 */
static void sb_setup(struct kunit *test, struct zslab_cache *c, struct sb_race *r,
		     void **held, unsigned int nheld)
{
	unsigned int i, n = 0, got = 0;

	while (got < SB_RACES) {
		struct zslab_slab *s;

		KUNIT_ASSERT_LT(test, n, nheld);
		held[n] = zslab_cache_alloc(c, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, held[n]);
		s = slab_of(c, held[n]);
		for (i = 0; i < got && r->s[i] != s; i++)
			;
		if (i == got) {
			r->s[got] = s;
			r->obj[got++] = held[n];
		}
		n++;
	}
	KUNIT_ASSERT_EQ(test, zslab_cache_sync(c), 0);
}

static int sb_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The client's store and mark, timed on slabs queued already, as each race
 * finds them: DIRTY is read near its end, where a pass should land.
 */
static u64 sb_client_cycles(struct zslab_cache *c, struct sb_race *r)
{
	u64 t[33];
	unsigned int i;

	for (i = 0; i < SB_RACES; i++)
		atomic_or(ZSLAB_SLAB_DIRTY, &r->s[i]->flags);
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		t[i] = get_cycles();
		WRITE_ONCE(*r->obj[i % SB_RACES], 0);
		zslab_mark_dirty(c, r->obj[i % SB_RACES]);
		t[i] = get_cycles() - t[i];
	}
	/* The median: an interrupt in one call says nothing of the others. */
	sort(t, ARRAY_SIZE(t), sizeof(t[0]), sb_cmp, NULL);
	return t[ARRAY_SIZE(t) / 2];
}

/*
 * #10 defect 1, §2 zslab_mark_dirty(): a change marked while a pass copies
 * the slab is either in the copy or queues the slab again; never neither.
 * This is the store-buffering pattern (memory-barriers.txt): the client
 * stores the object then reads DIRTY; the pass clears DIRTY then reads the
 * object. Without a full barrier between the client's store and its read,
 * the CPU may satisfy the read first from a DIRTY the pass has already
 * cleared, and copy-before-store goes unnoticed: the slab is never queued
 * again and a later sync returns 0 without the change.
 *
 * The window is the time a store waits for its cache line, so the races
 * are aimed: the pass's start is moved after each batch towards where as
 * many races end "queued again" (the pass was first) as "copied" (the
 * client was), and the races of a batch sit SB_STEP cycles apart around it.
 * Whether a missing barrier can show still depends on the machine: the
 * store must be waiting for its line when DIRTY is read. In the debug
 * kernel under QEMU TCG the mark's checks take microseconds before that
 * read, longer than any store waits, and no miss has shown there.
 */
static void a_change_racing_a_pass_is_copied_or_queued_again(struct kunit *test)
{
	unsigned long races = 0, requeued = 0, copied = 0, missed = 0;
	unsigned int cpu, pass_cpu, nheld, batch = 0, i;
	struct task_struct *pass;
	struct zslab_cache *c;
	struct sb_race *r;
	s64 lead, client;
	void **held;
	u64 until;

	cpu = cpumask_first(cpu_online_mask);
	pass_cpu = cpumask_next(cpu, cpu_online_mask);
	if (pass_cpu >= nr_cpu_ids)
		kunit_skip(test, "needs two online CPUs");
	if (!get_cycles())
		kunit_skip(test, "needs a cycle counter");
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
	writeback_off(test);
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	c = make_cache(test, "kt-sb", 64);
	nheld = (SB_RACES + 1) * c->objs_per_slab;
	held = kunit_kcalloc(test, nheld, sizeof(*held), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, held);
	sb_setup(test, c, r, held, nheld);
	client = sb_client_cycles(c, r);
	r->spacing = 3 * client + 1000;
	lead = client;

	pass = kthread_create(sb_pass_side, r, "kt-sb-pass");
	KUNIT_ASSERT_FALSE(test, IS_ERR(pass));
	kthread_bind(pass, pass_cpu);
	wake_up_process(pass);

	until = ktime_get_ns() + SB_NSEC;
	while (batch < SB_MAX_BATCHES && ktime_get_ns() < until) {
		unsigned long again;
		s64 early = 0;

		batch++;
		/* Far enough to make up for CPUs whose counters disagree. */
		lead = clamp_t(s64, lead, -SB_RACES * (s64)r->spacing,
			       SB_RACES * r->spacing);
		for (i = 0; i < SB_RACES; i++) {
			/* Queued by an earlier change, as the pass found it. */
			atomic_or(ZSLAB_SLAB_DIRTY, &r->s[i]->flags);
			r->offset[i] = lead + ((s64)i - SB_RACES / 2) * SB_STEP;
		}
		r->start = get_cycles() + 2 * r->spacing + max_t(s64, -lead, 0);
		atomic_set_release(&r->batch, batch);
		for (i = 0; i < SB_RACES; i++) {
			sb_wait_until(r->start + i * r->spacing);
			WRITE_ONCE(*r->obj[i], batch);
			zslab_mark_dirty(c, r->obj[i]);
		}
		while (atomic_read_acquire(&r->done) < batch)
			barrier();

		again = sb_requeued(c, r);
		for (i = 0; i < SB_RACES; i++) {
			if (again & BIT(i)) {
				requeued++;
				early++;
			} else if (r->copied[i] == batch) {
				copied++;
				early--;
			} else {
				missed++;
			}
		}
		races += SB_RACES;
		lead += early * SB_STEP;
	}
	kthread_stop(pass);

	kunit_info(test, "%lu races in %u batches: %lu queued again, %lu copied, %lu missed\n",
		   races, batch, requeued, copied, missed);
	kunit_info(test, "client's store and mark %lld cycles, races %llu apart, pass lead %lld\n",
		   client, r->spacing, lead);
	KUNIT_EXPECT_EQ(test, missed, 0UL);
	/* The race was run: each side won some races. */
	KUNIT_EXPECT_GT(test, requeued, 0UL);
	KUNIT_EXPECT_GT(test, copied, 0UL);

	for (i = 0; i < SB_RACES; i++)
		atomic_andnot(ZSLAB_SLAB_DIRTY, &r->s[i]->flags);
	for (i = 0; i < nheld && held[i]; i++)
		zslab_cache_free(c, held[i]);
	zslab_cache_destroy(c);
	writeback_back_on(test);
}

static struct kunit_case writeback_test_cases[] = {
	KUNIT_CASE(a_new_object_reaches_the_device_as_zeros),
	KUNIT_CASE(without_init_on_alloc_unmarked_objects_go_out_as_zeros),
	KUNIT_CASE(a_late_completion_never_undoes_a_tombstone),
	KUNIT_CASE(destroy_waits_for_a_completion_still_waking_it),
	KUNIT_CASE(writeback_exit_waits_for_a_completion_still_waking_it),
	KUNIT_CASE(a_zone_reset_writes_nothing_with_writeback_off),
	KUNIT_CASE(create_does_not_wait_for_a_background_pass),
	KUNIT_CASE(a_duplicate_name_leaves_the_first_cache_whole),
	KUNIT_CASE(an_offlined_cpu_gives_its_magazine_back),
	KUNIT_CASE(a_change_racing_a_pass_is_copied_or_queued_again),
	{}
};

static struct kunit_suite writeback_test_suite = {
	.name = "zns_slab_writeback",
	.test_cases = writeback_test_cases,
};

kunit_test_suites(&writeback_test_suite);
