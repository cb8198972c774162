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
 *                      compares with the device (workers paused or stopped);
 *                      objects held by reference are listed too
 *
 * Objects held by reference only (the capacity tier: unpinned, so their
 * slabs may be evicted and read back). Each has a pattern of its own; every
 * get verifies it and that zslab_ref() of the object gives the same ref.
 *
 *   capacity I N OPS SEED [SYNC]
 *                      fill reference slots 0..N-1 (alloc, pattern,
 *                      zslab_mark_dirty, zslab_ref, zslab_put), then OPS
 *                      random operations on them, seeded by SEED: get
 *                      (GFP_KERNEL) and put; get, modify, mark_dirty and put;
 *                      get and zslab_cache_free; zslab_free_ref (no get);
 *                      get with GFP_NOWAIT (NULL allowed); a new allocation
 *                      for an empty slot; zslab_cache_sync() every SYNC
 *                      operations (0 or absent: none). Answer: pattern or
 *                      ref mismatches + NULL GFP_KERNEL gets of live
 *                      references (0 expected); counts in .../capstats
 *   gets I OPS SEED    OPS GFP_KERNEL gets of random live references, each
 *                      verified and put at once, nothing changed (answer:
 *                      "NULLS MISMATCHES")
 *   getall I           get (GFP_KERNEL), verify and put every live reference
 *                      (answer: mismatches + NULL gets, 0 expected)
 *   nowait I           zslab_get(GFP_NOWAIT) of every live reference, put at
 *                      once (answer: "NULLS SLABS SPLIT LIVE MISMATCHES":
 *                      NULL gets, distinct slab ids ((ref >> 16) & 0xffffffff)
 *                      among them, slabs with NULL and non-NULL gets both
 *                      (0 expected: a slab is evicted whole), live
 *                      references, mismatches among the non-NULL gets)
 *   capstress I N SYNC 2 workers (CPU 0 and 1) doing the capacity mix on
 *                      reference slots 0..N-1, worker k on the slots of
 *                      parity k (objects allocated in slot order share slabs
 *                      across the workers, so both pin, evict and read back
 *                      the same slabs), and with SYNC=1 a syncer calling
 *                      zslab_cache_sync() in a loop; pause and resume work
 *                      on them as on stress
 *   capstop I          end them (answer: mismatches + NULL GFP_KERNEL gets)
 *
 * .../capstats: the counts of the last capacity run or capstress workers
 * ("key: value"), with the live references and the syncer's syncs.
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/prandom.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include "../../zns_slab.h"
#include "zslab_cmdfile.h"

#define TC_CACHES	4
#define TC_MAX_OBJS	100000

/* What a capacity run or a capstress worker did. */
struct cap_stats {
	u64 ops;
	u64 gets;		/* GFP_KERNEL gets of live references */
	u64 get_nulls;		/* ... that returned NULL */
	u64 mismatches;		/* pattern changed */
	u64 ref_changed;	/* zslab_ref() of a got object != its ref */
	u64 modifies;
	u64 frees;		/* zslab_cache_free() of a got object */
	u64 free_refs;
	u64 allocs;
	u64 alloc_failed;
	u64 nowait_gets;
	u64 nowait_nulls;
	u64 syncs;
	u64 sync_errors;
	s64 last_sync_error;
};

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
	atomic_t syncs;
	wait_queue_head_t wait;
	/* objects held by reference only: slot -> ref (0: none) and tag */
	zslab_ref_t *refs;
	u32 *rtags;
	unsigned int rmax;		/* reference slots in use: 0..rmax-1 */
	struct cap_stats cstats[3];	/* capacity run; capstress workers */
};

static struct tc_cache caches[TC_CACHES];

static void fill_obj(void *obj, unsigned int size, u32 tag)
{
	u32 *p = obj;
	unsigned int i;

	for (i = 0; i < size / 4; i++)
		p[i] = tag ^ i;
}

static bool obj_intact(const void *obj, unsigned int size, u32 tag)
{
	const u32 *p = obj;
	unsigned int i;

	for (i = 0; i < size / 4; i++)
		if (p[i] != (tag ^ i))
			return false;
	return true;
}

