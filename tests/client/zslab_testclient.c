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
/*
 * Persistent caches (ZSLAB_PERSISTENT), held by reference. Every object is
 * the pattern of its (ref, version): its ref, its version, a check word,
 * then a PRNG stream seeded by both, so any object verifies on its own.
 * The model is slot -> (ref, version), the highest version handed out, the
 * refs freed lately (a ring of 4096) and the round planned next.
 *
 *   pcreate I SIZE [ORDER [CTOR]]
 *                      create or re-attach persistent cache "tc<I>" (SIZE a
 *                      multiple of 4, >= 16; slabs of 4 KiB << ORDER; CTOR 1:
 *                      a constructor that counts its calls); answer: 0 or
 *                      the errno of the ERR_PTR
 *   pdestroy I         zslab_cache_destroy() without freeing the objects
 *                      (the cache detaches, its data stays)
 *   erase I            zslab_cache_erase("tc<I>"): 0 or an errno
 *   pfill I N          a new object in every empty slot 0..N-1 (failures)
 *   pplan I OPS SEED   plan the next round: OPS operations from SEED
 *   pround I           run it: on random slots, new objects in empty ones;
 *                      frees (free_ref, or get and free), or get, check,
 *                      new version, mark_dirty, put. Answer: errors (a get
 *                      NULL or an object not its model version)
 *   pscan I [K]        zslab_cache_for_each(), every object checked against
 *                      its own pattern, (ref, version) kept; K > 0: the
 *                      callback returns 7 at the K-th visit. Answer
 *                      "OBJS BAD DUPS RET"
 *   pcheck I           the last pscan against the model: "LOST STALE EXTRA
 *                      MAYBE" (0 0 0 expected; with a plan, the objects the
 *                      planned round may have freed or written are allowed
 *                      either way: see tc_pcheck())
 *   pgets I            zslab_get() of every model ref and of the freed refs:
 *                      "NULLS BAD FREED_LIVE GETS" (0 0 0 expected)
 *   padopt I           the last pscan becomes the model (answer: objects)
 *   pforfree I N       a for_each whose callback frees every N-th object,
 *                      by pointer and by ref in turn: "VISITS FREED BAD RET"
 *   pcount I           objects in the model
 *   pslabs I           slabs holding them (distinct slab ids of its refs)
 *   pctor I            constructor calls since pcreate
 *   pload              load the models written to .../model (answer:
 *                      caches loaded, or an errno)
 *
 * .../model: reading it gives every persistent cache's model as one blob
 * (magic, length, CRC32); the shell keeps it where a crash does not reach
 * and writes it back before pload.
 */
#include <linux/bitmap.h>
#include <linux/bsearch.h>
#include <linux/crc32.h>
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
#define TC_FREED	4096		/* refs freed that a model keeps */
#define TC_FOUND_MAX	(2 * TC_MAX_OBJS)

/* An object a pscan found: its ref, the version its header names. */
struct pfound {
	zslab_ref_t ref;
	u32 ver;
	u32 flags;		/* PF_* */
};

