// SPDX-License-Identifier: GPL-2.0
/*
 * zslab_testclient: a zns_slab client the integration tests drive.
 *
 * Commands are written to /sys/kernel/debug/zslab_testclient/cmd, one per
 * write; the answer of the last one is in .../result as "NAME: VALUE".
 *
 *   create I SIZE      create cache "tc<I>" of SIZE-byte objects (I < 4)
 *   churn I N ROUNDS   random allocs and frees keeping up to N objects;
 *                      every object holds a pattern of its own, marked dirty
 *   fill I N           allocate objects until N are live (answer: failures)
 *   sync I             zslab_cache_sync(); answer is its return value
 *   verify I           objects whose pattern changed (0 expected)
 *   refs I             objects for which ref -> get -> put does not give the
 *                      same pointer back (0 expected)
 *   freeall I          free every object
 *   destroy I          destroy the cache
 *   stress I N         start 2 workers (CPU 0 and 1) allocating, freeing,
 *                      rewriting and marking objects in slots 0..N-1 (each
 *                      worker its half), and a syncer calling
 *                      zslab_cache_sync() in a loop
 *   pause I            stop the workers and the syncer between two steps
 *                      (answer: syncs that returned non-zero so far)
 *   resume I           let them go on
 *   stop I             end them (answer: syncs that returned non-zero)
 *   dump I             choose cache I for .../objects: one line per live
 *                      object, "SLAB SLOT TAG SIZE", what ztool witness
 *                      compares with the device (workers paused or stopped)
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include "../../zns_slab.h"
#include "zslab_cmdfile.h"

#define TC_CACHES	4
#define TC_MAX_OBJS	100000

struct tc_cache {
	struct zslab_cache *c;
	unsigned int size;
	unsigned int max;
	atomic_t gen;
	void **objs;		/* slot -> object or NULL */
	u32 *tags;		/* slot -> pattern tag */
	/* stress: workers own disjoint halves of the slots */
	struct task_struct *threads[3];	/* 2 workers, 1 syncer */
	unsigned int nr;		/* slots in play */
	bool pause;			/* asked to stop between steps */
	atomic_t parked;		/* threads stopped at the pause */
	atomic_t sync_errors;
	wait_queue_head_t wait;
};

static struct tc_cache caches[TC_CACHES];

static void fill(struct tc_cache *t, unsigned int slot)
{
	u32 *p = t->objs[slot];
	unsigned int i;

	for (i = 0; i < t->size / 4; i++)
		p[i] = t->tags[slot] ^ i;
}

static bool intact(struct tc_cache *t, unsigned int slot)
{
	u32 *p = t->objs[slot];
	unsigned int i;

	for (i = 0; i < t->size / 4; i++)
		if (p[i] != (t->tags[slot] ^ i))
			return false;
	return true;
}

/* Allocate an object for @slot with a fresh pattern, written and marked dirty. */
static bool alloc_slot(struct tc_cache *t, unsigned int slot)
{
	t->objs[slot] = zslab_cache_alloc(t->c, GFP_KERNEL);
	if (!t->objs[slot])
		return false;
	t->tags[slot] = atomic_inc_return(&t->gen);
	fill(t, slot);
	zslab_mark_dirty(t->c, t->objs[slot]);
	return true;
}

static long tc_create(unsigned int i, unsigned int size)
{
	struct tc_cache *t = &caches[i];
	char name[8];

	if (t->c || size < 4 || size > 4096)
		return -EINVAL;
	snprintf(name, sizeof(name), "tc%u", i);
	t->objs = kvcalloc(TC_MAX_OBJS, sizeof(*t->objs), GFP_KERNEL);
	t->tags = kvcalloc(TC_MAX_OBJS, sizeof(*t->tags), GFP_KERNEL);
	if (!t->objs || !t->tags)
		goto nomem;
	t->c = zslab_cache_create(name, size, 0, 0, NULL);
	if (IS_ERR(t->c)) {
		long err = PTR_ERR(t->c);

		t->c = NULL;
		kvfree(t->objs);
		kvfree(t->tags);
		return err;
	}
	t->size = size;
	t->max = 0;
	init_waitqueue_head(&t->wait);
	return 0;
nomem:
	kvfree(t->objs);
	kvfree(t->tags);
	return -ENOMEM;
}

static long tc_churn(struct tc_cache *t, unsigned int n, unsigned int rounds)
{
	unsigned int r, slot, failed = 0;

	n = min_t(unsigned int, n, TC_MAX_OBJS);
	t->max = max(t->max, n);
	for (r = 0; r < rounds; r++) {
		slot = get_random_u32() % n;
		if (t->objs[slot]) {
			zslab_cache_free(t->c, t->objs[slot]);
			t->objs[slot] = NULL;
			continue;
		}
		failed += !alloc_slot(t, slot);
		if (!(r & 255))
			cond_resched();
	}
	return failed;
}