static void fill(struct tc_cache *t, unsigned int slot)
{
	fill_obj(t->objs[slot], t->size, t->tags[slot]);
}

static bool intact(struct tc_cache *t, unsigned int slot)
{
	return obj_intact(t->objs[slot], t->size, t->tags[slot]);
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

static void tc_free_arrays(struct tc_cache *t)
{
	kvfree(t->objs);
	kvfree(t->tags);
	kvfree(t->refs);
	kvfree(t->rtags);
	t->objs = NULL;
	t->tags = NULL;
	t->refs = NULL;
	t->rtags = NULL;
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
	t->refs = kvcalloc(TC_MAX_OBJS, sizeof(*t->refs), GFP_KERNEL);
	t->rtags = kvcalloc(TC_MAX_OBJS, sizeof(*t->rtags), GFP_KERNEL);
	if (!t->objs || !t->tags || !t->refs || !t->rtags)
		goto nomem;
	t->c = zslab_cache_create(name, size, 0, 0, NULL);
	if (IS_ERR(t->c)) {
		long err = PTR_ERR(t->c);

		t->c = NULL;
		tc_free_arrays(t);
		return err;
	}
	t->size = size;
	t->max = 0;
	t->rmax = 0;
	memset(t->cstats, 0, sizeof(t->cstats));
	init_waitqueue_head(&t->wait);
	return 0;
nomem:
	tc_free_arrays(t);
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
	for (slot = 0; slot < t->rmax; slot++) {
		if (t->refs[slot])
			zslab_free_ref(t->c, t->refs[slot]);
		t->refs[slot] = 0;
		if (!(slot & 255))
			cond_resched();
	}
}

/* --- objects held by reference: the capacity tier --- */

/* alloc -> pattern -> mark_dirty -> ref -> put: the slot holds a ref only. */
static bool cap_alloc(struct tc_cache *t, unsigned int slot, struct cap_stats *st)
{
	void *obj = zslab_cache_alloc(t->c, GFP_KERNEL);
	zslab_ref_t ref;
	u32 tag;

	if (!obj) {
		st->alloc_failed++;
		return false;
	}
	tag = atomic_inc_return(&t->gen);
	fill_obj(obj, t->size, tag);
	zslab_mark_dirty(t->c, obj);
	ref = zslab_ref(t->c, obj);
	if (!ref) {
		st->ref_changed++;
		zslab_cache_free(t->c, obj);
		return false;
	}
	t->refs[slot] = ref;
	t->rtags[slot] = tag;
	zslab_put(t->c, obj);
	st->allocs++;
	return true;
}

/* Get the slot's object; verify its pattern and its ref. */
static void *cap_get(struct tc_cache *t, unsigned int slot, gfp_t gfp,
		     struct cap_stats *st)
{
	void *obj = zslab_get(t->c, t->refs[slot], gfp);

	if (!obj)
		return NULL;
	if (!obj_intact(obj, t->size, t->rtags[slot]))
		st->mismatches++;
	if (zslab_ref(t->c, obj) != t->refs[slot])
		st->ref_changed++;
	return obj;
}

/* One random operation on @slot. */
static void cap_step(struct tc_cache *t, unsigned int slot, struct rnd_state *rs,
		     struct cap_stats *st)
{
	unsigned int r;
	void *obj;

	st->ops++;
	if (!t->refs[slot]) {
		cap_alloc(t, slot, st);
		return;
	}
	r = prandom_u32_state(rs) % 100;
	if (r < 10) {			/* free by reference, no get */
		zslab_free_ref(t->c, t->refs[slot]);
		t->refs[slot] = 0;
		st->free_refs++;
		return;
	}
	if (r < 15) {			/* non-sleeping get: NULL when evicted */
		st->nowait_gets++;
		obj = cap_get(t, slot, GFP_NOWAIT, st);
		if (obj)
			zslab_put(t->c, obj);
		else
			st->nowait_nulls++;
		return;
	}
	st->gets++;
	obj = cap_get(t, slot, GFP_KERNEL, st);
	if (!obj) {
		st->get_nulls++;
		return;
	}
	if (r < 20) {			/* free the pinned object */
		zslab_cache_free(t->c, obj);
		t->refs[slot] = 0;
		st->frees++;
		return;
	}
	if (r < 60) {			/* modify while pinned */
		u32 tag = atomic_inc_return(&t->gen);

		fill_obj(obj, t->size, tag);
		zslab_mark_dirty(t->c, obj);
		t->rtags[slot] = tag;
		st->modifies++;
	}
	zslab_put(t->c, obj);
}

static long cap_errors(const struct cap_stats *st)
{
	return st->mismatches + st->ref_changed + st->get_nulls;
}

static long tc_capacity(struct tc_cache *t, unsigned int n, unsigned int ops,
			unsigned int seed, unsigned int sync_every)
{
	struct cap_stats *st = &t->cstats[0];
	struct rnd_state rs;
	unsigned int slot, k;

	if (!n || n > TC_MAX_OBJS || t->threads[0])
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	prandom_seed_state(&rs, seed);
	t->rmax = max(t->rmax, n);
	for (slot = 0; slot < n; slot++) {
		if (!t->refs[slot])
			cap_alloc(t, slot, st);
		if (!(slot & 255))
			cond_resched();
	}
	for (k = 1; k <= ops; k++) {
		cap_step(t, prandom_u32_state(&rs) % n, &rs, st);
		if (sync_every && !(k % sync_every)) {
			int err = zslab_cache_sync(t->c);

			st->syncs++;
			if (err) {
				st->sync_errors++;
				st->last_sync_error = err;
			}
		}
		if (!(k & 63))
			cond_resched();
	}
	return cap_errors(st);
}

static long tc_gets(struct tc_cache *t, unsigned int ops, unsigned int seed, char *ans)
{
	struct cap_stats st = {};
	struct rnd_state rs;
	unsigned long nulls = 0;
	unsigned int k, slot, tries;
	void *obj;

	if (!t->rmax || t->threads[0])
		return -EINVAL;
	prandom_seed_state(&rs, seed);
	for (k = 0; k < ops; k++) {
		for (tries = 0; tries < 1000; tries++) {
			slot = prandom_u32_state(&rs) % t->rmax;
			if (t->refs[slot])
				break;
		}
		if (!t->refs[slot])
			return -ENOENT;
		obj = cap_get(t, slot, GFP_KERNEL, &st);
		if (obj)
			zslab_put(t->c, obj);
		else
			nulls++;
		if (!(k & 63))
			cond_resched();
	}
	snprintf(ans, 48, "%lu %llu", nulls, st.mismatches + st.ref_changed);
	return 0;
}

static long tc_getall(struct tc_cache *t)
{
	struct cap_stats st = {};
	unsigned int slot;
	void *obj;

	if (t->threads[0])
		return -EBUSY;
	for (slot = 0; slot < t->rmax; slot++) {
		if (!t->refs[slot])
			continue;
		obj = cap_get(t, slot, GFP_KERNEL, &st);
		if (obj)
			zslab_put(t->c, obj);
		else
			st.get_nulls++;
		if (!(slot & 63))
			cond_resched();
	}
	return cap_errors(&st);
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * A GFP_NOWAIT get of every live reference. Keys (slab id << 1 | NULL),
 * sorted, group the answers by slab: a slab is evicted whole, so its live
 * objects must all be NULL or none.
 */
static long tc_nowait(struct tc_cache *t, char *ans)
{
	struct cap_stats st = {};
	unsigned long n = 0, nulls = 0, slabs = 0, split = 0, i, j;
	unsigned int slot;
	u64 *keys;

	if (t->threads[0])
		return -EBUSY;
	keys = kvmalloc_array(max(t->rmax, 1U), sizeof(*keys), GFP_KERNEL);
	if (!keys)
		return -ENOMEM;
	for (slot = 0; slot < t->rmax; slot++) {
		zslab_ref_t ref = t->refs[slot];
		void *obj;

		if (!ref)
			continue;
		obj = cap_get(t, slot, GFP_NOWAIT, &st);
		if (obj)
			zslab_put(t->c, obj);
		else
			nulls++;
		keys[n++] = (((ref >> 16) & U32_MAX) << 1) | (obj ? 0 : 1);
	}
	sort(keys, n, sizeof(*keys), cmp_u64, NULL);
	for (i = 0; i < n; i = j) {
		unsigned long null_here = 0;

		for (j = i; j < n && keys[j] >> 1 == keys[i] >> 1; j++)
			null_here += keys[j] & 1;
		if (null_here)
			slabs++;
		if (null_here && null_here != j - i)
			split++;
	}
	kvfree(keys);
	snprintf(ans, 48, "%lu %lu %lu %lu %llu", nulls, slabs, split, n,
		 st.mismatches + st.ref_changed);
	return 0;
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
		atomic_inc(&t->syncs);
		if (zslab_cache_sync(t->c))
			atomic_inc(&t->sync_errors);
		usleep_range(1000, 5000);
	}
	return 0;
}

struct cap_worker {
	struct tc_cache *t;
	unsigned int parity, pairs;	/* slots 2 * i + parity, i < pairs */
	struct rnd_state rs;
	struct cap_stats *st;
};

static struct cap_worker cap_workers[TC_CACHES][2];

/* The capacity mix on a random reference slot of our parity. */
static int cap_stress_worker(void *arg)
{
	struct cap_worker *w = arg;
	struct tc_cache *t = w->t;

	while (!kthread_should_stop()) {
		unsigned int slot = 2 * (prandom_u32_state(&w->rs) % w->pairs) + w->parity;

		stress_park(t);
		cap_step(t, slot, &w->rs, w->st);
		cond_resched();
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

static long tc_capstress(struct tc_cache *t, unsigned int i, unsigned int n,
			 unsigned int syncer)
{
	unsigned int k;

	if (t->threads[0] || n < 4 || n > TC_MAX_OBJS)
		return -EINVAL;
	t->rmax = max(t->rmax, n);
	atomic_set(&t->sync_errors, 0);
	atomic_set(&t->syncs, 0);
	atomic_set(&t->parked, 0);
	WRITE_ONCE(t->pause, false);
	for (k = 0; k < 2; k++) {
		struct cap_worker *w = &cap_workers[i][k];

		memset(&t->cstats[k + 1], 0, sizeof(t->cstats[k + 1]));
		w->t = t;
		w->parity = k;
		w->pairs = n / 2;
		w->st = &t->cstats[k + 1];
		prandom_seed_state(&w->rs, get_random_u64());
		t->threads[k] = kthread_create(cap_stress_worker, w, "tc-cap/%u", k);
		if (IS_ERR(t->threads[k])) {
			t->threads[k] = NULL;
			stress_end(t);
			return -ENOMEM;
		}
		kthread_bind(t->threads[k], k % num_online_cpus());
	}
	if (syncer) {
		t->threads[2] = kthread_run(stress_syncer, t, "tc-syncer");
		if (IS_ERR(t->threads[2])) {
			t->threads[2] = NULL;
			stress_end(t);
			return -ENOMEM;
		}
	}
	wake_up_process(t->threads[0]);
	wake_up_process(t->threads[1]);
	return 0;
}

static long tc_capstop(struct tc_cache *t)
{
	stress_end(t);
	return cap_errors(&t->cstats[1]) + cap_errors(&t->cstats[2]);
}

static long tc_pause(struct tc_cache *t)
{
	int nr = 0, k;

	if (!t->threads[0])
		return -EINVAL;
	for (k = 0; k < ARRAY_SIZE(t->threads); k++)
		nr += !!t->threads[k];
	WRITE_ONCE(t->pause, true);
	wait_event(t->wait, atomic_read(&t->parked) == nr);
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
	for (slot = 0; slot < t->rmax; slot++) {
		zslab_ref_t ref = t->refs[slot];

		if (!ref)
			continue;
		seq_printf(m, "%llu %llu %u %u\n", (ref >> 16) & U32_MAX, ref & 0xffff,
			   t->rtags[slot], t->size);
		if (!(slot & 255))
			cond_resched();
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(objects);

/* The cache .../capstats describes: the last capacity or capstress one. */
static int capstats_cache = -1;

static int capstats_show(struct seq_file *m, void *v)
{
	struct cap_stats sum = {};
	struct tc_cache *t;
	unsigned int k, slot;
	unsigned long live = 0;

	if (capstats_cache < 0 || !caches[capstats_cache].c)
		return 0;
	t = &caches[capstats_cache];
	for (k = 0; k < ARRAY_SIZE(t->cstats); k++) {
		const struct cap_stats *s = &t->cstats[k];

		sum.ops += s->ops;
		sum.gets += s->gets;
		sum.get_nulls += s->get_nulls;
		sum.mismatches += s->mismatches;
		sum.ref_changed += s->ref_changed;
		sum.modifies += s->modifies;
		sum.frees += s->frees;
		sum.free_refs += s->free_refs;
		sum.allocs += s->allocs;
		sum.alloc_failed += s->alloc_failed;
		sum.nowait_gets += s->nowait_gets;
		sum.nowait_nulls += s->nowait_nulls;
		sum.syncs += s->syncs;
		sum.sync_errors += s->sync_errors;
		if (s->last_sync_error)
			sum.last_sync_error = s->last_sync_error;
	}
	for (slot = 0; slot < t->rmax; slot++)
		live += !!READ_ONCE(t->refs[slot]);
	seq_printf(m, "cache: tc%d\nops: %llu\ngets: %llu\nget_nulls: %llu\n",
		   capstats_cache, sum.ops, sum.gets, sum.get_nulls);
	seq_printf(m, "mismatches: %llu\nref_changed: %llu\nmodifies: %llu\n",
		   sum.mismatches, sum.ref_changed, sum.modifies);
	seq_printf(m, "frees: %llu\nfree_refs: %llu\nallocs: %llu\nalloc_failed: %llu\n",
		   sum.frees, sum.free_refs, sum.allocs, sum.alloc_failed);
	seq_printf(m, "nowait_gets: %llu\nnowait_nulls: %llu\n",
		   sum.nowait_gets, sum.nowait_nulls);
	seq_printf(m, "syncs: %llu\nsync_errors: %llu\nlast_sync_error: %lld\n",
		   sum.syncs, sum.sync_errors, sum.last_sync_error);
	seq_printf(m, "syncer_syncs: %d\nsyncer_errors: %d\nlive: %lu\n",
		   atomic_read(&t->syncs), atomic_read(&t->sync_errors), live);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(capstats);

static void tc_destroy(struct tc_cache *t)
{
	stress_end(t);
	tc_freeall(t);
	zslab_cache_destroy(t->c);
	t->c = NULL;
	tc_free_arrays(t);
}

/*
 * Run one command; @verb (16 bytes) is set to its name, or "error". A
 * command that answers more than a number writes it to @ans (48 bytes).
 */
static long tc_run(char *cmd, char *verb, char *ans)
{
	unsigned int i, a = 0, b = 0, d = 0, e = 0;
	int n;

	n = sscanf(cmd, "%15s %u %u %u %u %u", verb, &i, &a, &b, &d, &e);
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
	if (!strcmp(verb, "capacity")) {
		if (n != 5 && n != 6)
			return -EINVAL;
		capstats_cache = i;
		return tc_capacity(&caches[i], a, b, d, n == 6 ? e : 0);
	}
	if (!strcmp(verb, "gets"))
		return n == 4 ? tc_gets(&caches[i], a, b, ans) : -EINVAL;
	if (!strcmp(verb, "getall"))
		return tc_getall(&caches[i]);
	if (!strcmp(verb, "nowait"))
		return tc_nowait(&caches[i], ans);
	if (!strcmp(verb, "capstress")) {
		if (n != 4)
			return -EINVAL;
		capstats_cache = i;
		return tc_capstress(&caches[i], i, a, b);
	}
	if (!strcmp(verb, "capstop"))
		return tc_capstop(&caches[i]);
	strscpy(verb, "error", 16);
	return -EINVAL;
}

/* Answer "VERB: RET" for the shell. */
static void tc_command(char *cmd, char *result, size_t len)
{
	char verb[16], ans[48] = "";
	long ret = tc_run(cmd, verb, ans);

	if (ans[0] && !ret)
		snprintf(result, len, "%s: %s\n", verb, ans);
	else
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
	debugfs_create_file("capstats", 0444, tc_cmdfile.dir, NULL, &capstats_fops);
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