#define PF_BAD		1	/* its bytes are not its (ref, version) pattern */
#define PF_MATCHED	2	/* pcheck: the model names it */
#define PF_TORN		4	/* ... but a change the crash caught midway */

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
	atomic_t syncer_last_error;	/* the syncer's last non-zero return */
	atomic_t syncs;
	wait_queue_head_t wait;
	/* objects held by reference only: slot -> ref (0: none) and tag */
	zslab_ref_t *refs;
	u32 *rtags;
	unsigned int rmax;		/* reference slots in use: 0..rmax-1 */
	struct cap_stats cstats[3];	/* capacity run; capstress workers */
	/* persistent caches: the model (refs[] and rmax hold its slots) */
	bool persistent;
	u32 *pvers;			/* slot -> version of its object */
	u32 maxver;			/* versions 1..maxver were handed out */
	u32 plan_ops, plan_seed;	/* the round planned (0 ops: none) */
	zslab_ref_t *freed;		/* ring of refs freed, not reused */
	u32 nfreed;			/* entries recorded (ring of TC_FREED) */
	struct pfound *found;		/* the last pscan, sorted by ref */
	u32 nfound;
	atomic_t ctor_calls;
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
	kvfree(t->pvers);
	kvfree(t->freed);
	kvfree(t->found);
	t->objs = NULL;
	t->tags = NULL;
	t->refs = NULL;
	t->rtags = NULL;
	t->pvers = NULL;
	t->freed = NULL;
	t->found = NULL;
	t->nfound = 0;
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
	int err;

	while (!kthread_should_stop()) {
		stress_park(t);
		atomic_inc(&t->syncs);
		err = zslab_cache_sync(t->c);
		if (err) {
			atomic_inc(&t->sync_errors);
			atomic_set(&t->syncer_last_error, err);
		}
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
	atomic_set(&t->syncer_last_error, 0);
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
	atomic_set(&t->syncer_last_error, 0);
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

/* --- persistent caches: objects that check themselves, and a model --- */

/*
 * An object of a persistent cache is its (ref, version) pattern: bytes 0-7
 * the ref, 8-11 the version, 12-15 the version's check word, the rest a
 * PRNG stream seeded by both. Any object found on the device verifies on
 * its own; the model (slot -> ref, version) says which ones must be there.
 */
#define P_CHECK		0x5a5a5a5aU

static u64 pobj_seed(zslab_ref_t ref, u32 ver)
{
	return ref ^ ((u64)ver << 32) ^ 0x9e3779b97f4a7c15ULL;
}

static void pobj_fill(void *obj, unsigned int size, zslab_ref_t ref, u32 ver)
{
	struct rnd_state rs;
	u32 *p = obj;
	unsigned int i;

	memcpy(obj, &ref, sizeof(ref));
	p[2] = ver;
	p[3] = ~ver ^ P_CHECK;
	prandom_seed_state(&rs, pobj_seed(ref, ver));
	for (i = 4; i < size / 4; i++)
		p[i] = prandom_u32_state(&rs);
}

/* The version the object's bytes carry, or 0 if they are not a pattern. */
static u32 pobj_check(const void *obj, unsigned int size, zslab_ref_t ref)
{
	const u32 *p = obj;
	struct rnd_state rs;
	zslab_ref_t hr;
	unsigned int i;

	memcpy(&hr, obj, sizeof(hr));
	if (hr != ref || !p[2] || p[3] != (~p[2] ^ P_CHECK))
		return 0;
	prandom_seed_state(&rs, pobj_seed(ref, p[2]));
	for (i = 4; i < size / 4; i++)
		if (p[i] != prandom_u32_state(&rs))
			return 0;
	return p[2];
}

/*
 * A crash can catch an object of the planned round mid-change: a pass
 * copies a slab while the client writes into it (a snapshot; the change
 * dirties the slab again, DESIGN §3) and the reset may land before the next
 * pass writes it again. Such an object is a mix of words of its model
 * version (@oldver; 0: the model does not have @ref), zeros (freed, or
 * allocated and not filled yet) and one version the planned round hands
 * out (maxver + 1 .. maxver + plan_ops). True if @obj is such a mix; @buf
 * holds two objects.
 */
static bool pobj_torn(struct tc_cache *t, const void *obj, zslab_ref_t ref,
		      u32 oldver, u32 *buf)
{
	unsigned int i, n = t->size / 4;
	u32 *old = buf, *new = buf + n;
	const u32 *p = obj;
	u32 k;

	if (!t->plan_ops)
		return false;
	if (oldver)
		pobj_fill(old, t->size, ref, oldver);
	else
		memset(old, 0, t->size);
	for (k = 1; k <= t->plan_ops; k++) {
		pobj_fill(new, t->size, ref, t->maxver + k);
		for (i = 0; i < n; i++)
			if (p[i] && p[i] != old[i] && p[i] != new[i])
				break;
		if (i == n)
			return true;
	}
	return false;
}

/* The model's version of @ref, or 0 if the model does not have it. */
static u32 pmodel_ver(struct tc_cache *t, zslab_ref_t ref)
{
	unsigned int slot;

	for (slot = 0; slot < t->rmax; slot++)
		if (t->refs[slot] == ref)
			return t->pvers[slot];
	return 0;
}

static atomic_t *ctor_counter;

/* The constructor of ctor caches: marks the object, counts the call. */
static void pobj_ctor(void *obj)
{
	memset(obj, 0xc7, 16);
	if (ctor_counter)
		atomic_inc(ctor_counter);
}

static long tc_pcreate(unsigned int i, unsigned int size, unsigned int order,
		       unsigned int ctor)
{
	struct tc_cache *t = &caches[i];
	char name[8];

	if (t->c || size < 16 || size % 4 || size > 4096 || order > ZSLAB_MAX_SLAB_ORDER)
		return -EINVAL;
	snprintf(name, sizeof(name), "tc%u", i);
	t->refs = kvcalloc(TC_MAX_OBJS, sizeof(*t->refs), GFP_KERNEL);
	t->pvers = kvcalloc(TC_MAX_OBJS, sizeof(*t->pvers), GFP_KERNEL);
	t->freed = kvcalloc(TC_FREED, sizeof(*t->freed), GFP_KERNEL);
	if (!t->refs || !t->pvers || !t->freed) {
		tc_free_arrays(t);
		return -ENOMEM;
	}
	atomic_set(&t->ctor_calls, 0);
	/* One ctor cache at a time: the constructor has no cache argument. */
	if (ctor)
		ctor_counter = &t->ctor_calls;
	t->c = zslab_cache_create(name, size, 0, ZSLAB_PERSISTENT | ZSLAB_SLAB_ORDER(order),
				  ctor ? pobj_ctor : NULL);
	if (IS_ERR(t->c)) {
		long err = PTR_ERR(t->c);

		t->c = NULL;
		tc_free_arrays(t);
		return err;
	}
	t->persistent = true;
	t->size = size;
	t->max = 0;
	t->rmax = 0;
	t->maxver = 0;
	t->plan_ops = 0;
	t->plan_seed = 0;
	t->nfreed = 0;
	init_waitqueue_head(&t->wait);
	return 0;
}

static long tc_erase(unsigned int i)
{
	char name[8];

	snprintf(name, sizeof(name), "tc%u", i);
	return zslab_cache_erase(name);
}

static void pfreed_add(struct tc_cache *t, zslab_ref_t ref)
{
	t->freed[t->nfreed++ % TC_FREED] = ref;
}

/* A new object for the empty model slot @slot. */
static bool palloc(struct tc_cache *t, unsigned int slot)
{
	void *obj = zslab_cache_alloc(t->c, GFP_KERNEL);
	zslab_ref_t ref;

	if (!obj)
		return false;
	ref = zslab_ref(t->c, obj);
	if (!ref) {
		zslab_cache_free(t->c, obj);
		return false;
	}
	t->refs[slot] = ref;
	t->pvers[slot] = ++t->maxver;
	pobj_fill(obj, t->size, ref, t->pvers[slot]);
	zslab_mark_dirty(t->c, obj);
	zslab_put(t->c, obj);
	return true;
}

static long tc_pfill(struct tc_cache *t, unsigned int n)
{
	unsigned int slot, failed = 0;

	if (!t->persistent || n > TC_MAX_OBJS)
		return -EINVAL;
	t->rmax = max(t->rmax, n);
	for (slot = 0; slot < n; slot++) {
		if (!t->refs[slot])
			failed += !palloc(t, slot);
		if (!(slot & 63))
			cond_resched();
	}
	return failed;
}

#define P_FREE_PCT	25	/* of a round's operations on a live slot */

/*
 * The planned round: plan_ops operations on random model slots, from the
 * PRNG seeded by plan_seed: an empty slot gets a new object; a live one is
 * freed (by ref, or got and freed), or got, checked, given a new version
 * and marked dirty. Every operation draws two numbers, so that with @maybe
 * the same sequence is replayed without touching the cache: it marks the
 * slots whose object of the model the round frees (may be gone after a
 * crash), and with @touched every slot the round works on. Answer: errors
 * (a live ref's get NULL or its object wrong).
 */
static long pround_run(struct tc_cache *t, unsigned long *maybe,
		       unsigned long *touched)
{
	unsigned long *live = NULL;
	struct rnd_state rs;
	unsigned int k, slot, r;
	long errors = 0;
	void *obj;

	if (!t->rmax || !t->plan_ops)
		return maybe ? 0 : -EINVAL;
	if (maybe) {
		live = bitmap_zalloc(t->rmax, GFP_KERNEL);
		if (!live)
			return -ENOMEM;
		for (slot = 0; slot < t->rmax; slot++)
			if (t->refs[slot])
				__set_bit(slot, live);
	}
	prandom_seed_state(&rs, t->plan_seed);
	for (k = 0; k < t->plan_ops; k++) {
		slot = prandom_u32_state(&rs) % t->rmax;
		r = prandom_u32_state(&rs) % 100;
		if (maybe) {
			if (!test_bit(slot, live)) {
				__set_bit(slot, live);
			} else if (r < P_FREE_PCT) {
				__clear_bit(slot, live);
				__set_bit(slot, maybe);
			}
			if (touched)
				__set_bit(slot, touched);
			continue;
		}
		if (!(k & 63))
			cond_resched();
		if (!t->refs[slot]) {
			palloc(t, slot);
			continue;
		}
		if (r < P_FREE_PCT / 2) {
			zslab_free_ref(t->c, t->refs[slot]);
			pfreed_add(t, t->refs[slot]);
			t->refs[slot] = 0;
			continue;
		}
		obj = zslab_get(t->c, t->refs[slot], GFP_KERNEL);
		if (!obj) {
			errors++;
			continue;
		}
		if (pobj_check(obj, t->size, t->refs[slot]) != t->pvers[slot])
			errors++;
		if (r < P_FREE_PCT) {
			zslab_cache_free(t->c, obj);
			pfreed_add(t, t->refs[slot]);
			t->refs[slot] = 0;
			continue;
		}
		t->pvers[slot] = ++t->maxver;
		pobj_fill(obj, t->size, t->refs[slot], t->pvers[slot]);
		zslab_mark_dirty(t->c, obj);
		zslab_put(t->c, obj);
	}
	bitmap_free(live);
	return errors;
}

static int cmp_found(const void *a, const void *b)
{
	const struct pfound *x = a, *y = b;

	return x->ref < y->ref ? -1 : x->ref > y->ref;
}

static struct pfound *pfound_find(struct tc_cache *t, zslab_ref_t ref)
{
	struct pfound key = { .ref = ref };

	return bsearch(&key, t->found, t->nfound, sizeof(key), cmp_found);
}

/* pscan tells at most this many bad objects from crash-torn ones. */
#define P_TORN_TRIES	64

struct pscan_arg {
	struct tc_cache *t;
	unsigned long visits, bad, overflow;
	unsigned long torn, torn_tries;	/* bad objects: torn, tried */
	u32 *buf;			/* pobj_torn(): two objects */
	unsigned long stop_at;		/* pstop: return 7 at this visit */
	unsigned int free_every;	/* pforfree: free every N-th visit */
	unsigned long freed;
	struct pfound *index;		/* pforfree: model ref -> slot */
	unsigned int nindex;
};

/* zslab_cache_for_each() callback: check the object, record it. */
static int pscan_fn(struct zslab_cache *c, void *obj, void *arg)
{
	struct pscan_arg *a = arg;
	struct tc_cache *t = a->t;
	zslab_ref_t ref = zslab_ref(c, obj);
	u32 ver = pobj_check(obj, t->size, ref);
	u32 flags = 0;

	a->visits++;
	if (!ver && a->buf && a->torn_tries++ < P_TORN_TRIES &&
	    pobj_torn(t, obj, ref, pmodel_ver(t, ref), a->buf)) {
		a->torn++;
		flags = PF_BAD | PF_TORN;
	} else if (!ver) {
		a->bad++;
		flags = PF_BAD;
	}
	if (a->free_every) {
		struct pfound key = { .ref = ref }, *m;

		if (a->visits % a->free_every)
			return 0;
		m = bsearch(&key, a->index, a->nindex, sizeof(key), cmp_found);
		if (m) {
			t->refs[m->ver] = 0;
			pfreed_add(t, ref);
		}
		if (a->freed++ & 1)
			zslab_free_ref(c, ref);
		else
			zslab_cache_free(c, obj);
		return 0;
	}
	if (a->nindex < TC_FOUND_MAX) {
		t->found[a->nindex].ref = ref;
		t->found[a->nindex].ver = ver;
		t->found[a->nindex].flags = flags;
		a->nindex++;
	} else {
		a->overflow++;
	}
	if (a->stop_at && a->visits == a->stop_at)
		return 7;
	return 0;
}

/*
 * pscan: visit every object with zslab_cache_for_each(), check each one
 * against its own pattern, and keep (ref, version) sorted by ref for
 * pcheck. Answer "OBJS BAD DUPS RET TORN": objects visited, objects whose
 * bytes are not their pattern (or whose header names another ref) and not
 * a change of the planned round caught midway (see pobj_torn()), refs
 * visited more than once, for_each's return value, objects that are such a
 * change (pcheck says whether their slots are ones the round works on).
 */
static long tc_pscan(struct tc_cache *t, unsigned int stop_at, char *ans)
{
	struct pscan_arg a = { .t = t, .stop_at = stop_at };
	unsigned long dups = 0;
	unsigned int k;
	int ret;

	if (!t->found) {
		t->found = kvmalloc_array(TC_FOUND_MAX, sizeof(*t->found), GFP_KERNEL);
		if (!t->found)
			return -ENOMEM;
	}
	a.buf = kmalloc(2 * t->size, GFP_KERNEL);
	ret = zslab_cache_for_each(t->c, pscan_fn, &a);
	kfree(a.buf);
	t->nfound = a.nindex;
	sort(t->found, t->nfound, sizeof(*t->found), cmp_found, NULL);
	for (k = 1; k < t->nfound; k++)
		dups += t->found[k].ref == t->found[k - 1].ref;
	snprintf(ans, 48, "%lu %lu %lu %d %lu", a.visits, a.bad + a.overflow, dups,
		 ret, a.torn);
	return 0;
}

/*
 * pforfree: a for_each whose callback frees every N-th object it visits,
 * by pointer and by ref in turn; the model forgets them. Answer
 * "VISITS FREED BAD RET".
 */
static long tc_pforfree(struct tc_cache *t, unsigned int every, char *ans)
{
	struct pscan_arg a = { .t = t, .free_every = every };
	unsigned int slot, n = 0;
	int ret;

	if (!every)
		return -EINVAL;
	a.index = kvmalloc_array(max(t->rmax, 1U), sizeof(*a.index), GFP_KERNEL);
	if (!a.index)
		return -ENOMEM;
	for (slot = 0; slot < t->rmax; slot++) {
		if (!t->refs[slot])
			continue;
		a.index[n].ref = t->refs[slot];
		a.index[n].ver = slot;
		n++;
	}
	sort(a.index, n, sizeof(*a.index), cmp_found, NULL);
	a.nindex = n;
	ret = zslab_cache_for_each(t->c, pscan_fn, &a);
	kvfree(a.index);
	snprintf(ans, 48, "%lu %lu %lu %d", a.visits, a.freed, a.bad, ret);
	return 0;
}

/*
 * What a model slot's object may be after a crash: the version the model
 * has, or (a round was planned) one written after the model's sync.
 */
static bool pver_ok(struct tc_cache *t, unsigned int slot, u32 ver)
{
	return ver == t->pvers[slot] || (t->plan_ops && ver > t->maxver);
}

/*
 * What the planned round does to the model's slots, or NULL on no memory:
 * a bitmap of the slots it may have freed, followed by one of the slots it
 * works on (ptouched()).
 */
static unsigned long *pmaybe(struct tc_cache *t)
{
	unsigned int longs = BITS_TO_LONGS(max(t->rmax, 1U));
	unsigned long *maybe = bitmap_zalloc(2 * longs * BITS_PER_LONG, GFP_KERNEL);

	if (maybe && pround_run(t, maybe, maybe + longs) < 0) {
		bitmap_free(maybe);
		return NULL;
	}
	return maybe;
}

static unsigned long *ptouched(struct tc_cache *t, unsigned long *maybe)
{
	return maybe + BITS_TO_LONGS(max(t->rmax, 1U));
}

/*
 * pcheck: the last pscan against the model. Answer "LOST STALE EXTRA MAYBE":
 * model objects not found (the planned round did not free them), found at
 * a version neither the model's nor one written after it, objects found
 * that the model does not have (not written after it: freed before the
 * sync, or never allocated), slots the planned round may have freed.
 * An object pscan found torn by the crash (pobj_torn()) is accepted in a
 * slot the round works on or as a new object, and is stale elsewhere.
 * Without a plan the model is exact: every object at its version, no other.
 */
static long tc_pcheck(struct tc_cache *t, char *ans)
{
	unsigned long lost = 0, stale = 0, extra = 0, nmaybe = 0;
	unsigned long *maybe;
	struct pfound *f;
	unsigned int slot, k;

	if (!t->found)
		return -EINVAL;
	maybe = pmaybe(t);
	if (!maybe)
		return -ENOMEM;
	for (k = 0; k < t->nfound; k++)
		t->found[k].flags &= ~PF_MATCHED;
	for (slot = 0; slot < t->rmax; slot++) {
		if (!t->refs[slot])
			continue;
		nmaybe += test_bit(slot, maybe);
		f = pfound_find(t, t->refs[slot]);
		if (!f) {
			lost += !test_bit(slot, maybe);
			continue;
		}
		f->flags |= PF_MATCHED;
		if ((f->flags & PF_TORN) && test_bit(slot, ptouched(t, maybe)))
			continue;	/* a change of the round, caught midway */
		if (!pver_ok(t, slot, f->ver))
			stale++;
	}
	for (k = 0; k < t->nfound; k++)
		if (!(t->found[k].flags & (PF_MATCHED | PF_TORN)) &&
		    !(t->plan_ops && t->found[k].ver > t->maxver))
			extra++;
	bitmap_free(maybe);
	snprintf(ans, 48, "%lu %lu %lu %lu", lost, stale, extra, nmaybe);
	return 0;
}

/* The model's refs, sorted (kvfree them), or NULL on no memory. */
static u64 *plive(struct tc_cache *t, unsigned int *n)
{
	u64 *live = kvmalloc_array(max(t->rmax, 1U), sizeof(*live), GFP_KERNEL);
	unsigned int slot;

	*n = 0;
	if (!live)
		return NULL;
	for (slot = 0; slot < t->rmax; slot++)
		if (t->refs[slot])
			live[(*n)++] = t->refs[slot];
	sort(live, *n, sizeof(*live), cmp_u64, NULL);
	return live;
}

/*
 * pgets: zslab_get() of every model ref (GFP_KERNEL): its object, intact,
 * at a version pcheck accepts (NULL only where the planned round freed
 * it; torn by the crash only where the round works); and of the refs the
 * model records as freed (and does not hold again): NULL, or an object
 * written after the model, whole or torn (the ref reused since). Answer
 * "NULLS BAD FREED_LIVE GETS".
 */
static long tc_pgets(struct tc_cache *t, char *ans)
{
	unsigned long nulls = 0, bad = 0, freed_live = 0, gets = 0;
	unsigned int slot, k, nlive;
	unsigned long *maybe;
	u64 *live;
	void *obj;
	u32 *buf;

	buf = kmalloc(2 * t->size, GFP_KERNEL);
	maybe = pmaybe(t);
	if (!maybe || !buf) {
		bitmap_free(maybe);
		kfree(buf);
		return -ENOMEM;
	}
	for (slot = 0; slot < t->rmax; slot++) {
		if (!t->refs[slot])
			continue;
		gets++;
		obj = zslab_get(t->c, t->refs[slot], GFP_KERNEL);
		if (!obj) {
			nulls += !test_bit(slot, maybe);
			continue;
		}
		if (!pver_ok(t, slot, pobj_check(obj, t->size, t->refs[slot])) &&
		    !(test_bit(slot, ptouched(t, maybe)) &&
		      pobj_torn(t, obj, t->refs[slot], t->pvers[slot], buf)))
			bad++;
		zslab_put(t->c, obj);
		if (!(slot & 63))
			cond_resched();
	}
	live = plive(t, &nlive);
	if (!live) {
		bitmap_free(maybe);
		kfree(buf);
		return -ENOMEM;
	}
	for (k = 0; k < min_t(u32, t->nfreed, TC_FREED); k++) {
		zslab_ref_t ref = t->freed[k];
		u32 ver;

		if (bsearch(&ref, live, nlive, sizeof(*live), cmp_u64))
			continue;	/* reused: the model has it */
		obj = zslab_get(t->c, ref, GFP_KERNEL);
		if (!obj)
			continue;
		ver = pobj_check(obj, t->size, ref);
		if (!(t->plan_ops && ver > t->maxver) &&
		    !(!ver && pobj_torn(t, obj, ref, 0, buf)))
			freed_live++;
		zslab_put(t->c, obj);
	}
	kvfree(live);
	bitmap_free(maybe);
	kfree(buf);
	snprintf(ans, 48, "%lu %lu %lu %lu", nulls, bad, freed_live, gets);
	return 0;
}

/*
 * padopt: the last pscan becomes the model (after a crash: what recovery
 * gave back). Model slots keep their place; objects the model did not have
 * take empty slots; model refs not found join the freed refs; objects that
 * are not their pattern are freed (pscan counted them). Answer: objects.
 */
static long tc_padopt(struct tc_cache *t)
{
	struct pfound *f;
	unsigned int slot, k, next = 0;
	long n = 0;

	if (!t->found)
		return -EINVAL;
	for (k = 0; k < t->nfound; k++)
		t->found[k].flags &= ~PF_MATCHED;
	for (slot = 0; slot < t->rmax; slot++) {
		if (!t->refs[slot])
			continue;
		f = pfound_find(t, t->refs[slot]);
		if (!f || (f->flags & (PF_BAD | PF_MATCHED))) {
			pfreed_add(t, t->refs[slot]);
			t->refs[slot] = 0;
			continue;
		}
		f->flags |= PF_MATCHED;
		t->pvers[slot] = f->ver;
		n++;
	}
	for (k = 0; k < t->nfound; k++) {
		f = &t->found[k];
		t->maxver = max(t->maxver, f->ver);
		if (f->flags & PF_MATCHED)
			continue;
		if (f->flags & PF_BAD) {
			zslab_free_ref(t->c, f->ref);
			continue;
		}
		while (next < TC_MAX_OBJS && t->refs[next])
			next++;
		if (next == TC_MAX_OBJS)
			return -ENOSPC;
		t->refs[next] = f->ref;
		t->pvers[next] = f->ver;
		t->rmax = max(t->rmax, next + 1);
		f->flags |= PF_MATCHED;
		n++;
	}
	t->plan_ops = 0;
	t->plan_seed = 0;
	return n;
}

static long tc_pcount(struct tc_cache *t)
{
	unsigned int slot;
	long n = 0;

	for (slot = 0; slot < t->rmax; slot++)
		n += !!t->refs[slot];
	return n;
}

/* Slabs holding the model's objects: distinct slab ids among its refs. */
static long tc_pslabs(struct tc_cache *t)
{
	unsigned int slot, n = 0, k;
	u64 *ids;
	long slabs = 0;

	ids = kvmalloc_array(max(t->rmax, 1U), sizeof(*ids), GFP_KERNEL);
	if (!ids)
		return -ENOMEM;
	for (slot = 0; slot < t->rmax; slot++)
		if (t->refs[slot])
			ids[n++] = t->refs[slot] >> 16;
	sort(ids, n, sizeof(*ids), cmp_u64, NULL);
	for (k = 0; k < n; k++)
		slabs += !k || ids[k] != ids[k - 1];
	kvfree(ids);
	return slabs;
}

/*
 * The model file: a blob of every persistent cache's model, read to keep
 * it (the shell stores it where a crash does not reach) and written back
 * before "pload". Native byte order: it never leaves the guest.
 */
#define PM_MAGIC	0x4d43545aU	/* "ZTCM" */
#define PM_MAX_BYTES	(8U << 20)

struct pm_hdr {
	u32 magic;
	u32 bytes;		/* the whole blob */
	u32 crc;		/* crc32_le(~0) of what follows the header */
	u32 nsec;
};

struct pm_sec {
	u32 idx, size, maxver, rmax;
	u32 count, nfreed, plan_ops, plan_seed;
};

struct pm_ent {
	u64 ref;
	u32 ver;
	u32 slot;
};

static size_t pm_sec_bytes(struct tc_cache *t)
{
	return sizeof(struct pm_sec) + tc_pcount(t) * sizeof(struct pm_ent) +
	       min_t(u32, t->nfreed, TC_FREED) * sizeof(u64);
}

static void *pm_build(size_t *len)
{
	size_t bytes = sizeof(struct pm_hdr);
	struct pm_hdr *h;
	unsigned int i;
	char *buf, *p;

	for (i = 0; i < TC_CACHES; i++)
		if (caches[i].c && caches[i].persistent)
			bytes += pm_sec_bytes(&caches[i]);
	buf = kvzalloc(bytes, GFP_KERNEL);
	if (!buf)
		return NULL;
	h = (struct pm_hdr *)buf;
	p = buf + sizeof(*h);
	for (i = 0; i < TC_CACHES; i++) {
		struct tc_cache *t = &caches[i];
		struct pm_sec *sec = (struct pm_sec *)p;
		unsigned int slot, k;

		if (!t->c || !t->persistent)
			continue;
		*sec = (struct pm_sec){ i, t->size, t->maxver, t->rmax, 0, 0,
					t->plan_ops, t->plan_seed };
		p += sizeof(*sec);
		for (slot = 0; slot < t->rmax; slot++) {
			struct pm_ent e = { t->refs[slot], t->pvers[slot], slot };

			if (!t->refs[slot])
				continue;
			memcpy(p, &e, sizeof(e));
			p += sizeof(e);
			sec->count++;
		}
		for (k = 0; k < min_t(u32, t->nfreed, TC_FREED); k++) {
			memcpy(p, &t->freed[k], sizeof(u64));
			p += sizeof(u64);
			sec->nfreed++;
		}
		h->nsec++;
	}
	h->magic = PM_MAGIC;
	h->bytes = bytes;
	h->crc = crc32_le(~0U, buf + sizeof(*h), bytes - sizeof(*h));
	*len = bytes;
	return buf;
}

/* The blob written to the model file, for "pload". */
static char *pm_in;
static size_t pm_in_len;

/* pload: the blob written to .../model replaces the models it names. */
static long tc_pload(void)
{
	const struct pm_hdr *h = (const void *)pm_in;
	const char *p, *end;
	unsigned int s;

	if (!pm_in || pm_in_len < sizeof(*h) || h->magic != PM_MAGIC ||
	    h->bytes > pm_in_len || h->bytes < sizeof(*h))
		return -EINVAL;
	if (h->crc != crc32_le(~0U, pm_in + sizeof(*h), h->bytes - sizeof(*h)))
		return -EBADMSG;
	p = pm_in + sizeof(*h);
	end = pm_in + h->bytes;
	for (s = 0; s < h->nsec; s++) {
		struct pm_sec sec;
		struct tc_cache *t;
		unsigned int k;

		if (end - p < sizeof(sec))
			return -EINVAL;
		memcpy(&sec, p, sizeof(sec));
		p += sizeof(sec);
		if (sec.idx >= TC_CACHES || sec.rmax > TC_MAX_OBJS || sec.count > TC_MAX_OBJS ||
		    sec.nfreed > TC_FREED ||
		    end - p < sec.count * sizeof(struct pm_ent) + sec.nfreed * sizeof(u64))
			return -EINVAL;
		t = &caches[sec.idx];
		if (!t->c || !t->persistent || t->size != sec.size)
			return -ENOENT;
		memset(t->refs, 0, TC_MAX_OBJS * sizeof(*t->refs));
		t->rmax = sec.rmax;
		t->maxver = sec.maxver;
		t->plan_ops = sec.plan_ops;
		t->plan_seed = sec.plan_seed;
		for (k = 0; k < sec.count; k++) {
			struct pm_ent e;

			memcpy(&e, p, sizeof(e));
			p += sizeof(e);
			if (e.slot >= t->rmax)
				return -EINVAL;
			t->refs[e.slot] = e.ref;
			t->pvers[e.slot] = e.ver;
		}
		t->nfreed = sec.nfreed;
		for (k = 0; k < sec.nfreed; k++) {
			memcpy(&t->freed[k], p, sizeof(u64));
			p += sizeof(u64);
		}
	}
	return h->nsec;
}

struct pm_file {
	char *buf;
	size_t len;
	bool writing;
};

static struct zslab_cmdfile tc_cmdfile;

static int model_open(struct inode *inode, struct file *file)
{
	struct pm_file *pf = kzalloc(sizeof(*pf), GFP_KERNEL);

	if (!pf)
		return -ENOMEM;
	if (file->f_mode & FMODE_WRITE) {
		pf->writing = true;
		pf->buf = kvzalloc(PM_MAX_BYTES, GFP_KERNEL);
	} else {
		mutex_lock(&tc_cmdfile.lock);
		pf->buf = pm_build(&pf->len);
		mutex_unlock(&tc_cmdfile.lock);
	}
	if (!pf->buf) {
		kfree(pf);
		return -ENOMEM;
	}
	file->private_data = pf;
	return 0;
}

static ssize_t model_read(struct file *file, char __user *ubuf, size_t len, loff_t *ppos)
{
	struct pm_file *pf = file->private_data;

	return simple_read_from_buffer(ubuf, len, ppos, pf->buf, pf->len);
}

static ssize_t model_write(struct file *file, const char __user *ubuf, size_t len,
			   loff_t *ppos)
{
	struct pm_file *pf = file->private_data;
	ssize_t n = simple_write_to_buffer(pf->buf, PM_MAX_BYTES, ppos, ubuf, len);

	if (n > 0)
		pf->len = max_t(size_t, pf->len, *ppos);
	return n;
}

static int model_release(struct inode *inode, struct file *file)
{
	struct pm_file *pf = file->private_data;

	if (pf->writing) {
		mutex_lock(&tc_cmdfile.lock);
		kvfree(pm_in);
		pm_in = pf->buf;
		pm_in_len = pf->len;
		mutex_unlock(&tc_cmdfile.lock);
	} else {
		kvfree(pf->buf);
	}
	kfree(pf);
	return 0;
}

static const struct file_operations model_fops = {
	.owner = THIS_MODULE,
	.open = model_open,
	.read = model_read,
	.write = model_write,
	.release = model_release,
	.llseek = default_llseek,
};

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
	seq_printf(m, "syncer_syncs: %d\nsyncer_errors: %d\nsyncer_last_error: %d\nlive: %lu\n",
		   atomic_read(&t->syncs), atomic_read(&t->sync_errors),
		   atomic_read(&t->syncer_last_error), live);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(capstats);

/*
 * A volatile cache's objects are freed first; a persistent cache keeps them
 * (destroy writes it back and detaches it): only its pins end.
 */
static void tc_destroy(struct tc_cache *t)
{
	unsigned int slot;

	stress_end(t);
	if (!t->persistent) {
		tc_freeall(t);
	} else {
		for (slot = 0; slot < t->max; slot++)
			if (t->objs && t->objs[slot])
				zslab_put(t->c, t->objs[slot]);
		if (ctor_counter == &t->ctor_calls)
			ctor_counter = NULL;
	}
	zslab_cache_destroy(t->c);
	t->c = NULL;
	t->persistent = false;
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
	if (!strcmp(verb, "pcreate"))
		return n >= 3 ? tc_pcreate(i, a, b, d) : -EINVAL;
	if (!strcmp(verb, "erase"))
		return tc_erase(i);
	if (!strcmp(verb, "pload"))
		return tc_pload();
	if (!caches[i].c)
		return -ENOENT;
	if (!strcmp(verb, "pscan"))
		return tc_pscan(&caches[i], n >= 3 ? a : 0, ans);
	if (!strcmp(verb, "pforfree"))
		return n == 3 ? tc_pforfree(&caches[i], a, ans) : -EINVAL;
	if (!strcmp(verb, "pdestroy")) {
		tc_destroy(&caches[i]);
		return 0;
	}
	if (!strcmp(verb, "pctor"))
		return atomic_read(&caches[i].ctor_calls);
	if (!caches[i].persistent && verb[0] == 'p' && strcmp(verb, "pause"))
		return -EINVAL;
	if (!strcmp(verb, "pfill"))
		return n == 3 ? tc_pfill(&caches[i], a) : -EINVAL;
	if (!strcmp(verb, "pplan")) {
		if (n != 4)
			return -EINVAL;
		caches[i].plan_ops = a;
		caches[i].plan_seed = b;
		return 0;
	}
	if (!strcmp(verb, "pround"))
		return pround_run(&caches[i], NULL, NULL);
	if (!strcmp(verb, "pcheck"))
		return tc_pcheck(&caches[i], ans);
	if (!strcmp(verb, "pgets"))
		return tc_pgets(&caches[i], ans);
	if (!strcmp(verb, "padopt"))
		return tc_padopt(&caches[i]);
	if (!strcmp(verb, "pcount"))
		return tc_pcount(&caches[i]);
	if (!strcmp(verb, "pslabs"))
		return tc_pslabs(&caches[i]);
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
	debugfs_create_file("model", 0600, tc_cmdfile.dir, NULL, &model_fops);
	return 0;
}

static void __exit tc_exit(void)
{
	unsigned int i;

	zslab_cmdfile_remove(&tc_cmdfile);
	for (i = 0; i < TC_CACHES; i++)
		if (caches[i].c)
			tc_destroy(&caches[i]);
	kvfree(pm_in);
}

module_init(tc_init);
module_exit(tc_exit);
MODULE_DESCRIPTION("zns_slab client driven by the integration tests");
MODULE_LICENSE("GPL");
