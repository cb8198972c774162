// SPDX-License-Identifier: GPL-2.0
/*
 * zslab_capbench: zns_slab as a capacity tier (make bench; the shell side,
 * with fio and the greedy cleaning simulation for comparison, is in
 * scripts/bench.sh). Only the public API (zns_slab.h) is used.
 *
 * One command per write to /sys/kernel/debug/zslab_capbench/cmd; the answer
 * to the last one is in .../result as "VERB: RET NS", RET 0 or -errno, NS
 * the command's time (ktime_get_ns()). What else a command measured is in
 * read-only files beside them (the "stat" list below); commands that time
 * gets zero the get counters first. The cache is "zslab_cap", SIZE-byte
 * objects in 4 KiB slabs; every object starts with its index and a
 * version, checked on each get (a mismatch is counted, never fixed).
 *
 *   fill N SIZE SYNC   create the cache, allocate N objects (write, take
 *                      the ref, zslab_put()), zslab_cache_sync() every
 *                      SYNC allocations and at the end.
 *   update N SYNC      N uniform random updates: zslab_get(GFP_KERNEL),
 *                      check, bump the version, zslab_mark_dirty(),
 *                      zslab_put(); a sync every SYNC updates and at the end.
 *   fifo LIVE BATCH K  objects dying in allocation order, K rounds of:
 *                      allocate BATCH objects (write, ref, put), sync, free
 *                      the oldest by zslab_free_ref() until at most LIVE
 *                      are live. The first fifo creates the cache (SIZE
 *                      from "size"); later ones go on with the same ring.
 *   gets N PROBE       N gets of uniform random objects, each timed alone
 *                      (ktime_ns: the cheapest of 16 empty timings).
 *                      PROBE 0: zslab_get(GFP_KERNEL), counted as "hit".
 *                      PROBE 1: zslab_get(GFP_NOWAIT) first; an object it
 *                      returns is a resident get ("hit", the NOWAIT get
 *                      timed); for NULL (slab evicted) the timed
 *                      zslab_get(GFP_KERNEL) that reads it back is a "miss".
 *   readback N OPS     N gets and puts of objects of N different slabs
 *                      (object i * OPS + a random slot, for i in a random
 *                      order: OPS is the cache's objects per slab, so each
 *                      is another slab), timed as a whole: with a small
 *                      resident_max_mb nearly every one is read back.
 *   size SIZE          object size for the next fifo.
 *   destroy            free every live object (zslab_free_ref()) and
 *                      destroy the cache.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/gcd.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../zns_slab.h"
#include "../tests/client/zslab_cmdfile.h"

#define CAP_CACHE_NAME	"zslab_cap"
#define CAP_MAX_OBJS	(64UL << 20)	/* refs a fill or a fifo ring may hold */

/* The head of every object. */
struct cap_obj {
	u64 idx;
	u64 version;
};

struct cap_state {
	struct zslab_cache *c;
	unsigned int size;
	zslab_ref_t *refs;		/* fill/update: by index; fifo: a ring */
	u32 *version;			/* fill/update: each object's version */
	unsigned long nr;		/* fill: objects; fifo: ring size */
	unsigned long head, live;	/* fifo: oldest live slot, live count */
	u64 seq;			/* fifo: objects allocated so far */
	bool fifo;
	u64 rng;
};

/* What the last command measured, one debugfs file each. */
static struct cap_stats {
	u64 hit, hit_ns, hit_max_ns;	/* gets of resident objects */
	u64 miss, miss_ns, miss_max_ns;	/* gets that read a slab back */
	u64 get_nulls;			/* a GFP_KERNEL get returned NULL */
	u64 mismatches;			/* an object's index or version wrong */
	u64 alloc_fails;
	u64 syncs, sync_errors;
	u64 last_sync_errno;		/* -(the last failed sync's return) */
	u64 live, allocated, freed;	/* objects */
	u64 ktime_ns;			/* an empty ktime_get_ns() pair */
} st;