static long tc_fill(struct tc_cache *t, unsigned int n)
{
	unsigned int slot, failed = 0;

	n = min_t(unsigned int, n, TC_MAX_OBJS);
	t->max = max(t->max, n);
	for (slot = 0; slot < n; slot++) {
		if (!t->objs[slot])
			failed += !alloc_slot(t, slot);
		if (!(slot & 255))
			cond_resched();
	}
	return failed;
}

static long tc_for_each(struct tc_cache *t, bool (*bad)(struct tc_cache *, unsigned int))
{
	unsigned int slot;
	long n = 0;

	for (slot = 0; slot < t->max; slot++)
		if (t->objs[slot] && bad(t, slot))
			n++;
	return n;
}

static bool pattern_changed(struct tc_cache *t, unsigned int slot)
{
	return !intact(t, slot);
}

static bool ref_round_trip_fails(struct tc_cache *t, unsigned int slot)
{
	zslab_ref_t ref = zslab_ref(t->c, t->objs[slot]);
	void *obj;

	if (!ref)
		return true;
	obj = zslab_get(t->c, ref, GFP_KERNEL);
	if (obj)
		zslab_put(t->c, obj);
	return obj != t->objs[slot];
}

static void tc_freeall(struct tc_cache *t)
{
	unsigned int slot;

	for (slot = 0; slot < t->max; slot++) {
		zslab_cache_free(t->c, t->objs[slot]);
		t->objs[slot] = NULL;
	}
}

/* --- stress --- */

/* Between two steps: park while a pause is asked for. */
static void stress_park(struct tc_cache *t)
{
	if (!READ_ONCE(t->pause))
		return;
	atomic_inc(&t->parked);
	wake_up_all(&t->wait);
	wait_event(t->wait, !READ_ONCE(t->pause) || kthread_should_stop());
	atomic_dec(&t->parked);
}

struct worker_arg {
	struct tc_cache *t;
	unsigned int first, last;
};

static struct worker_arg worker_args[TC_CACHES][2];

/* Allocate, free or rewrite (and mark) a random slot of our half. */
static int stress_worker(void *arg)
{
	struct worker_arg *w = arg;
	struct tc_cache *t = w->t;

	while (!kthread_should_stop()) {
		unsigned int slot = w->first + get_random_u32() % (w->last - w->first);

		stress_park(t);
		if (!t->objs[slot]) {
			alloc_slot(t, slot);
		} else if (get_random_u32() & 1) {
			zslab_cache_free(t->c, t->objs[slot]);
			t->objs[slot] = NULL;
		} else {
			t->tags[slot] = atomic_inc_return(&t->gen);
			fill(t, slot);
			zslab_mark_dirty(t->c, t->objs[slot]);
		}
		cond_resched();
	}
	return 0;
}

static int stress_syncer(void *arg)
{
	struct tc_cache *t = arg;

	while (!kthread_should_stop()) {
		stress_park(t);
		if (zslab_cache_sync(t->c))
			atomic_inc(&t->sync_errors);
		usleep_range(1000, 5000);
	}
	return 0;
}

static void stress_end(struct tc_cache *t)
{
	unsigned int i;

	WRITE_ONCE(t->pause, false);
	for (i = 0; i < ARRAY_SIZE(t->threads); i++) {
		if (t->threads[i])
			kthread_stop(t->threads[i]);
		t->threads[i] = NULL;
	}
}

static long tc_stress(struct tc_cache *t, unsigned int i, unsigned int n)
{
	unsigned int k;

	if (t->threads[0] || n < 4 || n > TC_MAX_OBJS)
		return -EINVAL;
	t->nr = n;
	t->max = max(t->max, n);
	atomic_set(&t->sync_errors, 0);
	atomic_set(&t->parked, 0);
	for (k = 0; k < 2; k++) {
		worker_args[i][k] = (struct worker_arg){ t, k * n / 2, (k + 1) * n / 2 };
		t->threads[k] = kthread_create(stress_worker, &worker_args[i][k],
					       "tc-stress/%u", k);
		if (IS_ERR(t->threads[k])) {
			t->threads[k] = NULL;
			stress_end(t);
			return -ENOMEM;
		}
		kthread_bind(t->threads[k], k % num_online_cpus());
	}
	t->threads[2] = kthread_run(stress_syncer, t, "tc-syncer");
	if (IS_ERR(t->threads[2])) {
		t->threads[2] = NULL;
		stress_end(t);
		return -ENOMEM;
	}
	wake_up_process(t->threads[0]);
	wake_up_process(t->threads[1]);
	return 0;
}

