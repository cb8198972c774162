// SPDX-License-Identifier: GPL-2.0
/*
 * zslab_bench: times zns_slab object caches against SLUB kmem_caches of the
 * same object size, on one CPU and on every online CPU at once.
 *
 * Loading the module runs the whole benchmark (zns_slab must already be
 * loaded on its device). The table goes to the kernel log and to
 * /sys/kernel/debug/zslab_bench/results; init then returns 0 and the module
 * stays until it is unloaded. A failed allocation or setup fails the load.
 *
 * Cases, for objects of 32, 128, 512 and 2048 bytes:
 *   alloc     10000 allocations in a row (their frees untimed)
 *   free      the 10000 frees that follow them
 *   pair      100000 alloc+free pairs; ns per pair
 *   nnN       N allocations then N frees, repeated 10000/N times; ns per
 *             operation (time / 2N per round)
 *
 * Both sides allocate with GFP_KERNEL. Under init_on_alloc (the Debian
 * default) both zero every new object; without it neither does (zslab's
 * caches then keep a bitmap of marked objects instead, which allocation
 * does not touch).
 *
 * Each measurement runs once untimed to warm up, then reps times for each
 * allocator, alternating which one goes first; the table shows the fastest
 * repetition of each side. With several CPUs, one kthread bound to each
 * online CPU runs the same loops on its own objects, all released together;
 * the figure is the mean of the per-CPU times. Times are ktime_get_ns()
 * around whole loops.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "../zns_slab.h"

#define BENCH_N_MAX	10000		/* most objects a thread holds at once */
#define BENCH_PAIRS	100000		/* alloc+free pairs of the pair case */
#define BENCH_OUT_SIZE	16384		/* the results file */
#define BENCH_LINE	128

static unsigned int reps = 15;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "timed repetitions per allocator and case, 1-100 (default 15)");

static const gfp_t zslab_gfp = GFP_KERNEL;

static const unsigned int bench_sizes[] = { 32, 128, 512, 2048 };

enum bench_kind {
	BENCH_ALLOC_FREE,	/* n allocs, then n frees, timed apart */
	BENCH_PAIR,		/* BENCH_PAIRS alloc+free pairs */
	BENCH_NN,		/* n allocs then n frees, BENCH_N_MAX / n rounds */
};

struct bench_meas {
	enum bench_kind kind;
	unsigned int n;
	const char *name[2];	/* table rows: result 0 and, if set, 1 */
};

static const struct bench_meas bench_meas[] = {
	{ BENCH_ALLOC_FREE, BENCH_N_MAX, { "alloc", "free" } },
	{ BENCH_PAIR, 1, { "pair", NULL } },
	{ BENCH_NN, 100, { "nn100", NULL } },
	{ BENCH_NN, 1000, { "nn1000", NULL } },
	{ BENCH_NN, 10000, { "nn10000", NULL } },
};

struct bench_caches {
	unsigned int size;
	struct zslab_cache *zc;
	struct kmem_cache *kc;
	char zname[32];
	char kname[32];
};

/* One timed run of one measurement on one allocator and a set of CPUs. */
struct bench_run {
	const struct bench_meas *m;
	struct bench_caches *bc;
	bool zs;			/* zslab, else SLUB */
	unsigned int nthreads;
	struct completion start;
	atomic_t arrived;
	atomic_t left;
	struct completion done;
};

struct bench_worker {
	struct bench_run *run;
	struct task_struct *task;
	void **ptrs;			/* BENCH_N_MAX entries */
	void *sink;			/* the pair case stores here */
	u64 ns[2];
	u64 ops;			/* operations behind each of ns[] */
	int err;
} ____cacheline_aligned;

static struct bench_worker *workers;
static unsigned int nr_workers;
static cpumask_var_t bench_cpus;
static char *out_buf;
static size_t out_len;
static struct debugfs_blob_wrapper out_blob;
static struct dentry *bench_dir;
static u64 max_ratio;			/* hundredths */

static __printf(1, 2) void bench_out(const char *fmt, ...)
{
	char line[BENCH_LINE];
	va_list args;

	va_start(args, fmt);
	vscnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	pr_info("%s\n", line);
	out_len += scnprintf(out_buf + out_len, BENCH_OUT_SIZE - out_len,
			     "%s\n", line);
}