static struct cap_state cap;

static const char *const cap_stat_names[] = {
	"hit", "hit_ns", "hit_max_ns", "miss", "miss_ns", "miss_max_ns",
	"get_nulls", "mismatches", "alloc_fails", "syncs", "sync_errors",
	"last_sync_errno", "live", "allocated", "freed", "ktime_ns",
};

static u64 cap_rnd(u64 n)
{
	u64 x = cap.rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	cap.rng = x;
	return (x * 2685821657736338717ULL >> 11) % n;
}

static int cap_sync(void)
{
	int err = zslab_cache_sync(cap.c);

	st.syncs++;
	if (err) {
		st.sync_errors++;
		st.last_sync_errno = -err;
	}
	return err;
}

static int cap_destroy(void)
{
	unsigned long i, n;

	if (!cap.c)
		return 0;
	n = cap.fifo ? cap.live : cap.nr;
	for (i = 0; i < n; i++) {
		unsigned long slot = cap.fifo ? (cap.head + i) % cap.nr : i;

		if (cap.refs[slot])
			zslab_free_ref(cap.c, cap.refs[slot]);
		if (!(i & 1023))
			cond_resched();
	}
	zslab_cache_destroy(cap.c);
	kvfree(cap.refs);
	kvfree(cap.version);
	memset(&cap, 0, sizeof(cap));
	st.live = 0;
	return 0;
}

static int cap_set_size(unsigned long size)
{
	if (cap.c)
		return -EBUSY;
	if (size < sizeof(struct cap_obj) || size > PAGE_SIZE)
		return -EINVAL;
	cap.size = size;
	return 0;
}

static int cap_create(unsigned long nr, unsigned int size, bool fifo)
{
	if (cap.c)
		return -EBUSY;
	if (!nr || nr > CAP_MAX_OBJS || size < sizeof(struct cap_obj) || size > PAGE_SIZE)
		return -EINVAL;
	cap.refs = kvcalloc(nr, sizeof(*cap.refs), GFP_KERNEL);
	if (!fifo)
		cap.version = kvcalloc(nr, sizeof(*cap.version), GFP_KERNEL);
	if (!cap.refs || (!fifo && !cap.version))
		goto nomem;
	cap.c = zslab_cache_create(CAP_CACHE_NAME, size, 0, 0, NULL);
	if (IS_ERR(cap.c)) {
		int err = PTR_ERR(cap.c);

		cap.c = NULL;
		kvfree(cap.refs);
		kvfree(cap.version);
		return err;
	}
	cap.size = size;
	cap.nr = nr;
	cap.fifo = fifo;
	cap.rng = 0x9e3779b97f4a7c15ULL;
	memset(&st, 0, sizeof(st));
	return 0;
nomem:
	kvfree(cap.refs);
	kvfree(cap.version);
	cap.refs = NULL;
	cap.version = NULL;
	return -ENOMEM;
}

/* Allocate and write object @idx (a pattern after the head); its ref, or 0. */
static zslab_ref_t cap_new(u64 idx)
{
	struct cap_obj *o = zslab_cache_alloc(cap.c, GFP_KERNEL);
	zslab_ref_t ref;

	if (!o) {
		st.alloc_fails++;
		return 0;
	}
	memset(o + 1, (int)(idx & 0xff) | 1, cap.size - sizeof(*o));
	o->idx = idx;
	o->version = 0;
	zslab_mark_dirty(cap.c, o);
	ref = zslab_ref(cap.c, o);
	zslab_put(cap.c, o);
	st.allocated++;
	st.live++;
	return ref;
}

static int cap_fill(unsigned long n, unsigned int size, unsigned long sync)
{
	unsigned long i;
	int err;

	if (!sync)
		return -EINVAL;
	err = cap_create(n, size, false);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		cap.refs[i] = cap_new(i);
		if (!cap.refs[i])
			return -ENOMEM;
		if ((i + 1) % sync == 0 && cap_sync())
			return -(int)st.last_sync_errno;
		if (!(i & 255))
			cond_resched();
	}
	return cap_sync();
}

