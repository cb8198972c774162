// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the allocator's rules, one test each.
 *
 * Runs with zns_slab loaded on the test VM's ZNS namespace, in the debug
 * kernel (KASAN, lockdep, kmemleak, atomic-sleep checks), which must stay
 * silent throughout. Misuse tests provoke one intended WARN_ONCE.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/kthread.h>
#include <linux/llist.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include "../zslab_internal.h"

static struct zslab_cache *make_cache(struct kunit *test, const char *name,
				      unsigned int size, unsigned int align,
				      unsigned int flags, void (*ctor)(void *))
{
	struct zslab_cache *c = zslab_cache_create(name, size, align, flags, ctor);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c);
	return c;
}

/* A snapshot of the cache's numbers, freed with the test. */
#define info_of(c) (*cache_info(test, (c)))

static struct zslab_cache_info *cache_info(struct kunit *test, struct zslab_cache *c)
{
	struct zslab_cache_info *info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, info);
	zslab_cache_get_info(c, info);
	return info;
}

/*
 * Slab counts depend on which CPU's magazine holds which objects: a test
 * that counts slabs runs on one CPU. (Each test case has a thread of its
 * own, so the binding ends with it.)
 */
static void stay_on_one_cpu(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current,
			cpumask_of(raw_smp_processor_id())), 0);
}

static void **obj_array(struct kunit *test, unsigned int n)
{
	void **objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, objs);
	return objs;
}