static long tc_pause(struct tc_cache *t)
{
	if (!t->threads[0])
		return -EINVAL;
	WRITE_ONCE(t->pause, true);
	wait_event(t->wait, atomic_read(&t->parked) == 3);
	return atomic_read(&t->sync_errors);
}

static long tc_resume(struct tc_cache *t)
{
	WRITE_ONCE(t->pause, false);
	wake_up_all(&t->wait);
	return 0;
}

/* The cache .../objects lists. */
static int dump_cache = -1;

static int objects_show(struct seq_file *m, void *v)
{
	struct tc_cache *t;
	unsigned int slot;

	if (dump_cache < 0 || !caches[dump_cache].c)
		return 0;
	t = &caches[dump_cache];
	for (slot = 0; slot < t->max; slot++) {
		zslab_ref_t ref;

		if (!t->objs[slot])
			continue;
		ref = zslab_ref(t->c, t->objs[slot]);
		seq_printf(m, "%llu %llu %u %u\n", (ref >> 16) & U32_MAX, ref & 0xffff,
			   t->tags[slot], t->size);
		cond_resched();
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(objects);

static void tc_destroy(struct tc_cache *t)
{
	stress_end(t);
	tc_freeall(t);
	zslab_cache_destroy(t->c);
	t->c = NULL;
	kvfree(t->objs);
	kvfree(t->tags);
}

/* Run one command; @verb (16 bytes) is set to its name, or "error". */
static long tc_run(char *cmd, char *verb)
{
	unsigned int i, a = 0, b = 0;
	int n;

	n = sscanf(cmd, "%15s %u %u %u", verb, &i, &a, &b);
	if (n < 2 || i >= TC_CACHES) {
		strscpy(verb, "error", 16);
		return -EINVAL;
	}
	if (!strcmp(verb, "create"))
		return n == 3 ? tc_create(i, a) : -EINVAL;
	if (!caches[i].c)
		return -ENOENT;
	if (!strcmp(verb, "churn"))
		return n == 4 ? tc_churn(&caches[i], a, b) : -EINVAL;
	if (!strcmp(verb, "fill"))
		return n == 3 ? tc_fill(&caches[i], a) : -EINVAL;
	if (!strcmp(verb, "sync"))
		return zslab_cache_sync(caches[i].c);
	if (!strcmp(verb, "verify"))
		return tc_for_each(&caches[i], pattern_changed);
	if (!strcmp(verb, "refs"))
		return tc_for_each(&caches[i], ref_round_trip_fails);
	if (!strcmp(verb, "freeall")) {
		tc_freeall(&caches[i]);
		return 0;
	}
	if (!strcmp(verb, "destroy")) {
		tc_destroy(&caches[i]);
		return 0;
	}
	if (!strcmp(verb, "stress"))
		return n == 3 ? tc_stress(&caches[i], i, a) : -EINVAL;
	if (!strcmp(verb, "pause"))
		return tc_pause(&caches[i]);
	if (!strcmp(verb, "resume"))
		return tc_resume(&caches[i]);
	if (!strcmp(verb, "stop")) {
		stress_end(&caches[i]);
		return atomic_read(&caches[i].sync_errors);
	}
	if (!strcmp(verb, "dump")) {
		dump_cache = i;
		return 0;
	}
	strscpy(verb, "error", 16);
	return -EINVAL;
}

/* Answer "VERB: RET" for the shell. */
static void tc_command(char *cmd, char *result, size_t len)
{
	char verb[16];
	long ret = tc_run(cmd, verb);

	snprintf(result, len, "%s: %ld\n", verb, ret);
}

static struct zslab_cmdfile tc_cmdfile = {
	.name = "zslab_testclient",
	.cmd_max = 63,
	.run = tc_command,
	.result = "none: 0",
};

static int __init tc_init(void)
{
	zslab_cmdfile_create(&tc_cmdfile);
	debugfs_create_file("objects", 0444, tc_cmdfile.dir, NULL, &objects_fops);
	return 0;
}

static void __exit tc_exit(void)
{
	unsigned int i;

	zslab_cmdfile_remove(&tc_cmdfile);
	for (i = 0; i < TC_CACHES; i++)
		if (caches[i].c)
			tc_destroy(&caches[i]);
}

module_init(tc_init);
module_exit(tc_exit);
MODULE_DESCRIPTION("zns_slab client driven by the integration tests");
MODULE_LICENSE("GPL");