/* Get object @i, check its head; NULL (counted) if it could not. */
static struct cap_obj *cap_check(unsigned long i, struct cap_obj *o)
{
	if (!o)
		return NULL;
	if (o->idx != i || (cap.version && o->version != cap.version[i])) {
		if (!st.mismatches++)
			pr_err("object %lu: read index %llu version %llu, want version %u\n",
			       i, o->idx, o->version, cap.version ? cap.version[i] : 0);
	}
	return o;
}

static int cap_update(unsigned long n, unsigned long sync)
{
	unsigned long k, i;
	struct cap_obj *o;

	if (!cap.c || cap.fifo)
		return -ENOENT;
	if (!sync)
		return -EINVAL;
	for (k = 0; k < n; k++) {
		i = cap_rnd(cap.nr);
		o = cap_check(i, zslab_get(cap.c, cap.refs[i], GFP_KERNEL));
		if (!o) {
			st.get_nulls++;
			continue;
		}
		o->version = ++cap.version[i];
		zslab_mark_dirty(cap.c, o);
		zslab_put(cap.c, o);
		if ((k + 1) % sync == 0 && cap_sync())
			return -(int)st.last_sync_errno;
		if (!(k & 255))
			cond_resched();
	}
	return cap_sync();
}

static int cap_fifo(unsigned long live, unsigned long batch, unsigned long rounds)
{
	unsigned long r, b, slot;
	int err;

	if (!cap.c) {
		err = cap_create(live + batch, cap.size ?: 128, true);
		if (err)
			return err;
	}
	if (!cap.fifo || live + batch > cap.nr || !batch)
		return -EINVAL;
	for (r = 0; r < rounds; r++) {
		for (b = 0; b < batch; b++) {
			slot = (cap.head + cap.live) % cap.nr;
			cap.refs[slot] = cap_new(cap.seq++);
			if (!cap.refs[slot])
				return -ENOMEM;
			cap.live++;
			if (!(b & 255))
				cond_resched();
		}
		if (cap_sync())
			return -(int)st.last_sync_errno;
		while (cap.live > live) {
			zslab_free_ref(cap.c, cap.refs[cap.head]);
			cap.refs[cap.head] = 0;
			cap.head = (cap.head + 1) % cap.nr;
			cap.live--;
			st.live--;
			st.freed++;
			if (!(cap.live & 255))
				cond_resched();
		}
	}
	return 0;
}

static void cap_time(u64 ns, u64 *count, u64 *total, u64 *top)
{
	(*count)++;
	*total += ns;
	*top = max(*top, ns);
}

static void cap_zero_gets(void)
{
	st.hit = st.hit_ns = st.hit_max_ns = 0;
	st.miss = st.miss_ns = st.miss_max_ns = 0;
	st.get_nulls = st.mismatches = 0;
}

static int cap_gets(unsigned long n, bool probe)
{
	unsigned long k, i;
	struct cap_obj *o;
	u64 t0, t1;

	if (!cap.c || cap.fifo)
		return -ENOENT;
	cap_zero_gets();
	st.ktime_ns = U64_MAX;
	for (k = 0; k < 16; k++) {
		t0 = ktime_get_ns();
		st.ktime_ns = min(st.ktime_ns, ktime_get_ns() - t0);
	}
	for (k = 0; k < n; k++) {
		i = cap_rnd(cap.nr);
		if (probe) {
			t0 = ktime_get_ns();
			o = zslab_get(cap.c, cap.refs[i], GFP_NOWAIT);
			t1 = ktime_get_ns();
			if (o) {
				cap_time(t1 - t0, &st.hit, &st.hit_ns, &st.hit_max_ns);
				goto got;
			}
		}
		t0 = ktime_get_ns();
		o = zslab_get(cap.c, cap.refs[i], GFP_KERNEL);
		t1 = ktime_get_ns();
		if (!o) {
			st.get_nulls++;
			continue;
		}
		if (probe)
			cap_time(t1 - t0, &st.miss, &st.miss_ns, &st.miss_max_ns);
		else
			cap_time(t1 - t0, &st.hit, &st.hit_ns, &st.hit_max_ns);
got:
		cap_check(i, o);
		zslab_put(cap.c, o);
		if (!(k & 255))
			cond_resched();
	}
	return 0;
}