static __always_inline void *bench_alloc(struct bench_caches *bc, bool zs)
{
	if (zs)
		return zslab_cache_alloc(bc->zc, zslab_gfp);
	return kmem_cache_alloc(bc->kc, GFP_KERNEL);
}

static __always_inline void bench_free(struct bench_caches *bc, bool zs,
				       void *p)
{
	if (zs)
		zslab_cache_free(bc->zc, p);
	else
		kmem_cache_free(bc->kc, p);
}

static void bench_nomem(struct bench_worker *w)
{
	struct bench_run *r = w->run;

	pr_err("%s cache of %u-byte objects returned NULL (%s case)\n",
	       r->zs ? "zslab" : "SLUB", r->bc->size, r->m->name[0]);
}

/* n allocations, then their n frees; each half timed on its own. */
static __always_inline int bench_alloc_free(struct bench_worker *w, bool zs,
					    unsigned int n)
{
	struct bench_caches *bc = w->run->bc;
	void **ptrs = w->ptrs;
	unsigned int i;
	u64 t0, t1, t2;

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		ptrs[i] = bench_alloc(bc, zs);
		if (unlikely(!ptrs[i]))
			goto nomem;
	}
	t1 = ktime_get_ns();
	for (i = 0; i < n; i++)
		bench_free(bc, zs, ptrs[i]);
	t2 = ktime_get_ns();

	w->ns[0] = t1 - t0;
	w->ns[1] = t2 - t1;
	w->ops = n;
	return 0;

nomem:
	while (i--)
		bench_free(bc, zs, ptrs[i]);
	return -ENOMEM;
}

/* n allocations then n frees, BENCH_N_MAX / n times, timed as a whole. */
static __always_inline int bench_nn(struct bench_worker *w, bool zs,
				    unsigned int n)
{
	unsigned int rounds = BENCH_N_MAX / n, r, i;
	struct bench_caches *bc = w->run->bc;
	void **ptrs = w->ptrs;
	u64 t0, t1;

	t0 = ktime_get_ns();
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < n; i++) {
			ptrs[i] = bench_alloc(bc, zs);
			if (unlikely(!ptrs[i]))
				goto nomem;
		}
		for (i = 0; i < n; i++)
			bench_free(bc, zs, ptrs[i]);
	}
	t1 = ktime_get_ns();

	w->ns[0] = t1 - t0;
	w->ops = 2ULL * n * rounds;
	return 0;

nomem:
	while (i--)
		bench_free(bc, zs, ptrs[i]);
	return -ENOMEM;
}

/* BENCH_PAIRS times: allocate one object and free it again. */
static __always_inline int bench_pair(struct bench_worker *w, bool zs)
{
	struct bench_caches *bc = w->run->bc;
	unsigned int i;
	u64 t0, t1;
	void *p;

	t0 = ktime_get_ns();
	for (i = 0; i < BENCH_PAIRS; i++) {
		p = bench_alloc(bc, zs);
		if (unlikely(!p))
			return -ENOMEM;
		WRITE_ONCE(w->sink, p);
		bench_free(bc, zs, p);
	}
	t1 = ktime_get_ns();

	w->ns[0] = t1 - t0;
	w->ops = BENCH_PAIRS;
	return 0;
}

/* Inlined twice, with zs constant, so the loops make direct calls. */
static __always_inline int bench_case(struct bench_worker *w, bool zs)
{
	const struct bench_meas *m = w->run->m;

	switch (m->kind) {
	case BENCH_ALLOC_FREE:
		return bench_alloc_free(w, zs, m->n);
	case BENCH_PAIR:
		return bench_pair(w, zs);
	case BENCH_NN:
		return bench_nn(w, zs, m->n);
	}
	return -EINVAL;
}