/* @n objects of @c into @objs; none may fail. */
static void alloc_all(struct kunit *test, struct zslab_cache *c, void **objs,
		      unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		objs[i] = zslab_cache_alloc(c, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
}

static void free_all(struct zslab_cache *c, void **objs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		zslab_cache_free(c, objs[i]);
}

/* --- creation --- */

struct bad_create {
	const char *what;
	const char *name;
	unsigned int size, align, flags;
	int err;
};

static const struct bad_create bad_creates[] = {
	{ "NULL name", NULL, 64, 0, 0, -EINVAL },
	{ "empty name", "", 64, 0, 0, -EINVAL },
	{ "name of 32 bytes", "0123456789abcdef0123456789abcdef", 64, 0, 0, -EINVAL },
	{ "object size 0", "kt-bad", 0, 0, 0, -EINVAL },
	{ "object larger than a 4 KiB slab", "kt-bad", 4097, 0, 0, -EINVAL },
	{ "object size UINT_MAX", "kt-bad", UINT_MAX, 0, 0, -EINVAL },
	{ "alignment 3", "kt-bad", 64, 3, 0, -EINVAL },
	{ "alignment larger than the slab", "kt-bad", 64, 8192, 0, -EINVAL },
	{ "4000 B objects aligned to 4096 are accepted (one per slab)",
	  "kt-ok", 4000, 4096, 0, 0 },
	{ "2100 B objects aligned to 2048 are accepted (4096 B stride)",
	  "kt-ok", 2100, 2048, 0, 0 },
	{ "4096 B objects aligned to 8 are accepted (a slab each)", "kt-ok", 4096, 8, 0, 0 },
	{ "16 KiB objects in 16 KiB slabs are accepted", "kt-ok", 16384, 0,
	  ZSLAB_SLAB_ORDER(2), 0 },
	{ "unknown flag bit", "kt-bad", 64, 0, 0x80000000U, -EINVAL },
	{ "slab order above the maximum", "kt-bad", 64, 0, ZSLAB_SLAB_ORDER(6), -EINVAL },
	{ "persistent cache of object size 0", "kt-bad", 0, 0, ZSLAB_PERSISTENT, -EINVAL },
};

static void bad_create_desc(const struct bad_create *b, char *desc)
{
	strscpy(desc, b->what, KUNIT_PARAM_DESC_SIZE);
}
KUNIT_ARRAY_PARAM(bad_create, bad_creates, bad_create_desc);

static void create_answers_bad_arguments_with_errno(struct kunit *test)
{
	const struct bad_create *b = test->param_value;
	struct zslab_cache *c;

	c = zslab_cache_create(b->name, b->size, b->align, b->flags, NULL);
	KUNIT_EXPECT_NOT_NULL(test, c);
	if (b->err) {
		KUNIT_EXPECT_TRUE(test, IS_ERR(c));
		KUNIT_EXPECT_EQ(test, PTR_ERR(c), (long)b->err);
	} else {
		KUNIT_EXPECT_FALSE(test, IS_ERR(c));
		zslab_cache_destroy(c);
	}
}

static void create_refuses_a_name_in_use(struct kunit *test)
{
	struct zslab_cache *a = make_cache(test, "kt-dup", 64, 0, 0, NULL);
	struct zslab_cache *b = zslab_cache_create("kt-dup", 64, 0, 0, NULL);

	KUNIT_EXPECT_EQ(test, PTR_ERR(b), -EEXIST);
	zslab_cache_destroy(a);
	/* The name is free again once destroyed. */
	b = make_cache(test, "kt-dup", 64, 0, 0, NULL);
	zslab_cache_destroy(b);
}

/* --- objects --- */

static const unsigned int sizes[] = { 8, 24, 32, 100, 128, 512, 2048, 4000, 4096 };

static void size_desc(const unsigned int *s, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u B objects", *s);
}
KUNIT_ARRAY_PARAM(size, sizes, size_desc);

/* Many objects at once, each filled with its own pattern: none may overlap. */
static void objects_are_distinct_whole_and_aligned(struct kunit *test)
{
	unsigned int size = *(const unsigned int *)test->param_value;
	struct zslab_cache *c = make_cache(test, "kt-size", size, 0, 0, NULL);
	unsigned int n = 3 * c->objs_per_slab + 70, i, j;
	u8 **objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (i = 0; i < n; i++) {
		objs[i] = zslab_cache_alloc(c, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		KUNIT_EXPECT_EQ(test, (unsigned long)objs[i] % sizeof(void *), 0UL);
		memset(objs[i], (u8)i, size);
	}
	KUNIT_EXPECT_EQ(test, info_of(c).active_objs, (unsigned long)n);
	for (i = 0; i < n; i++) {
		for (j = 0; j < size; j++)
			if (objs[i][j] != (u8)i)
				break;
		KUNIT_EXPECT_EQ_MSG(test, j, size, "object %u overwritten", i);
	}
	for (i = 0; i < n; i++)
		zslab_cache_free(c, objs[i]);
	KUNIT_EXPECT_EQ(test, info_of(c).active_objs, 0UL);
	zslab_cache_destroy(c);
}

static void larger_slabs_hold_more_objects(struct kunit *test)
{
	struct zslab_cache *c = make_cache(test, "kt-order", 1000, 0, ZSLAB_SLAB_ORDER(2), NULL);
	void **objs = obj_array(test, 64);
	int i;

	KUNIT_EXPECT_EQ(test, c->slab_size, 16384U);
	KUNIT_EXPECT_EQ(test, c->objs_per_slab, 16U);
	/* Objects in the slab's tail pages are found through the head page. */
	for (i = 0; i < 64; i++) {
		objs[i] = zslab_cache_alloc(c, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	for (i = 0; i < 64; i++)
		zslab_cache_free(c, objs[i]);
	KUNIT_EXPECT_EQ(test, info_of(c).active_objs, 0UL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&c->misuse[ZSLAB_MISUSE_FOREIGN]), 0LL);
	zslab_cache_destroy(c);
}

static void check_alignment(struct kunit *test, unsigned int size,
			    unsigned int align, unsigned int flags,
			    unsigned int want)
{
	struct zslab_cache *c = make_cache(test, "kt-align", size, align, flags, NULL);
	void **objs = obj_array(test, 100);
	int i;

	for (i = 0; i < 100; i++) {
		objs[i] = zslab_cache_alloc(c, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		KUNIT_EXPECT_EQ_MSG(test, (unsigned long)objs[i] % want, 0UL,
				    "size %u align %u flags %x", size, align, flags);
	}
	for (i = 0; i < 100; i++)
		zslab_cache_free(c, objs[i]);
	zslab_cache_destroy(c);
}

static void objects_honour_alignment(struct kunit *test)
{
	check_alignment(test, 40, 64, 0, 64);
	check_alignment(test, 100, 256, 0, 256);
	check_alignment(test, 13, 0, 0, 8);
	check_alignment(test, 100, 0, ZSLAB_HWCACHE_ALIGN, cache_line_size());
	/* Small objects share a line, as with SLAB_HWCACHE_ALIGN: 20 B -> 32 B. */
	check_alignment(test, 20, 0, ZSLAB_HWCACHE_ALIGN, 32);
}

static atomic_t ctor_calls;

static void pattern_ctor(void *obj)
{
	memset(obj, 0xc7, 48);
	atomic_inc(&ctor_calls);
}

static void constructor_runs_once_per_object_when_its_slab_is_made(struct kunit *test)
{
	struct zslab_cache *c = make_cache(test, "kt-ctor", 48, 0, 0, pattern_ctor);
	u8 *a;
	int i;

	atomic_set(&ctor_calls, 0);
	a = zslab_cache_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctor_calls), (int)c->objs_per_slab);
	for (i = 0; i < 48; i++)
		KUNIT_EXPECT_EQ(test, a[i], 0xc7);
	/*
	 * Reused objects are not constructed again (kmem_cache semantics),
	 * and keep the state they were freed in: init_on_alloc/init_on_free
	 * (the debug VM boots with both) leave a constructed cache alone.
	 */
	zslab_cache_free(c, a);
	a = zslab_cache_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctor_calls), (int)c->objs_per_slab);
	for (i = 0; i < 48; i++)
		KUNIT_EXPECT_EQ(test, a[i], 0xc7);
	zslab_cache_free(c, a);
	zslab_cache_destroy(c);
}