static int cap_readback(unsigned long n, unsigned long ops)
{
	unsigned long slabs, step, k, i, s;
	struct cap_obj *o;

	if (!cap.c || cap.fifo)
		return -ENOENT;
	if (!ops || !n)
		return -EINVAL;
	slabs = cap.nr / ops;
	if (n > slabs)
		return -ERANGE;
	cap_zero_gets();
	/* Visit slabs s = (start + k * step) mod slabs, step coprime to slabs. */
	step = slabs / 2 + 1 + cap_rnd(slabs / 4 + 1);
	while (gcd(step, slabs) != 1)
		step++;
	s = cap_rnd(slabs);
	for (k = 0; k < n; k++) {
		s = (s + step) % slabs;
		i = s * ops + cap_rnd(ops);
		o = cap_check(i, zslab_get(cap.c, cap.refs[i], GFP_KERNEL));
		if (!o) {
			st.get_nulls++;
			continue;
		}
		st.miss++;
		zslab_put(cap.c, o);
		if (!(k & 255))
			cond_resched();
	}
	return 0;
}

/* Run one command and answer "VERB: RET NS" in @result. */
static void cap_run(char *cmd, char *result, size_t len)
{
	unsigned long a = 0, b = 0, c = 0;
	char verb[16] = "error";
	int ret = -EINVAL, n;
	u64 t0 = ktime_get_ns();

	n = sscanf(cmd, "%15s %lu %lu %lu", verb, &a, &b, &c);
	if (n < 1)
		strscpy(verb, "error", sizeof(verb));
	else if (!strcmp(verb, "fill") && n == 4)
		ret = cap_fill(a, b, c);
	else if (!strcmp(verb, "update") && n == 3)
		ret = cap_update(a, b);
	else if (!strcmp(verb, "fifo") && n == 4)
		ret = cap_fifo(a, b, c);
	else if (!strcmp(verb, "gets") && n == 3)
		ret = cap_gets(a, b);
	else if (!strcmp(verb, "readback") && n == 3)
		ret = cap_readback(a, b);
	else if (!strcmp(verb, "size") && n == 2)
		ret = cap_set_size(a);
	else if (!strcmp(verb, "destroy"))
		ret = cap_destroy();
	else
		strscpy(verb, "error", sizeof(verb));
	snprintf(result, len, "%s: %d %llu\n", verb, ret, ktime_get_ns() - t0);
}

static struct zslab_cmdfile cap_cmdfile = {
	.name = KBUILD_MODNAME,
	.cmd_max = 95,
	.run = cap_run,
	.result = "none: 0 0",
};

static int __init zslab_capbench_init(void)
{
	u64 *v = (u64 *)&st;
	unsigned int i;

	BUILD_BUG_ON(sizeof(st) != ARRAY_SIZE(cap_stat_names) * sizeof(u64));
	zslab_cmdfile_create(&cap_cmdfile);
	for (i = 0; i < ARRAY_SIZE(cap_stat_names); i++)
		debugfs_create_u64(cap_stat_names[i], 0444, cap_cmdfile.dir, &v[i]);
	return 0;
}

static void __exit zslab_capbench_exit(void)
{
	zslab_cmdfile_remove(&cap_cmdfile);
	cap_destroy();
}

module_init(zslab_capbench_init);
module_exit(zslab_capbench_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zns_slab benchmark: write amplification, zslab_get() and read-back as a capacity tier");