static int bench_thread(void *data)
{
	struct bench_worker *w = data;
	struct bench_run *r = w->run;

	/* Released together, then spin until every thread is out. */
	wait_for_completion(&r->start);
	atomic_inc(&r->arrived);
	while (atomic_read(&r->arrived) < r->nthreads)
		cpu_relax();

	w->err = r->zs ? bench_case(w, true) : bench_case(w, false);
	if (w->err == -ENOMEM)
		bench_nomem(w);
	if (atomic_dec_and_test(&r->left))
		complete(&r->done);

	/* The controller reads the results, then stops us. */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/*
 * Run measurement m on one allocator with one bound kthread per CPU in cpus.
 * res[] gets the mean per-thread time per operation, in tenths of ns.
 */
static int bench_run_once(const struct bench_meas *m, struct bench_caches *bc,
			  bool zs, const struct cpumask *cpus, u64 res[2])
{
	struct bench_run r = { .m = m, .bc = bc, .zs = zs };
	u64 sum[2] = { 0, 0 }, ops = 0;
	unsigned int cpu, i, n = 0;
	int err = 0;

	init_completion(&r.start);
	init_completion(&r.done);
	atomic_set(&r.arrived, 0);

	for_each_cpu(cpu, cpus) {
		struct bench_worker *w;

		if (n == nr_workers)
			break;
		w = &workers[n];
		w->run = &r;
		w->err = 0;
		w->ns[0] = 0;
		w->ns[1] = 0;
		w->ops = 0;
		w->task = kthread_create(bench_thread, w, "zslab_bench/%u", cpu);
		if (IS_ERR(w->task)) {
			err = PTR_ERR(w->task);
			pr_err("cannot create a thread for CPU %u: %d\n", cpu, err);
			break;
		}
		kthread_bind(w->task, cpu);
		n++;
	}
	if (err || !n) {
		/* Never woken: kthread_stop() ends them before they run. */
		for (i = 0; i < n; i++)
			kthread_stop(workers[i].task);
		return err ?: -ENODEV;
	}

	r.nthreads = n;
	atomic_set(&r.left, n);
	for (i = 0; i < n; i++)
		wake_up_process(workers[i].task);
	complete_all(&r.start);
	/* Wake up now and then so that the hung-task detector stays quiet. */
	while (!wait_for_completion_timeout(&r.done, HZ))
		;

	for (i = 0; i < n; i++) {
		struct bench_worker *w = &workers[i];

		kthread_stop(w->task);
		if (w->err)
			err = w->err;
		sum[0] += w->ns[0];
		sum[1] += w->ns[1];
		ops += w->ops;
	}
	if (err)
		return err;
	if (!ops)
		return -EINVAL;
	res[0] = div64_u64(sum[0] * 10, ops);
	res[1] = div64_u64(sum[1] * 10, ops);
	return 0;
}

static void bench_row(unsigned int size, const char *name, unsigned int cpus,
		      u64 zs, u64 slub)
{
	u64 ratio = slub ? div64_u64(zs * 100 + slub / 2, slub) : 0;

	max_ratio = max(max_ratio, ratio);
	bench_out("%4u %-7s %4u %8llu.%llu %8llu.%llu %3llu.%02llu",
		  size, name, cpus, zs / 10, zs % 10, slub / 10, slub % 10,
		  ratio / 100, ratio % 100);
}

/* Warm up, then reps timed runs per allocator, alternating the order. */
static int bench_measure(const struct bench_meas *m, struct bench_caches *bc,
			 const struct cpumask *cpus)
{
	u64 best[2][2] = { { U64_MAX, U64_MAX }, { U64_MAX, U64_MAX } };
	unsigned int rep, k, j;
	u64 res[2];
	int err;

	for (k = 0; k < 2; k++) {
		err = bench_run_once(m, bc, k == 0, cpus, res);
		if (err)
			return err;
	}
	for (rep = 0; rep < reps; rep++) {
		for (k = 0; k < 2; k++) {
			unsigned int side = (rep + k) & 1;	/* 0 = zslab */

			err = bench_run_once(m, bc, side == 0, cpus, res);
			if (err)
				return err;
			for (j = 0; j < 2; j++)
				best[side][j] = min(best[side][j], res[j]);
		}
	}
	for (j = 0; j < 2 && m->name[j]; j++)
		bench_row(bc->size, m->name[j], cpumask_weight(cpus),
			  best[0][j], best[1][j]);
	return 0;
}

static int bench_size(unsigned int size)
{
	struct bench_caches bc = { .size = size };
	unsigned int i;
	int err = 0;

	snprintf(bc.zname, sizeof(bc.zname), "zslab_bench_%u", size);
	snprintf(bc.kname, sizeof(bc.kname), "zslab_bench_slub_%u", size);
	bc.zc = zslab_cache_create(bc.zname, size, 0, 0, NULL);
	if (IS_ERR(bc.zc)) {
		err = PTR_ERR(bc.zc);
		pr_err("zslab_cache_create(%s, %u) failed: %d\n",
		       bc.zname, size, err);
		return err;
	}
	bc.kc = kmem_cache_create(bc.kname, size, 0, 0, NULL);
	if (!bc.kc) {
		pr_err("kmem_cache_create(%s, %u) failed\n", bc.kname, size);
		zslab_cache_destroy(bc.zc);
		return -ENOMEM;
	}

	for (i = 0; i < ARRAY_SIZE(bench_meas) && !err; i++)
		err = bench_measure(&bench_meas[i], &bc,
				    cpumask_of(cpumask_first(bench_cpus)));
	for (i = 0; i < ARRAY_SIZE(bench_meas) && !err; i++) {
		if (cpumask_weight(bench_cpus) < 2)
			break;
		err = bench_measure(&bench_meas[i], &bc, bench_cpus);
	}

	kmem_cache_destroy(bc.kc);
	zslab_cache_destroy(bc.zc);
	return err;
}

static void bench_free_workers(void)
{
	unsigned int i;

	for (i = 0; i < nr_workers; i++)
		kvfree(workers[i].ptrs);
	kfree(workers);
	workers = NULL;
}

static int __init zslab_bench_init(void)
{
	u64 t0 = ktime_get_ns();
	unsigned int i;
	int err;

	if (reps < 1 || reps > 100) {
		pr_err("reps=%u: must be 1 to 100\n", reps);
		return -EINVAL;
	}
	if (!zalloc_cpumask_var(&bench_cpus, GFP_KERNEL))
		return -ENOMEM;
	/* The CPUs online now; the VM does no hotplug. */
	cpumask_copy(bench_cpus, cpu_online_mask);

	err = -ENOMEM;
	out_buf = kvzalloc(BENCH_OUT_SIZE, GFP_KERNEL);
	if (!out_buf)
		goto err_cpus;
	nr_workers = cpumask_weight(bench_cpus);
	workers = kcalloc(nr_workers, sizeof(*workers), GFP_KERNEL);
	if (!workers)
		goto err_out;
	for (i = 0; i < nr_workers; i++) {
		workers[i].ptrs = kvmalloc_array(BENCH_N_MAX, sizeof(void *),
						 GFP_KERNEL);
		if (!workers[i].ptrs)
			goto err_workers;
	}

	bench_out("# zslab vs SLUB, %u CPUs online, best of %u runs each after a warm-up",
		  nr_workers, reps);
	bench_out("# ns per operation (pair: per alloc+free pair); ratio = zslab/slub");
	bench_out("# init_on_alloc=%d: %s", want_init_on_alloc(GFP_KERNEL),
		  want_init_on_alloc(GFP_KERNEL) ? "both sides zero new objects" :
		  "neither side zeroes new objects");
	bench_out("%4s %-7s %4s %10s %10s %6s",
		  "size", "case", "cpus", "zslab_ns", "slub_ns", "ratio");
	for (i = 0; i < ARRAY_SIZE(bench_sizes); i++) {
		err = bench_size(bench_sizes[i]);
		if (err)
			goto err_workers;
	}
	bench_out("# took %llu s", div_u64(ktime_get_ns() - t0, NSEC_PER_SEC));
	bench_out("bench: max ratio %llu.%02llu", max_ratio / 100,
		  max_ratio % 100);
	bench_out("bench: done");
	bench_free_workers();

	out_blob.data = out_buf;
	out_blob.size = out_len;
	bench_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_blob("results", 0444, bench_dir, &out_blob);
	return 0;

err_workers:
	bench_free_workers();
err_out:
	kvfree(out_buf);
err_cpus:
	free_cpumask_var(bench_cpus);
	pr_err("benchmark failed: %d\n", err);
	return err;
}

static void __exit zslab_bench_exit(void)
{
	debugfs_remove_recursive(bench_dir);
	kvfree(out_buf);
	free_cpumask_var(bench_cpus);
}

module_init(zslab_bench_init);
module_exit(zslab_bench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zns_slab benchmark: zslab caches against SLUB kmem_caches");