static void gfp_zero_returns_zeroed_objects(struct kunit *test)
{
	struct zslab_cache *c = make_cache(test, "kt-zero", 200, 0, 0, NULL);
	u8 **objs = (u8 **)obj_array(test, 300);
	int i, j;

	for (i = 0; i < 300; i++) {
		objs[i] = zslab_cache_alloc(c, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		memset(objs[i], 0xff, 200);
	}
	for (i = 0; i < 300; i++)
		zslab_cache_free(c, objs[i]);
	for (i = 0; i < 300; i++) {
		objs[i] = zslab_cache_alloc(c, GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		for (j = 0; j < 200; j++)
			if (objs[i][j])
				break;
		KUNIT_EXPECT_EQ(test, j, 200);
	}
	for (i = 0; i < 300; i++)
		zslab_cache_free(c, objs[i]);
	zslab_cache_destroy(c);
}

/* --- atomic contexts --- */

#define ATOMIC_OBJS 96	/* more than one refill: forces slab creation */

struct atomic_run {
	struct zslab_cache *c;
	struct completion done;
	struct hrtimer timer;
	struct tasklet_struct tasklet;
	bool in_context;
	int failures;
	void *objs[ATOMIC_OBJS];
};

static void alloc_free_batch(struct atomic_run *r, gfp_t gfp)
{
	int i;

	for (i = 0; i < ATOMIC_OBJS; i++) {
		r->objs[i] = zslab_cache_alloc(r->c, gfp);
		if (!r->objs[i])
			r->failures++;
		else
			memset(r->objs[i], i, 64);
	}
	for (i = 0; i < ATOMIC_OBJS; i++)
		zslab_cache_free(r->c, r->objs[i]);
}

static enum hrtimer_restart hardirq_alloc(struct hrtimer *t)
{
	struct atomic_run *r = container_of(t, struct atomic_run, timer);

	r->in_context = in_hardirq();
	alloc_free_batch(r, GFP_ATOMIC);
	complete(&r->done);
	return HRTIMER_NORESTART;
}

static void softirq_alloc(struct tasklet_struct *t)
{
	struct atomic_run *r = from_tasklet(r, t, tasklet);

	r->in_context = in_serving_softirq();
	alloc_free_batch(r, GFP_NOWAIT);
	complete(&r->done);
}

static void atomic_gfp_works_in_hardirq_softirq_and_irqs_off(struct kunit *test)
{
	struct atomic_run *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned long flags;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->c = make_cache(test, "kt-atomic", 64, 0, 0, NULL);

	init_completion(&r->done);
	hrtimer_init(&r->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	r->timer.function = hardirq_alloc;
	hrtimer_start(&r->timer, ns_to_ktime(100000), HRTIMER_MODE_REL_HARD);
	wait_for_completion(&r->done);
	KUNIT_EXPECT_TRUE_MSG(test, r->in_context, "timer did not run in hardirq");
	KUNIT_EXPECT_EQ(test, r->failures, 0);

	/* Empty magazines and slabs, so softirq has to make a slab too. */
	zslab_cache_shrink(r->c);
	init_completion(&r->done);
	tasklet_setup(&r->tasklet, softirq_alloc);
	tasklet_schedule(&r->tasklet);
	wait_for_completion(&r->done);
	tasklet_kill(&r->tasklet);
	KUNIT_EXPECT_TRUE_MSG(test, r->in_context, "tasklet did not run in softirq");
	KUNIT_EXPECT_EQ(test, r->failures, 0);

	zslab_cache_shrink(r->c);
	local_irq_save(flags);
	alloc_free_batch(r, GFP_ATOMIC);
	local_irq_restore(flags);
	KUNIT_EXPECT_EQ(test, r->failures, 0);
	KUNIT_EXPECT_EQ(test, info_of(r->c).active_objs, 0UL);
	zslab_cache_destroy(r->c);
}

/* --- CPUs and slabs --- */

struct alloc_on_cpu {
	struct zslab_cache *c;
	void *obj;
};

static long alloc_here(void *arg)
{
	struct alloc_on_cpu *a = arg;

	a->obj = zslab_cache_alloc(a->c, GFP_KERNEL);
	return 0;
}

/* One allocation from @c, made on @cpu; the object must come back. */
static void *alloc_on(struct kunit *test, struct zslab_cache *c, unsigned int cpu)
{
	struct alloc_on_cpu a = { .c = c };

	work_on_cpu(cpu, alloc_here, &a);
	KUNIT_ASSERT_NOT_NULL_MSG(test, a.obj, "allocation on CPU %u", cpu);
	return a.obj;
}

/* The first two online CPUs. */
static void two_cpus(struct kunit *test, unsigned int cpu[2])
{
	cpu[0] = cpumask_first(cpu_online_mask);
	cpu[1] = cpumask_next(cpu[0], cpu_online_mask);
	KUNIT_ASSERT_LT_MSG(test, cpu[1], nr_cpu_ids, "needs two online CPUs");
}

/*
 * Two CPUs never refill from one slab while another will do: both would
 * flip bits in that slab's bitmap, one cache line, on every alloc and free.
 */
static void each_cpu_refills_from_a_slab_of_its_own(struct kunit *test)
{
	struct zslab_cache *c = make_cache(test, "kt-own", 32, 0, 0, NULL);
	unsigned int cpu[2];
	void *obj[2];

	two_cpus(test, cpu);
	obj[0] = alloc_on(test, c, cpu[0]);
	obj[1] = alloc_on(test, c, cpu[1]);
	/* CPU 0's slab still had free objects: CPU 1 made its own. */
	KUNIT_EXPECT_PTR_NE(test, virt_to_head_page(obj[0]), virt_to_head_page(obj[1]));
	KUNIT_EXPECT_EQ(test, info_of(c).slabs, 2U);
	zslab_cache_free(c, obj[0]);
	zslab_cache_free(c, obj[1]);
	zslab_cache_destroy(c);
}

/* ... but rather than fail, a CPU takes objects from another CPU's slab. */
static void a_cpu_shares_a_slab_rather_than_fail(struct kunit *test)
{
	struct zslab_cache *c = make_cache(test, "kt-share", 32, 0, 0, NULL);
	unsigned int cpu[2];
	void *obj[2];

	two_cpus(test, cpu);
	obj[0] = alloc_on(test, c, cpu[0]);
	zslab_fail_slab_alloc_set(1000);
	obj[1] = alloc_on(test, c, cpu[1]);
	zslab_fail_slab_alloc_set(0);
	KUNIT_EXPECT_PTR_EQ(test, virt_to_head_page(obj[0]), virt_to_head_page(obj[1]));
	KUNIT_EXPECT_EQ(test, info_of(c).stat[ZSLAB_ALLOC_FAILED], 0ULL);
	zslab_cache_free(c, obj[0]);
	zslab_cache_free(c, obj[1]);
	zslab_cache_destroy(c);
}

static void out_of_memory_returns_null_and_recovers(struct kunit *test)
{
	struct zslab_cache *c = make_cache(test, "kt-oom", 64, 0, 0, NULL);
	void *obj;

	zslab_fail_slab_alloc_set(1000);
	KUNIT_EXPECT_NULL(test, zslab_cache_alloc(c, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zslab_cache_alloc(c, GFP_ATOMIC));
	KUNIT_EXPECT_NULL(test, zslab_cache_alloc(c, GFP_NOWAIT | __GFP_ZERO));
	zslab_fail_slab_alloc_set(0);
	KUNIT_EXPECT_EQ(test, info_of(c).stat[ZSLAB_ALLOC_FAILED], 3ULL);

	obj = zslab_cache_alloc(c, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, obj);
	zslab_cache_free(c, obj);
	zslab_cache_destroy(c);
}

/* --- misuse --- */

static u64 misuse_count(struct zslab_cache *c, enum zslab_misuse m)
{
	return atomic64_read(&c->misuse[m]);
}

/* After misuse, the cache must still hand out each object only once. */
static void expect_no_duplicate_objects(struct kunit *test, struct zslab_cache *c)
{
	unsigned int n = 2 * ZSLAB_MAG_SIZE + c->objs_per_slab, i, j;
	void **objs = obj_array(test, n);

	for (i = 0; i < n; i++) {
		objs[i] = zslab_cache_alloc(c, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		for (j = 0; j < i; j++)
			KUNIT_ASSERT_PTR_NE(test, objs[i], objs[j]);
	}
	for (i = 0; i < n; i++)
		zslab_cache_free(c, objs[i]);
	KUNIT_EXPECT_EQ(test, info_of(c).active_objs, 0UL);
}

static void double_free_is_caught_counted_and_harmless(struct kunit *test)
{
	struct zslab_cache *c = make_cache(test, "kt-double", 64, 0, 0, NULL);
	void **objs = obj_array(test, 2 * ZSLAB_MAG_SIZE);
	void *a = zslab_cache_alloc(c, GFP_KERNEL);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, a);
	zslab_cache_free(c, a);
	zslab_cache_free(c, a);		/* a sits in the magazine */
	KUNIT_EXPECT_EQ(test, misuse_count(c, ZSLAB_MISUSE_DOUBLE_FREE), 1ULL);

	/*
	 * Again once the object is back in its slab after a shrink. A neighbour
	 * stays allocated so the slab itself is kept (a freed slab's page is
	 * not ours any more: that would be a foreign pointer).
	 */
	for (i = 0; i < 2 * ZSLAB_MAG_SIZE; i++)
		objs[i] = zslab_cache_alloc(c, GFP_KERNEL);
	for (i = 1; i < 2 * ZSLAB_MAG_SIZE; i++)
		if (virt_to_head_page(objs[i]) == virt_to_head_page(objs[0]))
			break;
	KUNIT_ASSERT_LT(test, i, 2 * ZSLAB_MAG_SIZE);
	swap(objs[1], objs[i]);
	for (i = 0; i < 2 * ZSLAB_MAG_SIZE; i++)
		if (i != 1)
			zslab_cache_free(c, objs[i]);
	zslab_cache_shrink(c);
	zslab_cache_free(c, objs[0]);
	KUNIT_EXPECT_EQ(test, misuse_count(c, ZSLAB_MISUSE_DOUBLE_FREE), 2ULL);
	zslab_cache_free(c, objs[1]);
	KUNIT_EXPECT_EQ(test, misuse_count(c, ZSLAB_MISUSE_DOUBLE_FREE), 2ULL);

	expect_no_duplicate_objects(test, c);
	zslab_cache_destroy(c);
}

static u8 module_data[64];

/*
 * Right after a good free, pointers that have no struct page behind them
 * (or none of ours) are caught: none of these may be read as a struct page.
 */
static void foreign_pointers_without_a_struct_page_are_caught(struct kunit *test)
{
	struct zslab_cache *c = make_cache(test, "kt-nopage", 64, 0, 0, NULL);
	void *beyond_ram = (void *)(PAGE_OFFSET + (512UL << 30));
	u8 *vm = vmalloc(64);
	u8 stack_obj[16];
	void *obj;

	KUNIT_ASSERT_NOT_NULL(test, vm);
	obj = zslab_cache_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	zslab_cache_free(c, obj);
	KUNIT_EXPECT_EQ(test, misuse_count(c, ZSLAB_MISUSE_FOREIGN), 0ULL);

	zslab_cache_free(c, vm);
	zslab_cache_free(c, stack_obj);
	zslab_cache_free(c, module_data);
	zslab_cache_free(c, &init_task);	/* kernel image */
	zslab_cache_free(c, beyond_ram);	/* direct map, no memory there */
	zslab_cache_free(c, (void *)-1UL);
	zslab_cache_free(c, (void *)0x1000);	/* user address */
	KUNIT_EXPECT_EQ(test, misuse_count(c, ZSLAB_MISUSE_FOREIGN), 7ULL);
	KUNIT_EXPECT_EQ(test, info_of(c).active_objs, 0UL);

	vfree(vm);
	zslab_cache_destroy(c);
}

static void foreign_pointers_are_caught_counted_and_harmless(struct kunit *test)
{
	struct zslab_cache *c = make_cache(test, "kt-foreign", 100, 0, 0, NULL);
	struct zslab_cache *other = make_cache(test, "kt-other", 100, 0, 0, NULL);
	u8 *mine = zslab_cache_alloc(c, GFP_KERNEL);
	u8 *theirs = zslab_cache_alloc(other, GFP_KERNEL);
	u8 *km = kmalloc(100, GFP_KERNEL);
	u8 *vm = vmalloc(100);
	u8 stack_obj[16];
	u8 *tail;

	KUNIT_ASSERT_NOT_NULL(test, mine);
	KUNIT_ASSERT_NOT_NULL(test, theirs);
	KUNIT_ASSERT_NOT_NULL(test, km);
	KUNIT_ASSERT_NOT_NULL(test, vm);
	memset(km, 0x5a, 100);

	zslab_cache_free(c, km);
	zslab_cache_free(c, vm);
	zslab_cache_free(c, stack_obj);
	KUNIT_EXPECT_EQ(test, misuse_count(c, ZSLAB_MISUSE_FOREIGN), 3ULL);
	KUNIT_EXPECT_EQ(test, km[99], 0x5a);	/* untouched */

	zslab_cache_free(c, theirs);
	KUNIT_EXPECT_EQ(test, misuse_count(c, ZSLAB_MISUSE_OTHER_CACHE), 1ULL);
	KUNIT_EXPECT_EQ(test, info_of(other).active_objs, 1UL);

	zslab_cache_free(c, mine + 1);
	/* Past the last object: 39 objects of stride 104 end at 4056. */
	tail = (u8 *)((unsigned long)mine & PAGE_MASK) + c->objs_per_slab * c->stride;
	KUNIT_EXPECT_LT(test, c->objs_per_slab * c->stride, c->slab_size);
	zslab_cache_free(c, tail);
	KUNIT_EXPECT_EQ(test, misuse_count(c, ZSLAB_MISUSE_MISALIGNED), 2ULL);
	KUNIT_EXPECT_EQ(test, info_of(c).active_objs, 1UL);

	zslab_cache_free(c, NULL);	/* like kfree(NULL): not misuse */
	KUNIT_EXPECT_EQ(test, misuse_count(c, ZSLAB_MISUSE_FOREIGN), 3ULL);

	zslab_cache_free(c, mine);
	zslab_cache_free(other, theirs);
	expect_no_duplicate_objects(test, c);
	kfree(km);
	vfree(vm);
	zslab_cache_destroy(other);
	zslab_cache_destroy(c);
}

static void destroy_with_live_objects_releases_them(struct kunit *test)
{
	struct zslab_cache *c = make_cache(test, "kt-live", 64, 0, 0, NULL);
	int i;

	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_NOT_NULL(test, zslab_cache_alloc(c, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, info_of(c).active_objs, 10UL);
	/* Warns "cache kt-live destroyed with 10 live objects" (checked by kunit.sh). */
	zslab_cache_destroy(c);
}

/* --- memory --- */

static void memory_returns_after_churn(struct kunit *test)
{
	struct zslab_cache *c = make_cache(test, "kt-churn", 128, 0, 0, NULL);
	const unsigned int n = 10000;
	void **objs = obj_array(test, n);
	struct zslab_cache_info info;

	stay_on_one_cpu(test);

	alloc_all(test, c, objs, n);
	info = info_of(c);
	KUNIT_EXPECT_GE(test, info.slabs, n / c->objs_per_slab);
	free_all(c, objs, n);

	/* Without help: only slabs pinned by magazines, plus the reserve. */
	info = info_of(c);
	KUNIT_EXPECT_EQ(test, info.active_objs, 0UL);
	KUNIT_EXPECT_LE(test, info.slabs,
			c->empty_reserve + num_possible_cpus() * ZSLAB_MAG_SIZE);
	KUNIT_EXPECT_LE(test, info.empty, c->empty_reserve);

	/* Shrinking returns every page. */
	zslab_cache_shrink(c);
	info = info_of(c);
	KUNIT_EXPECT_EQ(test, info.slabs, 0U);
	KUNIT_EXPECT_EQ(test, info.bytes, 0UL);
	KUNIT_EXPECT_EQ(test, info.slabs_allocated, info.slabs_freed);
	zslab_cache_destroy(c);
}

/*
 * Churn faster than writeback passes: slabs retired when they emptied are
 * taken back before any new page is allocated. (A background pass landing
 * in between may free some first; then new pages replace exactly those.)
 */
static void retired_slabs_are_reused_before_new_pages(struct kunit *test)
{
	struct zslab_cache *c = make_cache(test, "kt-revive", 512, 0, 0, NULL);
	unsigned int n = 40 * c->objs_per_slab;
	void **objs = obj_array(test, n);
	struct zslab_cache_info before, after;
	u64 freed;

	stay_on_one_cpu(test);

	alloc_all(test, c, objs, n);
	free_all(c, objs, n);
	before = info_of(c);
	KUNIT_EXPECT_GT(test, before.dead, 0U);
	alloc_all(test, c, objs, n);
	after = info_of(c);
	freed = after.slabs_freed - before.slabs_freed;
	/* A cache grows by grow_slabs at once: one batch may round up. */
	KUNIT_EXPECT_LE(test, after.slabs_allocated - before.slabs_allocated,
			freed ? freed + c->grow_slabs - 1 : 0);
	KUNIT_EXPECT_GT(test, after.slabs_revived - before.slabs_revived +
			after.slabs_freed - before.slabs_freed, 0ULL);
	KUNIT_EXPECT_EQ(test, after.active_objs, (unsigned long)n);

	free_all(c, objs, n);
	zslab_cache_shrink(c);
	after = info_of(c);
	KUNIT_EXPECT_EQ(test, after.slabs, 0U);
	KUNIT_EXPECT_EQ(test, after.slabs_allocated, after.slabs_freed);
	zslab_cache_destroy(c);
}

/*
 * With background writeback off, retired slabs still go back to the page
 * allocator: a reap frees them about a second after they retire.
 */
static void retired_slabs_are_freed_with_writeback_off(struct kunit *test)
{
	struct zslab_cache *c = make_cache(test, "kt-reap", 512, 0, 0, NULL);
	unsigned int n = 40 * c->objs_per_slab, was, waited;
	void **objs = obj_array(test, n);
	struct zslab_cache_info before, after;

	stay_on_one_cpu(test);

	was = zslab_set_writeback_ms(0);
	alloc_all(test, c, objs, n);
	free_all(c, objs, n);
	before = info_of(c);
	KUNIT_EXPECT_GT(test, before.dead, 0U);
	for (waited = 0; waited < 5000; waited += 100) {
		after = info_of(c);
		if (!after.dead)
			break;
		msleep(100);
	}
	zslab_set_writeback_ms(was);
	kunit_info(test, "%u retired slabs freed after %u ms", before.dead, waited);
	KUNIT_EXPECT_EQ(test, after.dead, 0U);
	KUNIT_EXPECT_GE(test, after.slabs_freed - before.slabs_freed, (u64)before.dead);
	KUNIT_EXPECT_EQ(test, after.bytes, (unsigned long)after.slabs *
			(c->slab_size + zslab_desc_bytes(c)));
	zslab_cache_destroy(c);
}

static void dram_overhead_of_128b_objects_is_at_most_2_percent(struct kunit *test)
{
	struct zslab_cache *c = make_cache(test, "kt-overhead", 128, 0, 0, NULL);
	unsigned int n = 100 * c->objs_per_slab;
	void **objs = obj_array(test, n);
	struct zslab_cache_info info;

	alloc_all(test, c, objs, n);
	info = info_of(c);
	kunit_info(test, "%lu objects of 128 B in %lu bytes: loss %lu", info.active_objs,
		   info.bytes, info.loss);
	/* Slabs beyond the full ones (reserve, magazines) are not "full slabs". */
	KUNIT_EXPECT_LE(test, (u64)(c->slab_size + zslab_desc_bytes(c)) * 100,
			(u64)c->objs_per_slab * 128 * 102);
	free_all(c, objs, n);
	zslab_cache_destroy(c);
}

static void fast_and_slow_paths_are_counted(struct kunit *test)
{
	struct zslab_cache *c = make_cache(test, "kt-stats", 64, 0, 0, NULL);
	struct zslab_cache_info info;
	void **objs = obj_array(test, 1000);
	int i;

	for (i = 0; i < 1000; i++)
		objs[i] = zslab_cache_alloc(c, GFP_KERNEL);
	for (i = 0; i < 1000; i++)
		zslab_cache_free(c, objs[i]);
	info = info_of(c);
	KUNIT_EXPECT_EQ(test, info.stat[ZSLAB_ALLOC_FAST] + info.stat[ZSLAB_ALLOC_SLOW], 1000ULL);
	KUNIT_EXPECT_EQ(test, info.stat[ZSLAB_FREE_FAST] + info.stat[ZSLAB_FREE_SLOW], 1000ULL);
	/* Most operations take the fast path; a refill serves a half magazine. */
	KUNIT_EXPECT_GT(test, info.stat[ZSLAB_ALLOC_FAST], 900ULL);
	KUNIT_EXPECT_GT(test, info.stat[ZSLAB_ALLOC_SLOW], 0ULL);
	KUNIT_EXPECT_GT(test, info.stat[ZSLAB_FREE_SLOW], 0ULL);
	zslab_cache_destroy(c);
}

/*
 * An interrupt that cuts into a fast path finds its CPU's magazine busy: it
 * takes its object from the slabs and gives it back there, and leaves the
 * magazine the fast path is changing as it was. Here the busy flag is set
 * by hand, as a fast path half way through would have it.
 */
static void an_interrupt_leaves_a_busy_magazine_alone(struct kunit *test)
{
	struct zslab_cache *c = make_cache(test, "kt-busy", 64, 0, 0, NULL);
	unsigned int count, after_alloc, after_free;
	struct zslab_cpu_cache *cc;
	void *warm, *obj, *top;

	warm = zslab_cache_alloc(c, GFP_KERNEL);	/* the magazine is filled */
	KUNIT_ASSERT_NOT_NULL(test, warm);

	/* No KUNIT_EXPECT in here: a failure report may sleep. */
	preempt_disable();
	cc = this_cpu_ptr(c->cpu);
	count = zslab_mag_count(cc);
	top = count ? cc->objs[count - 1] : NULL;
	WRITE_ONCE(cc->busy, true);
	obj = zslab_cache_alloc(c, GFP_ATOMIC);
	after_alloc = zslab_mag_count(cc);
	zslab_cache_free(c, obj);
	after_free = zslab_mag_count(cc);
	WRITE_ONCE(cc->busy, false);
	preempt_enable();

	KUNIT_EXPECT_GT(test, count, 0U);
	KUNIT_EXPECT_NOT_NULL(test, obj);
	KUNIT_EXPECT_PTR_NE(test, obj, top);
	KUNIT_EXPECT_EQ(test, after_alloc, count);
	KUNIT_EXPECT_EQ(test, after_free, count);
	KUNIT_EXPECT_EQ(test, info_of(c).active_objs, 1UL);
	zslab_cache_free(c, warm);
	expect_no_duplicate_objects(test, c);
	zslab_cache_destroy(c);
}

/* --- concurrency --- */

#define STRESS_SLOTS 128
#define STRESS_ROUNDS 6000

struct stress_obj {
	struct llist_node node;	/* handed to the next thread */
	u32 owner, slot, seq;
	u8 fill[36];
};

struct stress {
	struct zslab_cache *c;
	atomic_t errors, running;
	struct completion done;
	struct llist_head inbox[NR_CPUS];
	unsigned int nr;
};

static void stress_fill(struct stress_obj *o, u32 owner, u32 slot, u32 seq)
{
	o->owner = owner;
	o->slot = slot;
	o->seq = seq;
	memset(o->fill, (u8)(owner ^ slot ^ seq), sizeof(o->fill));
}

static bool stress_intact(struct stress_obj *o)
{
	u8 want = (u8)(o->owner ^ o->slot ^ o->seq);
	unsigned int i;

	for (i = 0; i < sizeof(o->fill); i++)
		if (o->fill[i] != want)
			return false;
	return true;
}

static void stress_drain_inbox(struct stress *st, unsigned int me)
{
	struct llist_node *n = llist_del_all(&st->inbox[me]);
	struct stress_obj *o, *tmp;

	llist_for_each_entry_safe(o, tmp, n, node) {
		if (!stress_intact(o))
			atomic_inc(&st->errors);
		zslab_cache_free(st->c, o);	/* a remote free */
	}
}

static int stress_thread(void *arg)
{
	struct stress *st = arg;
	unsigned int me = raw_smp_processor_id();
	struct stress_obj **slots;
	unsigned int r, s;

	slots = kcalloc(STRESS_SLOTS, sizeof(*slots), GFP_KERNEL);
	if (!slots) {
		atomic_inc(&st->errors);
		goto out;
	}

	for (r = 0; r < STRESS_ROUNDS; r++) {
		s = get_random_u32() % STRESS_SLOTS;
		if (slots[s]) {
			if (!stress_intact(slots[s]) || slots[s]->slot != s)
				atomic_inc(&st->errors);
			if (r & 1) {
				/* Every other object is freed by the next CPU's thread. */
				llist_add(&slots[s]->node, &st->inbox[(me + 1) % st->nr]);
			} else {
				zslab_cache_free(st->c, slots[s]);
			}
			slots[s] = NULL;
		} else {
			slots[s] = zslab_cache_alloc(st->c, (r & 3) ? GFP_KERNEL : GFP_ATOMIC);
			if (!slots[s]) {
				atomic_inc(&st->errors);
				continue;
			}
			stress_fill(slots[s], me, s, r);
		}
		if (!(r & 63)) {
			stress_drain_inbox(st, me);
			cond_resched();
		}
	}
	for (s = 0; s < STRESS_SLOTS; s++) {
		if (slots[s] && !stress_intact(slots[s]))
			atomic_inc(&st->errors);
		zslab_cache_free(st->c, slots[s]);
	}
	kfree(slots);
out:
	if (atomic_dec_and_test(&st->running))
		complete(&st->done);
	return 0;
}

static void concurrent_alloc_free_on_all_cpus_keeps_contents(struct kunit *test)
{
	struct stress *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	unsigned int cpu, i = 0;
	struct zslab_cache_info info;

	KUNIT_ASSERT_NOT_NULL(test, st);
	st->c = make_cache(test, "kt-stress", sizeof(struct stress_obj), 0, 0, NULL);
	st->nr = num_online_cpus();
	init_completion(&st->done);
	atomic_set(&st->running, st->nr);

	for_each_online_cpu(cpu) {
		struct task_struct *t;

		t = kthread_create(stress_thread, st, "zslab-stress/%u", cpu);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		kthread_bind(t, cpu);
		wake_up_process(t);
		i++;
	}
	wait_for_completion(&st->done);
	/* Objects still in inboxes: their receivers have finished. */
	for (i = 0; i < st->nr; i++)
		stress_drain_inbox(st, i);

	info = info_of(st->c);
	KUNIT_EXPECT_EQ(test, atomic_read(&st->errors), 0);
	KUNIT_EXPECT_EQ(test, info.active_objs, 0UL);
	KUNIT_EXPECT_EQ(test, info.stat[ZSLAB_ALLOC_FAILED], 0ULL);
	if (st->nr > 1)
		KUNIT_EXPECT_GT(test, info.stat[ZSLAB_FREE_REMOTE], 0ULL);
	KUNIT_EXPECT_EQ(test, info.misuse[ZSLAB_MISUSE_DOUBLE_FREE], 0ULL);
	kunit_info(test, "%u CPUs: alloc fast %llu slow %llu, free fast %llu slow %llu remote %llu",
		   st->nr, info.stat[ZSLAB_ALLOC_FAST], info.stat[ZSLAB_ALLOC_SLOW],
		   info.stat[ZSLAB_FREE_FAST], info.stat[ZSLAB_FREE_SLOW],
		   info.stat[ZSLAB_FREE_REMOTE]);
	zslab_cache_destroy(st->c);
}

static struct kunit_case alloc_test_cases[] = {
	KUNIT_CASE_PARAM(create_answers_bad_arguments_with_errno, bad_create_gen_params),
	KUNIT_CASE(create_refuses_a_name_in_use),
	KUNIT_CASE_PARAM(objects_are_distinct_whole_and_aligned, size_gen_params),
	KUNIT_CASE(larger_slabs_hold_more_objects),
	KUNIT_CASE(objects_honour_alignment),
	KUNIT_CASE(constructor_runs_once_per_object_when_its_slab_is_made),
	KUNIT_CASE(gfp_zero_returns_zeroed_objects),
	KUNIT_CASE(atomic_gfp_works_in_hardirq_softirq_and_irqs_off),
	KUNIT_CASE(out_of_memory_returns_null_and_recovers),
	KUNIT_CASE(each_cpu_refills_from_a_slab_of_its_own),
	KUNIT_CASE(a_cpu_shares_a_slab_rather_than_fail),
	KUNIT_CASE(double_free_is_caught_counted_and_harmless),
	KUNIT_CASE(foreign_pointers_are_caught_counted_and_harmless),
	KUNIT_CASE(foreign_pointers_without_a_struct_page_are_caught),
	KUNIT_CASE(destroy_with_live_objects_releases_them),
	KUNIT_CASE(memory_returns_after_churn),
	KUNIT_CASE(retired_slabs_are_reused_before_new_pages),
	KUNIT_CASE(retired_slabs_are_freed_with_writeback_off),
	KUNIT_CASE(dram_overhead_of_128b_objects_is_at_most_2_percent),
	KUNIT_CASE(fast_and_slow_paths_are_counted),
	KUNIT_CASE(an_interrupt_leaves_a_busy_magazine_alone),
	KUNIT_CASE(concurrent_alloc_free_on_all_cpus_keeps_contents),
	{}
};

static struct kunit_suite alloc_test_suite = {
	.name = "zns_slab_alloc",
	.test_cases = alloc_test_cases,
};

kunit_test_suites(&alloc_test_suite);
